/* Loads policies/escalation.xml (validated against schemas/xml/escalation.xsd by the shared
 * loader, policy/xml_load.c), then builds the pure escalation policy (core/escalation). */
#include "plaint/escalation.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/xml_load.h"

#define ESCALATION_NS "urn:plaint:escalation:1"

static int is_element(const xmlNode *n, const char *local)
{
    return plaint_policy_xml_is_element(n, ESCALATION_NS, local);
}

/* A whole-number attribute within min..max (the schema has checked its form already; this
 * guards against an edited schema). */
static int read_int(int *out, const xmlNode *node, const char *name, int min, int max,
                    plaint_error *err)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *end = NULL;
    long n = 0;
    int rc = 0;

    if (v != NULL) {
        errno = 0;
        n = strtol((const char *)v, &end, 10);
    }
    if (v == NULL || end == (char *)v || *end != '\0' || errno != 0 || n < min || n > max) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0,
                                 "%s must be a whole number from %d to %d", name, min, max);
    }
    xmlFree(v);
    *out = rc == 0 ? (int)n : 0;
    return rc;
}

typedef int (*add_fn)(plaint_escalation_policy *p, const char *name, plaint_error *err);

/* Calls add with the name attribute of every child of parent named local. */
static int add_names(plaint_escalation_policy *p, const xmlNode *parent, const char *local,
                     add_fn add, const char *path, plaint_error *err)
{
    const xmlNode *n;

    for (n = parent->children; n != NULL; n = n->next) {
        xmlChar *name;
        int rc;
        if (!is_element(n, local)) {
            continue;
        }
        name = xmlGetNoNsProp(n, (const xmlChar *)"name");
        rc = add(p, (const char *)name, err);
        xmlFree(name);
        if (rc < 0) {
            return plaint_policy_xml_fail_at(err, rc, path, n);
        }
    }
    return 0;
}

/* The name attributes of the children of node named local, at most max; *n counts them (each
 * value freed by the caller with xmlFree). */
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

/* Storage for the strings of one rule while it is built. */
typedef struct rule_strings {
    xmlChar *name;
    xmlChar *target;
    xmlChar *level;
    xmlChar *timer_values[3];
    const char *timers[3];
    xmlChar *tier_values[PLAINT_ESCALATION_MAX_LIST];
    const char *tiers[PLAINT_ESCALATION_MAX_LIST];
} rule_strings;

/* Reads one condition element c into r. */
static int read_condition(plaint_escalation_rule *r, rule_strings *s, const xmlNode *c,
                          plaint_error *err)
{
    if (is_element(c, "severity-level")) {
        s->level = xmlGetNoNsProp(c, (const xmlChar *)"at-least");
        r->min_level = (const char *)s->level;
        if (r->min_level == NULL) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "at-least", 0, 0,
                                       "at-least is required");
        }
    } else if (is_element(c, "severity-score")) {
        return read_int(&r->min_score, c, "at-least", 1, 100, err);
    } else if (is_element(c, "sla-breach")) {
        r->sla_breach = 1;
        collect_names(s->timer_values, s->timers, &r->ntimers, 3, c, "timer");
        r->timers = s->timers;
    } else if (is_element(c, "customer-tier")) {
        collect_names(s->tier_values, s->tiers, &r->ntiers, PLAINT_ESCALATION_MAX_LIST, c, "tier");
        r->tiers = s->tiers;
        if (r->ntiers == 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "tier", 0, 0,
                                       "customer-tier names no tier");
        }
    } else if (is_element(c, "regulated-category")) {
        r->regulated_category = 1;
    } else if (is_element(c, "public-channel")) {
        r->public_channel = 1;
    } else if (is_element(c, "repeat-complaint")) {
        return read_int(&r->min_recent, c, "at-least", 1, PLAINT_ESCALATION_MAX_RECENT, err);
    }
    return 0;
}

static int build_rule(plaint_escalation_policy *p, const xmlNode *node, const char *path,
                      plaint_error *err)
{
    plaint_escalation_rule r;
    rule_strings s;
    const xmlNode *c;
    size_t i;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    memset(&s, 0, sizeof(s));
    s.name = xmlGetNoNsProp(node, (const xmlChar *)"name");
    s.target = xmlGetNoNsProp(node, (const xmlChar *)"target");
    r.name = (const char *)s.name;
    r.target = (const char *)s.target;
    for (c = node->children; c != NULL && rc == 0; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            rc = read_condition(&r, &s, c, err);
            if (rc < 0) {
                rc = plaint_policy_xml_fail_at(err, rc, path, c);
            }
        }
    }
    if (rc == 0) {
        rc = plaint_escalation_add_rule(p, &r, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, node);
        }
    }
    xmlFree(s.name);
    xmlFree(s.target);
    xmlFree(s.level);
    for (i = 0; i < r.ntimers; i++) {
        xmlFree(s.timer_values[i]);
    }
    for (i = 0; i < r.ntiers; i++) {
        xmlFree(s.tier_values[i]);
    }
    return rc;
}

static int build_window(plaint_escalation_policy *p, const xmlNode *node, const char *path,
                        plaint_error *err)
{
    int days = 0;
    int rc = read_int(&days, node, "days", 1, PLAINT_ESCALATION_MAX_WINDOW_DAYS, err);

    if (rc == 0) {
        rc = plaint_escalation_set_repeat_window(p, days, err);
    }
    return rc < 0 ? plaint_policy_xml_fail_at(err, rc, path, node) : 0;
}

static int build_rules(plaint_escalation_policy *p, const xmlNode *node, const char *path,
                       plaint_error *err)
{
    const xmlNode *n;
    int rc = 0;

    for (n = node->children; n != NULL && rc == 0; n = n->next) {
        if (is_element(n, "rule")) {
            rc = build_rule(p, n, path, err);
        }
    }
    return rc;
}

/* Builds a new policy into *(plaint_escalation_policy **)arg; the caller frees it on failure. */
static int build_escalation(void *arg, xmlDocPtr doc, const char *path, plaint_error *err)
{
    plaint_escalation_policy **p = arg;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *n;
    int rc;

    if (root == NULL || !is_element(root, "policy")) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: the root element is not policy", path);
    }
    rc = plaint_escalation_policy_new(p, err);
    /* the schema orders the sections: the path comes before the rules that name its targets */
    for (n = root->children; n != NULL && rc == 0; n = n->next) {
        if (is_element(n, "path")) {
            rc = add_names(*p, n, "target", plaint_escalation_add_target, path, err);
        } else if (is_element(n, "repeat-window")) {
            rc = build_window(*p, n, path, err);
        } else if (is_element(n, "regulated-categories")) {
            rc = add_names(*p, n, "category", plaint_escalation_add_regulated_category, path, err);
        } else if (is_element(n, "public-channels")) {
            rc = add_names(*p, n, "channel", plaint_escalation_add_public_channel, path, err);
        } else if (is_element(n, "rules")) {
            rc = build_rules(*p, n, path, err);
        }
    }
    if (rc == 0) {
        rc = plaint_escalation_policy_check(*p, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, root);
        }
    }
    return rc;
}

int plaint_policy_load_escalation(plaint_escalation_policy **out, unsigned char *sha256_out,
                                  const char *xml_path, const char *xsd_path, plaint_error *err)
{
    plaint_escalation_policy *p = NULL;
    int rc = plaint_policy_xml_load(sha256_out, xml_path, xsd_path, build_escalation, &p, err);

    if (rc == 0) {
        *out = p;
        p = NULL; /* ownership moved to caller */
    }
    plaint_escalation_policy_free(p);
    return rc;
}
