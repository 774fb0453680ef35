#!/usr/bin/env bash
# One complaint through every step of the reference process (C4, docs/workflow.md), each step's
# ledger event and projection checked, then the refusals (open checklist item, credit without
# approval, self-approval, an unlisted transition, a second credit) each leaving the complaint's
# ledger and the projections unchanged; ends with `plaint ledger replay` rebuilding identical
# projections and `plaint verify` exit 0.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_TOKEN
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }

token_of() { awk '/token \(shown once\)/{print $4}' "$TMP_OUT"; }
expect_exit 0 "bootstrap admin" -- "$PLAINT_BIN" user add admin --name Admin --role admin --issue-token
ADMIN=$(token_of)
adduser() { # id role...
    local id=$1
    shift
    local roles=()
    for r in "$@"; do roles+=(--role "$r"); done
    "$PLAINT_BIN" --token "$ADMIN" user add "$id" --name "$id" "${roles[@]}" --issue-token >"$TMP_OUT" || echo "not ok - add user $id" >&2
    token_of
}
INTAKE=$(adduser ivy intake_agent)
AGENT=$(adduser sam support_agent)
T2=$(adduser tia tier2_investigator)
FIN=$(adduser fay finance_manager)
BOTH=$(adduser bob support_agent finance_manager)
pl() { local t=$1; shift; "$PLAINT_BIN" --token "$t" "$@"; }

# Customer and order (projections from customer:<id> events).
expect_exit 0 "customer add" -- pl "$INTAKE" customer add cust-1 --tier silver --currency USD --lifetime-value 2500.00
expect_exit 0 "order add" -- pl "$INTAKE" order add ord-1 --customer cust-1 --currency USD --line K1,Kettle,49.99,2,2000 --line T1,Toaster,30.00,1,500 --credit-note CN-1,5.00
check "customer projected" -- test "$(q "SELECT tier || ' ' || lifetime_value || ' ' || currency FROM plaint.customer WHERE customer_id = 'cust-1'")" = "silver 250000 USD"
check "order lines projected" -- test "$(q "SELECT count(*) FROM plaint.order_line WHERE order_ref = 'ord-1'")" = 2

# Steps 1-9: intake.
expect_exit 0 "complaint new" -- pl "$INTAKE" complaint new --channel email --category "Checking or savings account" --customer cust-1 --order ord-1 --urgency normal --issue "Faulty kettle" --received 2026-03-02T10:00:00Z
REF=$(cat "$TMP_OUT")
check "a reference number CMP-YYYY-NNNNNN" -- bash -c "[[ '$REF' =~ ^CMP-2026-[0-9]{6}$ ]]"
types=$(q "SELECT string_agg(event_type, ',' ORDER BY case_seq) FROM plaint.ledger_event WHERE case_id = '$REF'")
check "intake events in reference-process order ($types)" -- bash -c "[[ '$types' == complaint.received,complaint.profile_fetched,complaint.severity_scored,complaint.sla_set,complaint.routed,task.created,task.created,complaint.status_changed,complaint.order_linked,complaint.month_counted,notification.queued* ]]"
check "intake events are written by the intake agent in their role" -- test "$(q "SELECT DISTINCT actor || '/' || actor_role FROM plaint.ledger_event WHERE case_id = '$REF'")" = "ivy/intake_agent"
check "profile fetched: tier and value" -- test "$(q "SELECT customer_tier || ' ' || lifetime_value FROM plaint.complaint WHERE ref = '$REF'")" = "silver 250000"
check "severity scored" -- test -n "$(q "SELECT severity_score FROM plaint.complaint WHERE ref = '$REF' AND severity_level IS NOT NULL")"
check "investigation task for a support agent" -- test "$(q "SELECT role FROM plaint.task WHERE task_id = '$REF/T1'")" = support_agent
check "tier-2 task with a mandatory checklist" -- test "$(q "SELECT count(*) FROM plaint.task_item WHERE task_id = '$REF/T2' AND mandatory")" -ge 1
check "status under investigation (or escalated)" -- bash -c "[[ '$(q "SELECT status FROM plaint.complaint WHERE ref = '$REF'")' =~ ^(under_investigation|escalated)$ ]]"
check "history New -> Under Investigation" -- test "$(q "SELECT from_status || '>' || to_status FROM plaint.complaint_status_history WHERE ref = '$REF' ORDER BY seq LIMIT 1")" = "new>under_investigation"
check "order linked" -- test "$(q "SELECT order_ref FROM plaint.complaint WHERE ref = '$REF'")" = ord-1
check "month counted" -- test "$(q "SELECT month || ' ' || month_count FROM plaint.complaint WHERE ref = '$REF'")" = "2026-03 1"
check "SLA deadlines set (DISP: 3 business days, 8 weeks)" -- test "$(q "SELECT summary_due::date || ' ' || final_due::date FROM plaint.complaint WHERE ref = '$REF'")" = "2026-03-05 2026-04-27"
check "acknowledgement queued with the reference" -- test "$(q "SELECT count(*) FROM plaint.outbox WHERE ref = '$REF' AND kind = 'acknowledgement' AND body LIKE '%$REF%' AND status = 'queued'")" = 1
expect_exit 0 "outbox list" -- pl "$AGENT" outbox list --json
check "outbox list shows the acknowledgement" -- grep -q "$REF/M1" "$TMP_OUT"

