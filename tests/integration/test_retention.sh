#!/usr/bin/env bash
# The retention run through the CLI, in bootstrap mode (no users): subjects whose retention
# period has ended at --now are erased by crypto-shredding, others are kept; a legal hold keeps a
# due subject; a dry run changes nothing; erasure events name the policy; aggregate figures
# (event counts by type) change only by the erasure events; the ledger still verifies.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_TOKEN PLAINT_MASTER_KEY
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
NOW=2026-11-25

events() { $P -c "SELECT count(*) FROM plaint.ledger_event"; }
vault_rows() {
    $P -c "SELECT (SELECT count(*) FROM plaint.vault_item) || '/' ||
                  (SELECT count(*) FROM plaint.vault_subject WHERE wrapped_dek IS NOT NULL) || '/' ||
                  (SELECT count(*) FROM plaint.vault_subject WHERE erased_at IS NOT NULL)"
}
# Aggregate figures: events by type, without the erasure events a run adds.
figures() {
    $P -c "SELECT string_agg(event_type || '=' || n, ',' ORDER BY event_type) FROM
             (SELECT event_type, count(*) AS n FROM plaint.ledger_event
              WHERE event_type <> 'subject.erased' GROUP BY event_type) t"
}
erased() { $P -c "SELECT coalesce(string_agg(subject_id, ',' ORDER BY subject_id), '') FROM plaint.vault_subject WHERE erased_at IS NOT NULL"; }
items_of() { $P -c "SELECT count(*) FROM plaint.vault_item WHERE subject_id = '$1'"; }

expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
expect_exit 0 "keys master-init" -- "$PLAINT_BIN" keys master-init

expect_exit 0 "retention show" -- "$PLAINT_BIN" retention show
check "show lists the three classes" -- test "$(grep -cE '^(complaint|mifid|ucits) ' "$TMP_OUT")" = 3
check "show gives complaint 3 years from closure" -- grep -qE '^complaint +3 years +from closure +UK FCA DISP 1.9$' "$TMP_OUT"
SHA=$(sha256sum "$PLAINT_SOURCE_DIR/policies/retention.xml" | cut -c1-16)
check "show names the policy by its SHA-256" -- grep -q "sha256 $SHA" "$TMP_OUT"

# At 2026-11-25: complaint (3 years) ends 2023-01-15 for C-DUE1 (due), 2024-02-29 + 3 years =
# 2027-02-28 for C-FEB29 (not due); C-EDGE's ends exactly on 2026-11-25 (due at 00:00);
# C-NEXT's ends 2026-11-26 (not due); M-DUE (mifid, 5 years) ended 2026-11-01; M-NOT (mifid)
# would be due under the complaint class (2022-06-01 + 3) but not under mifid's 5 years;
# C-HELD is due but held; C-NOSTART has no start; X-UNK has a class the policy does not know.
add() { # add ID CLASS START|- NAME
    local start=()
    [ "$3" = - ] || start=(--retention-start "$3")
    expect_exit 0 "subject $1 ($2, ${3})" -- "$PLAINT_BIN" subject add "$1" --class "$2" "${start[@]}" --name "$4" --email "$1@example.org"
}
add C-DUE1 complaint 2020-01-15 "Ann Due"
add C-EDGE complaint 2023-11-25 "Eddie Edge"
add C-FEB29 complaint 2024-02-29 "Leap Day"
add C-HELD complaint 2021-05-01 "Hal Held"
add C-NEXT complaint 2023-11-26 "Nate Next"
add C-NOSTART complaint - "No Start"
add M-DUE mifid 2021-11-01 "Mia Due"
add M-NOT mifid 2022-06-01 "Max Not"
add X-UNK pension 2001-01-01 "Una Known"
expect_exit 0 "hold on C-HELD" -- "$PLAINT_BIN" hold add C-HELD --reason "litigation L-7"

