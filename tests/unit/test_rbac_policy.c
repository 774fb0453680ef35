/* Tests of the shipped access policy and its loader (src/policy/rbac_xml.c): every role against
 * every action of policies/rbac.xml checked against a table written here by hand, four-eyes on
 * the real file, and hostile policy files that must be refused with a clear message. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaint/build_info.h"
#include "plaint/policy_xml.h"
#include "plaint/rbac.h"

/* clang-format off */
/* Columns of EXPECTED, in the order policies/rbac.xml declares the roles. */
static const char *const ROLES[] = {"intake_agent",       "support_agent",   "tier2_investigator",
                                    "finance_manager",    "compliance_officer", "auditor",
                                    "regulator_liaison", "admin"};
#define NROLES (sizeof(ROLES) / sizeof(ROLES[0]))

/* The expected policy, one row per action in declaration order. Y: any object; O: own objects
 * only; -: not granted. Update this with policies/rbac.xml and docs/rbac.md. */
typedef struct expected_row {
    const char *action;
    const char *grants; /* "a b c d e f g h": one letter per ROLES column */
} expected_row;

static const expected_row EXPECTED[] = {
    /*                           int sup t2 fin com aud lia adm */
    {"complaint.create",         "Y Y - - - - - -"},
    {"complaint.read",           "Y Y Y Y Y Y Y -"},
    {"complaint.assign",         "- - Y - - - - -"},
    {"complaint.transition",     "- O Y - - - - -"},
    {"complaint.note",           "Y Y Y Y Y - - -"},
    {"complaint.resolve",        "- O Y - - - - -"},
    {"complaint.close",          "- O Y - - - - -"},
    {"complaint.reopen",         "- O Y - - - - -"},
    {"task.read",                "Y Y Y Y Y Y - -"},
    {"task.complete",            "O O O O O - - -"},
    {"refund.request",           "- Y Y - - - - -"},
    {"refund.approve",           "- - - Y - - - -"},
    {"customer.read",            "Y Y Y Y Y - - -"},
    {"customer.credit",          "- - - Y - - - -"},
    {"customer.manage",          "Y Y - - - - - -"},
    {"sla.scan",                 "- - Y - Y - - -"},
    {"outbox.send",              "- - - - - - - Y"},
    {"report.read",              "- - Y Y Y Y Y -"},
    {"report.regulator.prepare", "- - - - Y - Y -"},
    {"report.regulator.sign",    "- - - - Y - - -"},
    {"report.pdf",               "- - - - Y - Y -"},
    {"ledger.append",            "- - - - - - - Y"},
    {"ledger.read",              "- - - - Y Y - -"},
    {"ledger.seal",              "- - - - - - - Y"},
    {"ledger.export",            "- - - - Y Y Y -"},
    {"ledger.verify",            "- - - - Y Y Y Y"},
    {"retention.run",            "- - - - Y - - -"},
    {"hold.manage",              "- - - - Y - - -"},
    {"subject.export",           "- - - - Y - - -"},
    {"subject.erase",            "- - - - Y - - -"},
    {"user.manage",              "- - - - - - - Y"},
    {"role.manage",              "- - - - - - - Y"},
    {"token.manage",             "- - - - - - - Y"},
    {"keys.manage",              "- - - - - - - Y"},
    {"policy.manage",            "- - - - - - - Y"},
    {"security_log.read",        "- - - - Y Y - Y"},
};
/* clang-format on */
#define NACTIONS (sizeof(EXPECTED) / sizeof(EXPECTED[0]))

typedef struct fixture {
    plaint_rbac_policy *policy; /* the shipped policy */
    char xsd[4096];
    char dir[64]; /* temporary directory for hostile files */
} fixture;

