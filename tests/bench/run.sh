#!/usr/bin/env bash
# Ledger benchmarks (docs/benchmarks.md): append throughput at 8 clients against a pgbench
# reference, bulk import against psql \copy, and plaint verify against COPY TO /dev/null with
# its peak memory. Each result is a ratio against a reference measured in the same run, on the
# same throwaway cluster, alternating A/B; medians of several runs.
#
#   bash tests/bench/run.sh [--quick] [--only append|import|verify]
#
# --quick: small sizes, one run each (a smoke run, < 2 min). --only: that benchmark alone, at
# the chosen sizes (--only import at full size: three 1M-event imports, about 2 min). Environment:
#   PLAINT_BENCH_BUILD    build directory (default: build/, configured and built here)
#   PLAINT_BENCH_WORK     generated event files and the driver binary (default
#                         /var/tmp/plaint-bench; generated files are reused while the
#                         generator is unchanged)
#   PLAINT_BENCH_RESULTS  results file, appended (default tests/bench/results.md)
set -euo pipefail

MODE=full
ONLY=all
usage() {
    echo "usage: bash tests/bench/run.sh [--quick] [--only append|import|verify]" >&2
    exit 2
}
while (($# > 0)); do
    case $1 in
    --quick) MODE=quick ;;
    --only)
        case ${2:-} in
        append | import | verify) ONLY=$2 ;;
        *) usage ;;
        esac
        shift
        ;;
    -h | --help)
        sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) usage ;;
    esac
    shift
