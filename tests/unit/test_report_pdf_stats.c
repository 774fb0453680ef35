/* The figures of the PDF reports: mean (half-even), exact median, per mille, buckets, text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/app_report_pdf.h"

static void test_mean(void **state)
{
    int64_t a[] = {1, 2};
    int64_t b[] = {1, 2, 2, 2};     /* 7/4 = 1.75 -> 2 */
    int64_t c[] = {3, 4};           /* 3.5 -> 4 (even) */
    int64_t d[] = {5, 6};           /* 5.5 -> 6 */
    int64_t e[] = {-3, -4};         /* -3.5 -> -4 */
    int64_t big[] = {INT64_MAX, 1}; /* overflows */
    int64_t out = 99;
    (void)state;

    assert_int_equal(plaint_rpt_mean(&out, a, 2, NULL), 0);
    assert_int_equal(out, 2); /* 1.5 -> 2 (even) */
    assert_int_equal(plaint_rpt_mean(&out, b, 4, NULL), 0);
    assert_int_equal(out, 2);
    assert_int_equal(plaint_rpt_mean(&out, c, 2, NULL), 0);
    assert_int_equal(out, 4);
    assert_int_equal(plaint_rpt_mean(&out, d, 2, NULL), 0);
    assert_int_equal(out, 6);
    assert_int_equal(plaint_rpt_mean(&out, e, 2, NULL), 0);
    assert_int_equal(out, -4);
    assert_int_equal(plaint_rpt_mean(&out, a, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_rpt_mean(&out, big, 2, NULL), PLAINT_ERANGE);
}

static void test_median(void **state)
{
    int64_t odd[] = {9, 1, 5};
    int64_t even[] = {10, 1, 4, 7}; /* (4 + 7) / 2 = 5.5 */
    int64_t one[] = {42};
    int64_t big[] = {INT64_MAX, INT64_MAX};
    int64_t out = 0;
    (void)state;

    assert_int_equal(plaint_rpt_median2(&out, odd, 3, NULL), 0);
    assert_int_equal(out, 10);
    assert_int_equal(odd[0], 1); /* sorted in place */
    assert_int_equal(plaint_rpt_median2(&out, even, 4, NULL), 0);
    assert_int_equal(out, 11);
    assert_int_equal(plaint_rpt_median2(&out, one, 1, NULL), 0);
    assert_int_equal(out, 84);
    assert_int_equal(plaint_rpt_median2(&out, one, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_rpt_median2(&out, big, 2, NULL), PLAINT_ERANGE);
}

/* Against a brute-force reference over many random arrays. */
static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static void test_median_random(void **state)
{
    int64_t v[64];
    int64_t w[64];
    unsigned seed = 12345;
    int round;
    (void)state;

    for (round = 0; round < 2000; round++) {
        size_t n = 1 + (size_t)(round % 64);
        size_t i;
        int64_t out = 0;
        int64_t want;

        for (i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            v[i] = (int64_t)(seed >> 8) % 10000000 - 5000000;
            w[i] = v[i];
        }
        qsort(w, n, sizeof(*w), cmp);
        want = n % 2 ? 2 * w[n / 2] : w[n / 2 - 1] + w[n / 2];
        assert_int_equal(plaint_rpt_median2(&out, v, n, NULL), 0);
        assert_int_equal(out, want);
    }
}

static void test_permille(void **state)
{
    (void)state;
    assert_int_equal(plaint_rpt_permille(1, 3), 333);
    assert_int_equal(plaint_rpt_permille(2, 3), 667);
    assert_int_equal(plaint_rpt_permille(1, 8), 125);  /* 125 exactly */
    assert_int_equal(plaint_rpt_permille(1, 16), 62);  /* 62.5 -> 62 (even) */
    assert_int_equal(plaint_rpt_permille(3, 16), 188); /* 187.5 -> 188 (even) */
    assert_int_equal(plaint_rpt_permille(5, 5), 1000);
    assert_int_equal(plaint_rpt_permille(0, 5), 0);
    assert_int_equal(plaint_rpt_permille(0, 0), 0);
    assert_int_equal(plaint_rpt_permille(6, 5), 0); /* out of range */
}

static void test_buckets(void **state)
{
    (void)state;
    assert_int_equal(plaint_rpt_bucket(-5), 0);
    assert_int_equal(plaint_rpt_bucket(0), 0);
    assert_int_equal(plaint_rpt_bucket(86399), 0);
    assert_int_equal(plaint_rpt_bucket(86400), 1);
    assert_int_equal(plaint_rpt_bucket(3 * 86400 - 1), 1);
    assert_int_equal(plaint_rpt_bucket(3 * 86400), 2);
    assert_int_equal(plaint_rpt_bucket(7 * 86400), 3);
    assert_int_equal(plaint_rpt_bucket(14 * 86400), 4);
    assert_int_equal(plaint_rpt_bucket(28 * 86400), 5);
    assert_int_equal(plaint_rpt_bucket(56 * 86400), 6);
    assert_int_equal(plaint_rpt_bucket(182 * 86400 - 1), 6);
    assert_int_equal(plaint_rpt_bucket(182 * 86400), 7);
    assert_int_equal(plaint_rpt_bucket(INT64_MAX), 7);
    assert_string_equal(plaint_rpt_bucket_label(0), "< 1 day");
    assert_string_equal(plaint_rpt_bucket_label(7), ">= 26 weeks");
    assert_string_equal(plaint_rpt_bucket_label(8), "");
}

static void test_text(void **state)
{
    char b[48];
    (void)state;

    assert_string_equal(plaint_rpt_fmt_count(b, sizeof(b), 0), "0");
    assert_string_equal(plaint_rpt_fmt_count(b, sizeof(b), 999), "999");
    assert_string_equal(plaint_rpt_fmt_count(b, sizeof(b), 1000), "1,000");
    assert_string_equal(plaint_rpt_fmt_count(b, sizeof(b), 1234567), "1,234,567");
    assert_string_equal(plaint_rpt_fmt_count(b, sizeof(b), -1234), "-1,234");
    assert_string_equal(plaint_rpt_fmt_count(b, sizeof(b), INT64_MIN),
                        "-9,223,372,036,854,775,808");
    assert_string_equal(plaint_rpt_fmt_permille(b, sizeof(b), 333), "33.3%");
    assert_string_equal(plaint_rpt_fmt_permille(b, sizeof(b), 1000), "100.0%");
    assert_string_equal(plaint_rpt_fmt_permille(b, sizeof(b), 5), "0.5%");
    assert_string_equal(plaint_rpt_fmt_duration2(b, sizeof(b), 0), "0 d 00:00:00");
    assert_string_equal(plaint_rpt_fmt_duration2(b, sizeof(b), 2 * 273906), "3 d 04:05:06");
    assert_string_equal(plaint_rpt_fmt_duration2(b, sizeof(b), 2 * 273906 + 1), "3 d 04:05:06.5");
    assert_string_equal(plaint_rpt_fmt_duration2(b, sizeof(b), -2 * 61), "-0 d 00:01:01");
    assert_string_equal(plaint_rpt_fmt_time(b, sizeof(b), 0), "1970-01-01 00:00:00 UTC");
    assert_string_equal(plaint_rpt_fmt_time(b, sizeof(b), 1795639180), "2026-11-25 20:39:40 UTC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mean),          cmocka_unit_test(test_median),
        cmocka_unit_test(test_median_random), cmocka_unit_test(test_permille),
        cmocka_unit_test(test_buckets),       cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
