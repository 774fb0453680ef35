#!/usr/bin/env bash
# plaint serve --outbox / --maildir: the background workers of the service (docs/email.md, "In the
# service"). (a) The dispatcher inside serve delivers the acknowledgement of a complaint created
# through the API, and of one created with the CLI, to a local SMTP sink exactly once (one
# Message-ID in the sink, "sent 1" in the outbox, one notification.sent), sends nothing again on
# later runs or after a restart, and a SIGTERM while the sink is still receiving a message lets
# that delivery finish and be recorded before the server exits 0. (b) A message delivered to the
# maildir becomes a complaint (complaint list/show) and moves to cur/NAME:2,S; the same message
# again (same Message-ID, also under the same file name) creates no second complaint and both
# files are kept in cur/; a message without From is moved to .failed/new with the reason on
# stderr and the service keeps running (healthz, a later message imported). Settings errors:
# exit 2, 3, 4 before the port opens.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/serve.sh"

serve_home
unset PLAINT_SMTP_URL PLAINT_SMTP_FROM
db_up --master-key

expect_exit 0 "subject with e-mail" -- "$PLAINT_BIN" subject add subj-1 --class complaint --name 'Alex Example' --email alex@example.com
expect_exit 0 "customer" -- "$PLAINT_BIN" customer add cust-1 --tier gold --currency USD --lifetime-value 100.00 --subject subj-1
expect_exit 0 "admin user" -- "$PLAINT_BIN" user add ada --name Ada --role admin --issue-token
ADMIN=$(token_of)
check_user INTAKE "intake agent" ivy Ivy intake_agent
check "tokens issued" -- test -n "$ADMIN" -a -n "$INTAKE"
export PLAINT_TOKEN=$ADMIN # for the CLI checks below; the service gets its token from a file

# ---- the SMTP sink (lib/smtp_sink.py); with FILE.slow present it announces a message in
# FILE.receiving, then waits 3 s before accepting it ----
MAIL=$H/mail.jsonl
: >"$MAIL"
SINK_PORT=$(free_port)
start_sink
SMTP=smtp://127.0.0.1:$SINK_PORT
FROM=complaints@bank.example
status() { q "SELECT status || ' ' || attempts FROM plaint.outbox WHERE message_id = '$1'"; }
sent_events() { q "SELECT count(*) FROM plaint.ledger_event WHERE event_type = 'notification.sent' AND payload::jsonb->>'message' = '$1'"; }
sink_has() { [ "$(in_sink "$1")" -ge 1 ]; }
# wait_for SECONDS command...: polls every 0.2 s (the command is run again each time)
wait_for() { local n=$(($1 * 5)) _; shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done; return 1; }

# each worker has its own token, with only the rights it needs
OTOK=$H/outbox.token
printf '%s\n' "$ADMIN" >"$OTOK"
MTOK=$H/maildir.token
printf '  %s  \n' "$INTAKE" >"$MTOK"
chmod 600 "$OTOK" "$MTOK"
M=$H/Maildir
mkdir -p "$M/new" "$M/cur" "$M/tmp"

