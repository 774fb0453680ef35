#!/usr/bin/env bash
# plaint insights: a spike in one category against the trailing weeks, a category that does not
# spike, open complaints from a public channel (policies/severity.xml: social) flagged while
# closed ones and those received after --now are not, the --json report, --flag writing
# "complaint.flagged" once per complaint and reason (a second --flag adds nothing), and flags
# kept on the ledger only (replay still agrees). The rule itself is unit-tested in
# tests/unit/test_insights.c.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_TOKEN
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }
# jv EXPR: a Python expression over the JSON report d in $TMP_OUT
jv() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TMP_OUT" "$1"; }

new() { # new CHANNEL CATEGORY RECEIVED -> prints the reference
    "$PLAINT_BIN" complaint new --channel "$1" --category "$2" --received "$3" >"$TMP_OUT" 2>"$TMP_ERR" ||
        not_ok "complaint new $*: $(cat "$TMP_ERR")"
    cat "$TMP_OUT"
}

# Windows of 7 days ending Monday 16 March 2026: current [9 Mar, 16 Mar), trailing
# w1 [2 Mar, 9 Mar), w2 [23 Feb, 2 Mar), w3 [16 Feb, 23 Feb), w4 [9 Feb, 16 Feb).
# Bootstrap mode (no users yet): the local operator acts with every right.
ARGS=(--now 2026-03-16 --window-days 7 --baseline 4)
# Mortgage: one a week, then six in the current week (one of them from social): median 1,
# MAD 0 (counted as 1), threshold max(5, 1 + 3, 2) = 5.
new web Mortgage 2026-02-09 >/dev/null # the first complaint ever: all four windows are history
new web Mortgage 2026-02-17 >/dev/null
new web Mortgage 2026-02-24 >/dev/null
new web Mortgage 2026-03-03 >/dev/null
M1=$(new web Mortgage 2026-03-09)
M2=$(new web Mortgage 2026-03-10)
new web Mortgage 2026-03-11 >/dev/null
new phone Mortgage 2026-03-12 >/dev/null
new web Mortgage 2026-03-13T10:00:00Z >/dev/null
MS=$(new social Mortgage 2026-03-15T23:59:59Z)
# Student loan: [1 0 1 0] then 3: below the minimum count of 5.
new web "Student loan" 2026-03-02 >/dev/null
new web "Student loan" 2026-02-17 >/dev/null
new web "Student loan" 2026-03-10 >/dev/null
new web "Student loan" 2026-03-11 >/dev/null
new web "Student loan" 2026-03-12 >/dev/null
# Social: an old open one, a rejected one (not open), two received after --now.
S1=$(new social "Credit card" 2026-02-20)
S2=$(new social "Credit card" 2026-03-10)
expect_exit 0 "reject S2" -- "$PLAINT_BIN" complaint transition "$S2" rejected --reason "not a complaint"
S3=$(new social "Credit card" 2026-03-16T00:00:00Z)
S4=$(new social "Credit card" 2026-03-25) # flagged at the end by a tier-2 investigator
# A mortgage complaint after the window is not counted either.
new web Mortgage 2026-03-16T00:00:01Z >/dev/null

