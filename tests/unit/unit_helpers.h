/* Helpers shared by the unit tests of the ledger core: hex assertions, keys and test events.
 * Header-only (static inline) because tests/CMakeLists.txt builds one executable per test_*.c. */
#ifndef PLAINT_TESTS_UNIT_HELPERS_H
#define PLAINT_TESTS_UNIT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/buf.h"
#include "plaint/chain.h"
#include "plaint/digest.h"
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

#endif
