#!/usr/bin/env bash
# plaint serve --tls-cert FILE --tls-key FILE (docs/deploy.md "TLS"): with a self-signed
# certificate made by openssl req, curl --cacert gets /healthz over https (TLS 1.2 or 1.3, the
# certificate the server presents is ours: same SHA-256 fingerprint), plain http to the same port
# gets no HTTP answer, a client that does not trust the certificate fails; the API answers over
# TLS too. Bad files are clear errors naming the file: missing (3), a directory (5), not PEM,
# a key that is not the certificate's, an encrypted key (3).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/serve.sh"

serve_home
bootstrap_admin
check_user AUD "auditor" aud Aud auditor

T=$H/tls
mkdir -p "$T"
expect_exit 0 "self-signed certificate for 127.0.0.1 (openssl req)" -- \
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj "/CN=plaint test" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"
expect_exit 0 "another key (not the certificate's)" -- openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/other.pem"
expect_exit 0 "an encrypted key" -- openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc -pass pass:secret -out "$T/enc.pem"
echo "not a certificate" >"$T/junk.pem"
WANT_FP=$(openssl x509 -in "$T/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')

# ---- bad files: clear errors naming the file, the server never starts ----
serve_fails() { # serve_fails CODE DESC CERT KEY PATTERN
    expect_exit "$1" "$2" -- timeout 20 "$PLAINT_BIN" serve --listen 127.0.0.1:0 --tls-cert "$3" --tls-key "$4"
    check "  the error names $5 ($(head -c 200 "$TMP_ERR"))" -- grep -qF -- "$5" "$TMP_ERR"
}
serve_fails 3 "missing certificate file" "$T/nope.pem" "$T/key.pem" "$T/nope.pem" </dev/null
serve_fails 3 "missing key file" "$T/cert.pem" "$T/nope-key.pem" "$T/nope-key.pem" </dev/null
serve_fails 5 "certificate path is a directory (unreadable)" "$T" "$T/key.pem" "$T" </dev/null
serve_fails 3 "certificate file is not PEM" "$T/junk.pem" "$T/key.pem" "$T/junk.pem" </dev/null
serve_fails 3 "the key given as the certificate" "$T/key.pem" "$T/key.pem" "not a PEM certificate" </dev/null
serve_fails 3 "key file is not a key" "$T/cert.pem" "$T/junk.pem" "$T/junk.pem" </dev/null
serve_fails 3 "key of another certificate" "$T/cert.pem" "$T/other.pem" "is not the private key of the certificate" </dev/null
serve_fails 3 "encrypted key (refused, not prompted for)" "$T/cert.pem" "$T/enc.pem" "$T/enc.pem" </dev/null
expect_exit 2 "--tls-key without --tls-cert" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --tls-key "$T/key.pem"

# ---- a TLS server ----
start_server --wait healthz --cacert "$T/cert.pem" "$H/serve.out" "$H/serve.err" \
    --threads 2 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
check "serve prints listening on https://127.0.0.1:PORT ($(head -c 100 "$H/serve.out"))" -- test -n "$PORT"
ST=$(curl -s --cacert "$T/cert.pem" -o "$H/h.json" -w '%{http_code} %{scheme}' "$B/healthz")
check "curl --cacert gets /healthz over https (got $ST $(cat "$H/h.json"))" -- \
    test "$ST $(cat "$H/h.json")" = '200 HTTPS {"status":"ok"}'
for v in 1_2 1_3; do
    check "a TLS ${v/_/.} session is established" -- bash -c "openssl s_client -connect 127.0.0.1:$PORT -tls$v -CAfile '$T/cert.pem' </dev/null 2>/dev/null | grep -qE '^New, TLSv${v/_/\\.}, Cipher is [^(]'"
done
GOT_FP=$(openssl s_client -connect "127.0.0.1:$PORT" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')
check "the server presents our certificate (SHA-256 $GOT_FP)" -- test -n "$GOT_FP" -a "$GOT_FP" = "$WANT_FP"
# TLS 1.1: a client that can speak it (shown against openssl s_server) gets no session (no cipher)
# from us
tls11() { openssl s_client -connect "127.0.0.1:$1" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null 2>&1 | grep -cE '^New, .*Cipher is [^(]'; }
P11=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 10 openssl s_server -accept "127.0.0.1:$P11" -cert "$T/cert.pem" -key "$T/key.pem" -tls1_1 \
    -cipher 'DEFAULT@SECLEVEL=0' -www >/dev/null 2>&1 &
S11=$!
SERVER_PIDS+=("$S11")
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$P11") 2>/dev/null && break; sleep 0.1; done
check "control: the TLS 1.1 client gets a TLS 1.1 session from openssl s_server" -- test "$(tls11 "$P11")" -ge 1
kill "$S11" 2>/dev/null
check "TLS 1.1 is refused by plaint serve" -- test "$(tls11 "$PORT")" = 0
curl -s -o /dev/null "$B/healthz"
RC=$?
check "a client that does not trust the certificate fails (curl exit $RC)" -- test "$RC" = 60
ST=$(curl -s --max-time 5 -o "$H/plain.txt" -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")
RC=$?
check "plain http to the TLS port gets no HTTP answer (curl exit $RC, status $ST)" -- test "$RC" != 0 -a "$ST" = 000
ST=$(curl -s --cacert "$T/cert.pem" -o "$H/r.json" -w '%{http_code}' "$B/readyz")
check "/readyz over https: 200 (got $ST)" -- test "$ST" = 200
ST=$(curl -s --cacert "$T/cert.pem" -H "Authorization: Bearer $AUD" -o "$H/t.json" -w '%{http_code}' "$B/api/v1/tasks")
check "an API call over https with a token: 200 (got $ST)" -- test "$ST" = 200
ST=$(curl -s --cacert "$T/cert.pem" -o /dev/null -w '%{http_code}' "$B/api/v1/tasks")
check "and without a token: 401 (got $ST)" -- test "$ST" = 401
curl -s --cacert "$T/cert.pem" "$B/metrics" >"$H/metrics.txt"
check "/metrics over https counts the https requests" -- grep -q '^plaint_http_requests_total{route="/healthz",method="GET",status="200"} ' "$H/metrics.txt"
ST=$(curl -s --path-as-is --cacert "$T/cert.pem" -o /dev/null -w '%{http_code}' "$B/api/v1/complaints/X%00/notes")
check "path checks apply over https too: encoded NUL is 400 (got $ST)" -- test "$ST" = 400
kill -TERM "$SPID"
wait "$SPID"
RC=$?
check "TLS server stops on SIGTERM (exit $RC)" -- test "$RC" = 0
check "no sanitizer or runtime error from the server" -- bash -c "! grep -E 'runtime error|AddressSanitizer|LeakSanitizer' '$H'/serve*.err"
finish
