/* Business-day calendars: POSIX TZ rules interpreted here (never the process-global TZ), local
 * civil time <-> UTC, business-day arithmetic and the DISP deadlines. Pure integer arithmetic on
 * the proleptic Gregorian calendar; dates are day numbers (days since 1970-01-01) inside. */
#include "plaint/bizcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy_names.h"
#include "plaint/civil.h"

#define SEC_PER_DAY 86400
#define US_PER_SEC  1000000LL
#define US_PER_DAY  (86400LL * 1000000LL)

/* Day numbers of 0001-01-01 and 9999-12-31. */
#define DAY_MIN (-719162LL)
#define DAY_MAX 2932896LL

/* One change of a TZ rule: Mm.w.d/time. */
typedef struct rule_point {
    int month;      /* 1..12 */
    int week;       /* 1..5, 5 = last */
    int wday;       /* 0..6, 0 = Sunday */
    int32_t time_s; /* local time of the change, -167h..167h */
} rule_point;

typedef struct zone_rules {
    char std_abbr[PLAINT_BIZCAL_ABBR_MAX + 1];
    char dst_abbr[PLAINT_BIZCAL_ABBR_MAX + 1];
    int32_t std_utoff; /* seconds east of UTC */
    int32_t dst_utoff;
    int has_dst;
    rule_point start; /* standard -> DST, at a local standard time */
    rule_point end;   /* DST -> standard, at a local DST time */
} zone_rules;

struct plaint_bizcal {
    char id[PLAINT_BIZCAL_ID_MAX + 1];
    char tz_text[PLAINT_BIZCAL_TZ_MAX + 1];
    zone_rules tz;
    unsigned weekend;
    int32_t close_s;
    int64_t *holidays; /* sorted day numbers */
    size_t n_holidays;
    size_t cap_holidays;
};

/* ---------------------------------------------------------------- civil calendar */

/* The remainder matching plaint_floor_div, b > 0. */
static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - plaint_floor_div(a, b) * b;
}

/* The civil date of a day number within DAY_MIN..DAY_MAX. */
static plaint_bizcal_date civil_from_days(int64_t z)
{
    plaint_bizcal_date out;
    int64_t y;

    plaint_civil_from_days(z, &y, &out.month, &out.day);
    out.year = (int)y;
    return out;
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday_of(int64_t day)
{
    return (int)floor_mod(day + 4, 7);
}

int plaint_bizcal_date_valid(plaint_bizcal_date d)
{
    return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= plaint_days_in_month(d.year, d.month);
}

static int64_t day_number(plaint_bizcal_date d)
{
    return plaint_days_from_civil(d.year, d.month, d.day);
}

static int day_in_range(int64_t day)
{
    return day >= DAY_MIN && day <= DAY_MAX;
}

static int range_error(plaint_error *err)
{
    return plaint_error_set(err, PLAINT_ERANGE, "date outside years 1 to 9999");
}

static int invalid_date(plaint_error *err, plaint_bizcal_date d)
{
    return plaint_error_set_at(err, PLAINT_EINVALID, "date", 0, 0, "%d-%d-%d is not a valid date",
                               d.year, d.month, d.day);
}

int plaint_bizcal_date_parse(plaint_bizcal_date *out, const char *s, plaint_error *err)
{
    int v[3] = {0, 0, 0};
    size_t i;
    int part = 0;
    plaint_bizcal_date d;

    for (i = 0; s != NULL && i < PLAINT_BIZCAL_DATE_LEN; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') {
                break;
            }
            part++;
        } else if (s[i] >= '0' && s[i] <= '9') {
            v[part] = v[part] * 10 + (s[i] - '0');
        } else {
            break;
        }
    }
    if (s == NULL || i != PLAINT_BIZCAL_DATE_LEN || s[i] != '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "date", 0, 0,
                                   "a date must look like 2026-11-25");
    }
    d.year = v[0];
    d.month = v[1];
    d.day = v[2];
    if (!plaint_bizcal_date_valid(d)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "date", 0, 0, "'%s' is not a valid date",
                                   s);
    }
    *out = d;
    return 0;
}

int plaint_bizcal_date_format(char out[PLAINT_BIZCAL_DATE_LEN + 1], plaint_bizcal_date d,
                              plaint_error *err)
{
    if (!plaint_bizcal_date_valid(d)) {
        return invalid_date(err, d);
    }
    snprintf(out, PLAINT_BIZCAL_DATE_LEN + 1, "%04d-%02d-%02d", d.year, d.month, d.day);
    return 0;
}

