/* Tests of the SLA policy (core/sla) and its loader (src/policy/sla_xml.c): the shipped
 * policies/sla.xml (holiday lists checked against the rules that make them, targets, worked
 * deadlines), how targets combine, and wrong or hostile policy files refused naming file and
 * line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/bizcal.h"
#include "plaint/digest.h"
#include "plaint/sla.h"
#include "unit_helpers.h"

#define US 1000000LL

typedef struct fixture {
    plaint_sla_policy *policy; /* the shipped policy */
    unit_policy_files files;
} fixture;

static int setup(void **state)
{
    plaint_error err;
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    unit_policy_files_init(&f->files, "sla");
    plaint_error_init(&err);
    if (plaint_policy_load_sla(&f->policy, NULL, f->files.xml, f->files.xsd, &err) != 0) {
        fail_msg("loading %s: %s", f->files.xml, err.message);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    if (f == NULL) {
        return 0;
    }
    plaint_sla_policy_free(f->policy);
    unit_policy_files_clear(&f->files);
    free(f);
    return 0;
}

static plaint_bizcal_date D(int y, int m, int d)
{
    plaint_bizcal_date x = {y, m, d};
    return x;
}

static int64_t U(int y, int mo, int d, int h, int mi, int s)
{
    return (plaint_bizcal_date_diff(D(1970, 1, 1), D(y, mo, d)) * 86400 + h * 3600 + mi * 60 + s) *
           US;
}

static plaint_bizcal_date plus(plaint_bizcal_date d, int days)
{
    assert_int_equal(plaint_bizcal_date_add_days(&d, d, days, NULL), 0);
    return d;
}

/* The n-th (n > 0) or last (n == 5) weekday wd of a month. */
static plaint_bizcal_date nth_weekday(int y, int m, int wd, int n)
{
    plaint_bizcal_date d = D(y, m, 1);
    int i;

    d = plus(d, (wd - plaint_bizcal_weekday(d) + 7) % 7);
    for (i = 1; i < n; i++) {
        plaint_bizcal_date next = plus(d, 7);
        if (next.month != m) {
            break;
        }
        d = next;
    }
    return d;
}

/* Easter Sunday (Gregorian; the anonymous algorithm of Meeus, Jones and Butcher). */
static plaint_bizcal_date easter(int y)
{
    int a = y % 19;
    int b = y / 100;
    int c = y % 100;
    int d = b / 4;
    int e = b % 4;
    int g = (8 * b + 13) / 25;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4;
    int k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;

    return D(y, month, day);
}

/* A set of dates as sorted day numbers relative to 1970-01-01. */
typedef struct date_set {
    int64_t d[256];
    size_t n;
} date_set;

static void set_add(date_set *s, plaint_bizcal_date d)
{
    int64_t v = plaint_bizcal_date_diff(D(1970, 1, 1), d);
    size_t i = s->n;

    assert_true(s->n < 256);
    while (i > 0 && s->d[i - 1] > v) {
        s->d[i] = s->d[i - 1];
        i--;
    }
    s->d[i] = v;
    s->n++;
}

static void assert_same_dates(const plaint_bizcal *c, const date_set *want)
{
    size_t i;
    size_t n = plaint_bizcal_count_holidays(c);

    for (i = 0; i < n || i < want->n; i++) {
        char got_s[16] = "-";
        char want_s[16] = "-";
        if (i < n) {
            assert_int_equal(
                plaint_bizcal_date_format(got_s, plaint_bizcal_get_holiday(c, i), NULL), 0);
        }
        if (i < want->n) {
            assert_int_equal(
                plaint_bizcal_date_format(want_s, plus(D(1970, 1, 1), (int)want->d[i]), NULL), 0);
        }
        if (strcmp(got_s, want_s) != 0) {
            fail_msg("%s: holiday %zu is %s, the rules give %s", plaint_bizcal_id(c), i, got_s,
                     want_s);
        }
    }
}

/* Christmas and Boxing Day in England and Wales, with substitute days. */
static void add_uk_christmas(date_set *s, int y)
{
    switch (plaint_bizcal_weekday(D(y, 12, 25))) {
    case PLAINT_BIZCAL_FRIDAY:
        set_add(s, D(y, 12, 25));
        set_add(s, D(y, 12, 28));
        break;
    case PLAINT_BIZCAL_SATURDAY:
        set_add(s, D(y, 12, 27));
        set_add(s, D(y, 12, 28));
        break;
    case PLAINT_BIZCAL_SUNDAY:
        set_add(s, D(y, 12, 26));
        set_add(s, D(y, 12, 27));
        break;
    default:
        set_add(s, D(y, 12, 25));
        set_add(s, D(y, 12, 26));
    }
}

static void test_shipped_uk_calendar(void **state)
{
    const fixture *f = *state;
    const plaint_bizcal *c = plaint_sla_calendar(f->policy, "uk-ew");
    date_set want;
    size_t i;
    int y;

    assert_non_null(c);
    assert_ptr_equal(plaint_sla_default_calendar(f->policy), c);
    assert_string_equal(plaint_bizcal_tz_rule(c), "GMT0BST,M3.5.0/1,M10.5.0");
    assert_int_equal(plaint_bizcal_weekend(c), PLAINT_BIZCAL_WEEKEND_SAT_SUN);
    assert_int_equal(plaint_bizcal_close(c), 17 * 3600);
    /* the rules of bank holidays in England and Wales, 2019-2027 */
    memset(&want, 0, sizeof(want));
    for (y = 2019; y <= 2027; y++) {
        plaint_bizcal_date ny = D(y, 1, 1);
        while (plaint_bizcal_weekday(ny) == PLAINT_BIZCAL_SATURDAY ||
               plaint_bizcal_weekday(ny) == PLAINT_BIZCAL_SUNDAY) {
            ny = plus(ny, 1);
        }
        set_add(&want, ny);
        set_add(&want, plus(easter(y), -2)); /* Good Friday */
        set_add(&want, plus(easter(y), 1));  /* Easter Monday */
        /* early May: first Monday, moved to Friday 8 May in 2020 (VE Day) */
        set_add(&want, y == 2020 ? D(2020, 5, 8) : nth_weekday(y, 5, PLAINT_BIZCAL_MONDAY, 1));
        /* spring: last Monday of May, moved to Thursday 2 June in 2022 */
        set_add(&want, y == 2022 ? D(2022, 6, 2) : nth_weekday(y, 5, PLAINT_BIZCAL_MONDAY, 5));
        set_add(&want, nth_weekday(y, 8, PLAINT_BIZCAL_MONDAY, 5)); /* summer */
        add_uk_christmas(&want, y);
    }
    set_add(&want, D(2022, 6, 3));  /* Platinum Jubilee */
    set_add(&want, D(2022, 9, 19)); /* State Funeral of Queen Elizabeth II */
    set_add(&want, D(2023, 5, 8));  /* Coronation of King Charles III */
    assert_int_equal(want.n, 75);
    assert_same_dates(c, &want);
    /* spot checks against the published list */
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2020, 12, 28)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2021, 12, 27)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2021, 12, 28)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2022, 1, 3)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2026, 12, 28)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2027, 3, 26)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2020, 5, 4)), 1);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2022, 5, 30)), 1);
    for (i = 0; i < plaint_bizcal_count_holidays(c); i++) {
        int wd = plaint_bizcal_weekday(plaint_bizcal_get_holiday(c, i));
        assert_true(wd >= PLAINT_BIZCAL_MONDAY && wd <= PLAINT_BIZCAL_FRIDAY);
    }
}

