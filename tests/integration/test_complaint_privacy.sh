#!/usr/bin/env bash
# A customer's complaint narrative is personal data: when the customer's record names a vault
# subject, intake (`plaint complaint new`, and `plaint import csv` for rows with a customer) seals
# the narrative in the vault and the ledger and projections carry only its reference. Checked:
# no narrative text in any ledger payload or anywhere in a database dump; `complaint show`
# decrypts it for an agent, withholds it from an auditor (no customer.read); a missing master key
# refuses intake with nothing written; after `plaint subject erase` it reads "(erased)" while
# `plaint verify` and `plaint ledger replay --check` still pass; a complaint without a subject
# keeps its narrative as before.
. "$(dirname "$0")/lib/common.sh"

unset PLAINT_TOKEN PLAINT_MASTER_KEY
H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }
events() { q "SELECT count(*) FROM plaint.ledger_event"; }
W=$H/work
mkdir -p "$W"

expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
expect_exit 0 "keys master-init" -- "$PLAINT_BIN" keys master-init

token_of() { awk '/token \(shown once\)/{print $4}' "$TMP_OUT"; }
expect_exit 0 "bootstrap admin" -- "$PLAINT_BIN" user add admin --name Admin --role admin --issue-token
ADMIN=$(token_of)
adduser() { # id role
    "$PLAINT_BIN" --token "$ADMIN" user add "$1" --name "$1" --role "$2" --issue-token >"$TMP_OUT" || echo "not ok - add user $1" >&2
    token_of
}
INTAKE=$(adduser ivy intake_agent)
AGENT=$(adduser sam support_agent)
AUDITOR=$(adduser aud auditor)
COMPLIANCE=$(adduser cora compliance_officer)
pl() { local t=$1; shift; "$PLAINT_BIN" --token "$t" "$@"; }

# Distinctive texts: MARK* must never reach the ledger or a dump; PUBLIC is a narrative without a
# data subject and stays on the ledger (the positive control of the searches below).
MARK="xylophone-7Q2 burnt my kitchen"
NARR="Zoë Łukasiewicz: the $MARK, and they said \"not our problem\"; it's unfair"
MARK_CSV="quince-88R refund never arrived"
NARR_CSV="Åsa wrote: $MARK_CSV, twice"
PUBLIC="marimba-5K3 fee charged without notice"

expect_exit 0 "subject S-1 recorded" -- pl "$INTAKE" subject add S-1 --class complaint --name "Zoë Łukasiewicz"
expect_exit 0 "subject S-2 recorded" -- pl "$INTAKE" subject add S-2 --class complaint --name "Åsa Nyström"
expect_exit 0 "customer with subject S-1" -- pl "$INTAKE" customer add cust-1 --tier silver --currency USD --lifetime-value 100.00 --subject S-1
expect_exit 0 "customer with subject S-2" -- pl "$INTAKE" customer add cust-2 --tier gold --currency USD --lifetime-value 900.00 --subject S-2
expect_exit 0 "customer without a subject" -- pl "$INTAKE" customer add cust-3 --tier silver --currency USD --lifetime-value 50.00

# A complaint without a data subject keeps its narrative, as before.
expect_exit 0 "complaint of a customer without a subject" -- pl "$INTAKE" complaint new --channel web --category Fees --customer cust-3 --narrative "$PUBLIC" --received 2026-03-02T09:00:00Z
REF_PUB=$(cat "$TMP_OUT")
check "its narrative is in the payload" -- test "$(q "SELECT payload::jsonb->>'narrative' FROM plaint.ledger_event WHERE case_id = '$REF_PUB' AND event_type = 'complaint.received'")" = "$PUBLIC"
check "and in the projection, without a reference" -- test "$(q "SELECT narrative || '|' || coalesce(narrative_ref, '-') FROM plaint.complaint WHERE ref = '$REF_PUB'")" = "$PUBLIC|-"
expect_exit 0 "complaint without a customer" -- pl "$INTAKE" complaint new --channel web --category Fees --narrative "anonymous: $PUBLIC" --received 2026-03-02T09:30:00Z
check "an anonymous narrative stays with the complaint" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE ref = '$(cat "$TMP_OUT")' AND narrative = 'anonymous: $PUBLIC' AND narrative_ref IS NULL")" = 1

# Without a master key a narrative of a customer with a subject is refused, nothing written.
mv "$H/keys/master" "$H/keys/master.off"
before=$(events)
items=$(q "SELECT count(*) FROM plaint.vault_item")
complaints=$(q "SELECT count(*) FROM plaint.complaint")
expect_exit 5 "no master key: intake refused" -- pl "$INTAKE" complaint new --channel phone --category Appliances --customer cust-1 --narrative "$NARR"
check "the message names plaint keys master-init" -- grep -q "plaint keys master-init" "$TMP_ERR"
check "no ledger event written" -- test "$(events)" = "$before"
check "no vault item written" -- test "$(q "SELECT count(*) FROM plaint.vault_item")" = "$items"
check "no complaint written" -- test "$(q "SELECT count(*) FROM plaint.complaint")" = "$complaints"
mv "$H/keys/master.off" "$H/keys/master"

