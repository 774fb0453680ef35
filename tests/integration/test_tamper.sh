#!/usr/bin/env bash
# Tampering with the ledger as a PostgreSQL superuser who disables the append-only triggers:
# `plaint verify` must exit 1 and name the first bad record every time (docs/ledger-format.md,
# docs/database.md). Every scenario runs on a fresh copy of one pristine database (CREATE DATABASE
# ... TEMPLATE plaint); verify reads the copy with --db and switches to plaint_auditor itself.
# Forgeries that need real hashes use lib/forge.py, checked first against the untampered ledger.
. "$(dirname "$0")/lib/common.sh"

FORGE="$(cd "$(dirname "$0")" && pwd)/lib/forge.py"
export PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0 # we seal by hand
H=$(new_home)
export PLAINT_HOME=$H
PUB=$H/keys/ledger-signing.pem.pub
SOCK=$H/pg/run

sql() { # sql DB ARGS...: psql as the superuser
    PGOPTIONS="-c client_min_messages=warning" \
        psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -U plaint_admin -d "$@"
}
tamper() { # tamper SQL: one transaction on $DB, append-only triggers (and FK triggers) off
    sql "$DB" -1 -c "SET session_replication_role = replica;" -c "$1" ||
        not_ok "tamper SQL failed on $DB: $1"
}
verify_db() {
    "$PLAINT_BIN" verify --pubkey "${VERIFY_PUB:-$PUB}" \
        --db "host=$SOCK user=plaint_admin dbname=$DB" "$@"
}

# --- a ledger of 3 cases x 5 events, interleaved, sealed after every ~4 appends:
#   position: 0  1  2  3 | 4  5  6  7 | 8  9  10 11 | 12 | unsealed (pending)
#   event:    A1 B1 C1 A2| B2 C2 A3 B3| C3 A4 B4 C4 | C5 | A5 B5
#   checkpoint 1 (size 4), 2 (size 8), 3 (size 12), 4 (size 13)
# Case C ends sealed (its newest event is covered only by checkpoint 4); A and B end unsealed.
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
built=0
for step in A1 B1 C1 A2 S B2 C2 A3 B3 S C3 A4 B4 C4 S C5 S A5 B5; do
    if [ "$step" = S ]; then
        "$PLAINT_BIN" ledger seal >/dev/null || break
    else
        c=${step:0:1} s=${step:1}
        "$PLAINT_BIN" ledger append --case "$c" --type "complaint.step$s" --actor "alice" \
            --role handler --payload "{\"n\":$s,\"note\":\"case $c event $s\"}" >/dev/null || break
    fi
    built=$((built + 1))
done
check "ledger built (15 appends, 4 seals)" -- test "$built" -eq 19

# json_is FILE PYTHON-EXPR: the expression over j (the parsed JSON) must be true
json_is() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except ValueError:
    print("   no JSON on stdout", file=sys.stderr)
    sys.exit(1)
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    print("   got: " + json.dumps(j.get("first_bad", j)), file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}

DB=plaint
expect_exit 0 "untampered ledger verifies" -- verify_db --json
check "untampered: ok, 15 events, 3 cases, 4 checkpoints, 13 sealed, 2 unsealed" -- json_is \
    "$TMP_OUT" 'j["ok"] is True and "first_bad" not in j and j["events"] == 15 and
                j["cases"] == 3 and j["checkpoints"] == 4 and j["sealed"] == 13 and
                j["positions"] == 13 and j["unsealed"] == 2'
expect_exit 0 "untampered ledger verifies (text)" -- verify_db
check "text report says verified" -- grep -q "ledger verified (database): 15 events in 3 cases" \
    "$TMP_OUT"
expect_exit 0 "the forger recomputes every stored hash, root and checkpoint hash exactly" -- \
    python3 "$FORGE" --host "$SOCK" --dbname plaint selftest