int plaint_bizcal_weekday(plaint_bizcal_date d)
{
    return plaint_bizcal_date_valid(d) ? weekday_of(day_number(d)) : -1;
}

int plaint_bizcal_date_add_days(plaint_bizcal_date *out, plaint_bizcal_date d, int64_t days,
                                plaint_error *err)
{
    int64_t z;

    if (!plaint_bizcal_date_valid(d)) {
        return invalid_date(err, d);
    }
    z = day_number(d);
    if (days > DAY_MAX - z || days < DAY_MIN - z) {
        return range_error(err);
    }
    *out = civil_from_days(z + days);
    return 0;
}

int64_t plaint_bizcal_date_diff(plaint_bizcal_date a, plaint_bizcal_date b)
{
    if (!plaint_bizcal_date_valid(a) || !plaint_bizcal_date_valid(b)) {
        return 0;
    }
    return day_number(b) - day_number(a);
}

/* ---------------------------------------------------------------- TZ rules */

typedef struct tz_parser {
    const char *s; /* the whole rule, for messages */
    const char *p; /* the next character */
    plaint_error *err;
} tz_parser;

static int tz_fail(tz_parser *tp, const char *why)
{
    return plaint_error_set_at(tp->err, PLAINT_EINVALID, "tz", 0, 0, "TZ rule '%.63s': %s", tp->s,
                               why);
}

