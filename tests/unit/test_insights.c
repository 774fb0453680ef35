/* Tests of the pure spike rule of impact control (src/core/insights.c): worked examples with the
 * median and MAD of the trailing windows, each condition exactly at its threshold, no history,
 * a zero baseline, even numbers of windows (upper median), parameter and count limits, and the
 * window arithmetic. The examples are those of docs/insights.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/chain.h"
#include "plaint/insights.h"

static plaint_insights_params params(int64_t min_count, int64_t mad_tenths, int64_t ratio_pct)
{
    plaint_insights_params p;

    p.min_count = min_count;
    p.mad_tenths = mad_tenths;
    p.ratio_pct = ratio_pct;
    return p;
}

/* Decides and asserts the verdict, median, MAD and threshold. */
static void expect(const plaint_insights_params *p, int64_t current, const int64_t *trailing,
                   size_t n, plaint_insights_verdict verdict, int64_t median, int64_t mad,
                   int64_t threshold)
{
    plaint_insights_spike s;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_insights_decide(&s, p, current, trailing, n, &err) != 0) {
        fail_msg("decide(%lld) failed: %s", (long long)current, err.message);
    }
    if (s.verdict != verdict || s.median != median || s.mad != mad || s.threshold != threshold) {
        fail_msg("current %lld: got %s median %lld mad %lld threshold %lld, want %s %lld %lld %lld",
                 (long long)current, plaint_insights_verdict_name(s.verdict), (long long)s.median,
                 (long long)s.mad, (long long)s.threshold, plaint_insights_verdict_name(verdict),
                 (long long)median, (long long)mad, (long long)threshold);
    }
    assert_int_equal(s.spike, verdict == PLAINT_INSIGHTS_SPIKE);
    assert_int_equal(s.current, current);
}

static void test_defaults(void **state)
{
    plaint_insights_params p;

    (void)state;
    memset(&p, 0xff, sizeof(p));
    plaint_insights_params_default(&p);
    assert_int_equal(p.min_count, 5);
    assert_int_equal(p.mad_tenths, 30);
    assert_int_equal(p.ratio_pct, 200);
    assert_int_equal(plaint_insights_params_check(&p, NULL), 0);
}

/* docs/insights.md, example 1: eight weeks [4 6 5 3 5 7 4 5], sorted [3 4 4 5 5 5 6 7]: median
 * 5 (index 4), deviations sorted [0 0 0 1 1 1 2 2]: MAD 1. Threshold max(5, 5 + 3, 10) = 10. */
static void test_worked_weekly(void **state)
{
    const int64_t t[] = {4, 6, 5, 3, 5, 7, 4, 5};
    plaint_insights_params p = params(5, 30, 200);

    (void)state;
    expect(&p, 10, t, 8, PLAINT_INSIGHTS_SPIKE, 5, 1, 10);
    expect(&p, 25, t, 8, PLAINT_INSIGHTS_SPIKE, 5, 1, 10);
    /* 9 is 4 above the median (>= 3 MADs) but under twice the median */
    expect(&p, 9, t, 8, PLAINT_INSIGHTS_BELOW_RATIO, 5, 1, 10);
    /* 7 is 2 above: within 3 MADs */
    expect(&p, 7, t, 8, PLAINT_INSIGHTS_WITHIN_SPREAD, 5, 1, 10);
    expect(&p, 4, t, 8, PLAINT_INSIGHTS_BELOW_MIN, 5, 1, 10);
    expect(&p, 0, t, 8, PLAINT_INSIGHTS_BELOW_MIN, 5, 1, 10);
}

