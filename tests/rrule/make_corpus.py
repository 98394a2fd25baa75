#!/usr/bin/python3
"""A corpus of recurrence rules with python-dateutil's expansion of each (issue 17).

    /usr/bin/python3 make_corpus.py OUT.jsonl

Writes one JSON object a line:

    {"id": "r0042", "rrule": "FREQ=MONTHLY;BYDAY=-1FR", "dtstart": "20250107T190000",
     "limit": 20, "tags": ["MONTHLY", "BYDAY", "byday-ordinal", ...],
     "expected": ["20250131T190000", ...],            # dateutil's first `limit` instances
     "through": "21251231T235959",                     # only when fewer than `limit`: the
                                                       # list is complete up to this instant
     "dateutil_error": "...",                          # instead of expected: dateutil refuses
     "alternatives": {"dtstart-counted": [...], ...}}  # other readings' lists (readings.json)

The alternatives, where they apply: byday-union (a mixed BYDAY as a union), byweekno-weeks
(YEARLY BYWEEKNO with weeks numbered as RFC 5545 does), bysetpos-whole-first-week (WEEKLY
BYSETPOS over DTSTART's whole week), until-date-whole-day (a DATE UNTIL keeping its day), and
dtstart-counted (DTSTART first and counted, the other reading of a DTSTART that is no instance;
no reading uses it, the checker's summary counts the answers it would explain). The first
three repair dateutil 2.8.2 bugs; each function below says which.

The first four fields are a line of `treffpunkt expand --jsonl`. The rules cover every FREQ
(SECONDLY..YEARLY) with every BY-part alone and with every other BY-part, and with three
at random; INTERVAL, COUNT, floating UNTIL, WKST; leap days (DTSTART on 29 February,
BYMONTHDAY=29/-1 in February, BYYEARDAY=366/-366/60); week 53 (BYWEEKNO=53/-1/-53 in years
that have one and years that do not); negative ordinals (BYDAY=-1FR, -2MO, -53MO in YEARLY);
BYSETPOS (positive, negative, several) in every frequency; the rules RFC 5545 forbids
(tagged rfc-invalid:..., for readings.json); DTSTARTs from 1997 to 2040, often not an
instance of their rule (tag dtstart-not-instance).

Deterministic: a fixed seed, no clock, no time zone (floating times), and dateutil's search
is bounded by rules, not by time: each rule is searched up to a horizon year (DTSTART's year
+ 100 for DAILY and slower, less for the sub-daily frequencies; "through" says where), and a
rule that needs more than MAX_STEPS of dateutil's periods to get there is replaced by another
(counted in the summary on stderr), so that the generator never runs away.
Run with /usr/bin/python3: Debian's python3-dateutil.
"""

import datetime
import itertools
import json
import random
import sys
import types
import warnings

import dateutil
import dateutil.rrule as du

SEED = 17
LIMIT = 20
MAX_STEPS = 100000  # dateutil's periods and inner steps per rule (about 0.1 s)
HORIZON_YEARS = {"YEARLY": 100, "MONTHLY": 50, "WEEKLY": 30, "DAILY": 20,
                 "HOURLY": 3, "MINUTELY": 1, "SECONDLY": 0}
