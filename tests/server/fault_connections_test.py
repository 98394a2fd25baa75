#!/usr/bin/python3
"""Idle connections and slow-loris clients do not stop others from being served (issue 7):
10,000 idle TCP connections (fewer only when the file limit does not allow them: the number is
printed) plus slow-loris clients that send one header byte a second; meanwhile a normal client
gets a feed and a page in under a second each, and the slow-loris clients are cut off once
--read-timeout has passed since their first byte (a total deadline per request head, not
one per byte), with a 408. The server raises its own soft limit of open files, and when it
runs out of them all the same, it drops idle connections to make room instead of spinning
around a failing accept() while everyone waits in the listen queue.

Usage: fault_connections_test.py PATH/TO/treffpunkt
"""
import os
import resource
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_helpers import call  # noqa: E402
from server_process import Server, read_response  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
WANTED_IDLE = 10_000
READ_TIMEOUT = 4


def raise_file_limit():
    """The soft limit up to the hard one (inherited by the server started after it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 2 * WANTED_IDLE + 1000:
        hard = 2 * WANTED_IDLE + 1000 if hard == resource.RLIM_INFINITY else hard
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class IdleAndSlowClients(unittest.TestCase):
    def test_others_are_served_while_many_connections_idle_and_slow_loris_dribble(self):
        limit = raise_file_limit()
        # Both sides of every connection count against this limit in their own process; keep
        # some room for the server's database, log and the normal client.
        count = min(WANTED_IDLE, limit - 200)
        server = Server(BINARY, "--read-timeout", str(READ_TIMEOUT))
        self.addCleanup(server.stop)

        idle = []
        self.addCleanup(lambda: [s.close() for s in idle])
        started = time.monotonic()
        for _ in range(count):
            s = socket.socket()
            s.setblocking(True)
            s.settimeout(10)
            s.connect(("127.0.0.1", server.port))
            idle.append(s)
        print("%d idle connections open after %.1f s (file limit %d)" % (
            len(idle), time.monotonic() - started, limit), file=sys.stderr)

        # Slow loris: a request head that never ends, one byte a second.
        loris_results = []
        stop = threading.Event()

        def loris():
            s = server.connect()
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            first = time.monotonic()
            answer = None
            try:
                while not stop.is_set():
                    s.sendall(b"X")
                    s.settimeout(1)
                    try:
                        answer, _ = read_response(s)
                        break
                    except socket.timeout:
                        continue
            except OSError:
                pass
            loris_results.append((answer.status if answer else None, time.monotonic() - first))
            s.close()

        slow = [threading.Thread(target=loris) for _ in range(5)]
        for t in slow:
            t.start()

        slowest = 0.0
        served = 0
        deadline = time.monotonic() + READ_TIMEOUT + 2
        while time.monotonic() < deadline:
            for path in ("/calendar.ics", "/units/frauen"):
                t0 = time.monotonic()
                status, body, _ = call(server.port, "GET", path, timeout=5)
                slowest = max(slowest, time.monotonic() - t0)
                self.assertEqual(status, 200, path)
                served += 1
            time.sleep(0.05)
        stop.set()
        for t in slow:
            t.join(timeout=10)
        print("%d requests served alongside, slowest %.3f s; slow loris: %s" % (
            served, slowest, loris_results), file=sys.stderr)
        self.assertLess(slowest, 1.0)
        # Every slow-loris client was cut off with a 408 about READ_TIMEOUT after its start.
        self.assertEqual(len(loris_results), 5)
        for status, took in loris_results:
            self.assertEqual(status, 408)
            self.assertLess(took, READ_TIMEOUT + 2)
        self.assertIsNone(server.proc.poll())

    def test_the_server_raises_its_soft_file_limit(self):
        # Started with the usual soft default of 1024 open files (systemd, most shells).
        hard = raise_file_limit()
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
        try:
            server = Server(BINARY)
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        self.addCleanup(server.stop)
        soft, _ = resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE)
        self.assertEqual(soft, hard)

    def test_out_of_file_descriptors_the_idle_connections_make_room(self):
        hard = raise_file_limit()
        server = Server(BINARY)  # --read-timeout 30: the idle ones would block for that long
        self.addCleanup(server.stop)
        # A limit the server cannot raise (as if the hard limit were 1024 too).
        resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE, (1024, hard))
        idle = []
        self.addCleanup(lambda: [s.close() for s in idle])
        for _ in range(1500):
            s = socket.socket()
            s.settimeout(10)
            s.connect(("127.0.0.1", server.port))  # the kernel's listen queue takes them all
            idle.append(s)
        time.sleep(0.2)
        for path in ("/calendar.ics", "/units/frauen", "/api/v1/units"):
            t0 = time.monotonic()
            status, body, _ = call(server.port, "GET", path, timeout=10)
            self.assertEqual(status, 200, path)
            self.assertLess(time.monotonic() - t0, 1.0, path)
        with open("/proc/%d/stat" % server.proc.pid) as f:
            ticks = sum(int(x) for x in f.read().split(")")[1].split()[11:13])
        time.sleep(1)
        with open("/proc/%d/stat" % server.proc.pid) as f:
            later = sum(int(x) for x in f.read().split(")")[1].split()[11:13])
        # No busy loop around a failing accept(): well under half a core while idle.
        self.assertLess(later - ticks, os.sysconf("SC_CLK_TCK") // 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
