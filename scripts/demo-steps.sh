#!/usr/bin/env bash
# The demo itself, run by scripts/demo.sh against a started, migrated database: the whole
# reference process (docs/workflow.md) on real imported data. Users with API tokens, the CFPB
# complaints imported, then one complaint taken by five people from intake to archive (assign,
# note, tasks and checklist, a four-eyes refund, resolution, closure with satisfaction), the
# outbox, an SLA scan and a replay check of the projections; finally a checkpoint, `plaint
# verify`, an exported bundle verified offline and an inclusion proof.
#
# Idempotent: run it again on the same PLAINT_HOME and it reuses the users (their tokens are in
# $PLAINT_HOME/demo-tokens, mode 0600), imports nothing new, and walks a new customer's complaint.
# Environment: PLAINT_HOME (required), PLAINT_BIN (default build/plaint), PLAINT_DEMO_OUT
# (default out), PLAINT_DEMO_DATA (default <parent of the checkout>/shared/data/cfpb_complaints.csv).
# shellcheck disable=SC1010 # "task done" below is plaint's command, not the shell's "done"
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
PLAINT=${PLAINT_BIN:-build/plaint}
: "${PLAINT_HOME:?}"
PUB=$PLAINT_HOME/keys/ledger-signing.pem.pub
OUT=${PLAINT_DEMO_OUT:-out}
DATA=${PLAINT_DEMO_DATA:-$(dirname "$REPO")/shared/data/cfpb_complaints.csv}
MAPPING=reports/mappings/cfpb.xml
TOKENS=$PLAINT_HOME/demo-tokens
OPERATOR_TOKEN=${PLAINT_TOKEN:-} # an admin's token, only needed for a home with other users
unset PLAINT_TOKEN               # every command below names its user
run=$(date -u +%Y%m%dT%H%M%S)-$$