done
want() { [[ $ONLY == all || $ONLY == "$1" ]]; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$ROOT/tests/bench
BUILD=${PLAINT_BENCH_BUILD:-$ROOT/build}
WORK=${PLAINT_BENCH_WORK:-/var/tmp/plaint-bench}
RESULTS=${PLAINT_BENCH_RESULTS:-$BENCH/results.md}
PGBIN=/usr/lib/postgresql/15/bin
PLAINT=$BUILD/plaint

if [[ $MODE == full ]]; then
    APPEND_SECONDS=8    # per measurement
    APPEND_ROUNDS=3     # rounds of all five variants
    IMPORT_EVENTS=1000000
    IMPORT_RUNS=3       # fresh cluster each
    VERIFY_STEP=500000  # ledger sizes: STEP, 2*STEP (same cases), 2*STEP + IMPORT_EVENTS
    VERIFY_RUNS=3
else
    APPEND_SECONDS=4
    APPEND_ROUNDS=1
    IMPORT_EVENTS=100000
    IMPORT_RUNS=1
    VERIFY_STEP=50000
    VERIFY_RUNS=1
fi
CLIENTS=8
CASES=1000

# Sealing would disturb the measurements; verify benchmarks seal explicitly.
export PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_DB PLAINT_CONFIG

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# ---------------------------------------------------------------- helpers

CLUSTERS=()
cleanup() {
    local h
    for h in "${CLUSTERS[@]}"; do
        if [[ -d $h ]]; then
            PLAINT_HOME=$h "$PLAINT" db stop >/dev/null 2>&1 || true
            rm -rf "$h"
        fi
    done
}
trap cleanup EXIT

# Starts a fresh cluster, migrated; sets PLAINT_HOME and SOCK.
cluster_new() {
    local h out
    h=$(mktemp -d /tmp/plaint-bench.XXXXXX)
    chmod 711 "$h"
    CLUSTERS+=("$h")
    export PLAINT_HOME=$h
    out=$("$PLAINT" db start) || die "plaint db start failed (see $h/pg/log)"
    SOCK=$(sed -n 's/.*socket directory \([^)]*\)).*/\1/p' <<<"$out")
    [[ -n $SOCK ]] || SOCK=$h/pg/run
    PSQLA=(psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -U plaint_admin -d plaint)
    "$PLAINT" db migrate >/dev/null
}

# pg_stat_statements (contrib) for per-statement diagnostics, if installed; restarts the cluster.
PGSS=0
if [[ -f /usr/share/postgresql/15/extension/pg_stat_statements.control ]]; then PGSS=1; fi
enable_pgss() {
    [[ $PGSS == 1 ]] || return 0
    psql_admin -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
    "$PLAINT" db stop >/dev/null
    "$PLAINT" db start >/dev/null
    psql_admin -c "CREATE EXTENSION pg_stat_statements"
}

cluster_drop() {
    "$PLAINT" db stop >/dev/null 2>&1 || true
    rm -rf "$PLAINT_HOME"
}

psql_admin() { "${PSQLA[@]}" "$@"; }

# timed NAME CMD...: runs CMD (stdout to $WORK/NAME.out), sets T_WALL (s), T_RSS (KiB),
# T_CPU (user+sys s of CMD and its children).
timed() {
    local name=$1
    shift
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/$name.time" "$@" >"$WORK/$name.out" ||
        die "$name failed: $* (output in $WORK/$name.out)"
    read -r T_WALL T_RSS T_USER T_SYS <"$WORK/$name.time"
    T_CPU=$(awk -v u="$T_USER" -v s="$T_SYS" 'BEGIN { printf "%.2f", u + s }')
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"$1\n\", $2 }"; }
verdict() { awk -v r="$1" -v t="$2" -v d="$3" 'BEGIN {
    if (d == "ge") print (r >= t ? "MET" : "MISSED"); else print (r <= t ? "MET" : "MISSED") }'; }

ROWS=()
row() { ROWS+=("$(printf '| %s | %s | %s | %s | %s |' "$@")"); }
NOTES=()
note() { NOTES+=("$*"); }

# gen_file OUT ARGS...: runs gen_events.py unless OUT exists for the same generator and args.
gen_file() {
    local out=$1
    shift
    local key
    key=$( (md5sum <"$BENCH/gen_events.py"; echo "$*") | md5sum | cut -c1-12)
    if [[ -s $out && -f $out.key && $(cat "$out.key") == "$key" ]]; then
        return
    fi
    log "generating $out"
    rm -f "$out.key"
    python3 "$BENCH/gen_events.py" --out "$out" "$@" 2>"$out.log" || die "gen_events.py failed"
    echo "$key" >"$out.key"
}

# ---------------------------------------------------------------- build

mkdir -p "$WORK"
log "building plaint in $BUILD"
cmake -S "$ROOT" -B "$BUILD" >/dev/null || die "cmake configure failed"
cmake --build "$BUILD" -j2 --target plaint_cli >/dev/null 2>&1 ||
    cmake --build "$BUILD" -j2 >/dev/null || die "build failed"
[[ -x $PLAINT ]] || die "no $PLAINT after the build"
cc -std=c17 -O2 -Wall -Wextra -I"$ROOT/include" -I"$BUILD/generated" "$BENCH/append_clients.c" \
    "$BUILD/libplaint_static.a" "$BUILD/libplaint_core.a" -lpq -lcrypto -ljansson -linih \
    -o "$WORK/append_clients"

START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- 1. appends at 8 clients

bench_append() {
log "1/3 append throughput: $CLIENTS clients, $CASES cases, ${APPEND_SECONDS}s x $APPEND_ROUNDS rounds"
cluster_new
psql_admin <<SQL
CREATE SCHEMA bench;
CREATE TABLE bench.ledger_case_head (LIKE plaint.ledger_case_head INCLUDING ALL);
CREATE TABLE bench.ledger_event (LIKE plaint.ledger_event INCLUDING ALL);
CREATE TABLE bench.ledger_pending (LIKE plaint.ledger_pending INCLUDING ALL);
INSERT INTO bench.ledger_case_head
    SELECT 'B-' || lpad(g::text, 6, '0'), 0, sha256(''::bytea) FROM generate_series(0, $CASES - 1) g;
SQL

run_plaint_appends() {
    "$WORK/append_clients" -c "$CLIENTS" -T "$1" -n "$CASES" -p B >"$WORK/append.out" ||
        die "append_clients failed"
    sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$WORK/append.out"
}
run_pgbench() { # MODE SECONDS [SCRIPT]
    "$PGBIN/pgbench" -n -h "$SOCK" -U plaint_admin -M "$1" -c "$CLIENTS" -j 2 -T "$2" \
        -D ncases="$CASES" -f "${3:-$BENCH/append_ref.sql}" plaint >"$WORK/pgbench.out" 2>&1 ||
        die "pgbench failed: $(tail -3 "$WORK/pgbench.out")"
    sed -n 's/^tps = \([0-9]*\).*/\1/p' "$WORK/pgbench.out"
}

# Warm-up: connections, caches, every case head created.
run_plaint_appends 2 >/dev/null
run_pgbench prepared 2 >/dev/null
A_PLAINT=() A_PREP=() A_SIMPLE=() D_EXT=() D_PREP=()
VARIANTS=(plaint prepared simple diag_ext diag_prep)
for ((r = 1; r <= APPEND_ROUNDS; r++)); do
    # rotate the order so that drift on a shared machine does not favour one variant
    for ((k = 0; k < ${#VARIANTS[@]}; k++)); do
        what=${VARIANTS[$(((k + r - 1) % ${#VARIANTS[@]}))]}
        case $what in
        plaint) v=$(run_plaint_appends "$APPEND_SECONDS") || exit 1 ;;
        prepared) v=$(run_pgbench prepared "$APPEND_SECONDS") || exit 1 ;;
        simple) v=$(run_pgbench simple "$APPEND_SECONDS") || exit 1 ;;
        diag_ext) v=$(run_pgbench extended "$APPEND_SECONDS" "$BENCH/append_plaint_sql.sql") ||
            exit 1 ;;
        diag_prep) v=$(run_pgbench prepared "$APPEND_SECONDS" "$BENCH/append_plaint_sql.sql") ||
            exit 1 ;;
        esac
        [[ -n $v ]] || die "no rate from $what"
        case $what in
        plaint) A_PLAINT+=("$v") ;;
        prepared) A_PREP+=("$v") ;;
        simple) A_SIMPLE+=("$v") ;;
        diag_ext) D_EXT+=("$v") ;;
        diag_prep) D_PREP+=("$v") ;;
        esac
        log "  round $r $what: $v /s"
    done
