#!/usr/bin/python3
"""Oracle: Debian's python3-icalendar reads treffpunkt's feeds and python3-recurring-ical-events
expands them; the occurrences must equal the calendar library's own expansion.

    /usr/bin/python3 check_python.py [--require-json] DIR [DIR ...]

Every DIR/NAME.ics is parsed and its structure checked. Where DIR/NAME.json exists (written by
oracle_dump), the feed is expanded over the JSON's window [from, to) and compared with the
JSON's occurrences, keyed by (UID, RECURRENCE-ID). In a DIR that holds any .json (or with
--require-json) every .ics must have one; a feed without one (e.g. those the writer's unit
tests leave in TREFFPUNKT_FEED_DUMP) is still expanded over 2025-2026, which must not fail.

Window rule, the same as calendar::expand (expand.h): an occurrence is included when it
overlaps [from, to), i.e. start < to and end > from (one of zero length when from <= start <
to). recurring_ical_events.between() means the same rule (time_span_contains_event) but gets
it wrong near the edges: it lets dateutil compare the window with occurrences that still carry
DTSTART's UTC offset, so an occurrence in winter of a series that starts in summer is judged
an hour off (America/New_York, DTSTART 31 Oct 2024 18:00 EDT: the occurrence 31 Dec 2024
18:00 EST = 23:00Z..00:30Z overlaps a window from 1 Jan 2025 00:00Z, and between() leaves it
out). So the checker asks between() for two more days on either side and applies the rule
itself to the instants of the occurrences. All-day occurrences are compared by date; their
window test uses midnight UTC of their dates, which only matters for an all-day occurrence
touching from or to (the feeds avoid that edge).

Differences listed in known_deviations.json (the oracle is wrong by RFC 5545, the library
right) are accepted exactly as listed, and reported; any other difference fails.

VEVENTs with STATUS:CANCELLED are left out: calendar apps show them struck through, and the
JSON lists only occurrences that are not cancelled.

Run it with /usr/bin/python3: the libraries are Debian packages (icalendar 4.0.3,
recurring-ical-events 2.0.1), not in other Pythons on PATH. icalendar 4 resolves TZIDs that
are IANA names with pytz, i.e. the system's tzdata, not the feed's VTIMEZONE: ical.js
(check_icaljs.mjs) is the oracle that reads the VTIMEZONEs.
"""

import datetime
import importlib.metadata
import json
import pathlib
import re
import sys

import icalendar
import recurring_ical_events

UTC = datetime.timezone.utc
# The window for feeds without a .json: two years, as oracle_dump's.
DEFAULT_FROM = datetime.datetime(2025, 1, 1, tzinfo=UTC)
DEFAULT_TO = datetime.datetime(2027, 1, 1, tzinfo=UTC)


def fail_list(problems, where, message):
    problems.append(f"{where}: {message}")


def key_of(value):
    """RECURRENCE-ID text as occurrence_key::to_string() writes it."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError(f"floating date-time {value} (no TZID, no Z)")
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def instant_text(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError(f"floating date-time {value} (no TZID, no Z)")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def as_instant(value):
    """A comparable UTC datetime; a date is its midnight UTC."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(UTC)
    return datetime.datetime(value.year, value.month, value.day, tzinfo=UTC)


def overlaps(start, end, window_from, window_to):
    """The window rule of calendar::expand (expand.h)."""
    if start == end:
        return window_from <= start < window_to
    return start < window_to and end > window_from


def check_raw_lines(raw, where, problems):
    """RFC 5545 §3.1: CRLF line ends, at most 75 octets a line, folds that keep UTF-8 whole."""
    if not raw.startswith(b"BEGIN:VCALENDAR\r\n"):
        fail_list(problems, where, "does not start with BEGIN:VCALENDAR CRLF")
    if not raw.endswith(b"END:VCALENDAR\r\n"):
        fail_list(problems, where, "does not end with END:VCALENDAR CRLF")
    lines = raw.split(b"\r\n")
    for number, line in enumerate(lines[:-1], start=1):
        if b"\n" in line or b"\r" in line:
            fail_list(problems, f"{where}:{number}", "bare LF or CR inside a line")
        if len(line) > 75:
            fail_list(problems, f"{where}:{number}", f"{len(line)} octets, more than 75")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            fail_list(problems, f"{where}:{number}", f"not UTF-8 on its own (fold split a "
                      f"character?): {e}")


# The CATEGORIES label of each kind (calendar::category_label) by the value of
# X-TREFFPUNKT-KIND: without a language, in German, in English.
KIND_LABELS = {
    "MEETING": ("MEETING", "Treffen", "Meeting"),
    "EXCHANGE-OFFER": ("EXCHANGE-OFFER", "Austauschangebot", "Exchange offer"),
}


def categories_of(event):
    """Every CATEGORIES value of a VEVENT, as the parser reads them."""
    value = event.get("CATEGORIES")
    if value is None:
        return []
    return [str(c) for v in (value if isinstance(value, list) else [value]) for c in v.cats]


