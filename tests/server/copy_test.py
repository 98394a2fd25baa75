#!/usr/bin/python3
"""`treffpunkt copy --from DIR --to postgresql://...` as an operator runs it (issue 18): the demo
data folder, with its serve still running, into a new PostgreSQL database; the counts it prints
are those of both databases; a second copy into the same database is refused; a wrong command
line says what is wrong.

Usage: copy_test.py PATH/TO/treffpunkt POSTGRESQL_URI (ctest's cluster: the fixture `postgres`)
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1)
CLUSTER = sys.argv.pop(1)  # postgresql:///treffpunkt?host=DIR&user=treffpunkt


def with_database(uri, name):
    head, _, query = uri.partition("?")
    return head[:head.rfind("/") + 1] + name + ("?" + query if query else "")


def psql(uri, sql):
    done = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", uri,
                           "-c", sql], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError("psql %r: %s" % (sql, done.stderr))
    return done.stdout.strip()


class Copy(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="treffpunkt-copy-")
        self.database = "copy_cli_%d" % os.getpid()
        psql(CLUSTER, "CREATE DATABASE " + self.database)
        self.target = with_database(CLUSTER, self.database)
        # serve --demo fills the folder and keeps running: the copy reads beside it.
        self.serve = subprocess.Popen([BINARY, "serve", "--demo", "--data", self.data,
                                       "--listen", "127.0.0.1:0"],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      text=True)
        self.assertIn("with 4 units", self.serve.stdout.readline())

    def tearDown(self):
        self.serve.terminate()
        self.serve.wait(timeout=10)
        self.serve.stdout.close()
        psql(CLUSTER, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.database)
        shutil.rmtree(self.data, ignore_errors=True)

    def copy(self, *args, expect=0):
        done = subprocess.run([BINARY, "copy", *args], capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(done.returncode, expect, (args, done.stdout, done.stderr))
        return done

    def sqlite_counts(self):
        db = sqlite3.connect("file:%s/treffpunkt.db?mode=ro" % self.data, uri=True)
        try:
            names = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                "name NOT LIKE 'sqlite_%' ORDER BY name")]
            return {n: db.execute('SELECT COUNT(*) FROM "%s"' % n).fetchone()[0] for n in names}
        finally:
            db.close()

    def test_the_demo_goes_over_with_its_counts_and_only_once(self):
        done = self.copy("--from", self.data, "--to", self.target)
        print(done.stdout)  # the counts, for whoever reads the test log
        lines = done.stdout.splitlines()
        self.assertEqual(lines[0], "Copied %s/treffpunkt.db into the PostgreSQL database %s on "
                         "%s:" % (self.data, self.database,
                                  re.search(r"host=([^&]+)", CLUSTER).group(1)))
        printed = {}
        for line in lines[1:-2]:
            name, rows = line.split()
            printed[name] = int(rows)
        expected = self.sqlite_counts()
        self.assertEqual(printed, expected)
        self.assertGreater(expected["units"], 0)
        self.assertGreater(expected["events"], 0)
        self.assertEqual(lines[-2].split(), ["total", str(sum(expected.values()))])
        self.assertEqual(lines[-1], "The row counts of every table agree on both sides "
                                    "(rsvp_counts, filled as the RSVPs were copied: with a "
                                    "count of them).")
        self.assertEqual(done.stderr, "")
        for name, rows in expected.items():
            self.assertEqual(int(psql(self.target, 'SELECT COUNT(*) FROM "%s"' % name)), rows,
                             name)
        # The signing key came along: links made by the SQLite installation keep working.
        db = sqlite3.connect("file:%s/treffpunkt.db?mode=ro" % self.data, uri=True)
        secret = db.execute("SELECT hex(value) FROM settings WHERE name = "
                            "'installation_secret'").fetchone()[0].lower()
        db.close()
        self.assertEqual(psql(self.target, "SELECT encode(value, 'hex') FROM settings WHERE "
                              "name = 'installation_secret'"), secret)

        again = self.copy("--from", self.data, "--to", self.target, expect=1)
        self.assertEqual(again.stdout, "")
        self.assertIn("is not empty: ", again.stderr)
        self.assertIn("nothing was copied", again.stderr)
        self.assertEqual(int(psql(self.target, "SELECT COUNT(*) FROM units")), expected["units"])

    def test_a_wrong_command_line_says_what_is_wrong_and_touches_nothing(self):
        missing = self.copy("--from", self.data, expect=2)
        self.assertIn("--to URL is missing", missing.stderr)
        self.assertIn("Usage: treffpunkt copy --from DIR --to", missing.stderr)
        self.assertIn("--from DIR is missing", self.copy("--to", self.target, expect=2).stderr)
        # --data names the folder of every other command; copy's source is named --from.
        self.assertIn("--from DIR is missing",
                      self.copy("--data", self.data, "--to", self.target, expect=2).stderr)
        self.assertIn("unknown argument '--into'",
                      self.copy("--from", self.data, "--into", self.target, expect=2).stderr)
        not_pg = self.copy("--from", self.data, "--to", "mysql://root:geheim@db/x", expect=1)
        self.assertIn("the target must be a PostgreSQL URL", not_pg.stderr)
        self.assertNotIn("geheim", not_pg.stderr)
        empty = tempfile.mkdtemp(prefix="treffpunkt-copy-empty-")
        try:
            none = self.copy("--from", empty, "--to", self.target, expect=1)
            self.assertIn("has no treffpunkt.db to copy", none.stderr)
        finally:
            shutil.rmtree(empty)
        self.assertIn("Usage: treffpunkt copy", self.copy("--help").stdout)
        self.assertEqual(psql(self.target, "SELECT COUNT(*) FROM information_schema.tables "
                              "WHERE table_schema = current_schema()"), "0")


if __name__ == "__main__":
    unittest.main()