/* Each condition exactly at its threshold is a spike; one below is not. */
static void test_exactly_at_mad_threshold(void **state)
{
    /* sorted [8 9 10 10 10 11 12]: median 10, deviations [0 0 0 1 1 2 2]: MAD 1 */
    const int64_t t[] = {10, 12, 8, 10, 11, 9, 10};
    plaint_insights_params p = params(5, 30, 100);

    (void)state;
    /* 10 * (13 - 10) = 30 >= 30 * 1 */
    expect(&p, 13, t, 7, PLAINT_INSIGHTS_SPIKE, 10, 1, 13);
    expect(&p, 12, t, 7, PLAINT_INSIGHTS_WITHIN_SPREAD, 10, 1, 13);
    /* k = 2.5 MADs: 10 + ceil(25 / 10) = 13 as well; 2.0: 12 */
    p.mad_tenths = 25;
    expect(&p, 13, t, 7, PLAINT_INSIGHTS_SPIKE, 10, 1, 13);
    expect(&p, 12, t, 7, PLAINT_INSIGHTS_WITHIN_SPREAD, 10, 1, 13);
    p.mad_tenths = 20;
    expect(&p, 12, t, 7, PLAINT_INSIGHTS_SPIKE, 10, 1, 12);
}

static void test_exactly_at_ratio_threshold(void **state)
{
    /* flat history: MAD 0 counts as 1, so the MAD part is 10 + 3 = 13; 150% of 10 is 15 */
    const int64_t t[] = {10, 10, 10};
    plaint_insights_params p = params(5, 30, 150);

    (void)state;
    expect(&p, 15, t, 3, PLAINT_INSIGHTS_SPIKE, 10, 0, 15);
    expect(&p, 14, t, 3, PLAINT_INSIGHTS_BELOW_RATIO, 10, 0, 15);
    /* 155% of 10 is 15.5: the threshold rounds up to 16 */
    p.ratio_pct = 155;
    expect(&p, 15, t, 3, PLAINT_INSIGHTS_BELOW_RATIO, 10, 0, 16);
    expect(&p, 16, t, 3, PLAINT_INSIGHTS_SPIKE, 10, 0, 16);
}

static void test_exactly_at_min_count(void **state)
{
    const int64_t t[] = {1, 0, 1, 0, 1};
    plaint_insights_params p = params(6, 30, 200);

    (void)state;
    /* median 1, MAD 0 -> 1: the rule alone would take 4; min_count decides */
    expect(&p, 6, t, 5, PLAINT_INSIGHTS_SPIKE, 1, 0, 6);
    expect(&p, 5, t, 5, PLAINT_INSIGHTS_BELOW_MIN, 1, 0, 6);
}

/* A zero baseline (a new category, or a quiet one): MAD floor 1, so the threshold is
 * max(min_count, k MADs) and any reasonable minimum decides. */
static void test_zero_baseline(void **state)
{
    const int64_t t[] = {0, 0, 0, 0};
    plaint_insights_params p = params(5, 30, 200);

    (void)state;
    expect(&p, 5, t, 4, PLAINT_INSIGHTS_SPIKE, 0, 0, 5);
    expect(&p, 4, t, 4, PLAINT_INSIGHTS_BELOW_MIN, 0, 0, 5);
    expect(&p, 0, t, 4, PLAINT_INSIGHTS_BELOW_MIN, 0, 0, 5);
    p.min_count = 1;
    expect(&p, 3, t, 4, PLAINT_INSIGHTS_SPIKE, 0, 0, 3);
    expect(&p, 2, t, 4, PLAINT_INSIGHTS_WITHIN_SPREAD, 0, 0, 3);
}

/* No trailing window: never a spike, however many complaints. */
static void test_no_history(void **state)
{
    plaint_insights_params p = params(1, 1, 100);
    plaint_insights_spike s;

    (void)state;
    expect(&p, 1000, NULL, 0, PLAINT_INSIGHTS_NO_HISTORY, 0, 0, 0);
    assert_int_equal(plaint_insights_decide(&s, &p, 0, NULL, 0, NULL), 0);
    assert_int_equal(s.verdict, PLAINT_INSIGHTS_NO_HISTORY);
    assert_int_equal(s.spike, 0);
}