/* A US federal holiday's observed date (5 U.S.C. 6103(b)). */
static plaint_bizcal_date observed(plaint_bizcal_date d)
{
    int wd = plaint_bizcal_weekday(d);

    return wd == PLAINT_BIZCAL_SATURDAY ? plus(d, -1) : wd == PLAINT_BIZCAL_SUNDAY ? plus(d, 1) : d;
}

static void test_shipped_us_calendar(void **state)
{
    const fixture *f = *state;
    const plaint_bizcal *c = plaint_sla_calendar(f->policy, "us-federal");
    date_set want;
    int y;

    assert_non_null(c);
    assert_string_equal(plaint_bizcal_tz_rule(c), "EST5EDT,M3.2.0,M11.1.0");
    memset(&want, 0, sizeof(want));
    for (y = 2011; y <= 2027; y++) {
        set_add(&want, observed(D(y, 1, 1)));
        set_add(&want, nth_weekday(y, 1, PLAINT_BIZCAL_MONDAY, 3)); /* Martin Luther King */
        set_add(&want, nth_weekday(y, 2, PLAINT_BIZCAL_MONDAY, 3)); /* Washington */
        set_add(&want, nth_weekday(y, 5, PLAINT_BIZCAL_MONDAY, 5)); /* Memorial Day */
        if (y >= 2021) {
            set_add(&want, observed(D(y, 6, 19))); /* Juneteenth */
        }
        set_add(&want, observed(D(y, 7, 4)));
        set_add(&want, nth_weekday(y, 9, PLAINT_BIZCAL_MONDAY, 1));    /* Labor Day */
        set_add(&want, nth_weekday(y, 10, PLAINT_BIZCAL_MONDAY, 2));   /* Columbus Day */
        set_add(&want, observed(D(y, 11, 11)));                        /* Veterans Day */
        set_add(&want, nth_weekday(y, 11, PLAINT_BIZCAL_THURSDAY, 4)); /* Thanksgiving */
        set_add(&want, observed(D(y, 12, 25)));
    }
    assert_int_equal(want.n, 177);
    assert_same_dates(c, &want);
    /* New Year's Day 2011 and 2022 fell on Saturdays: observed the Friday before */
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2010, 12, 31)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2021, 12, 31)), 0);
    assert_int_equal(plaint_bizcal_is_business_day(c, D(2021, 6, 18)), 0);
}

/* The shipped targets, in order. Update with policies/sla.xml and docs/sla.md. */
static void expect_target(const plaint_sla_target *t, const char *id, plaint_sla_severity s,
                          const char *category, int first, int summary, plaint_sla_unit final_unit,
                          int final)
{
    assert_non_null(t);
    assert_string_equal(t->id, id);
    assert_int_equal(t->severity, s);
    if (category == NULL) {
        assert_null(t->category);
    } else {
        assert_string_equal(t->category, category);
    }
    assert_null(t->calendar);
    assert_int_equal(t->first_response.unit, first ? PLAINT_SLA_BUSINESS_DAYS : PLAINT_SLA_UNSET);
    assert_int_equal(t->first_response.count, first);
    assert_int_equal(t->summary_resolution.unit,
                     summary ? PLAINT_SLA_BUSINESS_DAYS : PLAINT_SLA_UNSET);
    assert_int_equal(t->summary_resolution.count, summary);
    assert_int_equal(t->final_response.unit, final_unit);
    assert_int_equal(t->final_response.count, final);
}

