#!/usr/bin/env bash
# The signed PDF reports (plaint report weekly|monthly|audit|case) on the real CFPB data plus a
# few complaints walked through the reference process: a customer with a non-ASCII name (in the
# vault), resolutions with satisfaction scores, a four-eyes refund, an access denial, an erasure
# and a legal hold. Each PDF is checked with outside tools: pdfsig (signature valid), qpdf
# --check, pdftoppm (every page renders), pdftotext (every page's text, the figures, the names),
# pdffonts (fonts embedded). Figures are computed independently here: from the CSV with Python's
# csv module, and from the ledger's event payloads (not the projections the reports read). Two
# runs differ only in the signature; one changed byte in the signed range makes pdfsig and
# `plaint report verify` report the PDF invalid. Personal data follow the reader's role.
# shellcheck disable=SC1010 # "task done" below is plaint's command, not the shell's "done"
. "$(dirname "$0")/lib/common.sh"

CSV=${PLAINT_CFPB_CSV:-$PLAINT_SOURCE_DIR/../shared/data/cfpb_complaints.csv}
[ -f "$CSV" ] || CSV=/work/shared/data/cfpb_complaints.csv
unset PLAINT_TOKEN PLAINT_MASTER_KEY
H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }
W=$H/work
mkdir -p "$W"
NAME="Zoë Łukasiewicz-Ørsted"
NARR="Дмитрий, my neighbour, saw the courier drop the parcel; ŁÓDŹ depot never answered"

expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
expect_exit 0 "keys master-init" -- "$PLAINT_BIN" keys master-init

token_of() { awk '/token \(shown once\)/{print $4}' "$TMP_OUT"; }
expect_exit 0 "bootstrap admin" -- "$PLAINT_BIN" user add admin --name Admin --role admin --issue-token
ADMIN=$(token_of)
adduser() { # id role...
    local id=$1 args=()
    shift
    for r in "$@"; do args+=(--role "$r"); done
    "$PLAINT_BIN" --token "$ADMIN" user add "$id" --name "$id" "${args[@]}" --issue-token >"$TMP_OUT" ||
        echo "not ok - add user $id" >&2
    token_of
}
IVY=$(adduser ivy intake_agent)
SAM=$(adduser sam support_agent)
TIA=$(adduser tia tier2_investigator)
FAY=$(adduser fay finance_manager)
CORA=$(adduser cora compliance_officer)
LIA=$(adduser lia regulator_liaison)
NOBODY=$(adduser nobody)
pl() { local t=$1; shift; "$PLAINT_BIN" --token "$t" "$@"; }

# ---- the report signing key and certificate
expect_exit 5 "no certificate yet: the report says how to make one" -- pl "$CORA" report weekly --week 2026-W01 --out "$W/none.pdf"
check "the message names plaint keys cert" -- grep -q "plaint keys cert" "$TMP_ERR"
check "nothing written" -- test ! -e "$W/none.pdf"
expect_exit 0 "keys cert" -- "$PLAINT_BIN" keys cert

# ---- data: the CFPB export, then complaints walked through resolution
expect_exit 0 "import the CFPB CSV" -- pl "$IVY" import csv "$CSV" --mapping "$PLAINT_SOURCE_DIR/reports/mappings/cfpb.xml"

expect_exit 0 "subject with a non-ASCII name" -- pl "$IVY" subject add S-1 --class complaint --name "$NAME" --email zoe@example.com
expect_exit 0 "customer of S-1" -- pl "$IVY" customer add cust-1 --tier gold --currency USD --lifetime-value 1250.00 --subject S-1
expect_exit 0 "order" -- pl "$IVY" order add ord-1 --customer cust-1 --line 'KET-1,Kettle,49.99,2,2000' --line 'TOA-1,Toaster,30.00,1,500' --credit-note 'CN-1,5.00'
expect_exit 0 "complaint of cust-1" -- pl "$IVY" complaint new --channel email --category 'Checking or savings account' --customer cust-1 --order ord-1 --urgency high --issue 'Faulty kettle' --narrative "$NARR"
REF=$(cat "$TMP_OUT")

