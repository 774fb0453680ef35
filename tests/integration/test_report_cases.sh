#!/usr/bin/env bash
# plaint report cases: the case-level export on the CFPB data plus walked complaints. One record
# per complaint open during the period (count = SQL on the projection); no narrative and no
# customer id in clear, the customer pseudonym = HMAC-SHA256 under the key in
# $PLAINT_HOME/keys/report-pseudonym.key (recomputed with openssl); the records recount exactly
# the figures of the regulator return at the same checkpoint; schema, xmlsec1 and plaint
# verification, byte-identical reruns, a changed record refused (and named by --ledger when
# re-signed), and verification without the pseudonymisation key refused clearly.
# shellcheck disable=SC1010 # "task done" is plaint's command, not the shell's "done"
. "$(dirname "$0")/lib/common.sh"

SRC=$PLAINT_SOURCE_DIR
CSV=${PLAINT_TEST_CFPB:-$SRC/../shared/data/cfpb_complaints.csv}
[ -f "$CSV" ] || CSV=/work/shared/data/cfpb_complaints.csv
H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_TOKEN
W=$H/work
mkdir -p "$W"
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
expect_exit 0 "keys cert" -- "$PLAINT_BIN" keys cert
CERT=$H/keys/report-signing-cert.pem
KEY=$H/keys/report-signing-key.pem
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }
expect_exit 0 "import the CFPB complaints" -- "$PLAINT_BIN" import csv "$CSV" --mapping "$SRC/reports/mappings/cfpb.xml"

