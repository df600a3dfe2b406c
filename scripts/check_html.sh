#!/usr/bin/env bash
# Renders an entra-audit HTML report in headless Chromium, fails when its script did not finish (the page sets
# data-ready="1" on <body> as its last step) or the console shows an error, and writes a screenshot.
#
#   scripts/check_html.sh REPORT.html [SCREENSHOT.png]     (default screenshot: REPORT.png beside the report)
#
# Installs Debian's chromium when missing (apt-get; sudo only when not root). The browser runs with a fresh
# profile and every background fetch turned off: the report must open offline.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2
  exit 2
fi
report=$(realpath -- "$1")
shot=${2:-${report%.html}.png}
[[ -f "$report" ]] || { echo "check_html: no such file: $1" >&2; exit 2; }
shot=$(realpath -m -- "$shot")

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "check_html: installing chromium (apt-get)" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >&2
  browser=$(command -v chromium)
fi

profile=$(mktemp -d)
logs=$(mktemp -d)
trap 'rm -rf "$profile" "$logs"' EXIT

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --disable-extensions --disable-default-apps
       --hide-scrollbars --user-data-dir="$profile" --enable-logging=stderr --v=0
       --virtual-time-budget=5000)

# 1. The DOM after scripts ran: the page marks itself ready as its last statement.
"$browser" "${flags[@]}" --dump-dom "file://$report" >"$logs/dom.html" 2>"$logs/dom.err" || true
# 2. The screenshot, at a desktop size.
"$browser" "${flags[@]}" --window-size=1400,1800 --screenshot="$shot" "file://$report" >/dev/null 2>"$logs/shot.err" || true

status=0
if ! grep -q 'data-ready="1"' "$logs/dom.html"; then
  echo "check_html: FAIL: the report's script did not finish (no data-ready=\"1\" on <body>)" >&2
  status=1
fi
# Console messages reach stderr as "CONSOLE(line)" lines; uncaught exceptions and CSP violations are errors.
if grep -hE 'Uncaught|CONSOLE.*(Error|error)|Refused to (load|execute|apply|connect)|Content Security Policy' \
     "$logs/dom.err" "$logs/shot.err" >"$logs/errors.txt"; then
  echo "check_html: FAIL: console errors:" >&2
  sed 's/^/  /' "$logs/errors.txt" >&2
  status=1
fi
if [[ ! -s "$shot" ]]; then
  echo "check_html: FAIL: no screenshot written to $shot" >&2
  sed 's/^/  /' "$logs/shot.err" | tail -20 >&2
  status=1
fi
if [[ $status -eq 0 ]]; then
  echo "check_html: OK: $report renders, its script finished without console errors; screenshot $shot"
fi
exit $status
