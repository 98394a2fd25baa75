#!/usr/bin/python3
"""A full disk and a read-only data folder (issue 7): writes answer 503 with a message (JSON
for the API, a page for forms), reads (feeds, pages, API GETs) keep answering 200, the server
does not crash, and once the condition is lifted the database passes PRAGMA integrity_check,
nothing half-written is visible, and writes work again.

- A full disk without root mounts: the running server's RLIMIT_FSIZE is lowered (prlimit)
  below any write SQLite could make, with SIGXFSZ ignored, so that every write of the
  database's WAL fails with EFBIG, as it would with ENOSPC.
- A folder that turns read-only while the server runs (the kernel remounts a file system
  read-only after an error): the server runs under libfiu's fiu-run (Debian's fiu-utils), and
  fiu-ctrl makes every pwrite, ftruncate, fsync and fdatasync of the process fail with EROFS,
  then lifts that again. A real read-only remount is refused here (EBUSY while files are open
  for writing) and a chmod does not affect descriptors already open.
- A folder that is read-only when the server starts: the server runs as `nobody` (setpriv) on
  a data folder that belongs to root with modes 0555/0444 (root itself ignores file modes).
  It serves what is there and answers 503 to every change; both after a clean stop (no WAL:
  SQLite reads the file as immutable) and after a SIGKILL (the WAL and its index were left
  behind: what was committed only to the WAL must be served too).

Usage: fault_storage_test.py PATH/TO/treffpunkt
"""
import errno
import os
import re
import subprocess
import resource
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_helpers import (NO_LIMITS, call, cli, fiu_points, integrity, kill, later,  # noqa
                           new_event, query)
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
MEMBER = "mitglied@example.org"
READS = ["/calendar.ics", "/units/frauen.ics", "/", "/units/frauen", "/api/v1/units",
         "/api/v1/units/frauen/events"]


def wrapper(folder):
    """A script that starts the server with SIGXFSZ ignored (an ignored signal stays ignored
    across exec; Python's subprocess would reset it to the default, which kills)."""
    path = os.path.join(folder, "treffpunkt-wrapped")
    with open(path, "w") as f:
        f.write("#!/bin/sh\ntrap '' XFSZ\nexec %s \"$@\"\n" % BINARY)
    os.chmod(path, 0o755)
    return path


