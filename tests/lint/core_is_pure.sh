#!/usr/bin/env bash
# Fails when src/core or src/crypto includes an adapter library header (libpq, libxml2, libharu),
# or when the library source uses a banned C function.
set -u
root=${1:?source dir}
bad=0
if grep -rnE '#\s*include\s*[<"](libpq-fe\.h|libpq/|libxml/|hpdf\.h|xmlsec/|microhttpd\.h|curl/)' \
    "$root/src/core" "$root/src/crypto"; then
    echo "FAIL: core/crypto include an adapter header (see STYLE.md section 1)" >&2
    bad=1
fi
if grep -rnE '\b(strcpy|strcat|sprintf|gets|strtok|atoi)\s*\(' "$root/src"; then
    echo "FAIL: banned function used (STYLE.md section 4)" >&2
    bad=1
fi
[ "$bad" -eq 0 ] && echo "core is pure; no banned functions"
exit "$bad"
