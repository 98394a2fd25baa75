#!/usr/bin/env bash
# The store benchmark and its baseline: builds store_bench with the release preset, runs it on
# a database of 50 units, 5,000 series, 20,000 people and 500,000 RSVPs (built once in DIR and
# reused), then lets the sqlite3 shell insert the same kind of RSVPs into a copy of that
# database, one transaction per row (WAL, synchronous=FULL, foreign keys on, as the store
# opens it), and compares.
#
#   bench/store.sh [DIR]     (from anywhere; DIR defaults to build/release/store-bench-data)
#
# Environment (passed on to store_bench): STORE_BENCH_SCALE=0.1 for a quick try at a tenth of
# the size (give it its own DIR), STORE_BENCH_SECONDS (per write run, default 15),
# STORE_BENCH_BASELINE_WRITES (default 3000), STORE_BENCH_STAGING (see store_bench.cpp).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v sqlite3 >/dev/null; then
  echo "bench/store.sh needs the sqlite3 shell for its baseline: apt-get install sqlite3" >&2
  exit 1
fi

scale="${STORE_BENCH_SCALE:-1}"
default_dir="build/release/store-bench-data"
[[ "$scale" == 1 ]] || default_dir="build/release/store-bench-data-$scale"
dir="$(realpath -m "${1:-$default_dir}")"

cmake --preset release >/dev/null
cmake --build --preset release --target store_bench

work="$(mktemp -d)"
trap 'rm -rf "$work" "$dir/baseline"' EXIT
value() { sed -n "s/^$1=//p" "$2"; }

echo "== treffpunkt (store_bench, release) in $dir: the database"
build/release/bench/store_bench --build-only --baseline-writes "$work/writes.tsv" "$dir" |
  tee "$work/build.txt"
db_path="$(value db.path "$work/build.txt")"

# The baseline: the same kind of write (an upsert of one person's answer to one occurrence, as
# the store's set_rsvp ends with) against the same schema, indexes and 500,000 rows, one
# transaction per row, so that each insert waits for its own fsync as a store write does.
# The first lines warm the shell up as store_bench warms the store up (the WAL reaches its size
# and wraps), and `.shell date` marks the start and end of the measured ones.
warmup="$(value baseline.warmup "$work/build.txt")"
awk -F'\t' -v warmup="$warmup" '
  BEGIN { q = "\047"; print "PRAGMA foreign_keys = ON;"; print "PRAGMA synchronous = FULL;" }
  NR == warmup + 1 { print ".shell date +start=%s.%N" }
  {
    state = $4 == "yes" ? "going" : $4 == "no" ? "not_going" : "maybe"
    printf "BEGIN; INSERT INTO rsvps (event_id, occurrence_key, person_id, answer, state, created, updated) "
    printf "VALUES (%s, %s%s%s, %s, %s%s%s, %s%s%s, %s, %s) ", $1, q, $2, q, $3, q, $4, q, q, state, q, $5, $5
    printf "ON CONFLICT (event_id, occurrence_key, person_id) DO UPDATE SET answer = excluded.answer, "
    print "state = excluded.state, updated = excluded.updated; COMMIT;"
  }
  END { print ".shell date +end=%s.%N" }' "$work/writes.tsv" >"$work/writes.sql"
writes="$(($(wc -l <"$work/writes.tsv") - warmup))"

# One run of the sqlite3 shell on a fresh copy of DIR/base, in DIR (same disk as the store's).
# Prints "seconds new_rows".
baseline_run() {
  local db="$dir/baseline/treffpunkt.db"
  rm -rf "$dir/baseline"
  mkdir -p "$dir/baseline"
  cp "$db_path" "$db"
  [[ "$(sqlite3 "$db" 'PRAGMA journal_mode')" == wal ]] || {
    echo "FAIL: $db is not in WAL mode" >&2
    exit 1
  }
  local before after start end
  before="$(sqlite3 "$db" 'SELECT count(*) FROM rsvps')"
  sqlite3 -bail "$db" <"$work/writes.sql" >"$work/shell.txt"
  start="$(value start "$work/shell.txt")"
  end="$(value end "$work/shell.txt")"
  after="$(sqlite3 "$db" 'SELECT count(*) FROM rsvps')"
  rm -rf "$dir/baseline"
  awk -v s="$start" -v e="$end" -v b="$before" -v a="$after" 'BEGIN { printf "%.3f %d\n", e - s, a - b }'
}

# Every write of both sides waits for an fsync, whose time varies a lot on a shared disk: the
# baseline runs right before and right after the store's writes, and counts both runs.
sqlite_version="$(sqlite3 --version | cut -d' ' -f1)"
echo
echo "== sqlite3 $sqlite_version shell, before: $writes RSVP upserts, one transaction per row, after $warmup to warm up"
baseline_run >"$work/before.txt"
read -r before_s before_new <"$work/before.txt"
echo "$writes upserts in $before_s s ($before_new new rows with the warm-up)"

echo
echo "== treffpunkt (store_bench, release): listing and RSVP writes"
build/release/bench/store_bench "$dir" | tee "$work/bench.txt"

echo
echo "== sqlite3 $sqlite_version shell, after: the same $writes upserts on a fresh copy"
baseline_run >"$work/after.txt"
read -r after_s after_new <"$work/after.txt"
echo "$writes upserts in $after_s s ($after_new new rows with the warm-up)"
awk -v n="$writes" -v a="$before_s" -v b="$after_s" 'BEGIN {
  printf "baseline.writes=%d\nbaseline.seconds=%.3f\n", 2 * n, a + b
  printf "baseline.writes_per_second.before=%.0f\nbaseline.writes_per_second.after=%.0f\n", n / a, n / b
  printf "baseline.writes_per_second=%.0f\n", 2 * n / (a + b)
}' | tee "$work/baseline.txt"

t1="$(value rsvp.writes_per_second.threads1 "$work/bench.txt")"
t8="$(value rsvp.writes_per_second.threads8 "$work/bench.txt")"
shell="$(value baseline.writes_per_second "$work/baseline.txt")"
echo
echo "== summary"
b="$work/build.txt"
echo "database:        $(value db.units "$b") units, $(value db.series "$b") series, $(value db.people "$b") people, $(value db.rsvps "$b") RSVPs ($(value db.bytes "$b") bytes)"
echo "set_rsvp:        1 thread $t1/s (p50 $(value rsvp.latency_ms.p50.threads1 "$work/bench.txt") ms, p99 $(value rsvp.latency_ms.p99.threads1 "$work/bench.txt") ms)"
echo "                 8 threads $t8/s (p50 $(value rsvp.latency_ms.p50.threads8 "$work/bench.txt") ms, p99 $(value rsvp.latency_ms.p99.threads8 "$work/bench.txt") ms)"
echo "sqlite3 shell:   $shell inserts/s, one transaction per row (before $(value baseline.writes_per_second.before "$work/baseline.txt")/s, after $(value baseline.writes_per_second.after "$work/baseline.txt")/s)"
awk -v a="$t1" -v b="$shell" -v c="$t8" 'BEGIN {
  printf "store 1 thread / sqlite3 shell = %.2f\n", a / b
  printf "store 8 threads / store 1 thread = %.2f (writes are serialised on one connection)\n", c / a
}'
echo "list one unit's next 90 days: median $(value list.us.median "$work/bench.txt") us ($(value list.events "$work/bench.txt") events, $(value list.occurrences "$work/bench.txt") occurrences; events_of_unit alone $(value list.events_of_unit_us.median "$work/bench.txt") us)"
