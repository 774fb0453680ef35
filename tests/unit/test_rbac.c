/* Unit tests for access decisions (src/core/rbac.c) on policies built in code: grants and their
 * scope, separation of duties, reasons, builder errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/rbac.h"

/* A small policy in the shape of policies/rbac.xml. */
static int setup(void **state)
{
    static const char *const actions[] = {"complaint.create", "complaint.resolve", "refund.request",
                                          "refund.approve"};
    plaint_rbac_policy *p = NULL;
    size_t i;

    assert_int_equal(plaint_rbac_policy_new(&p, NULL), 0);
    for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        assert_int_equal(plaint_rbac_add_action(p, actions[i], NULL), 0);
    }
    assert_int_equal(plaint_rbac_add_role(p, "intake_agent", NULL), 0);
    assert_int_equal(plaint_rbac_add_role(p, "support_agent", NULL), 0);
    assert_int_equal(plaint_rbac_add_role(p, "tier2_investigator", NULL), 0);
    assert_int_equal(plaint_rbac_add_role(p, "finance_manager", NULL), 0);
    assert_int_equal(
        plaint_rbac_allow(p, "intake_agent", "complaint.create", PLAINT_RBAC_SCOPE_ANY, NULL), 0);
    assert_int_equal(
        plaint_rbac_allow(p, "support_agent", "complaint.resolve", PLAINT_RBAC_SCOPE_OWN, NULL), 0);
    assert_int_equal(
        plaint_rbac_allow(p, "support_agent", "refund.request", PLAINT_RBAC_SCOPE_ANY, NULL), 0);
    assert_int_equal(plaint_rbac_allow(p, "tier2_investigator", "complaint.resolve",
                                       PLAINT_RBAC_SCOPE_ANY, NULL),
                     0);
    assert_int_equal(
        plaint_rbac_allow(p, "finance_manager", "refund.approve", PLAINT_RBAC_SCOPE_ANY, NULL), 0);
    assert_int_equal(
        plaint_rbac_add_separation(p, "refund-four-eyes", "refund.approve", "refund.request", NULL),
        0);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    plaint_rbac_policy_free(*state);
    return 0;
}

/* Decides for user with roles (NULL-terminated list) and asserts the outcome exactly. */
static void expect(const plaint_rbac_policy *p, const char *const *roles,
                   const plaint_rbac_context *ctx, const char *action, int allowed,
                   plaint_rbac_rule rule, const char *rule_name, const char *reason)
{
    plaint_rbac_decision d;
    size_t n = 0;

    while (roles[n] != NULL) {
        n++;
    }
    memset(&d, 0x5a, sizeof(d));
    assert_int_equal(plaint_rbac_decide(&d, p, roles, n, action, ctx, NULL), 0);
    assert_string_equal(d.reason, reason);
    assert_string_equal(d.rule_name, rule_name);
    assert_int_equal(d.rule, rule);
    assert_int_equal(d.allowed, allowed);
}

static void test_four_eyes_requester_cannot_approve(void **state)
{
    const plaint_rbac_policy *p = *state;
    static const char *const both[] = {"support_agent", "finance_manager", NULL};
    static const char *const finance[] = {"finance_manager", NULL};
    const plaint_rbac_fact facts[] = {{"refund.request", "u1"}};
    plaint_rbac_context self = {"u1", NULL, facts, 1};
    plaint_rbac_context other = {"u2", NULL, facts, 1};

    expect(p, both, &self, "refund.approve", 0, PLAINT_RBAC_RULE_SEPARATION, "refund-four-eyes",
           "separation of duties (refund-four-eyes): u1 did refund.request on this object and "
           "may not also refund.approve it");
    expect(p, finance, &other, "refund.approve", 1, PLAINT_RBAC_RULE_GRANT, "finance_manager",
           "role finance_manager may refund.approve");
    /* the same dual-role user approves a refund someone else requested */
    expect(p, both, &other, "refund.approve", 1, PLAINT_RBAC_RULE_GRANT, "finance_manager",
           "role finance_manager may refund.approve");
    /* the rule runs one way: having requested does not stop requesting again */
    expect(p, both, &self, "refund.request", 1, PLAINT_RBAC_RULE_GRANT, "support_agent",
           "role support_agent may refund.request");
}

