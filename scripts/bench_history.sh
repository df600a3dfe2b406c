#!/usr/bin/env bash
# Nightly history benchmark (docs/benchmarks.md "History"): N nights of an emulated tenant that churns between
# nights (`sim --churn`, POST /_sim/advance), each scanned into one long-lived database with --keep, and prints per
# night the scan's wall time and the database's size. With --baseline-bin (an entra-audit built from an earlier
# commit, e.g. one that stored every snapshot whole) the same nights go to a second database through it, and the
# last night's findings CSV of both is compared byte for byte. Figures are printed, never asserted.
#   scripts/bench_history.sh [--users 100000] [--nights 30] [--churn 0.005] [--keep 30] [--bin PATH]
#                            [--baseline-bin PATH]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
users=100000 nights=30 churn=0.005 keep=30 bin="" baseline=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --users) users=$2; shift 2 ;;
    --nights) nights=$2; shift 2 ;;
    --churn) churn=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --baseline-bin) baseline=$2; shift 2 ;;
    *) echo "usage: scripts/bench_history.sh [--users N] [--nights N] [--churn R] [--keep N] [--bin PATH] [--baseline-bin PATH]" >&2; exit 2 ;;
  esac
done
ENTRA_AUDIT_SETUP_EXTRA=curl "$root/scripts/setup.sh"
if [[ -z $bin ]]; then
  build=${ENTRA_AUDIT_BENCH_BUILD_DIR:-$root/build-release}
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DENTRA_AUDIT_TESTS=OFF >/dev/null
  cmake --build "$build" --target entra-audit -j "$(nproc)" >/dev/null
  bin=$build/app/entra-audit
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/entra-audit-history.XXXXXX")
sim_pid=""
cleanup() { [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin" sim --users "$users" --seed 1 --churn "$churn" --tls --cert-out "$work/ca.pem" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 600); do [[ $(wc -l <"$work/sim.out") -ge 2 ]] && break; sleep 0.1; done
url=$(sed -n 1p "$work/sim.out" | awk '{print $2}')
read -r tenant client secret < <(sed -n 2p "$work/sim.out" | sed 's/[a-z_]*=//g')
export AZURE_TENANT_ID=$tenant AZURE_CLIENT_ID=$client AZURE_CLIENT_SECRET=$secret

# size FILE: bytes of the database and its WAL (what the disk holds between nights).
size() { local s=0 f; for f in "$1" "$1-wal"; do [[ -f $f ]] && s=$((s + $(stat -c %s "$f"))); done; echo "$s"; }
mib() { awk -v b="$1" 'BEGIN{printf "%.1f", b/1048576}'; }
# scan BIN DB: one nightly scan; prints its wall seconds and peak RSS (MiB).
scan() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$1" scan --db "$2" --graph-endpoint "$url" --authority-host "$url" \
    --ca-file "$work/ca.pem" --progress never --quiet --keep "$keep" --idp-managed-skus ENTERPRISEPACK
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" -v k="$(tail -1 "$work/rss")" 'BEGIN{printf "%.2f | %.0f", b-a, k/1024}'
}

echo "| night | scan s | peak RSS MiB | database MiB |$([[ -n $baseline ]] && echo " baseline scan s | baseline peak RSS MiB | baseline database MiB |")"
echo "|---|---|---|---|$([[ -n $baseline ]] && echo "---|---|---|")"
for ((night = 1; night <= nights; night++)); do
  [[ $night -gt 1 ]] && curl -s --cacert "$work/ca.pem" -X POST "$url/_sim/advance" >/dev/null
  wall=$(scan "$bin" "$work/new.db")
  row="| $night | $wall | $(mib "$(size "$work/new.db")") |"
  if [[ -n $baseline ]]; then
    base_wall=$(scan "$baseline" "$work/base.db")
    row+=" $base_wall | $(mib "$(size "$work/base.db")") |"
  fi
  echo "$row"
done
"$bin" report --db "$work/new.db" --format csv --out "$work/new.csv"
echo "history: night $nights findings CSV: $(($(wc -l <"$work/new.csv") - 1)) findings" >&2
# columns CSV COLUMNS: the CSV's rows in the given columns only, as sqlite3 writes CSV (quoting the same way for both).
columns() { sqlite3 :memory: ".import --csv $1 t" ".mode csv" "SELECT $2 FROM t"; }
if [[ -n $baseline ]]; then
  "$baseline" report --db "$work/base.db" --format csv --out "$work/base.csv"
  # The baseline's columns (a later release only adds columns at the end, docs/design.md §4.1).
  cols=$(head -1 "$work/base.csv" | tr -d '\r' | sed 's/,/, /g')
  if [[ "$(columns "$work/new.csv" "$cols")" == "$(columns "$work/base.csv" "$cols")" ]] && \
    [[ $(wc -l <"$work/new.csv") == $(wc -l <"$work/base.csv") ]]; then
    echo "history: night $nights findings CSV identical between the two databases in the baseline's columns" >&2
  else
    echo "history: night $nights findings CSV DIFFERS between the two databases" >&2
    exit 1
  fi
fi
