#!/usr/bin/env bash
# Builds a Release entra-audit for the prefix /usr and writes its Debian package into OUT_DIR (default ./dist):
# cpack -G DEB, with Depends computed by dpkg-shlibdeps from the libraries the binary links (packaging/CMakeLists.txt).
# Usage: scripts/package.sh [OUT_DIR]. ENTRA_AUDIT_PACKAGE_BUILD_DIR: the build directory (default
# build-package/, kept for the next run); ENTRA_AUDIT_JOBS: parallel compile jobs (default: the number of cores).
# Prints the package's path on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/dist}
build=${ENTRA_AUDIT_PACKAGE_BUILD_DIR:-$root/build-package}
for tool in dpkg-deb dpkg-shlibdeps file cpack; do
  if ! command -v "$tool" >/dev/null; then
    echo "package.sh: $tool is missing — run scripts/setup.sh (it installs dpkg-dev and file)" >&2
    exit 2
  fi
done
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DENTRA_AUDIT_TESTS=OFF >/dev/null
cmake --build "$build" -j "${ENTRA_AUDIT_JOBS:-$(nproc)}" --target entra-audit >&2
mkdir -p "$out"
out=$(cd "$out" && pwd)
# cpack stages under OUT_DIR/_CPack_Packages; only the .deb is kept.
(cd "$build" && cpack -G DEB -B "$out" >&2)
rm -rf "$out/_CPack_Packages"
ls "$out"/entra-audit_*.deb
