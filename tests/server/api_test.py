#!/usr/bin/python3
"""The JSON API under /api/v1 over a real loopback socket: every route, the error shapes,
validation, authentication, the permission matrix, the RSVP flow with its waitlist, the rate
limit, and the examples of docs/api.md (run as written, so that the document cannot rot).

Usage: api_test.py PATH/TO/treffpunkt

With TREFFPUNKT_TEST_POSTGRES set (ctest's Serve.JsonApiOnPostgres), every server and CLI call
runs on a fresh PostgreSQL database of that cluster (--database) instead of SQLite.
"""
import datetime
import http.client
import json
import os
import re
import shutil
import sqlite3
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)
import pg_database

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "api.md")

MEMBER = "member@example.org"
RESPONSIBLE = "rosa.schererz@demo.invalid"  # Frauen*
OTHER_RESPONSIBLE = "oleg.shevchenko@demo.invalid"  # Bildung
ADMIN = "admin@example.org"


def later(days, hour=19):
    """A local time `days` from today, as the API reads it."""
    d = test_clock.today() + datetime.timedelta(days=days)
    return "%sT%02d:00" % (d.isoformat(), hour)


def soon(seconds):
    """A local time (Europe/Berlin, with seconds) `seconds` from now on the tests' clock: the
    server's clock, started later, is a little behind it, so this is at least as far ahead
    for the server."""
    t = test_clock.now() + datetime.timedelta(seconds=seconds)
    return t.astimezone(test_clock.ZONE).strftime("%Y-%m-%dT%H:%M:%S")


def wait_until_started(test, put):
    """Calls `put()` until the occurrence has started on the server's clock (it is refused
    with 409 occurrence_not_started until then); returns the first other answer. A minute at
    most: a busy machine (CI, PostgreSQL) starts the server well after the tests' clock."""
    deadline = time.monotonic() + 60
    while True:
        resp = put()
        if resp.status != 409 or resp.json["error"]["code"] != "occurrence_not_started":
            return resp
        test.assertLess(time.monotonic(), deadline, "the occurrence never started")
        time.sleep(0.5)


