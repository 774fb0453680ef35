#!/usr/bin/env bash
# plaint outbox send: the acknowledgement and resolution notices reach a local SMTP sink exactly
# once each, also when the sink is down for a while and comes back (failures recorded with their
# attempt, retried after the back-off), two dispatchers at once send nothing twice, a message with
# no address or refused by the server fails for good, and every delivery is on the ledger, which
# still verifies. The sink (lib/smtp_sink.py, asyncio) appends each message it accepts to a
# file; the messages are checked with Python's email parser (headers, RFC 2047 subject,
# quoted-printable).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/serve.sh"

serve_home
unset PLAINT_SMTP_URL PLAINT_SMTP_FROM
db_up --master-key

MAIL=$H/mail.jsonl
SINK_PORT=$(free_port)
: >"$MAIL"
SMTP=smtp://127.0.0.1:$SINK_PORT
FROM=complaints@bank.example
send() { "$PLAINT_BIN" outbox send --smtp "$SMTP" --from "$FROM" "$@"; }
sink_count() { wc -l <"$MAIL" | tr -d ' '; }
status() { q "SELECT status || ' ' || attempts FROM plaint.outbox WHERE message_id = '$1'"; }
sent_events() { q "SELECT count(*) FROM plaint.ledger_event WHERE event_type = 'notification.sent' AND payload::jsonb->>'message' = '$1'"; }

# --- usage and settings ------------------------------------------------------------------------
expect_exit 0 "outbox send --help" -- "$PLAINT_BIN" outbox send --help
check "help names the environment fallbacks" -- grep -q PLAINT_SMTP_URL "$TMP_OUT"
expect_exit 3 "no SMTP server given" -- "$PLAINT_BIN" outbox send --from "$FROM"
check "the error names --smtp and PLAINT_SMTP_URL" -- grep -q "PLAINT_SMTP_URL" "$TMP_ERR"
expect_exit 3 "an http URL is refused" -- "$PLAINT_BIN" outbox send --smtp http://127.0.0.1:1 --from "$FROM"
expect_exit 3 "a sender without a domain is refused" -- "$PLAINT_BIN" outbox send --smtp smtp://127.0.0.1:1 --from complaints
check "the error names from" -- grep -q "from" "$TMP_ERR"
expect_exit 2 "--once and --watch together" -- send --once --watch
expect_exit 2 "--limit not a number" -- send --limit many
expect_exit 2 "--interval without --watch" -- send --interval 5

