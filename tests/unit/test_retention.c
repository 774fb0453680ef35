/* Tests of the pure retention module (src/core/retention.c): building a policy, the calendar
 * arithmetic of due dates with exact dates (leap years, month ends, century years), verdicts
 * and their reasons, and date parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/chain.h"
#include "plaint/retention.h"

/* Microseconds of a full "YYYY-MM-DDTHH:MM:SS.ffffffZ" time. */
static int64_t at(const char *t)
{
    int64_t us = 0;

    assert_int_equal(plaint_time_parse(&us, t, strlen(t), NULL), 0);
    return us;
}

/* The start of a UTC day. */
static int64_t day(const char *d)
{
    int64_t us = 0;

    assert_int_equal(plaint_retention_parse_date(&us, d, NULL), 0);
    return us;
}

/* Asserts that start + (y, m, d) ends at the time want. */
static void expect_end(const char *start, unsigned y, unsigned m, unsigned d, const char *want)
{
    plaint_retention_period p = {y, m, d};
    char got[PLAINT_TIME_LEN + 1];
    int64_t end = 0;

    assert_int_equal(plaint_retention_end(&end, &p, at(start), NULL), 0);
    assert_int_equal(plaint_time_format(got, end, NULL), 0);
    if (strcmp(got, want) != 0) {
        fail_msg("%s + %uy %um %ud: got %s, want %s", start, y, m, d, got, want);
    }
}

static void test_end_whole_years(void **state)
{
    (void)state;
    expect_end("2020-01-15T00:00:00.000000Z", 3, 0, 0, "2023-01-15T00:00:00.000000Z");
    /* the time of day is kept */
    expect_end("2020-01-15T13:45:07.123456Z", 5, 0, 0, "2025-01-15T13:45:07.123456Z");
    expect_end("1960-06-15T00:00:00.000000Z", 3, 0, 0, "1963-06-15T00:00:00.000000Z");
    expect_end("2023-12-31T23:59:59.999999Z", 1, 0, 0, "2024-12-31T23:59:59.999999Z");
}

/* 29 February + years: 28 February when the target year is not leap. */
static void test_end_feb29(void **state)
{
    (void)state;
    expect_end("2020-02-29T10:00:00.000000Z", 1, 0, 0, "2021-02-28T10:00:00.000000Z");
    expect_end("2020-02-29T10:00:00.000000Z", 3, 0, 0, "2023-02-28T10:00:00.000000Z");
    expect_end("2020-02-29T10:00:00.000000Z", 4, 0, 0, "2024-02-29T10:00:00.000000Z");
    expect_end("2024-02-29T00:00:00.000000Z", 5, 0, 0, "2029-02-28T00:00:00.000000Z");
    /* 1900 is not a leap year, 2000 is */
    expect_end("1896-02-29T00:00:00.000000Z", 4, 0, 0, "1900-02-28T00:00:00.000000Z");
    expect_end("1996-02-29T00:00:00.000000Z", 4, 0, 0, "2000-02-29T00:00:00.000000Z");
    /* 28 February stays 28 February, also into a leap year */
    expect_end("2023-02-28T00:00:00.000000Z", 1, 0, 0, "2024-02-28T00:00:00.000000Z");
}

/* Month ends: a day the target month lacks becomes its last day. */
static void test_end_month_ends(void **state)
{
    (void)state;
    expect_end("2020-01-31T00:00:00.000000Z", 0, 1, 0, "2020-02-29T00:00:00.000000Z");
    expect_end("2021-01-31T00:00:00.000000Z", 0, 1, 0, "2021-02-28T00:00:00.000000Z");
    expect_end("2020-03-31T00:00:00.000000Z", 0, 1, 0, "2020-04-30T00:00:00.000000Z");
    expect_end("2020-12-31T00:00:00.000000Z", 0, 2, 0, "2021-02-28T00:00:00.000000Z");
    expect_end("2020-05-31T00:00:00.000000Z", 0, 21, 0, "2022-02-28T00:00:00.000000Z");
    expect_end("2020-11-30T00:00:00.000000Z", 0, 3, 0, "2021-02-28T00:00:00.000000Z");
    expect_end("2020-10-15T00:00:00.000000Z", 0, 3, 0, "2021-01-15T00:00:00.000000Z");
    expect_end("2020-08-31T00:00:00.000000Z", 1, 6, 0, "2022-02-28T00:00:00.000000Z");
}

