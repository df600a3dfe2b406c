#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz and runs each for a bounded time.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 15; 4 targets, so about a minute in all)
# Exits non-zero when a target crashes; the crashing input is left in build-fuzz/crashes/<target>/ — copy it to
# tests/data/graph/fuzz-<target>-<n>.bin and add a parse test that reads it (tests/scanner/parse_fuzz_regressions_test.cpp).
set -euo pipefail

seconds="${1:-15}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
seeds="$root/tests/data/graph"
jobs="${FUZZ_BUILD_JOBS:-2}"

cc="${CC_FUZZ:-clang-14}"
cxx="${CXX_FUZZ:-clang++-14}"
command -v "$cxx" >/dev/null || { echo "fuzz.sh: $cxx not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DENTRA_AUDIT_FUZZ=ON -DENTRA_AUDIT_TESTS=ON >/dev/null
targets=(fuzz_graph_page fuzz_batch_response fuzz_token_response fuzz_idp_events)
cmake --build "$build" --target "${targets[@]}" -j "$jobs"

status=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  crashes="$build/crashes/$target"
  mkdir -p "$corpus" "$crashes"
  # The identity provider log readers start from the Okta samples, the others from Graph's payloads.
  target_seeds="$seeds"
  [[ $target == fuzz_idp_events ]] && target_seeds="$root/tests/data/okta"
  echo "fuzz.sh: $target for ${seconds}s"
  # The writable corpus comes first (new inputs go there); the checked-in fixtures are read-only seeds.
  if ! (cd "$crashes" && "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -max_len=65536 -print_final_stats=1 "$corpus" "$target_seeds" 2>"$build/$target.log"); then
    echo "fuzz.sh: $target CRASHED — input in $crashes, log in $build/$target.log" >&2
    tail -n 30 "$build/$target.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$build/$target.log" | tr '\n' ' '
    echo
  fi
done
exit $status
