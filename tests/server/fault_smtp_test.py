#!/usr/bin/python3
"""A broken SMTP server does not stop the web side (issue 7): with --smtp at a closed port, at
a server that accepts and never says a word, and at one that answers garbage, mails are
triggered (a login link, an RSVP confirmation); feeds, pages and API reads keep answering
within a second while the dispatcher struggles, and the messages stay in the outbox (queued
for a retry, /metrics shows them) instead of being lost. With the silent server, SIGTERM
still ends the process within its shutdown deadline (the dispatcher's SMTP call is aborted).

Usage: fault_smtp_test.py PATH/TO/treffpunkt
"""
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_helpers import NO_LIMITS, BadSmtp, call, cli, closed_port, new_event, query  # noqa
from server_process import Server  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
MEMBER = "mitglied@example.org"
READS = ["/calendar.ics", "/units/frauen.ics", "/", "/units/frauen", "/api/v1/units"]


class BrokenSmtp(unittest.TestCase):
    def start(self, url, *extra):
        tokens = {}

        def prepare(folder):
            cli(BINARY, folder, "admin", "add", ADMIN)
            for who in (ADMIN, MEMBER):
                tokens[who] = cli(BINARY, folder, "token", "create", who)

        server = Server(BINARY, "--smtp", url, *NO_LIMITS, *extra, prepare=prepare)
        self.addCleanup(server.stop)
        return server, tokens

    def trigger_mail_and_keep_reading(self, server, tokens):
        event, key = new_event(server.port, tokens[ADMIN])
        status, body, _ = call(server.port, "POST", "/api/v1/login", body={"email": MEMBER})
        self.assertEqual(status, 202, body)
        status, body, _ = call(server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (
            event["id"], key), tokens[MEMBER], {"answer": "yes"})
        self.assertEqual(status, 200, body)
        # Reads while the dispatcher tries (and fails) to send: each within a second.
        slowest = 0.0
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            for path in READS:
                started = time.monotonic()
                status, body, _ = call(server.port, "GET", path, timeout=5)
                took = time.monotonic() - started
                self.assertEqual(status, 200, (path, body))
                slowest = max(slowest, took)
        self.assertLess(slowest, 1.0)
        # Nothing lost: the login link and the confirmation are still waiting.
        rows = query(server.data, "SELECT kind, state FROM outbox WHERE recipient = ? "
                     "AND kind != 'reminder'", MEMBER)
        self.assertGreaterEqual(len(rows), 2, rows)
        self.assertTrue(all(state in ("queued", "sending") for _, state in rows), rows)
        status, metrics, _ = call(server.port, "GET", "/metrics")
        depth = [line for line in metrics.splitlines()
                 if line.startswith("treffpunkt_outbox_depth ")]
        self.assertTrue(depth and int(depth[0].split()[1]) >= 2, depth)
        return rows

    def test_closed_port(self):
        server, tokens = self.start("smtp://127.0.0.1:%d" % closed_port())
        self.trigger_mail_and_keep_reading(server, tokens)
        # Refused at once: the dispatcher recorded a temporary failure and a later retry.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            errors = query(server.data, "SELECT state, last_error FROM outbox WHERE recipient = ? "
                           "AND kind != 'reminder'", MEMBER)
            if all(state == "queued" and error for state, error in errors):
                break
            time.sleep(0.1)
        self.assertTrue(all(state == "queued" and error for state, error in errors), errors)

    def test_garbage(self):
        bad = BadSmtp("garbage")
        self.addCleanup(bad.stop)
        server, tokens = self.start(bad.url)
        self.trigger_mail_and_keep_reading(server, tokens)
        self.assertGreaterEqual(bad.accepted, 1)

    def test_silent_server_and_sigterm_within_the_deadline(self):
        bad = BadSmtp("silent")
        self.addCleanup(bad.stop)
        server, tokens = self.start(bad.url, "--shutdown-timeout", "2")
        self.trigger_mail_and_keep_reading(server, tokens)
        self.assertGreaterEqual(bad.accepted, 1)  # the dispatcher hangs in a send right now
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(timeout=30), 0)
        took = time.monotonic() - started
        self.assertLess(took, 2 + 2, server.log()[-2000:])
        # The aborted send was recorded: the messages wait for a retry, none was lost.
        rows = query(server.data, "SELECT kind, state FROM outbox WHERE recipient = ? "
                     "AND kind != 'reminder'", MEMBER)
        self.assertTrue(rows and all(state in ("queued", "sending") for _, state in rows), rows)


if __name__ == "__main__":
    unittest.main(verbosity=2)