/* Even counts of windows take the higher middle value, for the median and for the MAD. */
static void test_upper_median(void **state)
{
    const int64_t a[] = {4, 1, 3, 2};   /* [1 2 3 4]: median 3; deviations [0 1 1 2]: MAD 1 */
    const int64_t b[] = {10, 0, 10, 0}; /* [0 0 10 10]: median 10; deviations [0 0 10 10]: 10 */
    const int64_t c[] = {7};            /* one window: median 7, MAD 0 */
    plaint_insights_params p = params(5, 30, 200);

    (void)state;
    expect(&p, 6, a, 4, PLAINT_INSIGHTS_SPIKE, 3, 1, 6);
    expect(&p, 5, a, 4, PLAINT_INSIGHTS_WITHIN_SPREAD, 3, 1, 6);
    /* 10 + 3 * 10 = 40 */
    expect(&p, 40, b, 4, PLAINT_INSIGHTS_SPIKE, 10, 10, 40);
    expect(&p, 39, b, 4, PLAINT_INSIGHTS_WITHIN_SPREAD, 10, 10, 40);
    expect(&p, 14, c, 1, PLAINT_INSIGHTS_SPIKE, 7, 0, 14);
    expect(&p, 13, c, 1, PLAINT_INSIGHTS_BELOW_RATIO, 7, 0, 14);
}

/* One outlier week in the history moves neither the median nor the MAD much: that is why the
 * rule does not use the mean and standard deviation. */
static void test_outlier_in_history(void **state)
{
    const int64_t t[] = {5, 4, 6, 5, 90, 5, 4, 6};
    plaint_insights_params p = params(5, 30, 200);

    (void)state;
    /* sorted [4 4 5 5 5 6 6 90]: median 5; deviations [0 0 0 1 1 1 1 85]: MAD 1 */
    expect(&p, 10, t, 8, PLAINT_INSIGHTS_SPIKE, 5, 1, 10);
}

/* The order of the trailing windows does not matter, and the input is not changed. */
static void test_order_independent(void **state)
{
    const int64_t a[] = {3, 9, 4, 4, 12, 6};
    const int64_t b[] = {12, 6, 4, 3, 4, 9};
    int64_t copy[6];
    plaint_insights_params p = params(5, 30, 200);
    plaint_insights_spike x;
    plaint_insights_spike y;

    (void)state;
    memcpy(copy, a, sizeof(a));
    assert_int_equal(plaint_insights_decide(&x, &p, 14, copy, 6, NULL), 0);
    assert_memory_equal(copy, a, sizeof(a));
    assert_int_equal(plaint_insights_decide(&y, &p, 14, b, 6, NULL), 0);
    /* [3 4 4 6 9 12]: median 6; deviations [0 2 2 3 3 6]: MAD 3; max(5, 6 + 9, 12) = 15 */
    assert_int_equal(x.median, 6);
    assert_int_equal(x.mad, 3);
    assert_int_equal(x.threshold, 15);
    assert_int_equal(x.verdict, PLAINT_INSIGHTS_WITHIN_SPREAD);
    assert_memory_equal(&x, &y, sizeof(x));
}

/* For many histories and parameters: spike exactly when current >= threshold. */
static void test_threshold_is_exact(void **state)
{
    uint32_t seed = 12345;
    int round;

    (void)state;
    for (round = 0; round < 500; round++) {
        int64_t t[PLAINT_INSIGHTS_MAX_WINDOWS];
        size_t n;
        size_t i;
        int64_t c;
        plaint_insights_spike s;
        plaint_insights_params p;

        seed = seed * 1103515245u + 12345u;
        n = 1 + (seed >> 8) % 20;
        for (i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            t[i] = (int64_t)((seed >> 8) % (round % 3 == 0 ? 4 : 60));
        }
        seed = seed * 1103515245u + 12345u;
        p = params(1 + (int64_t)((seed >> 8) % 10), 1 + (int64_t)((seed >> 12) % 60),
                   100 + (int64_t)((seed >> 16) % 300));
        assert_int_equal(plaint_insights_decide(&s, &p, 0, t, n, NULL), 0);
        for (c = 0; c <= s.threshold + 3; c++) {
            plaint_insights_spike d;

            assert_int_equal(plaint_insights_decide(&d, &p, c, t, n, NULL), 0);
            assert_int_equal(d.threshold, s.threshold);
            if (d.spike != (c >= s.threshold)) {
                fail_msg("round %d: current %lld threshold %lld spike %d", round, (long long)c,
                         (long long)s.threshold, d.spike);
            }
        }
    }
}

