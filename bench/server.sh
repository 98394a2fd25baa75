#!/usr/bin/env bash
# The server benchmark and its baseline: builds treffpunkt with the release preset, serves the
# demo data, lets nginx serve the same bytes of one unit's feed as a static file, and runs wrk
# (64 connections, 2 threads, 10 s) against each in turn: the full feed, and a conditional GET
# answered 304. Prints both throughputs, the ratio "treffpunkt / nginx" and p99 latency, and
# treffpunkt's peak RSS. Then the unit page and an occurrence page (anonymous visitors, German),
# against nginx serving the same HTML as static files. Then RSVP PUTs per second through the
# JSON API, and a feed's throughput while RSVPs are written, against the same feed without.
#
#   bench/server.sh            (from anywhere, as root: installs wrk and nginx-light if missing)
#
# Environment: SERVER_BENCH_SECONDS (per wrk run, default 10), SERVER_BENCH_ACCESS_LOG=1 keeps
# treffpunkt's access log on (nginx runs with access_log off, so by default ours is off too),
# TREFFPUNKT_BIN=PATH measures that binary instead of building the release preset.
# Everything talks to 127.0.0.1 only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${SERVER_BENCH_SECONDS:-10}"
unit=bildung
feed_path="/units/$unit.ics"

# ---- tools ------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  packages=(wrk nginx-light)
  apt-get install -y --no-install-recommends "${packages[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${packages[@]}"; }
fi
command -v curl >/dev/null || { echo "bench/server.sh needs curl" >&2; exit 1; }

if [[ -n "${TREFFPUNKT_BIN:-}" ]]; then
  treffpunkt="$TREFFPUNKT_BIN"  # another build to compare, e.g. one of an older commit
else
  cmake --preset release >/dev/null
  cmake --build --preset release --target treffpunkt
  treffpunkt="$root/build/release/server/treffpunkt"
fi

# ---- clean-up ---------------------------------------------------------------------------------
work="$(mktemp -d)"
ours_pid=""
nginx_pid=""
cleanup() {
  for pid in "$ours_pid" "$nginx_pid"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
header() { sed -n "s/^$1: *//Ip" "$2" | tr -d '\r' | head -n1; }
status_of() { head -n1 "$1" | awk '{ print $2 }'; }

# ---- treffpunkt -------------------------------------------------------------------------------
log_flag=--no-access-log
[[ "${SERVER_BENCH_ACCESS_LOG:-0}" == 1 ]] && log_flag=--access-log
# A build from before the access log has no such option (and logs nothing).
"$treffpunkt" serve --help | grep -q -- --access-log || log_flag=--demo
# The RSVP rate limits are off (0), so that the RSVP PUT run below measures writes, not 429s;
# they touch nothing else. Environment variables: a build without them just ignores them.
TREFFPUNKT_RSVP_LIMIT_PER_PERSON=0 TREFFPUNKT_RSVP_LIMIT_PER_ADDRESS=0 \
  "$treffpunkt" serve --demo --data "$work/data" --listen 127.0.0.1:0 --threads 2 "$log_flag" \
  >"$work/ours.out" 2>"$work/ours.err" &
ours_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/ours.out" 2>/dev/null && break
  kill -0 "$ours_pid" 2>/dev/null || { cat "$work/ours.err" >&2; exit 1; }
  sleep 0.1
done
ours_port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/ours.out")"
[[ -n "$ours_port" ]] || { echo "treffpunkt did not start" >&2; cat "$work/ours.err" >&2; exit 1; }
ours_url="http://127.0.0.1:$ours_port$feed_path"

curl -sS -D "$work/ours.head" -o "$work/feed.ics" "$ours_url"
[[ "$(status_of "$work/ours.head")" == 200 ]] || { echo "GET $ours_url failed" >&2; exit 1; }
ours_etag="$(header ETag "$work/ours.head")"
echo "== treffpunkt $(sed -n 's/^treffpunkt \([^ ]*\) .*/\1/p' "$work/ours.out") (release," \
  "2 io threads, ${log_flag/--demo/no access log option}) on $ours_url"
echo "feed: $(wc -c <"$work/feed.ics") bytes, ETag $ours_etag"

# ---- nginx, serving the same bytes ------------------------------------------------------------
nginx_port="$(free_port)"
mkdir -p "$work/nginx/www/units" "$work/nginx/temp"
cp "$work/feed.ics" "$work/nginx/www$feed_path"
chmod -R a+rX "$work"  # the workers run as nobody
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/temp/body;
  proxy_temp_path $work/nginx/temp/proxy;
  fastcgi_temp_path $work/nginx/temp/fastcgi;
  uwsgi_temp_path $work/nginx/temp/uwsgi;
  scgi_temp_path $work/nginx/temp/scgi;
  types { text/html html; }
  default_type "text/calendar; charset=utf-8";
  sendfile on;
  tcp_nopush on;
  etag on;
  keepalive_timeout 65;
  keepalive_requests 1000000;  # as treffpunkt, which never closes a busy keep-alive connection
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx/www;
    add_header Cache-Control "public, max-age=300";  # the header treffpunkt sends too
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port$feed_path"
for _ in $(seq 50); do
  curl -s -o /dev/null "$nginx_url" && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/nginx/error.log" >&2; exit 1; }
  sleep 0.1
done
# The pages as anonymous visitors get them: the unit page and its first occurrence page.
unit_page="/units/$unit"
occurrence_page="$(curl -s "http://127.0.0.1:$ours_port$unit_page" |
  grep -o 'href="/events/[0-9]*/[0-9]\{8\}T[0-9]\{6\}Z"' | head -n1 | sed 's/href="//; s/"$//')"
