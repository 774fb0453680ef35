#!/usr/bin/env bash
# plaint report regulator on the real CFPB data plus complaints walked through the workflow
# (resolved, rejected, reopened, closed; upheld or not; a credited refund as redress; root
# causes; received 1 hour, 5, 10, 20, 30 and 70 days ago so some close within 3 business days,
# some within 8 weeks and some later). Every figure of the return is checked against figures
# computed independently: Python over the complaint projection (psql --csv) with its own
# business-day arithmetic (zoneinfo Europe/London and the holidays of policies/sla.xml), plain
# SQL counts on the projection, and Python over the CSV file itself. Then: xmllint --schema,
# xmlsec1 --verify, a changed figure refused by both, two runs byte-identical, an invalid
# document never written, `report verify --ledger` after the ledger grew, and refused when the
# document names a checkpoint the ledger does not have or a figure it does not give.
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
expect_exit 0 "keys cert (report signing key and certificate)" -- "$PLAINT_BIN" keys cert
KEY=$H/keys/report-signing-key.pem
CERT=$H/keys/report-signing-cert.pem
check "report key and certificate exist" -- test -s "$KEY" -a -s "$CERT"
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }

# --- data: the CFPB file, imported as the demo does ------------------------------------------
expect_exit 0 "import the CFPB complaints" -- "$PLAINT_BIN" import csv "$CSV" --mapping "$SRC/reports/mappings/cfpb.xml"
check "3,690 complaints imported" -- test "$(q "SELECT count(*) FROM plaint.complaint")" = 3690

# --- users (the first ends bootstrap mode) -----------------------------------------------------
token() { awk '/token \(shown once\)/{print $4}' "$TMP_OUT"; }
expect_exit 0 "admin" -- "$PLAINT_BIN" user add ada --name Ada --role admin --issue-token
declare -A T
T[ada]=$(token)
adduser() { # id role
    expect_exit 0 "user $1 ($2)" -- "$PLAINT_BIN" --token "${T[ada]}" user add "$1" --name "$1" --role "$2" --issue-token
    T[$1]=$(token)
}
adduser ivy intake_agent
adduser sam support_agent
adduser tia tier2_investigator
adduser fay finance_manager
adduser cora compliance_officer
adduser liam regulator_liaison
as() { local u=$1; shift; "$PLAINT_BIN" --token "${T[$u]}" "$@"; }

