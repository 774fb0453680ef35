/* Helpers shared by the unit tests: hex assertions, keys and test events for the ledger core;
 * source-tree paths, temporary directories and refused-file checks for the policy loaders.
 * Header-only (static inline) because tests/CMakeLists.txt builds one executable per test_*.c. */
#ifndef PLAINT_TESTS_UNIT_HELPERS_H
#define PLAINT_TESTS_UNIT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaint/buf.h"
#include "plaint/build_info.h"
#include "plaint/chain.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/sign.h"

/* Decodes exactly len bytes from hex, failing the test on bad input. */
static inline void unit_unhex(unsigned char *out, size_t len, const char *hex)
{
    assert_int_equal(plaint_hex_decode(out, len, hex, strlen(hex), NULL), 0);
}

/* Asserts that len bytes of data (at most 64) are the lowercase hex string hex. */
static inline void unit_assert_hex(const unsigned char *data, size_t len, const char *hex)
{
    char got[2 * 64 + 1];

    assert_true(len <= 64);
    plaint_hex_encode(got, data, len);
    assert_string_equal(got, hex);
}

/* Asserts that b holds exactly prefix followed by want: the functions under test append. */
static inline void unit_assert_appended(const plaint_buf *b, const char *prefix, const char *want)
{
    size_t np = strlen(prefix);
    size_t nw = strlen(want);

    assert_int_equal(b->len, np + nw);
    assert_memory_equal(b->data, prefix, np);
    assert_memory_equal(b->data + np, want, nw);
}

/* out[i] = first + i: recognisable, distinct hashes for vectors. */
static inline void unit_fill_bytes(unsigned char *out, size_t len, unsigned first)
{
    size_t i;

    for (i = 0; i < len; i++) {
        out[i] = (unsigned char)(first + i);
    }
}

/* A fresh Ed25519 key pair (caller frees with plaint_signkey_free). */
static inline plaint_signkey *unit_new_key(void)
{
    plaint_signkey *k = NULL;

    assert_int_equal(plaint_signkey_generate(&k, NULL), 0);
    assert_non_null(k);
    return k;
}

/* Points ev at NUL-terminated strings (borrowed) and sets its numbers; prev is left zero (the
 * genesis hash). */
static inline void unit_event_set(plaint_event *ev, const char *case_id, int64_t seq,
                                  const char *type, const char *actor, const char *role,
                                  int64_t time_us, const char *payload)
{
    memset(ev, 0, sizeof(*ev));
    ev->case_id = case_id;
    ev->case_id_len = strlen(case_id);
    ev->case_seq = seq;
    ev->type = type;
    ev->type_len = strlen(type);
    ev->actor = actor;
    ev->actor_len = strlen(actor);
    ev->role = role;
    ev->role_len = strlen(role);
    ev->time_us = time_us;
    ev->payload = payload;
    ev->payload_len = strlen(payload);
}

/* ---------------------------------------------------------------- policy loaders */

/* The files a policy loader test works with. */
typedef struct unit_policy_files {
    char xml[4096]; /* the shipped policies/<name>.xml */
    char xsd[4096]; /* schemas/xml/<name>.xsd */
    char dir[64];   /* a fresh temporary directory for the test's own policy files */
} unit_policy_files;

/* Fills pf for the policy called name ("severity": policies/severity.xml) in the source tree
 * named by PLAINT_SOURCE_DIR (set by ctest) and creates /tmp/plaint-<name>-XXXXXX. */
static inline void unit_policy_files_init(unit_policy_files *pf, const char *name)
{
    const char *src = getenv("PLAINT_SOURCE_DIR");

    if (src == NULL) {
        /* run outside ctest: the source tree this binary was configured from */
        src = PLAINT_DEFAULT_SCHEMA_DIR "/../..";
    }
    assert_true((size_t)snprintf(pf->xml, sizeof(pf->xml), "%s/policies/%s.xml", src, name) <
                sizeof(pf->xml));
    assert_true((size_t)snprintf(pf->xsd, sizeof(pf->xsd), "%s/schemas/xml/%s.xsd", src, name) <
                sizeof(pf->xsd));
    assert_true((size_t)snprintf(pf->dir, sizeof(pf->dir), "/tmp/plaint-%s-XXXXXX", name) <
                sizeof(pf->dir));
    assert_non_null(mkdtemp(pf->dir));
}

/* Removes pf->dir and everything in it. */
static inline void unit_policy_files_clear(const unit_policy_files *pf)
{
    char cmd[256];

    /* the directory holds only files this test wrote */
    assert_true((size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pf->dir) < sizeof(cmd));
    assert_int_equal(system(cmd), 0);
}

/* Writes text to pf->dir/name; returns the path in path. */
static inline void unit_policy_write(char *path, size_t cap, const unit_policy_files *pf,
                                     const char *name, const char *text)
{
    FILE *fp;

    assert_true((size_t)snprintf(path, cap, "%s/%s", pf->dir, name) < cap);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* One policy loader reduced to its outcome: loads path against xsd, frees the policy at once,
 * sets *loaded to whether a policy was handed out and returns the loader's code. */
typedef int (*unit_policy_load_fn)(int *loaded, const char *path, const char *xsd,
                                   plaint_error *err);

/* Writes text to pf->dir/name, loads it with load and expects code, no policy, a message that
 * starts "<path>:<line>: " (just "<path>" when line is 0) and contains want, and
 * err.line == line. */
static inline void unit_policy_expect_refused(const unit_policy_files *pf, unit_policy_load_fn load,
                                              const char *name, const char *text, int code,
                                              const char *want, unsigned long line)
{
    char path[4096];
    char prefix[4200];
    plaint_error err;
    int loaded = 0;
    int rc;

    unit_policy_write(path, sizeof(path), pf, name, text);
    plaint_error_init(&err);
    rc = load(&loaded, path, pf->xsd, &err);
    print_message("%s: %s [line %lu]\n", name, err.message, err.line);
    assert_int_equal(rc, code);
    assert_false(loaded);
    /* names the file and the line */
    snprintf(prefix, sizeof(prefix), "%s:%lu: ", path, line);
    if (strncmp(err.message, prefix, strlen(prefix)) != 0 && line != 0) {
        fail_msg("%s: message \"%s\" does not start with \"%s\"", name, err.message, prefix);
    }
    assert_memory_equal(err.message, path, strlen(path));
    if (strstr(err.message, want) == NULL) {
        fail_msg("%s: message \"%s\" lacks \"%s\"", name, err.message, want);
    }
    assert_int_equal(err.line, line);
}

#endif
