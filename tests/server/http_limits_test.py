#!/usr/bin/python3
"""The socket side over a real loopback socket: limits answered with the status HTTP has for
them (431, 413, 408, 400, 405), malformed and truncated requests, path traversal, keep-alive and
HTTP/1.0, and a stalled client that must not hold up the others.

Usage: http_limits_test.py PATH/TO/treffpunkt
"""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_process import Server, closed_by_peer, exchange, read_response  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
READ_TIMEOUT = 1  # seconds; --read-timeout keeps the 408 tests short


class HttpLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # One io thread: a stalled client blocking it would show at once.
        cls.server = Server(BINARY, "--threads", "1", "--read-timeout", str(READ_TIMEOUT))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assert_alive(self):
        self.assertIsNone(self.server.proc.poll(), "server died")
        r = exchange(self.server, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertEqual(r.status, 200)

    def test_header_over_8k_is_431(self):
        raw = (b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n")
        self.assertEqual(exchange(self.server, raw).status, 431)
        # Many small fields that add up count too.
        fields = b"".join(b"X-F%d: %s\r\n" % (i, b"b" * 100) for i in range(100))
        self.assertEqual(
            exchange(self.server, b"GET / HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n").status, 431)
        # Just under the limit is fine.
        ok = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 7000 + b"\r\n\r\n"
        self.assertEqual(exchange(self.server, ok).status, 200)
        self.assert_alive()

    def test_content_length_over_1mib_is_413_before_the_body(self):
        raw = (b"POST /api/v1/units HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
               b"Content-Length: 2000000\r\n\r\n")
        # Answered from the header alone: the client need not send 2 MB to learn it.
        self.assertEqual(exchange(self.server, raw).status, 413)
        self.assert_alive()

    def test_chunked_body_over_1mib_is_413(self):
        s = self.server.connect()
        s.sendall(b"POST /api/v1/units HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        try:
            for _ in range(20):  # 1.25 MiB
                s.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading once it has answered
        response, _ = read_response(s)
        s.close()
        self.assertEqual(response.status, 413)
        self.assert_alive()

    def test_stalled_half_request_gets_408_after_the_read_timeout(self):
        for partial in (b"GET /calendar.ics HTTP/1.1\r\nHost: t\r\n",  # header never ends
                        b"POST /api/v1/units HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n"
                        b"{\"half\": "):  # body never ends
            s = self.server.connect()
            started = time.monotonic()
            s.sendall(partial)
            response, _ = read_response(s)
            took = time.monotonic() - started
            s.close()
            self.assertEqual(response.status, 408, partial)
            self.assertEqual(response.header("Connection"), "close")
            self.assertGreaterEqual(took, READ_TIMEOUT * 0.9)
            self.assertLess(took, READ_TIMEOUT + 2)

    def test_idle_connection_is_closed_without_an_answer(self):
        s = self.server.connect()
        s.settimeout(READ_TIMEOUT + 3)
        self.assertEqual(s.recv(100), b"")  # no 408 to a client that never asked
        s.close()

    def test_malformed_requests_are_400(self):
        for raw in (b"GARBAGE\r\n\r\n",                                    # request line
                    b"GET /healthz HTTP/1.1 extra\r\nHost: t\r\n\r\n",     # request line
                    b"GET /healthz HTTP/9.1\r\nHost: t\r\n\r\n",           # version
                    b"G(T /healthz HTTP/1.1\r\nHost: t\r\n\r\n",           # method token
                    b"GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n",        # no colon
                    b"GET /healthz HTTP/1.1\r\nBad Name: x\r\n\r\n",       # space in name
                    b"GET /healthz HTTP/1.1\r\nX: a\x00b\r\n\r\n",         # NUL in value
                    b"POST /api/v1/units HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n",
                    b"POST /api/v1/units HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                    b"\r\nzz\r\n"):                                         # chunk size
            response = exchange(self.server, raw)
            self.assertIsNotNone(response, raw)
            self.assertEqual(response.status, 400, raw)
        self.assert_alive()

    def test_unknown_method_is_the_routes_405(self):
        response = exchange(self.server, b"BREW /units/bildung.ics HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertEqual(response.status, 405)
        self.assertEqual(response.header("Allow"), "GET, HEAD")

    def test_truncated_body_then_close_does_no_harm(self):
        for _ in range(5):
            s = self.server.connect()
            s.sendall(b"POST /api/v1/units HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n"
                      b"{\"name\":")
            s.close()
            s = self.server.connect()
            s.sendall(b"POST /api/v1/units HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked"
                      b"\r\n\r\n10\r\nabc")
            s.close()
        time.sleep(0.1)
        self.assert_alive()

    def test_path_traversal_is_404_never_a_file(self):
        for path in (b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd",
                     b"/units/..%2f..%2f..%2fetc%2fpasswd.ics", b"/units/../../etc/passwd.ics",
                     b"/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", b"/events/..%2f1.ics",
                     b"/./././etc/passwd", b"//etc/passwd"):
            response = exchange(self.server, b"GET " + path + b" HTTP/1.1\r\nHost: t\r\n\r\n")
            self.assertIn(response.status, (400, 404), path)
            self.assertNotIn(b"root:", response.body, path)
        # Not even an absolute-form target reaches a file.
        response = exchange(self.server, b"GET file:///etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertNotIn(b"root:", response.body)
        self.assertIn(response.status, (400, 404))

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        s = self.server.connect()
        rest = b""
        for path in (b"/healthz", b"/units/bildung.ics", b"/calendar.ics", b"/nope"):
            s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: t\r\n\r\n")
            response, rest = read_response(s, rest)
            self.assertEqual(response.status, 404 if path == b"/nope" else 200, path)
            self.assertNotEqual(response.header("Connection"), "close")
        # Pipelined: two requests in one write, two answers in order.
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nHEAD /units/antifa.ics HTTP/1.1\r\n"
                  b"Host: t\r\n\r\n")
        first, rest = read_response(s, rest)
        second, rest = read_response(s, rest, head=True)
        self.assertEqual((first.status, first.body), (200, b"ok\n"))
        self.assertEqual(second.status, 200)
        self.assertGreater(int(second.header("Content-Length")), 0)
        # Connection: close is honoured after the answer.
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        last, rest = read_response(s, rest)
        self.assertEqual(last.status, 200)
        self.assertTrue(closed_by_peer(s))
        s.close()

    def test_http_1_0_closes_after_the_answer(self):
        s = self.server.connect()
        s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        response, _ = read_response(s)
        self.assertEqual(response.status, 200)
        self.assertTrue(closed_by_peer(s, timeout=2))
        s.close()

    def test_stalled_clients_do_not_hold_up_others(self):
        stalled = []
        for i in range(20):
            s = self.server.connect()
            s.sendall(b"GET /calendar.ics HTTP/1.1\r\nHost: t\r\n" if i % 2 else b"G")
            stalled.append(s)
        # A client that asks for a large feed and does not read it.
        reader = self.server.connect(rcvbuf=4096)
        reader.sendall(b"GET /calendar.ics HTTP/1.1\r\nHost: t\r\n\r\n")
        try:
            started = time.monotonic()
            for _ in range(5):
                response = exchange(self.server, b"GET /calendar.ics HTTP/1.1\r\nHost: t\r\n\r\n")
                self.assertEqual(response.status, 200)
                self.assertIn(b"BEGIN:VCALENDAR", response.body)
            self.assertLess(time.monotonic() - started, READ_TIMEOUT * 0.9)
        finally:
            for s in stalled + [reader]:
                s.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
