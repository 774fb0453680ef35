/* Tests of reporting periods (core/period): every spelling, canonical labels, the ISO week
 * rules across year ends (week 1 starting in December, week 53), leap years, and the messages
 * for bad input; plus a sweep checking every ISO week of 1990..2100 against glibc's strftime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "plaint/period.h"

/* Unix seconds of 00:00:00 UTC on y-m-d, through timegm (independent of the code under test). */
static int64_t day(int y, int m, int d)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (int64_t)timegm(&tm);
}

static void expect(const char *s, int64_t from, int64_t to, const char *label)
{
    plaint_period p;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_period_parse(s, &p, &err) != 0) {
        fail_msg("%s: %s", s, err.message);
    }
    assert_int_equal(p.from, from);
    assert_int_equal(p.to, to);
    assert_string_equal(p.label, label);
}

static void expect_bad(const char *s, const char *needle)
{
    plaint_period p;
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_period_parse(s, &p, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "period");
    if (strstr(err.message, needle) == NULL) {
        fail_msg("%s: message \"%s\" lacks \"%s\"", s, err.message, needle);
    }
}

static void test_halves_quarters_months(void **state)
{
    (void)state;
    expect("2026-H1", day(2026, 1, 1), day(2026, 7, 1), "2026-H1");
    expect("2026-H2", day(2026, 7, 1), day(2027, 1, 1), "2026-H2");
    expect("2026-Q1", day(2026, 1, 1), day(2026, 4, 1), "2026-Q1");
    expect("2026-Q3", day(2026, 7, 1), day(2026, 10, 1), "2026-Q3");
    expect("2026-Q4", day(2026, 10, 1), day(2027, 1, 1), "2026-Q4");
    expect("2026-09", day(2026, 9, 1), day(2026, 10, 1), "2026-09");
    expect("2026-12", day(2026, 12, 1), day(2027, 1, 1), "2026-12");
    expect("2024-02", day(2024, 2, 1), day(2024, 3, 1), "2024-02");
    assert_int_equal(day(2024, 3, 1) - day(2024, 2, 1), 29 * 86400); /* leap year */
    expect("2100-02", day(2100, 2, 1), day(2100, 3, 1), "2100-02");
    assert_int_equal(day(2100, 3, 1) - day(2100, 2, 1), 28 * 86400); /* not leap */
}

static void test_days_and_ranges(void **state)
{
    (void)state;
    expect("2026-09-14", day(2026, 9, 14), day(2026, 9, 15), "2026-09-14");
    expect("2024-02-29", day(2024, 2, 29), day(2024, 3, 1), "2024-02-29");
    expect("2000-02-29", day(2000, 2, 29), day(2000, 3, 1), "2000-02-29");
    expect("2026-01-01..2026-03-31", day(2026, 1, 1), day(2026, 4, 1), "2026-01-01..2026-03-31");
    expect("2026-03-31..2026-03-31", day(2026, 3, 31), day(2026, 4, 1), "2026-03-31..2026-03-31");
    expect("2025-12-31..2026-01-01", day(2025, 12, 31), day(2026, 1, 2), "2025-12-31..2026-01-01");
    expect("1969-12-31", day(1969, 12, 31), day(1970, 1, 1), "1969-12-31");
}

static void test_iso_weeks(void **state)
{
    (void)state;
    /* 2026-W47: Monday 16 November 2026 */
    expect("2026-W47", day(2026, 11, 16), day(2026, 11, 23), "2026-W47");
    /* week 1 of 2026 starts in 2025 (1 January 2026 is a Thursday) */
    expect("2026-W01", day(2025, 12, 29), day(2026, 1, 5), "2026-W01");
    /* 2020 has 53 weeks (starts on a Wednesday, leap year): W53 ends in 2021 */
    expect("2020-W53", day(2020, 12, 28), day(2021, 1, 4), "2020-W53");
    /* 2015 has 53 weeks (starts on a Thursday) */
    expect("2015-W53", day(2015, 12, 28), day(2016, 1, 4), "2015-W53");
    /* week 1 of 2021 starts on 4 January 2021 (1-3 January belong to 2020-W53) */
    expect("2021-W01", day(2021, 1, 4), day(2021, 1, 11), "2021-W01");
    /* 2027 starts on a Friday: W01 begins Monday 4 January 2027 */
    expect("2027-W01", day(2027, 1, 4), day(2027, 1, 11), "2027-W01");
    /* 2026 starts on a Thursday: it has 53 weeks, W53 ends on Sunday 3 January 2027 */
    expect("2026-W53", day(2026, 12, 28), day(2027, 1, 4), "2026-W53");
}

static void test_iso_weeks_against_glibc(void **state)
{
    int64_t t;
    char want[16];
    char label[sizeof(((plaint_period *)0)->label)];
    plaint_period p;
    struct tm tm;
    time_t tt;

    (void)state;
    /* every Monday from 1990 to 2100: glibc's %G-W%V names its ISO week; parsing that name must
     * give exactly that Monday .. the next */
    for (t = day(1990, 1, 1); t < day(2100, 12, 27); t += 7 * 86400) {
        tt = (time_t)t;
        gmtime_r(&tt, &tm);
        assert_int_equal(tm.tm_wday, 1);
        strftime(want, sizeof(want), "%G-W%V", &tm);
        assert_int_equal(plaint_period_parse(want, &p, NULL), 0);
        assert_int_equal(p.from, t);
        assert_int_equal(p.to, t + 7 * 86400);
        snprintf(label, sizeof(label), "%s", p.label);
        assert_string_equal(label, want);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_bad("2026-13", "month 13 is not 01..12");
    expect_bad("2026-00", "month 00 is not 01..12");
    expect_bad("2026-H3", "half-year must be H1 or H2");
    expect_bad("2026-Q5", "quarter must be Q1..Q4");
    expect_bad("2026-Q0", "quarter must be Q1..Q4");
    expect_bad("2026-W54", "ISO year 2026 has weeks W01..W53");
    expect_bad("2025-W53", "ISO year 2025 has weeks W01..W52");
    expect_bad("2026-W00", "has weeks W01");
    expect_bad("2026-W7", "unknown form");
    expect_bad("2026-02-29", "2026-02 has no day 29");
    expect_bad("2100-02-29", "2100-02 has no day 29");
    expect_bad("2026-04-31", "2026-04 has no day 31");
    expect_bad("2026-03-31..2026-01-01", "FROM is after TO");
    expect_bad("2026-01-01..2026-13-01", "month 13");
    expect_bad("0999-01", "year must be 1000..9999");
    expect_bad("", "unknown form");
    expect_bad("2026", "unknown form");
    expect_bad("2026-1", "unknown form");
    expect_bad("2026-09-14 ", "unknown form");
    expect_bad("26-H1", "unknown form");
    expect_bad("2026-h1", "unknown form");
    expect_bad("last quarter", "unknown form");
    expect_bad(NULL, "no period given");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_halves_quarters_months),
        cmocka_unit_test(test_days_and_ranges),
        cmocka_unit_test(test_iso_weeks),
        cmocka_unit_test(test_iso_weeks_against_glibc),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
