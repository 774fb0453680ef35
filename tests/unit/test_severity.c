/* Tests of the severity score (src/core/severity.c) and its policy loader
 * (src/policy/severity_xml.c): worked examples on the shipped policies/severity.xml with the
 * expected scores computed by hand, the boundaries of bands and level thresholds, clamping,
 * input errors, builder errors, and policy files refused naming file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/digest.h"
#include "plaint/severity.h"
#include "unit_helpers.h"

typedef struct fixture {
    plaint_severity_policy *policy; /* the shipped policy */
    unit_policy_files files;
} fixture;

static int setup(void **state)
{
    plaint_error err;
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    unit_policy_files_init(&f->files, "severity");
    plaint_error_init(&err);
    if (plaint_policy_load_severity(&f->policy, NULL, f->files.xml, f->files.xsd, &err) != 0) {
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
    plaint_severity_policy_free(f->policy);
    unit_policy_files_clear(&f->files);
    free(f);
    return 0;
}

/* Computes one severity and checks every component, the score and the level. */
static void expect_severity(const plaint_severity_policy *p, const char *category, int64_t ltv,
                            const char *currency, const char *urgency, const char *channel,
                            int public_exposure, int cat, int val, int urg, int exp, int score,
                            const char *level)
{
    plaint_severity_input in = {category, ltv, currency, urgency, channel, public_exposure};
    plaint_severity_result r;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_severity_compute(&r, p, &in, &err) != 0) {
        fail_msg("severity of %s: %s", category != NULL ? category : "(null)", err.message);
    }
    if (r.category_points != cat || r.value_points != val || r.urgency_points != urg ||
        r.exposure_points != exp || r.score != score || strcmp(r.level, level) != 0) {
        fail_msg("%s / %lld %s / %s / %s: got %d+%d+%d+%d = %d %s, want %d+%d+%d+%d = %d %s",
                 category != NULL ? category : "(null)", (long long)ltv,
                 currency != NULL ? currency : "-", urgency, channel != NULL ? channel : "-",
                 r.category_points, r.value_points, r.urgency_points, r.exposure_points, r.score,
                 r.level, cat, val, urg, exp, score, level);
    }
    assert_int_equal(r.public_exposure, exp != 0);
}

/* Hand-computed examples on policies/severity.xml: categories 10 (default) .. 25, bands
 * <= $999.99: 0, <= $9,999.99: 5, <= $99,999.99: 10, above: 20; urgency low 0, normal 10,
 * high 25, critical 40; social +15; medium from 30, high from 50, critical from 70. */