check "forger selftest: no mismatches" -- grep -q ", 0 mismatches" "$TMP_OUT"
# With the triggers on, even the superuser is refused (which is why every scenario disables them)
for stmt in "UPDATE plaint.ledger_event SET actor = 'mallory'" \
    "DELETE FROM plaint.ledger_position WHERE position = 4" \
    "TRUNCATE plaint.ledger_checkpoint CASCADE" "DELETE FROM plaint.ledger_key"; do
    expect_exit 1 "triggers on: superuser refused: $stmt" -- sql plaint -c "$stmt"
    check "...as append-only" -- grep -q "history is append-only" "$TMP_ERR"
done
openssl genpkey -algorithm ed25519 -out "$H/mallory.pem" 2>/dev/null
openssl pkey -in "$H/mallory.pem" -pubout -out "$H/mallory.pem.pub" 2>/dev/null
check "attacker key generated" -- test -s "$H/mallory.pem.pub"

N=0
scenario() { # scenario: a fresh copy of the pristine database in $DB
    N=$((N + 1))
    DB=t_$N
    sql postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB TEMPLATE plaint"
}
drop() {
    sql postgres -c "DROP DATABASE IF EXISTS $DB"
}

# expect_bad DESC RECORD POSITION CASE SEQ CHECKPOINT [REASON-REGEX]: verify --json exits 1 and
# first_bad names exactly this record; plain verify exits 1 too and its message names the same.
expect_bad() {
    local desc=$1 record=$2 pos=$3 case=$4 seq=$5 cp=$6 reason=${7:-}
    local where
    expect_exit 1 "$desc: verify --json" -- verify_db --json
    # UBSan/ASan builds exit 1 too when they abort: make sure it was verify that said no
    check "$desc: no sanitizer report" -- bash -c "! grep -Eq 'runtime error|Sanitizer' '$TMP_ERR'"
    check "$desc: names $record (position $pos, case '$case', seq $seq, checkpoint $cp)" -- \
        json_is "$TMP_OUT" "j['ok'] is False and j['first_bad']['record'] == '$record' and
            j['first_bad']['position'] == $pos and j['first_bad']['case'] == '$case' and
            j['first_bad']['seq'] == $seq and j['first_bad']['checkpoint'] == $cp and
            __import__('re').search(r'''$reason''', j['first_bad']['reason']) is not None"
    # the same record in the one-line error of the text mode ($WHERE: another spelling of it)
    if [ -n "${WHERE:-}" ]; then
        where=$WHERE
    elif [ "$cp" -gt 0 ]; then
        where="checkpoint $cp"
    elif [ -n "$case" ]; then
        where="position $pos, case $case, seq $seq"
    elif [ "$pos" -ge 0 ]; then
        where="position $pos"
    else
        where="$record"
    fi
    expect_exit 1 "$desc: verify (text)" -- verify_db
    check "$desc: error names '$where'" -- grep -Eq "^plaint: verification failed: $where:" \
        "$TMP_ERR"
}

scenario
expect_exit 0 "a pristine copy verifies" -- verify_db --json
drop

# --- changed fields of one event: its own hash no longer matches (record event, its position)
scenario
tamper "UPDATE plaint.ledger_event SET payload = '{\"n\":2,\"note\":\"refund approved\"}'
        WHERE case_id = 'C' AND case_seq = 2"
expect_bad "changed payload" event 5 C 2 0 "content does not match its hash"
drop
scenario
tamper "UPDATE plaint.ledger_event SET actor = 'mallory' WHERE case_id = 'B' AND case_seq = 3"
expect_bad "changed actor" event 7 B 3 0 "content does not match its hash"
drop
scenario
tamper "UPDATE plaint.ledger_event SET actor_role = 'supervisor'
        WHERE case_id = 'A' AND case_seq = 4"
expect_bad "changed actor role" event 9 A 4 0 "content does not match its hash"
drop
scenario
tamper "UPDATE plaint.ledger_event SET event_type = 'complaint.closed'
        WHERE case_id = 'C' AND case_seq = 3"
expect_bad "changed event type" event 8 C 3 0 "content does not match its hash"
drop
scenario
tamper "UPDATE plaint.ledger_event SET occurred_at = occurred_at - interval '1 day'
        WHERE case_id = 'C' AND case_seq = 1"
