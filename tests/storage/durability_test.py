#!/usr/bin/python3
"""An acknowledged RSVP is never lost, also when the process is killed.

Usage: durability_test.py RSVP_STREAM_BINARY

Runs rsvp_stream on a fresh data directory, reads its acknowledgements for a moment, kills it
with SIGKILL in the middle of the stream, and checks with SQLite itself (read-only, before any
treffpunkt process opens the database again) that the database is intact and holds every
acknowledged RSVP as "going". Three rounds: each restart goes on where the last one stopped.
"""

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROUNDS = 3
MIN_ACKS = 20  # a round that acknowledged fewer has not really been killed mid-stream
START_TIMEOUT = 30.0  # seconds to wait for the first acknowledgements


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def parse(line, acked, events):
    """Records one complete output line of rsvp_stream."""
    words = line.split()
    if len(words) == 2 and words[0] == "event":
        events.add(int(words[1]))
    elif len(words) == 3 and words[0] == "ack":
        acked.add((int(words[1]), words[2]))
    else:
        fail("unexpected output line: %r" % line)


def run_and_kill(binary, data_dir, run_for):
    """Starts rsvp_stream, lets it acknowledge RSVPs for `run_for` seconds, SIGKILLs it, and
    returns (event ids, acknowledged (person, key) pairs), including every complete line it
    wrote before it died."""
    proc = subprocess.Popen([binary, data_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    acked, events = set(), set()
    buffer = b""
    started = time.monotonic()
    first_ack = None
    try:
        while True:
            now = time.monotonic()
            if first_ack is not None and now - first_ack >= run_for and len(acked) >= MIN_ACKS:
                break
            if first_ack is None and now - started > START_TIMEOUT:
                fail("no acknowledgement within %.0f s" % START_TIMEOUT)
            ready, _, _ = select.select([proc.stdout], [], [], 0.05)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                fail("rsvp_stream ended before it was killed: %s"
                     % proc.stderr.read().decode(errors="replace"))
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                parse(line.decode(), acked, events)
            if acked and first_ack is None:
                first_ack = time.monotonic()
    finally:
        # Mid-stream: the program is writing as fast as it can, most likely inside a
        # transaction or between COMMIT and its "ack".
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # Lines written before the kill are acknowledgements too; a cut last line is not.
    buffer += proc.stdout.read()
    *lines, _ = buffer.split(b"\n")
    for line in lines:
        parse(line.decode(), acked, events)
    proc.stdout.close()
    proc.stderr.close()
    if proc.returncode != -signal.SIGKILL:
        fail("rsvp_stream was not killed by SIGKILL (exit %s)" % proc.returncode)
    if len(events) != 1:
        fail("expected one 'event' line, got %s" % sorted(events))
    return events.pop(), acked


def check(db_path, event, acked):
    """Every acknowledged RSVP is stored as going, and the database is intact."""
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        result = db.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            fail("integrity_check: %s" % result)
        stored = {
            (person, key): state
            for person, key, state in db.execute(
                "SELECT person_id, occurrence_key, state FROM rsvps WHERE event_id = ?", (event,))
        }
    finally:
        db.close()
    lost = sorted(a for a in acked if stored.get(a) != "going")
    if lost:
        fail("%d acknowledged RSVPs lost or not going, e.g. %s" % (len(lost), lost[:5]))
    return len(stored)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="treffpunkt-durability-") as data_dir:
        db_path = os.path.join(data_dir, "treffpunkt.db")
        all_acked = set()
        event = None
        for round_no in range(1, ROUNDS + 1):
            this_event, acked = run_and_kill(binary, data_dir, random.uniform(0.5, 1.0))
            if event is not None and this_event != event:
                fail("round %d used event %d, not %d" % (round_no, this_event, event))
            event = this_event
            if acked & all_acked:
                fail("round %d acknowledged again what an earlier round had" % round_no)
            all_acked |= acked
            # All rounds so far: nothing acknowledged before is lost by a later kill.
            stored = check(db_path, event, all_acked)
            print("round %d: %d acknowledged, %d in all, %d stored"
                  % (round_no, len(acked), len(all_acked), stored))
    print("ok")


if __name__ == "__main__":
    main()
