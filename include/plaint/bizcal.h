/* Business-day calendars: a time zone given as a POSIX TZ rule, weekend days, a close-of-business
 * time and holidays; local civil time <-> UTC, business-day arithmetic and the complaint
 * deadlines of FCA DISP 1.5 and 1.6. Pure logic: no clock, no process-global TZ, no floating
 * point. Design and exact definitions: docs/sla.md. */
#ifndef PLAINT_BIZCAL_H
#define PLAINT_BIZCAL_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits. Calendar ids are 1..63 characters of [a-z0-9._-] starting with a letter. */
#define PLAINT_BIZCAL_ID_MAX       63
#define PLAINT_BIZCAL_TZ_MAX       63   /* bytes of a TZ rule string */
#define PLAINT_BIZCAL_ABBR_MAX     15   /* bytes of a zone abbreviation ("BST", "-03") */
#define PLAINT_BIZCAL_MAX_HOLIDAYS 4096 /* per calendar */
/* Business-day counts accepted by the arithmetic below (about 40 years). */
#define PLAINT_BIZCAL_MAX_BUSINESS_DAYS 10000
#define PLAINT_BIZCAL_MAX_WEEKS         520
/* "YYYY-MM-DD" */
#define PLAINT_BIZCAL_DATE_LEN 10

/* Weekdays as in struct tm's tm_wday; a weekend is a mask of (1u << weekday). */
enum {
    PLAINT_BIZCAL_SUNDAY = 0,
    PLAINT_BIZCAL_MONDAY,
    PLAINT_BIZCAL_TUESDAY,
    PLAINT_BIZCAL_WEDNESDAY,
    PLAINT_BIZCAL_THURSDAY,
    PLAINT_BIZCAL_FRIDAY,
    PLAINT_BIZCAL_SATURDAY
};
#define PLAINT_BIZCAL_WEEKEND_SAT_SUN                                                              \
    ((1u << PLAINT_BIZCAL_SATURDAY) | (1u << PLAINT_BIZCAL_SUNDAY))

/* A civil date on the proleptic Gregorian calendar. Valid dates have year 1..9999. */
typedef struct plaint_bizcal_date {
    int year;
    int month; /* 1..12 */
    int day;   /* 1..31 */
} plaint_bizcal_date;

/* A local civil time in a calendar's zone. */
typedef struct plaint_bizcal_local {
    plaint_bizcal_date date;
    int hour;      /* 0..23 */
    int minute;    /* 0..59 */
    int second;    /* 0..59 */
    int32_t micro; /* 0..999999 */
    int weekday;   /* 0 = Sunday .. 6 = Saturday */
    int is_dst;    /* 1 if the zone's DST (second) offset is in force */
    int32_t utoff; /* seconds east of UTC in force (BST: 3600, EST: -18000) */
    char abbr[PLAINT_BIZCAL_ABBR_MAX + 1]; /* "GMT", "BST", "EDT", "-03" */
} plaint_bizcal_local;

/* How a local time maps to UTC (see plaint_bizcal_from_local). */
typedef enum plaint_bizcal_fold {
    PLAINT_BIZCAL_LOCAL_UNIQUE = 0,  /* exactly one instant shows this local time */
    PLAINT_BIZCAL_LOCAL_SKIPPED = 1, /* no instant does: the clocks jumped over it */
    PLAINT_BIZCAL_LOCAL_REPEATED = 2 /* two instants do: the clocks went back over it */
} plaint_bizcal_fold;

typedef struct plaint_bizcal plaint_bizcal;

/* A new calendar with the given id and TZ rule, weekend Saturday and Sunday, close of business
 * 17:00 and no holiday. Caller frees with plaint_bizcal_free.
 *
 * tz_rule is a POSIX TZ string (POSIX.1-2017 section 8.3) of the form
 *   std offset [dst [offset] ,start[/time],end[/time]]
 * e.g. "UTC0", "GMT0BST,M3.5.0/1,M10.5.0", "EST5EDT,M3.2.0,M11.1.0", "<+13>-13". Names are 3..15
 * letters, or 3..15 of [A-Za-z0-9+-] inside <>; offsets are [+-]hh[:mm[:ss]] west of Greenwich
 * with hh <= 24; the DST offset defaults to one hour ahead of standard time. Rules must use the
 * Mm.w.d form (month, week 1..5 with 5 = last, weekday 0 = Sunday); the time of a change is
 * [+-]hh[:mm[:ss]] local time, hh <= 167 (RFC 8536's extension), default 02:00:00. Refused
 * (PLAINT_EINVALID naming the problem): the Jn and n day forms, a DST zone without rules (its
 * rules would be implementation-defined), a leading ':' (a zoneinfo file), anything malformed.
 * PLAINT_EINVALID also for a malformed id; PLAINT_ENOMEM. */
