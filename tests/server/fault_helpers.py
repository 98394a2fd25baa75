"""What the fault tests (issue 7) share: the CLI, JSON calls that report a dead server instead
of raising, SMTP servers that work (aiosmtpd) or misbehave (closed port, silent, garbage),
SQLite checks on the data folder, and for the PostgreSQL ones (issue 18) the CLI with
--database and a cluster of the test's own that it can stop and start again."""
import datetime
import email
import email.policy
import glob
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

HERE = os.path.dirname(os.path.abspath(__file__))
SMTP_SERVER = os.path.join(os.path.dirname(HERE), "notifications", "smtp_server.py")
PG_CLUSTER = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts", "pg-cluster")

# No rate limits: the tests write as fast as they can on purpose.
NO_LIMITS = ("--rsvp-limit-per-person", "0", "--rsvp-limit-per-address", "0",
             "--login-limit-per-address", "0", "--login-limit-per-ip", "0")


def later(days, hour=19):
    d = test_clock.today() + datetime.timedelta(days=days)
    return "%sT%02d:00" % (d.isoformat(), hour)


def cli(binary, data, *args):
    done = subprocess.run([binary, *args, "--data", data], capture_output=True, text=True,
                          timeout=30)
    if done.returncode != 0:
        raise RuntimeError("%s: %s" % (args, done.stderr))
    return done.stdout.strip()


def call(port, method, path, token=None, body=None, timeout=10, headers=None, raw=None):
    """(status, parsed JSON or text, content type); raises OSError/HTTPException when the
    server is gone."""
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = "Bearer " + token
    data = raw.encode("utf-8") if raw is not None else None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        all_headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=all_headers)
        r = conn.getresponse()
        raw = r.read()
        kind = r.getheader("Content-Type", "")
        if kind.startswith("application/json") and raw:
            return r.status, json.loads(raw), kind
        return r.status, raw.decode("utf-8", "replace"), kind
    finally:
        conn.close()


def pg_cli(binary, database, *args):
    """The CLI on a PostgreSQL database (`--database URL`): its output, or RuntimeError."""
    done = subprocess.run([binary, *args, "--database", database], capture_output=True,
                          text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError("%s: %s" % (args, done.stderr))
    return done.stdout.strip()


class OwnCluster:
    """A throwaway PostgreSQL cluster of the test's own (scripts/pg-cluster, under /tmp, which
    the postgres user can reach), for a test that stops the server: the shared one of ctest's
    fixture serves other tests at the same time. uri names its database `treffpunkt`."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="treffpunkt-pgf-", dir="/tmp")
        os.rmdir(self.folder)  # pg-cluster makes it, owned by whoever runs the server
        self.uri = self._run("start")

    def _run(self, command):
        done = subprocess.run([PG_CLUSTER, command, self.folder], capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError("pg-cluster %s: %s" % (command, done.stderr))
        return done.stdout.strip()

    def pause(self):
        """A fast shutdown: the server ends every session and is gone until resume()."""
        self._run("pause")

    def resume(self):
        self._run("resume")

    def stop(self):
        self._run("stop")


def new_event(port, token, unit="frauen", days=10, **fields):
    """Creates a one-off event; returns (event, its occurrence key)."""
    body = {"title": "Fehlertest", "start": later(days), "duration_minutes": 90}
    body.update(fields)
    status, made, _ = call(port, "POST", "/api/v1/units/%s/events" % unit, token, body)
    if status != 201:
        raise AssertionError("create event: %s %s" % (status, made))
    day = made["start"][:10]
    status, occ, _ = call(port, "GET", "/api/v1/units/%s/occurrences?from=%s&to=%s" % (
        unit, day, day))
    found = [o for o in occ["occurrences"] if o["event"] == made["id"]]
    if status != 200 or not found:
        raise AssertionError("occurrences: %s %s" % (status, occ))
    return made, found[0]["key"]


def integrity(data):
    """PRAGMA integrity_check of the data folder's database (as a second process would)."""
    db = sqlite3.connect(os.path.join(data, "treffpunkt.db"), timeout=10)
    try:
        return db.execute("PRAGMA integrity_check").fetchall()
    finally:
        db.close()


def query(data, sql, *args):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(data, "treffpunkt.db"), uri=True,
                         timeout=10)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def message_id(raw):
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]


def kill(server):
    """SIGKILL, keeping the data folder (Server.stop would remove it)."""
    server.proc.kill()
    server.proc.wait()
    server.proc.stdout.close()
    server.log_file.close()


class SmtpSink:
    """aiosmtpd (tests/notifications/smtp_server.py) on a free loopback port."""

    def __init__(self, *extra):
        self.dir = tempfile.mkdtemp(prefix="treffpunkt-fault-smtp-")
        port_file = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(["/usr/bin/python3", SMTP_SERVER, "--port-file", port_file,
                                      "--dir", os.path.join(self.dir, "mail"), *extra],
                                     stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the SMTP server did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.read())
        self.url = "smtp://127.0.0.1:%d" % self.port

    def message_ids(self):
        ids = []
        for path in sorted(glob.glob(os.path.join(self.dir, "mail", "*.eml"))):
            with open(path, "rb") as f:
                ids.append(message_id(f.read()))
        return ids

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


class BadSmtp:
    """A loopback TCP server that accepts and then either says nothing ("silent": reads and
    sleeps) or answers every line with garbage ("garbage")."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = "smtp://127.0.0.1:%d" % self.port
        self.accepted = 0
        self.stopping = False
        self.clients = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.clients.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            if self.mode == "garbage":
                c.sendall(b"\x00\xffhello? ##garbage## 9x9\r\n")
            while not self.stopping:
                data = c.recv(4096)
                if not data:
                    return
                if self.mode == "garbage":
                    c.sendall(b"%%% not smtp at all \xfe\r\n")
        except OSError:
            return

    def stop(self):
        self.stopping = True
        self.sock.close()
        for c in self.clients:
            try:
                c.close()
            except OSError:
                pass


def closed_port():
    """A loopback port on which nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fiu_points(control, pid, points, error, on):
    """Makes the libfiu failure points `points` of the process run under fiu-run fail with
    errno `error` (on) or work again (off)."""
    command = []
    for point in points:
        what = "enable name=%s,failinfo=%d" % (point, error) if on else "disable name=%s" % point
        command += ["-c", what]
    done = subprocess.run(["fiu-ctrl", "-f", control] + command + [str(pid)],
                          capture_output=True, text=True, timeout=10)
    # fiu-ctrl exits 0 even when it found no such process; it then says so on stderr.
    if done.returncode != 0 or "unknown pid" in done.stderr:
        raise AssertionError("fiu-ctrl: %s %s" % (done.returncode, done.stderr))
