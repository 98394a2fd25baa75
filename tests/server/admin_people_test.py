#!/usr/bin/python3
"""An admin deletes someone else's account on /admin/people (their erasure request by email,
or when they lost their address): found by exact address, deleted only with the CSRF token and
the ticked confirmation, never the last admin, and only by admins. Afterwards their session is
dead, their address is found no more, and the place they held went to the waitlist. Over a real
loopback socket, the member logged in by the emailed link (Maildir).

Usage: admin_people_test.py PATH/TO/treffpunkt
"""
import datetime
import json
import os
import re
import subprocess
import sys
import unittest
from urllib.parse import quote, urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail_login import login, request  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
CSRF = "F" * 43
FORM = "application/x-www-form-urlencoded"
ADMIN = "admin@example.org"  # the only admin: no test here makes another
MEMBER = "mitglied@example.org"


def cli(server, *args):
    return subprocess.run([BINARY, *args, "--data", server.data], capture_output=True, text=True,
                          timeout=30, check=True).stdout.strip()


class AdminPeople(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY)
        cli(cls.server, "admin", "add", ADMIN)
        cls.tokens = {who: cli(cls.server, "token", "create", who) for who in (ADMIN, MEMBER)}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def page(self, path, who=ADMIN, session=None):
        h = {"Cookie": "csrf=" + CSRF}
        if session:
            h["Cookie"] += "; session=" + session
        else:
            h["Authorization"] = "Bearer " + self.tokens[who]
        return request(self.server, "GET", path, headers=h)

    def delete(self, person, who=ADMIN, confirm=True, csrf_field=CSRF, csrf_cookie=CSRF):
        fields = {"person": str(person)}
        if confirm:
            fields["confirm"] = "yes"
        if csrf_field:
            fields["csrf"] = csrf_field
        h = {"Content-Type": FORM, "Authorization": "Bearer " + self.tokens[who]}
        if csrf_cookie:
            h["Cookie"] = "csrf=" + csrf_cookie
        return request(self.server, "POST", "/admin/people/delete", urlencode(fields), h)

    def found(self, address, lang=""):
        """The page of a search for `address` and the person id of its delete form, if any."""
        status, _, body = self.page("/admin/people?email=" + quote(address) + lang)
        self.assertEqual(status, 200, body)
        self.check_page(body)
        person = re.search(r'<input type="hidden" name="person" value="(\d+)">', body)
        return body, person.group(1) if person else None

    def check_page(self, text):
        """No inline script or style; the search form is GET without the token (it would end up
        in the URL), every other form a POST with it; labels; aria-describedby targets."""
        self.assertTrue(text.startswith("<!doctype html>"))
        self.assertEqual(len(re.findall(r"<h1[ >]", text)), 1)
        self.assertNotRegex(text, r"<script(?![^>]*\ssrc=)[^>]*>")
        self.assertNotRegex(text, r"\son[a-z]+=")
        self.assertNotIn("style=", text)
        for form in re.findall(r"<form\b.*?</form>", text, re.S):
            if 'method="get"' in form:
                self.assertNotIn('name="csrf"', form)
            else:
                self.assertIn('method="post"', form)
                self.assertRegex(form, r'name="csrf" value="[A-Za-z0-9_-]{43}"')
        labels = set(re.findall(r'<label[^>]* for="([^"]+)"', text))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", text):
            if 'type="hidden"' in tag:
                continue
            found = re.search(r'id="([^"]+)"', tag)
            self.assertTrue(found and found.group(1) in labels, "unlabelled %s" % tag)
        for ids in re.findall(r'aria-describedby="([^"]+)"', text):
            for i in ids.split():
                self.assertIn('id="%s"' % i, text)

    def api(self, method, path, who, body=None):
        h = {"Authorization": "Bearer " + self.tokens[who]}
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body)
        status, _, text = request(self.server, method, path, body, h)
        return status, json.loads(text) if text.startswith("{") else text

    def test_admin_finds_a_member_and_deletes_them_with_confirmation(self):
        address = "geht.auf.wunsch@example.org"
        session = login(self.server, address)
        self.tokens[address] = cli(self.server, "token", "create", address)
        # They hold the only place of a session; the member waits for it.
        day = (test_clock.today() + datetime.timedelta(days=40)).isoformat()
        status, event = self.api("POST", "/api/v1/units/bildung/events", ADMIN,
                                 {"title": "Lesekreis", "start": day + "T19:00",
                                  "duration_minutes": 90, "capacity": 1})
        self.assertEqual(status, 201, event)
        status, listing = self.api(
            "GET", "/api/v1/units/bildung/occurrences?from=%s&to=%s" % (day, day), ADMIN)
        key = [o["key"] for o in listing["occurrences"] if o["event"] == event["id"]][0]
        base = "/api/v1/events/%d/occurrences/%s" % (event["id"], key)
        self.assertEqual(self.api("PUT", base + "/rsvp", address, {"answer": "yes"})[1]["state"],
                         "going")
        self.assertEqual(self.api("PUT", base + "/rsvp", MEMBER, {"answer": "yes"})[1]["state"],
                         "waitlisted")

        # The overview links the page; the search trims and ignores case.
        status, _, admin_home = self.page("/admin")
        self.assertIn('href="/admin/people"', admin_home)
        typed = "  Geht.Auf.Wunsch@Example.org "
        body, person = self.found(typed)
        self.assertTrue(person, body[:3000])
        self.assertIn(address, body)
        self.assertIn("Dabei seit", body)
        self.assertIn("Mitglied", body)
        self.assertIn('action="/admin/people/delete"', body)
        self.assertIn('name="confirm" type="checkbox" value="yes" required '
                      'aria-describedby="delete-warning"', body)
        # The language switch keeps the search.
        self.assertIn('href="/admin/people?email=%s&amp;lang=en"' % quote(typed), body)
        english, _ = self.found(address, "&lang=en")
        self.assertIn("Delete account", english)
        self.assertIn("Here since", english)

        # Not ticked: 422, the page again with the reason next to the box; nothing deleted.
        status, _, body = self.delete(person, confirm=False)
        self.assertEqual(status, 422, body)
        self.check_page(body)
        self.assertIn("Das Konto ist nicht gelöscht.", body)
        self.assertIn('aria-describedby="delete-warning e-confirm" aria-invalid="true"', body)
        # No token, a wrong one, or a token without its cookie: 403; nothing deleted.
        for field, cookie in ((None, CSRF), ("G" * 43, CSRF), (CSRF, None)):
            status, _, _ = self.delete(person, csrf_field=field, csrf_cookie=cookie)
            self.assertEqual(status, 403, (field, cookie))
        self.assertEqual(self.page("/me", session=session)[0], 200)
        self.assertEqual(self.found(address)[1], person)

        status, headers, body = self.delete(person)
        self.assertEqual(status, 303, body)
        self.assertEqual(headers["location"], "/admin/people?done=deleted")
        status, _, body = self.page(headers["location"])
        self.assertEqual(status, 200)
        self.assertIn("Konto gelöscht.", body)
        self.assertNotIn(address, body)

        # Their session and token are dead, their address is found no more.
        status, headers, _ = self.page("/me", session=session)
        self.assertEqual(status, 303)
        self.assertTrue(headers["location"].startswith("/login"))
        self.assertEqual(self.api("GET", "/api/v1/me", address)[0], 401)
        body, gone = self.found(address)
        self.assertIsNone(gone)
        self.assertIn("gibt es kein Konto", body)
        self.assertIsNone(self.found("deleted:" + person)[1])  # nor the tombstone
        # Deleted already: 404.
        self.assertEqual(self.delete(person)[0], 404)
        self.assertEqual(self.delete("999999")[0], 404)
        # Their place went to the waitlist.
        status, occurrence = self.api("GET", base, ADMIN)
        self.assertEqual((occurrence["going"], occurrence["waitlisted"]), (1, 0), occurrence)
        self.assertEqual(self.api("GET", base + "/rsvp", MEMBER)[1]["state"], "going")

    def test_the_last_admin_is_refused_with_409(self):
        body, me = self.found(ADMIN)
        self.assertIn("Admin", body)
        status, _, body = self.delete(me)
        self.assertEqual(status, 409, body)
        self.check_page(body)
        self.assertIn("letzte Admin-Person", body)
        self.assertEqual(self.page("/admin")[0], 200)
        self.assertEqual(self.found(ADMIN)[1], me)

    def test_only_admins_may_use_it(self):
        _, admin = self.found(ADMIN)
        for path in ("/admin/people", "/admin/people?email=" + quote(ADMIN)):
            status, _, body = self.page(path, MEMBER)
            self.assertEqual(status, 403, path)
            self.assertNotIn(ADMIN, body)
            status, headers, _ = request(self.server, "GET", path)
            self.assertEqual(status, 303)
            self.assertTrue(headers["location"].startswith("/login?next=/admin/people"))
        status, _, _ = self.delete(admin, who=MEMBER)
        self.assertEqual(status, 403)
        self.assertEqual(self.found(ADMIN)[1], admin)
        # GET is not a way to delete: the route takes POST only (405 from the route table).
        self.assertEqual(self.page("/admin/people/delete")[0], 405)


if __name__ == "__main__":
    unittest.main()
