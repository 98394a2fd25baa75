#!/usr/bin/env bash
# What one request costs in user-space instructions (callgrind), for two builds side by side:
# steadier than requests per second on a shared machine, and blind to the kernel (which
# bench/server.sh sees). Each binary serves the demo data; wrk sends requests for a few seconds
# while callgrind counts; the script prints instructions per request for both and the ratio.
#
#   bench/request_cost.sh BASELINE_BIN [CANDIDATE_BIN] [PATH...]
#
# CANDIDATE_BIN defaults to the release preset's build (built if missing); PATH to the feed
# /units/bildung.ics. The PATH `OCCURRENCE` is the first occurrence page the unit page
# /units/bildung links (as in bench/server.sh). CONDITIONAL=1 sends each path's own ETag back
# in If-None-Match (the 304 path); USER_AGENT=... sends that User-Agent (wrk sends none; a feed
# fetch's cost includes reading the app's family from it). MEMBER=1 logs a member in first (by
# the emailed link, as bench/server.sh) and sends their session cookie, as a browser without a
# csrf cookie yet. Installs valgrind and wrk if missing (as root). 127.0.0.1 only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(($# >= 1)) || { sed -n '2,10p' "$0" >&2; exit 2; }
baseline="$1"
shift
candidate="$root/build/release/server/treffpunkt"
if (($# >= 1)) && [[ -f "$1" && -x "$1" ]]; then  # a binary, not a URL path
  candidate="$1"
  shift
fi
paths=("$@")
((${#paths[@]})) || paths=(/units/bildung.ics)

if ! command -v valgrind >/dev/null || ! command -v wrk >/dev/null; then
  apt-get install -y --no-install-recommends valgrind wrk ||
    { apt-get update && apt-get install -y --no-install-recommends valgrind wrk; }
fi
if [[ "$candidate" == "$root/build/release/server/treffpunkt" ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target treffpunkt >/dev/null
fi

work="$(mktemp -d)"
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Instructions per request of binary $1 for path $2 (wrk -t1 -c8, 5 s, counted from the first).
cost() {
  local bin="$1" path="$2" port data out requests total
  port="$(free_port)"
  data="$work/data-$RANDOM"
  out="$work/callgrind.out"
  rm -f "$out"*
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
    "$bin" serve --demo --data "$data" --listen "127.0.0.1:$port" --threads 2 \
    --no-access-log >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 200); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/units/bildung" && break
    sleep 0.25
  done
  local header=()
  if [[ "${MEMBER:-0}" == 1 ]]; then
    local session
    session="$(cd "$root" && /usr/bin/python3 - "$port" "$data" <<'PY'
import sys
sys.path.insert(0, "tests/server")
from mail_login import login
class S: pass
s = S(); s.port = int(sys.argv[1]); s.data = sys.argv[2]
print(login(s, "bench.member@example.org"))
PY
)"
    header=(-H "Cookie: session=$session")
  fi
  if [[ "$path" == OCCURRENCE ]]; then
    path="$(curl -s "http://127.0.0.1:$port/units/bildung" |
      grep -o 'href="/events/[0-9]*/[0-9]\{8\}T[0-9]\{6\}Z"' | head -n1 | sed 's/href="//; s/"$//')"
    [[ -n "$path" ]] || { echo "the unit page links no occurrence" >&2; exit 1; }
  fi
  if [[ "${CONDITIONAL:-0}" == 1 ]]; then
    header+=(-H "If-None-Match: $(curl -fsI "${header[@]}" "http://127.0.0.1:$port$path" |
      awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')")
  fi
  [[ -z "${USER_AGENT:-}" ]] || header+=(-H "User-Agent: $USER_AGENT")
  for _ in 1 2 3; do curl -s -o /dev/null "${header[@]}" "http://127.0.0.1:$port$path"; done  # warm
  [[ "${CONDITIONAL:-0}" != 1 ]] ||
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "${header[@]}" "http://127.0.0.1:$port$path")" == 304 ]] ||
    { echo "no 304 for $path from $bin" >&2; exit 1; }
  callgrind_control -i on "$server" >/dev/null 2>&1
  requests="$(wrk -t1 -c8 -d5s "${header[@]}" "http://127.0.0.1:$port$path" |
    awk '/requests in/ {print $1}')"
  callgrind_control -i off "$server" >/dev/null 2>&1
  kill -INT "$server"
  wait "$server" 2>/dev/null || true
  server=""
  total="$(callgrind_annotate "$out"* 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')"
  echo $((total / requests))
}

printf '%-28s %16s %16s %8s\n' path "baseline instr" "candidate instr" ratio
for path in "${paths[@]}"; do
  before="$(cost "$baseline" "$path")"
  after="$(cost "$candidate" "$path")"
  printf '%-28s %16s %16s %8s\n' "$path" "$before" "$after" \
    "$(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.2f", a / b}')"
done
echo "ratio: candidate / baseline instructions per request (user space, all threads)"