# --- the demo-like flow: a customer with an e-mail address, an acknowledgement, a resolution ---
expect_exit 0 "subject with e-mail" -- "$PLAINT_BIN" subject add subj-1 --class complaint --name 'Alex Example' --email alex@example.com
expect_exit 0 "customer" -- "$PLAINT_BIN" customer add cust-1 --tier gold --currency USD --lifetime-value 1250.00 --subject subj-1
expect_exit 0 "subject with a refused address" -- "$PLAINT_BIN" subject add subj-2 --class complaint --name 'Rita Reject' --email reject@example.com
expect_exit 0 "customer with a refused address" -- "$PLAINT_BIN" customer add cust-2 --tier silver --currency USD --lifetime-value 10.00 --subject subj-2
expect_exit 0 "customer without a vault subject" -- "$PLAINT_BIN" customer add cust-3 --tier silver --currency USD --lifetime-value 10.00
newc() { "$PLAINT_BIN" complaint new --channel email --category 'Checking or savings account' --issue 'Faulty kettle' "$@"; }
expect_exit 0 "complaint A (cust-1)" -- newc --customer cust-1 --narrative 'The kettle stopped working.'
A=$(cat "$TMP_OUT")
items=$("$PLAINT_BIN" complaint show "$A" --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    for i in t.get("items") or []:
        if i["mandatory"] and i["done_at"] is None:
            print(t["task_id"], i["item_id"])')
while read -r t i; do "$PLAINT_BIN" task done "$t" --item "$i" >/dev/null || not_ok "item $i"; done <<<"$items"
SUMMARY='Refunded – the kettle £49.99. A line that is rather long so that quoted-printable has to break it softly at 76 characters, and more text after that.
.a line starting with a dot'
expect_exit 0 "A resolved (resolution notice queued)" -- "$PLAINT_BIN" complaint resolve "$A" --outcome upheld --summary "$SUMMARY"
# a notice with a non-ASCII subject long enough for two RFC 2047 encoded words
USUBJ='Ihre Beschwerde – Überprüfung abgeschlossen: Rückerstattung über £49.99 veranlasst, 谢谢'
expect_exit 0 "a queued notice with a non-ASCII subject" -- "$PLAINT_BIN" ledger append --case "$A" --type notification.queued \
    --payload "$(python3 -c 'import json,sys; print(json.dumps({"message": sys.argv[1] + "/M9", "kind": "test", "recipient": "cust-1", "subject": sys.argv[2], "body": "Grüße\n"}))' "$A" "$USUBJ")"
expect_exit 0 "complaint B (address refused by the server)" -- newc --customer cust-2
B=$(cat "$TMP_OUT")
expect_exit 0 "complaint C (customer without address)" -- newc --customer cust-3
C=$(cat "$TMP_OUT")
expect_exit 0 "complaint D (no customer)" -- newc
D=$(cat "$TMP_OUT")
check "five messages queued" -- test "$(q "SELECT count(*) FROM plaint.outbox WHERE status = 'queued'")" = 6

start_sink
expect_exit 0 "outbox send --once" -- send --once
cp "$TMP_OUT" "$H/run1.out"
check "totals: 3 sent, 3 failed" -- grep -q "outbox: 3 sent, 3 failed, 0 skipped" "$H/run1.out"
for m in "$A/M1" "$A/M2" "$A/M9"; do
    check "$m delivered once" -- test "$(in_sink "$m")" = 1
    check "$m sent after 1 attempt" -- test "$(status "$m")" = "sent 1"
    check "$m: one notification.sent on the ledger" -- test "$(sent_events "$m")" = 1
done
check "the ledger's sent event names the Message-ID" -- test "$(q "SELECT payload::jsonb->>'message_id' FROM plaint.ledger_event WHERE event_type = 'notification.sent' AND payload::jsonb->>'message' = '$A/M1'")" = "<plaint.$A/M1@bank.example>"
check "no e-mail address on the ledger" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE event_type LIKE 'notification.%' AND payload LIKE '%@example.com%'")" = 0
check "B refused for good (550)" -- grep -q "failed   $B/M1 (acknowledgement, attempt 1, final): SMTP rejected.*550" "$H/run1.out"
check "C: no address for good" -- grep -q "failed   $C/M1 (acknowledgement, attempt 1, final): no e-mail address: customer cust-3 names no vault subject" "$H/run1.out"
check "D: no recipient for good" -- grep -q "failed   $D/M1 (acknowledgement, attempt 1, final): no recipient" "$H/run1.out"
check "D's error is in the outbox" -- test "$(q "SELECT last_error FROM plaint.outbox WHERE message_id = '$D/M1'")" = "no recipient: the complaint names no customer"
check "D's failure on the ledger is final" -- test "$(q "SELECT payload::jsonb->>'attempt' || ' ' || (payload::jsonb->>'final') FROM plaint.ledger_event WHERE event_type = 'notification.failed' AND payload::jsonb->>'message' = '$D/M1'")" = "1 true"
check "the sink got 3 messages" -- test "$(sink_count)" = 3
# The messages as a mail client reads them.
# An acknowledgement also carries the status page's access code, derived here from the key file
# (HMAC-SHA256, docs/web.md) independently of plaint's code.
check "headers, subject and body decode to the outbox's text (+ access code)" -- python3 - "$MAIL" "$A" "$USUBJ" "$($P -c "SELECT jsonb_object_agg(message_id, body) FROM plaint.outbox WHERE ref = '$A'")" "$H/keys/access-code.key" <<'PY'
import email, email.policy, hashlib, hmac, json, sys
path, ref, usubj, bodies = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
key = bytes.fromhex(open(sys.argv[5]).read().strip())
def code(r):
    h = hmac.new(key, b"plaint-access-code/v1\0" + r.encode(), hashlib.sha256).digest()
    n = int.from_bytes(h[:8], "big") >> 4
    s = "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(n >> (55 - 5 * i)) & 31] for i in range(12))
    return s[:4] + "-" + s[4:8] + "-" + s[8:]
bodies[ref + "/M1"] += ("\nTo follow your complaint online, open our status page and enter the "
    "reference number %s with this access code:\n\n    %s\n\nKeep the code to yourself: with "
    "the reference number it shows your complaint's progress.\n" % (ref, code(ref)))
seen = {}
for line in open(path):
    e = json.loads(line)
    assert e["from"] == "<complaints@bank.example>", e["from"]
    assert e["to"] == ["<alex@example.com>"], e["to"]
    raw = e["data"]
    assert all(len(l) <= 78 for l in raw.split("\r\n")), "line too long"
    assert "\n" not in raw.replace("\r\n", ""), "bare LF"
    m = email.message_from_string(raw, policy=email.policy.default)
    mid = m["X-Plaint-Message"]
    assert m["Message-ID"] == "<plaint.%s@bank.example>" % mid, m["Message-ID"]
    assert m["From"] == "complaints@bank.example" and m["To"] == "alex@example.com"
    assert m["MIME-Version"] == "1.0" and m.get_content_type() == "text/plain"
    assert m.get_content_charset() == "utf-8"
    assert m["Content-Transfer-Encoding"] == "quoted-printable"
    assert m["Date"].datetime is not None
    # on the wire every line ends in CRLF; the outbox keeps LF
    assert m.get_content().replace("\r\n", "\n") == bodies[mid], (m.get_content(), bodies[mid])
    seen[mid] = str(m["Subject"])
assert seen[ref + "/M9"] == usubj, seen
assert "=?UTF-8?B?" in open(path).read()
assert seen[ref + "/M2"] == "Your complaint %s has been resolved" % ref, seen
PY
expect_exit 0 "outbox send again" -- send
check "the second run sends nothing" -- grep -q "outbox: 0 sent, 0 failed, 0 skipped" "$TMP_OUT"
check "still 3 messages in the sink" -- test "$(sink_count)" = 3
check "final failures are not retried" -- test "$(status "$B/M1") $(status "$D/M1")" = "queued 1 queued 1"

# --- the sink is down for a while, then comes back ----------------------------------------------
expect_exit 0 "complaint E (cust-1)" -- newc --customer cust-1
E=$(cat "$TMP_OUT")
expect_exit 0 "complaint F (cust-1)" -- newc --customer cust-1
F=$(cat "$TMP_OUT")
stop_sink
expect_exit 5 "sink down: exit 5" -- send --backoff 2
cp "$TMP_OUT" "$H/down1.out"
check "both failed, attempt 1, retry in 2s" -- test "$(grep -c "attempt 1, retry in 2s): SMTP unreachable" "$H/down1.out")" = 2
check "E: queued after 1 attempt" -- test "$(status "$E/M1")" = "queued 1"
check "F: the error is recorded" -- grep -q "unreachable" <<<"$(q "SELECT last_error FROM plaint.outbox WHERE message_id = '$F/M1'")"
expect_exit 0 "at once again: the back-off has not elapsed" -- send --backoff 2
check "nothing attempted" -- grep -q "outbox: 0 sent, 0 failed, 0 skipped" "$TMP_OUT"
check "E still 1 attempt" -- test "$(status "$E/M1")" = "queued 1"
sleep 2.3
expect_exit 5 "after 2s, still down" -- send --backoff 2
check "attempt 2, next wait 4s" -- test "$(grep -c "attempt 2, retry in 4s)" "$TMP_OUT")" = 2
start_sink
expect_exit 0 "sink back, within the back-off" -- send --backoff 2
check "nothing sent yet" -- grep -q "outbox: 0 sent, 0 failed, 0 skipped" "$TMP_OUT"
sleep 4.3
expect_exit 0 "sink back, back-off elapsed" -- send --backoff 2
check "both sent at attempt 3" -- test "$(grep -c "(acknowledgement, attempt 3)" "$TMP_OUT")" = 2
for m in "$E/M1" "$F/M1"; do
    check "$m delivered once" -- test "$(in_sink "$m")" = 1
    check "$m sent after 3 attempts" -- test "$(status "$m")" = "sent 3"
    check "$m: failures 1 and 2 then sent 3 on the ledger" -- test "$(q "SELECT string_agg(event_type || ':' || (payload::jsonb->>'attempt'), ',' ORDER BY case_seq) FROM plaint.ledger_event WHERE event_type LIKE 'notification.%' AND event_type <> 'notification.queued' AND payload::jsonb->>'message' = '$m'")" = "notification.failed:1,notification.failed:2,notification.sent:3"