static int is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A zone name: 3..15 letters, or 3..15 of [A-Za-z0-9+-] between < and >. */
static int parse_name(tz_parser *tp, char out[PLAINT_BIZCAL_ABBR_MAX + 1], const char *what)
{
    char why[96];
    size_t n = 0;
    int quoted = *tp->p == '<';

    if (quoted) {
        tp->p++;
    }
    while (quoted ? (is_alpha(*tp->p) || is_digit(*tp->p) || *tp->p == '+' || *tp->p == '-')
                  : is_alpha(*tp->p)) {
        if (n == PLAINT_BIZCAL_ABBR_MAX) {
            snprintf(why, sizeof(why), "the %s zone name is longer than %d characters", what,
                     PLAINT_BIZCAL_ABBR_MAX);
            return tz_fail(tp, why);
        }
        out[n++] = *tp->p++;
    }
    out[n] = '\0';
    if (quoted && *tp->p != '>') {
        snprintf(why, sizeof(why),
                 "the quoted %s zone name is not closed by '>' or holds other "
                 "than letters, digits, + and -",
                 what);
        return tz_fail(tp, why);
    }
    if (quoted) {
        tp->p++;
    }
    if (n < 3) {
        snprintf(why, sizeof(why), "the %s zone name needs at least 3 %s", what,
                 quoted ? "characters" : "letters");
        return tz_fail(tp, why);
    }
    return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= max_hours (1..3 digits), mm and ss two digits <= 59. */
static int parse_hms(tz_parser *tp, int32_t *out, int max_hours, const char *what)
{
    char why[96];
    int sign = 1;
    int32_t h = 0;
    int32_t m = 0;
    int32_t s = 0;
    int digits = 0;

    if (*tp->p == '+' || *tp->p == '-') {
        sign = *tp->p == '-' ? -1 : 1;
        tp->p++;
    }
    while (is_digit(*tp->p) && digits < 3) {
        h = h * 10 + (*tp->p++ - '0');
        digits++;
    }
    if (digits == 0 || is_digit(*tp->p) || h > max_hours) {
        snprintf(why, sizeof(why), "the %s must be [+-]hh[:mm[:ss]] with hh at most %d", what,
                 max_hours);
        return tz_fail(tp, why);
    }
    if (*tp->p == ':') {
        if (!is_digit(tp->p[1]) || !is_digit(tp->p[2]) || is_digit(tp->p[3])) {
            snprintf(why, sizeof(why), "the minutes of the %s must be two digits", what);
            return tz_fail(tp, why);
        }
        m = (tp->p[1] - '0') * 10 + (tp->p[2] - '0');
        tp->p += 3;
        if (*tp->p == ':') {
            if (!is_digit(tp->p[1]) || !is_digit(tp->p[2]) || is_digit(tp->p[3])) {
                snprintf(why, sizeof(why), "the seconds of the %s must be two digits", what);
                return tz_fail(tp, why);
            }
            s = (tp->p[1] - '0') * 10 + (tp->p[2] - '0');
            tp->p += 3;
        }
    }
    if (m > 59 || s > 59) {
        snprintf(why, sizeof(why), "the minutes and seconds of the %s must be at most 59", what);
        return tz_fail(tp, why);
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return 0;
}

/* A small whole number of 1..2 digits. */
static int parse_small(tz_parser *tp, int *out)
{
    int v = 0;
    int digits = 0;

    while (is_digit(*tp->p) && digits < 2) {
        v = v * 10 + (*tp->p++ - '0');
        digits++;
    }
    *out = v;
    return digits > 0 && !is_digit(*tp->p);
}

/* Mm.w.d[/time] */
static int parse_point(tz_parser *tp, rule_point *out, const char *what)
{
    char why[128];

    if (*tp->p == 'J' || is_digit(*tp->p)) {
        snprintf(why, sizeof(why),
                 "the %s of DST uses the Jn or n day form, which plaint does not support; write "
                 "it as Mm.w.d",
                 what);
        return tz_fail(tp, why);
    }
    if (*tp->p != 'M') {
        snprintf(why, sizeof(why), "the %s of DST must be Mm.w.d[/time]", what);
        return tz_fail(tp, why);
    }
    tp->p++;
    if (!parse_small(tp, &out->month) || out->month < 1 || out->month > 12 || *tp->p != '.') {
        snprintf(why, sizeof(why), "the %s of DST: Mm.w.d needs a month 1 to 12", what);
        return tz_fail(tp, why);
    }
    tp->p++;
    if (!parse_small(tp, &out->week) || out->week < 1 || out->week > 5 || *tp->p != '.') {
        snprintf(why, sizeof(why), "the %s of DST: Mm.w.d needs a week 1 to 5", what);
        return tz_fail(tp, why);
    }
    tp->p++;
    if (!parse_small(tp, &out->wday) || out->wday > 6) {
        snprintf(why, sizeof(why), "the %s of DST: Mm.w.d needs a weekday 0 to 6", what);
        return tz_fail(tp, why);
    }
    out->time_s = 2 * 3600;
    if (*tp->p == '/') {
        tp->p++;
        snprintf(why, sizeof(why), "time of the %s of DST", what);
        return parse_hms(tp, &out->time_s, 167, why);
    }
    return 0;
}

static int parse_tz(zone_rules *out, const char *s, plaint_error *err)
{
    tz_parser tp;
    int32_t off;
    int rc;

    memset(out, 0, sizeof(*out));
    tp.s = s != NULL ? s : "";
    tp.p = tp.s;
    tp.err = err;
    if (s == NULL || s[0] == '\0') {
        return tz_fail(&tp, "empty");
    }
    if (strlen(s) > PLAINT_BIZCAL_TZ_MAX) {
        return tz_fail(&tp, "longer than 63 characters");
    }
    if (s[0] == ':') {
        return tz_fail(&tp, "':' names a zoneinfo file, which plaint does not read; write the "
                            "POSIX rule (e.g. GMT0BST,M3.5.0/1,M10.5.0)");
    }
    rc = parse_name(&tp, out->std_abbr, "standard");
    if (rc == 0) {
        rc = parse_hms(&tp, &off, 24, "standard offset");
    }
    if (rc < 0) {
        return rc;
    }
    out->std_utoff = -off;
    out->dst_utoff = out->std_utoff;
    if (*tp.p == '\0') {
        return 0;
    }
    rc = parse_name(&tp, out->dst_abbr, "DST");
    if (rc < 0) {
        return rc;
    }
    out->has_dst = 1;
    out->dst_utoff = out->std_utoff + 3600;
    if (*tp.p != ',' && *tp.p != '\0') {
        rc = parse_hms(&tp, &off, 24, "DST offset");
        if (rc < 0) {
            return rc;
        }
        out->dst_utoff = -off;
    }
    if (*tp.p == '\0') {
        return tz_fail(&tp, "a zone with DST needs its rules (,start[/time],end[/time]); POSIX "
                            "leaves the default implementation-defined");
    }
    if (*tp.p != ',') {
        return tz_fail(&tp, "expected ',' before the DST rules");
    }
    tp.p++;
    rc = parse_point(&tp, &out->start, "start");
    if (rc < 0) {
        return rc;
    }
    if (*tp.p != ',') {
        return tz_fail(&tp, "expected ',' between the start and the end of DST");
    }
    tp.p++;
    rc = parse_point(&tp, &out->end, "end");
    if (rc < 0) {
        return rc;
    }
    if (*tp.p != '\0') {
        return tz_fail(&tp, "unexpected characters after the end of DST");
    }
    return 0;
}

int plaint_bizcal_check_tz(const char *tz_rule, plaint_error *err)
{
    zone_rules tz;

    return parse_tz(&tz, tz_rule, err);
}

/* The day number of a rule's change date in year y. */
static int64_t point_day(const rule_point *pt, int64_t y)
{
    int64_t first = plaint_days_from_civil(y, pt->month, 1);
    int64_t day = first + floor_mod(pt->wday - weekday_of(first), 7) + 7 * (pt->week - 1);

    while (day >= first + plaint_days_in_month(y, pt->month)) {
        day -= 7; /* week 5: the last such weekday */
    }
    return day;
}

/* The UTC offset (and DST flag) in force at UTC second t. The latest change at or before t
 * among those of four rule years around t decides; a change's time is in the local time in
 * force before it (standard for the start, DST for the end). */
static int32_t utoff_at(const zone_rules *tz, int64_t t, int *is_dst)
{
    int64_t y = civil_from_days(plaint_floor_div(t, SEC_PER_DAY)).year;
    int64_t best = INT64_MIN;
    int dst = 0;
    int64_t yy;

    *is_dst = 0;
    if (!tz->has_dst) {
        return tz->std_utoff;
    }
    for (yy = y - 2; yy <= y + 1; yy++) {
        int64_t start = point_day(&tz->start, yy) * SEC_PER_DAY + tz->start.time_s - tz->std_utoff;
        int64_t end = point_day(&tz->end, yy) * SEC_PER_DAY + tz->end.time_s - tz->dst_utoff;
        if (start <= t && start > best) {
            best = start;
            dst = 1;
        }
        if (end <= t && end >= best) {
            best = end;
            dst = 0;
        }
    }
    *is_dst = dst;
    return dst ? tz->dst_utoff : tz->std_utoff;
}

/* ---------------------------------------------------------------- calendars */

int plaint_bizcal_new(plaint_bizcal **out, const char *id, const char *tz_rule, plaint_error *err)
{
    plaint_bizcal *c;
    int rc;

    if (!plaint_policy_names_is_token(id, PLAINT_BIZCAL_ID_MAX)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "id", 0, 0,
                                   "a calendar id is 1 to %d characters of a-z 0-9 . _ - starting "
                                   "with a letter",
                                   PLAINT_BIZCAL_ID_MAX);
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    rc = parse_tz(&c->tz, tz_rule, err);
    if (rc < 0) {
        free(c);
        return rc;
    }
    memcpy(c->id, id, strlen(id) + 1);
    memcpy(c->tz_text, tz_rule, strlen(tz_rule) + 1);
    c->weekend = PLAINT_BIZCAL_WEEKEND_SAT_SUN;
    c->close_s = 17 * 3600;
    *out = c;
    return 0;
}

void plaint_bizcal_free(plaint_bizcal *c)
{
    if (c == NULL) {
        return;
    }
    free(c->holidays);
    free(c);
}

int plaint_bizcal_set_weekend(plaint_bizcal *c, unsigned weekend_mask, plaint_error *err)
{
    if (weekend_mask > 0x7fu) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "weekend", 0, 0,
                                   "calendar %s: a weekend mask has bits 0 (Sunday) to 6 "
                                   "(Saturday) only",
                                   c->id);
    }
    if (weekend_mask == 0x7fu) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "weekend", 0, 0,
                                   "calendar %s: the weekend cannot be every day of the week",
                                   c->id);
    }
    c->weekend = weekend_mask;
    return 0;
}

