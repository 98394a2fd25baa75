#!/usr/bin/python3
"""The member pages over a real loopback socket: `treffpunkt serve --demo`, read as a browser
would (issue 6): home, unit page with its subscribe box and month view, event and occurrence
pages, languages, 404s, static files, and no inline code that a strict
Content-Security-Policy would block.

Usage: pages_test.py PATH/TO/treffpunkt
"""
import http.client
import json
import re
import subprocess
import sys
import unittest
from html.parser import HTMLParser

from server_process import Server
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
DEMO_UNITS = ("frauen", "bildung", "antifa", "kommunales")


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.h1 = []
        self.links = []
        self.scripts = []        # attribute dicts of <script>
        self.inline_code = []    # what a CSP without 'unsafe-inline' blocks
        self.tables = 0
        self.caption = ""
        self.th_cols = 0
        self.svgs = 0
        self.svg_titles = []
        self.inputs = []
        self.labels_for = set()
        self.forms = []
        self._in_svg = False
        self._capture = None  # [tag, text] while inside an <h1>, <caption> or the SVG's <title>
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on"):
                self.inline_code.append("%s %s=" % (tag, name))
            if name == "style":
                self.inline_code.append("%s style=" % tag)
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "script":
            self.scripts.append(a)
            if "src" not in a:
                self.inline_code.append("inline <script>")
        elif tag == "style":
            self.inline_code.append("<style>")
        elif tag == "table":
            self.tables += 1
        elif tag == "th" and a.get("scope") == "col":
            self.th_cols += 1
        elif tag == "svg":
            self.svgs += 1
            self._in_svg = True
        elif tag == "input":
            self.inputs.append(a)
        elif tag == "label" and "for" in a:
            self.labels_for.add(a["for"])
        elif tag == "form":
            self.forms.append(a)
        if tag in ("h1", "caption") or (tag == "title" and self._in_svg):
            self._capture = [tag, ""]

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg = False
        if self._capture and self._capture[0] == tag:
            text = self._capture[1].strip()
            self._capture = None
            if tag == "h1":
                self.h1.append(text)
            elif tag == "caption":
                self.caption = text
            else:
                self.svg_titles.append(text)

    def handle_data(self, data):
        if self._capture:
            self._capture[1] += data


