#!/usr/bin/python3
"""SIGKILL of one of two instances on one PostgreSQL database (issue 18): many members put
RSVPs through both `serve --database` processes, each member's requests alternating between
them, on events one of which has few places; one instance is killed mid-stream and the stream
goes on. The other instance answers every request sent to it, before, during and after the
kill; every RSVP that was acknowledged (2xx) is in the database afterwards, as the surviving
instance's API and psql read it (or the one sent after it, whose answer was lost); and the
event with a capacity has never more going than places, nor anyone waiting while a place is
free.

The database is a fresh one on the cluster of TREFFPUNKT_TEST_POSTGRES (ctest's fixture), or
on a cluster of its own when run by hand.

Usage: fault_pg_kill_test.py PATH/TO/treffpunkt
"""
import http.client
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_helpers import NO_LIMITS, call, kill, new_event, pg_cli  # noqa: E402
import pg_database  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402,F401  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
MEMBERS = ["mitglied%02d@example.org" % i for i in range(16)]
ANSWERS = ["yes", "no", "maybe"]
CAPACITY = 4  # places of the first event: far fewer than members who say yes


class Ledger:
    """Per (member, event, key): the last acknowledged answer, and the answers sent after it
    whose reply never came (each may or may not have been committed)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}
        self.in_flight = {}
        self.count = 0

    def ack(self, key, value):
        with self.lock:
            self.acked[key] = value
            self.in_flight.pop(key, None)
            self.count += 1

    def unknown(self, key, value):
        with self.lock:
            self.in_flight.setdefault(key, set()).add(value)

    def allowed(self, key):
        found = set(self.in_flight.get(key, ()))
        if key in self.acked:
            found.add(self.acked[key])
        return found


class SigkillOfOneInstance(unittest.TestCase):
    def test_acknowledged_rsvps_survive_and_the_other_instance_keeps_serving(self):
        database = pg_database.fresh("fault_pg_kill")
        pg_cli(BINARY, database, "admin", "add", ADMIN)
        tokens = {who: pg_cli(BINARY, database, "token", "create", who)
                  for who in [ADMIN] + MEMBERS}
        # The first loads the demo (its units); the second starts on what is there. Each has
        # a data folder of its own for its Maildir.
        a = Server(BINARY, "--database", database, *NO_LIMITS)
        self.addCleanup(a.stop)
        b = Server(BINARY, "--database", database, *NO_LIMITS, demo=False)
        self.addCleanup(b.stop)
        instances = (a, b)
        events = [new_event(a.port, tokens[ADMIN], days=10, capacity=CAPACITY)]
        events += [new_event(a.port, tokens[ADMIN], days=11 + i) for i in range(2)]

        rsvps = Ledger()
        killed = threading.Event()
        stop = threading.Event()
        errors = []  # anything from the survivor but a 2xx, and anything unexpected
        refused = [0]  # requests the killed instance refused after its death
        slowest = [0.0]  # the survivor's slowest answer

        def client(member):
            n = MEMBERS.index(member)
            sent = 0
            while not stop.is_set():
                event, key = events[n % len(events)]
                answer = ANSWERS[(n // len(events)) % len(ANSWERS)]  # changes per visit
                n += 1
                target = instances[sent % 2]  # the stream alternates instances
                sent += 1
                ledger_key = (member, event["id"], key)
                started = time.monotonic()
                try:
                    status, body, _ = call(target.port, "PUT",
                                           "/api/v1/events/%s/occurrences/%s/rsvp" % (
                                               event["id"], key), tokens[member],
                                           {"answer": answer}, timeout=10)
                except ConnectionRefusedError:
                    # Nothing was sent: only the killed one refuses, and only once it is dead.
                    if target is not b or not killed.is_set():
                        errors.append((member, target.port, "refused"))
                    refused[0] += 1
                    continue
                except (OSError, http.client.HTTPException) as e:
                    rsvps.unknown(ledger_key, answer)
                    if target is a:
                        errors.append((member, "survivor", repr(e)))
                    continue
                if target is a:
                    slowest[0] = max(slowest[0], time.monotonic() - started)
                if 200 <= status < 300:
                    rsvps.ack(ledger_key, answer)
                else:
                    errors.append((member, target.port, status, body))

        threads = [threading.Thread(target=client, args=(m,)) for m in MEMBERS]
        for t in threads:
            t.start()
        try:
            # Mid-stream: once both instances have acknowledged a good number of writes.
            deadline = time.monotonic() + 30
            while rsvps.count < 400 and time.monotonic() < deadline:
                time.sleep(0.05)
            acked_before = rsvps.count
            # Set first: a client refused between the death and the set would count as an
            # error (failed once so). Before the kill nothing is refused anyway.
            killed.set()
            kill(b)
            # The stream goes on for a while through the survivor.
            time.sleep(2.0)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        acked_after = rsvps.count - acked_before
        print("acknowledged: %d RSVPs before the kill, %d after; %d refused by the dead one; "
              "the survivor's slowest answer %.2f s" % (
                  acked_before, acked_after, refused[0], slowest[0]), file=sys.stderr)
        self.assertEqual(errors, [])
        self.assertGreaterEqual(acked_before, 400, "the kill came before the stream got going")
        self.assertGreater(acked_after, 50, "the survivor acknowledged little after the kill")
        self.assertGreater(refused[0], 0, "nothing was sent to the killed instance after")
        self.assertIsNone(a.proc.poll(), "the survivor died")

        # Every acknowledged answer (or one sent after it) through the survivor's API ...
        for (member, event_id, key) in set(rsvps.acked) | set(rsvps.in_flight):
            status, body, _ = call(a.port, "GET", "/api/v1/events/%s/occurrences/%s/rsvp" % (
                event_id, key), tokens[member])
            self.assertEqual(status, 200, (member, event_id, body))
            self.assertIn(body["answer"], rsvps.allowed((member, event_id, key)),
                          (member, event_id))
        # ... and straight from the database.
        rows = pg_database.query(database, "SELECT p.email, r.event_id, r.occurrence_key, "
                                 "r.answer FROM rsvps r JOIN people p ON p.id = r.person_id")
        stored = {(email, int(event_id), key): answer for email, event_id, key, answer in rows}
        for ledger_key in set(rsvps.acked) | set(rsvps.in_flight):
            self.assertIn(stored.get(ledger_key), rsvps.allowed(ledger_key), ledger_key)

        # The places: never more going than there are, nobody waiting while one is free.
        event, key = events[0]
        [[going, waiting]] = pg_database.query(
            database, "SELECT count(*) FILTER (WHERE state = 'going'), "
            "count(*) FILTER (WHERE state = 'waitlisted') FROM rsvps "
            "WHERE event_id = %d" % event["id"])
        self.assertLessEqual(int(going), CAPACITY)
        if int(waiting) > 0:
            self.assertEqual(int(going), CAPACITY)
        status, seen, _ = call(a.port, "GET", "/api/v1/events/%s/occurrences/%s/rsvp" % (
            event["id"], key), tokens[MEMBERS[0]])
        self.assertEqual(status, 200, seen)
        self.assertEqual(seen["occupancy"]["going"], int(going), seen)
        self.assertEqual(seen["occupancy"]["waitlisted"], int(waiting), seen)


if __name__ == "__main__":
    unittest.main(verbosity=2)
