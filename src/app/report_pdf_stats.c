/* The figures of the PDF reports and their text: mean, exact median, shares in tenths of a per
 * cent, resolution-time buckets, counts, durations and instants. Integer arithmetic only; no
 * I/O, no locale, no time zone but UTC. */
#include "plaint/app_report_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plaint/money.h"

int plaint_rpt_mean(int64_t *out, const int64_t *v, size_t n, plaint_error *err)
{
    int64_t sum = 0;
    size_t i;

    *out = 0;
    if (n == 0 || v == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "the mean of no values");
    }
    if (n > (size_t)INT64_MAX) {
        return plaint_error_set(err, PLAINT_ERANGE, "too many values");
    }
    for (i = 0; i < n; i++) {
        if (__builtin_add_overflow(sum, v[i], &sum)) {
            return plaint_error_set(err, PLAINT_ERANGE, "the sum of the values overflows");
        }
    }
    *out = plaint_div_round_half_even(sum, (int64_t)n);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

int plaint_rpt_median2(int64_t *out, int64_t *v, size_t n, plaint_error *err)
{
    *out = 0;
    if (n == 0 || v == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "the median of no values");
    }
    qsort(v, n, sizeof(*v), cmp_i64);
    if (n % 2 == 1) {
        if (__builtin_mul_overflow(v[n / 2], (int64_t)2, out)) {
            return plaint_error_set(err, PLAINT_ERANGE, "the median overflows");
        }
        return 0;
    }
    if (__builtin_add_overflow(v[n / 2 - 1], v[n / 2], out)) {
        *out = 0;
        return plaint_error_set(err, PLAINT_ERANGE, "the median overflows");
    }
    return 0;
}

int64_t plaint_rpt_permille(int64_t num, int64_t den)
{
    if (den <= 0 || num < 0 || num > den || den > 1000000000000000LL) {
        return 0;
    }
    return plaint_div_round_half_even(num * 1000, den);
}

#define DAY  86400
#define WEEK (7 * DAY)

static const int64_t BUCKET_LO[PLAINT_RPT_BUCKETS] = {0,        DAY,      3 * DAY,  WEEK,
                                                      2 * WEEK, 4 * WEEK, 8 * WEEK, 26 * WEEK};
static const char *const BUCKET_LABEL[PLAINT_RPT_BUCKETS] = {
    "< 1 day",   "1-3 days",  "3-7 days",   "1-2 weeks",
    "2-4 weeks", "4-8 weeks", "8-26 weeks", ">= 26 weeks"};

size_t plaint_rpt_bucket(int64_t seconds)
{
    size_t i = PLAINT_RPT_BUCKETS;

    while (i > 1 && seconds < BUCKET_LO[i - 1]) {
        i--;
    }
    return i - 1;
}

const char *plaint_rpt_bucket_label(size_t i)
{
    return i < PLAINT_RPT_BUCKETS ? BUCKET_LABEL[i] : "";
}

char *plaint_rpt_fmt_count(char *out, size_t n, int64_t v)
{
    char digits[32];
    char tmp[48];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t len;
    size_t i;
    size_t k = 0;

    snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
    len = strlen(digits);
    if (v < 0) {
        tmp[k++] = '-';
    }
    for (i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            tmp[k++] = ',';
        }
        tmp[k++] = digits[i];
    }
    tmp[k] = '\0';
    snprintf(out, n, "%s", tmp);
    return out;
}

char *plaint_rpt_fmt_permille(char *out, size_t n, int64_t pm)
{
    snprintf(out, n, "%lld.%lld%%", (long long)(pm / 10), (long long)(pm % 10));
    return out;
}

char *plaint_rpt_fmt_duration2(char *out, size_t n, int64_t twice_seconds)
{
    uint64_t t =
        twice_seconds < 0 ? (uint64_t)0 - (uint64_t)twice_seconds : (uint64_t)twice_seconds;
    uint64_t s = t / 2;
    int half = (int)(t % 2);

    snprintf(out, n, "%s%llu d %02llu:%02llu:%02llu%s", twice_seconds < 0 ? "-" : "",
             (unsigned long long)(s / DAY), (unsigned long long)(s % DAY / 3600),
             (unsigned long long)(s % 3600 / 60), (unsigned long long)(s % 60), half ? ".5" : "");
    return out;
}

char *plaint_rpt_fmt_time(char *out, size_t n, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (gmtime_r(&tt, &tm) == NULL) {
        snprintf(out, n, "-");
        return out;
    }
    snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return out;
}