# Assignment and the investigation.
expect_exit 4 "an agent may not assign" -- pl "$AGENT" complaint assign "$REF" sam
expect_exit 0 "tier 2 assigns the case to sam" -- pl "$T2" complaint assign "$REF" sam
check "owner projected" -- test "$(q "SELECT owner FROM plaint.complaint WHERE ref = '$REF'")" = sam
expect_exit 0 "sam notes a reply to the customer" -- pl "$AGENT" complaint note "$REF" "Called the customer" --kind correspondence_out
check "first response recorded" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE ref = '$REF' AND first_response_at IS NOT NULL")" = 1
expect_exit 0 "sam completes the investigation task" -- pl "$AGENT" task done "$REF/T1"
check "task done by sam" -- test "$(q "SELECT status || ' ' || done_by FROM plaint.task WHERE task_id = '$REF/T1'")" = "done sam"

# Steps 10-12: refund, four-eyes, credit.
expect_exit 0 "sam proposes a refund" -- pl "$AGENT" refund propose "$REF" --reason "kettle faulty"
RF=$(cat "$TMP_OUT")
# 2 x 49.99 = 99.98 + 20% = 19.996 -> 20.00 (half-even at the cent); 30.00 + 5% = 1.50; less 5.00
check "refund amount: items + taxes - credit notes" -- test "$(q "SELECT net || ' ' || tax || ' ' || credits || ' ' || total FROM plaint.refund WHERE refund_id = '$RF'")" = "12998 2150 500 14648"
check "approval task for a finance manager" -- test "$(q "SELECT role FROM plaint.task WHERE refund_id = '$RF' AND kind = 'refund_approval'")" = finance_manager

snapshot() { q "SELECT string_agg(digest, ',' ORDER BY table_name) FROM plaint.projection_digest()"; }
case_events() { q "SELECT count(*) FROM plaint.ledger_event WHERE case_id <> 'security-log'"; }
refused() { # code description -- command: exit code, message, nothing changed
    local code=$1 desc=$2
    shift 3
    local before_p before_e
    before_p=$(snapshot)
    before_e=$(case_events)
    expect_exit "$code" "$desc" -- "$@"
    check "$desc: a message on stderr" -- test -s "$TMP_ERR"
    check "$desc: projections unchanged" -- test "$(snapshot)" = "$before_p"
    check "$desc: ledger unchanged" -- test "$(case_events)" = "$before_e"
}
refused 3 "credit without approval" -- pl "$FIN" refund credit "$RF"
check "the message says approval" -- grep -q "no credit without approval" "$TMP_ERR"
refused 4 "the agent may not approve" -- pl "$AGENT" refund approve "$RF"
refused 3 "resolving with a refund not credited" -- pl "$AGENT" complaint resolve "$REF" --outcome upheld --summary "Refunded"
refused 3 "an unlisted transition (to new)" -- pl "$T2" complaint transition "$REF" new
check "the message lists the reachable states" -- grep -q "not a listed transition\|is not listed\|cannot" "$TMP_ERR"
expect_exit 0 "fay approves" -- pl "$FIN" refund approve "$RF"
check "approval task completed" -- test "$(q "SELECT status FROM plaint.task WHERE refund_id = '$RF'")" = done
expect_exit 0 "fay credits" -- pl "$FIN" refund credit "$RF"
check "balance credited once" -- test "$(q "SELECT balance FROM plaint.customer WHERE customer_id = 'cust-1'")" = 14648
refused 3 "a second credit" -- pl "$FIN" refund credit "$RF"
check "the message says already credited" -- grep -q "already credited" "$TMP_ERR"
check "still credited once" -- test "$(q "SELECT balance FROM plaint.customer WHERE customer_id = 'cust-1'")" = 14648
# The order's lines are refunded: a second refund of them is refused, whole or by line.
refused 3 "a second refund of the same order" -- pl "$AGENT" refund propose "$REF"
check "the message says there is nothing left" -- grep -q "refunded already\|nothing to propose" "$TMP_ERR"
refused 3 "a second refund of a refunded line" -- pl "$AGENT" refund propose "$REF" --line 1:1
check "the message says how many are not refunded yet" -- grep -q "only 0 of the 2 ordered are not refunded yet" "$TMP_ERR"
check "still credited once" -- test "$(q "SELECT balance FROM plaint.customer WHERE customer_id = 'cust-1'")" = 14648

