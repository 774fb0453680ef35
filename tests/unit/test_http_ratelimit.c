/* The pure parts of plaint serve: the token bucket (src/core/ratelimit.c) and route matching
 * (src/net/http_route.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/ratelimit.h"
#include "net/http_route.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_burst_then_refill),
        cmocka_unit_test(test_bucket_clock_backwards_and_off),
        cmocka_unit_test(test_route_match),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