# ---- settings errors, before the port opens ----
expect_exit 0 "serve --help" -- "$PLAINT_BIN" serve --help
check "help names --outbox-token-file" -- grep -q -- "--outbox-token-file" "$TMP_OUT"
check "help names --maildir" -- grep -q -- "--maildir DIR" "$TMP_OUT"
expect_exit 2 "--smtp without --outbox" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --smtp "$SMTP"
expect_exit 2 "--maildir-interval without --maildir" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --maildir-interval 3
expect_exit 2 "--outbox-interval 0" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --outbox --outbox-interval 0
expect_exit 3 "--outbox without an SMTP server" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --outbox --from "$FROM"
check "the error names PLAINT_SMTP_URL" -- grep -q PLAINT_SMTP_URL "$TMP_ERR"
printf '%s\n' "$ADMIN" >"$H/open.token"
chmod 644 "$H/open.token"
expect_exit 3 "a token file readable by others" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --outbox --smtp "$SMTP" --from "$FROM" --outbox-token-file "$H/open.token"
check "the error says chmod 600" -- grep -q "chmod 600" "$TMP_ERR"
mkfifo "$H/fifo.token"
expect_exit 3 "a FIFO as token file: refused at once, not waited on" -- timeout 10 "$PLAINT_BIN" serve --listen 127.0.0.1:0 --outbox --smtp "$SMTP" --from "$FROM" --outbox-token-file "$H/fifo.token"
head -c 600 /dev/zero | tr '\0' a >"$H/long.token"
chmod 600 "$H/long.token"
expect_exit 3 "a token line longer than the buffer: refused, not cut" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --outbox --smtp "$SMTP" --from "$FROM" --outbox-token-file "$H/long.token"
expect_exit 4 "an intake agent's token may not run the dispatcher" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --outbox --smtp "$SMTP" --from "$FROM" --outbox-token-file "$MTOK"
expect_exit 4 "an admin's token may not run the watcher (no complaint.create)" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --maildir "$M" --maildir-token-file "$OTOK"
expect_exit 2 "--maildir-token-file without --maildir" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --maildir-token-file "$MTOK"
expect_exit 3 "--maildir that is not a maildir" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --maildir "$H/nowhere" --maildir-token-file "$MTOK"
check "the error names the missing new/" -- grep -q "nowhere/new" "$TMP_ERR"
expect_exit 4 "no token at all (users exist)" -- env -u PLAINT_TOKEN "$PLAINT_BIN" serve --listen 127.0.0.1:0 --maildir "$M"

# start_service OUT ERR ARGS...: start_server with 2 threads, no rate limit, waiting only for the
# "listening" line; sets SPID and HPORT (B stays complaint B's reference, not the base URL)
start_service() {
    local out=$1 err=$2 b=${B-}
    shift 2
    start_server --wait none "$out" "$err" --threads 2 --rate 0 "$@"
    HPORT=$PORT
    B=$b
}
# stop_server: SIGTERM, sets SRC to the exit status
stop_server() { kill -TERM "$SPID"; wait "$SPID"; SRC=$?; SPID=; }

# ---- (a) the dispatcher inside serve ----
start_service "$H/s1.out" "$H/s1.err" --outbox --outbox-interval 1 --smtp "$SMTP" --from "$FROM" \
    --outbox-token-file "$OTOK" --maildir "$M" --maildir-interval 1 --maildir-token-file "$MTOK"
check "server 1 listening" -- test -n "$HPORT"
code=$(curl -s -o "$H/post.json" -w '%{http_code}' -X POST "http://127.0.0.1:$HPORT/api/v1/complaints" \
    -H "Authorization: Bearer $INTAKE" -H "Content-Type: application/json" -H "Idempotency-Key: w-1" \
    -d '{"channel":"web","category":"Mortgage","customer":"cust-1","issue":"Escrow"}')
check "POST /api/v1/complaints: 201" -- test "$code" = 201
A=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ref"])' "$H/post.json")
expect_exit 0 "complaint B with the CLI while serve runs" -- "$PLAINT_BIN" --token "$INTAKE" complaint new --channel phone --category Mortgage --customer cust-1
B=$(cat "$TMP_OUT")
check "A's acknowledgement arrives" -- wait_for 20 sink_has "$A/M1"
check "B's acknowledgement arrives" -- wait_for 20 sink_has "$B/M1"
sleep 3 # three more dispatcher runs
for m in "$A/M1" "$B/M1"; do
    check "$m in the sink once" -- test "$(in_sink "$m")" = 1
    check "$m sent after 1 attempt" -- test "$(status "$m")" = "sent 1"
    check "$m: one notification.sent" -- test "$(sent_events "$m")" = 1
