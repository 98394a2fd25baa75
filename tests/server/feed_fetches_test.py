#!/usr/bin/python3
"""Feed fetches counted per calendar app (issue 15), over a real loopback socket against
`treffpunkt serve --demo`: requests with the User-Agents real calendar apps send (as in
tests/calendar/client_test.cpp), some answered 304, then what the unit's manage page, /me and
/metrics say; and, the server stopped, that no byte of its data folder holds the client's
address or its User-Agent while the counts per family are there.

Usage: feed_fetches_test.py PATH/TO/treffpunkt
"""
import datetime
import glob
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import unittest
from html import unescape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
BILDUNG = "oleg.shevchenko@demo.invalid"  # responsible of Netzwerkstelle Bildung (demo)
FRAUEN = "rosa.schererz@demo.invalid"  # responsible of Netzwerkstelle Frauen*
MEMBER = "abonnentin@example.org"
BASE_URL = "https://treffpunkt.example"  # so that no link the server writes names 127.0.0.1

# What these apps send (their own requests to feeds).
GOOGLE = "Mozilla/5.0 (compatible; Google-Calendar-Importer)"
OUTLOOK = "Microsoft.Exchange/15.20 (Windows NT 10.0; Win64; x64)"
APPLE = "iOS/17.1.2 (21B101) dataaccessd/1.0"
THUNDERBIRD = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.5.0"
ICSX5 = "ICSx5/2.2.2-gplay (ical4j/3.2.14 okhttp/4.12.0 Android/14)"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
# Parts of them that name nothing but the client: none may be stored.
DISTINCTIVE = [b"Google-Calendar-Importer", b"Microsoft.Exchange", b"Windows NT", b"dataaccessd",
               b"21B101", b"Gecko/20100101", b"Thunderbird/115", b"ICSx5/2.2.2", b"ical4j",
               b"okhttp", b"Firefox/121", b"rv:115.0"]


def tokens_for(data, *people):
    """API tokens (Bearer works for the pages too) and an admin, before the server starts."""
    subprocess.run([BINARY, "admin", "add", ADMIN, "--data", data], check=True,
                   capture_output=True)
    made = {}
    for who in people:
        out = subprocess.run([BINARY, "token", "create", who, "--data", data], check=True,
                             capture_output=True, text=True).stdout
        made[who] = out.split()[0]
    return made


class Reply:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.text = raw.decode("utf-8", errors="replace")

    def header(self, name):
        return self.headers.get(name.lower())


def call(port, method, path, headers=None, token=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, headers=h)
        r = conn.getresponse()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def fetch(port, path, agent, status=200, etag=None, since=None):
    """One fetch of a feed as the app with User-Agent `agent` makes it; checks the status."""
    h = {"User-Agent": agent}
    if etag:
        h["If-None-Match"] = etag
    if since:
        h["If-Modified-Since"] = since
    r = call(port, "GET", path, h)
    assert r.status == status, "%s %s: %d %r" % (path, agent, r.status, r.raw[:200])
    return r


def metric(text, name, family):
    found = re.search(r'^%s\{family="%s"\} (\d+)$' % (name, family), text, re.M)
    assert found, "%s{family=%s} missing" % (name, family)
    return int(found.group(1))


def fetch_lines(page):
    """{app: "N Abrufe, M davon ohne Änderung (304)"} of a manage page's list of apps."""
    section = page.split('id="fetches-heading"', 1)[1].split("</section>", 1)[0]
    return {unescape(app): unescape(count)
            for app, count in re.findall(r"<li><strong>([^<]+)</strong>: ([^;]+);", section)}


def berlin_minutes(around):
    """How a last fetch at `around` (on the tests' clock) reads on a page in Berlin: that minute
    or the next (the server's clock runs on)."""
    out = []
    for delta in (0, 60):
        t = (around + datetime.timedelta(seconds=delta)).astimezone(test_clock.ZONE)
        out.append(t.strftime("%H:%M"))
    return out


