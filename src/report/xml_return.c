/* The regulator return and the case export as XML trees, their fixed-point percentages, and
 * the sign-validate-verify pipeline every document passes before it may be written. */
#include "report/xml_return.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/xml_doc.h"
#include "report/xmldsig.h"

/* Counts up to this keep 2 * n * 10000 + d within int64 (n <= d). */
#define PERCENT_MAX_COUNT (INT64_MAX / 20001)

int plaint_report_percent(char out[PLAINT_REPORT_PERCENT_LEN + 1], int64_t n, int64_t d,
                          plaint_error *err)
{
    int64_t h;

    out[0] = '\0';
    if (d <= 0 || n < 0 || n > d) {
        return plaint_error_set(err, PLAINT_EINVALID, "no percentage of %" PRId64 " in %" PRId64, n,
                                d);
    }
    if (d > PERCENT_MAX_COUNT) {
        return plaint_error_set(err, PLAINT_ERANGE, "count %" PRId64 " too large for a percentage",
                                d);
    }
    /* hundredths of a per cent: round(n * 10000 / d), a half rounded up */
    h = (2 * n * 10000 + d) / (2 * d); /* 0 .. 10000 since n <= d */
    {
        char tmp[48];
        int k = snprintf(tmp, sizeof(tmp), "%" PRId64 ".%02" PRId64, h / 100, h % 100);

        if (k < 0 || k > PLAINT_REPORT_PERCENT_LEN) {
            return plaint_error_set(err, PLAINT_ERROR, "percentage out of range");
        }
        memcpy(out, tmp, (size_t)k + 1);
    }
    return 0;
}

/* Removes comments and whitespace-only text below n, so the copy indents like the rest. */
static void strip_blanks(xmlNodePtr n)
{
    xmlNodePtr c = n->children;

    while (c != NULL) {
        xmlNodePtr next = c->next;

        if (c->type == XML_COMMENT_NODE || (c->type == XML_TEXT_NODE && xmlIsBlankNode(c))) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (c->type == XML_ELEMENT_NODE) {
            strip_blanks(c);
        }
        c = next;
    }
}

static int oom(plaint_error *err)
{
    return plaint_error_set(err, PLAINT_ENOMEM, "out of memory building the report");
}

/* A new child element {same ns as parent}name with optional text. */
static xmlNodePtr add(xmlNodePtr parent, const char *name, const char *text)
{
    xmlNodePtr n = parent != NULL ? xmlNewChild(parent, parent->ns, BAD_CAST name, NULL) : NULL;

    if (n != NULL && text != NULL) {
        xmlNodeAddContent(n, BAD_CAST text);
    }
    return n;
}

static int set(xmlNodePtr n, const char *name, const char *value)
{
    return n != NULL && xmlNewProp(n, BAD_CAST name, BAD_CAST value) != NULL ? 0 : -1;
}

static int set_int(xmlNodePtr n, const char *name, int64_t v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%" PRId64, v);
    return set(n, name, buf);
}