PLAINT_EXTERN int plaint_bizcal_new(plaint_bizcal **out, const char *id, const char *tz_rule,
                                    plaint_error *err);
PLAINT_EXTERN void plaint_bizcal_free(plaint_bizcal *c);

/* Checks a TZ rule as plaint_bizcal_new would; 0 or PLAINT_EINVALID. */
PLAINT_EXTERN int plaint_bizcal_check_tz(const char *tz_rule, plaint_error *err);

/* Sets the weekend: a mask of (1u << weekday); 0 means every day may be a business day.
 * PLAINT_EINVALID for bits beyond Saturday or all seven days. */
PLAINT_EXTERN int plaint_bizcal_set_weekend(plaint_bizcal *c, unsigned weekend_mask,
                                            plaint_error *err);
/* Sets the close of business as seconds after local midnight, 1..86399 (17:00 = 61200). */
PLAINT_EXTERN int plaint_bizcal_set_close(plaint_bizcal *c, int32_t close_s, plaint_error *err);
/* Adds a holiday (a non-business day in any case). PLAINT_EINVALID for an invalid date or one
 * already listed (field "date"); PLAINT_ERANGE past PLAINT_BIZCAL_MAX_HOLIDAYS; PLAINT_ENOMEM. */
PLAINT_EXTERN int plaint_bizcal_add_holiday(plaint_bizcal *c, plaint_bizcal_date d,
                                            plaint_error *err);

/* Accessors; strings borrowed until the calendar is freed. Holidays are in date order. */
PLAINT_EXTERN const char *plaint_bizcal_id(const plaint_bizcal *c);
PLAINT_EXTERN const char *plaint_bizcal_tz_rule(const plaint_bizcal *c);
PLAINT_EXTERN unsigned plaint_bizcal_weekend(const plaint_bizcal *c);
PLAINT_EXTERN int32_t plaint_bizcal_close(const plaint_bizcal *c);
PLAINT_EXTERN size_t plaint_bizcal_count_holidays(const plaint_bizcal *c);
/* The i-th holiday in date order; {0, 0, 0} past the end. */
PLAINT_EXTERN plaint_bizcal_date plaint_bizcal_get_holiday(const plaint_bizcal *c, size_t i);

/* --- Dates (no calendar needed) --- */

/* 1 if d is a real date with year 1..9999, else 0. */
PLAINT_EXTERN int plaint_bizcal_date_valid(plaint_bizcal_date d);
/* Parses exactly "YYYY-MM-DD"; PLAINT_EINVALID otherwise (including 2019-02-29). */
PLAINT_EXTERN int plaint_bizcal_date_parse(plaint_bizcal_date *out, const char *s,
                                           plaint_error *err);
/* Writes "YYYY-MM-DD"; PLAINT_EINVALID for an invalid date. */
PLAINT_EXTERN int plaint_bizcal_date_format(char out[PLAINT_BIZCAL_DATE_LEN + 1],
                                            plaint_bizcal_date d, plaint_error *err);
/* Weekday of a valid date, 0 = Sunday; -1 for an invalid one. */
PLAINT_EXTERN int plaint_bizcal_weekday(plaint_bizcal_date d);
/* d plus days (negative: minus); PLAINT_ERANGE outside years 1..9999, PLAINT_EINVALID for an
 * invalid d. */
PLAINT_EXTERN int plaint_bizcal_date_add_days(plaint_bizcal_date *out, plaint_bizcal_date d,
                                              int64_t days, plaint_error *err);
/* Days from a to b (b - a); both must be valid (else 0). */
PLAINT_EXTERN int64_t plaint_bizcal_date_diff(plaint_bizcal_date a, plaint_bizcal_date b);

/* --- Time zone --- */

/* The local civil time at utc_us (microseconds since the epoch, UTC). PLAINT_ERANGE if the
 * local date falls outside years 1..9999. */
PLAINT_EXTERN int plaint_bizcal_to_local(plaint_bizcal_local *out, const plaint_bizcal *c,
                                         int64_t utc_us, plaint_error *err);

