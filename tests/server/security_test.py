#!/usr/bin/python3
"""Issue 7's attacks in one place, each test named for its attack, against the real server on
loopback sending its mail to a real SMTP server (the aiosmtpd harness,
tests/notifications/smtp_server.py):

- XSS: payloads in every text field (unit name and description, event title, description,
  location, online link, a guest's and a responsible's name, a responsible's message) are looked
  for in every page that shows them (parsed with html.parser: no script, img or on* attribute
  came from data), in the feeds (parsed with python3-icalendar: the text comes back verbatim)
  and in the mails (HTML part escaped, headers one line);
- CSRF: every state-changing form POST without the token, with a wrong one, with another
  session's token: 403 and nothing changed;
- session fixation and logout;
- guessing feed secrets, guest RSVP links, unsubscribe links and API tokens: answers that do not
  tell a guess from a revoked secret;
- path traversal on /static/;
- header injection with CR/LF in names, subjects and titles;
- deeply nested JSON;
- SQL metacharacters in every text field, slug, id and query parameter.

Covered elsewhere and not repeated here: login link reuse (410) in login_test.py
test_api_link_logs_in_once_and_logout_ends_the_session and expiry in
test_an_expired_link_is_refused (--login-link-seconds); a body over the limit (413) in
api_test.py test_body_over_the_limit_is_413 and http_limits_test.py; traversal outside /static/
in http_limits_test.py test_path_traversal_is_404_never_a_file; the API's form-typed cookie
write (403 csrf) in login_test.py; security headers in security_headers_test.py.

Usage: security_test.py PATH/TO/treffpunkt
"""
import datetime
import email
import email.policy
import html.parser
import http.client
import json
import os
import re
import secrets
import socket
import sqlite3
import sys
import time
import unittest
from urllib.parse import quote, urlencode

import icalendar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import event_mail_test as base  # noqa: E402  (takes the binary from sys.argv)
from mail_login import open_login_link  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

ADMIN = "admin@example.org"
MEMBER = "mitglied@example.org"
OTHER = "andere@example.org"
BASE_URL = "http://127.0.0.1:8080"
FORM = "application/x-www-form-urlencoded"
LOGIN_LINK = re.compile(r"https?://[^/\s]+(/login/[A-Za-z0-9_-]+)")
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/rsvp/confirm/[A-Za-z0-9_-]+)")
CSRF_FIELD = re.compile(r'name="csrf" value="([A-Za-z0-9_-]{43})"')

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS = "javascript:alert(1)"
TEMPLATE = "{{x}}"
TEXTAREA = "</textarea><script>alert(2)</script>"

UNIT_NAME = "XSS " + SCRIPT + IMG
UNIT_DESCRIPTION = "[klick](" + JS + ") " + TEXTAREA + " " + TEMPLATE + ' <a href="' + JS + '">a</a>'
TITLE = SCRIPT + IMG + " " + TEMPLATE
DESCRIPTION = ("[klick](" + JS + ")\n\n" + TEXTAREA + "\n\n" + IMG + " " + TEMPLATE +
               '\n\n<a href="' + JS + '">roh</a> <iframe src="https://evil.example"></iframe>')
LOCATION = IMG + SCRIPT + " " + TEMPLATE
ONLINE = 'https://example.org/"><script>alert(1)</script>'
GUEST_NAME = IMG + " " + TEMPLATE
RESPONSIBLE_NAME = SCRIPT + " " + TEMPLATE
SUBJECT = SCRIPT + " " + TEMPLATE
BODY = TEXTAREA + "\n" + IMG + "\n" + TEMPLATE


def later(days, hour=19):
    d = test_clock.today() + datetime.timedelta(days=days)
    return "%sT%02d:00" % (d.isoformat(), hour)


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def cookie(self, name):
        for n, v in self.headers:
            if n == "set-cookie" and v.startswith(name + "="):
                return v.split(";", 1)[0].split("=", 1)[1]
        return None

    def json(self):
        return json.loads(self.body)


