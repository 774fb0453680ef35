#!/usr/bin/env bash
# Complaint benchmarks (docs/benchmarks.md, "Complaints"): bulk CSV intake with every automatic
# intake step, against psql \copy of the same file into a bare staging table; and the latency of
# `plaint complaint new` under 8 concurrent clients, against pgbench running the ledger issue's
# append reference (tests/bench/append_ref.sql) at 8 clients on the same cluster.
#
#   bash tests/bench/complaints.sh [--quick]
#
# Environment: PLAINT_BENCH_BUILD (default build/), PLAINT_BENCH_WORK (default
# /var/tmp/plaint-bench-complaints).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${PLAINT_BENCH_BUILD:-$ROOT/build}
WORK=${PLAINT_BENCH_WORK:-/var/tmp/plaint-bench-complaints}
PLAINT=$BUILD/plaint
PGBIN=/usr/lib/postgresql/15/bin
ROWS=50000
RUNS=3
NEW_PER_CLIENT=40
if [[ ${1:-} == --quick ]]; then
    ROWS=5000
    RUNS=1
    NEW_PER_CLIENT=10
elif [[ -n ${1:-} ]]; then
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    [[ $1 == -h || $1 == --help ]] && exit 0 || exit 2
fi
export PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_DB PLAINT_CONFIG PLAINT_TOKEN
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[[ -x $PLAINT ]] || { log "build first: cmake --preset default && cmake --build build"; exit 1; }
mkdir -p "$WORK"
chmod 711 "$WORK"
HOMES=()
cleanup() {
    local h
    for h in "${HOMES[@]}"; do
        PLAINT_HOME=$h "$PLAINT" db stop >/dev/null 2>&1 || true
        rm -rf "$h"
    done
}
trap cleanup EXIT
fresh() {
    local h
    h=$(mktemp -d "$WORK/home-XXXXXX")
    chmod 711 "$h"
    HOMES+=("$h")
    PLAINT_HOME=$h "$PLAINT" db start >/dev/null 2>&1
    PLAINT_HOME=$h "$PLAINT" db migrate >/dev/null 2>&1
    PLAINT_HOME=$h "$PLAINT" keys init >/dev/null 2>&1
    echo "$h"
}
psql_in() { local h=$1; shift; psql -X -q -t -A -h "$h/pg/run" -U plaint_admin -d plaint "$@"; }
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

CSV=$WORK/complaints-$ROWS.csv
[[ -s $CSV ]] || python3 "$ROOT/tests/bench/gen_complaints.py" --rows "$ROWS" --out "$CSV"
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"

# ---- 1. bulk intake
IMP=()
REF=()
for run in $(seq "$RUNS"); do
    h=$(fresh)
    psql_in "$h" -c "CREATE TABLE public.staging (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text, c10 text, c11 text, c12 text, c13 text, c14 text, c15 text, c16 text, c17 text, c18 text)"
    t0=$(now)
    psql_in "$h" -c "\\copy public.staging FROM '$CSV' WITH (FORMAT csv, HEADER true)"
    t1=$(now)
    PLAINT_HOME=$h "$PLAINT" import csv "$CSV" --mapping "$ROOT/reports/mappings/cfpb.xml" >/dev/null
    t2=$(now)
    n=$(psql_in "$h" -c "SELECT count(*) FROM plaint.complaint")
    ev=$(psql_in "$h" -c "SELECT count(*) FROM plaint.ledger_event WHERE case_id LIKE 'CMP-%'")
    [[ $n == "$ROWS" ]] || { log "imported $n of $ROWS"; exit 1; }
    IMP+=("$(echo "$ROWS / ($t2 - $t1)" | bc -l)")
    REF+=("$(echo "$ROWS / ($t1 - $t0)" | bc -l)")
    log "run $run: import $(printf %.0f "${IMP[-1]}") complaints/s ($ev events), \\copy $(printf %.0f "${REF[-1]}") rows/s"
    PLAINT_HOME=$h "$PLAINT" db stop >/dev/null 2>&1
done
imp=$(printf '%s\n' "${IMP[@]}" | median)
ref=$(printf '%s\n' "${REF[@]}" | median)
printf 'import: %.0f complaints/s (median of %d, %d rows, ~%d events each); \\copy of the same CSV %.0f rows/s; ratio %.3f; target >= 3000/s: %s\n' \
    "$imp" "$RUNS" "$ROWS" "$((ev / ROWS))" "$ref" "$(echo "$imp / $ref" | bc -l)" \
    "$(echo "$imp >= 3000" | bc -l | sed 's/1/met/; s/0/MISSED/')"

# ---- 2. complaint new latency, 8 clients, against pgbench (append reference) at 8 clients
h=$(fresh)
psql_in "$h" -c "CREATE SCHEMA bench; CREATE TABLE bench.ledger_event (LIKE plaint.ledger_event INCLUDING ALL); CREATE TABLE bench.ledger_case_head (LIKE plaint.ledger_case_head INCLUDING ALL); INSERT INTO bench.ledger_case_head SELECT 'B-' || lpad(g::text, 6, '0'), 0, sha256(g::text::bytea) FROM generate_series(0, 999) g"
LAT=$WORK/latency.txt
: >"$LAT"
t0=$(now)
for c in $(seq 8); do
    (
        for i in $(seq "$NEW_PER_CLIENT"); do
            s=$(date +%s%N)
            PLAINT_HOME=$h "$PLAINT" complaint new --channel web --category "Mortgage" --issue "bench $c/$i" >/dev/null
            e=$(date +%s%N)
            echo $(((e - s) / 1000)) >>"$LAT.$c"
        done
    ) &
done
wait
t1=$(now)
cat "$LAT".* >"$LAT"
rm -f "$LAT".*
total=$(wc -l <"$LAT")
p50=$(sort -n "$LAT" | awk -v n="$total" 'NR == int(n * 0.50 + 0.5) {print}')
p99=$(sort -n "$LAT" | awk -v n="$total" 'NR == int(n * 0.99 + 0.5) {print}')
cd "$WORK"
rm -f pgbench_log.*
PGHOST=$h/pg/run "$PGBIN/pgbench" -n -U plaint_admin -c 8 -j 2 -t 200 -M prepared -D ncases=1000 \
    -f "$ROOT/tests/bench/append_ref.sql" -l plaint >/dev/null 2>&1
cat pgbench_log.* | awk '{print $3}' | sort -n >"$WORK/ref.txt"
rm -f pgbench_log.*
rn=$(wc -l <"$WORK/ref.txt")
r99=$(awk -v n="$rn" 'NR == int(n * 0.99 + 0.5) {print}' "$WORK/ref.txt")
printf 'complaint new at 8 clients: %d calls in %.1f s, p50 %d us, p99 %d us (a whole CLI process: connect, authenticate, load the policies, ~11 events); pgbench append reference p99 %d us; ratio p99 %.1f\n' \
    "$total" "$(echo "$t1 - $t0" | bc -l)" "$p50" "$p99" "$r99" "$(echo "$p99 / $r99" | bc -l)"
