#!/usr/bin/env bash
# The web pages of plaint serve (docs/web.md). Browser part (tests/browser/web.mjs, headless
# Debian Chromium driven by playwright-core, JavaScript off): a complaint submitted through the
# web form is found by reference number and access code on the status page; a wrong code and an
# unknown reference show nothing and read alike; the compliance dashboard after signing in.
# Screenshots are saved under $PLAINT_BUILD_DIR/test-artifacts/web/. Then, with curl and psql:
# the complaint on the ledger (channel web, the intake user, personal data in the vault only),
# the access code equal to one derived independently from the key file, bad form input (400
# naming the field, nothing written), the form switched off without web.intake_user, the
# dashboard's refusals (no cookie, wrong role), report downloads (a real signed PDF, checked with
# qpdf and pdfsig; no path tricks), security headers, the per-address limit (429), and the ledger
# still verifying.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/serve.sh"

serve_home
unset PLAINT_WEB_INTAKE_USER
SERVE_STOP_SIGNAL=TERM

SHOTS=${PLAINT_BUILD_DIR:-$PWD}/test-artifacts/web
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
NODE_DIR=$PLAINT_SOURCE_DIR/tests/browser
if [ ! -d "$NODE_DIR/node_modules/playwright-core" ] || ! command -v node >/dev/null ||
    [ ! -x "${PLAINT_CHROMIUM:-/usr/bin/chromium}" ]; then
    not_ok "the browser test needs node, tests/browser/node_modules (scripts/setup.sh runs npm ci) and chromium"
    finish
    exit 1
fi

bootstrap_admin --master-key
add_user webform intake_agent >/dev/null
CORA=$(add_user cora compliance_officer)
IVY=$(add_user ivy intake_agent)

# a real signed report for the dashboard to offer, and a recorded verification
mkdir -p "$H/reports"
expect_exit 0 "keys cert" -- "$PLAINT_BIN" --token "$ADMIN" keys cert
WEEK=$(date -u +%G-W%V)
expect_exit 0 "report weekly into the reports directory" -- "$PLAINT_BIN" --token "$CORA" report weekly --week "$WEEK" --out "$H/reports/weekly-$WEEK.pdf"
expect_exit 0 "verify (recorded for the dashboard)" -- "$PLAINT_BIN" --token "$CORA" verify
check "the verification is recorded" -- test "$(q "SELECT actor || ' ' || ok::text FROM plaint.verify_run")" = "cora true"

# --- the form is off without web.intake_user ----------------------------------------------------
start_server "$H/off.out" "$H/off.err" --threads 2
check "without web.intake_user the form page says it is off (503)" -- test "$(curl -s -o "$H/off.html" -w '%{http_code}' "$B/complaint")" = 503
check "... and a POST creates nothing" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/complaint" --data-urlencode name=A --data-urlencode email=a@example.com --data-urlencode category=Mortgage --data-urlencode narrative=x)" = 503
check "no complaint" -- test "$(q "SELECT count(*) FROM plaint.complaint")" = 0
kill -TERM "$SPID"; wait "$SPID" 2>/dev/null

# --- the browser ----------------------------------------------------------------------------------
# a generous per-address allowance for the checks; the limit itself is checked at the end
start_server "$H/serve.out" "$H/serve.err" PLAINT_WEB_INTAKE_USER=webform PLAINT_WEB_ATTEMPTS_BURST=150 -- --threads 2
node "$NODE_DIR/web.mjs" "$B" "$SHOTS" "$CORA" >"$H/browser.out" 2>"$H/browser.err"
BROWSER_RC=$?
while IFS= read -r line; do
    case "$line" in
    "ok - "*) ok "browser: ${line#ok - }" ;;
    "not ok - "*) not_ok "browser: ${line#not ok - }" ;;
    esac
done <"$H/browser.out"
check "the browser test ran to the end (exit 0)" -- test "$BROWSER_RC" = 0 -a -s "$H/browser.out"
[ "$BROWSER_RC" = 0 ] || sed 's/^/# /' "$H/browser.err" | head -20
for s in 01-complaint-form 02-complaint-received 03-status-found 04-status-wrong-code 05-status-unknown-reference 06-dashboard; do
    check "screenshot $s.png saved (a PNG)" -- bash -c "head -c 8 '$SHOTS/$s.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
done
REF=$(tail -1 "$H/browser.out" | jq -r .ref)
CODE=$(tail -1 "$H/browser.out" | jq -r .code)

