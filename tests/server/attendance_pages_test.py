#!/usr/bin/python3
"""Who came (issue 14) over a real loopback socket: a responsible ticks who came on the page of
an occurrence that has started (those who said yes or maybe, and walk-ins by name), refusals
write nothing, the CSV, who may (the host of an offer ticks and sees names; members and
another unit's responsibles do not), and the season table of the series' page.

Usage: attendance_pages_test.py PATH/TO/treffpunkt
"""
import csv
import datetime
import http.client
import io
import json
import re
import subprocess
import sys
import time
import unittest
import urllib.parse
from html import unescape

from server_process import Server
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
RESPONSIBLE = "oleg.shevchenko@demo.invalid"  # Netzwerkstelle Bildung
OTHER_RESPONSIBLE = "rosa.schererz@demo.invalid"  # Netzwerkstelle Frauen*
ADMIN = "admin@example.org"
MEMBERS = ["ada@example.org", "bo@example.org", "cy@example.org", "dora@example.org",
           "host@example.org"]
TOKENS = {}


def prepare(data):
    subprocess.run([BINARY, "admin", "add", ADMIN, "--data", data], check=True,
                   capture_output=True)
    for who in [RESPONSIBLE, OTHER_RESPONSIBLE, ADMIN, *MEMBERS]:
        out = subprocess.run([BINARY, "token", "create", who, "--data", data], check=True,
                             capture_output=True, text=True).stdout
        TOKENS[who] = out.split()[0]


def soon(seconds):
    """A local time in Berlin `seconds` ahead of the tests' clock (the server's is behind)."""
    t = test_clock.now() + datetime.timedelta(seconds=seconds)
    return t.astimezone(test_clock.ZONE).strftime("%Y-%m-%dT%H:%M:%S")


class Reply:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.body = raw.decode("utf-8", errors="replace")

    def header(self, name):
        return next((v for k, v in self.headers if k == name.lower()), None)


