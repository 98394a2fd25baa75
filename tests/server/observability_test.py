#!/usr/bin/python3
"""Access log, /metrics and --trust-proxy over a real loopback socket.

Usage: observability_test.py PATH/TO/treffpunkt
"""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_process import Server, exchange  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
LOG_LINE = re.compile(r'^method=(\S+) path=(\S+|"[^"]*") status=(\d{3}) bytes=(\d+) us=(\d+) '
                      r'remote=(\S+)$')


def get(server, path, headers=b""):
    return exchange(server, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n" + headers +
                    b"\r\n")


def metric(text, name, **labels):
    wanted = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, value = line.rsplit(" ", 1)
        if key == (name + ("{%s}" % wanted if labels else "")) or (
                labels and key.startswith(name + "{") and
                sorted(key[len(name) + 1:-1].split(",")) == sorted(wanted.split(","))):
            return float(value)
    return 0.0


class AccessLogAndMetrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY, "--threads", "2", "--read-timeout", "1")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_one_logfmt_line_per_request_without_secrets(self):
        # A request's log line is written after its answer is sent, so the previous test's
        # last lines may still be on their way: wait until the log stands still.
        before = -1
        while True:
            count = len(self.server.log_lines_after(0, timeout=0))
            if count == before:
                break
            before = count
            time.sleep(0.2)
        secret = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA"
        get(self.server, "/units/bildung.ics?token=hunter2&lang=en")
        get(self.server, "/feeds/%s.ics" % secret)
        get(self.server, "/healthz", b"Authorization: Bearer sekrit-token-value\r\n"
                                     b"Cookie: session=sekrit-cookie\r\n")
        exchange(self.server, b"GARBAGE\r\n\r\n")
        lines = self.server.log_lines_after(before + 4)[before:]
        self.assertEqual(len(lines), 4, lines)
        parsed = [LOG_LINE.match(l) for l in lines]
        self.assertTrue(all(parsed), lines)
        by_path = {m.group(2): m for m in parsed}
        feed = by_path["/units/bildung.ics"]
        self.assertEqual((feed.group(1), feed.group(3), feed.group(6)), ("GET", "200", "127.0.0.0/24"))
        self.assertGreater(int(feed.group(4)), 1000)
        self.assertIn("/feeds/…", by_path)
        self.assertEqual(by_path["-"].group(3), "400")
        log = self.server.log()
        for leaked in (secret, "hunter2", "sekrit", "token=", "lang=en"):
            self.assertNotIn(leaked, log)

    def test_metrics_count_routes_statuses_latency_and_cache(self):
        before = get(self.server, "/metrics").body.decode()
        get(self.server, "/units/frauen.ics")
        get(self.server, "/units/frauen.ics")
        get(self.server, "/units/does-not-exist.ics")
        get(self.server, "/events/1.ics")
        exchange(self.server, b"DELETE /calendar.ics HTTP/1.1\r\nHost: t\r\n\r\n")
        exchange(self.server, b"GET / HTTP/1.1\r\nHost: t\r\nX: " + b"a" * 9000 + b"\r\n\r\n")
        response = get(self.server, "/metrics")
        self.assertEqual(response.status, 200)
        self.assertTrue(response.header("Content-Type").startswith("text/plain; version=0.0.4"))
        after = response.body.decode()

        def moved(name, **labels):
            return metric(after, name, **labels) - metric(before, name, **labels)

        self.assertEqual(moved("treffpunkt_http_requests_total", route="/units/{slug}.ics",
                               status="200"), 2)
        self.assertEqual(moved("treffpunkt_http_requests_total", route="/units/{slug}.ics",
                               status="404"), 1)
        self.assertEqual(moved("treffpunkt_http_requests_total", route="/events/{id}.ics",
                               status="200"), 1)
        self.assertEqual(moved("treffpunkt_http_requests_total", route="/calendar.ics",
                               status="405"), 1)
        self.assertEqual(moved("treffpunkt_http_requests_total", route="{unread}",
                               status="431"), 1)
        # No raw paths as labels.
        self.assertNotIn("frauen", after)
        self.assertNotIn("does-not-exist", after)
        self.assertGreaterEqual(moved("treffpunkt_http_request_duration_seconds_count"), 7)
        self.assertGreaterEqual(moved("treffpunkt_http_request_duration_seconds_bucket",
                                      le="+Inf"), 7)
        self.assertGreaterEqual(moved("treffpunkt_feed_cache_hits_total"), 1)
        self.assertIn("# TYPE treffpunkt_http_request_duration_seconds histogram", after)
        self.assertIn("treffpunkt_outbox_depth 0", after)
        # Histogram buckets are cumulative.
        buckets = [float(l.rsplit(" ", 1)[1]) for l in after.splitlines()
                   if l.startswith("treffpunkt_http_request_duration_seconds_bucket")]
        self.assertEqual(buckets, sorted(buckets))

    def test_api_paths_are_counted_by_pattern(self):
        get(self.server, "/api/v1/units/bildung/occurrences?from=2026-01-01")
        text = get(self.server, "/metrics").body.decode()
        self.assertIn('route="/api/v1/units/{}/occurrences"', text)
        self.assertNotIn("bildung", text)

    def test_cache_misses_count_renders(self):
        get(self.server, "/units/kommunales.ics")
        text = get(self.server, "/metrics").body.decode()
        self.assertGreaterEqual(metric(text, "treffpunkt_feed_cache_misses_total"), 1)