int plaint_xml_report_start(xmlDocPtr *out, const char *ns, const char *root_name,
                            const plaint_report_def *d, const plaint_period *p,
                            const plaint_report_anchor *a, plaint_error *err)
{
    plaint_report_bounds b;
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlDocPtr defdoc = NULL;
    xmlNodePtr root;
    xmlNodePtr n;
    xmlNsPtr nsp;
    char hex[2 * PLAINT_HASH_LEN + 1];
    int rc = plaint_report_period_bounds(&b, p, err);
    int bad = 0;

    *out = NULL;
    if (rc < 0) {
        xmlFreeDoc(doc);
        return rc;
    }
    root = doc != NULL ? xmlNewDocNode(doc, NULL, BAD_CAST root_name, NULL) : NULL;
    if (root == NULL) {
        xmlFreeDoc(doc);
        return oom(err);
    }
    xmlDocSetRootElement(doc, root);
    nsp = xmlNewNs(root, BAD_CAST ns, NULL);
    xmlSetNs(root, nsp);
    bad |= set(root, "format-version", "1");
    n = add(root, "firm", NULL);
    bad |= set(n, "name", d->firm_name) | set(n, "scheme", d->firm_scheme) |
           set(n, "reference", d->firm_reference);
    n = add(root, "period", NULL);
    bad |= set(n, "label", p->label) | set(n, "first-day", b.first_day) |
           set(n, "last-day", b.last_day) | set(n, "start", b.from) | set(n, "end", b.to);
    n = add(root, "checkpoint", NULL);
    bad |= set_int(n, "seq", a->seq) | set_int(n, "tree-size", a->tree_size) |
           set(n, "root-hash", a->root_hex) | set(n, "time", a->time);
    n = add(root, "definition", NULL);
    plaint_hex_encode(hex, d->sha256, PLAINT_HASH_LEN);
    bad |= set(n, "sha256", hex);
    if (bad) {
        xmlFreeDoc(doc);
        return oom(err);
    }
    rc = plaint_xml_doc_parse(&defdoc, d->xml.data, d->xml.len, "report definition", err);
    if (rc == 0) {
        xmlNodePtr copy = xmlDocCopyNode(xmlDocGetRootElement(defdoc), doc, 1);

        if (copy == NULL || xmlAddChild(n, copy) == NULL) {
            xmlFreeNode(copy);
            rc = oom(err);
        } else {
            strip_blanks(copy);
        }
    }
    xmlFreeDoc(defdoc);
    if (rc < 0) {
        xmlFreeDoc(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

static int add_count_pct(xmlNodePtr parent, const char *name, int64_t n, int64_t of,
                         plaint_error *err)
{
    char buf[32];
    char pct[PLAINT_REPORT_PERCENT_LEN + 1];
    xmlNodePtr e;
    int rc;

    snprintf(buf, sizeof(buf), "%" PRId64, n);
    e = add(parent, name, buf);
    if (e == NULL) {
        return oom(err);
    }
    if (of > 0) {
        rc = plaint_report_percent(pct, n, of, err);
        if (rc < 0) {
            return rc;
        }
        if (set(e, "percent", pct) < 0) {
            return oom(err);
        }
    }
    return 0;
}

static int add_figures(xmlNodePtr g, unsigned which, const plaint_report_figures *f,
                       plaint_error *err)
{
    char buf[32];
    xmlNodePtr e;
    size_t i;
    int rc = 0;

    if (which & PLAINT_REPORT_FIG_OUTSTANDING) {
        snprintf(buf, sizeof(buf), "%" PRId64, f->outstanding);
        rc |= add(g, "outstanding-at-start", buf) == NULL;
    }
    if (which & PLAINT_REPORT_FIG_OPENED) {
        snprintf(buf, sizeof(buf), "%" PRId64, f->opened);
        rc |= add(g, "opened", buf) == NULL;
    }
    if (which & PLAINT_REPORT_FIG_CLOSED) {
        snprintf(buf, sizeof(buf), "%" PRId64, f->closed);
        rc |= add(g, "closed", buf) == NULL;
    }
    if (rc != 0) {
        return oom(err);
    }
    if ((which & PLAINT_REPORT_FIG_WITHIN_SUMMARY) &&
        (rc = add_count_pct(g, "closed-within-summary-days", f->within_summary, f->closed, err)) <
            0) {
        return rc;
    }
    if ((which & PLAINT_REPORT_FIG_WITHIN_FINAL) &&
        (rc = add_count_pct(g, "closed-within-final-weeks", f->within_final, f->closed, err)) < 0) {
        return rc;
    }
    if ((which & PLAINT_REPORT_FIG_UPHELD) &&
        (rc = add_count_pct(g, "upheld", f->upheld, f->closed, err)) < 0) {
        return rc;
    }
    if (which & PLAINT_REPORT_FIG_REDRESS) {
        e = add(g, "redress", NULL);
        for (i = 0; e != NULL && i < f->namounts; i++) {
            snprintf(buf, sizeof(buf), "%" PRId64, f->amounts[i].amount);
            if (set(add(e, "amount", buf), "currency", f->amounts[i].currency) < 0) {
                return oom(err);
            }
        }
        if (e == NULL) {
            return oom(err);
        }
    }
    if (which & PLAINT_REPORT_FIG_CAUSES) {
        e = add(g, "root-causes", NULL);
        for (i = 0; e != NULL && i < f->ncauses; i++) {
            snprintf(buf, sizeof(buf), "%" PRId64, f->causes[i].count);
            if (set(add(e, "cause", buf), "name", f->causes[i].name) < 0) {
                return oom(err);
            }
        }
        if (e == NULL) {
            return oom(err);
        }
    }
    return 0;
}

int plaint_xml_return_add_figures(xmlDocPtr doc, const plaint_report_def *d,
                                  const plaint_report_result *r, plaint_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr g;
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < d->ngroups; i++) {
        g = add(root, "group", NULL);
        if (set(g, "id", d->groups[i].id) < 0 || set(g, "name", d->groups[i].name) < 0) {
            return oom(err);
        }
        rc = add_figures(g, d->figures, &r->groups[i], err);
    }
    if (rc == 0) {
        g = add(root, "total", NULL);
        rc = g != NULL ? add_figures(g, d->figures, &r->total, err) : oom(err);
    }
    return rc;
}

int plaint_xml_cases_add_header(xmlDocPtr doc, const char *key_id, plaint_error *err)
{
    xmlNodePtr n = add(xmlDocGetRootElement(doc), "pseudonymisation", NULL);

    if (set(n, "method", "HMAC-SHA256") < 0 || set(n, "key-id", key_id) < 0) {
        return oom(err);
    }
    return 0;
}

int plaint_xml_cases_add(xmlDocPtr doc, const plaint_report_case *c, const char *customer,
                         plaint_error *err)
{
    xmlNodePtr n = add(xmlDocGetRootElement(doc), "case", NULL);
    int bad = 0;

    bad |= set(n, "ref", c->ref) | set(n, "group", c->group) |
           set(n, "category", c->category != NULL ? c->category : "") |
           set(n, "received", c->received);
    if (c->closed != NULL) {
        bad |= set(n, "closed", c->closed);
    }
    bad |= set(n, "outstanding-at-start", c->outstanding_at_start ? "true" : "false") |
           set(n, "opened-in-period", c->opened ? "true" : "false") |
           set(n, "closed-in-period", c->closed_in_period ? "true" : "false");
    if (c->closed_within != NULL) {
        bad |= set(n, "closed-within", c->closed_within);
    }
    if (c->upheld >= 0) {
        bad |= set(n, "upheld", c->upheld ? "true" : "false");
    }
    if (c->redress != NULL) {
        bad |= set(n, "redress", c->redress);
    }
    if (c->currency != NULL) {
        bad |= set(n, "currency", c->currency);
    }
    if (c->cause != NULL) {
        bad |= set(n, "root-cause", c->cause);
    }
    if (customer != NULL) {
        bad |= set(n, "customer", customer);
    }
    return bad ? oom(err) : 0;
}

int plaint_xml_report_finish(plaint_buf *out, xmlDocPtr doc, const char *xsd_path,
                             const char *key_path, const char *cert_path, plaint_error *err)
{
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocPtr pretty = NULL;
    xmlDocPtr check = NULL;
    int rc;

    /* indentation first (whitespace text nodes), so the signature covers the bytes as written */
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    if (mem == NULL || size <= 0) {
        xmlFree(mem);
        return oom(err);
    }
    rc = plaint_xml_doc_parse(&pretty, mem, (size_t)size, "report", err);
    xmlFree(mem);
    if (rc == 0) {
        rc = plaint_xmldsig_sign(pretty, key_path, cert_path, err);
    }
    if (rc == 0) {
        rc = plaint_xml_doc_dump(out, pretty, err);
    }
    if (rc == 0) {
        rc = plaint_xml_doc_parse(&check, out->data, out->len, "report (as written)", err);
    }
    if (rc == 0) {
        rc = plaint_xml_doc_validate(check, xsd_path, "report (as written)", err);
    }
    if (rc == 0) {
        rc = plaint_xmldsig_verify(check, cert_path, NULL, 0, err);
    }
    xmlFreeDoc(pretty);
    xmlFreeDoc(check);
    return rc;
}

#define DSIG_NS "http://www.w3.org/2000/09/xmldsig#"

static int skipped(const xmlNode *n)
{
    if (n->type != XML_ELEMENT_NODE) {
        return 1;
    }
    if (n->ns != NULL && strcmp((const char *)n->ns->href, DSIG_NS) == 0) {
        return 1;
    }
    return strcmp((const char *)n->name, "definition") == 0 && n->parent != NULL &&
           n->parent->type == XML_ELEMENT_NODE && n->parent->parent != NULL &&
           n->parent->parent->type == XML_DOCUMENT_NODE;
}

static const xmlNode *next_el(const xmlNode *n)
{
    while (n != NULL && skipped(n)) {
        n = n->next;
    }
    return n;
}

/* "/group[credit-related]/closed" style path of n into out. */
static void path_of(char *out, size_t size, const xmlNode *n)
{
    char tmp[512];
    xmlChar *id;
    size_t len;

    out[0] = '\0';
    for (; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent) {
        id = xmlGetNoNsProp(n, BAD_CAST "id");
        if (id == NULL) {
            id = xmlGetNoNsProp(n, BAD_CAST "ref");
        }
        if (id == NULL) {
            id = xmlGetNoNsProp(n, BAD_CAST "name");
        }
        if (id == NULL && strcmp((const char *)n->name, "amount") == 0) {
            id = xmlGetNoNsProp(n, BAD_CAST "currency");
        }
        snprintf(tmp, sizeof(tmp), "/%s%s%s%s%s", (const char *)n->name, id != NULL ? "[" : "",
                 id != NULL ? (const char *)id : "", id != NULL ? "]" : "", out);
        xmlFree(id);
        len = strlen(tmp); /* cut to size: the path only names a place in messages */
        if (len >= size) {
            len = size - 1;
        }
        memcpy(out, tmp, len);
        out[len] = '\0';
    }
}

/* The element's own text, trimmed; "" for elements with element children only. */
static xmlChar *own_text(const xmlNode *n)
{
    const xmlNode *c;

    for (c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            return xmlStrdup(BAD_CAST "");
        }
    }
    return xmlNodeGetContent(n);
}

static int differ(plaint_error *err, const xmlNode *at, const char *attr, const char *got,
                  const char *want)
{
    char path[400];

    path_of(path, sizeof(path), at);
    return plaint_error_set(err, PLAINT_ETAMPER,
                            "figure %s%s%s: the document says \"%.60s\", the ledger at the named "
                            "checkpoint gives \"%.60s\"",
                            path, attr != NULL ? "/@" : "", attr != NULL ? attr : "", got, want);
}

static int compare_attrs(const xmlNode *w, const xmlNode *g, plaint_error *err)
{
    const xmlAttr *a;
    int rc = 0;

    for (a = w->properties; rc == 0 && a != NULL; a = a->next) {
        xmlChar *wv = xmlGetNoNsProp(w, a->name);
        xmlChar *gv = xmlGetNoNsProp(g, a->name);

        if (gv == NULL || xmlStrcmp(wv, gv) != 0) {
            rc = differ(err, g, (const char *)a->name, gv != NULL ? (const char *)gv : "(absent)",
                        (const char *)wv);
        }
        xmlFree(wv);
        xmlFree(gv);
    }
    for (a = g->properties; rc == 0 && a != NULL; a = a->next) {
        if (!xmlHasProp(w, a->name)) {
            xmlChar *gv = xmlGetNoNsProp(g, a->name);

            rc = differ(err, g, (const char *)a->name, (const char *)gv, "(absent)");
            xmlFree(gv);
        }
    }
    return rc;
}

static int compare_el(const xmlNode *w, const xmlNode *g, plaint_error *err)
{
    const xmlNode *wc;
    const xmlNode *gc;
    xmlChar *wt;
    xmlChar *gt;
    int rc;

    if (xmlStrcmp(w->name, g->name) != 0) {
        return differ(err, g->parent, NULL, (const char *)g->name, (const char *)w->name);
    }
    rc = compare_attrs(w, g, err);
    if (rc < 0) {
        return rc;
    }
    wt = own_text(w);
    gt = own_text(g);
    if (xmlStrcmp(wt, gt) != 0) {
        rc = differ(err, g, NULL, gt != NULL ? (const char *)gt : "",
                    wt != NULL ? (const char *)wt : "");
    }
    xmlFree(wt);
    xmlFree(gt);
    wc = next_el(w->children);
    gc = next_el(g->children);
    while (rc == 0 && (wc != NULL || gc != NULL)) {
        if (wc == NULL || gc == NULL) {
            char path[400];

            path_of(path, sizeof(path), wc != NULL ? wc : gc);
            return plaint_error_set(
                err, PLAINT_ETAMPER, "figure %s: %s in the document, %s at the named checkpoint",
                path, gc != NULL ? "present" : "absent", wc != NULL ? "present" : "absent");
        }
        rc = compare_el(wc, gc, err);
        wc = next_el(wc->next);
        gc = next_el(gc->next);
    }
    return rc;
}

int plaint_xml_report_compare(xmlDocPtr want, xmlDocPtr got, plaint_error *err)
{
    return compare_el(xmlDocGetRootElement(want), xmlDocGetRootElement(got), err);
}

static int xsd_path(char *out, size_t n, const char *xsd_dir, const char *file, plaint_error *err)
{
    int k = snprintf(out, n, "%s/%s", xsd_dir, file);

    if (k < 0 || (size_t)k >= n) {
        return plaint_error_set(err, PLAINT_EIO, "schema path too long");
    }
    return 0;
}

int plaint_xml_return_render(plaint_buf *out, const plaint_report_def *d, const plaint_period *p,
                             const plaint_report_anchor *a, const plaint_report_result *r,
                             const char *xsd_dir, const char *key_path, const char *cert_path,
                             plaint_error *err)
{
    char xsd[4096];
    xmlDocPtr doc = NULL;
    int rc = xsd_path(xsd, sizeof(xsd), xsd_dir, PLAINT_REPORT_RETURN_XSD, err);

    if (rc == 0) {
        rc = plaint_xml_report_start(&doc, PLAINT_REPORT_RETURN_NS, "regulator-return", d, p, a,
                                     err);
    }
    if (rc == 0) {
        rc = plaint_xml_return_add_figures(doc, d, r, err);
    }
    if (rc == 0) {
        rc = plaint_xml_report_finish(out, doc, xsd, key_path, cert_path, err);
    }
    xmlFreeDoc(doc);
    return rc;
}

struct plaint_xml_cases {
    xmlDocPtr doc;
};

int plaint_xml_cases_new(plaint_xml_cases **out, const plaint_report_def *d, const plaint_period *p,
                         const plaint_report_anchor *a, const char *key_id, plaint_error *err)
{
    plaint_xml_cases *c = calloc(1, sizeof(*c));
    int rc = c != NULL ? 0 : oom(err);

    *out = NULL;
    if (rc == 0) {
        rc = plaint_xml_report_start(&c->doc, PLAINT_REPORT_CASES_NS, "case-export", d, p, a, err);
    }
    if (rc == 0) {
        rc = plaint_xml_cases_add_header(c->doc, key_id, err);
    }
    if (rc < 0) {
        plaint_xml_cases_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int plaint_xml_cases_append(plaint_xml_cases *c, const plaint_report_case *rec,
                            const char *customer, plaint_error *err)
{
    return plaint_xml_cases_add(c->doc, rec, customer, err);
}

int plaint_xml_cases_render(plaint_buf *out, plaint_xml_cases *c, const char *xsd_dir,
                            const char *key_path, const char *cert_path, plaint_error *err)
{
    char xsd[4096];
    int rc = xsd_path(xsd, sizeof(xsd), xsd_dir, PLAINT_REPORT_CASES_XSD, err);

    return rc == 0 ? plaint_xml_report_finish(out, c->doc, xsd, key_path, cert_path, err) : rc;
}

void plaint_xml_cases_free(plaint_xml_cases *c)
{
    if (c != NULL) {
        xmlFreeDoc(c->doc);
        free(c);
    }
}

struct plaint_xml_report {
    xmlDocPtr doc;
    int cases;
    unsigned char def_sha[PLAINT_HASH_LEN];
    char key_id[17];
};

int plaint_xml_report_open(plaint_xml_report **out, const void *data, size_t len, const char *name,
                           const char *xsd_dir, const char *cert_path, plaint_report_check *check,
                           plaint_error *err)
{
    plaint_xml_report *r = calloc(1, sizeof(*r));
    xmlNodePtr root;
    xmlNodePtr n;
    char xsd[4096];
    char buf[80];
    plaint_error verr;
    int rc;

    *out = r;
    if (r == NULL) {
        return oom(err);
    }
    rc = plaint_xml_doc_parse(&r->doc, data, len, name, err);
    if (rc < 0) {
        return rc;
    }
    root = xmlDocGetRootElement(r->doc);
    if (plaint_xml_doc_is(root, PLAINT_REPORT_RETURN_NS, "regulator-return")) {
        r->cases = 0;
    } else if (plaint_xml_doc_is(root, PLAINT_REPORT_CASES_NS, "case-export")) {
        r->cases = 1;
    } else {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "%s is neither a regulator return (%s) nor a case export (%s)",
                                name, PLAINT_REPORT_RETURN_NS, PLAINT_REPORT_CASES_NS);
    }
    check->cases = r->cases;
    rc = xsd_path(xsd, sizeof(xsd), xsd_dir,
                  r->cases ? PLAINT_REPORT_CASES_XSD : PLAINT_REPORT_RETURN_XSD, err);
    if (rc < 0) {
        return rc;
    }
    plaint_error_init(&verr);
    rc = plaint_xml_doc_validate(r->doc, xsd, name, &verr);
    if (rc == PLAINT_EINVALID) {
        return plaint_error_set(err, PLAINT_ETAMPER, "schema: %s", verr.message);
    }
    if (rc < 0) {
        if (err != NULL) {
            *err = verr;
        }
        return rc;
    }
    rc = plaint_xmldsig_verify(r->doc, cert_path, check->signer, sizeof(check->signer), err);
    if (rc < 0) {
        return rc;
    }
    /* the schema guarantees these elements and attributes */
    n = plaint_xml_doc_child(root, (const char *)root->ns->href, "period");
    rc = plaint_xml_doc_attr(check->period, sizeof(check->period), n, "label", err);
    n = plaint_xml_doc_child(root, (const char *)root->ns->href, "checkpoint");
    if (rc == 0) {
        rc = plaint_xml_doc_attr(buf, sizeof(buf), n, "tree-size", err);
        check->tree_size = strtoll(buf, NULL, 10);
    }
    if (rc == 0) {
        rc = plaint_xml_doc_attr(check->root_hex, sizeof(check->root_hex), n, "root-hash", err);
    }
    n = plaint_xml_doc_child(root, (const char *)root->ns->href, "definition");
    if (rc == 0) {
        rc = plaint_xml_doc_attr(buf, sizeof(buf), n, "sha256", err);
    }
    if (rc == 0) {
        rc = plaint_hex_decode(r->def_sha, PLAINT_HASH_LEN, buf, strlen(buf), err);
    }
    n = plaint_xml_doc_child(root, (const char *)root->ns->href, "pseudonymisation");
    if (rc == 0 && n != NULL) {
        rc = plaint_xml_doc_attr(r->key_id, sizeof(r->key_id), n, "key-id", err);
    }
    return rc;
}

int plaint_xml_report_definition(plaint_report_def **out, const plaint_xml_report *r,
                                 const char *xsd_dir, plaint_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(r->doc);
    xmlNodePtr n = plaint_xml_doc_child(root, (const char *)root->ns->href, "definition");
    xmlNodePtr def = plaint_xml_doc_child(n, PLAINT_REPORT_DEFINITION_NS, "report-definition");
    xmlBufferPtr xb = xmlBufferCreate();
    int rc;

    *out = NULL;
    if (xb == NULL || def == NULL || xmlNodeDump(xb, r->doc, def, 0, 0) < 0) {
        xmlBufferFree(xb);
        return plaint_error_set(err, PLAINT_EINVALID, "the report carries no definition");
    }
    rc = plaint_report_def_parse(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb),
                                 "the report's embedded definition", r->def_sha, xsd_dir, err);
    xmlBufferFree(xb);
    return rc;
}

const char *plaint_xml_report_key_id(const plaint_xml_report *r)
{
    return r->key_id;
}

int plaint_xml_report_compare_return(const plaint_xml_report *r, const plaint_report_def *d,
                                     const plaint_period *p, const plaint_report_anchor *a,
                                     const plaint_report_result *res, plaint_error *err)
{
    xmlDocPtr want = NULL;
    int rc =
        plaint_xml_report_start(&want, PLAINT_REPORT_RETURN_NS, "regulator-return", d, p, a, err);

    if (rc == 0) {
        rc = plaint_xml_return_add_figures(want, d, res, err);
    }
    if (rc == 0) {
        rc = plaint_xml_report_compare(want, r->doc, err);
    }
    xmlFreeDoc(want);
    return rc;
}

int plaint_xml_report_compare_cases(const plaint_xml_report *r, const plaint_xml_cases *c,
                                    plaint_error *err)
{
    return plaint_xml_report_compare(c->doc, r->doc, err);
}

void plaint_xml_report_free(plaint_xml_report *r)
{
    if (r != NULL) {
        xmlFreeDoc(r->doc);
        free(r);
    }
}
