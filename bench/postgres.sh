#!/usr/bin/env bash
# PostgreSQL and several instances (issue 18) against SQLite, in one run on the same machine:
#   1. RSVP PUTs per second and p99 from many members (MEMBERS, default 200, each with their
#      own token, round robin: bench/rsvp_many.lua) at 64 connections (wrk -t2 -c64):
#        sqlite    one instance on SQLite in a data folder under build/ (the baseline),
#        pg.one    one instance on PostgreSQL,
#        pg.nginx  that one instance behind nginx (what the proxy costs on its own),
#        pg.two    two instances on the same database behind nginx (round robin);
#   2. one unit's feed, requests per second and p99 at 64 connections, from the same
#      pg.one, pg.nginx and pg.two, and nginx serving the same bytes as a static file (the
#      usual baseline, bench/server.sh).
# Each run twice, alternating; the better of the two counts. Prints "PG one / SQLite",
# "PG two / PG one" (both behind nginx, so that the proxy is on both sides), the proxy's own
# cost, and the feed ratios.
#
#   bench/postgres.sh          (from anywhere, as root: installs wrk and nginx-light if missing)
#
# PostgreSQL is a throwaway cluster of Debian's postgresql-15 (scripts/pg-cluster) in a folder
# under /tmp (as root the server runs as `postgres`, who must reach it), on a Unix socket, with
# fsync and synchronous_commit on; removed at the end. Each instance runs with --threads 2.
# Environment: POSTGRES_BENCH_SECONDS (per run, default 10), MEMBERS (200), TREFFPUNKT_BIN=PATH
# measures that binary instead of building the release preset. Everything talks to 127.0.0.1
# (and PostgreSQL's socket) only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${POSTGRES_BENCH_SECONDS:-10}"
members="${MEMBERS:-200}"
unit=bildung
feed_path="/units/$unit.ics"

# ---- tools ------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  packages=(wrk nginx-light)
  apt-get install -y --no-install-recommends "${packages[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${packages[@]}"; }
fi
command -v curl >/dev/null || { echo "bench/postgres.sh needs curl" >&2; exit 1; }
[[ -x /usr/lib/postgresql/15/bin/initdb ]] ||
  { echo "bench/postgres.sh needs postgresql-15 (scripts/bootstrap)" >&2; exit 1; }

if [[ -n "${TREFFPUNKT_BIN:-}" ]]; then
  treffpunkt="$TREFFPUNKT_BIN"
else
  cmake --preset release >/dev/null
  cmake --build --preset release --target treffpunkt
  treffpunkt="$root/build/release/server/treffpunkt"
fi

# ---- clean-up ---------------------------------------------------------------------------------
mkdir -p "$root/build"
work="$(mktemp -d "$root/build/bench-postgres.XXXXXX")"
cluster="$(mktemp -d /tmp/treffpunkt-bench-pg.XXXXXX)"
rmdir "$cluster"  # pg-cluster makes it, owned by whoever runs the server
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  "$root/scripts/pg-cluster" stop "$cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints "requests_per_second p99_ms non_2xx_3xx" of one wrk output.
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

# run_wrk NAME URL [wrk options...]: one run, its figures printed and kept in $work/NAME.runs.
declare -A runs
run_wrk() {
  local name="$1" url="$2"
  shift 2
  local n=$((${runs[$name]:-0} + 1))
  runs[$name]=$n
  wrk -t2 -c64 -d"${seconds}s" --latency "$@" "$url" >"$work/$name.$n.txt"
  read -r rps p99 bad < <(parse_wrk "$work/$name.$n.txt")
  printf '%-16s run %d: %8.0f requests/s  p99 %7.2f ms' "$name" "$n" "$rps" "$p99"
  [[ "$bad" == 0 ]] || printf '  (%d not 2xx/3xx)' "$bad"
  printf '\n'
  echo "$rps $p99 $bad" >>"$work/$name.runs"
}

# start_instance NAME [serve options...]: serve on a free port; sets port_NAME.
start_instance() {
  local name="$1"
  shift
  # The RSVP rate limits are off (0), so that the runs measure writes, not 429s.
  TREFFPUNKT_RSVP_LIMIT_PER_PERSON=0 TREFFPUNKT_RSVP_LIMIT_PER_ADDRESS=0 \
    "$treffpunkt" serve --listen 127.0.0.1:0 --threads 2 --no-access-log "$@" \
    >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  local pid=$!
  for _ in $(seq 300); do
    grep -q "listening on" "$work/$name.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.err" >&2; exit 1; }
    sleep 0.1
  done
  local port
  port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/$name.out")"
  [[ -n "$port" ]] || { echo "treffpunkt ($name) did not start" >&2; cat "$work/$name.err" >&2; exit 1; }
  printf -v "port_$name" '%s' "$port"
}