int plaint_bizcal_set_close(plaint_bizcal *c, int32_t close_s, plaint_error *err)
{
    if (close_s < 1 || close_s >= SEC_PER_DAY) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "close", 0, 0,
                                   "calendar %s: the close of business must be after 00:00 and "
                                   "before 24:00",
                                   c->id);
    }
    c->close_s = close_s;
    return 0;
}

/* Index of the first holiday >= day. */
static size_t holiday_lower_bound(const plaint_bizcal *c, int64_t day)
{
    size_t lo = 0;
    size_t hi = c->n_holidays;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->holidays[mid] < day) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int is_holiday(const plaint_bizcal *c, int64_t day)
{
    size_t i = holiday_lower_bound(c, day);

    return i < c->n_holidays && c->holidays[i] == day;
}

int plaint_bizcal_add_holiday(plaint_bizcal *c, plaint_bizcal_date d, plaint_error *err)
{
    char text[PLAINT_BIZCAL_DATE_LEN + 1];
    int64_t day;
    size_t i;

    if (plaint_bizcal_date_format(text, d, err) < 0) {
        return PLAINT_EINVALID;
    }
    day = day_number(d);
    i = holiday_lower_bound(c, day);
    if (i < c->n_holidays && c->holidays[i] == day) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "date", 0, 0,
                                   "calendar %s: holiday %s is listed twice", c->id, text);
    }
    if (c->n_holidays == PLAINT_BIZCAL_MAX_HOLIDAYS) {
        return plaint_error_set(err, PLAINT_ERANGE, "calendar %s: at most %d holidays", c->id,
                                PLAINT_BIZCAL_MAX_HOLIDAYS);
    }
    if (c->n_holidays == c->cap_holidays) {
        size_t cap = c->cap_holidays == 0 ? 64 : c->cap_holidays * 2;
        int64_t *h = realloc(c->holidays, cap * sizeof(*h));
        if (h == NULL) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        c->holidays = h;
        c->cap_holidays = cap;
    }
    memmove(c->holidays + i + 1, c->holidays + i, (c->n_holidays - i) * sizeof(*c->holidays));
    c->holidays[i] = day;
    c->n_holidays++;
    return 0;
}