static void test_four_eyes_ignores_other_facts(void **state)
{
    const plaint_rbac_policy *p = *state;
    static const char *const both[] = {"support_agent", "finance_manager", NULL};
    /* u1 did something else; u2 requested; user ids compare exactly */
    const plaint_rbac_fact facts[] = {
        {"complaint.create", "u1"}, {"refund.request", "u2"}, {"refund.request", "u1 "}};
    plaint_rbac_context ctx = {"u1", NULL, facts, 3};

    expect(p, both, &ctx, "refund.approve", 1, PLAINT_RBAC_RULE_GRANT, "finance_manager",
           "role finance_manager may refund.approve");
}

static void test_unknown_action_denied(void **state)
{
    const plaint_rbac_policy *p = *state;
    static const char *const all[] = {"intake_agent", "support_agent", "tier2_investigator",
                                      "finance_manager", NULL};
    plaint_rbac_context ctx = {"u1", "u1", NULL, 0};

    expect(p, all, &ctx, "refund.teleport", 0, PLAINT_RBAC_RULE_UNKNOWN_ACTION, "",
           "unknown action refund.teleport");
    expect(p, all, &ctx, "", 0, PLAINT_RBAC_RULE_UNKNOWN_ACTION, "", "unknown action ");
}

static void test_roles_union(void **state)
{
    const plaint_rbac_policy *p = *state;
    static const char *const intake[] = {"intake_agent", NULL};
    static const char *const two[] = {"intake_agent", "finance_manager", NULL};
    static const char *const none[] = {NULL};
    static const char *const ghost[] = {"ghost", "intake_agent", NULL};
    plaint_rbac_context ctx = {"u1", NULL, NULL, 0};

    expect(p, intake, &ctx, "refund.approve", 0, PLAINT_RBAC_RULE_NO_GRANT, "",
           "no role of user u1 (intake_agent) grants refund.approve");
    expect(p, two, &ctx, "refund.approve", 1, PLAINT_RBAC_RULE_GRANT, "finance_manager",
           "role finance_manager may refund.approve");
    expect(p, two, &ctx, "complaint.create", 1, PLAINT_RBAC_RULE_GRANT, "intake_agent",
           "role intake_agent may complaint.create");
    expect(p, none, &ctx, "complaint.create", 0, PLAINT_RBAC_RULE_NO_GRANT, "",
           "no role of user u1 (no roles) grants complaint.create");
    /* a role the policy does not know grants nothing, and is named in the reason */
    expect(p, ghost, &ctx, "refund.request", 0, PLAINT_RBAC_RULE_NO_GRANT, "",
           "no role of user u1 (ghost, intake_agent) grants refund.request");
    expect(p, ghost, &ctx, "complaint.create", 1, PLAINT_RBAC_RULE_GRANT, "intake_agent",
           "role intake_agent may complaint.create");
}

static void test_own_scope(void **state)
{
    const plaint_rbac_policy *p = *state;
    static const char *const support[] = {"support_agent", NULL};
    static const char *const both[] = {"support_agent", "tier2_investigator", NULL};
    plaint_rbac_context owner = {"u1", "u1", NULL, 0};
    plaint_rbac_context not_owner = {"u1", "u2", NULL, 0};
    plaint_rbac_context unowned = {"u1", NULL, NULL, 0};

    expect(p, support, &owner, "complaint.resolve", 1, PLAINT_RBAC_RULE_GRANT_OWN, "support_agent",
           "role support_agent may complaint.resolve on own objects, and u1 owns this one");
    expect(p, support, &not_owner, "complaint.resolve", 0, PLAINT_RBAC_RULE_NOT_OWNER,
           "support_agent",
           "role support_agent may complaint.resolve only on own objects, and u1 does not own "
           "this one");
    expect(p, support, &unowned, "complaint.resolve", 0, PLAINT_RBAC_RULE_NOT_OWNER,
           "support_agent",
           "role support_agent may complaint.resolve only on own objects, and u1 does not own "
           "this one");
    /* an any-object grant from another role wins over the own-object one */
    expect(p, both, &not_owner, "complaint.resolve", 1, PLAINT_RBAC_RULE_GRANT,
           "tier2_investigator", "role tier2_investigator may complaint.resolve");
}

