#!/usr/bin/python3
""""Still happening?" (issue 15) over a real loopback socket. The server's clock is moved by
starting it again on the same data folder with another TREFFPUNKT_NOW: the demo's series,
untouched for eight weeks, make housekeeping mail each responsible of their unit once (German,
or English for who chose it), with the link to the series' confirm page and no
List-Unsubscribe; a restart asks nobody twice. Opening the link changes nothing (mail scanners
open links), an anonymous visitor is sent to log in and comes back to it, others are refused;
the button (a POST with the CSRF token) confirms. Four weeks after an unanswered question the
unit's manage page and /admin flag the series with a link to confirm it; confirming takes the
flag away, and eight weeks later the question comes again.

Usage: series_confirm_test.py PATH/TO/treffpunkt
"""
import datetime
import email
import email.policy
import glob
import html
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail_login import open_login_link, request  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
MEMBER = "mitglied@example.org"
OLEG = "oleg.shevchenko@demo.invalid"  # Bildung (usecases/src/demo.cpp)
KONSTANTIN = "konstantin.petry@demo.invalid"  # Bildung; reads English in this test
ROSA = "rosa.schererz@demo.invalid"  # Frauen*
WEEK = datetime.timedelta(weeks=1)
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/manage/events/(\d+)/confirm)")