const char *plaint_bizcal_id(const plaint_bizcal *c)
{
    return c->id;
}

const char *plaint_bizcal_tz_rule(const plaint_bizcal *c)
{
    return c->tz_text;
}

unsigned plaint_bizcal_weekend(const plaint_bizcal *c)
{
    return c->weekend;
}

int32_t plaint_bizcal_close(const plaint_bizcal *c)
{
    return c->close_s;
}

size_t plaint_bizcal_count_holidays(const plaint_bizcal *c)
{
    return c->n_holidays;
}

plaint_bizcal_date plaint_bizcal_get_holiday(const plaint_bizcal *c, size_t i)
{
    plaint_bizcal_date none = {0, 0, 0};

    return i < c->n_holidays ? civil_from_days(c->holidays[i]) : none;
}

/* ---------------------------------------------------------------- local time */

/* The local day number and second of day of UTC second t; PLAINT_ERANGE outside the years. */
static int local_of(int64_t *day_out, int32_t *sod_out, int *is_dst, int32_t *utoff_out,
                    const plaint_bizcal *c, int64_t t, plaint_error *err)
{
    int64_t utc_day = plaint_floor_div(t, SEC_PER_DAY);
    int32_t utoff;
    int64_t local;

    /* offsets are at most 25 hours: one day of margin keeps the rule years sane */
    if (utc_day < DAY_MIN - 1 || utc_day > DAY_MAX + 1) {
        return range_error(err);
    }
    utoff = utoff_at(&c->tz, t, is_dst);
    local = t + utoff;
    *day_out = plaint_floor_div(local, SEC_PER_DAY);
    if (!day_in_range(*day_out)) {
        return range_error(err);
    }
    *sod_out = (int32_t)floor_mod(local, SEC_PER_DAY);
    *utoff_out = utoff;
    return 0;
}

/* The local day number of utc_us. */
static int local_day(int64_t *day_out, const plaint_bizcal *c, int64_t utc_us, plaint_error *err)
{
    int32_t sod;
    int32_t utoff;
    int dst;

    return local_of(day_out, &sod, &dst, &utoff, c, plaint_floor_div(utc_us, US_PER_SEC), err);
}

