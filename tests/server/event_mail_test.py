#!/usr/bin/python3
"""Mails of whole-event edits and cancels, received over real SMTP (the aiosmtpd harness
tests/notifications/smtp_server.py on loopback, `serve --smtp`): a raised capacity sends the
promoted a waitlist promotion with an iMIP REQUEST; a PATCH that moves a series' time sends
those going a `moved` notice whose REQUEST carries the new time and a higher SEQUENCE, with
their reminders planned again; a title-only PATCH sends nothing; DELETE of a series sends each
going person one CANCEL of the whole UID (no RECURRENCE-ID) and drops every queued reminder.
Each mail is parsed: MIME structure, decoded text, the text/calendar part with
python3-icalendar (its METHOD equals the part's method=).

Usage: event_mail_test.py PATH/TO/treffpunkt
"""
import datetime
import email
import email.policy
import glob
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
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
RESPONSIBLE = "rosa.schererz@demo.invalid"  # Frauen* (demo data)
SMTP_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notifications",
                           "smtp_server.py")


def later(days, hour=19):
    d = test_clock.today() + datetime.timedelta(days=days)
    return "%sT%02d:00" % (d.isoformat(), hour)


def cli(data, *args):
    done = subprocess.run([BINARY, *args, "--data", data], capture_output=True, text=True,
                          timeout=30)
    if done.returncode != 0:
        raise RuntimeError("%s: %s" % (args, done.stderr))
    return done.stdout.strip()


def call(port, method, path, token=None, body=None, headers=None, raw=None, content_type=None):
    """One request; returns (status, parsed JSON or None, text). `raw` sends bytes as they are."""
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = "Bearer " + token
    data = raw
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if content_type:
        headers["Content-Type"] = content_type
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        parsed = None
        if r.getheader("Content-Type", "").startswith("application/json") and text:
            parsed = json.loads(text)
        return r.status, parsed, text
    finally:
        conn.close()


def api(port, method, path, token=None, body=None):
    status, parsed, _ = call(port, method, path, token, body)
    return status, parsed