[[ -n "$occurrence_page" ]] || { echo "FAIL: the unit page links no occurrence" >&2; exit 1; }
for page in unit:"$unit_page" occurrence:"$occurrence_page"; do
  curl -sS -o "$work/nginx/www/${page%%:*}.html" "http://127.0.0.1:$ours_port${page#*:}"
done
chmod -R a+rX "$work"
curl -sS -D "$work/nginx.head" -o "$work/nginx.ics" "$nginx_url"
if ! cmp -s "$work/feed.ics" "$work/nginx.ics"; then
  echo "FAIL: nginx does not serve the same bytes" >&2
  exit 1
fi
nginx_etag="$(header ETag "$work/nginx.head")"
echo "== $(nginx -v 2>&1 | sed 's/^nginx version: //') (2 workers, sendfile, access_log off) on $nginx_url"
echo "same bytes: yes; Content-Type $(header Content-Type "$work/nginx.head"), ETag $nginx_etag"

# Both answer 304 to their own ETag, or the 304 runs measure something else.
for side in ours nginx; do
  url_var="${side}_url" etag_var="${side}_etag"
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: ${!etag_var}" "${!url_var}")"
  [[ "$code" == 304 ]] || { echo "FAIL: $side answers $code to If-None-Match" >&2; exit 1; }
done

# ---- wrk --------------------------------------------------------------------------------------
# Prints "requests_per_second p99_ms non_2xx_3xx errors" of one wrk output.
parse_wrk() {
  awk '
    /^Requests\/sec:/ { rps = $2 }
    /^ +99%/ {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      p99 = unit == "us" ? v / 1000 : unit == "ms" ? v : unit == "s" ? v * 1000 : unit == "m" ? v * 60000 : -1
    }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { errors = $0; sub(/.*Socket errors: */, "", errors); gsub(/ /, "", errors) }
    END { printf "%s %.2f %d %s\n", rps, p99, bad, errors == "" ? "-" : errors }' "$1"
}