def instant(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Run(Server):
    """`treffpunkt serve` on the test's data folder with its clock at `at`; stopping it keeps
    the folder for the next run."""

    def __init__(self, data, at, demo=False):
        super().__init__(BINARY, data=data, demo=demo, env={"TREFFPUNKT_NOW": instant(at)})

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: the dispatcher finishes its batch
            self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.log_file.close()


class SeriesConfirmation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="treffpunkt-confirm-")
        cls.t0 = test_clock.START
        cls.server = None
        cls.tokens = {}
        for who in (ADMIN, MEMBER, ROSA):
            out = subprocess.run([BINARY, "token", "create", who, "--data", cls.data],
                                 check=True, capture_output=True, text=True).stdout
            cls.tokens[who] = out.split()[0]
        subprocess.run([BINARY, "admin", "add", ADMIN, "--data", cls.data], check=True,
                       capture_output=True)

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()
        shutil.rmtree(cls.data, ignore_errors=True)

    # ---- helpers ------------------------------------------------------------------------
    def start(self, at, demo=False):
        if self.server:
            self.server.stop()
        type(self).server = Run(self.data, at, demo)
        return self.server

    def db(self, query, args=()):
        with sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data, "treffpunkt.db"),
                             uri=True, timeout=10) as db:
            return db.execute(query, args).fetchall()

    def questions(self):
        """(event, recipient, state, dedupe key) of every series_confirmation in the outbox."""
        return self.db("SELECT dedupe_key, recipient, state FROM outbox "
                       "WHERE kind = 'series_confirmation' ORDER BY id")

    def wait_for_questions(self, count, key_pattern=""):
        """The outbox's questions (whose key matches `key_pattern`) once `count` of them are
        there and sent."""
        deadline = time.monotonic() + 20
        while True:
            rows = [r for r in self.questions() if re.fullmatch(key_pattern or ".*", r[0])]
            if len(rows) >= count and all(r[2] == "sent" for r in rows):
                return rows
            self.assertLess(time.monotonic(), deadline, (count, rows, self.server.log()))
            time.sleep(0.1)

    def quiet_round(self, count):
        """A round that asks nobody: after the one at start has surely run, still `count`."""
        time.sleep(2)
        self.assertEqual(len(self.questions()), count, self.server.log())
        self.assertNotIn("asked the responsibles", self.server.log())

    def maildir(self):
        found = []
        for path in sorted(glob.glob(os.path.join(self.data, "mail", "new", "*"))):
            with open(path, "rb") as f:
                found.append(email.message_from_binary_file(f, policy=email.policy.default))
        return found

    def questions_to(self, address):
        """The questions in the Maildir to `address` (not the login links that lead back to a
        confirm page)."""
        found = []
        for m in self.maildir():
            text = m.get_body(preferencelist=("plain",)).get_content()
            if address in str(m["To"]) and LINK.search(text) and "/login/" not in text:
                found.append(m)
        return found

    def series_of(self, slug):
        rows = self.db("SELECT e.id, e.title FROM events e JOIN units u ON u.id = e.unit_id "
                       "WHERE u.slug = ? AND e.rrule IS NOT NULL ORDER BY e.id", (slug,))
        self.assertEqual(len(rows), 1, rows)
        return rows[0]

    def stamps(self, event):
        return self.db("SELECT confirmed, confirm_asked FROM events WHERE id = ?", (event,))[0]

    def get(self, path, cookie=None, token=None):
        headers = {}
        if cookie:
            headers["Cookie"] = cookie
        if token:
            headers["Authorization"] = "Bearer " + token
        return request(self.server, "GET", path, headers=headers)

    def login(self, address, next_path):
        """A session of `address` by the login form and the emailed link, as a browser that
        was sent to /login?next=NEXT_PATH; checks that the link leads back there."""
        status, _, page = request(self.server, "GET", "/login?next=" + next_path)
        self.assertEqual(status, 200)
        self.assertIn('<input type="hidden" name="next" value="%s">' % next_path, page)
        csrf = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', page).group(1)
        before = len(self.maildir())
        status, _, _ = request(
            self.server, "POST", "/login",
            urllib.parse.urlencode({"csrf": csrf, "email": address, "next": next_path}),
            {"Cookie": "csrf=" + csrf, "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200)
        deadline = time.monotonic() + 10
        while len(self.maildir()) == before:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        # The newest message to `address` that carries a login link (Maildir names sort in
        # the order they were written).
        texts = [m.get_body(preferencelist=("plain",)).get_content() for m in self.maildir()
                 if address in str(m["To"])]
        self.assertTrue(texts)
        link = re.search(r"http://127\.0\.0\.1:\d+(/login/[A-Za-z0-9_-]+\?next=\S+)", texts[-1])
        self.assertTrue(link, texts[-1])
        status, headers, body = open_login_link(self.server.port, link.group(1))
        self.assertEqual(status, 303, body)
        self.assertEqual(dict(headers)["location"], next_path)
        return dict(headers)["set-cookie"].split(";", 1)[0]

    # ---- the whole story, in order ----------------------------------------------------------
    def test_still_happening(self):
        t0 = self.t0
        # Week 0: the demo's series are new; nobody is asked.
        self.start(t0, demo=True)
        bildung, title = self.series_of("bildung")
        self.quiet_round(0)
        all_series = self.db("SELECT count(*) FROM events WHERE rrule IS NOT NULL")[0][0]
        self.assertGreaterEqual(all_series, 4)
        self.server.stop()
        with sqlite3.connect(os.path.join(self.data, "treffpunkt.db")) as db:
            db.execute("UPDATE people SET language = 'en' WHERE email = ?", (KONSTANTIN,))

        # Eight weeks on: every responsible of each series' unit gets one question.
        asked_at = t0 + 8 * WEEK + datetime.timedelta(hours=1)
        self.start(asked_at)
        pairs = self.db("SELECT count(*) FROM events e JOIN responsibles r ON "
                        "r.unit_id = e.unit_id WHERE e.rrule IS NOT NULL")[0][0]
        rows = self.wait_for_questions(pairs)
        self.assertEqual(len(rows), pairs)
        self.assertEqual(len({r[0] for r in rows}), pairs)  # one per series and person
        self.assertIn("asked the responsibles of %d series" % all_series, self.server.log())
        german = self.questions_to(OLEG)
        self.assertEqual(len(german), 1)
        m = german[0]
        self.assertEqual(m["Subject"], "Findet „%s“ noch statt?" % title)
        self.assertIsNone(m["List-Unsubscribe"])
        text = m.get_body(preferencelist=("plain",)).get_content()
        path = LINK.search(text).group(1)
        self.assertEqual(path, "/manage/events/%d/confirm" % bildung)
        self.assertIn("Reihe ansehen und bestätigen: http://127.0.0.1:%d%s" % (
            self.server.port, path), text)
        self.assertIn("weil du für Netzwerkstelle Bildung verantwortlich bist", text)
        english = self.questions_to(KONSTANTIN)
        self.assertEqual(len(english), 1)
        self.assertEqual(english[0]["Subject"], "Is “%s” still happening?" % title)
        en_text = english[0].get_body(preferencelist=("plain",)).get_content()
        self.assertIn("View and confirm the series: ", en_text)
        self.assertIn(path, en_text)
        asked = self.stamps(bildung)
        self.assertEqual(asked[0], None)
        self.assertIsNotNone(asked[1])

        # Opening the link changes nothing: a scanner (anonymous) is sent to log in ...
        status, headers, _ = self.get(path)
        self.assertEqual(status, 303)
        self.assertEqual(headers["location"], "/login?next=" + path)
        # ... and Oleg comes back to the page after logging in, which only shows it.
        oleg = self.login(OLEG, path)
        for _ in range(2):
            status, headers, page = self.get(path, cookie=oleg)
            self.assertEqual(status, 200, page)
            self.assertIn("<h1>Findet „%s“ noch statt?</h1>" % html.escape(title, False), page)
            self.assertIn(">Findet weiter statt</button>", page)
        self.assertEqual(self.stamps(bildung), asked)
        # Not flagged yet: the question is younger than four weeks.
        status, _, unit_page = self.get("/manage/units/bildung", cookie=oleg)
        self.assertEqual(status, 200)
        self.assertNotIn("Unbestätigte Reihen", unit_page)
        # A member and another unit's responsible may not see it.
        self.assertEqual(self.get(path, token=self.tokens[MEMBER])[0], 403)
        self.assertEqual(self.get(path, token=self.tokens[ROSA])[0], 403)

        # A restart (and every later round) asks nobody twice.
        self.start(asked_at + datetime.timedelta(hours=1))
        self.quiet_round(pairs)
        self.assertEqual(self.stamps(bildung), asked)

        # Four more weeks without an answer: flagged on the unit's page and on /admin.
        flagged_at = asked_at + 4 * WEEK + datetime.timedelta(hours=1)
        self.start(flagged_at)
        self.quiet_round(pairs)  # still waiting for the answer: no new question
        oleg = self.login(OLEG, path)
        status, _, unit_page = self.get("/manage/units/bildung", cookie=oleg)
        self.assertEqual(status, 200)
        self.assertIn('<h2 id="unconfirmed-heading">Unbestätigte Reihen</h2>', unit_page)
        self.assertIn('<a href="%s" aria-label="Bestätigen: %s">Bestätigen</a>' % (
            path, html.escape(title, False)), unit_page)
        status, _, admin = self.get("/admin", token=self.tokens[ADMIN])
        self.assertEqual(status, 200)
        self.assertIn('<h2 id="unconfirmed">Unbestätigte Reihen</h2>', admin)
        self.assertIn('href="%s"' % path, admin)
        self.assertEqual(admin.count("/confirm\" aria-label="), all_series)
        status, _, page = self.get(path, cookie=oleg)
        self.assertIn("hat niemand geantwortet: Die Reihe gilt als unbestätigt.", page)
        status, _, page_en = self.get(path + "?lang=en", cookie=oleg)
        self.assertIn("<h1>Is “%s” still happening?</h1>" % html.escape(title, False), page_en)
        self.assertIn("the series counts as unconfirmed.", page_en)
        self.assertIn(">Still happening</button>", page_en)

        # The button without the page's CSRF token is refused and changes nothing.
        status, _, _ = request(self.server, "POST", path, "",
                               {"Cookie": oleg,
                                "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403)
        self.assertEqual(self.stamps(bildung), asked)
        # With it, the series is confirmed.
        csrf = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', page).group(1)
        status, headers, _ = request(
            self.server, "POST", path, "csrf=" + csrf,
            {"Cookie": oleg + "; csrf=" + csrf,
             "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 303)
        self.assertEqual(headers["location"], path + "?done=confirmed")
        confirmed = self.stamps(bildung)
        self.assertIsNotNone(confirmed[0])
        self.assertGreaterEqual(confirmed[0], int(flagged_at.timestamp()))
        self.assertEqual(confirmed[1], asked[1])
        status, _, page = self.get(path + "?done=confirmed", cookie=oleg)
        self.assertIn("Danke! Die Reihe ist bestätigt.", page)
        self.assertNotIn("gilt als unbestätigt", page)
        # The flag is gone from the unit's page and, for this series, from /admin.
        status, _, unit_page = self.get("/manage/units/bildung", cookie=oleg)
        self.assertNotIn("Unbestätigte Reihen", unit_page)
        status, _, admin = self.get("/admin", token=self.tokens[ADMIN])
        self.assertNotIn('href="%s"' % path, admin)
        self.assertEqual(admin.count("/confirm\" aria-label="), all_series - 1)

        # Eight weeks after the confirmation the question comes again, for this series only
        # (the others still wait for their answer). The first questions have left the outbox
        # by now (sent mail is kept 30 days), not the Maildir.
        again_at = datetime.datetime.fromtimestamp(confirmed[0], datetime.timezone.utc) + \
            8 * WEEK + datetime.timedelta(minutes=5)
        self.start(again_at)
        bildung_people = self.db("SELECT count(*) FROM responsibles r JOIN units u ON "
                                 "u.id = r.unit_id WHERE u.slug = 'bildung'")[0][0]
        rows = self.wait_for_questions(
            bildung_people, r"series_confirmation:%d:\d+:%d" % (bildung, confirmed[0]))
        self.assertEqual(len(rows), bildung_people)
        self.assertIn("asked the responsibles of 1 series", self.server.log())
        self.assertEqual(len(self.questions_to(OLEG)), 2)


if __name__ == "__main__":
    unittest.main()