class FeedFetches(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tokens = {}
        cls.server = Server(BINARY, "--base-url", BASE_URL,
                            prepare=lambda data: cls.tokens.update(
                                tokens_for(data, BILDUNG, FRAUEN, MEMBER)))
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def page(self, path, who):
        r = call(self.port, "GET", path, token=self.tokens[who])
        self.assertEqual(r.status, 200, "%s: %s" % (path, r.text[:500]))
        self.assertTrue(r.text.startswith("<!doctype html>"), path)
        return r.text

    def test_unit_manage_page_and_metrics_count_apps_and_304s(self):
        port = self.port
        before = call(port, "GET", "/metrics").text
        feed = "/units/bildung.ics"
        first = fetch(port, feed, GOOGLE)
        etag, last_modified = first.header("ETag"), first.header("Last-Modified")
        fetch(port, feed, GOOGLE)
        fetch(port, feed, GOOGLE)
        for _ in range(2):
            fetch(port, feed, GOOGLE, 304, etag=etag)
        fetch(port, feed, APPLE)
        for _ in range(4):
            fetch(port, feed, APPLE, 304, etag=etag)
        fetch(port, feed, OUTLOOK)
        fetch(port, feed, OUTLOOK)
        # A variant of the unit's feed counts for the unit.
        fetch(port, feed + "?kind=meeting", THUNDERBIRD)
        fetch(port, feed, ICSX5, 304, since=last_modified)
        fetch(port, feed, BROWSER)
        # Refusals are no fetches.
        fetch(port, "/units/niemand.ics", GOOGLE, 404)
        fetch(port, feed + "?kind=alles", GOOGLE, 400)
        fetched_at = test_clock.now()

        page = self.page("/manage/units/bildung", BILDUNG)
        lines = fetch_lines(page)
        self.assertEqual(lines, {
            "Google Kalender": "5 Abrufe, 2 davon ohne Änderung (304)",
            "Apple Kalender": "5 Abrufe, 4 davon ohne Änderung (304)",
            "Outlook": "2 Abrufe, 0 davon ohne Änderung (304)",
            "Thunderbird": "1 Abruf, 0 davon ohne Änderung (304)",
            "ICSx⁵/DAVx⁵": "1 Abruf, 1 davon ohne Änderung (304)",
            "Browser": "1 Abruf, 0 davon ohne Änderung (304)",
        }, page)
        text = unescape(page)
        self.assertIn("Google Kalender übernimmt Änderungen erst nach bis zu 24 Stunden.", text)
        self.assertIn("Outlook.com übernimmt Änderungen erst nach einigen Stunden.", text)
        self.assertIn("meist stündlich oder täglich", text)
        self.assertNotIn("keine Kalender-App", text)
        # When last, in the unit's zone (Europe/Berlin).
        last = re.search(r"<strong>Google Kalender</strong>[^<]*<time datetime=\"([^\"]+)\">"
                         r"zuletzt ([^<]+)</time>", page)
        self.assertTrue(last, page)
        self.assertIn(last.group(1)[11:16], berlin_minutes(fetched_at - datetime.timedelta(
            seconds=5)) + berlin_minutes(fetched_at))
        self.assertTrue(last.group(2).endswith(last.group(1)[11:16]), last.group(2))

        english = self.page("/manage/units/bildung?lang=en", BILDUNG)
        self.assertEqual(fetch_lines(english)["Google Calendar"],
                         "5 fetches, 2 of them unchanged (304)")
        self.assertIn("Google Calendar takes up to 24 hours to pick up changes.", unescape(english))

        # Another unit's page counts only its own feed.
        other = self.page("/manage/units/frauen", FRAUEN)
        self.assertEqual(fetch_lines(other), {})
        self.assertIn("In den letzten 7 Tagen hat keine Kalender-App den Kalender dieser "
                      "Netzwerkstelle abgerufen.", other)
        self.assertIn("No calendar app fetched this unit's calendar in the last 7 days.",
                      unescape(self.page("/manage/units/frauen?lang=en", FRAUEN)))

        after = call(port, "GET", "/metrics").text
        expected = {"google": (5, 2), "apple": (5, 4), "microsoft": (2, 0),
                    "thunderbird": (1, 0), "davx5": (1, 1), "browser": (1, 0)}
        for family, (fetches, not_modified) in expected.items():
            self.assertEqual(metric(after, "treffpunkt_feed_fetches_total", family) -
                             metric(before, "treffpunkt_feed_fetches_total", family),
                             fetches, family)
            self.assertEqual(metric(after, "treffpunkt_feed_not_modified_total", family) -
                             metric(before, "treffpunkt_feed_not_modified_total", family),
                             not_modified, family)
        self.assertIn("# TYPE treffpunkt_feed_fetches_total counter", after)
        self.assertIn("# TYPE treffpunkt_feed_not_modified_total counter", after)

    def test_me_says_when_and_by_which_app_the_personal_feed_was_fetched(self):
        token = self.tokens[MEMBER]
        me = unescape(self.page("/me", MEMBER))
        self.assertIn("Noch nicht abgerufen: Keine Kalender-App hat deinen Kalender bisher "
                      "geholt.", me)
        # The steps, with the apps' own words; the link is made below and shown once.
        self.assertIn("Erzeuge unten einen Link und kopiere die Kalenderadresse", me)
        self.assertIn("„Per URL“", me)
        self.assertIn("„Neues Kalenderabonnement …“", me)
        self.assertIn("„Aus dem Internet abonnieren“", me)
        self.assertIn("„Im Netzwerk“", me)
        english = unescape(self.page("/me?lang=en", MEMBER))
        self.assertIn("Not fetched yet: no calendar app has fetched your calendar so far.",
                      english)
        self.assertIn("“From URL”", english)

        link = call(self.port, "GET", "/api/v1/me/feed", token=token)
        self.assertEqual(link.status, 200, link.raw)
        path = json.loads(link.raw)["path"]
        etag = fetch(self.port, path, GOOGLE).header("ETag")
        fetched_at = test_clock.now()
        me = unescape(self.page("/me", MEMBER))
        self.assertNotIn("Noch nicht abgerufen", me)
        said = re.search(r'<p id="feed-fetched">Zuletzt abgerufen: ([^<]+), von '
                         r'Google Kalender\.</p>', me)
        self.assertTrue(said, me)
        self.assertIn(said.group(1)[-5:], berlin_minutes(fetched_at - datetime.timedelta(
            seconds=5)) + berlin_minutes(fetched_at))
        # Google lags: the page says so.
        self.assertIn('id="feed-lags"', me)
        self.assertIn("Google Kalender übernimmt Änderungen erst nach bis zu 24 Stunden.", me)
        self.assertIn("Last fetched:", self.page("/me?lang=en", MEMBER))
        self.assertIn("by Google Calendar.", self.page("/me?lang=en", MEMBER))

        # A later fetch by Apple Calendar (a 304): the last app is Apple's, which does not lag.
        time.sleep(1.1)
        fetch(self.port, path, APPLE, 304, etag=etag)
        me = unescape(self.page("/me", MEMBER))
        self.assertRegex(me, r'<p id="feed-fetched">Zuletzt abgerufen: [^<]+, von '
                             r'Apple Kalender\.</p>')
        self.assertNotIn('id="feed-lags"', me)
        # A wrong secret is no fetch of anyone's.
        fetch(self.port, "/feeds/" + "A" * 43 + ".ics", GOOGLE, 404)
        self.assertIn("von Apple Kalender", unescape(self.page("/me", MEMBER)))


def stored_fetches(data):
    """How many fetches the database in `data` counts (read beside the running server)."""
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(data, "treffpunkt.db"), uri=True)
    try:
        return db.execute("SELECT coalesce(sum(fetches), 0) FROM feed_fetches").fetchone()[0]
    finally:
        db.close()


