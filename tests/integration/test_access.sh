#!/usr/bin/env bash
# Access control through the CLI: bootstrap admin, tokens, denials (exit 4, nothing changed,
# recorded in the security log), revoked tokens and disabled users refused at once, and no
# writing in another's name.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_TOKEN
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
events() { $P -c "SELECT count(*) FROM plaint.ledger_event WHERE case_id <> 'security-log'"; }
denials() { $P -c "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'security-log'"; }

expect_exit 3 "the first user must be an admin with a token" -- "$PLAINT_BIN" user add ann --name Ann --role support_agent
expect_exit 0 "bootstrap admin" -- "$PLAINT_BIN" user add admin --name "Ada Admin" --role admin --issue-token
ADMIN=$(awk '/token \(shown once\)/{print $4}' "$TMP_OUT")
check "admin token printed once" -- test -n "$ADMIN"
expect_exit 4 "no token once users exist" -- "$PLAINT_BIN" user list
expect_exit 0 "admin lists users" -- "$PLAINT_BIN" --token "$ADMIN" user list
expect_exit 0 "admin adds an agent" -- "$PLAINT_BIN" --token "$ADMIN" user add ann --name Ann --role support_agent --issue-token
ANN=$(awk '/token \(shown once\)/{print $4}' "$TMP_OUT")
expect_exit 3 "an unknown role is bad input" -- "$PLAINT_BIN" --token "$ADMIN" role grant ann wizard

# A denial: exit 4, the reason, nothing changed, one security-log event.
before=$(events)
d0=$(denials)
expect_exit 4 "an agent may not manage users" -- "$PLAINT_BIN" --token "$ANN" user add eve --name Eve --role admin
check "the denial names the action" -- grep -q "user.manage" "$TMP_ERR"
check "nothing changed" -- test "$(events)" = "$before"
check "no user eve" -- test "$($P -c "SELECT count(*) FROM plaint.app_user WHERE user_id = 'eve'")" = 0
check "the denial is in the security log" -- test "$(denials)" = $((d0 + 1))
check "the log names the user and the action" -- bash -c "$P -c \"SELECT payload FROM plaint.ledger_event WHERE case_id = 'security-log' ORDER BY case_seq DESC LIMIT 1\" | grep -q user.manage"
expect_exit 4 "an agent may not seal the ledger" -- "$PLAINT_BIN" --token "$ANN" ledger seal
expect_exit 4 "an agent may not write raw ledger events" -- "$PLAINT_BIN" --token "$ANN" ledger append --case C-1 --type note --payload '{"n":1}'
expect_exit 0 "admin grants ann the auditor role" -- "$PLAINT_BIN" --token "$ADMIN" role grant ann auditor
expect_exit 0 "admin may append raw events" -- "$PLAINT_BIN" --token "$ADMIN" ledger append --case C-1 --type note --payload '{"n":1}'
check "the event is recorded as admin in the granting role" -- bash -c "$P -c \"SELECT actor || '/' || actor_role FROM plaint.ledger_event WHERE case_id = 'C-1'\" | grep -qx 'admin/admin'"
expect_exit 4 "--actor is refused once users exist" -- "$PLAINT_BIN" --token "$ADMIN" ledger append --case C-1 --type note --payload '{"n":2}' --actor ann
expect_exit 0 "an auditor reads the ledger" -- "$PLAINT_BIN" --token "$ANN" ledger show --case C-1
check "the policy in force is on the ledger" -- test "$($P -c "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'policy' AND event_type = 'policy.changed'")" = 1

# Revocation and disabling take effect at once.
id=${ANN:4:16}
expect_exit 0 "admin revokes ann's token" -- "$PLAINT_BIN" --token "$ADMIN" token revoke "$id"
expect_exit 4 "a revoked token is refused" -- "$PLAINT_BIN" --token "$ANN" ledger show --case C-1
check "the refusal says revoked" -- grep -q "revoked" "$TMP_ERR"
expect_exit 0 "a new token for ann" -- "$PLAINT_BIN" --token "$ADMIN" token issue ann --label laptop
ANN2=$(head -1 "$TMP_OUT")
expect_exit 0 "the new token works" -- env PLAINT_TOKEN="$ANN2" "$PLAINT_BIN" ledger show --case C-1
expect_exit 0 "admin disables ann" -- "$PLAINT_BIN" --token "$ADMIN" user disable ann
expect_exit 4 "a disabled user's token is refused" -- env PLAINT_TOKEN="$ANN2" "$PLAINT_BIN" ledger show --case C-1
check "the refusal says disabled" -- grep -q "disabled" "$TMP_ERR"
expect_exit 4 "a forged token is refused" -- "$PLAINT_BIN" --token "plt_${id}_$(printf '0%.0s' $(seq 64))" ledger show --case C-1
check "every change to users is on the ledger" -- test "$($P -c "SELECT string_agg(event_type, ',' ORDER BY case_seq) FROM plaint.ledger_event WHERE case_id = 'user:ann'")" = "user.created,role.granted,token.issued,role.granted,token.revoked,token.issued,user.disabled"
expect_exit 0 "the ledger verifies" -- "$PLAINT_BIN" --token "$ADMIN" verify --pubkey "$H/keys/ledger-signing.pem.pub"
finish
