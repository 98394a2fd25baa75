#!/usr/bin/env bash
# The fuzz harnesses of tests/fuzz for longer than the test run does: 10 minutes each by default
# (FUZZ_SECONDS), one after the other, each from its committed seed corpus. Prints per harness
# the executions, executions per second and libFuzzer's coverage (cov: edges, ft: features);
# fails, with the reproducer's path, on any finding. FUZZ_KEEP=DIR keeps the grown corpora.
#
#   bench/fuzz.sh [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS=${FUZZ_SECONDS:-600}
exec scripts/fuzz "$@"
