#!/usr/bin/env bash
# Writes against the disk's limit (issue 16): in one run, on the same disk,
#   1. the raw durable commit rate: one row per transaction, SQLite WAL, synchronous=FULL
#      (bench/commit_rate.py), the baseline;
#   2. RSVP PUTs per second through the JSON API from many members (MEMBERS, default 200, each
#      with their own token, round robin: bench/rsvp_many.lua) at 64 connections;
#   3. a feed's throughput while those RSVPs are written, against the same feed alone.
# Prints "RSVP PUTs / raw commits" and "feed with writes / feed alone", each the better of two
# alternating runs.
#
#   bench/writes.sh            (from anywhere, as root: installs wrk if missing)
#
# Environment: WRITES_BENCH_SECONDS (per run, default 10), MEMBERS (200), TREFFPUNKT_BIN=PATH
# measures that binary instead of building the release preset (e.g. an older commit's, for the
# figures before a change). Everything talks to 127.0.0.1 only; the data folder and the
# baseline's database are in one folder under build/ (the disk the project is on).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${WRITES_BENCH_SECONDS:-10}"
members="${MEMBERS:-200}"
unit=bildung

command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk ||
  { apt-get update && apt-get install -y --no-install-recommends wrk; }
command -v curl >/dev/null || { echo "bench/writes.sh needs curl" >&2; exit 1; }

if [[ -n "${TREFFPUNKT_BIN:-}" ]]; then
  treffpunkt="$TREFFPUNKT_BIN"
else
  cmake --preset release >/dev/null
  cmake --build --preset release --target treffpunkt
  treffpunkt="$root/build/release/server/treffpunkt"
fi

