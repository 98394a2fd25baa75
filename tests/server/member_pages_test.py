#!/usr/bin/python3
"""The member pages that act (issue 6), over a real loopback socket with real sessions (login
by the emailed link, read from DATA/mail/new): RSVP from the occurrence page (CSRF, login
redirect, the state shown after the 303, waitlist on a full occurrence, the area alone for
the script, errors with their status), follow and unfollow, the "me" page with its reminder
form and personal feed link, the RSVP rate limit, and /login in the shared layout.

Usage: member_pages_test.py PATH/TO/treffpunkt
"""
import email
import email.policy
import glob
import http.client
import json
import os
import re
import subprocess
import sys
import time
import unittest
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail_login import open_login_link  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
LOGIN_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/login/[A-Za-z0-9_-]+)")
CSRF = "C" * 43  # any 43 base64url characters: the double submit compares cookie and field
FORM = "application/x-www-form-urlencoded"


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.body = status, body
        self.headers = headers

    def header(self, name):
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def cookie(self, name):
        for n, v in self.headers:
            if n == "set-cookie" and v.startswith(name + "="):
                return v
        return None


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


def mails(server):
    return sorted(glob.glob(os.path.join(server.data, "mail", "new", "*")))


def wait_for(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def parse(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def mails_to(server, address):
    return [m for m in (parse(p) for p in mails(server)) if address in str(m["To"])]


def login(server, address):
    """A session cookie for `address`, by the emailed link as a person gets it."""
    before = len(mails_to(server, address))
    sent = request(server, "POST", "/api/v1/login", json.dumps({"email": address}),
                   {"Content-Type": "application/json"})
    assert sent.status == 202, sent.body
    found = wait_for(lambda: len(mails_to(server, address)) > before and mails_to(server, address))
    assert found, "no login mail to " + address
    text = found[-1].get_body(preferencelist=("plain",)).get_content()
    opened = Reply(*open_login_link(server.port, LOGIN_LINK.search(text).group(1)))
    assert opened.status == 303, opened.body
    return opened.cookie("session").split(";", 1)[0].split("=", 1)[1]


def cli(server, *args):
    return subprocess.run([BINARY, *args, "--data", server.data], capture_output=True, text=True,
                          timeout=30, check=True).stdout.strip()


def new_exchange(server, title, capacity, start="2031-12-02T19:00"):
    """A one-off exchange offer in Bildung, made by an admin; returns (event id, page path)."""
    token = cli(server, "token", "create", "admin.pages@example.org")
    cli(server, "admin", "add", "admin.pages@example.org")
    bearer = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    made = request(server, "POST", "/api/v1/units/bildung/events",
                   json.dumps({"title": title, "kind": "exchange_offer", "start": start,
                               "duration_minutes": 120, "capacity": capacity}), bearer)
    assert made.status == 201, made.body
    event = json.loads(made.body)["id"]
    day = start[:10]
    listed = request(server, "GET", "/api/v1/units/bildung/occurrences?from=%s&to=%s" % (day, day))
    key = [o["key"] for o in json.loads(listed.body)["occurrences"] if o["event"] == event][0]
    return event, "/events/%d/%s" % (event, key)


class MemberPages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY)
        cls.anna = login(cls.server, "anna.mitglied@example.org")
        cls.ben = login(cls.server, "ben.mitglied@example.org")
        cls.event, cls.full = new_exchange(cls.server, "Workshop: Pressearbeit", 1)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def cookies(self, session, csrf=CSRF, lang=None):
        parts = []
        if session:
            parts.append("session=" + session)
        if csrf:
            parts.append("csrf=" + csrf)
        if lang:
            parts.append("lang=" + lang)
        return "; ".join(parts)

    def post(self, path, fields, session=None, csrf=CSRF, extra=None):
        headers = {"Content-Type": FORM, "Cookie": self.cookies(session, csrf)}
        headers.update(extra or {})
        return request(self.server, "POST", path, urlencode(fields), headers)

    def get(self, path, session=None, headers=None):
        h = {"Cookie": self.cookies(session, CSRF)}
        h.update(headers or {})
        return request(self.server, "GET", path, headers=h)

    def assert_clean_html(self, reply):
        self.assertEqual(reply.header("Content-Type"), "text/html; charset=utf-8")
        self.assertIn("<main", reply.body)
        self.assertNotIn("style=", reply.body)
        self.assertNotRegex(reply.body, r"\son[a-z]+=")
        self.assertNotRegex(reply.body, r"<script(?![^>]*\ssrc=)[^>]*>")

    def test_anonymous_rsvp_goes_to_login(self):
        r = self.post(self.full + "/rsvp", {"answer": "yes", "csrf": CSRF})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/login?next=" + self.full)
        r = self.get("/me")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/login?next=/me")
        self.assertEqual(request(self.server, "GET", self.full + "/rsvp").status, 405)

    def test_rsvp_without_or_with_a_wrong_csrf_token_changes_nothing(self):
        session = login(self.server, "ohne.token@example.org")
        _, link = new_exchange(self.server, "Austausch ohne Token", 5, "2031-11-04T18:00")
        r = self.post(link + "/rsvp", {"answer": "yes"}, session)
        self.assertEqual(r.status, 403)
        self.assertIn("Das Formular war abgelaufen", r.body)
        self.assert_clean_html(r)
        r = self.post(link + "/rsvp", {"answer": "yes", "csrf": "D" * 43}, session)
        self.assertEqual(r.status, 403)
        r = self.post(link + "/rsvp", {"answer": "yes", "csrf": CSRF}, session, csrf=None)
        self.assertEqual(r.status, 403)
        self.assertIsNotNone(r.cookie("csrf"), "a fresh token to try again with")
        # English when the reader reads English.
        r = self.post(link + "/rsvp", {"answer": "yes"}, session,
                      extra={"Accept-Language": "en"})
        self.assertEqual(r.status, 403)
        self.assertIn("The form had expired", r.body)
        page = self.get(link, session)
        self.assertNotIn("Du bist dabei", page.body)
        self.assertIn("Noch 5 von 5 Plätzen frei", page.body)

    def test_rsvp_saves_sends_mail_and_shows_the_state_after_the_redirect(self):
        session = login(self.server, "clara.mitglied@example.org")
        _, link = new_exchange(self.server, "Austausch mit Plätzen", 5, "2031-10-07T18:00")
        before = len(mails_to(self.server, "clara.mitglied@example.org"))
        r = self.post(link + "/rsvp", {"answer": "yes", "csrf": CSRF}, session)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("Location"), link + "?rsvp=saved")
        page = self.get(link + "?rsvp=saved", session)
        self.assertEqual(page.status, 200)
        self.assertIn("Deine Antwort ist gespeichert.", page.body)
        self.assertIn("Du bist dabei.", page.body)
        self.assertIn('aria-pressed="true">Ja</button>', page.body)
        self.assertEqual(page.header("Cache-Control"), "private, no-store")
        # The confirmation mail, as the API's RSVP sends it.
        self.assertTrue(wait_for(lambda: len(mails_to(self.server, "clara.mitglied@example.org"))
                                 > before), "no confirmation mail")
        # Without the flag, the state but no "saved"; withdrawing says so.
        page = self.get(link, session)
        self.assertNotIn("gespeichert", page.body)
        r = self.post(link + "/rsvp", {"answer": "no", "csrf": CSRF}, session)
        self.assertEqual(r.status, 303)
        self.assertIn("Abgesagt", self.get(link + "?rsvp=saved", session).body)
        # A bad answer: 422, nothing changed.
        r = self.post(link + "/rsvp", {"answer": "jein", "csrf": CSRF}, session)
        self.assertEqual(r.status, 422)
        self.assertIn("Bitte wähle Ja, Vielleicht oder Nein.", r.body)

    def test_full_occurrence_puts_the_second_on_the_waitlist_and_moves_them_up(self):
        r = self.post(self.full + "/rsvp", {"answer": "yes", "csrf": CSRF}, self.anna)
        self.assertEqual(r.status, 303, r.body)
        r = self.post(self.full + "/rsvp", {"answer": "yes", "csrf": CSRF}, self.ben)
        self.assertEqual(r.status, 303, r.body)
        page = self.get(self.full + "?rsvp=saved", self.ben)
        self.assertIn("Du stehst auf der Warteliste (Platz 1).", page.body)
        me = self.get("/me", self.ben)
        self.assertIn("Workshop: Pressearbeit", me.body)
        self.assertIn("Warteliste (Platz 1)", me.body)
        self.assertIn('href="%s"' % self.full, me.body)
        placed = lambda: [m for m in mails_to(self.server, "ben.mitglied@example.org")
                          if str(m["Subject"]).startswith("Du bist dabei: Workshop")]
        self.assertEqual(placed(), [], "no place, no confirmation")
        # Anna withdraws, by the script's request: the area alone comes back.
        r = self.post(self.full + "/rsvp", {"answer": "no", "csrf": CSRF, "fragment": "rsvp"},
                      self.anna)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.body.startswith('<section class="rsvp"'), r.body[:80])
        self.assertNotIn("<main", r.body)
        self.assertIn("Abgesagt", r.body)
        self.assertIn("Du bist dabei.", self.get(self.full, self.ben).body)
        # The promotion mail: now Ben has a place.
        self.assertTrue(wait_for(placed), "no promotion mail to the one moved up")

    def test_past_occurrence_refuses_with_409(self):
        _, link = new_exchange(self.server, "Schon vorbei", 5, "2020-01-14T18:00")
        r = self.post(link + "/rsvp", {"answer": "yes", "csrf": CSRF}, self.anna)
        self.assertEqual(r.status, 409)
        self.assertIn("hat schon begonnen oder ist vorbei", r.body)

    def test_follow_and_unfollow(self):
        session = login(self.server, "folgt@example.org")
        page = self.get("/units/antifa", session)
        self.assertIn('action="/units/antifa/follow"', page.body)
        self.assertIn(">Folgen</button>", page.body)
        self.assertEqual(self.post("/units/antifa/follow", {"follow": "1"}, session).status, 403)
        r = self.post("/units/antifa/follow", {"follow": "1", "csrf": CSRF}, session)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/units/antifa")
        page = self.get("/units/antifa", session)
        self.assertIn(">Nicht mehr folgen</button>", page.body)
        me = self.get("/me", session)
        self.assertIn('href="/units/antifa"', me.body)
        r = self.post("/units/antifa/follow", {"follow": "0", "back": "me", "csrf": CSRF},
                      session)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/me?done=unfollowed")
        me = self.get("/me?done=unfollowed", session)
        self.assertIn("Du folgst der Netzwerkstelle nicht mehr.", me.body)
        self.assertNotIn('action="/units/antifa/follow"', me.body)
        # Anonymous: no button; the cached anonymous page stays without one.
        self.assertNotIn("/follow", request(self.server, "GET", "/units/antifa").body)

    def test_reminder_form(self):
        session = login(self.server, "erinnert@example.org")
        me = self.get("/me", session)
        self.assertEqual(me.status, 200)
        self.assert_clean_html(me)
        self.assertIn("gilt die Voreinstellung: 1 Tag und 2 Stunden vorher", me.body)
        self.assertRegex(me.body, r'value="1440" checked> 1 Tag vorher')
        self.assertRegex(me.body, r'value="60"> 1 Stunde vorher')
        r = self.post("/me/reminders", [("csrf", CSRF), ("before", "60")], session)
        self.assertEqual(r.status, 303, r.body)
        me = self.get(r.header("Location"), session)
        self.assertIn("Deine Erinnerungen sind gespeichert.", me.body)
        self.assertIn("Du bekommst Erinnerungen 1 Stunde vorher.", me.body)
        self.assertRegex(me.body, r'value="60" checked>')
        self.assertRegex(me.body, r'value="1440">')
        # Nothing ticked: none.
        r = self.post("/me/reminders", {"csrf": CSRF}, session)
        self.assertEqual(r.status, 303)
        self.assertIn("Du bekommst keine Erinnerungen.", self.get("/me", session).body)
        # Out of range: 422, nothing written.
        r = self.post("/me/reminders", [("csrf", CSRF), ("before", "1")], session)
        self.assertEqual(r.status, 422)
        self.assertIn("Diese Auswahl geht nicht", r.body)
        r = self.post("/me/reminders", [("before", "60")], session)
        self.assertEqual(r.status, 403)
        self.assertIn("Du bekommst keine Erinnerungen.", self.get("/me", session).body)

    def test_feed_rotate_shows_a_link_once_that_serves_the_feed(self):
        session = login(self.server, "kalender@example.org")
        me = self.get("/me", session)
        self.assertIn(">Link erzeugen</button>", me.body)
        self.assertNotIn("/feeds/", me.body)
        r = self.post("/me/feed/rotate", {"csrf": CSRF}, session)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Cache-Control"), "private, no-store")
        found = re.search(r'value="http://127\.0\.0\.1:\d+(/feeds/[A-Za-z0-9_-]+\.ics)"', r.body)
        self.assertTrue(found, r.body)
        self.assertIn('href="webcal://127.0.0.1:%d%s"' % (self.server.port, found.group(1)),
                      r.body)
        self.assertIn("Ein früherer Link funktioniert nicht mehr", r.body)
        feed = request(self.server, "GET", found.group(1))
        self.assertEqual(feed.status, 200)
        self.assertIn("BEGIN:VCALENDAR", feed.body)
        # Later, the page says there is a link but cannot show it; a new one ends the old.
        me = self.get("/me", session)
        self.assertNotIn("/feeds/", me.body)
        self.assertIn(">Neuen Link erzeugen</button>", me.body)
        self.assertIn("Der alte Link hört dann auf zu funktionieren", me.body)
        again = self.post("/me/feed/rotate", {"csrf": CSRF}, session)
        self.assertEqual(request(self.server, "GET", found.group(1)).status, 404)
        second = re.search(r'(/feeds/[A-Za-z0-9_-]+\.ics)"', again.body).group(1)
        self.assertEqual(request(self.server, "GET", second).status, 200)
        self.assertEqual(self.post("/me/feed/rotate", {}, session).status, 403)

    def test_me_page_in_english(self):
        r = self.get("/me?lang=en", self.anna)
        self.assertEqual(r.status, 200)
        self.assertIn('<html lang="en">', r.body)
        self.assertIn("Logged in as anna.mitglied@example.org", r.body)
        self.assertIn("Remind me by email", r.body)

    def test_login_page_in_the_layout_and_both_languages(self):
        r = request(self.server, "GET", "/login")
        self.assertEqual(r.status, 200)
        self.assert_clean_html(r)
        self.assertIn('<html lang="de">', r.body)
        self.assertIn('<label for="login-email">E-Mail-Adresse</label>', r.body)
        r = request(self.server, "GET", "/login", headers={"Accept-Language": "en"})
        self.assertIn('<html lang="en">', r.body)
        self.assertIn("Send link", r.body)
        # A bad address: the form again with the value and the error next to the field.
        r = request(self.server, "POST", "/login", urlencode({"email": "kein-at", "csrf": CSRF}),
                    {"Content-Type": FORM, "Cookie": "csrf=" + CSRF})
        self.assertEqual(r.status, 400)
        self.assertIn('value="kein-at" aria-invalid="true" aria-describedby="login-email-error"',
                      r.body)
        self.assertIn('id="login-email-error"', r.body)
        r = request(self.server, "GET", "/login/" + "A" * 43, headers={"Accept-Language": "en"})
        self.assertEqual(r.status, 200)  # a link's page asks first, in the reader's language
        self.assertIn("Log in now", r.body)
        r = Reply(*open_login_link(self.server.port, "/login/" + "A" * 43,
                                   {"Accept-Language": "en"}))
        self.assertEqual(r.status, 410)
        self.assertIn("<main", r.body)
        self.assertIn("Link expired", r.body)