# run_wrk NAME URL [wrk options...]: one run, its figures on stdout and in $work/NAME.N.txt.
declare -A runs
run_wrk() {
  local name="$1" url="$2"
  shift 2
  local n=$((${runs[$name]:-0} + 1))
  runs[$name]=$n
  wrk -t2 -c64 -d"${seconds}s" --latency "$@" "$url" >"$work/$name.$n.txt"
  read -r rps p99 bad errors < <(parse_wrk "$work/$name.$n.txt")
  printf '%-14s run %d: %10.0f requests/s  p99 %7.2f ms' "$name" "$n" "$rps" "$p99"
  [[ "$bad" == 0 ]] || printf '  (%s non-2xx/3xx)' "$bad"
  [[ "$errors" == - ]] || printf '  (socket errors %s)' "$errors"
  printf '\n'
  echo "$rps $p99" >>"$work/$name.runs"
}

# The better of the runs: "requests_per_second p99_ms" of the run with most requests/s.
best() { sort -k1,1 -g -r "$work/$1.runs" | head -n1; }

vm() { awk -v k="$1:" '$1 == k { print $2 " " $3 }' "/proc/$ours_pid/status"; }
echo
echo "treffpunkt before the runs: VmRSS $(vm VmRSS)"
# Resets VmHWM to the current RSS (Linux >= 4.0), so that it shows the peak during the runs.
echo 5 >"/proc/$ours_pid/clear_refs" 2>/dev/null || echo "(could not reset VmHWM: peak since start)"

echo
echo "== wrk -t2 -c64 -d${seconds}s --latency, alternating, load before: $(uptime | sed 's/.*load average/load average/')"
for round in 1 2; do
  run_wrk ours.feed "$ours_url"
  run_wrk nginx.feed "$nginx_url"
done
for round in 1 2; do
  run_wrk ours.304 "$ours_url" -H "If-None-Match: $ours_etag"
  run_wrk nginx.304 "$nginx_url" -H "If-None-Match: $nginx_etag"
done
for round in 1 2; do
  run_wrk ours.unit "http://127.0.0.1:$ours_port$unit_page"
  run_wrk nginx.unit "http://127.0.0.1:$nginx_port/unit.html"
  run_wrk ours.occurrence "http://127.0.0.1:$ours_port$occurrence_page"
  run_wrk nginx.occurrence "http://127.0.0.1:$nginx_port/occurrence.html"
done
load_after="$(uptime | sed 's/.*load average/load average/')"
peak_rss="$(vm VmHWM)"

# ---- RSVP PUT ---------------------------------------------------------------------------------
echo
rsvp_line="RSVP PUT:      not measured"
api="http://127.0.0.1:$ours_port/api/v1"
occurrence="$(curl -s "$api/units/$unit/occurrences" |
  /usr/bin/python3 -c 'import json, sys
o = json.load(sys.stdin).get("occurrences", [])
print("%s %s" % (o[0]["event"], o[0]["key"]) if o else "")' 2>/dev/null || true)"
token="$("$treffpunkt" token create bench@example.org --data "$work/data" 2>/dev/null || true)"
rsvp_path="/api/v1/events/${occurrence% *}/occurrences/${occurrence#* }/rsvp"
rsvp_code=404
if [[ -n "$occurrence" && -n "$token" ]]; then
  rsvp_code="$(curl -s -o "$work/rsvp.json" -w '%{http_code}' -X PUT \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"answer":"yes"}' "http://127.0.0.1:$ours_port$rsvp_path")"
fi
if [[ "$rsvp_code" == 404 ]]; then
  echo "== RSVP PUT: TODO (the JSON API's RSVP route answers 404: not there yet)"
  rsvp_line="RSVP PUT:      TODO: no RSVP route yet (PUT $rsvp_path answered 404)"
elif [[ "$rsvp_code" != 200 ]]; then
  echo "== RSVP PUT: TODO (PUT $rsvp_path answered $rsvp_code: $(cat "$work/rsvp.json"))"
  rsvp_line="RSVP PUT:      TODO: PUT answered $rsvp_code"
