/* Loads policies/rbac.xml (validated against schemas/xml/rbac.xsd by the shared loader,
 * policy/xml_load.c), then builds the pure access policy (core/rbac). */
#include "plaint/policy_xml.h"

#include <string.h>

#include "policy/xml_load.h"

#define RBAC_NS "urn:plaint:rbac:1"

static int is_element(const xmlNode *n, const char *local)
{
    return plaint_policy_xml_is_element(n, RBAC_NS, local);
}

/* Adds what node declares to p, given the values of its attributes (NULL when absent or not
 * asked for). */
typedef int (*build_fn)(plaint_rbac_policy *p, const xmlNode *node, const char *const v[3],
                        plaint_error *err);

/* Calls fn with the values of node's attributes named in names (NULL entries are skipped). */
static int with_attrs(plaint_rbac_policy *p, const xmlNode *node, const char *path,
                      const char *const names[3], build_fn fn, plaint_error *err)
{
    xmlChar *v[3] = {NULL, NULL, NULL};
    const char *values[3];
    size_t i;
    int rc;

    for (i = 0; i < 3; i++) {
        if (names[i] != NULL) {
            v[i] = xmlGetNoNsProp(node, (const xmlChar *)names[i]);
        }
        values[i] = (const char *)v[i];
    }
    rc = fn(p, node, values, err);
    if (rc < 0) {
        rc = plaint_policy_xml_fail_at(err, rc, path, node);
    }
    for (i = 0; i < 3; i++) {
        xmlFree(v[i]);
    }
    return rc;
}

static int build_action(plaint_rbac_policy *p, const xmlNode *node, const char *const v[3],
                        plaint_error *err)
{
    (void)node;
    return plaint_rbac_add_action(p, v[0], err);
}

static int build_role(plaint_rbac_policy *p, const xmlNode *node, const char *const v[3],
                      plaint_error *err)
{
    (void)node;
    return plaint_rbac_add_role(p, v[0], err);
}

/* An allow element (action, scope); the role is its parent's name. */
static int build_allow(plaint_rbac_policy *p, const xmlNode *node, const char *const v[3],
                       plaint_error *err)
{
    plaint_rbac_scope s = PLAINT_RBAC_SCOPE_ANY;
    xmlChar *role;
    int rc;

    if (v[1] != NULL && strcmp(v[1], "own") == 0) {
        s = PLAINT_RBAC_SCOPE_OWN;
    } else if (v[1] != NULL && strcmp(v[1], "any") != 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "scope", 0, 0, "scope must be own or any");
    }
    role = xmlGetNoNsProp(node->parent, (const xmlChar *)"name");
    rc = plaint_rbac_allow(p, (const char *)role, v[0], s, err);
    xmlFree(role);
    return rc;
}

/* A separation rule (name, action, conflicts-with). */
static int build_rule(plaint_rbac_policy *p, const xmlNode *node, const char *const v[3],
                      plaint_error *err)
{
    (void)node;
    return plaint_rbac_add_separation(p, v[0], v[1], v[2], err);
}

/* Runs fn on every child of parent named local. */
static int build_children(plaint_rbac_policy *p, const xmlNode *parent, const char *local,
                          const char *path, const char *const names[3], build_fn fn,
                          plaint_error *err)
{
    const xmlNode *n;
    int rc;

    for (n = parent->children; n != NULL; n = n->next) {
        if (!is_element(n, local)) {
            continue;
        }
        rc = with_attrs(p, n, path, names, fn, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int build_roles(plaint_rbac_policy *p, const xmlNode *roles, const char *path,
                       plaint_error *err)
{
    static const char *const role_attrs[3] = {"name", NULL, NULL};
    static const char *const allow_attrs[3] = {"action", "scope", NULL};
    const xmlNode *n;
    int rc;

    for (n = roles->children; n != NULL; n = n->next) {
        if (!is_element(n, "role")) {
            continue;
        }
        rc = with_attrs(p, n, path, role_attrs, build_role, err);
        if (rc == 0) {
            rc = build_children(p, n, "allow", path, allow_attrs, build_allow, err);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Walks a schema-valid document: actions first, then roles, then separation rules. */
static int build_policy(plaint_rbac_policy *p, xmlDocPtr doc, const char *path, plaint_error *err)
{
    static const char *const action_attrs[3] = {"name", NULL, NULL};
    static const char *const rule_attrs[3] = {"name", "action", "conflicts-with"};
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *n;
    int rc = 0;

    if (root == NULL || !is_element(root, "policy")) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: the root element is not policy", path);
    }
    for (n = root->children; n != NULL && rc == 0; n = n->next) {
        if (is_element(n, "actions")) {
            rc = build_children(p, n, "action", path, action_attrs, build_action, err);
        } else if (is_element(n, "roles")) {
            rc = build_roles(p, n, path, err);
        } else if (is_element(n, "separation")) {
            rc = build_children(p, n, "rule", path, rule_attrs, build_rule, err);
        }
    }
    return rc;
}

/* Builds a new policy into *(plaint_rbac_policy **)arg; the caller frees it on failure. */
static int build_rbac(void *arg, xmlDocPtr doc, const char *path, plaint_error *err)
{
    plaint_rbac_policy **p = arg;
    int rc = plaint_rbac_policy_new(p, err);

    if (rc == 0) {
        rc = build_policy(*p, doc, path, err);
    }
    return rc;
}

int plaint_policy_load_rbac(plaint_rbac_policy **out, unsigned char *sha256_out,
                            const char *xml_path, const char *xsd_path, plaint_error *err)
{
    plaint_rbac_policy *p = NULL;
    int rc = plaint_policy_xml_load(sha256_out, xml_path, xsd_path, build_rbac, &p, err);

    if (rc == 0) {
        *out = p;
        p = NULL; /* ownership moved to caller */
    }
    plaint_rbac_policy_free(p);
    return rc;
}
