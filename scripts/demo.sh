#!/usr/bin/env bash
# Installs what is missing, builds, and runs `entra-audit demo` end to end on the built-in emulated tenant.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENTRA_AUDIT_BUILD_DIR:-$root/build}
ENTRA_AUDIT_BUILD_TARGET=entra-audit "$root/scripts/build.sh" >&2
exec "$build/app/entra-audit" demo "$@"
