#!/usr/bin/env bash
# Rules of the API and the CLI found by a hostile review (docs/api.md, docs/workflow.md "Tasks",
# docs/intake.md "Received times"), each shown against a running `plaint serve`:
# 1. a refund_approval task closes only through the refund's approval: completing it by hand
#    (CLI `task done`, POST .../tasks/{T}/completion) is refused for the requester and for a
#    finance manager alike, and changes nothing; the approval then closes it.
# 2. a received time in the future (beyond 5 minutes of clock skew) is refused by `complaint new
#    --received`, POST /api/v1/complaints and CSV import rows (the line named; --strict writes
#    nothing); 2 minutes ahead is accepted.
# 3. query parameters of the list endpoints: invalid UTF-8, control characters, empty or
#    overlong values are 400 naming the parameter; no answer of this test carries database text.
# 4. a replayed 201 carries the first answer's Location header.
# 5. an Idempotency-Key left "in progress" by a server that died after the use case committed:
#    within 60 s a retry is 409 idempotency_key_in_progress, after that 409
#    idempotency_key_unfinished telling the client to check; nothing is run twice.
# shellcheck disable=SC1010 # "task done" is plaint's command, not the shell's "done"
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/serve.sh"

serve_home
bootstrap_admin
INTAKE=$(add_user ivy intake_agent)
BOB=$(add_user bob support_agent finance_manager)
FAY=$(add_user fay finance_manager)
AUD=$(add_user aud auditor)
pl() { local t=$1; shift; "$PLAINT_BIN" --token "$t" "$@"; }

start_server "$H/serve.out" "$H/serve.err" --threads 2 --rate 0
check "serve listens ($PORT)" -- test -n "$PORT"

