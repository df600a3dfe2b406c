#!/usr/bin/env bash
# The demo's HTML report renders in headless Chromium: its script finishes, the console shows no error, and a
# screenshot is written (scripts/check_html.sh installs Debian's chromium when it is missing).
# Usage: html_in_chromium.sh ENTRA_AUDIT_BINARY CHECK_HTML_SCRIPT
set -euo pipefail
bin=$1 check=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" demo --out "$dir/demo" --users 500 >/dev/null
grep -q '<script>alert' "$dir/demo/report.html" && { echo "raw <script> from a display name in the report" >&2; exit 1; }
"$check" "$dir/demo/report.html" "$dir/report.png"