/* The UTC instant at which the zone's clocks show local date d at us_of_day microseconds after
 * midnight (0 <= us_of_day < 86400000000). Following RFC 5545 section 3.3.5:
 * - a local time in a repeated hour (clocks going back) is its FIRST occurrence, the earlier
 *   instant (UK 01:30 on the last Sunday of October is 00:30 UTC, still BST);
 * - a local time in a skipped hour (clocks going forward) is read with the offset in force
 *   before the change (UK 01:30 on the last Sunday of March is 01:30 UTC, which the clocks show
 *   as 02:30 BST).
 * fold_out (may be NULL) says which case applied. PLAINT_EINVALID for an invalid date or time
 * of day; PLAINT_ERANGE outside years 1..9999. */
PLAINT_EXTERN int plaint_bizcal_from_local(int64_t *out, plaint_bizcal_fold *fold_out,
                                           const plaint_bizcal *c, plaint_bizcal_date d,
                                           int64_t us_of_day, plaint_error *err);

/* --- Business days --- */

/* 1 if d is a business day (not a weekend day, not a holiday), 0 if not, PLAINT_EINVALID if d
 * is not a valid date. */
PLAINT_EXTERN int plaint_bizcal_is_business_day(const plaint_bizcal *c, plaint_bizcal_date d);

/* The first business day strictly after (next) or before (previous) d. PLAINT_EINVALID for an
 * invalid d; PLAINT_ERANGE outside years 1..9999. */
PLAINT_EXTERN int plaint_bizcal_next_business_day(plaint_bizcal_date *out, const plaint_bizcal *c,
                                                  plaint_bizcal_date d, plaint_error *err);
PLAINT_EXTERN int plaint_bizcal_previous_business_day(plaint_bizcal_date *out,
                                                      const plaint_bizcal *c, plaint_bizcal_date d,
                                                      plaint_error *err);

/* The n-th business day after d (n > 0) or before d (n < 0), not counting d itself whether or
 * not it is a business day; n == 0 gives d. |n| <= PLAINT_BIZCAL_MAX_BUSINESS_DAYS
 * (PLAINT_EINVALID otherwise); PLAINT_ERANGE outside years 1..9999. */
PLAINT_EXTERN int plaint_bizcal_add_business_days(plaint_bizcal_date *out, const plaint_bizcal *c,
                                                  plaint_bizcal_date d, int n, plaint_error *err);

/* Close of business on the n-th business day following the local day of receipt (DISP 1.5.1R:
 * "by close of business on the third business day following the day on which it is received").
 * The day of receipt is never counted, whatever it is and whatever the hour (DISP 1.5.3G, which
 * let a complaint received after close or on a non-business day be treated as received on the
 * next business day, was deleted in 2016): received Saturday, n = 3 gives Wednesday's close.
 * The close is local time, so its UTC instant moves with DST. 1 <= n <=
 * PLAINT_BIZCAL_MAX_BUSINESS_DAYS (PLAINT_EINVALID otherwise); PLAINT_ERANGE. */
PLAINT_EXTERN int plaint_bizcal_close_of_nth_business_day(int64_t *due_us, const plaint_bizcal *c,
                                                          int64_t received_us, int n,
                                                          plaint_error *err);

/* The end of the local day weeks * 7 days after the local day of receipt (DISP 1.6.2R: "by the
 * end of eight weeks after its receipt"): 23:59:59.999999 local time of that date. Received
 * Monday 2024-01-01, 8 weeks gives Monday 2024-02-26 23:59:59.999999 GMT. 1 <= weeks <=
 * PLAINT_BIZCAL_MAX_WEEKS (PLAINT_EINVALID otherwise); PLAINT_ERANGE. */
PLAINT_EXTERN int plaint_bizcal_end_of_weeks(int64_t *due_us, const plaint_bizcal *c,
                                             int64_t received_us, int weeks, plaint_error *err);

/* The number of business days after the local day of from_us up to and including the local day
 * of to_us: received Monday, closed Thursday = 3 (closed "within 3 business days" when <= 3;
 * for the exact DISP 1.5 test compare with plaint_bizcal_close_of_nth_business_day, which also
 * takes the close of business into account). Same local day: 0. If to's local day is before
 * from's, minus the count the other way round. PLAINT_ERANGE outside years 1..9999. */
PLAINT_EXTERN int plaint_bizcal_business_days_between(int64_t *out, const plaint_bizcal *c,
                                                      int64_t from_us, int64_t to_us,
                                                      plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