done
m_plaint=$(echo "${A_PLAINT[*]}" | median)
m_prep=$(echo "${A_PREP[*]}" | median)
m_simple=$(echo "${A_SIMPLE[*]}" | median)
m_dext=$(echo "${D_EXT[*]}" | median)
m_dprep=$(echo "${D_PREP[*]}" | median)
ratio1=$(calc '%.2f' "$m_plaint / $m_prep")
row "1. append, $CLIENTS clients, $CASES cases, ${APPEND_SECONDS}s runs" \
    "plaint_ledger_append: $(calc '%.0f' "$m_plaint")/s (runs: ${A_PLAINT[*]})" \
    "pgbench append_ref.sql -M prepared: $(calc '%.0f' "$m_prep")/s (runs: ${A_PREP[*]})" \
    "$ratio1" \
    ">= 0.80: $(verdict "$ratio1" 0.80 ge)"
row "1. (same reference, pgbench default protocol)" \
    "" \
    "append_ref.sql -M simple: $(calc '%.0f' "$m_simple")/s (runs: ${A_SIMPLE[*]})" \
    "$(calc '%.2f' "$m_plaint / $m_simple")" ""
row "1. diagnostic: plaint's own SQL via pgbench" \
    "append_plaint_sql.sql -M extended (as now): $(calc '%.0f' "$m_dext")/s (runs: ${D_EXT[*]})" \
    "append_plaint_sql.sql -M prepared (statements prepared once): $(calc '%.0f' "$m_dprep")/s (runs: ${D_PREP[*]})" \
    "$(calc '%.2f' "$m_dext / $m_prep") / $(calc '%.2f' "$m_dprep / $m_prep") of reference" ""
cluster_drop
}

# ---------------------------------------------------------------- 2. bulk import

# also the third step of the verify benchmark
IMPORT_FILE=$WORK/events-$IMPORT_EVENTS.jsonl

