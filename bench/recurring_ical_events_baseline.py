#!/usr/bin/python3
"""Baseline for bench/calendar.sh: recurring-ical-events expands a feed over a window.

    /usr/bin/python3 recurring_ical_events_baseline.py FEED.ics FROM TO

FROM and TO are UTC instants ("2025-01-01T00:00:00Z"). Prints key=value lines: the number of
occurrences that are not cancelled (STATUS:CANCELLED is left out, as calendar_bench does), the
seconds for parsing (icalendar.Calendar.from_ical) and for expanding (recurring_ical_events.of
plus between, best of RUNS), and occurrences per second of expanding.

The window rule is calendar::expand's (start < TO and end > FROM). between() misjudges
occurrences near the window's edges when their UTC offset differs from DTSTART's (see
tests/oracle/check_python.py), so it is asked for two more days on either side and the rule is
applied to the occurrences' instants afterwards, as tests/oracle/check_python.py does; the
timing includes both (four days more of 730: well within the noise).
Run with /usr/bin/python3: Debian's python3-icalendar and python3-recurring-ical-events.
"""

import datetime
import sys
import time

import icalendar
import recurring_ical_events

RUNS = 2
MARGIN = datetime.timedelta(days=2)


def instant(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def as_instant(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc)
    return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc)


def shown(event, window_from, window_to):
    """Not cancelled, and overlapping [window_from, window_to) as calendar::expand means it."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    start = as_instant(event["DTSTART"].dt)
    end = as_instant(event["DTEND"].dt) if "DTEND" in event else start
    if start == end:
        return window_from <= start < window_to
    return start < window_to and end > window_from


def main(path, window_from, window_to):
    raw = open(path, "rb").read()
    start = time.perf_counter()
    cal = icalendar.Calendar.from_ical(raw)
    parse_seconds = time.perf_counter() - start

    span_from, span_to = instant(window_from), instant(window_to)
    best = None
    count = None
    for _ in range(RUNS):
        start = time.perf_counter()
        events = recurring_ical_events.of(cal).between(span_from - MARGIN, span_to + MARGIN)
        n = sum(1 for e in events if shown(e, span_from, span_to))
        elapsed = time.perf_counter() - start
        if count is not None and n != count:
            raise SystemExit(f"two runs disagree: {count} and {n} occurrences")
        count = n
        best = elapsed if best is None else min(best, elapsed)
    print(f"baseline.occurrences={count}")
    print(f"baseline.parse_seconds={parse_seconds:.3f}")
    print(f"baseline.expand_seconds={best:.3f}")
    print(f"baseline.per_second={count / best:.0f}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