expect_bad "changed time (one day)" event 2 C 1 0 "content does not match its hash"
drop
scenario
tamper "UPDATE plaint.ledger_event SET occurred_at = occurred_at + interval '1 microsecond'
        WHERE case_id = 'B' AND case_seq = 4"
expect_bad "changed time (one microsecond)" event 10 B 4 0 "content does not match its hash"
drop
# 'infinity' is a valid timestamptz, outside what the canonical form can express: malformed.
scenario
tamper "UPDATE plaint.ledger_event SET occurred_at = 'infinity' WHERE case_id = 'A' AND case_seq = 2"
expect_bad "changed time to infinity" event 3 A 2 0 "malformed: time .* outside years 1-9999"
drop
scenario
tamper "UPDATE plaint.ledger_event SET case_id = 'D' WHERE case_id = 'A' AND case_seq = 1"
expect_bad "event moved to another case" event 0 D 1 0 "content does not match its hash"
drop
# An unsealed event is protected by its hash (and its chain) only: named with position -1.
scenario
tamper "UPDATE plaint.ledger_event SET payload = '{\"n\":5,\"note\":\"withdrawn\"}'
        WHERE case_id = 'B' AND case_seq = 5"
expect_bad "changed payload of an unsealed event" event -1 B 5 0 "content does not match"
drop
# The position row's copy of the event hash (what the Merkle leaf is made of).
scenario
tamper "UPDATE plaint.ledger_position SET event_hash = sha256(event_hash) WHERE position = 10"
expect_bad "changed position hash" position 10 B 4 0 "records another event hash"
drop

# --- deleting a middle event (B2, position 4)
# Event and position row: the positions jump 3 -> 5, so the missing position is the record.
scenario
tamper "DELETE FROM plaint.ledger_position WHERE position = 4;
        DELETE FROM plaint.ledger_event WHERE case_id = 'B' AND case_seq = 2"
expect_bad "deleted middle event" position 4 "" 0 0 "missing"
drop
# Only the event row: its position row remains and points at nothing.
scenario
tamper "DELETE FROM plaint.ledger_event WHERE case_id = 'B' AND case_seq = 2"
expect_bad "deleted middle event (event row only)" position 4 "" 0 0 "event is missing"
drop
# Closing the gap by renumbering positions 5.. down: the first event that no longer fits is B3
# (now at position 6), whose case chain jumps from seq 1 to seq 3.
scenario
tamper "DELETE FROM plaint.ledger_position WHERE position = 4;
        DELETE FROM plaint.ledger_event WHERE case_id = 'B' AND case_seq = 2;
        CREATE TEMP TABLE p AS SELECT * FROM plaint.ledger_position WHERE position > 4;
        DELETE FROM plaint.ledger_position WHERE position > 4;
        INSERT INTO plaint.ledger_position SELECT position - 1, event_id, event_hash FROM p"
expect_bad "deleted middle event, positions renumbered" event 6 B 3 0 "in between missing"
drop

# --- deleting the newest sealed event of a case
# C5 (position 12) is the last event of case C, so no chain link points at it: only the signed
# checkpoint 4, the one checkpoint covering position 12, can tell that it existed.
scenario
tamper "DELETE FROM plaint.ledger_position WHERE position = 12;
        DELETE FROM plaint.ledger_event WHERE case_id = 'C' AND case_seq = 5;
        UPDATE plaint.ledger_case_head SET last_seq = 4,
            last_hash = (SELECT hash FROM plaint.ledger_event WHERE case_id = 'C' AND case_seq = 4)
        WHERE case_id = 'C'"
expect_bad "deleted newest sealed event of case C" checkpoint -1 "" 0 4 \
    "covers 13 positions but only 12 exist"
