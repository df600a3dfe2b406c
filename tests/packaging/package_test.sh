#!/usr/bin/env bash
# The Debian package of scripts/package.sh, inspected without installing it: Depends names runtime libraries only
# (no -dev package), the files sit where GNUInstallDirs and systemd look, the units are not enabled, and the
# binary extracted from it runs `--version` and `demo`. Exit 77 (skipped) where dpkg's tools are missing.
# Usage: package_test.sh SOURCE_DIR WORK_DIR VERSION
set -euo pipefail
src=$1 work=$2 version=$3
for tool in dpkg-deb dpkg-shlibdeps file; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is missing (apt-get install dpkg-dev file): the package cannot be built or inspected here"
    exit 77
  fi
done
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The Release build directory scripts/bench.sh uses (same flags; the install prefix changes no object): CI builds
# the Release binary once for both.
deb=$(ENTRA_AUDIT_PACKAGE_BUILD_DIR="${ENTRA_AUDIT_BENCH_BUILD_DIR:-$src/build-release}" ENTRA_AUDIT_JOBS=2 \
  "$src/scripts/package.sh" "$tmp/out")
[[ -f $deb ]] || fail "package.sh printed '$deb', not a package"
echo "package: $(basename "$deb")"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
[[ $(dpkg-deb -f "$deb" Package) == entra-audit ]] || fail "Package is not entra-audit"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "Version is not $version"
# The package names alone, one a line: "libc6 (>= 2.34), libfmt9" -> libc6, libfmt9.
names=$(sed 's/ *([^)]*)//g; s/ *| */\n/g; s/, */\n/g' <<<"$depends")
if grep -E -- '-dev$' <<<"$names"; then fail "Depends names a -dev package"; fi
for lib in libc6 libstdc++6 libssl3 libsqlite3-0 libfmt9 libboost-url1.81.0 ca-certificates; do
  grep -qxF "$lib" <<<"$names" || fail "Depends lacks $lib: $depends"
done
[[ $(dpkg-deb -I "$deb" conffiles) == /etc/entra-audit/entra-audit.env ]] || fail "the env file is not a conffile"

listing=$(dpkg-deb -c "$deb")
for path in ./usr/bin/entra-audit ./usr/lib/systemd/system/entra-audit.service ./usr/lib/systemd/system/entra-audit.timer \
  ./etc/entra-audit/entra-audit.env ./usr/share/doc/entra-audit/README.md ./usr/share/doc/entra-audit/docs/design.md; do
  grep -q " $path\$" <<<"$listing" || fail "$path is not in the package"
done
grep -Eq '^-rw------- .* ./etc/entra-audit/entra-audit.env$' <<<"$listing" || fail "the env file is not mode 0600"
# Installed, never enabled: no unit is linked into a .wants directory, and no maintainer script enables one.
if grep -E '\.wants/|^l' <<<"$listing"; then fail "the package enables a unit (a .wants link)"; fi
for script in postinst preinst; do
  if dpkg-deb -I "$deb" "$script" 2>/dev/null | grep -q 'systemctl'; then fail "$script calls systemctl"; fi
done

dpkg-deb -x "$deb" "$tmp/root"
bin=$tmp/root/usr/bin/entra-audit
out=$("$bin" --version)
[[ $out == *"$version"* ]] || fail "--version printed '$out'"
"$bin" demo --out "$tmp/demo" --users 200 >"$tmp/demo.log" || fail "demo failed: $(cat "$tmp/demo.log")"
[[ -s $tmp/demo/report.html ]] || fail "demo wrote no report.html"
grep -q '^scanned 200 users' "$tmp/demo.log" || fail "demo did not scan 200 users: $(head -3 "$tmp/demo.log")"

unit=$tmp/root/usr/lib/systemd/system/entra-audit.service
grep -q '^ExecStart=/usr/bin/entra-audit scan ' "$unit" || fail "ExecStart does not run /usr/bin/entra-audit scan"
grep -q '^EnvironmentFile=/etc/entra-audit/entra-audit.env$' "$unit" || fail "EnvironmentFile is not the packaged one"
grep -q '^Persistent=true$' "$tmp/root/usr/lib/systemd/system/entra-audit.timer" || fail "the timer is not Persistent"
if grep -Ev '^\s*(#|$)' "$tmp/root/etc/entra-audit/entra-audit.env"; then fail "the env template sets a variable"; fi

if command -v systemd-analyze >/dev/null && [[ -d /usr/lib/systemd/system ]]; then
  # Verified inside the extracted tree (its ExecStart binary exists there); the units they depend on
  # (sysinit.target, timers.target, …) are the host's, copied beside them.
  cp -an /usr/lib/systemd/system/. "$tmp/root/usr/lib/systemd/system/"
  verify=$(systemd-analyze verify --root="$tmp/root" /usr/lib/systemd/system/entra-audit.service \
    /usr/lib/systemd/system/entra-audit.timer 2>&1) || fail "systemd-analyze verify: $verify"
  [[ -z $verify ]] || fail "systemd-analyze verify warned: $verify"
  echo "systemd-analyze verify: no warning"
else
  echo "systemd-analyze (or /usr/lib/systemd/system) is missing: the units were not verified"
fi
echo "package test: ok"
