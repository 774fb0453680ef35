/* Impact control (C9): spikes in a complaint category against a trailing baseline, and
 * complaints from public channels, flagged for a communication response. The spike rule is pure
 * integer logic (src/core/insights.c); the database reads (src/store/pg_insights.c) and the use
 * case that records the flags (src/app/insights_ops.c) are declared at the end and are not part
 * of plaint_core. Rule, parameters and output: docs/insights.md. */
#ifndef PLAINT_INSIGHTS_H
#define PLAINT_INSIGHTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits. Every product the rule forms stays below 2^63 within them. */
#define PLAINT_INSIGHTS_MAX_WINDOWS     366 /* trailing windows */
#define PLAINT_INSIGHTS_MAX_WINDOW_DAYS 366
#define PLAINT_INSIGHTS_COUNT_MAX       1000000000000LL /* 10^12 complaints in one window */
#define PLAINT_INSIGHTS_MAD_TENTHS_MAX  1000            /* k <= 100.0 MADs */
#define PLAINT_INSIGHTS_RATIO_PCT_MAX   100000          /* at most 1000 times the median */

/* Defaults (plaint_insights_params_default, `plaint insights`). */
#define PLAINT_INSIGHTS_DEFAULT_MIN_COUNT   5
#define PLAINT_INSIGHTS_DEFAULT_MAD_TENTHS  30  /* 3.0 MADs above the median */
#define PLAINT_INSIGHTS_DEFAULT_RATIO_PCT   200 /* and at least twice the median */
#define PLAINT_INSIGHTS_DEFAULT_WINDOW_DAYS 7
#define PLAINT_INSIGHTS_DEFAULT_BASELINE    8

/* The thresholds of the spike rule (filled by the caller; see plaint_insights_decide). */
typedef struct plaint_insights_params {
    int64_t min_count;  /* 1..PLAINT_INSIGHTS_COUNT_MAX: fewer complaints are never a spike */
    int64_t mad_tenths; /* k in tenths, 1..PLAINT_INSIGHTS_MAD_TENTHS_MAX */
    int64_t ratio_pct;  /* 100..PLAINT_INSIGHTS_RATIO_PCT_MAX: current vs median, per cent */
} plaint_insights_params;

/* Why a category is or is not a spike. When several conditions fail, the first in this order
 * is named. */
typedef enum plaint_insights_verdict {
    PLAINT_INSIGHTS_SPIKE = 0,     /* every condition holds */
    PLAINT_INSIGHTS_NO_HISTORY,    /* no trailing window to compare with */
    PLAINT_INSIGHTS_BELOW_MIN,     /* current < min_count */
    PLAINT_INSIGHTS_WITHIN_SPREAD, /* not k MADs above the median */
    PLAINT_INSIGHTS_BELOW_RATIO    /* below ratio_pct of the median */
} plaint_insights_verdict;

typedef struct plaint_insights_spike {
    plaint_insights_verdict verdict;
    int spike;         /* 1 iff verdict is PLAINT_INSIGHTS_SPIKE */
    int64_t current;   /* the count decided on */
    int64_t median;    /* upper median of the trailing counts; 0 with NO_HISTORY */
    int64_t mad;       /* upper median of |trailing - median| (before the floor of 1) */
    int64_t threshold; /* the smallest current count that is a spike; 0 with NO_HISTORY */
} plaint_insights_spike;

/* min_count 5, mad_tenths 30, ratio_pct 200. */
PLAINT_EXTERN void plaint_insights_params_default(plaint_insights_params *out);

/* 0, or PLAINT_EINVALID naming the field ("min_count", "mad_tenths", "ratio_pct") that is out of
 * its range (p NULL: field "params"). */
PLAINT_EXTERN int plaint_insights_params_check(const plaint_insights_params *p, plaint_error *err);

/* Decides whether `current` complaints in a window are a spike against the counts of the
 * ntrailing windows of equal length before it (any order). With
 *   M   = upper median of trailing (sorted ascending, the element at index n/2),
 *   MAD = upper median of |trailing[i] - M|, counted as 1 when it is 0,
 * it is a spike iff all of
 *   current >= min_count,
 *   10 * (current - M) >= mad_tenths * MAD     (at least k MADs above the median),
 *   100 * current >= ratio_pct * M             (at least ratio_pct per cent of the median),
 * i.e. iff current >= threshold = max(min_count, M + ceil(mad_tenths * MAD / 10),
 * ceil(ratio_pct * M / 100)). Exactly at the threshold is a spike. ntrailing 0 is NO_HISTORY
 * (never a spike). Integer arithmetic only. Returns 0 with *out filled, or PLAINT_EINVALID (bad
 * params, NULL out, trailing NULL with ntrailing > 0, a count below 0) or PLAINT_ERANGE (a count
 * over PLAINT_INSIGHTS_COUNT_MAX, ntrailing over PLAINT_INSIGHTS_MAX_WINDOWS); on error *out
 * is zeroed. */
