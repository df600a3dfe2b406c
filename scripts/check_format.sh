#!/usr/bin/env bash
# scripts/check_format.sh — fails when a C++ file of the repository (tracked, or new and not ignored) differs from
# what its .clang-format makes of it, naming each such file and the command that fixes it. clang-format 14 (Debian
# 12's) is the reference: other versions lay out some constructs differently. `scripts/check_format.sh --fix`
# formats the files in place.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tool=${CLANG_FORMAT:-clang-format-14}
command -v "$tool" >/dev/null || { echo "check_format: $tool not found: run scripts/setup.sh (apt-get install clang-format-14)" >&2; exit 2; }
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' 2>/dev/null || find . -name '*.[ch]pp' -not -path './build*')
if [[ ${1:-} == --fix ]]; then
  "$tool" -i "${files[@]}"
  exit 0
fi
# One run over every file: each line it prints names a file, line and column that would change.
mapfile -t bad < <("$tool" --dry-run "${files[@]}" 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: code should be clang-formatted.*/\1/p' | sort -u)
if [[ ${#bad[@]} -gt 0 ]]; then
  printf '%s  <- not formatted as .clang-format says\n' "${bad[@]}"
  echo "check_format: ${#bad[@]} file(s) unformatted: run scripts/check_format.sh --fix" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted as .clang-format says"