# --- what the form wrote --------------------------------------------------------------------------
check "the complaint exists, channel web, category Mortgage" -- test "$(q "SELECT channel || '|' || category FROM plaint.complaint WHERE ref = '$REF'")" = "web|Mortgage"
check "created by the intake user webform" -- test "$(q "SELECT DISTINCT actor FROM plaint.ledger_event WHERE case_id = '$REF' AND event_type = 'complaint.received'")" = "webform"
check "the narrative is in the vault, not in the complaint" -- test "$(q "SELECT (narrative IS NULL)::text || ' ' || (narrative_ref LIKE 'vault:%')::text FROM plaint.complaint WHERE ref = '$REF'")" = "true true"
check "the customer names a vault subject" -- test "$(q "SELECT count(*) FROM plaint.customer c JOIN plaint.complaint p USING (customer_id) WHERE p.ref = '$REF' AND c.subject_id IS NOT NULL")" = 1
check "no name, email or narrative in clear in any table" -- bash -c "pg_dump -h '$H/pg/run' -U plaint_admin -d plaint --data-only 2>/dev/null | grep -c -e 'zoe@example.com' -e 'ukasiewicz' -e 'taken twice' | grep -qx 0"
check "the acknowledgement is queued for the customer" -- test "$(q "SELECT kind FROM plaint.outbox WHERE ref = '$REF'")" = "acknowledgement"
check "the access code shown is the HMAC of the reference under the key file" -- python3 - "$H/keys/access-code.key" "$REF" "$CODE" <<'PY'
import hashlib, hmac, sys
key = bytes.fromhex(open(sys.argv[1]).read().strip())
h = hmac.new(key, b"plaint-access-code/v1\0" + sys.argv[2].encode(), hashlib.sha256).digest()
n = int.from_bytes(h[:8], "big") >> 4
s = "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(n >> (55 - 5 * i)) & 31] for i in range(12))
sys.exit(0 if s[:4] + "-" + s[4:8] + "-" + s[8:] == sys.argv[3] else 1)
PY
check "the key file is private (0600)" -- test "$(stat -c %a "$H/keys/access-code.key")" = 600

# --- bad form input: 400 naming the field, nothing written ---------------------------------------
N0=$(q "SELECT count(*) FROM plaint.ledger_event")
form() { # expected-field curl-args...
    local want=$1 st
    shift
    st=$(curl -s -o "$H/form.html" -w '%{http_code}' "$B/complaint" "$@")
    [ "$st" = 400 ] && grep -q "data-field=\"$want\"" "$H/form.html"
}
check "no name: 400 naming name" -- form name --data-urlencode name=' ' --data-urlencode email=a@example.com --data-urlencode category=Mortgage --data-urlencode narrative=x
check "bad email: 400 naming email" -- form email --data-urlencode name=A --data-urlencode 'email=not an address' --data-urlencode category=Mortgage --data-urlencode narrative=x
check "unknown category: 400 naming category" -- form category --data-urlencode name=A --data-urlencode email=a@example.com --data-urlencode 'category=Anything' --data-urlencode narrative=x
check "no narrative: 400 naming narrative" -- form narrative --data-urlencode name=A --data-urlencode email=a@example.com --data-urlencode category=Mortgage
check "a field given twice: 400 naming it" -- form name --data-urlencode name=A --data-urlencode name=B --data-urlencode email=a@example.com --data-urlencode category=Mortgage --data-urlencode narrative=x
check "invalid UTF-8: 400 naming the field" -- form name --data 'name=%FF%FE&email=a@example.com&category=Mortgage&narrative=x'
check "the values typed are kept in the form, escaped" -- bash -c "curl -s '$B/complaint' --data-urlencode 'name=<b>Al</b>' --data-urlencode email=bad --data-urlencode category=Mortgage --data-urlencode narrative=x | grep -q 'value=\"&lt;b&gt;Al&lt;/b&gt;\"'"
check "a NUL in a value: 400, not cut off" -- form name --data 'name=A%00B&email=a@example.com&category=Mortgage&narrative=x'
check "a narrative of 20,001 bytes: 400 naming narrative" -- form narrative --data-urlencode name=A --data-urlencode email=a@example.com --data-urlencode category=Mortgage --data-urlencode "narrative=$(head -c 20001 /dev/zero | tr '\0' a)"
check "nothing was written by the refused forms" -- test "$(q "SELECT count(*) FROM plaint.ledger_event")" = "$N0"
check "a narrative of 20,000 bytes is taken (201)" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/complaint" --data-urlencode name=Long --data-urlencode email=long@example.com --data-urlencode category=Other --data-urlencode "narrative=$(head -c 20000 /dev/zero | tr '\0' a)")" = 201
check "a JSON body is not a form: 400" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/complaint" -H 'Content-Type: application/json' --data '{"name":"A"}')" = 400