FREQS = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
PARTS = ["BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE",
         "BYSECOND", "BYSETPOS"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# ISO years with a week 53 (a Thursday on 1 January, or a Wednesday in a leap year).
WEEK53_YEARS = [1998, 2004, 2009, 2015, 2020, 2026, 2032, 2037]


# --- bounding dateutil -------------------------------------------------------------------
#
# dateutil's rrule._iter loops period by period until it has found what was asked or the year
# passes datetime.MAXYEAR; a rule that never matches (BYMONTHDAY=30;BYMONTH=2) or matches
# rarely at a fine frequency would run for hours. Two bounds, both deterministic: the module's
# MAXYEAR (it reads datetime.MAXYEAR through its own `datetime` global) is set to the rule's
# horizon, and every period it computes (_iterinfo's dayset methods) and every divmod it calls
# (its inner loops that look for the next valid second or minute call one per step; the
# module finds divmod in its globals before the builtins) count against MAX_STEPS.

class TooManySteps(Exception):
    pass


_steps = [0]
_horizon = types.ModuleType("datetime_with_horizon")
_horizon.__dict__.update(datetime.__dict__)
du.datetime = _horizon


class _CountingIterinfo(du._iterinfo):
    __slots__ = ()

    def __init__(self, rrule):  # the base's __init__ reads __slots__, which is ours here
        for attr in _base_iterinfo.__slots__:
            setattr(self, attr, None)
        self.rrule = rrule

    def rebuild(self, year, month):
        super().rebuild(year, month)
        if _fix_weekno[0] and self.rrule._byweekno and year != _fixed_for[0]:
            _fixed_for[0] = year
            self.wnomask = weekno_mask(year, self.yearlen, self.rrule._wkst,
                                       self.rrule._byweekno)

    def _tick(self):
        _steps[0] += 1
        if _steps[0] > MAX_STEPS:
            raise TooManySteps()

    def ydayset(self, *args):
        self._tick()
        return super().ydayset(*args)

    def mdayset(self, *args):
        self._tick()
        return super().mdayset(*args)

    def wdayset(self, *args):
        self._tick()
        return super().wdayset(*args)

    def ddayset(self, *args):
        self._tick()
        return super().ddayset(*args)


_fix_weekno = [False]  # weekno_mask instead of dateutil's, for the alternative
_fixed_for = [None]


def first_week_start(year, wkst):
    """RFC 5545 §3.3.10: week 1 is the first week (from WKST) with at least four days of the
    year, i.e. the one holding 4 January."""
    jan4 = datetime.date(year, 1, 4)
    return jan4 - datetime.timedelta(days=(jan4.weekday() - wkst) % 7)


def weekno_mask(year, yearlen, wkst, byweekno):
    """Which of the days from 1 January of `year` (yearlen + 7 of them, as dateutil's masks)
    lie in a week BYWEEKNO names, each week numbered in the year that holds four of its days
    and counted from that year's end for negative numbers."""
    mask = [0] * (yearlen + 7)
    start = datetime.date(year, 1, 1)
    for i in range(yearlen + 7):
        day = start + datetime.timedelta(days=i)
        week_year = day.year
        if day < first_week_start(week_year, wkst):
            week_year -= 1
        elif day >= first_week_start(week_year + 1, wkst):
            week_year += 1
        first = first_week_start(week_year, wkst)
        number = (day - first).days // 7 + 1
        weeks = (first_week_start(week_year + 1, wkst) - first).days // 7
        if number in byweekno or number - weeks - 1 in byweekno:
            mask[i] = 1
    return mask


_base_iterinfo = du._iterinfo
du._iterinfo = _CountingIterinfo


def _counting_divmod(a, b):
    _steps[0] += 1
    if _steps[0] > MAX_STEPS:
        raise TooManySteps()
    return divmod(a, b)


du.divmod = _counting_divmod


class DateutilCrashed(Exception):
    """dateutil failed with something other than its ValueError for a rule it refuses (an
    IndexError for BYDAY=47MO with BYMONTH, say): no reference for that rule."""


def text(t):
    return t.strftime("%Y%m%dT%H%M%S")


def dateutil_expand(rrule, dtstart, limit, horizon_year):
    """dateutil's first `limit` instances up to the end of `horizon_year`, as texts, and
    whether the list is complete (it has `limit`); raises ValueError when dateutil refuses the
    rule and TooManySteps when it needs too long."""
    _steps[0] = 0
    _horizon.MAXYEAR = horizon_year
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rule = du.rrulestr(rrule, dtstart=dtstart)
        try:
            found = list(itertools.islice(iter(rule), limit))
        except (ValueError, TooManySteps):
            raise
        except Exception as e:
            raise DateutilCrashed(repr(e)) from e
    end = datetime.datetime(horizon_year, 12, 31, 23, 59, 59)
    kept = [t for t in found if t <= end]
    return [text(t) for t in kept], len(kept) == limit


# --- rules ---------------------------------------------------------------------------------

class Rule:
    def __init__(self, freq):
        self.freq = freq
        self.parts = {}  # name -> value text, in RFC order when written
        self.tags = set()

    def text(self):
        order = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"] + PARTS
        items = [("FREQ", self.freq)] + sorted(self.parts.items(),
                                               key=lambda kv: order.index(kv[0]))
        return ";".join(f"{k}={v}" for k, v in items)


def pick(rng, values, low=1, high=3):
    return sorted(set(rng.choice(values) for _ in range(rng.randint(low, high))))


def nums(values):
    return ",".join(str(v) for v in values)


def signed_choice(rng, common, top):
    """A value from `common` half the time, else any of ±1..top."""
    if rng.random() < 0.5:
        return rng.choice(common)
    v = rng.randint(1, top)
    return v if rng.random() < 0.7 else -v


def part_value(rng, name, freq):
    if name == "BYMONTH":
        return nums(pick(rng, range(1, 13)))
    if name == "BYWEEKNO":
        return nums(sorted(set(signed_choice(rng, [1, 2, 52, 53, -1, -2, -53], 53)
                               for _ in range(rng.randint(1, 3)))))
    if name == "BYYEARDAY":
        return nums(sorted(set(signed_choice(rng, [1, 59, 60, 100, 200, 365, 366, -1, -365,
                                                   -366, -306], 366)
                               for _ in range(rng.randint(1, 3)))))
    if name == "BYMONTHDAY":
        return nums(sorted(set(signed_choice(rng, [1, 15, 28, 29, 30, 31, -1, -2, -29, -31], 31)
                               for _ in range(rng.randint(1, 3)))))
    if name == "BYDAY":
        days = pick(rng, DAYS, 1, 4)
        if freq in ("MONTHLY", "YEARLY") or rng.random() < 0.15:
            # Ordinals: mostly where RFC 5545 allows them, sometimes elsewhere (rfc-invalid).
            top = 53 if freq == "YEARLY" else 5
            out = []
            for d in days:
                if rng.random() < 0.6:
                    n = signed_choice(rng, [1, 2, 3, -1, -2] + ([53, -53, 20, 52] if top == 53
                                                                  else [4, 5, -5]), top)
                    out.append(f"{n}{d}")
                else:
                    out.append(d)
            return ",".join(out)
        return ",".join(days)
    if name == "BYHOUR":
        return nums(pick(rng, range(24)))
    if name == "BYMINUTE":
        return nums(pick(rng, [0, 15, 30, 45] + list(range(60))))
    if name == "BYSECOND":
        return nums(pick(rng, [0, 30] + list(range(60))))
    if name == "BYSETPOS":
        return nums(sorted(set(signed_choice(rng, [1, 2, 3, -1, -2], 10)
                               for _ in range(rng.randint(1, 3)))))
    raise AssertionError(name)


def random_dtstart(rng, freq):
    year = rng.randint(1997, 2040)
    month = rng.randint(1, 12)
    day = rng.randint(1, 31 if rng.random() < 0.2 else 28)
    while True:
        try:
            d = datetime.date(year, month, day)
            break
        except ValueError:
            day -= 1
    hour = rng.choice([0, 8, 9, 12, 18, 19, 23, rng.randint(0, 23)])
    minute = rng.choice([0, 0, 30, 15, rng.randint(0, 59)])
    second = 0 if rng.random() < 0.8 else rng.randint(0, 59)
    return datetime.datetime(d.year, d.month, d.day, hour, minute, second)


def add_modifiers(rng, rule, dtstart):
    """INTERVAL, COUNT or UNTIL, WKST, at random."""
    if rng.random() < 0.3:
        rule.parts["INTERVAL"] = str(rng.choice([2, 2, 3, 4, 5, 7, 12, 13]))
    r = rng.random()
    if r < 0.25:
        rule.parts["COUNT"] = str(rng.choice([1, 2, 5, 10, 15, 30]))
    elif r < 0.5:
        spans = {"SECONDLY": datetime.timedelta(seconds=rng.randint(0, 400)),
                 "MINUTELY": datetime.timedelta(minutes=rng.randint(0, 400)),
                 "HOURLY": datetime.timedelta(hours=rng.randint(0, 400)),
                 "DAILY": datetime.timedelta(days=rng.randint(0, 60)),
                 "WEEKLY": datetime.timedelta(weeks=rng.randint(0, 30)),
                 "MONTHLY": datetime.timedelta(days=rng.randint(0, 800)),
                 "YEARLY": datetime.timedelta(days=rng.randint(0, 8000))}
        until = dtstart + spans[rule.freq]
        if rng.random() < 0.1:
            until = dtstart - datetime.timedelta(days=1)  # before DTSTART
        rule.parts["UNTIL"] = text(until)
    if rng.random() < 0.3:
        rule.parts["WKST"] = rng.choice(DAYS)


def rfc_invalid(rule):
    """Why RFC 5545 §3.3.10 forbids the rule, as tags."""
    p = rule.parts
    out = set()
    if "BYWEEKNO" in p and rule.freq != "YEARLY":
        out.add("rfc-invalid:byweekno-not-yearly")
    if "BYYEARDAY" in p and rule.freq in ("DAILY", "WEEKLY", "MONTHLY"):
        out.add("rfc-invalid:byyearday-daily-weekly-monthly")
    if "BYMONTHDAY" in p and rule.freq == "WEEKLY":
        out.add("rfc-invalid:bymonthday-weekly")
    ordinal = "BYDAY" in p and any(c.isdigit() for c in p["BYDAY"])
    if ordinal and rule.freq not in ("MONTHLY", "YEARLY"):
        out.add("rfc-invalid:byday-ordinal-not-monthly-yearly")
    if ordinal and rule.freq == "YEARLY" and "BYWEEKNO" in p:
        out.add("rfc-invalid:byday-ordinal-with-byweekno")
    others = [k for k in p if k.startswith("BY") and k != "BYSETPOS"]
    if "BYSETPOS" in p and not others:
        out.add("rfc-invalid:bysetpos-alone")
    until = p.get("UNTIL", "")
    if until.endswith("Z"):
        out.add("rfc-invalid:until-utc")
    elif until and "T" not in until:
        out.add("rfc-invalid:until-date")
    return out


def tags_of(rule, dtstart):
    p = rule.parts
    tags = {rule.freq} | {k for k in p if k.startswith("BY")}
    tags |= {t for t in ("INTERVAL", "COUNT", "UNTIL", "WKST") if t in p}
    if "BYDAY" in p and any(c.isdigit() for c in p["BYDAY"]):
        tags.add("byday-ordinal")
    if any(v.startswith("-") or ",-" in v for k, v in p.items() if k.startswith("BY")):
        tags.add("negative")
    if dtstart.month == 2 and dtstart.day == 29:
        tags.add("dtstart-29-february")
    if any(x in ("53", "-1", "-53") for x in p.get("BYWEEKNO", "").split(",")):
        tags.add("week53")
    if "BYYEARDAY" in p and any(x in ("366", "-366", "60", "-306")
                                for x in p["BYYEARDAY"].split(",")):
        tags.add("leap-yearday")
    if p.get("BYMONTH") == "2" and any(x in ("29", "-1")
                                       for x in p.get("BYMONTHDAY", "").split(",")):
        tags.add("leap-monthday")
    return tags | rule.tags | rfc_invalid(rule)


# --- the corpus ----------------------------------------------------------------------------

def sweep(rng):
    """Every FREQ with every BY-part alone, every pair, and some triples."""
    combos = [(p,) for p in PARTS] + list(itertools.combinations(PARTS, 2))
    for freq in FREQS:
        for combo in combos:
            for _ in range(4):
                yield freq, combo, "sweep"
        for _ in range(25):
            yield freq, tuple(rng.sample(PARTS, 3)), "sweep"


def near_a_match(rng, rule, dtstart):
    """For the sub-daily frequencies, a DTSTART shortly before an instant that the rule's
    BY-parts allow (found by the same parts at FREQ=YEARLY, where they all expand): dateutil
    crawls second by second through days that do not match, so a random DTSTART in a year
    whose August 06:00 is months away would need millions of steps."""
    parts = {k: v for k, v in rule.parts.items() if k.startswith("BY") and k != "BYSETPOS"}
    if "BYDAY" in parts:
        parts["BYDAY"] = ",".join(d[-2:] for d in parts["BYDAY"].split(","))
    if not parts:
        return dtstart
    yearly = ";".join(["FREQ=YEARLY"] + [f"{k}={v}" for k, v in parts.items()])
    try:
        found, _ = dateutil_expand(yearly, dtstart, 3, dtstart.year + 30)
    except (ValueError, TooManySteps, DateutilCrashed):
        return dtstart
    if not found:
        return dtstart
    at = datetime.datetime.strptime(rng.choice(found), "%Y%m%dT%H%M%S")
    unit = {"SECONDLY": "seconds", "MINUTELY": "minutes", "HOURLY": "hours"}[rule.freq]
    return at - datetime.timedelta(**{unit: rng.choice([0, 0, 1, 2, 7, 30, 90])})


def mixed_byday(rule):
    """BYDAY with numbered and plain weekdays together (BYDAY=4MO,TU) in MONTHLY or YEARLY."""
    days = rule.parts.get("BYDAY", "").split(",")
    numbered = [d for d in days if d[:-2]]
    return rule.freq in ("MONTHLY", "YEARLY") and bool(numbered) and len(numbered) < len(days)


def made(rng, freq, combo, tag, dtstart=None, fixed=None, modifiers=True):
    rule = Rule(freq)
    dtstart = dtstart or random_dtstart(rng, freq)
    for name in combo:
        rule.parts[name] = part_value(rng, name, freq)
    rule.parts.update(fixed or {})
    if "BYSETPOS" in rule.parts and mixed_byday(rule):
        # BYSETPOS over dateutil's wrong set for a mixed BYDAY (see byday_union): not a rule
        # whose RFC answer this generator can compute, so the numbers go.
        rule.parts["BYDAY"] = ",".join(d[-2:] for d in rule.parts["BYDAY"].split(","))
    if freq in ("SECONDLY", "MINUTELY", "HOURLY"):
        dtstart = near_a_match(rng, rule, dtstart)
    if modifiers:
        add_modifiers(rng, rule, dtstart)
    rule.tags.add(tag)
    return rule, dtstart


def specials(rng):
    """Hand-aimed families, each many times with random surroundings."""
    leap = [datetime.datetime(y, 2, 29, rng.choice([0, 9, 18]), 0) for y in
            (2000, 2004, 2008, 2012, 2016, 2020, 2024, 2028, 2032, 2036, 2040)]
    for _ in range(60):
        freq = rng.choice(["YEARLY", "YEARLY", "MONTHLY", "WEEKLY", "DAILY"])
        extra = rng.choice([{}, {"BYMONTH": "2"}, {"BYMONTHDAY": "29"}, {"BYMONTHDAY": "-1"},
                            {"BYYEARDAY": "60"}, {"BYYEARDAY": "-307"}])
        if freq != "YEARLY" and "BYYEARDAY" in extra:
            extra = {}
        yield made(rng, freq, (), "leap-day", rng.choice(leap), extra)
    for _ in range(60):
        fixed = {"BYMONTH": "2", "BYMONTHDAY": rng.choice(["29", "-1", "28,29", "-1,-2", "29,-1"])}
        freq = rng.choice(["YEARLY", "MONTHLY", "DAILY", "HOURLY"])
        if freq == "HOURLY":
            fixed["BYHOUR"] = "9"
            fixed["BYMINUTE"] = "0"
            fixed["BYSECOND"] = "0"
        yield made(rng, freq, (), "leap-day", fixed=fixed)
    for _ in range(60):
        fixed = {"BYYEARDAY": rng.choice(["366", "-366", "365", "-365", "366,-366", "1,-1",
                                          "60,-306"])}
        freq = rng.choice(["YEARLY", "YEARLY", "HOURLY"])
        if freq == "HOURLY":
            fixed.update({"BYHOUR": "12", "BYMINUTE": "0", "BYSECOND": "0"})
        combo = rng.choice([(), ("BYMONTH",), ("BYDAY",), ("BYMONTHDAY",)])
        yield made(rng, freq, combo, "leap-day", fixed=fixed)
    for _ in range(150):
        year = rng.choice(WEEK53_YEARS + [y - 1 for y in WEEK53_YEARS] + [2001, 2023, 2027])
        start = datetime.datetime(year, rng.choice([1, 6, 12]), rng.choice([1, 15, 28]),
                                  rng.choice([0, 9, 19]), 0)
        fixed = {"BYWEEKNO": rng.choice(["53", "-1", "-53", "1", "52,53", "1,53", "-1,-2",
                                         "53,-53"])}
        combo = rng.choice([(), ("BYDAY",), ("BYDAY",), ("BYMONTH",), ("BYDAY", "BYSETPOS"),
                            ("BYHOUR",)])
        rule, dt = made(rng, "YEARLY", combo, "week53", start, fixed)
        if "BYDAY" in rule.parts and rng.random() < 0.8:
            rule.parts["BYDAY"] = ",".join(pick(rng, DAYS, 1, 3))
        if rng.random() < 0.6:
            rule.parts["WKST"] = rng.choice(DAYS)
        yield rule, dt
    for _ in range(150):
        freq = rng.choice(["MONTHLY", "YEARLY"])
        byday = rng.choice(["-1FR", "-2MO", "-1SU", "-1MO,-1FR", "-5TU", "1MO,-1MO", "-3WE",
                            "-53MO", "-52FR", "53TH", "-1SA,-1SU", "2TU,-2TU"])
        if freq == "MONTHLY" and any(n in byday for n in ("53", "52")):
            byday = "-1FR"
        combo = rng.choice([(), ("BYMONTH",), ("BYMONTH",), ("BYSETPOS",), ("BYMONTHDAY",),
                            ("BYHOUR",)])
        yield made(rng, freq, combo, "negative-ordinal", fixed={"BYDAY": byday})
    setpos_families = {
        "YEARLY": [{"BYMONTH": "3,6,9,12", "BYDAY": "MO,TU,WE,TH,FR"},
                   {"BYDAY": "MO"}, {"BYMONTH": "1", "BYMONTHDAY": "1,2,3,4,5,6,7"},
                   {"BYWEEKNO": "1,20", "BYDAY": "SA,SU"}, {"BYYEARDAY": "1,100,200,300"}],
        "MONTHLY": [{"BYDAY": "MO,TU,WE,TH,FR"}, {"BYDAY": "SA,SU"},
                    {"BYMONTHDAY": "1,10,20,-1"}, {"BYDAY": "TU,TH", "BYHOUR": "9,18"}],
        "WEEKLY": [{"BYDAY": "MO,WE,FR"}, {"BYDAY": "MO,TU,WE,TH,FR,SA,SU"},
                   {"BYDAY": "TU,TH", "BYHOUR": "8,20"}],
        "DAILY": [{"BYHOUR": "9,12,17"}, {"BYHOUR": "6,18", "BYMINUTE": "0,30"},
                  {"BYMINUTE": "0,20,40"}],
        "HOURLY": [{"BYMINUTE": "0,30"}, {"BYMINUTE": "0,15,30,45", "BYSECOND": "0,30"},
                   {"BYSECOND": "5,10"}],
        "MINUTELY": [{"BYSECOND": "0,20,40"}, {"BYSECOND": "1,2,3"}],
        "SECONDLY": [{"BYHOUR": "10", "BYMINUTE": "5"}, {"BYMONTH": "1", "BYHOUR": "0",
                                                          "BYMINUTE": "0"}],
    }
    for freq, families in setpos_families.items():
        for _ in range(45):
            fixed = dict(rng.choice(families))
            fixed["BYSETPOS"] = rng.choice(["1", "-1", "2", "-2", "1,-1", "2,3", "-1,-2,-3",
                                            "1,3,5", "3", "-3"])
            yield made(rng, freq, (), "bysetpos", fixed=fixed)
    for _ in range(120):
        freq = rng.choice(FREQS[2:])
        combo = rng.choice([(), ("BYDAY",), ("BYMONTH",), ("BYHOUR",)])
        rule, dt = made(rng, freq, combo, "until", modifiers=False)
        found = None
        try:
            found, _ = dateutil_expand(rule.text(), dt, 8, dt.year + 100)
        except (ValueError, TooManySteps, DateutilCrashed):
            pass
        pick_kind = rng.random()
        if found and pick_kind < 0.4:
            rule.parts["UNTIL"] = rng.choice(found)  # exactly an instance: inclusive
        elif found and pick_kind < 0.6:
            day = rng.choice(found)[:8]
            rule.parts["UNTIL"] = day  # a DATE: value type differs from DTSTART's
        elif pick_kind < 0.75:
            rule.parts["UNTIL"] = text(dt)  # DTSTART itself
        elif pick_kind < 0.85:
            rule.parts["UNTIL"] = text(dt + datetime.timedelta(days=40)) + "Z"
        else:
            rule.parts["UNTIL"] = text(dt + datetime.timedelta(days=rng.randint(1, 400),
                                                               seconds=rng.randint(0, 86399)))
        yield rule, dt
    common = ["FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=TU,TH",
              "FREQ=MONTHLY;BYDAY=1TU", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=3WE",
              "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY;BYMONTHDAY=15",
              "FREQ=DAILY", "FREQ=YEARLY", "FREQ=WEEKLY;COUNT=10", "FREQ=MONTHLY;INTERVAL=3"]
    for _ in range(120):
        base = rng.choice(common)
        rule = Rule("X")
        for part in base.split(";"):
            k, v = part.split("=")
            if k == "FREQ":
                rule.freq = v
            else:
                rule.parts[k] = v
        rule.tags.add("common")
        yield rule, random_dtstart(rng, rule.freq)


def byday_union(rule, dtstart, limit, horizon):
    """A mixed BYDAY as RFC 5545 has it: the list is a union, BYDAY=4MO,-1SA,TU is the fourth
    Monday, the last Saturday and every Tuesday. dateutil 2.8.2 keeps a day only if it is one
    of the plain weekdays AND one of the numbered ones (rrule._iter filters by both byweekday
    and nwdaymask), so that rule has no instance at all. Expanded as two rules, one with each
    kind of BYDAY, merged; then COUNT applied (rules with BYSETPOS are not generated mixed)."""
    days = rule.parts["BYDAY"].split(",")
    merged = set()
    for kind in ([d for d in days if d[:-2]], [d for d in days if not d[:-2]]):
        half = Rule(rule.freq)
        half.parts = {k: v for k, v in rule.parts.items() if k != "COUNT"}
        half.parts["BYDAY"] = ",".join(kind)
        found, _ = dateutil_expand(half.text(), dtstart, limit, horizon)
        merged |= set(found)
    kept = sorted(merged)
    if "COUNT" in rule.parts:
        kept = kept[:int(rule.parts["COUNT"])]
    return kept[:limit]


def iso_weeks(rule, dtstart, limit, horizon):
    """YEARLY with BYWEEKNO, its weeks numbered as RFC 5545 (and ISO 8601 for WKST=MO) number
    them: dateutil 2.8.2's _iterinfo.rebuild counts the weeks of the previous year with this
    year's length (FREQ=YEARLY;BYWEEKNO=53 takes 1-2 January 2022 as week 53 of 2021, which
    has 52) and does not look for a negative week number of next year in this one
    (BYWEEKNO=-53 misses 29-31 December 2031, week 1 of 2032 = week -53 of 2032). dateutil
    with that one mask computed here (weekno_mask), everything else its own."""
    _fix_weekno[0] = True
    _fixed_for[0] = None
    try:
        found, _ = dateutil_expand(rule.text(), dtstart, limit, horizon)
    finally:
        _fix_weekno[0] = False
    return found


def whole_first_week(rule, dtstart, limit, horizon):
    """A WEEKLY rule with BYSETPOS as RFC 5545 has it: BYSETPOS picks from the whole week
    (from WKST on), also in DTSTART's week. dateutil starts that first week at DTSTART's day
    (_iterinfo.wdayset), so BYDAY=WE,TH;BYSETPOS=2 from a Thursday leaves that Thursday out.
    Expanded by dateutil from the start of DTSTART's week (same time of day, BYDAY made
    explicit where dateutil would take it from DTSTART), without COUNT; then what is before
    DTSTART dropped and COUNT applied, as RFC 5545 counts from DTSTART."""
    wkst = DAYS.index(rule.parts.get("WKST", "MO"))
    back = (dtstart.weekday() - wkst) % 7
    parts = dict(rule.parts)
    count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    if not any(k in parts for k in ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")):
        parts["BYDAY"] = DAYS[dtstart.weekday()]
    moved = Rule("WEEKLY")
    moved.parts = parts
    found, _ = dateutil_expand(moved.text(), dtstart - datetime.timedelta(days=back),
                               limit + 10, horizon)
    kept = [t for t in found if t >= text(dtstart)]
    if count is not None:
        kept = kept[:count]
    return kept[:limit]


def entry(number, rule, dtstart, limit):
    rrule = rule.text()
    horizon = min(9999, dtstart.year + HORIZON_YEARS[rule.freq])
    out = {"id": f"r{number:04d}", "rrule": rrule, "dtstart": text(dtstart), "limit": limit}
    tags = tags_of(rule, dtstart)
    try:
        found, complete = dateutil_expand(rrule, dtstart, limit, horizon)
    except ValueError as e:
        out["dateutil_error"] = str(e)
        tags.add("dateutil-refuses")
        out["tags"] = sorted(tags)
        return out
    out["expected"] = found
    if not complete:
        out["through"] = f"{horizon:04d}1231T235959"
    if not found and limit > 0:
        tags.add("empty")
    if limit > 0 and (not found or found[0] != text(dtstart)):
        tags.add("dtstart-not-instance")
        # RFC 5545 §3.3.10 "The DTSTART property value always counts as the first occurrence":
        # DTSTART first, counted by COUNT, then the rule's instances.
        if "COUNT" in rule.parts and rule.parts["COUNT"] == "1":
            rest = []
        else:
            fewer = rule.text() if "COUNT" not in rule.parts else rrule.replace(
                f"COUNT={rule.parts['COUNT']}", f"COUNT={int(rule.parts['COUNT']) - 1}")
            rest, _ = dateutil_expand(fewer, dtstart, limit, horizon)
        if "UNTIL" not in rule.parts or rule.parts["UNTIL"] >= text(dtstart)[:len(
                rule.parts["UNTIL"])]:
            out.setdefault("alternatives", {})["dtstart-counted"] = \
                ([text(dtstart)] + rest)[:limit]
    if mixed_byday(rule) and limit > 0:
        tags.add("byday-mixed")
        out.setdefault("alternatives", {})["byday-union"] = byday_union(rule, dtstart, limit,
                                                                         horizon)
    if rule.freq == "YEARLY" and "BYWEEKNO" in rule.parts and limit > 0:
        out.setdefault("alternatives", {})["byweekno-weeks"] = iso_weeks(rule, dtstart, limit,
                                                                        horizon)
    if rule.freq == "WEEKLY" and "BYSETPOS" in rule.parts and limit > 0:
        out.setdefault("alternatives", {})["bysetpos-whole-first-week"] = whole_first_week(
            rule, dtstart, limit, horizon)
    if "rfc-invalid:until-date" in tags:
        # The whole day of a DATE UNTIL, as calendar apps read it.
        whole_day = rrule.replace("UNTIL=" + rule.parts["UNTIL"],
                                  "UNTIL=" + rule.parts["UNTIL"] + "T235959")
        alt, _ = dateutil_expand(whole_day, dtstart, limit, horizon)
        out.setdefault("alternatives", {})["until-date-whole-day"] = alt
    out["tags"] = sorted(tags)
    return out


def again(rng, rule):
    """Another rule of the same frequency and BY-parts, with new values and DTSTART."""
    combo = tuple(k for k in rule.parts if k in PARTS)
    return made(rng, rule.freq, combo, next(iter(sorted(rule.tags)), "sweep"))


def main(path):
    rng = random.Random(SEED)
    candidates = [made(rng, f, c, t) for f, c, t in list(sweep(rng))]
    candidates += list(specials(rng))
    lines = []
    replaced = 0
    crashed = 0
    redrawn = 0
    given_up = 0
    for rule, dtstart in candidates:
        limit = LIMIT if rng.random() < 0.95 else rng.choice([0, 1, 5, 100])
        for attempt in range(20):
            try:
                line = entry(len(lines) + 1, rule, dtstart, limit)
                found = line.get("expected")
                if found == [] and limit > 0 and attempt < 19 and rng.random() < 0.75:
                    # Some rules that yield nothing, not a quarter of them: draw again.
                    redrawn += 1
                    rule, dtstart = again(rng, rule)
                    continue
                if found and found[0] != line["dtstart"] and rng.random() < 0.6:
                    # Most series start on an instance of their rule (the rest keep theirs).
                    dtstart = datetime.datetime.strptime(found[0], "%Y%m%dT%H%M%S")
                    line = entry(len(lines) + 1, rule, dtstart, limit)
                lines.append(line)
                break
            except (TooManySteps, DateutilCrashed) as e:
                # Too slow to settle, or dateutil fails: the same kind of rule with another
                # DTSTART and values.
                if isinstance(e, DateutilCrashed):
                    crashed += 1
                else:
                    replaced += 1
                rule, dtstart = again(rng, rule)
        else:
            given_up += 1
    with open(path, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
    refused = sum(1 for x in lines if "dateutil_error" in x)
    partial = sum(1 for x in lines if "through" in x)
    print(f"{len(lines)} rules (dateutil {dateutil.__version__}): {refused} refused by dateutil,"
          f" {partial} with fewer than their limit up to their horizon, {replaced} replaced"
          f" for needing more than {MAX_STEPS} dateutil steps, {crashed} replaced for crashing"
          f" dateutil, {redrawn} drawn again for yielding nothing; {given_up} candidates given"
          f" up after 20 tries", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
