#!/usr/bin/env bash
# Sets up the machine, builds plaint, starts the embedded PostgreSQL cluster, migrates it and
# runs the demo. Leaves the cluster running (stop it with: build/plaint db stop).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

PLAINT=build/plaint
# PLAINT_HOME defaults to ./var. Run as root, the server runs as the 'plaint' user, which must be
# able to reach that directory: fall back to /var/lib/plaint when the checkout is private.
if [ -z "${PLAINT_HOME:-}" ] && [ "$(id -u)" -eq 0 ] && \
    ! su -s /bin/sh plaint -c "test -x '$PWD'" 2>/dev/null; then
    export PLAINT_HOME=/var/lib/plaint
    echo "demo: $PWD is not reachable by the server user; using PLAINT_HOME=$PLAINT_HOME"
fi
export PLAINT_HOME=${PLAINT_HOME:-$PWD/var}
mkdir -p "$PLAINT_HOME"
chmod 711 "$PLAINT_HOME"

$PLAINT db start
$PLAINT db migrate
PLAINT_BIN=$PLAINT exec bash scripts/demo-steps.sh