# --- the status page over plain HTTP ---------------------------------------------------------------
st() { curl -s -o "$H/st.html" -w '%{http_code}' "$B/status" --data-urlencode "ref=$1" --data-urlencode "code=$2"; }
check "the right code: 200 with the reference" -- bash -c "[ \"\$(curl -s -o '$H/st.html' -w '%{http_code}' '$B/status' --data-urlencode 'ref=$REF' --data-urlencode 'code=$CODE')\" = 200 ] && grep -q '$REF' '$H/st.html'"
check "another complaint's code: 404" -- test "$(st "$REF" "$(python3 -c 'import sys; c=sys.argv[1]; print(("B" if c[-1]=="A" else "A").join([c[:-1], ""]))' "$CODE")")" = 404
check "a malformed reference: 404 like the others" -- test "$(st "'; DROP TABLE x; --" "$CODE")" = 404
check "no code: 404" -- test "$(st "$REF" "")" = 404
check "the status page is not reachable by GET with parameters" -- bash -c "! curl -s '$B/status?ref=$REF&code=$CODE' | grep -q 'c-status'"

# --- headers ----------------------------------------------------------------------------------------
curl -s -D "$H/h.txt" -o /dev/null "$B/status"
check "pages carry a Content-Security-Policy without scripts" -- grep -qi "^Content-Security-Policy: default-src 'none'" "$H/h.txt"
check "pages are not framed or cached" -- bash -c "grep -qi '^X-Frame-Options: DENY' '$H/h.txt' && grep -qi '^Cache-Control: no-store' '$H/h.txt'"
check "the stylesheet is served" -- test "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$B/static/plaint.css")" = "200 text/css; charset=utf-8"
check "an unknown page: 404" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/nowhere")" = 404
check "a wrong method: 405 with Allow" -- bash -c "curl -s -D - -o /dev/null -X DELETE '$B/status' | grep -qi '^Allow: GET, POST'"

# --- the dashboard over plain HTTP --------------------------------------------------------------
check "no cookie: 303 to /login" -- test "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$B/dashboard")" = "303 $B/login"
check "a made-up session: 401, nothing shown" -- bash -c "[ \"\$(curl -s -o '$H/d.html' -w '%{http_code}' -b 'plaint_session=$(printf '%064d' 0)' '$B/dashboard')\" = 401 ] && ! grep -q 'open-total' '$H/d.html'"
check "an intake agent may not sign in (401)" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/login" --data-urlencode "token=$IVY")" = 401
check "the refusal is on the security log" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'security-log' AND payload::jsonb->>'action' = 'report.read'")" -ge 1
check "a token is not a session: a compliance officer's token as cookie gets 401" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$CORA" "$B/dashboard")" = 401
# login COOKIEVAR TOKEN: signs in, sets the session id
login() { curl -s -D "$H/login.h" -o /dev/null "$B/login" --data-urlencode "token=$2"; printf -v "$1" '%s' "$(sed -n 's/^Set-Cookie: plaint_session=\([0-9a-f]*\);.*/\1/p' "$H/login.h" | tr -d '\r')"; }
login SID "$CORA"
check "signing in sets a session cookie: 256 random bits, HttpOnly, SameSite=Strict, not the token" -- bash -c "grep -qiE '^Set-Cookie: plaint_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800' '$H/login.h' && ! grep -q '$CORA' '$H/login.h'"
check "only the session id's SHA-256 is stored" -- test "$(q "SELECT count(*) FROM plaint.web_session WHERE session_hash = encode(sha256(decode('$SID', 'hex')), 'hex') AND user_id = 'cora'")" = 1
check "the dashboard lists the weekly report" -- bash -c "curl -s -b 'plaint_session=$SID' '$B/dashboard' | grep -q 'href=\"/dashboard/reports/weekly-$WEEK.pdf\"'"
curl -s -D "$H/dl.h" -b "plaint_session=$SID" -o "$H/dl.pdf" "$B/dashboard/reports/weekly-$WEEK.pdf"
check "a report is sent as an attachment, sandboxed" -- bash -c "grep -qi '^Content-Disposition: attachment' '$H/dl.h' && grep -qi \"^Content-Security-Policy: default-src 'none'; sandbox\" '$H/dl.h'"
check "the downloaded report is the file, byte for byte" -- cmp -s "$H/dl.pdf" "$H/reports/weekly-$WEEK.pdf"
check "qpdf --check accepts it" -- qpdf --check "$H/dl.pdf"
check "pdfsig finds its signature valid" -- bash -c "pdfsig '$H/dl.pdf' 2>&1 | grep -q 'Signature is Valid'"
check "no report download without a session (303)" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/dashboard/reports/weekly-$WEEK.pdf")" = 303
ln -s "$H/keys/ledger-signing.pem" "$H/reports/key.pdf"
check "a symlink in the reports directory is not served" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$SID" "$B/dashboard/reports/key.pdf")" = 404
ln "$H/keys/ledger-signing.pem" "$H/reports/hard.pdf" 2>/dev/null || cp "$H/keys/ledger-signing.pem" /dev/null
check "a hard link in the reports directory is not served" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$SID" "$B/dashboard/reports/hard.pdf")" = 404
mkfifo "$H/reports/fifo.pdf"
check "a FIFO in the reports directory is not served and holds nothing up" -- test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -b "plaint_session=$SID" "$B/dashboard/reports/fifo.pdf") $(curl -s -m 5 -o /dev/null -w '%{http_code}' "$B/healthz")" = "404 200"
rm -f "$H/reports/key.pdf" "$H/reports/hard.pdf" "$H/reports/fifo.pdf"
check "a name with .. is not served" -- test "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' -b "plaint_session=$SID" "$B/dashboard/reports/../keys/x.pdf")" = 404
check "other extensions are not served" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$SID" "$B/dashboard/reports/access-code.key")" = 404

