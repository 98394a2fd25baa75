#!/usr/bin/python3
"""Units created, edited and archived (issue 14) over a real loopback socket: who may change
what through the API, bad values refused with nothing written, and what archiving does to the
unit's page, its RSVPs and its feed, which answers 410 Gone six months later (the server
started again with its clock moved on).

Usage: units_test.py PATH/TO/treffpunkt
"""
import datetime
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from html import unescape

from server_process import Server
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
RESPONSIBLE = "oleg.shevchenko@demo.invalid"  # Bildung
OTHER_RESPONSIBLE = "rosa.schererz@demo.invalid"  # Frauen*
MEMBER = "member@example.org"
TOKENS = {}


def prepare(data):
    subprocess.run([BINARY, "admin", "add", ADMIN, "--data", data], check=True,
                   capture_output=True)
    for who in (ADMIN, RESPONSIBLE, OTHER_RESPONSIBLE, MEMBER):
        out = subprocess.run([BINARY, "token", "create", who, "--data", data], check=True,
                             capture_output=True, text=True).stdout
        TOKENS[who] = out.split()[0]


def call(port, method, path, who=None, body=None):
    headers = {}
    if who:
        headers["Authorization"] = "Bearer " + TOKENS[who]
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    raw = r.read()
    conn.close()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return r.status, parsed, raw.decode("utf-8", "replace")


def page(port, method, path, who, form=None):
    """A page as `who` (Bearer), forms with the CSRF cookie and field of a first GET."""
    import urllib.parse
    headers = {"Authorization": "Bearer " + TOKENS[who]}
    body = None
    if form is not None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("GET", "/manage", headers=headers)
        r = conn.getresponse()
        r.read()
        token = [v.split(";", 1)[0].split("=", 1)[1] for k, v in r.getheaders()
                 if k.lower() == "set-cookie" and v.startswith("csrf=")][0]
        conn.close()
        headers["Cookie"] = "csrf=" + token
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode({"csrf": token, **form})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    out = (r.status, r.getheader("Location"), r.read().decode("utf-8", "replace"))
    conn.close()
    return out