class AttendancePages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY, prepare=prepare)
        cls.csrf = {}
        # A session of Bildung that starts a few seconds from now, with answers given before.
        cls.event = cls.api("POST", "/api/v1/units/bildung/events", RESPONSIBLE,
                            {"title": "Gleich geht's los", "start": soon(5),
                             "duration_minutes": 60, "capacity": 1})
        day = cls.event["start"][:10]
        listing = cls.api("GET", "/api/v1/units/bildung/occurrences?from=%s&to=%s" % (day, day))
        cls.key = next(o["key"] for o in listing["occurrences"]
                       if o["event"] == cls.event["id"])
        cls.base = "/manage/events/%d/%s" % (cls.event["id"], cls.key)
        api = "/api/v1/events/%d/occurrences/%s" % (cls.event["id"], cls.key)
        for who, answer in zip(MEMBERS, ["yes", "yes", "maybe", "no"]):
            cls.api("PUT", api + "/rsvp", who, {"answer": answer})
        cls.ids = {a["email"]: a["person"]
                   for a in cls.api("GET", api + "/attendees", RESPONSIBLE)["attendees"]}
        cls.dora = cls.api("GET", "/api/v1/me", "dora@example.org")["id"]
        conn = http.client.HTTPConnection("127.0.0.1", cls.server.port, timeout=10)
        conn.request("GET", "/manage", headers={"Authorization": "Bearer " + TOKENS[ADMIN]})
        r = conn.getresponse()
        r.read()
        cookie = next(v for k, v in r.getheaders()
                      if k.lower() == "set-cookie" and v.startswith("csrf="))
        cls.csrf_token = cookie.split(";", 1)[0].split("=", 1)[1]
        conn.close()
        cls.before_start = cls.request("POST", cls.base + "/attendance", RESPONSIBLE,
                                       [("came", str(cls.ids["ada@example.org"]))])
        cls.wait_for_start(cls.base)

    @classmethod
    def wait_for_start(cls, base, who=RESPONSIBLE):
        """Until the occurrence has started on the server's clock: its page has the form."""
        deadline = time.monotonic() + 30
        while "attendance-form" not in cls.request("GET", base + "/attendance", who).body:
            assert time.monotonic() < deadline, "the occurrence never started"
            time.sleep(0.5)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    @classmethod
    def api(cls, method, path, who=None, body=None):
        h = {"Content-Type": "application/json"}
        if who:
            h["Authorization"] = "Bearer " + TOKENS[who]
        conn = http.client.HTTPConnection("127.0.0.1", cls.server.port, timeout=10)
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=h)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        assert r.status < 300, (method, path, r.status, raw)
        return json.loads(raw)

    @classmethod
    def request(cls, method, path, who=None, form=None):
        h = {}
        if who:
            h["Authorization"] = "Bearer " + TOKENS[who]
        body = None
        if form is not None:
            h["Cookie"] = "csrf=" + cls.csrf_token
            h["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode([("csrf", cls.csrf_token), *form])
        conn = http.client.HTTPConnection("127.0.0.1", cls.server.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Reply(r.status, [(k.lower(), v) for k, v in r.getheaders()], r.read())
        finally:
            conn.close()

    def page(self, who=RESPONSIBLE, status=200):
        r = self.request("GET", self.base + "/attendance", who)
        self.assertEqual(r.status, status, r.body[:1500])
        return r

    def ticked(self, body):
        return sorted(int(v) for v in re.findall(
            r'<input type="checkbox" id="c-\d+" name="came" value="(\d+)" checked>', body))

    def saved(self):
        return self.api("GET", "/api/v1/events/%d/occurrences/%s/attendance" % (
            self.event["id"], self.key), RESPONSIBLE)

    # ---- the tests, in the order they build on each other ----------------------------------
    def test_1_before_the_start_nothing_is_written(self):
        self.assertEqual(self.before_start.status, 409, self.before_start.body[:800])
        self.assertIn("noch nicht begonnen", self.before_start.body)
        self.assertIsNone(self.saved()["recorded"])

    def test_2_responsible_ticks_who_came_and_walk_ins(self):
        r = self.page()
        self.assertIn("Noch nicht erfasst.", r.body)
        # Those who said yes (going and waitlisted) and maybe are listed; not the "no".
        for email in ("ada@example.org", "bo@example.org", "cy@example.org"):
            self.assertIn('value="%d"' % self.ids[email], r.body)
        self.assertNotIn("dora", r.body)
        self.assertIn("(Warteliste)", r.body)
        form = [("came", str(self.ids["ada@example.org"])),
                ("came", str(self.ids["cy@example.org"])),
                ("walk_ins", "Kim Gast\r\n\r\n  Ole Neumann  ")]
        done = self.request("POST", self.base + "/attendance", RESPONSIBLE, form)
        self.assertEqual(done.status, 303, done.body[:1500])
        self.assertEqual(done.header("location"), self.base + "/attendance?done=came")
        r = self.request("GET", done.header("location"), RESPONSIBLE)
        self.assertIn("Gespeichert, wer kam.", r.body)
        self.assertEqual(self.ticked(r.body), sorted([self.ids["ada@example.org"],
                                                      self.ids["cy@example.org"]]))
        self.assertIn('name="walk_in" value="Kim Gast" checked', r.body)
        self.assertIn('name="walk_in" value="Ole Neumann" checked', r.body)
        self.assertIn("4 kamen", r.body)
        # Unticking a walk-in and adding one replaces the list.
        form = [("came", str(self.ids["ada@example.org"])),
                ("came", str(self.ids["cy@example.org"])),
                ("walk_in", "Kim Gast"), ("walk_ins", "Lea")]
        self.assertEqual(self.request("POST", self.base + "/attendance", RESPONSIBLE,
                                      form).status, 303)
        s = self.saved()
        self.assertEqual(s["walk_ins"], ["Kim Gast", "Lea"])
        self.assertEqual([c["email"] for c in s["came"]], ["ada@example.org", "cy@example.org"])

    def test_3_refusals_write_nothing(self):
        before = self.saved()
        cases = [
            ("someone who said no", [("came", str(self.dora))], "came"),
            ("someone unknown", [("came", "999999")], "came"),
            ("the same person twice", [("came", str(self.ids["bo@example.org"])),
                                       ("came", str(self.ids["bo@example.org"]))], "came"),
            ("not a person", [("came", "alle")], "came"),
            ("a name too long", [("walk_ins", "x" * 101)], "walk_ins"),
            ("a name twice", [("walk_ins", "Kim\nKim")], "walk_ins"),
            ("a kept walk-in emptied", [("walk_in", " ")], "walk_ins"),
        ]
        for what, form, field in cases:
            with self.subTest(what):
                r = self.request("POST", self.base + "/attendance", RESPONSIBLE, form)
                self.assertEqual(r.status, 422, r.body[:1500])
                self.assertIn('class="error-summary"', r.body)
                self.assertIn('id="e-%s"' % field, r.body)
                self.assertEqual(self.saved(), before)
        # What was typed comes back.
        r = self.request("POST", self.base + "/attendance", RESPONSIBLE,
                         [("came", str(self.ids["bo@example.org"])), ("walk_ins", "x" * 101)])
        self.assertIn("x" * 101 + "</textarea>", r.body)
        self.assertEqual(self.ticked(r.body), [self.ids["bo@example.org"]])
        # A form without its CSRF field is refused.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", self.base + "/attendance", body="walk_ins=Eve",
                     headers={"Authorization": "Bearer " + TOKENS[RESPONSIBLE],
                              "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(conn.getresponse().status, 403)
        conn.close()
        self.assertEqual(self.saved(), before)

    def test_4_csv_with_bom_and_formula_protection(self):
        self.assertEqual(self.request("POST", self.base + "/attendance", RESPONSIBLE,
                                      [("came", str(self.ids["ada@example.org"])),
                                       ("walk_ins", "=HYPERLINK(\"x\")")]).status, 303)
        r = self.request("GET", self.base + "/attendance.csv", RESPONSIBLE)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "text/csv; charset=utf-8")
        self.assertIn("attachment", r.header("content-disposition"))
        self.assertEqual(r.header("cache-control"), "private, no-store")
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(r.raw[3:].decode("utf-8"), newline="")))
        self.assertEqual(rows[0], ["name", "email", "came_as"])
        self.assertEqual(rows[1][1:], ["ada@example.org", "going"])
        self.assertEqual(rows[2], ["'=HYPERLINK(\"x\")", "", "walk_in"])
        self.assertEqual(len(rows), 3)

    def test_5_who_may(self):
        self.assertEqual(self.request("GET", self.base + "/attendance").status, 303)  # login
        for who in (OTHER_RESPONSIBLE, "ada@example.org"):
            with self.subTest(who=who):
                before = self.saved()
                self.page(who, 403)
                self.assertEqual(self.request("GET", self.base + "/attendance.csv", who).status,
                                 403)
                r = self.request("POST", self.base + "/attendance", who, [("walk_ins", "Eve")])
                self.assertEqual(r.status, 403)
                self.assertEqual(self.saved(), before)
        self.page(ADMIN)
        self.assertEqual(self.request("POST", self.base + "/attendance", ADMIN,
                                      [("walk_ins", "Von Admin")]).status, 303)

    def test_6_the_season_table_counts_who_came(self):
        self.assertEqual(self.request("POST", self.base + "/attendance", RESPONSIBLE,
                                      [("came", str(self.ids["ada@example.org"])),
                                       ("came", str(self.ids["bo@example.org"])),
                                       ("walk_ins", "Kim")]).status, 303)
        r = self.request("GET", "/manage/events/%d" % self.event["id"], RESPONSIBLE)
        self.assertEqual(r.status, 200)
        row = re.search(r'<tr data-key="%s">(.*?)</tr>' % self.key, r.body, re.S).group(1)
        cells = [unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)]
        self.assertEqual(cells, ["1", "1", "1", "3"])  # yes (going), maybe, waitlist, came
        self.assertIn(self.base + "/attendance", row)
        self.assertIn('role="img"', r.body)
        group = re.search(r'<g class="chart-date[^"]*" data-key="%s">(.*?)</g>' % self.key,
                          r.body).group(1)
        bars = dict(re.findall(r'data-series="(\w+)" data-value="(\d+)"', group))
        self.assertEqual(bars, {"yes": "1", "maybe": "1", "waitlist": "1", "came": "3"})
        self.assertNotRegex(r.body, r"\sstyle=")

    def test_7_the_host_ticks_their_offer_and_sees_names_only(self):
        p = self.api("POST", "/api/v1/units/bildung/proposals", "host@example.org",
                     {"title": "Kurz erklärt", "location": "Jena",
                      "dates": [soon(3600 * 24 * 20)], "duration_minutes": 60})
        event = self.api("POST", "/api/v1/proposals/%d/decision" % p["id"], RESPONSIBLE,
                         {"decision": "approve", "start": soon(5)})["event"]
        day = self.api("GET", "/api/v1/events/%d" % event)["start"][:10]
        key = next(o["key"] for o in self.api(
            "GET", "/api/v1/units/bildung/occurrences?from=%s&to=%s" % (day, day))["occurrences"]
            if o["event"] == event)
        self.api("PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (event, key),
                 "bo@example.org", {"answer": "yes"})
        base = "/manage/events/%d/%s" % (event, key)
        bo = self.api("GET", "/api/v1/events/%d/occurrences/%s/attendees" % (event, key),
                      "host@example.org")["attendees"][0]["person"]
        # Before the start: the page says when it can be done, and the host's page has no link.
        self.assertNotIn(base + "/attendance", self.request(
            "GET", "/manage/offers/%d" % event, "host@example.org").body)
        r = self.request("GET", base + "/attendance", "host@example.org")
        self.assertEqual(r.status, 200)
        self.assertIn("ab dem Beginn", r.body)
        self.wait_for_start(base, "host@example.org")
        r = self.request("POST", base + "/attendance", "host@example.org", [("came", str(bo))])
        self.assertEqual(r.status, 303, r.body[:1500])
        r = self.request("GET", base + "/attendance", "host@example.org")
        self.assertEqual(self.ticked(r.body), [bo])
        self.assertNotIn("bo@example.org", r.body)
        self.assertNotIn("attendance.csv", r.body)
        self.assertIn('href="/manage/offers/%d"' % event, r.body)
        self.assertEqual(self.request("GET", base + "/attendance.csv",
                                      "host@example.org").status, 403)
        self.assertIn(base + "/attendance", self.request(
            "GET", "/manage/offers/%d" % event, "host@example.org").body)


if __name__ == "__main__":
    unittest.main(verbosity=2)