RESP=$H/resp.json
HDRS=$H/resp.hdr
ALL=$H/all-answers.txt # every answer body, searched for database text at the end
: >"$ALL"
# call METHOD PATH TOKEN [BODY [KEY]] -> $ST, $RESP, $HDRS
call() {
    local m=$1 path=$2 tok=$3 body=${4-} key=${5-}
    local args=(-s -g -X "$m" -o "$RESP" -D "$HDRS" -w '%{http_code}')
    [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    [ -n "$key" ] && args+=(-H "Idempotency-Key: $key")
    ST=$(curl "${args[@]}" "$B$path")
    cat "$RESP" >>"$ALL"
    echo >>"$ALL"
}
j() { jq -r "$1" "$RESP"; }
expect() { # STATUS DESC
    if [ "$ST" = "$1" ]; then ok "$2 ($ST)"; else not_ok "$2: expected $1, got $ST: $(head -c 400 "$RESP")"; fi
}
expect_field() { # STATUS FIELD DESC
    if [ "$ST" = "$1" ] && [ "$(j .error.field)" = "$2" ] && [ -n "$(j .error.message)" ]; then
        ok "$3 ($ST, field $2: $(j .error.message | head -c 160))"
    else
        not_ok "$3: expected $1 naming $2, got $ST: $(head -c 400 "$RESP")"
    fi
}
location() { tr -d '\r' <"$HDRS" | sed -n 's/^[Ll]ocation: //p'; }
ncomplaints() { q "SELECT count(*) FROM plaint.complaint"; }
nevents() { q "SELECT count(*) FROM plaint.ledger_event WHERE case_id <> 'security-log'"; }
snapshot() { q "SELECT string_agg(digest, ',' ORDER BY table_name) FROM plaint.projection_digest()"; }

# ---- 1. a refund_approval task closes only through the approval ----
expect_exit 0 "customer add" -- pl "$INTAKE" customer add cust-r --tier silver --currency USD --lifetime-value 100.00
expect_exit 0 "order add" -- pl "$INTAKE" order add ord-r --customer cust-r --currency USD --line K1,Kettle,49.99,2,2000
expect_exit 0 "complaint new (received in the past)" -- pl "$INTAKE" complaint new --channel email --category "Checking or savings account" --customer cust-r --order ord-r --issue "Faulty kettle" --received 2026-03-02T10:00:00Z
REF=$(cat "$TMP_OUT")
expect_exit 0 "bob (support agent and finance manager) proposes a refund" -- pl "$BOB" refund propose "$REF" --reason "kettle faulty"
RF=$(cat "$TMP_OUT")
TASK=$(q "SELECT task_id FROM plaint.task WHERE refund_id = '$RF' AND kind = 'refund_approval'")
check "the refund $RF has an open approval task $TASK in the finance queue" -- test "$(q "SELECT status || '/' || role || '/' || coalesce(assignee, '-') FROM plaint.task WHERE task_id = '$TASK'")" = "open/finance_manager/-"
P0=$(snapshot)
E0=$(nevents)
expect_exit 3 "the requester may not complete the approval task by hand (task done)" -- pl "$BOB" task done "$TASK"
check "the message says why: it closes with the refund's approval" -- grep -q "approval of refund $RF.*plaint refund approve $RF" "$TMP_ERR"
expect_exit 3 "nor may another finance manager (task done)" -- pl "$FAY" task done "$TASK"
check "projections unchanged (task open, unclaimed; refund proposed)" -- test "$(snapshot)" = "$P0"
check "ledger unchanged" -- test "$(nevents)" = "$E0"
TN=${TASK##*/}
call POST "/api/v1/complaints/$REF/tasks/$TN/completion" "$BOB" '{}' key-r1
expect_field 400 task "POST tasks/$TN/completion as the requester"
check "the API message names the refund and the approval" -- bash -c "jq -r .error.message '$RESP' | grep -q 'approval of refund $RF'"
call POST "/api/v1/complaints/$REF/tasks/$TN/completion" "$FAY" '{}' key-r2
expect_field 400 task "POST tasks/$TN/completion as another finance manager"
check "nothing changed after the API refusals" -- test "$(snapshot)/$(nevents)" = "$P0/$E0"
call GET "/api/v1/tasks?role=finance_manager&status=open" "$FAY"
check "the task is still in the finance queue" -- test "$(j "[.items[] | select(.task_id == \"$TASK\")] | length")" = 1
call POST "/api/v1/complaints/$REF/refunds/${RF##*/}/approval" "$BOB" '{}' key-r3
expect 403 "the requester may not approve either (four-eyes)"
call POST "/api/v1/complaints/$REF/refunds/${RF##*/}/approval" "$FAY" '{}' key-r4
expect 200 "fay approves the refund"
check "the approval closed the task (done by fay) and approved the refund" -- test "$(q "SELECT t.status || '/' || t.done_by || '/' || r.status FROM plaint.task t JOIN plaint.refund r USING (refund_id) WHERE t.task_id = '$TASK'")" = "done/fay/approved"

# ---- 2. no received time in the future ----
N0=$(ncomplaints)
FUT_CLI=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
NEAR=$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)
expect_exit 3 "complaint new --received tomorrow ($FUT_CLI) is refused" -- pl "$INTAKE" complaint new --channel web --category Mortgage --received "$FUT_CLI"
check "the message names the field and says future" -- grep -q "received: .* is in the future.*\[field received\]" "$TMP_ERR"
expect_exit 3 "complaint new --received 2031-01-01 is refused" -- pl "$INTAKE" complaint new --channel web --category Mortgage --received 2031-01-01
check "no complaint written" -- test "$(ncomplaints)" = "$N0"
expect_exit 0 "complaint new --received 2 minutes ahead (clock skew) is accepted" -- pl "$INTAKE" complaint new --channel web --category Mortgage --received "$NEAR"
check "it was written with that time" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE ref = '$(cat "$TMP_OUT")' AND received_at = '$NEAR'")" = 1
N0=$(ncomplaints)
FUT_API=$(date -u -d '+10 minutes' +%Y-%m-%dT%H:%M:%S.000000Z)
call POST /api/v1/complaints "$INTAKE" "{\"channel\":\"web\",\"category\":\"Mortgage\",\"received\":\"$FUT_API\"}" key-f1
expect_field 400 received "POST complaints with received 10 minutes ahead"
check "the API message says future" -- bash -c "jq -r .error.message '$RESP' | grep -q 'in the future'"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Mortgage","received":"2040-06-01T00:00:00.000000Z"}' key-f2
expect_field 400 received "POST complaints with received in 2040"
check "no complaint written by the API refusals" -- test "$(ncomplaints)" = "$N0"

DATA=${PLAINT_SOURCE_DIR}/../shared/data/cfpb_complaints.csv
[ -f "$DATA" ] || DATA=/work/shared/data/cfpb_complaints.csv
MAP=${PLAINT_SOURCE_DIR}/reports/mappings/cfpb.xml
CSVF=$TEST_ROOT/future.csv
FUT_DAY=$(date -u -d '+2 days' +%Y-%m-%d)
head -1 "$DATA" >"$CSVF"
cat >>"$CSVF" <<CSV
2020-03-18,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not yours,,,ACME,FL,330XX,,Other,Web,2020-03-18,Closed with explanation,Yes,N/A,9100001
$FUT_DAY,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not yours,,,ACME,FL,330XX,,Other,Web,2020-03-19,Closed with explanation,Yes,N/A,9100002
2031-01-01,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not yours,,,ACME,FL,330XX,,Other,Web,2020-03-19,Closed with explanation,Yes,N/A,9100003
2020-03-20,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not yours,,,ACME,FL,330XX,,Other,Web,2020-03-20,Closed with explanation,Yes,N/A,9100004
CSV
N0=$(ncomplaints)
expect_exit 3 "import csv --strict refuses a file with rows received in the future" -- pl "$INTAKE" import csv "$CSVF" --mapping "$MAP" --strict
check "the row received $FUT_DAY is named by its line (3)" -- grep -q "future.csv:3: received: ${FUT_DAY}T00:00:00.000000Z is in the future" "$TMP_ERR"
check "the row received 2031-01-01 is named by its line (4)" -- grep -q "future.csv:4: received: 2031-01-01" "$TMP_ERR"
check "--strict wrote nothing" -- test "$(ncomplaints)" = "$N0"
expect_exit 3 "import csv without --strict: the good rows go in, exit 3" -- pl "$INTAKE" import csv "$CSVF" --mapping "$MAP"
check "the summary counts 2 good, 2 bad" -- grep -q "2 rows good, 2 bad; 2 complaints imported" "$TMP_OUT"
check "exactly the two past rows were imported" -- test "$(q "SELECT string_agg(source_id, ',' ORDER BY source_id) FROM plaint.complaint WHERE source_id LIKE '91000%'")" = "9100001,9100004"
check "no complaint anywhere is received in the future" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE received_at > now() + interval '5 minutes'")" = 0

# ---- 3. query parameters: checked before the database sees them ----
for p in status owner category channel customer; do
    call GET "/api/v1/complaints?$p=%FF" "$AUD"
    expect_field 400 "$p" "GET complaints?$p=%FF (invalid UTF-8)"
    call GET "/api/v1/complaints?$p=a%01b" "$AUD"
    expect_field 400 "$p" "GET complaints?$p with a control character"
    call GET "/api/v1/complaints?$p=$(printf 'x%.0s' $(seq 1 201))" "$AUD"
    expect_field 400 "$p" "GET complaints?$p of 201 bytes"
    call GET "/api/v1/complaints?$p=" "$AUD"
    expect_field 400 "$p" "GET complaints?$p empty"
done
for p in ref role assignee status kind; do
    call GET "/api/v1/tasks?$p=%C3%28" "$AUD"
    expect_field 400 "$p" "GET tasks?$p=%C3%28 (invalid UTF-8)"
    call GET "/api/v1/tasks?$p=%0A" "$AUD"
    expect_field 400 "$p" "GET tasks?$p=newline"
    call GET "/api/v1/tasks?$p=$(printf 'x%.0s' $(seq 1 201))" "$AUD"
    expect_field 400 "$p" "GET tasks?$p of 201 bytes"
done
call GET "/api/v1/tasks?status=closed" "$AUD"
expect_field 400 status "GET tasks?status=closed (open or done)"
call GET "/api/v1/complaints?channel=fax" "$AUD"
expect_field 400 channel "GET complaints?channel=fax (not a channel)"
call GET "/api/v1/complaints?category=Caf%C3%A9%20%E2%82%AC" "$AUD"
expect 200 "GET complaints?category with valid UTF-8 (none match)"
check "an empty page" -- test "$(j '.items | length')" = 0
call GET "/api/v1/complaints?category=Mortgage&channel=web" "$AUD"
expect 200 "GET complaints filtered by category and channel"
check "filters still work: the Mortgage/web complaint" -- test "$(j '.items | length')" = 1
call GET "/api/v1/tasks?status=done&kind=refund_approval" "$AUD"
check "tasks filtered by status and kind: the approved one ($ST)" -- test "$ST/$(j '.items[0].task_id')" = "200/$TASK"

# ---- 4. a replayed 201 has the first answer's Location ----
N0=$(ncomplaints)
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Loc"}' key-loc
expect 201 "POST complaints (first)"
LOC1=$(location)
BODY1=$(cat "$RESP")
check "first answer's Location /api/v1/complaints/$(j .ref)" -- test "$LOC1" = "/api/v1/complaints/$(j .ref)"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Loc"}' key-loc
expect 201 "replayed POST complaints"
check "the replay has the same Location ($(location))" -- test "$(location)" = "$LOC1"
check "the replay has the same body" -- test "$(cat "$RESP")" = "$BODY1"
check "the replay created nothing" -- test "$(ncomplaints)" = $((N0 + 1))
check "the location is stored with the key" -- test "$(q "SELECT location FROM plaint.api_idempotency WHERE idem_key = 'key-loc'")" = "$LOC1"
call POST "/api/v1/complaints/$REF/tasks/$TN/completion" "$FAY" '{}' key-r2
check "a replayed answer without Location has none ($ST)" -- test "$ST/$(location)" = "400/"

# ---- 5. a key left in progress by a server that died ----
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Crash"}' key-crash
expect 201 "POST complaints (its answer will be lost)"
N0=$(ncomplaints)
E0=$(nevents)
# the server died after the use case committed, before the answer was stored
q "UPDATE plaint.api_idempotency SET status = 0, response = NULL, location = NULL WHERE idem_key = 'key-crash'"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Crash"}' key-crash
expect_field 409 Idempotency-Key "retry while the key may still be in flight"
check "code idempotency_key_in_progress" -- test "$(j .error.code)" = idempotency_key_in_progress
q "UPDATE plaint.api_idempotency SET created_at = now() - interval '61 seconds' WHERE idem_key = 'key-crash'"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Crash"}' key-crash
expect_field 409 Idempotency-Key "retry 61 s later: the answer was never stored"
check "code idempotency_key_unfinished" -- test "$(j .error.code)" = idempotency_key_unfinished
check "the message says it may have been applied and how to check" -- bash -c "jq -r .error.message '$RESP' | grep -q 'may or may not have been applied.*GET /api/v1/complaints'"
check "nothing was run twice" -- test "$(ncomplaints)/$(nevents)" = "$N0/$E0"
call POST /api/v1/complaints "$INTAKE" '{"channel":"web","category":"Other"}' key-crash
expect_field 409 Idempotency-Key "another body under that key is still a reused key"
check "code idempotency_key_reused" -- test "$(j .error.code)" = idempotency_key_reused
# the same on a complaint's sub-resource: the hint names the complaint
q "INSERT INTO plaint.api_idempotency (principal, idem_key, request_hash, status, created_at) VALUES ('fay', 'key-gone', encode(sha256(convert_to(E'POST /api/v1/complaints/$REF/notes\n{\"text\":\"x\"}', 'UTF8')), 'hex'), 0, now() - interval '5 minutes')"
call POST "/api/v1/complaints/$REF/notes" "$FAY" '{"text":"x"}' key-gone
expect_field 409 Idempotency-Key "a note whose answer was lost"
check "the hint points at the complaint" -- bash -c "jq -r .error.message '$RESP' | grep -q 'GET /api/v1/complaints/{ref}'"

# ---- no database text in any answer ----
check "no answer carries SQLSTATE or PostgreSQL messages ($(wc -l <"$ALL") answers)" -- bash -c "! grep -Eiq 'SQLSTATE|invalid byte sequence|syntax error|violates|plaint: ' '$ALL'"
check "the server logged no internal error nor sanitizer report" -- bash -c "! grep -Eq 'internal|Sanitizer|runtime error' '$H/serve.err'"
check "the server is still running" -- kill -0 "${SERVER_PIDS[0]}"

finish
