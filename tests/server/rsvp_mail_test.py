#!/usr/bin/python3
"""RSVP mails over a real loopback socket, delivered to the Maildir default (DATA/mail/new): a
yes through the JSON API queues, in the RSVP's transaction, a confirmation with an iMIP REQUEST
(parsed with python3-icalendar: METHOD, UID), nothing new for a repeated yes, a waitlist
promotion when a place comes free, and the member's reminders, dropped when the answer turns
to no (read from the outbox in the database, read-only); a moved occurrence sends its going
members a REQUEST with a higher SEQUENCE and plans their reminders again, a cancelled one a
CANCEL and drops them.

Usage: rsvp_mail_test.py PATH/TO/treffpunkt
"""
import datetime
import email
import email.policy
import glob
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import time
import unittest

import icalendar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
FIRST = "erste@example.org"
SECOND = "zweite@example.org"
LEAVING = "geht@example.org"  # deletes their account in one test
RESPONSIBLE = "rosa.schererz@demo.invalid"  # Frauen* (demo data)


def later(days, hour=19):
    d = test_clock.today() + datetime.timedelta(days=days)
    return "%sT%02d:00" % (d.isoformat(), hour)


def cli(data, *args):
    done = subprocess.run([BINARY, *args, "--data", data], capture_output=True, text=True,
                          timeout=30)
    if done.returncode != 0:
        raise RuntimeError("%s: %s" % (args, done.stderr))
    return done.stdout.strip()


def call(port, method, path, token=None, body=None):
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


