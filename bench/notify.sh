#!/usr/bin/env bash
# The notification benchmark and its baseline: builds notify_bench with the release preset,
# starts a fast aiosmtpd sink on 127.0.0.1 (bench/smtp_sink.py, a fresh one per run), and lets
# the real dispatcher deliver 10,000 reminders through libcurl SMTP:
#   minute:  due times spread over one minute starting a few seconds ahead, with 1 and with 2
#            dispatcher threads: messages per second, lateness p50/p99, duplicates;
#   backlog: all 10,000 due at once, with 1 and 2 threads: how fast the outbox drains.
# Baseline: Python's smtplib sends the same bytes (exported by the backlog run) over one
# connection to a fresh sink, back to back. Prints "treffpunkt / smtplib" for the backlog.
#
#   bench/notify.sh                        (about 2.5 minutes, plus the build)
#   NOTIFY_BENCH_SCALE=0.1 bench/notify.sh (1,000 messages over 6 s, for a quick try)
#   NOTIFY_BENCH_THREADS=1, NOTIFY_BENCH_LEAD=5 (s), NOTIFY_BENCH_IDLE_MS (serve's: 5000)
#   NOTIFY_BENCH_WHEN_DUE=1: reminders as treffpunkt queues them, keys composed when claimed
#   (notify_bench --when-due); the baseline sends the same reminders, composed beforehand
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python=/usr/bin/python3  # Debian's, where python3-aiosmtpd lives
scale="${NOTIFY_BENCH_SCALE:-1}"
count="$(awk -v s="$scale" 'BEGIN { printf "%d", 10000 * s }')"
spread="$(awk -v s="$scale" 'BEGIN { v = 60 * s; if (v < 5) v = 5; printf "%d", v }')"
lead="${NOTIFY_BENCH_LEAD:-5}"
threads_list="${NOTIFY_BENCH_THREADS:-1 2}"
idle=()  # NOTIFY_BENCH_IDLE_MS: the dispatcher's idle poll instead of serve's 5 s
[[ -n "${NOTIFY_BENCH_IDLE_MS:-}" ]] && idle=(--idle-ms "$NOTIFY_BENCH_IDLE_MS")
[[ "${NOTIFY_BENCH_WHEN_DUE:-}" == 1 ]] && idle+=(--when-due)

"$python" -c 'import aiosmtpd' 2>/dev/null || {
  echo "needs python3-aiosmtpd (apt-get install python3-aiosmtpd)" >&2
  exit 1
}
cmake --preset release >/dev/null
cmake --build --preset release --target notify_bench

# The store of each run: on disk, as serve's data folder; the enqueueing is staged on tmpfs.
work="$(mktemp -d "$root/build/release/notify-bench.XXXXXX")"
staging_root="$(mktemp -d /dev/shm/notify-bench.XXXXXX)"
sink_pid=""
stop_sink() {
  if [[ -n "$sink_pid" ]]; then
    kill -TERM "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
    sink_pid=""
  fi
}
trap 'stop_sink; rm -rf "$work" "$staging_root"' EXIT

# start_sink NAME: a fresh sink logging to $work/NAME.log; sets $port.
start_sink() {
  rm -f "$work/port"
  "$python" bench/smtp_sink.py --port-file "$work/port" --log "$work/$1.log" &
  sink_pid=$!
  for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.05; done
  port="$(cat "$work/port")"
}
value() { sed -n "s/^$1=//p" "$2" | tail -1; }

echo "== load before: $(uptime)"
echo "== $count reminders; minute: due over ${spread} s from ${lead} s ahead; threads: $threads_list"

# run NAME THREADS SPREAD LEAD [--export FILE]
run() {
  local name="$1" threads="$2" run_spread="$3" run_lead="$4"
  shift 4
  start_sink "$name"
  echo
  echo "-- $name: $threads dispatcher thread(s), spread ${run_spread} s, lead ${run_lead} s"
  build/release/bench/notify_bench --smtp "smtp://127.0.0.1:$port" --dir "$work/$name.data" \
    --staging "$staging_root/$name" --run "$name" --count "$count" --spread "$run_spread" \
    --lead "$run_lead" --threads "$threads" --due-file "$work/$name.due" "${idle[@]}" "$@" \
    | tee "$work/$name.txt" || true
  stop_sink
  "$python" bench/notify_report.py "$work/$name.log" --due "$work/$name.due" | tee -a "$work/$name.txt"
  echo "sink.connections=$(cat "$work/$name.log.connections")" | tee -a "$work/$name.txt"
}

for t in $threads_list; do run "minute$t" "$t" "$spread" "$lead"; done
for t in $threads_list; do
  if [[ "$t" == "${threads_list%% *}" ]]; then
    run "backlog$t" "$t" 0 0 --export "$work/messages.bin"
  else
    run "backlog$t" "$t" 0 0
  fi
done

echo
echo "-- baseline: Python $("$python" -c 'import platform; print(platform.python_version())') smtplib, one connection, the same $count messages (bytes of backlog${threads_list%% *})"
start_sink baseline
"$python" bench/smtplib_baseline.py "$port" "$work/messages.bin" | tee "$work/baseline.txt"
stop_sink
"$python" bench/notify_report.py "$work/baseline.log" | tee -a "$work/baseline.txt"

echo
echo "== load after: $(uptime)"
echo "== summary ($count messages)"
status=0
printf '%-10s %8s %10s %10s %10s %10s %8s %8s\n' run msgs/s p50_late_s p99_late_s \
  max_late_s received dupes sent
for name in $(for t in $threads_list; do echo "minute$t"; done; for t in $threads_list; do echo "backlog$t"; done); do
  f="$work/$name.txt"
  late=("$(value lateness_p50 "$f")" "$(value lateness_p99 "$f")" "$(value lateness_max "$f")")
  # A backlog was due before it was enqueued: its lateness says nothing.
  [[ "$name" == backlog* ]] && late=(- - -)
  printf '%-10s %8s %10s %10s %10s %10s %8s %8s\n' "$name" "$(value per_second "$f")" \
    "${late[@]}" "$(value received "$f")" "$(value duplicates "$f")" "$(value outbox.sent "$f")"
  if [[ "$(value duplicates "$f")" != 0 || "$(value received "$f")" != "$count" ||
        "$(value outbox.sent "$f")" != "$count" || "$(value missing "$f")" != 0 ]]; then
    echo "FAIL: $name: duplicates, missing messages, or the outbox's sent count differs" >&2
    status=1
  fi
done
base="$(value per_second "$work/baseline.txt")"
printf '%-10s %8s %43s %8s\n' smtplib "$base" "$(value received "$work/baseline.txt")" \
  "$(value duplicates "$work/baseline.txt")"
for t in $threads_list; do
  awk -v a="$(value per_second "$work/backlog$t.txt")" -v b="$base" -v t="$t" \
    'BEGIN { printf "treffpunkt (backlog, %d thread(s)) / smtplib = %.2f\n", t, a / b }'
done
for t in $threads_list; do
  echo "minute$t.per_second=$(value per_second "$work/minute$t.txt")"
  echo "minute$t.lateness_p50=$(value lateness_p50 "$work/minute$t.txt")"
  echo "minute$t.lateness_p99=$(value lateness_p99 "$work/minute$t.txt")"
  echo "minute$t.duplicates=$(value duplicates "$work/minute$t.txt")"
  echo "backlog$t.per_second=$(value per_second "$work/backlog$t.txt")"
done
echo "baseline.per_second=$base"
exit "$status"