# tokens DATABASE_OPTIONS...: one API token per member, one a line, in $work/tokens.NAME.
tokens() {
  local file="$1"
  shift
  for i in $(seq "$members"); do
    "$treffpunkt" token create "mitglied$i@bench.invalid" "$@" >>"$file" 2>/dev/null
  done
  [[ "$(wc -l <"$file")" == "$members" ]] || { echo "token create failed" >&2; exit 1; }
}

# rsvp_path BASE_URL: the RSVP path of the unit's first occurrence without a capacity (every
# yes is a place, no waitlist), checked with one PUT.
rsvp_path() {
  local base="$1" token="$2" occurrence path code
  occurrence="$(curl -s "$base/api/v1/units/$unit/occurrences" | /usr/bin/python3 -c 'import json, sys
o = [x for x in json.load(sys.stdin)["occurrences"] if not x.get("capacity")]
print("%s %s" % (o[0]["event"], o[0]["key"]))')"
  path="/api/v1/events/${occurrence% *}/occurrences/${occurrence#* }/rsvp"
  code="$(curl -s -o "$work/rsvp.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"answer":"yes"}' "$base$path")"
  [[ "$code" == 200 ]] || { echo "PUT $base$path: $code $(cat "$work/rsvp.json")" >&2; exit 1; }
  echo "$path"
}

# ---- SQLite -------------------------------------------------------------------------------------
echo "== $members members, each with an API token, on SQLite and on PostgreSQL"
tokens "$work/tokens.sqlite" --data "$work/sqlite"
start_instance sqlite --demo --data "$work/sqlite"

# ---- PostgreSQL: one cluster, one database, two instances -------------------------------------
database="$("$root/scripts/pg-cluster" start "$cluster")"
tokens "$work/tokens.pg" --database "$database"
start_instance one --demo --database "$database" --data "$work/one"
start_instance two --database "$database" --data "$work/two"

