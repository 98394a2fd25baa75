#!/usr/bin/python3
"""PostgreSQL stopped for 10 s under load (issue 18): two `serve --database` instances on a
cluster of the test's own (the shared one of ctest's fixture serves other tests meanwhile),
mail to a real SMTP server (aiosmtpd), a stream of RSVPs (yes: a confirmation each to send)
alternating between the instances, and feed GETs on both. The cluster is stopped (a fast
shutdown, as `systemctl stop` does) and started again ten seconds later.

While it is down: every write answers 503 with a problem body within a few seconds (no hang,
no 500); the feeds served before are served on (200, or 304 to a matching If-None-Match); pages
and API reads that need the database answer 503, not 500; both processes live on. After it is back: both instances acknowledge writes again within a few
seconds, without a restart; every acknowledged yes has its confirmation at the SMTP server
exactly once, and no message arrives twice.

Usage: fault_pg_outage_test.py PATH/TO/treffpunkt
"""
import datetime
import email
import email.policy
import glob
import http.client
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_helpers import NO_LIMITS, OwnCluster, SmtpSink, call, later, pg_cli  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
ADMIN = "admin@example.org"
MEMBERS = ["mitglied%d@example.org" % i for i in range(8)]
PROBE = "probe@example.org"  # says maybe/no after the outage to time the recovery
DOWN_SECONDS = 10
FEEDS = ["/units/frauen.ics", "/calendar.ics"]
# Reads that need the database (a page, the API): 200, or 503 while it is down; never 500.
READS = ["/units/frauen", "/api/v1/units"]
# A write answered 503 while the database is down must come within this (no hang).
ANSWER_WITHIN = 3.0
# Both instances write again within this after the database is back (no restart).
RECOVER_WITHIN = 5.0