static void test_shipped_targets(void **state)
{
    const fixture *f = *state;
    const plaint_sla_policy *p = f->policy;

    assert_int_equal(plaint_sla_count_calendars(p), 2);
    assert_int_equal(plaint_sla_count_targets(p), 5);
    expect_target(plaint_sla_get_target(p, 0), "critical", PLAINT_SLA_SEVERITY_CRITICAL, NULL, 1, 0,
                  PLAINT_SLA_UNSET, 0);
    expect_target(plaint_sla_get_target(p, 1), "high", PLAINT_SLA_SEVERITY_HIGH, NULL, 1, 0,
                  PLAINT_SLA_UNSET, 0);
    expect_target(plaint_sla_get_target(p, 2), "psd-money-transfer", PLAINT_SLA_SEVERITY_ANY,
                  "Money transfer, virtual currency, or money service", 0, 0,
                  PLAINT_SLA_BUSINESS_DAYS, 15);
    expect_target(plaint_sla_get_target(p, 3), "psd-money-transfers", PLAINT_SLA_SEVERITY_ANY,
                  "Money transfers", 0, 0, PLAINT_SLA_BUSINESS_DAYS, 15);
    expect_target(plaint_sla_get_target(p, 4), "emd-prepaid-card", PLAINT_SLA_SEVERITY_ANY,
                  "Prepaid card", 0, 0, PLAINT_SLA_BUSINESS_DAYS, 15);
    assert_null(plaint_sla_get_target(p, 5));
    /* the default: DISP 1.5 (3 business days) and DISP 1.6.2R (8 weeks) */
    expect_target(plaint_sla_default_target(p), "disp", PLAINT_SLA_SEVERITY_ANY, NULL, 2, 3,
                  PLAINT_SLA_WEEKS, 8);
}

typedef struct worked {
    const char *severity;
    const char *category;
    int64_t received;
    const char *target;
    int64_t first, summary, final;
} worked;

static void test_shipped_deadlines(void **state)
{
    const fixture *f = *state;
    const int64_t eod = 999999; /* 23:59:59.999999 */
    const worked cases[] = {
        /* Monday 8 January 2024: 2 and 3 business days at 17:00 GMT, 8 weeks = 4 March */
        {"low", "Debt collection", U(2024, 1, 8, 10, 0, 0), "disp", U(2024, 1, 10, 17, 0, 0),
         U(2024, 1, 11, 17, 0, 0), U(2024, 3, 4, 23, 59, 59) + eod},
        /* critical and e-money: both targets apply (first response 1, final 15 business days) */
        {"critical", "Prepaid card", U(2024, 1, 8, 10, 0, 0), "critical", U(2024, 1, 9, 17, 0, 0),
         U(2024, 1, 11, 17, 0, 0), U(2024, 1, 29, 17, 0, 0)},
        /* no severity, payment services, received Saturday before Easter and BST */
        {NULL, "Money transfers", U(2024, 3, 23, 12, 0, 0), "psd-money-transfers",
         U(2024, 3, 26, 17, 0, 0), U(2024, 3, 27, 17, 0, 0), U(2024, 4, 16, 16, 0, 0)},
        /* 23:30 UTC on Monday 10 June is Tuesday in London */
        {"high", NULL, U(2024, 6, 10, 23, 30, 0), "high", U(2024, 6, 12, 16, 0, 0),
         U(2024, 6, 14, 16, 0, 0), U(2024, 8, 6, 22, 59, 59) + eod},
        /* Christmas Eve 2024 */
        {"medium", "Mortgage", U(2024, 12, 24, 9, 0, 0), "disp", U(2024, 12, 30, 17, 0, 0),
         U(2024, 12, 31, 17, 0, 0), U(2025, 2, 18, 23, 59, 59) + eod},
        /* categories match exactly */
        {"low", "money transfers", U(2024, 1, 8, 10, 0, 0), "disp", U(2024, 1, 10, 17, 0, 0),
         U(2024, 1, 11, 17, 0, 0), U(2024, 3, 4, 23, 59, 59) + eod},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        plaint_sla_deadlines d;
        plaint_error err;
        plaint_error_init(&err);
        if (plaint_sla_compute(&d, f->policy, cases[i].severity, cases[i].category,
                               cases[i].received, &err) != 0) {
            fail_msg("case %zu: %s", i, err.message);
        }
        print_message("case %zu: %s %s\n", i, d.target, d.calendar);
        assert_string_equal(d.target, cases[i].target);
        assert_string_equal(d.calendar, "uk-ew");
        if (d.first_response_due != cases[i].first ||
            d.summary_resolution_due != cases[i].summary ||
            d.final_response_due != cases[i].final) {
            fail_msg("case %zu: got %lld %lld %lld, want %lld %lld %lld", i,
                     (long long)d.first_response_due, (long long)d.summary_resolution_due,
                     (long long)d.final_response_due, (long long)cases[i].first,
                     (long long)cases[i].summary, (long long)cases[i].final);
        }
    }
}