class Pages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def get(self, path, headers=None, method="GET"):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp, body

    def page(self, path, headers=None, status=200):
        resp, body = self.get(path, headers)
        self.assertEqual(resp.status, status, path)
        self.assertEqual(resp.getheader("Content-Type"), "text/html; charset=utf-8", path)
        self.assertIn("Accept-Language", resp.getheader("Vary"))
        text = body.decode("utf-8")
        page = Page(text)
        self.check_basics(path, text, page, resp)
        return resp, text, page

    def check_basics(self, path, text, page, resp):
        self.assertTrue(text.startswith("<!doctype html>"), path)
        self.assertIn(page.html_lang, ("de", "en"), path)
        self.assertEqual(resp.getheader("Content-Language"), page.html_lang, path)
        self.assertEqual(len(page.h1), 1, "%s: exactly one <h1>: %r" % (path, page.h1))
        self.assertEqual(page.inline_code, [], path)
        self.assertNotRegex(text, r"<script(?![^>]*\ssrc=)[^>]*>", path)
        self.assertNotRegex(text, r"\son[a-z]+=", path)
        self.assertNotIn("style=", text, path)
        for script in page.scripts:
            self.assertTrue(script["src"].startswith("/static/"), path)
        # Every visible text input has a label.
        for i in page.inputs:
            if i.get("type") in ("hidden", "radio"):
                continue
            self.assertIn(i.get("id"), page.labels_for, "%s: unlabelled %r" % (path, i))

    def occurrence_links(self, page):
        return [l for l in page.links if re.fullmatch(r"/events/\d+/\d{8}T\d{6}Z", l)]

    def test_home_lists_the_four_units_and_next_sessions(self):
        _, text, page = self.page("/")
        self.assertEqual(page.html_lang, "de")
        for slug in DEMO_UNITS:
            self.assertIn("/units/" + slug, page.links)
        self.assertIn("Netzwerkstelle Frauen*", text)
        self.assertTrue(self.occurrence_links(page), "the next sessions link their pages")
        self.assertIn('href="webcal://127.0.0.1:%d/units/bildung.ics"' % self.server.port, text)

    def test_unit_page_has_subscribe_box_qr_and_month_table(self):
        _, text, page = self.page("/units/bildung")
        self.assertEqual(page.h1, ["Netzwerkstelle Bildung"])
        feed = "http://127.0.0.1:%d/units/bildung.ics" % self.server.port
        webcal = "webcal://127.0.0.1:%d/units/bildung.ics" % self.server.port
        self.assertIn(webcal, page.links)
        self.assertIn(feed, [i.get("value") for i in page.inputs if "readonly" in i])
        google = [l for l in page.links if l.startswith("https://calendar.google.com/")]
        self.assertEqual(google, ["https://calendar.google.com/calendar/render?cid=" +
                                  "webcal%3A%2F%2F127.0.0.1%3A" + str(self.server.port) +
                                  "%2Funits%2Fbildung.ics"])
        outlook = [l for l in page.links if l.startswith("https://outlook.live.com/")]
        self.assertEqual(len(outlook), 1)
        self.assertIn("&name=Netzwerkstelle%20Bildung", outlook[0])
        self.assertEqual(page.svgs, 1)
        self.assertTrue(page.svg_titles and page.svg_titles[0])
        self.assertEqual(page.tables, 1)
        self.assertEqual(page.th_cols, 7)
        self.assertRegex(page.caption, r"^\w+ \d{4}$")
        self.assertIn("Oleg Shevchenko", text)
        self.assertNotIn("@demo.invalid", text, "never an email address")
        self.assertTrue(self.occurrence_links(page))
        # Month navigation.
        months = [l for l in page.links if l.startswith("?month=")]
        self.assertEqual(len(months), 2)
        _, text2, page2 = self.page("/units/bildung" + months[1])
        self.assertNotEqual(page2.caption, page.caption)

    def test_english_by_accept_language_and_by_switch(self):
        resp, text, page = self.page("/units/bildung", {"Accept-Language": "en-GB,en;q=0.9"})
        self.assertEqual(page.html_lang, "en")
        self.assertIn("Subscribe", text)
        self.assertIsNone(resp.getheader("Set-Cookie"))
        resp, text, page = self.page("/?lang=en")
        self.assertEqual(page.html_lang, "en")
        self.assertIn("Our network units", text)
        cookie = resp.getheader("Set-Cookie")
        self.assertRegex(cookie, r"^lang=en; Path=/;")
        # The cookie keeps the choice; the switch links back to German.
        _, _, page = self.page("/units/frauen", {"Cookie": "lang=en", "Accept-Language": "de"})
        self.assertEqual(page.html_lang, "en")
        self.assertIn("/units/frauen?lang=de", page.links)
        _, _, page = self.page("/", {"Accept-Language": "fr, de;q=0.5, en;q=0.4"})
        self.assertEqual(page.html_lang, "de")

    def test_event_and_occurrence_pages_show_places_and_rsvp(self):
        _, _, unit = self.page("/units/frauen")
        links = self.occurrence_links(unit)
        self.assertTrue(links)
        for link in links:
            resp, text, page = self.page(link)
            self.assertIn("Plätze", text)
            self.assertIn(re.sub(r"/\d{8}T\d{6}Z$", ".ics", link), page.links)
            self.assertEqual(resp.getheader("Cache-Control"), "private, no-store")
        # The workshop with 12 places: places left, and a guest form with a CSRF field.
        found = False
        for link in links:
            _, text, page = self.page(link)
            if "von 12 Plätzen frei" in text:
                found = True
                self.assertIn(link + "/guest-rsvp", [f.get("action") for f in page.forms])
                csrf = [i for i in page.inputs if i.get("name") == "csrf"]
                self.assertEqual(len(csrf), 1)
                self.assertRegex(csrf[0]["value"], r"^[A-Za-z0-9_-]{43}$")
        self.assertTrue(found, "an occurrence page shows the places left")
        # The CSRF token is the cookie's, not one from a cache shared with others.
        resp, text, page = self.page(links[0], {"Cookie": "csrf=" + "A" * 43})
        self.assertIsNone(resp.getheader("Set-Cookie"))
        if page.forms:
            self.assertIn('name="csrf" value="%s"' % ("A" * 43), text)
        # The event page links its occurrences.
        event = re.sub(r"/\d{8}T\d{6}Z$", "", links[0])
        _, _, page = self.page(event)
        self.assertTrue(self.occurrence_links(page))

    def test_member_sees_own_answer_and_anonymous_cache_stays_anonymous(self):
        token = subprocess.run([BINARY, "token", "create", "mitglied@example.org", "--data",
                                self.server.data], capture_output=True, text=True, timeout=30,
                               check=True).stdout.strip()
        bearer = {"Authorization": "Bearer " + token}
        _, _, unit = self.page("/units/frauen")
        link = self.occurrence_links(unit)[0]
        self.page(link)  # fills the anonymous cache first
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        event, key = re.fullmatch(r"/events/(\d+)/(\w+)", link).groups()
        conn.request("PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (event, key),
                     body=json.dumps({"answer": "maybe"}),
                     headers=dict(bearer, **{"Content-Type": "application/json"}))
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        _, text, page = self.page(link, bearer)
        self.assertIn(link + "/rsvp", [f.get("action") for f in page.forms])
        self.assertIn("Deine Antwort: <strong>Vielleicht</strong>", text)
        self.assertIn("/me", page.links)
        _, text, page = self.page(link)
        self.assertNotIn("Vielleicht</strong>", text)
        self.assertIn(link + "/guest-rsvp", [f.get("action") for f in page.forms])
        self.assertIn("/login", page.links)

    def test_cancelled_occurrence_says_so_without_a_form(self):
        _, _, unit = self.page("/units/antifa")
        # The demo cancels the third Antifa meeting; look for it in the months around.
        seen = []
        for months in [l for l in unit.links if l.startswith("?month=")]:
            _, _, page = self.page("/units/antifa" + months)
            seen += self.occurrence_links(page)
        seen += self.occurrence_links(unit)
        cancelled = []
        for link in sorted(set(seen)):
            _, text, page = self.page(link)
            if "Dieser Termin fällt aus" in text:
                cancelled.append(link)
                self.assertEqual(page.forms, [])
        self.assertTrue(cancelled, "the cancelled demo meeting has a page that says so")

    def test_unknown_pages_are_404_in_the_readers_language(self):
        for path in ("/units/nope", "/events/999", "/events/1/20200101T000000Z",
                     "/events/1/garbage", "/events/abc", "/units/"):
            _, text, page = self.page(path, status=404)
            self.assertEqual(page.html_lang, "de", path)
            self.assertIn("Seite nicht gefunden", text)
        _, text, page = self.page("/units/nope", {"Accept-Language": "en"}, status=404)
        self.assertIn("Page not found", text)

    def test_static_files_are_immutable_with_content_type(self):
        _, _, page = self.page("/")
        resp, body = self.get(page.scripts[0]["src"])
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/javascript; charset=utf-8")
        self.assertEqual(resp.getheader("Cache-Control"), "public, max-age=31536000, immutable")
        self.assertIn(b"clipboard", body)
        text = self.get("/")[1].decode()
        css = re.search(r'<link rel="stylesheet" href="(/static/style\.[0-9a-f]{12}\.css)">',
                        text).group(1)
        resp, body = self.get(css)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/css; charset=utf-8")
        self.assertEqual(resp.getheader("Cache-Control"), "public, max-age=31536000, immutable")
        self.assertEqual(self.get("/static/style.css")[0].status, 404)
        self.assertEqual(self.get("/static/nope.0123456789ab.js")[0].status, 404)

    def test_head_and_other_methods(self):
        resp, body = self.get("/units/bildung", method="HEAD")
        self.assertEqual(resp.status, 200)
        self.assertEqual(body, b"")
        resp, _ = self.get("/units/bildung", method="DELETE")
        self.assertEqual(resp.status, 405)
        self.assertEqual(resp.getheader("Allow"), "GET, HEAD")

    def test_feeds_still_served_beside_the_pages(self):
        resp, body = self.get("/units/bildung.ics")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/calendar; charset=utf-8")
        resp, _ = self.get("/events/1.ics")
        self.assertEqual(resp.status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
