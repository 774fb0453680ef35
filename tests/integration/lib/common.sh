# Shared helpers for the shell integration tests: a temporary PLAINT_HOME, assertions, cleanup.
set -u
: "${PLAINT_BIN:?PLAINT_BIN must point at the plaint binary}"
: "${PLAINT_SOURCE_DIR:?PLAINT_SOURCE_DIR must point at the source tree}"

FAILS=0
PASSES=0
# Every home of this test lives under one directory made here, in this shell: new_home runs in
# command substitutions (subshells), so it cannot record its homes in a variable of ours.
TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/plaint-cli-XXXXXX")
chmod 711 "$TEST_ROOT" # the server may run as the unprivileged service user

new_home() {
    local h
    h=$(mktemp -d "$TEST_ROOT/home-XXXXXX")
    chmod 711 "$h"
    echo "$h"
}

cleanup() {
    local h
    for h in "$TEST_ROOT"/home-*; do
        [ -d "$h/pg/data" ] || continue
        PLAINT_HOME="$h" "$PLAINT_BIN" db stop >/dev/null 2>&1 || true
    done
    [ -n "${PLAINT_TEST_KEEP:-}" ] || rm -rf "$TEST_ROOT"
}
trap cleanup EXIT

ok() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
not_ok() { FAILS=$((FAILS + 1)); echo "not ok - $*"; }

# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
    local want=$1 desc=$2
    shift 3
    "$@" >"$TMP_OUT" 2>"$TMP_ERR"
    local got=$?
    if [ "$got" -eq "$want" ]; then
        ok "$desc (exit $got)"
    else
        not_ok "$desc: expected exit $want, got $got; stderr: $(head -c 600 "$TMP_ERR")"
    fi
}

check() { # check DESCRIPTION -- test-command...
    local desc=$1
    shift 2
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

finish() {
    echo "$PASSES passed, $FAILS failed"
    [ "$FAILS" -eq 0 ]
}

TMP_OUT=$(mktemp)
TMP_ERR=$(mktemp)
