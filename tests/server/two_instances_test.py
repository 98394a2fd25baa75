#!/usr/bin/python3
"""Two `treffpunkt serve` on one PostgreSQL database, as behind a proxy (issue 18): what one
writes, the other shows within a second (feeds, their ETags, pages); a login link, a session and
a guest's link made by one work on the other; the CLI reaches the same database with
--database; the RSVP and login-mail limits hold across both, not once per instance.

Each instance has a data folder of its own (its Maildir: whichever instance claims a mail from
the outbox delivers it there). The database is a fresh one on the cluster of
TREFFPUNKT_TEST_POSTGRES (ctest's fixture), or on a cluster of its own when run by hand.

Usage: two_instances_test.py PATH/TO/treffpunkt
"""
import datetime
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
import urllib.parse

import mail_login
import pg_database
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
RESPONSIBLE = "rosa.schererz@demo.invalid"  # Frauen*
MEMBER = "member@example.org"
FORM = "application/x-www-form-urlencoded"
GUEST_LINK = re.compile(r"https?://[^/\s]+(/rsvp/confirm/[A-Za-z0-9_-]+)")
CSRF_FIELD = re.compile(r'name="csrf" value="([A-Za-z0-9_-]+)"')
PLACES = re.compile(r'<dd class="places">([^<]*)</dd>')
# The limits both instances are started with: RSVPs per person and minute, login mails per
# address and hour.
RSVP_LIMIT = 6
LOGIN_LIMIT = 3


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREFFPUNKT_")}
    env.update(test_clock.env())
    env.update(extra or {})
    return env


class Instance:
    """One `serve --database URL` on a free port with a data folder (Maildir) of its own."""

    def __init__(self, database, *args):
        self.data = tempfile.mkdtemp(prefix="treffpunkt-two-")
        self.log_path = os.path.join(self.data, "stderr.log")
        self.log_file = open(self.log_path, "w+", encoding="utf-8")
        cmd = [BINARY, "serve", "--database", database, "--data", self.data,
               "--listen", "127.0.0.1:0", "--rsvp-limit-per-person", str(RSVP_LIMIT),
               "--login-limit-per-address", str(LOGIN_LIMIT), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log_file,
                                     text=True, env=clean_env())
        self.line = self.proc.stdout.readline()
        if "listening on http://127.0.0.1:" not in self.line:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("server did not start: %r %r" % (self.line, self.log()))
        self.port = int(self.line.split("http://127.0.0.1:")[1].split()[0])

    def log(self):
        with open(self.log_path, encoding="utf-8") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log_file.close()
        shutil.rmtree(self.data, ignore_errors=True)


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def request(instance, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=10)
    try:
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()},
                     r.read().decode("utf-8"))
    finally:
        conn.close()


