#!/usr/bin/python3
"""Issue 15 over the real server and its Maildir: a follower whose personal feed Google
Calendar fetches is told by email of a session due tomorrow that moved or was cancelled (a
follower on Apple's calendar, which re-fetches often, is not; a member going gets only the usual
notice; a "no" nothing), the checkbox on /me turns it off; and a custom reminder lead time set
through the API re-plans the queued reminder, which the dispatcher sends at that time.

Which app fetched a feed is read from the table feed_fetches, which the server's fetch counter
fills (issue 15, part 1): the test fetches each personal feed with the real User-Agent
("Google-Calendar-Importer", "iOS/17.1.2 (21B101) dataaccessd/1.0") and waits for the counter's
next batch (--fetch-counts-seconds 1) to be in the store before it moves anything.

Usage: lag_mail_test.py PATH/TO/treffpunkt
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
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)
from mail_login import login  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
GINA = "gina.google@example.org"      # follows Frauen*, Google Calendar fetches her feed
APFEL = "anna.apfel@example.org"      # follows Frauen*, Apple's calendar fetches her feed
JA = "jan.ja@example.org"             # follows, Google, and says yes
NEIN = "nina.nein@example.org"        # follows, Google, and says no
MEMBERS = (GINA, APFEL, JA, NEIN)
USER_AGENTS = {"google": "Google-Calendar-Importer",
               "apple": "iOS/17.1.2 (21B101) dataaccessd/1.0"}
FORM = "application/x-www-form-urlencoded"
CSRF = "C" * 43


def cli(data, *args):
    done = subprocess.run([BINARY, *args, "--data", data], capture_output=True, text=True,
                          timeout=30)
    if done.returncode != 0:
        raise RuntimeError("%s: %s" % (args, done.stderr))
    return done.stdout.strip()


def call(port, method, path, token=None, body=None, headers=None):
    """(status, parsed JSON or None, text) of one request."""
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        parsed = None
        if r.getheader("Content-Type", "").startswith("application/json") and text:
            parsed = json.loads(text)
        return r.status, parsed, text, {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def local_at(day_offset, hour, minute=0):
    """A local time in Berlin, `day_offset` days from the tests' today, as the API reads it."""
    d = test_clock.today() + datetime.timedelta(days=day_offset)
    return "%sT%02d:%02d" % (d.isoformat(), hour, minute)


def key_of(local):
    """The occurrence key of a session starting at `local` ("2026-06-11T19:00", Berlin)."""
    start = datetime.datetime.fromisoformat(local).replace(tzinfo=test_clock.ZONE)
    return start.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class MaildirServer:
    """What both test classes share: the server's Maildir and outbox, and the API."""

    def db(self, query, args=()):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.server.data, "treffpunkt.db"),
                             uri=True, timeout=10)
        try:
            return db.execute(query, args).fetchall()
        finally:
            db.close()

    def messages(self):
        """{Maildir file: message} of everything delivered so far."""
        out = {}
        for path in glob.glob(os.path.join(self.server.data, "mail", "new", "*")):
            with open(path, "rb") as f:
                out[path] = email.message_from_binary_file(f, policy=email.policy.default)
        return out

    def delivered(self, timeout=15):
        """The Maildir once every message due by now has left the outbox (so that what a write
        caused is in it, and nothing of it arrives later)."""
        deadline = time.monotonic() + timeout
        while True:
            waiting = self.db("SELECT count(*) FROM outbox WHERE state = 'sending' OR "
                              "(state = 'queued' AND due <= ?)", (test_clock.timestamp(),))[0][0]
            if waiting == 0:
                return self.messages()
            self.assertLess(time.monotonic(), deadline, "due messages did not leave the outbox")
            time.sleep(0.05)

    def api(self, method, path, who=None, body=None):
        status, parsed, text, _ = call(self.server.port, method, path,
                                       self.tokens[who] if who else None, body)
        return status, parsed if parsed is not None else text


