/* Tests of the shipped retention policy and its loader (src/policy/retention_xml.c on the shared
 * src/policy/xml_load.c): the classes of policies/retention.xml checked against a table written
 * here, and hostile or wrong policy files that must be refused naming file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/digest.h"
#include "plaint/policy_xml.h"
#include "plaint/retention.h"
#include "unit_helpers.h"

typedef struct fixture {
    plaint_retention_policy *policy; /* the shipped policy */
    unit_policy_files files;
} fixture;

static int setup(void **state)
{
    plaint_error err;
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    unit_policy_files_init(&f->files, "retention");
    plaint_error_init(&err);
    if (plaint_policy_load_retention(&f->policy, NULL, f->files.xml, f->files.xsd, &err) != 0) {
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
    plaint_retention_policy_free(f->policy);
    unit_policy_files_clear(&f->files);
    free(f);
    return 0;
}

/* The shipped classes, in file order. Update with policies/retention.xml and docs/retention.md. */
static const struct {
    const char *name;
    unsigned years;
    plaint_retention_from from;
    const char *basis;
} EXPECTED[] = {
    {"complaint", 3, PLAINT_RETENTION_FROM_CLOSURE, "UK FCA DISP 1.9"},
    {"mifid", 5, PLAINT_RETENTION_FROM_CLOSURE, "MiFID Org Regulation arts 26, 72; DISP 1.1A"},
    {"ucits", 5, PLAINT_RETENTION_FROM_CLOSURE, "UK FCA DISP 1.9 (UCITS management)"},
};
#define NEXPECTED (sizeof(EXPECTED) / sizeof(EXPECTED[0]))

static void test_shipped_policy(void **state)
{
    const fixture *f = *state;
    size_t i;

    assert_int_equal(plaint_retention_count_classes(f->policy), NEXPECTED);
    for (i = 0; i < NEXPECTED; i++) {
        const plaint_retention_class *c = plaint_retention_get_class(f->policy, i);
        assert_non_null(c);
        assert_string_equal(c->name, EXPECTED[i].name);
        assert_int_equal(c->period.years, EXPECTED[i].years);
        assert_int_equal(c->period.months, 0);
        assert_int_equal(c->period.days, 0);
        assert_int_equal(c->from, EXPECTED[i].from);
        assert_string_equal(c->basis, EXPECTED[i].basis);
    }
}

/* plaint_policy_load_retention reduced to its outcome (see unit_policy_load_fn). */
static int load_retention(int *loaded, const char *path, const char *xsd, plaint_error *err)
{
    plaint_retention_policy *p = NULL;
    int rc = plaint_policy_load_retention(&p, NULL, path, xsd, err);

    *loaded = p != NULL;
    plaint_retention_policy_free(p);
    return rc;
}

/* Loads text as a policy and expects code with want in the message, which names the file and
 * line first, and err.line == line. */
static void expect_refused(const fixture *f, const char *name, const char *text, int code,
                           const char *want, unsigned long line)
{
    unit_policy_expect_refused(&f->files, load_retention, name, text, code, want, line);
}

#define HEAD  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define OPEN  "<policy xmlns=\"urn:plaint:retention:1\" version=\"1\">\n"
#define CLOSE "</policy>\n"

static const char MINIMAL[] =
    HEAD OPEN "  <class name=\"a\" years=\"2\" months=\"3\" days=\"4\" from=\"receipt\"/>\n"
              "  <class name=\"b\" days=\"30\" from=\"closure\" basis=\"house rule\"/>\n" CLOSE;

static const char DOCTYPE_REFUSED[] =
    "policy files may not contain a DOCTYPE (entity expansion is refused)";

static void test_minimal_policy_and_digest(void **state)
{
    const fixture *f = *state;
    char path[4096];
    unsigned char h[PLAINT_HASH_LEN];
    unsigned char want[PLAINT_HASH_LEN];
    plaint_retention_policy *p = NULL;
    const plaint_retention_class *c;

    unit_policy_write(path, sizeof(path), &f->files, "minimal.xml", MINIMAL);
    assert_int_equal(plaint_policy_load_retention(&p, h, path, f->files.xsd, NULL), 0);
    assert_int_equal(plaint_sha256_digest(want, MINIMAL, strlen(MINIMAL), NULL), 0);
    assert_memory_equal(h, want, PLAINT_HASH_LEN);
    assert_int_equal(plaint_retention_count_classes(p), 2);
    c = plaint_retention_get_class(p, 0);
    assert_int_equal(c->period.years, 2);
    assert_int_equal(c->period.months, 3);
    assert_int_equal(c->period.days, 4);
    assert_int_equal(c->from, PLAINT_RETENTION_FROM_RECEIPT);
    assert_string_equal(c->basis, "");
    c = plaint_retention_get_class(p, 1);
    assert_int_equal(c->period.years, 0);
    assert_int_equal(c->period.days, 30);
    assert_string_equal(c->basis, "house rule");
    plaint_retention_policy_free(p);
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
                        "]>\n" OPEN "  <class name=\"a\" years=\"1\" from=\"closure\" "
                        "basis=\"&l5;\"/>\n" CLOSE,
                   PLAINT_EINVALID, DOCTYPE_REFUSED, 2);
    expect_refused(f, "xxe.xml",
                   HEAD "\n<!DOCTYPE policy [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n" OPEN
                        "  <class name=\"a\" years=\"1\" from=\"closure\" basis=\"&x;\"/>\n" CLOSE,
                   PLAINT_EINVALID, DOCTYPE_REFUSED, 3);
}

