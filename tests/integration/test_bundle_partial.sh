#!/usr/bin/env bash
# Partial bundles (ledger export --from-checkpoint N) verify offline from checkpoint N's
# signature and Merkle frontier; a changed frontier or a foreign start fails.
. "$(dirname "$0")/lib/common.sh"

H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
PUB=$H/keys/ledger-signing.pem.pub
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
for round in 1 2 3; do
    for i in 1 2 3 4 5; do
        "$PLAINT_BIN" ledger append --case "C-$((i % 3))" --type t --payload "{\"r\":$round,\"i\":$i}" >/dev/null
    done
    "$PLAINT_BIN" ledger seal >/dev/null
done
"$PLAINT_BIN" ledger append --case C-9 --type t --payload '{"late":true}' >/dev/null
expect_exit 0 "export from checkpoint 2" -- "$PLAINT_BIN" ledger export --out "$H/p2" --from-checkpoint 2
check "partial bundle starts at position 10" -- bash -c "head -1 '$H/p2/events.jsonl' | grep -q '\"position\":10}'"
expect_exit 0 "partial bundle verifies" -- "$PLAINT_BIN" verify --bundle "$H/p2" --pubkey "$PUB" --json
check "it holds 6 events (5 sealed after checkpoint 2, 1 unsequenced)" -- bash -c "grep -q '\"events\":6' '$TMP_OUT'"
expect_exit 3 "export from a checkpoint that does not exist" -- "$PLAINT_BIN" ledger export --out "$H/p9" --from-checkpoint 9
# change one hex digit of the starting checkpoint's frontier (and fix the manifest so only the
# frontier check can catch it)
cp -r "$H/p2" "$H/pf"
python3 - "$H/pf" <<'PY'
import hashlib, json, sys, os
d = sys.argv[1]
lines = open(os.path.join(d, "checkpoints.jsonl")).read().split("\n")
cp = json.loads(lines[0])
f = cp["frontier"]
cp["frontier"] = f[:-1] + ("0" if f[-1] != "0" else "1")
lines[0] = json.dumps(cp, separators=(",", ":"), sort_keys=True)
data = "\n".join(lines).encode()
open(os.path.join(d, "checkpoints.jsonl"), "wb").write(data)
m = json.load(open(os.path.join(d, "manifest.json")))
m["files"]["checkpoints.jsonl"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
open(os.path.join(d, "manifest.json"), "w").write(json.dumps(m, separators=(",", ":"), sort_keys=True) + "\n")
PY
expect_exit 1 "a changed frontier fails" -- "$PLAINT_BIN" verify --bundle "$H/pf" --pubkey "$PUB"
check "the failure names the starting checkpoint" -- grep -q "checkpoint 2" "$TMP_ERR"
finish
