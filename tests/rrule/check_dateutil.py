#!/usr/bin/python3
"""treffpunkt's expansion against python-dateutil's, occurrence by occurrence (issue 17).

    /usr/bin/python3 check_dateutil.py CORPUS.jsonl TREFFPUNKT READINGS.json

CORPUS.jsonl is make_corpus.py's. Every rule goes through one `TREFFPUNKT expand --jsonl`
process (all lines written at once by a thread, the answers read as they come), and each
answer is compared with dateutil's list:

- dateutil's `expected` has `limit` instances: ours must be exactly that list;
- it has fewer and a `through` instant (the rule ended, or dateutil's bounded search stopped
  there): ours up to `through` must be that list (ours may go on after it);
- dateutil refused the rule (`dateutil_error`): ours must refuse it too.

Any other answer is a difference. A difference is allowed only by an entry of READINGS.json
whose predicate matches the rule and whose `accept` describes our answer:

    "match":  {"tags_all": [...], "tags_any": [...], "freq": [...],
               "dateutil_error_contains": "..."}          every given condition holds
    "accept": "ours_refuses"            we answer an error
              "ours_empty"              we answer no occurrence
              "alternative:NAME"        we answer the corpus entry's alternatives[NAME] (a
                                        list make_corpus.py computed for that reading)

An entry that allows no difference fails the test too (the expansion changed: delete it).
Prints a summary: differences by kind, by FREQ, by FREQ and BY-part, by category tag, the
readings and how many each allowed, and the first three differing rules of each kind in full
(RRULE_SHOW=N in the environment: N of each). Exit 0 when every difference is allowed and
every reading is used.
"""

import collections
import json
import os
import re
import select
import subprocess
import sys
import threading

# Differing rules printed in full, per kind; RRULE_SHOW=N in the environment prints N.
SHOWN_PER_KIND = int(os.environ.get("RRULE_SHOW", "3"))
HANG_SECONDS = 30  # no answer for this long: the rule hangs the expansion (libical 3.0.16 can)
FREQS = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
PARTS = ["BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE",
         "BYSECOND", "BYSETPOS"]
ACCEPTS = ("ours_refuses", "ours_empty")