class Units(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="treffpunkt-units-")
        cls.server = Server(BINARY, data=cls.data, prepare=prepare)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def api(self, method, path, who=None, body=None):
        return call(self.server.port, method, path, who, body)

    def test_who_changes_what_and_bad_values_change_nothing(self):
        status, made, raw = self.api("POST", "/api/v1/units", ADMIN,
                                     {"slug": "umwelt", "name": "Netzwerkstelle Umwelt",
                                      "contact": "Umwelt@Example.org", "zone": "Europe/Berlin"})
        self.assertEqual(status, 201, raw)
        self.assertEqual(made["contact"], "umwelt@example.org")
        before = self.api("GET", "/api/v1/units")[1]
        for who, body, want, field in [
                (ADMIN, {"slug": "Umwelt!", "name": "x"}, 422, "slug"),
                (ADMIN, {"slug": "umwelt", "name": "x"}, 409, "slug"),
                (ADMIN, {"slug": "mars", "name": "x", "zone": "Mars/Olympus"}, 422, "zone"),
                (ADMIN, {"slug": "mars", "name": "x", "contact": "keine"}, 422, "contact"),
                (ADMIN, {"slug": "mars", "name": "  "}, 422, "name"),
                (MEMBER, {"slug": "mars", "name": "Mars"}, 403, None),
                (None, {"slug": "mars", "name": "Mars"}, 401, None)]:
            with self.subTest(who=who, body=body):
                status, answer, raw = self.api("POST", "/api/v1/units", who, body)
                self.assertEqual(status, want, raw)
                if field:
                    self.assertEqual(answer["error"]["field"], field)
        self.assertEqual(self.api("GET", "/api/v1/units")[1], before)

        # A responsible writes the description of their unit, nothing else, nowhere else.
        status, _, raw = self.api("PATCH", "/api/v1/units/bildung", RESPONSIBLE,
                                  {"description": "Wir treffen uns **alle zwei Wochen**."})
        self.assertEqual(status, 200, raw)
        page = self.api("GET", "/units/bildung")[2]
        self.assertIn("<strong>alle zwei Wochen</strong>", page)
        for who, body, want in [(RESPONSIBLE, {"name": "Gekapert"}, 403),
                                (RESPONSIBLE, {"archived": True}, 403),
                                (RESPONSIBLE, {"contact": "x@example.org"}, 403),
                                (OTHER_RESPONSIBLE, {"description": "x"}, 403),
                                (MEMBER, {"description": "x"}, 403),
                                (ADMIN, {"zone": "Nowhere/City"}, 422),
                                (ADMIN, {"slug": "neu"}, 422)]:
            with self.subTest(who=who, body=body):
                status, _, raw = self.api("PATCH", "/api/v1/units/bildung", who, body)
                self.assertEqual(status, want, raw)
        unit = self.api("GET", "/api/v1/units/bildung")[1]
        self.assertEqual(unit["name"], "Netzwerkstelle Bildung")
        self.assertIsNone(unit["archived"])
        status, _, _ = self.api("PATCH", "/api/v1/units/nowhere", ADMIN, {"archived": True})
        self.assertEqual(status, 404)

    def test_the_units_page_of_settings(self):
        port = self.server.port
        status, _, form = page(port, "GET", "/manage/units/kommunales/edit", ADMIN)
        self.assertEqual(status, 200)
        for field in ('name="name"', 'name="zone"', 'name="contact"', 'name="archived"'):
            self.assertIn(field, form)
        status, _, _ = page(port, "GET", "/manage/units/kommunales/edit", MEMBER)
        self.assertEqual(status, 403)
        status, _, body = page(port, "POST", "/manage/units/kommunales/edit", ADMIN,
                               {"name": "Netzwerkstelle Kommunales", "description": "Neu",
                                "zone": "Mars/Olympus", "contact": ""})
        self.assertEqual(status, 422)
        self.assertIn('href="#f-zone"', body)
        self.assertIn('value="Mars/Olympus"', body)  # what was typed comes back
        status, location, _ = page(port, "POST", "/manage/units/kommunales/edit", ADMIN,
                                   {"name": "Netzwerkstelle Kommunales",
                                    "description": "Für Jusos in **Räten**.",
                                    "zone": "Europe/Berlin", "contact": "kommunal@example.org"})
        self.assertEqual(status, 303)
        self.assertIn("done=unit_saved", location)
        public = self.api("GET", "/units/kommunales")[2]
        self.assertIn("<strong>Räten</strong>", public)
        self.assertIn("mailto:kommunal@example.org", public)
        status, location, _ = page(port, "POST", "/manage/units/kommunales/archive", ADMIN,
                                   {"archived": "1"})
        self.assertEqual((status, location), (303, "/manage/units/kommunales/edit?done=archived"))
        self.assertIn("archiviert", unescape(self.api("GET", "/units/kommunales")[2]))
        status, _, form = page(port, "GET", location, ADMIN)
        self.assertIn('name="archived" value="0"', form)  # now the button makes it active again
        status, _, _ = page(port, "POST", "/manage/units/kommunales/archive", ADMIN,
                            {"archived": "0"})
        self.assertEqual(status, 303)
        self.assertIsNone(self.api("GET", "/api/v1/units/kommunales")[1]["archived"])

    def test_a_responsible_edits_the_description_only(self):
        port = self.server.port
        status, _, form = page(port, "GET", "/manage/units/bildung/edit", RESPONSIBLE)
        self.assertEqual(status, 200)
        self.assertNotIn('name="name"', form)
        self.assertNotIn('name="archived"', form)
        status, _, _ = page(port, "POST", "/manage/units/bildung/edit", RESPONSIBLE,
                            {"description": "Bildung für alle.", "name": "Gekapert"})
        self.assertEqual(status, 303)
        unit = self.api("GET", "/api/v1/units/bildung")[1]
        self.assertEqual(unit["description"], "Bildung für alle.")
        self.assertEqual(unit["name"], "Netzwerkstelle Bildung")  # the name field is ignored
        status, _, _ = page(port, "POST", "/manage/units/bildung/archive", RESPONSIBLE,
                            {"archived": "1"})
        self.assertEqual(status, 403)
        self.assertIsNone(self.api("GET", "/api/v1/units/bildung")[1]["archived"])
        status, _, _ = page(port, "GET", "/manage/units/frauen/edit", RESPONSIBLE)
        self.assertEqual(status, 403)

    def test_archiving_ends_the_calendar_and_the_feed_is_gone_six_months_later(self):
        today = test_clock.today()
        listed = self.api("GET", "/api/v1/units/antifa/occurrences?from=%s&to=%s" % (
            today.isoformat(), (today + datetime.timedelta(days=90)).isoformat()))[1]
        upcoming = [o for o in listed["occurrences"] if not o["cancelled"]]
        self.assertTrue(upcoming)
        first = upcoming[0]
        feed_before = self.api("GET", "/units/antifa.ics")[2]
        self.assertIn(first["title"], feed_before)

        status, unit, raw = self.api("PATCH", "/api/v1/units/antifa", ADMIN, {"archived": True})
        self.assertEqual(status, 200, raw)
        self.assertIsNotNone(unit["archived"])
        page = unescape(self.api("GET", "/units/antifa")[2])
        self.assertIn("archiviert", page)
        self.assertNotIn('href="/units/antifa"', self.api("GET", "/")[2])  # not on the home page
        status, answer, raw = self.api(
            "PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (first["event"], first["key"]),
            MEMBER, {"answer": "yes"})
        self.assertEqual(status, 409, raw)
        self.assertEqual(answer["error"]["code"], "rsvp_closed")
        # The feed still answers, without anything still to come.
        status, _, feed = self.api("GET", "/units/antifa.ics")
        self.assertEqual(status, 200)
        self.assertIn("BEGIN:VCALENDAR", feed)
        listed_after = self.api("GET", "/api/v1/units/antifa/occurrences?from=%s&to=%s" % (
            today.isoformat(), (today + datetime.timedelta(days=90)).isoformat()))[1]
        self.assertEqual([o for o in listed_after["occurrences"]
                          if o["start"] > test_clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")], [])

        # Six months and a bit later, on the same data: 410 Gone; the page stays.
        later = (test_clock.now() + datetime.timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
        copy = tempfile.mkdtemp(prefix="treffpunkt-units-later-")
        shutil.copytree(self.data, copy, dirs_exist_ok=True)
        for f in ("stderr.log",):
            if os.path.exists(os.path.join(copy, f)):
                os.remove(os.path.join(copy, f))
        moved_on = Server(BINARY, data=copy, demo=False, env={"TREFFPUNKT_NOW": later})
        try:
            status, _, body = call(moved_on.port, "GET", "/units/antifa.ics")
            self.assertEqual(status, 410, body)
            status, _, _ = call(moved_on.port, "GET", "/units/bildung.ics")
            self.assertEqual(status, 200)
            status, _, _ = call(moved_on.port, "GET", "/units/antifa")
            self.assertEqual(status, 200)
        finally:
            moved_on.stop()

        # Active again: answers are taken again.
        status, unit, raw = self.api("PATCH", "/api/v1/units/antifa", ADMIN, {"archived": False})
        self.assertEqual(status, 200, raw)
        self.assertIsNone(unit["archived"])
        status, _, raw = self.api(
            "PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (first["event"], first["key"]),
            MEMBER, {"answer": "yes"})
        self.assertEqual(status, 200, raw)


if __name__ == "__main__":
    unittest.main()
