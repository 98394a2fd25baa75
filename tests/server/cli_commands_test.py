#!/usr/bin/python3
"""The administration commands as an operator types them: admin add, token create, import
(with --dry-run and broken files), export.

Usage: cli_commands_test.py PATH/TO/treffpunkt PATH/TO/tests/calendar/data
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

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

    def test_import_into_an_unknown_unit_fails(self):
        done = self.run_ok("import", "--unit", "nope", os.path.join(FIXTURES, "google.ics"),
                           expect=1)
        self.assertIn("no unit 'nope'", done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