drop
# A4 (position 9) is the newest sealed event of case A. With the positions renumbered to close
# the gap, every event still fits its chain up to position 11, so the first record that
# contradicts the history is checkpoint 3, whose signed root covers positions 8..11.
scenario
tamper "DELETE FROM plaint.ledger_position WHERE position = 9;
        DELETE FROM plaint.ledger_event WHERE case_id = 'A' AND case_seq = 4;
        CREATE TEMP TABLE p AS SELECT * FROM plaint.ledger_position WHERE position > 9;
        DELETE FROM plaint.ledger_position WHERE position > 9;
        INSERT INTO plaint.ledger_position SELECT position - 1, event_id, event_hash FROM p"
expect_bad "deleted newest sealed event of case A, positions renumbered" checkpoint -1 "" 0 3 \
    "Merkle root over positions 0..11 does not match"
drop

# --- a forged event inserted into a chain, with real hashes (lib/forge.py): a forged A3 after
# A2 at position 4; the later events of case A renumbered and rehashed, positions 4.. shifted.
# Every event, chain link and position hash is then consistent, so no event is "the" bad one:
# the right record is checkpoint 2, the first signed root over the altered positions (4..7).
# Checkpoint 1 (positions 0..3) still matches.
scenario
expect_exit 0 "forge: insert an event into case A" -- \
    python3 "$FORGE" --host "$SOCK" --dbname "$DB" insert --case A --after-seq 2
expect_bad "forged event inserted in a chain" checkpoint -1 "" 0 2 \
    "Merkle root over positions 0..7 does not match"
drop
# A forged event written straight into ledger_event (correct hash, linked after C5) but neither
# sequenced nor queued: the program never wrote it, and verify names it.
scenario
expect_exit 0 "forge: append an event around the program" -- \
    python3 "$FORGE" --host "$SOCK" --dbname "$DB" append --case C
WHERE=".*case C, seq 6" expect_bad "forged event neither sequenced nor pending" event -1 C 6 0 \
    "pending"
drop
# An already sequenced event (A2, position 3) queued again in ledger_pending: reached twice, so
# check 6 of docs/ledger-format.md section 7 fails (rows in ledger_event != events reached
# through ledger_position and ledger_pending). Left undetected, the next seal fails forever on
# ledger_position's UNIQUE (event_id). The record is A2, at position 3 or as unsequenced (-1).
scenario
tamper "INSERT INTO plaint.ledger_pending
        SELECT id FROM plaint.ledger_event WHERE case_id = 'A' AND case_seq = 2"
expect_exit 1 "sequenced event queued again: verify --json" -- verify_db --json
check "sequenced event queued again: names event A seq 2" -- json_is "$TMP_OUT" \
    "j['ok'] is False and j['first_bad']['record'] == 'event' and
     j['first_bad']['case'] == 'A' and j['first_bad']['seq'] == 2 and
     j['first_bad']['position'] in (3, -1) and j['first_bad']['checkpoint'] == 0"
expect_exit 1 "sequenced event queued again: verify (text)" -- verify_db
drop
# Not asserted, by design: a forged event appended to the unsealed tail of a case WITH a pending
# row ('forge.py append --pending'), or an unsealed tail rewritten with fresh hashes, is exactly
# what a legitimate append looks like. Unsealed events are protected by their hash chains only
# until the next checkpoint (verify reports them as unsealed).

# --- swapping two events
# Same case: A2 (position 3) and A3 (position 6) trade positions (with their position hashes).
# At position 3 case A's chain jumps from seq 1 to seq 3.
scenario
tamper "CREATE TEMP TABLE p AS SELECT * FROM plaint.ledger_position WHERE position IN (3, 6);
        DELETE FROM plaint.ledger_position WHERE position IN (3, 6);
        INSERT INTO plaint.ledger_position SELECT 9 - position, event_id, event_hash FROM p"
expect_bad "swapped two events of one case" event 3 A 3 0 "follows seq 1 of its case"
drop
# Different cases: C2 (5) and A3 (6). Each chain is still in order, so only the Merkle root of
# checkpoint 2 (positions 4..7) shows it.
scenario
tamper "CREATE TEMP TABLE p AS SELECT * FROM plaint.ledger_position WHERE position IN (5, 6);
        DELETE FROM plaint.ledger_position WHERE position IN (5, 6);
        INSERT INTO plaint.ledger_position SELECT 11 - position, event_id, event_hash FROM p"