# The narrative of a customer with a subject goes to the vault.
expect_exit 0 "complaint of cust-1 (subject S-1)" -- pl "$INTAKE" complaint new --channel phone --category Appliances --customer cust-1 --narrative "$NARR" --received 2026-03-03T10:00:00Z
REF=$(cat "$TMP_OUT")
NREF=$(q "SELECT payload::jsonb->>'narrative_ref' FROM plaint.ledger_event WHERE case_id = '$REF' AND event_type = 'complaint.received'")
check "complaint.received carries a vault reference ($NREF)" -- bash -c "[[ '$NREF' =~ ^vault:[0-9]+$ ]]"
check "and no narrative" -- test "$(q "SELECT payload::jsonb ? 'narrative' FROM plaint.ledger_event WHERE case_id = '$REF' AND event_type = 'complaint.received'")" = f
check "the projection holds the reference and NULL narrative" -- test "$(q "SELECT coalesce(narrative, 'NULL') || '|' || narrative_ref FROM plaint.complaint WHERE ref = '$REF'")" = "NULL|$NREF"
check "the vault item is S-1's narrative" -- test "$(q "SELECT subject_id || '|' || field FROM plaint.vault_item WHERE 'vault:' || item_id = '$NREF'")" = "S-1|narrative"
ITEM=$(q "SELECT payload FROM plaint.ledger_event WHERE case_id = 'subject:S-1' AND event_type = 'subject.item_added'")
check "subject.item_added names the reference and a commitment" -- python3 -c "
import json, re, sys
d = json.loads(sys.argv[1])
assert list(d) == ['fields'] and list(d['fields']) == ['narrative'], d
n = d['fields']['narrative']
assert sorted(n) == ['commit', 'ref'] and re.fullmatch('[0-9a-f]{64}', n['commit']), n
assert n['ref'] == sys.argv[2], n
" "$ITEM" "$NREF"
check "written in the same transaction by the intake agent" -- test "$(q "SELECT count(DISTINCT xmin::text) || ' ' || string_agg(DISTINCT actor || '/' || actor_role, ',') FROM plaint.ledger_event WHERE case_id IN ('$REF', 'subject:S-1') AND event_type IN ('complaint.received', 'subject.item_added')")" = "1 ivy/intake_agent"

# import csv: a row with a customer goes one at a time (import_single) and is sealed too.
cat >"$W/map.xml" <<'XML'
<mapping xmlns="urn:plaint:mapping:1" version="1" name="crm" delimiter="comma">
  <field name="external_id" column="id" required="true"/>
  <field name="received" column="date" required="true" format="date"/>
  <field name="channel" default="web"/>
  <field name="category" column="category" required="true"/>
  <field name="narrative" column="text"/>
  <field name="customer_ref" column="customer"/>
</mapping>
XML
python3 - "$W/rows.csv" "$NARR_CSV" "$PUBLIC (csv)" <<'PY'
import csv, sys
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "date", "category", "text", "customer"])
    w.writerow(["R1", "2026-03-04", "Refunds", sys.argv[2], "cust-2"])
    w.writerow(["R2", "2026-03-04", "Refunds", sys.argv[3], "cust-3"])
    w.writerow(["R3", "2026-03-04", "Refunds", sys.argv[3], ""])
PY
expect_exit 0 "import csv" -- pl "$INTAKE" import csv "$W/rows.csv" --mapping "$W/map.xml"
check "3 imported" -- grep -q "3 complaints imported" "$TMP_OUT"
check "the cust-2 row's narrative is a vault reference" -- test "$(q "SELECT count(*) FROM plaint.complaint c JOIN plaint.vault_item i ON c.narrative_ref = 'vault:' || i.item_id WHERE c.source_id = 'R1' AND c.narrative IS NULL AND i.subject_id = 'S-2' AND i.field = 'narrative'")" = 1
check "the row without a subject keeps its narrative" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE source_id IN ('R2', 'R3') AND narrative = '$PUBLIC (csv)' AND narrative_ref IS NULL")" = 2

# A legal hold does not block adding a narrative.
expect_exit 0 "hold on S-2" -- pl "$COMPLIANCE" hold add S-2 --reason "matter M-1"
expect_exit 0 "a complaint of a customer under hold" -- pl "$AGENT" complaint new --channel email --category Refunds --customer cust-2 --narrative "held: $MARK_CSV"
REF_HELD=$(cat "$TMP_OUT")
check "sealed as well" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE ref = '$REF_HELD' AND narrative IS NULL AND narrative_ref LIKE 'vault:%'")" = 1

