#!/usr/bin/python3
"""A member's personal feed (/feeds/{secret}.ics), its link and rotation (/api/v1/me/feed),
API tokens (/api/v1/me/tokens) and the configurable RSVP rate limits, over a real loopback
socket against `treffpunkt serve --demo`.

Usage: personal_feed_test.py PATH/TO/treffpunkt
"""
import datetime
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"


def later(days, hour=19):
    d = test_clock.today() + datetime.timedelta(days=days)
    return "%sT%02d:00" % (d.isoformat(), hour)


class Reply:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.text = raw.decode("utf-8")

    @property
    def json(self):
        return json.loads(self.raw)

    def header(self, name):
        return self.headers.get(name.lower())


def call(port, method, path, token=None, body=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        h["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request(method, path, body=data, headers=h)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw)


def cli(server, *args):
    done = subprocess.run([BINARY, *args, "--data", server.data], capture_output=True, text=True,
                          timeout=30)
    if done.returncode != 0:
        raise RuntimeError("%s: %s" % (args, done.stderr))
    return done.stdout.strip()


def uids(ics):
    unfolded = ics.replace("\r\n ", "")
    return set(re.findall(r"^UID:(.*)\r$", unfolded, re.M))


def new_event(port, admin, unit="bildung", **fields):
    body = {"title": "Testtreffen", "start": later(20), "duration_minutes": 90}
    body.update(fields)
    made = call(port, "POST", "/api/v1/units/%s/events" % unit, admin, body=body)
    assert made.status == 201, made.raw
    day = made.json["start"][:10]
    listing = call(port, "GET", "/api/v1/units/%s/occurrences?from=%s&to=%s" % (unit, day, day))
    key = [o["key"] for o in listing.json["occurrences"] if o["event"] == made.json["id"]][0]
    return made.json, key


class PersonalFeed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY)
        cls.port = cls.server.port
        cli(cls.server, "admin", "add", ADMIN)
        cls.admin = cli(cls.server, "token", "create", ADMIN)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def call(self, *args, **kw):
        return call(self.port, *args, **kw)

    def test_feed_link_follows_rsvps_etag_and_rotation(self):
        member = cli(self.server, "token", "create", "feeder@example.org")
        self.assertEqual(self.call("GET", "/api/v1/me/feed").status, 401)

        link = self.call("GET", "/api/v1/me/feed", member)
        self.assertEqual(link.status, 200, link.raw)
        got = link.json
        self.assertTrue(got["new"])
        secret = re.fullmatch(r"/feeds/([A-Za-z0-9_-]{43})\.ics", got["path"]).group(1)
        self.assertEqual(got["url"], "http://127.0.0.1:%d%s" % (self.port, got["path"]))
        self.assertEqual(got["webcal"], "webcal://127.0.0.1:%d%s" % (self.port, got["path"]))
        # The link is shown once: the store keeps only the secret's hash.
        again = self.call("GET", "/api/v1/me/feed", member).json
        self.assertFalse(again["new"])
        self.assertIsNone(again["url"])
        self.assertEqual(again["id"], got["id"])

        # Nothing followed, nothing answered: an empty calendar with the member's name.
        feed = self.call("GET", got["path"])
        self.assertEqual(feed.status, 200, feed.raw)
        self.assertEqual(feed.header("Content-Type"), "text/calendar; charset=utf-8")
        self.assertIn("METHOD:PUBLISH", feed.text)
        self.assertIn("treffpunkt – feeder@example.org", feed.text)
        self.assertEqual(uids(feed.text), set())
        self.assertNotIn(secret, feed.text)
        etag = feed.header("ETag")
        self.assertEqual(self.call("GET", got["path"], headers={"If-None-Match": etag}).status,
                         304)
        self.assertEqual(self.call("GET", got["path"], headers={
            "If-Modified-Since": feed.header("Last-Modified")}).status, 304)
        head = self.call("HEAD", got["path"])
        self.assertEqual((head.status, head.raw), (200, b""))
        self.assertEqual(self.call("POST", got["path"]).status, 405)

        # Following a unit brings all its events in.
        self.assertEqual(self.call("PUT", "/api/v1/units/frauen/follow", member).status, 200)
        frauen = uids(self.call("GET", "/units/frauen.ics").text)
        self.assertTrue(frauen)
        feed = self.call("GET", got["path"], headers={"If-None-Match": etag})
        self.assertEqual(feed.status, 200)
        self.assertEqual(uids(feed.text), frauen)
        etag = feed.header("ETag")

        # A yes to one occurrence of a series of another unit brings that occurrence alone.
        series, key = new_event(self.port, self.admin, title="Lesekreis", start=later(9),
                                rrule="FREQ=WEEKLY;COUNT=4")
        series_path = "/api/v1/events/%d/occurrences/%s/rsvp" % (series["id"], key)
        self.assertEqual(self.call("PUT", series_path, member, body={"answer": "yes"}).status,
                         200)
        feed = self.call("GET", got["path"], headers={"If-None-Match": etag})
        self.assertEqual(feed.status, 200)
        self.assertEqual(uids(feed.text), frauen | {series["uid"] + "-" + key})
        self.assertNotIn("RRULE", feed.text.split(series["uid"] + "-" + key)[1].split("END:VEVENT")[0])
        # A change to a followed unit's events reaches the feed too.
        extra, _ = new_event(self.port, self.admin, unit="frauen", title="Zusatztermin")
        feed = self.call("GET", got["path"])
        self.assertIn(extra["uid"], uids(feed.text))
        # Saying no takes it out again.
        self.assertEqual(self.call("PUT", series_path, member, body={"answer": "no"}).status, 200)
        self.assertNotIn(series["uid"] + "-" + key, uids(self.call("GET", got["path"]).text))

        # Rotating: a new link, and the old one answers 404 like any unknown secret.
        rotated = self.call("POST", "/api/v1/me/feed/rotate", member)
        self.assertEqual(rotated.status, 200, rotated.raw)
        self.assertTrue(rotated.json["new"])
        self.assertNotEqual(rotated.json["path"], got["path"])
        self.assertEqual(self.call("GET", got["path"]).status, 404)
        self.assertEqual(self.call("GET", rotated.json["path"]).status, 200)
        self.assertEqual(self.call("GET", "/feeds/" + "A" * 43 + ".ics").status, 404)
        self.assertEqual(self.call("GET", "/feeds/../calendar.ics").status, 404)
        self.assertEqual(self.call("GET", "/api/v1/me/feed/rotate", member).status, 405)

        # An API token is not a feed secret, nor the other way round.
        self.assertEqual(self.call("GET", "/feeds/%s.ics" % member).status, 404)
        new_secret = rotated.json["path"][len("/feeds/"):-len(".ics")]
        self.assertEqual(self.call("GET", "/api/v1/me", new_secret).status, 401)

        # No secret in the access log.
        log = self.server.log()
        self.assertIn("path=/feeds/…", log)
        for s in (secret, new_secret, member):
            self.assertNotIn(s, log)

    def test_kind_filters_the_personal_feed_as_the_units_feeds(self):
        member = cli(self.server, "token", "create", "kinds@example.org")
        self.assertEqual(self.call("PUT", "/api/v1/units/frauen/follow", member).status, 200)
        path = self.call("GET", "/api/v1/me/feed", member).json["path"]
        for kind, label in (("meeting", "CATEGORIES:Treffen"),
                            ("exchange_offer", "CATEGORIES:Austauschangebot")):
            feed = self.call("GET", path + "?kind=" + kind)
            self.assertEqual(feed.status, 200, feed.raw)
            self.assertEqual(feed.header("Cache-Control"), "private, max-age=300")
            public = self.call("GET", "/units/frauen.ics?kind=" + kind).text
            self.assertTrue(uids(public))
            self.assertEqual(uids(feed.text), uids(public))
            self.assertEqual(feed.text.count("CATEGORIES:"), feed.text.count(label))
            again = self.call("GET", path + "?kind=" + kind,
                              headers={"If-None-Match": feed.header("ETag")})
            self.assertEqual((again.status, again.raw), (304, b""))
        self.assertEqual(self.call("GET", path + "?kind=offers").status, 400)
        # A secret that is not one stays 404, whatever the query.
        self.assertEqual(self.call("GET", "/feeds/" + "A" * 43 + ".ics?kind=offers").status, 404)

    def test_waitlisted_yes_is_not_in_the_feed_until_moved_up(self):
        first = cli(self.server, "token", "create", "first@example.org")
        waiting = cli(self.server, "token", "create", "waiting@example.org")
        event, key = new_event(self.port, self.admin, title="Kleine Runde", capacity=1)
        path = "/api/v1/events/%d/occurrences/%s/rsvp" % (event["id"], key)
        feed = self.call("GET", "/api/v1/me/feed", waiting).json["path"]
        self.assertEqual(self.call("PUT", path, first, body={"answer": "yes"}).json["state"],
                         "going")
        self.assertEqual(self.call("PUT", path, waiting, body={"answer": "yes"}).json["state"],
                         "waitlisted")
        self.assertNotIn(event["uid"], uids(self.call("GET", feed).text))
        # Someone else's withdrawal moves them up: their feed changes with it.
        self.assertEqual(self.call("PUT", path, first, body={"answer": "no"}).status, 200)
        self.assertIn(event["uid"], uids(self.call("GET", feed).text))

    def test_api_tokens_list_create_revoke(self):
        owner = cli(self.server, "token", "create", "owner@example.org")
        other = cli(self.server, "token", "create", "other@example.org")
        self.assertEqual(self.call("GET", "/api/v1/me/tokens").status, 401)
        listed = self.call("GET", "/api/v1/me/tokens", owner)
        self.assertEqual(listed.status, 200, listed.raw)
        self.assertEqual(len(listed.json["tokens"]), 1)
        self.assertNotIn(owner, listed.text)

        made = self.call("POST", "/api/v1/me/tokens", owner)
        self.assertEqual(made.status, 201, made.raw)
        fresh = made.json["token"]
        self.assertRegex(made.json["id"], r"^[0-9a-f]{16}$")
        self.assertEqual(self.call("GET", "/api/v1/me", fresh).json["email"], "owner@example.org")
        listed = self.call("GET", "/api/v1/me/tokens", owner).json["tokens"]
        self.assertEqual(len(listed), 2)
        self.assertIn(made.json["id"], [t["id"] for t in listed])
        for t in listed:
            self.assertEqual(set(t), {"id", "created", "expires"})
            self.assertNotIn(fresh, json.dumps(t))
        self.assertEqual(self.call("POST", "/api/v1/me/tokens", owner, body={}).status, 201)
        bad = self.call("POST", "/api/v1/me/tokens", owner, body={"name": "x"})
        self.assertEqual((bad.status, bad.json["error"]["field"]), (422, "name"))

        # Someone else cannot revoke it, nor learn that it exists.
        gone = self.call("DELETE", "/api/v1/me/tokens/" + made.json["id"], other)
        self.assertEqual(gone.status, 404)
        self.assertEqual(self.call("GET", "/api/v1/me", fresh).status, 200)
        done = self.call("DELETE", "/api/v1/me/tokens/" + made.json["id"], owner)
        self.assertEqual(done.status, 200, done.raw)
        self.assertEqual(done.json, {"id": made.json["id"], "revoked": True})
        self.assertEqual(self.call("GET", "/api/v1/me", fresh).status, 401)
        self.assertEqual(self.call("DELETE", "/api/v1/me/tokens/" + made.json["id"],
                                   owner).status, 404)
        self.assertEqual(self.call("DELETE", "/api/v1/me/tokens/nothex", owner).status, 404)
        self.assertEqual(self.call("GET", "/api/v1/me/tokens/" + made.json["id"],
                                   owner).status, 405)
        # Revoking the token one is using works, and is the last thing it does.
        own_id = [t["id"] for t in self.call("GET", "/api/v1/me/tokens", other).json["tokens"]][0]
        self.assertEqual(self.call("DELETE", "/api/v1/me/tokens/" + own_id, other).status, 200)
        self.assertEqual(self.call("GET", "/api/v1/me/tokens", other).status, 401)


class RsvpLimits(unittest.TestCase):
    def rsvps(self, server, count):
        cli(server, "admin", "add", ADMIN)
        admin = cli(server, "token", "create", ADMIN)
        event, key = new_event(server.port, admin)
        path = "/api/v1/events/%d/occurrences/%s/rsvp" % (event["id"], key)
        token = cli(server, "token", "create", "eager@example.org")
        return [call(server.port, "PUT", path, token,
                     body={"answer": "yes" if i % 2 == 0 else "no"}) for i in range(count)]

    def test_low_limit_per_person_gives_429_with_retry_after(self):
        server = Server(BINARY, "--rsvp-limit-per-person", "2")
        try:
            replies = self.rsvps(server, 3)
        finally:
            server.stop()
        self.assertEqual([r.status for r in replies], [200, 200, 429])
        self.assertEqual(replies[2].json["error"]["code"], "rate_limited")
        self.assertTrue(1 <= int(replies[2].header("Retry-After")) <= 30)

    def test_limit_per_address_from_the_environment(self):
        server = Server(BINARY, env={"TREFFPUNKT_RSVP_LIMIT_PER_ADDRESS": "1"})
        try:
            replies = self.rsvps(server, 2)
        finally:
            server.stop()
        self.assertEqual([r.status for r in replies], [200, 429])
        self.assertGreaterEqual(int(replies[1].header("Retry-After")), 1)

    def test_zero_turns_the_limits_off(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write("rsvp_limit_per_address = 0\n")
        server = Server(BINARY, "--config", f.name, "--rsvp-limit-per-person=0")
        try:
            replies = self.rsvps(server, 40)  # above the default 30 per person
        finally:
            server.stop()
            os.unlink(f.name)
        self.assertEqual({r.status for r in replies}, {200})

    def test_bad_values_are_refused_naming_the_option(self):
        done = subprocess.run([BINARY, "serve", "--rsvp-limit-per-person", "-1"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 2)
        self.assertIn("--rsvp-limit-per-person", done.stderr)
        helped = subprocess.run([BINARY, "serve", "--help"], capture_output=True, text=True,
                                timeout=30)
        self.assertIn("TREFFPUNKT_RSVP_LIMIT_PER_PERSON", helped.stdout)
        self.assertIn("rsvp_limit_per_address = N", helped.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
