/* Loads policies/sla.xml (validated against schemas/xml/sla.xsd by the shared loader,
 * policy/xml_load.c), then builds the pure SLA policy (core/sla, core/bizcal). Errors the schema
 * cannot catch name the line of the element at fault. */
#include "plaint/sla.h"

#include <stdlib.h>
#include <string.h>

#include "policy/xml_load.h"

#define SLA_NS "urn:plaint:sla:1"

/* An attribute's value, or NULL; caller frees with xmlFree. */
static xmlChar *attr(const xmlNode *node, const char *name)
{
    return xmlGetNoNsProp(node, (const xmlChar *)name);
}

/* "sat sun" -> a weekday mask; the schema allows only the seven names, separated by space. */
static int parse_weekend(unsigned *out, const char *s, plaint_error *err)
{
    static const char *const names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    unsigned mask = 0;
    size_t i = 0;

    while (s[i] != '\0') {
        size_t n = 0;
        int w;
        int found = -1;
        while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            i++;
        }
        while (s[i + n] != '\0' && s[i + n] != ' ' && s[i + n] != '\t' && s[i + n] != '\n' &&
               s[i + n] != '\r') {
            n++;
        }
        if (n == 0) {
            break;
        }
        for (w = 0; w < 7; w++) {
            if (n == 3 && memcmp(s + i, names[w], 3) == 0) {
                found = w;
            }
        }
        if (found < 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "weekend", 0, 0,
                                       "the weekend lists days as sun mon tue wed thu fri sat");
        }
        if (mask & (1u << found)) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "weekend", 0, 0,
                                       "the weekend lists %s twice", names[found]);
        }
        mask |= 1u << found;
        i += n;
    }
    *out = mask;
    return 0;
}

/* "HH:MM" (schema-checked) -> seconds after midnight. */
static int parse_close(int32_t *out, const char *s, plaint_error *err)
{
    if (strlen(s) != 5 || s[2] != ':') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "close", 0, 0,
                                   "the close of business is HH:MM");
    }
    *out = ((s[0] - '0') * 10 + (s[1] - '0')) * 3600 + ((s[3] - '0') * 10 + (s[4] - '0')) * 60;
    return 0;
}

static int add_holiday(plaint_bizcal *cal, const xmlNode *node, plaint_error *err)
{
    xmlChar *date = attr(node, "date");
    plaint_bizcal_date d;
    int rc = plaint_bizcal_date_parse(&d, (const char *)date, err);

    if (rc == 0) {
        rc = plaint_bizcal_add_holiday(cal, d, err);
    }
    xmlFree(date);
    return rc;
}

/* Builds one calendar and hands it to the policy. Errors in a holiday name its line. */
static int build_calendar(plaint_sla_policy *p, const xmlNode *node, const char *path,
                          plaint_error *err)
{
    xmlChar *id = attr(node, "id");
    xmlChar *tz = attr(node, "tz");
    xmlChar *weekend = attr(node, "weekend");
    xmlChar *close = attr(node, "close");
    plaint_bizcal *cal = NULL;
    const xmlNode *n;
    unsigned mask = PLAINT_BIZCAL_WEEKEND_SAT_SUN;
    int32_t close_s = 17 * 3600;
    int rc;

    rc = plaint_bizcal_new(&cal, (const char *)id, (const char *)tz, err);
    if (rc == 0 && weekend != NULL) {
        rc = parse_weekend(&mask, (const char *)weekend, err);
    }
    if (rc == 0) {
        rc = plaint_bizcal_set_weekend(cal, mask, err);
    }
    if (rc == 0 && close != NULL) {
        rc = parse_close(&close_s, (const char *)close, err);
    }
    if (rc == 0) {
        rc = plaint_bizcal_set_close(cal, close_s, err);
    }
    if (rc < 0) {
        rc = plaint_policy_xml_fail_at(err, rc, path, node);
    }
    for (n = node->children; n != NULL && rc == 0; n = n->next) {
        if (plaint_policy_xml_is_element(n, SLA_NS, "holiday")) {
            rc = add_holiday(cal, n, err);
            if (rc < 0) {
                rc = plaint_policy_xml_fail_at(err, rc, path, n);
            }
        }
    }
    if (rc == 0) {
        rc = plaint_sla_add_calendar(p, cal, err); /* takes cal, whatever the result */
        cal = NULL;
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, node);
        }
    }
    plaint_bizcal_free(cal);
    xmlFree(id);
    xmlFree(tz);
    xmlFree(weekend);
    xmlFree(close);
    return rc;
}

/* A whole number attribute within 1..max (the schema has checked the digits). */
static int read_count(int *out, const xmlNode *node, const char *name, int max, plaint_error *err)
{
    xmlChar *v = attr(node, name);
    char *end = NULL;
    long n;
    int rc = 0;

    if (v == NULL) {
        return 0;
    }
    n = strtol((const char *)v, &end, 10);
    if (end == (char *)v || *end != '\0' || n < 1 || n > max) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0,
                                 "%s must be a whole number from 1 to %d", name, max);
    } else {
        *out = (int)n;
    }
    xmlFree(v);
    return rc;
}

