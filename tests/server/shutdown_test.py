#!/usr/bin/python3
"""Graceful stop over a real loopback socket: on SIGTERM/SIGINT a response still being written
is finished, new connections are refused, idle keep-alive connections do not hold up the exit,
and the exit code is 0.

What proves "in flight": a feed larger than the kernel's socket buffers, asked for through a
tiny receive window and not read yet. Its write cannot complete before the client reads, so a
server that did not wait for it would exit (or cut the body) before we read it.

Usage: shutdown_test.py PATH/TO/treffpunkt
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_process import Server, closed_by_peer, exchange, read_response  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"


def big_calendar(events=5000):
    """An iCalendar file of `events` future events with long descriptions (several MB)."""
    parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//shutdown//DE\r\n"]
    for i in range(events):
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        parts.append(
            "BEGIN:VEVENT\r\nUID:big-%d@shutdown.test\r\nDTSTAMP:20300101T000000Z\r\n"
            "DTSTART;TZID=Europe/Berlin:2031%02d%02dT190000\r\n"
            "DTEND;TZID=Europe/Berlin:2031%02d%02dT210000\r\n"
            "SUMMARY:Austausch %d\r\nDESCRIPTION:%s\r\nEND:VEVENT\r\n"
            % (i, month, day, month, day, i, "Erfahrungsaustausch " * 40))
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts)


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


class Shutdown(unittest.TestCase):
    def start(self, *args):
        server = Server(BINARY, "--threads", "2", *args)
        self.addCleanup(server.stop)
        return server

    def test_response_in_flight_is_finished_then_exit_0(self):
        server = self.start()
        ics = tempfile.NamedTemporaryFile("w", suffix=".ics", delete=False, encoding="utf-8")
        ics.write(big_calendar())
        ics.close()
        try:
            done = subprocess.run([BINARY, "import", "--data", server.data, "--unit", "bildung",
                                   ics.name], capture_output=True, text=True, timeout=120)
        finally:
            os.unlink(ics.name)
        self.assertEqual(done.returncode, 0, done.stderr)
        size = len(exchange(server, b"GET /calendar.ics HTTP/1.1\r\nHost: t\r\n\r\n").body)
        self.assertGreater(size, 4 * 1024 * 1024, "the feed must outgrow the socket buffers")

        slow = server.connect(rcvbuf=4096)
        slow.sendall(b"GET /calendar.ics HTTP/1.1\r\nHost: t\r\n\r\n")
        head = slow.recv(2048)
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head[:100])
        time.sleep(0.3)  # the server fills what the kernel buffers hold, then has to wait

        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        self.assertIsNone(server.proc.poll(), "exited with a response still being written")
        self.assertTrue(refused(server.port), "a new connection was accepted while stopping")

        response, _ = read_response(slow, head)
        self.assertEqual(response.status, 200)
        self.assertEqual(len(response.body), size)
        self.assertTrue(response.body.endswith(b"END:VCALENDAR\r\n"))
        self.assertTrue(closed_by_peer(slow))
        slow.close()
        self.assertEqual(server.proc.wait(timeout=10), 0)

    def test_request_half_received_at_the_signal_is_still_answered(self):
        server = self.start()
        s = server.connect()
        s.sendall(b"GET /units/bildung.ics HTTP/1.1\r\nHost: t\r\n")
        time.sleep(0.2)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        s.sendall(b"\r\n")
        response, _ = read_response(s)
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("Connection"), "close")
        self.assertIn(b"END:VCALENDAR", response.body)
        s.close()
        self.assertEqual(server.proc.wait(timeout=10), 0)

    def test_idle_keep_alive_connections_do_not_delay_the_exit(self):
        server = self.start()
        idle = []
        for _ in range(10):
            s = server.connect()
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            self.assertEqual(read_response(s)[0].status, 200)
            idle.append(s)
        started = time.monotonic()
        server.proc.send_signal(signal.SIGINT)
        self.assertEqual(server.proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 1.0)
        for s in idle:
            self.assertTrue(closed_by_peer(s, timeout=1))
            s.close()

    def test_client_that_never_reads_is_dropped_after_the_shutdown_timeout(self):
        server = self.start("--shutdown-timeout", "1")
        stuck = server.connect(rcvbuf=4096)
        # Many pipelined requests for feeds: more answers than the buffers hold.
        stuck.sendall(b"GET /calendar.ics HTTP/1.1\r\nHost: t\r\n\r\n" * 200)
        time.sleep(0.3)
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 3.0)
        stuck.close()

    def test_busy_keep_alive_clients_get_whole_answers_or_none(self):
        server = self.start()
        errors, answered = [], [0]
        stop = threading.Event()

        def client():
            try:
                while not stop.is_set():
                    try:
                        s = server.connect()
                    except (ConnectionRefusedError, ConnectionResetError):
                        return
                    rest = b""
                    try:
                        while True:
                            s.sendall(b"GET /calendar.ics HTTP/1.1\r\nHost: t\r\n\r\n")
                            response, rest = read_response(s, rest)
                            if response is None:
                                break  # closed between requests: fine
                            if not response.body.endswith(b"END:VCALENDAR\r\n"):
                                errors.append("cut body")
                            answered[0] += 1
                            if response.header("Connection") == "close":
                                break
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    finally:
                        s.close()
            except AssertionError as e:  # a response cut in its head or body
                errors.append(str(e))

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=10)
        self.assertEqual(code, 0)
        self.assertGreater(answered[0], 10)
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
