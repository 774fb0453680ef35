#!/usr/bin/env bash
# API load benchmark (docs/benchmarks.md, "Service (issue 7)"): wrk against `plaint serve` on
# loopback, in one run on one server:
#   healthz  GET /healthz                      the HTTP layer alone (reference)
#   create   POST /api/v1/complaints            a unique Idempotency-Key per request (api_create.lua)
#   lookup   GET /api/v1/complaints/{ref}       status lookup of an existing complaint (staff)
#   status   POST /status                       the customer's status page: reference number and
#                                               access code (HMAC check, HTML page; docs/web.md)
# Each: wrk -t THREADS -c CONNECTIONS -d DURATION --latency; prints requests/s and the latency
# percentiles wrk reports, and each endpoint's requests/s as a ratio of /healthz's. Afterwards it
# checks that the complaints in the database are at least the 2xx answers wrk counted, seals the
# ledger and runs `plaint verify`.
#
#   bash tests/bench/api_load.sh [--duration 10] [--connections 8] [--threads 2] [--server-threads 4]
#
# Environment: PLAINT_BENCH_BUILD (default build/, a RelWithDebInfo build), PLAINT_BENCH_WORK
# (default /var/tmp/plaint-bench-api). Needs wrk (Debian package wrk), curl, jq, psql.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${PLAINT_BENCH_BUILD:-$ROOT/build}
WORK=${PLAINT_BENCH_WORK:-/var/tmp/plaint-bench-api}
PLAINT=$BUILD/plaint
DUR=10
CONNS=8
WTHREADS=2
STHREADS=4
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case $1 in
    --duration) DUR=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --threads) WTHREADS=$2; shift ;;
    --server-threads) STHREADS=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
export PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_DB PLAINT_CONFIG PLAINT_TOKEN
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[[ -x $PLAINT ]] || { log "build first: cmake --preset default && cmake --build build"; exit 5; }
command -v wrk >/dev/null || { log "wrk not found (apt-get install wrk)"; exit 5; }
mkdir -p "$WORK"
chmod 711 "$WORK"
H=$(mktemp -d "$WORK/home-XXXXXX")
chmod 711 "$H"
export PLAINT_HOME=$H
SPID=""
cleanup() {
    [[ -n $SPID ]] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
    "$PLAINT" db stop >/dev/null 2>&1 || true
    rm -rf "$H"
}
trap cleanup EXIT
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -h "$H/pg/run" -U plaint_admin -d plaint -c "$1"; }

log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
log "build: $BUILD ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)); $(wrk --version 2>&1 | head -1 | cut -c1-40)"
"$PLAINT" db start >/dev/null
"$PLAINT" db migrate >/dev/null 2>&1
"$PLAINT" keys init >/dev/null
"$PLAINT" keys master-init >/dev/null
token() { awk '/token \(shown once\)/{print $4}'; }
ADMIN=$("$PLAINT" user add admin --name Admin --role admin --issue-token | token)
INTAKE=$("$PLAINT" --token "$ADMIN" user add ivy --name Ivy --role intake_agent --issue-token | token)

# the web form acts as ivy; no per-address limit on the pages for the benchmark
PLAINT_WEB_INTAKE_USER=ivy PLAINT_WEB_ATTEMPTS_PER_MINUTE=0 \
    "$PLAINT" serve --listen 127.0.0.1:0 --threads "$STHREADS" --rate 0 >"$H/serve.out" 2>"$H/serve.err" &
SPID=$!
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$H/serve.out")
    [[ -n $PORT ]] && break
    sleep 0.1
done
[[ -n $PORT ]] || { log "plaint serve did not start: $(cat "$H/serve.err")"; exit 5; }
B=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$B/readyz") = 200 ]] && break
    sleep 0.1
done
REF=$(curl -sf -X POST -H "Authorization: Bearer $INTAKE" -H 'Content-Type: application/json' \
    -H 'Idempotency-Key: bench-seed' --data-binary '{"channel":"web","category":"Mortgage"}' \
    "$B/api/v1/complaints" | jq -r .ref)