class Log:
    """Every request the load made: (sent, answered, instance, kind, path or key, status,
    body), a status of None when it raised (body: the exception)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []

    def add(self, *row):
        with self.lock:
            self.rows.append(row)

    def between(self, start, end, kind):
        with self.lock:
            return [r for r in self.rows if r[3] == kind and start <= r[0] and r[1] <= end]


class PostgresDown(unittest.TestCase):
    def test_writes_answer_503_feeds_go_on_and_both_recover_with_no_mail_twice(self):
        cluster = OwnCluster()
        self.addCleanup(cluster.stop)
        sink = SmtpSink()
        self.addCleanup(sink.stop)
        database = cluster.uri
        pg_cli(BINARY, database, "admin", "add", ADMIN)
        tokens = {who: pg_cli(BINARY, database, "token", "create", who)
                  for who in [ADMIN, PROBE] + MEMBERS}
        a = Server(BINARY, "--database", database, "--smtp", sink.url, *NO_LIMITS)
        self.addCleanup(a.stop)
        b = Server(BINARY, "--database", database, "--smtp", sink.url, *NO_LIMITS, demo=False)
        self.addCleanup(b.stop)
        instances = (a, b)

        # A daily series: each member says yes to one session after the other, so that every
        # acknowledged yes is one confirmation of its own.
        status, event, _ = call(a.port, "POST", "/api/v1/units/frauen/events", tokens[ADMIN], {
            "title": "Ausfalltest", "start": later(10), "duration_minutes": 60,
            "rrule": "FREQ=DAILY;COUNT=150"})
        self.assertEqual(status, 201, event)
        first = test_clock.today() + datetime.timedelta(days=9)
        status, listed, _ = call(a.port, "GET", "/api/v1/units/frauen/occurrences?from=%s&to=%s" % (
            first.isoformat(), (first + datetime.timedelta(days=160)).isoformat()))
        self.assertEqual(status, 200, listed)
        keys = [o["key"] for o in listed["occurrences"] if o["event"] == event["id"]]
        self.assertEqual(len(keys), 150)
        rsvp_path = "/api/v1/events/%s/occurrences/%%s/rsvp" % event["id"]
        # The feeds, once through each instance before the outage: what they serve then.
        for instance in instances:
            for path in FEEDS:
                status, body, _ = call(instance.port, "GET", path)
                self.assertEqual(status, 200, body)

        log = Log()
        acked = set()  # (member, key) of every acknowledged yes
        stop = threading.Event()

        def write(instance, token, key, answer):
            started = time.monotonic()
            try:
                status, body, kind = call(instance.port, "PUT", rsvp_path % key, token,
                                          {"answer": answer}, timeout=15)
            except (OSError, http.client.HTTPException) as e:
                status, body, kind = None, repr(e), ""
            log.add(started, time.monotonic(), instance.port, "write", key, status, (body, kind))
            return status

        def member(who):
            sent = 0
            for key in keys:
                while not stop.is_set():
                    status = write(instances[sent % 2], tokens[who], key, "yes")
                    sent += 1
                    if status == 200:
                        acked.add((who, key))
                        time.sleep(0.1)
                        break
                    # Not acknowledged (503, or anything the checks below refuse): the same yes
                    # again, as a person would; had the first one committed after all, the
                    # second queues nothing.
                    time.sleep(0.2)
                if stop.is_set():
                    return

        def feeds():
            etags = {}
            n = 0
            while not stop.is_set():
                instance, path = instances[n % 2], FEEDS[(n // 2) % len(FEEDS)]
                headers = {}
                if n % 3 == 0 and (instance.port, path) in etags:
                    headers["If-None-Match"] = etags[(instance.port, path)]
                n += 1
                started = time.monotonic()
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=15)
                    conn.request("GET", path, headers=headers)
                    r = conn.getresponse()
                    r.read()
                    status = r.status
                    if r.getheader("ETag"):
                        etags[(instance.port, path)] = r.getheader("ETag")
                    conn.close()
                except (OSError, http.client.HTTPException) as e:
                    status = None
                    path = "%s: %r" % (path, e)
                log.add(started, time.monotonic(), instance.port, "feed", path, status, None)
                if n % 10 == 0:
                    read = READS[(n // 10) % len(READS)]
                    started = time.monotonic()
                    try:
                        status, body, kind = call(instance.port, "GET", read, timeout=15)
                    except (OSError, http.client.HTTPException) as e:
                        status, body, kind = None, repr(e), ""
                    log.add(started, time.monotonic(), instance.port, "read", read, status,
                            (body if kind.startswith(("application/json", "text/html"))
                             else None, kind))
                time.sleep(0.02)

        threads = [threading.Thread(target=member, args=(m,)) for m in MEMBERS]
        threads += [threading.Thread(target=feeds) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            # Under way: writes acknowledged and mail flowing.
            deadline = time.monotonic() + 30
            while (len(acked) < 60 or len(sink.message_ids()) < 10) and \
                    time.monotonic() < deadline:
                time.sleep(0.05)
            acked_before = len(acked)
            cluster.pause()
            down = time.monotonic()  # the server is gone from here ...
            time.sleep(DOWN_SECONDS)
            back = time.monotonic()  # ... to here
            cluster.resume()
            up = time.monotonic()
            alive = [instance.proc.poll() is None for instance in instances]
            # Each instance acknowledges a write again (the probe's, one per instance).
            recovered = {}
            answer = "maybe"
            while len(recovered) < 2 and time.monotonic() < up + 30:
                for instance in instances:
                    if instance.port in recovered:
                        continue
                    answer = "no" if answer == "maybe" else "maybe"
                    if write(instance, tokens[PROBE], keys[-1], answer) == 200:
                        recovered[instance.port] = time.monotonic() - up
                time.sleep(0.05)
            time.sleep(2)  # the stream goes on after the recovery
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)

        # Nothing but 200 and 503 for writes, 200 and 304 for feeds; a 503 is a problem.
        # Reads that need the database: 200, or 503 (a problem on the API) while it is down.
        everything = [r for kind in ("write", "feed", "read")
                      for r in log.between(0, float("inf"), kind)]
        wrong = [r for r in everything
                 if r[5] not in ((200, 304) if r[3] == "feed" else (200, 503))]
        self.assertEqual(wrong[:5], [], "%d unexpected answers" % len(wrong))
        for r in everything:
            if r[5] != 503:
                continue
            body, kind = r[6]
            if r[4] == "/units/frauen":
                # A page says so in the visitor's language (German by default), as a page.
                self.assertTrue(kind.startswith("text/html"), r[:6])
                self.assertIn("Gerade nicht erreichbar", body, r[:6])
            else:
                self.assertTrue(kind.startswith("application/json"), r)
                self.assertEqual(body["error"]["code"], "unavailable", r)
        # While it was down: writes refused in time, feeds served.
        writes_down = log.between(down, back, "write")
        feeds_down = log.between(down, back, "feed")
        self.assertGreater(len(writes_down), 20)
        self.assertGreater(len(feeds_down), 20)
        self.assertEqual([r for r in writes_down if r[5] != 503], [])
        reads_down = log.between(down, back, "read")
        self.assertGreater(len(reads_down), 5)
        slowest = max(r[1] - r[0] for r in writes_down + feeds_down + reads_down)
        self.assertLess(slowest, ANSWER_WITHIN)
        self.assertEqual(alive, [True, True])
        self.assertEqual([instance.proc.poll() for instance in instances], [None, None])
        # Back without a restart, both of them.
        self.assertEqual(len(recovered), 2, recovered)
        self.assertLess(max(recovered.values()), RECOVER_WITHIN, recovered)
        acked_after = [r for r in log.between(up, float("inf"), "write") if r[5] == 200]
        self.assertEqual({r[2] for r in acked_after}, {a.port, b.port})
        print("acknowledged yes: %d before the outage, %d in all; while down %d writes "
              "(slowest answer %.2f s) and %d feed requests; writes again after %s s" % (
                  acked_before, len(acked), len(writes_down), slowest, len(feeds_down),
                  {("a" if p == a.port else "b"): round(s, 2) for p, s in recovered.items()}),
              file=sys.stderr)

        # Mail: each acknowledged yes's confirmation once, nothing twice.
        def confirmations():
            found = {}
            for path in sorted(glob.glob(os.path.join(sink.dir, "mail", "*.eml"))):
                with open(path, "rb") as f:
                    message = email.message_from_binary_file(f, policy=email.policy.default)
                mid = message["Message-ID"].strip("<>")
                found.setdefault(mid, []).append(message["To"].addresses[0].addr_spec)
            return found

        def expected_key(mid):
            # rsvp.EVENT.KEY.PERSON.STAMP@domain (usecases/src/mail_writer.cpp)
            parts = mid.split("@")[0].split(".")
            if parts[0] == "rsvp" and parts[1] == str(event["id"]):
                return parts[2]
            return None

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = confirmations()
            got = {(to[0], expected_key(mid)) for mid, to in found.items()}
            if acked <= got:
                break
            time.sleep(0.2)
        time.sleep(1)  # anything that would come twice
        found = confirmations()
        self.assertEqual({mid: to for mid, to in found.items() if len(to) > 1}, {},
                         "messages that arrived twice")
        per_rsvp = {}
        for mid, [to] in found.items():
            key = expected_key(mid)
            if key is not None:
                per_rsvp.setdefault((to, key), []).append(mid)
        self.assertEqual({k: v for k, v in per_rsvp.items() if len(v) > 1}, {},
                         "two confirmations of one yes")
        missing = sorted(acked - set(per_rsvp))
        self.assertEqual(missing, [], "%d acknowledged yes without a confirmation" % len(
            missing))
        self.assertGreater(len(acked), acked_before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