static int setup(void **state)
{
    const char *src = getenv("PLAINT_SOURCE_DIR");
    char xml[4096];
    plaint_error err;
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    if (src == NULL) {
        /* run outside ctest: the source tree this binary was configured from */
        src = PLAINT_DEFAULT_SCHEMA_DIR "/../..";
    }
    snprintf(xml, sizeof(xml), "%s/policies/rbac.xml", src);
    snprintf(f->xsd, sizeof(f->xsd), "%s/schemas/xml/rbac.xsd", src);
    snprintf(f->dir, sizeof(f->dir), "/tmp/plaint-rbac-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    plaint_error_init(&err);
    if (plaint_policy_load_rbac(&f->policy, NULL, xml, f->xsd, &err) != 0) {
        fail_msg("loading %s: %s", xml, err.message);
    }
    *state = f;
    return 0;
}

/* Removes dir and the files in it (the tests write no subdirectories). */
static void remove_dir(const char *dir)
{
    char path[4096];
    struct dirent *e;
    DIR *d = opendir(dir);

    assert_non_null(d);
    for (e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            assert_int_equal(unlink(path), 0);
        }
    }
    closedir(d);
    assert_int_equal(rmdir(dir), 0);
}

static int teardown(void **state)
{
    fixture *f = *state;

    if (f == NULL) {
        return 0;
    }
    plaint_rbac_policy_free(f->policy);
    remove_dir(f->dir);
    free(f);
    return 0;
}

/* The ROLES column letter of row r for role index i. */
static char grant_of(const expected_row *r, size_t i)
{
    assert_int_equal(strlen(r->grants), 2 * NROLES - 1);
    return r->grants[2 * i];
}

static void test_roles_and_actions_match_table(void **state)
{
    const fixture *f = *state;
    size_t i;

    assert_int_equal(plaint_rbac_count_roles(f->policy), NROLES);
    for (i = 0; i < NROLES; i++) {
        assert_string_equal(plaint_rbac_get_role(f->policy, i), ROLES[i]);
    }
    assert_int_equal(plaint_rbac_count_actions(f->policy), NACTIONS);
    for (i = 0; i < NACTIONS; i++) {
        assert_string_equal(plaint_rbac_get_action(f->policy, i), EXPECTED[i].action);
    }
}

/* Every role against every action: as owner of the object and as someone else. */
static void test_every_role_every_action(void **state)
{
    const fixture *f = *state;
    plaint_rbac_context own = {"u1", "u1", NULL, 0};
    plaint_rbac_context other = {"u1", "u2", NULL, 0};
    plaint_rbac_decision d;
    char want[PLAINT_RBAC_REASON_LEN];
    size_t a;
    size_t r;

    for (a = 0; a < NACTIONS; a++) {
        const char *action = EXPECTED[a].action;
        for (r = 0; r < NROLES; r++) {
            const char *const roles[1] = {ROLES[r]};
            char g = grant_of(&EXPECTED[a], r);
            plaint_rbac_scope scope = plaint_rbac_get_grant(f->policy, ROLES[r], action);

            assert_true(g == 'Y' || g == 'O' || g == '-');
            if (scope != (g == 'Y'   ? PLAINT_RBAC_SCOPE_ANY
                          : g == 'O' ? PLAINT_RBAC_SCOPE_OWN
                                     : PLAINT_RBAC_SCOPE_NONE)) {
                fail_msg("%s %s: the table says %c, the policy grants scope %d", ROLES[r], action,
                         g, (int)scope);
            }

            assert_int_equal(plaint_rbac_decide(&d, f->policy, roles, 1, action, &own, NULL), 0);
            if (d.allowed != (g != '-')) {
                fail_msg("%s %s: the table says %c, the decision is: %s", ROLES[r], action, g,
                         d.reason);
            }
            if (g == '-') {
                snprintf(want, sizeof(want), "no role of user u1 (%s) grants %s", ROLES[r], action);
                assert_int_equal(d.rule, PLAINT_RBAC_RULE_NO_GRANT);
                assert_string_equal(d.reason, want);
            } else {
                assert_int_equal(d.rule,
                                 g == 'Y' ? PLAINT_RBAC_RULE_GRANT : PLAINT_RBAC_RULE_GRANT_OWN);
                assert_string_equal(d.rule_name, ROLES[r]);
            }

            assert_int_equal(plaint_rbac_decide(&d, f->policy, roles, 1, action, &other, NULL), 0);
            assert_int_equal(d.allowed, g == 'Y');
            if (g == 'O') {
                assert_int_equal(d.rule, PLAINT_RBAC_RULE_NOT_OWNER);
            }
        }
    }
}