# Nothing of the sealed narratives in any ledger payload or anywhere in a dump.
q "SELECT payload FROM plaint.ledger_event" >"$W/payloads.txt"
check "positive control: the public narrative is found in the payloads" -- grep -qF "$PUBLIC" "$W/payloads.txt"
check "no sealed narrative in any ledger payload" -- bash -c "! grep -qF -e '$MARK' -e '$MARK_CSV' -e 'Łukasiewicz' '$W/payloads.txt'"
/usr/lib/postgresql/15/bin/pg_dump -h "$H/pg/run" -U plaint_admin plaint >"$W/dump.sql"
check "positive control: the dump holds the public narrative" -- grep -qF "$PUBLIC" "$W/dump.sql"
check "no sealed narrative anywhere in a database dump" -- bash -c "! grep -qF -e '$MARK' -e '$MARK_CSV' '$W/dump.sql'"

# Reading: decrypted for an agent, withheld from an auditor.
expect_exit 0 "agent shows the complaint" -- pl "$AGENT" complaint show "$REF"
check "the narrative is shown decrypted" -- grep -qF "narrative            $NARR" "$TMP_OUT"
expect_exit 0 "agent shows it as JSON" -- pl "$AGENT" complaint show "$REF" --json
check "the JSON narrative is exact" -- python3 -c "
import json, sys
c = json.load(open('$TMP_OUT', encoding='utf-8'))['complaint']
assert c['narrative'] == sys.argv[1] and c['narrative_ref'] == sys.argv[2], c
" "$NARR" "$NREF"
denials=$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'security-log'")
expect_exit 0 "auditor shows the complaint" -- pl "$AUDITOR" complaint show "$REF"
check "the auditor sees (in the vault)" -- grep -qF "narrative            (in the vault)" "$TMP_OUT"
check "and no narrative text" -- bash -c "! grep -qF '$MARK' '$TMP_OUT'"
check "withholding is no denial in the security log" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'security-log'")" = "$denials"
expect_exit 0 "a public narrative is shown to the auditor" -- pl "$AUDITOR" complaint show "$REF_PUB"
check "as it is" -- grep -qF "narrative            $PUBLIC" "$TMP_OUT"

# The subject access export lists every narrative of the subject with its reference.
expect_exit 0 "subject export S-2" -- pl "$COMPLIANCE" subject export S-2
check "the export has S-2's narratives as items" -- python3 -c "
import json, sys
d = json.load(open('$TMP_OUT', encoding='utf-8'))
items = [(i['field'], i['value']) for i in d['items']]
assert items == [('name', 'Åsa Nyström'), ('narrative', sys.argv[1]), ('narrative', 'held: ' + sys.argv[2])], items
assert d['fields'] == {'name': 'Åsa Nyström', 'narrative': sys.argv[1]}, d['fields']
assert [e['type'] for e in d['events']].count('subject.item_added') == 2
" "$NARR_CSV" "$MARK_CSV"

# Erasure: the narrative is gone, verification and replay are unaffected.
expect_exit 0 "erase S-1" -- pl "$COMPLIANCE" subject erase S-1 --reason "request R-9"
check "the erasure destroyed both values" -- test "$(q "SELECT payload::jsonb->>'items' FROM plaint.ledger_event WHERE case_id = 'subject:S-1' AND event_type = 'subject.erased'")" = 2
expect_exit 0 "agent shows the complaint after erasure" -- pl "$AGENT" complaint show "$REF"
check "the narrative reads (erased)" -- grep -qF "narrative            (erased)" "$TMP_OUT"
expect_exit 0 "auditor too" -- pl "$AUDITOR" complaint show "$REF"
check "(erased) for the auditor" -- grep -qF "narrative            (erased)" "$TMP_OUT"
check "the projection still names the reference" -- test "$(q "SELECT narrative_ref FROM plaint.complaint WHERE ref = '$REF'")" = "$NREF"
before=$(events)
expect_exit 3 "a new narrative for the erased subject is refused" -- pl "$INTAKE" complaint new --channel phone --category Appliances --customer cust-1 --narrative "again: $MARK"
check "the message names the customer and the erasure" -- grep -q "cust-1.*erased" "$TMP_ERR"
check "nothing written" -- test "$(events)" = "$before"
printf 'id,date,category,text,customer\nR4,2026-03-05,Refunds,%s,cust-1\n' "csv again: $MARK" >"$W/erased.csv"
expect_exit 3 "import: the erased subject's row is reported" -- pl "$INTAKE" import csv "$W/erased.csv" --mapping "$W/map.xml"
check "at its line, naming the erasure" -- grep -q "erased.csv:2:.*cust-1.*erased" "$TMP_ERR"
check "and not imported" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE source_id = 'R4'")" = 0
check "nothing written" -- test "$(events)" = "$before"
expect_exit 0 "a complaint of cust-1 without a narrative is fine" -- pl "$INTAKE" complaint new --channel phone --category Appliances --customer cust-1
expect_exit 0 "seal" -- pl "$ADMIN" ledger seal
expect_exit 0 "verify after erasure" -- pl "$ADMIN" verify
expect_exit 0 "ledger replay --check after erasure" -- pl "$ADMIN" ledger replay --check --json
check "replay reports identical projections" -- grep -q '"identical": true' "$TMP_OUT"
finish