done
check "the sink got 2 messages" -- test "$(wc -l <"$MAIL")" = 2
check "the ledger records the worker's user as the sender" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE event_type = 'notification.sent' AND actor = 'ada'")" = 2
check "the service log names the deliveries" -- grep -q "plaint serve: outbox: sent $A/M1 (acknowledgement, attempt 1)" "$H/s1.err"

# ---- (b) the maildir watcher, same server ----
# deliver NAME FILE: as a mail server does, through tmp/ into new/
deliver() { cp "$2" "$M/tmp/$1" && mv "$M/tmp/$1" "$M/new/$1"; }
new_is_empty() { [ -z "$(ls -A "$M/new")" ]; }
cat >"$H/m1.eml" <<'EML'
From: Alice Example <alice@example.com>
To: complaints@bank.example
Subject: Card charged twice for one purchase
Date: Thu, 15 Jan 2026 09:30:12 +0100
Message-ID: <serve-workers-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

My card was charged twice on 3 January.
EML
cat >"$H/bad.eml" <<'EML'
To: complaints@bank.example
Subject: Nobody
Message-ID: <serve-workers-bad@example.com>

No sender.
EML
sed -e 's/serve-workers-1@/serve-workers-2@/' -e 's/Card charged twice for one purchase/Branch closed without notice/' "$H/m1.eml" >"$H/m2.eml"
by_mid() { q "SELECT count(*) FROM plaint.complaint WHERE source_system = 'email' AND source_id = '$1'"; }
imported() { [ "$(by_mid "$1")" = 1 ]; }

deliver 1768465812.M1P1.mx "$H/m1.eml"
check "m1 leaves new/" -- wait_for 20 new_is_empty
check "m1 is in cur/ as NAME:2,S" -- test -f "$M/cur/1768465812.M1P1.mx:2,S"
check "m1 became one complaint" -- test "$(by_mid serve-workers-1@example.com)" = 1
R1=$(q "SELECT ref FROM plaint.complaint WHERE source_id = 'serve-workers-1@example.com'")
check "imported as the watcher's user" -- test "$(q "SELECT actor FROM plaint.ledger_event WHERE case_id = '$R1' AND event_type = 'complaint.received'")" = ivy
expect_exit 0 "complaint list --channel email" -- "$PLAINT_BIN" --token "$INTAKE" complaint list --channel email --json
check "complaint list --channel email: just that one" -- python3 -c '
import json, sys
sys.exit(0 if [c["ref"] for c in json.load(open(sys.argv[1]))] == [sys.argv[2]] else 1)' "$TMP_OUT" "$R1"
expect_exit 0 "complaint show" -- "$PLAINT_BIN" --token "$INTAKE" complaint show "$R1" --json
check "channel email, category Unclassified, the subject as issue, the body as narrative" -- python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
c = c.get("complaint", c)
sys.exit(0 if c["channel"] == "email" and c["category"] == "Unclassified" and c["issue"] == "Card charged twice for one purchase" and "charged twice on 3 January" in (c.get("narrative") or "") else 1)' "$TMP_OUT"
check "the log names the new complaint" -- grep -q "plaint serve: maildir: 1768465812.M1P1.mx: $R1 (new complaint)" "$H/s1.err"

# the same message again, as after a crash between the import and the move: another file name
deliver 1768465900.M2P1.mx "$H/m1.eml"
check "the copy leaves new/" -- wait_for 20 new_is_empty
check "the copy is in cur/" -- test -f "$M/cur/1768465900.M2P1.mx:2,S"
check "still one complaint for that Message-ID" -- test "$(by_mid serve-workers-1@example.com)" = 1
check "the log says it was imported already" -- grep -q "1768465900.M2P1.mx: message <serve-workers-1@example.com> was imported already as $R1" "$H/s1.err"
# and under the same file name as the first: kept beside it, not over it
deliver 1768465812.M1P1.mx "$H/m1.eml"
check "the same name leaves new/" -- wait_for 20 new_is_empty
check "both files with that name are in cur/" -- test -f "$M/cur/1768465812.M1P1.mx:2,S" -a -f "$M/cur/1768465812.M1P1.mx.1:2,S"
check "still one complaint" -- test "$(by_mid serve-workers-1@example.com)" = 1