def parse(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def calendar_parts(message):
    return [p for p in message.walk() if p.get_content_type() == "text/calendar"]


class RsvpMails(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tokens = {}

        def prepare(data):
            cli(data, "admin", "add", ADMIN)
            for who in (ADMIN, FIRST, SECOND, LEAVING, RESPONSIBLE):
                cls.tokens[who] = cli(data, "token", "create", who)

        # An https base URL, as in production: reminders carry one-click List-Unsubscribe.
        cls.server = Server(BINARY, "--base-url", "https://treffpunkt.example", prepare=prepare)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    # ---- helpers ---------------------------------------------------------------------------
    def mails(self):
        return sorted(glob.glob(os.path.join(self.server.data, "mail", "new", "*")))

    def wait_for_new(self, before, count, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            new = [p for p in self.mails() if p not in before]
            if len(new) >= count or time.monotonic() > deadline:
                return [parse(p) for p in new]
            time.sleep(0.05)

    def outbox(self):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.server.data, "treffpunkt.db"),
                             uri=True)
        try:
            return db.execute(
                "SELECT kind, recipient, due, state, dedupe_key FROM outbox ORDER BY id").fetchall()
        finally:
            db.close()

    def new_event(self, **fields):
        body = {"title": "RSVP-Mailtest", "start": later(10), "duration_minutes": 90}
        body.update(fields)
        status, made = call(self.server.port, "POST", "/api/v1/units/frauen/events",
                            self.tokens[ADMIN], body)
        self.assertEqual(status, 201, made)
        status, occ = call(self.server.port, "GET",
                           "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
                               made["start"][:10], made["start"][:10]))
        self.assertEqual(status, 200, occ)
        found = [o for o in occ["occurrences"] if o["event"] == made["id"]]
        self.assertTrue(found, occ)
        return made, found[0]

    def rsvp(self, who, event, occurrence, answer):
        status, body = call(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (
            event["id"], occurrence["key"]), self.tokens[who], {"answer": answer})
        self.assertEqual(status, 200, body)
        return body

    def assert_request(self, message, uid, method="REQUEST"):
        parts = calendar_parts(message)
        self.assertEqual(len(parts), 1, message.as_string()[:2000])
        part = parts[0]
        self.assertEqual(part.get_param("method"), method)
        cal = icalendar.Calendar.from_ical(part.get_content())
        self.assertEqual(str(cal["METHOD"]), method)
        events = [c for c in cal.walk() if c.name == "VEVENT"]
        self.assertEqual(len(events), 1)
        self.assertEqual(str(events[0]["UID"]), uid)
        self.assertIn("ORGANIZER", events[0])
        self.assertIn("ATTENDEE", events[0])
        return events[0]

    # ---- tests -----------------------------------------------------------------------------
    def test_yes_queues_a_confirmation_with_request_once_and_reminders(self):
        event, occurrence = self.new_event()
        before = set(self.mails())
        self.assertEqual(self.rsvp(FIRST, event, occurrence, "yes")["state"], "going")
        new = self.wait_for_new(before, 1)
        self.assertEqual(len(new), 1)
        message = new[0]
        self.assertIn(FIRST, message["To"])
        self.assert_request(message, event["uid"])

        # Reminders (a day and two hours before, the defaults), due before the start.
        start = datetime.datetime.fromisoformat(occurrence["start"].replace("Z", "+00:00"))
        rows = [r for r in self.outbox() if r[0] == "reminder" and r[1] == FIRST
                and (":%s:" % event["id"]) in r[4]]
        self.assertEqual(len(rows), 2, self.outbox())
        for kind, recipient, due, state, key in rows:
            self.assertEqual(state, "queued")
            self.assertLess(due, start.timestamp())

        # Saying yes again queues nothing.
        count = len(self.outbox())
        self.assertEqual(self.rsvp(FIRST, event, occurrence, "yes")["state"], "going")
        time.sleep(0.3)
        self.assertEqual(len(self.outbox()), count)
        self.assertEqual(len([p for p in self.mails() if p not in before]), 1)

        # No drops the queued reminders.
        self.rsvp(FIRST, event, occurrence, "no")
        rows = [r for r in self.outbox() if r[0] == "reminder" and r[1] == FIRST
                and (":%s:" % event["id"]) in r[4]]
        self.assertEqual(rows, [])

    def test_a_freed_place_sends_the_promotion(self):
        event, occurrence = self.new_event(kind="exchange_offer", capacity=1)
        first = set(self.mails())
        self.assertEqual(self.rsvp(FIRST, event, occurrence, "yes")["state"], "going")
        self.assertEqual(len(self.wait_for_new(first, 1)), 1)  # the confirmation
        before = set(self.mails())
        self.assertEqual(self.rsvp(SECOND, event, occurrence, "yes")["state"], "waitlisted")
        time.sleep(0.3)
        # No waitlist notice kind exists: a waitlisted yes sends nothing (yet).
        self.assertEqual([p for p in self.mails() if p not in before], [])
        self.assertEqual(self.rsvp(FIRST, event, occurrence, "no")["promoted"], 1)
        new = self.wait_for_new(before, 1)
        self.assertEqual(len(new), 1)
        self.assertIn(SECOND, new[0]["To"])
        self.assert_request(new[0], event["uid"])
        kinds = [r[0] for r in self.outbox() if r[1] == SECOND and r[0] != "reminder"]
        self.assertIn("waitlist_promotion", kinds)

    def wait_for_mail_to(self, before, address, timeout=10):
        """The new mails (not in `before`) to `address`, once there is at least one."""
        deadline = time.monotonic() + timeout
        while True:
            new = [parse(p) for p in self.mails() if p not in before]
            mine = [m for m in new if address in m["To"]]
            if mine or time.monotonic() > deadline:
                return mine
            time.sleep(0.05)

    def test_a_deleted_account_gives_its_place_to_the_waitlist(self):
        event, occurrence = self.new_event(kind="exchange_offer", capacity=1, title="Ein Platz")
        first = set(self.mails())
        self.assertEqual(self.rsvp(LEAVING, event, occurrence, "yes")["state"], "going")
        self.assertEqual(len(self.wait_for_mail_to(first, LEAVING)), 1)  # the confirmation
        self.assertEqual(self.rsvp(SECOND, event, occurrence, "yes")["state"], "waitlisted")
        before = set(self.mails())
        status, body = call(self.server.port, "DELETE", "/api/v1/me", self.tokens[LEAVING])
        self.assertEqual(status, 200, body)
        promoted = self.wait_for_mail_to(before, SECOND)
        self.assertEqual(len(promoted), 1)
        self.assert_request(promoted[0], event["uid"])
        status, mine = call(self.server.port, "GET", "/api/v1/events/%s/occurrences/%s/rsvp" % (
            event["id"], occurrence["key"]), self.tokens[SECOND])
        self.assertEqual((status, mine["state"]), (200, "going"), mine)
        kinds = [r[0] for r in self.outbox() if r[1] == SECOND and "%s:" % event["id"] in r[4]]
        self.assertIn("waitlist_promotion", kinds)
        self.assertEqual([r for r in self.outbox() if r[1] == LEAVING], [])

    def test_moved_then_cancelled_occurrence_notifies_the_going_members(self):
        event, occurrence = self.new_event(rrule="FREQ=WEEKLY;COUNT=3")
        first = set(self.mails())
        self.assertEqual(self.rsvp(FIRST, event, occurrence, "yes")["state"], "going")
        confirmation = self.wait_for_new(first, 1)
        self.assertEqual(len(confirmation), 1)
        before_seq = int(self.assert_request(confirmation[0], event["uid"]).get("SEQUENCE", 0))
        slot = ":%s:%s:" % (event["id"], occurrence["key"])
        old_reminders = [r for r in self.outbox() if r[0] == "reminder" and slot in r[4]]
        self.assertEqual(len(old_reminders), 2, self.outbox())

        # The responsible moves it two hours later: a REQUEST with a higher SEQUENCE and the
        # new DTSTART, and reminders planned again for the new start.
        path = "/api/v1/events/%s/occurrences/%s" % (event["id"], occurrence["key"])
        new_local = occurrence["local_start"][:11] + "21:00"
        before = set(self.mails())
        status, moved = call(self.server.port, "PUT", path, self.tokens[RESPONSIBLE],
                             {"start": new_local})
        self.assertEqual(status, 200, moved)
        self.assertTrue(moved["moved"], moved)
        new = self.wait_for_new(before, 1)
        self.assertEqual(len(new), 1)
        self.assertIn(FIRST, new[0]["To"])
        self.assertIn("List-Unsubscribe", new[0])
        vevent = self.assert_request(new[0], event["uid"])
        self.assertGreater(int(vevent["SEQUENCE"]), before_seq)
        self.assertIn("RECURRENCE-ID", vevent)
        start = datetime.datetime.fromisoformat(moved["start"].replace("Z", "+00:00"))
        self.assertEqual(vevent.decoded("DTSTART").astimezone(datetime.timezone.utc), start)
        kinds = [r[0] for r in self.outbox() if r[1] == FIRST and slot in r[4]]
        self.assertIn("moved", kinds)
        rows = [r for r in self.outbox() if r[0] == "reminder" and slot in r[4]
                and r[3] == "queued"]
        self.assertEqual(len(rows), 2, self.outbox())
        for kind, recipient, due, state, key in rows:
            self.assertEqual(recipient, FIRST)
            self.assertLess(due, start.timestamp())
        # The old ones are gone: the new ones fall due two hours later.
        self.assertEqual(sorted(r[2] for r in rows),
                         sorted(r[2] + 7200 for r in old_reminders))

        # Then cancels it: a CANCEL above that SEQUENCE, and no reminders left queued.
        before = set(self.mails())
        status, cancelled = call(self.server.port, "PUT", path, self.tokens[RESPONSIBLE],
                                 {"cancelled": True})
        self.assertEqual(status, 200, cancelled)
        self.assertTrue(cancelled["cancelled"], cancelled)
        new = self.wait_for_new(before, 1)
        self.assertEqual(len(new), 1)
        self.assertIn(FIRST, new[0]["To"])
        cancel = self.assert_request(new[0], event["uid"], "CANCEL")
        self.assertGreater(int(cancel["SEQUENCE"]), int(vevent["SEQUENCE"]))
        self.assertEqual(str(cancel["STATUS"]), "CANCELLED")
        self.assertEqual([r for r in self.outbox() if r[0] == "reminder" and slot in r[4]
                          and r[3] == "queued"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