[[ $REF == CMP-* ]] || { log "seed complaint not created"; exit 1; }
# a customer's complaint through the web form: its reference number and access code
curl -sf "$B/complaint" --data-urlencode name=Bench --data-urlencode email=bench@example.com \
    --data-urlencode category=Mortgage --data-urlencode narrative=x >"$H/form.html"
WREF=$(sed -n 's|.*id="ref" class="code">\([^<]*\)<.*|\1|p' "$H/form.html")
WCODE=$(sed -n 's|.*id="code" class="code">\([^<]*\)<.*|\1|p' "$H/form.html")
[[ $WREF == CMP-* && -n $WCODE ]] || { log "web form complaint not created"; exit 1; }
cat >"$H/status.lua" <<LUA
wrk.method = "POST"
wrk.body = "ref=$WREF&code=$WCODE"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
log "plaint serve --threads $STHREADS on $B; wrk -t $WTHREADS -c $CONNS -d ${DUR}s --latency"

run() { # run NAME WRK-ARGS...
    local name=$1
    shift
    # wrk closes its connections on exit; give the server's idle handling a moment between runs
    sleep 1
    log "$name: load $(cut -d' ' -f1 /proc/loadavg)"
    wrk -t "$WTHREADS" -c "$CONNS" -d "${DUR}s" --latency "$@" >"$H/$name.txt"
    sed 's/^/    /' "$H/$name.txt" >&2
}
run healthz "$B/healthz"
C0=$(q "SELECT count(*) FROM plaint.complaint")
run create -s "$ROOT/tests/bench/api_create.lua" "$B/api/v1/complaints" -- "$INTAKE" "$(date +%s%N)"
run lookup -H "Authorization: Bearer $INTAKE" "$B/api/v1/complaints/$REF"
run status -s "$H/status.lua" "$B/status"
curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "ref=$WREF&code=$WCODE" "$B/status" | grep -q 'id="c-status"' ||
    { log "FAIL: the status page does not show the complaint"; exit 1; }

rps() { awk '/^Requests\/sec:/ {print $2}' "$H/$1.txt"; }
pct() { awk -v p="$2%" '$1 == p {print $2}' "$H/$1.txt"; }
total() { awk '/requests in/ {print $1}' "$H/$1.txt"; }
non2xx() { awk '/Non-2xx or 3xx responses:/ {n = $5} END {print n + 0}' "$H/$1.txt"; }
ref_rps=$(rps healthz)
echo
echo "| endpoint | requests/s | ratio to /healthz | p50 | p75 | p90 | p99 | requests | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in healthz create lookup status; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$(rps $n)" \
        "$(awk -v a="$(rps $n)" -v b="$ref_rps" 'BEGIN {printf "%.4g", a / b}')" \
        "$(pct $n 50)" "$(pct $n 75)" "$(pct $n 90)" "$(pct $n 99)" "$(total $n)" "$(non2xx $n)"
done
echo

# sanity: every create wrk counted as answered 2xx is a complaint (more may exist: requests in
# flight when wrk stopped are still answered by the server)
sleep 1
C1=$(q "SELECT count(*) FROM plaint.complaint")
NONOK=$(non2xx create)
ANSWERED=$(($(total create) - NONOK))
log "complaints created during the create run: $((C1 - C0)) (wrk counted $ANSWERED answered 2xx)"
(( C1 - C0 >= ANSWERED )) || { log "FAIL: fewer complaints than 2xx answers"; exit 1; }
((NONOK == 0)) || { log "FAIL: non-2xx answers under load: $(head -5 "$H/serve.err")"; exit 1; }
(($(non2xx status) == 0)) || { log "FAIL: non-2xx status page answers under load"; exit 1; }
kill -TERM "$SPID"
wait "$SPID" || { log "FAIL: plaint serve did not stop cleanly"; exit 1; }
SPID=""
t0=$(date +%s.%N)
"$PLAINT" --token "$ADMIN" ledger seal >/dev/null
"$PLAINT" --token "$ADMIN" verify >/dev/null || { log "FAIL: plaint verify"; exit 1; }
log "ledger seal + verify over $(q "SELECT count(*) FROM plaint.ledger_event") events: exit 0 ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s)"
