#!/usr/bin/env bash
# plaint serve, the HTTP/JSON API v1 (docs/api.md), against a running server on a free port:
# every endpoint's happy path with its effect checked in the database; authorization (a wrong
# role gets 403, nothing changes, the denial is on the security log); bad input (400 naming the
# field); idempotency keys (a replay answers the same and creates nothing, another body under the
# same key is 409); 401, 404, 405, 413, 415, 429; docs/api.yaml against the routes the server
# reports in /metrics; SIGTERM during an upload in flight: the request is answered, exit 0.
# The everyday operations (assignment, task checks and completion, a four-eyes refund proposed,
# approved and credited, resolution, closure, reopening) walk one complaint through the
# reference process over HTTP, each with a wrong role (403, nothing changed) and bad input.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/serve.sh"

serve_home
bootstrap_admin
INTAKE=$(add_user ivy intake_agent)
T2=$(add_user tia tier2_investigator)
AUD=$(add_user aud auditor)

expect_exit 0 "serve --help" -- "$PLAINT_BIN" serve --help
check "serve --help names --listen and --threads" -- grep -q -- '--threads' "$TMP_OUT"
expect_exit 2 "serve with a bad --listen is a usage error" -- "$PLAINT_BIN" serve --listen nonsense

start_server "$H/serve.out" "$H/serve.err" --threads 3 --rate 0
check "prints 'listening on http://127.0.0.1:PORT'" -- test -n "$PORT"