static void test_shipped_worked_examples(void **state)
{
    const fixture *f = *state;
    const plaint_severity_policy *p = f->policy;

    /* Mortgage 25 + $2,500.00 (250000 <= 999999) 5 + high 25 + web 0 = 55: 50 <= 55 < 70 */
    expect_severity(p, "Mortgage", 250000, "USD", "high", "web", 0, 25, 5, 25, 0, 55, "high");
    /* Debt collection 20 + $0 0 + normal 10 + social 15 = 45: medium */
    expect_severity(p, "Debt collection", 0, "USD", "normal", "social", 0, 20, 0, 10, 15, 45,
                    "medium");
    /* Payday 25 + $150,000.00 (unbounded band) 20 + critical 40 + social 15 = 100 exactly */
    expect_severity(p, "Payday loan, title loan, or personal loan", 15000000, "USD", "critical",
                    "social", 0, 25, 20, 40, 15, 100, "critical");
    /* unknown category: default 10 + $999.99 (last cent of the first band) 0 + low 0 = 10 */
    expect_severity(p, "Unicorn insurance", 99999, "USD", "low", "email", 0, 10, 0, 0, 0, 10,
                    "low");
    /* 15 + $1,000.00 (first cent of the second band) 5 + normal 10 = 30: exactly medium */
    expect_severity(p,
                    "Credit reporting, credit repair services, or other personal consumer "
                    "reports",
                    100000, "USD", "normal", "web", 0, 15, 5, 10, 0, 30, "medium");
    /* names are exact: "mortgage" is not "Mortgage", so default 10 + 0 + high 25 = 35 */
    expect_severity(p, "mortgage", 0, "USD", "high", "web", 0, 10, 0, 25, 0, 35, "medium");
    /* Student loan 20 + $99,999.99 (last cent of the third band) 10 + high 25 + exposure flag
     * on a private channel 15 = 70: exactly critical */
    expect_severity(p, "Student loan", 9999999, "USD", "high", "post", 1, 20, 10, 25, 15, 70,
                    "critical");
    /* 15 + $100,000.00 (first cent of the unbounded band) 20 + normal 10 = 45 */
    expect_severity(p, "Checking or savings account", 10000000, "USD", "normal", "phone", 0, 15, 20,
                    10, 0, 45, "medium");
    /* no category, no customer value known (no currency), normal 10: 10 + 0 + 10 = 20 */
    expect_severity(p, NULL, 0, NULL, "normal", NULL, 0, 10, 0, 10, 0, 20, "low");
    /* a negative lifetime value (refunds above purchases) falls in the first band */
    expect_severity(p, "Credit card or prepaid card", -500, "USD", "high", "chat", 0, 15, 0, 25, 0,
                    40, "medium");
    /* Vehicle loan 20 + $5,000.00 5 + high 25 = 50: exactly high; one point less is medium */
    expect_severity(p, "Vehicle loan or lease", 500000, "USD", "high", "web", 0, 20, 5, 25, 0, 50,
                    "high");
    expect_severity(p, "Credit card", 500000, "USD", "high", "web", 0, 15, 5, 25, 0, 45, "medium");
    /* 25 + 20 + high 25 = 70 critical; 15 + 20 + high 25 + 0 = 60 high; 69 cannot be built
     * from the shipped points, the thresholds' lower sides are tested on inline policies */
    expect_severity(p, "Mortgage", 20000000, "USD", "high", "web", 0, 25, 20, 25, 0, 70,
                    "critical");
}

/* Every CFPB product of the test data (tests: /work/shared/data/cfpb_complaints.csv, 14
 * products) is named in the shipped policy. */
static void test_shipped_names_every_cfpb_product(void **state)
{
    static const char *const products[] = {
        "Credit reporting, credit repair services, or other personal consumer reports",
        "Debt collection",
        "Credit card or prepaid card",
        "Checking or savings account",
        "Credit reporting or other personal consumer reports",
        "Mortgage",
        "Student loan",
        "Money transfer, virtual currency, or money service",
        "Vehicle loan or lease",
        "Payday loan, title loan, or personal loan",
        "Credit card",
        "Bank account or service",
        "Consumer Loan",
        "Debt or credit management",
    };
    const fixture *f = *state;
    size_t i;

    assert_string_equal(plaint_severity_currency(f->policy), "USD");
    assert_int_equal(plaint_severity_count_categories(f->policy), 18);
    assert_int_equal(plaint_severity_count_bands(f->policy), 4);
    for (i = 0; i < sizeof(products) / sizeof(products[0]); i++) {
        plaint_severity_input in = {products[i], 0, "USD", "normal", "web", 0};
        plaint_severity_result r;
        assert_int_equal(plaint_severity_compute(&r, f->policy, &in, NULL), 0);
        if (!r.category_matched) {
            fail_msg("product \"%s\" is not in policies/severity.xml", products[i]);
        }
    }
}

/* A policy built through the API: default d, one category "A" = a, bands <= 0: 0,
 * <= 1000: 10, above: 20, urgencies 0/10/20/30, exposure e on "social", thresholds 30/50/70. */
