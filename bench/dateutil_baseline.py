#!/usr/bin/python3
"""Baseline for bench/calendar.sh: python-dateutil does what `treffpunkt expand --jsonl` does.

    /usr/bin/python3 dateutil_baseline.py < rules.jsonl > answers.jsonl

One process reads the same JSON lines ({"id", "rrule", "dtstart", "limit"}) and writes the
same answers ({"id", "occurrences": [...]} or {"id", "error"}), flushed after each: the rule
parsed by dateutil.rrule.rrulestr with the floating DTSTART, its first `limit` instances.
Plain dateutil, as its users call it (the corpus generator's bounds are not here: the bench
only gives it rules that reach their limit). Run with /usr/bin/python3 (python3-dateutil).
"""

import datetime
import itertools
import json
import sys

from dateutil.rrule import rrulestr


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            start = datetime.datetime.strptime(request["dtstart"], "%Y%m%dT%H%M%S")
            rule = rrulestr(request["rrule"], dtstart=start)
            found = [t.strftime("%Y%m%dT%H%M%S")
                     for t in itertools.islice(iter(rule), request["limit"])]
            answer = {"id": request["id"], "occurrences": found}
        except ValueError as e:
            answer = {"id": request["id"], "error": str(e)}
        out.write(json.dumps(answer, separators=(",", ":")) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