/* Days are added after years and months, as exact 24-hour days (UTC). */
static void test_end_days(void **state)
{
    (void)state;
    expect_end("2020-02-28T00:00:00.000000Z", 0, 0, 1, "2020-02-29T00:00:00.000000Z");
    expect_end("2021-02-28T00:00:00.000000Z", 0, 0, 1, "2021-03-01T00:00:00.000000Z");
    expect_end("2020-12-31T06:00:00.000000Z", 0, 0, 1, "2021-01-01T06:00:00.000000Z");
    expect_end("2020-01-01T00:00:00.000000Z", 0, 0, 366, "2021-01-01T00:00:00.000000Z");
    /* 2020-01-31 + 1 year 1 month = 2021-02-28, + 1 day = 2021-03-01 */
    expect_end("2020-01-31T00:00:00.000000Z", 1, 1, 1, "2021-03-01T00:00:00.000000Z");
}

static void test_end_out_of_range(void **state)
{
    plaint_retention_period three = {3, 0, 0};
    plaint_retention_period one_day = {0, 0, 1};
    plaint_retention_period too_long = {PLAINT_RETENTION_MAX_YEARS + 1, 0, 0};
    int64_t end = 0;
    (void)state;

    assert_int_equal(plaint_retention_end(&end, &three, at("9998-06-01T00:00:00.000000Z"), NULL),
                     PLAINT_ERANGE);
    assert_int_equal(plaint_retention_end(&end, &one_day, at("9999-12-31T00:00:00.000000Z"), NULL),
                     PLAINT_ERANGE);
    assert_int_equal(plaint_retention_end(&end, &three, INT64_MIN, NULL), PLAINT_ERANGE);
    assert_int_equal(plaint_retention_end(&end, &too_long, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(end, 0);
}

static plaint_retention_policy *new_policy(void)
{
    static const plaint_retention_class classes[] = {
        {"complaint", {3, 0, 0}, PLAINT_RETENTION_FROM_CLOSURE, "UK FCA DISP 1.9"},
        {"mifid", {5, 0, 0}, PLAINT_RETENTION_FROM_CLOSURE, "MiFID"},
        {"short", {0, 1, 10}, PLAINT_RETENTION_FROM_RECEIPT, NULL},
    };
    plaint_retention_policy *p = NULL;
    size_t i;

    assert_int_equal(plaint_retention_policy_new(&p, NULL), 0);
    for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        assert_int_equal(plaint_retention_add_class(p, &classes[i], NULL), 0);
    }
    return p;
}

static void test_policy_classes(void **state)
{
    plaint_retention_policy *p = new_policy();
    const plaint_retention_class *c;
    (void)state;

    assert_int_equal(plaint_retention_count_classes(p), 3);
    c = plaint_retention_get_class(p, 1);
    assert_non_null(c);
    assert_string_equal(c->name, "mifid");
    assert_int_equal(c->period.years, 5);
    assert_string_equal(c->basis, "MiFID");
    c = plaint_retention_find_class(p, "short");
    assert_non_null(c);
    assert_string_equal(c->basis, "");
    assert_int_equal(c->from, PLAINT_RETENTION_FROM_RECEIPT);
    assert_null(plaint_retention_get_class(p, 3));
    assert_null(plaint_retention_find_class(p, "ucits"));
    assert_null(plaint_retention_find_class(p, NULL));
    plaint_retention_policy_free(p);
    plaint_retention_policy_free(NULL);
}

/* Adds c to p and expects code, with field named. */
static void expect_add_refused(plaint_retention_policy *p, const plaint_retention_class *c,
                               int code, const char *field, const char *want)
{
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_retention_add_class(p, c, &err), code);
    assert_string_equal(err.field, field);
    if (strstr(err.message, want) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
    }
}

