#!/usr/bin/env bash
# The CLI and the embedded cluster: socket-only listening, private socket directory, status exit
# codes, usage errors, --help everywhere, migration checksums, and an external server via --db.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H

# --- usage errors: exit 2, one line on stderr
expect_exit 2 "unknown command" -- "$PLAINT_BIN" nosuch
check "unknown command: one-line error" -- test "$(wc -l <"$TMP_ERR")" -eq 1
expect_exit 2 "unknown option" -- "$PLAINT_BIN" db start --bogus
check "unknown option: one-line error" -- test "$(wc -l <"$TMP_ERR")" -eq 1
check "unknown option names the option" -- grep -q -- "--bogus" "$TMP_ERR"
expect_exit 2 "missing option value" -- "$PLAINT_BIN" db init --tcp-port

# --- every command and subcommand answers --help with exit 0 (walks the help tree)
walk_help() { # walk_help WORDS...
    local out sub
    out=$("$PLAINT_BIN" "$@" --help 2>&1)
    local rc=$?
    if [ $rc -ne 0 ] || [ -z "$out" ]; then
        not_ok "plaint $* --help exits 0 (got $rc)"
        return
    fi
    ok "plaint $* --help"
    # a group's help lists its commands under "Commands:"
    for sub in $(printf '%s\n' "$out" | awk '/^Commands:/{f=1;next} /^$/{f=0} f&&/^  [a-z]/{print $1}'); do
        walk_help "$@" "$sub"
    done
}
walk_help
expect_exit 0 "plaint --version" -- "$PLAINT_BIN" --version
expect_exit 0 "plaint help db" -- "$PLAINT_BIN" help db

# --- the embedded cluster listens on no TCP port
before=$(ss -ltnH | awk '{print $4}' | sort)
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db start again (idempotent)" -- "$PLAINT_BIN" db start
pid=$(head -1 "$H/pg/data/postmaster.pid" 2>/dev/null)
check "postmaster pid known" -- test -n "$pid"
check "postmaster has no TCP listening socket" -- \
    bash -c "! ss -ltnpH | grep -q 'pid=$pid,'"
after=$(ss -ltnH | awk '{print $4}' | sort)
new=$(comm -13 <(echo "$before") <(echo "$after") | grep -E ':5432$' || true)
check "no new TCP listener on the PostgreSQL port" -- test -z "$new"
check "socket directory is mode 0700" -- test "$(stat -c %a "$H/pg/run")" = 700
check "socket exists in it" -- test -S "$H/pg/run/.s.PGSQL.5432"
expect_exit 0 "db status while running" -- "$PLAINT_BIN" db status
# regression: a relative PLAINT_HOME must work (children run from "/")
expect_exit 0 "db status with a relative home" -- bash -c "cd '$(dirname "$H")' && PLAINT_HOME='./$(basename "$H")' '$PLAINT_BIN' db status"
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "db migrate again (no-op)" -- "$PLAINT_BIN" db migrate
check "second migrate applied nothing" -- grep -q "0 applied" "$TMP_OUT"
expect_exit 0 "config show" -- "$PLAINT_BIN" config show
check "config show names home" -- grep -q "plaint.home = $H" "$TMP_OUT"

# --- a changed applied migration is refused, naming the file
S=$(new_home)
cp "$PLAINT_SOURCE_DIR"/schemas/sql/*.sql "$S/"
expect_exit 0 "migrate from a copy of the schema dir" -- env PLAINT_SCHEMA_DIR="$S" "$PLAINT_BIN" db migrate
echo "-- an edit after the fact" >>"$S/0001_roles_and_schema.sql"
expect_exit 5 "migrate refuses a changed applied migration" -- env PLAINT_SCHEMA_DIR="$S" "$PLAINT_BIN" db migrate
check "refusal names the file" -- grep -q "0001_roles_and_schema.sql" "$TMP_ERR"

expect_exit 0 "db stop" -- "$PLAINT_BIN" db stop
expect_exit 5 "db status after stop" -- "$PLAINT_BIN" db status
expect_exit 0 "db stop again (idempotent)" -- "$PLAINT_BIN" db stop

# --- an external server given with --db: a second cluster on 127.0.0.1:PORT
E=$(new_home)
port=""
for p in $(shuf -i 20000-45000 -n 20); do
    if ! ss -ltnH | awk '{print $4}' | grep -q ":$p\$"; then port=$p; break; fi
done
check "found a free port" -- test -n "$port"
expect_exit 0 "second cluster with a TCP port" -- env PLAINT_HOME="$E" "$PLAINT_BIN" db init --tcp-port "$port"
expect_exit 0 "start second cluster" -- env PLAINT_HOME="$E" "$PLAINT_BIN" db start
check "second cluster listens on 127.0.0.1:$port" -- bash -c "ss -ltnH | grep -q '127.0.0.1:$port '"
DB="host=127.0.0.1 port=$port user=plaint_admin dbname=postgres password=s3cret"
X=$(new_home) # a home with no cluster at all: everything must go to --db
expect_exit 0 "db status --db" -- env PLAINT_HOME="$X" "$PLAINT_BIN" db status --db "$DB"
expect_exit 0 "db migrate --db" -- env PLAINT_HOME="$X" "$PLAINT_BIN" --db "$DB" db migrate
check "migrate --db applied migrations" -- grep -q "applied" "$TMP_OUT"
expect_exit 0 "db migrate --db again (no-op)" -- env PLAINT_HOME="$X" "$PLAINT_BIN" db migrate --db "$DB"
check "second migrate --db applied nothing" -- grep -q "0 applied" "$TMP_OUT"
expect_exit 0 "PLAINT_DB works like --db" -- env PLAINT_HOME="$X" PLAINT_DB="$DB" "$PLAINT_BIN" db status
expect_exit 0 "config show --db" -- env PLAINT_HOME="$X" "$PLAINT_BIN" config show --db "$DB"
check "config show masks the password" -- bash -c "grep -q 'password=\*\*\*\*\*\*\*\*' '$TMP_OUT' && ! grep -q s3cret '$TMP_OUT'"
check "no embedded cluster was created in the --db home" -- test ! -e "$X/pg"
expect_exit 2 "db start with --db is a usage error" -- env PLAINT_HOME="$X" "$PLAINT_BIN" db start --db "$DB"
expect_exit 0 "stop second cluster" -- env PLAINT_HOME="$E" "$PLAINT_BIN" db stop
expect_exit 5 "db status --db when the server is down" -- env PLAINT_HOME="$X" "$PLAINT_BIN" db status --db "$DB"

finish