def check_kinds(cal, where, problems):
    """Each VEVENT carries its kind as X-TREFFPUNKT-KIND and as one CATEGORIES value, the label
    of that kind, in one language for the whole feed (docs/calendar.md)."""
    languages = set()
    for event in cal.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        kind = str(event.get("X-TREFFPUNKT-KIND", ""))
        if kind not in KIND_LABELS:
            fail_list(problems, where, f"{uid}: X-TREFFPUNKT-KIND is {kind!r}")
            continue
        categories = categories_of(event)
        if len(categories) != 1 or categories[0] not in KIND_LABELS[kind]:
            fail_list(problems, where, f"{uid}: CATEGORIES {categories!r} for {kind}")
            continue
        languages.add(KIND_LABELS[kind].index(categories[0]))
    if len(languages) > 1:
        fail_list(problems, where, "CATEGORIES in more than one language")


def check_structure(cal, unfolded, where, problems):
    """What docs/calendar.md's rules for feeds (those real calendar apps punish) ask of a feed."""
    if cal.name != "VCALENDAR":
        fail_list(problems, where, f"top component is {cal.name}")
    if str(cal.get("VERSION", "")) != "2.0":
        fail_list(problems, where, "VERSION is not 2.0")
    if not cal.get("PRODID"):
        fail_list(problems, where, "no PRODID")
    if str(cal.get("METHOD", "")) != "PUBLISH":
        fail_list(problems, where, f"METHOD is {cal.get('METHOD')!r}, not PUBLISH")

    zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    for tzid in zones:
        if tzid.startswith("/"):
            fail_list(problems, where, f"TZID {tzid} has a libical prefix")
    used = set()
    masters = {}
    for event in cal.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        for required in ("UID", "DTSTAMP", "DTSTART"):
            if required not in event:
                fail_list(problems, where, f"VEVENT {uid or '?'} has no {required}")
        if "RECURRENCE-ID" not in event:
            if uid in masters:
                fail_list(problems, where, f"UID {uid} has two master VEVENTs")
            masters[uid] = event
    # Every TZID parameter of any property, read from the unfolded text.
    for match in re.finditer(r";TZID=(\"[^\"]*\"|[^;:]*)", unfolded):
        used.add(match.group(1).strip('"'))
    for tzid in sorted(used - zones):
        fail_list(problems, where, f"TZID {tzid} is used but has no VTIMEZONE")

    for event in cal.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        if "RECURRENCE-ID" in event:
            master = masters.get(uid)
            if master is None:
                fail_list(problems, where, f"override of {uid} has no master VEVENT")
            elif "RRULE" not in master and "RDATE" not in master:
                fail_list(problems, where, f"override of {uid}: master has no RRULE or RDATE")
        if "EXDATE" in event:
            start = event["DTSTART"]
            exdates = event["EXDATE"]
            for exdate in exdates if isinstance(exdates, list) else [exdates]:
                for dt in exdate.dts:
                    # RFC 5545 §3.8.5.1 and docs/calendar.md: same value type and TZID as DTSTART.
                    if type(dt.dt) is not type(start.dt):
                        fail_list(problems, where,
                                  f"{uid}: EXDATE {dt.dt!r} is not of DTSTART's value type")
                if exdate.params.get("TZID") != start.params.get("TZID"):
                    fail_list(problems, where, f"{uid}: EXDATE TZID "
                              f"{exdate.params.get('TZID')} differs from DTSTART's "
                              f"{start.params.get('TZID')}")


def oracle_occurrences(cal, window_from, window_to, where, problems):
    found = {}
    # Two days more on either side; the window rule itself is applied below (see the top).
    margin = datetime.timedelta(days=2)
    for vevent in recurring_ical_events.of(cal).between(window_from - margin,
                                                        window_to + margin):
        if str(vevent.get("STATUS", "")).upper() == "CANCELLED":
            continue
        uid = str(vevent.get("UID", ""))
        try:
            start = vevent["DTSTART"].dt
            end = vevent["DTEND"].dt if "DTEND" in vevent else start
            if "DURATION" in vevent and "DTEND" not in vevent:
                end = start + vevent["DURATION"].dt
            recurrence = vevent["RECURRENCE-ID"].dt if "RECURRENCE-ID" in vevent else start
            key = (uid, key_of(recurrence))
            item = {
                "start": instant_text(start),
                "end": instant_text(end),
                "all_day": not isinstance(start, datetime.datetime),
                "title": str(vevent.get("SUMMARY", "")),
                "_start": as_instant(start),
                "_end": as_instant(end),
            }
        except (KeyError, ValueError) as e:
            fail_list(problems, where, f"{uid}: {e}")
            continue
        if not overlaps(item["_start"], item["_end"], window_from, window_to):
            continue
        if key in found:
            fail_list(problems, where, f"recurring-ical-events returns {key} twice")
        found[key] = item
    return found


def known_deviations(oracle, feed):
    """The entries of known_deviations.json for this oracle and feed."""
    doc = json.loads((pathlib.Path(__file__).parent / "known_deviations.json")
                     .read_text(encoding="utf-8"))
    return [d for d in doc["deviations"] if d["oracle"] == oracle and d["feed"] == feed]


