/* Tests of business-day calendars (core/bizcal): dates, the POSIX TZ rule interpreter (checked
 * against glibc's own for thousands of instants), local time in skipped and repeated hours,
 * business-day arithmetic with UK and US holidays, and the DISP deadlines across DST changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "plaint/bizcal.h"

#define UK_RULE "GMT0BST,M3.5.0/1,M10.5.0"
#define NY_RULE "EST5EDT,M3.2.0,M11.1.0"
#define US      1000000LL

/* Microseconds since the epoch of a UTC civil time. */
static int64_t U(int y, int mo, int d, int h, int mi, int s)
{
    const plaint_bizcal_date epoch = {1970, 1, 1};
    const plaint_bizcal_date x = {y, mo, d};

    assert_true(plaint_bizcal_date_valid(x));
    return (plaint_bizcal_date_diff(epoch, x) * 86400 + h * 3600 + mi * 60 + s) * US;
}

static plaint_bizcal_date D(int y, int m, int d)
{
    plaint_bizcal_date x = {y, m, d};
    return x;
}

static void assert_date(plaint_bizcal_date got, int y, int m, int d)
{
    if (got.year != y || got.month != m || got.day != d) {
        fail_msg("got %04d-%02d-%02d, want %04d-%02d-%02d", got.year, got.month, got.day, y, m, d);
    }
}

static plaint_bizcal *new_cal(const char *id, const char *rule)
{
    plaint_bizcal *c = NULL;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_bizcal_new(&c, id, rule, &err) != 0) {
        fail_msg("%s: %s", rule, err.message);
    }
    return c;
}

static void add_holidays(plaint_bizcal *c, const char *const *dates)
{
    size_t i;

    for (i = 0; dates[i] != NULL; i++) {
        plaint_bizcal_date d;
        assert_int_equal(plaint_bizcal_date_parse(&d, dates[i], NULL), 0);
        assert_int_equal(plaint_bizcal_add_holiday(c, d, NULL), 0);
    }
}

/* England and Wales bank holidays 2020-2026 that the tests below cross (gov.uk). */
static const char *const UK_HOLIDAYS[] = {
    "2020-12-25", "2020-12-28", /* Christmas on a Friday: Boxing Day moves to Monday */
    "2021-01-01", "2021-12-27", "2021-12-28", /* Christmas on a Saturday: both move */
    "2022-01-03", "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27",
    "2024-08-26", "2024-12-25", "2024-12-26", "2025-01-01", "2025-04-18", "2025-04-21",
    "2025-05-05", "2025-12-25", "2025-12-26", "2026-01-01", NULL};

static plaint_bizcal *uk_cal(void)
{
    plaint_bizcal *c = new_cal("uk-ew", UK_RULE);
    add_holidays(c, UK_HOLIDAYS);
    return c;
}

/* ---------------------------------------------------------------- dates */