bench_import() {
log "2/3 bulk import: $IMPORT_EVENTS events x $IMPORT_RUNS fresh clusters"
gen_file "$IMPORT_FILE" --events "$IMPORT_EVENTS" --copy-out "$WORK/events-$IMPORT_EVENTS.tsv" \
    --prefix C --seed 1
I_RATE=() C_RATE=() I_CPU=()
COPY_COLS="case_id, case_seq, event_type, actor, actor_role, occurred_at, payload, prev_hash, hash, idempotency_key"
for ((r = 1; r <= IMPORT_RUNS; r++)); do
    cluster_new
    psql_admin -c "CREATE SCHEMA bench" \
        -c "CREATE TABLE bench.ledger_event (LIKE plaint.ledger_event INCLUDING ALL)"
    enable_pgss
    if ((r % 2)); then order="import copy"; else order="copy import"; fi
    for what in $order; do
        if [[ $what == import ]]; then
            timed import "$PLAINT" ledger import "$IMPORT_FILE"
            grep -q "appended $IMPORT_EVENTS events" "$WORK/import.out" ||
                die "import: $(cat "$WORK/import.out")"
            I_RATE+=("$(calc '%.0f' "$IMPORT_EVENTS / $T_WALL")")
            I_CPU+=("$T_CPU")
            log "  run $r import: ${T_WALL}s (client CPU ${T_CPU}s) = ${I_RATE[-1]} events/s"
        else
            timed copy "${PSQLA[@]}" -c "\\copy bench.ledger_event ($COPY_COLS) FROM '$WORK/events-$IMPORT_EVENTS.tsv'"
            C_RATE+=("$(calc '%.0f' "$IMPORT_EVENTS / $T_WALL")")
            log "  run $r \\copy: ${T_WALL}s = ${C_RATE[-1]} rows/s"
        fi
    done
    if [[ $PGSS == 1 && $r == "$IMPORT_RUNS" ]]; then
        # Diagnostic: where the server spends the import's time, per statement.
        while IFS='|' read -r us calls q; do
            note "import, server time per event: $us us in $calls x \`$q...\`"
        done < <(psql_admin -At -c "SELECT round((total_exec_time * 1000 / $IMPORT_EVENTS)::numeric, 2), calls,
                left(regexp_replace(query, '\s+', ' ', 'g'), 60) FROM pg_stat_statements
                WHERE query ~* '^(copy plaint|insert|update|select)' AND query !~ 'pg_stat_statements'
                ORDER BY total_exec_time DESC LIMIT 6")
    fi
    cluster_drop
done
m_imp=$(echo "${I_RATE[*]}" | median)
m_copy=$(echo "${C_RATE[*]}" | median)
m_icpu=$(echo "${I_CPU[*]}" | median)
ratio2=$(calc '%.2f' "$m_imp / $m_copy")
row "2. bulk import, $IMPORT_EVENTS events" \
    "plaint ledger import: $m_imp events/s (runs: ${I_RATE[*]}; client CPU $m_icpu s)" \
    "psql \\copy into a copy of ledger_event: $m_copy rows/s (runs: ${C_RATE[*]})" \
    "$ratio2" \
    ">= 50000/s: $(verdict "$m_imp" 50000 ge)"
}

# ---------------------------------------------------------------- 3. verify

bench_verify() {
gen_file "$IMPORT_FILE" --events "$IMPORT_EVENTS" --copy-out "$WORK/events-$IMPORT_EVENTS.tsv" \
    --prefix C --seed 1
P3=$((2 * VERIFY_STEP + IMPORT_EVENTS))
log "3/3 verify: ledgers of $VERIFY_STEP, $((2 * VERIFY_STEP)), $P3 events, $VERIFY_RUNS runs each"
V1=$WORK/verify-$VERIFY_STEP-1.jsonl V2=$WORK/verify-$VERIFY_STEP-2.jsonl
gen_file "$V1" --events "$VERIFY_STEP" --prefix V --seed 3
v1_cases=$(sed -n 's/.*events, \([0-9]*\) cases/\1/p' "$V1.log")
# The second step adds as many events again to the same cases: more events, not more cases.
gen_file "$V2" --events "$VERIFY_STEP" --prefix V --seed 4 --cases "$v1_cases"
# The third adds the import file: new cases of ~10 events each.
cluster_new
"$PLAINT" keys init >/dev/null
# verify's event stream (src/store/pg_ledger_verify.c, SQL_EVENTS), for the diagnostic below
VERIFY_QUERY="SELECT id, case_id, case_seq, event_type, actor, actor_role, occurred_at, payload,"
VERIFY_QUERY+=" prev_hash, hash FROM plaint.ledger_event ORDER BY id"
REQUEUED_QUERY="SELECT p.position, e.case_id, e.case_seq FROM plaint.ledger_pending q JOIN"
REQUEUED_QUERY+=" plaint.ledger_position p ON p.event_id = q.event_id LEFT JOIN plaint.ledger_event e"
REQUEUED_QUERY+=" ON e.id = q.event_id ORDER BY p.position LIMIT 1"
for step in 1 2 3; do
    case $step in
    1) f=$V1 n=$VERIFY_STEP ;;
    2) f=$V2 n=$VERIFY_STEP ;;
    3) f=$IMPORT_FILE n=$IMPORT_EVENTS ;;
    esac
    timed import "$PLAINT" ledger import "$f"
    imp_wall=$T_WALL
    timed seal "$PLAINT" ledger seal
    seal_wall=$T_WALL seal_rss=$T_RSS
    # Diagnostic: verify's re-queued check (src/store/pg_ledger_verify.c, check_requeued) right
    # after the seal emptied ledger_pending, before autovacuum has seen it.
    timed requeued "${PSQLA[@]}" -c "$REQUEUED_QUERY"
    rq_before=$T_WALL
    # Steady state as autovacuum would leave it (hint bits set, statistics current), so that
    # neither side pays for the first read after the load.
    psql_admin -c "VACUUM ANALYZE plaint.ledger_event, plaint.ledger_position, plaint.ledger_pending, plaint.ledger_case_head"
    timed requeued "${PSQLA[@]}" -c "$REQUEUED_QUERY"
    rq_after=$T_WALL
    events=$(psql_admin -At -c "SELECT count(*) FROM plaint.ledger_event")
    log "  $events events: import +$n ${imp_wall}s, seal ${seal_wall}s (peak RSS ${seal_rss} KiB)"
    psql_admin -c "\\copy plaint.ledger_event TO /dev/null" # warm the cache
    V_WALL=() V_RSS=() V_CPU=() K_WALL=() S_WALL=()
    for ((r = 1; r <= VERIFY_RUNS; r++)); do
        if ((r % 2)); then order="verify copy"; else order="copy verify"; fi
        for what in $order; do
            if [[ $what == verify ]]; then
                timed verify "$PLAINT" verify
                grep -q "ledger verified" "$WORK/verify.out" || die "verify: $(cat "$WORK/verify.out")"
                V_WALL+=("$T_WALL") V_RSS+=("$T_RSS") V_CPU+=("$T_CPU")
                log "  run $r verify: ${T_WALL}s (client CPU ${T_CPU}s, peak RSS ${T_RSS} KiB)"
            else
                timed copy "${PSQLA[@]}" -c "\\copy plaint.ledger_event TO /dev/null"
                K_WALL+=("$T_WALL")
                log "  run $r \\copy to /dev/null: ${T_WALL}s"
            fi
        done
        if [[ $step == 3 ]]; then
            # Diagnostic: the bigger half of verify's server side alone: its event stream
            # (binary COPY in id order) read by psql, with no verification work.
            timed stream "${PSQLA[@]}" -c "\\copy ($VERIFY_QUERY) TO /dev/null WITH (FORMAT binary)"
            S_WALL+=("$T_WALL")
            log "  run $r verify's event stream alone: ${T_WALL}s"
        fi
    done
    cases=$(sed -n 's/.* events in \([0-9]*\) cases.*/\1/p' "$WORK/verify.out")
    m_v=$(echo "${V_WALL[*]}" | median)
    m_k=$(echo "${K_WALL[*]}" | median)
    m_rss=$(echo "${V_RSS[*]}" | median)
    m_vcpu=$(echo "${V_CPU[*]}" | median)
    ratio3=$(calc '%.2f' "$m_v / $m_k")
    extra=""
    if [[ $step == 3 ]]; then
        m_s=$(echo "${S_WALL[*]}" | median)
        extra="; verify's event stream alone (binary COPY by id): ${m_s}s"
    fi
    row "3. verify, $events events, $cases cases" \
        "plaint verify: ${m_v}s (runs: ${V_WALL[*]}; client CPU ${m_vcpu}s; peak RSS $((m_rss / 1024)) MiB)" \
        "psql \\copy plaint.ledger_event to /dev/null: ${m_k}s (runs: ${K_WALL[*]})$extra" \
        "$ratio3" \
        "<= 1.50: $(verdict "$ratio3" 1.50 le)"
    note "verify at $events events / $cases cases: peak RSS $m_rss KiB; seal of +$n: ${seal_wall}s, peak RSS $seal_rss KiB; import of +$n: ${imp_wall}s; verify's re-queued check query: ${rq_before}s right after the seal, ${rq_after}s after VACUUM ANALYZE"
done
cluster_drop
}

if want append; then bench_append; fi
if want import; then bench_import; fi
if want verify; then bench_verify; fi

# ---------------------------------------------------------------- report

ELAPSED=$(($(date +%s) - START))
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$ROOT" status --porcelain -- src include schemas 2>/dev/null) ]]; then
    COMMIT="$COMMIT+dirty"
fi
{
    echo
    echo "## $(date -u +%Y-%m-%dT%H:%MZ) ($MODE$([[ $ONLY == all ]] || echo ", $ONLY only"), ${ELAPSED}s, commit $COMMIT)"
    echo
    echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
        "$("$PGBIN/postgres" --version); load average (1/5/15 min) at start $LOAD_BEFORE," \
        "at end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| benchmark | plaint | reference (same run) | ratio | target |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    if ((${#NOTES[@]} > 0)); then printf -- '- %s\n' "${NOTES[@]}"; fi
} | tee -a "$RESULTS"
log "done in ${ELAPSED}s; appended to $RESULTS"
