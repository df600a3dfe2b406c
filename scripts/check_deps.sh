#!/usr/bin/env bash
# Fails when a source file includes across a layer boundary docs/design.md §1.1 forbids:
# app → scanner, audit, reports, graphsim; scanner, audit, reports → storage; storage → nothing of ours (but base);
# graphsim shares no code with scanner, audit, reports or storage; <sqlite3.h> only in storage; Beast only in
# scanner and graphsim; a layer's detail/ headers only within the layer.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0
forbid() {  # forbid FOLDER PATTERN REASON
  local hits
  hits=$(grep -rnE --include='*.cpp' --include='*.hpp' "$2" "$1" 2>/dev/null)
  if [[ -n $hits ]]; then
    echo "check_deps: $3:" >&2
    echo "$hits" >&2
    status=1
  fi
}
ours='#include "(app|scanner|storage|audit|reports|graphsim)/'
forbid storage '#include "(app|scanner|audit|reports|graphsim|data)/' "storage depends on nothing of ours but base"
forbid graphsim '#include "(app|scanner|storage|audit|reports)/' "graphsim shares no code with the other layers"
forbid scanner '#include "(app|graphsim|audit|reports)/' "scanner may use only storage and base"
forbid audit '#include "(app|graphsim|scanner|reports)/' "audit may use only storage, data and base"
forbid reports '#include "(app|graphsim|scanner|audit)/' "reports may use only storage and base"
forbid base "$ours" "base is generic: it includes no layer"
for folder in app scanner audit reports graphsim base data; do
  forbid "$folder" '#include <sqlite3.h>' "only storage talks to SQLite"
done
for folder in app storage audit reports base data; do
  forbid "$folder" '#include <boost/beast' "only scanner and graphsim speak HTTP"
done
# A layer's detail/ folder is its own: only the layer and its tests include from it (CMakeLists.txt, entra_layer).
for layer in scanner storage audit reports graphsim; do
  for folder in app scanner storage audit reports graphsim base data; do
    [[ $folder == "$layer" ]] && continue
    forbid "$folder" "#include \"$layer/detail/" "$layer/detail/ is internal to $layer"
  done
done
[[ $status -eq 0 ]] && echo "check_deps: layers respected"
exit $status