done
check "5 messages in the sink" -- test "$(sink_count)" = 5

# --- max attempts: a message that failed its last attempt stays failed -------------------------
expect_exit 0 "complaint G (cust-1)" -- newc --customer cust-1
G=$(cat "$TMP_OUT")
stop_sink
expect_exit 5 "down, --max-attempts 1" -- send --max-attempts 1
check "G failed for good" -- grep -q "failed   $G/M1 (acknowledgement, attempt 1, final): SMTP unreachable" "$TMP_OUT"
start_sink
expect_exit 0 "back up" -- send --backoff 1
check "G is not sent again" -- test "$(in_sink "$G/M1") $(status "$G/M1")" = "0 queued 1"

# --- two dispatchers at once (settings from the environment): nothing twice ------------------------
for i in 1 2 3 4 5 6; do "$PLAINT_BIN" complaint new --channel web --category 'Student loan' --customer cust-1 >/dev/null || not_ok "complaint $i"; done
PLAINT_SMTP_URL=$SMTP PLAINT_SMTP_FROM=$FROM "$PLAINT_BIN" outbox send >"$H/par1.out" 2>&1 &
p1=$!
PLAINT_SMTP_URL=$SMTP PLAINT_SMTP_FROM=$FROM "$PLAINT_BIN" outbox send >"$H/par2.out" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "both dispatchers exit 0" -- test "$r1 $r2" = "0 0"
check "6 sent between them" -- test "$(cat "$H/par1.out" "$H/par2.out" | grep -c '^sent ')" = 6
check "11 messages in the sink, each Message-ID once" -- python3 -c '
import json, re, sys, collections
ids = collections.Counter(re.search(r"\r\nMessage-ID: (\S+)\r\n", json.loads(l)["data"]).group(1) for l in open(sys.argv[1]))
sys.exit(0 if len(ids) == 11 and max(ids.values()) == 1 else 1)' "$MAIL"
check "one notification.sent per message on the whole ledger" -- test "$(q "SELECT count(*) - count(DISTINCT payload::jsonb->>'message') FROM plaint.ledger_event WHERE event_type = 'notification.sent'") $(q "SELECT count(*) FROM plaint.ledger_event WHERE event_type = 'notification.sent'")" = "0 11"