/* A timer element: business-days="n" or (final-response only) weeks="n", exactly one. */
static int read_timer(plaint_sla_timer *out, const xmlNode *node, plaint_error *err)
{
    int days = 0;
    int weeks = 0;
    int rc = read_count(&days, node, "business-days", PLAINT_BIZCAL_MAX_BUSINESS_DAYS, err);

    if (rc == 0) {
        rc = read_count(&weeks, node, "weeks", PLAINT_BIZCAL_MAX_WEEKS, err);
    }
    if (rc < 0) {
        return rc;
    }
    if ((days > 0) == (weeks > 0)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, (const char *)node->name, 0, 0,
                                   "%s needs exactly one of business-days and weeks",
                                   (const char *)node->name);
    }
    out->unit = days > 0 ? PLAINT_SLA_BUSINESS_DAYS : PLAINT_SLA_WEEKS;
    out->count = days > 0 ? days : weeks;
    return 0;
}

/* Reads a target or the default; its timers' errors name the timer's line. */
static int build_target(plaint_sla_policy *p, const xmlNode *node, int is_default, const char *path,
                        plaint_error *err)
{
    xmlChar *id = attr(node, "id");
    xmlChar *severity = attr(node, "severity");
    xmlChar *category = attr(node, "category");
    xmlChar *calendar = attr(node, "calendar");
    plaint_sla_target t;
    const xmlNode *n;
    int rc = 0;

    memset(&t, 0, sizeof(t));
    t.id = id != NULL ? (const char *)id : "default";
    t.category = (const char *)category;
    t.calendar = (const char *)calendar;
    if (severity != NULL) {
        rc = plaint_sla_severity_parse(&t.severity, (const char *)severity, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, node);
        }
    }
    for (n = node->children; n != NULL && rc == 0; n = n->next) {
        plaint_sla_timer *timer = NULL;
        if (plaint_policy_xml_is_element(n, SLA_NS, "first-response")) {
            timer = &t.first_response;
        } else if (plaint_policy_xml_is_element(n, SLA_NS, "summary-resolution")) {
            timer = &t.summary_resolution;
        } else if (plaint_policy_xml_is_element(n, SLA_NS, "final-response")) {
            timer = &t.final_response;
        }
        if (timer != NULL) {
            rc = read_timer(timer, n, err);
            if (rc < 0) {
                rc = plaint_policy_xml_fail_at(err, rc, path, n);
            }
        }
    }
    if (rc == 0) {
        rc = is_default ? plaint_sla_set_default_target(p, &t, err)
                        : plaint_sla_add_target(p, &t, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, node);
        }
    }
    xmlFree(id);
    xmlFree(severity);
    xmlFree(category);
    xmlFree(calendar);
    return rc;
}

/* Builds a new policy into *(plaint_sla_policy **)arg; the caller frees it on failure. */
static int build_sla(void *arg, xmlDocPtr doc, const char *path, plaint_error *err)
{
    plaint_sla_policy **p = arg;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *n;
    int defaults_set = 0;
    int rc;

    if (root == NULL || !plaint_policy_xml_is_element(root, SLA_NS, "policy")) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: the root element is not policy", path);
    }
    rc = plaint_sla_policy_new(p, err);
    for (n = root->children; n != NULL && rc == 0; n = n->next) {
        if (plaint_policy_xml_is_element(n, SLA_NS, "calendar")) {
            rc = build_calendar(*p, n, path, err);
            continue;
        }
        if (!plaint_policy_xml_is_element(n, SLA_NS, "target") &&
            !plaint_policy_xml_is_element(n, SLA_NS, "default")) {
            continue;
        }
        if (!defaults_set) {
            /* calendars come first (schema): the policy's default can be resolved now */
            xmlChar *cal = attr(root, "calendar");
            rc = plaint_sla_set_default_calendar(*p, (const char *)cal, err);
            xmlFree(cal);
            if (rc < 0) {
                rc = plaint_policy_xml_fail_at(err, rc, path, root);
                break;
            }
            defaults_set = 1;
        }
        rc = build_target(*p, n, plaint_policy_xml_is_element(n, SLA_NS, "default"), path, err);
    }
    if (rc == 0) {
        rc = plaint_sla_check(*p, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, root);
        }
    }
    return rc;
}

int plaint_policy_load_sla(plaint_sla_policy **out, unsigned char *sha256_out, const char *xml_path,
                           const char *xsd_path, plaint_error *err)
{
    plaint_sla_policy *p = NULL;
    int rc = plaint_policy_xml_load(sha256_out, xml_path, xsd_path, build_sla, &p, err);

    if (rc == 0) {
        *out = p;
        p = NULL; /* ownership moved to caller */
    }
    plaint_sla_policy_free(p);
    return rc;
}
