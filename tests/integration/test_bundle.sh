#!/usr/bin/env bash
# Exported bundles: one verifies with exit 0 while no database runs at all; any one flipped byte
# of events.jsonl or checkpoints.jsonl, a lost, swapped or repeated line, a replaced key, a
# forged history with a matching manifest, or the wrong trusted key makes verify exit 1.
. "$(dirname "$0")/lib/common.sh"

TOOL="$(cd "$(dirname "$0")" && pwd)/lib/bundle_tool.py"
export PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0 # we seal by hand
H=$(new_home)
export PLAINT_HOME=$H
PUB=$H/keys/ledger-signing.pem.pub
B=$H/bundle

# --- a ledger with 2 checkpoints (sizes 4 and 8: one frontier hash each keeps
# checkpoints.jsonl short, as every byte of it is flipped) and 2 unsealed events; payloads with
# escaped quotes, non-ASCII text and numbers, so that flips land in every kind of byte
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
built=0
for step in A1 B1 A2 C1 S B2 A3 C2 B3 S A4 C3; do
    if [ "$step" = S ]; then
        "$PLAINT_BIN" ledger seal >/dev/null || break
    else
        c=${step:0:1} s=${step:1}
        "$PLAINT_BIN" ledger append --case "REF-$c" --type "complaint.step$s" \
            --actor "Jürgen Müller" --role handler --idempotency-key "k-$step" \
            --payload "{\"amount_minor\":${s}250,\"currency\":\"EUR\",\"note\":\"said \\\"no\\\" – ok\",\"seq\":$s}" \
            >/dev/null || break
    fi
    built=$((built + 1))
done
check "ledger built (10 appends, 2 seals)" -- test "$built" -eq 12
expect_exit 0 "export" -- "$PLAINT_BIN" ledger export --out "$B"
check "bundle has its four files" -- test -s "$B/events.jsonl" -a -s "$B/checkpoints.jsonl" \
    -a -s "$B/pubkey.pem" -a -s "$B/manifest.json"
check "events.jsonl: 10 lines" -- test "$(wc -l <"$B/events.jsonl")" -eq 10
check "checkpoints.jsonl: 2 lines" -- test "$(wc -l <"$B/checkpoints.jsonl")" -eq 2

# --- no database running: not stopped only, but unreachable (db status exits 5)
expect_exit 0 "db stop" -- "$PLAINT_BIN" db stop
expect_exit 5 "db status: no database running" -- "$PLAINT_BIN" db status
check "no postmaster for this home" -- test ! -e "$H/pg/data/postmaster.pid"

expect_exit 0 "bundle verifies with no database" -- \
    "$PLAINT_BIN" verify --bundle "$B" --pubkey "$PUB" --json
check "report: ok, 10 events, 3 cases, 2 checkpoints, 8 sealed, 2 unsealed" -- python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j["ok"] is True and j["events"] == 10 and j["cases"] == 3 and
         j["checkpoints"] == 2 and j["sealed"] == 8 and j["unsealed"] == 2 else 1)' "$TMP_OUT"
expect_exit 0 "bundle verifies (text)" -- "$PLAINT_BIN" verify --bundle "$B" --pubkey "$PUB"
check "text report says verified" -- grep -q "ledger verified ($B): 10 events in 3 cases" "$TMP_OUT"

# --- one flipped byte, each in a fresh copy of the bundle: every byte of checkpoints.jsonl with
# XOR 0x01 (the subtlest change: hex digits stay hex, ASCII stays ASCII, '"' becomes '#', the
# newline a vertical tab) and ~120 of its bytes with 0x20 (case), 0x80 (breaks UTF-8) or 0x04;
# and ~320 bytes of events.jsonl spread evenly (plus every newline, the first and last byte and
# one byte of each character class) with 0x01, 0x20, 0x80 and 0x04 in turn.
flip() { # flip FILE POSITIONS XORS [OPTIONS]
    python3 "$TOOL" flip --bundle "$B" --file "$1" --positions "$2" --xor "$3" \
        --pubkey "$PUB" --plaint "$PLAINT_BIN" "${@:4}"
    local rc=$?
    grep -v ' did not exit 1$' "$TMP_OUT" | head -5 >&2 # the first offenders, if any
    return $rc
}
expect_exit 0 "every byte of checkpoints.jsonl flipped (xor 01): exit 1 each time" -- \
    flip checkpoints.jsonl all 01
echo "# $(tail -1 "$TMP_OUT")"
check "...all $(wc -c <"$B/checkpoints.jsonl") of them" -- grep -q \
    "^checkpoints.jsonl: $(wc -c <"$B/checkpoints.jsonl") positions of" "$TMP_OUT"
expect_exit 0 "~120 bytes of checkpoints.jsonl flipped (xor 20/80/04): exit 1 each time" -- \
    flip checkpoints.jsonl sample:120 20,80,04
echo "# $(tail -1 "$TMP_OUT")"
expect_exit 0 "~320 bytes of events.jsonl flipped (xor 01/20/80/04): exit 1 each time" -- \
    flip events.jsonl sample:320 01,20,80,04
echo "# $(tail -1 "$TMP_OUT")"
check "at least 300 positions of events.jsonl were flipped" -- python3 -c '
import re, sys
m = re.search(r"(\d+) positions of", open(sys.argv[1]).read())
sys.exit(0 if m and int(m.group(1)) >= 300 else 1)' "$TMP_OUT"

# The manifest too: docs/ledger-format.md 9.2 makes it one canonical line with exactly its
# members, whose counts must match what was read. Every byte flipped except those of its
# "created" time, which nothing can check (another valid time there is still a valid bundle).
expect_exit 0 "every byte of manifest.json but its creation time flipped: exit 1 each time" -- \
    flip manifest.json all 01 --skip-value created