/* The largest counts and parameters do not overflow. */
static void test_limits(void **state)
{
    const int64_t big = PLAINT_INSIGHTS_COUNT_MAX;
    int64_t t[PLAINT_INSIGHTS_MAX_WINDOWS];
    plaint_insights_params p = params(PLAINT_INSIGHTS_COUNT_MAX, PLAINT_INSIGHTS_MAD_TENTHS_MAX,
                                      PLAINT_INSIGHTS_RATIO_PCT_MAX);
    size_t i;

    (void)state;
    for (i = 0; i < PLAINT_INSIGHTS_MAX_WINDOWS; i++) {
        t[i] = i % 2 == 0 ? big : 0;
    }
    /* 366 windows, 183 at 0 and 183 at 10^12: upper median 10^12, MAD 10^12;
     * threshold max(10^12, 10^12 + 100 * 10^12, 1000 * 10^12) = 10^15 */
    expect(&p, big, t, PLAINT_INSIGHTS_MAX_WINDOWS, PLAINT_INSIGHTS_WITHIN_SPREAD, big, big,
           1000 * big);
}

static void test_bad_params(void **state)
{
    const int64_t t[] = {1, 2, 3};
    plaint_insights_params p;
    plaint_insights_spike s;
    plaint_error err;

    (void)state;
    p = params(0, 30, 200);
    plaint_error_init(&err);
    memset(&s, 0x55, sizeof(s));
    assert_int_equal(plaint_insights_decide(&s, &p, 1, t, 3, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "min_count");
    assert_int_equal(s.threshold, 0);
    assert_int_equal(s.spike, 0);
    p = params(PLAINT_INSIGHTS_COUNT_MAX + 1, 30, 200);
    assert_int_equal(plaint_insights_params_check(&p, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "min_count");
    p = params(5, 0, 200);
    assert_int_equal(plaint_insights_params_check(&p, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "mad_tenths");
    p = params(5, PLAINT_INSIGHTS_MAD_TENTHS_MAX + 1, 200);
    assert_int_equal(plaint_insights_params_check(&p, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "mad_tenths");
    p = params(5, 30, 99);
    assert_int_equal(plaint_insights_params_check(&p, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "ratio_pct");
    p = params(5, 30, PLAINT_INSIGHTS_RATIO_PCT_MAX + 1);
    assert_int_equal(plaint_insights_params_check(&p, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "ratio_pct");
    assert_int_equal(plaint_insights_params_check(NULL, &err), PLAINT_EINVALID);
    assert_int_equal(plaint_insights_decide(&s, NULL, 1, t, 3, NULL), PLAINT_EINVALID);
    p = params(1, 1, 100);
    assert_int_equal(plaint_insights_params_check(&p, NULL), 0);
}

static void test_bad_counts(void **state)
{
    int64_t t[] = {1, 2, 3};
    plaint_insights_params p = params(5, 30, 200);
    plaint_insights_spike s;
    plaint_error err;

    (void)state;
    plaint_error_init(&err);
    assert_int_equal(plaint_insights_decide(&s, &p, -1, t, 3, &err), PLAINT_EINVALID);
    assert_int_equal(plaint_insights_decide(&s, &p, PLAINT_INSIGHTS_COUNT_MAX + 1, t, 3, &err),
                     PLAINT_ERANGE);
    t[1] = -2;
    assert_int_equal(plaint_insights_decide(&s, &p, 1, t, 3, &err), PLAINT_EINVALID);
    assert_non_null(strstr(err.message, "-2"));
    t[1] = PLAINT_INSIGHTS_COUNT_MAX + 1;
    assert_int_equal(plaint_insights_decide(&s, &p, 1, t, 3, &err), PLAINT_ERANGE);
    assert_int_equal(plaint_insights_decide(&s, &p, 1, NULL, 3, &err), PLAINT_EINVALID);
    assert_int_equal(plaint_insights_decide(&s, &p, 1, t, PLAINT_INSIGHTS_MAX_WINDOWS + 1, &err),
                     PLAINT_ERANGE);
    assert_int_equal(plaint_insights_decide(NULL, &p, 1, t, 3, &err), PLAINT_EINVALID);
}

static void test_verdict_names(void **state)
{
    (void)state;
    assert_string_equal(plaint_insights_verdict_name(PLAINT_INSIGHTS_SPIKE), "spike");
    assert_string_equal(plaint_insights_verdict_name(PLAINT_INSIGHTS_NO_HISTORY), "no_history");
    assert_string_equal(plaint_insights_verdict_name(PLAINT_INSIGHTS_BELOW_MIN), "below_min_count");
    assert_string_equal(plaint_insights_verdict_name(PLAINT_INSIGHTS_WITHIN_SPREAD),
                        "within_spread");
    assert_string_equal(plaint_insights_verdict_name(PLAINT_INSIGHTS_BELOW_RATIO), "below_ratio");
    assert_null(plaint_insights_verdict_name((plaint_insights_verdict)99));
}

static int64_t at(const char *t)
{
    int64_t us = 0;

    assert_int_equal(plaint_time_parse(&us, t, strlen(t), NULL), 0);
    return us;
}

static void expect_window(int64_t end, int64_t days, size_t index, const char *from, const char *to)
{
    int64_t f = 0;
    int64_t t = 0;

    assert_int_equal(plaint_insights_window(&f, &t, end, days, index, NULL), 0);
    assert_int_equal(f, at(from));
    assert_int_equal(t, at(to));
}

static void test_windows(void **state)
{
    int64_t end = at("2026-03-16T00:00:00.000000Z");
    int64_t f;
    int64_t t;

    (void)state;
    expect_window(end, 7, 0, "2026-03-09T00:00:00.000000Z", "2026-03-16T00:00:00.000000Z");
    expect_window(end, 7, 1, "2026-03-02T00:00:00.000000Z", "2026-03-09T00:00:00.000000Z");
    /* UTC days: the DST change in Europe (29 March) does not shorten a window */
    expect_window(at("2026-04-01T10:30:00.000000Z"), 7, 0, "2026-03-25T10:30:00.000000Z",
                  "2026-04-01T10:30:00.000000Z");
    /* across February of a leap year */
    expect_window(at("2024-03-01T00:00:00.000000Z"), 1, 1, "2024-02-28T00:00:00.000000Z",
                  "2024-02-29T00:00:00.000000Z");
    expect_window(end, 30, 2, "2025-12-16T00:00:00.000000Z", "2026-01-15T00:00:00.000000Z");
    assert_int_equal(plaint_insights_window(&f, &t, end, 0, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(
        plaint_insights_window(&f, &t, end, PLAINT_INSIGHTS_MAX_WINDOW_DAYS + 1, 0, NULL),
        PLAINT_EINVALID);
    assert_int_equal(plaint_insights_window(&f, &t, end, 7, PLAINT_INSIGHTS_MAX_WINDOWS + 1, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_insights_window(&f, &t, INT64_MIN + 1, 1, 0, NULL), PLAINT_ERANGE);
    assert_int_equal(plaint_insights_window(&f, &t, end, PLAINT_INSIGHTS_MAX_WINDOW_DAYS,
                                            PLAINT_INSIGHTS_MAX_WINDOWS, NULL),
                     0);
    assert_int_equal(t - f, (int64_t)PLAINT_INSIGHTS_MAX_WINDOW_DAYS * 86400 * 1000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_worked_weekly),
        cmocka_unit_test(test_exactly_at_mad_threshold),
        cmocka_unit_test(test_exactly_at_ratio_threshold),
        cmocka_unit_test(test_exactly_at_min_count),
        cmocka_unit_test(test_zero_baseline),
        cmocka_unit_test(test_no_history),
        cmocka_unit_test(test_upper_median),
        cmocka_unit_test(test_outlier_in_history),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_threshold_is_exact),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_bad_counts),
        cmocka_unit_test(test_verdict_names),
        cmocka_unit_test(test_windows),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