def take_known_deviations(expected, found, feed, where, problems):
    """Removes from both sides the differences that known_deviations.json lists, exactly as
    listed; a listed difference that does not occur is a problem too."""
    for d in known_deviations("recurring-ical-events", feed):
        # "oracle_says": null lists an occurrence the oracle does not show at all.
        says = d["oracle_says"]
        ours = (d["uid"], d["treffpunkt"]["recurrence_id"])
        theirs = (d["uid"], says["recurrence_id"]) if says else None
        e = expected.get(ours)
        f = found.get(theirs) if says else None
        if (e is None or any(e[k] != d["treffpunkt"][k] for k in ("start", "end"))
                or (says and (f is None or any(f[k] != says[k] for k in ("start", "end"))))
                or (not says and any(k[0] == d["uid"] and found[k]["start"] == e["start"]
                                     for k in found))):
            fail_list(problems, where, f"known deviation no longer occurs as listed: {d['uid']} "
                      f"{ours[1]} (delete it from known_deviations.json if the oracle is fixed)")
            continue
        del expected[ours]
        if says:
            del found[theirs]
        theirs_text = f"{says['start']}..{says['end']}" if says else "nothing"
        print(f"    known deviation, treffpunkt follows {d['rule'].split(':')[0]}: {d['uid']} "
              f"{d['treffpunkt']['start']}..{d['treffpunkt']['end']}, recurring-ical-events "
              f"{theirs_text}")


def compare(expected, found, where, problems):
    fields = ("start", "end", "all_day", "title")
    for key in sorted(expected.keys() | found.keys()):
        uid, recurrence_id = key
        if key not in found:
            e = expected[key]
            fail_list(problems, where, f"missing in recurring-ical-events: {uid} "
                      f"RECURRENCE-ID {recurrence_id} ({e['start']} .. {e['end']})")
            continue
        if key not in expected:
            f = found[key]
            fail_list(problems, where, f"only in recurring-ical-events: {uid} "
                      f"RECURRENCE-ID {recurrence_id} ({f['start']} .. {f['end']})")
            continue
        for field in fields:
            if expected[key][field] != found[key][field]:
                fail_list(problems, where, f"{uid} RECURRENCE-ID {recurrence_id}: {field} is "
                          f"{found[key][field]!r} in recurring-ical-events, "
                          f"{expected[key][field]!r} in treffpunkt")


def parse_instant(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def check_feed(path, require_json, problems):
    where = path.name
    raw = path.read_bytes()
    check_raw_lines(raw, where, problems)
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as e:  # any parse failure is a finding
        fail_list(problems, where, f"icalendar cannot parse it: {type(e).__name__}: {e}")
        return "not parsed"
    unfolded = raw.decode("utf-8", errors="replace")
    unfolded = unfolded.replace("\r\n ", "").replace("\r\n\t", "")
    check_structure(cal, unfolded, where, problems)
    check_kinds(cal, where, problems)

    expansion = path.with_suffix(".json")
    if not expansion.exists():
        if require_json:
            fail_list(problems, where, f"no {expansion.name} beside it")
            return "not compared"
        # Nothing to compare with (a feed of the writer's tests): it must still expand.
        try:
            found = oracle_occurrences(cal, DEFAULT_FROM, DEFAULT_TO, where, problems)
        except Exception as e:
            fail_list(problems, where, f"recurring-ical-events fails: {type(e).__name__}: {e}")
            return "not compared"
        return f"{len(found)} occurrences expanded, no .json to compare with"
    doc = json.loads(expansion.read_text(encoding="utf-8"))
    window_from, window_to = parse_instant(doc["from"]), parse_instant(doc["to"])
    expected = {}
    for o in doc["occurrences"]:
        key = (o["uid"], o["recurrence_id"])
        if key in expected:
            fail_list(problems, where, f"treffpunkt lists {key} twice")
        expected[key] = o
    try:
        found = oracle_occurrences(cal, window_from, window_to, where, problems)
    except Exception as e:
        fail_list(problems, where, f"recurring-ical-events fails: {type(e).__name__}: {e}")
        return "not compared"
    compared = len(expected)
    take_known_deviations(expected, found, path.stem, where, problems)
    compare(expected, found, where, problems)
    return f"{compared} occurrences compared"


def main(argv):
    args = argv[1:]
    require_json = "--require-json" in args
    dirs = [pathlib.Path(a) for a in args if a != "--require-json"]
    if not dirs:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"icalendar {icalendar.__version__}, recurring-ical-events "
          f"{importlib.metadata.version('recurring-ical-events')}")
    problems = []
    feeds = 0
    for d in dirs:
        paths = sorted(d.glob("*.ics"))
        if not paths:
            fail_list(problems, str(d), "no .ics files")
        # A folder with expansions (oracle_dump's) must have one for every feed in it.
        strict = require_json or any(d.glob("*.json"))
        for path in paths:
            outcome = check_feed(path, strict, problems)
            feeds += 1
            print(f"  {path}: {outcome}")
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"ok: {feeds} feed(s) agree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
