#!/usr/bin/env bash
# plaint serve's transport limits (src/net/http_server.c, docs/api.md "Limits"):
# - connection flood: with --max-connections 6 --max-per-ip 3 --idle-timeout 3, idle sockets that
#   never finish their headers: one address gets 3, its excess is closed at once; another address
#   is still answered; once all 6 are held a new client waits; the idle sockets are closed by
#   the server after the idle timeout and /healthz answers again within a few seconds of it;
# - bad flag values exit 2;
# - paths: an encoded NUL or other control byte is 400, an encoded slash is 400 (not a separator),
#   other encodings still route (curl --path-as-is);
# - /metrics: 300 made-up methods on made-up paths are one "OTHER" method label, the series stay
#   few, a new legitimate series still appears afterwards, and every line is valid Prometheus
#   text format (label values escaped);
# - the rate limit is per exact client address: one address at 429, another still served.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/serve.sh"

serve_home
bootstrap_admin
check_user AUD "auditor" aud Aud auditor
check "tokens issued" -- test -n "$ADMIN" -a -n "$AUD"

# ---- flags ----
expect_exit 0 "serve --help" -- "$PLAINT_BIN" serve --help
for f in --max-connections --max-per-ip --idle-timeout --tls-cert --tls-key; do
    check "serve --help documents $f" -- grep -q -- "$f" "$TMP_OUT"
done
expect_exit 2 "--max-connections 0 is a usage error" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --max-connections 0
check "the message names the flag" -- grep -q -- "--max-connections" "$TMP_ERR"
expect_exit 2 "--max-connections abc" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --max-connections abc
expect_exit 2 "--max-connections below --threads" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --threads 8 --max-connections 4
expect_exit 2 "--max-per-ip -1" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --max-per-ip -1
expect_exit 2 "--idle-timeout 0" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --idle-timeout 0
check "the message names the flag" -- grep -q -- "--idle-timeout" "$TMP_ERR"
expect_exit 2 "--idle-timeout 3601" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --idle-timeout 3601
expect_exit 2 "--tls-cert without --tls-key" -- "$PLAINT_BIN" serve --listen 127.0.0.1:0 --tls-cert /nonexistent.pem

stop_server() {
    kill -TERM "$SPID"
    wait "$SPID"
    RC=$?
    check "server stops on SIGTERM (exit $RC)" -- test "$RC" = 0
}

# ---- connection flood ----
start_server --wait healthz "$H/serve1.out" "$H/serve1.err" --threads 2 --rate 0 --max-connections 6 --max-per-ip 3 --idle-timeout 3
check "server with small limits ready on port $PORT" -- test -n "$PORT"
cat >"$H/flood.py" <<'PY'
# Idle sockets from chosen loopback addresses (all of 127/8 reaches the server on 127.0.0.1);
# each sends an unfinished request head and then nothing.
import json, select, socket, sys, time
port = int(sys.argv[1])
res = {}

def idle(src, n):
    out = []
    for _ in range(n):
        s = socket.socket()
        s.bind((src, 0))
        s.settimeout(2)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        out.append(s)
    return out

def closed(s):  # the server closed it (EOF or reset); not readable = still open
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return False
    try:
        return s.recv(4096) == b""
    except OSError:
        return True

def get(src, timeout):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(timeout)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        return data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "closed"
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return type(e).__name__
    finally:
        s.close()

t0 = time.time()
a = idle("127.0.0.2", 8)
time.sleep(0.7)
res["a_closed"] = sum(closed(s) for s in a)
a_open = [s for s in a if not closed(s)]
res["a_open"] = len(a_open)
res["b_get"] = get("127.0.0.3", 2)
b = idle("127.0.0.3", 3)
t_b = time.time()
time.sleep(0.3)
res["b_open"] = sum(not closed(s) for s in b)
res["full_get"] = get("127.0.0.4", 1.0)
res["full_at"] = round(time.time() - t0, 2)
# now wait for the server to drop the idle sockets and to answer again
deadline = time.time() + 15
answered = None
while time.time() < deadline:
    g = get("127.0.0.5", 1.0)
    if g == "200":
        answered = time.time()
        break
    time.sleep(0.2)
