#!/usr/bin/env bash
# Bulk import (`plaint ledger import`, plaint_ledger_append_batch): per-case order across and
# within batches, idempotency keys (recorded before, repeated within a file), bad lines reported
# as file:line with nothing of their batch written and every earlier batch kept, standard input,
# and imports racing single appends and each other on the same cases: verify must pass and every
# case head must match its last event.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
PUB=$H/keys/ledger-signing.pem.pub
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
D=$TEST_ROOT/data
mkdir -p "$D"
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init

# gen FILE EVENTS CASES PREFIX [keys]: events spread over cases in a shuffled but fixed order;
# payload {"i": line index, "k": index within the case}; idempotency keys if asked.
gen() {
    python3 - "$@" <<'PY'
import json, random, sys
out, n, cases, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
keys = len(sys.argv) > 5
rng = random.Random(7)
seen = {}
with open(out, "w") as f:
    for i in range(n):
        c = "%s-%03d" % (prefix, rng.randrange(cases))
        seen[c] = seen.get(c, 0) + 1
        ev = {"case": c, "type": "t.imp", "payload": {"k": seen[c], "i": i, "x": "y\tz\\"}}
        if keys:
            ev["idempotency_key"] = "%s-%d" % (prefix, i)
        f.write(json.dumps(ev) + "\n")
PY
}
count() { $P -c "SELECT count(*) FROM plaint.ledger_event WHERE case_id LIKE '$1-%'"; }
# order_ok PREFIX: each case's events carry k = 1, 2, ... in seq order
order_ok() {
    local bad
    bad=$($P -c "SELECT count(*) FROM plaint.ledger_event WHERE case_id LIKE '$1-%'
                 AND (payload::jsonb ->> 'k')::bigint <> case_seq")
    [ "$bad" = 0 ]
}
heads_ok() {
    local bad
    bad=$($P -c "SELECT count(*) FROM plaint.ledger_case_head h WHERE h.last_seq <>
        (SELECT coalesce(max(case_seq), 0) FROM plaint.ledger_event e WHERE e.case_id = h.case_id)
        OR h.last_hash <> coalesce((SELECT hash FROM plaint.ledger_event e
        WHERE e.case_id = h.case_id ORDER BY case_seq DESC LIMIT 1), h.last_hash)")
    [ "$bad" = 0 ]
}
pending_ok() { # every event is pending exactly once (nothing sealed in this test)
    local bad
    bad=$($P -c "SELECT (SELECT count(*) FROM plaint.ledger_event) -
        (SELECT count(*) FROM plaint.ledger_pending p JOIN plaint.ledger_event e ON e.id = p.event_id)")
    [ "$bad" = 0 ]
}

# --- three batches of 5000 (the last one partial), 300 cases interleaved, with keys
gen "$D/a.jsonl" 12000 300 A keys
expect_exit 0 "import 12000 events" -- "$PLAINT_BIN" ledger import "$D/a.jsonl"
check "it says so" -- grep -q "appended 12000 events, skipped 0" "$TMP_OUT"
check "12000 events stored" -- test "$(count A)" = 12000
check "per-case order kept across and within batches" -- order_ok A
check "payload stored canonical (tab and backslash escaped in JSON)" -- \
    test "$($P -c "SELECT payload FROM plaint.ledger_event WHERE payload::jsonb ->> 'i' = '0'")" = \
    '{"i":0,"k":1,"x":"y\tz\\"}'
check "case heads match their last events" -- heads_ok
check "every event is pending once" -- pending_ok
expect_exit 0 "verify after the import" -- "$PLAINT_BIN" verify --pubkey "$PUB"
expect_exit 0 "re-import of the same file" -- "$PLAINT_BIN" ledger import "$D/a.jsonl"
check "nothing appended twice" -- grep -q "appended 0 events, skipped 12000" "$TMP_OUT"
check "still 12000 events" -- test "$(count A)" = 12000

# --- small batches, standard input, a key repeated within the file and one recorded before
gen "$D/b.jsonl" 300 7 B
{
    echo '{"case":"B-k","type":"t","payload":{"n":1},"idempotency_key":"dup-1"}'
    echo ''
    echo '{"case":"B-k","type":"t","payload":{"n":2},"idempotency_key":"dup-1"}'
    echo '{"case":"B-k","type":"t","payload":{"n":3},"idempotency_key":"A-5"}'
} >>"$D/b.jsonl"
expect_exit 0 "import from standard input, batches of 7" -- \
    bash -c "'$PLAINT_BIN' ledger import --batch 7 - <'$D/b.jsonl'"
check "repeated and recorded keys skipped" -- grep -q "appended 301 events, skipped 2" "$TMP_OUT"
check "per-case order kept over 43 batches" -- order_ok B
check "the first of the repeated keys counts" -- \
    test "$($P -c "SELECT payload FROM plaint.ledger_event WHERE idempotency_key = 'dup-1'")" = '{"n":1}'
gen "$D/big.jsonl" 500 40 G
expect_exit 0 "import with a batch larger than the file (200000)" -- \
    "$PLAINT_BIN" ledger import --batch 200000 "$D/big.jsonl"
check "all 500 in one batch, in order" -- test "$(count G)" = 500 -a \
    "$($P -c "SELECT count(DISTINCT occurred_at) FROM plaint.ledger_event WHERE case_id LIKE 'G-%'")" = 1
check "per-case order kept" -- order_ok G

# --- bad lines: earlier batches stay, nothing of the bad line's batch is written
bad_file() { # bad_file FILE LINE: 23 good lines (C cases, a blank line 3) with LINE replaced
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
out, at, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = [json.dumps({"case": "C-%d" % (i % 3), "type": "t", "payload": {"i": i}}) for i in range(24)]
lines[2] = ""
lines[at - 1] = text
open(out, "w").write("\n".join(lines) + "\n")
PY
}
n0=$(count C)
bad_file "$D/c1.jsonl" 14 '{"case":"C-1","type":"t","payload":{"i":1.5}}'
expect_exit 3 "a float in line 14 stops the import" -- \
    "$PLAINT_BIN" ledger import --batch 5 "$D/c1.jsonl"
check "the error names file and line 14" -- grep -q "c1.jsonl:14:" "$TMP_ERR"
check "the two batches before it are kept (10 events), its batch is not" -- \
    test "$(($(count C) - n0))" = 10
check "the output counts them" -- grep -q "appended 10 events" "$TMP_OUT"
n0=$(count C)
long=$(printf 'L%.0s' $(seq 1 201))
bad_file "$D/c2.jsonl" 9 "{\"case\":\"C-$long\",\"type\":\"t\",\"payload\":{}}"
expect_exit 3 "a 203-byte case id in line 9 stops the import" -- \
    "$PLAINT_BIN" ledger import --batch 5 "$D/c2.jsonl"
check "the error names file and line 9" -- grep -q "c2.jsonl:9:" "$TMP_ERR"
check "one batch before it is kept (5 events)" -- test "$(($(count C) - n0))" = 5
n0=$(count C)
bad_file "$D/c3.jsonl" 2 '{"case":"C-1","type":"t","payload":{},"extra":1}'
expect_exit 3 "an unknown field in line 2" -- "$PLAINT_BIN" ledger import "$D/c3.jsonl"
check "the error names file and line 2" -- grep -q "c3.jsonl:2: unknown field 'extra'" "$TMP_ERR"
bad_file "$D/c4.jsonl" 20 '{"case":"C-1","type":"t","payload":{}'
expect_exit 3 "malformed JSON in line 20 of one batch" -- "$PLAINT_BIN" ledger import "$D/c4.jsonl"
check "the error names file and line 20" -- grep -q "c4.jsonl:20:" "$TMP_ERR"
check "nothing written by either" -- test "$(count C)" = "$n0"
expect_exit 0 "verify after the failed imports" -- "$PLAINT_BIN" verify --pubkey "$PUB"

# --- imports racing single appends and each other on the same 20 cases
gen "$D/r1.jsonl" 6000 20 R
python3 - "$D/r1.jsonl" "$D/r2.jsonl" <<'PY'
import json, sys
# the same cases, without the per-case counter (two writers interleave on each case)
with open(sys.argv[2], "w") as f:
    for line in open(sys.argv[1]):
        ev = json.loads(line)
        ev["payload"] = {"w": 2, "i": ev["payload"]["i"]}
        f.write(json.dumps(ev) + "\n")
PY
python3 - "$D/r1.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
with open(sys.argv[1], "w") as f:
    for ev in lines:
        ev["payload"] = {"w": 1, "i": ev["payload"]["i"]}
        f.write(json.dumps(ev) + "\n")
PY
appender() { # appender ID: single appends to the same cases while $D/stop is absent
    local i=0
    while [ ! -e "$D/stop" ]; do
        i=$((i + 1))
        "$PLAINT_BIN" ledger append --case "R-00$((i % 10))" --type t.single \
            --payload "{\"a\":$1,\"i\":$i}" >/dev/null 2>>"$D/append.err" &&
            echo ok >>"$D/appended.$1"
    done
}
appender 1 &
ap1=$!
appender 2 &
ap2=$!
"$PLAINT_BIN" ledger import --batch 400 "$D/r1.jsonl" >"$D/r1.out" 2>&1 &
im1=$!
"$PLAINT_BIN" ledger import --batch 300 "$D/r2.jsonl" >"$D/r2.out" 2>&1
rc2=$?
wait $im1
rc1=$?
touch "$D/stop"
wait $ap1 $ap2
singles=$(cat "$D"/appended.* 2>/dev/null | wc -l)
check "both racing imports succeeded ($rc1, $rc2; $(tail -c 300 "$D/r1.out" "$D/r2.out" | tr '\n' ' '))" -- \
    test "$rc1" = 0 -a "$rc2" = 0
check "single appends succeeded meanwhile ($singles)" -- test "$singles" -gt 0
check "no single append failed ($(head -c 300 "$D/append.err"))" -- test ! -s "$D/append.err"
check "every event is there (12000 imported + $singles single)" -- \
    test "$(count R)" = $((12000 + singles))
check "each file's events keep their file order within every case" -- test "$($P -c "
    SELECT count(*) FROM (SELECT case_id, payload::jsonb ->> 'w' AS w,
        (payload::jsonb ->> 'i')::int AS i,
        lag((payload::jsonb ->> 'i')::int) OVER (PARTITION BY case_id, payload::jsonb ->> 'w'
                                                 ORDER BY case_seq) AS prev_i
        FROM plaint.ledger_event WHERE case_id LIKE 'R-%' AND event_type = 't.imp') x
    WHERE prev_i >= i")" = 0
check "case heads match their last events" -- heads_ok
check "every event is pending once" -- pending_ok
expect_exit 0 "verify after the race" -- "$PLAINT_BIN" verify --pubkey "$PUB"
expect_exit 0 "seal" -- "$PLAINT_BIN" ledger seal
expect_exit 0 "verify after sealing" -- "$PLAINT_BIN" verify --pubkey "$PUB"
finish
