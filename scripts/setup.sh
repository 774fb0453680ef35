#!/usr/bin/env bash
# Sets up a Debian 12 machine for plaint and builds it. Idempotent; works as root or as a user
# with sudo. Usage: scripts/setup.sh [--sanitize]   (also builds build-san/ with ASan + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential cmake pkg-config git
    postgresql-15 postgresql-client-15
    libpq-dev libssl-dev libjansson-dev libinih-dev libcmocka-dev
    libxml2-dev libxml2-utils libxmlsec1-dev xmlsec1 libhpdf-dev poppler-utils qpdf
    fonts-dejavu-core
    libcsv-dev libmicrohttpd-dev libgmime-3.0-dev libcurl4-openssl-dev
    iproute2 procps hyperfine python3 python3-yaml openssl curl wrk jq
    clang libclang-rt-14-dev
    chromium
)
# The browser tests drive Debian's chromium with playwright-core from npm (tests/browser); a
# machine without Node.js gets Debian's (18; playwright-core 1.60 needs >= 18).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    PACKAGES+=(nodejs npm)
fi

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # Installing postgresql-15 must not start a system-wide server we do not use.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod 755 /usr/sbin/policy-rc.d
        trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# PostgreSQL refuses to run as root: when plaint runs as root, the server runs as 'plaint'.
if [ "$(id -u)" -eq 0 ] && ! getent passwd plaint >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin plaint
    echo "setup: created system user plaint"
fi

# playwright-core for the browser tests, at the version package-lock.json pins (no browser
# download: the tests use /usr/bin/chromium).
want=$(sed -n 's/.*"playwright-core": "\(.*\)".*/\1/p' tests/browser/package.json)
have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' \
    tests/browser/node_modules/playwright-core/package.json 2>/dev/null || true)
if [ "$want" != "$have" ]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/browser --no-audit --no-fund \
        --loglevel=error >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs"
if [ "${1:-}" = "--sanitize" ]; then
    cmake --preset sanitize >/dev/null
    cmake --build --preset sanitize -j "$jobs"
fi