res["answered_after_s"] = round(answered - t0, 2) if answered else None
time.sleep(max(0, t_b + 3 + 2.5 - time.time()))
res["idle_closed_by_server"] = sum(closed(s) for s in a_open + b)
res["idle_total"] = len(a_open) + len(b)
print(json.dumps(res))
PY
python3 "$H/flood.py" "$PORT" >"$H/flood.json" 2>"$H/flood.err"
echo "# flood: $(cat "$H/flood.json") $(head -c 300 "$H/flood.err")"
J() { jq -r "$1" "$H/flood.json"; }
check "one address: 3 idle connections kept (--max-per-ip 3; got $(J .a_open))" -- test "$(J .a_open)" = 3
check "its excess (5 of 8) closed by the server at once (got $(J .a_closed))" -- test "$(J .a_closed)" = 5
check "another address is still answered while the first holds its 3 (got $(J .b_get))" -- test "$(J .b_get)" = 200
check "the second address holds 3 more: 6 in all (got $(J .b_open))" -- test "$(J .b_open)" = 3
check "with --max-connections 6 held, a new client is not served (got $(J .full_get) at $(J .full_at) s)" -- test "$(J .full_get)" != 200
check "/healthz answers again within a few seconds of the 3 s idle timeout (after $(J .answered_after_s) s)" -- \
    python3 -c "import sys; v = sys.argv[1]; sys.exit(0 if v != 'null' and 2.5 <= float(v) <= 6.5 else 1)" "$(J .answered_after_s)"
check "every idle connection was closed by the server ($(J .idle_closed_by_server) of $(J .idle_total))" -- \
    test "$(J .idle_closed_by_server)" = 6 -a "$(J .idle_total)" = 6
check "still serving after the flood" -- test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200
stop_server

# ---- paths, metrics, rate limit ----
start_server --wait healthz "$H/serve2.out" "$H/serve2.err" --threads 2 --rate 1 --burst 20
check "server ready on port $PORT" -- test -n "$PORT"
B="http://127.0.0.1:$PORT"
RESP=$H/resp.json
# path_status PATH [curl args...]: status and error code of a request sent as is
path_status() {
    local p=$1
    shift
    ST=$(curl -s --path-as-is --interface 127.0.0.2 -o "$RESP" -w '%{http_code}' "$@" "$B$p")
    CODE=$(jq -r '.error.code // empty' "$RESP" 2>/dev/null)
}
H_AUTH="Authorization: Bearer $AUD"
path_status /api/v1/complaints/CMP-2026-999999 -H "$H_AUTH"
check "a plain path routes: unknown complaint is 404 not_found (got $ST $CODE)" -- test "$ST $CODE" = "404 not_found"
path_status '/api/v1/complaints/X%00/notes' -H "$H_AUTH"
check "encoded NUL in the path: 400 bad_path, not the complaint X (got $ST $CODE)" -- test "$ST $CODE" = "400 bad_path"
path_status '/api/v1/complaints/X%00/notes' -X POST -H "$H_AUTH" -H 'Content-Type: application/json' -H 'Idempotency-Key: k1' --data-binary '{"text":"x"}'
check "POST with an encoded NUL: 400 bad_path (got $ST $CODE)" -- test "$ST $CODE" = "400 bad_path"
for enc in %01 %0a %0D %1f %7F %7f; do
    path_status "/healthz$enc"
    check "control byte $enc in the path: 400 bad_path (got $ST $CODE)" -- test "$ST $CODE" = "400 bad_path"
done
path_status '/api/v1/complaints%2FCMP-2026-000001' -H "$H_AUTH"
check "encoded slash (%2F): 400 bad_path, not a separator (got $ST $CODE)" -- test "$ST $CODE" = "400 bad_path"
path_status '/api/v1/complaints/CMP-1%2fnotes' -X POST -H "$H_AUTH" -H 'Content-Type: application/json' -H 'Idempotency-Key: k2' --data-binary '{"text":"x"}'
check "encoded slash (%2f) in a POST path: 400 bad_path (got $ST $CODE)" -- test "$ST $CODE" = "400 bad_path"
check "the message says why" -- grep -q 'encoded slash' "$RESP"
path_status '/heal%74hz'
check "other encodings still decode and route: /heal%74hz is /healthz (got $ST)" -- test "$ST" = 200
path_status '/api/v1/complaints?state=a%2Fb%00' -H "$H_AUTH"
check "encodings in the query string are not the path's business (got $ST $CODE)" -- test "$ST" != 400 -o "$CODE" != bad_path

# metrics: made-up methods and paths (from 127.0.0.6: its own rate bucket)
cat >"$H/methods.py" <<'PY'
import http.client, random, sys
port = int(sys.argv[1])
random.seed(7)
sent = 0
for i in range(300):
    m = "M%03d%s" % (i, random.choice(["", "X", "QUOTE", "Z"]))
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.0.6", 0))
    try:
        c.request(m, "/made-up/%d/%d" % (i, random.randrange(10**9)))
        c.getresponse().read()
        sent += 1
    except (OSError, http.client.HTTPException):
        pass
    c.close()