int plaint_bizcal_to_local(plaint_bizcal_local *out, const plaint_bizcal *c, int64_t utc_us,
                           plaint_error *err)
{
    int64_t day;
    int32_t sod;
    int32_t utoff;
    int dst;
    int rc = local_of(&day, &sod, &dst, &utoff, c, plaint_floor_div(utc_us, US_PER_SEC), err);

    if (rc < 0) {
        return rc;
    }
    memset(out, 0, sizeof(*out));
    out->date = civil_from_days(day);
    out->hour = (int)(sod / 3600);
    out->minute = (int)(sod / 60 % 60);
    out->second = (int)(sod % 60);
    out->micro = (int32_t)floor_mod(utc_us, US_PER_SEC);
    out->weekday = weekday_of(day);
    out->is_dst = dst;
    out->utoff = utoff;
    memcpy(out->abbr, dst ? c->tz.dst_abbr : c->tz.std_abbr, sizeof(out->abbr));
    return 0;
}

/* Local day + microsecond of day -> UTC microseconds (rules in bizcal.h). */
static int64_t utc_of_local(const plaint_bizcal *c, int64_t day, int64_t us_of_day,
                            plaint_bizcal_fold *fold)
{
    int64_t local_s = day * SEC_PER_DAY + us_of_day / US_PER_SEC;
    int64_t micro = us_of_day % US_PER_SEC;
    int64_t t_std = local_s - c->tz.std_utoff;
    int64_t t_dst = local_s - c->tz.dst_utoff;
    int64_t t;
    int dst;
    int std_ok;
    int dst_ok;

    *fold = PLAINT_BIZCAL_LOCAL_UNIQUE;
    if (!c->tz.has_dst || t_std == t_dst) {
        return t_std * US_PER_SEC + micro;
    }
    std_ok = utoff_at(&c->tz, t_std, &dst) == c->tz.std_utoff;
    dst_ok = utoff_at(&c->tz, t_dst, &dst) == c->tz.dst_utoff;
    if (std_ok && dst_ok) {
        *fold = PLAINT_BIZCAL_LOCAL_REPEATED;
        t = t_std < t_dst ? t_std : t_dst; /* the first occurrence */
    } else if (std_ok) {
        t = t_std;
    } else if (dst_ok) {
        t = t_dst;
    } else {
        /* the clocks skipped this time: read it with the offset before the change, which is
         * the one in force at the earlier candidate */
        *fold = PLAINT_BIZCAL_LOCAL_SKIPPED;
        t = local_s - utoff_at(&c->tz, t_std < t_dst ? t_std : t_dst, &dst);
    }
    return t * US_PER_SEC + micro;
}

int plaint_bizcal_from_local(int64_t *out, plaint_bizcal_fold *fold_out, const plaint_bizcal *c,
                             plaint_bizcal_date d, int64_t us_of_day, plaint_error *err)
{
    plaint_bizcal_fold fold;

    if (!plaint_bizcal_date_valid(d)) {
        return invalid_date(err, d);
    }
    if (us_of_day < 0 || us_of_day >= US_PER_DAY) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "time", 0, 0,
                                   "a time of day is 0 to 86399999999 microseconds");
    }
    *out = utc_of_local(c, day_number(d), us_of_day, &fold);
    if (fold_out != NULL) {
        *fold_out = fold;
    }
    return 0;
}

/* ---------------------------------------------------------------- business days */

static int business_day(const plaint_bizcal *c, int64_t day)
{
    return (c->weekend & (1u << weekday_of(day))) == 0 && !is_holiday(c, day);
}

int plaint_bizcal_is_business_day(const plaint_bizcal *c, plaint_bizcal_date d)
{
    if (!plaint_bizcal_date_valid(d)) {
        return PLAINT_EINVALID;
    }
    return business_day(c, day_number(d));
}

/* The n-th business day after (n > 0) or before (n < 0) day; day itself for n == 0. */
static int step_business_days(int64_t *out, const plaint_bizcal *c, int64_t day, int n,
                              plaint_error *err)
{
    int64_t step = n < 0 ? -1 : 1;
    int left = n < 0 ? -n : n;

    if (n < -PLAINT_BIZCAL_MAX_BUSINESS_DAYS || n > PLAINT_BIZCAL_MAX_BUSINESS_DAYS) {
        return plaint_error_set(err, PLAINT_EINVALID, "at most %d business days",
                                PLAINT_BIZCAL_MAX_BUSINESS_DAYS);
    }
    while (left > 0) {
        day += step;
        if (!day_in_range(day)) {
            return range_error(err);
        }
        if (business_day(c, day)) {
            left--;
        }
    }
    *out = day;
    return 0;
}

