#!/usr/bin/python3
"""Login by emailed one-time link over a real loopback socket: the JSON API and the HTML form
(with its CSRF token), the mail as it lands in DATA/mail/new (parsed with Python's email
package) or at a real SMTP server (smtp_server.py, aiosmtpd), the session cookie, single use,
expiry, logout, CSRF refusals, rate limits, and no account enumeration.

Usage: login_test.py PATH/TO/treffpunkt
"""
import email
import email.policy
import glob
import html
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail_login import open_login_link  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
SMTP_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notifications",
                           "smtp_server.py")
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/login/[A-Za-z0-9_-]+)")


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.body = status, body
        self.headers = headers  # list of (name lower-cased, value)

    def header(self, name):
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def cookies(self):
        """Set-Cookie values by cookie name."""
        out = {}
        for n, v in self.headers:
            if n == "set-cookie":
                out[v.split("=", 1)[0]] = v
        return out

    def json(self):
        return json.loads(self.body)


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        return Reply(r.status, [(k.lower(), v) for k, v in r.getheaders()],
                     r.read().decode("utf-8"))
    finally:
        conn.close()


def use_link(server, path):
    """Opens an emailed login link and presses its button, as the member does (mail_login)."""
    return Reply(*open_login_link(server.port, path))


def api_login(server, address):
    return request(server, "POST", "/api/v1/login", json.dumps({"email": address}),
                   {"Content-Type": "application/json"})


def mails(server):
    return sorted(glob.glob(os.path.join(server.data, "mail", "new", "*")))