# Self-approval: bob requests (as support agent) and may not approve (as finance manager).
expect_exit 0 "a second order" -- pl "$INTAKE" order add ord-2 --customer cust-1 --currency USD --line K1,Kettle,49.99,1,2000
expect_exit 0 "complaint 2" -- pl "$INTAKE" complaint new --channel phone --category "Checking or savings account" --customer cust-1 --order ord-2 --received 2026-03-10
REF2=$(cat "$TMP_OUT")
expect_exit 0 "tier 2 assigns complaint 2 to bob" -- pl "$T2" complaint assign "$REF2" bob
expect_exit 0 "bob proposes a refund of one kettle" -- pl "$BOTH" refund propose "$REF2" --line 1:1
RF2=$(cat "$TMP_OUT")
refused 4 "self-approval" -- pl "$BOTH" refund approve "$RF2"
check "the refusal names four-eyes" -- grep -q "four-eyes\|separation" "$TMP_ERR"
check "complaint 2's repeat is linked to complaint 1" -- test "$(q "SELECT repeat_of FROM plaint.complaint WHERE ref = '$REF2'")" = "$REF"

# Steps 13-14: resolution with an open mandatory checklist item refused, then done.
refused 3 "resolving with an open checklist item" -- pl "$AGENT" complaint resolve "$REF" --outcome upheld --summary "Refunded"
check "the message names the checklist" -- grep -q "checklist" "$TMP_ERR"
items=$(q "SELECT string_agg('--item ' || item_id, ' ' ORDER BY position) FROM plaint.task_item WHERE task_id = '$REF/T2' AND mandatory")
# shellcheck disable=SC2086
expect_exit 0 "tier 2 checks the mandatory items" -- pl "$T2" task done "$REF/T2" $items
expect_exit 0 "tier 2 completes the tier-2 task" -- pl "$T2" task done "$REF/T2"
expect_exit 0 "sam resolves" -- pl "$AGENT" complaint resolve "$REF" --outcome upheld --summary "Kettles refunded" --root-cause "product defect"
check "resolution log with the redress" -- test "$(q "SELECT outcome || ' ' || upheld || ' ' || redress FROM plaint.resolution_log WHERE ref = '$REF'")" = "upheld true 14648"
check "status resolved" -- test "$(q "SELECT status FROM plaint.complaint WHERE ref = '$REF' AND resolved_at IS NOT NULL")" = resolved
check "resolution notice queued" -- test "$(q "SELECT count(*) FROM plaint.outbox WHERE ref = '$REF' AND kind = 'resolution'")" = 1

