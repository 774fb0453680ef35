/* Tests of escalation (src/core/escalation.c) and its policy loader
 * (src/policy/escalation_xml.c): the decisions of the shipped policies/escalation.xml for a
 * table of cases (matched rules and highest target worked out by hand), every kind of condition
 * at its boundary, the path order, fact and builder errors, and policy files refused naming
 * file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/digest.h"
#include "plaint/escalation.h"
#include "unit_helpers.h"

typedef struct fixture {
    plaint_escalation_policy *policy; /* the shipped policy */
    unit_policy_files files;
} fixture;

static int setup(void **state)
{
    plaint_error err;
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    unit_policy_files_init(&f->files, "escalation");
    plaint_error_init(&err);
    if (plaint_policy_load_escalation(&f->policy, NULL, f->files.xml, f->files.xsd, &err) != 0) {
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
    plaint_escalation_policy_free(f->policy);
    unit_policy_files_clear(&f->files);
    free(f);
    return 0;
}

/* Decides and compares with the expected target (NULL: no escalation) and the expected rule
 * names, given as one space-separated string in policy order ("" for none). */
static void expect_decision(const plaint_escalation_policy *p, const plaint_escalation_facts *facts,
                            const char *target, const char *rules)
{
    plaint_escalation_decision d;
    plaint_error err;
    char got[1024];
    size_t len = 0;
    size_t i;

    plaint_error_init(&err);
    if (plaint_escalation_decide(&d, p, facts, &err) != 0) {
        fail_msg("decide: %s", err.message);
    }
    got[0] = '\0';
    for (i = 0; i < d.nrules; i++) {
        int n = snprintf(got + len, sizeof(got) - len, "%s%s", i > 0 ? " " : "", d.rules[i]);
        assert_true(n > 0 && (size_t)n < sizeof(got) - len);
        len += (size_t)n;
    }
    if (strcmp(got, rules) != 0) {
        fail_msg("rules \"%s\", want \"%s\"", got, rules);
    }
    if (target == NULL) {
        assert_int_equal(d.escalate, 0);
        assert_null(d.target);
    } else {
        assert_int_equal(d.escalate, 1);
        assert_non_null(d.target);
        if (strcmp(d.target, target) != 0) {
            fail_msg("target %s, want %s (rules %s)", d.target, target, got);
        }
    }
}

/* Facts: level, score, breached timer, tier, category, channel, recent complaints. */
static plaint_escalation_facts facts(const char *level, int score, const char *timer,
                                     const char *tier, const char *category, const char *channel,
                                     int recent)
{
    plaint_escalation_facts f;

    f.severity_level = level;
    f.severity_score = score;
    f.breached_timer = timer;
    f.customer_tier = tier;
    f.category = category;
    f.channel = channel;
    f.recent_complaints = recent;
    return f;
}

/* The shipped rules, in order, with their targets (path tier2 < management < special_handling):
 *   high-severity          level >= high                          tier2
 *   critical-severity      level >= critical                      management
 *   first-response-breach  first_response breached                tier2
 *   resolution-breach      summary_resolution or final_response   management
 *   key-customer           tier gold or platinum                  tier2
 *   regulated              regulated category and level >= medium tier2
 *   regulated-serious      regulated category and score >= 60     management
 *   public                 public channel (social)                tier2
 *   public-serious         public channel and level >= high       special_handling
 *   repeat-complaint       >= 3 complaints in 30 days             management */
static void test_shipped_decisions(void **state)
{
    const fixture *f = *state;
    const plaint_escalation_policy *p = f->policy;
    plaint_escalation_facts x;

    assert_int_equal(plaint_escalation_count_rules(p), 10);
    assert_int_equal(plaint_escalation_repeat_window_days(p), 30);
    /* an ordinary complaint stays where it is */
    x = facts("low", 10, NULL, NULL, "Credit card", "web", 1);
    expect_decision(p, &x, NULL, "");
    x = facts("medium", 49, NULL, "silver", "Credit card", "web", 2);
    expect_decision(p, &x, NULL, "");
    /* severity */
    x = facts("high", 55, NULL, "silver", "Credit card", "web", 1);
    expect_decision(p, &x, "tier2", "high-severity");
    x = facts("critical", 85, NULL, NULL, "Credit card", "web", 1);
    expect_decision(p, &x, "management", "high-severity critical-severity");
    /* SLA breaches: which timer matters */
    x = facts("medium", 45, "first_response", NULL, "Credit card", "web", 1);
    expect_decision(p, &x, "tier2", "first-response-breach");
    x = facts("medium", 45, "summary_resolution", NULL, "Credit card", "web", 1);
    expect_decision(p, &x, "management", "resolution-breach");
    /* the highest target wins: management (resolution-breach) over tier2 (key-customer) */
    x = facts("medium", 45, "final_response", "gold", "Credit card", "web", 1);
    expect_decision(p, &x, "management", "resolution-breach key-customer");
    /* customer tiers are exact names */
    x = facts("low", 5, NULL, "Gold", "Credit card", "web", 1);
    expect_decision(p, &x, NULL, "");
    x = facts("low", 5, NULL, "platinum", NULL, NULL, 1);
    expect_decision(p, &x, "tier2", "key-customer");
    /* regulated category: at medium tier2, from score 60 management; below medium nothing */
    x = facts("low", 29, NULL, NULL, "Mortgage", "web", 1);
    expect_decision(p, &x, NULL, "");
    x = facts("medium", 59, NULL, NULL, "Mortgage", "web", 1);
    expect_decision(p, &x, "tier2", "regulated");
    x = facts("medium", 60, NULL, NULL, "Mortgage", "web", 1);
    expect_decision(p, &x, "management", "regulated regulated-serious");
    x = facts("medium", 60, NULL, NULL, "Mortgage ", "web", 1); /* not the same category */
    expect_decision(p, &x, NULL, "");
    /* public channel: tier2; at high, special handling */
    x = facts("medium", 40, NULL, "platinum", NULL, "social", 2);
    expect_decision(p, &x, "tier2", "key-customer public");
    x = facts("high", 65, NULL, NULL, "Debt collection", "social", 1);
    expect_decision(p, &x, "special_handling",
                    "high-severity regulated regulated-serious public public-serious");
    /* repeat complaints: 3 within the window, this one included */
    x = facts("low", 10, NULL, NULL, NULL, NULL, 2);
    expect_decision(p, &x, NULL, "");
    x = facts("low", 10, NULL, NULL, NULL, NULL, 3);
    expect_decision(p, &x, "management", "repeat-complaint");
    /* everything at once: every rule but first-response-breach */
    x = facts("critical", 100, "summary_resolution", "gold", "Mortgage", "social", 5);
    expect_decision(p, &x, "special_handling",
                    "high-severity critical-severity resolution-breach key-customer regulated "
                    "regulated-serious public public-serious repeat-complaint");
}

static void test_shipped_path(void **state)
{
    const fixture *f = *state;
    const plaint_escalation_policy *p = f->policy;

    assert_int_equal(plaint_escalation_count_targets(p), 3);
    assert_string_equal(plaint_escalation_target_at(p, 0), "tier2");
    assert_string_equal(plaint_escalation_target_at(p, 2), "special_handling");
    assert_null(plaint_escalation_target_at(p, 3));
    assert_int_equal(plaint_escalation_level(p, "tier2"), 0);
    assert_int_equal(plaint_escalation_level(p, "management"), 1);
    assert_int_equal(plaint_escalation_level(p, "special_handling"), 2);
    assert_int_equal(plaint_escalation_level(p, "Management"), -1);
    assert_int_equal(plaint_escalation_level(p, "board"), -1);
    assert_int_equal(plaint_escalation_level(p, NULL), -1);
    assert_int_equal(plaint_escalation_level(NULL, "tier2"), -1);
}

/* A policy through the API: path low < mid < top, window 7 days, regulated "R", public "x". */
static plaint_escalation_policy *build_empty(void)
{
    plaint_escalation_policy *p = NULL;

    assert_int_equal(plaint_escalation_policy_new(&p, NULL), 0);
    assert_int_equal(plaint_escalation_add_target(p, "low", NULL), 0);
    assert_int_equal(plaint_escalation_add_target(p, "mid", NULL), 0);
    assert_int_equal(plaint_escalation_add_target(p, "top", NULL), 0);
    assert_int_equal(plaint_escalation_set_repeat_window(p, 7, NULL), 0);
    assert_int_equal(plaint_escalation_add_regulated_category(p, "R", NULL), 0);
    assert_int_equal(plaint_escalation_add_public_channel(p, "x", NULL), 0);
    return p;
}

static void add(plaint_escalation_policy *p, const plaint_escalation_rule *r)
{
    plaint_error err;

    if (plaint_escalation_add_rule(p, r, &err) != 0) {
        fail_msg("rule %s: %s", r->name, err.message);
    }
}

/* One condition per rule, each at its boundary; a higher target listed first still wins. */
static void test_conditions(void **state)
{
    static const char *const timers[] = {"final_response"};
    static const char *const tiers[] = {"gold"};
    plaint_escalation_policy *p = build_empty();
    plaint_escalation_rule r;
    plaint_escalation_facts x;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.name = "score";
    r.target = "top";
    r.min_score = 80;
    add(p, &r);
    memset(&r, 0, sizeof(r));
    r.name = "any-breach";
    r.target = "low";
    r.sla_breach = 1;
    add(p, &r);
    memset(&r, 0, sizeof(r));
    r.name = "final";
    r.target = "mid";
    r.sla_breach = 1;
    r.timers = timers;
    r.ntimers = 1;
    add(p, &r);
    memset(&r, 0, sizeof(r));
    r.name = "gold";
    r.target = "low";
    r.tiers = tiers;
    r.ntiers = 1;
    add(p, &r);
    memset(&r, 0, sizeof(r));
    r.name = "repeat";
    r.target = "mid";
    r.min_recent = 2;
    add(p, &r);
    memset(&r, 0, sizeof(r));
    r.name = "regulated-public";
    r.target = "mid";
    r.regulated_category = 1;
    r.public_channel = 1;
    add(p, &r);
    memset(&r, 0, sizeof(r));
    r.name = "medium";
    r.target = "low";
    r.min_level = "medium";
    add(p, &r);
    assert_int_equal(plaint_escalation_count_rules(p), 7);
    assert_int_equal(plaint_escalation_repeat_window_days(p), 7);

    x = facts("low", 79, NULL, NULL, NULL, NULL, 1);
    expect_decision(p, &x, NULL, "");
    x = facts("low", 80, NULL, NULL, NULL, NULL, 1);
    expect_decision(p, &x, "top", "score");
    /* "score" (top) comes first, "medium" (low) after: top wins */
    x = facts("medium", 100, NULL, NULL, NULL, NULL, 1);
    expect_decision(p, &x, "top", "score medium");
    /* any timer, or only final_response */
    x = facts("low", 0, "first_response", NULL, NULL, NULL, 1);
    expect_decision(p, &x, "low", "any-breach");
    x = facts("low", 0, "final_response", NULL, NULL, NULL, 1);
    expect_decision(p, &x, "mid", "any-breach final");
    x = facts("low", 0, NULL, "gold", NULL, NULL, 1);
    expect_decision(p, &x, "low", "gold");
    x = facts("low", 0, NULL, NULL, NULL, NULL, 2);
    expect_decision(p, &x, "mid", "repeat");
    x = facts("low", 0, NULL, NULL, NULL, NULL, 0);
    expect_decision(p, &x, NULL, "");
    /* both conditions must hold */
    x = facts("low", 0, NULL, NULL, "R", "web", 1);
    expect_decision(p, &x, NULL, "");
    x = facts("low", 0, NULL, NULL, "Other", "x", 1);
    expect_decision(p, &x, NULL, "");
    x = facts("low", 0, NULL, NULL, "R", "x", 1);
    expect_decision(p, &x, "mid", "regulated-public");
    x = facts("critical", 0, NULL, NULL, NULL, NULL, 1);
    expect_decision(p, &x, "low", "medium");
    plaint_escalation_policy_free(p);
}

static void expect_facts_error(const plaint_escalation_policy *p, const plaint_escalation_facts *x,
                               const char *field, const char *want)
{
    plaint_escalation_decision d;
    plaint_error err;

    memset(&d, 0x5a, sizeof(d));
    plaint_error_init(&err);
    assert_int_equal(plaint_escalation_decide(&d, p, x, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, field);
    if (strstr(err.message, want) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
    }
    assert_int_equal(d.escalate, 0);
    assert_null(d.target);
    assert_int_equal(d.nrules, 0);
}

static void test_fact_errors(void **state)
{
    const fixture *f = *state;
    plaint_escalation_policy *empty = NULL;
    plaint_escalation_decision d;
    plaint_escalation_facts x;

    x = facts("severe", 10, NULL, NULL, NULL, NULL, 1);
    expect_facts_error(f->policy, &x, "level", "unknown severity level \"severe\"");
    x = facts(NULL, 10, NULL, NULL, NULL, NULL, 1);
    expect_facts_error(f->policy, &x, "level", "unknown severity level");
    x = facts("low", 101, NULL, NULL, NULL, NULL, 1);
    expect_facts_error(f->policy, &x, "severity_score", "0 to 100, not 101");
    x = facts("low", -1, NULL, NULL, NULL, NULL, 1);
    expect_facts_error(f->policy, &x, "severity_score", "not -1");
    x = facts("low", 10, "resolution", NULL, NULL, NULL, 1);
    expect_facts_error(f->policy, &x, "breached_timer", "unknown SLA timer \"resolution\"");
    x = facts("low", 10, "", NULL, NULL, NULL, 1);
    expect_facts_error(f->policy, &x, "breached_timer", "unknown SLA timer");
    x = facts("low", 10, NULL, NULL, NULL, NULL, -1);
    expect_facts_error(f->policy, &x, "recent_complaints", "cannot be negative");
    x = facts("low", 10, NULL, NULL, NULL, NULL, 1);
    assert_int_equal(plaint_escalation_decide(NULL, f->policy, &x, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_escalation_decide(&d, f->policy, NULL, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_escalation_decide(&d, NULL, &x, NULL), PLAINT_EINVALID);
    /* an incomplete policy */
    assert_int_equal(plaint_escalation_policy_new(&empty, NULL), 0);
    expect_facts_error(empty, &x, "path", "the escalation path has no target");
    assert_int_equal(plaint_escalation_add_target(empty, "t", NULL), 0);
    expect_facts_error(empty, &x, "days", "no repeat window");
    assert_int_equal(plaint_escalation_repeat_window_days(empty), 0);
    plaint_escalation_policy_free(empty);
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
    static const char *const bad_timers[] = {"final"};
    static const char *const dup_timers[] = {"final_response", "final_response"};
    static const char *const dup_tiers[] = {"gold", "gold"};
    static const char *const bad_tiers[] = {"Gold"};
    plaint_escalation_policy *p = build_empty();
    plaint_escalation_rule r;
    plaint_error err;
    int i;

    (void)state;
    expect_error(plaint_escalation_add_target(p, "mid", &err), &err, PLAINT_EINVALID,
                 "target mid is on the path twice");
    expect_error(plaint_escalation_add_target(p, "Mid", &err), &err, PLAINT_EINVALID,
                 "name must be");
    expect_error(plaint_escalation_add_regulated_category(p, "R", &err), &err, PLAINT_EINVALID,
                 "regulated category \"R\" is listed twice");
    expect_error(plaint_escalation_add_regulated_category(p, "R\t", &err), &err, PLAINT_EINVALID,
                 "a category is");
    expect_error(plaint_escalation_add_public_channel(p, "x", &err), &err, PLAINT_EINVALID,
                 "public channel x is listed twice");
    expect_error(plaint_escalation_set_repeat_window(p, 0, &err), &err, PLAINT_EINVALID,
                 "1 to 3660 days, not 0");
    expect_error(plaint_escalation_set_repeat_window(p, 3661, &err), &err, PLAINT_EINVALID,
                 "not 3661");

    memset(&r, 0, sizeof(r));
    r.name = "r";
    r.target = "low";
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule r has no condition");
    r.public_channel = 1;
    r.target = "board";
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule r: unknown target \"board\"");
    assert_string_equal(err.field, "target");
    r.target = NULL;
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "unknown target \"\"");
    r.target = "low";
    r.min_level = "urgent";
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "unknown severity level \"urgent\"");
    r.min_level = NULL;
    r.min_score = 101;
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "a minimum score is 1 to 100");
    r.min_score = -1;
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID, "a minimum score");
    r.min_score = 0;
    r.min_recent = -1;
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "a repeat condition");
    r.min_recent = 0;
    r.timers = bad_timers;
    r.ntimers = 1;
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule r: unknown SLA timer \"final\"");
    r.timers = dup_timers;
    r.ntimers = 2;
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule r: timer final_response is listed twice");
    r.timers = NULL;
    r.ntimers = 0;
    r.tiers = dup_tiers;
    r.ntiers = 2;
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule r: tier gold is listed twice");
    r.tiers = bad_tiers;
    r.ntiers = 1;
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID, "tier must be");
    r.tiers = NULL;
    r.ntiers = 0;
    assert_int_equal(plaint_escalation_add_rule(p, &r, NULL), 0);
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_EINVALID,
                 "rule r is declared twice");
    /* the rule limit: 16, so a decision can list them all */
    for (i = 1; i < PLAINT_ESCALATION_MAX_RULES; i++) {
        char name[16];
        snprintf(name, sizeof(name), "r%d", i);
        r.name = name;
        assert_int_equal(plaint_escalation_add_rule(p, &r, NULL), 0);
    }
    r.name = "more";
    expect_error(plaint_escalation_add_rule(p, &r, &err), &err, PLAINT_ERANGE,
                 "at most 16 escalation rules");
    {
        /* all 16 match and are listed */
        plaint_escalation_facts x = facts("low", 0, NULL, NULL, NULL, "x", 1);
        plaint_escalation_decision d;
        assert_int_equal(plaint_escalation_decide(&d, p, &x, NULL), 0);
        assert_int_equal(d.nrules, PLAINT_ESCALATION_MAX_RULES);
        assert_string_equal(d.rules[0], "r");
        assert_string_equal(d.rules[15], "r15");
        assert_string_equal(d.target, "low");
    }
    plaint_escalation_policy_free(p);
    plaint_escalation_policy_free(NULL);
}