static void test_separation_applies_to_own_grants(void **state)
{
    plaint_rbac_policy *p = *state;
    static const char *const support[] = {"support_agent", NULL};
    const plaint_rbac_fact facts[] = {{"complaint.create", "u1"}};
    plaint_rbac_context ctx = {"u1", "u1", facts, 1};

    assert_int_equal(plaint_rbac_add_separation(p, "no-self-resolve", "complaint.resolve",
                                                "complaint.create", NULL),
                     0);
    expect(p, support, &ctx, "complaint.resolve", 0, PLAINT_RBAC_RULE_SEPARATION, "no-self-resolve",
           "separation of duties (no-self-resolve): u1 did complaint.create on this object and "
           "may not also complaint.resolve it");
}

static void test_reason_is_one_line(void **state)
{
    const plaint_rbac_policy *p = *state;
    static const char *const intake[] = {"intake_agent", NULL};
    plaint_rbac_context ctx = {"u\n1\x7f", NULL, NULL, 0};

    expect(p, intake, &ctx, "refund.approve", 0, PLAINT_RBAC_RULE_NO_GRANT, "",
           "no role of user u?1? (intake_agent) grants refund.approve");
}

static void test_long_inputs_truncate_reason(void **state)
{
    const plaint_rbac_policy *p = *state;
    static char user[4096];
    const char *roles[1] = {user};
    plaint_rbac_context ctx = {user, NULL, NULL, 0};
    plaint_rbac_decision d;

    memset(user, 'x', sizeof(user) - 1);
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 1, "refund.approve", &ctx, NULL), 0);
    assert_int_equal(d.allowed, 0);
    assert_int_equal(d.rule, PLAINT_RBAC_RULE_NO_GRANT);
    assert_int_equal(strlen(d.reason), sizeof(d.reason) - 1);
    assert_memory_equal(d.reason, "no role of user xxx", 19);
}