static plaint_severity_policy *build(int d, int a, int e)
{
    plaint_severity_policy *p = NULL;
    const plaint_severity_band bands[3] = {{1, 0, 0}, {1, 1000, 10}, {0, 0, 20}};
    size_t i;

    assert_int_equal(plaint_severity_policy_new(&p, NULL), 0);
    assert_int_equal(plaint_severity_set_currency(p, "GBP", NULL), 0);
    assert_int_equal(plaint_severity_set_default_points(p, d, NULL), 0);
    assert_int_equal(plaint_severity_add_category(p, "A", a, NULL), 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(plaint_severity_add_band(p, &bands[i], NULL), 0);
    }
    assert_int_equal(plaint_severity_set_urgency(p, "low", 0, NULL), 0);
    assert_int_equal(plaint_severity_set_urgency(p, "normal", 10, NULL), 0);
    assert_int_equal(plaint_severity_set_urgency(p, "high", 20, NULL), 0);
    assert_int_equal(plaint_severity_set_urgency(p, "critical", 30, NULL), 0);
    assert_int_equal(plaint_severity_set_exposure_points(p, e, NULL), 0);
    assert_int_equal(plaint_severity_add_public_channel(p, "social", NULL), 0);
    assert_int_equal(plaint_severity_set_thresholds(p, 30, 50, 70, NULL), 0);
    assert_int_equal(plaint_severity_policy_check(p, NULL), 0);
    return p;
}

static void test_thresholds_and_band_boundaries(void **state)
{
    plaint_severity_policy *p = build(0, 0, 9);

    (void)state;
    /* 0 + band(<=0) 0 + normal 10 + 9 (social) = 19 */
    expect_severity(p, "B", 0, "GBP", "normal", "social", 0, 0, 0, 10, 9, 19, "low");
    /* 1 minor unit above the first bound: 10 + normal 10 + 9 = 29, one below medium */
    expect_severity(p, "B", 1, "GBP", "normal", "social", 0, 0, 10, 10, 9, 29, "low");
    /* 1000 is the second band's last unit: 10 + 20 (high) = 30, exactly medium */
    expect_severity(p, "B", 1000, "GBP", "high", "web", 0, 0, 10, 20, 0, 30, "medium");
    /* 1001: unbounded band 20 + high 20 + 9 = 49, one below high */
    expect_severity(p, "B", 1001, "GBP", "high", "social", 0, 0, 20, 20, 9, 49, "medium");
    /* 20 + critical 30 = 50, exactly high */
    expect_severity(p, "B", INT64_MAX, "GBP", "critical", "web", 0, 0, 20, 30, 0, 50, "high");
    /* 20 + 30 + 9 = 59 */
    expect_severity(p, "B", 5000, "GBP", "critical", "social", 0, 0, 20, 30, 9, 59, "high");
    /* INT64_MIN falls in the first band */
    expect_severity(p, "B", INT64_MIN, "GBP", "low", "web", 0, 0, 0, 0, 0, 0, "low");
    plaint_severity_policy_free(p);

    /* category A = 40: 40 + 0 + 20 + 9 = 69, one below critical; + 1 more point = 70 */
    p = build(0, 40, 9);
    expect_severity(p, "A", 0, "GBP", "high", "social", 0, 40, 0, 20, 9, 69, "high");
    plaint_severity_policy_free(p);
    p = build(0, 41, 9);
    expect_severity(p, "A", 0, "GBP", "high", "social", 0, 41, 0, 20, 9, 70, "critical");
    plaint_severity_policy_free(p);
}

static void test_clamping(void **state)
{
    plaint_severity_policy *p = build(100, -100, 100);

    (void)state;
    /* 100 + 20 + 30 + 100 = 250, clamped to 100 */
    expect_severity(p, "B", 2000, "GBP", "critical", "social", 0, 100, 20, 30, 100, 100,
                    "critical");
    /* -100 + 0 + 0 + 0 = -100, clamped to 0 */
    expect_severity(p, "A", 0, "GBP", "low", "web", 0, -100, 0, 0, 0, 0, "low");
    /* -100 + 20 + 30 + 100 = 50 */
    expect_severity(p, "A", 2000, "GBP", "critical", "social", 0, -100, 20, 30, 100, 50, "high");
    plaint_severity_policy_free(p);
}