expect_exit 0 "insights --json" -- "$PLAINT_BIN" insights "${ARGS[@]}" --json
check "window is 9 to 16 March" -- test "$(jv 'd["window"]["from"] + " " + d["window"]["to"]')" = "2026-03-09T00:00:00.000000Z 2026-03-16T00:00:00.000000Z"
check "four windows of history" -- test "$(jv 'd["window"]["history"]')" = 4
check "Mortgage is the one spike" -- test "$(jv 'd["spikes"]')" = "['Mortgage']"
check "Mortgage: 6 now, trailing [1, 1, 1, 1], median 1, MAD 0, threshold 5" -- test "$(jv '[(c["current"], c["trailing"], c["median"], c["mad"], c["threshold"], c["verdict"]) for c in d["categories"] if c["category"] == "Mortgage"]')" = "[(6, [1, 1, 1, 1], 1, 0, 5, 'spike')]"
check "Student loan: 3 now, [1, 0, 1, 0], below the minimum" -- test "$(jv '[(c["current"], c["trailing"], c["median"], c["threshold"], c["verdict"], c["spike"]) for c in d["categories"] if c["category"] == "Student loan"]')" = "[(3, [1, 0, 1, 0], 1, 5, 'below_min_count', False)]"
check "Credit card (one open in the window, S2 counts too): 1 now, no spike" -- test "$(jv '[(c["current"], c["verdict"]) for c in d["categories"] if c["category"] == "Credit card"]')" = "[(1, 'below_min_count')]"
check "social is the public channel" -- test "$(jv 'd["public_channels"]')" = "['social']"
check "to flag: six mortgage complaints, then S1 and MS from social" -- test "$(jv '[(c["reason"], c["ref"]) for c in d["to_flag"]][5:]')" = "[('category_spike', '$MS'), ('public_channel', '$S1'), ('public_channel', '$MS')]"
check "to flag: eight in all, first M1 and M2" -- test "$(jv '[len(d["to_flag"])] + [c["ref"] for c in d["to_flag"]][:2]')" = "[8, '$M1', '$M2']"
check "nothing flagged without --flag" -- test "$(jv 'd["flagged"]')" = 0
check "no flag events yet" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE event_type = 'complaint.flagged'")" = 0
check "S2 (rejected) and S3 (after --now) are not listed" -- test "$(jv 'len([c for c in d["to_flag"] if c["ref"] in ("'"$S2"'", "'"$S3"'")])')" = 0

expect_exit 0 "insights text" -- "$PLAINT_BIN" insights "${ARGS[@]}"
check "text names the spike" -- grep -q "spike: Mortgage: 6 this window, median 1, MAD 0, threshold 5" "$TMP_OUT"
check "text suggests --flag" -- grep -q "run with --flag" "$TMP_OUT"

expect_exit 0 "insights --flag" -- "$PLAINT_BIN" insights "${ARGS[@]}" --flag --json
check "eight flags written" -- test "$(jv 'd["flagged"]')" = 8
check "eight flag events with their keys" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE event_type = 'complaint.flagged' AND idempotency_key = 'flag:' || case_id || ':' || (payload::jsonb->>'reason')")" = 8
check "MS flagged for both reasons" -- test "$(q "SELECT string_agg(payload::jsonb->>'reason', ',' ORDER BY case_seq) FROM plaint.ledger_event WHERE case_id = '$MS' AND event_type = 'complaint.flagged'")" = "category_spike,public_channel"
check "the spike payload" -- test "$(q "SELECT payload::jsonb->>'category' || ' ' || (payload::jsonb->>'count') || ' ' || (payload::jsonb->>'median') || ' ' || (payload::jsonb->>'threshold') || ' ' || (payload::jsonb->>'window_from') FROM plaint.ledger_event WHERE case_id = '$M1' AND event_type = 'complaint.flagged'")" = "Mortgage 6 1 5 2026-03-09T00:00:00.000000Z"
check "the public payload" -- test "$(q "SELECT payload FROM plaint.ledger_event WHERE case_id = '$S1' AND event_type = 'complaint.flagged'")" = '{"channel":"social","reason":"public_channel"}'

expect_exit 0 "insights --flag again" -- "$PLAINT_BIN" insights "${ARGS[@]}" --flag --json
check "nothing left to flag" -- test "$(jv '[len(d["to_flag"]), d["flagged"], d["spikes"]]')" = "[0, 0, ['Mortgage']]"
check "still eight flag events" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE event_type = 'complaint.flagged'")" = 8

# A week later: S3 (now received) is a new public-channel complaint; Mortgage no longer spikes.
expect_exit 0 "a week later" -- "$PLAINT_BIN" insights --now 2026-03-23 --window-days 7 --baseline 4 --flag --json
check "only S3 flagged" -- test "$(jv '[(c["reason"], c["ref"]) for c in d["to_flag"]]')" = "[('public_channel', '$S3')]"
check "one flag written" -- test "$(jv 'd["flagged"]')" = 1

