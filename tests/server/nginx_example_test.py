#!/usr/bin/python3
"""The nginx configuration of docs/operations.md ("Two instances behind nginx on one
PostgreSQL"), taken from the document as it stands, in front of two real `treffpunkt serve
--trust-proxy`: requests reach both instances, links follow the host and scheme the client
asked for, the client's address is nginx's view of it (not what the client claims), and when
one instance stops every request is answered by the other.

TLS is left out (a plain listener on a free loopback port): everything else of the `location`
block and the upstream is the document's. The instances run on SQLite here: what nginx does is
the same whichever database they share.

Usage: nginx_example_test.py PATH/TO/treffpunkt PATH/TO/docs/operations.md
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from server_process import Server, exchange

BINARY = sys.argv.pop(1)
DOC = sys.argv.pop(1)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def documented_config():
    """The ```nginx block of the section, as text."""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("## Two instances behind nginx on one PostgreSQL"):]
    return re.search(r"```nginx\n(.*?)```", section, re.S).group(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def adapted(config, ports, listen):
    """The document's config with the test's ports, and without TLS and the port-80 redirect."""
    for documented, port in zip((8081, 8082), ports):
        config, n = re.subn(r"127\.0\.0\.1:%d\b" % documented, "127.0.0.1:%d" % port, config)
        assert n == 1, "the upstream no longer names 127.0.0.1:%d" % documented
    config = config[:config.rindex("server {")]  # the last server block: the redirect
    config = re.sub(r"\n\s*listen \[::\]:443[^\n]*", "", config)
    config = re.sub(r"listen 443 ssl http2;", "listen 127.0.0.1:%d;" % listen, config)
    config = re.sub(r"\n\s*ssl_certificate[^\n]*", "", config)
    assert "ssl" not in config and "listen 127.0.0.1:%d;" % listen in config, config
    return config


class NginxExample(unittest.TestCase):
    def setUp(self):
        self.first = Server(BINARY, "--trust-proxy")
        self.addCleanup(self.first.stop)
        self.second = Server(BINARY, "--trust-proxy")
        self.addCleanup(self.second.stop)
        self.dir = tempfile.mkdtemp(prefix="treffpunkt-nginx-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.port = free_port()
        site = adapted(documented_config(), (self.first.port, self.second.port), self.port)
        temp = os.path.join(self.dir, "temp")
        os.mkdir(temp)
        main = """
daemon off;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log;
%(user)s
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %(temp)s;
    proxy_temp_path %(temp)s;
    fastcgi_temp_path %(temp)s;
    uwsgi_temp_path %(temp)s;
    scgi_temp_path %(temp)s;
%(site)s
}
""" % {"dir": self.dir, "temp": temp, "site": site,
       # As root, nginx's workers would become `nobody`, who cannot enter the temp folder.
       "user": "user root;" if os.geteuid() == 0 else ""}
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(main)
        checked = subprocess.run([NGINX, "-t", "-p", self.dir, "-c", conf],
                                 capture_output=True, text=True)
        self.assertEqual(checked.returncode, 0, checked.stderr)
        self.nginx = subprocess.Popen([NGINX, "-p", self.dir, "-c", conf],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(self.stop_nginx)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                self.assertLess(time.monotonic(), deadline, "nginx did not start")
                time.sleep(0.05)

    def stop_nginx(self):
        self.nginx.terminate()
        self.nginx.wait(timeout=10)

    def connect(self):  # as Server.connect, for exchange(): nginx is the server here
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def get(self, path, headers=b""):
        return exchange(self, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: "
                        b"termine.example.org\r\n" + headers + b"Connection: close\r\n\r\n")

    def test_both_instances_answer_with_the_clients_host_and_address(self):
        for _ in range(4):
            home = self.get("/", b"X-Forwarded-For: 203.0.113.9\r\n")
            self.assertEqual(home.status, 200)
            body = home.body.decode()
            # Links follow the host (and scheme: plain here) the client asked nginx for.
            self.assertIn('href="http://termine.example.org/units/bildung.ics"', body)
            self.assertIn('href="webcal://termine.example.org/units/bildung.ics"', body)
        deadline = time.monotonic() + 5  # the access log is written after the answer
        while True:
            first = self.first.log_lines_after(0)
            second = self.second.log_lines_after(0)
            if len(first) + len(second) >= 4 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.assertEqual(len(first) + len(second), 4, (first, second))
        self.assertTrue(first and second, "nginx used one instance only")
        # The address is nginx's own view of the client: what the client claimed is dropped.
        for line in first + second:
            self.assertTrue(line.endswith(" remote=127.0.0.0/24"), line)

    def test_when_one_instance_stops_the_other_answers_everything(self):
        self.assertEqual(self.get("/healthz").status, 200)
        self.first.proc.terminate()  # systemctl stop: SIGTERM
        self.first.proc.wait(timeout=15)
        for _ in range(6):
            answer = self.get("/units/bildung.ics")
            self.assertEqual(answer.status, 200)
            self.assertIn(b"BEGIN:VCALENDAR", answer.body)
        self.assertGreaterEqual(len(self.second.log_lines_after(6)), 6)


if __name__ == "__main__":
    unittest.main()
