/* Tests of routing (src/core/routing.c) and its policy loader (src/policy/routing_xml.c): the
 * decisions of the shipped policies/routing.xml for a table of complaints, first-match order,
 * minimum levels at their boundary, NULL category or channel, builder errors, and policy files
 * refused naming file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/digest.h"
#include "plaint/routing.h"
#include "unit_helpers.h"

typedef struct fixture {
    plaint_routing_policy *policy; /* the shipped policy */
    unit_policy_files files;
} fixture;

static int setup(void **state)
{
    plaint_error err;
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    unit_policy_files_init(&f->files, "routing");
    plaint_error_init(&err);
    if (plaint_policy_load_routing(&f->policy, NULL, f->files.xml, f->files.xsd, &err) != 0) {
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
    plaint_routing_policy_free(f->policy);
    unit_policy_files_clear(&f->files);
    free(f);
    return 0;
}

static void expect_route(const plaint_routing_policy *p, const char *category, const char *channel,
                         const char *level, const char *rule, const char *team,
                         const char *investigation_role, const char *checklist,
                         size_t checklist_len)
{
    plaint_routing_result r;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_routing_decide(&r, p, category, channel, level, &err) != 0) {
        fail_msg("routing %s: %s", category != NULL ? category : "(null)", err.message);
    }
    if (strcmp(r.rule, rule) != 0 || strcmp(r.team, team) != 0 ||
        strcmp(r.investigation_role, investigation_role) != 0 ||
        strcmp(r.checklist_name, checklist) != 0 || r.checklist_len != checklist_len) {
        fail_msg("%s / %s / %s: got rule %s team %s role %s checklist %s (%zu), want %s %s %s "
                 "%s (%zu)",
                 category != NULL ? category : "(null)", channel != NULL ? channel : "(null)",
                 level, r.rule, r.team, r.investigation_role, r.checklist_name, r.checklist_len,
                 rule, team, investigation_role, checklist, checklist_len);
    }
    assert_string_equal(r.tier2_role, "tier2_investigator");
    assert_non_null(r.checklist);
}

static const char CREDIT_REPORTING[] =
    "Credit reporting, credit repair services, or other personal consumer reports";

/* The shipped rules in order: critical (min-level critical), social-media (channel social),
 * credit-reporting, mortgages, lending, collections, banking-payments, default. */
static void test_shipped_decisions(void **state)
{
    const fixture *f = *state;
    const plaint_routing_policy *p = f->policy;

    assert_int_equal(plaint_routing_count_rules(p), 7);
    assert_int_equal(plaint_routing_count_checklists(p), 4);
    /* critical wins over everything after it, whatever the category and channel */
    expect_route(p, "Mortgage", "web", "critical", "critical", "tier2", "tier2_investigator",
                 "standard", 6);
    expect_route(p, "Mortgage", "social", "critical", "critical", "tier2", "tier2_investigator",
                 "standard", 6);
    expect_route(p, NULL, NULL, "critical", "critical", "tier2", "tier2_investigator", "standard",
                 6);
    /* below critical, social comes before the product rules */
    expect_route(p, "Mortgage", "social", "high", "social-media", "social-care", "support_agent",
                 "public", 6);
    expect_route(p, NULL, "social", "low", "social-media", "social-care", "support_agent", "public",
                 6);
    expect_route(p, "Mortgage", "web", "high", "mortgages", "mortgages", "support_agent", "lending",
                 7);
    expect_route(p, CREDIT_REPORTING, "web", "medium", "credit-reporting", "credit-reporting",
                 "support_agent", "credit-report", 6);
    expect_route(p, "Credit reporting or other personal consumer reports", "phone", "low",
                 "credit-reporting", "credit-reporting", "support_agent", "credit-report", 6);
    expect_route(p, "Debt collection", "web", "medium", "collections", "collections",
                 "support_agent", "lending", 7);
    expect_route(p, "Payday loan", "post", "low", "lending", "lending", "support_agent", "lending",
                 7);
    expect_route(p, "Student loan", "email", "high", "lending", "lending", "support_agent",
                 "lending", 7);
    expect_route(p, "Credit card", "email", "medium", "banking-payments", "banking-payments",
                 "support_agent", "standard", 6);
    expect_route(p, "Money transfer, virtual currency, or money service", "chat", "low",
                 "banking-payments", "banking-payments", "support_agent", "standard", 6);
    /* no rule matches: the default */
    expect_route(p, "Unicorn insurance", "web", "high", "default", "complaints", "support_agent",
                 "standard", 6);
    expect_route(p, "mortgage", "web", "high", "default", "complaints", "support_agent", "standard",
                 6); /* exact, case-sensitive names */
    expect_route(p, NULL, NULL, "low", "default", "complaints", "support_agent", "standard", 6);
}