static void test_compute_errors(void **state)
{
    const fixture *f = *state;
    plaint_sla_deadlines d;
    plaint_sla_target t;
    plaint_sla_policy *empty = NULL;
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_sla_compute(&d, f->policy, "urgent", NULL, 0, &err), PLAINT_EINVALID);
    assert_string_equal(err.message,
                        "unknown severity level 'urgent' (low, medium, high or critical)");
    assert_int_equal(plaint_sla_compute(&d, f->policy, "any", NULL, 0, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_sla_compute(&d, f->policy, "low", NULL, INT64_MAX, NULL),
                     PLAINT_ERANGE);
    assert_string_equal(d.target, "");
    assert_int_equal(plaint_sla_match(&t, NULL, f->policy, "bad\nlevel", NULL, &err),
                     PLAINT_EINVALID);
    assert_non_null(strstr(err.message, "'bad?level'"));
    assert_int_equal(plaint_sla_policy_new(&empty, NULL), 0);
    assert_int_equal(plaint_sla_compute(&d, empty, "low", NULL, 0, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "the SLA policy has no calendar");
    assert_null(plaint_sla_default_calendar(empty));
    assert_null(plaint_sla_default_target(empty));
    plaint_sla_policy_free(empty);
    plaint_sla_policy_free(NULL);
}

/* ---------------------------------------------------------------- the pure builder */

static plaint_sla_timer bd(int n)
{
    plaint_sla_timer t = {PLAINT_SLA_BUSINESS_DAYS, n};
    return t;
}

static plaint_sla_timer wk(int n)
{
    plaint_sla_timer t = {PLAINT_SLA_WEEKS, n};
    return t;
}

static plaint_sla_policy *two_calendars(void)
{
    plaint_sla_policy *p = NULL;
    plaint_bizcal *c = NULL;

    assert_int_equal(plaint_sla_policy_new(&p, NULL), 0);
    assert_int_equal(plaint_bizcal_new(&c, "uk", "GMT0BST,M3.5.0/1,M10.5.0", NULL), 0);
    assert_int_equal(plaint_sla_add_calendar(p, c, NULL), 0);
    assert_int_equal(plaint_bizcal_new(&c, "ny", "EST5EDT,M3.2.0,M11.1.0", NULL), 0);
    assert_int_equal(plaint_sla_add_calendar(p, c, NULL), 0);
    return p;
}

static void test_builder(void **state)
{
    plaint_sla_policy *p = two_calendars();
    plaint_bizcal *c = NULL;
    plaint_sla_target t;
    plaint_sla_target eff;
    const plaint_bizcal *cal = NULL;
    plaint_sla_deadlines d;
    plaint_error err;

    (void)state;
    plaint_error_init(&err);
    /* the first calendar is the default until one is named */
    assert_string_equal(plaint_bizcal_id(plaint_sla_default_calendar(p)), "uk");
    assert_int_equal(plaint_sla_set_default_calendar(p, "nope", &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "unknown calendar 'nope'");
    /* a duplicate calendar is refused and freed (the sanitizer build sees a leak otherwise) */
    assert_int_equal(plaint_bizcal_new(&c, "uk", "UTC0", NULL), 0);
    assert_int_equal(plaint_sla_add_calendar(p, c, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "calendar uk is declared twice");
    assert_int_equal(plaint_sla_count_calendars(p), 2);
    assert_null(plaint_sla_get_calendar(p, 2));

    memset(&t, 0, sizeof(t));
    t.id = "ny-critical";
    t.severity = PLAINT_SLA_SEVERITY_CRITICAL;
    t.calendar = "ny";
    t.first_response = bd(1);
    assert_int_equal(plaint_sla_add_target(p, &t, &err), 0);
    memset(&t, 0, sizeof(t));
    t.id = "psd";
    t.category = "Payments";
    t.final_response = bd(15);
    assert_int_equal(plaint_sla_add_target(p, &t, &err), 0);
    /* no default yet */
    assert_int_equal(plaint_sla_check(p, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "the SLA policy has no default target");
    memset(&t, 0, sizeof(t));
    t.id = "house";
    t.first_response = bd(2);
    assert_int_equal(plaint_sla_set_default_target(p, &t, &err), 0);
    assert_int_equal(plaint_sla_set_default_target(p, &t, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "the default target is declared twice");
    assert_int_equal(plaint_sla_check(p, NULL), 0);
    /* the default's DISP timers */
    assert_int_equal(plaint_sla_default_target(p)->summary_resolution.count, 3);
    assert_int_equal(plaint_sla_default_target(p)->final_response.unit, PLAINT_SLA_WEEKS);
    assert_int_equal(plaint_sla_default_target(p)->final_response.count, 8);

    /* a critical payments complaint: first response and calendar from ny-critical, final
     * response from psd, summary resolution from the default */
    assert_int_equal(plaint_sla_match(&eff, &cal, p, "critical", "Payments", &err), 0);
    assert_string_equal(eff.id, "ny-critical");
    assert_string_equal(eff.calendar, "ny");
    assert_ptr_equal(cal, plaint_sla_calendar(p, "ny"));
    assert_int_equal(eff.first_response.count, 1);
    assert_int_equal(eff.summary_resolution.count, 3);
    assert_int_equal(eff.final_response.unit, PLAINT_SLA_BUSINESS_DAYS);
    assert_int_equal(eff.final_response.count, 15);
    /* received Friday 8 March 2024 15:00 UTC (10:00 EST) */
    assert_int_equal(
        plaint_sla_compute(&d, p, "critical", "Payments", U(2024, 3, 8, 15, 0, 0), &err), 0);
    assert_string_equal(d.target, "ny-critical");
    assert_string_equal(d.calendar, "ny");
    assert_int_equal(d.first_response_due, U(2024, 3, 11, 21, 0, 0));     /* Mon 17:00 EDT */
    assert_int_equal(d.summary_resolution_due, U(2024, 3, 13, 21, 0, 0)); /* Wed */
    assert_int_equal(d.final_response_due, U(2024, 3, 29, 21, 0, 0));     /* 15th */
    /* nothing matches: the default on the default calendar */
    assert_int_equal(plaint_sla_match(&eff, &cal, p, NULL, NULL, &err), 0);
    assert_string_equal(eff.id, "house");
    assert_string_equal(eff.calendar, "uk");
    assert_int_equal(eff.first_response.count, 2);
    /* a complaint without a level does not match a critical target */
    assert_int_equal(plaint_sla_match(&eff, NULL, p, NULL, "Payments", &err), 0);
    assert_string_equal(eff.id, "psd");
    assert_string_equal(eff.calendar, "uk");
    plaint_sla_policy_free(p);
}

static void expect_target_refused(plaint_sla_policy *p, const plaint_sla_target *t,
                                  const char *want, const char *field)
{
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_sla_add_target(p, t, &err), PLAINT_EINVALID);
    if (strstr(err.message, want) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
    }
    assert_string_equal(err.field, field);
}

static void test_builder_errors(void **state)
{
    plaint_sla_policy *p = two_calendars();
    plaint_sla_target t;
    plaint_sla_target base;
    plaint_error err;
    char longcat[300];

    (void)state;
    memset(&base, 0, sizeof(base));
    base.id = "t";
    base.first_response = bd(1);
    t = base;
    t.id = "T";
    expect_target_refused(p, &t, "a target id is 1 to 63 characters", "id");
    t = base;
    t.calendar = "nope";
    expect_target_refused(p, &t, "target t: unknown calendar 'nope'", "calendar");
    t = base;
    t.first_response = wk(1);
    expect_target_refused(p, &t, "first-response is counted in business days, not weeks",
                          "first-response");
    t = base;
    t.summary_resolution = bd(0);
    expect_target_refused(p, &t, "summary-resolution is 1 to 10000 business days",
                          "summary-resolution");
    t = base;
    t.final_response = wk(521);
    expect_target_refused(p, &t, "final-response is 1 to 520 weeks", "final-response");
    t = base;
    t.category = " Mortgage";
    expect_target_refused(p, &t, "a category is 1 to 255 bytes", "category");
    t = base;
    t.category = "";
    expect_target_refused(p, &t, "a category is 1 to 255 bytes", "category");
    memset(longcat, 'x', 256);
    longcat[256] = '\0';
    t = base;
    t.category = longcat;
    expect_target_refused(p, &t, "a category is 1 to 255 bytes", "category");
    longcat[255] = '\0';
    t.id = "long";
    assert_int_equal(plaint_sla_add_target(p, &t, NULL), 0); /* 255 bytes is fine */
    t = base;
    t.severity = (plaint_sla_severity)9;
    expect_target_refused(p, &t, "unknown severity", "severity");
    t = base;
    t.first_response.unit = PLAINT_SLA_UNSET;
    expect_target_refused(p, &t, "target t sets neither a timer nor a calendar", "id");
    /* an any/any target shadows every later one that sets only what it sets */
    t = base;
    t.id = "all";
    assert_int_equal(plaint_sla_add_target(p, &t, NULL), 0);
    t = base;
    t.severity = PLAINT_SLA_SEVERITY_HIGH;
    expect_target_refused(p, &t, "target t can never apply", "id");
    t.id = "all";
    t.final_response = wk(4);
    expect_target_refused(p, &t, "target all is declared twice", "id");
    /* ... but one that also sets another timer still decides it */
    t.id = "high";
    assert_int_equal(plaint_sla_add_target(p, &t, NULL), 0);
    /* the default matches everything */
    t = base;
    t.id = "d";
    t.severity = PLAINT_SLA_SEVERITY_LOW;
    plaint_error_init(&err);
    assert_int_equal(plaint_sla_set_default_target(p, &t, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "target d: the default target matches every complaint");
    t = base;
    t.id = "d";
    t.first_response.unit = PLAINT_SLA_UNSET;
    assert_int_equal(plaint_sla_set_default_target(p, &t, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "target d: the default target needs first-response");
    t.id = "high";
    t.first_response = bd(1);
    assert_int_equal(plaint_sla_set_default_target(p, &t, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "target high is declared twice");
    assert_null(plaint_sla_default_target(p));
    plaint_sla_policy_free(p);
}

static void test_severity_names(void **state)
{
    plaint_sla_severity s;

    (void)state;
    assert_int_equal(plaint_sla_severity_parse(&s, "critical", NULL), 0);
    assert_int_equal(s, PLAINT_SLA_SEVERITY_CRITICAL);
    assert_int_equal(plaint_sla_severity_parse(&s, "any", NULL), 0);
    assert_int_equal(s, PLAINT_SLA_SEVERITY_ANY);
    assert_int_equal(plaint_sla_severity_parse(&s, "Critical", NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_sla_severity_parse(&s, NULL, NULL), PLAINT_EINVALID);
    assert_string_equal(plaint_sla_severity_name(PLAINT_SLA_SEVERITY_MEDIUM), "medium");
    assert_null(plaint_sla_severity_name((plaint_sla_severity)7));
}

/* ---------------------------------------------------------------- the loader */

/* plaint_policy_load_sla reduced to its outcome (see unit_policy_load_fn). */
static int load_sla(int *loaded, const char *path, const char *xsd, plaint_error *err)
{
    plaint_sla_policy *p = NULL;
    int rc = plaint_policy_load_sla(&p, NULL, path, xsd, err);

    *loaded = p != NULL;
    plaint_sla_policy_free(p);
    return rc;
}

/* Loads text as a policy and expects code with want in the message, which names the file and
 * line first, and err.line == line. */
static void expect_refused(const fixture *f, const char *name, const char *text, int code,
                           const char *want, unsigned long line)
{
    unit_policy_expect_refused(&f->files, load_sla, name, text, code, want, line);
}

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define OPEN "<policy xmlns=\"urn:plaint:sla:1\" version=\"1\" calendar=\"c\">\n"
#define CAL  "  <calendar id=\"c\" tz=\"GMT0BST,M3.5.0/1,M10.5.0\"/>\n"
#define DEF                                                                                        \
    "  <default>\n"                                                                                \
    "    <first-response business-days=\"1\"/>\n"                                                  \
    "  </default>\n"
#define CLOSE "</policy>\n"

static const char MINIMAL[] = HEAD OPEN
    "  <calendar id=\"c\" tz=\"EST5EDT,M3.2.0,M11.1.0\" weekend=\"fri\n sat\" close=\"16:30\">\n"
    "    <holiday date=\"2024-12-25\" name=\"Christmas Day\"/>\n"
    "    <holiday date=\"2024-01-01\"/>\n"
    "  </calendar>\n"
    "  <calendar id=\"d\" tz=\"UTC0\" weekend=\"\"/>\n"
    "  <target id=\"t\" severity=\"high\" category=\"Mortgage\" calendar=\"d\">\n"
    "    <final-response weeks=\"4\"/>\n"
    "  </target>\n" DEF CLOSE;

static void test_minimal_policy_and_digest(void **state)
{
    const fixture *f = *state;
    char path[4096];
    unsigned char h[PLAINT_HASH_LEN];
    unsigned char want[PLAINT_HASH_LEN];
    plaint_sla_policy *p = NULL;
    const plaint_bizcal *c;
    const plaint_sla_target *t;
    plaint_sla_deadlines d;

    unit_policy_write(path, sizeof(path), &f->files, "minimal.xml", MINIMAL);
    assert_int_equal(plaint_policy_load_sla(&p, h, path, f->files.xsd, NULL), 0);
    assert_int_equal(plaint_sha256_digest(want, MINIMAL, strlen(MINIMAL), NULL), 0);
    assert_memory_equal(h, want, PLAINT_HASH_LEN);
    c = plaint_sla_default_calendar(p);
    assert_string_equal(plaint_bizcal_id(c), "c");
    assert_int_equal(plaint_bizcal_weekend(c),
                     (1u << PLAINT_BIZCAL_FRIDAY) | (1u << PLAINT_BIZCAL_SATURDAY));
    assert_int_equal(plaint_bizcal_close(c), 16 * 3600 + 30 * 60);
    assert_int_equal(plaint_bizcal_count_holidays(c), 2);
    c = plaint_sla_calendar(p, "d");
    assert_int_equal(plaint_bizcal_weekend(c), 0);
    assert_int_equal(plaint_bizcal_close(c), 17 * 3600);
    t = plaint_sla_get_target(p, 0);
    assert_string_equal(t->id, "t");
    assert_int_equal(t->severity, PLAINT_SLA_SEVERITY_HIGH);
    assert_string_equal(t->category, "Mortgage");
    assert_string_equal(t->calendar, "d");
    assert_int_equal(t->final_response.unit, PLAINT_SLA_WEEKS);
    assert_int_equal(t->final_response.count, 4);
    t = plaint_sla_default_target(p);
    assert_string_equal(t->id, "default");
    assert_int_equal(t->first_response.count, 1);
    /* high + Mortgage: calendar d (UTC, every day a business day); received Saturday */
    assert_int_equal(plaint_sla_compute(&d, p, "high", "Mortgage", U(2024, 1, 6, 12, 0, 0), NULL),
                     0);
    assert_string_equal(d.target, "t");
    assert_string_equal(d.calendar, "d");
    assert_int_equal(d.first_response_due, U(2024, 1, 7, 17, 0, 0));
    assert_int_equal(d.summary_resolution_due, U(2024, 1, 9, 17, 0, 0));
    assert_int_equal(d.final_response_due, U(2024, 2, 3, 23, 59, 59) + 999999);
    /* anything else: calendar c (New York, Friday-Saturday weekend, close 16:30) */
    assert_int_equal(plaint_sla_compute(&d, p, "low", "Mortgage", U(2024, 1, 4, 15, 0, 0), NULL),
                     0);
    assert_string_equal(d.target, "default");
    assert_string_equal(d.calendar, "c");
    assert_int_equal(d.first_response_due, U(2024, 1, 7, 21, 30, 0)); /* Sunday 16:30 EST */
    plaint_sla_policy_free(p);
}

static void test_semantic_errors_refused(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "unknown-calendar.xml",
                   HEAD OPEN CAL "  <target id=\"t\" calendar=\"nope\">\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "  </target>\n" DEF CLOSE,
                   PLAINT_EINVALID, "target t: unknown calendar 'nope'", 4);
    expect_refused(f, "unknown-default-calendar.xml",
                   HEAD "<policy xmlns=\"urn:plaint:sla:1\" version=\"1\"\n"
                        "        calendar=\"nope\">\n" CAL DEF CLOSE,
                   PLAINT_EINVALID, "unknown calendar 'nope'", 3);
    expect_refused(f, "default-calendar.xml",
                   HEAD OPEN CAL "\n  <default calendar=\"x\">\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "  </default>\n" CLOSE,
                   PLAINT_EINVALID, "target default: unknown calendar 'x'", 5);
    expect_refused(f, "bad-tz.xml",
                   HEAD OPEN "  <calendar id=\"c\"\n            tz=\"EST5EDT\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "TZ rule 'EST5EDT': a zone with DST needs its rules", 4);
    expect_refused(f, "julian-tz.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"EST5EDT,J60,J300\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "Jn or n day form, which plaint does not support", 3);
    expect_refused(f, "duplicate-holiday.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"UTC0\">\n"
                             "    <holiday date=\"2024-12-25\"/>\n"
                             "    <holiday date=\"2024-12-26\"/>\n"
                             "    <holiday date=\"2024-12-25\" name=\"again\"/>\n"
                             "  </calendar>\n" DEF CLOSE,
                   PLAINT_EINVALID, "calendar c: holiday 2024-12-25 is listed twice", 6);
    expect_refused(f, "bad-date.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"UTC0\">\n"
                             "    <holiday date=\"2019-02-29\"/>\n"
                             "  </calendar>\n" DEF CLOSE,
                   PLAINT_EINVALID, "'2019-02-29' is not a valid date", 4);
    expect_refused(f, "bad-date-2.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"UTC0\">\n"
                             "    <holiday date=\"2024-13-01\"/>\n"
                             "  </calendar>\n" DEF CLOSE,
                   PLAINT_EINVALID, "'2024-13-01' is not a valid date", 4);
    expect_refused(f, "year-zero.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"UTC0\">\n"
                             "    <holiday date=\"0000-01-01\"/>\n"
                             "  </calendar>\n" DEF CLOSE,
                   PLAINT_EINVALID, "'0000-01-01' is not a valid date", 4);
    expect_refused(f, "duplicate-calendar.xml", HEAD OPEN CAL CAL DEF CLOSE, PLAINT_EINVALID,
                   "calendar c is declared twice", 4);
    expect_refused(f, "weekend-twice.xml",
                   HEAD OPEN
                   "  <calendar id=\"c\" tz=\"UTC0\" weekend=\"sat sun sat\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "the weekend lists sat twice", 3);
    expect_refused(f, "weekend-all.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"UTC0\"\n"
                             "   weekend=\"mon tue wed thu fri sat sun\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "the weekend cannot be every day of the week", 4);
    expect_refused(f, "midnight.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"UTC0\" close=\"00:00\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "the close of business must be after 00:00", 3);
    expect_refused(f, "both-units.xml",
                   HEAD OPEN CAL "  <target id=\"t\">\n"
                                 "    <final-response business-days=\"15\" weeks=\"8\"/>\n"
                                 "  </target>\n" DEF CLOSE,
                   PLAINT_EINVALID, "final-response needs exactly one of business-days and weeks",
                   5);
    expect_refused(f, "no-unit.xml",
                   HEAD OPEN CAL "  <default>\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "    <final-response/>\n"
                                 "  </default>\n" CLOSE,
                   PLAINT_EINVALID, "final-response needs exactly one of business-days and weeks",
                   6);
    expect_refused(f, "duplicate-target.xml",
                   HEAD OPEN CAL "  <target id=\"t\" severity=\"low\">\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "  </target>\n"
                                 "  <target id=\"t\" severity=\"high\">\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "  </target>\n" DEF CLOSE,
                   PLAINT_EINVALID, "target t is declared twice", 7);
    expect_refused(f, "default-id-taken.xml",
                   HEAD OPEN CAL "  <target id=\"default\" severity=\"low\">\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "  </target>\n" DEF CLOSE,
                   PLAINT_EINVALID, "target default is declared twice", 7);
    expect_refused(f, "shadowed.xml",
                   HEAD OPEN CAL "  <target id=\"everything\">\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "  </target>\n"
                                 "  <target id=\"high\" severity=\"high\">\n"
                                 "    <first-response business-days=\"2\"/>\n"
                                 "  </target>\n" DEF CLOSE,
                   PLAINT_EINVALID,
                   "target high can never apply: every timer and calendar it sets is set by an "
                   "earlier target that matches every complaint it matches (everything)",
                   7);
    expect_refused(f, "empty-target.xml",
                   HEAD OPEN CAL "  <target id=\"t\" category=\"Mortgage\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "target t sets neither a timer nor a calendar", 4);
    expect_refused(f, "spaced-category.xml",
                   HEAD OPEN CAL "  <target id=\"t\" category=\"Mortgage \">\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "  </target>\n" DEF CLOSE,
                   PLAINT_EINVALID, "a category is 1 to 255 bytes", 4);
}

/* The schema refuses junk before the builder sees it. */
static void test_schema_violations_refused(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "junk.xml", "this is not XML\n", PLAINT_EINVALID, "Start tag expected", 1);
    expect_refused(f, "mismatch.xml", HEAD OPEN CAL "  <default>\n" CLOSE, PLAINT_EINVALID,
                   "Opening and ending tag mismatch", 5);
    expect_refused(f, "empty.xml", "", PLAINT_EINVALID, "policy file is empty", 0);
    expect_refused(f, "weeks-first-response.xml",
                   HEAD OPEN CAL "  <default>\n"
                                 "    <first-response weeks=\"1\"/>\n"
                                 "  </default>\n" CLOSE,
                   PLAINT_EINVALID, "The attribute 'weeks' is not allowed", 5);
    expect_refused(f, "fraction.xml",
                   HEAD OPEN CAL "  <default>\n"
                                 "    <first-response business-days=\"1.5\"/>\n"
                                 "  </default>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'business-days'", 5);
    expect_refused(f, "zero.xml",
                   HEAD OPEN CAL "  <default>\n"
                                 "    <first-response business-days=\"0\"/>\n"
                                 "  </default>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'business-days'", 5);
    expect_refused(f, "too-many-weeks.xml",
                   HEAD OPEN CAL "  <default>\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "    <final-response weeks=\"521\"/>\n"
                                 "  </default>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'weeks'", 6);
    expect_refused(f, "no-default.xml", HEAD OPEN CAL CLOSE, PLAINT_EINVALID,
                   "Missing child element(s)", 2);
    expect_refused(f, "no-calendar.xml", HEAD OPEN DEF CLOSE, PLAINT_EINVALID,
                   "This element is not expected", 3);
    expect_refused(f, "unknown-element.xml", HEAD OPEN CAL "  <escalate/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "This element is not expected", 4);
    expect_refused(f, "bad-severity.xml",
                   HEAD OPEN CAL "  <target id=\"t\" severity=\"urgent\">\n"
                                 "    <first-response business-days=\"1\"/>\n"
                                 "  </target>\n" DEF CLOSE,
                   PLAINT_EINVALID, "attribute 'severity'", 4);
    expect_refused(f, "bad-weekday.xml",
                   HEAD OPEN
                   "  <calendar id=\"c\" tz=\"UTC0\" weekend=\"sat funday\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "attribute 'weekend'", 3);
    expect_refused(f, "bad-close.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"UTC0\" close=\"24:00\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "attribute 'close'", 3);
    expect_refused(f, "short-date.xml",
                   HEAD OPEN "  <calendar id=\"c\" tz=\"UTC0\">\n"
                             "    <holiday date=\"2024-1-1\"/>\n"
                             "  </calendar>\n" DEF CLOSE,
                   PLAINT_EINVALID, "attribute 'date'", 4);
    expect_refused(f, "bad-id.xml",
                   HEAD "<policy xmlns=\"urn:plaint:sla:1\" version=\"1\" calendar=\"UK\">\n"
                        "  <calendar id=\"UK\" tz=\"UTC0\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "attribute 'calendar'", 2);
    expect_refused(f, "no-version.xml",
                   HEAD "<policy xmlns=\"urn:plaint:sla:1\" calendar=\"c\">\n" CAL DEF CLOSE,
                   PLAINT_EINVALID, "The attribute 'version' is required", 2);
    expect_refused(
        f, "wrong-namespace.xml",
        HEAD
        "<policy xmlns=\"urn:plaint:retention:1\" version=\"1\" calendar=\"c\">\n" CAL DEF CLOSE,
        PLAINT_EINVALID, "No matching global declaration", 2);
    expect_refused(f, "doctype.xml",
                   HEAD "<!DOCTYPE policy [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n" OPEN
                        "  <calendar id=\"c\" tz=\"UTC0\" basis=\"&x;\"/>\n" DEF CLOSE,
                   PLAINT_EINVALID, "policy files may not contain a DOCTYPE", 2);
}

static void test_missing_files(void **state)
{
    const fixture *f = *state;
    char path[4096];
    plaint_sla_policy *p = NULL;
    plaint_error err;

    plaint_error_init(&err);
    snprintf(path, sizeof(path), "%s/absent.xml", f->files.dir);
    assert_int_equal(plaint_policy_load_sla(&p, NULL, path, f->files.xsd, &err), PLAINT_ENOTFOUND);
    assert_null(p);
    unit_policy_write(path, sizeof(path), &f->files, "ok.xml", MINIMAL);
    assert_int_equal(plaint_policy_load_sla(&p, NULL, path, "/nonexistent/sla.xsd", &err),
                     PLAINT_ENOTFOUND);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_uk_calendar),
        cmocka_unit_test(test_shipped_us_calendar),
        cmocka_unit_test(test_shipped_targets),
        cmocka_unit_test(test_shipped_deadlines),
        cmocka_unit_test(test_compute_errors),
        cmocka_unit_test(test_builder),
        cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_severity_names),
        cmocka_unit_test(test_minimal_policy_and_digest),
        cmocka_unit_test(test_semantic_errors_refused),
        cmocka_unit_test(test_schema_violations_refused),
        cmocka_unit_test(test_missing_files),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