static void test_separation_rules(void **state)
{
    const fixture *f = *state;
    plaint_rbac_separation s;

    assert_int_equal(plaint_rbac_count_separations(f->policy), 2);
    assert_int_equal(plaint_rbac_get_separation(&s, f->policy, 0, NULL), 0);
    assert_string_equal(s.name, "refund-four-eyes");
    assert_string_equal(s.action, "refund.approve");
    assert_string_equal(s.conflicts_with, "refund.request");
    assert_int_equal(plaint_rbac_get_separation(&s, f->policy, 1, NULL), 0);
    assert_string_equal(s.name, "regulator-return-four-eyes");
    assert_string_equal(s.action, "report.regulator.sign");
    assert_string_equal(s.conflicts_with, "report.regulator.prepare");
}

/* Acceptance: a user holding both requester and finance_manager roles cannot approve their own
 * refund; another finance manager can. */
static void test_four_eyes_refund(void **state)
{
    const fixture *f = *state;
    const char *const both[2] = {"support_agent", "finance_manager"};
    const char *const finance[1] = {"finance_manager"};
    const plaint_rbac_fact facts[1] = {{"refund.request", "alice"}};
    plaint_rbac_context alice = {"alice", NULL, facts, 1};
    plaint_rbac_context bob = {"bob", NULL, facts, 1};
    plaint_rbac_decision d;

    assert_int_equal(plaint_rbac_decide(&d, f->policy, both, 2, "refund.approve", &alice, NULL), 0);
    assert_int_equal(d.allowed, 0);
    assert_int_equal(d.rule, PLAINT_RBAC_RULE_SEPARATION);
    assert_string_equal(d.rule_name, "refund-four-eyes");
    assert_string_equal(d.reason, "separation of duties (refund-four-eyes): alice did "
                                  "refund.request on this object and may not also "
                                  "refund.approve it");
    assert_int_equal(plaint_rbac_decide(&d, f->policy, finance, 1, "refund.approve", &bob, NULL),
                     0);
    assert_int_equal(d.allowed, 1);
    assert_string_equal(d.reason, "role finance_manager may refund.approve");
}

static void test_four_eyes_regulator_return(void **state)
{
    const fixture *f = *state;
    const char *const compliance[1] = {"compliance_officer"};
    const plaint_rbac_fact facts[1] = {{"report.regulator.prepare", "carol"}};
    plaint_rbac_context carol = {"carol", NULL, facts, 1};
    plaint_rbac_context dave = {"dave", NULL, facts, 1};
    plaint_rbac_decision d;

    assert_int_equal(
        plaint_rbac_decide(&d, f->policy, compliance, 1, "report.regulator.sign", &carol, NULL), 0);
    assert_int_equal(d.allowed, 0);
    assert_string_equal(d.rule_name, "regulator-return-four-eyes");
    assert_int_equal(
        plaint_rbac_decide(&d, f->policy, compliance, 1, "report.regulator.sign", &dave, NULL), 0);
    assert_int_equal(d.allowed, 1);
}

