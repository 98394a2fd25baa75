#!/usr/bin/python3
"""A member's data on /me (issue 7, privacy): "Meine Daten herunterladen" gives the JSON of
GET /api/v1/me/export with the session cookie, and "Konto löschen" deletes the account only
with the CSRF token and the ticked confirmation; afterwards the session is dead, the address is
gone from everything an admin can export, and it can sign up again. Over a real loopback
socket, logging in by the emailed link (Maildir).

Usage: account_pages_test.py PATH/TO/treffpunkt
"""
import json
import os
import subprocess
import sys
import unittest
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail_login import login, request  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
CSRF = "D" * 43
FORM = "application/x-www-form-urlencoded"


def cli(server, *args):
    return subprocess.run([BINARY, *args, "--data", server.data], capture_output=True, text=True,
                          timeout=30, check=True).stdout.strip()


class AccountPages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def get(self, path, session):
        return request(self.server, "GET", path,
                       headers={"Cookie": "session=%s; csrf=%s" % (session, CSRF)})

    def post(self, path, fields, session, csrf_cookie=CSRF):
        cookie = "session=" + session + ("; csrf=" + csrf_cookie if csrf_cookie else "")
        return request(self.server, "POST", path, urlencode(fields),
                       {"Content-Type": FORM, "Cookie": cookie})

    def test_download_link_gives_the_members_data_as_a_file(self):
        session = login(self.server, "lade.herunter@example.org")
        status, _, me = self.get("/me", session)
        self.assertEqual(status, 200)
        self.assertIn('<a href="/api/v1/me/export" download>Meine Daten herunterladen</a>', me)
        status, headers, body = self.get("/api/v1/me/export", session)
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["content-disposition"].startswith("attachment"))
        self.assertEqual(json.loads(body)["person"]["email"], "lade.herunter@example.org")
        # Without a session: nobody's data.
        status, _, _ = request(self.server, "GET", "/api/v1/me/export")
        self.assertEqual(status, 401)

    def test_delete_needs_csrf_and_confirmation_then_ends_everything(self):
        address = "geht.jetzt@example.org"
        session = login(self.server, address)
        status, _, me = self.get("/me", session)
        self.assertIn('action="/me/delete"', me)
        self.assertIn('name="confirm" value="yes" required', me)
        # No token, a wrong one, or a token without its cookie: 403, nothing deleted.
        for fields, cookie in (({"confirm": "yes"}, CSRF),
                               ({"confirm": "yes", "csrf": "E" * 43}, CSRF),
                               ({"confirm": "yes", "csrf": CSRF}, None)):
            status, _, _ = self.post("/me/delete", fields, session, cookie)
            self.assertEqual(status, 403, fields)
            self.assertEqual(self.get("/me", session)[0], 200)
        # Not ticked: 422 and an explanation, nothing deleted.
        status, _, body = self.post("/me/delete", {"csrf": CSRF}, session)
        self.assertEqual(status, 422)
        self.assertIn("Dein Konto ist nicht gelöscht.", body)
        self.assertEqual(self.get("/me", session)[0], 200)
        # GET is not a way to delete.
        self.assertEqual(self.get("/me/delete", session)[0], 405)

        status, headers, _ = self.post("/me/delete", {"csrf": CSRF, "confirm": "yes"}, session)
        self.assertEqual(status, 303)
        self.assertEqual(headers["location"], "/")
        self.assertIn("session=;", headers["set-cookie"])
        self.assertIn("Max-Age=0", headers["set-cookie"])
        # The old cookie is dead on the server, not just cleared in the browser.
        status, headers, _ = self.get("/me", session)
        self.assertEqual(status, 303)
        self.assertTrue(headers["location"].startswith("/login"))
        # The admin's full export no longer has the address, not even in the outbox.
        everything = cli(self.server, "export")
        self.assertNotIn(address, everything)
        # The address signs up again as somebody new.
        again = login(self.server, address)
        status, _, body = self.get("/api/v1/me", again)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["follows"], [])

    def test_the_last_admin_cannot_delete_their_account(self):
        cli(self.server, "admin", "add", "einzige.admin@example.org")
        session = login(self.server, "einzige.admin@example.org")
        status, _, body = self.post("/me/delete", {"csrf": CSRF, "confirm": "yes"}, session)
        self.assertEqual(status, 409, body)
        self.assertIn("letzte Admin-Person", body)
        self.assertEqual(self.get("/me", session)[0], 200)


if __name__ == "__main__":
    unittest.main()
