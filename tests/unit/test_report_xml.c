/* Tests of the pure and file-level parts of the XML reports: the fixed-point percentages
 * (against an independent long-division reference), and the report-definition loader (the
 * shipped definition, and each kind of bad definition refused with file:line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaint/report_definition.h"
#include "plaint/report_regulator.h"

static const char *src_dir(void)
{
    const char *s = getenv("PLAINT_SOURCE_DIR");

    assert_non_null(s);
    return s;
}

/* Reference: digits of n/d by long division to 3 decimal places of the per cent, then round
 * half up on the third; returns the text. */
static void reference(char *out, size_t size, int64_t n, int64_t d)
{
    int64_t whole = n * 100 / d;
    int64_t rem = n * 100 % d;
    int digits[3];
    int i;
    int64_t frac;

    for (i = 0; i < 3; i++) {
        rem *= 10;
        digits[i] = (int)(rem / d);
        rem %= d;
    }
    frac = digits[0] * 10 + digits[1];
    /* half up: third digit >= 5 (exactly 5 with nothing after is a half, rounds up too) */
    if (digits[2] >= 5) {
        frac++;
    }
    if (frac == 100) {
        whole++;
        frac = 0;
    }
    snprintf(out, size, "%lld.%02lld", (long long)whole, (long long)frac);
}

static void test_percent_exhaustive(void **state)
{
    char got[PLAINT_REPORT_PERCENT_LEN + 1];
    char want[32];
    int64_t n;
    int64_t d;

    (void)state;
    for (d = 1; d <= 400; d++) {
        for (n = 0; n <= d; n++) {
            assert_int_equal(plaint_report_percent(got, n, d, NULL), 0);
            reference(want, sizeof(want), n, d);
            if (strcmp(got, want) != 0) {
                fail_msg("%lld/%lld: got %s, want %s", (long long)n, (long long)d, got, want);
            }
        }
    }
}

