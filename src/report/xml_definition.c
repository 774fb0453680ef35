/* Report definitions: read the file, parse without DOCTYPE, validate against
 * report-definition.xsd, and build a plaint_report_def, checking what the schema cannot say
 * (the fallback names a group, valid-from is not after valid-to). */
#include "plaint/report_definition.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/xml_doc.h"

#define NS PLAINT_REPORT_DEFINITION_NS

static const char *const FIGURE_NAMES[] = {
    "outstanding-at-start",      "opened", "closed",  "closed-within-summary-days",
    "closed-within-final-weeks", "upheld", "redress", "root-causes"};

static int fail_at(plaint_error *err, const char *name, const xmlNode *n, const char *fmt,
                   const char *arg)
{
    char msg[200];
    long line = xmlGetLineNo(n);

    snprintf(msg, sizeof(msg), fmt, arg);
    return plaint_error_set_at(err, PLAINT_EINVALID, NULL, line > 0 ? (unsigned long)line : 0, 0,
                               "%s:%ld: %s", name, line > 0 ? line : 0, msg);
}

static int dup_attr(char **out, const xmlNode *n, const char *attr, plaint_error *err)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)attr);

    *out = NULL;
    if (v == NULL) {
        *out = strdup("");
    } else {
        *out = strdup((const char *)v);
        xmlFree(v);
    }
    return *out == NULL ? plaint_error_set(err, PLAINT_ENOMEM, "out of memory") : 0;
}

static int dup_text(char **out, const xmlNode *n, plaint_error *err)
{
    xmlChar *v = xmlNodeGetContent(n);

    *out = strdup(v != NULL ? (const char *)v : "");
    xmlFree(v);
    return *out == NULL ? plaint_error_set(err, PLAINT_ENOMEM, "out of memory") : 0;
}

static int int_attr(int *out, const xmlNode *n, const char *attr)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)attr);

    *out = v != NULL ? (int)strtol((const char *)v, NULL, 10) : 0;
    xmlFree(v);
    return 0;
}

static size_t count_children(const xmlNode *n, const char *local)
{
    size_t k = 0;
    const xmlNode *c;

    for (c = n->children; c != NULL; c = c->next) {
        if (plaint_xml_doc_is(c, NS, local)) {
            k++;
        }
    }
    return k;
}

