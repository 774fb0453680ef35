/* The pure parts of plaint serve: the token bucket and the table of buckets by client address
 * (src/core/ratelimit.c), route matching (src/net/http_route.c), and the metrics labels
 * (src/net/http_server.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "core/ratelimit.h"
#include "net/http_route.h"
#include "net/http_server.h"

static void test_bucket_burst_then_refill(void **state)
{
    plaint_ratelimit_bucket b = {0, 0};
    int64_t t = 1000000000; /* any start time */
    int i;

    (void)state;
    for (i = 0; i < 3; i++) { /* starts full: burst 3 */
        assert_int_equal(plaint_ratelimit_take(&b, t, 2, 3), 1);
    }
    assert_int_equal(plaint_ratelimit_take(&b, t, 2, 3), 0);
    /* 2 per second: one token after 500 ms, not after 499 ms */
    assert_int_equal(plaint_ratelimit_take(&b, t + 499000, 2, 3), 0);
    assert_int_equal(plaint_ratelimit_take(&b, t + 500000, 2, 3), 1);
    assert_int_equal(plaint_ratelimit_take(&b, t + 500000, 2, 3), 0);
    /* a long pause refills to the burst, not beyond */
    t += 3600LL * 1000000;
    for (i = 0; i < 3; i++) {
        assert_int_equal(plaint_ratelimit_take(&b, t, 2, 3), 1);
    }
    assert_int_equal(plaint_ratelimit_take(&b, t, 2, 3), 0);
}