static void test_shipped_checklist(void **state)
{
    static const struct {
        const char *id;
        int mandatory;
    } want[] = {
        {"verify-identity", 1},      {"review-transactions", 1}, {"contact-customer", 1},
        {"determine-root-cause", 1}, {"assess-redress", 1},      {"check-vulnerability", 0},
    };
    const fixture *f = *state;
    plaint_routing_result r;
    size_t n = 0;
    size_t i;

    assert_int_equal(plaint_routing_decide(&r, f->policy, "Credit card", "web", "low", NULL), 0);
    assert_int_equal(r.checklist_len, sizeof(want) / sizeof(want[0]));
    for (i = 0; i < r.checklist_len; i++) {
        assert_string_equal(r.checklist[i].id, want[i].id);
        assert_int_equal(r.checklist[i].mandatory, want[i].mandatory);
    }
    assert_string_equal(r.checklist[0].text, "Verify the customer's identity");
    assert_ptr_equal(plaint_routing_checklist(f->policy, "standard", &n), r.checklist);
    assert_int_equal(n, r.checklist_len);
    assert_null(plaint_routing_checklist(f->policy, "nope", &n));
    assert_int_equal(n, 0);
}

/* A policy through the API: checklist "c" (one mandatory item), rules "high-web" (channel web,
 * min-level high), "cat-a" (categories A and B), default "d". */
static plaint_routing_policy *build(void)
{
    static const char *const web[] = {"web"};
    static const char *const ab[] = {"A", "B"};
    const plaint_checklist_item item = {"x", "Do x", 1};
    plaint_routing_rule r = {"high-web",           NULL, 0, web, 1, "high", "t1", "support_agent",
                             "tier2_investigator", "c"};
    plaint_routing_policy *p = NULL;

    assert_int_equal(plaint_routing_policy_new(&p, NULL), 0);
    assert_int_equal(plaint_routing_add_checklist(p, "c", NULL), 0);
    assert_int_equal(plaint_routing_add_item(p, "c", &item, NULL), 0);
    assert_int_equal(plaint_routing_add_rule(p, &r, NULL), 0);
    r.name = "cat-a";
    r.channels = NULL;
    r.nchannels = 0;
    r.categories = ab;
    r.ncategories = 2;
    r.min_level = NULL;
    r.team = "t2";
    assert_int_equal(plaint_routing_add_rule(p, &r, NULL), 0);
    r.name = "d";
    r.categories = NULL;
    r.ncategories = 0;
    r.team = "t0";
    assert_int_equal(plaint_routing_set_default(p, &r, NULL), 0);
    assert_int_equal(plaint_routing_policy_check(p, NULL), 0);
    return p;
}

static void expect_rule(const plaint_routing_policy *p, const char *category, const char *channel,
                        const char *level, const char *rule)
{
    plaint_routing_result r;

    assert_int_equal(plaint_routing_decide(&r, p, category, channel, level, NULL), 0);
    if (strcmp(r.rule, rule) != 0) {
        fail_msg("%s / %s / %s: rule %s, want %s", category != NULL ? category : "(null)",
                 channel != NULL ? channel : "(null)", level, r.rule, rule);
    }
}