static void test_dates(void **state)
{
    plaint_bizcal_date d;
    char text[PLAINT_BIZCAL_DATE_LEN + 1];
    plaint_error err;

    (void)state;
    /* anchors: the epoch, and an instant checked with date(1) */
    assert_int_equal(U(1970, 1, 1, 0, 0, 0), 0);
    assert_int_equal(U(2024, 1, 1, 0, 0, 0), 1704067200LL * US);
    assert_int_equal(U(2200, 12, 31, 23, 59, 59), 7289654399LL * US);
    /* leap years on the proleptic Gregorian calendar */
    assert_true(plaint_bizcal_date_valid(D(2024, 2, 29)));
    assert_true(plaint_bizcal_date_valid(D(2000, 2, 29)));
    assert_false(plaint_bizcal_date_valid(D(1900, 2, 29)));
    assert_false(plaint_bizcal_date_valid(D(2100, 2, 29)));
    assert_false(plaint_bizcal_date_valid(D(2023, 2, 29)));
    assert_false(plaint_bizcal_date_valid(D(2024, 4, 31)));
    assert_false(plaint_bizcal_date_valid(D(0, 1, 1)));
    assert_false(plaint_bizcal_date_valid(D(10000, 1, 1)));
    assert_false(plaint_bizcal_date_valid(D(2024, 13, 1)));
    assert_false(plaint_bizcal_date_valid(D(2024, 1, 0)));
    /* weekdays */
    assert_int_equal(plaint_bizcal_weekday(D(1970, 1, 1)), PLAINT_BIZCAL_THURSDAY);
    assert_int_equal(plaint_bizcal_weekday(D(2000, 2, 29)), PLAINT_BIZCAL_TUESDAY);
    assert_int_equal(plaint_bizcal_weekday(D(2024, 12, 25)), PLAINT_BIZCAL_WEDNESDAY);
    assert_int_equal(plaint_bizcal_weekday(D(2200, 1, 1)), PLAINT_BIZCAL_WEDNESDAY);
    assert_int_equal(plaint_bizcal_weekday(D(1, 1, 1)), PLAINT_BIZCAL_MONDAY);
    assert_int_equal(plaint_bizcal_weekday(D(9999, 12, 31)), PLAINT_BIZCAL_FRIDAY);
    assert_int_equal(plaint_bizcal_weekday(D(2023, 2, 29)), -1);
    /* parse and format */
    assert_int_equal(plaint_bizcal_date_parse(&d, "2024-02-29", NULL), 0);
    assert_date(d, 2024, 2, 29);
    assert_int_equal(plaint_bizcal_date_format(text, d, NULL), 0);
    assert_string_equal(text, "2024-02-29");
    assert_int_equal(plaint_bizcal_date_format(text, D(5, 3, 7), NULL), 0);
    assert_string_equal(text, "0005-03-07");
    plaint_error_init(&err);
    assert_int_equal(plaint_bizcal_date_parse(&d, "2019-02-29", &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "'2019-02-29' is not a valid date");
    assert_int_equal(plaint_bizcal_date_parse(&d, "2019-2-28", NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_date_parse(&d, "2019-02-28 ", NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_date_parse(&d, "2019/02/28", NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_date_parse(&d, "0000-01-01", NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_date_parse(&d, NULL, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_date_format(text, D(2023, 2, 29), NULL), PLAINT_EINVALID);
    /* arithmetic across month, leap day and year boundaries */
    assert_int_equal(plaint_bizcal_date_add_days(&d, D(2024, 2, 28), 1, NULL), 0);
    assert_date(d, 2024, 2, 29);
    assert_int_equal(plaint_bizcal_date_add_days(&d, D(2023, 2, 28), 1, NULL), 0);
    assert_date(d, 2023, 3, 1);
    assert_int_equal(plaint_bizcal_date_add_days(&d, D(2024, 12, 31), 1, NULL), 0);
    assert_date(d, 2025, 1, 1);
    assert_int_equal(plaint_bizcal_date_add_days(&d, D(2025, 1, 1), -1, NULL), 0);
    assert_date(d, 2024, 12, 31);
    assert_int_equal(plaint_bizcal_date_add_days(&d, D(1970, 1, 1), 84000, NULL), 0);
    assert_date(d, 2199, 12, 26);
    assert_int_equal(plaint_bizcal_date_diff(D(2024, 1, 1), D(2025, 1, 1)), 366);
    assert_int_equal(plaint_bizcal_date_diff(D(2025, 1, 1), D(2024, 1, 1)), -366);
    assert_int_equal(plaint_bizcal_date_diff(D(1, 1, 1), D(9999, 12, 31)), 3652058);
    assert_int_equal(plaint_bizcal_date_add_days(&d, D(9999, 12, 31), 1, NULL), PLAINT_ERANGE);
    assert_int_equal(plaint_bizcal_date_add_days(&d, D(1, 1, 1), -1, NULL), PLAINT_ERANGE);
    assert_int_equal(plaint_bizcal_date_add_days(&d, D(2023, 2, 29), 1, NULL), PLAINT_EINVALID);
}

/* ---------------------------------------------------------------- TZ rules */

static void test_tz_rules_accepted(void **state)
{
    static const char *const ok[] = {
        UK_RULE,
        NY_RULE,
        "UTC0",
        "JST-9",
        "<+13>-13",
        "<-03>3",
        "IST-5:30",
        "NPT-5:45",
        "AEST-10AEDT,M10.1.0,M4.1.0/3",
        "IST-1GMT0,M10.5.0,M3.5.0/1",
        "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "NZST-12NZDT,M9.5.0,M4.1.0/3",
        "EST+5EDT+4:00:00,M3.2.0/2:00:00,M11.1.0/02:00",
        "<-04>4<-03>,M9.1.6/24,M4.1.6/24",
        "XXX0YYY,M1.1.0/-167,M12.5.6/167",
        NULL,
    };
    size_t i;

    (void)state;
    for (i = 0; ok[i] != NULL; i++) {
        plaint_error err;
        plaint_error_init(&err);
        if (plaint_bizcal_check_tz(ok[i], &err) != 0) {
            fail_msg("%s refused: %s", ok[i], err.message);
        }
    }
}

static void expect_tz_refused(const char *rule, const char *want)
{
    plaint_bizcal *c = NULL;
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_bizcal_new(&c, "x", rule, &err), PLAINT_EINVALID);
    assert_null(c);
    print_message("%s -> %s\n", rule != NULL ? rule : "(null)", err.message);
    if (strstr(err.message, want) == NULL) {
        fail_msg("%s: message \"%s\" lacks \"%s\"", rule, err.message, want);
    }
    assert_string_equal(err.field, "tz");
}

static void test_tz_rules_refused(void **state)
{
    (void)state;
    expect_tz_refused("EST5EDT,J60,J300", "Jn or n day form, which plaint does not support");
    expect_tz_refused("EST5EDT,59,299", "Jn or n day form, which plaint does not support");
    expect_tz_refused("EST5EDT,M3.2.0,J300", "the end of DST uses the Jn or n day form");
    expect_tz_refused("EST5EDT", "a zone with DST needs its rules");
    expect_tz_refused("EST5EDT4", "a zone with DST needs its rules");
    expect_tz_refused(":Europe/London", "names a zoneinfo file");
    expect_tz_refused("", "empty");
    expect_tz_refused(NULL, "empty");
    expect_tz_refused("GM0", "the standard zone name needs at least 3 letters");
    expect_tz_refused("<+1>-1", "needs at least 3 characters");
    expect_tz_refused("<+13-13", "is not closed by '>'");
    expect_tz_refused("ABCDEFGHIJKLMNOPQ0", "longer than 15 characters");
    expect_tz_refused("GMT", "standard offset must be");
    expect_tz_refused("GMT25", "hh at most 24");
    expect_tz_refused("GMT0:60", "at most 59");
    expect_tz_refused("GMT0:5", "minutes of the standard offset must be two digits");
    expect_tz_refused("GMT0BST,M13.1.0,M10.5.0", "a month 1 to 12");
    expect_tz_refused("GMT0BST,M3.6.0,M10.5.0", "a week 1 to 5");
    expect_tz_refused("GMT0BST,M3.0.0,M10.5.0", "a week 1 to 5");
    expect_tz_refused("GMT0BST,M3.5.7,M10.5.0", "a weekday 0 to 6");
    expect_tz_refused("GMT0BST,M3.5.0/168,M10.5.0", "hh at most 167");
    expect_tz_refused("GMT0BST,M3.5.0", "expected ',' between the start and the end");
    expect_tz_refused("GMT0BST,M3.5.0,M10.5.0x", "unexpected characters after the end");
    expect_tz_refused("GMT0BST;M3.5.0,M10.5.0", "the DST offset must be");
    expect_tz_refused("GMT0BST-1x,M3.5.0,M10.5.0", "expected ',' before the DST rules");
    expect_tz_refused("GMT0BST,X3.5.0,M10.5.0", "must be Mm.w.d");
    expect_tz_refused("GMT0BST,M3.5.0/1,M10.5.0/1,M1.1.0", "unexpected characters");
    expect_tz_refused("GMT0BST,M3.5.0/1,M10.5.0________________________________________",
                      "longer than 63 characters");
}

static void test_calendar_settings(void **state)
{
    plaint_bizcal *c = NULL;
    plaint_error err;

    (void)state;
    plaint_error_init(&err);
    assert_int_equal(plaint_bizcal_new(&c, "UK", UK_RULE, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "id");
    assert_int_equal(plaint_bizcal_new(&c, "", UK_RULE, NULL), PLAINT_EINVALID);
    c = new_cal("uk-ew", UK_RULE);
    assert_string_equal(plaint_bizcal_id(c), "uk-ew");
    assert_string_equal(plaint_bizcal_tz_rule(c), UK_RULE);
    assert_int_equal(plaint_bizcal_weekend(c), PLAINT_BIZCAL_WEEKEND_SAT_SUN);
    assert_int_equal(plaint_bizcal_close(c), 17 * 3600);
    assert_int_equal(plaint_bizcal_set_weekend(c, 0x7f, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "calendar uk-ew: the weekend cannot be every day of the week");
    assert_int_equal(plaint_bizcal_set_weekend(c, 0x80, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_set_close(c, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_set_close(c, 86400, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_set_close(c, 17 * 3600 + 30 * 60, NULL), 0);
    assert_int_equal(plaint_bizcal_close(c), 63000);
    /* holidays: kept in date order, duplicates and bad dates refused */
    assert_int_equal(plaint_bizcal_add_holiday(c, D(2024, 12, 26), NULL), 0);
    assert_int_equal(plaint_bizcal_add_holiday(c, D(2024, 12, 25), NULL), 0);
    assert_int_equal(plaint_bizcal_add_holiday(c, D(2024, 1, 1), NULL), 0);
    assert_int_equal(plaint_bizcal_add_holiday(c, D(2024, 12, 25), &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "calendar uk-ew: holiday 2024-12-25 is listed twice");
    assert_string_equal(err.field, "date");
    assert_int_equal(plaint_bizcal_add_holiday(c, D(2023, 2, 29), &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "2023-2-29 is not a valid date");
    assert_int_equal(plaint_bizcal_count_holidays(c), 3);
    assert_date(plaint_bizcal_get_holiday(c, 0), 2024, 1, 1);
    assert_date(plaint_bizcal_get_holiday(c, 1), 2024, 12, 25);
    assert_date(plaint_bizcal_get_holiday(c, 2), 2024, 12, 26);
    assert_date(plaint_bizcal_get_holiday(c, 3), 0, 0, 0);
    plaint_bizcal_free(c);
    plaint_bizcal_free(NULL);
}

static void test_holiday_limit(void **state)
{
    plaint_bizcal *c = new_cal("many", "UTC0");
    plaint_bizcal_date d = {2000, 1, 1};
    int i;

    (void)state;
    for (i = 0; i < PLAINT_BIZCAL_MAX_HOLIDAYS; i++) {
        assert_int_equal(plaint_bizcal_add_holiday(c, d, NULL), 0);
        assert_int_equal(plaint_bizcal_date_add_days(&d, d, 1, NULL), 0);
    }
    assert_int_equal(plaint_bizcal_add_holiday(c, d, NULL), PLAINT_ERANGE);
    /* 4096 consecutive holidays from 2000-01-01: the next business day is still found */
    assert_int_equal(plaint_bizcal_next_business_day(&d, c, D(1999, 12, 31), NULL), 0);
    assert_date(d, 2011, 3, 21); /* 2011-03-19 is a Saturday */
    plaint_bizcal_free(c);
}

/* ---------------------------------------------------------------- local time */

static void expect_local(const plaint_bizcal *c, int64_t t, int y, int mo, int d, int h, int mi,
                         int s, int dst, int32_t utoff, const char *abbr)
{
    plaint_bizcal_local l;

    assert_int_equal(plaint_bizcal_to_local(&l, c, t, NULL), 0);
    if (l.date.year != y || l.date.month != mo || l.date.day != d || l.hour != h ||
        l.minute != mi || l.second != s || l.is_dst != dst || l.utoff != utoff ||
        strcmp(l.abbr, abbr) != 0) {
        fail_msg("got %04d-%02d-%02d %02d:%02d:%02d dst=%d utoff=%d %s, want %04d-%02d-%02d "
                 "%02d:%02d:%02d dst=%d utoff=%d %s",
                 l.date.year, l.date.month, l.date.day, l.hour, l.minute, l.second, l.is_dst,
                 (int)l.utoff, l.abbr, y, mo, d, h, mi, s, dst, (int)utoff, abbr);
    }
}

static void test_to_local_uk(void **state)
{
    plaint_bizcal *c = new_cal("uk", UK_RULE);
    plaint_bizcal_local l;

    (void)state;
    expect_local(c, U(2024, 1, 15, 12, 0, 0), 2024, 1, 15, 12, 0, 0, 0, 0, "GMT");
    expect_local(c, U(2024, 7, 1, 12, 0, 0), 2024, 7, 1, 13, 0, 0, 1, 3600, "BST");
    /* 23:30 UTC on a BST day is already the next local day */
    expect_local(c, U(2024, 6, 10, 23, 30, 0), 2024, 6, 11, 0, 30, 0, 1, 3600, "BST");
    /* clocks go forward at 01:00 GMT on the last Sunday of March (31 March 2024) */
    expect_local(c, U(2024, 3, 31, 0, 59, 59), 2024, 3, 31, 0, 59, 59, 0, 0, "GMT");
    expect_local(c, U(2024, 3, 31, 1, 0, 0), 2024, 3, 31, 2, 0, 0, 1, 3600, "BST");
    /* and back at 01:00 GMT on the last Sunday of October (27 October 2024) */
    expect_local(c, U(2024, 10, 27, 0, 59, 59), 2024, 10, 27, 1, 59, 59, 1, 3600, "BST");
    expect_local(c, U(2024, 10, 27, 1, 0, 0), 2024, 10, 27, 1, 0, 0, 0, 0, "GMT");
    /* week 5 is the last Sunday even in a month with four: March 2021 ends on Wednesday 31 */
    expect_local(c, U(2021, 3, 28, 0, 59, 59), 2021, 3, 28, 0, 59, 59, 0, 0, "GMT");
    expect_local(c, U(2021, 3, 28, 1, 0, 0), 2021, 3, 28, 2, 0, 0, 1, 3600, "BST");
    /* microseconds, and instants before the epoch */
    assert_int_equal(plaint_bizcal_to_local(&l, c, -1, NULL), 0);
    assert_date(l.date, 1969, 12, 31);
    assert_int_equal(l.hour, 23);
    assert_int_equal(l.second, 59);
    assert_int_equal(l.micro, 999999);
    assert_int_equal(l.weekday, PLAINT_BIZCAL_WEDNESDAY);
    /* far dates */
    expect_local(c, U(2200, 7, 1, 12, 0, 0), 2200, 7, 1, 13, 0, 0, 1, 3600, "BST");
    expect_local(c, U(1970, 1, 1, 0, 0, 0), 1970, 1, 1, 0, 0, 0, 0, 0, "GMT");
    expect_local(c, U(9999, 12, 31, 23, 59, 59), 9999, 12, 31, 23, 59, 59, 0, 0, "GMT");
    assert_int_equal(plaint_bizcal_to_local(&l, c, INT64_MAX, NULL), PLAINT_ERANGE);
    assert_int_equal(plaint_bizcal_to_local(&l, c, INT64_MIN, NULL), PLAINT_ERANGE);
    assert_int_equal(plaint_bizcal_to_local(&l, c, U(9999, 12, 31, 23, 59, 59) + US, NULL),
                     PLAINT_ERANGE);
    plaint_bizcal_free(c);
}

static void test_to_local_us_and_south(void **state)
{
    plaint_bizcal *ny = new_cal("ny", NY_RULE);
    plaint_bizcal *syd = new_cal("syd", "AEST-10AEDT,M10.1.0,M4.1.0/3");
    plaint_bizcal *dub = new_cal("dub", "IST-1GMT0,M10.5.0,M3.5.0/1");

    (void)state;
    /* second Sunday of March 2024 (10th): 02:00 EST -> 03:00 EDT */
    expect_local(ny, U(2024, 3, 10, 6, 59, 59), 2024, 3, 10, 1, 59, 59, 0, -18000, "EST");
    expect_local(ny, U(2024, 3, 10, 7, 0, 0), 2024, 3, 10, 3, 0, 0, 1, -14400, "EDT");
    /* first Sunday of November 2024 (3rd): 02:00 EDT -> 01:00 EST */
    expect_local(ny, U(2024, 11, 3, 5, 59, 59), 2024, 11, 3, 1, 59, 59, 1, -14400, "EDT");
    expect_local(ny, U(2024, 11, 3, 6, 0, 0), 2024, 11, 3, 1, 0, 0, 0, -18000, "EST");
    /* southern hemisphere: DST across the new year */
    expect_local(syd, U(2024, 1, 1, 0, 0, 0), 2024, 1, 1, 11, 0, 0, 1, 39600, "AEDT");
    expect_local(syd, U(2024, 7, 1, 0, 0, 0), 2024, 7, 1, 10, 0, 0, 0, 36000, "AEST");
    /* Ireland: negative DST, GMT in winter is the "DST" offset */
    expect_local(dub, U(2024, 1, 1, 12, 0, 0), 2024, 1, 1, 12, 0, 0, 1, 0, "GMT");
    expect_local(dub, U(2024, 7, 1, 12, 0, 0), 2024, 7, 1, 13, 0, 0, 0, 3600, "IST");
    plaint_bizcal_free(ny);
    plaint_bizcal_free(syd);
    plaint_bizcal_free(dub);
}

static void expect_from_local(const plaint_bizcal *c, plaint_bizcal_date d, int h, int mi,
                              int64_t micro, plaint_bizcal_fold fold, int64_t want)
{
    plaint_bizcal_fold got_fold = (plaint_bizcal_fold)-1;
    int64_t got = 0;

    assert_int_equal(plaint_bizcal_from_local(&got, &got_fold, c, d,
                                              ((int64_t)h * 3600 + mi * 60) * US + micro, NULL),
                     0);
    assert_int_equal(got_fold, fold);
    if (got != want) {
        fail_msg("%04d-%02d-%02d %02d:%02d: got %lld, want %lld (off by %lld s)", d.year, d.month,
                 d.day, h, mi, (long long)got, (long long)want, (long long)((got - want) / US));
    }
}

static void test_from_local(void **state)
{
    plaint_bizcal *uk = new_cal("uk", UK_RULE);
    plaint_bizcal *ny = new_cal("ny", NY_RULE);
    plaint_bizcal *utc = new_cal("utc", "UTC0");
    int64_t t;

    (void)state;
    expect_from_local(uk, D(2024, 1, 15), 17, 0, 0, PLAINT_BIZCAL_LOCAL_UNIQUE,
                      U(2024, 1, 15, 17, 0, 0));
    expect_from_local(uk, D(2024, 7, 15), 17, 0, 123456, PLAINT_BIZCAL_LOCAL_UNIQUE,
                      U(2024, 7, 15, 16, 0, 0) + 123456);
    /* UK skipped hour: 01:30 on 31 March 2024 does not exist; read with GMT (before the
     * change), it is 01:30 UTC, which the clocks show as 02:30 BST */
    expect_from_local(uk, D(2024, 3, 31), 1, 30, 0, PLAINT_BIZCAL_LOCAL_SKIPPED,
                      U(2024, 3, 31, 1, 30, 0));
    expect_from_local(uk, D(2024, 3, 31), 1, 0, 0, PLAINT_BIZCAL_LOCAL_SKIPPED,
                      U(2024, 3, 31, 1, 0, 0));
    expect_from_local(uk, D(2024, 3, 31), 0, 59, 0, PLAINT_BIZCAL_LOCAL_UNIQUE,
                      U(2024, 3, 31, 0, 59, 0));
    expect_from_local(uk, D(2024, 3, 31), 2, 0, 0, PLAINT_BIZCAL_LOCAL_UNIQUE,
                      U(2024, 3, 31, 1, 0, 0));
    /* UK repeated hour: 01:30 on 27 October 2024 happens at 00:30 UTC (BST) and 01:30 UTC
     * (GMT); the first is taken */
    expect_from_local(uk, D(2024, 10, 27), 1, 30, 0, PLAINT_BIZCAL_LOCAL_REPEATED,
                      U(2024, 10, 27, 0, 30, 0));
    expect_from_local(uk, D(2024, 10, 27), 1, 0, 0, PLAINT_BIZCAL_LOCAL_REPEATED,
                      U(2024, 10, 27, 0, 0, 0));
    expect_from_local(uk, D(2024, 10, 27), 2, 0, 0, PLAINT_BIZCAL_LOCAL_UNIQUE,
                      U(2024, 10, 27, 2, 0, 0));
    expect_from_local(uk, D(2024, 10, 27), 0, 59, 0, PLAINT_BIZCAL_LOCAL_UNIQUE,
                      U(2024, 10, 26, 23, 59, 0));
    /* New York: 02:30 on 10 March 2024 is skipped (read as EST: 07:30 UTC); 01:30 on 3 November
     * 2024 is repeated (the EDT one, 05:30 UTC, is taken) */
    expect_from_local(ny, D(2024, 3, 10), 2, 30, 0, PLAINT_BIZCAL_LOCAL_SKIPPED,
                      U(2024, 3, 10, 7, 30, 0));
    expect_from_local(ny, D(2024, 11, 3), 1, 30, 0, PLAINT_BIZCAL_LOCAL_REPEATED,
                      U(2024, 11, 3, 5, 30, 0));
    expect_from_local(ny, D(2024, 11, 3), 17, 0, 0, PLAINT_BIZCAL_LOCAL_UNIQUE,
                      U(2024, 11, 3, 22, 0, 0));
    expect_from_local(utc, D(2100, 2, 28), 23, 59, 999999, PLAINT_BIZCAL_LOCAL_UNIQUE,
                      U(2100, 2, 28, 23, 59, 0) + 999999);
    /* bad input */
    assert_int_equal(plaint_bizcal_from_local(&t, NULL, uk, D(2023, 2, 29), 0, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_from_local(&t, NULL, uk, D(2023, 2, 28), -1, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_from_local(&t, NULL, uk, D(2023, 2, 28), 86400 * US, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_from_local(&t, NULL, uk, D(2023, 2, 28), 86400 * US - 1, NULL),
                     0);
    plaint_bizcal_free(uk);
    plaint_bizcal_free(ny);
    plaint_bizcal_free(utc);
}

/* ---------------------------------------------------------------- glibc cross-check */

/* Rules compared with glibc (setenv TZ + localtime_r), here only. */
static const char *const GLIBC_RULES[] = {
    UK_RULE,
    NY_RULE,
    "UTC0",
    "<+13>-13",
    "IST-5:30",
    "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "IST-1GMT0,M10.5.0,M3.5.0/1",
    "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
    "NZST-12NZDT,M9.5.0,M4.1.0/3",
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "<-04>4<-03>,M9.1.6/24,M4.1.6/24",
    "PST8PDT,M3.2.0,M11.1.0",
    NULL,
};

static uint64_t lcg_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

/* Compares one instant; returns 1 if it agrees with glibc. */
static int agrees(const plaint_bizcal *c, const char *rule, time_t t)
{
    struct tm tm;
    plaint_bizcal_local l;
    int64_t back = 0;
    plaint_bizcal_fold fold;

    if (localtime_r(&t, &tm) == NULL || plaint_bizcal_to_local(&l, c, (int64_t)t * US, NULL) != 0) {
        print_error("%s: conversion failed at %lld\n", rule, (long long)t);
        return 0;
    }
    if (l.date.year != tm.tm_year + 1900 || l.date.month != tm.tm_mon + 1 ||
        l.date.day != tm.tm_mday || l.hour != tm.tm_hour || l.minute != tm.tm_min ||
        l.second != tm.tm_sec || l.weekday != tm.tm_wday || l.is_dst != (tm.tm_isdst > 0) ||
        l.utoff != tm.tm_gmtoff || strcmp(l.abbr, tm.tm_zone) != 0) {
        print_error("%s at %lld: plaint %04d-%02d-%02d %02d:%02d:%02d %s dst=%d %d, glibc "
                    "%04d-%02d-%02d %02d:%02d:%02d %s dst=%d %ld\n",
                    rule, (long long)t, l.date.year, l.date.month, l.date.day, l.hour, l.minute,
                    l.second, l.abbr, l.is_dst, (int)l.utoff, tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_zone, tm.tm_isdst,
                    tm.tm_gmtoff);
        return 0;
    }
    /* round trip: local -> UTC gives the instant back, except the second occurrence of a
     * repeated time, which gives the first (earlier) one */
    if (plaint_bizcal_from_local(&back, &fold, c, l.date,
                                 ((int64_t)l.hour * 3600 + l.minute * 60 + l.second) * US,
                                 NULL) != 0 ||
        fold == PLAINT_BIZCAL_LOCAL_SKIPPED ||
        (back != (int64_t)t * US && !(fold == PLAINT_BIZCAL_LOCAL_REPEATED && back < t * US))) {
        print_error("%s at %lld: round trip gave %lld (fold %d)\n", rule, (long long)t,
                    (long long)(back / US), (int)fold);
        return 0;
    }
    return 1;
}

static void test_glibc_cross_check(void **state)
{
    /* 1990-01-01 and 2100-01-01, seconds */
    const int64_t lo = 631152000LL;
    const int64_t hi = 4102444800LL;
    char *saved = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
    uint64_t seed = 20240331;
    long checked = 0;
    int bad = 0;
    size_t r;

    (void)state;
    assert_true(sizeof(time_t) == 8);
    for (r = 0; GLIBC_RULES[r] != NULL; r++) {
        plaint_bizcal *c = new_cal("x", GLIBC_RULES[r]);
        static const int years[] = {1990, 2024, 2037, 2099};
        int i;
        size_t y;
        assert_int_equal(setenv("TZ", GLIBC_RULES[r], 1), 0);
        tzset();
        /* random instants over 110 years */
        for (i = 0; i < 400 && bad < 10; i++) {
            time_t t = (time_t)(lo + (int64_t)(lcg_next(&seed) % (uint64_t)(hi - lo)));
            bad += !agrees(c, GLIBC_RULES[r], t);
            checked++;
        }
        /* every 30 minutes of some whole years, with each change and its neighbours */
        for (y = 0; y < sizeof(years) / sizeof(years[0]); y++) {
            int64_t t0 = U(years[y], 1, 1, 0, 0, 0) / US;
            int64_t t;
            for (t = t0 - 86400; t < t0 + 367 * 86400 && bad < 10; t += 1800) {
                bad += !agrees(c, GLIBC_RULES[r], (time_t)t);
                bad += !agrees(c, GLIBC_RULES[r], (time_t)(t - 1));
                checked += 2;
            }
        }
        plaint_bizcal_free(c);
    }
    if (saved != NULL) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
    print_message("%ld instants compared with glibc\n", checked);
    assert_int_equal(bad, 0);
    assert_true(checked > 100000);
}

/* ---------------------------------------------------------------- business days */

static void test_business_days(void **state)
{
    plaint_bizcal *c = uk_cal();
    plaint_bizcal_date d;
    plaint_error err;

    (void)state;
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2024, 1, 12)), 1); /* Friday */
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2024, 1, 13)), 0); /* Saturday */
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2024, 1, 14)), 0); /* Sunday */
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2024, 3, 29)), 0); /* Good Friday */
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2024, 12, 25)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2023, 2, 29)), PLAINT_EINVALID);
    /* a holiday on the Friday before a weekend, and Easter Monday after it */
    assert_int_equal(plaint_bizcal_next_business_day(&d, c, D(2024, 3, 28), NULL), 0);
    assert_date(d, 2024, 4, 2);
    assert_int_equal(plaint_bizcal_previous_business_day(&d, c, D(2024, 4, 2), NULL), 0);
    assert_date(d, 2024, 3, 28);
    /* 2020: Christmas on Friday, Boxing Day's substitute on Monday 28 */
    assert_int_equal(plaint_bizcal_next_business_day(&d, c, D(2020, 12, 24), NULL), 0);
    assert_date(d, 2020, 12, 29);
    /* 2021: Christmas on Saturday; substitutes Monday 27 and Tuesday 28 */
    assert_int_equal(plaint_bizcal_next_business_day(&d, c, D(2021, 12, 24), NULL), 0);
    assert_date(d, 2021, 12, 29);
    assert_int_equal(plaint_bizcal_previous_business_day(&d, c, D(2021, 12, 29), NULL), 0);
    assert_date(d, 2021, 12, 24);
    /* next/previous are strict, even from a business day */
    assert_int_equal(plaint_bizcal_next_business_day(&d, c, D(2024, 1, 10), NULL), 0);
    assert_date(d, 2024, 1, 11);
    /* year boundary: 2025-12-31 -> (1 Jan holiday) 2 Jan 2026 */
    assert_int_equal(plaint_bizcal_next_business_day(&d, c, D(2025, 12, 31), NULL), 0);
    assert_date(d, 2026, 1, 2);
    /* add: n = 0 is the day itself, even a Sunday; the start is never counted */
    assert_int_equal(plaint_bizcal_add_business_days(&d, c, D(2024, 1, 14), 0, NULL), 0);
    assert_date(d, 2024, 1, 14);
    assert_int_equal(plaint_bizcal_add_business_days(&d, c, D(2024, 1, 14), 1, NULL), 0);
    assert_date(d, 2024, 1, 15);
    assert_int_equal(plaint_bizcal_add_business_days(&d, c, D(2024, 12, 20), 5, NULL), 0);
    assert_date(d, 2024, 12, 31); /* 23, 24, 27, 30, 31 */
    assert_int_equal(plaint_bizcal_add_business_days(&d, c, D(2024, 12, 31), -5, NULL), 0);
    assert_date(d, 2024, 12, 20);
    /* 15 business days (DISP 1.6.2AR) over Easter 2025 */
    assert_int_equal(plaint_bizcal_add_business_days(&d, c, D(2025, 4, 10), 15, NULL), 0);
    assert_date(d, 2025, 5, 6); /* Good Friday, Easter Monday, early May bank holiday */
    plaint_error_init(&err);
    assert_int_equal(plaint_bizcal_add_business_days(&d, c, D(2024, 1, 1), 10001, &err),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_add_business_days(&d, c, D(9999, 12, 30), 2, &err),
                     PLAINT_ERANGE);
    assert_int_equal(plaint_bizcal_previous_business_day(&d, c, D(1, 1, 1), &err), PLAINT_ERANGE);
    assert_int_equal(plaint_bizcal_next_business_day(&d, c, D(2023, 2, 29), &err), PLAINT_EINVALID);
    plaint_bizcal_free(c);
}

