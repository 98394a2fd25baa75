#!/usr/bin/python3
"""What calendar apps expect of a feed server (issue 15, part 6), over a real loopback socket:

- robots.txt lets Google Calendar's importer (which asks it before it fetches a subscribed
  feed) fetch every feed, personal ones included, and keeps crawlers out of what is behind a
  login or a mailed link; read with Python's own robots.txt parser, as a crawler would.
- A store that fails for a moment does not turn a feed into a 5xx (Thunderbird disables a
  calendar on one): while the server runs under libfiu's fiu-run and fiu-ctrl makes every file
  read of the process fail with EIO, and another process changes a unit, the feed served last
  is served again, byte for byte; once the reads work again, the change shows. A feed never
  served before has nothing to fall back on and answers 503 with Retry-After, not 500.
- A one-off event whose only date is moved through the API is at its new time in the unit's
  feed, read with python3-icalendar: one VEVENT for its UID, no RECURRENCE-ID.
(A rotated secret's 404 and an archived unit's 410 are tested in personal_feed_test.py and
units_test.py.)

Usage: feed_conventions_test.py PATH/TO/treffpunkt
"""
import errno
import http.client
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.robotparser

import icalendar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_helpers import NO_LIMITS, call, cli, fiu_points, kill, later, new_event  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402,F401  (sets TREFFPUNKT_NOW for every process started)

BINARY = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "treffpunkt"
GOOGLE = "Google-Calendar-Importer"


def reads_fail(control, pid, on):
    """Makes the process's file reads fail with EIO (on) or work again (off)."""
    fiu_points(control, pid, ("posix/io/rw/pread", "posix/io/rw/read", "posix/io/rw/preadv"),
               errno.EIO, on)

def fetch(port, path, headers=None):
    return call(port, "GET", path, headers=headers)