# --- complaints walked through the workflow ---------------------------------------------------
NOW=$(date -u +%s)
ago() { date -u -d "@$((NOW - $1))" +%Y-%m-%dT%H:%M:%SZ; }
new() { # category seconds-ago [more options]
    local cat=$1 secs=$2
    shift 2
    as ivy complaint new --channel web --category "$cat" --received "$(ago "$secs")" "$@"
}
checklist() { # ref: tier 2 ticks the mandatory items of T2 and completes it
    local ref=$1 items args=()
    items=$(as tia complaint show "$ref" --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    if t["task_id"].endswith("/T2"):
        for i in t["items"]:
            if i["mandatory"] and i["done_at"] is None:
                print(i["item_id"])')
    for i in $items; do args+=(--item "$i"); done
    as tia task done "$ref/T2" "${args[@]}" >/dev/null && as tia task done "$ref/T2" >/dev/null 2>&1
    true
}
LONG_CAUSE=$(printf 'cause%.0s' $(seq 1 60)) # 300 characters: more than a return may carry
expect_exit 0 "customer" -- as ivy customer add rc-cust --tier gold --currency USD --lifetime-value 500.00
expect_exit 0 "order" -- as ivy order add rc-order --customer rc-cust --line 'KET-1,Kettle,49.99,2,2000'
K1=$(new Mortgage 3600 --customer rc-cust --order rc-order)  # 1 hour ago: closed within 3 days
K2=$(new 'Debt collection' $((20 * 86400)))                   # within 8 weeks
K3=$(new 'Credit card or prepaid card' $((70 * 86400)))       # later than 8 weeks
K4=$(new 'Student loan' $((30 * 86400)))                      # rejected
K5=$(new Mortgage $((10 * 86400)))                            # resolved, then reopened: open
K6=$(new 'Checking or savings account' $((5 * 86400)))        # goodwill, then closed
K7=$(new 'Something unmapped' $((2 * 86400)))                 # fallback group, not upheld
check "seven complaints registered" -- test -n "$K1" -a -n "$K7"
for k in $K1 $K2 $K3 $K5 $K6 $K7; do checklist "$k"; done
expect_exit 0 "K1 assigned to sam" -- as tia complaint assign "$K1" sam
R=$(as sam refund propose "$K1" --reason 'faulty kettle')
expect_exit 0 "refund approved by finance" -- as fay refund approve "$R"
expect_exit 0 "refund credited" -- as fay refund credit "$R"
expect_exit 0 "K1 resolved upheld (redress = the refund)" -- as tia complaint resolve "$K1" --outcome upheld --summary 'refunded' --root-cause 'product defect'
expect_exit 0 "K2 not upheld" -- as tia complaint resolve "$K2" --outcome not_upheld --summary 'no error' --root-cause 'delay'
expect_exit 0 "K3 partially upheld, an over-long cause" -- as tia complaint resolve "$K3" --outcome partially_upheld --summary 'part' --root-cause "$LONG_CAUSE"
expect_exit 0 "K4 rejected" -- as tia complaint transition "$K4" rejected --reason 'out of scope'
expect_exit 0 "K5 resolved" -- as tia complaint resolve "$K5" --outcome upheld --summary 'fixed' --root-cause 'admin error'
expect_exit 0 "K5 reopened" -- as tia complaint reopen "$K5" --reason 'came back'
expect_exit 0 "K6 goodwill" -- as tia complaint resolve "$K6" --outcome goodwill --summary 'gesture'
expect_exit 0 "K6 closed" -- as tia complaint close "$K6" --satisfaction 4
expect_exit 0 "K7 not upheld, no cause" -- as tia complaint resolve "$K7" --outcome not_upheld --summary 'no'
check "K1 redress recorded" -- test "$(q "SELECT redress > 0 AND currency = 'USD' FROM plaint.complaint WHERE ref = '$K1'")" = t

# A definition valid for any test date (the shipped one ends with 2026, DISP 1 Annex 1R's end).
DEF=$W/def.xml
sed 's/valid-to="2026-12-31"/valid-to="2099-12-31"/' "$SRC/reports/regulator-return.xml" >"$DEF"
FROM_DAY=$(date -u -d "@$((NOW - 100 * 86400))" +%F)
TO_DAY=$(date -u -d "@$NOW" +%F)
PERIOD="$FROM_DAY..$TO_DAY"

# --- RBAC --------------------------------------------------------------------------------------
expect_exit 4 "an intake agent may not prepare a return" -- as ivy report regulator --period "$PERIOD" --definition "$DEF" --out "$W/x.xml"
expect_exit 4 "a regulator liaison prepares but may not sign" -- as liam report regulator --period "$PERIOD" --definition "$DEF" --out "$W/x.xml"
check "nothing written on denial" -- test ! -e "$W/x.xml"
check "the denial is in the security log" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'security-log' AND payload LIKE '%report.regulator.sign%'")" -ge 1
expect_exit 2 "--period is required" -- as cora report regulator --out "$W/x.xml"
expect_exit 3 "a bad period names the problem" -- as cora report regulator --period 2026-13 --out "$W/x.xml"
check "message names month 13" -- grep -q "month 13 is not 01..12" "$TMP_ERR"
expect_exit 3 "a period outside the definition's validity" -- as cora report regulator --period 2015-H1 --out "$W/x.xml"
check "message says outside the validity" -- grep -q "outside the validity" "$TMP_ERR"
expect_exit 0 "report regulator --help" -- "$PLAINT_BIN" report regulator --help

# --- the return ----------------------------------------------------------------------------------
# A first run records the RBAC policy's hash on the ledger (once); the runs compared below
# follow it, on an unchanged ledger.
expect_exit 0 "warm-up run" -- as cora report regulator --period "$PERIOD" --definition "$DEF" --out "$W/r0.xml"
expect_exit 0 "report regulator (period $PERIOD)" -- as cora report regulator --period "$PERIOD" --definition "$DEF" --out "$W/r1.xml"
check "output names the checkpoint" -- grep -q "^checkpoint: " "$TMP_OUT"
expect_exit 0 "report regulator again" -- as cora report regulator --period "$PERIOD" --definition "$DEF" --out "$W/r2.xml"
check "two runs on the same ledger: byte-identical XML" -- cmp -s "$W/r1.xml" "$W/r2.xml"
check "no temporary file left" -- test "$(find "$W" -name '.*' -type f | wc -l)" = 0
expect_exit 0 "xmllint --schema accepts it" -- xmllint --noout --schema "$SRC/schemas/xml/regulator-return-v1.xsd" "$W/r1.xml"
expect_exit 0 "xmlsec1 --verify accepts the signature" -- xmlsec1 --verify --trusted-pem "$CERT" "$W/r1.xml"
expect_exit 0 "plaint report verify" -- "$PLAINT_BIN" report verify "$W/r1.xml"
check "verified with the configured certificate" -- grep -q "configured certificate" "$TMP_OUT"
expect_exit 0 "plaint report verify --ledger" -- as cora report verify "$W/r1.xml" --ledger
check "the checkpoint is the latest, covering the whole ledger" -- test "$(sed -n 's/.*tree-size="\([0-9]*\)".*/\1/p' "$W/r1.xml")" = "$(q "SELECT max(position) + 1 FROM plaint.ledger_position")"
check "the checkpoint root is the ledger's" -- test "$(sed -n 's/.*root-hash="\([0-9a-f]*\)".*/\1/p' "$W/r1.xml")" = "$(q "SELECT encode(root_hash, 'hex') FROM plaint.ledger_checkpoint ORDER BY seq DESC LIMIT 1")"

# --- every figure against independent computations ------------------------------------------------
cat >"$W/expect.py" <<'EOF'
# Expected figures of a regulator return from the complaint projection (CSV from psql), with
# business days counted here (zoneinfo, holidays from policies/sla.xml), compared with the XML.
import csv, datetime, sys, xml.etree.ElementTree as ET, zoneinfo
from decimal import Decimal, ROUND_HALF_UP, getcontext

getcontext().prec = 60
ret, defn, sla, rows, first, last = sys.argv[1:7]
NSR = "{urn:plaint:report:regulator-return:1}"
NSD = "{urn:plaint:report-definition:1}"
NSS = "{urn:plaint:sla:1}"
LON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.timezone.utc
d = ET.parse(defn).getroot()
groups = [(g.get("id"), [c.text for c in g.findall(NSD + "category")]) for g in d.iter(NSD + "group")]
gmap = {c: gid for gid, cats in groups for c in cats}
fallback = d.find(NSD + "groups").get("fallback")
rc = d.find(NSD + "root-causes")
cmap = {v.text: c.get("name") for c in rc.findall(NSD + "cause") for v in c.findall(NSD + "value")} if rc is not None else None
tl = d.find(NSD + "time-limits")
ndays, nweeks = int(tl.get("summary-business-days")), int(tl.get("final-weeks"))
cal = [c for c in ET.parse(sla).getroot().iter(NSS + "calendar") if c.get("id") == tl.get("calendar")][0]
holidays = {datetime.date.fromisoformat(h.get("date")) for h in cal.findall(NSS + "holiday")}

def us(dt):
    return (int(dt.timestamp()) * 1000000) + dt.microsecond

def deadlines(received_us):
    day = datetime.datetime.fromtimestamp(received_us // 1000000, LON).date()
    n, b = 0, day
    while n < ndays:
        b += datetime.timedelta(days=1)
        if b.weekday() < 5 and b not in holidays:
            n += 1
    summary = us(datetime.datetime.combine(b, datetime.time(17, 0), LON))
    end = day + datetime.timedelta(days=7 * nweeks + 1)
    final = us(datetime.datetime.combine(end, datetime.time(0, 0), LON)) - 1
    return summary, final

F = us(datetime.datetime.fromisoformat(first).replace(tzinfo=UTC))
T = us(datetime.datetime.fromisoformat(last).replace(tzinfo=UTC) + datetime.timedelta(days=1))
fig = {gid: dict(o=0, n=0, c=0, s=0, f=0, u=0, red={}, causes={}) for gid, _ in groups}
fig["total"] = dict(o=0, n=0, c=0, s=0, f=0, u=0, red={}, causes={})
for r in csv.DictReader(open(rows)):
    rec = int(r["received_us"])
    clo = int(r["closed_us"]) if r["closed_us"] else None
    if not (rec < T and (clo is None or clo >= F)):
        continue
    for key in (gmap.get(r["category"], fallback), "total"):
        g = fig[key]
        if rec < F:
            g["o"] += 1
        else:
            g["n"] += 1
        if clo is not None and F <= clo < T:
            g["c"] += 1
            s, f = deadlines(rec)
            if clo <= s:
                g["s"] += 1
            elif clo <= f:
                g["f"] += 1
            if r["upheld"] == "t":
                g["u"] += 1
            if r["redress"] and int(r["redress"]) > 0:
                cur = r["currency"] or "XXX"
                g["red"][cur] = g["red"].get(cur, 0) + int(r["redress"])
            cause = r["root_cause"]
            if cause == "":
                cause = rc.get("unrecorded") if rc is not None else "Not recorded"
            elif cmap is not None:
                cause = cmap.get(cause, rc.get("fallback"))
            g["causes"][cause] = g["causes"].get(cause, 0) + 1

def pct(n, of):
    return str((Decimal(n) * 100 / Decimal(of)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

bad = 0
def same(where, got, want):
    global bad
    if got != want:
        bad += 1
        print(f"MISMATCH {where}: xml {got!r}, expected {want!r}")

x = ET.parse(ret).getroot()
els = [(g.get("id"), g) for g in x.findall(NSR + "group")] + [("total", x.find(NSR + "total"))]
same("groups", [i for i, _ in els], [gid for gid, _ in groups] + ["total"])
for gid, e in els:
    w = fig[gid]
    val = lambda n: e.find(NSR + n).text
    same(gid + "/outstanding-at-start", val("outstanding-at-start"), str(w["o"]))
    same(gid + "/opened", val("opened"), str(w["n"]))
    same(gid + "/closed", val("closed"), str(w["c"]))
    for name, k in (("closed-within-summary-days", "s"), ("closed-within-final-weeks", "f"), ("upheld", "u")):
        same(gid + "/" + name, e.find(NSR + name).text, str(w[k]))
        same(gid + "/" + name + "/@percent", e.find(NSR + name).get("percent"), pct(w[k], w["c"]) if w["c"] else None)
    same(gid + "/redress", {a.get("currency"): int(a.text) for a in e.find(NSR + "redress")}, w["red"])
    same(gid + "/root-causes", {c.get("name"): int(c.text) for c in e.find(NSR + "root-causes")}, w["causes"])
    same(gid + "/root-causes order", [c.get("name") for c in e.find(NSR + "root-causes")],
         sorted(w["causes"], key=lambda s: s.encode()))
print("figures checked:", len(els), "groups; mismatches:", bad)
print("nonzero:", {k: fig["total"][k] for k in "oncsfu"}, fig["total"]["red"])
sys.exit(1 if bad else 0)
EOF
dump_rows() { # file: the projection as the independent checker reads it
    psql -X -q --csv -h "$H/pg/run" -U plaint_admin -d plaint -c "SELECT ref, category,
        (extract(epoch FROM received_at) * 1000000)::bigint AS received_us,
        (extract(epoch FROM COALESCE(resolved_at, closed_at)) * 1000000)::bigint AS closed_us,
        upheld, redress, currency, root_cause FROM plaint.complaint" >"$1"
}
dump_rows "$W/rows.csv"
expect_exit 0 "every figure = Python over the projection" -- python3 "$W/expect.py" "$W/r1.xml" "$DEF" "$SRC/policies/sla.xml" "$W/rows.csv" "$FROM_DAY" "$TO_DAY"
cat "$TMP_OUT"
nz() { grep -q "'$1': [1-9]" "$TMP_OUT"; }
check "closed, within 3 days, within 8 weeks, upheld all non-zero" -- eval 'nz c && nz s && nz f && nz u && nz o && nz n'
check "redress paid in USD" -- grep -q "{'USD': [1-9]" "$TMP_OUT"

# Plain SQL on the projection for the totals.
F_TS="$FROM_DAY 00:00:00+00"
T_TS="$(date -u -d "$TO_DAY + 1 day" +%F) 00:00:00+00"
tot() { sed -n "/<total>/,/<\/total>/s|.*<$1[^>]*>\([0-9]*\)</$1>.*|\1|p" "$W/r1.xml"; }
CLOSED="COALESCE(resolved_at, closed_at)"
check "total opened = SQL" -- test "$(tot opened)" = "$(q "SELECT count(*) FROM plaint.complaint WHERE received_at >= '$F_TS' AND received_at < '$T_TS'")"
check "total outstanding at start = SQL" -- test "$(tot outstanding-at-start)" = "$(q "SELECT count(*) FROM plaint.complaint WHERE received_at < '$F_TS' AND ($CLOSED IS NULL OR $CLOSED >= '$F_TS')")"
check "total closed = SQL" -- test "$(tot closed)" = "$(q "SELECT count(*) FROM plaint.complaint WHERE $CLOSED >= '$F_TS' AND $CLOSED < '$T_TS'")"
check "total upheld = SQL" -- test "$(tot upheld)" = "$(q "SELECT count(*) FROM plaint.complaint WHERE $CLOSED >= '$F_TS' AND $CLOSED < '$T_TS' AND upheld")"
check "total redress = SQL" -- test "$(sed -n '/<total>/,/<\/total>/s|.*<amount currency="USD">\([0-9]*\)</amount>.*|\1|p' "$W/r1.xml")" = "$(q "SELECT sum(redress) FROM plaint.complaint WHERE $CLOSED >= '$F_TS' AND $CLOSED < '$T_TS' AND redress > 0")"
check "redress = the credited refund" -- test "$(q "SELECT sum(redress) FROM plaint.complaint WHERE ref = '$K1'")" = "$(q "SELECT total FROM plaint.refund WHERE refund_id = '$R'")"

# A half-year of the CSV data, checked with Python over the CSV file itself (no database).
expect_exit 0 "report regulator 2019-H1 (CFPB data)" -- as cora report regulator --period 2019-H1 --definition "$DEF" --out "$W/h.xml"
cat >"$W/csvcheck.py" <<'EOF'
import csv, sys, xml.etree.ElementTree as ET
ret, defn, data = sys.argv[1:4]
NSR, NSD = "{urn:plaint:report:regulator-return:1}", "{urn:plaint:report-definition:1}"
d = ET.parse(defn).getroot()
gmap = {c.text: g.get("id") for g in d.iter(NSD + "group") for c in g.findall(NSD + "category")}
fb = d.find(NSD + "groups").get("fallback")
want = {}
for r in csv.DictReader(open(data, newline="")):
    g = gmap.get(r["Product"], fb)
    w = want.setdefault(g, [0, 0])
    if r["Date received"] < "2019-01-01":
        w[0] += 1
    elif r["Date received"] < "2019-07-01":
        w[1] += 1
bad = 0
for e in ET.parse(ret).getroot().findall(NSR + "group"):
    got = [int(e.find(NSR + "outstanding-at-start").text), int(e.find(NSR + "opened").text)]
    if got != want.get(e.get("id"), [0, 0]):
        bad += 1
        print("MISMATCH", e.get("id"), got, want.get(e.get("id")))
print("groups with complaints:", want)
sys.exit(1 if bad else 0)
EOF
expect_exit 0 "2019-H1 outstanding and opened per group = Python over the CSV" -- python3 "$W/csvcheck.py" "$W/h.xml" "$DEF" "$CSV"
cat "$TMP_OUT"

# --- tampering -------------------------------------------------------------------------------------
sed '0,/<opened>[0-9]*<\/opened>/s//<opened>999999<\/opened>/' "$W/r1.xml" >"$W/t1.xml"
check "the tampered copy differs" -- test "$(cmp -s "$W/r1.xml" "$W/t1.xml"; echo $?)" = 1
expect_exit 1 "xmlsec1 --verify refuses a changed figure" -- xmlsec1 --verify --trusted-pem "$CERT" "$W/t1.xml"
expect_exit 1 "plaint report verify refuses a changed figure" -- "$PLAINT_BIN" report verify "$W/t1.xml"
check "the message says the signature does not verify" -- grep -q "signature does not verify" "$TMP_ERR"
sed 's/<closed>/<closed-x>/; s/<\/closed>/<\/closed-x>/' "$W/r1.xml" >"$W/t2.xml"
expect_exit 1 "plaint report verify refuses a schema violation" -- "$PLAINT_BIN" report verify "$W/t2.xml"
check "the message names the schema" -- grep -q "schema" "$TMP_ERR"

# Documents re-signed with the right key, so only --ledger can catch them.
resign() { # in out
    python3 - "$1" "$2.tmpl" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
for tag in ("DigestValue", "SignatureValue", "X509Certificate"):
    s = re.sub(r"(<ds:%s>)[^<]*(</ds:%s>)" % (tag, tag), r"\1\2", s)
open(sys.argv[2], "w").write(s)
EOF
    xmlsec1 --sign --privkey-pem "$KEY,$CERT" --output "$2" "$2.tmpl" 2>/dev/null
}
resign "$W/t1.xml" "$W/t3.xml"
expect_exit 0 "a changed figure, re-signed: the signature holds" -- "$PLAINT_BIN" report verify "$W/t3.xml"
expect_exit 1 "... but report verify --ledger names the figure" -- as cora report verify "$W/t3.xml" --ledger
check "message names the group and the figure" -- grep -q "figure /regulator-return/group\[banking-and-credit-cards\]/opened: the document says \"999999\"" "$TMP_ERR"
python3 - "$W/r1.xml" "$W/t4src.xml" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r'root-hash="([0-9a-f]{64})"', s)
bad = ("1" if m.group(1)[0] != "1" else "2") + m.group(1)[1:]
open(sys.argv[2], "w").write(s.replace(m.group(0), 'root-hash="%s"' % bad))
EOF
resign "$W/t4src.xml" "$W/t4.xml"
expect_exit 1 "a checkpoint root the ledger does not have: --ledger refuses" -- as cora report verify "$W/t4.xml" --ledger
check "message says the checkpoint has another root" -- grep -q "has root .*, not " "$TMP_ERR"
python3 - "$W/r1.xml" "$W/t5src.xml" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.sub(r'tree-size="(\d+)"', lambda m: 'tree-size="%d"' % (int(m.group(1)) + 5), s, count=1))
EOF
resign "$W/t5src.xml" "$W/t5.xml"
expect_exit 1 "a checkpoint size the ledger never sealed: --ledger refuses" -- as cora report verify "$W/t5.xml" --ledger
check "message says there is no such checkpoint" -- grep -q "no checkpoint of tree size" "$TMP_ERR"

# --- an invalid document is never written -----------------------------------------------------------
# Without a cause mapping causes are reported as recorded, and K3's 300-character cause is more
# than the schema allows: the document is refused after signing, before anything is written.
sed '/<root-causes /,/<\/root-causes>/d' "$DEF" >"$W/def-raw.xml"
check "the unmapped definition has no root-causes element" -- test "$(grep -c '<root-causes' "$W/def-raw.xml")" = 0
expect_exit 3 "an invalid return is refused" -- as cora report regulator --period "$PERIOD" --definition "$W/def-raw.xml" --out "$W/never.xml"
check "the message is the schema's, on the root cause" -- grep -q "cause" "$TMP_ERR"
check "nothing written" -- test ! -e "$W/never.xml"
cp "$W/r1.xml" "$W/keep.xml"
expect_exit 3 "refused again over an existing file" -- as cora report regulator --period "$PERIOD" --definition "$W/def-raw.xml" --out "$W/keep.xml"
check "the existing file is untouched" -- cmp -s "$W/r1.xml" "$W/keep.xml"
check "no temporary file left after a refusal" -- test "$(find "$W" -name '.*' -type f | wc -l)" = 0
expect_exit 3 "a definition naming an unknown calendar" -- as cora report regulator --period "$PERIOD" --definition <(sed 's/calendar="uk-ew"/calendar="mars"/' "$DEF") --out "$W/never.xml"
check "message names the calendar" -- grep -q "calendar mars" "$TMP_ERR"
expect_exit 3 "a definition with a DOCTYPE" -- as cora report regulator --period "$PERIOD" --definition <(sed '1a <!DOCTYPE x [<!ENTITY e "e">]>' "$DEF") --out "$W/never.xml"
check "message: file:line and DOCTYPE" -- grep -q ":2: a DOCTYPE is not allowed" "$TMP_ERR"

# --- the ledger grows: the return stays verifiable at its checkpoint ---------------------------------
K8=$(new Mortgage 60)
checklist "$K8"
expect_exit 0 "a new complaint closed after the return" -- as tia complaint resolve "$K8" --outcome upheld --summary 'quick'
expect_exit 0 "seal" -- "$PLAINT_BIN" --token "${T[ada]}" ledger seal
check "the ledger grew past the return's checkpoint" -- test "$(q "SELECT max(position) + 1 FROM plaint.ledger_position")" -gt "$(sed -n 's/.*tree-size="\([0-9]*\)".*/\1/p' "$W/r1.xml")"
expect_exit 0 "report verify --ledger still holds for the old return" -- as cora report verify "$W/r1.xml" --ledger
expect_exit 0 "a new return" -- as cora report regulator --period "$PERIOD" --definition "$DEF" --out "$W/r3.xml"
check "its figures moved (one more opened, closed and upheld)" -- test "$(sed -n '/<total>/,/<\/total>/s|.*<opened>\([0-9]*\)</opened>.*|\1|p' "$W/r3.xml")" = "$(( $(tot opened) + 1 ))"
dump_rows "$W/rows3.csv"
expect_exit 0 "the new return = Python over the projection" -- python3 "$W/expect.py" "$W/r3.xml" "$DEF" "$SRC/policies/sla.xml" "$W/rows3.csv" "$FROM_DAY" "$TO_DAY"
expect_exit 0 "the shipped definition for a 2026 half-year" -- as cora report regulator --period 2026-H1 --out "$W/h26.xml"
expect_exit 0 "... verifies with --ledger" -- as cora report verify "$W/h26.xml" --ledger
expect_exit 0 "verify" -- "$PLAINT_BIN" --token "${T[ada]}" verify --pubkey "$H/keys/ledger-signing.pem.pub"
finish