static void test_policy_refuses_bad_classes(void **state)
{
    plaint_retention_policy *p = new_policy();
    plaint_retention_class c = {"x", {1, 0, 0}, PLAINT_RETENTION_FROM_CLOSURE, ""};
    char name[80];
    size_t i;
    (void)state;

    c.name = "complaint";
    expect_add_refused(p, &c, PLAINT_EINVALID, "name", "class complaint is declared twice");
    c.name = "Complaint";
    expect_add_refused(p, &c, PLAINT_EINVALID, "name", "a class name is 1 to 63");
    c.name = "";
    expect_add_refused(p, &c, PLAINT_EINVALID, "name", "a class name");
    c.name = NULL;
    expect_add_refused(p, &c, PLAINT_EINVALID, "name", "a class name");
    memset(name, 'a', 64);
    name[64] = '\0';
    c.name = name;
    expect_add_refused(p, &c, PLAINT_EINVALID, "name", "a class name");
    c.name = "zero";
    c.period.years = 0;
    expect_add_refused(p, &c, PLAINT_EINVALID, "years", "class zero: the retention period is zero");
    c.period.days = PLAINT_RETENTION_MAX_DAYS + 1;
    expect_add_refused(p, &c, PLAINT_EINVALID, "years", "at most 1000 years");
    c.period.days = 1;
    c.from = (plaint_retention_from)7;
    expect_add_refused(p, &c, PLAINT_EINVALID, "from", "unknown start event");
    c.from = PLAINT_RETENTION_FROM_RECEIPT;
    c.basis = "line\nbreak";
    expect_add_refused(p, &c, PLAINT_EINVALID, "basis", "control characters");
    assert_int_equal(plaint_retention_count_classes(p), 3);
    c.basis = NULL;
    for (i = 3; i < PLAINT_RETENTION_MAX_CLASSES; i++) {
        snprintf(name, sizeof(name), "c%zu", i);
        c.name = name;
        assert_int_equal(plaint_retention_add_class(p, &c, NULL), 0);
    }
    c.name = "one-more";
    expect_add_refused(p, &c, PLAINT_ERANGE, "", "at most 64 retention classes");
    plaint_retention_policy_free(p);
}

static void test_verdict_due_and_not_yet(void **state)
{
    plaint_retention_policy *p = new_policy();
    plaint_retention_verdict v;
    int64_t start = day("2020-01-15");
    int64_t due = day("2023-01-15");
    (void)state;

    assert_int_equal(plaint_retention_due(&v, p, "complaint", start, 0, due - 1, NULL), 0);
    assert_int_equal(v.status, PLAINT_RETENTION_NOT_YET);
    assert_true(v.due_us == due);
    assert_string_equal(v.reason, "retention period (3 years from closure, UK FCA DISP 1.9) ends "
                                  "2023-01-15");
    /* due from the very microsecond the period ends */
    assert_int_equal(plaint_retention_due(&v, p, "complaint", start, 0, due, NULL), 0);
    assert_int_equal(v.status, PLAINT_RETENTION_DUE);
    assert_true(v.due_us == due);
    assert_string_equal(v.reason, "retention period (3 years from closure, UK FCA DISP 1.9) ended "
                                  "2023-01-15");
    assert_int_equal(plaint_retention_due(&v, p, "mifid", start, 0, day("2026-11-25"), NULL), 0);
    assert_int_equal(v.status, PLAINT_RETENTION_DUE);
    assert_true(v.due_us == day("2025-01-15"));
    assert_int_equal(
        plaint_retention_due(&v, p, "short", day("2026-10-20"), 0, day("2026-11-25"), NULL), 0);
    assert_int_equal(v.status, PLAINT_RETENTION_NOT_YET);
    assert_true(v.due_us == day("2026-11-30"));
    assert_string_equal(v.reason, "retention period (1 month 10 days from receipt) ends "
                                  "2026-11-30");
    assert_string_equal(plaint_retention_status_name(v.status), "not-due");
    plaint_retention_policy_free(p);
}

static void test_verdict_held_no_start_unknown(void **state)
{
    plaint_retention_policy *p = new_policy();
    plaint_retention_verdict v;
    int64_t now = day("2026-11-25");
    (void)state;

    /* a hold keeps a due subject, and the due date is still given */
    assert_int_equal(plaint_retention_due(&v, p, "complaint", day("2020-01-15"), 1, now, NULL), 0);
    assert_int_equal(v.status, PLAINT_RETENTION_HELD);
    assert_true(v.due_us == day("2023-01-15"));
    assert_string_equal(v.reason, "1 active legal hold; retention period (3 years from closure, "
                                  "UK FCA DISP 1.9) ended 2023-01-15");
    assert_int_equal(plaint_retention_due(&v, p, "complaint", day("2025-01-15"), 2, now, NULL), 0);
    assert_int_equal(v.status, PLAINT_RETENTION_HELD);
    assert_string_equal(v.reason, "2 active legal holds; retention period (3 years from closure, "
                                  "UK FCA DISP 1.9) ends 2028-01-15");
    assert_int_equal(plaint_retention_due(&v, p, "complaint", 0, 1, now, NULL), 0);
    assert_int_equal(v.status, PLAINT_RETENTION_NO_START);
    assert_true(v.due_us == 0);
    assert_string_equal(v.reason, "no start of the retention period (3 years from closure, UK FCA "
                                  "DISP 1.9) is recorded");
    assert_int_equal(plaint_retention_due(&v, p, "pen\nsion", day("2000-01-01"), 0, now, NULL), 0);
    assert_int_equal(v.status, PLAINT_RETENTION_UNKNOWN_CLASS);
    assert_string_equal(v.reason, "record class 'pen?sion' is not in the retention policy");
    assert_string_equal(plaint_retention_status_name(v.status), "unknown-class");
    plaint_retention_policy_free(p);
}