static void test_min_level_and_first_match(void **state)
{
    plaint_routing_policy *p = build();

    (void)state;
    /* min-level high: medium is below, high and critical are at least high */
    expect_rule(p, "Z", "web", "low", "d");
    expect_rule(p, "Z", "web", "medium", "d");
    expect_rule(p, "Z", "web", "high", "high-web");
    expect_rule(p, "Z", "web", "critical", "high-web");
    /* first match: A on web at high takes the first rule, at medium the second */
    expect_rule(p, "A", "web", "high", "high-web");
    expect_rule(p, "A", "web", "medium", "cat-a");
    expect_rule(p, "B", "email", "low", "cat-a");
    /* an unknown channel or category matches only rules without that condition */
    expect_rule(p, "A", NULL, "critical", "cat-a");
    expect_rule(p, NULL, "web", "critical", "high-web");
    expect_rule(p, NULL, NULL, "critical", "d");
    expect_rule(p, "a", "Web", "critical", "d");
    plaint_routing_policy_free(p);
}

static void test_decide_errors(void **state)
{
    plaint_routing_policy *p = build();
    plaint_routing_policy *empty = NULL;
    plaint_routing_result r;
    plaint_error err;

    (void)state;
    memset(&r, 0x5a, sizeof(r));
    assert_int_equal(plaint_routing_decide(&r, p, "A", "web", "urgent", &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "level");
    assert_non_null(strstr(err.message, "unknown severity level \"urgent\""));
    assert_null(r.rule);
    assert_null(r.checklist);
    assert_int_equal(plaint_routing_decide(&r, p, "A", "web", NULL, &err), PLAINT_EINVALID);
    assert_int_equal(plaint_routing_decide(&r, p, "A", "web", "High", &err), PLAINT_EINVALID);
    assert_int_equal(plaint_routing_decide(NULL, p, "A", "web", "high", &err), PLAINT_EINVALID);
    assert_int_equal(plaint_routing_decide(&r, NULL, "A", "web", "high", &err), PLAINT_EINVALID);
    /* no default yet */
    assert_int_equal(plaint_routing_policy_new(&empty, NULL), 0);
    assert_int_equal(plaint_routing_decide(&r, empty, "A", "web", "high", &err), PLAINT_EINVALID);
    assert_non_null(strstr(err.message, "no default rule"));
    plaint_routing_policy_free(empty);
    plaint_routing_policy_free(p);
}

static void expect_error(int rc, const plaint_error *err, int code, const char *want)
{
    assert_int_equal(rc, code);
    if (strstr(err->message, want) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err->message, want);
    }
}