expect_bad "swapped two events of different cases" checkpoint -1 "" 0 2 \
    "Merkle root over positions 0..7 does not match"
drop
# Only the event ids swapped, the position rows keep their hashes: position 5 now holds A3.
scenario
tamper "CREATE TEMP TABLE p AS SELECT * FROM plaint.ledger_position WHERE position IN (5, 6);
        DELETE FROM plaint.ledger_position WHERE position IN (5, 6);
        INSERT INTO plaint.ledger_position SELECT p.position, q.event_id, p.event_hash
        FROM p JOIN p q ON q.position = 11 - p.position"
expect_bad "swapped event ids of two positions" position 5 A 3 0 "records another event hash"
drop
# The contents of A2 and A3 swapped in place (payloads): A2 no longer matches its hash.
scenario
tamper "CREATE TEMP TABLE x AS SELECT case_seq, payload FROM plaint.ledger_event
        WHERE case_id = 'A' AND case_seq IN (2, 3);
        UPDATE plaint.ledger_event e SET payload = x.payload FROM x
        WHERE e.case_id = 'A' AND e.case_seq IN (2, 3) AND x.case_seq = 5 - e.case_seq"
expect_bad "swapped payloads of two events" event 3 A 2 0 "content does not match its hash"
drop

# --- the whole history rewritten with freshly recomputed hashes (lib/forge.py): A1's payload
# changed and every event hash, chain link, position hash and case head recomputed. All events
# are consistent, so the right record is checkpoint 1, the first signed root over position 0.
scenario
expect_exit 0 "forge: rewrite history" -- python3 "$FORGE" --host "$SOCK" --dbname "$DB" \
    rewrite --case A --seq 1 --payload '{"n":1,"note":"nothing happened"}'
expect_bad "history rewritten with recomputed hashes" checkpoint -1 "" 0 1 \
    "Merkle root over positions 0..3 does not match"
drop
# ... and the checkpoints' roots, chain and hashes recomputed too (the attacker cannot sign):
scenario
expect_exit 0 "forge: rewrite history and checkpoints" -- \
    python3 "$FORGE" --host "$SOCK" --dbname "$DB" rewrite --case A --seq 1 \
    --payload '{"n":1,"note":"nothing happened"}' --checkpoints rehash
expect_bad "history and checkpoint hashes rewritten" checkpoint -1 "" 0 1 \
    "signature is not valid"
drop
# ... and re-signed with the attacker's key, stored in place of ours. The forgery is perfect
# against its own key (which proves forge.py is exact), and only the trusted key exposes it.
scenario
expect_exit 0 "forge: rewrite history, re-sign with another key" -- \
    python3 "$FORGE" --host "$SOCK" --dbname "$DB" rewrite --case A --seq 1 \
    --payload '{"n":1,"note":"nothing happened"}' --checkpoints resign --key "$H/mallory.pem"
expect_bad "history re-signed with another key" key -1 "" 0 0 "is not the trusted key"
VERIFY_PUB=$H/mallory.pem.pub expect_exit 0 "the re-signed forgery is consistent (its own key)" \
    -- verify_db --json
drop

# --- changing a checkpoint: its stored hash or signature no longer matches
scenario
tamper "UPDATE plaint.ledger_checkpoint SET root_hash = (SELECT root_hash FROM
        plaint.ledger_checkpoint WHERE seq = 1) WHERE seq = 2"
expect_bad "changed checkpoint root" checkpoint -1 "" 0 2 "stored hash does not match"
drop
scenario
tamper "UPDATE plaint.ledger_checkpoint SET tree_size = 11 WHERE seq = 3"
expect_bad "changed checkpoint tree size" checkpoint -1 "" 0 3 "stored hash does not match"
drop
scenario
tamper "UPDATE plaint.ledger_checkpoint SET created_at = created_at + interval '1 microsecond'
        WHERE seq = 1"