# History: with the first complaint on 9 February, a baseline reaching further back is cut.
expect_exit 0 "baseline 8" -- "$PLAINT_BIN" insights --now 2026-03-16 --window-days 7 --baseline 8 --json
check "still four windows of history" -- test "$(jv '[d["window"]["baseline"], d["window"]["history"]]')" = "[8, 4]"
expect_exit 0 "baseline 4 ending 15 March" -- "$PLAINT_BIN" insights --now 2026-03-15 --window-days 7 --baseline 4 --json
check "three windows: [8 Feb, 15 Feb) starts before the first complaint" -- test "$(jv 'd["window"]["history"]')" = 3
expect_exit 0 "no history" -- "$PLAINT_BIN" insights --now 2026-02-12 --window-days 7 --json
check "no history, no spike" -- test "$(jv '[c["verdict"] for c in d["categories"]]')" = "['no_history']"

# Thresholds as options: a higher minimum count turns the spike off.
expect_exit 0 "min-count 7" -- "$PLAINT_BIN" insights "${ARGS[@]}" --min-count 7 --json
check "no spike at min-count 7" -- test "$(jv 'd["spikes"]')" = "[]"
expect_exit 0 "ratio 700%" -- "$PLAINT_BIN" insights "${ARGS[@]}" --ratio-pct 700 --json
check "below the ratio at 700%" -- test "$(jv '[c["verdict"] for c in d["categories"] if c["category"] == "Mortgage"]')" = "['below_ratio']"

expect_exit 2 "a bad --window-days is a usage error" -- "$PLAINT_BIN" insights --window-days 0
expect_exit 2 "a bad --baseline is a usage error" -- "$PLAINT_BIN" insights --baseline 400
expect_exit 2 "a bad --now is a usage error" -- "$PLAINT_BIN" insights --now yesterday
expect_exit 2 "an operand is a usage error" -- "$PLAINT_BIN" insights Mortgage
expect_exit 0 "help" -- "$PLAINT_BIN" insights --help
check "help names the rule" -- grep -q "median absolute deviation" "$TMP_OUT"

expect_exit 0 "replay --check (flags are ledger-only)" -- "$PLAINT_BIN" ledger replay --check

# Access: an auditor reads the report but may not flag (complaint.note); a tier-2 investigator
# may flag; an admin may not read reports.
token_of() { awk '/token \(shown once\)/{print $4}' "$TMP_OUT"; }
expect_exit 0 "admin user" -- "$PLAINT_BIN" user add admin --name Admin --role admin --issue-token
ADMIN=$(token_of)
expect_exit 0 "auditor user" -- "$PLAINT_BIN" --token "$ADMIN" user add audrey --name Audrey --role auditor --issue-token
AUD=$(token_of)
expect_exit 0 "tier-2 user" -- "$PLAINT_BIN" --token "$ADMIN" user add tia --name Tia --role tier2_investigator --issue-token
T2=$(token_of)
expect_exit 0 "auditor reads insights" -- "$PLAINT_BIN" --token "$AUD" insights "${ARGS[@]}" --json
check "the auditor sees the spike" -- test "$(jv 'd["spikes"]')" = "['Mortgage']"
expect_exit 4 "auditor may not flag" -- "$PLAINT_BIN" --token "$AUD" insights "${ARGS[@]}" --flag
expect_exit 4 "admin may not read reports" -- "$PLAINT_BIN" --token "$ADMIN" insights "${ARGS[@]}"
expect_exit 0 "tier-2 flags" -- "$PLAINT_BIN" --token "$T2" insights --now 2026-03-30 --flag --json
check "tier-2 flagged S4" -- test "$(q "SELECT actor || ' ' || actor_role FROM plaint.ledger_event WHERE case_id = '$S4' AND event_type = 'complaint.flagged'")" = "tia tier2_investigator"

expect_exit 0 "seal" -- "$PLAINT_BIN" --token "$ADMIN" ledger seal
expect_exit 0 "verify" -- "$PLAINT_BIN" --token "$ADMIN" verify --pubkey "$H/keys/ledger-signing.pem.pub"
finish
