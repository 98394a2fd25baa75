#!/usr/bin/python3
"""Starts `treffpunkt serve --demo` on a free loopback port and talks to it as calendar apps do:
feeds, conditional GETs, HEAD, errors, and a graceful stop on SIGTERM.

Usage: serve_test.py PATH/TO/treffpunkt
"""
import datetime
import http.client
import signal
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import icalendar
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"


class ServeDemo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="treffpunkt-serve-")
        cls.proc = subprocess.Popen(
            [BINARY, "serve", "--demo", "--data", cls.data, "--listen", "127.0.0.1:0",
             "--threads", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = cls.proc.stdout.readline()
        if "listening on http://127.0.0.1:" not in line:
            cls.proc.kill()
            raise RuntimeError("server did not start: %r %r" % (line, cls.proc.stderr.read()))
        cls.port = int(line.split("http://127.0.0.1:")[1].split()[0])

    @classmethod
    def tearDownClass(cls):
        if cls.proc.poll() is None:
            cls.proc.kill()
            cls.proc.wait()
        cls.proc.stdout.close()
        cls.proc.stderr.close()
        shutil.rmtree(cls.data, ignore_errors=True)

    def request(self, method, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp, body

    def test_unit_feed_is_icalendar_of_that_unit(self):
        resp, body = self.request("GET", "/units/bildung.ics")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/calendar; charset=utf-8")
        cal = icalendar.Calendar.from_ical(body)
        self.assertEqual(str(cal["X-WR-CALNAME"]), "Netzwerkstelle Bildung")
        self.assertEqual(str(cal["METHOD"]), "PUBLISH")
        summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
        self.assertIn("Treffen der Netzwerkstelle Bildung", summaries)
        # The demo moves one occurrence of the biweekly meeting: an override VEVENT.
        self.assertTrue(any("RECURRENCE-ID" in e for e in cal.walk("VEVENT")))

    def test_all_units_feed_holds_every_unit(self):
        resp, body = self.request("GET", "/calendar.ics")
        self.assertEqual(resp.status, 200)
        cal = icalendar.Calendar.from_ical(body)
        uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
        for slug in ("frauen", "bildung", "antifa", "kommunales"):
            self.assertTrue(any(uid.endswith("." + slug + "@demo.treffpunkt") for uid in uids), slug)
        # The cancelled Antifa meeting is an EXDATE with the TZID of its DTSTART.
        self.assertIn(b"EXDATE;TZID=Europe/Berlin:", body)

    def test_matching_etag_answers_304_without_body(self):
        resp, body = self.request("GET", "/units/frauen.ics")
        etag = resp.getheader("ETag")
        self.assertRegex(etag, r'^"[0-9a-f]{16}"$')
        resp2, body2 = self.request("GET", "/units/frauen.ics", {"If-None-Match": etag})
        self.assertEqual(resp2.status, 304)
        self.assertEqual(body2, b"")
        self.assertEqual(resp2.getheader("ETag"), etag)
        # RFC 9110 §8.6: a 304 sends no Content-Length of its own (it would describe nothing).
        self.assertIsNone(resp2.getheader("Content-Length"))
        resp3, _ = self.request("GET", "/units/frauen.ics", {"If-None-Match": '"0000000000000000"'})
        self.assertEqual(resp3.status, 200)

    def test_if_modified_since_answers_304(self):
        resp, _ = self.request("GET", "/units/antifa.ics")
        last_modified = resp.getheader("Last-Modified")
        self.assertTrue(last_modified.endswith(" GMT"))
        resp2, _ = self.request("GET", "/units/antifa.ics", {"If-Modified-Since": last_modified})
        self.assertEqual(resp2.status, 304)
        resp3, _ = self.request("GET", "/units/antifa.ics",
                                {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
        self.assertEqual(resp3.status, 200)

    @staticmethod
    def split_feed(body):
        """A feed's VEVENTs, each as its text, and the rest of its content lines (unfolded)."""
        text = body.decode("utf-8").replace("\r\n ", "")
        vevents = re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", text, re.S)
        rest = re.sub(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", "", text, flags=re.S)
        return vevents, rest.split("\r\n")

    def test_kind_splits_unit_and_all_units_feeds_in_two(self):
        kinds = {"meeting": ("MEETING", "Treffen", "Treffen"),
                 "exchange_offer": ("EXCHANGE-OFFER", "Austauschangebot", "Austauschangebote")}
        for path, name in (("/units/frauen.ics", "Netzwerkstelle Frauen*"),
                           ("/calendar.ics", "Alle Netzwerkstellen")):
            resp, everything = self.request("GET", path)
            self.assertEqual(resp.status, 200)
            cal = icalendar.Calendar.from_ical(everything)
            # The feed of every kind: each VEVENT has its kind as a German category too.
            for e in cal.walk("VEVENT"):
                x_kind = str(e["X-TREFFPUNKT-KIND"])
                label = {"MEETING": "Treffen", "EXCHANGE-OFFER": "Austauschangebot"}[x_kind]
                self.assertEqual([str(c) for c in e["CATEGORIES"].cats], [label], str(e["UID"]))
            all_vevents, all_rest = self.split_feed(everything)
            parts = []
            for kind, (x_kind, label, plural) in kinds.items():
                resp, body = self.request("GET", "%s?kind=%s" % (path, kind))
                self.assertEqual(resp.status, 200, kind)
                self.assertEqual(resp.getheader("Content-Type"), "text/calendar; charset=utf-8")
                cal = icalendar.Calendar.from_ical(body)
                events = cal.walk("VEVENT")
                self.assertTrue(events, "%s%s has none" % (path, kind))
                for e in events:
                    self.assertEqual(str(e["X-TREFFPUNKT-KIND"]), x_kind)
                    self.assertEqual([str(c) for c in e["CATEGORIES"].cats], [label])
                self.assertEqual(str(cal["X-WR-CALNAME"]), "%s – %s" % (name, plural))
                url = "http://127.0.0.1:%d%s?kind=%s" % (self.port, path, kind)
                self.assertEqual(str(cal["URL"]), url)
                vevents, rest = self.split_feed(body)
                parts += vevents
                # Apart from what names the feed, the calendar around the VEVENTs is the same.
                named = ("NAME:", "X-WR-CALNAME:", "URL:", "SOURCE;")
                self.assertEqual([l for l in rest if not l.startswith(named)],
                                 [l for l in all_rest if not l.startswith(named)])
            # Together they are the feed of every kind, VEVENT for VEVENT, line for line.
            self.assertEqual(sorted(parts), sorted(all_vevents), path)

    def test_unknown_kind_is_400_with_a_message(self):
        for path in ("/units/frauen.ics?kind=workshop", "/calendar.ics?kind=",
                     "/calendar.ics?kind=MEETING", "/calendar.ics?lang=en&kind=offer"):
            resp, body = self.request("GET", path)
            self.assertEqual(resp.status, 400, path)
            self.assertEqual(resp.getheader("Content-Type"), "text/plain; charset=utf-8")
            self.assertEqual(body, b"kind must be meeting or exchange_offer\n")

    def test_filtered_feed_answers_304_head_and_keeps_the_etag_of_the_whole(self):
        path = "/units/bildung.ics?kind=exchange_offer"
        _, whole = self.request("GET", "/units/bildung.ics")
        whole_etag = self.request("GET", "/units/bildung.ics")[0].getheader("ETag")
        resp, body = self.request("GET", path)
        etag = resp.getheader("ETag")
        self.assertRegex(etag, r'^"[0-9a-f]{16}"$')
        self.assertNotEqual(etag, whole_etag)
        resp2, body2 = self.request("GET", path, {"If-None-Match": etag})
        self.assertEqual((resp2.status, body2), (304, b""))
        self.assertEqual(resp2.getheader("ETag"), etag)
        resp3, _ = self.request("GET", path, {"If-Modified-Since": resp.getheader("Last-Modified")})
        self.assertEqual(resp3.status, 304)
        self.assertEqual(self.request("GET", "/units/bildung.ics",
                                      {"If-None-Match": etag})[0].status, 200)
        head, head_body = self.request("HEAD", path)
        self.assertEqual((head.status, head_body), (200, b""))
        self.assertEqual(int(head.getheader("Content-Length")), len(body))
        # Asking for the variants changed nothing of the whole feed.
        resp4, whole2 = self.request("GET", "/units/bildung.ics")
        self.assertEqual((resp4.getheader("ETag"), whole2), (whole_etag, whole))

    def test_head_has_length_but_no_body(self):
        get, body = self.request("GET", "/units/kommunales.ics")
        head, head_body = self.request("HEAD", "/units/kommunales.ics")
        self.assertEqual(head.status, 200)
        self.assertEqual(head_body, b"")
        self.assertEqual(int(head.getheader("Content-Length")), len(body))

    def test_event_feed_and_unknowns(self):
        resp, body = self.request("GET", "/events/1.ics")
        self.assertEqual(resp.status, 200)
        self.assertEqual(len(icalendar.Calendar.from_ical(body).walk("VEVENT")) >= 1, True)
        for path in ("/units/nope.ics", "/events/999.ics", "/events/x.ics", "/../etc/passwd"):
            resp, _ = self.request("GET", path)
            self.assertEqual(resp.status, 404, path)

    def test_other_methods_are_405(self):
        resp, _ = self.request("DELETE", "/units/bildung.ics")
        self.assertEqual(resp.status, 405)
        self.assertEqual(resp.getheader("Allow"), "GET, HEAD")

    def test_home_page_links_webcal_feeds(self):
        resp, body = self.request("GET", "/")
        self.assertEqual(resp.status, 200)
        text = body.decode("utf-8")
        self.assertIn("Netzwerkstelle Frauen*", text)
        self.assertIn('href="webcal://127.0.0.1:%d/units/bildung.ics"' % self.port, text)

    def test_import_by_another_process_changes_the_feed_and_its_etag(self):
        resp, body = self.request("GET", "/units/kommunales.ics")
        etag = resp.getheader("ETag")
        self.assertNotIn(b"Kommunalpolitisches Neujahrstreffen", body)
        # Five weeks ahead: a feed carries what is to come (and the last 90 days).
        day = (test_clock.today() + datetime.timedelta(days=35)).strftime("%Y%m%d")
        ics = tempfile.NamedTemporaryFile("w", suffix=".ics", delete=False, encoding="utf-8")
        ics.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//DE\r\n"
                  "BEGIN:VEVENT\r\nUID:neujahr-test@example.org\r\n"
                  "DTSTAMP:20261101T100000Z\r\n"
                  "DTSTART;TZID=Europe/Berlin:%sT190000\r\n"
                  "DTEND;TZID=Europe/Berlin:%sT210000\r\n"
                  "SUMMARY:Kommunalpolitisches Neujahrstreffen\r\nEND:VEVENT\r\n"
                  "END:VCALENDAR\r\n" % (day, day))
        ics.close()
        try:
            done = subprocess.run([BINARY, "import", "--data", self.data, "--unit", "kommunales",
                                   ics.name], capture_output=True, text=True, timeout=30)
        finally:
            os.unlink(ics.name)
        self.assertEqual(done.returncode, 0, done.stderr)
        # The server notices writes of other processes within about a second
        # (store::change_probe_interval): ask for up to 3 s.
        deadline = time.monotonic() + 3
        while True:
            resp2, body2 = self.request("GET", "/units/kommunales.ics", {"If-None-Match": etag})
            if resp2.status != 304 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(resp2.status, 200)
        self.assertNotEqual(resp2.getheader("ETag"), etag)
        self.assertIn(b"SUMMARY:Kommunalpolitisches Neujahrstreffen", body2)

    def test_zz_sigterm_stops_cleanly(self):
        self.assertEqual(self.request("GET", "/healthz")[0].status, 200)
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=10), 0)
        # A restart with --demo keeps what is there instead of loading the demo again.
        again = subprocess.Popen(
            [BINARY, "serve", "--demo", "--data", self.data, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertIn("with 4 units", again.stdout.readline())
            exported = subprocess.run([BINARY, "export", "--data", self.data],
                                      capture_output=True, text=True, timeout=30)
            data = json.loads(exported.stdout)
            titles = [e["title"] for e in data["events"]]
            self.assertEqual(titles.count("Treffen der Netzwerkstelle Bildung"), 1)
            self.assertIn("Kommunalpolitisches Neujahrstreffen", titles)
        finally:
            again.send_signal(signal.SIGTERM)
            self.assertEqual(again.wait(timeout=10), 0)
            again.stdout.close()
            again.stderr.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
