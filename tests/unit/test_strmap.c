/* Unit tests for the string-keyed hash map (src/util/strmap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/strmap.h"

#define MANY 100000

typedef struct value {
    int64_t n;
    unsigned char tag[24];
} value;

static int setup(void **state)
{
    plaint_strmap *m = NULL;

    assert_int_equal(plaint_strmap_new(&m, sizeof(value), NULL), 0);
    assert_non_null(m);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    plaint_strmap_free(*state);
    return 0;
}

/* Upserts key (len bytes) and returns its value; *created gets the flag. */
static value *upsert(plaint_strmap *m, const char *key, size_t len, int *created)
{
    void *slot = NULL;

    *created = -1;
    assert_int_equal(plaint_strmap_upsert(m, key, len, &slot, created, NULL), 0);
    assert_non_null(slot);
    /* Values are aligned for any member type a caller may store (int64_t at least). */
    assert_int_equal((uintptr_t)slot % sizeof(int64_t), 0);
    return slot;
}

static size_t key_of(char *buf, size_t cap, int i)
{
    int n = snprintf(buf, cap, "case-%d", i);

    assert_true(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

static void test_upsert_and_get_semantics(void **state)
{
    plaint_strmap *m = *state;
    const value zero = {0, {0}};
    char buf[6] = "gamma";
    value *v;
    value *again;
    int created;

    assert_int_equal(plaint_strmap_count(m), 0);
    assert_null(plaint_strmap_get(m, "a", 1));

    v = upsert(m, "alpha", 5, &created);
    assert_int_equal(created, 1);
    assert_memory_equal(v, &zero, sizeof(zero));
    v->n = 7;
    v->tag[23] = 0xee;
    assert_int_equal(plaint_strmap_count(m), 1);

    again = upsert(m, "alpha", 5, &created);
    assert_int_equal(created, 0);
    assert_ptr_equal(again, v);
    assert_int_equal(again->n, 7);
    assert_int_equal(again->tag[23], 0xee);
    assert_int_equal(plaint_strmap_count(m), 1);

    assert_ptr_equal(plaint_strmap_get(m, "alpha", 5), v);
    assert_null(plaint_strmap_get(m, "alph", 4));
    assert_null(plaint_strmap_get(m, "alphab", 6));
    assert_null(plaint_strmap_get(m, "Alpha", 5));

    /* The key is copied: the caller's buffer may change afterwards. */
    upsert(m, buf, 5, &created);
    assert_int_equal(created, 1);
    memcpy(buf, "delta", 5);
    assert_non_null(plaint_strmap_get(m, "gamma", 5));
    assert_null(plaint_strmap_get(m, buf, 5));

    /* The empty key is a key like any other. */
    v = upsert(m, "", 0, &created);
    assert_int_equal(created, 1);
    v->n = -1;
    assert_ptr_equal(plaint_strmap_get(m, "", 0), v);
    assert_int_equal(plaint_strmap_count(m), 3);
}

/* Keys are length-delimited byte strings: prefixes and NUL-free binary bytes are distinct. */
static void test_prefixes_and_binary_keys(void **state)
{
    plaint_strmap *m = *state;
    char key[256];
    size_t len;
    value *v;
    int created;

    /* "", "x", "xx", ... 255 x's: every one a prefix of the next. */
    memset(key, 'x', sizeof(key));
    for (len = 0; len < sizeof(key); len++) {
        v = upsert(m, key, len, &created);
        assert_int_equal(created, 1);
        v->n = (int64_t)len;
    }
    /* Every byte value but NUL, alone and after a common prefix. */
    for (len = 1; len < 256; len++) {
        char one = (char)len;
        char two[2] = {'x', (char)len};
        v = upsert(m, &one, 1, &created);
        assert_int_equal(created, len == 'x' ? 0 : 1);
        if (len != 'x') {
            v->n = 1000 + (int64_t)len;
        }
        v = upsert(m, two, 2, &created);
        assert_int_equal(created, len == 'x' ? 0 : 1);
        if (len != 'x') {
            v->n = 2000 + (int64_t)len;
        }
    }
    assert_int_equal(plaint_strmap_count(m), 256 + 254 + 254);
    for (len = 0; len < sizeof(key); len++) {
        v = plaint_strmap_get(m, key, len);
        assert_non_null(v);
        assert_int_equal(v->n, (int64_t)len);
    }
    for (len = 1; len < 256; len++) {
        char one = (char)len;
        char two[2] = {'x', (char)len};
        if (len == 'x') {
            continue;
        }
        v = plaint_strmap_get(m, &one, 1);
        assert_non_null(v);
        assert_int_equal(v->n, 1000 + (int64_t)len);
        v = plaint_strmap_get(m, two, 2);
        assert_non_null(v);
        assert_int_equal(v->n, 2000 + (int64_t)len);
    }
    /* High bytes, as in UTF-8 case ids. */
    v = upsert(m, "\xc3\xa9\xff\x80", 4, &created);
    assert_int_equal(created, 1);
    assert_null(plaint_strmap_get(m, "\xc3\xa9\xff\x81", 4));
    assert_ptr_equal(plaint_strmap_get(m, "\xc3\xa9\xff\x80", 4), v);
}

/* 100k keys through many doublings: every key keeps its own value and is found again. */
static void test_many_inserts_with_growth(void **state)
{
    plaint_strmap *m = *state;
    char key[32];
    value *v;
    int created;
    int i;

    for (i = 0; i < MANY; i++) {
        size_t len = key_of(key, sizeof(key), i);
        v = upsert(m, key, len, &created);
        assert_int_equal(created, 1);
        v->n = i;
        v->tag[0] = (unsigned char)i;
        assert_int_equal(plaint_strmap_count(m), (size_t)i + 1);
    }
    for (i = 0; i < MANY; i++) {
        size_t len = key_of(key, sizeof(key), i);
        v = plaint_strmap_get(m, key, len);
        assert_non_null(v);
        assert_int_equal(v->n, i);
        assert_int_equal(v->tag[0], (unsigned char)i);
    }
    /* Upserting again creates nothing and keeps the values. */
    for (i = 0; i < MANY; i += 7) {
        size_t len = key_of(key, sizeof(key), i);
        v = upsert(m, key, len, &created);
        assert_int_equal(created, 0);
        assert_int_equal(v->n, i);
    }
    assert_int_equal(plaint_strmap_count(m), MANY);
    for (i = MANY; i < MANY + 1000; i++) {
        size_t len = key_of(key, sizeof(key), i);
        assert_null(plaint_strmap_get(m, key, len));
    }
}

/* Values larger than a cache line, and zero-sized values, both work. */
static void test_value_sizes(void **state)
{
    plaint_strmap *big = NULL;
    plaint_strmap *none = NULL;
    unsigned char *v;
    void *slot = NULL;
    int created = 0;
    size_t i;

    (void)state;
    assert_int_equal(plaint_strmap_new(&big, 1000, NULL), 0);
    assert_int_equal(plaint_strmap_upsert(big, "k", 1, &slot, &created, NULL), 0);
    v = slot;
    for (i = 0; i < 1000; i++) {
        assert_int_equal(v[i], 0);
        v[i] = (unsigned char)i;
    }
    for (i = 0; i < 200; i++) {
        char key[16];
        int n = snprintf(key, sizeof(key), "k%zu", i);
        assert_int_equal(plaint_strmap_upsert(big, key, (size_t)n, &slot, &created, NULL), 0);
    }
    v = plaint_strmap_get(big, "k", 1);
    assert_non_null(v);
    assert_int_equal(v[999], (unsigned char)999);
    plaint_strmap_free(big);

    assert_int_equal(plaint_strmap_new(&none, 0, NULL), 0);
    assert_int_equal(plaint_strmap_upsert(none, "set", 3, &slot, &created, NULL), 0);
    assert_int_equal(created, 1);
    assert_non_null(plaint_strmap_get(none, "set", 3));
    assert_int_equal(plaint_strmap_count(none), 1);
    plaint_strmap_free(none);
    plaint_strmap_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upsert_and_get_semantics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefixes_and_binary_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_inserts_with_growth, setup, teardown),
        cmocka_unit_test(test_value_sizes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
