#!/usr/bin/env bash
# Fails when the documentation cited from the sources cannot be followed by someone who cloned the repository:
# - a file names one of the project's old out-of-tree notes (the design and Graph notes that docs/design.md and
#   docs/graph.md replace); docs/benchmarks.md and docs/performance-notes.md are exempt, their history may quote them;
# - a citation `docs/NAME.md §N` (N may be dotted, e.g. §1.2; `§3, §4` and `§7–§8` name several) names a file that
#   does not exist, or a section with no heading numbered N in that file (`## 3. Title` or `### 3.1 Title`).
# Prints one line per problem, `file:line: what`, and exits 1 if there is any.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

# The files to check: tracked and new ones (not ignored), or every file outside build trees without git.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard | sort -u)
else
  mapfile -t files < <(find . -type f -not -path './.git/*' -not -path './build*' | sed 's|^\./||' | sort)
fi
existing=()
for f in "${files[@]}"; do [[ -f $f ]] && existing+=("$f"); done

status=0
problem() {  # problem FILE:LINE TEXT
  echo "$1: $2"
  status=1
}

# 1. No mention of the old notes.
while IFS= read -r hit; do
  [[ -z $hit ]] && continue
  file=${hit%%:*}
  [[ $file == docs/benchmarks.md || $file == docs/performance-notes.md ]] && continue
  rest=${hit#*:}
  problem "$file:${rest%%:*}" "names $(grep -oE '(DESIGN|GRAPH)\.md' <<<"${rest#*:}" | head -1), which is not in the repository: cite docs/design.md or docs/graph.md"
done < <(grep -nIE '(^|[^A-Za-z0-9_])(DESIGN|GRAPH)\.md' -- "${existing[@]}" 2>/dev/null)

# 2. Every cited section exists.
declare -A headings  # "docs/NAME.md" → " 1 1.1 2 … " (the section numbers of its headings)
numbers_of() {
  grep -E '^#{1,6} +[0-9]' -- "$1" | awk '{ n = $2; sub(/\.$/, "", n); printf " %s", n } END { print " " }'
}
section='§[0-9]+(\.[0-9]+)*'
while IFS= read -r hit; do
  [[ -z $hit ]] && continue
  file=${hit%%:*}
  rest=${hit#*:}
  line=${rest%%:*}
  citation=${rest#*:}
  doc=${citation%% *}
  if [[ ! -f $doc ]]; then
    problem "$file:$line" "cites $doc, which does not exist"
    continue
  fi
  [[ -v "headings[$doc]" ]] || headings[$doc]=$(numbers_of "$doc")
  while IFS= read -r number; do
    number=${number#§}
    [[ ${headings[$doc]} == *" $number "* ]] || problem "$file:$line" "cites $doc §$number, which has no heading numbered $number"
  done < <(grep -oE "$section" <<<"$citation")
done < <(grep -noIE "docs/[A-Za-z0-9_-]+\.md $section((, ?| ?– ?| ?- ?| and | or )$section)*" -- "${existing[@]}" 2>/dev/null)

[[ $status -eq 0 ]] && echo "check_docs: every cited section exists"
exit $status
