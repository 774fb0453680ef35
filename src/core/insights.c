/* The category spike rule of impact control: a window's count against the upper median and
 * median absolute deviation of the trailing windows, in integers only. Pure: counts and times
 * are arguments. Rule and its reasons: docs/insights.md. */
#include "plaint/insights.h"

#include <string.h>

#define US_PER_DAY (86400LL * 1000000LL)

void plaint_insights_params_default(plaint_insights_params *out)
{
    out->min_count = PLAINT_INSIGHTS_DEFAULT_MIN_COUNT;
    out->mad_tenths = PLAINT_INSIGHTS_DEFAULT_MAD_TENTHS;
    out->ratio_pct = PLAINT_INSIGHTS_DEFAULT_RATIO_PCT;
}

int plaint_insights_params_check(const plaint_insights_params *p, plaint_error *err)
{
    if (p == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "params", 0, 0,
                                   "no spike parameters given");
    }
    if (p->min_count < 1 || p->min_count > PLAINT_INSIGHTS_COUNT_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "min_count", 0, 0,
                                   "min_count %lld is outside 1..%lld", (long long)p->min_count,
                                   (long long)PLAINT_INSIGHTS_COUNT_MAX);
    }
    if (p->mad_tenths < 1 || p->mad_tenths > PLAINT_INSIGHTS_MAD_TENTHS_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "mad_tenths", 0, 0,
                                   "mad_tenths %lld is outside 1..%d", (long long)p->mad_tenths,
                                   PLAINT_INSIGHTS_MAD_TENTHS_MAX);
    }
    if (p->ratio_pct < 100 || p->ratio_pct > PLAINT_INSIGHTS_RATIO_PCT_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "ratio_pct", 0, 0,
                                   "ratio_pct %lld is outside 100..%d", (long long)p->ratio_pct,
                                   PLAINT_INSIGHTS_RATIO_PCT_MAX);
    }
    return 0;
}

/* Ascending insertion sort: n is at most PLAINT_INSIGHTS_MAX_WINDOWS. */
static void sort_counts(int64_t *v, size_t n)
{
    size_t i;

    for (i = 1; i < n; i++) {
        int64_t x = v[i];
        size_t j = i;

        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Ceiling of a / b for a >= 0, b > 0. */
static int64_t ceil_div(int64_t a, int64_t b)
{
    return a / b + (a % b != 0 ? 1 : 0);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int check_count(int64_t c, const char *what, plaint_error *err)
{
    if (c < 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s count %lld is negative", what,
                                (long long)c);
    }
    if (c > PLAINT_INSIGHTS_COUNT_MAX) {
        return plaint_error_set(err, PLAINT_ERANGE, "%s count %lld is over %lld", what,
                                (long long)c, (long long)PLAINT_INSIGHTS_COUNT_MAX);
    }
    return 0;
}

int plaint_insights_decide(plaint_insights_spike *out, const plaint_insights_params *p,
                           int64_t current, const int64_t *trailing, size_t ntrailing,
                           plaint_error *err)
{
    int64_t sorted[PLAINT_INSIGHTS_MAX_WINDOWS];
    int64_t dev[PLAINT_INSIGHTS_MAX_WINDOWS];
    int64_t m;
    int64_t mad;
    int64_t mad_eff;
    size_t i;
    int rc;

    if (out == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "no result given");
    }
    memset(out, 0, sizeof(*out));
    rc = plaint_insights_params_check(p, err);
    if (rc == 0) {
        rc = check_count(current, "current", err);
    }
    if (rc == 0 && ntrailing > PLAINT_INSIGHTS_MAX_WINDOWS) {
        rc = plaint_error_set(err, PLAINT_ERANGE, "%zu trailing windows: at most %d", ntrailing,
                              PLAINT_INSIGHTS_MAX_WINDOWS);
    }
    if (rc == 0 && ntrailing > 0 && trailing == NULL) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "no trailing counts given");
    }
    for (i = 0; rc == 0 && i < ntrailing; i++) {
        rc = check_count(trailing[i], "trailing", err);
    }
    if (rc != 0) {
        return rc;
    }
    out->current = current;
    if (ntrailing == 0) {
        out->verdict = PLAINT_INSIGHTS_NO_HISTORY;
        return 0;
    }
    memcpy(sorted, trailing, ntrailing * sizeof(trailing[0]));
    sort_counts(sorted, ntrailing);
    /* The upper median of an even number of windows is the higher middle value: a higher
     * baseline flags less, and it keeps the median a count, so no halves are needed. */
    m = sorted[ntrailing / 2];
    for (i = 0; i < ntrailing; i++) {
        dev[i] = sorted[i] >= m ? sorted[i] - m : m - sorted[i];
    }
    sort_counts(dev, ntrailing);
    mad = dev[ntrailing / 2];
    /* A flat history (MAD 0) would make any rise of one complaint "infinitely" unusual. */
    mad_eff = mad > 0 ? mad : 1;
    out->median = m;
    out->mad = mad;
    /* Bounded by the limits: mad_tenths * mad_eff <= 10^15, ratio_pct * m <= 10^17. */
    out->threshold = max64(p->min_count, max64(m + ceil_div(p->mad_tenths * mad_eff, 10),
                                               ceil_div(p->ratio_pct * m, 100)));
    if (current < p->min_count) {
        out->verdict = PLAINT_INSIGHTS_BELOW_MIN;
    } else if (10 * (current - m) < p->mad_tenths * mad_eff) {
        out->verdict = PLAINT_INSIGHTS_WITHIN_SPREAD;
    } else if (100 * current < p->ratio_pct * m) {
        out->verdict = PLAINT_INSIGHTS_BELOW_RATIO;
    } else {
        out->verdict = PLAINT_INSIGHTS_SPIKE;
        out->spike = 1;
    }
    return 0;
}

const char *plaint_insights_verdict_name(plaint_insights_verdict v)
{
    switch (v) {
    case PLAINT_INSIGHTS_SPIKE:
        return "spike";
    case PLAINT_INSIGHTS_NO_HISTORY:
        return "no_history";
    case PLAINT_INSIGHTS_BELOW_MIN:
        return "below_min_count";
    case PLAINT_INSIGHTS_WITHIN_SPREAD:
        return "within_spread";
    case PLAINT_INSIGHTS_BELOW_RATIO:
        return "below_ratio";
    }
    return NULL;
}

int plaint_insights_window(int64_t *from_us, int64_t *to_us, int64_t end_us, int64_t window_days,
                           size_t index, plaint_error *err)
{
    int64_t len;
    int64_t span;

    if (window_days < 1 || window_days > PLAINT_INSIGHTS_MAX_WINDOW_DAYS) {
        return plaint_error_set(err, PLAINT_EINVALID, "window of %lld days: 1 to %d",
                                (long long)window_days, PLAINT_INSIGHTS_MAX_WINDOW_DAYS);
    }
    if (index > PLAINT_INSIGHTS_MAX_WINDOWS) {
        return plaint_error_set(err, PLAINT_EINVALID, "window %zu: at most %d back", index,
                                PLAINT_INSIGHTS_MAX_WINDOWS);
    }
    /* At most 367 * 366 days: about 1.2e16 microseconds. */
    len = window_days * US_PER_DAY;
    span = ((int64_t)index + 1) * len;
    if (end_us < INT64_MIN + span) {
        return plaint_error_set(err, PLAINT_ERANGE, "window %zu before %lld starts too early",
                                index, (long long)end_us);
    }
    *from_us = end_us - span;
    *to_us = end_us - span + len;
    return 0;
}
