/* Helpers shared by the fuzz targets: temporary input files, paths in the source tree, a UTF-8
 * check, and the whole body of a policy loader's target. Header-only (static inline) because
 * tests/CMakeLists.txt builds each tests/fuzz/fuzz_<name>.c into its own executable (with
 * replay_main.c, or with libFuzzer). */
#ifndef PLAINT_TESTS_FUZZ_HELPERS_H
#define PLAINT_TESTS_FUZZ_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "plaint/build_info.h"
#include "plaint/error.h"

/* Writes size bytes of data to a new file made from tmpl (".../name-XXXXXX", rewritten
 * with the real name). Returns 0 with the file closed, to be removed by the caller, or -1 with
 * nothing left behind. */
static inline int fuzz_write_temp(char *tmpl, const void *data, size_t size)
{
    int fd = mkstemp(tmpl);
    int ok;

    if (fd < 0) {
        return -1;
    }
    ok = write(fd, data, size) == (ssize_t)size;
    close(fd);
    if (!ok) {
        unlink(tmpl);
        return -1;
    }
    return 0;
}

/* out = "<source tree>/<rel>": the tree named by PLAINT_SOURCE_DIR (set by ctest), or the one
 * this binary was configured from. */
static inline void fuzz_source_path(char *out, size_t cap, const char *rel)
{
    const char *src = getenv("PLAINT_SOURCE_DIR");

    if (src == NULL) {
        src = PLAINT_DEFAULT_SCHEMA_DIR "/../..";
    }
    if ((size_t)snprintf(out, cap, "%s/%s", src, rel) >= cap) {
        abort();
    }
}

/* 1 if s is valid UTF-8 (no overlongs, surrogates or code points over U+10FFFF); written for
 * the fuzz targets rather than taken from the library, so that the check does not trust the
 * code under test. */
static inline int fuzz_utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u != 0) {
        unsigned c = *u;
        unsigned cp;
        int n;
        int k;
        if (c < 0x80) {
            u++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (k = 1; k <= n; k++) {
            if ((u[k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (u[k] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        u += n + 1;
    }
    return 1;
}

/* Aborts unless s is a string of valid UTF-8. */
static inline void fuzz_check_text(const char *s)
{
    if (s == NULL || !fuzz_utf8_ok(s)) {
        abort();
    }
}

/* Loads the policy file at path against xsd, aborts if an accepted policy misbehaves, frees it
 * and returns the loader's code (err set on failure). */
typedef int (*fuzz_policy_fn)(const char *path, const char *xsd, plaint_error *err);

/* The body of a policy loader's target: writes the input to /tmp/plaint-fuzz-<name>-XXXXXX and
 * runs load_and_check on it against schemas/xml/<name>.xsd. Aborts if the schema cannot be read:
 * the run would test nothing. */
static inline int fuzz_policy_input(const char *name, fuzz_policy_fn load_and_check,
                                    const uint8_t *data, size_t size)
{
    static char xsd[4096];
    char path[64];
    plaint_error err;

    if (xsd[0] == '\0') {
        char rel[64];
        if ((size_t)snprintf(rel, sizeof(rel), "schemas/xml/%s.xsd", name) >= sizeof(rel)) {
            abort();
        }
        fuzz_source_path(xsd, sizeof(xsd), rel);
    }
    if ((size_t)snprintf(path, sizeof(path), "/tmp/plaint-fuzz-%s-XXXXXX", name) >= sizeof(path)) {
        abort();
    }
    if (fuzz_write_temp(path, data, size) != 0) {
        return 0;
    }
    plaint_error_init(&err);
    if (load_and_check(path, xsd, &err) != 0 &&
        (err.code == PLAINT_ENOTFOUND || err.code == PLAINT_EIO)) {
        abort();
    }
    unlink(path);
    return 0;
}

#endif