static int step_date(plaint_bizcal_date *out, const plaint_bizcal *c, plaint_bizcal_date d, int n,
                     plaint_error *err)
{
    int64_t day;
    int rc;

    if (!plaint_bizcal_date_valid(d)) {
        return invalid_date(err, d);
    }
    rc = step_business_days(&day, c, day_number(d), n, err);
    if (rc == 0) {
        *out = civil_from_days(day);
    }
    return rc;
}

int plaint_bizcal_next_business_day(plaint_bizcal_date *out, const plaint_bizcal *c,
                                    plaint_bizcal_date d, plaint_error *err)
{
    return step_date(out, c, d, 1, err);
}

int plaint_bizcal_previous_business_day(plaint_bizcal_date *out, const plaint_bizcal *c,
                                        plaint_bizcal_date d, plaint_error *err)
{
    return step_date(out, c, d, -1, err);
}

int plaint_bizcal_add_business_days(plaint_bizcal_date *out, const plaint_bizcal *c,
                                    plaint_bizcal_date d, int n, plaint_error *err)
{
    return step_date(out, c, d, n, err);
}

int plaint_bizcal_close_of_nth_business_day(int64_t *due_us, const plaint_bizcal *c,
                                            int64_t received_us, int n, plaint_error *err)
{
    plaint_bizcal_fold fold;
    int64_t day;
    int rc;

    if (n < 1 || n > PLAINT_BIZCAL_MAX_BUSINESS_DAYS) {
        return plaint_error_set(err, PLAINT_EINVALID, "a deadline is 1 to %d business days",
                                PLAINT_BIZCAL_MAX_BUSINESS_DAYS);
    }
    rc = local_day(&day, c, received_us, err);
    if (rc == 0) {
        rc = step_business_days(&day, c, day, n, err);
    }
    if (rc == 0) {
        *due_us = utc_of_local(c, day, (int64_t)c->close_s * US_PER_SEC, &fold);
    }
    return rc;
}

int plaint_bizcal_end_of_weeks(int64_t *due_us, const plaint_bizcal *c, int64_t received_us,
                               int weeks, plaint_error *err)
{
    plaint_bizcal_fold fold;
    int64_t day;
    int rc;

    if (weeks < 1 || weeks > PLAINT_BIZCAL_MAX_WEEKS) {
        return plaint_error_set(err, PLAINT_EINVALID, "a deadline is 1 to %d weeks",
                                PLAINT_BIZCAL_MAX_WEEKS);
    }
    rc = local_day(&day, c, received_us, err);
    if (rc < 0) {
        return rc;
    }
    day += (int64_t)weeks * 7;
    if (!day_in_range(day)) {
        return range_error(err);
    }
    *due_us = utc_of_local(c, day, US_PER_DAY - 1, &fold);
    return 0;
}

/* Business days in first..last (inclusive; none if last < first). */
static int64_t count_business_days(const plaint_bizcal *c, int64_t first, int64_t last)
{
    int64_t len = last - first + 1;
    int64_t weeks;
    int64_t count;
    int per_week = 0;
    int64_t day;
    size_t i;
    int w;

    if (len <= 0) {
        return 0;
    }
    for (w = 0; w < 7; w++) {
        per_week += (c->weekend & (1u << w)) == 0;
    }
    weeks = len / 7;
    count = weeks * per_week;
    for (day = first + weeks * 7; day <= last; day++) {
        count += (c->weekend & (1u << weekday_of(day))) == 0;
    }
    for (i = holiday_lower_bound(c, first); i < c->n_holidays && c->holidays[i] <= last; i++) {
        count -= (c->weekend & (1u << weekday_of(c->holidays[i]))) == 0;
    }
    return count;
}

int plaint_bizcal_business_days_between(int64_t *out, const plaint_bizcal *c, int64_t from_us,
                                        int64_t to_us, plaint_error *err)
{
    int64_t from_day;
    int64_t to_day;
    int rc = local_day(&from_day, c, from_us, err);

    if (rc == 0) {
        rc = local_day(&to_day, c, to_us, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (to_day >= from_day) {
        *out = count_business_days(c, from_day + 1, to_day);
    } else {
        *out = -count_business_days(c, to_day + 1, from_day);
    }
    return 0;
}