class NothingAboutTheClientIsStored(unittest.TestCase):
    """Every kind of feed fetched by every kind of app; every byte of every file in the data
    folder read once a batch was written (the database and its WAL) and again after a clean
    stop (its last batch written)."""

    def assert_nothing_about_the_client(self, data):
        files = [f for f in glob.glob(os.path.join(data, "**"), recursive=True)
                 if os.path.isfile(f)]
        self.assertTrue(any(f.endswith("treffpunkt.db") for f in files), files)
        for name in files:
            with open(name, "rb") as f:
                content = f.read()
            self.assertNotIn(b"127.0.0.1", content, name)
            for part in DISTINCTIVE:
                self.assertNotIn(part, content, "%s holds %r" % (name, part))
        return files

    def test_no_address_and_no_user_agent_in_the_data_folder(self):
        tokens = {}
        # No access log: it names the client's address by design (docs/operations.md), and
        # here the server's stderr goes into the data folder, which must hold none.
        server = Server(BINARY, "--base-url", BASE_URL, "--no-access-log",
                        "--fetch-counts-seconds", "1",
                        prepare=lambda data: tokens.update(tokens_for(data, MEMBER)))
        try:
            port = server.port
            events = json.loads(call(port, "GET", "/api/v1/units/bildung/events").raw)
            event = (events["events"] if isinstance(events, dict) else events)[0]["id"]
            personal = json.loads(call(port, "GET", "/api/v1/me/feed",
                                       token=tokens[MEMBER]).raw)["path"]
            paths = ["/calendar.ics", "/units/bildung.ics", "/units/bildung.ics?kind=meeting",
                     "/events/%d.ics" % event, personal]
            agents = [GOOGLE, OUTLOOK, APPLE, THUNDERBIRD, ICSX5, BROWSER]
            for path in paths:
                etag = None
                for agent in agents:
                    etag = fetch(port, path, agent).header("ETag")
                fetch(port, path, APPLE, 304, etag=etag)
            total = len(paths) * (len(agents) + 1)
            # The flusher writes a batch within a second or two: then the WAL holds it.
            deadline = time.monotonic() + 20
            while stored_fetches(server.data) < total and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(stored_fetches(server.data), total)
            files = self.assert_nothing_about_the_client(server.data)
            self.assertTrue(any(f.endswith("-wal") for f in files), files)

            # More fetches, written only by the clean stop.
            for path in paths:
                fetch(port, path, GOOGLE)
            server.proc.send_signal(signal.SIGTERM)
            self.assertEqual(server.proc.wait(timeout=20), 0, server.log())
            self.assert_nothing_about_the_client(server.data)

            # What is kept: per feed, day and family, the counts.
            db = sqlite3.connect(os.path.join(server.data, "treffpunkt.db"))
            try:
                unit = db.execute("SELECT id FROM units WHERE slug = 'bildung'").fetchone()[0]
                person = db.execute("SELECT id FROM people WHERE email = ?",
                                    (MEMBER,)).fetchone()[0]
                rows = db.execute("SELECT feed, family, sum(fetches), sum(not_modified) "
                                  "FROM feed_fetches GROUP BY feed, family").fetchall()
                columns = [c[1] for c in db.execute("PRAGMA table_info(feed_fetches)")]
            finally:
                db.close()
            self.assertEqual(columns, ["feed", "day", "family", "fetches", "not_modified",
                                       "last_fetch"])
            counts = {(feed, family): (n, m) for feed, family, n, m in rows}
            expected = {}
            for feed, variants in (("all", 1), ("unit:%d" % unit, 2), ("event:%d" % event, 1),
                                   ("person:%d" % person, 1)):
                for family in ("microsoft", "thunderbird", "davx5", "browser"):
                    expected[(feed, family)] = (variants, 0)
                expected[(feed, "google")] = (2 * variants, 0)
                expected[(feed, "apple")] = (2 * variants, variants)
            self.assertEqual(counts, expected)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
