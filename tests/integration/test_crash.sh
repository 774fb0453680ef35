#!/usr/bin/env bash
# Crash safety: 8 concurrent writers append to overlapping cases; the server is killed
# (pg_ctl stop -m immediate) mid-run and restarted. Every append a writer saw acknowledged must
# be present, nothing half-written may exist, and verify must exit 0.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=50 PLAINT_SEAL_EVERY_SECONDS=0
PUB=$H/keys/ledger-signing.pem.pub
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init

pg_as_server() { # runs a PostgreSQL binary as the server's user
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u plaint -- "$@"
    else
        "$@"
    fi
}

writer() { # writer ID: appends until $H/stop exists; logs each acknowledged append
    local w=$1 i=0 out
    while [ ! -e "$H/stop" ]; do
        i=$((i + 1))
        if out=$("$PLAINT_BIN" ledger append --case "C-$(((w + i) % 5))" --type crash.test \
            --payload "{\"w\":$w,\"i\":$i}" --idempotency-key "w$w-$i" 2>/dev/null); then
            echo "$out" >>"$H/acked.$w"
        fi
    done
}

for w in 1 2 3 4 5 6 7 8; do writer "$w" & done
sleep 3
pg_as_server /usr/lib/postgresql/15/bin/pg_ctl -D "$H/pg/data" stop -m immediate >/dev/null 2>&1
check "server killed (immediate stop)" -- bash -c "! '$PLAINT_BIN' db status >/dev/null 2>&1"
sleep 1
expect_exit 0 "restart after the crash" -- "$PLAINT_BIN" db start
sleep 2
touch "$H/stop"
wait

cat "$H"/acked.* >"$H/acked.all" 2>/dev/null
n=$(wc -l <"$H/acked.all")
check "writers saw acknowledged appends ($n)" -- test "$n" -gt 20
for c in 0 1 2 3 4; do
    "$PLAINT_BIN" ledger show --case "C-$c" --json >>"$H/present.all" 2>/dev/null
done
python3 - "$H/acked.all" "$H/present.all" >"$H/cmp.out" 2>&1 <<'PY'
import json, sys
acked = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
present = {(e["case"], e["seq"]): e["hash"] for e in map(json.loads, open(sys.argv[2]))}
missing = [a for a in acked if present.get((a["case"], a["seq"])) != a["hash"]]
print(f"acked={len(acked)} present={len(present)} missing={len(missing)}")
for m in missing[:5]:
    print("missing", m)
sys.exit(1 if missing else 0)
PY
rc=$?
check "every acknowledged append is present with its hash ($(head -1 "$H/cmp.out"))" -- test $rc -eq 0

P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
half=$($P -c "SELECT count(*) FROM plaint.ledger_event e WHERE NOT EXISTS (SELECT 1 FROM plaint.ledger_position p WHERE p.event_id = e.id) AND NOT EXISTS (SELECT 1 FROM plaint.ledger_pending q WHERE q.event_id = e.id)")
check "no event without a position or a pending entry" -- test "$half" = 0
heads=$($P -c "SELECT count(*) FROM plaint.ledger_case_head h WHERE h.last_seq <> (SELECT coalesce(max(case_seq), 0) FROM plaint.ledger_event e WHERE e.case_id = h.case_id) OR h.last_hash <> coalesce((SELECT hash FROM plaint.ledger_event e WHERE e.case_id = h.case_id ORDER BY case_seq DESC LIMIT 1), h.last_hash)")
check "every case head matches its last event" -- test "$heads" = 0
expect_exit 0 "verify after the crash" -- "$PLAINT_BIN" verify --pubkey "$PUB"
expect_exit 0 "seal after the crash" -- "$PLAINT_BIN" ledger seal
expect_exit 0 "verify after sealing" -- "$PLAINT_BIN" verify --pubkey "$PUB"
finish