/* plaint_policy_load_escalation reduced to its outcome (see unit_policy_load_fn). */
static int load_escalation(int *loaded, const char *path, const char *xsd, plaint_error *err)
{
    plaint_escalation_policy *p = NULL;
    int rc = plaint_policy_load_escalation(&p, NULL, path, xsd, err);

    *loaded = p != NULL;
    plaint_escalation_policy_free(p);
    return rc;
}

/* Loads text as a policy and expects code with want in the message, which names the file and
 * line first, and err.line == line. */
static void expect_refused(const fixture *f, const char *name, const char *text, int code,
                           const char *want, unsigned long line)
{
    unit_policy_expect_refused(&f->files, load_escalation, name, text, code, want, line);
}

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define OPEN "<policy xmlns=\"urn:plaint:escalation:1\" version=\"1\">\n"
/* lines 3..11 */
#define PRELUDE                                                                                    \
    "  <path>\n"                                                                                   \
    "    <target name=\"a\"/>\n"                                                                   \
    "    <target name=\"b\"/>\n"                                                                   \
    "  </path>\n"                                                                                  \
    "  <repeat-window days=\"14\"/>\n"                                                             \
    "  <regulated-categories>\n"                                                                   \
    "    <category name=\"Mortgage\"/>\n"                                                          \
    "  </regulated-categories>\n"                                                                  \
    "  <public-channels/>\n"
