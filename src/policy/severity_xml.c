/* Loads policies/severity.xml (validated against schemas/xml/severity.xsd by the shared loader,
 * policy/xml_load.c), then builds the pure severity policy (core/severity). */
#include "plaint/severity.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/xml_load.h"

#define SEVERITY_NS "urn:plaint:severity:1"

static int is_element(const xmlNode *n, const char *local)
{
    return plaint_policy_xml_is_element(n, SEVERITY_NS, local);
}

/* The first child element of parent named local, or NULL. */
static const xmlNode *child(const xmlNode *parent, const char *local)
{
    const xmlNode *n;

    for (n = parent->children; n != NULL; n = n->next) {
        if (is_element(n, local)) {
            return n;
        }
    }
    return NULL;
}

/* An integer attribute within min..max; *present says whether it was there (the schema has
 * already checked its form, this guards against a schema that was edited). */
static int read_int64(int64_t *out, int *present, const xmlNode *node, const char *name,
                      int64_t min, int64_t max, plaint_error *err)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *end = NULL;
    long long n;
    int rc = 0;

    *present = v != NULL;
    *out = 0;
    if (v == NULL) {
        return 0;
    }
    errno = 0;
    n = strtoll((const char *)v, &end, 10);
    if (end == (char *)v || *end != '\0' || errno != 0 || n < min || n > max) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0,
                                 "%s must be a whole number from %lld to %lld", name,
                                 (long long)min, (long long)max);
    } else {
        *out = (int64_t)n;
    }
    xmlFree(v);
    return rc;
}

/* A required points attribute. */
static int read_points(int *out, const xmlNode *node, const char *name, plaint_error *err)
{
    int64_t v = 0;
    int present = 0;
    int rc = read_int64(&v, &present, node, name, PLAINT_SEVERITY_POINTS_MIN,
                        PLAINT_SEVERITY_POINTS_MAX, err);

    if (rc == 0 && !present) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0, "%s is required", name);
    }
    *out = (int)v;
    return rc;
}

static int build_category(plaint_severity_policy *p, const xmlNode *node, plaint_error *err)
{
    xmlChar *name = xmlGetNoNsProp(node, (const xmlChar *)"name");
    int points = 0;
    int rc = read_points(&points, node, "points", err);

    if (rc == 0) {
        rc = plaint_severity_add_category(p, (const char *)name, points, err);
    }
    xmlFree(name);
    return rc;
}

static int build_band(plaint_severity_policy *p, const xmlNode *node, plaint_error *err)
{
    plaint_severity_band b;
    int rc;

    memset(&b, 0, sizeof(b));
    rc = read_int64(&b.up_to_minor, &b.bounded, node, "up-to", INT64_MIN, INT64_MAX, err);
    if (rc == 0) {
        rc = read_points(&b.points, node, "points", err);
    }
    if (rc == 0) {
        rc = plaint_severity_add_band(p, &b, err);
    }
    return rc;
}

static int build_channel(plaint_severity_policy *p, const xmlNode *node, plaint_error *err)
{
    xmlChar *name = xmlGetNoNsProp(node, (const xmlChar *)"name");
    int rc = plaint_severity_add_public_channel(p, (const char *)name, err);

    xmlFree(name);
    return rc;
}

typedef int (*child_fn)(plaint_severity_policy *p, const xmlNode *node, plaint_error *err);

/* Runs fn on every child of parent named local; errors name the child's line. */
static int build_children(plaint_severity_policy *p, const xmlNode *parent, const char *local,
                          child_fn fn, const char *path, plaint_error *err)
{
    const xmlNode *n;
    int rc;

    for (n = parent->children; n != NULL; n = n->next) {
        if (!is_element(n, local)) {
            continue;
        }
        rc = fn(p, n, err);
        if (rc < 0) {
            return plaint_policy_xml_fail_at(err, rc, path, n);
        }
    }
    return 0;
}

static int build_categories(plaint_severity_policy *p, const xmlNode *node, const char *path,
                            plaint_error *err)
{
    int points = 0;
    int rc = read_points(&points, node, "default-points", err);

    if (rc == 0) {
        rc = plaint_severity_set_default_points(p, points, err);
    }
    if (rc < 0) {
        return plaint_policy_xml_fail_at(err, rc, path, node);
    }
    return build_children(p, node, "category", build_category, path, err);
}

