#!/usr/bin/env bash
# Installs what entra-audit needs to build and test on Debian 12. Idempotent; fast when all is installed.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-url1.81-dev   # Asio, Beast, URL, system::result (Debian's default Boost is 1.74)
  libssl-dev openssl                      # TLS, JWT signing; the openssl CLI makes test certificates
  rapidjson-dev                           # JSON parsing and writing
  libsqlite3-dev sqlite3                  # the snapshot database (the CLI is for people and tests)
  libfmt-dev libcli11-dev doctest-dev     # formatting, command line, tests
  clang-14 libclang-rt-14-dev             # libFuzzer targets and sanitizers
  clang-format-14                         # the layout check (scripts/check_format.sh)
  procps time                             # ps and /usr/bin/time for tests and benchmarks
  dpkg-dev file                           # scripts/package.sh: CPack's dpkg-shlibdeps computes the .deb's Depends
)
[[ "${ENTRA_AUDIT_SETUP_EXTRA:-}" != "" ]] && read -r -a extra <<<"$ENTRA_AUDIT_SETUP_EXTRA" && packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