#define CLOSE "</policy>\n"

static void test_load_minimal_and_digest(void **state)
{
    static const char text[] = HEAD OPEN PRELUDE "  <rules>\n"
                                                 "    <rule name=\"m\" target=\"b\">\n"
                                                 "      <repeat-complaint at-least=\"4\"/>\n"
                                                 "      <regulated-category/>\n"
                                                 "    </rule>\n"
                                                 "    <rule name=\"s\" target=\"a\">\n"
                                                 "      <sla-breach/>\n"
                                                 "    </rule>\n"
                                                 "  </rules>\n" CLOSE;
    const fixture *f = *state;
    char path[4096];
    unsigned char h[PLAINT_HASH_LEN];
    unsigned char want[PLAINT_HASH_LEN];
    plaint_escalation_policy *p = NULL;
    plaint_escalation_facts x;

    unit_policy_write(path, sizeof(path), &f->files, "minimal.xml", text);
    assert_int_equal(plaint_policy_load_escalation(&p, h, path, f->files.xsd, NULL), 0);
    assert_int_equal(plaint_sha256_digest(want, text, strlen(text), NULL), 0);
    assert_memory_equal(h, want, PLAINT_HASH_LEN);
    assert_int_equal(plaint_escalation_repeat_window_days(p), 14);
    assert_int_equal(plaint_escalation_level(p, "b"), 1);
    x = facts("low", 0, NULL, NULL, "Mortgage", NULL, 3);
    expect_decision(p, &x, NULL, "");
    x = facts("low", 0, "summary_resolution", NULL, "Mortgage", NULL, 4);
    expect_decision(p, &x, "b", "m s");
    plaint_escalation_policy_free(p);

    /* no rules at all is a valid policy that never escalates */
    unit_policy_write(path, sizeof(path), &f->files, "no-rules.xml",
                      HEAD OPEN PRELUDE "  <rules/>\n" CLOSE);
    assert_int_equal(plaint_policy_load_escalation(&p, NULL, path, f->files.xsd, NULL), 0);
    x = facts("critical", 100, "final_response", "gold", "Mortgage", "social", 9);
    expect_decision(p, &x, NULL, "");
    plaint_escalation_policy_free(p);
}

