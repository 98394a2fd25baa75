#!/usr/bin/python3
"""Security headers on every answer over a real loopback socket (issue 7): pages carry a
Content-Security-Policy without 'unsafe-inline' that forbids framing, and every answer says
nosniff and no-referrer (links can carry secrets).

Usage: security_headers_test.py PATH/TO/treffpunkt
"""
import http.client
import re
import sys
import unittest

from server_process import Server

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"


class SecurityHeaders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def get(self, path, method="GET"):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.request(method, path)
            r = conn.getresponse()
            body = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, body
        finally:
            conn.close()

    def page_paths(self):
        """Home, a unit page, an occurrence page it links and that occurrence's event page."""
        _, _, body = self.get("/units/bildung")
        occurrences = re.findall(r'href="(/events/\d+/\d{8}T\d{6}Z)"', body.decode())
        self.assertTrue(occurrences, "the demo unit page links its sessions")
        event = occurrences[0].rsplit("/", 1)[0]
        return ["/", "/?lang=en", "/units/bildung", event, occurrences[0], "/login",
                "/units/no-such-unit"]

    def test_pages_have_a_strict_content_security_policy(self):
        for path in self.page_paths():
            with self.subTest(path=path):
                status, headers, _ = self.get(path)
                self.assertIn(status, (200, 404))
                self.assertTrue(headers["content-type"].startswith("text/html"))
                csp = headers.get("content-security-policy", "")
                directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ") if d}
                self.assertEqual(directives.get("script-src"), ["'self'"])
                self.assertEqual(directives.get("style-src"), ["'self'"])
                self.assertEqual(directives.get("frame-ancestors"), ["'none'"])
                self.assertEqual(directives.get("default-src"), ["'none'"])
                self.assertNotIn("unsafe-inline", csp)
                self.assertNotIn("unsafe-eval", csp)
                self.assertEqual(headers.get("x-frame-options"), "DENY")
                self.assertEqual(headers.get("x-content-type-options"), "nosniff")
                self.assertEqual(headers.get("referrer-policy"), "no-referrer")

    def test_every_other_answer_says_nosniff_and_no_referrer(self):
        for path in ["/units/bildung.ics", "/calendar.ics", "/api/v1/units", "/healthz",
                     "/metrics", "/api/v1/no-such-route", "/feeds/" + "x" * 40 + ".ics"]:
            with self.subTest(path=path):
                status, headers, _ = self.get(path)
                self.assertLess(status, 500)
                self.assertEqual(headers.get("x-content-type-options"), "nosniff")
                if not headers["content-type"].startswith("text/calendar"):
                    self.assertEqual(headers.get("referrer-policy"), "no-referrer")
                # Only pages need a CSP; a feed or JSON is never rendered as a document.
                self.assertNotIn("content-security-policy", headers)

    def test_a_page_head_built_in_advance_says_what_the_field_list_says(self):
        """Pages served with a head built in advance (the usual answer) go out with the same
        fields, in the same order, as the same page answered field by field (as when the
        language switch was used, which also sets the `lang` cookie); HEAD says the same."""
        def fields(path, method="GET"):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            try:
                conn.request(method, path)
                r = conn.getresponse()
                body = r.read()
                return r.status, r.getheaders(), body
            finally:
                conn.close()
        event_page = self.page_paths()[3]
        for path in ["/units/bildung", "/", event_page]:
            with self.subTest(path=path):
                status, usual, body = fields(path)
                self.assertEqual(status, 200)
                switched_status, switched, switched_body = fields(path + "?lang=de")
                self.assertEqual(switched_status, 200)
                self.assertEqual(body, switched_body)
                cookies = [v for k, v in switched if k.lower() == "set-cookie"]
                self.assertEqual(len(cookies), 1)
                self.assertTrue(cookies[0].startswith("lang=de;"), cookies)
                rest = [(k, v) for k, v in switched if k.lower() != "set-cookie"]
                self.assertEqual([k for k, _ in usual], [k for k, _ in rest])
                self.assertEqual(dict(usual), dict(rest))
                self.assertEqual(dict(usual)["Content-Length"], str(len(body)))
                head_status, head, head_body = fields(path, "HEAD")
                self.assertEqual(head_status, 200)
                self.assertEqual(head_body, b"")
                self.assertEqual(head, usual)
        # A page with forms sets the CSRF cookie of a visitor who has none, on each answer.
        occurrence = self.page_paths()[4]
        first = dict(fields(occurrence)[1])
        second = dict(fields(occurrence)[1])
        self.assertTrue(first["Set-Cookie"].startswith("csrf="), first)
        self.assertNotEqual(first["Set-Cookie"], second["Set-Cookie"])
        self.assertEqual(first["Cache-Control"], "private, no-store")

    def test_feed_304_keeps_its_prebuilt_head(self):
        status, headers, _ = self.get("/units/bildung.ics")
        self.assertEqual(status, 200)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.request("GET", "/units/bildung.ics", headers={"If-None-Match": headers["etag"]})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 304)
        finally:
            conn.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