static void test_decide_invalid_arguments(void **state)
{
    const plaint_rbac_policy *p = *state;
    const char *roles[2] = {"finance_manager", NULL};
    const plaint_rbac_fact bad_fact[] = {{"refund.request", NULL}};
    plaint_rbac_context empty_user = {"", NULL, NULL, 0};
    plaint_rbac_context no_user = {NULL, NULL, NULL, 0};
    plaint_rbac_context facts_null = {"u1", NULL, NULL, 1};
    plaint_rbac_context fact_bad = {"u1", NULL, bad_fact, 1};
    plaint_rbac_context ok = {"u1", NULL, NULL, 0};
    plaint_rbac_decision d;
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 1, "refund.approve", NULL, &err),
                     PLAINT_EINVALID);
    assert_int_equal(err.code, PLAINT_EINVALID);
    assert_int_equal(d.allowed, 0);
    assert_int_equal(d.rule, PLAINT_RBAC_RULE_NONE);
    assert_string_equal(d.reason, "invalid access request");
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 1, NULL, &ok, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_rbac_decide(&d, NULL, roles, 1, "refund.approve", &ok, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 1, "refund.approve", &empty_user, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 1, "refund.approve", &no_user, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 1, "refund.approve", &facts_null, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 1, "refund.approve", &fact_bad, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 2, "refund.approve", &ok, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_rbac_decide(&d, p, NULL, 1, "refund.approve", &ok, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(d.allowed, 0);
    /* no roles at all is a valid question with a clear answer */
    assert_int_equal(plaint_rbac_decide(&d, p, NULL, 0, "refund.approve", &ok, NULL), 0);
    assert_int_equal(d.rule, PLAINT_RBAC_RULE_NO_GRANT);
}

/* Asserts that rc is PLAINT_EINVALID with message msg. */
static void expect_invalid(int rc, const plaint_error *err, const char *msg)
{
    assert_int_equal(rc, PLAINT_EINVALID);
    assert_int_equal(err->code, PLAINT_EINVALID);
    assert_string_equal(err->message, msg);
}

static void test_builder_rejects_bad_policies(void **state)
{
    plaint_rbac_policy *p = *state;
    plaint_error err;
    char long_name[PLAINT_RBAC_NAME_MAX + 2];

    plaint_error_init(&err);
    expect_invalid(plaint_rbac_add_action(p, "refund.approve", &err), &err,
                   "action refund.approve is declared twice");
    expect_invalid(plaint_rbac_add_role(p, "support_agent", &err), &err,
                   "role support_agent is declared twice");
    expect_invalid(plaint_rbac_add_role(p, "Support", &err), &err,
                   "role name \"Support\" must be [a-z][a-z0-9._-]*");
    expect_invalid(plaint_rbac_add_role(p, "9lives", &err), &err,
                   "role name \"9lives\" must be [a-z][a-z0-9._-]*");
    expect_invalid(plaint_rbac_add_action(p, "", &err), &err, "action name is empty");
    expect_invalid(plaint_rbac_add_action(p, NULL, &err), &err, "action name is empty");
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    expect_invalid(plaint_rbac_add_action(p, long_name, &err), &err,
                   "action name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is longer than 63 "
                   "characters");
    long_name[PLAINT_RBAC_NAME_MAX] = '\0';
    assert_int_equal(plaint_rbac_add_action(p, long_name, NULL), 0);
    expect_invalid(
        plaint_rbac_allow(p, "support_agent", "refund.teleport", PLAINT_RBAC_SCOPE_ANY, &err), &err,
        "action refund.teleport is not declared");
    expect_invalid(plaint_rbac_allow(p, "ghost", "refund.approve", PLAINT_RBAC_SCOPE_ANY, &err),
                   &err, "role ghost is not declared");
    expect_invalid(
        plaint_rbac_allow(p, "support_agent", "refund.request", PLAINT_RBAC_SCOPE_OWN, &err), &err,
        "role support_agent allows refund.request twice");
    expect_invalid(
        plaint_rbac_allow(p, "support_agent", "refund.approve", PLAINT_RBAC_SCOPE_NONE, &err), &err,
        "a grant's scope must be own or any");
    assert_string_equal(err.field, "scope");
    expect_invalid(plaint_rbac_add_separation(p, "refund-four-eyes", "refund.approve",
                                              "complaint.create", &err),
                   &err, "rule refund-four-eyes is declared twice");
    expect_invalid(plaint_rbac_add_separation(p, "x", "refund.approve", "refund.refuse", &err),
                   &err, "action refund.refuse is not declared");
    assert_string_equal(err.field, "action");
    /* nothing above changed the policy */
    assert_int_equal(plaint_rbac_count_actions(p), 5);
    assert_int_equal(plaint_rbac_count_roles(p), 4);
    assert_int_equal(plaint_rbac_count_separations(p), 1);
    assert_int_equal(plaint_rbac_get_grant(p, "support_agent", "refund.request"),
                     PLAINT_RBAC_SCOPE_ANY);
    assert_int_equal(plaint_rbac_get_grant(p, "support_agent", "refund.approve"),
                     PLAINT_RBAC_SCOPE_NONE);
}

static void test_builder_limits(void **state)
{
    plaint_rbac_policy *p = NULL;
    plaint_error err;
    char name[32];
    int i;

    (void)state;
    plaint_error_init(&err);
    assert_int_equal(plaint_rbac_policy_new(&p, NULL), 0);
    for (i = 0; i < PLAINT_RBAC_MAX_ACTIONS; i++) {
        snprintf(name, sizeof(name), "a%d", i);
        assert_int_equal(plaint_rbac_add_action(p, name, NULL), 0);
    }
    expect_invalid(plaint_rbac_add_action(p, "one.more", &err), &err, "more than 256 actions");
    for (i = 0; i < PLAINT_RBAC_MAX_ROLES; i++) {
        snprintf(name, sizeof(name), "r%d", i);
        assert_int_equal(plaint_rbac_add_role(p, name, NULL), 0);
        assert_int_equal(plaint_rbac_allow(p, name, "a255", PLAINT_RBAC_SCOPE_ANY, NULL), 0);
    }
    expect_invalid(plaint_rbac_add_role(p, "one_more", &err), &err, "more than 64 roles");
    for (i = 0; i < PLAINT_RBAC_MAX_RULES; i++) {
        snprintf(name, sizeof(name), "s%d", i);
        assert_int_equal(plaint_rbac_add_separation(p, name, "a0", "a1", NULL), 0);
    }
    expect_invalid(plaint_rbac_add_separation(p, "one-more", "a0", "a1", &err), &err,
                   "more than 64 rules");
    assert_int_equal(plaint_rbac_get_grant(p, "r63", "a255"), PLAINT_RBAC_SCOPE_ANY);
    plaint_rbac_policy_free(p);
    plaint_rbac_policy_free(NULL);
}

static void test_enumerators(void **state)
{
    const plaint_rbac_policy *p = *state;
    plaint_rbac_separation sep;
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_rbac_count_actions(p), 4);
    assert_string_equal(plaint_rbac_get_action(p, 0), "complaint.create");
    assert_string_equal(plaint_rbac_get_action(p, 3), "refund.approve");
    assert_null(plaint_rbac_get_action(p, 4));
    assert_int_equal(plaint_rbac_count_roles(p), 4);
    assert_string_equal(plaint_rbac_get_role(p, 0), "intake_agent");
    assert_string_equal(plaint_rbac_get_role(p, 3), "finance_manager");
    assert_null(plaint_rbac_get_role(p, 4));
    assert_int_equal(plaint_rbac_count_separations(p), 1);
    assert_int_equal(plaint_rbac_get_separation(&sep, p, 0, NULL), 0);
    assert_string_equal(sep.name, "refund-four-eyes");
    assert_string_equal(sep.action, "refund.approve");
    assert_string_equal(sep.conflicts_with, "refund.request");
    assert_int_equal(plaint_rbac_get_separation(&sep, p, 1, &err), PLAINT_ENOTFOUND);
    assert_int_equal(plaint_rbac_get_grant(p, "support_agent", "complaint.resolve"),
                     PLAINT_RBAC_SCOPE_OWN);
    assert_int_equal(plaint_rbac_get_grant(p, "ghost", "complaint.resolve"),
                     PLAINT_RBAC_SCOPE_NONE);
    assert_int_equal(plaint_rbac_get_grant(p, "support_agent", "ghost.walk"),
                     PLAINT_RBAC_SCOPE_NONE);
    assert_int_equal(plaint_rbac_get_grant(p, NULL, NULL), PLAINT_RBAC_SCOPE_NONE);
}

static void test_empty_policy_denies(void **state)
{
    plaint_rbac_policy *p = NULL;
    const char *roles[1] = {"admin"};
    plaint_rbac_context ctx = {"u1", NULL, NULL, 0};
    plaint_rbac_decision d;

    (void)state;
    assert_int_equal(plaint_rbac_policy_new(&p, NULL), 0);
    assert_int_equal(plaint_rbac_decide(&d, p, roles, 1, "user.manage", &ctx, NULL), 0);
    assert_int_equal(d.allowed, 0);
    assert_string_equal(d.reason, "unknown action user.manage");
    plaint_rbac_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_four_eyes_requester_cannot_approve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_four_eyes_ignores_other_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_action_denied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles_union, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_separation_applies_to_own_grants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reason_is_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_inputs_truncate_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decide_invalid_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builder_rejects_bad_policies, setup, teardown),
        cmocka_unit_test(test_builder_limits),
        cmocka_unit_test_setup_teardown(test_enumerators, setup, teardown),
        cmocka_unit_test(test_empty_policy_denies),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