def request(port, method, path, body=None, headers=None, timeout=20):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        return Reply(r.status, [(k.lower(), v) for k, v in r.getheaders()],
                     r.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def raw_exchange(port, head):
    """Sends `head` as bytes (paths http.client would normalise) and returns (status, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(head)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


class Injected(html.parser.HTMLParser):
    """What in a page could run: script elements not from /static/, img/iframe/object/embed,
    on* attributes, javascript: URLs. Also collects the text, to see payloads as text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.text = []
        self.textareas = []
        self._in_textarea = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not (a.get("src") or "").startswith("/static/"):
            self.found.append("script %r" % (attrs,))
        if tag in ("img", "iframe", "object", "embed"):
            self.found.append("%s %r" % (tag, attrs))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append("%s on %s" % (name, tag))
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.found.append("%s=%s on %s" % (name, value, tag))
        if tag == "textarea":
            self._in_textarea = True
            self.textareas.append("")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._in_textarea = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_textarea:
            self.textareas[-1] += data


def scan(markup):
    p = Injected()
    p.feed(markup)
    p.close()
    return p


class Attacks(unittest.TestCase):
    """One server with SMTP, an admin, a member and the demo's responsibles."""

    @classmethod
    def setUpClass(cls):
        cls.smtp = base.SmtpSink()
        cls.tokens = {}

        def prepare(data):
            base.cli(data, "admin", "add", ADMIN)
            for who in (ADMIN, MEMBER, OTHER):
                cls.tokens[who] = base.cli(data, "token", "create", who)

        try:
            cls.server = Server(base.BINARY, "--base-url", BASE_URL, "--smtp",
                                "smtp://127.0.0.1:%d" % cls.smtp.port, prepare=prepare)
        except Exception:
            cls.smtp.stop()
            raise
        cls.port = cls.server.port
        cls.sessions = {}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.smtp.stop()

    # ---- helpers ---------------------------------------------------------------------------
    def api(self, method, path, who=None, body=None, raw=None, content_type=None, headers=None):
        h = dict(headers or {})
        if who:
            h["Authorization"] = "Bearer " + self.tokens[who]
        data = raw
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        if content_type:
            h["Content-Type"] = content_type
        return request(self.port, method, path, data, h)

    def mails_since(self, before, count, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            new = [p for p in self.smtp.files() if p not in before]
            if len(new) >= count or time.monotonic() > deadline:
                return [base.parse(p) for p in new]
            time.sleep(0.05)

    def login(self, address):
        """A session cookie for `address`, by the emailed link."""
        before = set(self.smtp.files())
        r = self.api("POST", "/api/v1/login", body={"email": address})
        self.assertEqual(r.status, 202, r.body)
        mails = [m for m in self.mails_since(before, 1) if address in str(m["To"])]
        self.assertTrue(mails, "no login mail to " + address)
        text = mails[-1].get_body(preferencelist=("plain",)).get_content()
        opened = Reply(*open_login_link(self.port, LOGIN_LINK.search(text).group(1)))
        self.assertEqual(opened.status, 303, opened.body)
        return opened.cookie("session")

    def session(self, address):
        if address not in self.sessions:
            self.sessions[address] = self.login(address)
        return self.sessions[address]

    def page(self, path, address=None, csrf=None):
        cookies = []
        if address:
            cookies.append("session=" + self.session(address))
        if csrf:
            cookies.append("csrf=" + csrf)
        return request(self.port, "GET", path, headers={"Cookie": "; ".join(cookies)})

    def form(self, path, fields, address=None, csrf_cookie=None):
        cookies = []
        if address:
            cookies.append("session=" + self.session(address))
        if csrf_cookie:
            cookies.append("csrf=" + csrf_cookie)
        return request(self.port, "POST", path, urlencode(fields),
                       {"Content-Type": FORM, "Cookie": "; ".join(cookies)})

    def assert_nothing_runs(self, what, markup):
        found = scan(markup)
        self.assertEqual(found.found, [], what)
        return found

    def db(self, query, *args):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.server.data, "treffpunkt.db"),
                             uri=True)
        try:
            return db.execute(query, args).fetchall()
        finally:
            db.close()

    def first_key(self, event_id, slug, day):
        r = self.api("GET", "/api/v1/units/%s/occurrences?from=%s&to=%s" % (slug, day, day))
        self.assertEqual(r.status, 200, r.body)
        return [o["key"] for o in r.json()["occurrences"] if o["event"] == event_id][0]

    def new_event(self, slug="frauen", who=ADMIN, **fields):
        body = {"title": "Treffen", "start": later(12), "duration_minutes": 90}
        body.update(fields)
        r = self.api("POST", "/api/v1/units/%s/events" % slug, who, body)
        self.assertEqual(r.status, 201, r.body)
        e = r.json()
        return e, self.first_key(e["id"], slug, e["start"][:10])

    def snapshot(self):
        """Everything a forged form could change, as the API and the database show it."""
        return (self.api("GET", "/api/v1/units").body,
                self.api("GET", "/api/v1/me", MEMBER).body,
                self.api("GET", "/api/v1/me/reminders", MEMBER).body,
                self.db("SELECT count(*), max(id) FROM events"),
                self.db("SELECT * FROM occurrence_overrides ORDER BY event_id, occurrence_key"),
                self.db("SELECT count(*) FROM rsvps"),
                self.db("SELECT * FROM responsibles ORDER BY unit_id, person_id"),
                self.db("SELECT id, name, email, admin, notices, lag_notices FROM people "
                        "ORDER BY id"),
                self.db("SELECT count(*) FROM outbox WHERE kind = 'message'"))

    # ---- XSS -------------------------------------------------------------------------------
    def test_xss_payloads_in_every_text_field_never_run_in_pages_feeds_or_mails(self):
        admin_csrf = "A" * 43
        # A unit, named and described with payloads, by the admin's form.
        r = self.form("/admin/units", {"csrf": admin_csrf, "slug": "xss", "name": UNIT_NAME,
                                       "description": UNIT_DESCRIPTION, "zone": "Europe/Berlin"},
                      ADMIN, admin_csrf)
        self.assertIn(r.status, (200, 303), r.body)
        self.assertEqual(self.api("GET", "/api/v1/units/xss").json()["name"], UNIT_NAME)
        # A responsible with a payload as their name.
        r = self.form("/admin/units/xss/responsibles",
                      {"csrf": admin_csrf, "email": "verantwortlich.xss@example.org",
                       "name": RESPONSIBLE_NAME}, ADMIN, admin_csrf)
        self.assertIn(r.status, (200, 303), r.body)
        # A javascript: online link is refused; a quoted one is kept as text.
        r = self.api("POST", "/api/v1/units/xss/events", ADMIN,
                     {"title": "x", "start": later(14), "online_url": JS})
        self.assertEqual(r.status, 422, r.body)
        before = set(self.smtp.files())
        e, key = self.new_event("xss", title=TITLE, description=DESCRIPTION, location=LOCATION,
                                online_url=ONLINE, capacity=5)
        got = self.api("GET", "/api/v1/events/%d" % e["id"]).json()
        self.assertEqual((got["title"], got["description"], got["location"], got["online_url"]),
                         (TITLE, DESCRIPTION, LOCATION, ONLINE))
        # The member RSVPs (a confirmation mail), a guest with a payload name confirms by link.
        r = self.api("PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (e["id"], key), MEMBER,
                     {"answer": "yes"})
        self.assertEqual(r.status, 200, r.body)
        r = self.api("POST", "/api/v1/events/%d/occurrences/%s/guest-rsvp" % (e["id"], key),
                     body={"name": GUEST_NAME, "email": "gast.xss@example.org", "answer": "yes"})
        self.assertEqual(r.status, 202, r.body)
        link_mail = [m for m in self.mails_since(before, 2) if "gast.xss" in str(m["To"])]
        self.assertTrue(link_mail)
        link = CONFIRM_LINK.search(
            link_mail[0].get_body(preferencelist=("plain",)).get_content()).group(1)
        asked = request(self.port, "GET", link)
        self.assert_nothing_runs("guest link page", asked.body)
        token = CSRF_FIELD.search(asked.body).group(1)
        confirmed = request(self.port, "POST", link, urlencode({"csrf": token}),
                            {"Content-Type": FORM, "Cookie": "csrf=" + token})
        self.assertEqual(confirmed.status, 200, confirmed.body)
        self.assert_nothing_runs("guest confirmed page", confirmed.body)
        # The responsibles' message with payloads in subject and text.
        r = self.api("POST", "/api/v1/events/%d/occurrences/%s/message" % (e["id"], key), ADMIN,
                     {"subject": SUBJECT, "body": BODY})
        self.assertEqual(r.status, 202, r.body)

        occurrence = "/events/%d/%s" % (e["id"], key)
        pages = [("/", None), ("/units/xss", None), ("/units/xss", MEMBER),
                 ("/events/%d" % e["id"], None), (occurrence, None), (occurrence, MEMBER),
                 ("/me", MEMBER), ("/manage", ADMIN), ("/manage/units/xss", ADMIN),
                 ("/manage/events/%d" % e["id"], ADMIN),
                 ("/manage/events/%d/edit" % e["id"], ADMIN),
                 ("/manage/events/%d/%s" % (e["id"], key), ADMIN), ("/admin", ADMIN),
                 ("/admin/outbox", ADMIN), ("/units/xss?lang=en", None)]
        seen_text = ""
        for path, who in pages:
            with self.subTest(page=path, who=who):
                r = self.page(path, who)
                self.assertEqual(r.status, 200, r.body[:300])
                found = self.assert_nothing_runs(path, r.body)
                seen_text += "".join(found.text)
                # Template syntax in data is data: shown as typed, never evaluated.
                self.assertNotIn("alert(1)</script>", r.body.replace(
                    "&lt;/script&gt;", ""), path)
        for payload in (TITLE, UNIT_NAME, GUEST_NAME.strip(), RESPONSIBLE_NAME, LOCATION):
            self.assertIn(payload, seen_text)  # shown verbatim, as text
        # The edit form's textarea holds the description whole (</textarea> did not end it).
        edit = scan(self.page("/manage/events/%d/edit" % e["id"], ADMIN).body)
        self.assertIn(TEXTAREA, "".join(edit.textareas))

        # The attendee list as CSV: the names as data.
        csv = self.page("/manage/events/%d/%s/attendees.csv" % (e["id"], key), ADMIN)
        self.assertEqual(csv.status, 200)
        self.assertTrue(csv.header("Content-Type").startswith("text/csv"))
        self.assertIn(GUEST_NAME.replace('"', '""'), csv.body)

        # Feeds: they parse, and the text comes back as it was written.
        for feed in ("/units/xss.ics", "/calendar.ics", "/events/%d.ics" % e["id"]):
            with self.subTest(feed=feed):
                r = request(self.port, "GET", feed)
                self.assertEqual(r.status, 200)
                cal = icalendar.Calendar.from_ical(r.body)
                ours = [c for c in cal.walk("VEVENT") if str(c.get("SUMMARY")) == TITLE]
                self.assertTrue(ours, feed)
                self.assertEqual(str(ours[0].get("LOCATION")), LOCATION)
                self.assertIn(TEXTAREA, str(ours[0].get("DESCRIPTION")))
                for line in r.body.split("\r\n"):
                    self.assertNotIn("\n", line)
                    self.assertFalse(line.startswith(("<", "ATTENDEE")), line)

        # Mails: the confirmation, the guest's link and confirmation, the message.
        mails = self.mails_since(before, 5)
        ours = [m for m in mails if "mitglied" in str(m["To"]) or "gast.xss" in str(m["To"])]
        self.assertGreaterEqual(len(ours), 4, [str(m["Subject"]) for m in mails])
        subjects = []
        for m in ours:
            with self.subTest(mail=str(m["Subject"])):
                for name, value in m.items():
                    self.assertNotIn("\n", str(value).replace("\r\n ", "").replace("\n ", ""),
                                     name)
                subjects.append(str(m["Subject"]))
                html_part = m.get_body(preferencelist=("html",))
                if html_part is not None:
                    found = self.assert_nothing_runs("mail " + str(m["Subject"]),
                                                     html_part.get_content())
                    text = "".join(found.text)
                    if "alert" in text:
                        self.assertIn("<script>alert", text)  # as text, escaped in the markup
        self.assertIn(SUBJECT, " ".join(subjects))

    # ---- CSRF ------------------------------------------------------------------------------
    def test_csrf_every_form_post_without_wrong_or_foreign_token_is_403_and_changes_nothing(self):
        e, key = self.new_event(capacity=3)
        occurrence = "/events/%d/%s" % (e["id"], key)
        manage = "/manage/events/%d" % e["id"]
        # Every state-changing form of the pages, /manage, /admin and login, with the
        # fields it needs (all but csrf): who posts it.
        forms = [
            (MEMBER, "/me/reminders", {"before": "60"}),
            (MEMBER, "/me/notices", {"notices": "0"}),
            (MEMBER, "/me/lag-notices", {}),
            (MEMBER, "/me/feed/rotate", {}),
            (MEMBER, "/me/delete", {"confirm": "yes"}),
            (MEMBER, "/units/bildung/follow", {"follow": "1"}),
            (MEMBER, occurrence + "/rsvp", {"answer": "yes"}),
            (None, occurrence + "/guest-rsvp",
             {"name": "Gast", "email": "csrf.gast@example.org", "answer": "yes"}),
            (ADMIN, "/admin/units", {"slug": "csrf", "name": "CSRF", "zone": "Europe/Berlin"}),
            (ADMIN, "/admin/units/frauen/responsibles",
             {"email": "csrf.verantwortlich@example.org", "name": "X"}),
            (ADMIN, "/manage/units/frauen/events/new",
             {"title": "CSRF", "kind": "meeting", "date": later(20)[:10],
              "start_time": "19:00", "end_time": "20:00", "repeat": "none"}),
            (ADMIN, manage + "/edit",
             {"title": "Gekapert", "kind": "meeting", "date": e["start"][:10],
              "start_time": "19:00", "end_time": "20:30", "repeat": "none"}),
            (ADMIN, manage + "/cancel", {}),
            (ADMIN, manage + "/" + key + "/cancel", {}),
            (ADMIN, manage + "/" + key + "/restore", {}),
            (ADMIN, manage + "/" + key + "/move", {"date": later(13)[:10], "start_time": "18:00",
                                                   "end_time": "19:00"}),
            (ADMIN, manage + "/" + key + "/message", {"subject": "CSRF", "body": "gekapert"}),
            (MEMBER, "/logout", {}),
            (None, "/login", {"email": "csrf.login@example.org"}),
        ]
        mine, theirs = "M" * 43, "T" * 43  # the victim's cookie, the attacker's own token
        self.session(MEMBER), self.session(ADMIN)  # logged in (login mails) before counting
        time.sleep(0.3)
        before = self.snapshot()
        mails_before = set(self.smtp.files())
        for who, path, fields in forms:
            for case, field, cookie in (("no token", None, mine),
                                        ("wrong token", "W" * 43, mine),
                                        ("another session's token", theirs, mine),
                                        ("token without its cookie", mine, None)):
                with self.subTest(form=path, case=case):
                    f = dict(fields)
                    if field:
                        f["csrf"] = field
                    r = self.form(path, f, who, cookie)
                    self.assertEqual(r.status, 403, r.body[:300])
        self.assertEqual(self.snapshot(), before)
        # The sessions still work (logout was refused), and no mail went out.
        self.assertEqual(self.page("/me", MEMBER).status, 200)
        time.sleep(0.3)
        self.assertEqual([p for p in self.smtp.files() if p not in mails_before], [])

    def test_csrf_json_api_refuses_a_cookie_write_sent_as_a_form(self):
        session = self.session(OTHER)
        for method, path, body in (("PUT", "/api/v1/units/bildung/follow", ""),
                                   ("PUT", "/api/v1/me/reminders", "reminders=60"),
                                   ("DELETE", "/api/v1/me", ""),
                                   ("POST", "/api/v1/me/tokens", "")):
            for content_type in (FORM, "text/plain", "multipart/form-data; boundary=x", None):
                with self.subTest(route=path, content_type=content_type):
                    h = {"Cookie": "session=" + session}
                    if content_type:
                        h["Content-Type"] = content_type
                    r = request(self.port, method, path, body, h)
                    self.assertEqual(r.status, 403, r.body)
                    self.assertEqual(r.json()["error"]["code"], "csrf")
        me = request(self.port, "GET", "/api/v1/me", headers={"Cookie": "session=" + session})
        self.assertEqual(me.json()["follows"], [])

    # ---- sessions --------------------------------------------------------------------------
    def test_session_fixation_a_planted_cookie_is_replaced_at_login_and_logout_kills_it(self):
        address = "fixiert@example.org"
        attacker = self.login("angreifer@example.org")
        for planted in ("F" * 43, attacker):
            with self.subTest(planted=planted[:4]):
                before = set(self.smtp.files())
                self.assertEqual(self.api("POST", "/api/v1/login", body={"email": address}).status,
                                 202)
                mail = [m for m in self.mails_since(before, 1) if address in str(m["To"])][-1]
                link = LOGIN_LINK.search(mail.get_body(preferencelist=("plain",)).get_content())
                opened = Reply(*open_login_link(self.port, link.group(1),
                                                {"Cookie": "session=" + planted}))
                self.assertEqual(opened.status, 303)
                fresh = opened.cookie("session")
                self.assertTrue(fresh)
                self.assertNotEqual(fresh, planted)
                # The planted cookie did not become the victim's session.
                planted_me = request(self.port, "GET", "/api/v1/me",
                                     headers={"Cookie": "session=" + planted})
                if planted == attacker:
                    self.assertEqual(planted_me.json()["email"], "angreifer@example.org")
                else:
                    self.assertEqual(planted_me.status, 401)
                # Logout ends the session on the server: the old cookie is anonymous after.
                token = "L" * 43
                out = request(self.port, "POST", "/logout", urlencode({"csrf": token}),
                              {"Content-Type": FORM,
                               "Cookie": "session=%s; csrf=%s" % (fresh, token)})
                self.assertEqual(out.status, 303)
                again = request(self.port, "GET", "/api/v1/me",
                                headers={"Cookie": "session=" + fresh})
                self.assertEqual(again.status, 401)
                me_page = request(self.port, "GET", "/me", headers={"Cookie": "session=" + fresh})
                self.assertEqual(me_page.status, 303)
                self.assertTrue(me_page.header("Location").startswith("/login"))

    # ---- guessing --------------------------------------------------------------------------
    def test_guessing_secrets_gets_the_same_answer_as_a_revoked_one(self):
        def guess():
            return secrets.token_urlsafe(32)

        def same(answers, paths):
            """One body for all, once the path each asked for (the page's language link
            repeats it) is taken out."""
            bodies = set()
            for a, p in zip(answers, paths):
                secret = p.rsplit("/", 1)[1].removesuffix(".ics")
                bodies.add(a.body.replace(secret, "SECRET"))
            self.assertEqual(len(bodies), 1, bodies)

        # Feed secrets: two guesses and a rotated (dead) real one answer alike.
        r = self.api("GET", "/api/v1/me/feed", OTHER)
        first = self.api("POST", "/api/v1/me/feed/rotate", OTHER).json()["path"]
        self.api("POST", "/api/v1/me/feed/rotate", OTHER)
        paths = ["/feeds/%s.ics" % guess(), "/feeds/%s.ics" % guess(), first]
        answers = [request(self.port, "GET", p) for p in paths]
        self.assertEqual({a.status for a in answers}, {404}, r.body)
        same(answers, paths)
        # Guest RSVP links.
        paths = ["/rsvp/confirm/" + guess() for _ in range(2)]
        answers = [request(self.port, "GET", p) for p in paths]
        self.assertEqual({a.status for a in answers}, {404})
        same(answers, paths)
        # Unsubscribe links: a real one's signature tampered with answers as a random one.
        before = set(self.smtp.files())
        e, key = self.new_event(capacity=3)
        self.api("PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (e["id"], key), OTHER,
                 {"answer": "yes"})
        self.api("POST", "/api/v1/events/%d/occurrences/%s/message" % (e["id"], key), ADMIN,
                 {"subject": "Hallo", "body": "Bis bald"})
        mails = [m for m in self.mails_since(before, 2) if OTHER in str(m["To"])
                 and m["List-Unsubscribe"]]
        self.assertTrue(mails)
        real = re.search(r"(/unsubscribe/[A-Za-z0-9_.-]+)", str(mails[-1]["List-Unsubscribe"]))
        self.assertTrue(real, str(mails[-1]["List-Unsubscribe"]))
        real = real.group(1)
        tampered = real[:-2] + ("AA" if not real.endswith("AA") else "BB")
        paths = [tampered, "/unsubscribe/" + guess(), "/unsubscribe/" + guess()]
        answers = [request(self.port, "GET", p) for p in paths]
        self.assertEqual({a.status for a in answers}, {404}, [a.status for a in answers])
        same(answers, paths)
        post = request(self.port, "POST", tampered, "List-Unsubscribe=One-Click",
                       {"Content-Type": FORM})
        self.assertEqual(post.status, 404)
        self.assertEqual(self.db("SELECT notices FROM people WHERE email = ?", OTHER), [(1,)])
        # API tokens: a guess and a revoked real one.
        made = self.api("POST", "/api/v1/me/tokens", OTHER).json()
        self.assertEqual(self.api("DELETE", "/api/v1/me/tokens/" + made["id"], OTHER).status, 200)
        answers = [request(self.port, "GET", "/api/v1/me",
                           headers={"Authorization": "Bearer " + t})
                   for t in (guess(), guess(), made["token"])]
        self.assertEqual({a.status for a in answers}, {401})
        self.assertEqual(len({a.body for a in answers}), 1)

    # ---- path traversal --------------------------------------------------------------------
    def test_path_traversal_on_static_never_leaves_the_embedded_assets(self):
        for path in (b"/static/../../etc/passwd", b"/static/%2e%2e/%2e%2e/etc/passwd",
                     b"/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", b"/static/%252e%252e%252fetc%252fpasswd",
                     b"/static/..%5c..%5cetc%5cpasswd", b"/static/..\\..\\etc\\passwd",
                     b"/static/....//....//etc/passwd", b"/static//etc/passwd",
                     b"/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", b"/static/.%00./etc/passwd",
                     b"/static/../../../../../../proc/self/environ", b"/static/"):
            with self.subTest(path=path):
                status, body = raw_exchange(
                    self.port, b"GET " + path + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                self.assertIn(status, (400, 404), path)
                self.assertNotIn(b"root:", body)
                self.assertNotIn(b"PATH=", body)
        # The real assets are there.
        page = self.page("/").body
        asset = re.search(r'(/static/[^"]+\.css)', page).group(1)
        self.assertEqual(request(self.port, "GET", asset).status, 200)

    # ---- header injection ------------------------------------------------------------------
    def test_header_injection_crlf_in_names_subjects_and_titles_is_refused(self):
        e, key = self.new_event(capacity=5)
        base_path = "/api/v1/events/%d/occurrences/%s" % (e["id"], key)
        evil = "Hallo\r\nBcc: opfer@example.org"
        # Guest names (API and form), subjects of messages, titles (API and form).
        r = self.api("POST", base_path + "/guest-rsvp",
                     body={"name": evil, "email": "crlf@example.org", "answer": "yes"})
        self.assertEqual(r.status, 422, r.body)
        r = self.api("POST", base_path + "/message", ADMIN, {"subject": evil, "body": "x"})
        self.assertEqual(r.status, 422, r.body)
        for field in ("title", "location"):
            with self.subTest(field=field):
                r = self.api("PATCH", "/api/v1/events/%d" % e["id"], ADMIN, {field: evil})
                self.assertEqual(r.status, 422, r.body)
                r = self.api("POST", "/api/v1/units/frauen/events", ADMIN,
                             {"title": "T", field: evil, "start": later(15)})
                self.assertEqual(r.status, 422, r.body)
        token = "H" * 43
        r = self.form("/events/%d/%s/guest-rsvp" % (e["id"], key),
                      {"csrf": token, "name": evil, "email": "crlf.form@example.org",
                       "answer": "yes"}, None, token)
        self.assertEqual(r.status, 422, r.body[:200])
        r = self.form("/manage/events/%d/%s/message" % (e["id"], key),
                      {"csrf": token, "subject": evil, "body": "x"}, ADMIN, token)
        self.assertEqual(r.status, 422, r.body[:200])
        r = self.form("/manage/units/frauen/events/new",
                      {"csrf": token, "title": evil, "kind": "meeting", "date": later(21)[:10],
                       "start_time": "19:00", "end_time": "20:00", "repeat": "none"},
                      ADMIN, token)
        self.assertEqual(r.status, 422, r.body[:200])
        self.assertEqual(self.db("SELECT count(*) FROM events WHERE title LIKE '%opfer%'"),
                         [(0,)])
        # An address with CR/LF is no address.
        r = self.api("POST", "/api/v1/login", body={"email": "a@example.org\r\nBcc: b@example.org"})
        self.assertEqual(r.status, 422, r.body)
        # What did go out has one-line headers and never the injected Bcc.
        time.sleep(0.5)
        for path in self.smtp.files():
            with open(path, "rb") as f:
                head = f.read().split(b"\r\n\r\n", 1)[0]
            self.assertNotIn(b"opfer@example.org", head)
            self.assertNotRegex(head, rb"(?m)^Bcc:")
            for line in head.split(b"\r\n"):
                self.assertNotIn(b"\n", line)
                self.assertNotIn(b"\r", line)
        self.assertEqual(self.db("SELECT count(*) FROM outbox WHERE recipient LIKE '%opfer%'"),
                         [(0,)])

    # ---- JSON bombs ------------------------------------------------------------------------
    def test_deeply_nested_json_is_400_quickly_and_the_server_lives(self):
        for body in ("[" * 100000, '{"title": ' + "[" * 100000 + "]" * 100000 + "}",
                     '{"a":' * 50000 + "1" + "}" * 50000):
            with self.subTest(size=len(body)):
                start = time.monotonic()
                r = self.api("POST", "/api/v1/units/frauen/events", ADMIN, raw=body,
                             content_type="application/json")
                self.assertLess(time.monotonic() - start, 2.0)
                self.assertIn(r.status, (400, 413), r.body[:200])
                self.assertEqual(r.json()["error"]["code"], "bad_json" if r.status == 400
                                 else r.json()["error"]["code"])
        self.assertEqual(request(self.port, "GET", "/healthz").status, 200)
        self.assertEqual(self.api("GET", "/api/v1/units").status, 200)

    # ---- SQL metacharacters ----------------------------------------------------------------
    def test_sql_metacharacters_are_stored_verbatim_or_refused_and_the_database_stays(self):
        nasty = ["'; DROP TABLE people; --", '" OR 1=1 --', "100% _wild_ %", "x' OR '1'='1",
                 "Robert'); DELETE FROM events; --", "\\'; SELECT * FROM tokens; --"]
        units_before = self.api("GET", "/api/v1/units").json()
        made = []
        for text in nasty:
            with self.subTest(text=text):
                e, key = self.new_event(title=text, description=text, location=text)
                got = self.api("GET", "/api/v1/events/%d" % e["id"]).json()
                self.assertEqual((got["title"], got["description"], got["location"]),
                                 (text, text, text))
                r = self.api("POST", "/api/v1/events/%d/occurrences/%s/guest-rsvp" % (
                    e["id"], key), body={"name": text, "email": "sql@example.org",
                                         "answer": "yes"})
                self.assertEqual(r.status, 202, r.body)
                page = self.page("/events/%d/%s" % (e["id"], key))
                self.assertIn(text, "".join(scan(page.body).text))
                made.append(e["id"])
        # NUL is a control character: refused, not cut off.
        r = self.api("POST", "/api/v1/units/frauen/events", ADMIN,
                     {"title": "vor\u0000nach", "start": later(16)})
        self.assertIn(r.status, (400, 422), r.body)
        # In slugs, ids, keys and query parameters: 4xx, never a 500 or more rows.
        for path in ("/api/v1/units/" + quote("frauen' OR '1'='1"),
                     "/api/v1/units/" + quote("%"), "/api/v1/units/" + quote("_"),
                     "/api/v1/events/" + quote("1 OR 1=1"), "/api/v1/events/" + quote("1;--"),
                     "/api/v1/events/%d/occurrences/%s" % (made[0], quote("' OR ''='")),
                     "/api/v1/units/frauen/occurrences?from=" + quote("2026-01-01' OR '1'='1"),
                     "/api/v1/units/frauen/occurrences?to=%25",
                     "/units/" + quote("'; DROP TABLE units; --"),
                     "/events/" + quote("1' OR '1'='1"),
                     "/units/" + quote("%") + ".ics"):
            with self.subTest(path=path):
                r = request(self.port, "GET", path)
                self.assertIn(r.status, (400, 404, 422), r.body[:200])
        # An address with a quote is an address.
        r = self.api("POST", "/api/v1/login", body={"email": "o'brien@example.org"})
        self.assertEqual(r.status, 202, r.body)
        # Everything is still there.
        self.assertEqual(self.api("GET", "/api/v1/units").json(), units_before)
        for event_id in made:
            self.assertEqual(self.api("GET", "/api/v1/events/%d" % event_id).status, 200)
        tables = {r[0] for r in self.db("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.assertTrue({"people", "events", "units", "tokens", "rsvps"} <= tables)
        self.assertGreater(self.db("SELECT count(*) FROM people")[0][0], 3)
        self.assertEqual(self.api("GET", "/api/v1/me", MEMBER).status, 200)


if __name__ == "__main__":
    unittest.main()
