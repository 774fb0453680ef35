/* The policy loaders' shared machinery: read a policy file and its schema (both bounded by
 * PLAINT_POLICY_MAX_BYTES), then parse (DOCTYPE refused, no network, no entities), validate and
 * run a loader's builder on the document inside one policy/xml_safe.c error scope. */
#include "policy/xml_load.h"

#include <stdio.h>

#include "plaint/buf.h"
#include "plaint/policy_xml.h"
#include "policy/xml_safe.h"

static const plaint_xml_safe_profile POLICY = {
    .empty = "policy file is empty",
    .doctype = "policy files may not contain a DOCTYPE (entity expansion is refused)",
    .huge = 0,
    .columns = 1,
};

int plaint_policy_xml_is_element(const xmlNode *n, const char *ns, const char *local)
{
    return plaint_xml_safe_is_element(n, ns, local);
}

int plaint_policy_xml_fail_at(plaint_error *err, int rc, const char *path, const xmlNode *node)
{
    char msg[sizeof(err->message)];
    char field[sizeof(err->field)];
    long line = xmlGetLineNo(node);

    if (err == NULL) {
        return rc;
    }
    if (line < 0) {
        line = 0;
    }
    snprintf(msg, sizeof(msg), "%s", err->message);
    snprintf(field, sizeof(field), "%s", err->field);
    return plaint_error_set_at(err, rc, field, (unsigned long)line, 0, "%s:%ld: %s", path, line,
                               msg);
}

/* Reads path into raw; a file over the limit is bad input, not an environment error. */
static int read_input(plaint_buf *raw, const char *path, plaint_error *err)
{
    int rc = plaint_buf_read_file(raw, path, PLAINT_POLICY_MAX_BYTES, err);

    if (rc == PLAINT_ERANGE) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s: policy file is larger than %zu bytes",
                              path, PLAINT_POLICY_MAX_BYTES);
    }
    return rc;
}

int plaint_policy_xml_load(unsigned char *sha256_out, const char *xml_path, const char *xsd_path,
                           plaint_policy_xml_build_fn build, void *arg, plaint_error *err)
{
    plaint_buf raw = PLAINT_BUF_INIT;
    plaint_buf xsd = PLAINT_BUF_INIT;
    xmlDocPtr doc = NULL;
    plaint_xml_safe_scope scope;
    int rc;

    rc = read_input(&raw, xml_path, err);
    if (rc == 0) {
        rc = plaint_buf_read_file(&xsd, xsd_path, PLAINT_POLICY_MAX_BYTES, err);
    }
    if (rc == 0 && sha256_out != NULL) {
        rc = plaint_sha256_digest(sha256_out, raw.data, raw.len, err);
    }
    if (rc < 0) {
        goto done;
    }
    plaint_xml_safe_enter(&scope, &POLICY);
    rc = plaint_xml_safe_parse(&doc, &scope, raw.data, raw.len, xml_path, err);
    if (rc == 0) {
        rc = plaint_xml_safe_validate_mem(&scope, doc, xsd.data, xsd.len, xsd_path, xml_path,
                                          err);
    }
    if (rc == 0) {
        rc = build(arg, doc, xml_path, err);
    }
    plaint_xml_safe_leave(&scope);
done:
    xmlFreeDoc(doc);
    plaint_buf_clear(&xsd);
    plaint_buf_clear(&raw);
    return rc;
}
