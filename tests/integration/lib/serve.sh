# shellcheck shell=bash
# Shared set-up for the shell integration tests that run `plaint serve` (and the SMTP sink of the
# outbox tests). Source it after lib/common.sh:
#     . "$(dirname "$0")/lib/common.sh"
#     . "$(dirname "$0")/lib/serve.sh"
# It only moves repeated prologue code here; every check stays in the test scripts.
# Sourcing it registers stop_servers as the EXIT trap (in place of common.sh's cleanup).

SERVE_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER_PIDS=()          # every server (or helper daemon) started, killed at exit
SERVE_STOP_SIGNAL=KILL  # the signal stop_servers sends (test_web.sh uses TERM)
SINK_PID=

# serve_home: a new PLAINT_HOME in H, sealing off (no seal events in the counts), no PLAINT_TOKEN.
serve_home() {
    H=$(new_home)
    export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
    unset PLAINT_TOKEN
}

# token_of: the first API token (plt_ID_SECRET) in $TMP_OUT (the output of the last expect_exit,
# or where add_user wrote it): the one printed by `plaint user add ... --issue-token` ("token
# (shown once): ...") or by `plaint token issue` (the token alone).
token_of() { grep -o 'plt_[0-9a-f]*_[0-9a-f]*' "$TMP_OUT" | head -1; }

# q SQL: runs SQL as the cluster's admin role, unaligned tuples only (P is set by db_up).
q() { $P -c "$1"; }

# db_up [--master-key]: the checks "db start", "db migrate", "keys init" (and "keys master-init"
# with --master-key) in $PLAINT_HOME; sets P, the psql command line q uses.
db_up() {
    expect_exit 0 "db start" -- "$PLAINT_BIN" db start
    expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
    expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
    if [ "${1-}" = --master-key ]; then
        expect_exit 0 "keys master-init" -- "$PLAINT_BIN" keys master-init
    fi
    P="psql -X -q -t -A -h $PLAINT_HOME/pg/run -U plaint_admin -d plaint"
}

# bootstrap_admin [--master-key]: db_up, then the check "bootstrap admin" (user admin with the
# admin role, the first user needs no token); sets ADMIN to its token.
# shellcheck disable=SC2120 # the option is optional
bootstrap_admin() {
    db_up "$@"
    expect_exit 0 "bootstrap admin" -- "$PLAINT_BIN" user add admin --name Admin --role admin --issue-token
    ADMIN=$(token_of)
}

# add_user ID ROLE...: adds user ID (name ID) with the roles, as ADMIN, and prints its token.
# Not a check of its own: a failure prints "not ok - add user ID" on stderr (and an empty token,
# which the checks using it then fail on). Run it as $(add_user ...): TMP_OUT is overwritten.
add_user() {
    local id=$1 r roles=()
    shift
    for r in "$@"; do roles+=(--role "$r"); done
    "$PLAINT_BIN" --token "$ADMIN" user add "$id" --name "$id" "${roles[@]}" --issue-token >"$TMP_OUT" ||
        echo "not ok - add user $id" >&2
    token_of
}

# check_user VAR DESC ID NAME ROLE: the check DESC (exit 0) that ADMIN adds user ID named NAME with
# ROLE and an API token; sets the variable VAR to the token.
check_user() {
    expect_exit 0 "$2" -- "$PLAINT_BIN" --token "$ADMIN" user add "$3" --name "$4" --role "$5" --issue-token
    printf -v "$1" '%s' "$(token_of)"
}

# start_server [--wait readyz|healthz|none] [--cacert FILE] OUT ERR [VAR=VALUE...] [--] [ARGS...]
# Starts `plaint serve --listen 127.0.0.1:0 ARGS...` in the background (with the environment
# variables VAR=VALUE added), stdout to OUT and stderr to ERR, records its PID in SERVER_PIDS and
# sets SPID. Waits up to 10 s for the "listening on http://127.0.0.1:PORT" line (https with
# --cacert FILE, the CA curl then trusts), sets PORT (empty if the line never came) and B (the
# base URL), then waits up to 10 s for GET /readyz (default) or /healthz to answer 200 (--wait
# none: no wait, e.g. when the test expects /readyz to fail). Checks nothing itself: the caller
# checks PORT or the answers.
start_server() {
    local wait=readyz cacert="" scheme=http out err _ envs=()
    while :; do
        case "${1-}" in
        --wait) wait=$2; shift 2 ;;
        --cacert) cacert=$2; scheme=https; shift 2 ;;
        *) break ;;
        esac
    done
    out=$1 err=$2
    shift 2
    while [ $# -gt 0 ] && [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do envs+=("$1"); shift; done
    [ "${1-}" = -- ] && shift
    env "${envs[@]}" "$PLAINT_BIN" serve --listen 127.0.0.1:0 "$@" >"$out" 2>"$err" &
    SPID=$!
    SERVER_PIDS+=("$SPID")
    PORT=""
    for _ in $(seq 1 100); do
        PORT=$(sed -n "s|^listening on $scheme://127\\.0\\.0\\.1:\\([0-9][0-9]*\\)\$|\\1|p" "$out")
        [ -n "$PORT" ] && break
        sleep 0.1
    done
    B="$scheme://127.0.0.1:$PORT"
    [ "$wait" = none ] && return 0
    local curl_args=(-s -o /dev/null -w '%{http_code}')
    [ -n "$cacert" ] && curl_args+=(--cacert "$cacert")
    for _ in $(seq 1 100); do
        [ "$(curl "${curl_args[@]}" "$B/$wait")" = 200 ] && break
        sleep 0.1
    done
}

# ---- the SMTP sink (lib/smtp_sink.py): each accepted message is one JSON line in $MAIL ----------

# free_port: prints a TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_sink: runs lib/smtp_sink.py on SINK_PORT appending to MAIL (both set by the caller), log
# in $MAIL.log; sets SINK_PID and waits up to 5 s for it to be ready (says so on stderr if not).
start_sink() {
    local _
    python3 "$SERVE_LIB_DIR/smtp_sink.py" serve "$SINK_PORT" "$MAIL" >"$MAIL.log" 2>&1 &
    SINK_PID=$!
    for _ in $(seq 50); do grep -q ready "$MAIL.log" 2>/dev/null && return 0; sleep 0.1; done
    echo "sink did not start: $(cat "$MAIL.log")" >&2
}

# stop_sink: stops the sink started by start_sink (if any) and waits for it.
stop_sink() {
    if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; fi
    SINK_PID=
}

# in_sink MSG: how many messages in MAIL carry the Message-ID derived from outbox id MSG
# (<plaint.MSG@bank.example>).
in_sink() { python3 "$SERVE_LIB_DIR/smtp_sink.py" count "$MAIL" "$1"; }

# stop_servers: the EXIT trap: sends SERVE_STOP_SIGNAL to every recorded server, stops the sink,
# then common.sh's cleanup (database servers stopped, homes removed).
stop_servers() {
    local p
    for p in "${SERVER_PIDS[@]}"; do kill "-$SERVE_STOP_SIGNAL" "$p" 2>/dev/null || true; done
    stop_sink
    cleanup
}
trap stop_servers EXIT