class Server:
    """`treffpunkt serve --demo` on a free port, and the CLI on the same data folder."""

    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="treffpunkt-api-")
        # On PostgreSQL the data folder holds only the Maildir.
        self.database = (pg_database.fresh("api") if os.environ.get("TREFFPUNKT_TEST_POSTGRES")
                         else None)
        self.where = ["--data", self.data] + (["--database", self.database] if self.database
                                              else [])
        # The access log goes to a file: a pipe nobody reads fills up and stops the server.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--demo", *self.where, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if "listening on http://127.0.0.1:" not in line:
            self.proc.kill()
            self.log.seek(0)
            raise RuntimeError("server did not start: %r %r" % (line, self.log.read()))
        self.port = int(line.split("http://127.0.0.1:")[1].split()[0])

    def cli(self, *args):
        done = subprocess.run([BINARY, *args, *self.where], capture_output=True,
                              text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError("%s: %s" % (args, done.stderr))
        return done.stdout.strip()

    def token(self, email):
        return self.cli("token", "create", email)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.json = json.loads(raw) if raw else None

    def header(self, name):
        return self.headers.get(name.lower())


def call(port, method, path, token=None, body=None, content_type="application/json",
         headers=None, raw=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    data = raw
    if body is not None:
        data = json.dumps(body).encode("utf-8")
    if data is not None and content_type:
        h["Content-Type"] = content_type
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request(method, path, body=data, headers=h)
    resp = conn.getresponse()
    raw_body = resp.read()
    headers_ = {k.lower(): v for k, v in resp.getheaders()}
    conn.close()
    return Response(resp.status, headers_, raw_body)


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.port = cls.server.port
        cls.server.cli("admin", "add", ADMIN)
        cls.tokens = {
            "anonymous": None,
            "member": cls.server.token(MEMBER),
            "responsible": cls.server.token(RESPONSIBLE),
            "other_responsible": cls.server.token(OTHER_RESPONSIBLE),
            "admin": cls.server.token(ADMIN),
        }

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def call(self, method, path, who=None, **kw):
        return call(self.port, method, path, token=self.tokens.get(who) if who else None, **kw)

    def assert_error(self, resp, status, code, field=None):
        self.assertEqual(resp.status, status, resp.raw)
        self.assertEqual(resp.header("Content-Type"), "application/json")
        self.assertEqual(set(resp.json), {"error"})
        err = resp.json["error"]
        self.assertEqual(err["code"], code, resp.raw)
        self.assertIsInstance(err["message"], str)
        self.assertTrue(err["message"])
        if field is not None:
            self.assertEqual(err.get("field"), field, resp.raw)

    def new_event(self, **fields):
        body = {"title": "Testtreffen", "start": later(30), "duration_minutes": 90}
        body.update(fields)
        resp = self.call("POST", "/api/v1/units/frauen/events", "admin", body=body)
        self.assertEqual(resp.status, 201, resp.raw)
        return resp.json

    def first_key(self, event):
        resp = self.call("GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            event["start"][:10], event["start"][:10]))
        keys = [o["key"] for o in resp.json["occurrences"] if o["event"] == event["id"]]
        self.assertTrue(keys, resp.raw)
        return keys[0]

    def second_key(self, event):
        resp = self.call("GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            event["start"][:10], later(60)[:10]))
        keys = [o["key"] for o in resp.json["occurrences"] if o["event"] == event["id"]]
        self.assertGreater(len(keys), 1, resp.raw)
        return keys[1]

    # ---- reads -------------------------------------------------------------------------
    def test_units_list_and_one_unit(self):
        resp = self.call("GET", "/api/v1/units")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("Content-Type"), "application/json")
        slugs = [u["slug"] for u in resp.json["units"]]
        # The demo's four (docs/api.md's examples may have added one).
        self.assertTrue({"antifa", "bildung", "frauen", "kommunales"} <= set(slugs), slugs)
        one = self.call("GET", "/api/v1/units/frauen").json
        self.assertEqual(one["name"], "Netzwerkstelle Frauen*")
        self.assertIn("Rosa Schererz", one["responsibles"])
        self.assertNotIn("email", json.dumps(one))
        self.assert_error(self.call("GET", "/api/v1/units/nope"), 404, "not_found")

    def test_occurrences_in_window_have_counts_but_no_names(self):
        resp = self.call("GET", "/api/v1/units/bildung/occurrences")
        self.assertEqual(resp.status, 200)
        occ = resp.json["occurrences"]
        self.assertTrue(occ)
        starts = [o["start"] for o in occ]
        self.assertEqual(starts, sorted(starts))
        for o in occ:
            for key in ("event", "key", "start", "end", "local_start", "local_end", "title",
                        "location", "online_url", "cancelled", "moved", "capacity", "going",
                        "waitlisted"):
                self.assertIn(key, o)
            self.assertRegex(o["start"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertRegex(o["key"], r"^\d{8}(T\d{6}Z)?$")
        # Days are the unit's (Berlin), not this machine's: they differ around midnight UTC.
        today = test_clock.today()
        # The demo moves one Bildung meeting of its season, which starts on the first day of
        # last month (whether it is still to come depends on the day).
        season = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        whole = self.call("GET", "/api/v1/units/bildung/occurrences?from=%s&to=%s" % (
            season.isoformat(), (season + datetime.timedelta(days=366)).isoformat()))
        self.assertEqual(whole.status, 200, whole.raw)
        self.assertEqual(sum(o["moved"] for o in whole.json["occurrences"]), 1)
        self.assertEqual(resp.json["from"], today.isoformat())
        self.assertEqual(resp.json["to"], (today + datetime.timedelta(days=90)).isoformat())
        # The demo cancels one Antifa meeting: it is listed, flagged.
        year = self.call("GET", "/api/v1/units/antifa/occurrences?from=%s&to=%s" % (
            today.isoformat(), (today + datetime.timedelta(days=366)).isoformat()))
        self.assertEqual(year.status, 200, year.raw)
        self.assertTrue(any(o["cancelled"] for o in year.json["occurrences"]))

    def test_occurrence_window_is_validated(self):
        base = "/api/v1/units/frauen/occurrences"
        self.assert_error(self.call("GET", base + "?from=2027-01-01&to=2028-01-03"), 422,
                          "window_too_long", "to")
        self.assert_error(self.call("GET", base + "?from=2027-13-01"), 422, "invalid", "from")
        self.assert_error(self.call("GET", base + "?from=2027-01-01&to=tomorrow"), 422,
                          "invalid", "to")
        self.assert_error(self.call("GET", base + "?from=2027-02-01&to=2027-01-01"), 422,
                          "invalid", "to")
        self.assert_error(self.call("GET", "/api/v1/units/nope/occurrences"), 404, "not_found")

    def test_unknown_routes_ids_and_keys_are_404(self):
        for path in ("/api/v1/nothing", "/api/v1/units/frauen/x", "/api/v1/events/abc",
                     "/api/v1/events/999999", "/api/v1/events/1/occurrences/garbage",
                     "/api/v1/events/1/occurrences/20000101T000000Z", "/api/v1/",
                     "/api/v1/units/", "/api/v1/events/-1"):
            with self.subTest(path=path):
                self.assert_error(self.call("GET", path), 404, "not_found")

    def test_wrong_method_is_405_with_allow(self):
        resp = self.call("DELETE", "/api/v1/units")
        self.assert_error(resp, 405, "method_not_allowed")
        self.assertEqual(resp.header("Allow"), "GET, HEAD, POST")
        resp = self.call("POST", "/api/v1/events/1", "admin", body={})
        self.assertEqual(resp.header("Allow"), "GET, HEAD, PATCH, DELETE")
        head = self.call("HEAD", "/api/v1/units")
        self.assertEqual(head.status, 200)
        self.assertEqual(head.raw, b"")

    # ---- authentication ----------------------------------------------------------------
    def test_unknown_credentials_are_401_even_on_public_reads(self):
        for headers in ({"Authorization": "Bearer not-a-token"},
                        {"Authorization": "Basic dXNlcjpwYXNz"},
                        {"Authorization": "Bearer"},
                        {"Cookie": "lang=de; session=stale-session"}):
            with self.subTest(headers=headers):
                resp = self.call("GET", "/api/v1/units", headers=headers)
                self.assert_error(resp, 401, "unauthenticated")
                self.assertEqual(resp.header("WWW-Authenticate"), "Bearer")
        self.assert_error(self.call("GET", "/api/v1/me"), 401, "unauthenticated")
        ok = self.call("GET", "/api/v1/me", headers={
            "Authorization": "bearer " + self.tokens["member"]})
        self.assertEqual(ok.status, 200)
        self.assertEqual(ok.json["email"], MEMBER)

    # ---- events ------------------------------------------------------------------------
    def test_create_get_patch_delete_event(self):
        made = self.new_event(description="Mit Kaffee ☕", location="Erfurt", capacity=15,
                              kind="exchange_offer", rsvp_deadline_minutes=60)
        self.assertEqual(made["unit"], "frauen")
        self.assertEqual(made["description"], "Mit Kaffee ☕")
        self.assertEqual(made["duration_minutes"], 90)
        self.assertEqual(made["kind"], "exchange_offer")
        self.assertEqual(made["capacity"], 15)
        self.assertEqual(made["rsvp_deadline_minutes"], 60)
        self.assertEqual(made["status"], "confirmed")
        path = "/api/v1/events/%d" % made["id"]
        self.assertIsInstance(made.pop("warnings"), list)  # a write's answer, not the event's
        self.assertEqual(self.call("GET", path).json, made)
        patched = self.call("PATCH", path, "responsible",
                            body={"title": "Neuer Titel", "capacity": None,
                                  "end": made["start"][:11] + "23:00"})
        self.assertEqual(patched.status, 200, patched.raw)
        self.assertEqual(patched.json["title"], "Neuer Titel")
        self.assertIsNone(patched.json["capacity"])
        self.assertEqual(patched.json["location"], "Erfurt")  # untouched
        self.assertGreater(patched.json["sequence"], made["sequence"])
        self.assertEqual(patched.json["end"], made["start"][:11] + "23:00:00")
        gone = self.call("DELETE", path, "responsible")
        self.assertEqual(gone.status, 200, gone.raw)
        self.assertEqual(gone.json["status"], "cancelled")
        self.assertEqual(self.call("GET", path).json["status"], "cancelled")

    def test_series_all_day_and_feed(self):
        series = self.new_event(rrule="FREQ=WEEKLY;COUNT=4")
        self.assertEqual(series["rrule"], "FREQ=WEEKLY;COUNT=4")
        day = self.new_event(all_day=True, start=later(40)[:10], duration_minutes=2 * 1440)
        self.assertTrue(day["all_day"])
        self.assertEqual(day["start"], later(40)[:10])
        self.assertEqual(day["end"], later(42)[:10])
        resp = self.call("GET", "/api/v1/units/frauen/events")
        ids = [e["id"] for e in resp.json["events"]]
        self.assertIn(series["id"], ids)
        self.assertIn(day["id"], ids)

    def test_confirming_a_series(self):
        """POST /api/v1/events/{id}/confirm: a series still happens. Its stamps are in the
        event's JSON; what is never asked about (a one-off event, a series that is over or
        cancelled) is 409 and changes nothing."""
        series = self.new_event(rrule="FREQ=WEEKLY;COUNT=4")
        self.assertEqual(series["confirmed"], series["last_modified"])  # made: an edit
        self.assertIsNone(series["unconfirmed_since"])
        path = "/api/v1/events/%d/confirm" % series["id"]
        self.assert_error(self.call("POST", path, "member"), 403, "forbidden")
        self.assert_error(self.call("POST", path, "other_responsible"), 403, "forbidden")
        self.assert_error(self.call("POST", path), 401, "unauthenticated")
        self.assertEqual(self.call("GET", "/api/v1/events/%d" % series["id"]).json["confirmed"],
                         series["confirmed"])
        time.sleep(1.1)  # confirmed is in seconds: a second on, it must be newer
        done = self.call("POST", path, "responsible")
        self.assertEqual(done.status, 200, done.raw)
        self.assertEqual(done.json["id"], series["id"])
        self.assertGreater(done.json["confirmed"], series["confirmed"])
        self.assertIsNone(done.json["unconfirmed_since"])
        self.assertEqual(done.json["sequence"], series["sequence"])  # calendars see no change
        self.assertEqual(done.json["last_modified"], series["last_modified"])
        got = self.call("GET", "/api/v1/events/%d" % series["id"]).json
        self.assertEqual(got["confirmed"], done.json["confirmed"])
        listed = self.call("GET", "/api/v1/units/frauen/events").json["events"]
        self.assertEqual(next(e for e in listed if e["id"] == series["id"])["confirmed"],
                         done.json["confirmed"])
        self.assertEqual(self.call("POST", path, "admin").status, 200)  # admins may too

        single = self.new_event()
        self.assertIsNone(single["confirmed"])
        self.assertIsNone(single["unconfirmed_since"])
        self.assert_error(self.call("POST", "/api/v1/events/%d/confirm" % single["id"],
                                    "responsible"), 409, "conflict", "event")
        over = self.new_event(start=later(-30), rrule="FREQ=WEEKLY;COUNT=2")
        self.assert_error(self.call("POST", "/api/v1/events/%d/confirm" % over["id"],
                                    "responsible"), 409, "conflict", "event")
        self.assertEqual(self.call("GET", "/api/v1/events/%d" % over["id"]).json["confirmed"],
                         over["confirmed"])
        self.call("DELETE", "/api/v1/events/%d" % series["id"], "responsible")
        self.assert_error(self.call("POST", path, "responsible"), 409, "conflict", "event")
        self.assert_error(self.call("POST", "/api/v1/events/999999/confirm", "responsible"),
                          404, "not_found")

    def test_validation_is_422_with_the_field(self):
        cases = [
            ({"start": later(5)}, 422, "invalid", "title"),
            ({"title": "x"}, 422, "invalid", "start"),
            ({"title": "  ", "start": later(5)}, 422, "invalid", "title"),
            ({"title": "x", "start": "2027-02-30T19:00"}, 422, "invalid", "start"),
            ({"title": "x", "start": "morgen"}, 422, "invalid", "start"),
            ({"title": "x", "start": later(5), "end": later(5, 18)}, 422, "end_before_start",
             "end"),
            ({"title": "x", "start": later(5), "end": later(5, 21), "duration_minutes": 5},
             422, "invalid", "end"),
            ({"title": "x", "start": later(5), "zone": "Mars/Olympus"}, 422, "unknown_zone",
             "zone"),
            ({"title": "x", "start": later(5), "rrule": "FREQ=SOMETIMES"}, 422, "bad_rule",
             "rrule"),
            ({"title": "x", "start": later(5), "rrule": "FREQ=DAILY;COUNT=2;UNTIL=20300101"},
             422, "bad_rule", "rrule"),
            ({"title": "x", "start": later(5), "capacity": 0}, 422, "invalid", "capacity"),
            ({"title": "x", "start": later(5), "duration_minutes": 0}, 422, "invalid",
             "duration_minutes"),
            ({"title": "x", "start": later(5), "kind": "party"}, 422, "invalid", "kind"),
            ({"title": "x", "start": later(5), "colour": "red"}, 422, "invalid", "colour"),
            ({"title": "x", "start": later(5), "online_url": "javascript:alert(1)"}, 422,
             "invalid", "online_url"),
            ({"title": "x" * 201, "start": later(5)}, 422, "invalid", "title"),
            ({"title": "x", "start": later(5), "all_day": True}, 422, "invalid", "start"),
            # Wrong JSON types are 400, still with the field.
            ({"title": 5, "start": later(5)}, 400, "wrong_type", "title"),
            ({"title": "x", "start": later(5), "capacity": "15"}, 400, "wrong_type", "capacity"),
            ({"title": "x", "start": later(5), "capacity": 1.5}, 400, "wrong_type", "capacity"),
            ({"title": "x", "start": later(5), "all_day": "yes"}, 400, "wrong_type", "all_day"),
        ]
        for body, status, code, field in cases:
            with self.subTest(body=body):
                resp = self.call("POST", "/api/v1/units/frauen/events", "responsible", body=body)
                self.assert_error(resp, status, code, field)

    def test_bad_bodies(self):
        path = "/api/v1/units/frauen/events"
        self.assert_error(self.call("POST", path, "responsible", raw=b'{"title": "x",'), 400,
                          "bad_json")
        self.assert_error(self.call("POST", path, "responsible", raw=b'["x"]'), 400, "bad_json")
        self.assert_error(self.call("POST", path, "responsible", raw=b''), 400, "bad_json")
        self.assert_error(
            self.call("POST", path, "responsible", raw=b'{"title": "Fr\xffauen", "start": "x"}'),
            400, "bad_utf8")
        self.assert_error(  # an overlong encoding of "/"
            self.call("POST", path, "responsible", raw=b'{"title": "\xc0\xaf"}'), 400, "bad_utf8")
        for bad in (b'{"title": "\xed\xa0\x80"}',  # a UTF-16 surrogate
                    b'{"title": "\xf4\x90\x80\x80"}',  # above U+10FFFF
                    b'{"title": "x"} \xe2\x82'):  # cut off at the end
            with self.subTest(body=bad):
                self.assert_error(self.call("POST", path, "responsible", raw=bad), 400,
                                  "bad_utf8")
        self.assert_error(self.call("POST", path, "responsible", raw=b'{}',
                                    content_type="text/plain"), 415, "unsupported_media_type")
        self.assert_error(self.call("POST", path, "responsible", raw=b'{}', content_type=None),
                          415, "unsupported_media_type")
        self.assert_error(self.call("POST", path, "responsible", raw=b'{}',
                                    content_type="application/json; charset=latin-1"), 415,
                          "unsupported_media_type")
        ok = self.call("POST", path, "responsible",
                       raw=json.dumps({"title": "Thüringen", "start": later(9)}).encode(),
                       content_type="Application/JSON; charset=UTF-8")
        self.assertEqual(ok.status, 201, ok.raw)
        self.assertEqual(ok.json["title"], "Thüringen")

    def test_body_over_the_limit_is_413(self):
        # The server answers from the headers alone; it need not read a body it refuses.
        with socket.create_connection(("127.0.0.1", self.port), timeout=20) as s:
            s.sendall(b"POST /api/v1/units/frauen/events HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + self.tokens["responsible"].encode() +
                      b"\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 2097152\r\n\r\n{\"title\": \"")
            answer = s.recv(4096)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer)

    # ---- occurrences -------------------------------------------------------------------
    def test_move_change_and_cancel_one_occurrence(self):
        series = self.new_event(rrule="FREQ=WEEKLY;COUNT=5", location="Erfurt")
        key = self.first_key(series)
        path = "/api/v1/events/%d/occurrences/%s" % (series["id"], key)
        one = self.call("GET", path)
        self.assertEqual(one.status, 200)
        self.assertFalse(one.json["moved"])
        new_start = series["start"][:11] + "20:30"
        moved = self.call("PUT", path, "responsible",
                          body={"start": new_start, "title": "Verschoben", "location": "Jena"})
        self.assertEqual(moved.status, 200, moved.raw)
        self.assertTrue(moved.json["moved"])
        self.assertEqual(moved.json["key"], key)
        self.assertEqual(moved.json["local_start"], new_start + ":00")
        self.assertEqual(moved.json["title"], "Verschoben")
        self.assertEqual(moved.json["location"], "Jena")
        event = self.call("GET", "/api/v1/events/%d" % series["id"]).json
        self.assertEqual([o["key"] for o in event["overrides"]], [key])
        cancelled = self.call("PUT", path, "responsible", body={"cancelled": True})
        self.assertEqual(cancelled.status, 200, cancelled.raw)
        self.assertTrue(cancelled.json["cancelled"])
        self.assertEqual(cancelled.json["location"], "Erfurt")  # PUT replaces the override
        self.assert_error(self.call("PUT", path, "responsible", body={"cancelled": "ja"}), 400,
                          "wrong_type", "cancelled")
        self.assert_error(self.call("PUT", path, "responsible", body={"start": "bald"}), 422,
                          "invalid", "start")
        self.assert_error(self.call("PUT", path, "responsible", body={"rrule": "x"}), 422,
                          "invalid", "rrule")
        self.assert_error(
            self.call("PUT", "/api/v1/events/%d/occurrences/20000101T000000Z" % series["id"],
                      "responsible", body={"cancelled": True}), 404, "not_found")

    # ---- RSVPs -------------------------------------------------------------------------
    def test_split_changes_later_dates_and_their_answers_follow(self):
        e = self.new_event(rrule="FREQ=WEEKLY;COUNT=4")
        listed = self.call("GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            e["start"][:10], later(60)[:10])).json["occurrences"]
        keys = [o["key"] for o in listed if o["event"] == e["id"]]
        self.assertEqual(len(keys), 4)
        path = "/api/v1/events/%d/occurrences/%%s" % e["id"]
        self.assertEqual(self.call("PUT", path % keys[2] + "/rsvp", "member",
                                   body={"answer": "yes"}).status, 200)
        before = self.call("GET", "/api/v1/units/frauen/events").json["events"]
        # Refused, nothing written: the first date, a bad value, another unit's responsible.
        self.assert_error(self.call("POST", path % keys[0] + "/split", "responsible",
                                    body={"location": "x"}), 422, "invalid", "occurrence")
        self.assert_error(self.call("POST", path % keys[1] + "/split", "responsible",
                                    body={"capacity": 0}), 422, "invalid", "capacity")
        self.assert_error(self.call("POST", path % keys[1] + "/split", "other_responsible",
                                    body={"location": "x"}), 403, "forbidden")
        self.assertEqual(self.call("GET", "/api/v1/units/frauen/events").json["events"], before)
        second = self.call("GET", path % keys[1]).json
        new_start = second["local_start"][:11] + "20:00"
        done = self.call("POST", path % keys[1] + "/split", "responsible",
                         body={"start": new_start, "location": "Rathaus"})
        self.assertEqual(done.status, 200, done.raw)
        old, new = done.json["old"], done.json["new"]
        self.assertEqual(old["rrule"], "FREQ=WEEKLY;COUNT=1")
        self.assertEqual(new["rrule"], "FREQ=WEEKLY;COUNT=3")
        self.assertEqual(new["location"], "Rathaus")
        self.assertEqual(old["location"], e["location"])
        # The member's yes to the third date is now the new series' second date, at 20:00.
        moved = self.call("GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            e["start"][:10], later(60)[:10])).json["occurrences"]
        new_keys = [o["key"] for o in moved if o["event"] == new["id"]]
        self.assertEqual(len(new_keys), 3)
        mine = self.call("GET", "/api/v1/events/%d/occurrences/%s/rsvp" % (new["id"], new_keys[1]),
                         "member")
        self.assertEqual(mine.status, 200, mine.raw)
        self.assertEqual(mine.json["state"], "going")

    def test_clash_warnings_name_the_session_and_why(self):
        listed = self.call("GET", "/api/v1/units/bildung/occurrences").json["occurrences"]
        meeting = next(o for o in listed
                       if o["kind"] == "meeting" and not o["cancelled"] and o["location"])
        at = meeting["local_start"][:16]

        def warned(unit, **fields):
            body = {"title": "Überschneidung", "start": at, "duration_minutes": 60}
            body.update(fields)
            resp = self.call("POST", "/api/v1/units/%s/events" % unit, "admin", body=body)
            self.assertEqual(resp.status, 201, resp.raw)  # warnings never block
            return [(w["reason"], w["with"]["event"], w["with"]["key"])
                    for w in resp.json["warnings"]]

        theirs = (meeting["event"], meeting["key"])
        # Louisa Klopfleisch is responsible for Bildung and Antifa (the demo, as the seed).
        self.assertIn(("shared_responsible",) + theirs, warned("antifa"))
        self.assertIn(("same_location",) + theirs,
                      warned("kommunales", location=" " + meeting["location"].upper() + " "))
        self.assertNotIn(theirs, [w[1:] for w in warned("kommunales", location="Rathaus")])
        # Moving a session onto it warns too, for that session.
        other = self.new_event(start=later(40), location=meeting["location"])
        key = self.first_key(other)
        moved = self.call("PUT", "/api/v1/events/%d/occurrences/%s" % (other["id"], key),
                          "admin", body={"start": at})
        self.assertEqual(moved.status, 200, moved.raw)
        self.assertIn("same_location", [w["reason"] for w in moved.json["warnings"]])

    def test_rsvp_capacity_waitlist_and_promotion(self):
        event = self.new_event(capacity=2)
        key = self.first_key(event)
        base = "/api/v1/events/%d/occurrences/%s" % (event["id"], key)
        people = [self.server.token("flow%d@example.org" % i) for i in range(4)]

        def rsvp(i, answer):
            return call(self.port, "PUT", base + "/rsvp", token=people[i],
                        body={"answer": answer})

        first = rsvp(0, "yes")
        self.assertEqual(first.status, 200, first.raw)
        self.assertEqual((first.json["state"], first.json["waitlist_position"]), ("going", None))
        self.assertEqual(rsvp(1, "yes").json["state"], "going")
        third = rsvp(2, "yes").json
        self.assertEqual((third["state"], third["waitlist_position"]), ("waitlisted", 1))
        fourth = rsvp(3, "yes").json
        self.assertEqual((fourth["state"], fourth["waitlist_position"]), ("waitlisted", 2))
        self.assertEqual(fourth["occupancy"], {"capacity": 2, "going": 2, "waitlisted": 2,
                                               "maybe": 0})
        occ = self.call("GET", base).json
        self.assertEqual((occ["going"], occ["waitlisted"]), (2, 2))

        # Attendees: names for the unit's responsibles, in order.
        att = self.call("GET", base + "/attendees", "responsible")
        self.assertEqual(att.status, 200, att.raw)
        self.assertEqual([a["email"] for a in att.json["attendees"]],
                         ["flow%d@example.org" % i for i in range(4)])
        self.assertEqual([a["state"] for a in att.json["attendees"]],
                         ["going", "going", "waitlisted", "waitlisted"])
        # Occurrence lists never carry names.
        listing = self.call("GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            event["start"][:10], event["start"][:10]))
        self.assertNotIn(b"flow0@example.org", listing.raw)

        # A withdrawal moves the first on the waitlist up; they see it.
        withdraw = rsvp(0, "no").json
        self.assertEqual((withdraw["state"], withdraw["promoted"]), ("not_going", 1))
        mine = call(self.port, "GET", base + "/rsvp", token=people[2]).json
        self.assertEqual((mine["state"], mine["waitlist_position"]), ("going", None))
        me = call(self.port, "GET", "/api/v1/me", token=people[2]).json
        ours = [r for r in me["rsvps"] if r["event"] == event["id"]]
        self.assertEqual([(r["key"], r["state"]) for r in ours], [(key, "going")])
        self.assertEqual(call(self.port, "GET", base + "/rsvp", token=people[3]).json[
            "waitlist_position"], 1)
        self.assertEqual(rsvp(0, "maybe").json["state"], "maybe")

        self.assert_error(rsvp(0, "vielleicht"), 422, "invalid", "answer")
        self.assert_error(call(self.port, "PUT", base + "/rsvp", token=people[0], body={}), 422,
                          "invalid", "answer")
        self.assert_error(call(self.port, "PUT", base + "/rsvp", token=people[0],
                               body={"answer": True}), 400, "wrong_type", "answer")
        self.assert_error(call(self.port, "GET", base + "/rsvp", token=self.tokens["admin"]),
                          404, "not_found")

    def test_rsvp_refusals_are_409_with_their_code(self):
        cancelled = self.new_event()
        key = self.first_key(cancelled)
        path = "/api/v1/events/%d/occurrences/%s" % (cancelled["id"], key)
        self.call("DELETE", "/api/v1/events/%d" % cancelled["id"], "admin")
        self.assert_error(self.call("PUT", path + "/rsvp", "member", body={"answer": "yes"}),
                          409, "occurrence_cancelled")
        past = self.new_event(start=later(-3))
        key = self.first_key(past)
        self.assert_error(
            self.call("PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (past["id"], key),
                      "member", body={"answer": "yes"}), 409, "occurrence_past")
        closed = self.new_event(start=later(2), rsvp_deadline_minutes=7 * 24 * 60)
        key = self.first_key(closed)
        self.assert_error(
            self.call("PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (closed["id"], key),
                      "member", body={"answer": "yes"}), 409, "rsvp_closed")

    def test_rsvps_are_rate_limited_per_person(self):
        event = self.new_event()
        key = self.first_key(event)
        path = "/api/v1/events/%d/occurrences/%s/rsvp" % (event["id"], key)
        token = self.server.token("eager@example.org")
        # 30 a minute, regained evenly (one every 2 s): on a slow machine (PostgreSQL, a busy
        # CI) the burst takes long enough to regain some, so the count allowed before the
        # first 429 is 30 plus what came back meanwhile, and never more.
        statuses = []
        began = time.monotonic()
        for i in range(60):
            resp = call(self.port, "PUT", path, token=token,
                        body={"answer": "yes" if i % 2 == 0 else "no"})
            statuses.append(resp.status)
            if resp.status != 200:
                break
        regained = int((time.monotonic() - began) / 2) + 1
        self.assertGreaterEqual(len(statuses) - 1, 30, statuses)
        self.assertLessEqual(len(statuses) - 1, 30 + regained, statuses)
        self.assert_error(resp, 429, "rate_limited")
        self.assertGreaterEqual(int(resp.header("Retry-After")), 1)
        # Someone else is not held back.
        other = self.call("PUT", path, "member", body={"answer": "yes"})
        self.assertEqual(other.status, 200, other.raw)

    # ---- follows, me, reminders --------------------------------------------------------
    def test_follow_unfollow_and_me(self):
        token = self.server.token("follower@example.org")
        resp = call(self.port, "PUT", "/api/v1/units/antifa/follow", token=token)
        self.assertEqual(resp.status, 200, resp.raw)
        self.assertEqual(resp.json, {"unit": "antifa", "following": True})
        me = call(self.port, "GET", "/api/v1/me", token=token).json
        self.assertEqual(me["follows"], ["antifa"])
        self.assertEqual(me["email"], "follower@example.org")
        self.assertFalse(me["admin"])
        resp = call(self.port, "DELETE", "/api/v1/units/antifa/follow", token=token)
        self.assertEqual(resp.json["following"], False)
        self.assertEqual(call(self.port, "GET", "/api/v1/me", token=token).json["follows"], [])
        self.assert_error(call(self.port, "PUT", "/api/v1/units/nope/follow", token=token), 404,
                          "not_found")
        rosa = self.call("GET", "/api/v1/me", "responsible").json
        self.assertEqual(rosa["responsible_for"], ["frauen"])
        self.assertTrue(self.call("GET", "/api/v1/me", "admin").json["admin"])

    def test_reminder_preferences(self):
        token = self.server.token("reminded@example.org")
        resp = call(self.port, "GET", "/api/v1/me/reminders", token=token)
        self.assertEqual(resp.json, {"reminders": [1440, 120], "chosen": False})
        resp = call(self.port, "PUT", "/api/v1/me/reminders", token=token,
                    body={"reminders": [60, 2880, 60]})
        self.assertEqual(resp.status, 200, resp.raw)
        self.assertEqual(resp.json, {"reminders": [2880, 60], "chosen": True})
        resp = call(self.port, "PUT", "/api/v1/me/reminders", token=token, body={"reminders": []})
        self.assertEqual(resp.json, {"reminders": [], "chosen": True})
        self.assert_error(call(self.port, "PUT", "/api/v1/me/reminders", token=token,
                               body={"reminders": [1]}), 422, "invalid", "reminders")
        self.assert_error(call(self.port, "PUT", "/api/v1/me/reminders", token=token,
                               body={"reminders": "daily"}), 400, "wrong_type", "reminders")
        self.assertEqual(call(self.port, "GET", "/api/v1/me/reminders", token=token).json,
                         {"reminders": [], "chosen": True})

    def test_message_to_attendees_is_validated_and_refused_whole(self):
        e = self.new_event(kind="exchange_offer", capacity=1)
        k = self.first_key(e)
        base = "/api/v1/events/%d/occurrences/%s" % (e["id"], k)
        for who in ("member", "admin"):
            self.assertEqual(self.call("PUT", base + "/rsvp", who, body={"answer": "yes"}).status,
                             200)
        path = base + "/message"

        def messages():
            if self.server.database:
                return int(pg_database.query(self.server.database,
                                             "SELECT count(*) FROM outbox WHERE kind = "
                                             "'responsibles_message'")[0][0])
            db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.server.data,
                                                                  "treffpunkt.db"), uri=True)
            try:
                return db.execute("SELECT count(*) FROM outbox WHERE kind = "
                                  "'responsibles_message'").fetchone()[0]
            finally:
                db.close()

        before = messages()
        bad = [
            ({"subject": "Hallo"}, 422, "invalid", "body"),
            ({"body": "Text"}, 422, "invalid", "subject"),
            ({"subject": "  ", "body": "Text"}, 422, "invalid", "subject"),
            ({"subject": "Hallo", "body": " \n "}, 422, "invalid", "body"),
            ({"subject": "Hallo\r\nBcc: x@example.org", "body": "Text"}, 422, "invalid",
             "subject"),
            ({"subject": "Hallo\nBcc: x@example.org", "body": "Text"}, 422, "invalid",
             "subject"),
            ({"subject": "Hallo", "body": "Text\u0000mehr"}, 422, "invalid", "body"),
            ({"subject": "ä" * 201, "body": "Text"}, 422, "invalid", "subject"),
            ({"subject": "Hallo", "body": "ü" * 5001}, 422, "invalid", "body"),
            ({"subject": "Hallo", "body": "Text", "bcc": "x"}, 422, "invalid", "bcc"),
            ({"subject": 1, "body": "Text"}, 400, "wrong_type", "subject"),
        ]
        for body, status, code, field in bad:
            with self.subTest(body=str(body)[:60]):
                self.assert_error(self.call("POST", path, "responsible", body=body), status, code,
                                  field)
        self.assertEqual(messages(), before)
        # The longest allowed ones go to both: the one going and the one waiting.
        ok = self.call("POST", path, "responsible",
                       body={"subject": "ä" * 200, "body": "ü" * 5000})
        self.assertEqual(ok.status, 202, ok.raw)
        self.assertEqual(ok.json["recipients"], 2)
        self.assertEqual(messages(), before + 2)
        # GET is not a route of this path.
        self.assertEqual(self.call("GET", path, "responsible").status, 405)

    # ---- who came -----------------------------------------------------------------------
    def test_who_came_is_recorded_once_the_session_has_started(self):
        event = self.new_event(start=soon(6), duration_minutes=60, capacity=1)
        key = self.first_key(event)
        base = "/api/v1/events/%d/occurrences/%s" % (event["id"], key)
        people = [self.server.token("came%d@example.org" % i) for i in range(4)]
        for i, answer in enumerate(["yes", "yes", "maybe", "no"]):
            resp = call(self.port, "PUT", base + "/rsvp", token=people[i],
                        body={"answer": answer})
            self.assertEqual(resp.status, 200, resp.raw)
        att = self.call("GET", base + "/attendees", "responsible").json["attendees"]
        ids = {a["email"]: a["person"] for a in att}
        self.assertEqual(len(ids), 3)  # going, waitlisted, maybe; not the "no"
        no_id = call(self.port, "GET", "/api/v1/me", token=people[3]).json["id"]
        empty = self.call("GET", base + "/attendance", "responsible")
        self.assertEqual(empty.status, 200, empty.raw)
        self.assertEqual((empty.json["recorded"], empty.json["total"]), (None, 0))

        def put(body, who="responsible"):
            return self.call("PUT", base + "/attendance", who, body=body)

        came = [ids["came0@example.org"], ids["came1@example.org"], ids["came2@example.org"]]
        ok = wait_until_started(self, lambda: put({"came": came, "walk_ins": ["  Kim Gast "]}))
        self.assertEqual(ok.status, 200, ok.raw)
        self.assertEqual([(c["email"], c["state"]) for c in ok.json["came"]],
                         [("came0@example.org", "going"), ("came1@example.org", "waitlisted"),
                          ("came2@example.org", "maybe")])
        self.assertEqual(ok.json["walk_ins"], ["Kim Gast"])
        self.assertEqual(ok.json["total"], 4)
        self.assertIsNotNone(ok.json["recorded"])
        # Refusals change nothing.
        self.assert_error(put({"came": [no_id]}), 422, "invalid", "came")
        self.assert_error(put({"came": [came[0], came[0]]}), 422, "invalid", "came")
        self.assert_error(put({"walk_ins": ["x" * 101]}), 422, "invalid", "walk_ins")
        self.assert_error(put({"walk_ins": ["Kim", "Kim"]}), 422, "invalid", "walk_ins")
        self.assert_error(put({"walk_ins": ["Kim\nBcc: x"]}), 422, "invalid", "walk_ins")
        self.assert_error(put({"came": "alle"}), 400, "wrong_type", "came")
        self.assert_error(put({"wer": []}), 422, "invalid")
        self.assert_error(put({"came": []}, "other_responsible"), 403, "forbidden")
        self.assert_error(put({"came": []}, "member"), 403, "forbidden")
        self.assertEqual(self.call("GET", base + "/attendance", "admin").json["total"], 4)
        # Saving replaces the list.
        again = put({"came": [came[1]]})
        self.assertEqual(again.status, 200, again.raw)
        self.assertEqual((again.json["total"], again.json["walk_ins"]), (1, []))
        # Someone who came and deletes their account stays a number, not a name.
        self.assertEqual(call(self.port, "DELETE", "/api/v1/me", token=people[1]).status, 200)
        after = self.call("GET", base + "/attendance", "responsible").json
        self.assertEqual((after["came"], after["anonymous"], after["total"]), ([], 1, 1))

    # ---- the permission matrix -----------------------------------------------------------
    def test_permission_matrix(self):
        """Each write and attendee route x each kind of caller: the status of each."""
        who = ["anonymous", "member", "responsible", "other_responsible", "admin"]
        editors = [401, 403, None, 403, None]  # None: success (2xx)
        anyone = [401, None, None, None, None]

        def fresh():
            e = self.new_event(rrule="FREQ=WEEKLY;COUNT=3")
            return e, self.first_key(e)

        def past():
            e = self.new_event(start=later(-3))
            return e["id"], self.first_key(e)

        rows = [
            ("POST unit events", editors,
             lambda e, k: ("POST", "/api/v1/units/frauen/events",
                           {"title": "Matrix", "start": later(20)})),
            ("PATCH event", editors,
             lambda e, k: ("PATCH", "/api/v1/events/%d" % e["id"], {"title": "Neu"})),
            ("DELETE event", editors,
             lambda e, k: ("DELETE", "/api/v1/events/%d" % e["id"], None)),
            ("PUT occurrence", editors,
             lambda e, k: ("PUT", "/api/v1/events/%d/occurrences/%s" % (e["id"], k),
                           {"cancelled": True})),
            ("GET attendees", editors,
             lambda e, k: ("GET", "/api/v1/events/%d/occurrences/%s/attendees" % (e["id"], k),
                           None)),
            ("POST message", editors,
             lambda e, k: ("POST", "/api/v1/events/%d/occurrences/%s/message" % (e["id"], k),
                           {"subject": "Hallo", "body": "Bis bald"})),
            # Who came: of a session three days ago (recorded only once it has started).
            ("GET attendance", editors,
             lambda e, k: ("GET", "/api/v1/events/%d/occurrences/%s/attendance" % past(),
                           None)),
            ("PUT attendance", editors,
             lambda e, k: ("PUT", "/api/v1/events/%d/occurrences/%s/attendance" % past(),
                           {"walk_ins": ["Gast"]})),
            ("POST confirm", editors,
             lambda e, k: ("POST", "/api/v1/events/%d/confirm" % e["id"], None)),
            ("POST split", editors,
             lambda e, k: ("POST", "/api/v1/events/%d/occurrences/%s/split" % (
                 e["id"], self.second_key(e)), {"location": "Rathaus"})),
            ("PUT rsvp", anyone,
             lambda e, k: ("PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (e["id"], k),
                           {"answer": "yes"})),
            # A guest needs no account: anyone may ask (the emailed link confirms).
            ("POST guest-rsvp", [None] * 5,
             lambda e, k: ("POST", "/api/v1/events/%d/occurrences/%s/guest-rsvp" % (e["id"], k),
                           {"name": "Gast", "email": "matrix.gast@example.org",
                            "answer": "yes"})),
            ("PUT follow", anyone, lambda e, k: ("PUT", "/api/v1/units/frauen/follow", None)),
            ("DELETE follow", anyone,
             lambda e, k: ("DELETE", "/api/v1/units/frauen/follow", None)),
            ("GET me", anyone, lambda e, k: ("GET", "/api/v1/me", None)),
            ("GET reminders", anyone, lambda e, k: ("GET", "/api/v1/me/reminders", None)),
            ("PUT reminders", anyone,
             lambda e, k: ("PUT", "/api/v1/me/reminders", {"reminders": [1440]})),
            ("GET feed link", anyone, lambda e, k: ("GET", "/api/v1/me/feed", None)),
            ("POST feed rotate", anyone,
             lambda e, k: ("POST", "/api/v1/me/feed/rotate", None)),
            ("GET tokens", anyone, lambda e, k: ("GET", "/api/v1/me/tokens", None)),
            ("POST tokens", anyone, lambda e, k: ("POST", "/api/v1/me/tokens", None)),
            ("GET export", anyone, lambda e, k: ("GET", "/api/v1/me/export", None)),
            # DELETE /api/v1/me deletes the caller: ApiAccountDeletion, on its own server.
            # Reads stay public.
            ("GET units", [200] * 5, lambda e, k: ("GET", "/api/v1/units", None)),
            ("GET event", [200] * 5, lambda e, k: ("GET", "/api/v1/events/%d" % e["id"], None)),
            ("GET occurrences", [200] * 5,
             lambda e, k: ("GET", "/api/v1/units/frauen/occurrences", None)),
        ]
        checked = 0
        for name, expected, make in rows:
            for caller, status in zip(who, expected):
                with self.subTest(route=name, caller=caller):
                    method, path, body = make(*fresh())
                    resp = self.call(method, path, caller, body=body)
                    if status is None:
                        self.assertIn(resp.status, (200, 201, 202), resp.raw)
                    else:
                        self.assertEqual(resp.status, status, resp.raw)
                        if status >= 400:
                            self.assertEqual(resp.header("Content-Type"), "application/json")
                            self.assertIn("code", resp.json["error"])
                    checked += 1
        self.assertEqual(checked, len(rows) * len(who))
        # A responsible of another unit reads no names and changes nothing there.
        e, k = fresh()
        before = self.call("GET", "/api/v1/events/%d" % e["id"]).json
        self.call("PATCH", "/api/v1/events/%d" % e["id"], "other_responsible", body={"title": "x"})
        self.assertEqual(self.call("GET", "/api/v1/events/%d" % e["id"]).json, before)

    # ---- docs/api.md ---------------------------------------------------------------------
    def test_docs_examples_run_as_written(self):
        with open(DOCS, encoding="utf-8") as f:
            text = f.read()
        blocks = re.findall(r"```http (request|response)\n(.*?)```", text, re.S)
        self.assertGreater(len(blocks), 10)
        variables = {"member_token": self.server.token("doc.member@example.org"),
                     "responsible_token": self.tokens["responsible"],
                     "other_responsible_token": self.tokens["other_responsible"],
                     "admin_token": self.tokens["admin"],
                     # Deleted by the example of DELETE /api/v1/me.
                     "departing_token": self.server.token("doc.departing@example.org")}
        pending = None
        ran = 0
        for kind, block in blocks:
            if kind == "request":
                self.assertIsNone(pending, "two requests in a row: " + block)
                pending = block
                continue
            self.assertIsNotNone(pending, "a response without its request: " + block)
            with self.subTest(request=pending.splitlines()[0]):
                run_doc_example(self, pending, block, variables)
            pending = None
            ran += 1
        self.assertIsNone(pending)
        self.assertGreater(ran, 10)


class ApiOffers(unittest.TestCase):
    """Exchange offers: proposals, decisions, hosts' rights and wishes, on a server of their
    own (a member may have only three proposals undecided)."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.server.cli("admin", "add", ADMIN)
        cls.tokens = {
            "anonymous": None,
            "proposer": cls.server.token("proposer@example.org"),
            "other_member": cls.server.token("other.member@example.org"),
            "responsible": cls.server.token(RESPONSIBLE),
            "other_responsible": cls.server.token(OTHER_RESPONSIBLE),
            "admin": cls.server.token(ADMIN),
        }

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def call(self, method, path, who=None, **kw):
        return call(self.server.port, method, path,
                    token=self.tokens.get(who) if who else None, **kw)

    def offer(self, **fields):
        body = {"title": "Bürgerhaushalt: was ging, was nicht", "format": "in_person",
                "location": "Erfurt", "dates": [later(20, 18)], "duration_minutes": 90}
        body.update(fields)
        return body

    def propose(self, who="proposer", **fields):
        resp = self.call("POST", "/api/v1/units/frauen/proposals", who, body=self.offer(**fields))
        self.assertEqual(resp.status, 201, resp.raw)
        return resp.json

    def approved(self):
        p = self.propose()
        resp = self.call("POST", "/api/v1/proposals/%d/decision" % p["id"], "admin",
                         body={"decision": "approve", "start": later(20, 18), "capacity": 5})
        self.assertEqual(resp.status, 200, resp.raw)
        return resp.json["event"]

    def offer_key(self):
        """An approved offer still to come and its occurrence's key."""
        event_id = self.approved()
        found = self.call("GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            later(20)[:10], later(20)[:10])).json["occurrences"]
        return event_id, next(o["key"] for o in found if o["event"] == event_id)

    def test_the_host_records_who_came_and_sees_names_only(self):
        p = self.propose()
        resp = self.call("POST", "/api/v1/proposals/%d/decision" % p["id"], "responsible",
                         body={"decision": "approve", "start": soon(6)})
        self.assertEqual(resp.status, 200, resp.raw)
        event_id = resp.json["event"]
        self.withdraw_all()
        event = self.call("GET", "/api/v1/events/%d" % event_id).json
        found = self.call("GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            event["start"][:10], event["start"][:10])).json["occurrences"]
        key = next(o["key"] for o in found if o["event"] == event_id)
        base = "/api/v1/events/%d/occurrences/%s" % (event_id, key)
        self.assertEqual(self.call("PUT", base + "/rsvp", "other_member",
                                   body={"answer": "yes"}).status, 200)
        member = self.call("GET", base + "/attendees", "proposer").json["attendees"][0]["person"]
        ok = wait_until_started(self, lambda: self.call(
            "PUT", base + "/attendance", "proposer", body={"came": [member]}))
        self.assertEqual(ok.status, 200, ok.raw)
        self.assertEqual(len(ok.json["came"]), 1)
        self.assertNotIn("email", ok.json["came"][0])  # names, not addresses
        seen = self.call("GET", base + "/attendance", "responsible").json
        self.assertEqual(seen["came"][0]["email"], "other.member@example.org")
        self.assert_error(self.call("GET", base + "/attendance", "other_member"), 403,
                          "forbidden")

    def withdraw_all(self, who="proposer"):
        for p in self.call("GET", "/api/v1/me/proposals", who).json["proposals"]:
            if p["state"] in ("waiting", "changes_requested"):
                self.call("DELETE", "/api/v1/proposals/%d" % p["id"], who)

    def assert_error(self, resp, status, code, field=None):
        self.assertEqual(resp.status, status, resp.raw)
        self.assertEqual(resp.json["error"]["code"], code, resp.raw)
        if field is not None:
            self.assertEqual(resp.json["error"].get("field"), field, resp.raw)

    def test_bad_proposals_are_refused_and_change_nothing(self):
        self.withdraw_all()
        before = self.call("GET", "/api/v1/me/proposals", "proposer").json
        cases = [
            (self.offer(title=""), 422, "invalid", "title"),
            (self.offer(title="   "), 422, "invalid", "title"),
            (self.offer(title="x" * 201), 422, "invalid", "title"),
            (self.offer(description="x" * 20001), 422, "invalid", "description"),
            (self.offer(dates=[later(-2, 18)]), 422, "out_of_bounds", "dates"),
            (self.offer(dates=["morgen"]), 422, "invalid", "dates"),
            (self.offer(dates=[later(d, 18) for d in (3, 4, 5, 6)]), 422, "invalid", "dates"),
            (self.offer(format="online", online_url="javascript:alert(1)"), 422, "invalid",
             "online_url"),
            (self.offer(format="online", online_url="ftp://example.org"), 422, "invalid",
             "online_url"),
            (self.offer(format="online"), 422, "invalid", "online_url"),
            (self.offer(format="hybrid"), 422, "invalid", "format"),
            (self.offer(location=""), 422, "invalid", "location"),
            (self.offer(duration_minutes=5), 422, "out_of_bounds", "duration_minutes"),
            (self.offer(capacity=0), 422, "invalid", "capacity"),
            (self.offer(wish=999999), 404, "not_found", "wish"),
            (self.offer(dates="2031-01-01T18:00"), 400, "wrong_type", "dates"),
            (self.offer(colour="red"), 422, "invalid", "colour"),
        ]
        for body, status, code, field in cases:
            with self.subTest(body=json.dumps(body)[:80]):
                resp = self.call("POST", "/api/v1/units/frauen/proposals", "proposer", body=body)
                self.assert_error(resp, status, code, field)
        self.assert_error(self.call("POST", "/api/v1/units/nowhere/proposals", "proposer",
                                    body=self.offer()), 404, "not_found")
        self.assertEqual(self.call("GET", "/api/v1/me/proposals", "proposer").json, before)

    def test_a_fourth_undecided_proposal_is_429_until_one_is_decided(self):
        self.withdraw_all()
        made = [self.propose() for _ in range(3)]
        self.assert_error(self.call("POST", "/api/v1/units/frauen/proposals", "proposer",
                                    body=self.offer()), 429, "limit_reached")
        resp = self.call("POST", "/api/v1/proposals/%d/decision" % made[0]["id"], "responsible",
                         body={"decision": "decline", "message": "Diesmal nicht."})
        self.assertEqual(resp.status, 200, resp.raw)
        self.assertEqual(resp.json["state"], "declined")
        self.propose()
        self.withdraw_all()

    def test_deciding_twice_or_badly_is_refused(self):
        self.withdraw_all()
        p = self.propose()
        path = "/api/v1/proposals/%d/decision" % p["id"]
        self.assert_error(self.call("POST", path, "responsible", body={"decision": "maybe"}),
                          422, "invalid", "decision")
        self.assert_error(self.call("POST", path, "responsible",
                                    body={"decision": "approve", "start": later(-1, 18)}),
                          422, "out_of_bounds", "start")
        self.assert_error(self.call("POST", path, "responsible",
                                    body={"decision": "request_changes"}),
                          422, "invalid", "message")
        self.assertEqual(self.call("GET", "/api/v1/proposals/%d" % p["id"], "proposer")
                         .json["state"], "waiting")
        ok = self.call("POST", path, "responsible",
                       body={"decision": "approve", "start": later(21, 18)})
        self.assertEqual(ok.status, 200, ok.raw)
        self.assert_error(self.call("POST", path, "responsible",
                                    body={"decision": "approve", "start": later(21, 18)}),
                          409, "conflict", "state")
        self.assert_error(self.call("PUT", "/api/v1/proposals/%d" % p["id"], "proposer",
                                    body=self.offer()), 409, "conflict")
        event = self.call("GET", "/api/v1/events/%d" % ok.json["event"]).json
        self.assertEqual(event["kind"], "exchange_offer")
        self.assertIsNone(event["host"])  # show_host was false

    def test_a_host_changes_texts_place_and_link_of_their_offer_only(self):
        event_id = self.approved()
        path = "/api/v1/events/%d" % event_id
        ok = self.call("PATCH", path, "proposer",
                       body={"location": "Rathaus", "online_url": "https://meet.example.org/x"})
        self.assertEqual(ok.status, 200, ok.raw)
        self.assertEqual(ok.json["location"], "Rathaus")
        self.assert_error(self.call("PATCH", path, "proposer", body={"start": later(22, 18)}),
                          403, "forbidden")
        self.assert_error(self.call("PATCH", path, "proposer", body={"capacity": 50}),
                          403, "forbidden")
        self.assert_error(self.call("PATCH", path, "other_member", body={"title": "x"}),
                          403, "forbidden")
        # Not another event of the unit.
        meetings = self.call("GET", "/api/v1/units/frauen/events").json["events"]
        other = next(e for e in meetings if e["kind"] == "meeting")
        self.assert_error(self.call("PATCH", "/api/v1/events/%d" % other["id"], "proposer",
                                    body={"title": "Gekapert"}), 403, "forbidden")
        self.assertEqual(self.call("GET", path).json["location"], "Rathaus")
        key = self.call("GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            later(20)[:10], later(20)[:10])).json["occurrences"]
        key = next(o["key"] for o in key if o["event"] == event_id)
        self.assertEqual(self.call("PUT", path + "/occurrences/%s/rsvp" % key, "other_member",
                                   body={"answer": "yes"}).status, 200)
        seen = self.call("GET", path + "/occurrences/%s/attendees" % key, "proposer")
        self.assertEqual(seen.status, 200, seen.raw)
        self.assertEqual(len(seen.json["attendees"]), 1)
        self.assertNotIn("email", seen.json["attendees"][0])  # names, not addresses
        wrote = self.call("POST", path + "/occurrences/%s/message" % key, "proposer",
                          body={"subject": "Unterlagen", "body": "Bringt eure Fragen mit."})
        self.assertEqual(wrote.status, 202, wrote.raw)
        self.assertEqual(wrote.json["recipients"], 1)
        cancelled = self.call("DELETE", path, "proposer")
        self.assertEqual(cancelled.status, 200, cancelled.raw)
        self.assertEqual(cancelled.json["status"], "cancelled")

    def test_permission_matrix(self):
        """Each offer route x proposer, another member, responsible, another unit's
        responsible, admin and anonymous."""
        who = ["anonymous", "proposer", "other_member", "responsible", "other_responsible",
               "admin"]
        ok = None
        proposer_or_editor = [401, ok, 404, ok, 404, ok]
        proposer_only = [401, ok, 404, 404, 404, 404]
        editors = [401, 403, 403, ok, 403, ok]
        members = [401, ok, ok, ok, ok, ok]
        wisher_or_editor = [401, ok, 403, ok, 403, ok]
        host_or_editor = [401, ok, 403, ok, 403, ok]

        def proposal():
            return self.propose()["id"]

        def wish():
            resp = self.call("POST", "/api/v1/units/frauen/wishes", "proposer",
                             body={"text": "Wer kennt sich mit Anträgen aus?"})
            self.assertEqual(resp.status, 201, resp.raw)
            return resp.json["id"]

        rows = [
            ("GET proposal", proposer_or_editor,
             lambda: ("GET", "/api/v1/proposals/%d" % proposal(), None)),
            ("PUT proposal", proposer_only,
             lambda: ("PUT", "/api/v1/proposals/%d" % proposal(), self.offer(title="Neu"))),
            ("DELETE proposal", proposer_only,
             lambda: ("DELETE", "/api/v1/proposals/%d" % proposal(), None)),
            ("POST decision", editors,
             lambda: ("POST", "/api/v1/proposals/%d/decision" % proposal(),
                      {"decision": "request_changes", "message": "Bitte kürzer."})),
            ("GET unit proposals", editors,
             lambda: ("GET", "/api/v1/units/frauen/proposals", None)),
            ("POST proposal", members,
             lambda: ("POST", "/api/v1/units/frauen/proposals", self.offer())),
            ("GET my proposals", members, lambda: ("GET", "/api/v1/me/proposals", None)),
            ("POST wish", members,
             lambda: ("POST", "/api/v1/units/bildung/wishes", {"text": "Mehr Workshops"})),
            ("GET wishes", [ok] * 6, lambda: ("GET", "/api/v1/units/frauen/wishes", None)),
            ("DELETE wish", wisher_or_editor,
             lambda: ("DELETE", "/api/v1/wishes/%d" % wish(), None)),
            ("PATCH offer", host_or_editor,
             lambda: ("PATCH", "/api/v1/events/%d" % self.approved(), {"location": "Saal"})),
            ("DELETE offer", host_or_editor,
             lambda: ("DELETE", "/api/v1/events/%d" % self.approved(), None)),
            ("GET attendance", host_or_editor,
             lambda: ("GET", "/api/v1/events/%d/occurrences/%s/attendance" % self.offer_key(),
                      None)),
            # Rights are checked first; the offer is still to come, so those who may are told
            # that it has not started.
            ("PUT attendance", [401, 409, 403, 409, 403, 409],
             lambda: ("PUT", "/api/v1/events/%d/occurrences/%s/attendance" % self.offer_key(),
                      {"walk_ins": ["Gast"]})),
        ]
        checked = 0
        for name, expected, make in rows:
            for caller, status in zip(who, expected):
                with self.subTest(route=name, caller=caller):
                    self.withdraw_all()
                    for unit in ("bildung", "frauen"):
                        for w in self.call("GET", "/api/v1/units/%s/wishes" % unit).json[
                                "wishes"]:
                            self.call("DELETE", "/api/v1/wishes/%d" % w["id"], "admin")
                    method, path, body = make()
                    resp = self.call(method, path, caller, body=body)
                    if status is None:
                        self.assertIn(resp.status, (200, 201), resp.raw)
                    else:
                        self.assertEqual(resp.status, status, resp.raw)
                        self.assertIn("code", resp.json["error"])
                    checked += 1
                    for other in who[1:]:
                        self.withdraw_all(other)
        self.assertEqual(checked, len(rows) * len(who))

    def test_wishes_are_public_without_names_and_limited(self):
        for w in self.call("GET", "/api/v1/units/kommunales/wishes").json["wishes"]:
            self.call("DELETE", "/api/v1/wishes/%d" % w["id"], "admin")
        made = []
        for i in range(3):
            resp = self.call("POST", "/api/v1/units/kommunales/wishes", "other_member",
                             body={"text": "Wunsch %d" % i})
            self.assertEqual(resp.status, 201, resp.raw)
            made.append(resp.json["id"])
        self.assert_error(self.call("POST", "/api/v1/units/kommunales/wishes", "other_member",
                                    body={"text": "noch einer"}), 429, "limit_reached")
        self.assert_error(self.call("POST", "/api/v1/units/kommunales/wishes", "other_member",
                                    body={"text": ""}), 422, "invalid", "text")
        listed = self.call("GET", "/api/v1/units/kommunales/wishes")
        self.assertEqual(listed.status, 200)
        self.assertEqual([w["text"] for w in listed.json["wishes"]],
                         ["Wunsch 0", "Wunsch 1", "Wunsch 2"])
        self.assertNotIn("other.member", listed.raw.decode())
        closed = self.call("DELETE", "/api/v1/wishes/%d" % made[0], "other_member")
        self.assertEqual(closed.status, 200, closed.raw)
        self.assertFalse(closed.json["open"])
        self.assertEqual(len(self.call("GET", "/api/v1/units/kommunales/wishes")
                             .json["wishes"]), 2)


class ApiAccountDeletion(unittest.TestCase):
    """DELETE /api/v1/me for each kind of caller, on a server of its own (it deletes them)."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.server.cli("admin", "add", ADMIN)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def call(self, method, path, token=None, **kw):
        return call(self.server.port, method, path, token=token, **kw)

    def test_delete_me_matrix(self):
        tokens = {"anonymous": None,
                  "member": self.server.token(MEMBER),
                  "responsible": self.server.token(RESPONSIBLE),
                  "other_responsible": self.server.token(OTHER_RESPONSIBLE),
                  "admin": self.server.token(ADMIN)}
        # The only admin may not go (409); everyone else may delete themselves.
        expected = {"anonymous": 401, "member": 200, "responsible": 200,
                    "other_responsible": 200, "admin": 409}
        names_before = self.call("GET", "/api/v1/units/frauen").json["responsibles"]
        for caller, status in expected.items():
            with self.subTest(caller=caller):
                resp = self.call("DELETE", "/api/v1/me", tokens[caller])
                self.assertEqual(resp.status, status, resp.raw)
                if status == 200:
                    self.assertEqual(resp.json, {"deleted": True})
                    self.assertIn("Max-Age=0", resp.header("Set-Cookie"))
                    # The token died with the account.
                    self.assertEqual(self.call("GET", "/api/v1/me", tokens[caller]).status, 401)
        self.assertEqual(self.call("GET", "/api/v1/me", tokens["admin"]).status, 200)
        # A responsible who deleted themselves is no longer named on the unit.
        names_after = self.call("GET", "/api/v1/units/frauen").json["responsibles"]
        self.assertEqual(len(names_after), len(names_before) - 1)
        # The address can sign up again, as somebody new.
        again = self.server.token(MEMBER)
        me = self.call("GET", "/api/v1/me", again).json
        self.assertEqual((me["email"], me["follows"], me["rsvps"]), (MEMBER, [], []))

    def test_export_is_an_attachment_with_the_callers_data(self):
        token = self.server.token("export.me@example.org")
        self.assertEqual(self.call("PUT", "/api/v1/units/bildung/follow", token).status, 200)
        resp = self.call("GET", "/api/v1/me/export", token)
        self.assertEqual(resp.status, 200, resp.raw)
        self.assertTrue(resp.header("Content-Disposition").startswith("attachment"))
        self.assertEqual(resp.json["person"]["email"], "export.me@example.org")
        self.assertEqual([f["slug"] for f in resp.json["follows"]], ["bildung"])
        self.assertNotIn("tokens", resp.json)

    def test_cookie_delete_without_json_type_is_refused(self):
        # A cross-site form cannot send DELETE, but a cookie write must be JSON in any case.
        token = self.server.token("cookie.keeper@example.org")
        resp = call(self.server.port, "DELETE", "/api/v1/me", raw=b"x=1",
                    content_type="application/x-www-form-urlencoded",
                    headers={"Cookie": "session=" + "A" * 43})
        self.assertEqual(resp.status, 403, resp.raw)
        self.assertEqual(self.call("GET", "/api/v1/me", token).status, 200)


class ApiRateLimitPerAddress(unittest.TestCase):
    """Its own server, so that spending one address's budget holds back no other test."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_rsvps_from_one_address_are_limited_across_people(self):
        port = self.server.port
        admin = self.server.token(ADMIN)
        self.server.cli("admin", "add", ADMIN)
        made = call(port, "POST", "/api/v1/units/bildung/events", token=admin,
                    body={"title": "Viele Stimmen", "start": later(12)})
        self.assertEqual(made.status, 201, made.raw)
        day = made.json["start"][:10]
        listing = call(port, "GET", "/api/v1/units/bildung/occurrences?from=%s&to=%s" % (day, day))
        key = [o["key"] for o in listing.json["occurrences"] if o["event"] == made.json["id"]][0]
        path = "/api/v1/events/%d/occurrences/%s/rsvp" % (made.json["id"], key)
        people = [self.server.token("crowd%d@example.org" % i) for i in range(40)]
        # Up to 25 each: below the limit per person (30), and together (1,000) above the one
        # per address (300) plus its refill (5 a second) even if the machine is so busy that
        # the first 300 take a minute.
        ok = 0
        started = time.monotonic()
        resp = None
        for round_ in range(25):
            for token in people:
                resp = call(port, "PUT", path, token=token,
                            body={"answer": "yes" if round_ % 2 == 0 else "maybe"})
                if resp.status != 200:
                    break
                ok += 1
            if resp.status != 200:
                break
        elapsed = time.monotonic() - started
        self.assertEqual(resp.status, 429, resp.raw)
        self.assertGreaterEqual(ok, 300)
        # The database's buckets (PostgreSQL) count time in whole seconds: up to one second's
        # refill more than the test measured.
        self.assertLessEqual(ok, 300 + 5 * (elapsed + 1) + 1)
        self.assertEqual(resp.json["error"]["code"], "rate_limited")
        self.assertTrue(1 <= int(resp.headers["retry-after"]) <= 60)
        # Reads are not limited.
        self.assertEqual(call(port, "GET", "/api/v1/me", token=people[0]).status, 200)


PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
SENTINEL = "\u0000var:"


def fill(text, variables):
    def one(m):
        if m.group(1) not in variables:
            raise AssertionError("unknown variable {{%s}} in a request" % m.group(1))
        return str(variables[m.group(1)])
    return PLACEHOLDER.sub(one, text)


def run_doc_example(test, request, response, variables):
    head, _, body = fill(request, variables).partition("\n\n")
    lines = head.strip().splitlines()
    method, path = lines[0].split()[:2]
    headers = dict(line.split(": ", 1) for line in lines[1:])
    raw = body.strip().encode("utf-8") if body.strip() else None
    conn = http.client.HTTPConnection("127.0.0.1", test.port, timeout=20)
    conn.request(method, path, body=raw, headers=headers)
    resp = conn.getresponse()
    got_raw = resp.read()
    conn.close()
    want_head, _, want_body = response.partition("\n\n")
    want_lines = want_head.strip().splitlines()
    want_status = int(want_lines[0].split()[1])
    test.assertEqual(resp.status, want_status, got_raw)
    for line in want_lines[1:]:
        name, value = line.split(": ", 1)
        test.assertEqual(resp.getheader(name), value, name)
    if want_body.strip():
        # {{name}} alone or in quotes: captured on first sight, compared afterwards.
        # Inside a longer string, {{name}} is replaced by its value before comparing.
        pattern_text = re.sub(r'"\{\{(\w+)\}\}"|([:\[,]\s*)\{\{(\w+)\}\}',
                              lambda m: (m.group(2) or "") + json.dumps(
                                  SENTINEL + (m.group(1) or m.group(3))),
                              want_body)
        matches(test, json.loads(pattern_text), json.loads(got_raw), variables, "$")


def matches(test, want, got, variables, where):
    """`got` has everything `want` shows: keys of objects (more are fine), each object of a
    list somewhere in the list, lists of values whole and equal scalars; "..." matches
    anything."""
    if isinstance(want, str) and want.startswith(SENTINEL):
        name = want[len(SENTINEL):]
        if name in variables:
            test.assertEqual(str(got), str(variables[name]), where)
        else:
            variables[name] = got
        return
    if want == "...":
        return
    if isinstance(want, str) and PLACEHOLDER.search(want):
        test.assertEqual(got, fill(want, variables), where)
        return
    if isinstance(want, dict):
        test.assertIsInstance(got, dict, where)
        for key, value in want.items():
            test.assertIn(key, got, where)
            matches(test, value, got[key], variables, where + "." + key)
        return
    if isinstance(want, list):
        test.assertIsInstance(got, list, where)
        if not any(isinstance(item, (dict, list)) for item in want):
            test.assertEqual(got, want, where)  # a list of values is shown whole, in order
            return
        for i, item in enumerate(want):
            if isinstance(item, (dict, list)):
                found = False
                for candidate in got:
                    try:
                        snapshot = dict(variables)
                        matches(test, item, candidate, snapshot, where)
                    except AssertionError:
                        continue
                    variables.update(snapshot)
                    found = True
                    break
                test.assertTrue(found, "%s[%d]: nothing like %r in %r" % (where, i, item, got))
            else:
                test.assertIn(item, got, where)
        return
    test.assertEqual(got, want, where)


if __name__ == "__main__":
    unittest.main(verbosity=2)
