/* Loads an intake mapping (reports/mappings/<name>.xml) with the policy loaders' machinery
 * (policy/xml_load.c: DOCTYPE refused, no network, XSD-validated against
 * schemas/xml/mapping.xsd), then checks what the schema cannot say and builds the mapping the
 * readers use (intake_internal.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intake/intake_internal.h"
#include "policy/xml_load.h"

#define MAPPING_NS "urn:plaint:mapping:1"

static char *dup_str(const char *s, plaint_error *err)
{
    char *d = strdup(s);

    if (d == NULL) {
        plaint_error_set(err, PLAINT_ENOMEM, "out of memory loading a mapping");
    }
    return d;
}

/* An optional attribute as an owned C string (NULL if absent). */
static int get_attr(char **out, const xmlNode *node, const char *name, plaint_error *err)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);

    *out = NULL;
    if (v == NULL) {
        return 0;
    }
    *out = dup_str((const char *)v, err);
    xmlFree(v);
    return *out == NULL ? PLAINT_ENOMEM : 0;
}

/* xs:boolean: "true" or "1" (the schema allows only true/false/1/0); def when absent. */
static int get_bool(const xmlNode *node, const char *name, int def)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    int r = def;

    if (v != NULL) {
        r = strcmp((const char *)v, "true") == 0 || strcmp((const char *)v, "1") == 0;
    }
    xmlFree(v);
    return r;
}

static void rule_clear(plaint_intake_rule *r)
{
    size_t i;

    free(r->name);
    free(r->column);
    free(r->default_value);
    for (i = 0; i < r->value_count; i++) {
        free(r->values[i].from);
        free(r->values[i].to);
    }
    free(r->values);
    memset(r, 0, sizeof(*r));
}

void plaint_mapping_free(plaint_mapping *m)
{
    size_t i;

    if (m == NULL) {
        return;
    }
    for (i = 0; i < m->rule_count; i++) {
        rule_clear(&m->rules[i]);
    }
    free(m->rules);
    free(m->name);
    free(m);
}

const char *plaint_mapping_name(const plaint_mapping *m)
{
    return m->name;
}

static int parse_format(plaint_intake_format *out, const char *s)
{
    plaint_intake_format f;

    for (f = PLAINT_INTAKE_FMT_TEXT; f <= PLAINT_INTAKE_FMT_MONEY; f++) {
        if (strcmp(s, plaint_intake_format_name(f)) == 0) {
            *out = f;
            return 0;
        }
    }
    return -1;
}

static int parse_target(const char *s)
{
    int t;

    for (t = 0; t < PLAINT_INTAKE_T_COUNT; t++) {
        if (strcmp(s, plaint_intake_target_name(t)) == 0) {
            return t;
        }
    }
    return PLAINT_INTAKE_T_EXTRA;
}

/* A value a rule can produce without a cell check (a default or a value map's "to") must pass
 * the rule's own checks and the target's vocabulary. what: "default" or "value map". */
static int check_produced(const plaint_intake_rule *r, const char *what, const char *v,
                          plaint_error *err)
{
    plaint_error e;
    char q[128];

    plaint_intake_quote(q, sizeof(q), v, strlen(v));
    if (plaint_intake_check_value(NULL, r, v, strlen(v), &e) < 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, r->name, 0, 0, "%s %s: %s", r->name, what,
                                   e.message);
    }
    if (!plaint_intake_target_accepts(r->target, v)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, r->name, 0, 0,
                                   "%s %s: %s is not a known %s", r->name, what, q, r->name);
    }
    return 0;
}