static void test_builder_errors(void **state)
{
    static const char *const dup[] = {"A", "A"};
    static const char *const bad_channel[] = {"Web"};
    static const char *const bad_category[] = {"A "};
    plaint_routing_policy *p = build();
    plaint_checklist_item item = {"x", "Again", 0};
    plaint_routing_rule r = {"n", NULL, 0, NULL, 0, NULL, "t", "support_agent", "tier2", "c"};
    plaint_error err;
    int i;

    (void)state;
    expect_error(plaint_routing_add_checklist(p, "c", &err), &err, PLAINT_EINVALID,
                 "checklist c is declared twice");
    expect_error(plaint_routing_add_checklist(p, "C", &err), &err, PLAINT_EINVALID,
                 "name must be 1 to 63 characters");
    expect_error(plaint_routing_add_item(p, "c", &item, &err), &err, PLAINT_EINVALID,
                 "checklist c: item x is declared twice");
    expect_error(plaint_routing_add_item(p, "zz", &item, &err), &err, PLAINT_EINVALID,
                 "no checklist zz");
    item.id = "y";
    item.text = "";
    expect_error(plaint_routing_add_item(p, "c", &item, &err), &err, PLAINT_EINVALID,
                 "item y: the text is 1 to 200 bytes");
    item.text = "line\nbreak";
    expect_error(plaint_routing_add_item(p, "c", &item, &err), &err, PLAINT_EINVALID,
                 "item y: the text");

    r.checklist = "nope";
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule n: unknown checklist nope");
    assert_string_equal(err.field, "checklist");
    r.checklist = "c";
    r.name = "d"; /* the default's name */
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule d is declared twice");
    r.name = "cat-a";
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule cat-a is declared twice");
    r.name = "n";
    r.team = "Team";
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID, "team must be");
    r.team = "t";
    r.investigation_role = NULL;
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "investigation-role must be");
    r.investigation_role = "support_agent";
    r.min_level = "severe";
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "unknown severity level \"severe\"");
    r.min_level = NULL;
    r.categories = dup;
    r.ncategories = 2;
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule n: category \"A\" is listed twice");
    r.categories = bad_category;
    r.ncategories = 1;
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "a category is 1 to 255 bytes");
    r.categories = NULL;
    r.ncategories = 0;
    r.channels = bad_channel;
    r.nchannels = 1;
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_EINVALID, "channel must be");
    r.channels = NULL;
    r.nchannels = 0;
    expect_error(plaint_routing_set_default(p, &r, &err), &err, PLAINT_EINVALID,
                 "the default rule is given twice");
    /* a refused rule leaves the policy as it was */
    assert_int_equal(plaint_routing_count_rules(p), 2);
    expect_rule(p, "A", "web", "high", "high-web");

    /* the rule limit: 127 besides the default */
    for (i = 2; i < PLAINT_ROUTING_MAX_RULES - 1; i++) {
        char name[16];
        snprintf(name, sizeof(name), "r%d", i);
        r.name = name;
        assert_int_equal(plaint_routing_add_rule(p, &r, NULL), 0);
    }
    r.name = "last";
    expect_error(plaint_routing_add_rule(p, &r, &err), &err, PLAINT_ERANGE,
                 "at most 127 routing rules");
    plaint_routing_policy_free(p);

    /* a default with conditions; a checklist without a mandatory item */
    assert_int_equal(plaint_routing_policy_new(&p, NULL), 0);
    assert_int_equal(plaint_routing_add_checklist(p, "c", NULL), 0);
    item.text = "Optional";
    assert_int_equal(plaint_routing_add_item(p, "c", &item, NULL), 0);
    r.name = "d";
    r.min_level = "low";
    expect_error(plaint_routing_set_default(p, &r, &err), &err, PLAINT_EINVALID,
                 "the default rule d has conditions");
    r.min_level = NULL;
    assert_int_equal(plaint_routing_set_default(p, &r, NULL), 0);
    expect_error(plaint_routing_policy_check(p, &err), &err, PLAINT_EINVALID,
                 "checklist c has no mandatory item");
    plaint_routing_policy_free(p);
    plaint_routing_policy_free(NULL);
}

/* plaint_policy_load_routing reduced to its outcome (see unit_policy_load_fn). */
static int load_routing(int *loaded, const char *path, const char *xsd, plaint_error *err)
{
    plaint_routing_policy *p = NULL;
    int rc = plaint_policy_load_routing(&p, NULL, path, xsd, err);

    *loaded = p != NULL;
    plaint_routing_policy_free(p);
    return rc;
}

/* Loads text as a policy and expects code with want in the message, which names the file and
 * line first, and err.line == line. */
static void expect_refused(const fixture *f, const char *name, const char *text, int code,
                           const char *want, unsigned long line)
{
    unit_policy_expect_refused(&f->files, load_routing, name, text, code, want, line);
}

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define OPEN "<policy xmlns=\"urn:plaint:routing:1\" version=\"1\">\n"
/* lines 3..8 */
#define CHECKLISTS                                                                                 \
    "  <checklists>\n"                                                                             \
    "    <checklist name=\"c\">\n"                                                                 \
    "      <item id=\"a\" text=\"Do a\"/>\n"                                                       \
    "      <item id=\"b\" text=\"Maybe b\" mandatory=\"false\"/>\n"                                \
    "    </checklist>\n"                                                                           \
    "  </checklists>\n"