static void test_percent_cases(void **state)
{
    char got[PLAINT_REPORT_PERCENT_LEN + 1];

    (void)state;
    assert_int_equal(plaint_report_percent(got, 1, 3, NULL), 0);
    assert_string_equal(got, "33.33");
    assert_int_equal(plaint_report_percent(got, 2, 3, NULL), 0);
    assert_string_equal(got, "66.67");
    assert_int_equal(plaint_report_percent(got, 1, 8, NULL), 0); /* 12.5 exactly */
    assert_string_equal(got, "12.50");
    assert_int_equal(plaint_report_percent(got, 1, 16, NULL), 0); /* 6.25 */
    assert_string_equal(got, "6.25");
    assert_int_equal(plaint_report_percent(got, 1, 32, NULL), 0); /* 3.125: half up */
    assert_string_equal(got, "3.13");
    assert_int_equal(plaint_report_percent(got, 1, 160000, NULL), 0); /* 0.000625 */
    assert_string_equal(got, "0.00");
    assert_int_equal(plaint_report_percent(got, 1, 20000, NULL), 0); /* 0.005: half up */
    assert_string_equal(got, "0.01");
    assert_int_equal(plaint_report_percent(got, 999999, 1000000, NULL), 0);
    assert_string_equal(got, "100.00");
    assert_int_equal(plaint_report_percent(got, 0, 7, NULL), 0);
    assert_string_equal(got, "0.00");
    assert_int_equal(plaint_report_percent(got, 7, 7, NULL), 0);
    assert_string_equal(got, "100.00");
    assert_int_equal(plaint_report_percent(got, INT64_MAX / 20001, INT64_MAX / 20001, NULL), 0);
    assert_string_equal(got, "100.00");
    assert_int_equal(plaint_report_percent(got, 1, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_report_percent(got, 2, 1, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_report_percent(got, -1, 1, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_report_percent(got, 1, INT64_MAX, NULL), PLAINT_ERANGE);
    assert_int_equal(plaint_report_percent(got, 1, INT64_MAX / 20001 + 1, NULL), PLAINT_ERANGE);
}

static void test_shipped_definition(void **state)
{
    char path[4096];
    char xsd[4096];
    plaint_report_def *d = NULL;
    plaint_error err;
    plaint_period p;
    size_t i;

    (void)state;
    snprintf(path, sizeof(path), "%s/reports/regulator-return.xml", src_dir());
    snprintf(xsd, sizeof(xsd), "%s/schemas/xml", src_dir());
    plaint_error_init(&err);
    if (plaint_report_def_load(&d, path, xsd, &err) != 0) {
        fail_msg("%s", err.message);
    }
    assert_string_equal(d->id, "fca-disp1-annex1r");
    assert_int_equal(d->ngroups, 7);
    assert_string_equal(d->groups[d->fallback].id, "other");
    assert_string_equal(d->calendar, "uk-ew");
    assert_int_equal(d->summary_days, 3);
    assert_int_equal(d->final_weeks, 8);
    assert_int_equal(d->figures, 0xffu);
    for (i = 0; i < d->ncategories; i++) {
        if (strcmp(d->categories[i], "Mortgage") == 0) {
            assert_string_equal(d->groups[d->category_group[i]].id, "home-finance");
        }
        if (strcmp(d->categories[i], "Debt collection") == 0) {
            assert_string_equal(d->groups[d->category_group[i]].id, "credit-related");
        }
    }
    assert_true(d->has_causes);
    assert_string_equal(d->cause_fallback, "Other");
    assert_int_equal(plaint_period_parse("2026-H2", &p, NULL), 0);
    assert_int_equal(plaint_report_def_check_period(d, &p, NULL), 0);
    assert_int_equal(plaint_period_parse("2027-H1", &p, NULL), 0);
    assert_int_equal(plaint_report_def_check_period(d, &p, &err), PLAINT_EINVALID);
    assert_non_null(strstr(err.message, "outside the validity"));
    assert_int_equal(plaint_period_parse("2016-06-30..2016-07-31", &p, NULL), 0);
    assert_int_equal(plaint_report_def_check_period(d, &p, NULL), PLAINT_EINVALID);
    plaint_report_def_free(d);
}

#define HEAD                                                                                       \
    "<?xml version=\"1.0\"?>\n"                                                                    \
    "<report-definition xmlns=\"urn:plaint:report-definition:1\" id=\"t\" version=\"1\"\n"         \
    " title=\"T\" valid-from=\"2020-01-01\" valid-to=\"2030-12-31\">\n"                            \
    " <firm name=\"F\" scheme=\"FRN\" reference=\"1\"/>\n"                                         \
    " <time-limits calendar=\"uk-ew\" summary-business-days=\"3\" final-weeks=\"8\"/>\n"
#define FIGS " <figures><figure>opened</figure></figures>\n</report-definition>\n"

static void expect_refused(const char *text, const char *needle)
{
    char xsd[4096];
    plaint_report_def *d = NULL;
    plaint_error err;

    snprintf(xsd, sizeof(xsd), "%s/schemas/xml", src_dir());
    plaint_error_init(&err);
    assert_int_equal(plaint_report_def_parse(&d, text, strlen(text), "t.xml", NULL, xsd, &err),
                     PLAINT_EINVALID);
    assert_null(d);
    if (strstr(err.message, needle) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
    }
}

static void test_refused_definitions(void **state)
{
    (void)state;
    expect_refused("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n<x/>",
                   "t.xml:2: a DOCTYPE is not allowed");
    expect_refused(HEAD " <groups fallback=\"nope\"><group id=\"a\" name=\"A\"/></groups>\n" FIGS,
                   "t.xml:6: fallback group \"nope\" is not a declared group");
    expect_refused(HEAD " <groups fallback=\"a\"><group id=\"a\" name=\"A\"><category>X</category>"
                        "</group>\n <group id=\"b\" name=\"B\"><category>X</category></group>"
                        "</groups>\n" FIGS,
                   "t.xml:");
    expect_refused(HEAD " <groups fallback=\"a\"><group id=\"a\" name=\"A\"/></groups>\n"
                        " <figures><figure>opened</figure><figure>nonsense</figure></figures>\n"
                        "</report-definition>\n",
                   "nonsense");
    expect_refused(HEAD " <groups fallback=\"a\"><group id=\"a\" name=\"A\"/></groups>\n"
                        " <figures><figure>opened</figure><figure>opened</figure></figures>\n"
                        "</report-definition>\n",
                   "t.xml:7:");
    expect_refused(
        "<report-definition xmlns=\"urn:plaint:report-definition:1\" id=\"t\" "
        "version=\"1\" title=\"T\" valid-from=\"2030-01-01\" valid-to=\"2020-12-31\">"
        "<firm name=\"F\" scheme=\"FRN\" reference=\"1\"/><time-limits calendar=\"uk-ew\""
        " summary-business-days=\"3\" final-weeks=\"8\"/><groups fallback=\"a\">"
        "<group id=\"a\" name=\"A\"/></groups>" FIGS,
        "valid-from 2030-01-01 is after valid-to");
    expect_refused(HEAD " <groups fallback=\"a\"><group id=\"a\" name=\"A\"/></groups>\n" FIGS
                        "<extra",
                   "t.xml:");
    expect_refused(HEAD
                   " <groups fallback=\"a\"><group id=\"a\" name=\" padded\"/></groups>\n" FIGS,
                   "t.xml:6:");
}

static void test_accepted_minimal(void **state)
{
    const char text[] = HEAD " <groups fallback=\"a\"><group id=\"a\" name=\"A\"/></groups>\n" FIGS;
    char xsd[4096];
    plaint_report_def *d = NULL;
    plaint_error err;

    (void)state;
    snprintf(xsd, sizeof(xsd), "%s/schemas/xml", src_dir());
    plaint_error_init(&err);
    if (plaint_report_def_parse(&d, text, strlen(text), "t.xml", NULL, xsd, &err) != 0) {
        fail_msg("%s", err.message);
    }
    assert_int_equal(d->figures, PLAINT_REPORT_FIG_OPENED);
    assert_int_equal(d->ncategories, 0);
    assert_false(d->has_causes);
    plaint_report_def_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent_exhaustive), cmocka_unit_test(test_percent_cases),
        cmocka_unit_test(test_shipped_definition), cmocka_unit_test(test_refused_definitions),
        cmocka_unit_test(test_accepted_minimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
