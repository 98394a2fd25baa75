"""Starts the real `treffpunkt serve` on a free loopback port for the socket-level tests, and
speaks raw HTTP/1.1 where http.client would hide what the server does."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)


class Server:
    """`treffpunkt serve --demo` in its own data folder; stderr (the access log) goes to a file
    so that a long test never blocks the server on a full pipe."""

    def __init__(self, binary, *args, env=None, demo=True, data=None, prepare=None):
        self.data = data or tempfile.mkdtemp(prefix="treffpunkt-http-")
        if prepare:
            prepare(self.data)
        self.log_path = os.path.join(self.data, "stderr.log")
        self.log_file = open(self.log_path, "w+", encoding="utf-8")
        cmd = [binary, "serve", "--data", self.data, "--listen", "127.0.0.1:0"]
        if demo:
            cmd.append("--demo")
        cmd += list(args)
        full_env = dict(os.environ)
        for k in list(full_env):
            if k.startswith("TREFFPUNKT_"):
                del full_env[k]
        full_env.update(test_clock.env())
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log_file,
                                     text=True, env=full_env)
        line = self.proc.stdout.readline()
        if "listening on http://127.0.0.1:" not in line:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("server did not start: %r %r" % (line, self.log()))
        self.port = int(line.split("http://127.0.0.1:")[1].split()[0])

    def log(self):
        with open(self.log_path, encoding="utf-8") as f:
            return f.read()

    def log_lines_after(self, count, timeout=5):
        """The access-log lines, waiting until there are at least `count`."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [l for l in self.log().splitlines() if l.startswith("method=")]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def connect(self, rcvbuf=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(10)
        try:
            s.connect(("127.0.0.1", self.port))
        except OSError:
            s.close()
            raise
        return s

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.log_file.close()
        shutil.rmtree(self.data, ignore_errors=True)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())


def read_response(sock, buffered=b"", head=False):
    """Reads one response (Content-Length framed); returns (Response, bytes read beyond it).
    Returns (None, b"") when the server closed without answering."""
    data = buffered
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            if data:
                raise AssertionError("connection closed inside a response head: %r" % data)
            return None, b""
        data += chunk
    head_bytes, rest = data.split(b"\r\n\r\n", 1)
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed inside a body")
        rest += chunk
    return Response(status, headers, rest[:length]), rest[length:]


def exchange(server, raw, timeout=10):
    """Sends `raw` on a new connection and reads one response (None if the server closed)."""
    s = server.connect()
    s.settimeout(timeout)
    try:
        s.sendall(raw)
        return read_response(s)[0]
    finally:
        s.close()


def closed_by_peer(sock, timeout=5):
    """True when the server closes the connection (EOF or reset) within `timeout`."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