def api(instance, method, path, token=None, body=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if body is not None:
        h["Content-Type"] = "application/json"
    return request(instance, method, path, body, h)


def later(days, hour):
    d = test_clock.today() + datetime.timedelta(days=days)
    return "%sT%02d:00" % (d.isoformat(), hour)


def cli(database, *args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=60,
                          env=clean_env({"TREFFPUNKT_DATABASE": database}))


def within(seconds, probe):
    """Calls `probe()` until it returns something true; (value, seconds it took). Fails with
    the last value after `seconds` (a generous bound: the caller asserts the real one)."""
    started = time.monotonic()
    while True:
        value = probe()
        took = time.monotonic() - started
        if value or took > seconds:
            return value, took
        time.sleep(0.02)


class TwoInstances(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.database = pg_database.fresh("two_instances")
        cls.instances = []
        # The first loads the demo; the second starts on what is there.
        cls.a = Instance(cls.database, "--demo")
        cls.instances.append(cls.a)
        cls.b = Instance(cls.database)
        cls.instances.append(cls.b)
        # The CLI with the database in TREFFPUNKT_DATABASE, as an operator runs it beside serve.
        cls.responsible = cls.token(RESPONSIBLE)
        cls.member = cls.token(MEMBER)

    @classmethod
    def tearDownClass(cls):
        for instance in cls.instances:
            instance.stop()

    @classmethod
    def token(cls, address):
        done = cli(cls.database, "token", "create", address)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def mails_to(self, address):
        found = {}
        for instance in self.instances:
            found.update(mail_login.mails_to(instance, address))
        return found

    def new_mail(self, before, address):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            new = [m for p, m in self.mails_to(address).items() if p not in before]
            if new:
                self.assertEqual(len(new), 1, [str(m["Subject"]) for m in new])
                return new[0].get_body(preferencelist=("plain",)).get_content()
            time.sleep(0.05)
        self.fail("no mail to %s" % address)

    def new_event(self, title, capacity, days, rrule=None):
        fields = {"title": title, "start": later(days, 19), "duration_minutes": 90,
                  "capacity": capacity}
        if rrule:
            fields["rrule"] = rrule
        made = api(self.a, "POST", "/api/v1/units/frauen/events", self.responsible, fields)
        self.assertEqual(made.status, 201, made.body)
        event = made.json()
        listed = api(self.a, "GET", "/api/v1/events/%d" % event["id"])
        self.assertEqual(listed.status, 200, listed.body)
        return event

    def occurrence_key(self, instance, event):
        day = test_clock.today()
        got = api(instance, "GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            day.isoformat(), (day + datetime.timedelta(days=60)).isoformat()))
        self.assertEqual(got.status, 200, got.body)
        return [o for o in got.json()["occurrences"] if o["event"] == event["id"]]

    def test_the_startup_line_and_the_cli_name_the_database_without_its_password(self):
        # The cluster trusts its socket: a password in the URL is accepted and ignored.
        with_password = self.database.replace("postgresql://", "postgresql://treffpunkt:s3cret@",
                                              1)
        with_password = with_password.replace("?", "?password=s3cret&", 1)
        done = cli(with_password, "export")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("Netzwerkstelle", done.stdout)  # the demo, written by instance A
        third = Instance(with_password)
        try:
            self.assertIn("with 4 units from postgresql://treffpunkt@/", third.line)
            self.assertNotIn("s3cret", third.line + third.log())
        finally:
            third.stop()
        # A database that is not there: one line naming it (without the password), exit 1.
        gone = pg_database.with_database(with_password, "not_there")
        for args in (["token", "create", MEMBER], ["serve", "--listen", "127.0.0.1:0"]):
            done = cli(gone, *args)
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertEqual(done.stdout, "")
            lines = done.stderr.splitlines()
            self.assertEqual(len(lines), 1, done.stderr)
            self.assertTrue(lines[0].startswith(
                "treffpunkt: cannot open the database postgresql://treffpunkt@/not_there?"),
                lines[0])
            self.assertIn('database "not_there" does not exist', lines[0])
            self.assertNotIn("s3cret", done.stderr)

    def test_a_database_newer_than_the_program_is_refused_and_left_alone(self):
        newer = pg_database.fresh("newer")
        done = cli(newer, "token", "create", MEMBER)  # migrates it
        self.assertEqual(done.returncode, 0, done.stderr)
        pg_database.query(newer, "INSERT INTO schema_version (version) VALUES (99)")
        people = pg_database.query(newer, "SELECT COUNT(*) FROM people")
        for args in (["token", "create", "neu@example.org"],
                     ["serve", "--listen", "127.0.0.1:0"]):
            done = cli(newer, *args)
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertEqual(done.stdout, "")
            lines = done.stderr.splitlines()
            self.assertEqual(len(lines), 1, done.stderr)
            self.assertIn("has schema version 99, this treffpunkt knows up to", lines[0])
            self.assertIn("use a newer treffpunkt or restore a backup", lines[0])
        self.assertEqual(pg_database.query(newer, "SELECT COUNT(*) FROM people"), people)

    def test_every_command_on_the_store_takes_the_database_flag(self):
        flag = ["--database", self.database]
        # `admin add`, `export --person`, `person delete` with the flag (no variable set).
        def run(*args):
            return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=60,
                                  env=clean_env())
        done = run("admin", "add", "zweite.admin@example.org", *flag)
        self.assertEqual(done.returncode, 0, done.stderr)
        done = run("export", "--person", "zweite.admin@example.org", *flag)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertTrue(json.loads(done.stdout)["person"]["admin"], done.stdout[:300])
        done = run(*flag, "token", "create", "geht.bald@example.org")
        self.assertEqual(done.returncode, 0, done.stderr)
        done = run("person", "delete", "geht.bald@example.org", *flag)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(run("export", "--person", "geht.bald@example.org", *flag).returncode, 1)
        # `import` into a unit: the running instances show it within a second.
        folder = tempfile.mkdtemp(prefix="treffpunkt-two-ics-")
        try:
            ics = os.path.join(folder, "one.ics")
            day = (test_clock.today() + datetime.timedelta(days=20)).strftime("%Y%m%d")
            with open(ics, "w", encoding="utf-8") as f:
                f.write("\r\n".join([
                    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//two instances//EN",
                    "BEGIN:VEVENT", "UID:import.two@example.org", "DTSTAMP:20260101T000000Z",
                    "DTSTART:%sT170000Z" % day, "DTEND:%sT180000Z" % day,
                    "SUMMARY:Importiert in beide", "END:VEVENT", "END:VCALENDAR", ""]))
            done = run("import", "--unit", "frauen", *flag, "--base-url", "http://127.0.0.1:1",
                       ics)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("1 new", done.stdout)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for instance in (self.a, self.b):
            shown, took = within(5, lambda: "Importiert in beide" in request(
                instance, "GET", "/units/frauen.ics").body)
            self.assertTrue(shown)
            self.assertLess(took, 1.0)

    def test_a_token_made_by_the_cli_works_on_both(self):
        for instance in (self.a, self.b):
            me = api(instance, "GET", "/api/v1/me", self.member)
            self.assertEqual(me.status, 200, me.body)
            self.assertEqual(me.json()["email"], MEMBER)

    def test_a_moved_session_is_in_the_other_instances_feed_page_and_etag_within_a_second(self):
        # A series: the feed shows a moved date as an override with its RECURRENCE-ID.
        event = self.new_event("Zwei Instanzen, ein Termin", 5, 9, "FREQ=WEEKLY;COUNT=2")
        # B shows what A created (B's probe notices A's commit).
        shown, took = within(5, lambda: "Zwei Instanzen" in request(
            self.b, "GET", "/units/frauen.ics").body)
        self.assertTrue(shown)
        self.assertLess(took, 1.0)
        key = self.occurrence_key(self.b, event)[0]["key"]
        feed = request(self.b, "GET", "/units/frauen.ics")
        etag = feed.headers["etag"]
        self.assertEqual(request(self.b, "GET", "/units/frauen.ics",
                                 headers={"If-None-Match": etag}).status, 304)
        page = request(self.b, "GET", "/events/%d/%s" % (event["id"], key))
        self.assertEqual(page.status, 200)
        self.assertIn("19:00", page.body)

        moved = api(self.a, "PUT", "/api/v1/events/%d/occurrences/%s" % (event["id"], key),
                    self.responsible, {"start": later(9, 20), "duration_minutes": 90})
        self.assertEqual(moved.status, 200, moved.body)
        local_start = moved.json()["local_start"]  # 20:00 local
        self.assertTrue(local_start.endswith("T20:00:00"), moved.body)

        def feed_changed():
            r = request(self.b, "GET", "/units/frauen.ics", headers={"If-None-Match": etag})
            return r if r.status == 200 else None
        changed, took = within(5, feed_changed)
        self.assertIsNotNone(changed, "B's feed still answers 304")
        self.assertLess(took, 1.0)
        self.assertNotEqual(changed.headers["etag"], etag)
        # The new start, in the unit's zone (DTSTART;TZID=Europe/Berlin:YYYYMMDDT200000).
        day = local_start[:10].replace("-", "")
        self.assertIn("RECURRENCE-ID;TZID=Europe/Berlin:%sT190000" % day, changed.body)
        self.assertIn("DTSTART;TZID=Europe/Berlin:%sT200000" % day, changed.body)
        page, took = within(1, lambda: "20:00" in request(
            self.b, "GET", "/events/%d/%s" % (event["id"], key)).body)
        self.assertTrue(page, "B's page of the session does not show 20:00")

    def test_an_rsvp_through_one_is_on_the_others_page_within_a_second(self):
        event = self.new_event("Plätze über zwei Instanzen", 3, 10)
        [occurrence] = self.occurrence_key(self.a, event)
        key = occurrence["key"]
        path = "/events/%d/%s" % (event["id"], key)
        before = PLACES.search(request(self.a, "GET", path).body).group(1)
        answered = api(self.b, "PUT", "/api/v1/events/%d/occurrences/%s/rsvp" % (event["id"], key),
                       self.member, {"answer": "yes"})
        self.assertEqual(answered.status, 200, answered.body)
        self.assertEqual(answered.json()["occupancy"]["going"], 1)

        def places_changed():
            now = PLACES.search(request(self.a, "GET", path).body).group(1)
            return now if now != before else None
        after, took = within(5, places_changed)
        self.assertIsNotNone(after, "A's page still shows %r" % before)
        self.assertLess(took, 1.0)
        self.assertIn("2", after)  # 2 of 3 places left
        # A's API sees the same.
        [seen] = self.occurrence_key(self.a, event)
        self.assertEqual(seen["going"], 1)

    def test_a_login_link_made_by_one_logs_in_on_the_other_and_the_session_works_on_both(self):
        address = "wechsel@example.org"
        before = self.mails_to(address)
        asked = api(self.a, "POST", "/api/v1/login", body={"email": address})
        self.assertEqual(asked.status, 202, asked.body)
        text = self.new_mail(before, address)
        status, headers, body = mail_login.open_login_link(
            self.b.port, mail_login.LOGIN_LINK.search(text).group(1))
        self.assertEqual(status, 303, body)
        session = dict(headers)["set-cookie"].split(";", 1)[0].split("=", 1)[1]
        for instance in (self.a, self.b):
            me = request(instance, "GET", "/me", headers={"Cookie": "session=" + session})
            self.assertEqual(me.status, 200, me.body[:300])
            self.assertIn(address, me.body)
        # The link is used up on both.
        status, _, _ = mail_login.open_login_link(
            self.a.port, mail_login.LOGIN_LINK.search(text).group(1))
        self.assertNotEqual(status, 303)

    def test_a_guest_link_mailed_by_one_confirms_on_the_other(self):
        event = self.new_event("Gäste über zwei Instanzen", 4, 11)
        [occurrence] = self.occurrence_key(self.a, event)
        key = occurrence["key"]
        address = "gast.zwei@example.org"
        before = self.mails_to(address)
        asked = api(self.a, "POST", "/api/v1/events/%d/occurrences/%s/guest-rsvp" % (
            event["id"], key), body={"name": "Gast Zwei", "email": address, "answer": "yes"})
        self.assertEqual(asked.status, 202, asked.body)
        link = GUEST_LINK.search(self.new_mail(before, address)).group(1)
        shown = request(self.b, "GET", link)
        self.assertEqual(shown.status, 200, shown.body[:300])
        csrf = CSRF_FIELD.search(shown.body).group(1)
        done = request(self.b, "POST", link, urllib.parse.urlencode({"csrf": csrf}),
                       {"Content-Type": FORM, "Cookie": "csrf=" + csrf})
        self.assertEqual(done.status, 200, done.body[:300])
        self.assertIn("Du bist dabei", done.body)
        going, _ = within(1, lambda: self.occurrence_key(self.a, event)[0]["going"] == 1)
        self.assertTrue(going, "A does not count the confirmed guest")


    def test_the_rsvp_limit_holds_across_both_instances(self):
        # One person, RSVPs alternately through A and B: RSVP_LIMIT in all, not per instance.
        event = self.new_event("Grenzen über zwei Instanzen", 10, 12)
        [occurrence] = self.occurrence_key(self.a, event)
        path = "/api/v1/events/%d/occurrences/%s/rsvp" % (event["id"], occurrence["key"])
        token = self.token("grenze@example.org")
        answers = []
        for i in range(RSVP_LIMIT + 2):
            instance = (self.a, self.b)[i % 2]
            r = api(instance, "PUT", path, token, {"answer": ("yes", "no")[i % 2]})
            answers.append((r.status, r.headers.get("retry-after")))
        self.assertEqual([s for s, _ in answers[:RSVP_LIMIT]], [200] * RSVP_LIMIT, answers)
        for status, retry in answers[RSVP_LIMIT:]:
            self.assertEqual(status, 429, answers)
            self.assertGreaterEqual(int(retry), 1)
        # Someone else is not limited by it, on either.
        other = api(self.b, "PUT", path, self.member, {"answer": "maybe"})
        self.assertEqual(other.status, 200, other.body)

    def test_the_login_mail_limit_holds_across_both_instances(self):
        address = "viele.links@example.org"
        answers = []
        for i in range(LOGIN_LIMIT + 2):
            r = api((self.a, self.b)[i % 2], "POST", "/api/v1/login", body={"email": address})
            answers.append(r.status)
        self.assertEqual(answers, [202] * LOGIN_LIMIT + [429, 429])
        # Only the allowed ones were mailed.
        deadline = time.monotonic() + 10
        while len(self.mails_to(address)) < LOGIN_LIMIT and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        self.assertEqual(len(self.mails_to(address)), LOGIN_LIMIT)
        # The database keeps neither the address nor a client address in clear.
        rows = pg_database.query(self.database, "SELECT bucket FROM rate_limits")
        self.assertGreaterEqual(len(rows), 2)
        for [bucket] in rows:
            self.assertRegex(bucket, "^[0-9a-f]{64}$")


if __name__ == "__main__":
    unittest.main()
