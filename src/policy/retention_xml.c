/* Loads policies/retention.xml (validated against schemas/xml/retention.xsd by the shared
 * loader, policy/xml_load.c), then builds the pure retention policy (core/retention). */
#include "plaint/policy_xml.h"

#include <stdlib.h>
#include <string.h>

#include "policy/xml_load.h"

#define RETENTION_NS "urn:plaint:retention:1"

/* An optional whole-number attribute (the schema allows only digits, within the limits). */
static int read_unit(unsigned *out, const xmlNode *node, const char *name, unsigned max,
                     plaint_error *err)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    unsigned long n = 0;
    char *end = NULL;
    int rc = 0;

    if (v != NULL) {
        n = strtoul((const char *)v, &end, 10);
        if (end == (char *)v || *end != '\0' || n > max) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0,
                                     "%s must be a whole number from 0 to %u", name, max);
        }
    }
    xmlFree(v);
    *out = (unsigned)n;
    return rc;
}

static int build_class(plaint_retention_policy *p, const xmlNode *node, plaint_error *err)
{
    xmlChar *name = xmlGetNoNsProp(node, (const xmlChar *)"name");
    xmlChar *from = xmlGetNoNsProp(node, (const xmlChar *)"from");
    xmlChar *basis = xmlGetNoNsProp(node, (const xmlChar *)"basis");
    plaint_retention_class c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.name = (const char *)name;
    c.basis = (const char *)basis;
    rc = read_unit(&c.period.years, node, "years", PLAINT_RETENTION_MAX_YEARS, err);
    if (rc == 0) {
        rc = read_unit(&c.period.months, node, "months", PLAINT_RETENTION_MAX_MONTHS, err);
    }
    if (rc == 0) {
        rc = read_unit(&c.period.days, node, "days", PLAINT_RETENTION_MAX_DAYS, err);
    }
    if (rc == 0) {
        rc = plaint_retention_from_parse(&c.from, (const char *)from, err);
    }
    if (rc == 0) {
        rc = plaint_retention_add_class(p, &c, err);
    }
    xmlFree(name);
    xmlFree(from);
    xmlFree(basis);
    return rc;
}

/* Builds a new policy into *(plaint_retention_policy **)arg; the caller frees it on failure. */
static int build_retention(void *arg, xmlDocPtr doc, const char *path, plaint_error *err)
{
    plaint_retention_policy **p = arg;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *n;
    int rc;

    if (root == NULL || !plaint_policy_xml_is_element(root, RETENTION_NS, "policy")) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: the root element is not policy", path);
    }
    rc = plaint_retention_policy_new(p, err);
    for (n = root->children; n != NULL && rc == 0; n = n->next) {
        if (!plaint_policy_xml_is_element(n, RETENTION_NS, "class")) {
            continue;
        }
        rc = build_class(*p, n, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, n);
        }
    }
    return rc;
}

int plaint_policy_load_retention(plaint_retention_policy **out, unsigned char *sha256_out,
                                 const char *xml_path, const char *xsd_path, plaint_error *err)
{
    plaint_retention_policy *p = NULL;
    int rc = plaint_policy_xml_load(sha256_out, xml_path, xsd_path, build_retention, &p, err);

    if (rc == 0) {
        *out = p;
        p = NULL; /* ownership moved to caller */
    }
    plaint_retention_policy_free(p);
    return rc;
}
