#!/usr/bin/python3
"""`treffpunkt expand --jsonl` as a driver uses it (issue 17).

    /usr/bin/python3 expand_test.py path/to/treffpunkt

One process throughout: first three rules one at a time, each answer awaited before the next
rule is sent (so the command flushes every answer); then 2,000 rules written at once by a
thread while the answers are read, every answer checked against dates computed here, ids in
order; then bad lines (not JSON, a field missing, a bad dtstart, a limit too large, an unknown
FREQ, a blank line that is no input), each answered with an error naming its line while the
next good line is still answered; at the end of the input the command exits 0.
No timing is asserted: ctest's TIMEOUT is the bound. A missing answer fails after
WAIT_SECONDS instead of hanging.
"""

import datetime
import json
import os
import select
import subprocess
import sys
import threading

WAIT_SECONDS = 60
FORMAT = "%Y%m%dT%H%M%S"


class Driver:
    def __init__(self, program):
        self.proc = subprocess.Popen([program, "expand", "--jsonl"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pending = b""
        self.sent = 0  # input lines sent, blank ones included: the command numbers them all

    def send(self, text):
        self.proc.stdin.write((text + "\n").encode())
        self.proc.stdin.flush()
        self.sent += 1

    def answer(self):
        """The next answer line, parsed; fails when none comes within WAIT_SECONDS."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.pending:
            ready, _, _ = select.select([fd], [], [], WAIT_SECONDS)
            if not ready:
                fail(f"no answer within {WAIT_SECONDS} s after input line {self.sent} "
                     "(not flushed?)")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                fail(f"the command ended early (exit {self.proc.wait()}): "
                     f"{self.proc.stderr.read().decode()}")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def rule_line(ident, rrule, dtstart, limit):
    return json.dumps({"id": ident, "rrule": rrule, "dtstart": dtstart.strftime(FORMAT),
                       "limit": limit})


def expected_of(kind, start, step, count, limit):
    """DAILY/WEEKLY with INTERVAL and COUNT: every step-th day or week from DTSTART."""
    days = step * (7 if kind == "WEEKLY" else 1)
    return [(start + datetime.timedelta(days=days * i)).strftime(FORMAT)
            for i in range(min(count, limit))]


def one_at_a_time(d):
    start = datetime.datetime(2025, 1, 7, 19, 0)
    cases = [
        ("first", "FREQ=WEEKLY;COUNT=3", 10,
         ["20250107T190000", "20250114T190000", "20250121T190000"]),
        ("second", "FREQ=MONTHLY;BYDAY=1TU", 3,
         ["20250107T190000", "20250204T190000", "20250304T190000"]),
        ("third", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", 2,
         ["20280229T190000", "20320229T190000"]),
    ]
    for ident, rrule, limit, want in cases:
        d.send(rule_line(ident, rrule, start, limit))
        got = d.answer()  # before the next line is sent
        check(got == {"id": ident, "occurrences": want}, f"{ident}: {got}")


def two_thousand_at_once(d):
    rules = []
    for i in range(2000):
        kind = "DAILY" if i % 2 == 0 else "WEEKLY"
        step = 1 + i % 4
        count = 1 + i % 30
        limit = 1 + (i * 7) % 25
        start = datetime.datetime(1997 + i % 44, 1 + i % 12, 1 + i % 28, i % 24, (i * 13) % 60)
        rrule = f"FREQ={kind};INTERVAL={step};COUNT={count}"
        rules.append((f"bulk-{i}", rule_line(f"bulk-{i}", rrule, start, limit),
                      expected_of(kind, start, step, count, limit)))

    def write_all():
        for _, line, _ in rules:
            d.proc.stdin.write((line + "\n").encode())
        d.proc.stdin.flush()

    writer = threading.Thread(target=write_all)
    writer.start()
    for ident, _, want in rules:
        got = d.answer()
        check(got.get("id") == ident, f"answer for {got.get('id')!r} where {ident} was due")
        check(got == {"id": ident, "occurrences": want}, f"{ident}: {got}, wanted {want}")
    writer.join()
    d.sent += len(rules)


def bad_lines(d):
    good = rule_line("good", "FREQ=DAILY;COUNT=2", datetime.datetime(2025, 3, 30, 2, 30), 5)
    cases = [
        ("not json", None, "not JSON"),
        ('{"id": "no-rule", "dtstart": "20250107T190000", "limit": 3}', "no-rule",
         '"rrule" is missing'),
        ('{"id": "no-limit", "rrule": "FREQ=DAILY", "dtstart": "20250107T190000"}', "no-limit",
         '"limit" is missing'),
        ('{"id": "bad-start", "rrule": "FREQ=DAILY", "dtstart": "2025-01-07 19:00", "limit": 3}',
         "bad-start", "dtstart must be a local date and time YYYYMMDDTHHMMSS"),
        ('{"id": "day-only", "rrule": "FREQ=DAILY", "dtstart": "20250107", "limit": 3}',
         "day-only", "dtstart '20250107' is a date without a time"),
        ('{"id": "too-many", "rrule": "FREQ=DAILY", "dtstart": "20250107T190000", '
         '"limit": 10001}', "too-many", '"limit" must be a whole number from 0 to 10000'),
        ('{"id": "freq", "rrule": "FREQ=FORTNIGHTLY", "dtstart": "20250107T190000", "limit": 3}',
         "freq", "unknown FREQ 'FORTNIGHTLY'"),
    ]
    for text, ident, why in cases:
        d.send(text)
        line = d.sent
        got = d.answer()
        want_error = f"line {line}: "
        check(got.get("id") == ident and got.get("line") == line
              and got.get("error", "").startswith(want_error) and why in got["error"],
              f"{text!r} on line {line}: {got}")
        d.send(good)  # and the command goes on
        check(d.answer() == {"id": "good", "occurrences": ["20250330T023000",
                                                           "20250331T023000"]},
              f"the line after {text!r}")
    d.send("")  # blank: no input, no answer, but a line number
    d.send("{")
    got = d.answer()
    check(got.get("line") == d.sent and got["error"].startswith(f"line {d.sent}: not JSON"),
          f"after a blank line: {got}")


def main(program):
    d = Driver(program)
    one_at_a_time(d)
    two_thousand_at_once(d)
    bad_lines(d)
    d.proc.stdin.close()
    rest = d.proc.stdout.read()
    check(rest == b"" and d.pending == b"", f"answers nobody asked for: {rest!r}")
    check(d.proc.wait() == 0, f"exit {d.proc.returncode} at the end of the input")
    print(f"ok: {d.sent} lines, 2,000 of them at once")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
