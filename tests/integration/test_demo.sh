#!/usr/bin/env bash
# scripts/demo-steps.sh (what `bash scripts/demo.sh` runs after setting up) against a fresh home,
# twice: both runs exit 0 and end with `plaint verify` passing; the first imports the CFPB file
# and the second imports nothing and reuses the users' tokens (kept in $PLAINT_HOME/demo-tokens,
# mode 0600); each run walks one complaint from intake to archived, with its refund credited.
. "$(dirname "$0")/lib/common.sh"

DATA=$(dirname "$PLAINT_SOURCE_DIR")/shared/data/cfpb_complaints.csv
[ -f "$DATA" ] || DATA=/work/shared/data/cfpb_complaints.csv
H=$(new_home)
export PLAINT_HOME=$H PLAINT_DEMO_OUT=$TEST_ROOT/out PLAINT_DEMO_DATA=$DATA
unset PLAINT_TOKEN PLAINT_MASTER_KEY
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }
LOG1=$TEST_ROOT/demo1.log
LOG2=$TEST_ROOT/demo2.log

# Run 1: fresh home.
bash "$PLAINT_SOURCE_DIR/scripts/demo-steps.sh" >"$LOG1" 2>&1
rc=$?
check "first run exits 0 (got $rc)" -- test "$rc" -eq 0
[ "$rc" -eq 0 ] || tail -n 30 "$LOG1"
check "first run: keys created" -- test -s "$H/keys/ledger-signing.pem.pub"
check "first run: the import went in" -- grep -q "3690 complaints imported, 0 already there" "$LOG1"
check "first run: verify passed" -- grep -q "^verify: exit 0$" "$LOG1"
check "first run: the bundle verified offline" -- grep -q "^ledger verified (.*bundle-" "$LOG1"
check "first run: the proof is valid" -- grep -q "^valid: position" "$LOG1"
check "tokens kept with mode 0600" -- test "$(stat -c %a "$H/demo-tokens")" = 600
check "tokens for seven users" -- test "$(wc -l <"$H/demo-tokens")" = 7
check "no token printed" -- bash -c "! grep -q 'plt_' '$LOG1'"
ref1=$(sed -n 's/^reference number: //p' "$LOG1")
check "first run: complaint $ref1 archived, satisfaction 4" -- test "$(q "SELECT status || ' ' || satisfaction FROM plaint.complaint WHERE ref = '$ref1'")" = "archived 4"
check "first run: its refund credited" -- test "$(q "SELECT status FROM plaint.refund WHERE ref = '$ref1'")" = credited
check "first run: resolution and acknowledgement in the outbox" -- test "$(q "SELECT string_agg(kind, ',' ORDER BY message_id) FROM plaint.outbox WHERE ref = '$ref1'")" = "acknowledgement,resolution"

# The reports it wrote into out/: a schema-valid signed return, signed PDFs, all verified.
OUT=$TEST_ROOT/out
RET=$(ls "$OUT"/regulator-return-*.xml 2>/dev/null | head -n 1)
check "first run: a regulator return in out/" -- test -s "$RET"
check "(it is schema-valid for xmllint)" -- xmllint --noout --schema "$PLAINT_SOURCE_DIR/schemas/xml/regulator-return-v1.xsd" "$RET"
check "(and xmlsec1 accepts its signature)" -- xmlsec1 --verify --trusted-pem "$H/keys/report-signing-cert.pem" "$RET"
check "first run: a case export in out/" -- bash -c "test -s \"\$(ls '$OUT'/case-export-*.xml | head -n 1)\""
for kind in weekly monthly audit case; do
    f=$(ls "$OUT"/$kind-*.pdf 2>/dev/null | head -n 1)
    check "first run: a signed $kind PDF in out/ that pdfsig calls valid" -- bash -c "pdfsig '$f' 2>&1 | grep -q 'Signature is Valid'"
done
check "first run: the reports verified against the ledger (XML and PDF)" -- test "$(grep -c -e '^signature: valid' -e 'PAdES signature valid' "$LOG1")" -ge 3

# Run 2: same home.
users=$(q "SELECT count(*) FROM plaint.app_user")
bash "$PLAINT_SOURCE_DIR/scripts/demo-steps.sh" >"$LOG2" 2>&1
rc=$?
check "second run exits 0 (got $rc)" -- test "$rc" -eq 0
[ "$rc" -eq 0 ] || tail -n 30 "$LOG2"
check "second run: nothing imported" -- grep -q "0 complaints imported, 3690 already there" "$LOG2"
check "second run: no new user" -- test "$(q "SELECT count(*) FROM plaint.app_user")" = "$users"
check "second run: tokens reused" -- test "$(grep -c 'token reused' "$LOG2")" = 7
check "second run: verify passed" -- grep -q "^verify: exit 0$" "$LOG2"
ref2=$(sed -n 's/^reference number: //p' "$LOG2")
check "second run: a new complaint ($ref2), archived" -- test "$ref2" != "$ref1" -a "$(q "SELECT status FROM plaint.complaint WHERE ref = '$ref2'")" = archived
check "imported complaints: 3690, plus the two walked through" -- test "$(q "SELECT count(*) FROM plaint.complaint")" = 3692
expect_exit 0 "the ledger verifies afterwards" -- "$PLAINT_BIN" --token "$(awk '$1 == "ada" {print $2}' "$H/demo-tokens")" verify
finish