/* Writes len bytes to f->dir/name; returns the path in path. */
static void write_file(char *path, size_t cap, const fixture *f, const char *name, const char *data,
                       size_t len)
{
    FILE *fp;

    assert_true((size_t)snprintf(path, cap, "%s/%s", f->dir, name) < cap);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* Loads data as a policy (against xsd, or the shipped schema if NULL) and expects
 * PLAINT_EINVALID with want in the message and err.line == line. */
static void expect_refused_xsd(const fixture *f, const char *name, const char *data, size_t len,
                               const char *xsd, const char *want, unsigned long line)
{
    char path[4096];
    plaint_rbac_policy *p = NULL;
    plaint_error err;
    int rc;

    write_file(path, sizeof(path), f, name, data, len);
    plaint_error_init(&err);
    rc = plaint_policy_load_rbac(&p, NULL, path, xsd != NULL ? xsd : f->xsd, &err);
    print_message("%s: %s [line %lu]\n", name, err.message, err.line);
    assert_int_equal(rc, PLAINT_EINVALID);
    assert_null(p);
    assert_int_equal(err.code, PLAINT_EINVALID);
    assert_memory_equal(err.message, path, strlen(path)); /* names the file */
    if (strstr(err.message, want) == NULL) {
        fail_msg("%s: message \"%s\" lacks \"%s\"", name, err.message, want);
    }
    assert_int_equal(err.line, line);
}

static void expect_refused(const fixture *f, const char *name, const char *text, const char *want,
                           unsigned long line)
{
    expect_refused_xsd(f, name, text, strlen(text), NULL, want, line);
}

#define HEAD    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define OPEN    "<policy xmlns=\"urn:plaint:rbac:1\" version=\"1\">\n"
#define ACTIONS "  <actions><action name=\"a.b\"/><action name=\"a.c\"/></actions>\n"
#define ROLE1   "  <roles><role name=\"r1\"><allow action=\"a.b\"/></role></roles>\n"
#define CLOSE   "</policy>\n"

static const char MINIMAL[] = HEAD OPEN ACTIONS ROLE1 CLOSE;

/* Both caught by the schema's identity constraints, and by the builder behind a lax schema. */
static const char DUPLICATE_ROLE[] = HEAD OPEN ACTIONS "  <roles><role name=\"r1\"/>\n"
                                                       "    <role name=\"r1\"/></roles>\n" CLOSE;
static const char UNDECLARED_ACTION[] = HEAD OPEN ACTIONS "  <roles><role name=\"r1\">\n"
                                                          "    <allow action=\"a.zz\"/></role>"
                                                          "</roles>\n" CLOSE;

static const char DOCTYPE_REFUSED[] =
    "policy files may not contain a DOCTYPE (entity expansion is refused)";

static void test_minimal_policy_loads(void **state)
{
    const fixture *f = *state;
    char path[4096];
    plaint_rbac_policy *p = NULL;

    write_file(path, sizeof(path), f, "minimal.xml", MINIMAL, strlen(MINIMAL));
    assert_int_equal(plaint_policy_load_rbac(&p, NULL, path, f->xsd, NULL), 0);
    assert_int_equal(plaint_rbac_count_actions(p), 2);
    assert_int_equal(plaint_rbac_get_grant(p, "r1", "a.b"), PLAINT_RBAC_SCOPE_ANY);
    assert_int_equal(plaint_rbac_count_separations(p), 0);
    plaint_rbac_policy_free(p);
}

static void test_doctype_refused(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "laughs.xml",
                   HEAD "<!DOCTYPE policy [\n"
                        " <!ENTITY l0 \"lol\">\n"
                        " <!ENTITY l1 \"&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;\">\n"
                        " <!ENTITY l2 \"&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;\">\n"
                        " <!ENTITY l3 \"&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;\">\n"
                        " <!ENTITY l4 \"&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;\">\n"
                        " <!ENTITY l5 \"&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;\">\n"
                        " <!ENTITY l6 \"&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;\">\n"
                        " <!ENTITY l7 \"&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;\">\n"
                        " <!ENTITY l8 \"&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;\">\n"
                        " <!ENTITY l9 \"&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;\">\n"
                        "]>\n" OPEN "  <actions><action name=\"&l9;\"/></actions>\n" ROLE1 CLOSE,
                   DOCTYPE_REFUSED, 2);
    expect_refused(f, "xxe.xml",
                   HEAD "<!DOCTYPE policy [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n" OPEN
                        "  <actions><action name=\"&x;\"/></actions>\n" ROLE1 CLOSE,
                   DOCTYPE_REFUSED, 2);
    expect_refused(
        f, "external-dtd.xml",
        HEAD
        "\n<!DOCTYPE policy SYSTEM \"http://example.invalid/rbac.dtd\">\n" OPEN ACTIONS ROLE1 CLOSE,
        DOCTYPE_REFUSED, 3);
    expect_refused(f, "bare-doctype.xml", HEAD "<!DOCTYPE policy>\n" OPEN ACTIONS ROLE1 CLOSE,
                   DOCTYPE_REFUSED, 2);
}