static int build_values(plaint_intake_rule *r, const xmlNode *node, plaint_error *err)
{
    const xmlNode *n;
    size_t count = 0;
    size_t i;
    size_t j;
    int rc = 0;

    for (n = node->children; n != NULL; n = n->next) {
        if (plaint_policy_xml_is_element(n, MAPPING_NS, "value")) {
            count++;
        }
    }
    if (count == 0) {
        return 0;
    }
    r->values = calloc(count, sizeof(*r->values));
    if (r->values == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory loading a mapping");
    }
    for (n = node->children; n != NULL && rc == 0; n = n->next) {
        plaint_intake_value *v;
        if (!plaint_policy_xml_is_element(n, MAPPING_NS, "value")) {
            continue;
        }
        v = &r->values[r->value_count++];
        rc = get_attr(&v->from, n, "from", err);
        if (rc == 0) {
            rc = get_attr(&v->to, n, "to", err);
        }
        if (rc == 0 && (v->from == NULL || v->to == NULL)) {
            rc = plaint_error_set(err, PLAINT_EINVALID, "value needs from and to");
        }
        if (rc == 0) {
            rc = check_produced(r, "value map", v->to, err);
        }
    }
    /* The schema refuses duplicate "from"s; with ignore-case, case variants collide too. */
    for (i = 0; rc == 0 && r->ignore_case && i < r->value_count; i++) {
        for (j = i + 1; j < r->value_count; j++) {
            if (strcasecmp(r->values[i].from, r->values[j].from) == 0) {
                char q[128];
                plaint_intake_quote(q, sizeof(q), r->values[j].from, strlen(r->values[j].from));
                rc = plaint_error_set_at(err, PLAINT_EINVALID, r->name, 0, 0,
                                         "%s value map: %s is listed twice (ignore-case)", r->name,
                                         q);
                break;
            }
        }
    }
    return rc;
}

static int build_rule(plaint_intake_rule *r, const xmlNode *node, int is_field, plaint_error *err)
{
    char *fmt = NULL;
    char *maxlen = NULL;
    int rc;

    rc = get_attr(&r->name, node, "name", err);
    if (rc == 0) {
        rc = get_attr(&r->column, node, "column", err);
    }
    if (rc == 0) {
        rc = get_attr(&r->default_value, node, "default", err);
    }
    if (rc == 0) {
        rc = get_attr(&fmt, node, "format", err);
    }
    if (rc == 0) {
        rc = get_attr(&maxlen, node, "max-length", err);
    }
    if (rc < 0) {
        goto done;
    }
    if (r->name == NULL) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "a rule has no name");
        goto done;
    }
    r->target = is_field ? parse_target(r->name) : PLAINT_INTAKE_T_EXTRA;
    if (is_field && r->target == PLAINT_INTAKE_T_EXTRA) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "unknown field %s", r->name);
        goto done;
    }
    r->required = get_bool(node, "required", 0);
    r->ignore_case = get_bool(node, "ignore-case", 0);
    r->format = PLAINT_INTAKE_FMT_TEXT;
    if (fmt != NULL && parse_format(&r->format, fmt) < 0) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, r->name, 0, 0, "%s: unknown format %s",
                                 r->name, fmt);
        goto done;
    }
    if (maxlen != NULL) {
        char *end = NULL;
        unsigned long n = strtoul(maxlen, &end, 10);
        if (end == maxlen || *end != '\0' || n == 0 || n > PLAINT_INTAKE_MAX_LENGTH) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, r->name, 0, 0,
                                     "%s: max-length must be 1 to %d", r->name,
                                     PLAINT_INTAKE_MAX_LENGTH);
            goto done;
        }
        r->max_length = (size_t)n;
    }
    if (r->column == NULL && r->default_value == NULL) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, r->name, 0, 0,
                                 "%s needs a column or a default", r->name);
        goto done;
    }
    if (r->required && r->default_value != NULL) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, r->name, 0, 0,
                                 "%s: required and default exclude each other (a default fills "
                                 "empty cells)",
                                 r->name);
        goto done;
    }
    if (r->target == PLAINT_INTAKE_T_RECEIVED && r->format != PLAINT_INTAKE_FMT_DATE &&
        r->format != PLAINT_INTAKE_FMT_DATETIME) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, r->name, 0, 0,
                                 "received must have format date or datetime");
        goto done;
    }
    if (r->default_value != NULL) {
        rc = check_produced(r, "default", r->default_value, err);
        if (rc < 0) {
            goto done;
        }
    }
    rc = build_values(r, node, err);
done:
    free(fmt);
    free(maxlen);
    return rc;
}

