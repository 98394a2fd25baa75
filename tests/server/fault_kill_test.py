#!/usr/bin/python3
"""SIGKILL of the server under a load of RSVPs and event edits (issue 7): several clients put
RSVPs (their own API tokens) and an admin renames events, each recording what was acknowledged
(2xx) and what was in flight; the server is killed mid-stream. Then the database passes
PRAGMA integrity_check, a restarted server on the same data folder shows every acknowledged
write (or the one sent after it, whose answer was lost), and the mails that were queued at the
kill go out after the restart, each exactly once, to a real SMTP server (aiosmtpd).

Usage: fault_kill_test.py PATH/TO/treffpunkt
"""
import http.client
import os
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_helpers import (NO_LIMITS, SmtpSink, call, cli, integrity, kill, message_id,  # noqa
                           new_event, query)
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
MEMBERS = ["mitglied%d@example.org" % i for i in range(6)]
ANSWERS = ["yes", "no", "maybe"]


class Ledger:
    """Per key: the last acknowledged value and the value of a request whose answer never came
    (it may or may not have been committed)."""

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
            self.in_flight[key] = value

    def allowed(self, key):
        return {v for v in (self.acked.get(key), self.in_flight.get(key)) if v is not None}


class SigkillUnderLoad(unittest.TestCase):
    def test_acknowledged_writes_and_queued_mail_survive_sigkill(self):
        tokens = {}
        data = tempfile.mkdtemp(prefix="treffpunkt-fault-kill-")

        def prepare(folder):
            cli(BINARY, folder, "admin", "add", ADMIN)
            for who in [ADMIN] + MEMBERS:
                tokens[who] = cli(BINARY, folder, "token", "create", who)

        # A slow SMTP server (150 ms per message): the outbox fills under the load, so that
        # queued mail is left at the kill.
        sink = SmtpSink("--delay-ms", "150")
        self.addCleanup(sink.stop)
        server = Server(BINARY, "--smtp", sink.url, *NO_LIMITS, data=data, prepare=prepare)
        self.addCleanup(lambda: server.stop())  # the restarted one, see below
        events = [new_event(server.port, tokens[ADMIN], days=10 + i) for i in range(3)]

        rsvps, titles = Ledger(), Ledger()
        stop = threading.Event()
        errors = []

        def rsvp_client(member):
            n = MEMBERS.index(member)
            while not stop.is_set():
                event, key = events[n % len(events)]
                answer = ANSWERS[(n // len(events)) % len(ANSWERS)]  # changes per visit
                n += 1
                ledger_key = (member, event["id"], key)
                try:
                    status, body, _ = call(server.port, "PUT",
                                           "/api/v1/events/%s/occurrences/%s/rsvp" % (
                                               event["id"], key), tokens[member],
                                           {"answer": answer}, timeout=5)
                except (OSError, http.client.HTTPException):
                    rsvps.unknown(ledger_key, answer)
                    return
                if 200 <= status < 300:
                    rsvps.ack(ledger_key, answer)
                else:
                    errors.append((status, body))
                    return

        def editor():
            n = 0
            while not stop.is_set():
                event, _ = events[n % len(events)]
                title = "Umbenannt %d" % n
                n += 1
                try:
                    status, body, _ = call(server.port, "PATCH", "/api/v1/events/%s" % event["id"],
                                           tokens[ADMIN], {"title": title}, timeout=5)
                except (OSError, http.client.HTTPException):
                    titles.unknown(event["id"], title)
                    return
                if 200 <= status < 300:
                    titles.ack(event["id"], title)
                else:
                    errors.append((status, body))
                    return

        threads = [threading.Thread(target=rsvp_client, args=(m,)) for m in MEMBERS]
        threads.append(threading.Thread(target=editor))
        for t in threads:
            t.start()
        # Mid-stream: once writes are being acknowledged and mail is waiting in the outbox.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.1)
            if rsvps.count > 300 and titles.count > 20 and query(
                    data, "SELECT count(*) FROM outbox WHERE state = 'queued' AND due <= ?",
                    test_clock.timestamp())[0][0] >= 3:
                break
        kill(server)
        killed_at = test_clock.timestamp()
        stop.set()
        for t in threads:
            t.join(timeout=10)
        self.assertEqual(errors, [])
        self.assertGreater(rsvps.count, 100)  # not vacuous
        self.assertGreater(titles.count, 5)

        self.assertEqual(integrity(data), [("ok",)])
        # Queued and due at the kill: these must go out after the restart, once each. (A
        # message claimed by the dispatcher, 'sending', waits for its lease: 15 minutes.)
        queued = query(data, "SELECT o.id, m.message FROM outbox o LEFT JOIN outbox_messages m "
                       "ON m.id = o.id WHERE o.state = 'queued' AND o.due <= ?",
                       int(killed_at))
        self.assertGreaterEqual(len(queued), 1)
        print("acknowledged: %d RSVPs, %d edits; queued at the kill: %d mails" % (
            rsvps.count, titles.count, len(queued)), file=sys.stderr)
        sent_before = sink.message_ids()

        server = Server(BINARY, "--smtp", sink.url, *NO_LIMITS, data=data, demo=False)
        for (member, event_id, key), _ in list(rsvps.acked.items()) + list(
                rsvps.in_flight.items()):
            status, body, _ = call(server.port, "GET", "/api/v1/events/%s/occurrences/%s/rsvp" % (
                event_id, key), tokens[member])
            allowed = rsvps.allowed((member, event_id, key))
            self.assertEqual(status, 200, (member, event_id, body))
            self.assertIn(body["answer"], allowed, (member, event_id))
        for event_id in set(titles.acked) | set(titles.in_flight):
            status, body, _ = call(server.port, "GET", "/api/v1/events/%s" % event_id)
            self.assertEqual(status, 200, body)
            self.assertIn(body["title"], titles.allowed(event_id))

        wanted = {row[0]: message_id(row[1]) for row in queued}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            states = dict(query(data, "SELECT id, state FROM outbox WHERE id IN (%s)" % ",".join(
                str(i) for i in wanted)))
            if all(s == "sent" for s in states.values()):
                break
            time.sleep(0.2)
        self.assertTrue(all(s == "sent" for s in states.values()), states)
        received = sink.message_ids()
        for outbox_id, mid in wanted.items():
            self.assertNotIn(mid, sent_before, outbox_id)
            self.assertEqual(received.count(mid), 1, (outbox_id, mid))
        self.assertEqual(len(received), len(set(received)), "a message arrived twice")
        self.assertEqual(integrity(data), [("ok",)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