static int build_groups(plaint_report_def *d, const xmlNode *groups, const char *name,
                        plaint_error *err)
{
    const xmlNode *g;
    const xmlNode *c;
    char *fallback = NULL;
    size_t total = 0;
    size_t i;
    int rc = 0;

    for (g = groups->children; g != NULL; g = g->next) {
        if (plaint_xml_doc_is(g, NS, "group")) {
            total += count_children(g, "category");
        }
    }
    d->categories = calloc(total + 1, sizeof(char *));
    d->category_group = calloc(total + 1, sizeof(size_t));
    if (d->categories == NULL || d->category_group == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    for (g = groups->children; rc == 0 && g != NULL; g = g->next) {
        if (!plaint_xml_doc_is(g, NS, "group")) {
            continue;
        }
        if (d->ngroups == PLAINT_REPORT_MAX_GROUPS) {
            return fail_at(err, name, g, "more than %s groups", "64");
        }
        rc = dup_attr(&d->groups[d->ngroups].id, g, "id", err);
        if (rc == 0) {
            rc = dup_attr(&d->groups[d->ngroups].name, g, "name", err);
        }
        for (c = g->children; rc == 0 && c != NULL; c = c->next) {
            if (plaint_xml_doc_is(c, NS, "category")) {
                rc = dup_text(&d->categories[d->ncategories], c, err);
                d->category_group[d->ncategories++] = d->ngroups;
            }
        }
        d->ngroups++;
    }
    if (rc == 0) {
        rc = dup_attr(&fallback, groups, "fallback", err);
    }
    if (rc == 0) {
        for (i = 0; i < d->ngroups && strcmp(d->groups[i].id, fallback) != 0; i++) {
        }
        if (i == d->ngroups) {
            rc = fail_at(err, name, groups, "fallback group \"%s\" is not a declared group",
                         fallback);
        }
        d->fallback = i;
    }
    free(fallback);
    return rc;
}

static int build_causes(plaint_report_def *d, const xmlNode *causes, plaint_error *err)
{
    const xmlNode *c;
    const xmlNode *v;
    size_t total = 0;
    int rc;

    d->has_causes = 1;
    for (c = causes->children; c != NULL; c = c->next) {
        if (plaint_xml_doc_is(c, NS, "cause")) {
            total += count_children(c, "value");
        }
    }
    d->cause_values = calloc(total + 1, sizeof(char *));
    d->cause_names = calloc(total + 1, sizeof(char *));
    if (d->cause_values == NULL || d->cause_names == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    rc = dup_attr(&d->cause_fallback, causes, "fallback", err);
    if (rc == 0) {
        rc = dup_attr(&d->cause_unrecorded, causes, "unrecorded", err);
    }
    for (c = causes->children; rc == 0 && c != NULL; c = c->next) {
        if (!plaint_xml_doc_is(c, NS, "cause")) {
            continue;
        }
        for (v = c->children; rc == 0 && v != NULL; v = v->next) {
            if (plaint_xml_doc_is(v, NS, "value")) {
                rc = dup_text(&d->cause_values[d->ncause_values], v, err);
                if (rc == 0) {
                    rc = dup_attr(&d->cause_names[d->ncause_values], c, "name", err);
                }
                d->ncause_values++;
            }
        }
    }
    return rc;
}

static int build_figures(plaint_report_def *d, const xmlNode *figures, plaint_error *err)
{
    const xmlNode *f;
    size_t i;

    for (f = figures->children; f != NULL; f = f->next) {
        xmlChar *v;

        if (!plaint_xml_doc_is(f, NS, "figure")) {
            continue;
        }
        v = xmlNodeGetContent(f);
        for (i = 0; v != NULL && i < sizeof(FIGURE_NAMES) / sizeof(FIGURE_NAMES[0]); i++) {
            if (strcmp((const char *)v, FIGURE_NAMES[i]) == 0) {
                d->figures |= 1u << i;
            }
        }
        xmlFree(v);
    }
    (void)err;
    return 0;
}

static int build_dates(plaint_report_def *d, const xmlNode *root, const char *name,
                       plaint_error *err)
{
    plaint_period a;
    plaint_period b;
    int rc = plaint_xml_doc_attr(d->valid_from, sizeof(d->valid_from), root, "valid-from", err);

    if (rc == 0) {
        rc = plaint_xml_doc_attr(d->valid_to, sizeof(d->valid_to), root, "valid-to", err);
    }
    if (rc == 0 && (plaint_period_parse(d->valid_from, &a, NULL) < 0 ||
                    plaint_period_parse(d->valid_to, &b, NULL) < 0)) {
        return fail_at(err, name, root, "valid-from or valid-to is not a date 1000..9999%s", "");
    }
    if (rc == 0 && b.from < a.from) {
        return fail_at(err, name, root, "valid-from %s is after valid-to", d->valid_from);
    }
    if (rc == 0) {
        d->valid_start = a.from;
        d->valid_end = b.to;
    }
    return rc;
}

static int build(plaint_report_def *d, xmlDocPtr doc, const char *name, plaint_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr firm = plaint_xml_doc_child(root, NS, "firm");
    xmlNodePtr limits = plaint_xml_doc_child(root, NS, "time-limits");
    xmlNodePtr groups = plaint_xml_doc_child(root, NS, "groups");
    xmlNodePtr causes = plaint_xml_doc_child(root, NS, "root-causes");
    xmlNodePtr figures = plaint_xml_doc_child(root, NS, "figures");
    xmlChar *version = xmlGetNoNsProp(root, (const xmlChar *)"version");
    xmlBufferPtr xb;
    int rc;

    d->version = version != NULL ? strtol((const char *)version, NULL, 10) : 0;
    xmlFree(version);
    rc = dup_attr(&d->id, root, "id", err);
    if (rc == 0) {
        rc = dup_attr(&d->title, root, "title", err);
    }
    if (rc == 0) {
        rc = build_dates(d, root, name, err);
    }
    if (rc == 0) {
        rc = dup_attr(&d->firm_name, firm, "name", err);
    }
    if (rc == 0) {
        rc = dup_attr(&d->firm_scheme, firm, "scheme", err);
    }
    if (rc == 0) {
        rc = dup_attr(&d->firm_reference, firm, "reference", err);
    }
    if (rc == 0) {
        rc = dup_attr(&d->calendar, limits, "calendar", err);
        int_attr(&d->summary_days, limits, "summary-business-days");
        int_attr(&d->final_weeks, limits, "final-weeks");
    }
    if (rc == 0) {
        rc = build_groups(d, groups, name, err);
    }
    if (rc == 0 && causes != NULL) {
        rc = build_causes(d, causes, err);
    }
    if (rc == 0) {
        rc = build_figures(d, figures, err);
    }
    if (rc == 0) {
        xb = xmlBufferCreate();
        if (xb == NULL || xmlNodeDump(xb, doc, root, 0, 0) < 0) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory serialising %s", name);
        } else {
            rc = plaint_buf_append(&d->xml, xmlBufferContent(xb), (size_t)xmlBufferLength(xb), err);
        }
        xmlBufferFree(xb);
    }
    return rc;
}

int plaint_report_def_parse(plaint_report_def **out, const void *data, size_t len, const char *name,
                            const unsigned char *sha256, const char *xsd_dir, plaint_error *err)
{
    plaint_report_def *d = NULL;
    xmlDocPtr doc = NULL;
    char xsd[4096];
    int rc;
    int k = snprintf(xsd, sizeof(xsd), "%s/%s", xsd_dir, PLAINT_REPORT_DEFINITION_XSD);

    *out = NULL;
    if (k < 0 || (size_t)k >= sizeof(xsd)) {
        return plaint_error_set(err, PLAINT_EIO, "schema directory path too long");
    }
    if (len > PLAINT_REPORT_MAX_DEFINITION_BYTES) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: larger than %zu bytes", name,
                                PLAINT_REPORT_MAX_DEFINITION_BYTES);
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    if (sha256 != NULL) {
        memcpy(d->sha256, sha256, PLAINT_HASH_LEN);
        rc = 0;
    } else {
        rc = plaint_sha256_digest(d->sha256, data, len, err);
    }
    if (rc == 0) {
        rc = plaint_xml_doc_parse(&doc, data, len, name, err);
    }
    if (rc == 0) {
        rc = plaint_xml_doc_validate(doc, xsd, name, err);
    }
    if (rc == 0) {
        rc = build(d, doc, name, err);
    }
    xmlFreeDoc(doc);
    if (rc < 0) {
        plaint_report_def_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int plaint_report_def_load(plaint_report_def **out, const char *path, const char *xsd_dir,
                           plaint_error *err)
{
    plaint_buf raw = PLAINT_BUF_INIT;
    int rc = plaint_buf_read_file(&raw, path, PLAINT_REPORT_MAX_DEFINITION_BYTES, err);

    *out = NULL;
    if (rc == PLAINT_ERANGE) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s: larger than %zu bytes", path,
                              PLAINT_REPORT_MAX_DEFINITION_BYTES);
    } else if (rc < 0 && rc != PLAINT_ENOMEM) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot read report definition %s: %s", path,
                              err != NULL ? err->message : "");
    }
    if (rc == 0) {
        rc = plaint_report_def_parse(out, raw.data, raw.len, path, NULL, xsd_dir, err);
    }
    plaint_buf_clear(&raw);
    return rc;
}

static void free_strings(char **v, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++) {
        free(v[i]);
    }
    free(v);
}

void plaint_report_def_free(plaint_report_def *d)
{
    size_t i;

    if (d == NULL) {
        return;
    }
    free(d->id);
    free(d->title);
    free(d->firm_name);
    free(d->firm_scheme);
    free(d->firm_reference);
    free(d->calendar);
    for (i = 0; i < d->ngroups; i++) {
        free(d->groups[i].id);
        free(d->groups[i].name);
    }
    free_strings(d->categories, d->ncategories);
    free(d->category_group);
    free(d->cause_fallback);
    free(d->cause_unrecorded);
    free_strings(d->cause_values, d->ncause_values);
    free_strings(d->cause_names, d->ncause_values);
    plaint_buf_clear(&d->xml);
    free(d);
}

int plaint_report_def_check_period(const plaint_report_def *d, const plaint_period *p,
                                   plaint_error *err)
{
    if (p->from < d->valid_start || p->to > d->valid_end) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "period", 0, 0,
                                   "period %s is outside the validity of report definition %s v%ld "
                                   "(%s..%s)",
                                   p->label, d->id, d->version, d->valid_from, d->valid_to);
    }
    return 0;
}