# Dry run: every verdict printed, nothing changes.
ev0=$(events)
v0=$(vault_rows)
f0=$(figures)
expect_exit 0 "dry run" -- "$PLAINT_BIN" retention run --dry-run --now "$NOW"
cp "$TMP_OUT" "$H/dry.txt"
verdict() { awk -v id="$1" '$1 == id {print $3 " " $4 " " $5}' "$2"; }
check "dry: C-DUE1 due 2023-01-15, would erase" -- test "$(verdict C-DUE1 "$H/dry.txt")" = "due 2023-01-15 would-erase"
check "dry: C-EDGE due on the day itself" -- test "$(verdict C-EDGE "$H/dry.txt")" = "due 2026-11-25 would-erase"
check "dry: C-FEB29 ends 2027-02-28" -- test "$(verdict C-FEB29 "$H/dry.txt")" = "not-due 2027-02-28 kept"
check "dry: C-HELD held" -- test "$(verdict C-HELD "$H/dry.txt")" = "held 2024-05-01 kept"
check "dry: C-NEXT not yet due" -- test "$(verdict C-NEXT "$H/dry.txt")" = "not-due 2026-11-26 kept"
check "dry: C-NOSTART has no start" -- test "$(verdict C-NOSTART "$H/dry.txt")" = "no-start - kept"
check "dry: M-DUE due after 5 years" -- test "$(verdict M-DUE "$H/dry.txt")" = "due 2026-11-01 would-erase"
check "dry: M-NOT not due under mifid" -- test "$(verdict M-NOT "$H/dry.txt")" = "not-due 2027-06-01 kept"
check "dry: X-UNK unknown class" -- test "$(verdict X-UNK "$H/dry.txt")" = "unknown-class - kept"
check "dry: summary" -- grep -q "retention run at $NOW (dry run: nothing changed), policy $SHA: 9 subjects, 3 due, 0 erased, 0 failed, 1 held, 3 not yet due, 1 without start, 1 of unknown class" "$H/dry.txt"
check "dry run: ledger event count unchanged" -- test "$(events)" = "$ev0"
check "dry run: vault rows unchanged" -- test "$(vault_rows)" = "$v0"
check "dry run: nothing erased" -- test -z "$(erased)"

# The run: exactly the due, unheld subjects are erased.
expect_exit 0 "retention run" -- "$PLAINT_BIN" retention run --now "$NOW"
cp "$TMP_OUT" "$H/run.txt"
check "run: C-DUE1 erased" -- test "$(verdict C-DUE1 "$H/run.txt")" = "due 2023-01-15 erased"
check "run: C-HELD kept" -- test "$(verdict C-HELD "$H/run.txt")" = "held 2024-05-01 kept"
check "run: summary" -- grep -q "retention run at $NOW, policy $SHA: 9 subjects, 3 due, 3 erased, 0 failed, 1 held, 3 not yet due, 1 without start, 1 of unknown class" "$H/run.txt"
check "exactly the due, unheld subjects are erased" -- test "$(erased)" = "C-DUE1,C-EDGE,M-DUE"
check "their vault items are gone" -- test "$(items_of C-DUE1)$(items_of C-EDGE)$(items_of M-DUE)" = 000
check "the held subject keeps its data" -- test "$(items_of C-HELD)" = 2
check "three erasure events were added" -- test "$(events)" = $((ev0 + 3))
check "each erasure event names the reason and the policy" -- test "$($P -c "SELECT count(*) FROM plaint.ledger_event WHERE event_type = 'subject.erased' AND payload LIKE '%retention period ended%' AND payload LIKE '%retention:' || CASE WHEN case_id = 'subject:M-DUE' THEN 'mifid' ELSE 'complaint' END || ':$SHA%'")" = 3
check "aggregate figures are unchanged apart from the erasure events" -- test "$(figures)" = "$f0"
check "no personal data in the erasure events" -- bash -c "! $P -c \"SELECT payload FROM plaint.ledger_event WHERE event_type = 'subject.erased'\" | grep -q -e 'Ann Due' -e '@example.org'"
check "the held subject's export still has its name" -- bash -c "'$PLAINT_BIN' subject export C-HELD | grep -q 'Hal Held'"
expect_exit 0 "the ledger verifies after the erasures" -- "$PLAINT_BIN" verify

# A second run finds nothing more to erase; releasing the hold makes C-HELD due.
ev1=$(events)
expect_exit 0 "second run" -- "$PLAINT_BIN" retention run --now "$NOW"
check "second run: 6 subjects, nothing due" -- grep -q ": 6 subjects, 0 due, 0 erased, 0 failed, 1 held," "$TMP_OUT"
check "second run: no event added" -- test "$(events)" = "$ev1"

# Usage and input errors.
expect_exit 2 "a bad --now is a usage error" -- "$PLAINT_BIN" retention run --now 2026-02-30
expect_exit 2 "an operand is a usage error" -- "$PLAINT_BIN" retention run extra
expect_exit 0 "run --help" -- "$PLAINT_BIN" retention run --help
check "help names the action" -- grep -q "retention.run" "$TMP_OUT"
mkdir -p "$H/pol"
printf '<?xml version="1.0"?>\n<policy xmlns="urn:plaint:retention:1" version="1">\n  <class name="complaint" years="2.5" from="closure"/>\n</policy>\n' >"$H/pol/retention.xml"
cp "$PLAINT_SOURCE_DIR/policies/rbac.xml" "$H/pol/"
expect_exit 3 "a policy with a fractional period is refused" -- env PLAINT_POLICY_DIR="$H/pol" "$PLAINT_BIN" retention run --dry-run --now "$NOW"
check "the refusal names file and line" -- grep -q "$H/pol/retention.xml:3:" "$TMP_ERR"
check "a refused policy erases nothing" -- test "$(events)" = "$ev1"
finish