expect_bad "changed checkpoint time" checkpoint -1 "" 0 1 "stored hash does not match"
drop
scenario
tamper "UPDATE plaint.ledger_checkpoint SET prev_hash = sha256(prev_hash) WHERE seq = 2"
expect_bad "changed checkpoint link" checkpoint -1 "" 0 2 "stored hash does not match"
drop
scenario
tamper "UPDATE plaint.ledger_checkpoint SET hash = sha256(hash) WHERE seq = 3"
expect_bad "changed checkpoint hash" checkpoint -1 "" 0 3 "stored hash does not match"
drop
scenario
tamper "UPDATE plaint.ledger_checkpoint SET created_at = 'infinity' WHERE seq = 2"
expect_bad "changed checkpoint time to infinity" checkpoint -1 "" 0 2 "outside years 1-9999"
drop
scenario
tamper "UPDATE plaint.ledger_checkpoint
        SET signature = set_byte(signature, 10, get_byte(signature, 10) # 1) WHERE seq = 4"
expect_bad "changed checkpoint signature" checkpoint -1 "" 0 4 "signature is not valid"
drop
# The stored Merkle frontier is not signed, but the next seal continues from it: verify checks
# it against the tree, so a changed one is named on its checkpoint.
scenario
tamper "UPDATE plaint.ledger_checkpoint
        SET frontier = set_byte(frontier, 12, get_byte(frontier, 12) # 1) WHERE seq = 2"
expect_bad "changed stored frontier" checkpoint -1 "" 0 2 "stored Merkle frontier"
drop

# --- deleting a checkpoint. The record named is the missing checkpoint itself, as a missing
# position is named by its own number.
scenario
tamper "DELETE FROM plaint.ledger_checkpoint WHERE seq = 2"
expect_bad "deleted middle checkpoint" checkpoint -1 "" 0 2 "checkpoint 2"
drop
scenario
tamper "DELETE FROM plaint.ledger_checkpoint WHERE seq = 1"
expect_bad "deleted first checkpoint" checkpoint -1 "" 0 1 "checkpoint 1"
drop
# Renumbered to close the gap: checkpoint 3 stored as 2 no longer matches its signed content.
scenario
tamper "DELETE FROM plaint.ledger_checkpoint WHERE seq = 2;
        CREATE TEMP TABLE c AS SELECT * FROM plaint.ledger_checkpoint WHERE seq > 2;
        DELETE FROM plaint.ledger_checkpoint WHERE seq > 2;
        INSERT INTO plaint.ledger_checkpoint SELECT seq - 1, tree_size, root_hash, prev_hash,
            created_at, key_id, signature, hash, frontier FROM c"
expect_bad "deleted checkpoint, later ones renumbered" checkpoint -1 "" 0 2 \
    "stored hash does not match"
drop
# Not asserted, by design: deleting the NEWEST checkpoint (4) leaves a ledger that verifies
# (exit 0): it looks exactly like the ledger before the last seal, with position 12 sequenced but
# not yet sealed. Nothing in the database can prove that a later checkpoint existed; only a copy
# saved elsewhere (an exported bundle, a published root) can. The same holds for the newest
# events deleted together with every checkpoint covering them, and for the whole history
# rewritten (forge.py rewrite) once every checkpoint is deleted.

# --- replacing the public key stored in the database (the trusted key comes from --pubkey)
scenario
tamper "UPDATE plaint.ledger_key SET public_key = '$(cat "$H/mallory.pem.pub")'"
expect_bad "replaced stored public key (same key id)" key -1 "" 0 0 "does not match its key id"
drop
mkid=$(openssl pkey -in "$H/mallory.pem" -pubout -outform DER 2>/dev/null | tail -c 32 |
    sha256sum | cut -c1-64)
scenario
tamper "INSERT INTO plaint.ledger_key (key_id, public_key)
            VALUES ('$mkid', '$(cat "$H/mallory.pem.pub")');
        UPDATE plaint.ledger_checkpoint SET key_id = '$mkid';
        DELETE FROM plaint.ledger_key WHERE key_id <> '$mkid'"
expect_bad "replaced stored public key and key id" key -1 "" 0 0 "is not the trusted key"
drop

finish