class LagNotices(unittest.TestCase, MaildirServer):
    """Members of Frauen* (demo data) whose feeds Google or Apple fetch."""

    @classmethod
    def setUpClass(cls):
        cls.tokens = {}

        def prepare(data):
            cli(data, "admin", "add", ADMIN)
            for who in (ADMIN,) + MEMBERS:
                cls.tokens[who] = cli(data, "token", "create", who)

        cls.server = Server(BINARY, "--fetch-counts-seconds", "1", prepare=prepare)
        cls.ids = {}
        for who in MEMBERS:
            status, me, _, _ = call(cls.server.port, "GET", "/api/v1/me", cls.tokens[who])
            assert status == 200, me
            cls.ids[who] = me["id"]
            status, body, _, _ = call(cls.server.port, "PUT", "/api/v1/units/frauen/follow",
                                      cls.tokens[who])
            assert status == 200, body
        cls.subscribe(GINA, "google")
        cls.subscribe(JA, "google")
        cls.subscribe(NEIN, "google")
        cls.subscribe(APFEL, "apple")
        cls.wait_for_counts({GINA: "google", JA: "google", NEIN: "google", APFEL: "apple"})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    @classmethod
    def subscribe(cls, who, family):
        """The member's calendar app fetches their personal feed, as it sends its User-Agent."""
        status, feed, _, _ = call(cls.server.port, "GET", "/api/v1/me/feed", cls.tokens[who])
        assert status == 200 and feed["path"], feed
        status, _, text, _ = call(cls.server.port, "GET", feed["path"],
                                  headers={"User-Agent": USER_AGENTS[family]})
        assert status == 200 and text.startswith("BEGIN:VCALENDAR"), (status, text[:200])

    @classmethod
    def wait_for_counts(cls, families):
        """Until the fetch counter's batch holds each member's fetch by their app (at most 10 s:
        it writes every second here)."""
        wanted = {("person:%s" % cls.ids[who], family) for who, family in families.items()}
        deadline = time.monotonic() + 10
        while True:
            db = sqlite3.connect(os.path.join(cls.server.data, "treffpunkt.db"), timeout=10)
            try:
                rows = set(db.execute("SELECT feed, family FROM feed_fetches").fetchall())
            finally:
                db.close()
            if wanted <= rows:
                return
            assert time.monotonic() < deadline, (wanted, rows)
            time.sleep(0.1)

    # ---- helpers ---------------------------------------------------------------------------
    def new_session_tomorrow(self, title, hour=19):
        """A weekly series of two in Frauen* whose first session is tomorrow; its key."""
        start = local_at(1, hour)
        status, made = self.api("POST", "/api/v1/units/frauen/events", ADMIN,
                                {"title": title, "start": start, "duration_minutes": 90,
                                 "location": "Frauenzentrum", "rrule": "FREQ=WEEKLY;COUNT=2"})
        self.assertEqual(status, 201, made)
        return made, key_of(start)

    def change(self, event, key, body):
        status, changed = self.api("PUT", "/api/v1/events/%s/occurrences/%s" % (event["id"], key),
                                   ADMIN, body)
        self.assertEqual(status, 200, changed)

    def new_mails(self, before):
        """{address: [message, ...]} of the members' mails delivered since `before`."""
        after = self.delivered()
        out = {who: [] for who in MEMBERS}
        for path, m in after.items():
            if path in before:
                continue
            for who in MEMBERS:
                if who in str(m["To"]):
                    out[who].append(m)
        return out

    def text_of(self, message):
        return message.get_body(preferencelist=("plain",)).get_content()

    def assert_lag_notice(self, message, subject_start, *phrases):
        self.assertTrue(str(message["Subject"]).startswith(subject_start), message["Subject"])
        text = self.text_of(message)
        for phrase in ("Dein Kalender (Google Kalender) zeigt das womöglich erst in bis zu 24 "
                       "Stunden",) + phrases:
            self.assertIn(phrase, " ".join(text.split()))
        # A notice like the others (an http base URL: the link without one-click), and no
        # invitation: the subscribed feed has the session.
        self.assertIn("/unsubscribe/", message["List-Unsubscribe"])
        types = [p.get_content_type() for p in message.walk()]
        self.assertNotIn("text/calendar", types)

    # ---- the tests -------------------------------------------------------------------------
    def test_a_session_due_tomorrow_moved_mails_the_google_follower_only(self):
        event, key = self.new_session_tomorrow("Plenum verschoben")
        status, body = self.api("PUT", "/api/v1/events/%s/occurrences/%s/rsvp"
                                % (event["id"], key), JA, {"answer": "yes"})
        self.assertEqual(status, 200, body)
        status, body = self.api("PUT", "/api/v1/events/%s/occurrences/%s/rsvp"
                                % (event["id"], key), NEIN, {"answer": "no"})
        self.assertEqual(status, 200, body)
        before = self.delivered()
        self.change(event, key, {"start": local_at(1, 20), "end": local_at(1, 21, 30)})
        new = self.new_mails(before)
        self.assertEqual(len(new[GINA]), 1, [m["Subject"] for m in new[GINA]])
        self.assert_lag_notice(new[GINA][0], "Verschoben: Plenum verschoben",
                               "„Plenum verschoben“ von Netzwerkstelle Frauen*",
                               "20:00 Uhr", "Bisher:", "19:00 Uhr")
        self.assertEqual(new[APFEL], [])
        self.assertEqual(new[NEIN], [])
        # Going: the usual notice with its invitation, not a second mail.
        self.assertEqual([str(m["Subject"]).split(":")[0] for m in new[JA]], ["Geändert"])
        rows = self.db("SELECT recipient FROM outbox WHERE kind = 'lag_moved' AND dedupe_key "
                       "LIKE ?", ("lag_moved:%s:%%" % event["id"],))
        self.assertEqual(rows, [(GINA,)])

    def test_a_session_due_tomorrow_cancelled_mails_the_google_follower(self):
        event, key = self.new_session_tomorrow("Plenum abgesagt", hour=12)
        before = self.delivered()
        self.change(event, key, {"cancelled": True})
        new = self.new_mails(before)
        self.assertEqual(len(new[GINA]), 1, [m["Subject"] for m in new[GINA]])
        self.assert_lag_notice(new[GINA][0], "Abgesagt: Plenum abgesagt", "12:00 Uhr fällt aus")
        self.assertEqual(new[APFEL], [])
        self.assertEqual(len(new[JA]), 1)  # no RSVP here: told as a follower

    def test_the_checkbox_on_me_turns_them_off(self):
        session = login(self.server, GINA)
        cookies = "session=%s; csrf=%s" % (session, CSRF)
        _, _, page, _ = call(self.server.port, "GET", "/me", headers={"Cookie": cookies})
        self.assertIn('name="lag_notices" value="1" checked', page)
        # The form without the box ticked: off.
        status, _, body, headers = call(self.server.port, "POST", "/me/lag-notices",
                                        body=urllib.parse.urlencode({"csrf": CSRF}),
                                        headers={"Content-Type": FORM, "Cookie": cookies})
        self.assertEqual(status, 303, body)
        self.assertEqual(headers["location"], "/me?done=notices")
        _, _, page, _ = call(self.server.port, "GET", "/me?done=notices",
                             headers={"Cookie": cookies})
        self.assertIn("Deine Einstellung ist gespeichert.", page)
        self.assertIn('name="lag_notices" value="1" aria-describedby', page)
        status, notices = self.api("GET", "/api/v1/me/notices", GINA)
        self.assertEqual(notices, {"notices": True, "lag_notices": False})
        try:
            event, key = self.new_session_tomorrow("Plenum ohne Hinweis")
            before = self.delivered()
            self.change(event, key, {"location": "Rathaus"})
            new = self.new_mails(before)
            self.assertEqual(new[GINA], [])
            self.assertEqual(len(new[JA]), 1)  # the switch is Gina's alone
        finally:
            # Ticked again: on (the other tests need it).
            status, _, body, _ = call(
                self.server.port, "POST", "/me/lag-notices",
                body=urllib.parse.urlencode({"csrf": CSRF, "lag_notices": "1"}),
                headers={"Content-Type": FORM, "Cookie": cookies})
            self.assertEqual(status, 303, body)
        self.assertEqual(self.db("SELECT lag_notices FROM people WHERE email = ?", (GINA,)),
                         [(1,)])
        # Without the CSRF field: refused, nothing changes.
        status, _, _, _ = call(self.server.port, "POST", "/me/lag-notices", body="",
                               headers={"Content-Type": FORM, "Cookie": cookies})
        self.assertEqual(status, 403)
        self.assertEqual(self.db("SELECT lag_notices FROM people WHERE email = ?", (GINA,)),
                         [(1,)])