step() { printf '\n== %s\n' "$*"; }
# Prints a plaint command line as it would be typed (arguments with spaces quoted), on stderr.
show_cmd() {
    local a line=""
    for a in "$@"; do
        case $a in
        *[[:space:]\'\"\$\;\&\|\<\>\(\)\*\?]*) line+=" '${a//\'/\'\\\'\'}'" ;;
        *) line+=" $a" ;;
        esac
    done
    printf '$ plaint%s\n' "$line" >&2
}
pl() { show_cmd "$@"; "$PLAINT" "$@"; }
# as USER ARGS...: run plaint as that demo user (their token from $TOKENS).
declare -A TOKEN=()
as() {
    local who=$1
    shift
    printf '[%s] ' "$who" >&2
    show_cmd "$@"
    "$PLAINT" --token "${TOKEN[$who]}" "$@"
}
# The API token in a command's output (plt_<id>_<secret>, shown once).
token_in() { grep -o 'plt_[0-9a-f]*_[0-9a-f]*'; }
save_token() { # user token
    [ -n "$2" ] || { echo "demo: no token in the output for $1" >&2; exit 1; }
    TOKEN[$1]=$2
    (umask 077 && printf '%s %s\n' "$1" "$2" >>"$TOKENS")
    chmod 600 "$TOKENS"
}

"$PLAINT" --version
"$PLAINT" db status

# ---------------------------------------------------------------------------------------------
step "1. keys: the checkpoint signing key, the vault master key (for the customer's name) and
   the report signing certificate (self-signed, for the demo)"
if [ -e "$PLAINT_HOME/keys/ledger-signing.pem" ]; then
    echo "signing key present: $PLAINT_HOME/keys/ledger-signing.pem (auditors get $PUB)"
else
    pl keys init
fi
if compgen -G "$PLAINT_HOME/keys/master/*.key" >/dev/null || [ -n "${PLAINT_MASTER_KEY:-}" ]; then
    echo "vault master key present under $PLAINT_HOME/keys/master"
else
    pl keys master-init
fi
if [ -e "$PLAINT_HOME/keys/report-signing-cert.pem" ]; then
    echo "report signing certificate present: $PLAINT_HOME/keys/report-signing-cert.pem"
else
    pl keys cert
fi

# ---------------------------------------------------------------------------------------------
step "2. users: an admin (ends bootstrap), then one person per role of the reference process"
if [ -f "$TOKENS" ]; then
    while read -r u t; do
        [ -n "$u" ] && TOKEN[$u]=$t
    done <"$TOKENS"
fi
# new_user BY ID NAME ROLE: BY (an admin) adds the user with a token, or, if an earlier run added
# the user but stopped before saving the token, grants the role and issues a new token.
new_user() {
    local by=$1 id=$2 name=$3 role=$4 out
    if grep -q "\"user\":\"$id\"" <<<"$("$PLAINT" --token "${TOKEN[$by]}" user list --json)"; then
        as "$by" role grant "$id" "$role"
        out=$(as "$by" token issue "$id" --label demo)
    else
        out=$(as "$by" user add "$id" --name "$name" --role "$role" --issue-token)
        grep -v 'shown once' <<<"$out"
    fi
    save_token "$id" "$(token_in <<<"$out")"
}
add_user() { # ID NAME ROLE
    if [ -n "${TOKEN[$1]:-}" ]; then
        echo "$1 ($3): exists, token reused from $TOKENS"
    else
        new_user ada "$@"
    fi
}
if [ -z "${TOKEN[ada]:-}" ]; then
    if [ -n "$OPERATOR_TOKEN" ]; then
        echo "this home has users already: the admin whose token is in PLAINT_TOKEN adds ada"
        TOKEN[operator]=$OPERATOR_TOKEN
        new_user operator ada 'Ada Admin' admin
    elif out=$(pl user add ada --name 'Ada Admin' --role admin --issue-token); then
        grep -v 'shown once' <<<"$out"
        save_token ada "$(token_in <<<"$out")"
    else
        echo "demo: this PLAINT_HOME already has users, but not the demo's ($TOKENS)." >&2
        echo "demo: set PLAINT_TOKEN to an admin's token, or use a fresh PLAINT_HOME." >&2
        exit 1
    fi
fi
add_user ada 'Ada Admin' admin
add_user ivy 'Ivy Intake' intake_agent
add_user sam 'Sam Support' support_agent
add_user tia 'Tia Tier-Two' tier2_investigator
add_user fay 'Fay Finance' finance_manager
add_user otto 'Otto Auditor' auditor
add_user cora 'Cora Compliance' compliance_officer
echo "(their tokens: $TOKENS, mode 0600)"

# ---------------------------------------------------------------------------------------------
step "3. import the CFPB complaints (real data) through the intake of the reference process"
if [ -f "$DATA" ]; then
    out=$(as ivy import csv "$DATA" --mapping "$MAPPING")
    echo "$out"
    case $out in
    *"; 0 complaints imported,"*) echo "(imported before: nothing new, the import is idempotent)" ;;
    esac
else
    echo "demo: $DATA not found; skipping the import (set PLAINT_DEMO_DATA to the CSV file)"
fi

# ---------------------------------------------------------------------------------------------
step "4. a customer and an order (the customer's name and email go to the vault)"
subj=demo-subject-$run
cust=demo-cust-$run
order=demo-order-$run
as ivy subject add "$subj" --class complaint --name 'Alex Example' --email alex@example.com
as ivy customer add "$cust" --tier gold --currency USD --lifetime-value 1250.00 --subject "$subj"
as ivy order add "$order" --customer "$cust" --line 'KET-1,Kettle,49.99,2,2000' \
    --line 'TOA-1,Toaster,30.00,1,500' --credit-note "CN-$run,5.00"

step "4.1 a new complaint: intake runs steps 1-9 (profile, severity, SLA, routing, tasks, ack)"
ref=$(as ivy complaint new --channel email --category 'Checking or savings account' \
    --customer "$cust" --order "$order" --urgency high --issue 'Faulty kettle' \
    --narrative 'The kettle I bought stopped working after two days.')
echo "reference number: $ref"
as ivy complaint show "$ref"

step "4.2 tier 2 assigns it to a support agent, who answers the customer and investigates"
as tia complaint assign "$ref" sam
as sam complaint note "$ref" 'Called the customer: the kettle fails to heat.' \
    --kind correspondence_out
as sam task done "$ref/T1"