PLAINT_EXTERN int plaint_insights_decide(plaint_insights_spike *out,
                                         const plaint_insights_params *p, int64_t current,
                                         const int64_t *trailing, size_t ntrailing,
                                         plaint_error *err);

/* "spike", "no_history", "below_min_count", "within_spread", "below_ratio"; NULL otherwise. */
PLAINT_EXTERN const char *plaint_insights_verdict_name(plaint_insights_verdict v);

/* Window `index` of length window_days (UTC days of 86 400 s) ending at end_us: index 0 is the
 * current window [end - days, end), index i is [end - (i + 1) * days, end - i * days). PLAINT_
 * EINVALID for window_days outside 1..PLAINT_INSIGHTS_MAX_WINDOW_DAYS or index over
 * PLAINT_INSIGHTS_MAX_WINDOWS, PLAINT_ERANGE if the start falls before the earliest time. */
PLAINT_EXTERN int plaint_insights_window(int64_t *from_us, int64_t *to_us, int64_t end_us,
                                         int64_t window_days, size_t index, plaint_error *err);

/* ---- Database reads (src/store/pg_insights.c, libpq; not part of plaint_core) ---- */

typedef struct plaint_db plaint_db;

/* Complaints received in [from_us, end_us) per category and window, as a JSON object
 * {"first_received_us": <earliest received_at of any complaint, microseconds; null if none>,
 *  "counts": [{"category", "window", "count"}, ...]} ordered by category and window, where
 * window = ceil((end - received_at) / window_us) - 1 (0: the current window; a complaint
 * received exactly at a window's start is in that window). Caller decrefs. */
PLAINT_EXTERN int plaint_pg_insights_counts(json_t **out, plaint_db *db, int64_t from_us,
                                            int64_t end_us, int64_t window_us, plaint_error *err);

/* The distinct channels of open complaints received before end_us, as a JSON array of
 * strings (sorted). Caller decrefs. */
PLAINT_EXTERN int plaint_pg_insights_channels(json_t **out, plaint_db *db, int64_t end_us,
                                              plaint_error *err);

/* Open complaints received in [from_us, end_us) (from_us 0: no lower bound) whose `field`
 * ("channel" or "category") is one of values (a JSON array of strings) and that have no
 * "complaint.flagged" event with the idempotency key "flag:<ref>:<reason>" on the ledger, as a
 * JSON array of {"ref", "channel", "category", "status", "severity_level", "received_at"},
 * oldest first. PLAINT_EINVALID for another field. Caller decrefs. */
PLAINT_EXTERN int plaint_pg_insights_unflagged(json_t **out, plaint_db *db, const char *field,
                                               const json_t *values, const char *reason,
                                               int64_t from_us, int64_t end_us, plaint_error *err);

/* ---- The use case (src/app/insights_ops.c; not part of plaint_core) ---- */

struct plaint_actor;
typedef struct plaint_handling plaint_handling;

typedef struct plaint_insights_options {
    int64_t now_us;      /* end of the current window (the caller reads the clock) */
    int64_t window_days; /* 1..PLAINT_INSIGHTS_MAX_WINDOW_DAYS */
    size_t baseline;     /* trailing windows, 1..PLAINT_INSIGHTS_MAX_WINDOWS */
    plaint_insights_params params;
    int flag; /* 1: record "complaint.flagged" on each complaint listed in "to_flag" */
} plaint_insights_options;

/* Computes the spikes and the public-channel complaints (docs/insights.md). Public channels are
 * those policies/severity.xml lists (h's severity policy). Trailing windows that start before
 * the first complaint ever received are not history and are left out of the baseline. actor
 * (used only with o->flag) must be authorised by the caller: report.read, and complaint.note
 * for flagging. With o->flag, in one transaction, records on each complaint in "to_flag" the
 * event "complaint.flagged" with the idempotency key "flag:<ref>:<reason>" (once per complaint
 * and reason, ever) and the payload {"reason": "public_channel", "channel"} or
 * {"reason": "category_spike", "category", "window_from", "window_to", "count", "median",
 * "mad", "threshold", "windows", "params": {"min_count", "mad_tenths", "ratio_pct"}}.
 * *report (caller decrefs):
 *   {"window": {"from", "to", "days", "baseline", "history"}, "params",
 *    "categories": [{"category", "current", "trailing", "median", "mad", "threshold",
 *                    "verdict", "spike"}],
 *    "spikes", "public_channels",
 *    "to_flag": [{"ref", "reason", "channel", "category", "status", "severity_level",
 *                 "received_at"}],
 *    "flagged"}
 * PLAINT_EINVALID for bad options; database errors as plaint_pg_query_json. */
PLAINT_EXTERN int plaint_app_insights(json_t **report, plaint_db *db,
                                      const struct plaint_actor *actor, const plaint_handling *h,
                                      const plaint_insights_options *o, plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
