#!/usr/bin/env bash
# The personal-data vault through the CLI: subjects recorded with encrypted personal data that
# never reaches the ledger, a database dump or an exported bundle in clear; subject access
# export; legal holds blocking erasure; erasure by crypto-shredding that leaves the ledger
# verifiable; master-key rotation after which the old key file can go; hostile input.
# Runs in bootstrap mode (no users) except for the final denial.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_TOKEN PLAINT_MASTER_KEY
PG_DUMP=/usr/lib/postgresql/15/bin/pg_dump
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
dump() { "$PG_DUMP" -h "$H/pg/run" -U plaint_admin plaint >"$1"; }
events() { $P -c "SELECT count(*) FROM plaint.ledger_event"; }
W=$H/work
mkdir -p "$W"

expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
expect_exit 5 "subject add without a master key is refused (environment)" -- "$PLAINT_BIN" subject add S-0 --class complaint --name X
check "the message says master-init" -- grep -q "master-init" "$TMP_ERR"
expect_exit 0 "keys master-init" -- "$PLAINT_BIN" keys master-init
OLDKEY=$(ls "$H"/keys/master/*.key)
check "one master key file, mode 0600" -- test "$(stat -c %a "$OLDKEY")" = 600
expect_exit 3 "a second master-init is refused" -- "$PLAINT_BIN" keys master-init

# Distinctive personal data (UTF-8, quotes, an SQL injection attempt).
NAME1="Zoë Łukasiewicz-Ørsted"
EMAIL1="zoe.lukasiewicz@example.org"
PHONE1="+33 6 12 34 56 78"
ADDR1="17 Rue des Écoles, 75005 Paris"
NARR1="Robert'); DROP TABLE plaint.vault_item;-- said \"the fee was unfair\" and it's wrong"
NAME2="Åsa Nyström"
EMAIL2="asa.nystrom@example.se"
ADDR2="Drottninggatan 5, 111 51 Stockholm"
DATA=("$NAME1" "$EMAIL1" "$PHONE1" "$ADDR1" "$NARR1" "$NAME2" "$EMAIL2" "$ADDR2"
      "Łukasiewicz" "lukasiewicz@example" "34 56 78" "DROP TABLE plaint.vault_item" "Nyström")

expect_exit 0 "subject S-1 recorded" -- "$PLAINT_BIN" subject add S-1 --class complaint --name "$NAME1" --email "$EMAIL1" --phone "$PHONE1" --address "$ADDR1" --narrative "$NARR1" --retention-start 2024-01-31
expect_exit 0 "subject S-2 recorded" -- "$PLAINT_BIN" subject add S-2 --class complaint --name "$NAME2" --email "$EMAIL2" --address "$ADDR2"
expect_exit 3 "a subject id is recorded once" -- "$PLAINT_BIN" subject add S-2 --class complaint --name Other
expect_exit 3 "a bad date is bad input" -- "$PLAINT_BIN" subject add S-9 --class complaint --retention-start 2024-02-30
expect_exit 0 "set-retention" -- "$PLAINT_BIN" subject set-retention S-2 --start 2024-03-01
check "the vault table still exists" -- test "$($P -c "SELECT count(*) FROM plaint.vault_item")" = 8
check "S-1 ledger event names fields by commitment and ref only" -- bash -c "$P -c \"SELECT payload FROM plaint.ledger_event WHERE case_id = 'subject:S-1'\" | grep -Eq '\"name\":\\{\"commit\":\"[0-9a-f]{64}\",\"ref\":\"vault:[0-9]+\"\\}'"
check "retention event recorded" -- test "$($P -c "SELECT payload FROM plaint.ledger_event WHERE case_id = 'subject:S-2' AND event_type = 'subject.retention_started'")" = '{"start":"2024-03-01"}'
expect_exit 0 "the ledger verifies" -- "$PLAINT_BIN" verify

# Subject access export returns the exact plaintext.
expect_exit 0 "export S-1" -- "$PLAINT_BIN" subject export S-1
cp "$TMP_OUT" "$W/export1.json"
check "export S-1 has the exact values" -- python3 - "$W/export1.json" "$NAME1" "$EMAIL1" "$PHONE1" "$ADDR1" "$NARR1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
f = d["fields"]
want = dict(zip(["name", "email", "phone", "address", "narrative"], sys.argv[2:7]))
assert f == want, f
assert d["erased"] is False and d["class"] == "complaint" and d["retention_start"] == "2024-01-31"
assert [e["type"] for e in d["events"]] == ["subject.recorded"]
PY

# Nothing personal in clear in the database, a dump, the data directory or an exported bundle.
expect_exit 0 "seal" -- "$PLAINT_BIN" ledger seal
expect_exit 0 "ledger export" -- "$PLAINT_BIN" ledger export --out "$W/bundle1"
dump "$W/before-erase.sql"
check "pg_dump is not empty and holds the vault" -- grep -q "vault_item" "$W/before-erase.sql"
# $W/leaks.py FILE|DIR/... -- DATUM...: exit 0 (and names it) if any datum appears in clear, as
# hex (pg_dump writes bytea as hex) or JSON-escaped.
cat >"$W/leaks.py" <<'PY'
import json, os, sys
args = sys.argv[1:]
sep = args.index("--")
paths, data = args[:sep], args[sep + 1:]
blobs = []
for p in paths:
    if os.path.isdir(p):
        for root, _, names in os.walk(p):
            for n in names:
                try:
                    blobs.append((os.path.join(root, n), open(os.path.join(root, n), "rb").read()))
                except OSError:
                    pass
    else:
        blobs.append((p, open(p, "rb").read()))
found = False
for d in data:
    raw = d.encode("utf-8")
    forms = {raw, raw.hex().encode(), raw.hex().upper().encode(),
             json.dumps(d, ensure_ascii=False)[1:-1].encode("utf-8"),
             json.dumps(d, ensure_ascii=True)[1:-1].encode()}
    for name, b in blobs:
        for form in forms:
            if form in b:
                print("leak of %r in %s" % (d, name))
                found = True
sys.exit(0 if found else 1)
PY
# no_leak PATH...: fails if any of DATA leaks into PATH
no_leak() { ! python3 "$W/leaks.py" "$@" -- "${DATA[@]}"; }
no_leak1() { ! python3 "$W/leaks.py" "$@" -- "$NAME1" "$EMAIL1" "$PHONE1" "$ADDR1" "$NARR1"; }
# a positive control: the detector finds what it should
check "the leak detector finds a datum in the export" -- python3 "$W/leaks.py" "$W/export1.json" -- "$NAME1"
check "the leak detector finds hex" -- bash -c "printf '%s' '$EMAIL1' | od -An -tx1 | tr -d ' \n' >'$W/hex.txt'; python3 '$W/leaks.py' '$W/hex.txt' -- '$EMAIL1' >/dev/null"
check "no personal data in pg_dump before erasure (clear or hex)" -- no_leak "$W/before-erase.sql"
check "no personal data in the exported bundle" -- no_leak "$W/bundle1"
check "no personal data anywhere in the cluster's data directory" -- no_leak "$H/pg"
$P -c 'SELECT payload FROM plaint.ledger_event' >"$W/ledger.txt"
check "the ledger table holds no personal data" -- no_leak "$W/ledger.txt"
check "the auditor role cannot read ciphertext" -- bash -c "! psql -X -q -t -A -h $H/pg/run -U plaint_auditor -d plaint -c 'SELECT count(*) FROM plaint.vault_item' 2>/dev/null"
check "the auditor role reads subjects and holds" -- bash -c "psql -X -q -t -A -h $H/pg/run -U plaint_auditor -d plaint -c 'SELECT subject_id, erased_at FROM plaint.vault_subject; SELECT count(*) FROM plaint.legal_hold' >/dev/null"

# A legal hold blocks erasure; releasing it allows it.
expect_exit 0 "hold placed on S-1" -- "$PLAINT_BIN" hold add S-1 --reason "litigation L-2024-17"
HOLD=$(awk '/^hold [0-9]+ placed/{print $2}' "$TMP_OUT")
check "hold id printed" -- test -n "$HOLD"
before=$(events)
expect_exit 4 "erase under hold is refused" -- "$PLAINT_BIN" subject erase S-1 --reason "customer request R-1"
check "the refusal names the hold" -- grep -q "legal hold $HOLD (litigation L-2024-17" "$TMP_ERR"
check "nothing was written but the refusal in the security log" -- test "$(events)" = "$((before + 1))"
check "the refusal is in the security log" -- bash -c "$P -c \"SELECT payload FROM plaint.ledger_event WHERE case_id = 'security-log' ORDER BY case_seq DESC LIMIT 1\" | grep -q 'legal hold'"
check "S-1 data still there" -- test "$($P -c "SELECT count(*) FROM plaint.vault_item WHERE subject_id = 'S-1'")" = 5
expect_exit 0 "hold released" -- "$PLAINT_BIN" hold release "$HOLD"
expect_exit 3 "a hold is released once" -- "$PLAINT_BIN" hold release "$HOLD"
expect_exit 0 "erase S-1" -- "$PLAINT_BIN" subject erase S-1 --reason "customer request R-1"
expect_exit 3 "a subject is erased once" -- "$PLAINT_BIN" subject erase S-1 --reason "again"
expect_exit 0 "the ledger verifies after erasure" -- "$PLAINT_BIN" verify
check "ciphertexts are gone" -- test "$($P -c "SELECT count(*) FROM plaint.vault_item WHERE subject_id = 'S-1'")" = 0
check "the wrapped data key is gone" -- test "$($P -c "SELECT wrapped_dek IS NULL AND master_key_id IS NULL AND erased_at IS NOT NULL FROM plaint.vault_subject WHERE subject_id = 'S-1'")" = t
check "the erasure is on the ledger with its reason" -- test "$($P -c "SELECT payload FROM plaint.ledger_event WHERE case_id = 'subject:S-1' AND event_type = 'subject.erased'")" = '{"items":5,"policy":"request","reason":"customer request R-1"}'
check "hold events on the ledger" -- test "$($P -c "SELECT string_agg(event_type, ',' ORDER BY case_seq) FROM plaint.ledger_event WHERE case_id = 'subject:S-1'")" = "subject.recorded,hold.placed,hold.released,subject.erased"
expect_exit 0 "export of an erased subject" -- "$PLAINT_BIN" subject export S-1
cp "$TMP_OUT" "$W/export1-erased.json"
check "the export shows the erasure and no personal data" -- python3 -c "
import json, sys
d = json.load(open('$W/export1-erased.json', encoding='utf-8'))
assert d['erased'] is True and d['fields'] == {} and d['erased_at'], d
assert d['events'][-1]['type'] == 'subject.erased'
"
check "the erased export leaks nothing" -- no_leak1 "$W/export1-erased.json"
dump "$W/after-erase.sql"
check "no personal data in pg_dump after erasure" -- no_leak "$W/after-erase.sql"
check "S-2 is untouched" -- bash -c "'$PLAINT_BIN' subject export S-2 | grep -qF '$EMAIL2'"

# Rotation: the old key file can go, everything still decrypts.
expect_exit 0 "keys rotate" -- "$PLAINT_BIN" keys rotate
check "rotation lists the old key file" -- grep -qxF "$OLDKEY" "$TMP_OUT"
check "the old key file is not deleted" -- test -f "$OLDKEY"
OLDID=$(basename "$OLDKEY" .key); OLDID=${OLDID#*-}
NEWID=$(awk '/^new master key/{print $4}' "$TMP_OUT")
check "keys.rotated recorded" -- test "$($P -c "SELECT payload FROM plaint.ledger_event WHERE case_id = 'keys' AND event_type = 'keys.rotated'")" = "{\"from\":[\"$OLDID\"],\"to\":\"$NEWID\"}"
check "every data key names the new master key" -- test "$($P -c "SELECT count(*) FROM plaint.vault_subject WHERE wrapped_dek IS NOT NULL AND (master_key_id <> '$NEWID' OR substring(wrapped_dek FROM 5 FOR 32) <> convert_to('$NEWID', 'UTF8'))")" = 0
mv "$OLDKEY" "$W/retired.key"
expect_exit 0 "export after the old key is removed" -- "$PLAINT_BIN" subject export S-2
check "S-2 still decrypts exactly" -- python3 -c "
import json, sys
d = json.load(open('$TMP_OUT', encoding='utf-8'))
assert d['fields'] == {'name': sys.argv[1], 'email': sys.argv[2], 'address': sys.argv[3]}, d
assert d['retention_start'] == '2024-03-01'
" "$NAME2" "$EMAIL2" "$ADDR2"
expect_exit 0 "a new subject after rotation" -- "$PLAINT_BIN" subject add S-3 --class complaint --name "Ünal Çelik"
check "S-3 wrapped under the new key" -- test "$($P -c "SELECT master_key_id FROM plaint.vault_subject WHERE subject_id = 'S-3'")" = "$NEWID"
check "new data decrypts too" -- bash -c "'$PLAINT_BIN' subject export S-3 | grep -qF 'Ünal Çelik'"
expect_exit 0 "the ledger verifies after rotation" -- "$PLAINT_BIN" verify

# Hostile input: a 1 MiB narrative round-trips; invalid UTF-8 is refused with nothing written.
python3 -c "
import random
random.seed(7)
alphabet = 'abcdefghijklmnopqrstuvwxyz ÅÄÖéüß€\"\\\\\'\n\t<>&;--' + chr(0x1F600)
s = ''.join(random.choice(alphabet) for _ in range(400000)).encode('utf-8')[:1 << 20]
s = s.decode('utf-8', 'ignore').encode('utf-8')
while len(s) < (1 << 20):
    s += b'x'
open('$W/big.txt', 'wb').write(s)
"
check "the big narrative is 1 MiB" -- test "$(stat -c %s "$W/big.txt")" = 1048576
expect_exit 0 "a 1 MiB narrative is stored" -- "$PLAINT_BIN" subject add S-BIG --class complaint --narrative-file "$W/big.txt"
expect_exit 0 "and exported" -- "$PLAINT_BIN" subject export S-BIG
check "the 1 MiB narrative comes back intact" -- python3 -c "
import json
d = json.load(open('$TMP_OUT', encoding='utf-8'))
assert d['fields']['narrative'].encode('utf-8') == open('$W/big.txt', 'rb').read()
"
before=$(events)
subjects=$($P -c "SELECT count(*) FROM plaint.vault_subject")
expect_exit 3 "invalid UTF-8 in --name is refused" -- "$PLAINT_BIN" subject add S-BAD --class complaint --name "$(printf 'Bad\xff\xfeName')" --email bad@example.org
check "the refusal names the field" -- grep -q "name" "$TMP_ERR"
check "no ledger event written" -- test "$(events)" = "$before"
check "no subject written" -- test "$($P -c "SELECT count(*) FROM plaint.vault_subject")" = "$subjects"
printf 'ok\000hidden' >"$W/nul.txt"
expect_exit 3 "a NUL byte in a narrative file is refused" -- "$PLAINT_BIN" subject add S-BAD --class complaint --narrative-file "$W/nul.txt"
check "still nothing written" -- test "$(events)" = "$before"
expect_exit 3 "a bad subject id is refused" -- "$PLAINT_BIN" subject add "S 1;DROP" --class complaint --name X
expect_exit 3 "an unknown subject" -- "$PLAINT_BIN" subject export NOPE
expect_exit 0 "the ledger verifies at the end" -- "$PLAINT_BIN" verify

# Once users exist the policy applies: an admin manages keys but reads no personal data.
expect_exit 0 "bootstrap admin" -- "$PLAINT_BIN" user add admin --name "Ada Admin" --role admin --issue-token
ADMIN=$(awk '/token \(shown once\)/{print $4}' "$TMP_OUT")
expect_exit 4 "an admin may not export a subject" -- "$PLAINT_BIN" --token "$ADMIN" subject export S-2
expect_exit 4 "an admin may not erase a subject" -- "$PLAINT_BIN" --token "$ADMIN" subject erase S-2 --reason x
check "S-2 is not erased" -- test "$($P -c "SELECT erased_at IS NULL FROM plaint.vault_subject WHERE subject_id = 'S-2'")" = t
expect_exit 0 "an admin may rotate the master key" -- "$PLAINT_BIN" --token "$ADMIN" keys rotate
expect_exit 0 "the ledger verifies" -- "$PLAINT_BIN" --token "$ADMIN" verify
finish