# ---- nginx: both instances as one upstream, one instance alone, and the static feed ----------
nginx_one="$(free_port)"
nginx_two="$(free_port)"
nginx_static="$(free_port)"
mkdir -p "$work/nginx/www/units" "$work/nginx/temp"
curl -sS -o "$work/nginx/www$feed_path" "http://127.0.0.1:$port_one$feed_path"
chmod -R a+rX "$work"  # the workers run as nobody
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/temp/body;
  proxy_temp_path $work/nginx/temp/proxy;
  fastcgi_temp_path $work/nginx/temp/fastcgi;
  uwsgi_temp_path $work/nginx/temp/uwsgi;
  scgi_temp_path $work/nginx/temp/scgi;
  default_type "text/calendar; charset=utf-8";
  sendfile on;
  tcp_nopush on;
  etag on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  # As docs/operations.md configures it: round robin, kept-alive connections to the instances.
  upstream one { server 127.0.0.1:$port_one; keepalive 64; }
  upstream two { server 127.0.0.1:$port_one; server 127.0.0.1:$port_two; keepalive 64; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$host;
  proxy_buffering on;
  server { listen 127.0.0.1:$nginx_one; location / { proxy_pass http://one; } }
  server { listen 127.0.0.1:$nginx_two; location / { proxy_pass http://two; } }
  server {
    listen 127.0.0.1:$nginx_static;
    root $work/nginx/www;
    add_header Cache-Control "public, max-age=300";  # the header treffpunkt sends too
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$nginx_static$feed_path" && break
  sleep 0.1
done
curl -sS -o "$work/static.ics" "http://127.0.0.1:$nginx_static$feed_path"
for port in "$nginx_one" "$nginx_two" "$nginx_two"; do  # twice: both upstreams answer
  curl -sS -o "$work/proxied.ics" "http://127.0.0.1:$port$feed_path"
  cmp -s "$work/static.ics" "$work/proxied.ics" ||
    { echo "FAIL: the instances behind nginx do not serve the same feed" >&2; exit 1; }
done

sqlite_rsvp="$(rsvp_path "http://127.0.0.1:$port_sqlite" "$(head -n1 "$work/tokens.sqlite")")"
pg_rsvp="$(rsvp_path "http://127.0.0.1:$port_one" "$(head -n1 "$work/tokens.pg")")"

echo "== treffpunkt $(sed -n 's/^treffpunkt \([^ ]*\) .*/\1/p' "$work/one.out"), 2 io threads each;" \
  "$(/usr/lib/postgresql/15/bin/postgres --version); $(nginx -v 2>&1 | sed 's/^nginx version: //')" \
  "(2 workers) in front"
echo "   load before: $(uptime | sed 's/.*load average/load average/')"
echo
echo "== RSVP PUT from $members members (bench/rsvp_many.lua), wrk -t2 -c64 -d${seconds}s"
for round in 1 2; do
  TREFFPUNKT_TOKENS="$work/tokens.sqlite" TREFFPUNKT_RSVP_PATH="$sqlite_rsvp" \
    run_wrk rsvp.sqlite "http://127.0.0.1:$port_sqlite" -s "$root/bench/rsvp_many.lua"
  for side in one:"$port_one" nginx:"$nginx_one" two:"$nginx_two"; do
    TREFFPUNKT_TOKENS="$work/tokens.pg" TREFFPUNKT_RSVP_PATH="$pg_rsvp" \
      run_wrk "rsvp.pg.${side%%:*}" "http://127.0.0.1:${side#*:}" -s "$root/bench/rsvp_many.lua"
  done
done
# Both instances wrote (nginx's round robin reached the second), as their /metrics count.
rsvps_of() {
  curl -s "http://127.0.0.1:$1/metrics" |
    awk -v want='route="/api/v1/events/{}/occurrences/{}/rsvp",status="200"' \
      'index($1, "treffpunkt_http_requests_total{") == 1 && index($1, want) { n += $2 }
       END { print n + 0 }'
}
echo "   RSVPs answered 200 in all: first PostgreSQL instance $(rsvps_of "$port_one"), second $(rsvps_of "$port_two")"

echo
echo "== feed $feed_path ($(wc -c <"$work/static.ics") bytes), wrk -t2 -c64 -d${seconds}s"
for round in 1 2; do
  run_wrk feed.pg.one "http://127.0.0.1:$port_one$feed_path"
  run_wrk feed.pg.nginx "http://127.0.0.1:$nginx_one$feed_path"
  run_wrk feed.pg.two "http://127.0.0.1:$nginx_two$feed_path"
  run_wrk feed.static "http://127.0.0.1:$nginx_static$feed_path"
done
load_after="$(uptime | sed 's/.*load average/load average/')"

# ---- summary ----------------------------------------------------------------------------------
echo
echo "== summary (better of two runs each; wrk, nginx, PostgreSQL, the instances and whatever"
echo "   else runs on the machine share its $(nproc) cores; load after the runs: $load_after)"
line() {  # LABEL NAME: "LABEL  N/s  p99 X ms"
  read -r rps p99 bad < <(best "$2")
  printf '%-34s %8.0f/s  p99 %7.2f ms' "$1" "$rps" "$p99"
  [[ "$bad" == 0 ]] || printf '  (%d not 2xx/3xx)' "$bad"
  printf '\n'
}
ratio() {  # LABEL NAME_A NAME_B: "LABEL = a / b"
  read -r a _ < <(best "$2")
  read -r b _ < <(best "$3")
  awk -v l="$1" -v a="$a" -v b="$b" 'BEGIN { printf "%-34s %.2f\n", l, a / b }'
}
line "RSVP PUT, SQLite:" rsvp.sqlite
line "RSVP PUT, PG one instance:" rsvp.pg.one
line "RSVP PUT, PG one behind nginx:" rsvp.pg.nginx
line "RSVP PUT, PG two behind nginx:" rsvp.pg.two
ratio "PG one / SQLite:" rsvp.pg.one rsvp.sqlite
ratio "PG two / PG one (both via nginx):" rsvp.pg.two rsvp.pg.nginx
ratio "PG one via nginx / direct:" rsvp.pg.nginx rsvp.pg.one
line "feed, PG one instance:" feed.pg.one
line "feed, PG one behind nginx:" feed.pg.nginx
line "feed, PG two behind nginx:" feed.pg.two
line "feed, nginx static file:" feed.static
ratio "feed PG two / PG one (via nginx):" feed.pg.two feed.pg.nginx
ratio "feed PG one / nginx static:" feed.pg.one feed.static
ratio "feed PG two via nginx / static:" feed.pg.two feed.static