class StorageFaults(unittest.TestCase):
    def prepared(self):
        tokens = {}
        data = tempfile.mkdtemp(prefix="treffpunkt-fault-storage-")
        cli(BINARY, data, "admin", "add", ADMIN)
        for who in (ADMIN, MEMBER):
            tokens[who] = cli(BINARY, data, "token", "create", who)
        return data, tokens

    def assert_unavailable(self, status, body, kind, what):
        self.assertEqual(status, 503, (what, body))
        if kind.startswith("application/json"):
            self.assertEqual(body["error"]["code"], "unavailable", what)
            self.assertTrue(body["error"]["message"], what)
        else:
            self.assertIn("text/html", kind, what)
            self.assertIn("noch einmal", body, what)  # "... versuch es gleich noch einmal"

    def assert_reads_work(self, port, token):
        for path in READS:
            status, body, _ = call(port, "GET", path, token)
            self.assertEqual(status, 200, (path, body))

    def writes_fail(self, server, tokens, event, key):
        """Every kind of write answers 503; returns the titles that must never show up."""
        port = server.port
        status, body, kind = call(port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (
            event["id"], key), tokens[MEMBER], {"answer": "yes"})
        self.assert_unavailable(status, body, kind, "RSVP")
        status, body, kind = call(port, "POST", "/api/v1/units/frauen/events", tokens[ADMIN],
                                  {"title": "Halb geschrieben", "start": later(12),
                                   "duration_minutes": 60})
        self.assert_unavailable(status, body, kind, "event create")
        status, body, kind = call(port, "PATCH", "/api/v1/events/%s" % event["id"],
                                  tokens[ADMIN], {"title": "Halb umbenannt"})
        self.assert_unavailable(status, body, kind, "event edit")
        status, body, kind = call(port, "POST", "/api/v1/login", body={"email": MEMBER})
        self.assert_unavailable(status, body, kind, "login link")
        # The login form: a page, in German.
        status, page, _ = call(port, "GET", "/login")
        self.assertEqual(status, 200)
        csrf = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', page).group(1)
        status, body, kind = call(port, "POST", "/login", headers={
            "Cookie": "csrf=" + csrf, "Content-Type": "application/x-www-form-urlencoded"},
            raw="csrf=%s&email=mitglied%%40example.org" % csrf)
        self.assert_unavailable(status, body, kind, "login form")
        return ["Halb geschrieben", "Halb umbenannt"]

    def nothing_half_written(self, data, tokens, event, key, titles):
        self.assertEqual(integrity(data), [("ok",)])
        server = Server(BINARY, *NO_LIMITS, data=data, demo=False)
        try:
            self.assert_reads_work(server.port, tokens[MEMBER])
            status, body, _ = call(server.port, "GET", "/api/v1/events/%s/occurrences/%s/rsvp" % (
                event["id"], key), tokens[MEMBER])
            self.assertEqual(status, 404, body)  # the refused RSVP is not there
            status, events, _ = call(server.port, "GET", "/api/v1/units/frauen/events")
            shown = [e["title"] for e in events["events"]]
            for title in titles:
                self.assertNotIn(title, shown)
            status, feed, _ = call(server.port, "GET", "/units/frauen.ics")
            for title in titles:
                self.assertNotIn(title, feed)
            # And it writes again.
            status, body, _ = call(server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (
                event["id"], key), tokens[MEMBER], {"answer": "yes"})
            self.assertEqual(status, 200, body)
        finally:
            server.stop()

    def test_disk_full(self):
        data, tokens = self.prepared()
        tools = tempfile.mkdtemp(prefix="treffpunkt-fault-bin-")
        self.addCleanup(shutil.rmtree, tools, True)
        server = Server(wrapper(tools), *NO_LIMITS, data=data)
        self.addCleanup(lambda: shutil.rmtree(data, True))
        try:
            event, key = new_event(server.port, tokens[ADMIN])
            self.assert_reads_work(server.port, tokens[MEMBER])  # feeds cached, readers open
            # No file of the server may grow past 4 KiB from now on: not one WAL frame fits.
            resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (4096, 4096))
            titles = self.writes_fail(server, tokens, event, key)
            self.assert_reads_work(server.port, tokens[MEMBER])
            self.assertIsNone(server.proc.poll(), "the server died")
        finally:
            kill(server)
        self.nothing_half_written(data, tokens, event, key, titles)

    def test_data_folder_turns_read_only_while_serving(self):
        fiu_run = shutil.which("fiu-run")
        self.assertIsNotNone(fiu_run, "fiu-run is missing: scripts/bootstrap installs fiu-utils")
        data, tokens = self.prepared()
        self.addCleanup(lambda: shutil.rmtree(data, True))
        tools = tempfile.mkdtemp(prefix="treffpunkt-fault-bin-")
        self.addCleanup(shutil.rmtree, tools, True)
        control = os.path.join(tools, "fiu")
        wrapped = os.path.join(tools, "treffpunkt-fiu")
        with open(wrapped, "w") as f:
            f.write("#!/bin/sh\nexec %s -x -f %s %s \"$@\"\n" % (fiu_run, control, BINARY))
        os.chmod(wrapped, 0o755)
        server = Server(wrapped, *NO_LIMITS, data=data)
        try:
            event, key = new_event(server.port, tokens[ADMIN])
            self.assert_reads_work(server.port, tokens[MEMBER])
            read_only(control, server.proc.pid, True)
            titles = self.writes_fail(server, tokens, event, key)
            self.assert_reads_work(server.port, tokens[MEMBER])
            self.assertIsNone(server.proc.poll(), "the server died")
            # Lifted: the same process writes again, without a restart.
            read_only(control, server.proc.pid, False)
            status, body, _ = call(server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (
                event["id"], key), tokens[MEMBER], {"answer": "maybe"})
            self.assertEqual(status, 200, body)
        finally:
            kill(server)
        self.assertEqual(integrity(data), [("ok",)])
        for title in titles:
            self.assertEqual(query(data, "SELECT id FROM events WHERE title = ?", title), [])
        answers = query(data, "SELECT answer FROM rsvps WHERE event_id = ?", event["id"])
        self.assertEqual(answers, [("maybe",)])

    def test_a_write_waiting_for_the_database_does_not_hold_up_reads(self):
        """docs/architecture.md: nothing blocking on the io threads. With one io thread, a write that
        waits for the database (here: another process holds its write lock) must not stop
        the feeds from being served meanwhile."""
        data, tokens = self.prepared()
        server = Server(BINARY, "--threads", "1", *NO_LIMITS, data=data)
        try:
            event, key = new_event(server.port, tokens[ADMIN])
            self.assertEqual(call(server.port, "GET", "/units/frauen.ics")[0], 200)
            holder = sqlite3.connect(os.path.join(data, "treffpunkt.db"), isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # the write lock, for as long as we like
            answer = {}
            writer = threading.Thread(target=lambda: answer.update(put=call(
                server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (event["id"], key),
                tokens[MEMBER], {"answer": "yes"}, timeout=20)))
            writer.start()
            time.sleep(0.3)  # the PUT now waits for the lock (busy timeout 5 s)
            self.assertTrue(writer.is_alive(), answer)
            for path in ("/units/frauen.ics", "/", "/api/v1/units"):
                started = time.monotonic()
                status, _, _ = call(server.port, "GET", path, timeout=3)
                self.assertEqual(status, 200, path)
                self.assertLess(time.monotonic() - started, 1.0, path)
            self.assertTrue(writer.is_alive(), "the PUT should still be waiting")
            holder.execute("COMMIT")
            holder.close()
            writer.join(timeout=10)
            self.assertEqual(answer["put"][0], 200, answer)
        finally:
            server.stop()

    def read_only_start(self, stop):
        """Prepares a folder with one new event, stops the server with `stop`, makes the folder
        read-only and starts the server as nobody; checks it serves the event and refuses
        writes; then lifts it."""
        data, tokens = self.prepared()
        self.addCleanup(lambda: shutil.rmtree(data, True))
        self.addCleanup(lambda: os.path.isdir(data) and os.chmod(data, 0o755))
        first = Server(BINARY, *NO_LIMITS, data=data)
        event, key = new_event(first.port, tokens[ADMIN], title="Nur im Log")
        stop(first)
        os.remove(os.path.join(data, "stderr.log"))
        left = sorted(os.listdir(data))
        # Root's folder, read-only to everyone else; the server runs as nobody.
        for name in left:
            os.chmod(os.path.join(data, name), 0o444 if name != "mail" else 0o555)
        os.chmod(data, 0o555)
        tools = tempfile.mkdtemp(prefix="treffpunkt-fault-bin-")
        self.addCleanup(shutil.rmtree, tools, True)
        wrapped = os.path.join(tools, "treffpunkt-nobody")
        with open(wrapped, "w") as f:
            f.write("#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups "
                    "%s \"$@\"\n" % BINARY)
        os.chmod(wrapped, 0o755)
        server = Server(wrapped, *NO_LIMITS, data=data, demo=False)
        try:
            self.assertIn("cannot be written", server.log())
            self.assert_reads_work(server.port, tokens[MEMBER])
            status, feed, _ = call(server.port, "GET", "/units/frauen.ics")
            self.assertIn("SUMMARY:Nur im Log", feed)
            titles = self.writes_fail(server, tokens, event, key)
            self.assert_reads_work(server.port, tokens[MEMBER])
            self.assertIsNone(server.proc.poll(), "the server died")
        finally:
            kill(server)
        # A backup from the read-only folder works too; a command that writes is refused.
        export = subprocess.run([wrapped, "export", "--data", data], capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(export.returncode, 0, export.stderr)
        self.assertIn("Nur im Log", export.stdout)
        admin = subprocess.run([wrapped, "admin", "add", "neu@example.org", "--data", data],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(admin.returncode, 1, admin)
        self.assertIn("cannot be written", admin.stderr)
        self.assertEqual(sorted(n for n in os.listdir(data) if n != "stderr.log"), left,
                         "the server changed the read-only folder")
        os.chmod(data, 0o755)
        for name in os.listdir(data):
            os.chmod(os.path.join(data, name), 0o644 if name != "mail" else 0o755)
        self.nothing_half_written(data, tokens, event, key, titles)
        return left

    def test_read_only_data_folder_at_start_after_a_clean_stop(self):
        def terminate(server):
            server.proc.terminate()
            self.assertEqual(server.proc.wait(timeout=15), 0)
            server.proc.stdout.close()
            server.log_file.close()
        left = self.read_only_start(terminate)
        self.assertNotIn("treffpunkt.db-wal", left)  # SQLite reads it as an immutable file

    def test_read_only_data_folder_at_start_after_a_crash(self):
        left = self.read_only_start(kill)
        self.assertIn("treffpunkt.db-wal", left)  # the new event is only in the WAL


def read_only(control, pid, on):
    """Makes the process's writes to files fail with EROFS (on) or work again (off)."""
    fiu_points(control, pid, ("posix/io/rw/pwrite", "posix/io/rw/pwritev", "posix/io/rw/ftruncate",
                              "posix/io/sync/fsync", "posix/io/sync/fdatasync"), errno.EROFS, on)

if __name__ == "__main__":
    unittest.main(verbosity=2)