else
  echo "== RSVP PUT $rsvp_path: one person (one Bearer token) changing yes/no/maybe, not many"
  echo "   people: a different person per request would need a token each (bench/rsvp_put.lua)"
  echo 5 >"/proc/$ours_pid/clear_refs" 2>/dev/null || true
  export TREFFPUNKT_TOKEN="$token" TREFFPUNKT_RSVP_PATH="$rsvp_path"
  run_wrk ours.rsvp "http://127.0.0.1:$ours_port" -s "$root/bench/rsvp_put.lua"
  read -r rps p99 bad _ < <(parse_wrk "$work/ours.rsvp.1.txt")
  total="$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$work/ours.rsvp.1.txt")"
  after="$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"answer":"no"}' "http://127.0.0.1:$ours_port$rsvp_path")"
  rsvp_rss="$(vm VmHWM)"
  written=$((total - bad))
  if ((bad * 2 > total)); then
    echo "   $bad of $total answers were not 2xx (a PUT right after the run: $after). The"
    echo "   server was started with TREFFPUNKT_RSVP_LIMIT_PER_PERSON/_ADDRESS=0; a build without"
    echo "   those options still limits RSVPs (30 per person, 300 per address a minute): 429s."
    rsvp_line="$(printf 'RSVP PUT:      TODO: %.0f answers/s, but %d of %d were not 2xx (%d written); p99 %.2f ms' \
      "$rps" "$bad" "$total" "$written" "$p99")"
  else
    rsvp_line="$(printf 'RSVP PUT:      %.0f requests/s (%d of %d not 2xx), p99 %.2f ms, peak RSS %s' \
      "$rps" "$bad" "$total" "$p99" "$rsvp_rss")"
  fi
fi

# ---- a feed while RSVPs are written ----------------------------------------------------------
# Each RSVP commits with an fsync; the io threads must go on serving feeds meanwhile (docs/architecture.md:
# nothing blocking on them). The feed of another unit than the RSVPs', so that its cache stays
# valid: what is measured is the waiting, not re-rendering. Baseline: the same wrk on the same
# feed without writes, alternating.
mixed_line="feed + writes: not measured (no RSVP route)"
if [[ "$rsvp_code" == 200 ]]; then
  other_feed="http://127.0.0.1:$ours_port/units/frauen.ics"
  echo
  echo "== $other_feed (wrk -t1 -c32) alone, and while wrk -t1 -c8 PUTs RSVPs to $unit"
  for n in 1 2; do
    wrk -t1 -c32 -d"${seconds}s" --latency "$other_feed" >"$work/alone.$n.txt"
    read -r rps p99 _ < <(parse_wrk "$work/alone.$n.txt")
    printf '%-14s run %d: %10.0f requests/s  p99 %7.2f ms\n' feed.alone "$n" "$rps" "$p99"
    echo "$rps $p99" >>"$work/feed.alone.runs"
    wrk -t1 -c8 -d"$((seconds + 2))s" --latency -s "$root/bench/rsvp_put.lua" \
      "http://127.0.0.1:$ours_port" >"$work/writes.$n.txt" &
    writer=$!
    sleep 1
    wrk -t1 -c32 -d"${seconds}s" --latency "$other_feed" >"$work/mixed.$n.txt"
    wait "$writer"
    read -r rps p99 _ < <(parse_wrk "$work/mixed.$n.txt")
    read -r wrps wp99 wbad _ < <(parse_wrk "$work/writes.$n.txt")
    printf '%-14s run %d: %10.0f requests/s  p99 %7.2f ms, RSVPs %.0f/s (p99 %.2f ms, %d not 2xx)\n' \
      feed.writes "$n" "$rps" "$p99" "$wrps" "$wp99" "$wbad"
    echo "$rps $p99 $wrps" >>"$work/feed.writes.runs"
  done
  read -r alone_rps alone_p99 < <(best feed.alone)
  read -r mixed_rps mixed_p99 mixed_writes < <(best feed.writes)
  mixed_line="$(awk -v a="$mixed_rps" -v b="$alone_rps" -v pa="$mixed_p99" -v pb="$alone_p99" \
    -v w="$mixed_writes" 'BEGIN {
      printf "feed + writes: %.0f/s while %.0f RSVPs/s are written, alone %.0f/s: with / without = %.2f;", a, w, b, a / b
      printf " p99 %.2f ms vs %.2f ms", pa, pb }')"
  echo "feed_with_writes.requests_per_second=$mixed_rps" >>"$work/values"
  echo "feed_without_writes.requests_per_second=$alone_rps" >>"$work/values"