static void test_custom_weekend(void **state)
{
    /* a Friday-Saturday weekend, and a seven-day business week */
    plaint_bizcal *c = new_cal("gulf", "<+04>-4");
    plaint_bizcal_date d;
    int64_t n;

    (void)state;
    assert_int_equal(plaint_bizcal_set_weekend(
                         c, (1u << PLAINT_BIZCAL_FRIDAY) | (1u << PLAINT_BIZCAL_SATURDAY), NULL),
                     0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2024, 1, 14)), 1); /* Sunday */
    assert_int_equal(plaint_bizcal_next_business_day(&d, c, D(2024, 1, 11), NULL), 0);
    assert_date(d, 2024, 1, 14);
    assert_int_equal(plaint_bizcal_business_days_between(&n, c, U(2024, 1, 1, 0, 0, 0),
                                                         U(2024, 1, 31, 12, 0, 0), NULL),
                     0);
    assert_int_equal(n, 22); /* 2..31 January: 30 days, 8 Fridays and Saturdays */
    assert_int_equal(plaint_bizcal_set_weekend(c, 0, NULL), 0);
    assert_int_equal(plaint_bizcal_add_business_days(&d, c, D(2024, 1, 11), 3, NULL), 0);
    assert_date(d, 2024, 1, 14);
    plaint_bizcal_free(c);
}

