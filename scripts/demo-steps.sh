#!/usr/bin/env bash
# The demo itself, run by scripts/demo.sh against a started, migrated database.
set -euo pipefail
cd "$(dirname "$0")/.."
PLAINT=build/plaint
$PLAINT --version
$PLAINT db status
$PLAINT config show
echo "demo: done. The embedded cluster keeps running; stop it with '$PLAINT db stop'."