static void test_schema_violations_refused(void **state)
{
    const fixture *f = *state;

    /* periods are whole numbers: no fractions, signs or exponents */
    expect_refused(f, "float.xml",
                   HEAD OPEN "  <class name=\"a\" years=\"1\" from=\"closure\"/>\n"
                             "  <class name=\"b\" years=\"2.5\" from=\"closure\"/>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'years'", 4);
    expect_refused(f, "negative.xml",
                   HEAD OPEN "  <class name=\"a\" days=\"-1\" from=\"closure\"/>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'days'", 3);
    expect_refused(f, "too-long.xml",
                   HEAD OPEN "  <class name=\"a\" years=\"1001\" from=\"closure\"/>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'years'", 3);
    /* libxml2 names the line where the start tag ends */
    expect_refused(f, "unknown-attribute.xml",
                   HEAD OPEN "  <class name=\"a\" years=\"1\" from=\"closure\"\n"
                             "         weeks=\"2\"/>\n" CLOSE,
                   PLAINT_EINVALID, "The attribute 'weeks' is not allowed", 4);
    expect_refused(f, "unknown-from.xml",
                   HEAD OPEN "  <class name=\"a\" years=\"1\" from=\"birth\"/>\n" CLOSE,
                   PLAINT_EINVALID, "attribute 'from'", 3);
    expect_refused(f, "missing-from.xml", HEAD OPEN "  <class name=\"a\" years=\"1\"/>\n" CLOSE,
                   PLAINT_EINVALID, "The attribute 'from' is required", 3);
    expect_refused(f, "duplicate.xml",
                   HEAD OPEN "  <class name=\"a\" years=\"1\" from=\"closure\"/>\n"
                             "  <class name=\"a\" years=\"2\" from=\"closure\"/>\n" CLOSE,
                   PLAINT_EINVALID, "Duplicate key-sequence ['a']", 4);
    expect_refused(f, "no-class.xml", HEAD OPEN CLOSE, PLAINT_EINVALID, "Missing child element", 2);
    expect_refused(f, "wrong-namespace.xml",
                   HEAD "<policy xmlns=\"urn:plaint:rbac:1\" version=\"1\">\n"
                        "  <class name=\"a\" years=\"1\" from=\"closure\"/>\n" CLOSE,
                   PLAINT_EINVALID, "No matching global declaration", 2);
}

/* What the schema cannot say, the builder does, with the line. */
static void test_semantic_errors_refused(void **state)
{
    const fixture *f = *state;

    expect_refused(f, "zero.xml",
                   HEAD OPEN "  <class name=\"a\" years=\"1\" from=\"closure\"/>\n\n"
                             "  <class name=\"b\" years=\"0\" from=\"closure\"/>\n" CLOSE,
                   PLAINT_EINVALID, ":5: class b: the retention period is zero", 5);
}

static void test_malformed_refused(void **state)
{
    const fixture *f = *state;
    char path[4096];
    plaint_retention_policy *p = NULL;
    plaint_error err;

    expect_refused(f, "mismatch.xml",
                   HEAD OPEN "  <class name=\"a\" years=\"1\" from=\"closure\">\n" CLOSE,
                   PLAINT_EINVALID, "Opening and ending tag mismatch", 4);
    expect_refused(f, "empty.xml", "", PLAINT_EINVALID, "policy file is empty", 0);
    plaint_error_init(&err);
    snprintf(path, sizeof(path), "%s/absent.xml", f->files.dir);
    assert_int_equal(plaint_policy_load_retention(&p, NULL, path, f->files.xsd, &err),
                     PLAINT_ENOTFOUND);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_policy),
        cmocka_unit_test(test_minimal_policy_and_digest),
        cmocka_unit_test(test_doctype_refused),
        cmocka_unit_test(test_schema_violations_refused),
        cmocka_unit_test(test_semantic_errors_refused),
        cmocka_unit_test(test_malformed_refused),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