def raw_get(port, path):
    """(status, headers, body text) of a GET as Google's importer sends it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"User-Agent": GOOGLE})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
    finally:
        conn.close()


class OneOffMoved(unittest.TestCase):
    def test_a_one_off_event_moved_through_the_api_is_at_its_new_time_in_the_feed(self):
        tokens = {}

        def prepare(folder):
            cli(BINARY, folder, "admin", "add", "admin@example.org")
            tokens["admin"] = cli(BINARY, folder, "token", "create", "admin@example.org")

        server = Server(BINARY, data=tempfile.mkdtemp(prefix="treffpunkt-one-off-"),
                        prepare=prepare)
        self.addCleanup(server.stop)
        event, key = new_event(server.port, tokens["admin"], days=12)
        new_start = later(13, hour=18)
        status, body, _ = call(server.port, "PUT", "/api/v1/events/%s/occurrences/%s" % (
            event["id"], key), tokens["admin"], {"start": new_start, "location": "Rathaus"})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["moved"], body)

        status, text, _ = fetch(server.port, "/units/frauen.ics")
        self.assertEqual(status, 200)
        mine = [c for c in icalendar.Calendar.from_ical(text).walk("VEVENT")
                if str(c["UID"]) == event["uid"]]
        self.assertEqual(len(mine), 1, text)
        self.assertNotIn("RECURRENCE-ID", mine[0])
        start = mine[0].decoded("DTSTART")
        self.assertEqual(start.strftime("%Y-%m-%dT%H:%M"), new_start)
        self.assertEqual(str(start.tzinfo), "Europe/Berlin")
        self.assertEqual(str(mine[0]["LOCATION"]), "Rathaus")


class Robots(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_calendar_apps_may_fetch_every_feed_and_crawlers_only_public_pages(self):
        status, text, kind = fetch(self.server.port, "/robots.txt")
        self.assertEqual(status, 200)
        self.assertTrue(kind.startswith("text/plain"), kind)
        robots = urllib.robotparser.RobotFileParser()
        robots.parse(text.splitlines())
        base = "http://127.0.0.1:%d" % self.server.port
        for path in ("/calendar.ics", "/units/bildung.ics", "/events/1.ics",
                     "/feeds/c2VjcmV0LXNlY3JldC1zZWNyZXQ.ics", "/units/bildung.ics?kind=meeting"):
            self.assertTrue(robots.can_fetch(GOOGLE, base + path), path)
        for path in ("/", "/units/bildung", "/calendar.ics", "/units/bildung.ics"):
            self.assertTrue(robots.can_fetch("Googlebot", base + path), path)
        for path in ("/feeds/c2VjcmV0.ics", "/me", "/manage", "/manage/units/bildung", "/admin",
                     "/api/v1/units", "/login", "/login/abc", "/unsubscribe/abc",
                     "/rsvp/confirm/abc"):
            self.assertFalse(robots.can_fetch("Googlebot", base + path), path)


class StoreFailures(unittest.TestCase):
    def start(self):
        fiu_run = shutil.which("fiu-run")
        self.assertIsNotNone(fiu_run, "fiu-run is missing: scripts/bootstrap installs fiu-utils")
        data = tempfile.mkdtemp(prefix="treffpunkt-feed-faults-")
        self.addCleanup(shutil.rmtree, data, True)
        tools = tempfile.mkdtemp(prefix="treffpunkt-fault-bin-")
        self.addCleanup(shutil.rmtree, tools, True)
        control = os.path.join(tools, "fiu")
        wrapped = os.path.join(tools, "treffpunkt-fiu")
        with open(wrapped, "w") as f:
            f.write("#!/bin/sh\nexec %s -x -f %s %s \"$@\"\n" % (fiu_run, control, BINARY))
        os.chmod(wrapped, 0o755)
        server = Server(wrapped, *NO_LIMITS, data=data)
        self.addCleanup(kill, server)
        # Always lifted, so that kill and the clean-up do not meet a process that cannot read.
        self.addCleanup(lambda: server.proc.poll() is None and reads_fail(
            control, server.proc.pid, False))
        return server, control

    def test_a_failing_store_serves_the_feed_served_last_and_never_a_5xx(self):
        server, control = self.start()
        port = server.port
        served = {}
        # Only frauen's: what the store holds of antifa must be read from disk later.
        for path in ("/units/frauen.ics", "/units/frauen.ics?kind=meeting"):
            status, body, _ = fetch(port, path, {"User-Agent": GOOGLE})
            self.assertEqual(status, 200, (path, body))
            served[path] = body
        reads_fail(control, server.proc.pid, True)
        # A change by another process (as `treffpunkt import` makes one): the server notices it
        # within a second and must read the store again, which now fails.
        db = sqlite3.connect(os.path.join(server.data, "treffpunkt.db"), timeout=10)
        db.execute("UPDATE units SET name = 'Ausfallsicher', version = version + 1 "
                   "WHERE slug = 'frauen'")
        db.commit()
        db.close()
        # fiu-ctrl returns before the process has read its command. A feed nobody asked for
        # before has nothing to fall back on: 503 with Retry-After (try again later), once
        # the reads fail.
        deadline = time.monotonic() + 10
        while True:
            status, headers, body = raw_get(port, "/units/antifa.ics")
            if status == 503 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(status, 503, body)
        self.assertEqual(headers.get("Retry-After"), "120")
        self.assertIn("try again later", body)
        time.sleep(1.2)  # store::change_probe_interval: the other process's write is seen
        for path, before in served.items():
            status, body, kind = fetch(port, path, {"User-Agent": GOOGLE})
            self.assertEqual(status, 200, (path, body))
            self.assertTrue(kind.startswith("text/calendar"), kind)
            self.assertEqual(body, before, path)
        # Lifted: the change shows, and /metrics counts what was served stale.
        reads_fail(control, server.proc.pid, False)
        deadline = time.monotonic() + 10
        while fetch(port, "/units/antifa.ics")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        for path in served:
            status, body, _ = fetch(port, path)
            self.assertEqual(status, 200, (path, body))
            self.assertIn("X-WR-CALNAME:Ausfallsicher", body, path)
        status, metrics, _ = fetch(port, "/metrics")
        self.assertEqual(status, 200, metrics)
        stale = [l for l in metrics.splitlines() if l.startswith("treffpunkt_feed_stale_total ")]
        self.assertEqual(len(stale), 1, metrics)
        self.assertEqual(int(stale[0].split()[1]), len(served), stale)
        self.assertIsNone(server.proc.poll(), "the server died")

if __name__ == "__main__":
    unittest.main(verbosity=2)