/* The DOCTYPE check does not depend on the file's encoding. */
static void test_doctype_refused_in_utf16(void **state)
{
    const fixture *f = *state;
    static const char text[] =
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
        "<!DOCTYPE policy [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n" OPEN
        "  <actions><action name=\"&x;\"/></actions>\n" ROLE1 CLOSE;
    char utf16[2 + 2 * sizeof(text)];
    size_t i;

    utf16[0] = (char)0xff; /* little-endian byte order mark */
    utf16[1] = (char)0xfe;
    for (i = 0; i + 1 < sizeof(text); i++) {
        utf16[2 + 2 * i] = text[i];
        utf16[3 + 2 * i] = '\0';
    }
    expect_refused_xsd(f, "utf16.xml", utf16, 2 + 2 * (sizeof(text) - 1), NULL, DOCTYPE_REFUSED, 2);
}

static void test_malformed_xml_refused(void **state)
{
    const fixture *f = *state;
    static const char nul[] =
        HEAD OPEN "  <actions><action name=\"a\0b\"/></actions>\n" ROLE1 CLOSE;
    static const char bad_utf8[] =
        HEAD OPEN "  <actions><action name=\"a\xc3\x28\"/></actions>\n" ROLE1 CLOSE;

    expect_refused(f, "mismatch.xml",
                   HEAD OPEN ACTIONS "  <roles><role name=\"r1\"></roles>\n" CLOSE,
                   "Opening and ending tag mismatch", 4);
    expect_refused(f, "truncated.xml", HEAD OPEN ACTIONS, "Premature end of data", 4);
    expect_refused(f, "entity-undeclared.xml",
                   HEAD OPEN "  <actions><action name=\"&x;\"/></actions>\n" ROLE1 CLOSE,
                   "Entity 'x' not defined", 3);
    expect_refused(f, "empty.xml", "", "policy file is empty", 0);
    expect_refused_xsd(f, "nul.xml", nul, sizeof(nul) - 1, NULL, "", 3);
    expect_refused_xsd(f, "utf8.xml", bad_utf8, sizeof(bad_utf8) - 1, NULL, "UTF-8", 3);
}

static void test_schema_violations_refused(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "unexpected.xml", HEAD OPEN ACTIONS ROLE1 "\n  <backdoor/>\n" CLOSE,
                   "This element is not expected", 6);
    expect_refused(f, "bad-scope.xml",
                   HEAD OPEN ACTIONS "\n  <roles><role name=\"r1\"><allow action=\"a.b\" "
                                     "scope=\"all\"/></role></roles>\n" CLOSE,
                   "scope", 5);
    expect_refused(f, "bad-name.xml",
                   HEAD OPEN "  <actions><action name=\"A B\"/></actions>\n" ROLE1 CLOSE, "pattern",
                   3);
    expect_refused(f, "wrong-ns.xml", HEAD "<policy version=\"1\">\n" ACTIONS ROLE1 CLOSE,
                   "No matching global declaration", 2);
    expect_refused(f, "undeclared.xml", UNDECLARED_ACTION,
                   "No match found for key-sequence ['a.zz']", 5);
    expect_refused(f, "duplicate-role.xml", DUPLICATE_ROLE, "Duplicate key-sequence ['r1']", 5);
    expect_refused(f, "rule-undeclared.xml",
                   HEAD OPEN ACTIONS ROLE1
                   "  <separation>\n    <rule name=\"x\" action=\"a.b\" conflicts-with=\"a.q\"/>\n"
                   "  </separation>\n" CLOSE,
                   "No match found for key-sequence ['a.q']", 6);
}

/* Semantic errors the builder catches, with line numbers, behind a schema without identity
 * constraints. */