echo "# $(tail -1 "$TMP_OUT")"

# --- whole-line damage to events.jsonl, each in a fresh copy
N=0
fresh() { # fresh: a new copy of the bundle in $C
    N=$((N + 1))
    C=$H/copy$N
    cp -r "$B" "$C"
}
fresh
head -n -1 "$B/events.jsonl" >"$C/events.jsonl"
expect_exit 1 "events.jsonl truncated by one line" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB"
fresh
head -c -1 "$B/events.jsonl" >"$C/events.jsonl"
expect_exit 1 "events.jsonl missing its final newline" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB"
fresh
awk 'NR == 3 { l = $0; next } NR == 4 { print; print l; next } { print }' "$B/events.jsonl" \
    >"$C/events.jsonl"
check "lines 3 and 4 swapped" -- bash -c "! cmp -s '$B/events.jsonl' '$C/events.jsonl'"
expect_exit 1 "events.jsonl with two lines swapped" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB"
fresh
sed -n '1,5p;5p;6,$p' "$B/events.jsonl" >"$C/events.jsonl"
expect_exit 1 "events.jsonl with a line duplicated" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB"
fresh
head -n -1 "$B/checkpoints.jsonl" >"$C/checkpoints.jsonl"
expect_exit 1 "checkpoints.jsonl truncated by one line" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB"
# The same line damage with the manifest recomputed to match: the manifest is not signed, so
# these must fail on their content (the chains and the signed checkpoints), not on the manifest.
fresh
awk 'NR == 3 { l = $0; next } NR == 4 { print; print l; next } { print }' "$B/events.jsonl" \
    >"$C/events.jsonl"
python3 "$TOOL" manifest --bundle "$C"
expect_exit 1 "two lines swapped, manifest recomputed" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB" --json
check "...named by content, not by the manifest" -- bash -c "! grep -q manifest '$TMP_OUT'"
fresh
sed -n '1,5p;5p;6,$p' "$B/events.jsonl" >"$C/events.jsonl"
python3 "$TOOL" manifest --bundle "$C"
expect_exit 1 "a line duplicated, manifest recomputed" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB" --json
check "...named by content, not by the manifest" -- bash -c "! grep -q manifest '$TMP_OUT'"
# An attacker's edit: a payload changed, its hash and the chain after it recomputed, and the
# manifest made to match. Only the first signed checkpoint over that event can expose it.
fresh
python3 "$TOOL" rewrite --bundle "$C" --line 1 --payload '{"amount_minor":0,"currency":"EUR"}'
expect_exit 1 "forged bundle with recomputed hashes and manifest" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB" --json
check "...names checkpoint 1's Merkle root" -- python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["first_bad"]
sys.exit(0 if b["record"] == "checkpoint" and b["checkpoint"] == 1 and
         "Merkle root" in b["reason"] else 1)' "$TMP_OUT"
# ...and the same edit in the unsealed tail (line 10, the newest event of case REF-C): nothing
# signed covers it, so it verifies. Proves the rewrite above was a faithful forgery.
fresh
python3 "$TOOL" rewrite --bundle "$C" --line 10 --payload '{"amount_minor":0,"currency":"EUR"}'
expect_exit 0 "forged unsealed tail verifies (unsealed = chain-protected only)" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB" --json

# --- missing manifest: exit 1. The directory is readable but holds no complete bundle, which is a
# failed verification of the document (docs/cli.md: 1 = "invalid signature or document"), the
# same verdict as a corrupted manifest.json (exit 1 above), so that deleting the manifest cannot
# turn "tampered" into a softer answer. Not 3 (the caller's input data is not malformed) and not
# 5 (nothing failed to read that was there).
fresh
rm "$C/manifest.json"
expect_exit 1 "manifest.json deleted" -- "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB"
check "...and the error names manifest.json" -- grep -q "manifest.json" "$TMP_ERR"

# --- keys
openssl genpkey -algorithm ed25519 -out "$H/other.pem" 2>/dev/null
openssl pkey -in "$H/other.pem" -pubout -out "$H/other.pem.pub" 2>/dev/null
check "another key generated" -- test -s "$H/other.pem.pub"
fresh
cp "$H/other.pem.pub" "$C/pubkey.pem"
expect_exit 1 "pubkey.pem replaced with another key" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB" --json
check "...names the key" -- grep -q '"record":"key"' "$TMP_OUT"
fresh
cp "$H/other.pem.pub" "$C/pubkey.pem"
python3 "$TOOL" manifest --bundle "$C"
expect_exit 1 "pubkey.pem replaced, manifest recomputed" -- \
    "$PLAINT_BIN" verify --bundle "$C" --pubkey "$PUB" --json
check "...names the key" -- grep -q '"record":"key"' "$TMP_OUT"
expect_exit 1 "verify with a different --pubkey" -- \
    "$PLAINT_BIN" verify --bundle "$B" --pubkey "$H/other.pem.pub" --json
check "...names the key" -- grep -q '"record":"key"' "$TMP_OUT"
expect_exit 1 "verify with a different --pubkey (text)" -- \
    "$PLAINT_BIN" verify --bundle "$B" --pubkey "$H/other.pem.pub"

check "the original bundle was never modified" -- bash -c \
    "cd '$B' && python3 -c '
import hashlib, json
m = json.load(open(\"manifest.json\"))
for n, f in m[\"files\"].items():
    d = open(n, \"rb\").read()
    assert len(d) == f[\"bytes\"] and hashlib.sha256(d).hexdigest() == f[\"sha256\"], n
'"
expect_exit 0 "the original bundle still verifies" -- \
    "$PLAINT_BIN" verify --bundle "$B" --pubkey "$PUB"

finish