step "4.3 tier 2 works through the mandatory checklist and completes its task"
items=$("$PLAINT" --token "${TOKEN[tia]}" complaint show "$ref" --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    if t["task_id"].endswith("/T2"):
        for i in t["items"]:
            if i["mandatory"] and i["done_at"] is None:
                print(i["item_id"])')
args=()
for i in $items; do args+=(--item "$i"); done
as tia task done "$ref/T2" "${args[@]}"
as tia task done "$ref/T2"

step "4.4 refund: proposed by the agent, approved by finance (four-eyes), credited once"
refund=$(as sam refund propose "$ref" --reason 'faulty kettle')
echo "refund: $refund"
as fay refund approve "$refund"
as fay refund credit "$refund"

step "4.5 resolve (resolution log, notification), close with satisfaction, archive"
as sam complaint resolve "$ref" --outcome upheld --summary 'Refunded the kettles and toaster' \
    --root-cause 'product defect'
as sam complaint close "$ref" --satisfaction 4
as sam complaint transition "$ref" archived

step "4.6 what happened: the complaint's ledger events, and its messages in the outbox"
printf '[otto] $ plaint ledger show --case %s --json  (one line per event: seq type actor/role)\n' \
    "$ref" >&2
"$PLAINT" --token "${TOKEN[otto]}" ledger show --case "$ref" --json | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    print("%4s  %-32s %s/%s" % (e["seq"], e["type"], e["actor"], e["role"]))'
as sam outbox list --complaint "$ref"

step "4.7 SLA scan: escalates every open complaint past a deadline, once per timer"
as tia sla scan

step "4.8 the projections rebuilt from the ledger alone come out identical"
printf '[ada] ' >&2
show_cmd ledger replay --check
if out=$("$PLAINT" --token "${TOKEN[ada]}" ledger replay --check 2>&1); then
    tail -n 1 <<<"$out"
else
    echo "$out"
    case $out in
    *"CMP-DEMO-"*)
        # Raw events that the demo wrote before complaints were projections (no such case can be
        # written any more): the projector cannot replay them. The ledger still verifies.
        echo "demo: note: this PLAINT_HOME holds CMP-DEMO-... events from an older demo that" \
            "the projector cannot replay; use a fresh PLAINT_HOME for a clean replay check."
        ;;
    *) exit 1 ;;
    esac
fi

# ---------------------------------------------------------------------------------------------
step "4.9 reports into $OUT/: the signed regulator return (XML) and case export, signed PDFs"
mkdir -p "$OUT"
half=$(date -u +%Y)-H$(((10#$(date -u +%m) - 1) / 6 + 1))
week=$(date -u +%G-W%V)
month=$(date -u +%Y-%m)
as cora report regulator --period "$half" --out "$OUT/regulator-return-$half.xml"
as cora report cases --period "$half" --out "$OUT/case-export-$half.xml"
as cora report weekly --week "$week" --out "$OUT/weekly-$week.pdf"
as cora report monthly --month "$month" --out "$OUT/monthly-$month.pdf"
as cora report audit --period "$half" --out "$OUT/audit-$half.pdf" --pubkey "$PUB"
as cora report case "$ref" --out "$OUT/case-$ref.pdf"
for f in "$OUT/regulator-return-$half.xml" "$OUT/weekly-$week.pdf" "$OUT/case-$ref.pdf"; do
    as otto report verify "$f" --ledger
done

# ---------------------------------------------------------------------------------------------
step "5. seal a checkpoint and verify the whole ledger against the trusted public key"
as ada ledger seal
as ada verify --pubkey "$PUB"
echo "verify: exit 0"

step "5.1 export a bundle and verify it offline (no database needed)"
mkdir -p "$OUT"
bundle=$OUT/bundle-$run
as otto ledger export --out "$bundle"
pl verify --bundle "$bundle" --pubkey "$PUB"

step "5.2 an inclusion proof of the complaint's first event, checked offline"
pos=$("$PLAINT" --token "${TOKEN[otto]}" ledger show --case "$ref" --json | python3 -c '
import json, sys
print(json.loads(sys.stdin.readline())["position"])')
as otto ledger prove --position "$pos" --out "$OUT/proof-$run.json"
pl verify-proof "$OUT/proof-$run.json" --pubkey "$PUB"

echo
echo "demo: done: complaint $ref went through every step; plaint verify passed."
echo "demo: the embedded cluster keeps running; stop it with '$PLAINT db stop'."