def wait_for_mails(count, list_them, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        found = list_them()
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def parse(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def link_of(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = LINK.search(text)
    assert found, text
    return found.group(1)


def session_of(reply):
    """The session cookie's value from a Set-Cookie answer."""
    return reply.cookies()["session"].split(";", 1)[0].split("=", 1)[1]


def csrf_from_page(reply):
    found = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', reply.body)
    assert found, reply.body
    return found.group(1)


class LoginFlow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY, demo=False)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def login_by_api(self, address):
        before = set(mails(self.server))
        sent = api_login(self.server, address)
        self.assertEqual(sent.status, 202, sent.body)
        found = wait_for_mails(len(before) + 1, lambda: mails(self.server))
        new = [p for p in found if p not in before]
        self.assertEqual(len(new), 1)
        return parse(new[0])

    def test_api_link_logs_in_once_and_logout_ends_the_session(self):
        message = self.login_by_api("Jana.Neu@Example.org")
        self.assertIn("jana.neu@example.org", message["To"])
        self.assertEqual(str(message["Subject"]), "Dein Anmeldelink für treffpunkt")
        link = link_of(message)

        opened = use_link(self.server, link)
        self.assertEqual(opened.status, 303, opened.body)
        self.assertEqual(opened.header("Location"), "/")
        cookie = opened.cookies()["session"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Lax", cookie)
        self.assertIn("Path=/", cookie)
        self.assertNotIn("Secure", cookie)  # the base URL is http here
        session = session_of(opened)

        me = request(self.server, "GET", "/api/v1/me", headers={"Cookie": "session=" + session})
        self.assertEqual(me.status, 200, me.body)
        self.assertEqual(me.json()["email"], "jana.neu@example.org")

        again = use_link(self.server, link)
        self.assertEqual(again.status, 410)
        self.assertIn("abgelaufen oder wurde schon benutzt", again.body)
        self.assertIn('href="/login"', again.body)
        self.assertNotIn("session", again.cookies())

        # A cookie-authenticated write that is not JSON could come from a cross-site form.
        refused = request(self.server, "POST", "/api/v1/logout", "",
                          {"Cookie": "session=" + session, "Content-Type": "text/plain"})
        self.assertEqual(refused.status, 403, refused.body)
        self.assertEqual(refused.json()["error"]["code"], "csrf")
        still = request(self.server, "GET", "/api/v1/me", headers={"Cookie": "session=" + session})
        self.assertEqual(still.status, 200)

        out = request(self.server, "POST", "/api/v1/logout", "{}",
                      {"Cookie": "session=" + session, "Content-Type": "application/json"})
        self.assertEqual(out.status, 204, out.body)
        self.assertIn("Max-Age=0", out.cookies()["session"])
        gone = request(self.server, "GET", "/api/v1/me", headers={"Cookie": "session=" + session})
        self.assertEqual(gone.status, 401)

    def test_logout_ends_only_that_session(self):
        sessions = []
        for _ in range(2):
            link = link_of(self.login_by_api("zwei.geraete@example.org"))
            sessions.append(session_of(use_link(self.server, link)))
        out = request(self.server, "POST", "/api/v1/logout", "{}",
                      {"Cookie": "session=" + sessions[0], "Content-Type": "application/json"})
        self.assertEqual(out.status, 204)
        self.assertEqual(request(self.server, "GET", "/api/v1/me",
                                 headers={"Cookie": "session=" + sessions[0]}).status, 401)
        self.assertEqual(request(self.server, "GET", "/api/v1/me",
                                 headers={"Cookie": "session=" + sessions[1]}).status, 200)

    def test_form_login_with_csrf_token(self):
        form = request(self.server, "GET", "/login")
        self.assertEqual(form.status, 200)
        self.assertIn('action="/login"', form.body)
        set_cookie = form.cookies()["csrf"]
        self.assertIn("HttpOnly", set_cookie)
        token = csrf_from_page(form)
        self.assertEqual(set_cookie.split(";", 1)[0], "csrf=" + token)

        before = set(mails(self.server))
        sent = request(self.server, "POST", "/login",
                       "csrf=%s&email=form.person%%40example.org" % token,
                       {"Cookie": "csrf=" + token,
                        "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(sent.status, 200, sent.body)
        self.assertIn("Wir haben dir einen Link geschickt", sent.body)
        found = wait_for_mails(len(before) + 1, lambda: mails(self.server))
        message = parse([p for p in found if p not in before][0])
        self.assertIn("form.person@example.org", message["To"])
        opened = use_link(self.server, link_of(message))
        self.assertEqual(opened.status, 303)
        session = session_of(opened)
        both = "csrf=%s; session=%s" % (token, session)

        # The logout form carries the same token; without it the session survives.
        page = request(self.server, "GET", "/logout", headers={"Cookie": both})
        self.assertEqual(csrf_from_page(page), token)
        self.assertNotIn("csrf", page.cookies())
        refused = request(self.server, "POST", "/logout", "",
                          {"Cookie": both, "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(refused.status, 403)
        self.assertEqual(request(self.server, "GET", "/api/v1/me",
                                 headers={"Cookie": "session=" + session}).status, 200)
        out = request(self.server, "POST", "/logout", "csrf=" + token,
                      {"Cookie": both, "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(out.status, 303)
        self.assertIn("Max-Age=0", out.cookies()["session"])
        self.assertEqual(request(self.server, "GET", "/api/v1/me",
                                 headers={"Cookie": "session=" + session}).status, 401)

    def test_form_post_without_valid_csrf_is_refused(self):
        token = csrf_from_page(request(self.server, "GET", "/login"))
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        before = len(mails(self.server))
        cases = [
            ("email=x%40example.org", {}),                                   # neither
            ("email=x%40example.org", {"Cookie": "csrf=" + token}),          # no field
            ("csrf=%s&email=x%%40example.org" % token, {}),                  # no cookie
            ("csrf=%s&email=x%%40example.org" % ("A" * 43), {"Cookie": "csrf=" + token}),
        ]
        for body, extra in cases:
            with self.subTest(body=body, headers=extra):
                r = request(self.server, "POST", "/login", body, {**form, **extra})
                self.assertEqual(r.status, 403)
        time.sleep(0.3)
        self.assertEqual(len(mails(self.server)), before)

    def test_unknown_and_known_addresses_get_the_same_answer(self):
        subprocess.run([BINARY, "token", "create", "bekannt@example.org", "--data",
                        self.server.data], check=True, capture_output=True)
        known = api_login(self.server, "bekannt@example.org")
        unknown = api_login(self.server, "unbekannt@example.org")
        self.assertEqual(known.status, unknown.status)
        self.assertEqual(known.body, unknown.body)
        strip = lambda r: sorted((n, v) for n, v in r.headers if n != "date")
        self.assertEqual(strip(known), strip(unknown))

    def test_bad_requests(self):
        self.assertEqual(api_login(self.server, "kein-at-zeichen").status, 422)
        r = request(self.server, "POST", "/api/v1/login", "email=a@example.org",
                    {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 415)
        self.assertEqual(request(self.server, "GET", "/api/v1/login").status, 405)
        self.assertEqual(request(self.server, "GET", "/login/kurz%20kaputt").status, 400)
        self.assertEqual(request(self.server, "GET", "/login/" + "A" * 43).status, 200)  # asks
        self.assertEqual(use_link(self.server, "/login/" + "A" * 43).status, 410)
        # HEAD (link checkers) does not use a link up.
        link = link_of(self.login_by_api("head@example.org"))
        self.assertEqual(request(self.server, "HEAD", link).status, 200)
        self.assertEqual(use_link(self.server, link).status, 303)
        # Pressing the button needs the page's CSRF token.
        refused = request(self.server, "POST", link, "",
                          {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(refused.status, 403)

    def test_a_mail_scanner_opening_the_link_first_uses_nothing_up(self):
        """Outlook's Safe Links and other scanners GET every link of a mail, without the
        member's cookies, before the member clicks. The link's GET is a page with a button."""
        link = link_of(self.login_by_api("gescannt@example.org"))
        for method in ("GET", "HEAD", "GET"):
            scanned = request(self.server, method, link)
            self.assertEqual(scanned.status, 200, scanned.body)
            self.assertNotIn("session", scanned.cookies())
        if scanned.body:
            self.assertIn("Jetzt anmelden", scanned.body)
            self.assertIn('<form method="post" action="%s">' % link, scanned.body)
        member = use_link(self.server, link)
        self.assertEqual(member.status, 303, member.body)
        session = session_of(member)
        me = request(self.server, "GET", "/api/v1/me", headers={"Cookie": "session=" + session})
        self.assertEqual(me.json()["email"], "gescannt@example.org")
        # Used now: a second press is 410, and the scanner's next look changes nothing.
        self.assertEqual(request(self.server, "GET", link).status, 200)
        self.assertEqual(use_link(self.server, link).status, 410)

    def test_metrics_show_the_outbox_depth(self):
        r = request(self.server, "GET", "/metrics")
        self.assertRegex(r.body, r"\ntreffpunkt_outbox_depth \d+\n")


FULL_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/login/[A-Za-z0-9_-]+(?:\?next=[^\s]*)?)")


class ReturnAfterLogin(unittest.TestCase):
    """/manage and /me send anonymous visitors to /login?next=PATH; the form and the emailed
    link carry `next`, and the link leads back there, but never to another site."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY, "--login-limit-per-ip", "200", demo=False)
        cls.count = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def form_login(self, next_field):
        """Sends the login form with `next_field` (as typed into the body); the link mailed."""
        type(self).count += 1
        token = csrf_from_page(request(self.server, "GET", "/login"))
        before = set(mails(self.server))
        body = "csrf=%s&email=zurueck%d%%40example.org" % (token, self.count)
        if next_field is not None:
            body += "&next=" + next_field
        sent = request(self.server, "POST", "/login", body,
                       {"Cookie": "csrf=" + token,
                        "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(sent.status, 200, sent.body)
        found = wait_for_mails(len(before) + 1, lambda: mails(self.server))
        text = parse([p for p in found if p not in before][0]).get_body(
            preferencelist=("plain",)).get_content()
        link = FULL_LINK.search(text)
        self.assertTrue(link, text)
        return link.group(1)

    def test_manage_and_me_come_back_after_the_emailed_link(self):
        for page in ("/manage", "/me"):
            with self.subTest(page=page):
                to_login = request(self.server, "GET", page)
                self.assertEqual(to_login.status, 303)
                self.assertEqual(to_login.header("Location"), "/login?next=" + page)
                form = request(self.server, "GET", to_login.header("Location"))
                self.assertIn('<input type="hidden" name="next" value="%s">' % page, form.body)
                # The language switch keeps it: "English" leads to the same form with `next`.
                switch = re.search(r'<a href="([^"]*)" hreflang="en"', form.body).group(1)
                self.assertEqual(html.unescape(switch), "/login?next=%s&lang=en" % page)
                english = request(self.server, "GET", html.unescape(switch))
                self.assertIn('<input type="hidden" name="next" value="%s">' % page,
                              english.body)
                link = self.form_login(page.replace("/", "%2F"))
                self.assertTrue(link.endswith("?next=" + page), link)
                opened = use_link(self.server, link)
                self.assertEqual(opened.status, 303)
                self.assertEqual(opened.header("Location"), page)
                self.assertIn("session", opened.cookies())

    def test_a_path_with_a_query_comes_back_whole(self):
        link = self.form_login("%2Fevents%2F1%2F20300101T100000Z%3Frsvp%3Dsaved%26x%3D1")
        opened = use_link(self.server, link)
        self.assertEqual(opened.header("Location"), "/events/1/20300101T100000Z?rsvp=saved&x=1")

    def test_without_next_the_link_leads_home(self):
        link = self.form_login(None)
        self.assertNotIn("next=", link)
        self.assertEqual(use_link(self.server, link).header("Location"), "/")

    # Each as it arrives in a query string or form body (percent-encoded once), then decoded.
    OTHER_SITES = [
        "//evil.example", "%2F%2Fevil.example", "/%2Fevil.example%2F", "%2F%5Cevil.example",
        "/%5Cevil.example", "%5C%5Cevil.example", "https://evil.example",
        "https%3A%2F%2Fevil.example%2Fme", "javascript:alert(1)", "evil.example",
        "%2F%09%2Fevil.example", "/me%0D%0ASet-Cookie:%20session=x", "%252F%252Fevil.example",
        "+//evil.example", "%20%2F%2Fevil.example", "%2F%00%2Fevil.example",
    ]

    def test_other_sites_are_never_where_a_login_leads(self):
        for bad in self.OTHER_SITES:
            with self.subTest(next=bad):
                # Not in the form ...
                form = request(self.server, "GET", "/login?next=" + bad)
                self.assertEqual(form.status, 200)
                self.assertNotIn('name="next"', form.body)
                # ... not in the mailed link ...
                link = self.form_login(bad)
                self.assertNotIn("next=", link)
                # ... and a link changed by hand leads home.
                opened = use_link(self.server, link + "?next=" + bad)
                self.assertEqual(opened.status, 303)
                self.assertEqual(opened.header("Location"), "/")


class ExpiredLink(unittest.TestCase):
    def test_an_expired_link_is_refused(self):
        server = Server(BINARY, "--login-link-seconds", "1", demo=False)
        try:
            self.assertEqual(api_login(server, "spaet@example.org").status, 202)
            found = wait_for_mails(1, lambda: mails(server))
            message = parse(found[0])
            self.assertIn("1 Sekunde", message.get_body(preferencelist=("plain",)).get_content())
            time.sleep(2.1)
            r = use_link(server, link_of(message))
            self.assertEqual(r.status, 410)
            self.assertIn('href="/login"', r.body)
        finally:
            server.stop()


class RateLimits(unittest.TestCase):
    def test_per_address(self):
        server = Server(BINARY, demo=False)
        try:
            for _ in range(5):
                self.assertEqual(api_login(server, "oft@example.org").status, 202)
            r = api_login(server, "oft@example.org")
            self.assertEqual(r.status, 429)
            self.assertEqual(r.json()["error"]["code"], "rate_limited")
            self.assertTrue(1 <= int(r.header("Retry-After")) <= 3600)
            # Another address from the same client is still served (per IP: 20 an hour).
            self.assertEqual(api_login(server, "anders@example.org").status, 202)
            self.assertEqual(len(wait_for_mails(6, lambda: mails(server))), 6)
        finally:
            server.stop()

    def test_per_client_address_and_the_form(self):
        server = Server(BINARY, "--login-limit-per-ip", "3", demo=False)
        try:
            for i in range(3):
                self.assertEqual(api_login(server, "p%d@example.org" % i).status, 202)
            token = csrf_from_page(request(server, "GET", "/login"))
            r = request(server, "POST", "/login", "csrf=%s&email=p9%%40example.org" % token,
                        {"Cookie": "csrf=" + token,
                         "Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(r.status, 429)
            self.assertIsNotNone(r.header("Retry-After"))
        finally:
            server.stop()


class Smtp(unittest.TestCase):
    """--smtp: the login mail goes to a real SMTP server (aiosmtpd) once, not to the Maildir."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="treffpunkt-smtp-")
        port_file = os.path.join(self.dir, "port")
        self.smtp = subprocess.Popen(["/usr/bin/python3", SMTP_SERVER, "--port", "0",
                                      "--port-file", port_file, "--dir", self.dir])
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.05)
        with open(port_file) as f:
            self.smtp_port = int(f.read())

    def tearDown(self):
        self.smtp.terminate()
        self.smtp.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def received(self):
        return sorted(glob.glob(os.path.join(self.dir, "*.eml")))

    def test_login_mail_arrives_once(self):
        server = Server(BINARY, "--smtp", "smtp://127.0.0.1:%d" % self.smtp_port,
                        "--base-url", "https://treffpunkt.example", demo=False)
        try:
            self.assertEqual(api_login(server, "smtp.person@example.org").status, 202)
            found = wait_for_mails(1, self.received)
            self.assertEqual(len(found), 1)
            time.sleep(1.0)
            self.assertEqual(len(self.received()), 1)
            message = parse(found[0])
            self.assertIn("smtp.person@example.org", message["To"])
            self.assertIn("treffpunkt@treffpunkt.example", message["From"])
            with open(found[0][:-4] + ".rcpt") as f:
                self.assertEqual(f.read().split(), ["smtp.person@example.org"])
            text = message.get_body(preferencelist=("plain",)).get_content()
            link = re.search(r"https://treffpunkt\.example(/login/[A-Za-z0-9_-]+)", text).group(1)
            self.assertEqual(mails(server), [])
            opened = use_link(server, link)
            self.assertEqual(opened.status, 303)
            self.assertIn("Secure", opened.cookies()["session"])  # the base URL is https
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                depth = request(server, "GET", "/metrics").body
                if "\ntreffpunkt_outbox_depth 0\n" in depth:
                    break
                time.sleep(0.1)
            self.assertIn("\ntreffpunkt_outbox_depth 0\n", depth)
        finally:
            server.stop()

    def test_undeliverable_mail_stays_in_the_outbox(self):
        self.smtp.terminate()
        self.smtp.wait()
        server = Server(BINARY, "--smtp", "smtp://127.0.0.1:%d" % self.smtp_port, demo=False)
        try:
            self.assertEqual(api_login(server, "wartet@example.org").status, 202)
            time.sleep(0.5)
            self.assertIn("\ntreffpunkt_outbox_depth 1\n", request(server, "GET", "/metrics").body)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