# a malformed message is set aside with the reason; the service goes on
deliver 1768466000.M3P1.mx "$H/bad.eml"
check "the bad message leaves new/" -- wait_for 20 new_is_empty
check "it is in .failed/new, unchanged" -- cmp -s "$H/bad.eml" "$M/.failed/new/1768466000.M3P1.mx"
check "the reason is on stderr" -- grep -q "1768466000.M3P1.mx: not imported, moved to .*\.failed/new/1768466000.M3P1.mx: .*From" "$H/s1.err"
check "no complaint from it" -- test "$(by_mid serve-workers-bad@example.com)" = 0
check "healthz still 200" -- test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/healthz")" = 200
deliver 1768466100.M4P1.mx "$H/m2.eml"
check "a later message is imported" -- wait_for 20 imported serve-workers-2@example.com
check "and moved to cur/" -- wait_for 10 test -f "$M/cur/1768466100.M4P1.mx:2,S"
touch "$M/new/.partial"
sleep 1.5
check ".partial untouched" -- test -f "$M/new/.partial"
rm -f "$M/new/.partial"
C_BEFORE=$(q "SELECT count(*) FROM plaint.complaint")

stop_server
check "SIGTERM: server 1 exits 0" -- test "$SRC" = 0
check "it said it was stopping" -- grep -q "plaint serve: SIGTERM: stopping" "$H/s1.err"
check "no worker stopped on an error" -- test "$(grep -c 'stopped:' "$H/s1.err")" = 0

# ---- SIGTERM while a message is on the wire: finished and recorded, then exit 0 ----
touch "$MAIL.slow"
rm -f "$MAIL.receiving"
start_service "$H/s2.out" "$H/s2.err" --outbox --outbox-interval 1 --smtp "$SMTP" --from "$FROM" --outbox-token-file "$OTOK"
check "server 2 listening" -- test -n "$HPORT"
expect_exit 0 "complaint D" -- "$PLAINT_BIN" --token "$INTAKE" complaint new --channel phone --category Mortgage --customer cust-1
D=$(cat "$TMP_OUT")
check "the sink is receiving D's acknowledgement" -- wait_for 20 test -f "$MAIL.receiving"
stop_server
check "SIGTERM mid-delivery: server 2 exits 0" -- test "$SRC" = 0
check "D delivered once" -- test "$(in_sink "$D/M1")" = 1
check "D recorded as sent before the exit" -- test "$(status "$D/M1") $(sent_events "$D/M1")" = "sent 1 1"
rm -f "$MAIL.slow"

# ---- a restart sends nothing again and imports nothing again ----
start_service "$H/s3.out" "$H/s3.err" --outbox --outbox-interval 1 --smtp "$SMTP" --from "$FROM" \
    --outbox-token-file "$OTOK" --maildir "$M" --maildir-interval 1 --maildir-token-file "$MTOK"
check "server 3 listening" -- test -n "$HPORT"
sleep 3
stop_server
check "server 3 exits 0" -- test "$SRC" = 0
check "still 3 messages in the sink, each once" -- test "$(wc -l <"$MAIL") $(in_sink "$A/M1") $(in_sink "$B/M1") $(in_sink "$D/M1")" = "3 1 1 1"
check "no new complaint" -- test "$(q "SELECT count(*) FROM plaint.complaint")" = "$((C_BEFORE + 1))"
check "one notification.sent per message on the ledger" -- test "$(q "SELECT count(*) - count(DISTINCT payload::jsonb->>'message') FROM plaint.ledger_event WHERE event_type = 'notification.sent'")" = 0

