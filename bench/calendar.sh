#!/usr/bin/env bash
# The calendar benchmark and its baseline: builds calendar_bench with the release preset, runs
# it, lets recurring-ical-events (Debian's python3) expand the same 1,000 series over the same
# two years, and compares. Fails when the two occurrence counts differ.
# Then `treffpunkt expand --jsonl` against python-dateutil over the rules of the dateutil
# corpus (tests/rrule) that reach their limit, one process each (bench/expand_rate.py).
#
#   bench/calendar.sh            (from anywhere; builds in build/release)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python=/usr/bin/python3  # Debian's, where python3-recurring-ical-events lives

cmake --preset release >/dev/null
cmake --build --preset release --target calendar_bench treffpunkt rrule_corpus

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
feed="$work/series-1000.ics"

echo "== treffpunkt (calendar_bench, release)"
build/release/bench/calendar_bench "$feed" | tee "$work/bench.txt"
value() { sed -n "s/^$1=//p" "$2"; }

from="$(value window.from "$work/bench.txt")"
to="$(value window.to "$work/bench.txt")"
echo
echo "== recurring-ical-events $($python -c 'import importlib.metadata as m; print(m.version("recurring-ical-events"))') expanding the same feed over [$from, $to)"
"$python" bench/recurring_ical_events_baseline.py "$feed" "$from" "$to" | tee "$work/baseline.txt"

ours="$(value expand.occurrences "$work/bench.txt")"
theirs="$(value baseline.occurrences "$work/baseline.txt")"
our_rate="$(value expand.per_second "$work/bench.txt")"
their_rate="$(value baseline.per_second "$work/baseline.txt")"
render_us="$(value render.us "$work/bench.txt")"

echo
echo "== summary"
echo "occurrences:  treffpunkt $ours, recurring-ical-events $theirs"
if [[ "$ours" != "$theirs" ]]; then
  echo "FAIL: the occurrence counts differ. Which occurrences:" >&2
  "$python" tests/oracle/check_python.py "$work" >&2 || true
  exit 1
fi
echo "expansion:    treffpunkt $our_rate occurrences/s, recurring-ical-events $their_rate occurrences/s"
awk -v a="$our_rate" -v b="$their_rate" \
  'BEGIN { printf "treffpunkt / recurring-ical-events = %.1f x\n", a / b }'
echo "render:       one unit's feed (150 events) in $render_us us (aim: well under 1000 us)"

echo
echo "== treffpunkt expand --jsonl and dateutil $($python -c 'import dateutil; print(dateutil.__version__)') (bench/dateutil_baseline.py) over the rules of tests/rrule's corpus that reach their limit"
"$python" bench/expand_rate.py build/release/server/treffpunkt \
  build/release/tests/oracle/rrule-corpus.jsonl "$work" | tee "$work/expand.txt"
e() { value "expand.$1" "$work/expand.txt"; }
echo
echo "== summary, expand --jsonl"
echo "rules:        $(e rules), one process each ($(e left_out_crash_or_hang) left out on which treffpunkt crashes or hangs)"
echo "answers:      treffpunkt $(e ours_occurrences) occurrences ($(e ours_refused) rules refused, $(e ours_other_dates) with other dates: ctest -R Oracle.RruleDateutil says which), dateutil $(e dateutil_occurrences)"
echo "expansion:    treffpunkt $(e ours_rules_per_second) rules/s, $(e ours_per_second) occurrences/s; dateutil $(e dateutil_rules_per_second) rules/s, $(e dateutil_per_second) occurrences/s"
awk -v a="$(e ours_rules_per_second)" -v b="$(e dateutil_rules_per_second)" \
  -v c="$(e ours_per_second)" -v d="$(e dateutil_per_second)" \
  'BEGIN { printf "treffpunkt / dateutil = %.2f x in rules/s, %.2f x in occurrences/s\n", a / b, c / d }'