class RsvpRateLimit(unittest.TestCase):
    def test_the_pages_limit_rsvps_as_the_api_does(self):
        server = Server(BINARY, "--rsvp-limit-per-person", "2")
        try:
            session = login(server, "schnell@example.org")
            _, link = new_exchange(server, "Viele Klicks", 5)
            headers = {"Content-Type": FORM, "Cookie": "session=%s; csrf=%s" % (session, CSRF)}
            statuses = []
            for answer in ("yes", "no", "yes"):
                statuses.append(request(server, "POST", link + "/rsvp",
                                        urlencode({"answer": answer, "csrf": CSRF}),
                                        headers).status)
            self.assertEqual(statuses[:2], [303, 303])
            self.assertEqual(statuses[2], 429)
            r = request(server, "POST", link + "/rsvp", urlencode({"answer": "yes", "csrf": CSRF}),
                        headers)
            self.assertEqual(r.status, 429)
            self.assertTrue(r.header("Retry-After"))
            self.assertIn("Warte bitte eine Minute", r.body)
            self.assertIn("Abgesagt", r.body, "the last saved answer stands")
        finally:
            server.stop()


    def test_the_api_and_the_pages_share_one_allowance(self):
        server = Server(BINARY, "--rsvp-limit-per-person", "2")
        try:
            event, link = new_exchange(server, "Beides", 5)
            key = link.rsplit("/", 1)[1]
            api_path = "/api/v1/events/%d/occurrences/%s/rsvp" % (event, key)

            def by_page(session, answer):
                return request(server, "POST", link + "/rsvp",
                               urlencode({"answer": answer, "csrf": CSRF}),
                               {"Content-Type": FORM,
                                "Cookie": "session=%s; csrf=%s" % (session, CSRF)}).status

            def by_api(session, answer):
                return request(server, "PUT", api_path, json.dumps({"answer": answer}),
                               {"Content-Type": "application/json",
                                "Cookie": "session=" + session}).status

            # One through each uses up an allowance of two; the third is refused either way.
            for first, second, third in ((by_api, by_page, by_page),
                                         (by_page, by_api, by_api)):
                with self.subTest(third=third.__name__):
                    session = login(server, "beides.%s@example.org" % third.__name__)
                    self.assertEqual(first(session, "yes"), 200 if first is by_api else 303)
                    self.assertEqual(second(session, "maybe"), 200 if second is by_api else 303)
                    self.assertEqual(third(session, "no"), 429)
        finally:
            server.stop()

if __name__ == "__main__":
    unittest.main(verbosity=2)