/* ---------------------------------------------------------------- DISP deadlines */

static void expect_close(const plaint_bizcal *c, int64_t received, int n, int64_t want)
{
    int64_t due = 0;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_bizcal_close_of_nth_business_day(&due, c, received, n, &err) != 0) {
        fail_msg("%s", err.message);
    }
    if (due != want) {
        fail_msg("received %lld, n=%d: due %lld, want %lld (off by %lld s)",
                 (long long)(received / US), n, (long long)(due / US), (long long)(want / US),
                 (long long)((due - want) / US));
    }
}

static void test_close_of_nth_business_day_uk(void **state)
{
    plaint_bizcal *c = uk_cal();
    int64_t due;
    plaint_error err;

    (void)state;
    /* DISP 1.5: received Monday -> close of business on Thursday (GMT: 17:00 UTC) */
    expect_close(c, U(2024, 1, 8, 10, 0, 0), 3, U(2024, 1, 11, 17, 0, 0));
    /* received after close on Monday: still Monday, still Thursday */
    expect_close(c, U(2024, 1, 8, 18, 30, 0), 3, U(2024, 1, 11, 17, 0, 0));
    /* received on Saturday: Monday, Tuesday, Wednesday */
    expect_close(c, U(2024, 1, 13, 9, 0, 0), 3, U(2024, 1, 17, 17, 0, 0));
    /* received on Sunday: the same */
    expect_close(c, U(2024, 1, 14, 23, 59, 59), 3, U(2024, 1, 17, 17, 0, 0));
    /* 23:30 UTC on Monday 10 June 2024 is 00:30 BST on Tuesday: Wed, Thu, Fri, at 17:00 BST */
    expect_close(c, U(2024, 6, 10, 23, 30, 0), 3, U(2024, 6, 14, 16, 0, 0));
    expect_close(c, U(2024, 6, 10, 22, 59, 59), 3, U(2024, 6, 13, 16, 0, 0));
    /* over Easter and the start of BST: received Wednesday 27 March (GMT), Good Friday and
     * Easter Monday skipped, due Wednesday 3 April at 17:00 BST = 16:00 UTC */
    expect_close(c, U(2024, 3, 27, 12, 0, 0), 3, U(2024, 4, 3, 16, 0, 0));
    /* received on Good Friday itself: Tue, Wed, Thu */
    expect_close(c, U(2024, 3, 29, 12, 0, 0), 3, U(2024, 4, 4, 16, 0, 0));
    /* the end of BST: received Wednesday 23 October at 17:00 BST, due Monday 28 at 17:00 GMT */
    expect_close(c, U(2024, 10, 23, 16, 0, 0), 3, U(2024, 10, 28, 17, 0, 0));
    expect_close(c, U(2024, 10, 23, 16, 0, 0), 2, U(2024, 10, 25, 16, 0, 0));
    /* Christmas: received Tuesday 24 December 2024 -> 27, 30, 31 */
    expect_close(c, U(2024, 12, 24, 9, 0, 0), 3, U(2024, 12, 31, 17, 0, 0));
    /* 2020: Boxing Day substitute Monday 28: received Thursday 24 -> 29, 30, 31 */
    expect_close(c, U(2020, 12, 24, 9, 0, 0), 3, U(2020, 12, 31, 17, 0, 0));
    /* 2021: both substitutes: received Thursday 23 -> 24, 29, 30 */
    expect_close(c, U(2021, 12, 23, 9, 0, 0), 3, U(2021, 12, 30, 17, 0, 0));
    /* over a year boundary: 31 Dec 2025 -> (1 Jan holiday) 2, 5, 6 January 2026 */
    expect_close(c, U(2025, 12, 31, 9, 0, 0), 3, U(2026, 1, 6, 17, 0, 0));
    /* 15 business days (DISP 1.6.2AR) */
    expect_close(c, U(2025, 4, 10, 9, 0, 0), 15, U(2025, 5, 6, 16, 0, 0));
    /* leap day */
    expect_close(c, U(2024, 2, 27, 9, 0, 0), 2, U(2024, 2, 29, 17, 0, 0));
    /* far years */
    expect_close(c, U(2199, 12, 31, 9, 0, 0), 1, U(2200, 1, 1, 17, 0, 0));
    expect_close(c, U(1970, 1, 1, 0, 0, 0), 1, U(1970, 1, 2, 17, 0, 0));
    /* n is 1 or more */
    plaint_error_init(&err);
    assert_int_equal(plaint_bizcal_close_of_nth_business_day(&due, c, 0, 0, &err), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_close_of_nth_business_day(&due, c, 0, -3, &err),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_close_of_nth_business_day(&due, c, INT64_MAX, 3, &err),
                     PLAINT_ERANGE);
    plaint_bizcal_free(c);
}