static void test_load_semantic_errors(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "unknown-target.xml",
                   HEAD OPEN PRELUDE "  <rules>\n"
                                     "    <rule name=\"r\" target=\"board\">\n"
                                     "      <public-channel/>\n"
                                     "    </rule>\n"
                                     "  </rules>\n" CLOSE,
                   PLAINT_EINVALID, ":13: rule r: unknown target \"board\"", 13);
    expect_refused(f, "no-condition.xml",
                   HEAD OPEN PRELUDE "  <rules>\n"
                                     "    <rule name=\"r\" target=\"a\"/>\n"
                                     "  </rules>\n" CLOSE,
                   PLAINT_EINVALID, ":13: rule r has no condition", 13);
    expect_refused(f, "duplicate-rule.xml",
                   HEAD OPEN PRELUDE "  <rules>\n"
                                     "    <rule name=\"r\" target=\"a\"><public-channel/></rule>\n"
                                     "    <rule name=\"r\" target=\"b\"><public-channel/></rule>\n"
                                     "  </rules>\n" CLOSE,
                   PLAINT_EINVALID, ":14: rule r is declared twice", 14);
    expect_refused(f, "duplicate-target.xml",
                   HEAD OPEN "  <path>\n"
                             "    <target name=\"a\"/>\n"
                             "    <target name=\"a\"/>\n"
                             "  </path>\n"
                             "  <repeat-window days=\"14\"/>\n"
                             "  <regulated-categories/>\n"
                             "  <public-channels/>\n"
                             "  <rules/>\n" CLOSE,
                   PLAINT_EINVALID, ":5: target a is on the path twice", 5);
    expect_refused(f, "duplicate-category.xml",
                   HEAD OPEN "  <path>\n"
                             "    <target name=\"a\"/>\n"
                             "  </path>\n"
                             "  <repeat-window days=\"14\"/>\n"
                             "  <regulated-categories>\n"
                             "    <category name=\"Mortgage\"/>\n"
                             "    <category name=\"Mortgage\"/>\n"
                             "  </regulated-categories>\n"
                             "  <public-channels/>\n"
                             "  <rules/>\n" CLOSE,
                   PLAINT_EINVALID, ":9: regulated category \"Mortgage\" is listed twice", 9);
    expect_refused(f, "duplicate-tier.xml",
                   HEAD OPEN PRELUDE "  <rules>\n"
                                     "    <rule name=\"r\" target=\"a\">\n"
                                     "      <customer-tier>\n"
                                     "        <tier name=\"gold\"/>\n"
                                     "        <tier name=\"gold\"/>\n"
                                     "      </customer-tier>\n"
                                     "    </rule>\n"
                                     "  </rules>\n" CLOSE,
                   PLAINT_EINVALID, ":13: rule r: tier gold is listed twice", 13);
}