# Bootstrap mode: the local operator acts with every right.
NOW=$(date -u +%s)
ago() { date -u -d "@$((NOW - $1))" +%Y-%m-%dT%H:%M:%SZ; }
expect_exit 0 "customer" -- "$PLAINT_BIN" customer add cust-secret-42 --tier silver --currency USD --lifetime-value 10.00
A=$("$PLAINT_BIN" complaint new --channel web --category Mortgage --received "$(ago 7200)" --customer cust-secret-42 --narrative 'my very private words about the mortgage')
B=$("$PLAINT_BIN" complaint new --channel phone --category 'Debt collection' --received "$(ago $((40 * 86400)))")
check "two complaints" -- test -n "$A" -a -n "$B"
for k in $A $B; do
    items=$("$PLAINT_BIN" complaint show "$k" --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    if t["task_id"].endswith("/T2"):
        for i in t["items"]:
            if i["mandatory"] and i["done_at"] is None:
                print(i["item_id"])')
    args=()
    for i in $items; do args+=(--item "$i"); done
    "$PLAINT_BIN" task done "$k/T2" "${args[@]}" >/dev/null
    "$PLAINT_BIN" task done "$k/T2" >/dev/null 2>&1
done
expect_exit 0 "A resolved" -- "$PLAINT_BIN" complaint resolve "$A" --outcome upheld --summary ok --root-cause 'admin error'
expect_exit 0 "B resolved" -- "$PLAINT_BIN" complaint resolve "$B" --outcome not_upheld --summary no

DEF=$W/def.xml
sed 's/valid-to="2026-12-31"/valid-to="2099-12-31"/' "$SRC/reports/regulator-return.xml" >"$DEF"
PERIOD="$(date -u -d "@$((NOW - 60 * 86400))" +%F)..$(date -u -d "@$NOW" +%F)"
expect_exit 0 "report cases --help" -- "$PLAINT_BIN" report cases --help
expect_exit 0 "warm-up (policy hash recorded once)" -- "$PLAINT_BIN" report cases --period "$PERIOD" --definition "$DEF" --out "$W/c0.xml"
check "the pseudonymisation key was created, mode 0600" -- test "$(stat -c %a "$H/keys/report-pseudonym.key")" = 600
expect_exit 0 "report cases" -- "$PLAINT_BIN" report cases --period "$PERIOD" --definition "$DEF" --out "$W/c1.xml"
expect_exit 0 "report regulator at the same checkpoint" -- "$PLAINT_BIN" report regulator --period "$PERIOD" --definition "$DEF" --out "$W/r1.xml"
expect_exit 0 "report cases again" -- "$PLAINT_BIN" report cases --period "$PERIOD" --definition "$DEF" --out "$W/c2.xml"
check "byte-identical reruns" -- cmp -s "$W/c1.xml" "$W/c2.xml"
check "same checkpoint in both documents" -- test "$(grep -o '<checkpoint [^>]*>' "$W/c1.xml")" = "$(grep -o '<checkpoint [^>]*>' "$W/r1.xml")"
expect_exit 0 "xmllint --schema" -- xmllint --noout --schema "$SRC/schemas/xml/case-export-v1.xsd" "$W/c1.xml"
expect_exit 0 "xmlsec1 --verify" -- xmlsec1 --verify --trusted-pem "$CERT" "$W/c1.xml"
expect_exit 0 "report verify --ledger" -- "$PLAINT_BIN" report verify "$W/c1.xml" --ledger

F_TS="$(date -u -d "@$((NOW - 60 * 86400))" +%F) 00:00:00+00"
T_TS="$(date -u -d "$(date -u -d "@$NOW" +%F) + 1 day" +%F) 00:00:00+00"
CLOSED="COALESCE(resolved_at, closed_at)"
check "one record per complaint open during the period (= SQL)" -- test "$(grep -c '<case ' "$W/c1.xml")" = "$(q "SELECT count(*) FROM plaint.complaint WHERE received_at < '$T_TS' AND ($CLOSED IS NULL OR $CLOSED >= '$F_TS')")"
check "no narrative of the walked complaint" -- test "$(grep -c 'very private words' "$W/c1.xml")" = 0
SNIP=$(q "SELECT substr(narrative, 1, 40) FROM plaint.complaint WHERE narrative IS NOT NULL AND length(narrative) > 60 ORDER BY ref LIMIT 1")
check "the CFPB data has narratives" -- test -n "$SNIP"
check "no CFPB narrative in the export" -- test "$(grep -cF "$SNIP" "$W/c1.xml")" = 0
check "no customer id in clear" -- test "$(grep -c 'cust-secret-42' "$W/c1.xml")" = 0
PSEUDO=$(printf '%s' cust-secret-42 | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(tr -d '\n' <"$H/keys/report-pseudonym.key")" | awk '{print $NF}')
check "A's customer = HMAC-SHA256(key, id) (openssl)" -- grep -q "ref=\"$A\".*customer=\"$PSEUDO\"" "$W/c1.xml"
KEYID=$(python3 -c 'import hashlib, sys; print(hashlib.sha256(bytes.fromhex(open(sys.argv[1]).read().strip())).hexdigest()[:16])' "$H/keys/report-pseudonym.key")
check "key-id = first 16 hex digits of SHA-256(key)" -- grep -q "key-id=\"$KEYID\"" "$W/c1.xml"

# The records recount the return's figures (same period, same checkpoint).
cat >"$W/recount.py" <<'EOF'
import sys, xml.etree.ElementTree as ET
NSC, NSR = "{urn:plaint:report:case-export:1}", "{urn:plaint:report:regulator-return:1}"
cases = ET.parse(sys.argv[1]).getroot().findall(NSC + "case")
ret = ET.parse(sys.argv[2]).getroot()
bad = 0
for e in ret.findall(NSR + "group") + [ret.find(NSR + "total")]:
    mine = [c for c in cases if e.tag.endswith("total") or c.get("group") == e.get("id")]
    closed = [c for c in mine if c.get("closed-in-period") == "true"]
    want = {
        "outstanding-at-start": sum(c.get("outstanding-at-start") == "true" for c in mine),
        "opened": sum(c.get("opened-in-period") == "true" for c in mine),
        "closed": len(closed),
        "closed-within-summary-days": sum(c.get("closed-within") == "summary" for c in closed),
        "closed-within-final-weeks": sum(c.get("closed-within") == "final" for c in closed),
        "upheld": sum(c.get("upheld") == "true" for c in closed),
    }
    for k, v in want.items():
        if int(e.find(NSR + k).text) != v:
            bad += 1
            print("MISMATCH", e.get("id", "total"), k, e.find(NSR + k).text, v)
    causes = {}
    for c in closed:
        causes[c.get("root-cause")] = causes.get(c.get("root-cause"), 0) + 1
    got = {c.get("name"): int(c.text) for c in e.find(NSR + "root-causes")}
    if got != causes:
        bad += 1
        print("MISMATCH causes", e.get("id", "total"), got, causes)
print("records:", len(cases), "closed in period:", sum(c.get("closed-in-period") == "true" for c in cases))
sys.exit(1 if bad else 0)
EOF
expect_exit 0 "the case records recount every figure of the return" -- python3 "$W/recount.py" "$W/c1.xml" "$W/r1.xml"
cat "$TMP_OUT"
check "records include closed ones" -- grep -q "closed in period: [1-9]" "$TMP_OUT"

# Tampering.
sed "s/ref=\"$A\" group=\"home-finance\"/ref=\"$A\" group=\"other\"/" "$W/c1.xml" >"$W/t1.xml"
check "the tampered copy differs" -- test "$(cmp -s "$W/c1.xml" "$W/t1.xml"; echo $?)" = 1
expect_exit 1 "xmlsec1 refuses a changed record" -- xmlsec1 --verify --trusted-pem "$CERT" "$W/t1.xml"
expect_exit 1 "report verify refuses a changed record" -- "$PLAINT_BIN" report verify "$W/t1.xml"
python3 - "$W/t1.xml" "$W/t2.tmpl" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
for tag in ("DigestValue", "SignatureValue", "X509Certificate"):
    s = re.sub(r"(<ds:%s>)[^<]*(</ds:%s>)" % (tag, tag), r"\1\2", s)
open(sys.argv[2], "w").write(s)
EOF
xmlsec1 --sign --privkey-pem "$KEY,$CERT" --output "$W/t2.xml" "$W/t2.tmpl" 2>/dev/null
expect_exit 0 "re-signed: the signature holds" -- "$PLAINT_BIN" report verify "$W/t2.xml"
expect_exit 1 "... but --ledger names the record" -- "$PLAINT_BIN" report verify "$W/t2.xml" --ledger
check "message names the case and its group" -- grep -q "case\[$A\]/@group: the document says \"other\"" "$TMP_ERR"

# Verification needs the pseudonymisation key to recompute the records.
mv "$H/keys/report-pseudonym.key" "$W/pk"
expect_exit 5 "--ledger without the pseudonymisation key: environment error" -- "$PLAINT_BIN" report verify "$W/c1.xml" --ledger
check "message names the key" -- grep -q "report-pseudonym.key" "$TMP_ERR"
expect_exit 0 "without --ledger no key is needed" -- "$PLAINT_BIN" report verify "$W/c1.xml"
mv "$W/pk" "$H/keys/report-pseudonym.key"
finish
