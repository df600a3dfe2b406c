#!/usr/bin/env bash
# Installs what is missing, builds, runs every test through CTest, then a short fuzzing run of the parsers of
# server input (ENTRA_AUDIT_FUZZ_SECONDS per target, default 15; 0 skips it), then `scripts/bench.sh --quick` as a
# smoke check that the benchmark harness works (its figures are printed, never asserted; ENTRA_AUDIT_BENCH=0
# skips it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENTRA_AUDIT_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
(cd "$build" && ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@")
seconds=${ENTRA_AUDIT_FUZZ_SECONDS:-15}
if [[ $seconds -gt 0 ]]; then
  "$root/scripts/fuzz.sh" "$seconds"
fi
if [[ ${ENTRA_AUDIT_BENCH:-1} != 0 ]]; then
  "$root/scripts/bench.sh" --quick
fi