mkdir -p "$root/build"
work="$(mktemp -d "$root/build/bench-writes.XXXXXX")"
ours_pid=""
cleanup() {
  [[ -n "$ours_pid" ]] && kill "$ours_pid" 2>/dev/null && wait "$ours_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

parse_wrk() {
  awk '
    /^Requests\/sec:/ { rps = $2 }
    /^ +99%/ {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      p99 = unit == "us" ? v / 1000 : unit == "ms" ? v : unit == "s" ? v * 1000 : unit == "m" ? v * 60000 : -1
    }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    END { printf "%s %.2f %d\n", rps, p99, bad }' "$1"
}
best() { sort -k1,1 -g -r "$work/$1.runs" | head -n1; }

# ---- members and their tokens, before the server runs -------------------------------------------
echo "== $members members, each with an API token"
for i in $(seq "$members"); do
  "$treffpunkt" token create "mitglied$i@bench.invalid" --data "$work/data" >>"$work/tokens" 2>/dev/null
done

TREFFPUNKT_RSVP_LIMIT_PER_PERSON=0 TREFFPUNKT_RSVP_LIMIT_PER_ADDRESS=0 \
  "$treffpunkt" serve --demo --data "$work/data" --listen 127.0.0.1:0 --threads 2 \
  --no-access-log >"$work/ours.out" 2>"$work/ours.err" &
ours_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/ours.out" 2>/dev/null && break
  kill -0 "$ours_pid" 2>/dev/null || { cat "$work/ours.err" >&2; exit 1; }
  sleep 0.1
done
port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/ours.out")"
[[ -n "$port" ]] || { echo "treffpunkt did not start" >&2; exit 1; }
base="http://127.0.0.1:$port"

# An occurrence of the unit's series (no capacity: every yes is a place, no waitlist).
occurrence="$(curl -s "$base/api/v1/units/$unit/occurrences" | /usr/bin/python3 -c 'import json, sys
o = [x for x in json.load(sys.stdin)["occurrences"] if not x.get("capacity")]
print("%s %s" % (o[0]["event"], o[0]["key"]))')"
export TREFFPUNKT_TOKENS="$work/tokens"
export TREFFPUNKT_RSVP_PATH="/api/v1/events/${occurrence% *}/occurrences/${occurrence#* }/rsvp"
code="$(curl -s -o "$work/rsvp.json" -w '%{http_code}' -X PUT \
  -H "Authorization: Bearer $(head -n1 "$work/tokens")" -H 'Content-Type: application/json' \
  -d '{"answer":"yes"}' "$base$TREFFPUNKT_RSVP_PATH")"
[[ "$code" == 200 ]] || { echo "PUT $TREFFPUNKT_RSVP_PATH: $code $(cat "$work/rsvp.json")" >&2; exit 1; }

echo "== treffpunkt $(sed -n 's/^treffpunkt \([^ ]*\) .*/\1/p' "$work/ours.out") on $base," \
  "load before: $(uptime | sed 's/.*load average/load average/')"
for round in 1 2; do
  read -r raw raw_p99 < <(/usr/bin/python3 "$root/bench/commit_rate.py" "$work" "$seconds")
  printf '%-16s run %d: %8.0f commits/s   p99 %7.2f ms\n' raw.commits "$round" "$raw" "$raw_p99"
  echo "$raw $raw_p99" >>"$work/raw.runs"
  wrk -t2 -c64 -d"${seconds}s" --latency -s "$root/bench/rsvp_many.lua" "$base" \
    >"$work/rsvp.$round.txt"
  read -r rps p99 bad < <(parse_wrk "$work/rsvp.$round.txt")
  printf '%-16s run %d: %8.0f requests/s  p99 %7.2f ms  (%d not 2xx)\n' rsvp.put "$round" \
    "$rps" "$p99" "$bad"
  echo "$rps $p99 $bad" >>"$work/rsvp.runs"
done

other_feed="$base/units/frauen.ics"
echo
echo "== $other_feed (wrk -t1 -c32) alone, and while wrk -t1 -c64 PUTs RSVPs of many members"
for round in 1 2; do
  wrk -t1 -c32 -d"${seconds}s" --latency "$other_feed" >"$work/alone.$round.txt"
  read -r rps p99 _ < <(parse_wrk "$work/alone.$round.txt")
  printf '%-16s run %d: %8.0f requests/s  p99 %7.2f ms\n' feed.alone "$round" "$rps" "$p99"
  echo "$rps $p99" >>"$work/alone.runs"
  wrk -t1 -c64 -d"$((seconds + 2))s" --latency -s "$root/bench/rsvp_many.lua" "$base" \
    >"$work/writes.$round.txt" &
  writer=$!
  sleep 1
  wrk -t1 -c32 -d"${seconds}s" --latency "$other_feed" >"$work/mixed.$round.txt"
  wait "$writer"
  read -r rps p99 _ < <(parse_wrk "$work/mixed.$round.txt")
  read -r wrps wp99 wbad < <(parse_wrk "$work/writes.$round.txt")
  printf '%-16s run %d: %8.0f requests/s  p99 %7.2f ms, RSVPs %.0f/s (p99 %.2f ms, %d not 2xx)\n' \
    feed.writes "$round" "$rps" "$p99" "$wrps" "$wp99" "$wbad"
  echo "$rps $p99" >>"$work/mixed.runs"
done

read -r raw raw_p99 < <(best raw)
read -r rps p99 bad < <(best rsvp)
read -r alone _ < <(best alone)
read -r mixed _ < <(best mixed)
echo
awk -v r="$rps" -v p="$p99" -v c="$raw" -v cp="$raw_p99" -v m="$members" 'BEGIN {
  printf "RSVP PUTs:     %.0f/s from %d members at 64 connections (p99 %.2f ms) / raw commits %.0f/s (p99 %.2f ms) = %.2f\n", r, m, p, c, cp, r / c }'
awk -v a="$mixed" -v b="$alone" 'BEGIN {
  printf "feed + writes: %.0f/s while RSVPs are written / alone %.0f/s = %.2f\n", a, b, a / b }'