static void test_close_of_nth_business_day_us(void **state)
{
    plaint_bizcal *c = new_cal("us", NY_RULE);
    static const char *const holidays[] = {"2024-11-11", "2024-11-28", NULL};

    (void)state;
    add_holidays(c, holidays);
    /* received Friday 8 March 2024 (EST), due Wednesday 13 at 17:00 EDT = 21:00 UTC */
    expect_close(c, U(2024, 3, 8, 15, 0, 0), 3, U(2024, 3, 13, 21, 0, 0));
    /* 02:00 UTC Saturday is still Friday evening in New York */
    expect_close(c, U(2024, 3, 9, 2, 0, 0), 3, U(2024, 3, 13, 21, 0, 0));
    /* received Thursday 31 October (EDT): Friday at 17:00 EDT, Monday at 17:00 EST */
    expect_close(c, U(2024, 10, 31, 15, 0, 0), 1, U(2024, 11, 1, 21, 0, 0));
    expect_close(c, U(2024, 10, 31, 15, 0, 0), 2, U(2024, 11, 4, 22, 0, 0));
    /* Veterans Day and Thanksgiving */
    expect_close(c, U(2024, 11, 8, 15, 0, 0), 1, U(2024, 11, 12, 22, 0, 0));
    expect_close(c, U(2024, 11, 27, 15, 0, 0), 1, U(2024, 11, 29, 22, 0, 0));
    plaint_bizcal_free(c);
}

