#!/usr/bin/env bash
# The demo itself, run by scripts/demo.sh against a started, migrated database: a few complaint
# events on the ledger, a checkpoint, verification, an exported bundle verified offline, and an
# inclusion proof.
set -euo pipefail
cd "$(dirname "$0")/.."
PLAINT=build/plaint
: "${PLAINT_HOME:?}"
PUB=$PLAINT_HOME/keys/ledger-signing.pem.pub
OUT=${PLAINT_DEMO_OUT:-out}

$PLAINT --version
$PLAINT db status
[ -e "$PLAINT_HOME/keys/ledger-signing.pem" ] || $PLAINT keys init

run=$(date -u +%Y%m%dT%H%M%S)
case_id="CMP-DEMO-$run"
echo "== appending the first steps of complaint $case_id"
$PLAINT ledger append --case "$case_id" --type complaint.created --role intake_agent \
    --payload '{"channel":"web","category":"Credit reporting","reference":"'"$case_id"'"}' \
    --idempotency-key "demo-$run-1"
$PLAINT ledger append --case "$case_id" --type complaint.severity_scored --role system \
    --payload '{"score":62,"band":"high"}' --idempotency-key "demo-$run-2"
$PLAINT ledger append --case "$case_id" --type complaint.status_changed --role system \
    --payload '{"from":"New","to":"Under Investigation"}' --idempotency-key "demo-$run-3"
echo "== retrying the last append with the same idempotency key records nothing new"
$PLAINT ledger append --case "$case_id" --type complaint.status_changed --role system \
    --payload '{"from":"New","to":"Under Investigation"}' --idempotency-key "demo-$run-3"
$PLAINT ledger seal
$PLAINT ledger show --case "$case_id"
echo "== verifying the database against the trusted public key"
$PLAINT verify --pubkey "$PUB"
mkdir -p "$OUT"
bundle="$OUT/bundle-$run"
$PLAINT ledger export --out "$bundle"
echo "== verifying the exported bundle (no database needed)"
$PLAINT verify --bundle "$bundle" --pubkey "$PUB"
$PLAINT ledger prove --position 0 --out "$OUT/proof-$run.json"
$PLAINT verify-proof "$OUT/proof-$run.json" --pubkey "$PUB"
echo "demo: done. The embedded cluster keeps running; stop it with '$PLAINT db stop'."