#define OUTCOME "team=\"t\" investigation-role=\"ia\" tier2-role=\"tb\" checklist=\"c\""
#define DEFAULT "    <default name=\"d\" " OUTCOME "/>\n"

static void test_load_minimal_and_digest(void **state)
{
    static const char text[] = HEAD OPEN CHECKLISTS
        "  <rules>\n"
        "    <rule name=\"r\" min-level=\"medium\" " OUTCOME ">\n"
        "      <category name=\"Payday loan, title loan, or personal loan\"/>\n"
        "      <channel name=\"web\"/>\n"
        "      <channel name=\"chat\"/>\n"
        "    </rule>\n" DEFAULT "  </rules>\n"
        "</policy>\n";
    const fixture *f = *state;
    char path[4096];
    unsigned char h[PLAINT_HASH_LEN];
    unsigned char want[PLAINT_HASH_LEN];
    plaint_routing_policy *p = NULL;
    plaint_routing_result r;

    unit_policy_write(path, sizeof(path), &f->files, "minimal.xml", text);
    assert_int_equal(plaint_policy_load_routing(&p, h, path, f->files.xsd, NULL), 0);
    assert_int_equal(plaint_sha256_digest(want, text, strlen(text), NULL), 0);
    assert_memory_equal(h, want, PLAINT_HASH_LEN);
    assert_int_equal(plaint_routing_decide(&r, p, "Payday loan, title loan, or personal loan",
                                           "chat", "medium", NULL),
                     0);
    assert_string_equal(r.rule, "r");
    assert_string_equal(r.investigation_role, "ia");
    assert_string_equal(r.tier2_role, "tb");
    assert_int_equal(r.checklist_len, 2);
    assert_int_equal(r.checklist[0].mandatory, 1);
    assert_int_equal(r.checklist[1].mandatory, 0);
    assert_string_equal(r.checklist[1].text, "Maybe b");
    assert_int_equal(plaint_routing_decide(&r, p, "Payday loan, title loan, or personal loan",
                                           "phone", "medium", NULL),
                     0);
    assert_string_equal(r.rule, "d");
    plaint_routing_policy_free(p);
}