# sessions end by signing out, by disabling the user and by revoking the token
expect_exit 0 "a second compliance officer" -- bash -c "'$PLAINT_BIN' --token '$ADMIN' user add cole --name Cole --role compliance_officer --issue-token > '$H/cole.txt'"
login SID2 "$(awk '/token \(shown once\)/{print $4}' "$H/cole.txt")"
check "cole's session works" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$SID2" "$B/dashboard")" = 200
expect_exit 0 "disable cole" -- "$PLAINT_BIN" --token "$ADMIN" user disable cole
check "a disabled user's session is refused at once (401)" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$SID2" "$B/dashboard")" = 401
expect_exit 0 "a third compliance officer" -- bash -c "'$PLAINT_BIN' --token '$ADMIN' user add cleo --name Cleo --role compliance_officer --issue-token > '$H/cleo.txt'"
CLEO=$(awk '/token \(shown once\)/{print $4}' "$H/cleo.txt")
login SID4 "$CLEO"
check "cleo's session works" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$SID4" "$B/dashboard")" = 200
expect_exit 0 "revoke cleo's token" -- "$PLAINT_BIN" --token "$ADMIN" token revoke "$(cut -d_ -f2 <<<"$CLEO")"
check "a session made with a revoked token is refused at once (401)" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$SID4" "$B/dashboard")" = 401
login SID3 "$CORA"
check "signing out: 303 to /login, the cookie cleared" -- bash -c "curl -s -D - -o /dev/null -X POST -b 'plaint_session=$SID3' '$B/logout' | grep -qi '^Set-Cookie: plaint_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0'"
check "the signed-out session is gone for good (a kept cookie gets 401)" -- test "$(curl -s -o /dev/null -w '%{http_code}' -b "plaint_session=$SID3" "$B/dashboard")" = 401
check "... its row is deleted" -- test "$(q "SELECT count(*) FROM plaint.web_session WHERE session_hash = encode(sha256(decode('$SID3', 'hex')), 'hex')")" = 0

# posts from another site's page are refused
check "a cross-site sign-in (Origin of another site): 403, no cookie" -- bash -c "curl -s -D - -o /dev/null '$B/login' -H 'Origin: https://evil.example' --data-urlencode 'token=$CORA' | grep -q '^HTTP/1.1 403' && ! curl -s -D - -o /dev/null '$B/login' -H 'Origin: https://evil.example' --data-urlencode 'token=$CORA' | grep -qi '^Set-Cookie'"
check "a cross-site complaint (Sec-Fetch-Site: cross-site): 403" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/complaint" -H 'Sec-Fetch-Site: cross-site' --data-urlencode name=A --data-urlencode email=a@example.com --data-urlencode category=Mortgage --data-urlencode narrative=x)" = 403
check "a same-origin post is taken" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/status" -H "Origin: $B" --data-urlencode "ref=$REF" --data-urlencode "code=$CODE")" = 200
check "a reference in lower case with blanks is found" -- test "$(curl -s -o /dev/null -w '%{http_code}' "$B/status" --data-urlencode "ref=  ${REF,,} " --data-urlencode "code=$CODE")" = 200

