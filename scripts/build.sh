#!/usr/bin/env bash
# Configures and builds entra-audit into build/ (or $ENTRA_AUDIT_BUILD_DIR). Extra arguments go to cmake's
# configure step; ENTRA_AUDIT_BUILD_TARGET builds one target only (demo.sh: the binary, not the tests).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENTRA_AUDIT_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON
cmake -S "$root" -B "$build" -G Ninja -DENTRA_AUDIT_WERROR=$werror "$@" >/dev/null
cmake --build "$build" -j "$(nproc)" ${ENTRA_AUDIT_BUILD_TARGET:+--target "$ENTRA_AUDIT_BUILD_TARGET"}