static void expect_weeks(const plaint_bizcal *c, int64_t received, int weeks, int64_t want)
{
    int64_t due = 0;

    assert_int_equal(plaint_bizcal_end_of_weeks(&due, c, received, weeks, NULL), 0);
    if (due != want) {
        fail_msg("received %lld: due %lld, want %lld (off by %lld s)", (long long)(received / US),
                 (long long)(due / US), (long long)(want / US), (long long)((due - want) / US));
    }
}

static void test_end_of_weeks(void **state)
{
    plaint_bizcal *c = uk_cal();
    plaint_bizcal *ny = new_cal("ny", NY_RULE);
    const int64_t last = 999999; /* 23:59:59.999999 */
    int64_t due;

    (void)state;
    /* DISP 1.6.2R: received Monday 1 January 2024 (a holiday: it makes no difference) */
    expect_weeks(c, U(2024, 1, 1, 10, 0, 0), 8, U(2024, 2, 26, 23, 59, 59) + last);
    /* leap year: 10 January + 56 days = 6 March in 2024, 7 March in 2023 */
    expect_weeks(c, U(2024, 1, 10, 10, 0, 0), 8, U(2024, 3, 6, 23, 59, 59) + last);
    expect_weeks(c, U(2023, 1, 10, 10, 0, 0), 8, U(2023, 3, 7, 23, 59, 59) + last);
    /* received in GMT, due in BST: the end of the local day is 22:59:59.999999 UTC */
    expect_weeks(c, U(2024, 2, 15, 10, 0, 0), 8, U(2024, 4, 11, 22, 59, 59) + last);
    /* received in BST, due in GMT */
    expect_weeks(c, U(2024, 9, 20, 10, 0, 0), 8, U(2024, 11, 15, 23, 59, 59) + last);
    /* 23:30 UTC on a BST day counts from the next local day */
    expect_weeks(c, U(2024, 6, 10, 23, 30, 0), 8, U(2024, 8, 6, 22, 59, 59) + last);
    /* over the year end */
    expect_weeks(c, U(2024, 11, 15, 10, 0, 0), 8, U(2025, 1, 10, 23, 59, 59) + last);
    /* New York */
    expect_weeks(ny, U(2024, 1, 16, 3, 0, 0), 8, U(2024, 3, 12, 3, 59, 59) + last);
    expect_weeks(c, U(2199, 11, 30, 10, 0, 0), 8, U(2200, 1, 25, 23, 59, 59) + last);
    assert_int_equal(plaint_bizcal_end_of_weeks(&due, c, 0, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_end_of_weeks(&due, c, 0, 521, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_bizcal_end_of_weeks(&due, c, U(9999, 12, 1, 0, 0, 0), 8, NULL),
                     PLAINT_ERANGE);
    plaint_bizcal_free(c);
    plaint_bizcal_free(ny);
}

static void expect_between(const plaint_bizcal *c, int64_t from, int64_t to, int64_t want)
{
    int64_t n = -999;

    assert_int_equal(plaint_bizcal_business_days_between(&n, c, from, to, NULL), 0);
    if (n != want) {
        fail_msg("%lld -> %lld: %lld business days, want %lld", (long long)(from / US),
                 (long long)(to / US), (long long)n, (long long)want);
    }
}

/* The slow way: count day by day. */
static int64_t count_slowly(const plaint_bizcal *c, plaint_bizcal_date from, plaint_bizcal_date to)
{
    int64_t n = 0;
    plaint_bizcal_date d = from;

    while (plaint_bizcal_date_diff(d, to) > 0) {
        assert_int_equal(plaint_bizcal_date_add_days(&d, d, 1, NULL), 0);
        n += plaint_bizcal_is_business_day(c, d);
    }
    return n;
}

static void test_business_days_between(void **state)
{
    plaint_bizcal *c = uk_cal();
    int64_t n;
    int i;

    (void)state;
    /* received Monday, closed Thursday: 3 (closed within 3 business days) */
    expect_between(c, U(2024, 1, 8, 10, 0, 0), U(2024, 1, 11, 18, 0, 0), 3);
    expect_between(c, U(2024, 1, 8, 10, 0, 0), U(2024, 1, 12, 8, 0, 0), 4);
    expect_between(c, U(2024, 1, 8, 10, 0, 0), U(2024, 1, 8, 16, 0, 0), 0);
    /* received Saturday, closed Wednesday */
    expect_between(c, U(2024, 1, 13, 10, 0, 0), U(2024, 1, 17, 10, 0, 0), 3);
    /* over Christmas 2024 */
    expect_between(c, U(2024, 12, 24, 10, 0, 0), U(2024, 12, 31, 10, 0, 0), 3);
    /* the other way round */
    expect_between(c, U(2024, 12, 31, 10, 0, 0), U(2024, 12, 24, 10, 0, 0), -3);
    /* local days: 23:30 UTC on a BST day is the next day */
    expect_between(c, U(2024, 6, 10, 12, 0, 0), U(2024, 6, 10, 23, 30, 0), 1);
    /* a long range against the slow count */
    expect_between(c, U(1970, 1, 1, 12, 0, 0), U(2200, 12, 31, 12, 0, 0),
                   count_slowly(c, D(1970, 1, 1), D(2200, 12, 31)));
    for (i = 0; i < 60; i++) {
        plaint_bizcal_date a = {2020, 12, 1 + i % 28};
        plaint_bizcal_date b = {2021 + i / 28, 1 + i % 12, 1 + (i * 7) % 28};
        expect_between(c, U(a.year, a.month, a.day, 12, 0, 0), U(b.year, b.month, b.day, 12, 0, 0),
                       count_slowly(c, a, b));
    }
    assert_int_equal(plaint_bizcal_business_days_between(&n, c, 0, INT64_MAX, NULL), PLAINT_ERANGE);
    plaint_bizcal_free(c);
}

/* The deadline is consistent with the business-day count: due at close on the day where the
 * count first reaches n, for receipts every 7 hours over two years. */
static void test_deadline_properties(void **state)
{
    plaint_bizcal *c = uk_cal();
    int64_t t;

    (void)state;
    for (t = U(2024, 1, 1, 0, 0, 0); t < U(2026, 1, 1, 0, 0, 0); t += 7 * 3600 * US) {
        int64_t due;
        int64_t n;
        plaint_bizcal_local l;
        assert_int_equal(plaint_bizcal_close_of_nth_business_day(&due, c, t, 3, NULL), 0);
        assert_int_equal(plaint_bizcal_business_days_between(&n, c, t, due, NULL), 0);
        assert_int_equal(n, 3);
        assert_int_equal(plaint_bizcal_to_local(&l, c, due, NULL), 0);
        assert_int_equal(l.hour, 17);
        assert_int_equal(l.minute, 0);
        assert_int_equal(plaint_bizcal_is_business_day(c, l.date), 1);
        assert_int_equal(plaint_bizcal_business_days_between(&n, c, t, due - 24 * 3600 * US, NULL),
                         0);
        assert_true(n < 3);
    }
    plaint_bizcal_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_tz_rules_accepted),
        cmocka_unit_test(test_tz_rules_refused),
        cmocka_unit_test(test_calendar_settings),
        cmocka_unit_test(test_holiday_limit),
        cmocka_unit_test(test_to_local_uk),
        cmocka_unit_test(test_to_local_us_and_south),
        cmocka_unit_test(test_from_local),
        cmocka_unit_test(test_glibc_cross_check),
        cmocka_unit_test(test_business_days),
        cmocka_unit_test(test_custom_weekend),
        cmocka_unit_test(test_close_of_nth_business_day_uk),
        cmocka_unit_test(test_close_of_nth_business_day_us),
        cmocka_unit_test(test_end_of_weeks),
        cmocka_unit_test(test_business_days_between),
        cmocka_unit_test(test_deadline_properties),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