# --- --watch: picks up a message queued while it runs, stops on SIGTERM ----------------------------
"$PLAINT_BIN" outbox send --smtp "$SMTP" --from "$FROM" --watch --interval 1 >"$H/watch.out" 2>&1 &
wp=$!
expect_exit 0 "complaint W (cust-1) while --watch runs" -- newc --customer cust-1
W=$(cat "$TMP_OUT")
for _ in $(seq 50); do [ "$(in_sink "$W/M1")" = 1 ] && break; sleep 0.2; done
kill -TERM "$wp"
wait "$wp"
wr=$?
check "--watch delivered W once" -- test "$(in_sink "$W/M1") $(status "$W/M1")" = "1 sent 1"
check "--watch stops on SIGTERM with exit 0" -- test "$wr" = 0

# --- access: outbox.send is the admin's -------------------------------------------------------
expect_exit 0 "admin user" -- "$PLAINT_BIN" user add ada --name Ada --role admin --issue-token
ADA=$(token_of)
expect_exit 0 "intake agent" -- "$PLAINT_BIN" --token "$ADA" user add ivy --name Ivy --role intake_agent --issue-token
IVY=$(token_of)
expect_exit 4 "an intake agent may not send" -- "$PLAINT_BIN" --token "$IVY" outbox send --smtp "$SMTP" --from "$FROM"
expect_exit 0 "the admin may" -- "$PLAINT_BIN" --token "$ADA" outbox send --smtp "$SMTP" --from "$FROM"
check "nothing left to send" -- grep -q "outbox: 0 sent, 0 failed, 0 skipped" "$TMP_OUT"
stop_sink

expect_exit 0 "replay --check" -- "$PLAINT_BIN" --token "$ADA" ledger replay --check
expect_exit 0 "seal" -- "$PLAINT_BIN" --token "$ADA" ledger seal
expect_exit 0 "verify" -- "$PLAINT_BIN" --token "$ADA" verify --pubkey "$H/keys/ledger-signing.pem.pub"
finish