# Satisfaction, close, archive.
expect_exit 0 "sam closes with satisfaction 4" -- pl "$AGENT" complaint close "$REF" --satisfaction 4
check "closed with satisfaction" -- test "$(q "SELECT status || ' ' || satisfaction FROM plaint.complaint WHERE ref = '$REF'")" = "closed 4"
expect_exit 0 "sam archives" -- pl "$AGENT" complaint transition "$REF" archived
check "archived out of the active queue" -- test "$(q "SELECT status FROM plaint.complaint WHERE ref = '$REF' AND archived_at IS NOT NULL")" = archived
expect_exit 0 "open complaints" -- pl "$AGENT" complaint list --open --json
check "the archived complaint is not in the open list" -- bash -c "! grep -q '\"$REF\"' '$TMP_OUT'"
check "complaint 2 is in the open list" -- grep -q "$REF2" "$TMP_OUT"
refused 3 "archived is final" -- pl "$T2" complaint transition "$REF" under_investigation
expect_exit 0 "complaint show" -- pl "$AGENT" complaint show "$REF" --json
check "show has the timeline" -- grep -q '"history"' "$TMP_OUT"

# Replay: projections rebuilt from the ledger alone are identical; verify passes.
before=$(q "SELECT string_agg(table_name || ':' || row_count || ':' || digest, ',' ORDER BY table_name) FROM plaint.projection_digest()")
expect_exit 0 "ledger replay --check" -- pl "$ADMIN" ledger replay --check
expect_exit 0 "ledger replay" -- pl "$ADMIN" ledger replay --json
check "replay reports identical" -- grep -q '"identical": true' "$TMP_OUT"
check "projections identical after the rebuild" -- test "$(q "SELECT string_agg(table_name || ':' || row_count || ':' || digest, ',' ORDER BY table_name) FROM plaint.projection_digest()")" = "$before"
# A projection changed behind the ledger's back is caught by replay --check.
$P -c "UPDATE plaint.customer SET balance = balance + 100 WHERE customer_id = 'cust-1'" >/dev/null
expect_exit 1 "replay --check finds a tampered projection" -- pl "$ADMIN" ledger replay --check
expect_exit 1 "replay repairs it, reporting the difference" -- pl "$ADMIN" ledger replay
expect_exit 0 "after the repair replay --check finds none" -- pl "$ADMIN" ledger replay --check
check "balance back to the ledger's" -- test "$(q "SELECT balance FROM plaint.customer WHERE customer_id = 'cust-1'")" = 14648
# Raw events on a case that is not a complaint reference (an old demo's "CMP-DEMO-...") are
# ledger history but not projected: appends and replay go on.
expect_exit 0 "a raw event on CMP-DEMO-1" -- pl "$ADMIN" ledger append --case CMP-DEMO-1 --type complaint.status_changed --payload '{"from":"New","to":"Under Investigation"}'
expect_exit 0 "replay --check ignores it" -- pl "$ADMIN" ledger replay --check
expect_exit 0 "seal" -- pl "$ADMIN" ledger seal
expect_exit 0 "verify" -- pl "$ADMIN" verify --pubkey "$H/keys/ledger-signing.pem.pub"
# The projector runs as the owner inside the application's session: it must not use a work table
# or a projection-named table the session created itself (that would run the session's code as
# the owner, or bypass its checks).
APPSQL="psql -X -q -v ON_ERROR_STOP=1 -h $H/pg/run -U plaint_app -d plaint"
ROW="INSERT INTO plaint.ledger_event (case_id, case_seq, event_type, actor, actor_role, occurred_at, payload, prev_hash, hash) VALUES ('CMP-2026-999999', 1, 'complaint.noted', 'x', 'x', now(), '{\"kind\":\"note\",\"text\":\"x\"}', decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))"
$APPSQL -c 'BEGIN' -c 'CREATE TEMP TABLE proj_ev (n int, id bigint, case_id text, case_seq bigint, event_type text, actor text, occurred_at timestamptz, p jsonb)' -c 'GRANT ALL ON proj_ev TO PUBLIC' -c "$ROW" -c 'ROLLBACK' >"$TEST_ROOT/planted.txt" 2>&1
check "a work table planted by plaint_app is refused" -- grep -q 'not created by the projector' "$TEST_ROOT/planted.txt"
check "every definer function searches pg_temp last" -- test "$(q "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'plaint' AND p.prosecdef AND NOT (p.proconfig @> ARRAY['search_path=pg_catalog, plaint, pg_temp'])")" = 0
# The application role cannot write projections directly.
check "plaint_app cannot update projections" -- bash -c "! psql -X -q -h $H/pg/run -U plaint_app -d plaint -c \"UPDATE plaint.customer SET balance = 0\" 2>/dev/null"
finish