static void test_load_semantic_errors(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "unknown-checklist.xml",
                   HEAD OPEN CHECKLISTS
                   "  <rules>\n"
                   "    <rule name=\"r\" team=\"t\" investigation-role=\"ia\" tier2-role=\"tb\" "
                   "checklist=\"zz\"/>\n" DEFAULT "  </rules>\n"
                   "</policy>\n",
                   PLAINT_EINVALID, ":10: rule r: unknown checklist zz", 10);
    expect_refused(f, "duplicate-rule.xml",
                   HEAD OPEN CHECKLISTS "  <rules>\n"
                                        "    <rule name=\"d\" " OUTCOME "/>\n" DEFAULT
                                        "  </rules>\n"
                                        "</policy>\n",
                   PLAINT_EINVALID, ":11: rule d is declared twice", 11);
    expect_refused(f, "duplicate-category.xml",
                   HEAD OPEN CHECKLISTS "  <rules>\n"
                                        "    <rule name=\"r\" " OUTCOME ">\n"
                                        "      <category name=\"X\"/>\n"
                                        "      <category name=\"X\"/>\n"
                                        "    </rule>\n" DEFAULT "  </rules>\n"
                                        "</policy>\n",
                   PLAINT_EINVALID, ":10: rule r: category \"X\" is listed twice", 10);
    expect_refused(f, "duplicate-item.xml",
                   HEAD OPEN "  <checklists>\n"
                             "    <checklist name=\"c\">\n"
                             "      <item id=\"a\" text=\"Do a\"/>\n"
                             "      <item id=\"a\" text=\"Do a again\"/>\n"
                             "    </checklist>\n"
                             "  </checklists>\n"
                             "  <rules>\n" DEFAULT "  </rules>\n"
                             "</policy>\n",
                   PLAINT_EINVALID, ":6: checklist c: item a is declared twice", 6);
    expect_refused(f, "duplicate-checklist.xml",
                   HEAD OPEN "  <checklists>\n"
                             "    <checklist name=\"c\">\n"
                             "      <item id=\"a\" text=\"Do a\"/>\n"
                             "    </checklist>\n"
                             "    <checklist name=\"c\">\n"
                             "      <item id=\"a\" text=\"Do a\"/>\n"
                             "    </checklist>\n"
                             "  </checklists>\n"
                             "  <rules>\n" DEFAULT "  </rules>\n"
                             "</policy>\n",
                   PLAINT_EINVALID, ":7: checklist c is declared twice", 7);
    expect_refused(f, "no-mandatory.xml",
                   HEAD OPEN "  <checklists>\n"
                             "    <checklist name=\"c\">\n"
                             "      <item id=\"a\" text=\"Do a\" mandatory=\"0\"/>\n"
                             "    </checklist>\n"
                             "  </checklists>\n"
                             "  <rules>\n" DEFAULT "  </rules>\n"
                             "</policy>\n",
                   PLAINT_EINVALID, ":4: checklist c has no mandatory item", 4);
}

static void test_load_schema_errors(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "missing-default.xml",
                   HEAD OPEN CHECKLISTS "  <rules>\n"
                                        "    <rule name=\"r\" " OUTCOME "/>\n"
                                        "  </rules>\n"
                                        "</policy>\n",
                   PLAINT_EINVALID, "Missing child element", 9);
    expect_refused(f, "default-not-last.xml",
                   HEAD OPEN CHECKLISTS "  <rules>\n" DEFAULT "    <rule name=\"r\" " OUTCOME "/>\n"
                                        "  </rules>\n"
                                        "</policy>\n",
                   PLAINT_EINVALID, "This element is not expected", 11);
    expect_refused(f, "default-with-level.xml",
                   HEAD OPEN CHECKLISTS "  <rules>\n"
                                        "    <default name=\"d\" min-level=\"low\" " OUTCOME "/>\n"
                                        "  </rules>\n"
                                        "</policy>\n",
                   PLAINT_EINVALID, "The attribute 'min-level' is not allowed", 10);
    expect_refused(f, "bad-level.xml",
                   HEAD OPEN CHECKLISTS "  <rules>\n"
                                        "    <rule name=\"r\" min-level=\"severe\" " OUTCOME
                                        "/>\n" DEFAULT "  </rules>\n"
                                        "</policy>\n",
                   PLAINT_EINVALID, "attribute 'min-level'", 10);
    expect_refused(f, "empty-checklist.xml",
                   HEAD OPEN "  <checklists>\n"
                             "    <checklist name=\"c\"/>\n"
                             "  </checklists>\n"
                             "  <rules>\n" DEFAULT "  </rules>\n"
                             "</policy>\n",
                   PLAINT_EINVALID, "Missing child element", 4);
    expect_refused(f, "doctype.xml",
                   HEAD "<!DOCTYPE policy [ <!ENTITY l \"lol\"> ]>\n" OPEN CHECKLISTS
                        "  <rules>\n" DEFAULT "  </rules>\n"
                        "</policy>\n",
                   PLAINT_EINVALID, "may not contain a DOCTYPE", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_decisions),
        cmocka_unit_test(test_shipped_checklist),
        cmocka_unit_test(test_min_level_and_first_match),
        cmocka_unit_test(test_decide_errors),
        cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_load_minimal_and_digest),
        cmocka_unit_test(test_load_semantic_errors),
        cmocka_unit_test(test_load_schema_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
