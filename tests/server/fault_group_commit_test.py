#!/usr/bin/python3
"""SIGKILL while a group of writes waits for its fsync (issue 16): 32 members each change their
own answer to one session as fast as they can, so that many RSVPs commit together and share
one fsync of the WAL (group commit; /metrics shows fewer fsyncs than writes before the kill).
The server is killed mid-stream. After a restart on the same data folder:

- the database passes PRAGMA integrity_check;
- every acknowledged answer is there (or the one sent after it, whose answer was lost);
- every write is all or nothing: each member's stored answer is the one the newest audit-log
  line of their RSVPs names, and every acknowledged write left its audit line (an RSVP row
  without its audit line, or the reverse, would be half a write).

Usage: fault_group_commit_test.py PATH/TO/treffpunkt
"""
import http.client
import os
import re
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_helpers import NO_LIMITS, call, cli, integrity, kill, new_event, query  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402,F401  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
MEMBERS = ["gruppe%d@example.org" % i for i in range(32)]
ANSWERS = ["yes", "no", "maybe"]


def metrics(port, *names):
    """The values of `names`, from one scrape of /metrics."""
    status, text, _ = call(port, "GET", "/metrics")
    if status != 200:
        raise AssertionError("/metrics: %s %s" % (status, text))
    values = []
    for name in names:
        found = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
        if not found:
            raise AssertionError("%s not in /metrics" % name)
        values.append(int(found.group(1)))
    return values


class GroupCommitKill(unittest.TestCase):
    def test_a_group_of_writes_in_flight_is_all_there_or_not_at_all(self):
        tokens = {}
        data = tempfile.mkdtemp(prefix="treffpunkt-fault-group-")

        def prepare(folder):
            cli(BINARY, folder, "admin", "add", ADMIN)
            for who in [ADMIN] + MEMBERS:
                tokens[who] = cli(BINARY, folder, "token", "create", who)

        server = Server(BINARY, *NO_LIMITS, data=data, prepare=prepare)
        self.addCleanup(lambda: server.stop())  # the restarted one, see below
        event, key = new_event(server.port, tokens[ADMIN], days=12)
        path = "/api/v1/events/%s/occurrences/%s/rsvp" % (event["id"], key)

        lock = threading.Lock()
        acked, in_flight, acked_count = {}, {}, {}
        stop = threading.Event()
        errors = []

        def client(member):
            n = MEMBERS.index(member)
            while not stop.is_set():
                answer = ANSWERS[n % len(ANSWERS)]
                n += 1
                try:
                    status, body, _ = call(server.port, "PUT", path, tokens[member],
                                           {"answer": answer}, timeout=5)
                except (OSError, http.client.HTTPException):
                    with lock:
                        in_flight[member] = answer
                    return
                if status != 200:
                    errors.append((status, body))
                    return
                with lock:
                    acked[member] = answer
                    acked_count[member] = acked_count.get(member, 0) + 1

        threads = [threading.Thread(target=client, args=(m,)) for m in MEMBERS]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and sum(acked_count.values()) < 600:
            time.sleep(0.05)
        with lock:
            acked_before = sum(acked_count.values())  # all committed before the scrape
        commits, writes, syncs = metrics(server.port, "treffpunkt_store_commits_total",
                                         "treffpunkt_store_writes_total",
                                         "treffpunkt_store_syncs_total")
        kill(server)
        stop.set()
        for t in threads:
            t.join(timeout=10)
        self.assertEqual(errors, [])
        total = sum(acked_count.values())
        self.assertGreater(total, 300)  # not vacuous
        # Groups formed: writes shared transactions and fsyncs. Each acknowledged RSVP is one
        # write, its mail's bookkeeping more; a commit holds one write or several.
        self.assertGreaterEqual(writes, acked_before)
        self.assertLessEqual(commits, writes)
        self.assertLess(syncs, writes, "every write had an fsync of its own: no group commit")
        print("acknowledged %d RSVPs; before the kill %d writes in %d commits, %d fsyncs" % (
            total, writes, commits, syncs), file=sys.stderr)

        self.assertEqual(integrity(data), [("ok",)])
        people = dict(query(data, "SELECT email, id FROM people"))
        stored = dict(query(data, "SELECT person_id, answer FROM rsvps WHERE event_id = ?",
                            event["id"]))
        audit = query(data, "SELECT detail FROM audit_log WHERE event_id = ? AND action LIKE "
                      "'rsvp%' ORDER BY id", event["id"])
        lines = {}
        for (detail,) in audit:
            fields = dict(part.split("=", 1) for part in detail.split())
            lines.setdefault(int(fields["person"]), []).append(fields["answer"])
        for member in MEMBERS:
            person = people[member]
            allowed = {v for v in (acked.get(member), in_flight.get(member)) if v is not None}
            if not allowed:
                continue
            self.assertIn(stored.get(person), allowed, member)
            self.assertEqual(lines[person][-1], stored[person], member)
            self.assertGreaterEqual(len(lines[person]), acked_count.get(member, 0), member)

        # A restarted server serves the same.
        server = Server(BINARY, *NO_LIMITS, data=data, demo=False)
        for member in MEMBERS:
            status, body, _ = call(server.port, "GET", path, tokens[member])
            if member in acked or member in in_flight:
                self.assertEqual(status, 200, body)
                self.assertEqual(body["answer"], stored[people[member]], member)


if __name__ == "__main__":
    unittest.main(verbosity=2)