RESP=$H/resp.json
HDRS=$H/resp.hdr
# call METHOD PATH TOKEN [BODY [KEY]] -> $ST (status), $RESP (body), $HDRS (headers).
call() {
    local m=$1 path=$2 tok=$3 body=${4-} key=${5-}
    local args=(-s -X "$m" -o "$RESP" -D "$HDRS" -w '%{http_code}')
    [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
    if [ -n "$body" ]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$body")
    fi
    [ -n "$key" ] && args+=(-H "Idempotency-Key: $key")
    ST=$(curl "${args[@]}" "$B$path")
}
j() { jq -r "$1" "$RESP"; }
expect() { # expect STATUS DESC
    if [ "$ST" = "$1" ]; then ok "$2 ($ST)"; else not_ok "$2: expected $1, got $ST: $(head -c 400 "$RESP")"; fi
}
expect_field() { # expect_field STATUS FIELD DESC
    if [ "$ST" = "$1" ] && [ "$(j .error.field)" = "$2" ] && [ -n "$(j .error.message)" ]; then
        ok "$3 ($ST, field $2)"
    else
        not_ok "$3: expected $1 naming $2, got $ST: $(head -c 400 "$RESP")"
    fi
}
ncomplaints() { q "SELECT count(*) FROM plaint.complaint"; }
nevents() { q "SELECT count(*) FROM plaint.ledger_event WHERE case_id <> 'security-log'"; }
nsecurity() { q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'security-log'"; }

# ---- health, readiness, metrics ----
call GET /healthz ""
expect 200 "GET /healthz"
check "healthz says ok" -- test "$(j .status)" = ok
call GET /readyz ""
expect 200 "GET /readyz (database reachable, migrations current)"
check "readyz counts the migration files ($(ls "$PLAINT_SOURCE_DIR"/schemas/sql/*.sql | wc -l))" -- test "$(j .migrations)" = "$(ls "$PLAINT_SOURCE_DIR"/schemas/sql/*.sql | wc -l)"

# ---- POST /api/v1/complaints ----
C1='{"channel":"web","category":"Mortgage","issue":"Late fee","narrative":"charged twice","urgency":"normal","received":"2026-03-02T10:00:00.000000Z"}'
call POST /api/v1/complaints "$INTAKE" "$C1" key-c1
expect 201 "POST /api/v1/complaints as intake agent"
REF=$(j .ref)
FIRST=$(cat "$RESP")
check "a reference number CMP-2026-NNNNNN ($REF)" -- bash -c "[[ '$REF' =~ ^CMP-2026-[0-9]{6}$ ]]"
check "Location header names the complaint" -- grep -qi "^Location: /api/v1/complaints/$REF" "$HDRS"
check "complaint projected with the given fields" -- test "$(q "SELECT channel || '|' || category || '|' || issue FROM plaint.complaint WHERE ref = '$REF'")" = "web|Mortgage|Late fee"
check "intake events written by ivy as intake_agent (same use case as the CLI)" -- test "$(q "SELECT DISTINCT actor || '/' || actor_role FROM plaint.ledger_event WHERE case_id = '$REF'")" = "ivy/intake_agent"
check "intake steps ran (tasks created)" -- test "$(q "SELECT count(*) FROM plaint.task WHERE ref = '$REF'")" -ge 2

# idempotency: replay, other body, missing key
N0=$(ncomplaints); E0=$(nevents)
call POST /api/v1/complaints "$INTAKE" "$C1" key-c1
expect 201 "replayed POST (same key, same body) answers the stored status"
check "replayed POST answers the same body" -- test "$(cat "$RESP")" = "$FIRST"
check "replay created no complaint" -- test "$(ncomplaints)" = "$N0"
check "replay wrote no ledger event" -- test "$(nevents)" = "$E0"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Other"}' key-c1
expect_field 409 Idempotency-Key "same key, different body"
call POST /api/v1/complaints "$INTAKE" "$C1"
expect_field 400 Idempotency-Key "POST without Idempotency-Key"
check "nothing created by the refused POSTs" -- test "$(ncomplaints)" = "$N0"
check "idempotency rows are per user and key" -- test "$(q "SELECT count(*) FROM plaint.api_idempotency WHERE principal = 'ivy' AND idem_key = 'key-c1' AND status = 201")" = 1

# bad input: 400 naming the field, nothing created
call POST /api/v1/complaints "$INTAKE" '{"channel":"web"}' key-bad1
expect_field 400 category "missing category"
call POST /api/v1/complaints "$INTAKE" '{"channel":"fax","category":"Mortgage"}' key-bad2
expect_field 400 channel "unknown channel (checked by the intake use case)"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Mortgage","urgency":"extreme"}' key-bad3
expect_field 400 urgency "unknown urgency"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Mortgage","colour":"red"}' key-bad4
expect_field 400 colour "unknown member"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":7}' key-bad5
expect_field 400 category "category not a string"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Mortgage","received":"yesterday"}' key-bad6
expect_field 400 received "received not a time"
call POST /api/v1/complaints "$INTAKE" '{"channel":' key-bad7
expect_field 400 body "malformed JSON"
call POST /api/v1/complaints "$INTAKE" '[1,2]' key-bad8
expect_field 400 body "JSON that is not an object"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Mortgage","customer":"nobody"}' key-bad9
expect_field 400 customer "unknown customer"
check "bad input created nothing" -- test "$(ncomplaints)" = "$N0"

# wrong role: 403, nothing changes, the denial is on the security log
S0=$(nsecurity)
call POST /api/v1/complaints "$AUD" '{"channel":"web","category":"Mortgage"}' key-aud1
expect 403 "POST /api/v1/complaints as auditor"
check "403 body is a JSON error with code forbidden" -- test "$(j .error.code)" = forbidden
check "auditor's POST created nothing" -- test "$(ncomplaints)" = "$N0"
check "auditor's POST wrote no complaint event" -- test "$(nevents)" = "$E0"
check "the denial is on the security log" -- test "$(nsecurity)" -gt "$S0"
check "a denial leaves no idempotency record (retry after a role change)" -- test "$(q "SELECT count(*) FROM plaint.api_idempotency WHERE idem_key = 'key-aud1'")" = 0

# a second complaint for pagination
call POST /api/v1/complaints "$INTAKE" '{"channel":"email","category":"Credit card"}' key-c2
expect 201 "second complaint"
REF2=$(j .ref)

# ---- GET /api/v1/complaints ----
call GET /api/v1/complaints "$AUD"
expect 200 "GET /api/v1/complaints as auditor"
check "list has both complaints" -- test "$(j '.items | length')" = 2
check "list: default limit 50, no next page" -- test "$(j '.limit') $(j '.next_offset') $(j '.next')" = "50 null null"
call GET "/api/v1/complaints?limit=1" "$AUD"
expect 200 "GET /api/v1/complaints?limit=1"
check "page 1: one item, the newest ($REF2)" -- test "$(j '.items | length') $(j '.items[0].ref')" = "1 $REF2"
check "page 1: next_offset 1 and a next link" -- test "$(j .next_offset) $(j .next)" = "1 /api/v1/complaints?limit=1&offset=1"
call GET "$(j .next)" "$AUD"
expect 200 "GET the next link"
check "page 2: the other complaint ($REF), last page" -- test "$(j '.items[0].ref') $(j .next_offset)" = "$REF null"
call GET "/api/v1/complaints?limit=1&category=Credit%20card" "$AUD"
check "filtered page: the one credit card complaint, no next" -- test "$(j '.items | length') $(j '.items[0].ref') $(j .next)" = "1 $REF2 null"
S1=$(q "SELECT status FROM plaint.complaint WHERE ref = '$REF'")
call GET "/api/v1/complaints?status=$S1&channel=web" "$AUD"
check "filtered by status ($S1) and channel: only $REF" -- test "$ST $(j '[.items[].ref] | join(",")')" = "200 $REF"
call GET "/api/v1/tasks?limit=1&ref=$REF" "$AUD"
check "tasks page keeps its filter in the next link" -- test "$(j .next)" = "/api/v1/tasks?limit=1&offset=1&ref=$REF"
call GET "/api/v1/complaints?status=closed" "$AUD"
check "status filter: no closed complaints" -- test "$ST $(j '.items | length')" = "200 0"
call GET "/api/v1/complaints?limit=501" "$AUD"
expect_field 400 limit "limit above 500"
call GET "/api/v1/complaints?offset=-1" "$AUD"
expect_field 400 offset "negative offset"
call GET /api/v1/complaints "$INTAKE"
expect 200 "intake agent may read complaints"

# ---- GET /api/v1/complaints/{ref} ----
call GET "/api/v1/complaints/$REF" "$AUD"
expect 200 "GET /api/v1/complaints/{ref}"
check "details: the complaint, its tasks and history" -- test "$(j .complaint.ref) $(j '.tasks | length >= 2') $(j '.history | length >= 1')" = "$REF true true"
call GET /api/v1/complaints/CMP-2026-999999 "$AUD"
expect 404 "unknown ref"
check "404 is a JSON error" -- test "$(j .error.code)" = not_found

# ---- POST /api/v1/complaints/{ref}/notes ----
NN=$(q "SELECT count(*) FROM plaint.complaint_note WHERE ref = '$REF'")
call POST "/api/v1/complaints/$REF/notes" "$INTAKE" '{"text":"called the customer"}' key-n1
expect 201 "POST notes as intake agent"
check "note recorded" -- test "$(q "SELECT count(*) FROM plaint.complaint_note WHERE ref = '$REF' AND text = 'called the customer' AND author = 'ivy'")" = 1
call POST "/api/v1/complaints/$REF/notes" "$INTAKE" '{"text":"called the customer"}' key-n1
expect 201 "replayed note"
check "replayed note created nothing" -- test "$(q "SELECT count(*) FROM plaint.complaint_note WHERE ref = '$REF'")" = "$((NN + 1))"
call POST "/api/v1/complaints/$REF/notes" "$AUD" '{"text":"auditor note"}' key-n2
expect 403 "POST notes as auditor"
check "auditor's note not recorded" -- test "$(q "SELECT count(*) FROM plaint.complaint_note WHERE ref = '$REF'")" = "$((NN + 1))"
call POST "/api/v1/complaints/$REF/notes" "$INTAKE" '{"kind":"note"}' key-n3
expect_field 400 text "note without text"
call POST "/api/v1/complaints/$REF/notes" "$INTAKE" '{"text":"x","kind":"gossip"}' key-n4
expect_field 400 kind "unknown note kind"
call POST /api/v1/complaints/CMP-2026-999999/notes "$INTAKE" '{"text":"x"}' key-n5
expect 404 "note on an unknown complaint"

# ---- POST /api/v1/complaints/{ref}/transitions ----
FROM=$(q "SELECT status FROM plaint.complaint WHERE ref = '$REF'")
if [ "$FROM" = escalated ]; then TO=under_investigation; else TO=escalated; fi
call POST "/api/v1/complaints/$REF/transitions" "$INTAKE" "{\"to\":\"$TO\"}" key-t1
expect 403 "transition as intake agent (no complaint.transition)"
check "status unchanged after the denied transition ($FROM)" -- test "$(q "SELECT status FROM plaint.complaint WHERE ref = '$REF'")" = "$FROM"
call POST "/api/v1/complaints/$REF/transitions" "$T2" '{"to":"nowhere"}' key-t2
expect_field 400 to "transition to an unknown status"
call POST "/api/v1/complaints/$REF/transitions" "$T2" '{"reason":"x"}' key-t3
expect_field 400 to "transition without to"
call POST "/api/v1/complaints/$REF/transitions" "$T2" "{\"to\":\"$TO\",\"reason\":\"needs tier 2\"}" key-t4
expect 200 "POST transitions as tier-2 investigator ($FROM -> $TO)"
check "status changed to $TO" -- test "$(q "SELECT status FROM plaint.complaint WHERE ref = '$REF'")" = "$TO"
H0=$(q "SELECT count(*) FROM plaint.complaint_status_history WHERE ref = '$REF'")
call POST "/api/v1/complaints/$REF/transitions" "$T2" "{\"to\":\"$TO\",\"reason\":\"needs tier 2\"}" key-t4
expect 200 "replayed transition answers as before"
check "replayed transition wrote no history" -- test "$(q "SELECT count(*) FROM plaint.complaint_status_history WHERE ref = '$REF'")" = "$H0"

# ---- GET /api/v1/tasks ----
call GET "/api/v1/tasks?ref=$REF" "$AUD"
expect 200 "GET /api/v1/tasks?ref="
check "tasks of the complaint ($(q "SELECT count(*) FROM plaint.task WHERE ref = '$REF'"))" -- test "$(j '.items | length')" = "$(q "SELECT count(*) FROM plaint.task WHERE ref = '$REF'")"
call GET "/api/v1/tasks?limit=0" "$AUD"
expect_field 400 limit "tasks limit 0"

# ---- GET /api/v1/verification ----
expect_exit 0 "ledger seal" -- "$PLAINT_BIN" --token "$ADMIN" ledger seal
call GET /api/v1/verification "$AUD"
expect 200 "GET /api/v1/verification as auditor"
check "verification: the latest checkpoint ($(q "SELECT max(seq) FROM plaint.ledger_checkpoint"))" -- test "$(j .latest_checkpoint.seq)" = "$(q "SELECT max(seq) FROM plaint.ledger_checkpoint")"
check "verification: root hash as in the database" -- test "$(j .latest_checkpoint.root_hash)" = "$(q "SELECT encode(root_hash, 'hex') FROM plaint.ledger_checkpoint ORDER BY seq DESC LIMIT 1")"
check "verification: ledger event count" -- test "$(j .ledger.events)" = "$(q "SELECT count(*) FROM plaint.ledger_event")"
check "verification: no verify run recorded yet" -- test "$(j .last_verify)" = null
call GET /api/v1/verification "$INTAKE"
expect 403 "verification as intake agent (no ledger.read)"
expect_exit 0 "plaint verify as auditor" -- "$PLAINT_BIN" --token "$AUD" verify
call GET /api/v1/verification "$AUD"
check "verification: the run is reported (ok, by aud, events as verified)" -- test "$(j '.last_verify | "\(.ok) \(.actor) \(.events)"')" = "true aud $(q "SELECT events FROM plaint.verify_run ORDER BY run_id DESC LIMIT 1")"

# ---- the everyday operations over HTTP: the reference process on one complaint ----
# (assignment, tier-2 checklist and task completion, a four-eyes refund, resolution, closure,
# reopening). For each new endpoint: a wrong role is 403 and nothing changes; bad input is 400
# naming the field.
SAM=$(add_user sam support_agent)
FAY=$(add_user fay finance_manager)
DEE=$(add_user dee support_agent)
expect_exit 0 "dee also holds finance_manager (refund four-eyes must still stop her)" -- "$PLAINT_BIN" --token "$ADMIN" role grant dee finance_manager
expect_exit 0 "customer add" -- "$PLAINT_BIN" --token "$INTAKE" customer add api-cust --tier gold --currency USD --lifetime-value 100.00
expect_exit 0 "order add" -- "$PLAINT_BIN" --token "$INTAKE" order add api-order --customer api-cust --line 'KET-1,Kettle,19.99,3,2000' --line 'TOA-1,Toaster,12.50,1,500' --credit-note 'CN-1,3.00'
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Checking or savings account","customer":"api-cust","order":"api-order","urgency":"high","issue":"Faulty kettle"}' key-p0
expect 201 "complaint with a customer and an order"
R=$(j .ref)
nref() { q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = '$R'"; }
col() { q "SELECT $1 FROM plaint.complaint WHERE ref = '$R'"; }
# denied METHOD PATH TOKEN BODY KEY DESC: 403 forbidden, no event on the complaint, no key kept
denied() {
    local e0
    e0=$(nref)
    call POST "$1" "$2" "$3" "$4"
    if [ "$ST" = 403 ] && [ "$(j .error.code)" = forbidden ] && [ "$(nref)" = "$e0" ] &&
        [ "$(q "SELECT count(*) FROM plaint.api_idempotency WHERE idem_key = '$4'")" = 0 ]; then
        ok "$5: 403, nothing changed"
    else
        not_ok "$5: expected 403 and no change, got $ST ($(nref) events, were $e0): $(head -c 300 "$RESP")"
    fi
}

# assignment
O0=$(col "coalesce(owner, '-')")
denied "/api/v1/complaints/$R/assignment" "$INTAKE" '{"owner":"sam"}' key-p1 "assignment as intake agent (no complaint.assign)"
check "owner unchanged after the denied assignment ($O0)" -- test "$(col "coalesce(owner, '-')")" = "$O0"
call POST "/api/v1/complaints/$R/assignment" "$T2" '{}' key-p2
expect_field 400 owner "assignment without owner"
call POST "/api/v1/complaints/$R/assignment" "$T2" '{"owner":"nobody"}' key-p3
expect_field 400 owner "assignment to an unknown user (the use case's check)"
call POST "/api/v1/complaints/$R/assignment" "$T2" '{"owner":"sam"}' key-p4
expect 200 "POST assignment as tier-2 investigator"
FIRST=$(cat "$RESP")
check "assignment answers the complaint with its owner" -- test "$(j .ref) $(j .owner)" = "$R sam"
check "owner is sam in the projection" -- test "$(col owner)" = sam
check "complaint.assigned written by tia" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = '$R' AND event_type = 'complaint.assigned' AND actor = 'tia'")" = 1
E0=$(nref)
call POST "/api/v1/complaints/$R/assignment" "$T2" '{"owner":"sam"}' key-p4
expect 200 "replayed assignment (same key, same body)"
check "replayed assignment answers the same body" -- test "$(cat "$RESP")" = "$FIRST"
check "replayed assignment wrote no event" -- test "$(nref)" = "$E0"
call POST "/api/v1/complaints/$R/assignment" "$T2" '{"owner":"ivy"}' key-p4
expect_field 409 Idempotency-Key "assignment: same key, another body"
check "owner still sam" -- test "$(col owner)" = sam

# tasks: T1 (the agent's investigation), T2 (tier 2, with a mandatory checklist)
TT1=$(q "SELECT substr(task_id, length('$R') + 2) FROM plaint.task WHERE ref = '$R' AND kind = 'investigation'")
TT2=$(q "SELECT substr(task_id, length('$R') + 2) FROM plaint.task WHERE ref = '$R' AND kind = 'tier2_investigation'")
MAND=$(q "SELECT json_agg(item_id ORDER BY position) FROM plaint.task_item WHERE task_id = '$R/$TT2' AND mandatory")
check "the complaint has an investigation task ($TT1) and a tier-2 task ($TT2) with mandatory items ($MAND)" -- test -n "$TT1" -a -n "$TT2" -a "$MAND" != ""
call POST "/api/v1/complaints/$R/tasks/$TT1/completion" "$SAM" '{}' key-p5
expect 200 "POST tasks/$TT1/completion as sam"
check "task $TT1 done by sam" -- test "$(q "SELECT status || '/' || done_by FROM plaint.task WHERE task_id = '$R/$TT1'")" = done/sam
denied "/api/v1/complaints/$R/tasks/$TT2/checks" "$AUD" "{\"items\":$MAND}" key-p6 "checks as auditor (no task.complete)"
denied "/api/v1/complaints/$R/tasks/$TT2/completion" "$AUD" '{}' key-p7 "completion as auditor"
call POST "/api/v1/complaints/$R/tasks/$TT2/checks" "$T2" '{"items":[]}' key-p8
expect_field 400 items "checks with no items"
call POST "/api/v1/complaints/$R/tasks/$TT2/checks" "$T2" '{"items":["no-such-item"]}' key-p9
expect_field 400 items "checks of an unknown item (the use case's check)"
call POST "/api/v1/complaints/$R/tasks/$TT2/completion" "$T2" '{"force":true}' key-p10
expect_field 400 force "completion with an unknown member"
call POST "/api/v1/complaints/$R/tasks/$TT2/completion" "$T2" '{}' key-p11
check "completion refused while a mandatory item is open (400, $ST)" -- bash -c "[ '$ST' = 400 ] && jq -r .error.message '$RESP' | grep -q 'mandatory'"
check "task $TT2 still open, no item checked" -- test "$(q "SELECT status FROM plaint.task WHERE task_id = '$R/$TT2'")/$(q "SELECT count(*) FROM plaint.task_item WHERE task_id = '$R/$TT2' AND done_at IS NOT NULL")" = open/0
call POST "/api/v1/complaints/$R/tasks/$TT2/checks" "$T2" "{\"items\":$MAND}" key-p12
expect 200 "POST tasks/$TT2/checks (the mandatory items) as tier-2 investigator"
check "the mandatory items are checked by tia" -- test "$(q "SELECT count(*) FROM plaint.task_item WHERE task_id = '$R/$TT2' AND mandatory AND done_by = 'tia'")" = "$(q "SELECT count(*) FROM plaint.task_item WHERE task_id = '$R/$TT2' AND mandatory")"
call POST "/api/v1/complaints/$R/tasks/${TT2#T}/completion" "$T2" '{}' key-p13
expect 200 "POST tasks/${TT2#T}/completion (the number alone) as tier-2 investigator"
check "task $TT2 done by tia" -- test "$(q "SELECT status || '/' || done_by FROM plaint.task WHERE task_id = '$R/$TT2'")" = done/tia
call POST "/api/v1/complaints/$R/tasks/T99/completion" "$T2" '{}' key-p14
expect 404 "completion of an unknown task"

# refunds: proposed by dee, approved by fay (dee holds finance_manager too: four-eyes), credited
denied "/api/v1/complaints/$R/refunds" "$FAY" '{"reason":"x"}' key-p15 "refund proposal as finance manager (no refund.request)"
call POST "/api/v1/complaints/$R/refunds" "$DEE" '{"lines":[{"line":0}]}' key-p16
expect_field 400 "lines[0].line" "refund with line 0"
call POST "/api/v1/complaints/$R/refunds" "$DEE" '{"lines":[{"line":1,"qty":2}]}' key-p17
expect_field 400 "lines[0].qty" "refund line with an unknown member"
call POST "/api/v1/complaints/$R/refunds" "$DEE" '{"lines":[{"line":7}]}' key-p18
expect_field 400 lines "refund of a line the order does not have (the use case's check)"
check "no refund after the refused proposals" -- test "$(q "SELECT count(*) FROM plaint.refund WHERE ref = '$R'")" = 0
call POST "/api/v1/complaints/$R/refunds" "$DEE" '{"lines":[{"line":1,"quantity":2},{"line":2}],"reason":"faulty kettle"}' key-p19
expect 201 "POST refunds as dee (support agent)"
RF=$(j .refund)
# independently: 2 x 19.99 = 39.98 + 20% tax 7.996 -> 8.00; 12.50 + 5% 0.625 -> 0.62 (half to
# even); less the 3.00 credit note: 3998 + 800 + 1250 + 62 - 300 = 5810 minor units
check "refund $RF proposed by dee: 5810 USD minor units" -- test "$(j .status) $(j .total) $(j .currency) $(j .requested_by)" = "proposed 5810 USD dee"
check "refund row in the projection" -- test "$(q "SELECT total || '/' || status FROM plaint.refund WHERE refund_id = '$RF'")" = 5810/proposed
RN=${RF#"$R"/}
call POST "/api/v1/complaints/$R/refunds/$RN/credit" "$FAY" '{}' key-p20
check "credit before approval refused (400, $ST)" -- test "$ST" = 400
denied "/api/v1/complaints/$R/refunds/$RN/approval" "$DEE" '{}' key-p21 "self-approval by the requester (four-eyes, though dee holds finance_manager)"
denied "/api/v1/complaints/$R/refunds/$RN/approval" "$SAM" '{}' key-p22 "approval as support agent (no refund.approve)"
call POST "/api/v1/complaints/$R/refunds/$RN/approval" "$FAY" '{"by":"fay"}' key-p23
expect_field 400 by "approval with an unknown member"
check "refund still proposed" -- test "$(q "SELECT status FROM plaint.refund WHERE refund_id = '$RF'")" = proposed
call POST "/api/v1/complaints/$R/refunds/$RN/approval" "$FAY" '{}' key-p24
expect 200 "POST refunds/$RN/approval as finance manager"
check "refund approved by fay" -- test "$(j .status) $(j .approved_by)" = "approved fay"
check "the approval task is done" -- test "$(q "SELECT status FROM plaint.task WHERE refund_id = '$RF'")" = 'done'
B0=$(q "SELECT balance FROM plaint.customer WHERE customer_id = 'api-cust'")
denied "/api/v1/complaints/$R/refunds/$RN/credit" "$SAM" '{}' key-p25 "credit as support agent (no customer.credit)"
call POST "/api/v1/complaints/$R/refunds/$RN/credit" "$FAY" '[]' key-p26
expect_field 400 body "credit with a body that is not an object"
call POST "/api/v1/complaints/$R/refunds/$RN/credit" "$FAY" '{}' key-p27
expect 200 "POST refunds/$RN/credit as finance manager"
check "refund credited" -- test "$(j .status)" = credited
check "customer balance up by 5810" -- test "$(q "SELECT balance FROM plaint.customer WHERE customer_id = 'api-cust'")" = "$((B0 + 5810))"
call POST "/api/v1/complaints/$R/refunds/$RN/credit" "$FAY" '{}' key-p28
check "a second credit refused (400, $ST): credited once" -- bash -c "[ '$ST' = 400 ] && [ \"\$(psql -X -q -t -A -h '$H/pg/run' -U plaint_admin -d plaint -c \"SELECT balance FROM plaint.customer WHERE customer_id = 'api-cust'\")\" = $((B0 + 5810)) ]"
call POST "/api/v1/complaints/$R/refunds/R9/approval" "$FAY" '{}' key-p29
expect 404 "approval of an unknown refund"

# resolution
S0=$(col status)
denied "/api/v1/complaints/$R/resolution" "$FAY" '{"outcome":"upheld","summary":"refunded"}' key-p30 "resolution as finance manager (no complaint.resolve)"
call POST "/api/v1/complaints/$R/resolution" "$SAM" '{"outcome":"maybe","summary":"refunded"}' key-p31
expect_field 400 outcome "resolution with an unknown outcome"
call POST "/api/v1/complaints/$R/resolution" "$SAM" '{"outcome":"upheld"}' key-p32
expect_field 400 summary "resolution without summary"
check "status unchanged ($S0)" -- test "$(col status)" = "$S0"
call POST "/api/v1/complaints/$R/resolution" "$SAM" '{"outcome":"upheld","summary":"Refunded the kettles and toaster","root_cause":"product defect"}' key-p33
expect 200 "POST resolution as sam (owner)"
check "resolved" -- test "$(j .status) $(col status)" = "resolved resolved"
check "resolution log: upheld by sam" -- test "$(q "SELECT outcome || '/' || actor FROM plaint.resolution_log WHERE ref = '$R'")" = upheld/sam

# closure
denied "/api/v1/complaints/$R/closure" "$INTAKE" '{}' key-p34 "closure as intake agent (no complaint.close)"
call POST "/api/v1/complaints/$R/closure" "$SAM" '{"satisfaction":9}' key-p35
expect_field 400 satisfaction "closure with satisfaction 9"
call POST "/api/v1/complaints/$R/closure" "$SAM" '{"satisfaction":"4"}' key-p36
expect_field 400 satisfaction "closure with satisfaction as a string"
check "still resolved" -- test "$(col status)" = resolved
call POST "/api/v1/complaints/$R/closure" "$SAM" '{"satisfaction":4}' key-p37
expect 200 "POST closure as sam"
check "closed" -- test "$(j .status) $(col status)" = "closed closed"
check "satisfaction 4 recorded" -- test "$(col satisfaction)" = 4

# reopening
denied "/api/v1/complaints/$R/reopening" "$AUD" '{"reason":"x"}' key-p38 "reopening as auditor (no complaint.reopen)"
call POST "/api/v1/complaints/$R/reopening" "$SAM" '{}' key-p39
expect_field 400 reason "reopening without reason"
check "still closed" -- test "$(col status)" = closed
call POST "/api/v1/complaints/$R/reopening" "$SAM" '{"reason":"the new kettle fails too"}' key-p40
expect 200 "POST reopening as sam"
check "reopened ($(col status))" -- test "$(j .status) $(col status)" = "reopened reopened"

# ---- reports: POST writes a signed report into web.reports_dir, GET lists and returns them ----
CORA=$(add_user cora compliance_officer)
expect_exit 0 "keys cert (report signing)" -- "$PLAINT_BIN" --token "$ADMIN" keys cert
RD=$H/reports
nreports() { find "$RD" -type f 2>/dev/null | wc -l; }
call POST /api/v1/reports "$INTAKE" '{"kind":"weekly","period":"2026-W10"}' key-r0
check "POST /api/v1/reports as intake agent (no report.pdf): 403, nothing written" -- test "$ST $(nreports)" = "403 0"
call POST /api/v1/reports "$AUD" '{"kind":"regulator","period":"2026-H1"}' key-r0b
check "a regulator return as auditor (no report.regulator.prepare): 403, nothing written" -- test "$ST $(nreports)" = "403 0"
call POST /api/v1/reports "$CORA" '{"period":"2026-W10"}' key-r1
expect_field 400 kind "a report without kind"
call POST /api/v1/reports "$CORA" '{"kind":"yearly","period":"2026"}' key-r2
expect_field 400 kind "an unknown kind"
call POST /api/v1/reports "$CORA" '{"kind":"weekly","period":"2026-W60"}' key-r3
expect_field 400 period "week 60"
call POST /api/v1/reports "$CORA" '{"kind":"case","period":"2026-W10"}' key-r4
expect_field 400 kind "a case report (personal data: CLI only, not into the shared directory)"
call POST /api/v1/reports "$CORA" '{"kind":"weekly","period":"../../x"}' key-r5
expect_field 400 period "a path as period"
call POST /api/v1/reports "$CORA" '{"kind":"weekly","period":"2026-W10","extra":1}' key-r6
expect_field 400 extra "an unknown member"
check "the refused requests wrote nothing" -- test "$(nreports)" = 0
call POST /api/v1/reports "$CORA" '{"kind":"weekly","period":"2026-W10"}' key-r7
expect 201 "POST /api/v1/reports weekly as compliance officer"
WFIRST=$(cat "$RESP")
check "named weekly-2026-W10.pdf, Location to it" -- bash -c "[ '$(j .name)' = weekly-2026-W10.pdf ] && grep -qi '^Location: /api/v1/reports/weekly-2026-W10.pdf' '$HDRS'"
check "the PDF is in the reports directory, signed (pdfsig)" -- bash -c "pdfsig '$RD/weekly-2026-W10.pdf' 2>&1 | grep -q 'Signature is Valid'"
check "its checkpoint is the ledger's" -- test "$(j .checkpoint.root)" = "$(q "SELECT encode(root_hash, 'hex') FROM plaint.ledger_checkpoint WHERE seq = $(j .checkpoint.seq)")"
M0=$(stat -c %Y.%s "$RD/weekly-2026-W10.pdf")
sleep 1
call POST /api/v1/reports "$CORA" '{"kind":"weekly","period":"2026-W10"}' key-r7
check "a replay answers the same and writes nothing" -- test "$ST|$(cat "$RESP")|$(stat -c %Y.%s "$RD/weekly-2026-W10.pdf")" = "201|$WFIRST|$M0"
call POST /api/v1/reports "$CORA" '{"kind":"regulator","period":"2026-H1"}' key-r8
expect 201 "POST /api/v1/reports regulator 2026-H1"
check "the return verifies against the ledger (plaint report verify --ledger)" -- "$PLAINT_BIN" --token "$CORA" report verify "$RD/regulator-return-2026-H1.xml" --ledger
call POST /api/v1/reports "$CORA" '{"kind":"audit","period":"2026-Q1"}' key-r9
expect 201 "POST /api/v1/reports audit 2026-Q1"
call GET /api/v1/reports "$AUD"
expect 200 "GET /api/v1/reports as auditor"
check "lists the three reports with their sizes" -- test "$(j '[.items[] | "\(.name):\(.bytes)"] | join(" ")')" = "$(cd "$RD" && for f in $(ls | sort); do printf '%s:%s ' "$f" "$(stat -c %s "$f")"; done | sed 's/ $//')"
call GET /api/v1/reports "$INTAKE"
expect 403 "GET /api/v1/reports as intake agent"
call GET "/api/v1/reports/regulator-return-2026-H1.xml" "$AUD"
expect 200 "GET /api/v1/reports/{name} as auditor"
check "the file, byte for byte, as application/xml" -- bash -c "cmp -s '$RESP' '$RD/regulator-return-2026-H1.xml' && grep -qi '^Content-Type: application/xml' '$HDRS'"
call GET "/api/v1/reports/regulator-return-2026-H1.xml" "$INTAKE"
expect 403 "GET /api/v1/reports/{name} as intake agent"
call GET "/api/v1/reports/nothing.pdf" "$AUD"
expect 404 "an unknown report"
ln -s "$H/keys/ledger-signing.pem" "$RD/key.xml"
call GET "/api/v1/reports/key.xml" "$AUD"
expect 404 "a symbolic link in the reports directory is not served"
rm -f "$RD/key.xml"

# ---- 401, 404, 405, 413, 415 ----
call GET /api/v1/complaints ""
expect 401 "no token"
check "401 is a JSON error" -- test "$(j .error.code)" = unauthenticated
call GET /api/v1/complaints "plt_0000000000000000_00"
expect 401 "a bad token"
# made-up tokens cannot grow the ledger without bound: at most 20 failures at once (20 a minute)
# per address are recorded in the security log, the rest are refused without a ledger event
S0=$(nsecurity)
for i in $(seq 1 40); do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer plt_000000000000000${i: -1}_00" "$B/api/v1/complaints" >>"$H/badtok.txt"
done
check "40 made-up tokens: all 401" -- test "$(grep -c '^401$' "$H/badtok.txt")" = 40
check "... at most 20 of them on the security log ($(($(nsecurity) - S0)))" -- test "$(($(nsecurity) - S0))" -ge 1 -a "$(($(nsecurity) - S0))" -le 20
call GET /api/v1/complaints "$AUD"
expect 200 "a valid token from the same address still works"
call GET /api/v1/nothing "$AUD"
expect 404 "unknown path"
call DELETE /api/v1/complaints "$AUD"
expect 405 "DELETE /api/v1/complaints"
check "405 names the allowed methods" -- grep -qi '^Allow: GET, POST' "$HDRS"
N1=$(ncomplaints)
head -c 1048600 /dev/zero | tr '\0' 'a' >"$H/big.txt"
ST=$(curl -s -o "$RESP" -w '%{http_code}' -X POST -H "Authorization: Bearer $INTAKE" -H 'Content-Type: application/json' -H 'Idempotency-Key: big' --data-binary "@$H/big.txt" "$B/api/v1/complaints")
expect 413 "a body over 1 MiB"
ST=$(curl -s -o "$RESP" -w '%{http_code}' -X POST -H "Authorization: Bearer $INTAKE" -H 'Content-Type: text/plain' -H 'Idempotency-Key: txt' --data-binary 'channel=web' "$B/api/v1/complaints")
expect 415 "a body that is not JSON"
check "415 names Content-Type" -- test "$(j .error.field)" = Content-Type
check "413 and 415 created nothing" -- test "$(ncomplaints)" = "$N1"

# a client that goes away mid-upload is counted as 499, not as a server error
python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /api/v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: 1000\r\n\r\n{\"channel\"")
time.sleep(0.3)
s.close()
time.sleep(0.3)
PY
# ---- metrics, and docs/api.yaml against the routes the server answers ----
call GET /metrics ""
call GET /metrics ""
expect 200 "GET /metrics"
cp "$RESP" "$H/metrics.txt"
check "metrics: requests by route and status" -- grep -q '^plaint_http_requests_total{route="/api/v1/complaints",method="POST",status="201"} [0-9]' "$H/metrics.txt"
check "metrics: 403s counted" -- grep -q '^plaint_http_requests_total{route="/api/v1/complaints",method="POST",status="403"} 1$' "$H/metrics.txt"
check "metrics: duration histogram" -- grep -q '^plaint_http_request_duration_microseconds_bucket{le="+Inf"} [1-9]' "$H/metrics.txt"
check "metrics: /metrics itself counted" -- grep -q '^plaint_http_requests_total{route="/metrics",method="GET",status="200"} 1$' "$H/metrics.txt"
check "metrics: in flight (this request)" -- grep -q '^plaint_http_requests_in_flight 1$' "$H/metrics.txt"
check "metrics: the abandoned upload is a 499, no 500 anywhere" -- bash -c "grep -q 'method=\"POST\",status=\"499\"} 1$' '$H/metrics.txt' && ! grep -q 'status=\"500\"' '$H/metrics.txt'"
cat >"$H/openapi_check.py" <<'PY'
import re, subprocess, sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
base, token, ref = sys.argv[3], sys.argv[4], sys.argv[5]
subs = {"{ref}": ref, "{task}": "T2", "{refund}": "R1", "{name}": "weekly-2026-W10.pdf"}
ok = True
assert spec["openapi"].startswith("3.0"), "not OpenAPI 3.0"
documented = set()
for path, ops in spec["paths"].items():
    for method in ops:
        if method in ("get", "post", "put", "patch", "delete"):
            documented.add((method.upper(), path))
# served: every route+method the server answered (not 404/405) during this test, from /metrics
served = set()
for line in open(sys.argv[2]):
    m = re.match(r'plaint_http_requests_total\{route="([^"]+)",method="([A-Z]+)",status="(\d+)"\}', line)
    if m and m.group(1) != "unmatched" and m.group(3) not in ("404", "405"):
        served.add((m.group(2), m.group(1)))
for r in sorted(served - documented):
    print("served but not documented: %s %s" % r); ok = False
for r in sorted(documented - served):
    print("documented but not exercised: %s %s" % r); ok = False
# every documented path+method exists on the server (no Idempotency-Key: POSTs change nothing)
for method, path in sorted(documented):
    url = base + path
    for k, v in subs.items():
        url = url.replace(k, v)
    code = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method,
                           "-H", "Authorization: Bearer " + token, "-H",
                           "Content-Type: application/json", "--data-binary", "{}", url] if method == "POST" else
                          ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method,
                           "-H", "Authorization: Bearer " + token, url],
                          capture_output=True, text=True).stdout.strip()
    if code in ("404", "405", "000"):
        print("documented %s %s answers %s" % (method, path, code)); ok = False
    else:
        print("documented %s %s answers %s" % (method, path, code))
    resp = spec["paths"][path][method.lower()].get("responses", {})
    if code not in resp and code != "429":
        print("  status %s not documented for %s %s" % (code, method, path)); ok = False
sys.exit(0 if ok else 1)
PY
# PyYAML: Debian's python3-yaml (scripts/setup.sh) when the python3 on PATH (e.g. a pyenv one)
# does not have it.
PY_YAML=python3
python3 -c 'import yaml' 2>/dev/null || PY_YAML=/usr/bin/python3
expect_exit 0 "docs/api.yaml: every documented route answers, every served route is documented" -- "$PY_YAML" "$H/openapi_check.py" "$PLAINT_SOURCE_DIR/docs/api.yaml" "$H/metrics.txt" "$B" "$AUD" "$REF"
check "(api.yaml check output)" -- bash -c "cat '$TMP_OUT' >&2; true"

# ---- graceful shutdown: SIGTERM while a request is being uploaded ----
NOTE=$(head -c 20000 /dev/zero | tr '\0' 'n')
printf '{"text":"%s"}' "$NOTE" >"$H/slow.json"
curl -s -o "$H/slow.resp" -w '%{http_code}' --limit-rate 5k -X POST -H "Authorization: Bearer $INTAKE" -H 'Content-Type: application/json' -H 'Idempotency-Key: slow' --data-binary "@$H/slow.json" "$B/api/v1/complaints/$REF/notes" >"$H/slow.code" &
CURL=$!
sleep 1
kill -TERM "$SPID"
wait "$CURL"
wait "$SPID"
RC=$?
check "SIGTERM: exit 0 (got $RC)" -- test "$RC" = 0
check "SIGTERM: the request in flight was answered 201 (got $(cat "$H/slow.code"))" -- test "$(cat "$H/slow.code")" = 201
check "SIGTERM: its note is recorded" -- test "$(q "SELECT count(*) FROM plaint.complaint_note WHERE ref = '$REF' AND length(text) = 20000")" = 1
check "after SIGTERM nothing listens" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/healthz")" = 000
check "stderr says it stopped" -- grep -q 'SIGTERM: stopping' "$H/serve.err"

# ---- 429: a server with a small rate limit ----
start_server "$H/serve2.out" "$H/serve2.err" --threads 1 --rate 1 --burst 3
codes=""
for i in 1 2 3 4 5 6; do codes="$codes $(curl -s -o "$RESP" -w '%{http_code}' -H "Authorization: Bearer $AUD" "$B/api/v1/tasks")"; done
check "rate limit: 3 allowed, then 429 ($codes)" -- test "$codes" = " 200 200 200 429 429 429"
check "429 is a JSON error" -- test "$(j .error.code)" = rate_limited
check "healthz is not rate limited" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/healthz")" = 200
sleep 1.2
check "a token returns after a second" -- test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AUD" "$B/api/v1/tasks")" = 200
kill -INT "$SPID"
wait "$SPID"
RC=$?
check "SIGINT: exit 0 (got $RC)" -- test "$RC" = 0

# ---- readyz when a migration is missing: a schema dir with one more file ----
mkdir -p "$H/schemas"
cp "$PLAINT_SOURCE_DIR"/schemas/sql/*.sql "$H/schemas/"
echo 'SELECT 1;' >"$H/schemas/9999_future.sql"
start_server --wait none "$H/serve3.out" "$H/serve3.err" PLAINT_SCHEMA_DIR="$H/schemas" -- --threads 1
check "third server started" -- test -n "$PORT"
ST=$(curl -s -o "$RESP" -w '%{http_code}' "$B/readyz")
expect 503 "readyz with a migration not applied"
check "readyz says how many are applied" -- bash -c "jq -r .error.message '$RESP' | grep -q 'migrations applied'"
kill -TERM "$SPID"
wait "$SPID"

# ---- the database goes away and comes back: readyz 503, then 200 on a fresh connection ----
start_server "$H/serve4.out" "$H/serve4.err" --threads 1
call GET /api/v1/tasks "$AUD"
expect 200 "fourth server answers"
expect_exit 0 "db stop under the running server" -- "$PLAINT_BIN" db stop
ST=$(curl -s -o "$RESP" -w '%{http_code}' "$B/readyz")
expect 503 "readyz with the database down"
call GET /api/v1/tasks "$AUD"
check "an API request with the database down is 5xx, no internals leaked ($ST)" -- bash -c "[[ '$ST' =~ ^50[03]$ ]] && ! grep -qi 'postgres\|socket\|libpq\|server' '$RESP'"
expect_exit 0 "db start again" -- "$PLAINT_BIN" db start
ST=$(curl -s -o "$RESP" -w '%{http_code}' "$B/readyz")
expect 200 "readyz after the database is back (a new connection)"
call GET /api/v1/tasks "$AUD"
expect 200 "API after the database is back"
kill -TERM "$SPID"
wait "$SPID"

check "no sanitizer or runtime error from the servers" -- bash -c "! grep -E 'runtime error|AddressSanitizer|LeakSanitizer' '$H'/serve*.err"
expect_exit 0 "plaint verify" -- "$PLAINT_BIN" --token "$ADMIN" verify
finish