class TrustProxy(unittest.TestCase):
    FORWARDED = (b"X-Forwarded-For: 203.0.113.9, 198.51.100.7\r\n"
                 b"X-Forwarded-Proto: https\r\nX-Forwarded-Host: termine.example.org\r\n")

    def start(self, *args):
        server = Server(BINARY, "--threads", "2", *args)
        self.addCleanup(server.stop)
        return server

    def last_remote(self, server, count):
        lines = server.log_lines_after(count)
        return LOG_LINE.match(lines[-1]).group(6)

    def test_ignored_without_trust_proxy(self):
        server = self.start()
        home = get(server, "/", self.FORWARDED).body.decode()
        self.assertIn("webcal://127.0.0.1:%d/units/bildung.ics" % server.port, home)
        self.assertNotIn("termine.example.org", home)
        self.assertEqual(self.last_remote(server, 1), "127.0.0.0/24")

    def test_honoured_with_trust_proxy(self):
        server = self.start("--trust-proxy")
        home = get(server, "/", self.FORWARDED).body.decode()
        self.assertIn('href="webcal://termine.example.org/units/bildung.ics"', home)
        self.assertIn('href="https://termine.example.org/units/bildung.ics"', home)
        # The client is the address our proxy appended: the rightmost one.
        self.assertEqual(self.last_remote(server, 1), "198.51.100.0/24")
        feed = get(server, "/units/bildung.ics", self.FORWARDED).body.decode()
        self.assertIn("termine.example.org", feed)
        # Without the headers, the default links; junk in them is ignored.
        plain = get(server, "/").body.decode()
        self.assertIn("webcal://127.0.0.1:%d/" % server.port, plain)
        junk = get(server, "/", b"X-Forwarded-For: not-an-ip\r\n"
                                b"X-Forwarded-Host: evil\"><script>\r\n").body.decode()
        self.assertNotIn("<script>", junk)
        # Two io threads may write their log lines out of order: count, don't take the last.
        remotes = [LOG_LINE.match(l).group(6) for l in server.log_lines_after(4)]
        self.assertEqual(sorted(remotes), ["127.0.0.0/24", "127.0.0.0/24", "198.51.100.0/24",
                                           "198.51.100.0/24"])

    def test_metrics_only_for_this_machine_by_default(self):
        server = self.start("--trust-proxy")
        self.assertEqual(get(server, "/metrics").status, 200)  # a Prometheus next to it
        # Through the proxy, the client is somebody on the internet.
        refused = get(server, "/metrics", self.FORWARDED)
        self.assertEqual(refused.status, 403)
        self.assertNotIn(b"treffpunkt_", refused.body)

    def test_metrics_from_names_who_else_may_read_them(self):
        server = self.start("--trust-proxy", "--metrics-from", "198.51.100.0/24")
        self.assertEqual(get(server, "/metrics", self.FORWARDED).status, 200)
        self.assertEqual(get(server, "/metrics").status, 403)  # not loopback any more
        server = self.start("--metrics-from", "any")
        self.assertEqual(get(server, "/metrics").status, 200)

    def test_base_url_wins_over_forwarded_host(self):
        server = self.start("--trust-proxy", "--base-url", "https://treffpunkt.example/")
        home = get(server, "/", self.FORWARDED).body.decode()
        self.assertIn("webcal://treffpunkt.example/units/bildung.ics", home)
        self.assertNotIn("termine.example.org", home)
        self.assertEqual(self.last_remote(server, 1), "198.51.100.0/24")


if __name__ == "__main__":
    unittest.main(verbosity=2)