static void expect_compute_error(const plaint_severity_policy *p, const plaint_severity_input *in,
                                 const char *field, const char *want)
{
    plaint_severity_result r;
    plaint_error err;

    memset(&r, 0x5a, sizeof(r));
    plaint_error_init(&err);
    assert_int_equal(plaint_severity_compute(&r, p, in, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, field);
    if (strstr(err.message, want) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
    }
    assert_int_equal(r.score, 0);
    assert_string_equal(r.level, "");
}

static void test_input_errors(void **state)
{
    const fixture *f = *state;
    plaint_severity_input in = {"Mortgage", 100, "USD", "urgent", "web", 0};
    plaint_severity_policy *empty = NULL;
    plaint_severity_result r;

    expect_compute_error(f->policy, &in, "urgency", "unknown urgency \"urgent\"");
    in.urgency = "Normal"; /* case matters */
    expect_compute_error(f->policy, &in, "urgency", "unknown urgency \"Normal\"");
    in.urgency = "hi\ngh"; /* echoed without control characters */
    expect_compute_error(f->policy, &in, "urgency", "unknown urgency \"hi?gh\"");
    in.urgency = NULL;
    expect_compute_error(f->policy, &in, "urgency", "unknown urgency");
    in.urgency = "normal";
    in.currency = "EUR";
    expect_compute_error(f->policy, &in, "currency", "lifetime value in EUR");
    in.lifetime_value_minor = 0; /* a different currency is refused even for 0 */
    expect_compute_error(f->policy, &in, "currency", "policy's bands are in USD");
    in.currency = "usd";
    expect_compute_error(f->policy, &in, "currency", "lifetime value in usd");
    in.currency = NULL;
    in.lifetime_value_minor = 1;
    expect_compute_error(f->policy, &in, "currency", "needs its currency");
    in.currency = "";
    expect_compute_error(f->policy, &in, "currency", "needs its currency");
    in.lifetime_value_minor = 0;
    assert_int_equal(plaint_severity_compute(&r, f->policy, &in, NULL), 0);
    assert_int_equal(plaint_severity_compute(&r, f->policy, NULL, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_severity_compute(NULL, f->policy, &in, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_severity_compute(&r, NULL, &in, NULL), PLAINT_EINVALID);
    /* an incomplete policy is refused */
    assert_int_equal(plaint_severity_policy_new(&empty, NULL), 0);
    expect_compute_error(empty, &in, "currency", "no currency");
    plaint_severity_policy_free(empty);
}

static void expect_builder_error(int rc, const plaint_error *err, int code, const char *want)
{
    assert_int_equal(rc, code);
    assert_int_equal(err->code, code);
    if (strstr(err->message, want) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err->message, want);
    }
}

static void test_builder_errors(void **state)
{
    plaint_severity_policy *p = NULL;
    plaint_severity_band b = {1, 100, 0};
    plaint_error err;
    char long_name[PLAINT_SEVERITY_CATEGORY_MAX + 2];
    int i;

    (void)state;
    assert_int_equal(plaint_severity_policy_new(&p, NULL), 0);
    expect_builder_error(plaint_severity_set_currency(p, "usd", &err), &err, PLAINT_EINVALID,
                         "three upper-case letters");
    expect_builder_error(plaint_severity_set_currency(p, "USDX", &err), &err, PLAINT_EINVALID,
                         "three upper-case letters");
    assert_int_equal(plaint_severity_add_category(p, "Mortgage", 25, NULL), 0);
    expect_builder_error(plaint_severity_add_category(p, "Mortgage", 20, &err), &err,
                         PLAINT_EINVALID, "category \"Mortgage\" is declared twice");
    expect_builder_error(plaint_severity_add_category(p, "X", 101, &err), &err, PLAINT_EINVALID,
                         "points must be from -100 to 100, not 101");
    expect_builder_error(plaint_severity_add_category(p, "X", -101, &err), &err, PLAINT_EINVALID,
                         "not -101");
    expect_builder_error(plaint_severity_add_category(p, " X", 1, &err), &err, PLAINT_EINVALID,
                         "a category name");
    expect_builder_error(plaint_severity_add_category(p, "X\n", 1, &err), &err, PLAINT_EINVALID,
                         "a category name");
    expect_builder_error(plaint_severity_add_category(p, "", 1, &err), &err, PLAINT_EINVALID,
                         "a category name");
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    expect_builder_error(plaint_severity_add_category(p, long_name, 1, &err), &err, PLAINT_EINVALID,
                         "a category name");
    long_name[PLAINT_SEVERITY_CATEGORY_MAX] = '\0'; /* exactly the limit */
    assert_int_equal(plaint_severity_add_category(p, long_name, 1, NULL), 0);

    /* bands: increasing bounds, nothing after the unbounded band */
    assert_int_equal(plaint_severity_add_band(p, &b, NULL), 0);
    expect_builder_error(plaint_severity_add_band(p, &b, &err), &err, PLAINT_EINVALID,
                         "100 is not above the previous band's 100");
    b.up_to_minor = 50;
    expect_builder_error(plaint_severity_add_band(p, &b, &err), &err, PLAINT_EINVALID,
                         "increasing order");
    b.bounded = 0;
    assert_int_equal(plaint_severity_add_band(p, &b, NULL), 0);
    b.bounded = 1;
    b.up_to_minor = 1000;
    expect_builder_error(plaint_severity_add_band(p, &b, &err), &err, PLAINT_EINVALID,
                         "follows the unbounded band");
    b.bounded = 0;
    expect_builder_error(plaint_severity_add_band(p, &b, &err), &err, PLAINT_EINVALID,
                         "follows the unbounded band");

    expect_builder_error(plaint_severity_set_urgency(p, "urgent", 1, &err), &err, PLAINT_EINVALID,
                         "low, normal, high or critical");
    assert_int_equal(plaint_severity_set_urgency(p, "low", 1, NULL), 0);
    expect_builder_error(plaint_severity_set_urgency(p, "low", 1, &err), &err, PLAINT_EINVALID,
                         "urgency low is given twice");
    expect_builder_error(plaint_severity_add_public_channel(p, "Social", &err), &err,
                         PLAINT_EINVALID, "a channel name");
    assert_int_equal(plaint_severity_add_public_channel(p, "social", NULL), 0);
    expect_builder_error(plaint_severity_add_public_channel(p, "social", &err), &err,
                         PLAINT_EINVALID, "public channel social is listed twice");
    expect_builder_error(plaint_severity_set_thresholds(p, 0, 50, 70, &err), &err, PLAINT_EINVALID,
                         "rise strictly");
    expect_builder_error(plaint_severity_set_thresholds(p, 50, 50, 70, &err), &err, PLAINT_EINVALID,
                         "rise strictly");
    expect_builder_error(plaint_severity_set_thresholds(p, 30, 80, 70, &err), &err, PLAINT_EINVALID,
                         "rise strictly");
    expect_builder_error(plaint_severity_set_thresholds(p, 30, 50, 101, &err), &err,
                         PLAINT_EINVALID, "rise strictly");
    assert_int_equal(plaint_severity_set_thresholds(p, 1, 2, 100, NULL), 0);

    /* check names what is missing */
    expect_builder_error(plaint_severity_policy_check(p, &err), &err, PLAINT_EINVALID,
                         "no currency");
    assert_int_equal(plaint_severity_set_currency(p, "USD", NULL), 0);
    expect_builder_error(plaint_severity_policy_check(p, &err), &err, PLAINT_EINVALID,
                         "no points for urgency normal");
    assert_int_equal(plaint_severity_set_urgency(p, "normal", 1, NULL), 0);
    assert_int_equal(plaint_severity_set_urgency(p, "high", 1, NULL), 0);
    assert_int_equal(plaint_severity_set_urgency(p, "critical", 1, NULL), 0);
    assert_int_equal(plaint_severity_policy_check(p, NULL), 0);

    /* the category limit */
    for (i = 2; i < PLAINT_SEVERITY_MAX_CATEGORIES; i++) {
        char name[16];
        snprintf(name, sizeof(name), "c%d", i);
        assert_int_equal(plaint_severity_add_category(p, name, 1, NULL), 0);
    }
    assert_int_equal(plaint_severity_count_categories(p), PLAINT_SEVERITY_MAX_CATEGORIES);
    expect_builder_error(plaint_severity_add_category(p, "one more", 1, &err), &err, PLAINT_ERANGE,
                         "at most 256 categories");
    plaint_severity_policy_free(p);

    /* a policy whose last band is bounded is incomplete */
    assert_int_equal(plaint_severity_policy_new(&p, NULL), 0);
    b.bounded = 1;
    assert_int_equal(plaint_severity_add_band(p, &b, NULL), 0);
    assert_int_equal(plaint_severity_set_currency(p, "USD", NULL), 0);
    expect_builder_error(plaint_severity_policy_check(p, &err), &err, PLAINT_EINVALID,
                         "must be unbounded");
    plaint_severity_policy_free(p);
    plaint_severity_policy_free(NULL);
}

static void test_level_names(void **state)
{
    plaint_severity_level l;
    plaint_error err;
    int i;

    (void)state;
    for (i = 0; i < PLAINT_SEVERITY_LEVELS; i++) {
        const char *name = plaint_severity_level_name((plaint_severity_level)i);
        assert_non_null(name);
        assert_int_equal(plaint_severity_level_parse(&l, name, NULL), 0);
        assert_int_equal((int)l, i);
    }
    assert_string_equal(plaint_severity_level_name(PLAINT_SEVERITY_HIGH), "high");
    assert_null(plaint_severity_level_name((plaint_severity_level)4));
    assert_int_equal(plaint_severity_level_parse(&l, "High", &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "level");
    assert_int_equal(plaint_severity_level_parse(&l, NULL, &err), PLAINT_EINVALID);
    assert_true(PLAINT_SEVERITY_LOW < PLAINT_SEVERITY_MEDIUM &&
                PLAINT_SEVERITY_MEDIUM < PLAINT_SEVERITY_HIGH &&
                PLAINT_SEVERITY_HIGH < PLAINT_SEVERITY_CRITICAL);
}

/* plaint_policy_load_severity reduced to its outcome (see unit_policy_load_fn). */
static int load_severity(int *loaded, const char *path, const char *xsd, plaint_error *err)
{
    plaint_severity_policy *p = NULL;
    int rc = plaint_policy_load_severity(&p, NULL, path, xsd, err);

    *loaded = p != NULL;
    plaint_severity_policy_free(p);
    return rc;
}

/* Loads text as a policy and expects code with want in the message, which names the file and
 * line first, and err.line == line. */
static void expect_refused(const fixture *f, const char *name, const char *text, int code,
                           const char *want, unsigned long line)
{
    unit_policy_expect_refused(&f->files, load_severity, name, text, code, want, line);
}

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define OPEN "<policy xmlns=\"urn:plaint:severity:1\" version=\"1\">\n"
/* lines 3..5 */
#define CATS                                                                                       \
    "  <categories default-points=\"5\">\n"                                                        \
    "    <category name=\"Mortgage\" points=\"30\"/>\n"                                            \
    "  </categories>\n"
/* lines 6..9 */
#define BANDS                                                                                      \
    "  <lifetime-value currency=\"EUR\">\n"                                                        \
    "    <band up-to=\"100\" points=\"0\"/>\n"                                                     \
    "    <band points=\"10\"/>\n"                                                                  \
    "  </lifetime-value>\n"
/* lines 10..13 */
#define REST                                                                                       \
    "  <urgency low=\"0\" normal=\"10\" high=\"20\" critical=\"30\"/>\n"                           \
    "  <exposure points=\"7\"/>\n"                                                                 \
    "  <levels medium=\"20\" high=\"40\" critical=\"60\"/>\n"                                      \
    "</policy>\n"

static void test_load_minimal_and_digest(void **state)
{
    static const char text[] = HEAD OPEN CATS BANDS REST;
    const fixture *f = *state;
    char path[4096];
    unsigned char h[PLAINT_HASH_LEN];
    unsigned char want[PLAINT_HASH_LEN];
    plaint_severity_policy *p = NULL;

    unit_policy_write(path, sizeof(path), &f->files, "minimal.xml", text);
    assert_int_equal(plaint_policy_load_severity(&p, h, path, f->files.xsd, NULL), 0);
    assert_int_equal(plaint_sha256_digest(want, text, strlen(text), NULL), 0);
    assert_memory_equal(h, want, PLAINT_HASH_LEN);
    assert_string_equal(plaint_severity_currency(p), "EUR");
    assert_int_equal(plaint_severity_count_bands(p), 2);
    assert_int_equal(plaint_severity_get_band(p, 0)->up_to_minor, 100);
    assert_false(plaint_severity_get_band(p, 1)->bounded);
    assert_null(plaint_severity_get_band(p, 2));
    /* Mortgage 30 + 101 > 100: 10 + high 20 + no public channel: 60 = critical */
    expect_severity(p, "Mortgage", 101, "EUR", "high", "social", 0, 30, 10, 20, 0, 60, "critical");
    /* default 5 + 0 + normal 10 + flag 7 = 22: medium */
    expect_severity(p, "Other", 100, "EUR", "normal", "web", 1, 5, 0, 10, 7, 22, "medium");
    plaint_severity_policy_free(p);
}

static void test_load_semantic_errors(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "duplicate.xml",
                   HEAD OPEN "  <categories default-points=\"5\">\n"
                             "    <category name=\"Mortgage\" points=\"30\"/>\n"
                             "    <category name=\"Mortgage\" points=\"20\"/>\n"
                             "  </categories>\n" BANDS REST,
                   PLAINT_EINVALID, ":5: category \"Mortgage\" is declared twice", 5);
    expect_refused(f, "unsorted.xml",
                   HEAD OPEN CATS "  <lifetime-value currency=\"EUR\">\n"
                                  "    <band up-to=\"100\" points=\"0\"/>\n"
                                  "    <band up-to=\"100\" points=\"5\"/>\n"
                                  "    <band points=\"10\"/>\n"
                                  "  </lifetime-value>\n" REST,
                   PLAINT_EINVALID, ":8: bands must be in increasing order of up-to", 8);
    expect_refused(f, "decreasing.xml",
                   HEAD OPEN CATS "  <lifetime-value currency=\"EUR\">\n"
                                  "    <band up-to=\"100\" points=\"0\"/>\n"
                                  "    <band up-to=\"-5\" points=\"5\"/>\n"
                                  "    <band points=\"10\"/>\n"
                                  "  </lifetime-value>\n" REST,
                   PLAINT_EINVALID, "-5 is not above the previous band's 100", 8);
    expect_refused(f, "after-unbounded.xml",
                   HEAD OPEN CATS "  <lifetime-value currency=\"EUR\">\n"
                                  "    <band points=\"0\"/>\n"
                                  "    <band up-to=\"100\" points=\"10\"/>\n"
                                  "  </lifetime-value>\n" REST,
                   PLAINT_EINVALID, ":8: a band follows the unbounded band", 8);
    expect_refused(f, "bounded-last.xml",
                   HEAD OPEN CATS "  <lifetime-value currency=\"EUR\">\n"
                                  "    <band up-to=\"100\" points=\"0\"/>\n"
                                  "  </lifetime-value>\n" REST,
                   PLAINT_EINVALID, ":6: the last band must have no up-to", 6);
    expect_refused(f, "thresholds.xml",
                   HEAD OPEN CATS BANDS
                   "  <urgency low=\"0\" normal=\"10\" high=\"20\" critical=\"30\"/>\n"
                   "  <exposure points=\"7\"/>\n"
                   "  <levels medium=\"40\" high=\"40\" critical=\"60\"/>\n"
                   "</policy>\n",
                   PLAINT_EINVALID, ":12: level thresholds must rise strictly", 12);
    expect_refused(f, "duplicate-channel.xml",
                   HEAD OPEN CATS BANDS
                   "  <urgency low=\"0\" normal=\"10\" high=\"20\" critical=\"30\"/>\n"
                   "  <exposure points=\"7\">\n"
                   "    <public-channel name=\"social\"/>\n"
                   "    <public-channel name=\"social\"/>\n"
                   "  </exposure>\n"
                   "  <levels medium=\"20\" high=\"40\" critical=\"60\"/>\n"
                   "</policy>\n",
                   PLAINT_EINVALID, ":13: public channel social is listed twice", 13);
}

static void test_load_schema_errors(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "points.xml",
                   HEAD OPEN "  <categories default-points=\"5\">\n"
                             "    <category name=\"Mortgage\" points=\"101\"/>\n"
                             "  </categories>\n" BANDS REST,
                   PLAINT_EINVALID, "attribute 'points'", 4);
    expect_refused(f, "fraction.xml",
                   HEAD OPEN "  <categories default-points=\"5\">\n"
                             "    <category name=\"Mortgage\" points=\"2.5\"/>\n"
                             "  </categories>\n" BANDS REST,
                   PLAINT_EINVALID, "attribute 'points'", 4);
    expect_refused(f, "category-space.xml",
                   HEAD OPEN "  <categories default-points=\"5\">\n"
                             "    <category name=\"Mortgage \" points=\"2\"/>\n"
                             "  </categories>\n" BANDS REST,
                   PLAINT_EINVALID, "attribute 'name'", 4);
    expect_refused(f, "currency.xml",
                   HEAD OPEN CATS "  <lifetime-value currency=\"eur\">\n"
                                  "    <band points=\"10\"/>\n"
                                  "  </lifetime-value>\n" REST,
                   PLAINT_EINVALID, "attribute 'currency'", 6);
    expect_refused(f, "huge-bound.xml",
                   HEAD OPEN CATS "  <lifetime-value currency=\"EUR\">\n"
                                  "    <band up-to=\"9223372036854775808\" points=\"0\"/>\n"
                                  "    <band points=\"10\"/>\n"
                                  "  </lifetime-value>\n" REST,
                   PLAINT_EINVALID, "attribute 'up-to'", 7);
    expect_refused(f, "missing-urgency.xml",
                   HEAD OPEN CATS BANDS "  <urgency low=\"0\" normal=\"10\" high=\"20\"/>\n"
                                        "  <exposure points=\"7\"/>\n"
                                        "  <levels medium=\"20\" high=\"40\" critical=\"60\"/>\n"
                                        "</policy>\n",
                   PLAINT_EINVALID, "The attribute 'critical' is required", 10);
    expect_refused(f, "wrong-namespace.xml",
                   HEAD "<policy xmlns=\"urn:plaint:severity:2\" version=\"1\">\n" CATS BANDS REST,
                   PLAINT_EINVALID, "No matching global declaration", 2);
    expect_refused(
        f, "doctype.xml",
        HEAD
        "<!DOCTYPE policy [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n" OPEN CATS BANDS REST,
        PLAINT_EINVALID, "may not contain a DOCTYPE", 2);
    expect_refused(f, "mismatch.xml", HEAD OPEN CATS "  <lifetime-value>\n</policy>\n",
                   PLAINT_EINVALID, "Opening and ending tag mismatch", 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_worked_examples),
        cmocka_unit_test(test_shipped_names_every_cfpb_product),
        cmocka_unit_test(test_thresholds_and_band_boundaries),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_level_names),
        cmocka_unit_test(test_load_minimal_and_digest),
        cmocka_unit_test(test_load_semantic_errors),
        cmocka_unit_test(test_load_schema_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
