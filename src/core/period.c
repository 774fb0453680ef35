/* Reporting periods: parses the spellings of include/plaint/period.h into a half-open UTC
 * interval of Unix seconds with a canonical label. Pure: civil-date arithmetic on the proleptic
 * Gregorian calendar, no clock, no time zone but UTC, no floating point. */
#include "plaint/period.h"
#include "plaint/civil.h"

#include <stdio.h>
#include <string.h>

#define YEAR_MIN 1000
#define YEAR_MAX 9999

/* Weekday of a day number, 1 = Monday .. 7 = Sunday (ISO 8601). 1970-01-01 was a Thursday. */
static int iso_weekday(int64_t days)
{
    int64_t w = (days + 3) % 7;

    if (w < 0) {
        w += 7;
    }
    return (int)w + 1;
}

/* Day number of the Monday of ISO week 1 of year y: the week holding 4 January. */
static int64_t iso_week1_monday(int y)
{
    int64_t jan4 = plaint_days_from_civil(y, 1, 4);

    return jan4 - (iso_weekday(jan4) - 1);
}

/* 52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or is a leap year starting
 * on a Wednesday. */
static int iso_weeks_in_year(int y)
{
    return (int)((iso_week1_monday(y + 1) - iso_week1_monday(y)) / 7);
}

/* Reads exactly n decimal digits at s into *out; 0 if they are not all digits. */
static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int fail(plaint_error *err, const char *s, const char *why)
{
    return plaint_error_set_at(err, PLAINT_EINVALID, "period", 0, 0,
                               "period \"%.40s\": %s (forms: 2026-H1, 2026-Q3, 2026-09, 2026-W47, "
                               "2026-09-14, 2026-01-01..2026-03-31)",
                               s, why);
}

static int check_year(int y, const char *s, plaint_error *err)
{
    if (y < YEAR_MIN || y > YEAR_MAX) {
        return fail(err, s, "year must be 1000..9999");
    }
    return 0;
}

/* Parses a "YYYY-MM-DD" of exactly 10 bytes at d into a day number. */
static int parse_day(int64_t *out, const char *d, const char *whole, plaint_error *err)
{
    char msg[96];
    int y;
    int m;
    int day;

    if (!digits(d, 4, &y) || d[4] != '-' || !digits(d + 5, 2, &m) || d[7] != '-' ||
        !digits(d + 8, 2, &day)) {
        return fail(err, whole, "not a date YYYY-MM-DD");
    }
    if (check_year(y, whole, err) < 0) {
        return PLAINT_EINVALID;
    }
    if (m < 1 || m > 12) {
        snprintf(msg, sizeof(msg), "month %02d is not 01..12", m);
        return fail(err, whole, msg);
    }
    if (day < 1 || day > plaint_days_in_month(y, m)) {
        snprintf(msg, sizeof(msg), "%04d-%02d has no day %02d", y, m, day);
        return fail(err, whole, msg);
    }
    *out = plaint_days_from_civil(y, m, day);
    return 0;
}

static void set_days(plaint_period *out, int64_t first_day, int64_t end_day)
{
    out->from = first_day * 86400;
    out->to = end_day * 86400;
}

static void format_day(char *buf, size_t n, int64_t day)
{
    int64_t y;
    int m;
    int d;

    plaint_civil_from_days(day, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02d", (int)y, m, d);
}

int plaint_period_parse(const char *s, plaint_period *out, plaint_error *err)
{
    plaint_period p;
    size_t len;
    int y;
    int n;
    char msg[96];

    if (s == NULL || out == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "period", 0, 0, "no period given");
    }
    memset(&p, 0, sizeof(p));
    len = strlen(s);
    if (len == 22 && s[10] == '.' && s[11] == '.') {
        int64_t a;
        int64_t b;

        if (parse_day(&a, s, s, err) < 0 || parse_day(&b, s + 12, s, err) < 0) {
            return PLAINT_EINVALID;
        }
        if (b < a) {
            return fail(err, s, "FROM is after TO");
        }
        set_days(&p, a, b + 1);
        memcpy(p.label, s, len + 1);
        *out = p;
        return 0;
    }
    if (len < 7 || !digits(s, 4, &y) || s[4] != '-') {
        return fail(err, s, "unknown form");
    }
    if (check_year(y, s, err) < 0) {
        return PLAINT_EINVALID;
    }
    if (len == 7 && (s[5] == 'H' || s[5] == 'Q')) {
        int half = s[5] == 'H';
        int max = half ? 2 : 4;
        int months = half ? 6 : 3;

        if (!digits(s + 6, 1, &n) || n < 1 || n > max) {
            return fail(err, s, half ? "half-year must be H1 or H2" : "quarter must be Q1..Q4");
        }
        set_days(&p, plaint_days_from_civil(y, (n - 1) * months + 1, 1),
                 n == max ? plaint_days_from_civil(y + 1, 1, 1) : plaint_days_from_civil(y, n * months + 1, 1));
        snprintf(p.label, sizeof(p.label), "%04d-%c%d", y, s[5], n);
        *out = p;
        return 0;
    }
    if (len == 8 && s[5] == 'W') {
        int64_t monday;

        if (!digits(s + 6, 2, &n)) {
            return fail(err, s, "ISO week must be two digits, W01..W53");
        }
        if (n < 1 || n > iso_weeks_in_year(y)) {
            snprintf(msg, sizeof(msg), "ISO year %04d has weeks W01..W%02d", y,
                     iso_weeks_in_year(y));
            return fail(err, s, msg);
        }
        monday = iso_week1_monday(y) + (int64_t)(n - 1) * 7;
        set_days(&p, monday, monday + 7);
        snprintf(p.label, sizeof(p.label), "%04d-W%02d", y, n);
        *out = p;
        return 0;
    }
    if (len == 7) {
        if (!digits(s + 5, 2, &n)) {
            return fail(err, s, "unknown form");
        }
        if (n < 1 || n > 12) {
            snprintf(msg, sizeof(msg), "month %02d is not 01..12", n);
            return fail(err, s, msg);
        }
        set_days(&p, plaint_days_from_civil(y, n, 1),
                 n == 12 ? plaint_days_from_civil(y + 1, 1, 1) : plaint_days_from_civil(y, n + 1, 1));
        snprintf(p.label, sizeof(p.label), "%04d-%02d", y, n);
        *out = p;
        return 0;
    }
    if (len == 10) {
        int64_t d;

        if (parse_day(&d, s, s, err) < 0) {
            return PLAINT_EINVALID;
        }
        set_days(&p, d, d + 1);
        format_day(p.label, sizeof(p.label), d);
        *out = p;
        return 0;
    }
    return fail(err, s, "unknown form");
}

int plaint_period_day_label(char out[PLAINT_PERIOD_DAY_LEN + 1], int64_t t)
{
    int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);

    format_day(out, PLAINT_PERIOD_DAY_LEN + 1, day);
    return 0;
}
