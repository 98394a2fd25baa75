#!/usr/bin/python3
"""bench/calendar.sh, part 2: `treffpunkt expand --jsonl` against python-dateutil.

    /usr/bin/python3 expand_rate.py TREFFPUNKT CORPUS.jsonl WORKDIR

Takes the rules of the dateutil corpus (tests/rrule/make_corpus.py) that reach their limit
(the same work for both sides: the first `limit` instances, no search to a horizon), leaves
out those on which TREFFPUNKT crashes or hangs (found by a first pass, counted), and times
two processes over the same file, best of RUNS each: `TREFFPUNKT expand --jsonl` and
dateutil_baseline.py (one Python process with dateutil). Each is timed from the outside,
start to exit, input from a file, answers to a file. Prints key=value lines: rules, the
occurrences each answered, how many rules we refused and how many we answered otherwise than
dateutil (the oracle test says which), seconds and occurrences per second of each.
"""

import json
import os
import subprocess
import sys
import time

RUNS = 3
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "rrule"))
import check_dateutil  # noqa: E402  (its one-process driver, restarting after a crash)


def timed(command, rules_path, answers_path):
    best = None
    for _ in range(RUNS):
        with open(rules_path, "rb") as rules, open(answers_path, "wb") as answers:
            start = time.perf_counter()
            subprocess.run(command, stdin=rules, stdout=answers, check=True)
            elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    with open(answers_path, encoding="utf-8") as f:
        answers = [json.loads(line) for line in f]
    return best, answers


def main(program, corpus_path, work):
    with open(corpus_path, encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f]
    complete = [r for r in corpus
                if "expected" in r and r["limit"] > 0 and len(r["expected"]) == r["limit"]]
    first = check_dateutil.expand_all(program, complete)
    rules = [r for r, a in zip(complete, first) if "crash" not in a]
    rules_path = os.path.join(work, "expand-rules.jsonl")
    with open(rules_path, "w", encoding="utf-8") as f:
        for r in rules:
            f.write(json.dumps({k: r[k] for k in ("id", "rrule", "dtstart", "limit")}) + "\n")

    ours_s, ours = timed([program, "expand", "--jsonl"], rules_path,
                         os.path.join(work, "expand-ours.jsonl"))
    theirs_s, theirs = timed([sys.executable, os.path.join(HERE, "dateutil_baseline.py")],
                             rules_path, os.path.join(work, "expand-dateutil.jsonl"))
    ours_n = sum(len(a.get("occurrences", [])) for a in ours)
    theirs_n = sum(len(a.get("occurrences", [])) for a in theirs)
    refused = sum(1 for a in ours if "error" in a)
    other = sum(1 for r, a in zip(rules, ours) if "occurrences" in a and
                a["occurrences"] != r["expected"])
    print(f"expand.rules={len(rules)}")
    print(f"expand.left_out_crash_or_hang={len(complete) - len(rules)}")
    print(f"expand.ours_refused={refused}")
    print(f"expand.ours_other_dates={other}")
    print(f"expand.ours_occurrences={ours_n}")
    print(f"expand.dateutil_occurrences={theirs_n}")
    print(f"expand.ours_seconds={ours_s:.3f}")
    print(f"expand.dateutil_seconds={theirs_s:.3f}")
    print(f"expand.ours_rules_per_second={len(rules) / ours_s:.0f}")
    print(f"expand.dateutil_rules_per_second={len(rules) / theirs_s:.0f}")
    print(f"expand.ours_per_second={ours_n / ours_s:.0f}")
    print(f"expand.dateutil_per_second={theirs_n / theirs_s:.0f}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