static void test_load_schema_errors(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "condition-twice.xml",
                   HEAD OPEN PRELUDE "  <rules>\n"
                                     "    <rule name=\"r\" target=\"a\">\n"
                                     "      <public-channel/>\n"
                                     "      <public-channel/>\n"
                                     "    </rule>\n"
                                     "  </rules>\n" CLOSE,
                   PLAINT_EINVALID, "This element is not expected", 15);
    expect_refused(f, "bad-timer.xml",
                   HEAD OPEN PRELUDE "  <rules>\n"
                                     "    <rule name=\"r\" target=\"a\">\n"
                                     "      <sla-breach><timer name=\"resolution\"/></sla-breach>\n"
                                     "    </rule>\n"
                                     "  </rules>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'name'", 14);
    expect_refused(f, "score-zero.xml",
                   HEAD OPEN PRELUDE "  <rules>\n"
                                     "    <rule name=\"r\" target=\"a\">\n"
                                     "      <severity-score at-least=\"0\"/>\n"
                                     "    </rule>\n"
                                     "  </rules>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'at-least'", 14);
    expect_refused(f, "window.xml",
                   HEAD OPEN "  <path>\n"
                             "    <target name=\"a\"/>\n"
                             "  </path>\n"
                             "  <repeat-window days=\"0\"/>\n"
                             "  <regulated-categories/>\n"
                             "  <public-channels/>\n"
                             "  <rules/>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'days'", 6);
    expect_refused(f, "empty-path.xml",
                   HEAD OPEN "  <path/>\n"
                             "  <repeat-window days=\"1\"/>\n"
                             "  <regulated-categories/>\n"
                             "  <public-channels/>\n"
                             "  <rules/>\n" CLOSE,
                   PLAINT_EINVALID, "Missing child element", 3);
    expect_refused(f, "doctype.xml",
                   HEAD "<!DOCTYPE policy SYSTEM \"http://example.com/p.dtd\">\n" OPEN PRELUDE
                        "  <rules/>\n" CLOSE,
                   PLAINT_EINVALID, "may not contain a DOCTYPE", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_decisions),    cmocka_unit_test(test_shipped_path),
        cmocka_unit_test(test_conditions),           cmocka_unit_test(test_fact_errors),
        cmocka_unit_test(test_builder_errors),       cmocka_unit_test(test_load_minimal_and_digest),
        cmocka_unit_test(test_load_semantic_errors), cmocka_unit_test(test_load_schema_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