static void test_semantic_errors_refused(void **state)
{
    const fixture *f = *state;
    static const char lax[] =
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
        "targetNamespace=\"urn:plaint:rbac:1\" elementFormDefault=\"qualified\">\n"
        "<xs:element name=\"policy\"><xs:complexType><xs:sequence>\n"
        "<xs:any processContents=\"skip\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>\n"
        "</xs:sequence><xs:anyAttribute processContents=\"skip\"/></xs:complexType>"
        "</xs:element></xs:schema>\n";
    char xsd[4096];

    write_file(xsd, sizeof(xsd), f, "lax.xsd", lax, strlen(lax));
    expect_refused_xsd(f, "sem-role.xml", DUPLICATE_ROLE, strlen(DUPLICATE_ROLE), xsd,
                       ": role r1 is declared twice", 5);
    expect_refused_xsd(f, "sem-action.xml", UNDECLARED_ACTION, strlen(UNDECLARED_ACTION), xsd,
                       ": action a.zz is not declared", 5);
}

/* A document of size bytes whose one action name is all 'a'. */
static char *big_attribute(size_t *len, size_t size)
{
    static const char pre[] = HEAD OPEN "  <actions><action name=\"";
    static const char post[] = "\"/></actions>\n" ROLE1 CLOSE;
    char *buf = malloc(size);

    assert_non_null(buf);
    assert_true(size > sizeof(pre) + sizeof(post));
    memcpy(buf, pre, sizeof(pre) - 1);
    memset(buf + sizeof(pre) - 1, 'a', size - (sizeof(pre) - 1) - (sizeof(post) - 1));
    memcpy(buf + size - (sizeof(post) - 1), post, sizeof(post) - 1);
    *len = size;
    return buf;
}

static void test_huge_values_refused(void **state)
{
    const fixture *f = *state;
    char path[4096];
    plaint_error err;
    plaint_rbac_policy *p = NULL;
    size_t len;
    char *big = big_attribute(&len, (size_t)64 * 1024);

    /* under the size limit: the schema's maxLength refuses it */
    expect_refused_xsd(f, "64k.xml", big, len, NULL, "maxLength", 3);
    free(big);

    /* a 1 MiB attribute makes the file larger than any policy may be */
    big = big_attribute(&len, PLAINT_POLICY_MAX_BYTES + 200u);
    write_file(path, sizeof(path), f, "1m.xml", big, len);
    free(big);
    plaint_error_init(&err);
    assert_int_equal(plaint_policy_load_rbac(&p, NULL, path, f->xsd, &err), PLAINT_EINVALID);
    assert_null(p);
    assert_non_null(strstr(err.message, "policy file is larger than 1048576 bytes"));
}

static void test_missing_files(void **state)
{
    const fixture *f = *state;
    char path[4096];
    char nowhere[4096];
    plaint_rbac_policy *p = NULL;
    plaint_error err;

    snprintf(nowhere, sizeof(nowhere), "%s/nowhere.xml", f->dir);
    plaint_error_init(&err);
    assert_int_equal(plaint_policy_load_rbac(&p, NULL, nowhere, f->xsd, &err), PLAINT_ENOTFOUND);
    write_file(path, sizeof(path), f, "ok.xml", MINIMAL, strlen(MINIMAL));
    assert_int_equal(plaint_policy_load_rbac(&p, NULL, path, nowhere, &err), PLAINT_ENOTFOUND);
    /* a schema that does not compile is an environment problem, not bad input */
    assert_int_equal(plaint_policy_load_rbac(&p, NULL, path, path, &err), PLAINT_EIO);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_actions_match_table),
        cmocka_unit_test(test_every_role_every_action),
        cmocka_unit_test(test_separation_rules),
        cmocka_unit_test(test_four_eyes_refund),
        cmocka_unit_test(test_four_eyes_regulator_return),
        cmocka_unit_test(test_minimal_policy_loads),
        cmocka_unit_test(test_doctype_refused),
        cmocka_unit_test(test_doctype_refused_in_utf16),
        cmocka_unit_test(test_malformed_xml_refused),
        cmocka_unit_test(test_schema_violations_refused),
        cmocka_unit_test(test_semantic_errors_refused),
        cmocka_unit_test(test_huge_values_refused),
        cmocka_unit_test(test_missing_files),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
