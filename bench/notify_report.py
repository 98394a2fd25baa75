#!/usr/bin/python3
"""Reads the sink's log (TIME<TAB>MESSAGE-ID per line) and, with --due, notify_bench's due
file (MESSAGE-ID<TAB>DUE in whole seconds): prints key=value lines with the count, distinct
Message-IDs, duplicates, messages per second between the first and the last arrival, and the
p50/p99/max lateness (first arrival minus due time) in seconds."""

import argparse
import collections


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100.0 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--due")
    parser.add_argument("--prefix", default="")
    args = parser.parse_args()

    arrivals = []
    with open(args.log) as f:
        for line in f:
            t, mid = line.rstrip("\n").split("\t", 1)
            arrivals.append((float(t), mid))
    counts = collections.Counter(mid for _, mid in arrivals)
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    p = args.prefix
    print("{}received={}".format(p, len(arrivals)))
    print("{}distinct={}".format(p, len(counts)))
    print("{}duplicates={}".format(p, duplicates))
    if len(arrivals) >= 2:
        span = arrivals[-1][0] - arrivals[0][0]
        print("{}span_seconds={:.3f}".format(p, span))
        print("{}per_second={:.0f}".format(p, (len(arrivals) - 1) / span if span > 0 else 0))
    if args.due:
        due = {}
        with open(args.due) as f:
            for line in f:
                mid, d = line.rstrip("\n").split("\t")
                due[mid] = int(d)
        first = {}
        for t, mid in arrivals:
            first.setdefault(mid, t)
        missing = [m for m in due if m not in first]
        unknown = [m for m in first if m not in due]
        late = sorted(first[m] - due[m] for m in due if m in first)
        print("{}missing={}".format(p, len(missing)))
        print("{}unknown={}".format(p, len(unknown)))
        print("{}lateness_p50={:.3f}".format(p, percentile(late, 50)))
        print("{}lateness_p99={:.3f}".format(p, percentile(late, 99)))
        print("{}lateness_max={:.3f}".format(p, late[-1] if late else float("nan")))
        print("{}early={}".format(p, sum(1 for x in late if x < 0)))


if __name__ == "__main__":
    main()