fi

# ---- pages as a logged-in member ---------------------------------------------------------------
# A member's pages carry their follow button, answer and CSRF token: the unit page is cached per
# follow state, the occurrence page per answer state, /me per member, each with the token filled
# in per request. Against nginx serving the bytes one such request got, as above.
member_line="member pages:  not measured (no login)"
cookie="$(/usr/bin/python3 - "$ours_port" "$work/data" <<'PY' 2>/dev/null || true
import sys
sys.path.insert(0, "tests/server")  # the script runs from the root
from mail_login import login
class S: pass
s = S(); s.port = int(sys.argv[1]); s.data = sys.argv[2]
print(login(s, "bench.member@example.org"))
PY
)"
if [[ -n "$cookie" ]]; then
  echo
  echo "== pages as a logged-in member (session cookie), against nginx serving the same bytes"
  for page in member_unit:"$unit_page" member_occurrence:"$occurrence_page" member_me:/me; do
    curl -sS -H "Cookie: session=$cookie" -o "$work/nginx/www/${page%%:*}.html" \
      "http://127.0.0.1:$ours_port${page#*:}"
  done
  chmod -R a+rX "$work/nginx/www"
  for round in 1 2; do
    for page in member_unit:"$unit_page" member_occurrence:"$occurrence_page" member_me:/me; do
      run_wrk "ours.${page%%:*}" "http://127.0.0.1:$ours_port${page#*:}" \
        -H "Cookie: session=$cookie"
      run_wrk "nginx.${page%%:*}" "http://127.0.0.1:$nginx_port/${page%%:*}.html"
    done
  done
  member_line=""
fi

# ---- summary ----------------------------------------------------------------------------------
echo
echo "== summary (better of two runs each; wrk, both servers and the compilers of others share"
echo "   the 2 cores; load after the runs: $load_after)"
compare() {
  local label="$1" name="$2" target="$3"
  read -r ours_rps ours_p99 < <(best "ours.$name")
  read -r nginx_rps nginx_p99 < <(best "nginx.$name")
  awk -v l="$label" -v a="$ours_rps" -v b="$nginx_rps" -v pa="$ours_p99" -v pb="$nginx_p99" \
    -v t="$target" 'BEGIN {
      r = a / b
      printf "%-14s treffpunkt %8.0f/s  nginx %8.0f/s  treffpunkt / nginx = %.2f", l, a, b, r
      if (t == "-") printf " (no target)\n"
      else printf " (target >= %.2f: %s)\n", t, (r >= t ? "PASS" : "BELOW")
      printf "%-14s p99 treffpunkt %.2f ms, nginx %.2f ms\n", "", pa, pb
    }'
  echo "$name.treffpunkt.requests_per_second=$ours_rps" >>"$work/values"
  echo "$name.nginx.requests_per_second=$nginx_rps" >>"$work/values"
  echo "$name.treffpunkt.p99_ms=$ours_p99" >>"$work/values"
  echo "$name.nginx.p99_ms=$nginx_p99" >>"$work/values"
}
compare "feed (200):" feed 0.80
compare "304:" 304 1.00
# No target from an issue: the pages are cached per change, so they should come close to a file.
compare "unit page:" unit -
compare "occurrence:" occurrence -
echo "pages:         $unit_page and $occurrence_page ($(wc -c <"$work/nginx/www/unit.html") and" \
  "$(wc -c <"$work/nginx/www/occurrence.html") bytes), anonymous, German"
if [[ -z "$member_line" ]]; then
  compare "member unit:" member_unit -
  compare "member occ.:" member_occurrence -
  compare "member /me:" member_me -
else
  echo "$member_line"
fi
echo "peak RSS:      treffpunkt VmHWM $peak_rss during the feed and 304 runs"
echo "$rsvp_line"
echo "$mixed_line"
sed 's/^/  /' "$work/values"