static int build_value(plaint_severity_policy *p, const xmlNode *node, const char *path,
                       plaint_error *err)
{
    xmlChar *currency = xmlGetNoNsProp(node, (const xmlChar *)"currency");
    const plaint_severity_band *last;
    int rc = plaint_severity_set_currency(p, (const char *)currency, err);

    xmlFree(currency);
    if (rc < 0) {
        return plaint_policy_xml_fail_at(err, rc, path, node);
    }
    rc = build_children(p, node, "band", build_band, path, err);
    if (rc < 0) {
        return rc;
    }
    last = plaint_severity_get_band(p, plaint_severity_count_bands(p) - 1);
    if (last == NULL || last->bounded) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "up-to", 0, 0,
                                 "the last band must have no up-to: it takes every larger value");
        return plaint_policy_xml_fail_at(err, rc, path, node);
    }
    return 0;
}

static int build_urgency(plaint_severity_policy *p, const xmlNode *node, const char *path,
                         plaint_error *err)
{
    static const char *const names[PLAINT_SEVERITY_URGENCIES] = {"low", "normal", "high",
                                                                 "critical"};
    size_t i;
    int rc = 0;

    for (i = 0; i < PLAINT_SEVERITY_URGENCIES && rc == 0; i++) {
        int points = 0;
        rc = read_points(&points, node, names[i], err);
        if (rc == 0) {
            rc = plaint_severity_set_urgency(p, names[i], points, err);
        }
    }
    return rc < 0 ? plaint_policy_xml_fail_at(err, rc, path, node) : 0;
}

static int build_exposure(plaint_severity_policy *p, const xmlNode *node, const char *path,
                          plaint_error *err)
{
    int points = 0;
    int rc = read_points(&points, node, "points", err);

    if (rc == 0) {
        rc = plaint_severity_set_exposure_points(p, points, err);
    }
    if (rc < 0) {
        return plaint_policy_xml_fail_at(err, rc, path, node);
    }
    return build_children(p, node, "public-channel", build_channel, path, err);
}

static int build_levels(plaint_severity_policy *p, const xmlNode *node, const char *path,
                        plaint_error *err)
{
    static const char *const names[3] = {"medium", "high", "critical"};
    int64_t v[3] = {0, 0, 0};
    size_t i;
    int rc = 0;

    for (i = 0; i < 3 && rc == 0; i++) {
        int present = 0;
        rc = read_int64(&v[i], &present, node, names[i], 1, PLAINT_SEVERITY_SCORE_MAX, err);
        if (rc == 0 && !present) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, names[i], 0, 0, "%s is required",
                                     names[i]);
        }
    }
    if (rc == 0) {
        rc = plaint_severity_set_thresholds(p, (int)v[0], (int)v[1], (int)v[2], err);
    }
    return rc < 0 ? plaint_policy_xml_fail_at(err, rc, path, node) : 0;
}

typedef int (*section_fn)(plaint_severity_policy *p, const xmlNode *node, const char *path,
                          plaint_error *err);

/* Builds a new policy into *(plaint_severity_policy **)arg; the caller frees it on failure. */
static int build_severity(void *arg, xmlDocPtr doc, const char *path, plaint_error *err)
{
    static const struct {
        const char *name;
        section_fn fn;
    } sections[] = {
        {"categories", build_categories}, {"lifetime-value", build_value},
        {"urgency", build_urgency},       {"exposure", build_exposure},
        {"levels", build_levels},
    };
    plaint_severity_policy **p = arg;
    const xmlNode *root = xmlDocGetRootElement(doc);
    size_t i;
    int rc;

    if (root == NULL || !is_element(root, "policy")) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: the root element is not policy", path);
    }
    rc = plaint_severity_policy_new(p, err);
    for (i = 0; i < sizeof(sections) / sizeof(sections[0]) && rc == 0; i++) {
        const xmlNode *n = child(root, sections[i].name);
        if (n == NULL) {
            rc = plaint_error_set(err, PLAINT_EINVALID, "missing element %s", sections[i].name);
            return plaint_policy_xml_fail_at(err, rc, path, root);
        }
        rc = sections[i].fn(*p, n, path, err);
    }
    if (rc == 0) {
        rc = plaint_severity_policy_check(*p, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, root);
        }
    }
    return rc;
}

int plaint_policy_load_severity(plaint_severity_policy **out, unsigned char *sha256_out,
                                const char *xml_path, const char *xsd_path, plaint_error *err)
{
    plaint_severity_policy *p = NULL;
    int rc = plaint_policy_xml_load(sha256_out, xml_path, xsd_path, build_severity, &p, err);

    if (rc == 0) {
        *out = p;
        p = NULL; /* ownership moved to caller */
    }
    plaint_severity_policy_free(p);
    return rc;
}
