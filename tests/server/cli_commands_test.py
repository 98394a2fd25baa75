#!/usr/bin/python3
"""The administration commands as an operator types them: admin add, token create, import
(with --dry-run, broken files and the mails of a changed event), export, person delete.

Usage: cli_commands_test.py PATH/TO/treffpunkt PATH/TO/tests/calendar/data
"""
import datetime
import email
import email.policy
import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1)
FIXTURES = sys.argv.pop(1)


class Commands(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="treffpunkt-cli-")
        self.make_units()

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def make_units(self):
        # Start the server once with the demo so the data folder has the four units.
        proc = subprocess.Popen([BINARY, "serve", "--demo", "--data", self.data,
                                 "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
        self.assertIn("with 4 units", line)

    def run_ok(self, *args, expect=0):
        done = subprocess.run([BINARY, *args, "--data", self.data], capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(done.returncode, expect, (args, done.stdout, done.stderr))
        return done

    def export(self):
        return json.loads(self.run_ok("export").stdout)

    def test_admin_add_makes_an_admin(self):
        done = self.run_ok("admin", "add", "Leitung@Example.org")
        self.assertIn("leitung@example.org is an admin", done.stdout)
        people = {p["email"]: p for p in self.export()["people"]}
        self.assertTrue(people["leitung@example.org"]["admin"])

    def test_admin_add_refuses_a_bad_address(self):
        done = self.run_ok("admin", "add", "not an address", expect=1)
        self.assertIn("email", done.stderr)

    def test_the_clock_is_set_by_treffpunkt_now(self):
        env = dict(os.environ, TREFFPUNKT_NOW="2028-02-29T10:00:00Z")
        done = subprocess.run([BINARY, "token", "create", "uhr@example.org", "--data", self.data],
                              capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("valid until 2029-02-28", done.stderr)  # 365 days from 29 February
        env["TREFFPUNKT_NOW"] = "tomorrow"
        done = subprocess.run([BINARY, "export", "--data", self.data], capture_output=True,
                              text=True, timeout=60, env=env)
        self.assertEqual(done.returncode, 2)
        self.assertIn("TREFFPUNKT_NOW must be an instant such as 2026-03-29T00:30:00Z, not "
                      "'tomorrow'", done.stderr)

    def test_token_create_prints_a_token_stored_only_hashed(self):
        done = self.run_ok("token", "create", "rosa@example.org")
        raw = done.stdout.strip()
        self.assertGreaterEqual(len(raw), 40)
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data, "treffpunkt.db"),
                             uri=True)
        try:
            rows = db.execute("SELECT hash, kind FROM tokens").fetchall()
        finally:
            db.close()
        self.assertEqual([r[1] for r in rows], ["api"])
        self.assertNotIn(raw.encode(), rows[0][0])
        self.assertNotIn(raw, self.run_ok("export").stdout)

    def test_import_adds_events_and_a_second_import_changes_nothing(self):
        google = os.path.join(FIXTURES, "google.ics")
        before = len(self.export()["events"])
        done = self.run_ok("import", "--unit", "bildung", google)
        self.assertRegex(done.stdout, r"imported \d+ events into bildung: \d+ new")
        after = len(self.export()["events"])
        self.assertGreater(after, before)
        again = self.run_ok("import", "--unit", "bildung", google)
        self.assertIn(" 0 new, 0 updated", again.stdout)
        self.assertEqual(len(self.export()["events"]), after)

    def test_dry_run_writes_nothing(self):
        before = self.export()
        done = self.run_ok("import", "--unit", "frauen", "--dry-run",
                           os.path.join(FIXTURES, "outlook.ics"))
        self.assertIn("dry run: nothing written", done.stdout)
        self.assertEqual(self.export()["events"], before["events"])

    def test_broken_file_names_its_line_and_changes_nothing(self):
        before = self.export()
        broken = os.path.join(FIXTURES, "broken_rrule.ics")
        done = self.run_ok("import", "--unit", "antifa", broken, expect=1)
        self.assertIn("broken_rrule.ics: line 16:", done.stderr)
        self.assertEqual(self.export()["events"], before["events"])

    def test_export_of_one_person_holds_only_their_data(self):
        self.run_ok("admin", "add", "rosa@example.org")
        self.run_ok("admin", "add", "konrad@example.org")
        mine = json.loads(self.run_ok("export", "--person", "Rosa@example.org").stdout)
        text = json.dumps(mine)
        self.assertIn("rosa@example.org", text)
        self.assertNotIn("konrad@example.org", text)
        done = self.run_ok("export", "--person", "nobody@example.org", expect=1)
        self.assertIn("nobody with the address", done.stderr)

    def test_person_delete_deletes_the_account_and_says_so(self):
        self.run_ok("admin", "add", "leitung@example.org")
        self.run_ok("token", "create", "geht@example.org")
        before = {p["email"]: p["id"] for p in self.export()["people"]}
        done = self.run_ok("person", "delete", " Geht@Example.org")
        self.assertEqual(done.stdout, "deleted the account of geht@example.org (person %d)\n"
                         % before["geht@example.org"])
        self.assertNotIn("geht@example.org", self.run_ok("export").stdout)
        # Once only: the address is unknown now.
        again = self.run_ok("person", "delete", "geht@example.org", expect=1)
        self.assertIn("nobody with the address geht@example.org", again.stderr)

    def test_person_delete_of_an_unknown_address_names_it(self):
        before = self.export()["people"]
        done = self.run_ok("person", "delete", "niemand@example.org", expect=1)
        self.assertIn("nobody with the address niemand@example.org", done.stderr)
        self.assertEqual(done.stdout, "")
        self.assertEqual(self.export()["people"], before)
        self.run_ok("person", "delete", expect=2)
        self.run_ok("person", "delete", "niemand@example.org", "--listen", "x", expect=2)

    def test_person_delete_refuses_the_last_admin(self):
        self.run_ok("admin", "add", "einzig@example.org")
        done = self.run_ok("person", "delete", "einzig@example.org", expect=1)
        self.assertIn("einzig@example.org is the last admin", done.stderr)
        people = {p["email"]: p for p in self.export()["people"]}
        self.assertTrue(people["einzig@example.org"]["admin"])
        # With a second admin, the first may go.
        self.run_ok("admin", "add", "zweite@example.org")
        self.run_ok("person", "delete", "einzig@example.org")
        self.assertNotIn("einzig@example.org", self.run_ok("export").stdout)

    def test_person_delete_gives_their_place_to_the_waitlist_with_a_mail(self):
        """The promotion is queued with the links of --base-url, for serve to send."""
        admin, leaving, waiting = "leitung@example.org", "geht@example.org", "wartet@example.org"
        self.run_ok("admin", "add", admin)
        tokens = {who: self.run_ok("token", "create", who).stdout.strip()
                  for who in (admin, leaving, waiting)}
        proc = subprocess.Popen([BINARY, "serve", "--data", self.data, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(proc.stdout.readline().split("http://127.0.0.1:")[1].split()[0])

            def call(method, path, who, body=None):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                try:
                    conn.request(method, path, body=json.dumps(body) if body else None,
                                 headers={"Authorization": "Bearer " + tokens[who],
                                          "Content-Type": "application/json"})
                    r = conn.getresponse()
                    return r.status, json.loads(r.read())
                finally:
                    conn.close()

            day = (test_clock.today() + datetime.timedelta(days=40)).isoformat()
            status, event = call("POST", "/api/v1/units/antifa/events", admin,
                                 {"title": "Workshop", "start": day + "T18:00", "capacity": 1})
            self.assertEqual(status, 201, event)
            _, listing = call("GET", "/api/v1/units/antifa/occurrences?from=%s&to=%s"
                              % (day, day), admin)
            key = [o["key"] for o in listing["occurrences"] if o["event"] == event["id"]][0]
            rsvp = "/api/v1/events/%d/occurrences/%s/rsvp" % (event["id"], key)
            self.assertEqual(call("PUT", rsvp, leaving, {"answer": "yes"})[1]["state"], "going")
            self.assertEqual(call("PUT", rsvp, waiting, {"answer": "yes"})[1]["state"],
                             "waitlisted")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            proc.stdout.close()

        done = self.run_ok("person", "delete", leaving, "--base-url", "https://termine.example.org/")
        self.assertIn("deleted the account of geht@example.org", done.stdout)
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data, "treffpunkt.db"),
                             uri=True)
        try:
            rows = db.execute("SELECT m.message FROM outbox o JOIN outbox_messages m "
                              "ON m.id = o.id WHERE o.recipient = ? AND "
                              "o.kind = 'waitlist_promotion'", (waiting,)).fetchall()
            going = db.execute("SELECT r.state FROM rsvps r JOIN people p ON p.id = r.person_id "
                               "WHERE p.email = ?", (waiting,)).fetchall()
        finally:
            db.close()
        self.assertEqual(going, [("going",)])
        self.assertEqual(len(rows), 1)
        message = email.message_from_bytes(rows[0][0], policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        self.assertIn("https://termine.example.org/events/%d" % event["id"], text)

    def test_import_of_a_moved_event_tells_those_going_and_keeps_its_places(self):
        """As an edit in the pages: a `moved` notice queued for serve, links to --base-url;
        the file has no places, the event keeps its one; the same file again queues nothing."""
        admin, going, waiting = "leitung@example.org", "geht@example.org", "wartet@example.org"
        self.run_ok("admin", "add", admin)
        tokens = {who: self.run_ok("token", "create", who).stdout.strip()
                  for who in (admin, going, waiting)}
        proc = subprocess.Popen([BINARY, "serve", "--data", self.data, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(proc.stdout.readline().split("http://127.0.0.1:")[1].split()[0])

            def call(method, path, who, body=None):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                try:
                    conn.request(method, path, body=json.dumps(body) if body else None,
                                 headers={"Authorization": "Bearer " + tokens[who],
                                          "Content-Type": "application/json"})
                    r = conn.getresponse()
                    return r.status, json.loads(r.read())
                finally:
                    conn.close()

            day = test_clock.today() + datetime.timedelta(days=40)
            status, event = call("POST", "/api/v1/units/antifa/events", admin,
                                 {"title": "Workshop", "start": day.isoformat() + "T18:00",
                                  "capacity": 1})
            self.assertEqual(status, 201, event)
            _, listing = call("GET", "/api/v1/units/antifa/occurrences?from=%s&to=%s"
                              % (day, day), admin)
            key = [o["key"] for o in listing["occurrences"] if o["event"] == event["id"]][0]
            rsvp = "/api/v1/events/%d/occurrences/%s/rsvp" % (event["id"], key)
            self.assertEqual(call("PUT", rsvp, going, {"answer": "yes"})[1]["state"], "going")
            self.assertEqual(call("PUT", rsvp, waiting, {"answer": "yes"})[1]["state"],
                             "waitlisted")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            proc.stdout.close()

        # The event as another calendar app exports it, an hour later: no places, no kind.
        ics = os.path.join(self.data, "moved.ics")
        with open(ics, "w", newline="") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
                    "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\n"
                    "DTSTART;TZID=Europe/Berlin:%sT190000\r\nDURATION:PT2H\r\n"
                    "SUMMARY:Workshop\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
                    % (event["uid"], day.strftime("%Y%m%d")))

        def outbox(kind):
            db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data, "treffpunkt.db"),
                                 uri=True)
            try:
                return db.execute("SELECT o.recipient, m.message FROM outbox o "
                                  "JOIN outbox_messages m ON m.id = o.id WHERE o.kind = ?",
                                  (kind,)).fetchall()
            finally:
                db.close()

        dry = self.run_ok("import", "--unit", "antifa", "--dry-run", ics)
        self.assertIn("0 new, 1 updated", dry.stdout)
        self.assertEqual(outbox("moved"), [])
        done = self.run_ok("import", "--unit", "antifa", "--base-url",
                           "https://termine.example.org/", ics)
        self.assertIn("0 new, 1 updated, 0 unchanged", done.stdout)
        self.assertEqual(done.stderr, "")
        moved = outbox("moved")
        self.assertEqual([r[0] for r in moved], [going])
        message = email.message_from_bytes(moved[0][1], policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        self.assertIn("https://termine.example.org/events/%d" % event["id"], text)
        self.assertIn("19:00", text)
        self.assertEqual(outbox("waitlist_promotion"), [])
        events = {e["uid"]: e for e in self.export()["events"]}
        self.assertEqual(events[event["uid"]]["capacity"], 1)

        again = self.run_ok("import", "--unit", "antifa", ics)
        self.assertIn("0 new, 0 updated, 1 unchanged", again.stdout)
        self.assertEqual(len(outbox("moved")), 1)

    def test_import_into_an_unknown_unit_fails(self):
        done = self.run_ok("import", "--unit", "nope", os.path.join(FIXTURES, "google.ics"),
                           expect=1)
        self.assertIn("no unit 'nope'", done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
