/* Loads policies/routing.xml (validated against schemas/xml/routing.xsd by the shared loader,
 * policy/xml_load.c), then builds the pure routing policy (core/routing). */
#include "plaint/routing.h"

#include <string.h>

#include "policy/xml_load.h"

#define ROUTING_NS "urn:plaint:routing:1"

static int is_element(const xmlNode *n, const char *local)
{
    return plaint_policy_xml_is_element(n, ROUTING_NS, local);
}

static const char *attr(xmlChar **slot, const xmlNode *node, const char *name)
{
    *slot = xmlGetNoNsProp(node, (const xmlChar *)name);
    return (const char *)*slot;
}

static int build_item(plaint_routing_policy *p, const char *checklist, const xmlNode *node,
                      plaint_error *err)
{
    xmlChar *v[3] = {NULL, NULL, NULL};
    plaint_checklist_item item;
    const char *mandatory;
    int rc;

    item.id = attr(&v[0], node, "id");
    item.text = attr(&v[1], node, "text");
    mandatory = attr(&v[2], node, "mandatory");
    /* xs:boolean, default true */
    item.mandatory =
        mandatory == NULL || strcmp(mandatory, "true") == 0 || strcmp(mandatory, "1") == 0;
    rc = plaint_routing_add_item(p, checklist, &item, err);
    xmlFree(v[0]);
    xmlFree(v[1]);
    xmlFree(v[2]);
    return rc;
}

static int has_mandatory(const plaint_routing_policy *p, const char *checklist)
{
    size_t n = 0;
    const plaint_checklist_item *items = plaint_routing_checklist(p, checklist, &n);
    size_t i;

    for (i = 0; items != NULL && i < n; i++) {
        if (items[i].mandatory) {
            return 1;
        }
    }
    return 0;
}

static int build_checklist(plaint_routing_policy *p, const xmlNode *node, const char *path,
                           plaint_error *err)
{
    xmlChar *name = xmlGetNoNsProp(node, (const xmlChar *)"name");
    const xmlNode *n;
    int rc = plaint_routing_add_checklist(p, (const char *)name, err);

    if (rc < 0) {
        rc = plaint_policy_xml_fail_at(err, rc, path, node);
    }
    for (n = node->children; n != NULL && rc == 0; n = n->next) {
        if (!is_element(n, "item")) {
            continue;
        }
        rc = build_item(p, (const char *)name, n, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, n);
        }
    }
    if (rc == 0 && !has_mandatory(p, (const char *)name)) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "mandatory", 0, 0,
                                 "checklist %s has no mandatory item", (const char *)name);
        rc = plaint_policy_xml_fail_at(err, rc, path, node);
    }
    xmlFree(name);
    return rc;
}

/* The name attributes of the children of node named local, at most max of them; *n counts the
 * values set (each freed by the caller with xmlFree). */
static void collect_names(xmlChar **values, const char **names, size_t *n, size_t max,
                          const xmlNode *node, const char *local)
{
    const xmlNode *c;

    *n = 0;
    for (c = node->children; c != NULL && *n < max; c = c->next) {
        if (is_element(c, local)) {
            values[*n] = xmlGetNoNsProp(c, (const xmlChar *)"name");
            names[*n] = (const char *)values[*n];
            (*n)++;
        }
    }
}

/* A rule or the default rule. */
static int build_rule(plaint_routing_policy *p, const xmlNode *node, int is_default,
                      plaint_error *err)
{
    xmlChar *cat_values[PLAINT_ROUTING_MAX_MATCH];
    xmlChar *ch_values[PLAINT_ROUTING_MAX_MATCH];
    const char *categories[PLAINT_ROUTING_MAX_MATCH];
    const char *channels[PLAINT_ROUTING_MAX_MATCH];
    xmlChar *v[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    plaint_routing_rule r;
    size_t i;
    int rc;

    memset(&r, 0, sizeof(r));
    r.name = attr(&v[0], node, "name");
    r.team = attr(&v[1], node, "team");
    r.investigation_role = attr(&v[2], node, "investigation-role");
    r.tier2_role = attr(&v[3], node, "tier2-role");
    r.checklist = attr(&v[4], node, "checklist");
    r.min_level = attr(&v[5], node, "min-level");
    collect_names(cat_values, categories, &r.ncategories, PLAINT_ROUTING_MAX_MATCH, node,
                  "category");
    collect_names(ch_values, channels, &r.nchannels, PLAINT_ROUTING_MAX_MATCH, node, "channel");
    r.categories = categories;
    r.channels = channels;
    rc = is_default ? plaint_routing_set_default(p, &r, err) : plaint_routing_add_rule(p, &r, err);
    for (i = 0; i < r.ncategories; i++) {
        xmlFree(cat_values[i]);
    }
    for (i = 0; i < r.nchannels; i++) {
        xmlFree(ch_values[i]);
    }
    for (i = 0; i < 6; i++) {
        xmlFree(v[i]);
    }
    return rc;
}

/* Builds a new policy into *(plaint_routing_policy **)arg; the caller frees it on failure. */
static int build_routing(void *arg, xmlDocPtr doc, const char *path, plaint_error *err)
{
    plaint_routing_policy **p = arg;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *section;
    const xmlNode *n;
    int rc;

    if (root == NULL || !is_element(root, "policy")) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: the root element is not policy", path);
    }
    rc = plaint_routing_policy_new(p, err);
    /* the schema orders the sections: checklists first, so rules can name them */
    for (section = root->children; section != NULL && rc == 0; section = section->next) {
        int checklists = is_element(section, "checklists");
        if (!checklists && !is_element(section, "rules")) {
            continue;
        }
        for (n = section->children; n != NULL && rc == 0; n = n->next) {
            if (checklists && is_element(n, "checklist")) {
                rc = build_checklist(*p, n, path, err);
            } else if (!checklists && (is_element(n, "rule") || is_element(n, "default"))) {
                rc = build_rule(*p, n, is_element(n, "default"), err);
                if (rc < 0) {
                    rc = plaint_policy_xml_fail_at(err, rc, path, n);
                }
            }
        }
    }
    if (rc == 0) {
        rc = plaint_routing_policy_check(*p, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, root);
        }
    }
    return rc;
}

int plaint_policy_load_routing(plaint_routing_policy **out, unsigned char *sha256_out,
                               const char *xml_path, const char *xsd_path, plaint_error *err)
{
    plaint_routing_policy *p = NULL;
    int rc = plaint_policy_xml_load(sha256_out, xml_path, xsd_path, build_routing, &p, err);

    if (rc == 0) {
        *out = p;
        p = NULL; /* ownership moved to caller */
    }
    plaint_routing_policy_free(p);
    return rc;
}