class SmtpSink:
    """aiosmtpd on a free loopback port, recording NNNN.eml files."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="treffpunkt-smtp-")
        port_file = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(["/usr/bin/python3", SMTP_SERVER, "--port-file", port_file,
                                      "--dir", os.path.join(self.dir, "mail")],
                                     stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the SMTP server did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.read())

    def files(self):
        return sorted(glob.glob(os.path.join(self.dir, "mail", "*.eml")))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


def parse(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


class MailTest(unittest.TestCase):
    """A server sending through SMTP, with tokens for the admin, two members and a responsible."""

    base_url = "https://treffpunkt.example"

    @classmethod
    def setUpClass(cls):
        cls.smtp = SmtpSink()
        cls.tokens = {}

        def prepare(data):
            cli(data, "admin", "add", ADMIN)
            for who in (ADMIN, FIRST, SECOND, RESPONSIBLE):
                cls.tokens[who] = cli(data, "token", "create", who)

        try:
            cls.server = Server(BINARY, "--base-url", cls.base_url, "--smtp",
                                "smtp://127.0.0.1:%d" % cls.smtp.port, prepare=prepare)
        except Exception:
            cls.smtp.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.smtp.stop()

    # ---- helpers ---------------------------------------------------------------------------
    def wait_for_new(self, before, count, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            new = [p for p in self.smtp.files() if p not in before]
            if len(new) >= count or time.monotonic() > deadline:
                time.sleep(0.3)  # anything beyond `count` would show up now
                return [parse(p) for p in self.smtp.files() if p not in before]
            time.sleep(0.05)

    def sink_snapshot(self, timeout=10):
        """The mails in the sink once every message due by now has left the outbox: what the
        writes so far caused (a confirmation still on its way, say) is in it, not taken later
        for what the next write caused."""
        deadline = time.monotonic() + timeout
        while True:
            db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.server.data,
                                                                  "treffpunkt.db"), uri=True)
            try:
                waiting = db.execute(
                    "SELECT count(*) FROM outbox WHERE state = 'sending' OR "
                    "(state = 'queued' AND due <= ?)", (test_clock.timestamp(),)).fetchone()[0]
            finally:
                db.close()
            if waiting == 0:
                return set(self.smtp.files())
            if time.monotonic() > deadline:
                self.fail("%d due messages did not leave the outbox" % waiting)
            time.sleep(0.05)

    def outbox(self):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.server.data, "treffpunkt.db"),
                             uri=True)
        try:
            return db.execute(
                "SELECT kind, recipient, due, state, dedupe_key FROM outbox ORDER BY id").fetchall()
        finally:
            db.close()

    def reminders(self, event_id, state="queued"):
        return [r for r in self.outbox() if r[0] == "reminder" and r[3] == state
                and r[4].startswith("reminder:%s:" % event_id)]

    def new_event(self, **fields):
        body = {"title": "Mailtest", "start": later(10), "duration_minutes": 90}
        body.update(fields)
        status, made = api(self.server.port, "POST", "/api/v1/units/frauen/events",
                            self.tokens[ADMIN], body)
        self.assertEqual(status, 201, made)
        return made

    def occurrences(self, event, days=40):
        start = event["start"][:10]
        end = (datetime.date.fromisoformat(start) + datetime.timedelta(days=days)).isoformat()
        status, occ = api(self.server.port, "GET",
                           "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (start, end))
        self.assertEqual(status, 200, occ)
        return [o for o in occ["occurrences"] if o["event"] == event["id"]]

    def rsvp(self, who, event, occurrence, answer, state):
        status, body = api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (
            event["id"], occurrence["key"]), self.tokens[who], {"answer": answer})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["state"], state, body)
        return body

    def text_of(self, message):
        """The decoded text/plain part; checks the MIME structure on the way."""
        self.assertEqual(message.get_content_type(), "multipart/alternative",
                         message.as_string()[:1500])
        types = [p.get_content_type() for p in message.iter_parts()]
        self.assertEqual(types[:2], ["text/plain", "text/html"])
        return message.get_body(("plain",)).get_content()

    def invitation(self, message, method):
        """The one text/calendar part, parsed; its method= equals its METHOD."""
        parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        self.assertEqual(len(parts), 1, message.as_string()[:2000])
        self.assertEqual(parts[0].get_param("method"), method)
        cal = icalendar.Calendar.from_ical(parts[0].get_content())
        self.assertEqual(str(cal["METHOD"]), method)
        events = [c for c in cal.walk() if c.name == "VEVENT"]
        self.assertGreaterEqual(len(events), 1)
        for e in events:
            self.assertIn("ORGANIZER", e)
            self.assertIn("ATTENDEE", e)
        return events

    def mails_to(self, messages, who):
        return [m for m in messages if who in m["To"]]


class EventMails(MailTest):
    def test_raised_capacity_sends_the_promotion_with_a_request(self):
        event = self.new_event(kind="exchange_offer", capacity=1)
        occurrence = self.occurrences(event)[0]
        before = self.sink_snapshot()
        self.rsvp(FIRST, event, occurrence, "yes", "going")
        self.rsvp(SECOND, event, occurrence, "yes", "waitlisted")
        self.assertEqual(len(self.wait_for_new(before, 1)), 1)  # FIRST's confirmation only

        before = self.sink_snapshot()
        status, changed = api(self.server.port, "PATCH", "/api/v1/events/%s" % event["id"],
                               self.tokens[RESPONSIBLE], {"capacity": 2})
        self.assertEqual(status, 200, changed)
        new = self.wait_for_new(before, 1)
        self.assertEqual(len(new), 1, [m["Subject"] for m in new])
        self.assertIn(SECOND, new[0]["To"])
        self.assertIn("Warteliste", self.text_of(new[0]))
        vevent = self.invitation(new[0], "REQUEST")[0]
        self.assertEqual(str(vevent["UID"]), event["uid"])
        self.assertEqual([r[1] for r in self.reminders(event["id"])].count(SECOND), 2)
        status, mine = api(self.server.port, "GET", "/api/v1/events/%s/occurrences/%s/rsvp" % (
            event["id"], occurrence["key"]), self.tokens[SECOND])
        self.assertEqual(mine["state"], "going")

    def test_moved_series_time_sends_a_moved_notice_and_plans_reminders_again(self):
        event = self.new_event(rrule="FREQ=WEEKLY;COUNT=3")
        occurrence = self.occurrences(event)[1]
        before = self.sink_snapshot()
        self.rsvp(FIRST, event, occurrence, "yes", "going")
        confirmation = self.wait_for_new(before, 1)
        self.assertEqual(len(confirmation), 1)
        first_seq = int(self.invitation(confirmation[0], "REQUEST")[0].get("SEQUENCE", 0))
        old_dues = sorted(r[2] for r in self.reminders(event["id"]))
        self.assertEqual(len(old_dues), 2)

        # A title alone moves nothing in anyone's calendar: no mail.
        before = self.sink_snapshot()
        status, changed = api(self.server.port, "PATCH", "/api/v1/events/%s" % event["id"],
                               self.tokens[RESPONSIBLE], {"title": "Mailtest, neu"})
        self.assertEqual(status, 200, changed)
        self.assertEqual(self.wait_for_new(before, 0, timeout=0.5), [])

        # An hour later, every week.
        new_start = event["start"][:11] + "20:00"
        status, changed = api(self.server.port, "PATCH", "/api/v1/events/%s" % event["id"],
                               self.tokens[RESPONSIBLE], {"start": new_start})
        self.assertEqual(status, 200, changed)
        new = self.wait_for_new(before, 1)
        self.assertEqual(len(new), 1, [m["Subject"] for m in new])
        self.assertIn(FIRST, new[0]["To"])
        self.assertIn("List-Unsubscribe", new[0])
        text = self.text_of(new[0])
        self.assertIn("20:00", text)
        self.assertIn("19:00", text)  # "Bisher"
        vevent = self.invitation(new[0], "REQUEST")[0]
        self.assertEqual(str(vevent["UID"]), event["uid"])
        self.assertGreater(int(vevent["SEQUENCE"]), first_seq)
        moved = [o for o in self.occurrences(event) if o["local_start"].endswith("T20:00:00")]
        self.assertEqual(len(moved), 3)
        start = datetime.datetime.fromisoformat(moved[1]["start"].replace("Z", "+00:00"))
        self.assertEqual(vevent.decoded("DTSTART").astimezone(datetime.timezone.utc), start)
        # The RSVP went along, and the reminders fall due an hour later.
        status, mine = api(self.server.port, "GET", "/api/v1/events/%s/occurrences/%s/rsvp" % (
            event["id"], moved[1]["key"]), self.tokens[FIRST])
        self.assertEqual(status, 200, mine)
        self.assertEqual(mine["state"], "going")
        self.assertEqual(sorted(r[2] for r in self.reminders(event["id"])),
                         [d + 3600 for d in old_dues])

    def test_cancelled_series_sends_one_cancel_per_person_and_drops_reminders(self):
        event = self.new_event(rrule="FREQ=WEEKLY;COUNT=4")
        occurrences = self.occurrences(event)
        before = self.sink_snapshot()
        self.rsvp(FIRST, event, occurrences[0], "yes", "going")
        self.rsvp(FIRST, event, occurrences[2], "yes", "going")
        self.rsvp(SECOND, event, occurrences[1], "yes", "going")
        self.assertEqual(len(self.wait_for_new(before, 3)), 3)
        self.assertEqual(len(self.reminders(event["id"])), 6)

        before = self.sink_snapshot()
        status, cancelled = api(self.server.port, "DELETE", "/api/v1/events/%s" % event["id"],
                                 self.tokens[RESPONSIBLE])
        self.assertEqual(status, 200, cancelled)
        new = self.wait_for_new(before, 2)
        self.assertEqual(len(new), 2, [(m["To"], m["Subject"]) for m in new])
        for who in (FIRST, SECOND):
            mine = self.mails_to(new, who)
            self.assertEqual(len(mine), 1)
            self.assertIn("List-Unsubscribe", mine[0])
            self.assertIn("Mailtest", self.text_of(mine[0]))
            events = self.invitation(mine[0], "CANCEL")
            self.assertEqual(len(events), 1)
            self.assertEqual(str(events[0]["UID"]), event["uid"])
            self.assertNotIn("RECURRENCE-ID", events[0])  # the whole series
            self.assertEqual(str(events[0]["STATUS"]), "CANCELLED")
        self.assertEqual(self.reminders(event["id"]), [])
        # Cancelling again sends nothing.
        before = self.sink_snapshot()
        status, _ = api(self.server.port, "DELETE", "/api/v1/events/%s" % event["id"],
                         self.tokens[RESPONSIBLE])
        self.assertEqual(status, 200)
        self.assertEqual(self.wait_for_new(before, 0, timeout=0.5), [])

    def test_message_from_responsibles_reaches_going_and_waitlisted(self):
        event = self.new_event(kind="exchange_offer", capacity=1)
        occurrence = self.occurrences(event)[0]
        before = self.sink_snapshot()
        self.rsvp(FIRST, event, occurrence, "yes", "going")
        self.rsvp(SECOND, event, occurrence, "yes", "waitlisted")
        self.rsvp(ADMIN, event, occurrence, "maybe", "maybe")  # not written to
        self.wait_for_new(before, 1)

        before = self.sink_snapshot()
        path = "/api/v1/events/%s/occurrences/%s/message" % (event["id"], occurrence["key"])
        text = "Wir treffen uns im großen Saal.\nBringt <Stifte> mit & gute Laune!"
        status, sent = api(self.server.port, "POST", path, self.tokens[RESPONSIBLE],
                           {"subject": "Raumänderung", "body": text})
        self.assertEqual(status, 202, sent)
        self.assertEqual(sent["recipients"], 2)
        new = self.wait_for_new(before, 2)
        self.assertEqual(sorted(m["To"].addresses[0].addr_spec for m in new), [FIRST, SECOND])
        for m in new:
            self.assertTrue(str(m["Subject"]).startswith("Raumänderung – Mailtest"), m["Subject"])
            self.assertIn("List-Unsubscribe", m)
            self.assertEqual([p for p in m.walk() if p.get_content_type() == "text/calendar"], [])
            body = self.text_of(m)
            self.assertIn("Wir treffen uns im großen Saal.\nBringt <Stifte> mit & gute Laune!",
                          body)
            html = m.get_body(("html",)).get_content()
            self.assertIn("&lt;Stifte&gt;", html)


if __name__ == "__main__":
    unittest.main(verbosity=2)