# walk REF SCORE [refund]: the reference process up to closure with a satisfaction score
walk() {
    local ref=$1 score=$2 items args=() i
    pl "$TIA" complaint assign "$ref" sam >/dev/null &&
        pl "$SAM" complaint note "$ref" 'Called the customer.' --kind correspondence_out >/dev/null &&
        pl "$SAM" task done "$ref/T1" >/dev/null || return 1
    items=$(pl "$TIA" complaint show "$ref" --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    if t["task_id"].endswith("/T2"):
        for i in t["items"]:
            if i["mandatory"] and i["done_at"] is None:
                print(i["item_id"])')
    for i in $items; do args+=(--item "$i"); done
    if [ ${#args[@]} -gt 0 ]; then pl "$TIA" task done "$ref/T2" "${args[@]}" >/dev/null || return 1; fi
    pl "$TIA" task done "$ref/T2" >/dev/null || return 1
    if [ "${3:-}" = refund ]; then
        local rf
        rf=$(pl "$SAM" refund propose "$ref" --reason 'faulty kettle') &&
            pl "$FAY" refund approve "$rf" >/dev/null && pl "$FAY" refund credit "$rf" >/dev/null || return 1
    fi
    pl "$SAM" complaint resolve "$ref" --outcome upheld --summary 'Sorted out' --root-cause 'product defect' >/dev/null &&
        pl "$SAM" complaint close "$ref" --satisfaction "$score" >/dev/null
}
check "the customer's complaint walked to closure with a refund" -- walk "$REF" 4 refund
# long enough a timeline to break the case report's table over pages
for i in $(seq 1 45); do
    pl "$SAM" complaint note "$REF" "Follow-up $i: checked with the courier about the parcel again; the depot promised an answer by tomorrow." >/dev/null || echo "not ok - note $i" >&2
done
mapfile -t CFPB < <(q "SELECT ref FROM plaint.complaint WHERE source_system = 'cfpb' ORDER BY ref LIMIT 3")
check "CFPB complaint 1 walked (score 5)" -- walk "${CFPB[0]}" 5
check "CFPB complaint 2 walked (score 2)" -- walk "${CFPB[1]}" 2
check "CFPB complaint 3 walked (score 5)" -- walk "${CFPB[2]}" 5

# an access denial, an erasure, a legal hold
expect_exit 4 "a user without a role may not write reports" -- pl "$NOBODY" report audit --period 2026-11 --out "$W/denied.pdf"
check "nothing written for the denied user" -- test ! -e "$W/denied.pdf"
expect_exit 0 "subject to erase" -- pl "$IVY" subject add S-ERASE --class complaint --name "Åsa Nyström"
expect_exit 0 "erasure on request" -- pl "$CORA" subject erase S-ERASE --reason "request R-77"
expect_exit 0 "legal hold on S-1" -- pl "$CORA" hold add S-1 --reason "matter M-1 (litigation)"

# ---- helpers for the PDF checks
pages_of() { pdfinfo "$1" | awk '/^Pages:/{print $2}'; }
# text of the whole PDF in content order, whitespace collapsed
flat() { pdftotext -raw "$1" - | tr -s ' \n\t\f' '    ' ; }
has() { flat "$1" | grep -qF -- "$2"; }
# standard validity checks of one signed PDF
validate() { # FILE NAME
    local f=$1 n=$2 np k ok=1
    check "$n: pdfsig says the signature is valid" -- bash -c "pdfsig '$f' 2>&1 | grep -q 'Signature is Valid'"
    check "$n: pdfsig: the signature covers the whole document" -- bash -c "pdfsig '$f' 2>&1 | grep -q 'Total document signed'"
    check "$n: qpdf --check finds no errors" -- bash -c "qpdf --check '$f' >/dev/null 2>&1"
    np=$(pages_of "$f")
    check "$n: has pages ($np)" -- test "${np:-0}" -ge 1
    rm -rf "$W/png" && mkdir -p "$W/png"
    check "$n: pdftoppm renders it" -- pdftoppm -r 20 -png "$f" "$W/png/p"
    check "$n: one image per page" -- test "$(find "$W/png" -name 'p-*.png' -size +0 | wc -l)" = "$np"
    for k in $(seq 1 "$np"); do
        pdftotext -f "$k" -l "$k" "$f" - 2>/dev/null | grep -q "page $k of $np" || ok=0
    done
    check "$n: every page's text is extractable (its footer 'page k of $np')" -- test $ok = 1
    check "$n: every font is embedded" -- bash -c "pdffonts '$f' | tail -n +3 | awk '{ if (\$(NF-4) != \"yes\") bad = 1 } END { exit bad }' && [ \$(pdffonts '$f' | tail -n +3 | wc -l) -ge 1 ]"
    check "$n: the footer names the checkpoint" -- bash -c "pdftotext '$f' - | grep -q 'ledger checkpoint [0-9]*: tree size [0-9]*, root [0-9a-f]\{16\}'"
}

# ---- weekly summary: the week of the first resolution
WEEK=$(q "SELECT to_char(min(occurred_at) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') FROM plaint.ledger_event WHERE event_type = 'complaint.status_changed' AND payload::jsonb->>'to' = 'resolved'")
expect_exit 0 "report weekly --week $WEEK" -- pl "$CORA" report weekly --week "$WEEK" --out "$W/weekly.pdf"
# ---- two runs on the same ledger differ only in the signature
# (right after the first run: a denied command in between would add a security-log event)
grep -o 'at ledger checkpoint [0-9]* (tree size [0-9]*, root [0-9a-f]*)' "$TMP_OUT" >"$W/weekly.cp"
sleep 1
expect_exit 0 "weekly again" -- pl "$CORA" report weekly --week "$WEEK" --out "$W/weekly2.pdf"
check "the same checkpoint, nothing new sealed: $(cat "$W/weekly.cp")" -- bash -c "test -s '$W/weekly.cp' && grep -qF \"\$(cat '$W/weekly.cp')\" '$TMP_OUT' && ! grep -q 'sealed for this report' '$TMP_OUT'"
check "two runs: identical signed ranges apart from the signature dictionary" -- python3 - "$W/weekly.pdf" "$W/weekly2.pdf" <<'PY'
import re, sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
def parts(d):
    # the unsigned document ends at the first %%EOF; the signature is an incremental update
    i = d.index(b"%%EOF") + 5
    while d[i:i + 1] in (b"\r", b"\n"):
        i += 1
    br = [int(x) for x in re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", d).groups()]
    assert br[0] == 0 and br[2] + br[3] == len(d), br            # covers the whole file
    assert br[1] > i, (br, i)                                    # the gap lies in the update
    return d[:i], d[i:]
(ua, sa), (ub, sb) = parts(a), parts(b)
assert ua == ub, "the unsigned documents differ"
mask = lambda s: re.sub(rb"/Contents\s*<[0-9A-Fa-f]+>", b"/Contents<>", re.sub(rb"/M\s*\(D:[^)]*\)", b"/M()", s))
assert a != b, "the signing times should differ (one second apart)"
assert mask(sa) == mask(sb), "the incremental updates differ beyond /Contents and /M"
PY

validate "$W/weekly.pdf" weekly
# independently: resolutions from the ledger's status_changed events, receipt from complaint.received
q "SELECT e.case_id || ' ' || extract(epoch FROM e.occurred_at) || ' ' || extract(epoch FROM (r.payload::jsonb->>'received_at')::timestamptz) || ' ' || coalesce((SELECT max((s.payload::jsonb->>'score')) FROM plaint.ledger_event s WHERE s.case_id = e.case_id AND s.event_type = 'complaint.satisfaction_recorded'), '-') FROM plaint.ledger_event e JOIN plaint.ledger_event r ON r.case_id = e.case_id AND r.event_type = 'complaint.received' WHERE e.event_type = 'complaint.status_changed' AND e.payload::jsonb->>'to' = 'resolved' AND to_char(e.occurred_at AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') = '$WEEK'" >"$W/resolved.txt"
python3 - "$W/resolved.txt" >"$W/weekly-expected.txt" <<'PY'
import sys, math
from decimal import Decimal
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
last = {}
for ref, at, rec, score in rows:
    if ref not in last or Decimal(at) > last[ref][0]:
        last[ref] = (Decimal(at), Decimal(rec), score)
# whole seconds of each resolution time, the fraction dropped
secs = sorted(math.floor(at - rec) for at, rec, _ in last.values())
n = len(secs)
def half_even(num, den):
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    return q
def dur(twice):
    s, half = divmod(twice, 2)
    return "%d d %02d:%02d:%02d%s" % (s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60, ".5" if half else "")
mean = half_even(sum(secs), n)
med2 = secs[n // 2] * 2 if n % 2 else secs[n // 2 - 1] + secs[n // 2]
print("Complaints resolved %d" % n)
print("Average resolution time %s (%s s)" % (dur(2 * mean), format(mean, ",")))
print("Median resolution time %s (%s%s s)" % (dur(med2), format(med2 // 2, ","), ".5" if med2 % 2 else ""))
scores = [sc for _, _, sc in last.values() if sc != "-"]
t = half_even(sum(int(s) for s in scores) * 10, len(scores))
print("Average satisfaction score %d.%d of 5 (%d scored)" % (t // 10, t % 10, len(scores)))
def pm(k):
    return "%d.%d%%" % (half_even(k * 1000, n) // 10, half_even(k * 1000, n) % 10)
row = ["Score Complaints Share"]
for label, sc in (("5 (best)", "5"), ("4", "4"), ("3", "3"), ("2", "2"), ("1 (worst)", "1")):
    k = sum(1 for x in scores if x == sc)
    row.append("%s %d %s" % (label, k, pm(k)))
row.append("no score %d %s" % (n - len(scores), pm(n - len(scores))))
print(" ".join(row))
for ref in sorted(last):
    print(ref)
PY
check "weekly: complaints resolved in $WEEK (ledger)" -- grep -qx "Complaints resolved [1-9]" "$W/weekly-expected.txt"
while IFS= read -r line; do
    check "weekly shows: $line" -- has "$W/weekly.pdf" "$line"
done <"$W/weekly-expected.txt"

# ---- monthly report over the imported month with most complaints (from the CSV)
read -r MONTH MCOUNT < <(python3 - "$CSV" <<'PY'
import csv, sys, collections
c = collections.Counter(r["Date received"][:7] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
m, n = c.most_common(1)[0]
print(m, n)
PY
)
expect_exit 0 "report monthly --month $MONTH" -- pl "$CORA" report monthly --month "$MONTH" --out "$W/monthly.pdf"
validate "$W/monthly.pdf" monthly
check "monthly: more than one page ($(pages_of "$W/monthly.pdf"))" -- test "$(pages_of "$W/monthly.pdf")" -gt 1
check "monthly: complaints received $MCOUNT (CSV)" -- has "$W/monthly.pdf" "Complaints received $(python3 -c "print(format($MCOUNT, ','))")"
python3 - "$CSV" "$MONTH" >"$W/monthly-expected.txt" <<'PY'
import csv, sys, collections
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")) if r["Date received"][:7] == sys.argv[2]]
n = len(rows)
def pm(k):
    q, r = divmod(k * 1000, n)
    if 2 * r > n or (2 * r == n and q % 2 == 1):
        q += 1
    return "%d.%d%%" % (q // 10, q % 10)
cats = collections.Counter(r["Product"] for r in rows)
for cat, k in sorted(cats.items(), key=lambda x: (-x[1], x[0].encode())):
    print("%s %s %s" % (cat, format(k, ","), pm(k)))
chan = {"Web": "web", "Phone": "phone", "Email": "email", "Referral": "api", "Web Referral": "api", "Postal mail": "post", "Fax": "post"}
chs = collections.Counter(chan[r["Submitted via"]] for r in rows)
for ch, k in sorted(chs.items(), key=lambda x: (-x[1], x[0])):
    print("%s %s %s" % (ch, format(k, ","), pm(k)))
PY
check "monthly: expected rows computed ($(wc -l <"$W/monthly-expected.txt"))" -- test "$(wc -l <"$W/monthly-expected.txt")" -ge 3
flat "$W/monthly.pdf" >"$W/monthly.txt"
while IFS= read -r line; do
    check "monthly shows: $line" -- grep -qF -- "$line" "$W/monthly.txt"
done <"$W/monthly-expected.txt"
check "monthly: the series chart's months end with $MONTH" -- grep -qF "Volume by category over time" "$W/monthly.txt"

# the current month: refunds and escalations (this session's events)
NOWMONTH=$(q "SELECT to_char(max(occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM') FROM plaint.ledger_event WHERE event_type = 'refund.credited'")
expect_exit 0 "report monthly --month $NOWMONTH (refunds)" -- pl "$CORA" report monthly --month "$NOWMONTH" --out "$W/monthly-now.pdf"
validate "$W/monthly-now.pdf" monthly-now
REFUND=$(q "SELECT (payload::jsonb->>'total') FROM plaint.ledger_event WHERE event_type = 'refund.proposed' AND case_id = '$REF'")
REFUND_TXT=$(python3 -c "print('USD {:,}.{:02d}'.format($REFUND // 100, $REFUND % 100))")
check "monthly-now: the refund credited ($REFUND_TXT, from the ledger)" -- has "$W/monthly-now.pdf" "USD 1 $REFUND_TXT"

# ---- audit report: a period around now
FROM=$(date -u -d yesterday +%F)
TO=$(date -u -d tomorrow +%F)
expect_exit 0 "report audit --period $FROM..$TO" -- pl "$CORA" report audit --period "$FROM..$TO" --out "$W/audit.pdf"
validate "$W/audit.pdf" audit
DENIALS=$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'security-log' AND event_type IN ('access.denied', 'auth.failed')")
check "audit: $DENIALS access denials (ledger)" -- has "$W/audit.pdf" "Access denials ($DENIALS)"
check "audit: the denied user and action" -- bash -c "pdftotext -raw '$W/audit.pdf' - | tr -s ' \n' '  ' | grep -q 'access.denied nobody - report.pdf'"
check "audit: the ledger verified" -- has "$W/audit.pdf" "verified: every hash, chain, position, checkpoint and signature holds"
check "audit: the erasure of S-ERASE" -- has "$W/audit.pdf" "S-ERASE cora"
check "audit: its reason" -- has "$W/audit.pdf" "request R-77"
check "audit: the hold placed" -- has "$W/audit.pdf" "matter M-1 (litigation)"
check "audit: one hold active" -- has "$W/audit.pdf" "Legal holds active at the checkpoint (1)"
KEYID=$(q "SELECT key_id FROM plaint.ledger_checkpoint ORDER BY seq DESC LIMIT 1")
ROOT=$(q "SELECT encode(root_hash, 'hex') FROM plaint.ledger_checkpoint ORDER BY seq DESC LIMIT 1")
check "audit: the checkpoint's key id" -- has "$W/audit.pdf" "$KEYID"
check "audit: the checkpoint's root hash" -- has "$W/audit.pdf" "$ROOT"
check "audit: no personal data (the erased name never appears)" -- bash -c "! pdftotext '$W/audit.pdf' - | grep -q 'Nyström'"

# ---- case report: the customer's name and sealed narrative for compliance, not for the liaison
expect_exit 0 "report case $REF (compliance officer)" -- pl "$CORA" report case "$REF" --out "$W/case.pdf"
validate "$W/case.pdf" case
NEV=$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = '$REF'")
check "case: the timeline has all $NEV events" -- has "$W/case.pdf" "Timeline ($NEV events)"
check "case: the timeline breaks over pages ($(pages_of "$W/case.pdf"))" -- test "$(pages_of "$W/case.pdf")" -gt 1
check "case: the customer's name, every glyph ($NAME)" -- bash -c "pdftotext '$W/case.pdf' - | grep -qF '$NAME'"
check "case: the sealed narrative, in Cyrillic and Polish" -- has "$W/case.pdf" "$NARR"
check "case: the last note (event $NEV) is there" -- has "$W/case.pdf" "Follow-up 45: checked"
expect_exit 0 "report case $REF (regulator liaison: no customer.read)" -- pl "$LIA" report case "$REF" --out "$W/case-lia.pdf"
validate "$W/case-lia.pdf" case-lia
check "case-lia: no name" -- bash -c "! pdftotext '$W/case-lia.pdf' - | grep -q 'Łukasiewicz'"
check "case-lia: no narrative" -- bash -c "! pdftotext '$W/case-lia.pdf' - | grep -q 'Дмитрий'"
check "case-lia: '(in the vault)' instead" -- has "$W/case-lia.pdf" "Name (in the vault)"
expect_exit 4 "an admin may not write PDF reports (no report.pdf)" -- pl "$ADMIN" report case "$REF" --out "$W/case-admin.pdf"
expect_exit 3 "an unknown complaint" -- pl "$CORA" report case CMP-2099-999999 --out "$W/none.pdf"
check "nothing written for it" -- test ! -e "$W/none.pdf"
check "no temporary file left in $W" -- test "$(find "$W" -name '.*' -type f | wc -l)" = 0
expect_exit 2 "a bad week is a usage error" -- pl "$CORA" report weekly --week 2026-13 --out "$W/x.pdf"
expect_exit 2 "--week and --period together are a usage error" -- pl "$CORA" report weekly --week "$WEEK" --period 2026-11 --out "$W/x.pdf"
check "the case report (personal data) is private to its owner" -- test "$(stat -c %a "$W/case.pdf")" = 600
check "aggregate reports are readable" -- test "$(stat -c %a "$W/monthly.pdf")" = 644
expect_exit 0 "weekly with --period FROM..TO" -- pl "$CORA" report weekly --period "$FROM..$TO" --out "$W/weekly-period.pdf"
check "the period's label is in the title" -- has "$W/weekly-period.pdf" "Weekly complaints summary $FROM..$TO"
expect_exit 2 "--out is required" -- pl "$CORA" report monthly --month 2026-09
expect_exit 0 "--help" -- "$PLAINT_BIN" report case --help
check "--help names the action" -- grep -q "report.pdf" "$TMP_OUT"

# ---- one changed byte in the signed range
python3 - "$W/weekly.pdf" "$W/tampered.pdf" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
# the binary comment on the second line: inside the first signed range, and changing it keeps
# the file readable, so only the signature can notice
assert d[:9] == b"%PDF-1.3\n" and d[9:10] == b"%", d[:12]
d[11] ^= 0x01
open(sys.argv[2], "wb").write(d)
PY
check "tampered: pdfsig no longer says valid" -- bash -c "! pdfsig '$W/tampered.pdf' 2>&1 | grep -q 'Signature is Valid'"
check "tampered: pdfsig reports the digest mismatch" -- bash -c "pdfsig '$W/tampered.pdf' 2>&1 | grep -qi 'digest mismatch\|invalid'"
expect_exit 0 "plaint report verify on the original" -- "$PLAINT_BIN" report verify "$W/weekly.pdf"
expect_exit 1 "plaint report verify on the tampered copy" -- "$PLAINT_BIN" report verify "$W/tampered.pdf"

expect_exit 0 "the ledger still verifies" -- pl "$CORA" verify --pubkey "$H/keys/ledger-signing.pem.pub"

# ---- a tampered ledger: the audit report is written, says so, and the command exits 1
$P -1 -c "SET session_replication_role = replica;" -c "UPDATE plaint.ledger_event SET actor = 'mallory' WHERE case_id = 'security-log' AND case_seq = 1" >/dev/null || not_ok "tamper"
expect_exit 1 "audit report on a tampered ledger exits 1" -- pl "$CORA" report audit --period "$FROM..$TO" --out "$W/audit-bad.pdf"
check "it names the failed verification" -- grep -q "did not verify" "$TMP_ERR"
validate "$W/audit-bad.pdf" audit-bad
check "audit-bad: FAILED at the tampered event's position" -- has "$W/audit-bad.pdf" "FAILED at position $(q "SELECT p.position FROM plaint.ledger_event e JOIN plaint.ledger_position p ON p.event_id = e.id WHERE e.case_id = 'security-log' AND e.case_seq = 1") (case security-log)"
finish