/* What every importer relies on: an id for idempotent re-import, a receipt time, a channel. */
static int check_required_fields(const plaint_mapping *m, const char *path, plaint_error *err)
{
    static const int must[] = {PLAINT_INTAKE_T_EXTERNAL_ID, PLAINT_INTAKE_T_RECEIVED,
                               PLAINT_INTAKE_T_CHANNEL};
    size_t i;
    size_t k;

    for (k = 0; k < sizeof(must) / sizeof(must[0]); k++) {
        const plaint_intake_rule *found = NULL;
        const char *name = plaint_intake_target_name(must[k]);
        for (i = 0; i < m->rule_count; i++) {
            if (m->rules[i].target == must[k]) {
                found = &m->rules[i];
            }
        }
        if (found == NULL) {
            return plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0,
                                       "%s: the mapping must map the field %s", path, name);
        }
        if (must[k] != PLAINT_INTAKE_T_CHANNEL && !found->required) {
            return plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0,
                                       "%s: the field %s must be required=\"true\"", path, name);
        }
    }
    return 0;
}

static unsigned char parse_delimiter(const char *s)
{
    if (s == NULL || strcmp(s, "comma") == 0) {
        return ',';
    }
    if (strcmp(s, "semicolon") == 0) {
        return ';';
    }
    if (strcmp(s, "tab") == 0) {
        return '\t';
    }
    if (strcmp(s, "pipe") == 0) {
        return '|';
    }
    return 0;
}

/* Builds *(plaint_mapping **)arg from a schema-valid document; the caller frees it. */
static int build_mapping(void *arg, xmlDocPtr doc, const char *path, plaint_error *err)
{
    plaint_mapping **out = arg;
    plaint_mapping *m;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *n;
    char *delim = NULL;
    size_t count = 0;
    int rc;

    if (root == NULL || !plaint_policy_xml_is_element(root, MAPPING_NS, "mapping")) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: the root element is not mapping", path);
    }
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory loading %s", path);
    }
    *out = m;
    rc = get_attr(&m->name, root, "name", err);
    if (rc == 0) {
        rc = get_attr(&delim, root, "delimiter", err);
    }
    if (rc < 0) {
        goto done;
    }
    if (m->name == NULL) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s: the mapping has no name", path);
        goto done;
    }
    m->delimiter = parse_delimiter(delim);
    if (m->delimiter == 0) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s: unknown delimiter", path);
        goto done;
    }
    for (n = root->children; n != NULL; n = n->next) {
        if (plaint_policy_xml_is_element(n, MAPPING_NS, "field") ||
            plaint_policy_xml_is_element(n, MAPPING_NS, "extra")) {
            count++;
        }
    }
    m->rules = calloc(count > 0 ? count : 1, sizeof(*m->rules));
    if (m->rules == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory loading %s", path);
        goto done;
    }
    for (n = root->children; n != NULL && rc == 0; n = n->next) {
        int is_field = plaint_policy_xml_is_element(n, MAPPING_NS, "field");
        if (!is_field && !plaint_policy_xml_is_element(n, MAPPING_NS, "extra")) {
            continue;
        }
        rc = build_rule(&m->rules[m->rule_count++], n, is_field, err);
        if (rc < 0) {
            rc = plaint_policy_xml_fail_at(err, rc, path, n);
        } else if (!is_field) {
            m->extra_count++;
        }
    }
    if (rc == 0 && m->extra_count > PLAINT_INTAKE_MAX_EXTRAS) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s: more than %d extras", path,
                              PLAINT_INTAKE_MAX_EXTRAS);
    }
    if (rc == 0) {
        rc = check_required_fields(m, path, err);
    }
done:
    free(delim);
    return rc;
}

int plaint_mapping_load(plaint_mapping **out, unsigned char *sha256_out, const char *xml_path,
                        const char *xsd_path, plaint_error *err)
{
    plaint_mapping *m = NULL;
    int rc = plaint_policy_xml_load(sha256_out, xml_path, xsd_path, build_mapping, &m, err);

    if (rc == 0) {
        *out = m;
        m = NULL; /* ownership moved to caller */
    }
    plaint_mapping_free(m);
    return rc;
}
