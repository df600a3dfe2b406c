#!/usr/bin/env bash
# scripts/compare_reports.sh BASE_REV — shows that the current tree writes the same reports as BASE_REV (a git
# revision), for refactors that must not change behaviour. Exit 0 when identical, 1 with the diff on stdout, 2 on a
# usage or build error.
#
# BASE_REV is built in a temporary git worktree (removed at exit) and the current tree in $ENTRA_AUDIT_BUILD_DIR
# (default ./build, keeping its configuration); only the entra-audit binary, at most -j2, through ccache. The base
# is built unoptimised without debug information (CMAKE_BUILD_TYPE=None, the quickest build; the reports must not
# depend on it), its paths made relative (CCACHE_BASEDIR, CCACHE_NOHASHDIR) and its precompiled headers cacheable
# (CCACHE_SLOPPINESS), so that a second run for the same BASE_REV compiles little. ENTRA_AUDIT_COMPARE_BASE_BINARY,
# when set, is an entra-audit already built from BASE_REV (by CI, or in an up-to-date checkout of it): it is used
# instead, and nothing of BASE_REV is built.
# Each binary then runs, in a directory of its own, against the same built-in emulated tenant
# (ENTRA_AUDIT_COMPARE_SEED, default 7; ENTRA_AUDIT_COMPARE_USERS, default 2000):
#   entra-audit demo --out DIR --users N --seed S --idp-managed-skus ENTERPRISEPACK,SPE_E5,EMSPREMIUM
# (emulator, scan, audit, and every report: findings.csv, findings.json, report.html, summary.md, by-owner/*.csv),
# then `entra-audit report --db DIR/entra-audit.db --format csv|json|md`, and the database's schema
# (`sqlite3 DIR/entra-audit.db .schema`). Every one of those files and demo's stdout are compared byte for byte.
#
# Normalized in both before comparing, and nothing else:
#   - UTC timestamps written by the scan: `2026-12-07T02:11:34.146Z` (JSON started_at, finished_at) and
#     `2026-12-07 02:11 UTC` (HTML) become `<time>`;
#   - demo's stdout: the emulator's port (`127.0.0.1:46151` becomes `127.0.0.1:<port>`), the scan's duration
#     (`in 0.2 s` becomes `in <s> s`) and the output directory (becomes `<dir>`).
# Not compared: emulator-ca.pem (a certificate generated at each start) and entra-audit.db itself (binary, with
# the scan's times in it: its rows are what the reports show, and its schema is compared). The emulator's
# ground-truth.csv is compared too.
set -euo pipefail

if [[ $# -ne 1 || $1 == -* ]]; then
  echo "usage: scripts/compare_reports.sh BASE_REV   (e.g. main, HEAD~1)" >&2
  exit 2
fi
base_rev=$1
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENTRA_AUDIT_BUILD_DIR:-$root/build}
users=${ENTRA_AUDIT_COMPARE_USERS:-2000}
seed=${ENTRA_AUDIT_COMPARE_SEED:-7}
skus=ENTERPRISEPACK,SPE_E5,EMSPREMIUM
jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))

base_commit=$(git -C "$root" rev-parse --verify --quiet "$base_rev^{commit}") || {
  echo "compare_reports: '$base_rev' is not a git revision of $root" >&2
  exit 2
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/entra-audit-compare.XXXXXX")
cleanup() {
  git -C "$root" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true
  rm -rf "$tmp"
  git -C "$root" worktree prune >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The current tree's build directory is configured with no -D option: it keeps its configuration (a changed one
# would rebuild everything).
build_binary() {  # SOURCE BUILD_DIR LOG [CMAKE_OPTION...]
  local source=$1 dir=$2 log=$3
  shift 3
  if ! { cmake -S "$source" -B "$dir" -G Ninja "$@" && cmake --build "$dir" --target entra-audit -j "$jobs"; } \
    >"$log" 2>&1; then
    echo "compare_reports: building $source failed; the end of its log:" >&2
    tail -n 30 "$log" >&2
    exit 2
  fi
}

base_binary=${ENTRA_AUDIT_COMPARE_BASE_BINARY:-$tmp/build/app/entra-audit}
if [[ -n ${ENTRA_AUDIT_COMPARE_BASE_BINARY:-} ]]; then
  echo "compare_reports: $base_rev ($base_commit) is $base_binary (ENTRA_AUDIT_COMPARE_BASE_BINARY)" >&2
else
  echo "compare_reports: building $base_rev ($base_commit) in a temporary worktree" >&2
  git -C "$root" worktree add --detach "$tmp/src" "$base_commit" >/dev/null 2>&1
  (
    export CCACHE_BASEDIR="$tmp" CCACHE_NOHASHDIR=true
    export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
    build_binary "$tmp/src" "$tmp/build" "$tmp/base-build.log" -DCMAKE_BUILD_TYPE=None
  )
fi
echo "compare_reports: building the current tree in $build" >&2
build_binary "$root" "$build" "$tmp/current-build.log"

run_one() {  # BINARY NAME
  local bin=$1 out=$tmp/$2 dir=$tmp/$2/demo
  mkdir -p "$out"
  "$bin" demo --out "$dir" --users "$users" --seed "$seed" --idp-managed-skus "$skus" \
    >"$out/demo.stdout" 2>"$out/demo.stderr" || {
    echo "compare_reports: $2's demo failed:" >&2
    cat "$out/demo.stderr" >&2
    exit 2
  }
  for format in csv json md; do
    "$bin" report --db "$dir/entra-audit.db" --format "$format" --out "$out/report.$format" 2>>"$out/report.stderr" || {
      echo "compare_reports: $2's report --format $format failed:" >&2
      cat "$out/report.stderr" >&2
      exit 2
    }
  done
  sqlite3 "$dir/entra-audit.db" .schema >"$out/schema.sql"
  rm -f "$dir/emulator-ca.pem" "$dir/entra-audit.db" "$dir"/entra-audit.db-*
  sed -i -E -e "s#127\\.0\\.0\\.1:[0-9]+#127.0.0.1:<port>#g" -e 's/ in [0-9.]+ s / in <s> s /' -e "s#$dir#<dir>#g" \
    "$out/demo.stdout"
  find "$out" -type f ! -name '*.stderr' -print0 |
    xargs -0 sed -i -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/<time>/g' \
      -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC/<time>/g'
  rm -f "$out"/*.stderr
}

run_one "$base_binary" base
run_one "$build/app/entra-audit" current

if diff -r -u "$tmp/base" "$tmp/current" >"$tmp/diff.txt"; then
  files=$(find "$tmp/current" -type f | wc -l)
  echo "compare_reports: identical — $files files of $base_rev ($base_commit) and of the current tree" \
    "($users users, seed $seed)"
  exit 0
fi
sed -e "s#$tmp/##g" "$tmp/diff.txt"
echo "compare_reports: the current tree's output differs from $base_rev ($base_commit)" >&2
exit 1