# ---- a token revoked while serving: the worker stops, the service goes on ----
expect_exit 0 "a second intake token" -- "$PLAINT_BIN" token issue ivy
T2=$(token_of)
printf '%s\n' "$T2" >"$H/t2.token"
chmod 600 "$H/t2.token"
start_service "$H/s4.out" "$H/s4.err" --maildir "$M" --maildir-interval 1 --maildir-token-file "$H/t2.token"
check "server 4 listening" -- test -n "$HPORT"
T2ID=${T2#plt_}
T2ID=${T2ID%%_*}
expect_exit 0 "revoke it" -- "$PLAINT_BIN" token revoke "$T2ID"
sed 's/serve-workers-1@/serve-workers-3@/' "$H/m1.eml" >"$H/m3.eml"
deliver 1768466200.M5P1.mx "$H/m3.eml"
check "the watcher stops on the revoked token" -- wait_for 20 grep -q "plaint serve: maildir: stopped: .*revoked" "$H/s4.err"
check "the message stays in new/" -- test -f "$M/new/1768466200.M5P1.mx"
check "no complaint from it" -- test "$(by_mid serve-workers-3@example.com)" = 0
check "healthz still 200" -- test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/healthz")" = 200
stop_server
check "server 4 exits 0" -- test "$SRC" = 0

# ---- what is not a message file of its own is left alone; a message that cannot leave new/ ----
M2=$H/maildir2
mkdir -p "$M2/new" "$M2/cur" "$M2/tmp" "$M2/.failed/new"
sed 's/serve-workers-1@/serve-workers-outside@/' "$H/m1.eml" >"$H/outside.eml"
cp "$H/outside.eml" "$H/outside.copy"
ln -s "$H/outside.eml" "$M2/new/1768466300.M6P1.mx"
sed 's/serve-workers-1@/serve-workers-hard@/' "$H/m1.eml" >"$H/hard.eml"
ln "$H/hard.eml" "$M2/new/1768466310.M7P1.mx"
expect_exit 0 "a third intake token" -- "$PLAINT_BIN" token issue ivy
printf '%s\n' "$(token_of)" >"$H/t3.token"
chmod 600 "$H/t3.token"
start_service "$H/s5.out" "$H/s5.err" --maildir "$M2" --maildir-interval 1 --maildir-token-file "$H/t3.token"
check "server 5 listening" -- test -n "$HPORT"
sleep 2.5 # a few scans over the link and the second name
rmdir "$M2/cur" && touch "$M2/cur" # cur/ becomes a file: no message can be moved there
sed 's/serve-workers-1@/serve-workers-4@/' "$H/m1.eml" >"$H/m4.eml"
cp "$H/m4.eml" "$M2/tmp/1768466320.M8P1.mx" && mv "$M2/tmp/1768466320.M8P1.mx" "$M2/new/"
check "a message that cannot be moved to cur/ stops the watcher" -- wait_for 20 grep -q "plaint serve: maildir: stopped: 1768466320.M8P1.mx was imported but cannot leave new/" "$H/s5.err"
sleep 2.5
check "... after one import only (not one per scan)" -- test "$(by_mid serve-workers-4@example.com)" = 1
check "... and it stays in new/" -- test -f "$M2/new/1768466320.M8P1.mx"
check "a symbolic link in new/ to a file elsewhere is not imported" -- test "$(by_mid serve-workers-outside@example.com)" = 0
check "... and the file it points to is untouched, the link left in new/" -- bash -c "cmp -s '$H/outside.eml' '$H/outside.copy' && test -L '$M2/new/1768466300.M6P1.mx'"
check "a second name (hard link) of another file is not imported" -- test "$(by_mid serve-workers-hard@example.com)" = 0
check "healthz still 200" -- test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/healthz")" = 200
stop_server
check "server 5 exits 0" -- test "$SRC" = 0

expect_exit 0 "replay --check" -- "$PLAINT_BIN" ledger replay --check
expect_exit 0 "seal" -- "$PLAINT_BIN" ledger seal
expect_exit 0 "verify" -- "$PLAINT_BIN" verify --pubkey "$H/keys/ledger-signing.pem.pub"
finish