static void test_bucket_clock_backwards_and_off(void **state)
{
    plaint_ratelimit_bucket b = {0, 0};

    (void)state;
    assert_int_equal(plaint_ratelimit_take(&b, 5000000, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_take(&b, 1000000, 1, 1), 0); /* earlier: no refill */
    assert_int_equal(plaint_ratelimit_take(&b, 5999999, 1, 1), 0);
    assert_int_equal(plaint_ratelimit_take(&b, 6000000, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_take(&b, 6000000, 0, 1), 1); /* rate 0: no limit */
    assert_int_equal(plaint_ratelimit_take(&b, 6000000, 1, 0), 1);
    /* huge values do not overflow */
    memset(&b, 0, sizeof(b));
    assert_int_equal(plaint_ratelimit_take(&b, 1, INT64_MAX, INT64_MAX), 1);
    assert_int_equal(plaint_ratelimit_take(&b, INT64_MAX, INT64_MAX, INT64_MAX), 1);
}

static void test_route_match(void **state)
{
    char p[16];

    (void)state;
    assert_int_equal(plaint_http_route_match("/api/v1/tasks", "/api/v1/tasks", p, sizeof(p)), 1);
    assert_int_equal(plaint_http_route_match("/api/v1/tasks", "/api/v1/tasks/", p, sizeof(p)), 0);
    assert_int_equal(plaint_http_route_match("/api/v1/tasks", "/api/v1/task", p, sizeof(p)), 0);
    assert_int_equal(plaint_http_route_match("/api/v1/complaints/{ref}",
                                             "/api/v1/complaints/CMP-2026-000001", p, sizeof(p)),
                     1);
    assert_string_equal(p, "CMP-2026-000001");
    assert_int_equal(plaint_http_route_match("/api/v1/complaints/{ref}/notes",
                                             "/api/v1/complaints/CMP-1/notes", p, sizeof(p)),
                     1);
    assert_string_equal(p, "CMP-1");
    /* the parameter is one non-empty segment of safe characters */
    assert_int_equal(plaint_http_route_match("/c/{ref}", "/c/", p, sizeof(p)), 0);
    assert_int_equal(plaint_http_route_match("/c/{ref}", "/c/a/b", p, sizeof(p)), 0);
    assert_int_equal(plaint_http_route_match("/c/{ref}", "/c/a%20b", p, sizeof(p)), 0);
    assert_int_equal(plaint_http_route_match("/c/{ref}", "/c/a'b", p, sizeof(p)), 0);
    assert_int_equal(plaint_http_route_match("/c/{ref}/notes", "/c/x/note", p, sizeof(p)), 0);
    /* too long for the buffer: no match, nothing overrun */
    assert_int_equal(plaint_http_route_match("/c/{ref}", "/c/0123456789abcdef", p, sizeof(p)), 0);
    assert_int_equal(plaint_http_route_match("/c/{ref}", "/c/0123456789abcde", p, sizeof(p)), 1);
    assert_int_equal(plaint_http_route_match("/c/{ref}", "/c/x", NULL, 0), 0);
}

/* Two addresses never share a bucket, however small the table: each keeps its own state. The old
 * table (a hash into 1024 slots, the slot reset when another address hashed there) let
 * 10.0.0.1 and its colliding partner reset each other's bucket. */
static void test_table_exact_keys(void **state)
{
    plaint_ratelimit_slot slots[4];
    plaint_ratelimit_table t;
    const char *ips[4] = {"10.0.0.1", "10.0.0.2", "2001:db8::1", "192.168.100.200"};
    int64_t now = 1000000;
    int i;
    int k;

    (void)state;
    plaint_ratelimit_table_init(&t, slots, 4);
    /* burst 2, rate 1/s: each address gets exactly 2 at once, interleaved */
    for (k = 0; k < 2; k++) {
        for (i = 0; i < 4; i++) {
            assert_int_equal(plaint_ratelimit_table_take(&t, ips[i], now, 1, 2), 1);
        }
    }
    for (i = 0; i < 4; i++) {
        assert_int_equal(plaint_ratelimit_table_take(&t, ips[i], now, 1, 2), 0);
    }
    assert_int_equal((int)t.used, 4);
    /* every slot holds one of the keys, each once */
    for (i = 0; i < 4; i++) {
        int seen = 0;
        for (k = 0; k < 4; k++) {
            seen += strcmp(slots[k].key, ips[i]) == 0;
        }
        assert_int_equal(seen, 1);
    }
    /* a prefix or an extension of a key is another key */
    plaint_ratelimit_table_init(&t, slots, 2);
    assert_int_equal(plaint_ratelimit_table_take(&t, "10.0.0.1", now, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_table_take(&t, "10.0.0.1", now, 1, 1), 0);
    assert_int_equal(plaint_ratelimit_table_take(&t, "10.0.0.10", now, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_table_take(&t, "10.0.0.1", now, 1, 1), 0);
    assert_int_equal(plaint_ratelimit_table_take(&t, "10.0.0.10", now, 1, 1), 0);
}

/* The colliding pair of the old table, found here by its own hash (FNV-1a mod 1024): an attacker
 * at one address could reset the other's bucket by sending one request. */
static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

static void test_table_old_collision(void **state)
{
    plaint_ratelimit_slot *slots = calloc(1024, sizeof(*slots));
    plaint_ratelimit_table t;
    char victim[] = "203.0.113.7";
    char other[32] = "";
    int64_t now = 5000000;
    int i;

    (void)state;
    assert_non_null(slots);
    for (i = 0; i < 65536 && other[0] == '\0'; i++) {
        char cand[32];
        snprintf(cand, sizeof(cand), "198.51.%d.%d", i / 256, i % 256);
        if (fnv(cand) % 1024 == fnv(victim) % 1024) {
            snprintf(other, sizeof(other), "%s", cand);
        }
    }
    assert_true(other[0] != '\0');
    plaint_ratelimit_table_init(&t, slots, 1024);
    assert_int_equal(plaint_ratelimit_table_take(&t, victim, now, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_table_take(&t, victim, now, 1, 1), 0);
    /* the colliding address gets its own bucket, and the victim's stays empty */
    assert_int_equal(plaint_ratelimit_table_take(&t, other, now, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_table_take(&t, victim, now + 1, 1, 1), 0);
    assert_int_equal(plaint_ratelimit_table_take(&t, other, now + 1, 1, 1), 0);
    free(slots);
}

/* Full table: a new address takes the bucket refilled longest ago; the others keep theirs. */
static void test_table_evicts_oldest(void **state)
{
    plaint_ratelimit_slot slots[3];
    plaint_ratelimit_table t;

    (void)state;
    plaint_ratelimit_table_init(&t, slots, 3);
    assert_int_equal(plaint_ratelimit_table_take(&t, "a", 1000, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_table_take(&t, "b", 2000, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_table_take(&t, "c", 3000, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_table_take(&t, "a", 4000, 1, 1), 0); /* a used again */
    assert_int_equal((int)t.used, 3);
    /* d: b is the oldest refill (2000) and goes */
    assert_int_equal(plaint_ratelimit_table_take(&t, "d", 5000, 1, 1), 1);
    assert_int_equal((int)t.used, 3);
    assert_int_equal(plaint_ratelimit_table_take(&t, "a", 5000, 1, 1), 0); /* kept: still empty */
    assert_int_equal(plaint_ratelimit_table_take(&t, "c", 5000, 1, 1), 0); /* kept */
    assert_int_equal(plaint_ratelimit_table_take(&t, "d", 5000, 1, 1), 0);
    /* b comes back with a full bucket (a, c and d were all refilled at 5000: one of them goes) */
    assert_int_equal(plaint_ratelimit_table_take(&t, "b", 6000, 1, 1), 1);
    {
        int i;
        int nb = 0;
        for (i = 0; i < 3; i++) {
            nb += strcmp(slots[i].key, "b") == 0;
        }
        assert_int_equal(nb, 1);
    }
}

static void test_table_bad_keys(void **state)
{
    plaint_ratelimit_slot slots[2];
    plaint_ratelimit_table t;
    char longkey[PLAINT_RATELIMIT_KEY_MAX + 1];

    (void)state;
    plaint_ratelimit_table_init(&t, slots, 2);
    memset(longkey, 'x', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    assert_int_equal(plaint_ratelimit_table_take(&t, "", 1, 1, 1), -1);
    assert_int_equal(plaint_ratelimit_table_take(&t, longkey, 1, 1, 1), -1);
    longkey[PLAINT_RATELIMIT_KEY_MAX] = '\0'; /* 48 characters: still too long */
    assert_int_equal(plaint_ratelimit_table_take(&t, longkey, 1, 1, 1), -1);
    longkey[PLAINT_RATELIMIT_KEY_MAX - 1] = '\0'; /* 47: fits */
    assert_int_equal(plaint_ratelimit_table_take(&t, longkey, 1, 1, 1), 1);
    assert_int_equal(plaint_ratelimit_table_take(&t, longkey, 1, 1, 1), 0);
    assert_int_equal((int)t.used, 1);
}

static void test_metrics_labels(void **state)
{
    plaint_buf b = PLAINT_BUF_INIT;

    (void)state;
    assert_string_equal(plaint_http_method_label("GET"), "GET");
    assert_string_equal(plaint_http_method_label("OPTIONS"), "OPTIONS");
    assert_string_equal(plaint_http_method_label("PATCH"), "PATCH");
    assert_string_equal(plaint_http_method_label("get"), "OTHER");
    assert_string_equal(plaint_http_method_label("BREW"), "OTHER");
    assert_string_equal(plaint_http_method_label("GETX"), "OTHER");
    assert_string_equal(plaint_http_method_label(""), "OTHER");
    assert_string_equal(plaint_http_method_label(NULL), "OTHER");
    /* the same static string for every call: labels never point into request memory */
    assert_ptr_equal(plaint_http_method_label("DELETE"), plaint_http_method_label("DELETE"));
    plaint_http_label_escape(&b, "a\\b\"c\nd/{ref}");
    plaint_buf_append_byte(&b, 0, NULL);
    assert_string_equal((const char *)b.data, "a\\\\b\\\"c\\nd/{ref}");
    plaint_buf_clear(&b);
}

/* peek answers what take would, without taking. */
static void test_table_peek(void **state)
{
    plaint_ratelimit_slot slots[4];
    plaint_ratelimit_table t;
    (void)state;

    plaint_ratelimit_table_init(&t, slots, 4);
    assert_int_equal(plaint_ratelimit_table_peek(&t, "a", 1000, 1, 2), 1); /* unknown: full */
    assert_int_equal(plaint_ratelimit_table_peek(&t, "", 1000, 1, 2), -1);
    assert_int_equal(plaint_ratelimit_table_take(&t, "a", 1000, 1, 2), 1);
    assert_int_equal(plaint_ratelimit_table_peek(&t, "a", 1000, 1, 2), 1);
    assert_int_equal(plaint_ratelimit_table_peek(&t, "a", 1000, 1, 2), 1); /* still: no take */
    assert_int_equal(plaint_ratelimit_table_take(&t, "a", 1000, 1, 2), 1);
    assert_int_equal(plaint_ratelimit_table_peek(&t, "a", 1000, 1, 2), 0); /* empty */
    assert_int_equal(plaint_ratelimit_table_take(&t, "a", 1000, 1, 2), 0);
    assert_int_equal(plaint_ratelimit_table_peek(&t, "a", 1000 + 1000000, 1, 2), 1); /* refilled */
    assert_int_equal(plaint_ratelimit_table_peek(&t, "b", 1000, 1, 2), 1);
}

/* The limit key: IPv4 as it is, IPv6 by its /64 (two addresses of one /64 share a bucket, of
 * two /64s do not), IPv4-mapped IPv6 as it is. */
static void test_limit_key(void **state)
{
    char a[64];
    char b[64];
    (void)state;

    plaint_http_limit_key(a, sizeof(a), "192.0.2.7");
    assert_string_equal(a, "192.0.2.7");
    plaint_http_limit_key(a, sizeof(a), "2001:db8:1:2:aaaa:bbbb:cccc:dddd");
    plaint_http_limit_key(b, sizeof(b), "2001:db8:1:2::1");
    assert_string_equal(a, "2001:db8:1:2::/64");
    assert_string_equal(a, b);
    plaint_http_limit_key(b, sizeof(b), "2001:db8:1:3::1");
    assert_string_not_equal(a, b);
    plaint_http_limit_key(a, sizeof(a), "::ffff:192.0.2.7");
    assert_string_equal(a, "::ffff:192.0.2.7");
    plaint_http_limit_key(a, sizeof(a), "-");
    assert_string_equal(a, "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_burst_then_refill),
        cmocka_unit_test(test_bucket_clock_backwards_and_off),
        cmocka_unit_test(test_route_match),
        cmocka_unit_test(test_table_exact_keys),
        cmocka_unit_test(test_table_old_collision),
        cmocka_unit_test(test_table_evicts_oldest),
        cmocka_unit_test(test_table_bad_keys),
        cmocka_unit_test(test_metrics_labels),
        cmocka_unit_test(test_limit_key),
        cmocka_unit_test(test_table_peek),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
