#!/usr/bin/env bash
# Inclusion and consistency proofs verify offline, and fail when any hash in them is changed.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
PUB=$H/keys/ledger-signing.pem.pub
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
n=0
for round in 1 2 3 4; do
    for i in $(seq 1 $((round * 3 + 1))); do
        "$PLAINT_BIN" ledger append --case "C-$((i % 4))" --type t --payload "{\"r\":$round,\"i\":$i}" >/dev/null || not_ok "append"
        n=$((n + 1))
    done
    expect_exit 0 "seal round $round" -- "$PLAINT_BIN" ledger seal
done
expect_exit 3 "prove an unsealed position is refused as bad input" -- "$PLAINT_BIN" ledger prove --position $((n + 5))
expect_exit 2 "prove without arguments is a usage error" -- "$PLAINT_BIN" ledger prove

# Flip one hex digit of the k-th hash value in a proof: every one must break it.
mutate_all() { # mutate_all FILE DESC
    local file=$1 desc=$2 k=0 total fails=0
    total=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
def hashes(o):
    n=0
    for k,v in (o.items() if isinstance(o,dict) else enumerate(o)):
        if isinstance(v,(dict,list)): n+=hashes(v)
        elif isinstance(v,str) and len(v) in (64,128) and k!="key": n+=1
    return n
print(hashes(d))' "$file")
    while [ "$k" -lt "$total" ]; do
        python3 - "$file" "$k" "$H/m.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); target = int(sys.argv[2]); seen = [0]
def walk(o):
    for k, v in (list(o.items()) if isinstance(o, dict) else list(enumerate(o))):
        if isinstance(v, (dict, list)):
            walk(v)
        elif isinstance(v, str) and len(v) in (64, 128) and k != "key":
            if seen[0] == target:
                o[k] = ("1" if v[0] == "0" else "0") + v[1:]
            seen[0] += 1
walk(d)
json.dump(d, open(sys.argv[3], "w"), separators=(",", ":"), sort_keys=True)
PY
        "$PLAINT_BIN" verify-proof "$H/m.json" --pubkey "$PUB" >/dev/null 2>&1
        [ $? -eq 1 ] || fails=$((fails + 1))
        k=$((k + 1))
    done
    check "$desc: all $total changed hashes rejected with exit 1" -- test "$fails" -eq 0 -a "$total" -gt 2
}

for p in 0 1 4 $((n / 2)) $((n - 1)); do
    expect_exit 0 "prove position $p" -- "$PLAINT_BIN" ledger prove --position "$p" --out "$H/inc$p.json"
    expect_exit 0 "inclusion proof for $p verifies" -- "$PLAINT_BIN" verify-proof "$H/inc$p.json" --pubkey "$PUB"
    mutate_all "$H/inc$p.json" "inclusion $p"
done
for pair in "1 2" "1 4" "2 3" "2 4" "3 4"; do
    set -- $pair
    expect_exit 0 "prove consistency $1 $2" -- "$PLAINT_BIN" ledger prove --consistency "$1" "$2" --out "$H/con$1$2.json"
    expect_exit 0 "consistency $1 -> $2 verifies" -- "$PLAINT_BIN" verify-proof "$H/con$1$2.json" --pubkey "$PUB"
    mutate_all "$H/con$1$2.json" "consistency $1 $2"
done
# A proof verified with another key fails.
openssl genpkey -algorithm ed25519 -out "$H/other.pem" 2>/dev/null
openssl pkey -in "$H/other.pem" -pubout -out "$H/other.pub" 2>/dev/null
expect_exit 1 "proof against another key" -- "$PLAINT_BIN" verify-proof "$H/inc0.json" --pubkey "$H/other.pub"
echo '{"type":"plaint.inclusion.v1"' >"$H/broken.json"
expect_exit 3 "a non-JSON file is bad input" -- "$PLAINT_BIN" verify-proof "$H/broken.json" --pubkey "$PUB"
finish