static void test_verdict_bad_arguments(void **state)
{
    plaint_retention_policy *p = new_policy();
    plaint_retention_verdict v;
    (void)state;

    assert_int_equal(plaint_retention_due(&v, p, "complaint", 1, -1, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_retention_due(&v, p, NULL, 1, 0, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_retention_due(&v, NULL, "complaint", 1, 0, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(
        plaint_retention_due(&v, p, "complaint", at("9998-01-01T00:00:00.000000Z"), 0, 0, NULL),
        PLAINT_ERANGE);
    plaint_retention_policy_free(p);
}

static void test_dates(void **state)
{
    static const char *const bad[] = {"2026-02-29", "2026-1-01",  "2026-01-01x", "",
                                      "2026/01/01", "2026-13-01", "0000-01-01",  "2026-01-00",
                                      "20260101",   "+026-01-01", "2026-01-32"};
    char out[PLAINT_RETENTION_DATE_LEN + 1];
    int64_t us = 0;
    size_t i;
    (void)state;

    assert_int_equal(plaint_retention_parse_date(&us, "1970-01-02", NULL), 0);
    assert_true(us == 86400LL * 1000000LL);
    assert_int_equal(plaint_retention_parse_date(&us, "2024-02-29", NULL), 0);
    assert_true(us == at("2024-02-29T00:00:00.000000Z"));
    assert_int_equal(plaint_retention_format_date(out, at("2024-02-29T23:59:59.999999Z"), NULL), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(plaint_retention_format_date(out, INT64_MAX, NULL), PLAINT_ERANGE);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (plaint_retention_parse_date(&us, bad[i], NULL) != PLAINT_EINVALID) {
            fail_msg("'%s' was accepted as a date", bad[i]);
        }
    }
    assert_int_equal(plaint_retention_parse_date(&us, NULL, NULL), PLAINT_EINVALID);
}

static void test_names(void **state)
{
    const plaint_retention_period p1 = {1, 6, 0};
    const plaint_retention_period p2 = {0, 0, 30};
    const plaint_retention_period p3 = {1000, 12000, 366000};
    char text[PLAINT_RETENTION_PERIOD_TEXT_LEN];
    plaint_retention_from f;
    (void)state;

    plaint_retention_describe_period(text, &p1);
    assert_string_equal(text, "1 year 6 months");
    plaint_retention_describe_period(text, &p2);
    assert_string_equal(text, "30 days");
    plaint_retention_describe_period(text, &p3);
    assert_string_equal(text, "1000 years 12000 months 366000 days");
    assert_int_equal(plaint_retention_from_parse(&f, "receipt", NULL), 0);
    assert_int_equal(f, PLAINT_RETENTION_FROM_RECEIPT);
    assert_int_equal(plaint_retention_from_parse(&f, "closure", NULL), 0);
    assert_int_equal(f, PLAINT_RETENTION_FROM_CLOSURE);
    assert_int_equal(plaint_retention_from_parse(&f, "Closure", NULL), PLAINT_EINVALID);
    assert_string_equal(plaint_retention_status_name(PLAINT_RETENTION_DUE), "due");
    assert_string_equal(plaint_retention_status_name(PLAINT_RETENTION_HELD), "held");
    assert_string_equal(plaint_retention_status_name(PLAINT_RETENTION_NO_START), "no-start");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_end_whole_years),
        cmocka_unit_test(test_end_feb29),
        cmocka_unit_test(test_end_month_ends),
        cmocka_unit_test(test_end_days),
        cmocka_unit_test(test_end_out_of_range),
        cmocka_unit_test(test_policy_classes),
        cmocka_unit_test(test_policy_refuses_bad_classes),
        cmocka_unit_test(test_verdict_due_and_not_yet),
        cmocka_unit_test(test_verdict_held_no_start_unknown),
        cmocka_unit_test(test_verdict_bad_arguments),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