for m in ["get", "Get", "TRACE", "CONNECT", "PROPFIND"]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.0.6", 0))
    c.request(m, "/api/v1/complaints")
    c.getresponse().read()
    c.close()
    sent += 1
print(sent)
PY
SENT=$(python3 "$H/methods.py" "$PORT")
check "305 requests with made-up methods answered (sent $SENT)" -- test "$SENT" = 305
curl -s "$B/metrics" >"$H/metrics1.txt"
curl -s -H "$H_AUTH" --interface 127.0.0.7 -o /dev/null "$B/api/v1/tasks"
curl -s "$B/metrics" >"$H/metrics2.txt"
cat >"$H/promcheck.py" <<'PY'
# Prometheus text format 0.0.4, line by line: comments, then name{label="value",...} number.
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
lval = r'"(?:[^"\\\n]|\\[\\"n])*"'
labels = r"\{(?:%s=%s(?:,%s=%s)*)?\}" % (name, lval, name, lval)
sample = re.compile(r"^(%s)(%s)? (-?[0-9.e+]+|\+Inf|-Inf|NaN)$" % (name, labels))
bad = 0
series = {}
for line in open(sys.argv[1]).read().split("\n")[:-1]:
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        continue
    m = sample.match(line)
    if not m:
        print("bad line: %r" % line)
        bad += 1
        continue
    if m.group(1) == "plaint_http_requests_total":
        lab = dict(re.findall(r'(%s)="((?:[^"\\]|\\.)*)"' % name, m.group(2)))
        series[(lab["route"], lab["method"], lab["status"])] = float(m.group(3))
methods = sorted({k[1] for k in series})
other = sum(v for k, v in series.items() if k[1] == "OTHER")
print("series=%d methods=%s other=%d" % (len(series), ",".join(methods), other))
with open(sys.argv[2], "w") as f:
    for k, v in sorted(series.items()):
        f.write("%s %s %s %d\n" % (k[0], k[1], k[2], v))
sys.exit(1 if bad else 0)
PY
expect_exit 0 "/metrics after the made-up methods is valid Prometheus text format" -- python3 "$H/promcheck.py" "$H/metrics1.txt" "$H/series1.txt"
echo "# $(cat "$TMP_OUT")"
check "methods are only the known set and OTHER" -- bash -c "! awk '{print \$2}' '$H/series1.txt' | grep -qvE '^(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|OTHER)$'"
check "the 305 requests are counted under method OTHER" -- \
    test "$(awk '$2 == "OTHER" {n += $4} END {print n + 0}' "$H/series1.txt")" -ge 305
check "no made-up path became a route label" -- bash -c "! grep -q made-up '$H/series1.txt'"
check "the series stay few ($(wc -l <"$H/series1.txt"))" -- test "$(wc -l <"$H/series1.txt")" -le 20
check "nothing went unrecorded" -- grep -qx 'plaint_http_requests_unrecorded_total 0' "$H/metrics1.txt"
expect_exit 0 "/metrics afterwards is valid too" -- python3 "$H/promcheck.py" "$H/metrics2.txt" "$H/series2.txt"
check "a new legitimate series still appears after the flood (GET /api/v1/tasks 200)" -- grep -qx '/api/v1/tasks GET 200 1' "$H/series2.txt"
check "encoded-NUL requests are counted as unmatched 400s" -- grep -q '^unmatched GET 400 ' "$H/series2.txt"

# rate limit per exact address: --rate 1 --burst 20 from 127.0.0.8, then 127.0.0.9
: >"$H/rate.txt"
for _ in $(seq 1 24); do
    curl -s --interface 127.0.0.8 -o /dev/null -w '%{http_code}\n' -H "$H_AUTH" "$B/api/v1/tasks" >>"$H/rate.txt"
done
N200=$(grep -c '^200$' "$H/rate.txt")
N429=$(grep -c '^429$' "$H/rate.txt")
check "one address: its burst of 20 (+1 or 2 refilled at 1/s) allowed, then 429 (200: $N200, 429: $N429)" -- \
    test "$N200" -ge 20 -a "$N200" -le 22 -a "$((N200 + N429))" = 24
ST=$(curl -s --interface 127.0.0.9 -o /dev/null -w '%{http_code}' -H "$H_AUTH" "$B/api/v1/tasks")
check "another address is not affected (got $ST)" -- test "$ST" = 200
check "and the first is still limited" -- \
    test "$(curl -s --interface 127.0.0.8 -o /dev/null -w '%{http_code}' -H "$H_AUTH" "$B/api/v1/tasks")" = 429
stop_server
check "no sanitizer or runtime error from the servers" -- bash -c "! grep -E 'runtime error|AddressSanitizer|LeakSanitizer' '$H'/serve*.err"
finish