class ReminderLeadTime(unittest.TestCase, MaildirServer):
    """A member chooses a reminder 90 minutes before, through the API, for a session they said
    yes to: the queued reminder follows, and the dispatcher sends it at its time. The server's
    clock starts 15 seconds before that time (TREFFPUNKT_NOW), so the test waits seconds, not
    hours."""

    MEMBER = "rita.reminder@example.org"

    @classmethod
    def setUpClass(cls):
        cls.tokens = {}

        def prepare(data):
            cli(data, "admin", "add", ADMIN)
            for who in (ADMIN, cls.MEMBER):
                cls.tokens[who] = cli(data, "token", "create", who)

        # The session starts a day and 90 minutes after the tests' clock (whole minutes, as the
        # API takes them); the server's clock starts 15 seconds before its 90-minute reminder.
        cls.start = test_clock.START + datetime.timedelta(days=1, minutes=90)
        cls.due = cls.start - datetime.timedelta(minutes=90)
        server_now = cls.due - datetime.timedelta(seconds=15)
        cls.server = Server(BINARY, prepare=prepare,
                            env={"TREFFPUNKT_NOW": server_now.strftime("%Y-%m-%dT%H:%M:%SZ")})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_a_90_minute_reminder_is_planned_and_sent_at_its_time(self):
        local = self.start.astimezone(test_clock.ZONE).strftime("%Y-%m-%dT%H:%M")
        status, event = self.api("POST", "/api/v1/units/frauen/events", ADMIN,
                                 {"title": "Erinnerungstest", "start": local,
                                  "duration_minutes": 60})
        self.assertEqual(status, 201, event)
        key = key_of(local)
        status, body = self.api("PUT", "/api/v1/events/%s/occurrences/%s/rsvp"
                                % (event["id"], key), self.MEMBER, {"answer": "yes"})
        self.assertEqual(status, 200, body)
        # The default (a day and two hours before) has passed for this session: none queued.
        reminders = "SELECT due, state, dedupe_key, sent FROM outbox WHERE kind = 'reminder'"
        self.assertEqual(self.db(reminders), [])

        status, body = self.api("PUT", "/api/v1/me/reminders", self.MEMBER, {"reminders": [90]})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"reminders": [90], "chosen": True})
        due = int(self.due.timestamp())
        rows = self.db(reminders)
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0][0], due)  # planned 90 minutes before the start
        self.assertTrue(rows[0][2].endswith(":90"), rows[0][2])
        self.assertEqual(rows[0][1], "queued")  # not before its time

        deadline = time.monotonic() + 60
        while self.db(reminders)[0][1] != "sent":
            self.assertLess(time.monotonic(), deadline, "the reminder was never sent")
            time.sleep(0.2)
        sent_at = self.db(reminders)[0][3]
        self.assertGreaterEqual(sent_at, due)  # by the server's clock: at its time
        self.assertLess(sent_at, due + 10)
        mails = [m for m in self.messages().values() if self.MEMBER in str(m["To"])]
        subjects = [str(m["Subject"]) for m in mails]
        self.assertEqual(sum(s.startswith("Erinnerung: Erinnerungstest") for s in subjects), 1,
                         subjects)


if __name__ == "__main__":
    unittest.main()
