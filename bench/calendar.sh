#!/usr/bin/env bash
# The calendar benchmark and its baseline: builds calendar_bench with the release preset, runs
# it, lets recurring-ical-events (Debian's python3) expand the same 1,000 series over the same
# two years, and compares. Fails when the two occurrence counts differ.
#
#   bench/calendar.sh            (from anywhere; builds in build/release)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python=/usr/bin/python3  # Debian's, where python3-recurring-ical-events lives

cmake --preset release >/dev/null
cmake --build --preset release --target calendar_bench

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