# the key file must be private
chmod 644 "$H/keys/access-code.key"
check "a key file readable by others is refused (503), not used" -- test "$(st "$REF" "$CODE")" = 503
check "... and the server says why" -- grep -q "access-code.key must be a regular file readable by its owner only" "$H/serve.err"
chmod 600 "$H/keys/access-code.key"

# --- the dashboard's figures against the database -------------------------------------------------
# an old complaint (past its deadlines, and with HTML in its category) besides the form's one
expect_exit 0 "an old complaint with HTML in its category" -- "$PLAINT_BIN" --token "$IVY" complaint new --channel phone --category '<i>Debt</i> & "collection"' --received 2026-01-05
curl -s -b "plaint_session=$SID" "$B/dashboard" >"$H/dash.html"
fig() { sed -n "s|.*id=\"$1\">\([0-9]*\)<.*|\1|p" "$H/dash.html"; }
OPEN="'new','under_investigation','escalated','resolution_proposed','reopened'"
check "open complaints = the database's count ($(fig open-total))" -- test "$(fig open-total)" = "$(q "SELECT count(*) FROM plaint.complaint WHERE status IN ($OPEN)")"
check "SLA breaches = open complaints past a deadline in the database ($(fig breaches))" -- test "$(fig breaches)" = "$(q "SELECT count(*) FROM plaint.complaint WHERE status IN ($OPEN) AND (final_due < now() OR (first_response_due < now() AND first_response_at IS NULL))")"
check "... and there is one" -- test "$(fig breaches)" -ge 1
check "escalated = the database's count ($(fig escalated))" -- test "$(fig escalated)" = "$(q "SELECT count(*) FROM plaint.complaint WHERE status = 'escalated'")"
check "the breach list names the old complaint" -- grep -q "$(q "SELECT ref FROM plaint.complaint WHERE received_at < '2026-02-01'")" "$H/dash.html"
OLDREF=$(q "SELECT ref FROM plaint.complaint WHERE received_at < '2026-02-01'")
OLDCODE=$(python3 -c '
import hashlib, hmac, sys
key = bytes.fromhex(open(sys.argv[1]).read().strip())
h = hmac.new(key, b"plaint-access-code/v1\0" + sys.argv[2].encode(), hashlib.sha256).digest()
n = int.from_bytes(h[:8], "big") >> 4
s = "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(n >> (55 - 5 * i)) & 31] for i in range(12))
print(s[:4] + "-" + s[4:8] + "-" + s[8:])' "$H/keys/access-code.key" "$OLDREF")
check "the old complaint's status page (code derived independently): 200" -- test "$(st "$OLDREF" "$OLDCODE")" = 200
check "stored text is escaped on the status page (its category)" -- bash -c "grep -qF '&lt;i&gt;Debt&lt;/i&gt; &amp; &quot;collection&quot;' '$H/st.html' && ! grep -q '<i>Debt' '$H/st.html'"
check "an open complaint shows its final-response date, also when past" -- grep -q 'Our final response by' "$H/st.html"

# --- the per-address limit (last: it spends this address's allowance) -------------------------
for i in $(seq 1 160); do st "$REF" "AAAA-AAAA-AAAA" >>"$H/codes.txt"; echo >>"$H/codes.txt"; done
check "160 quick wrong lookups from one address meet 429 (burst 150, 30 a minute)" -- grep -q 429 "$H/codes.txt"
check "... and the right code is refused too while limited (429)" -- test "$(st "$REF" "$CODE")" = 429

expect_exit 0 "serve stops on SIGTERM" -- bash -c "kill -TERM $SPID; wait $SPID 2>/dev/null; true"
check "the server logged the key's creation once" -- test "$(grep -c '^plaint: made the access-code key' "$H/serve.err")" = 1
check "no other errors logged by the server" -- bash -c "! grep -v -e '^plaint serve: SIGTERM: stopping$' -e '^plaint: made the access-code key' -e 'access-code.key must be a regular file readable by its owner only' '$H/serve.err' | grep -q ."
expect_exit 0 "the ledger verifies" -- "$PLAINT_BIN" --token "$CORA" verify
finish
