#!/usr/bin/env bash
# plaint sla scan: escalates each breached SLA timer once (run twice, one escalation), not
# before the deadline, not for a complaint that had its first response, and the escalation is on
# the ledger. Deadlines themselves (weekends, holidays, DST) are unit-tested in test_bizcal and
# test_sla_policy; here they come from policies/sla.xml through intake.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_TOKEN
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }

# Bootstrap mode (no users yet): the local operator acts with every right.
# Received Monday 2 March 2026, 10:00 UTC (GMT): first response due after 2 business days,
# Wednesday 4 March 17:00; final response by the end of 27 April (BST: 22:59:59.999999 UTC).
expect_exit 0 "complaint A" -- "$PLAINT_BIN" complaint new --channel web --category "Student loan" --received 2026-03-02T10:00:00Z
A=$(cat "$TMP_OUT")
expect_exit 0 "complaint B" -- "$PLAINT_BIN" complaint new --channel web --category "Student loan" --received 2026-03-02T10:00:00Z
B=$(cat "$TMP_OUT")
check "A's first response due Wed 17:00 UTC" -- test "$(q "SELECT first_response_due FROM plaint.complaint WHERE ref = '$A'")" = "2026-03-04 17:00:00+00"
check "A's final response due end of 27 April BST" -- test "$(q "SELECT final_due FROM plaint.complaint WHERE ref = '$A'")" = "2026-04-27 22:59:59.999999+00"
expect_exit 0 "B gets its first response" -- "$PLAINT_BIN" complaint note "$B" "Spoke to the customer" --kind correspondence_out

esc() { q "SELECT count(*) FROM plaint.escalation WHERE ref = '$1' AND timer IS NOT NULL"; }
expect_exit 0 "scan before the deadline" -- "$PLAINT_BIN" sla scan --now 2026-03-04T16:59:59Z --json
check "nothing breached yet" -- grep -q '"escalated": 0' "$TMP_OUT"
expect_exit 0 "scan after the first-response deadline" -- "$PLAINT_BIN" sla scan --now 2026-03-04T17:00:01Z --json
check "one escalation" -- grep -q '"escalated": 1' "$TMP_OUT"
check "A escalated for first_response" -- test "$(q "SELECT timer || ' ' || target FROM plaint.escalation WHERE ref = '$A' AND timer IS NOT NULL")" = "first_response tier2"
check "A is escalated" -- test "$(q "SELECT status FROM plaint.complaint WHERE ref = '$A'")" = escalated
check "B (answered) not escalated" -- test "$(esc "$B")" = 0
expect_exit 0 "scan again" -- "$PLAINT_BIN" sla scan --now 2026-03-04T17:00:01Z --json
check "the second scan escalates nothing" -- grep -q '"escalated": 0' "$TMP_OUT"
check "still one escalation of A" -- test "$(esc "$A")" = 1
check "one escalation event on the ledger" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = '$A' AND event_type = 'complaint.escalated' AND idempotency_key IS NOT NULL")" = 1
expect_exit 0 "scan after the final-response deadline" -- "$PLAINT_BIN" sla scan --now 2026-04-28T00:00:00Z --json
check "final response breaches of A and B" -- grep -q '"escalated": 2' "$TMP_OUT"
check "A escalated to management for the final response" -- test "$(q "SELECT target FROM plaint.escalation WHERE ref = '$A' AND timer = 'final_response'")" = management
expect_exit 0 "and again" -- "$PLAINT_BIN" sla scan --now 2026-05-28T00:00:00Z --json
check "nothing more" -- grep -q '"escalated": 0' "$TMP_OUT"
# Both timers run out before one scan: one escalation per timer, no refusal.
expect_exit 0 "complaint C" -- "$PLAINT_BIN" complaint new --channel web --category "Student loan" --received 2026-03-02T10:00:00Z
C=$(cat "$TMP_OUT")
expect_exit 0 "one scan after both of C's deadlines" -- "$PLAINT_BIN" sla scan --now 2026-06-01T00:00:00Z --json
check "C escalated for both timers" -- test "$(esc "$C")" = 2
check "C ends at management" -- test "$(q "SELECT status || ' ' || escalation FROM plaint.complaint WHERE ref = '$C'")" = "escalated management"
expect_exit 2 "a bad --now is a usage error" -- "$PLAINT_BIN" sla scan --now yesterday
expect_exit 0 "replay --check" -- "$PLAINT_BIN" ledger replay --check
expect_exit 0 "seal" -- "$PLAINT_BIN" ledger seal
expect_exit 0 "verify" -- "$PLAINT_BIN" verify --pubkey "$H/keys/ledger-signing.pem.pub"
finish