def run_once(program, rules):
    """One `expand --jsonl` process over `rules`: its answers (fewer when it died or stopped
    answering for HANG_SECONDS) and how it ended (None: at the end of its input)."""
    proc = subprocess.Popen([program, "expand", "--jsonl"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)

    def feed():
        try:
            for rule in rules:
                request = {k: rule[k] for k in ("id", "rrule", "dtstart", "limit")}
                proc.stdin.write((json.dumps(request) + "\n").encode())
            proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass  # it died or was killed; the answers so far say where

    writer = threading.Thread(target=feed)
    writer.start()
    answers = []
    pending = b""
    fd = proc.stdout.fileno()
    ended = None
    while True:
        ready, _, _ = select.select([fd], [], [], HANG_SECONDS)
        if not ready:
            proc.kill()
            ended = f"no answer within {HANG_SECONDS} s (killed)"
            break
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        answers += [json.loads(line) for line in lines]
    code = proc.wait()
    writer.join()
    if ended is None and code != 0:
        ended = "killed by signal %d" % -code if code < 0 else "exit status %d" % code
    return answers, ended


def expand_all(program, corpus):
    """Our answers to every corpus line, in order, from one process; when it dies or hangs on
    a rule (a difference no reading allows), that rule's answer says so and a new process
    takes the rest."""
    answers = []
    while len(answers) < len(corpus):
        got, ended = run_once(program, corpus[len(answers):])
        answers += got
        if ended is None and len(answers) < len(corpus):
            raise SystemExit(f"FAIL: {len(corpus)} rules sent, {len(answers)} answers")
        if ended is not None:
            if len(answers) == len(corpus):
                raise SystemExit(f"FAIL: treffpunkt expand --jsonl ended: {ended}")
            answers.append({"id": corpus[len(answers)]["id"], "crash": ended})
    for rule, answer in zip(corpus, answers):
        if answer.get("id") != rule["id"]:
            raise SystemExit(f"FAIL: answer {answer.get('id')!r} where {rule['id']} was due")
    return answers


def ours_up_to(rule, occurrences):
    if "through" in rule:
        return [t for t in occurrences if t <= rule["through"]]
    return occurrences


def kind_of(rule, answer):
    """None when we agree with dateutil, else what differs."""
    if "crash" in answer:
        return "ours crashes or hangs"
    theirs_refuse = "dateutil_error" in rule
    ours_refuse = "error" in answer
    if theirs_refuse and ours_refuse:
        return None
    if theirs_refuse:
        return "ours expands where dateutil refuses"
    if ours_refuse:
        return "ours refuses"
    ours = ours_up_to(rule, answer["occurrences"])
    expected = rule["expected"]
    if ours == expected:
        return None
    if not ours:
        return "ours yields nothing"
    if ours[0] == rule["dtstart"] and (not expected or expected[0] != rule["dtstart"]):
        return "ours starts at a DTSTART dateutil leaves out"
    if set(ours) < set(expected):
        return "ours misses occurrences"
    if set(ours) > set(expected):
        return "ours adds occurrences"
    return "wrong dates"


def reason(answer):
    """Our error without the line and the rule it names, digits blurred, for counting."""
    text = answer["error"].split("': ", 1)[-1] if "rrule '" in answer["error"] else \
        answer["error"].split(": ", 1)[-1]
    return re.sub(r"\d+", "N", text)


def matches(reading, rule):
    m = reading["match"]
    tags = set(rule["tags"])
    if "tags_all" in m and not set(m["tags_all"]) <= tags:
        return False
    if "tags_any" in m and not set(m["tags_any"]) & tags:
        return False
    if "freq" in m and rule["rrule"].split(";")[0][5:] not in m["freq"]:
        return False
    if "dateutil_error_contains" in m and m["dateutil_error_contains"] not in rule.get(
            "dateutil_error", ""):
        return False
    return True


def accepts(reading, rule, answer):
    if "crash" in answer:
        return False
    accept = reading["accept"]
    if accept == "ours_refuses":
        return "error" in answer
    if accept == "ours_empty":
        return answer.get("occurrences") == []
    name = accept.removeprefix("alternative:")
    alternative = rule.get("alternatives", {}).get(name)
    if alternative is None or "occurrences" not in answer:
        return False
    return ours_up_to(rule, answer["occurrences"]) == alternative


def load_readings(path):
    with open(path, encoding="utf-8") as f:
        readings = json.load(f)["readings"]
    for r in readings:
        for field in ("name", "match", "accept", "rfc", "why"):
            if not r.get(field):
                raise SystemExit(f"FAIL: reading {r.get('name', r)!r} has no {field}")
        if r["accept"] not in ACCEPTS and not r["accept"].startswith("alternative:"):
            raise SystemExit(f"FAIL: reading {r['name']}: unknown accept {r['accept']!r}")
    return readings


def table(title, rows):
    print(f"\n{title}")
    width = max((len(k) for k, _ in rows), default=0)
    for key, text in rows:
        print(f"  {key:<{width}}  {text}")


def main(corpus_path, program, readings_path):
    with open(corpus_path, encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f if line.strip()]
    readings = load_readings(readings_path)
    answers = expand_all(program, corpus)

    differing = []  # (rule, answer, kind, reading or None)
    used = collections.Counter()
    matched = collections.Counter()
    for rule, answer in zip(corpus, answers):
        kind = kind_of(rule, answer)
        if kind is None:
            continue
        allowed = None
        for reading in readings:
            if matches(reading, rule):
                matched[reading["name"]] += 1
                if accepts(reading, rule, answer):
                    allowed = reading["name"]
                    break
        if allowed:
            used[allowed] += 1
        differing.append((rule, answer, kind, allowed))

    unexplained = [d for d in differing if d[3] is None]
    print(f"dateutil oracle: {len(corpus)} rules, {len(corpus) - len(differing)} agree, "
          f"{len(differing)} differ, {len(differing) - len(unexplained)} of them allowed by a "
          f"reading, {len(unexplained)} not")

    def freq(rule):
        return rule["rrule"].split(";")[0][5:]

    totals = collections.Counter()
    for rule in corpus:
        for tag in rule["tags"]:
            totals[tag] += 1  # the FREQ is a tag too
            if tag in PARTS:
                totals[(freq(rule), tag)] += 1
    kinds = collections.Counter(d[2] for d in unexplained)
    table("not allowed, by kind:", [(k, str(n)) for k, n in kinds.most_common()])
    reasons = collections.Counter(reason(d[1]) for d in unexplained if "error" in d[1])
    table("our refusals among them, by reason:", [(str(n), k) for k, n in reasons.most_common()])
    by_freq = collections.Counter(freq(d[0]) for d in unexplained)
    table("not allowed, by FREQ (differ / rules):",
          [(f, f"{by_freq[f]} / {totals[f]}") for f in FREQS])
    by_part = collections.Counter((freq(d[0]), t) for d in unexplained for t in d[0]["tags"]
                                  if t in PARTS)
    rows = []
    for f in FREQS:
        cells = [f"{p[2:]} {by_part[(f, p)]}/{totals[(f, p)]}" for p in PARTS]
        rows.append((f, "  ".join(cells)))
    table("not allowed, by FREQ and BY-part (differ/rules with that part):", rows)
    by_tag = collections.Counter(t for d in unexplained for t in d[0]["tags"]
                                 if t not in PARTS and t not in FREQS)
    table("not allowed, by category (differ / rules):",
          [(t, f"{n} / {totals[t]}") for t, n in sorted(by_tag.items())])
    explained_by = collections.Counter()
    for rule, answer, _, _ in unexplained:
        for name, alternative in rule.get("alternatives", {}).items():
            if "occurrences" in answer and ours_up_to(rule, answer["occurrences"]) == alternative:
                explained_by[name] += 1
    if explained_by:
        table("not allowed, but equal to an alternative reading's list:",
              [(k, str(n)) for k, n in explained_by.most_common()])
    table("readings (readings.json): differences allowed / differing rules matched",
          [(r["name"], f"{used[r['name']]} / {matched[r['name']]}") for r in readings])

    shown = []
    for kind in kinds:
        shown += [d for d in unexplained if d[2] == kind][:SHOWN_PER_KIND]
    if shown:
        print(f"\nthe first {SHOWN_PER_KIND} differences not allowed of each kind:")
        for rule, answer, kind, _ in shown:
            print(f"\n  {rule['id']} {kind}: RRULE:{rule['rrule']}  DTSTART:{rule['dtstart']}"
                  f"  limit {rule['limit']}  tags {','.join(rule['tags'])}")
            if "dateutil_error" in rule:
                print(f"    dateutil: refuses: {rule['dateutil_error']}")
            else:
                through = f" (complete through {rule['through']})" if "through" in rule else ""
                print(f"    dateutil: {' '.join(rule['expected']) or '(none)'}{through}")
            if "crash" in answer:
                print(f"    ours:     the process died or hung: {answer['crash']}")
            elif "error" in answer:
                print(f"    ours:     refuses: {answer['error']}")
            else:
                print(f"    ours:     {' '.join(answer['occurrences']) or '(none)'}")
    stale = [r["name"] for r in readings if used[r["name"]] == 0]
    for name in stale:
        print(f"\nFAIL: reading {name!r} allows no difference: none of our answers is the one it"
              " accepts (delete it when we now agree with dateutil there)")
    if unexplained:
        print(f"\nFAIL: {len(unexplained)} rules differ from dateutil without a reading")
    return 1 if unexplained or stale else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
