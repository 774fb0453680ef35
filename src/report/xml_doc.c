/* The report adapters' XML documents: parse (DOCTYPE refused, no network, no entities) and
 * validate against an XSD file through policy/xml_safe.c, each call inside its own error scope
 * so nothing is printed; serialise; find elements and attributes. */
#include "report/xml_doc.h"

#include <stdio.h>

#include "policy/xml_safe.h"

/* Reports may be large (XML_PARSE_HUGE); their errors carry a line but no column. */
static const plaint_xml_safe_profile REPORT = {
    .empty = "empty document",
    .doctype = "a DOCTYPE is not allowed (entity expansion is refused)",
    .huge = 1,
    .columns = 0,
};

void plaint_xml_doc_init(void)
{
    plaint_xml_safe_init();
}

int plaint_xml_doc_parse(xmlDocPtr *out, const void *data, size_t len, const char *name,
                         plaint_error *err)
{
    plaint_xml_safe_scope scope;
    int rc;

    *out = NULL;
    if (len > PLAINT_XML_DOC_MAX_BYTES) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: larger than %zu bytes", name,
                                PLAINT_XML_DOC_MAX_BYTES);
    }
    plaint_xml_safe_enter(&scope, &REPORT);
    rc = plaint_xml_safe_parse(out, &scope, data, len, name, err);
    plaint_xml_safe_leave(&scope);
    return rc;
}

/* From the file, not from bytes: the report schemas xs:import a sibling schema by a relative
 * schemaLocation, which resolves only against the importing schema's own path. */
int plaint_xml_doc_validate(xmlDocPtr doc, const char *xsd_path, const char *name,
                            plaint_error *err)
{
    plaint_xml_safe_scope scope;
    int rc;

    plaint_xml_safe_enter(&scope, &REPORT);
    rc = plaint_xml_safe_validate_file(&scope, doc, xsd_path, name, err);
    plaint_xml_safe_leave(&scope);
    return rc;
}

int plaint_xml_doc_dump(plaint_buf *out, xmlDocPtr doc, plaint_error *err)
{
    xmlChar *mem = NULL;
    int size = 0;
    int rc;

    xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
    if (mem == NULL || size <= 0) {
        xmlFree(mem);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory serialising XML");
    }
    rc = plaint_buf_append(out, mem, (size_t)size, err);
    xmlFree(mem);
    return rc;
}

int plaint_xml_doc_is(const xmlNode *n, const char *ns, const char *local)
{
    return plaint_xml_safe_is_element(n, ns, local);
}

xmlNodePtr plaint_xml_doc_child(const xmlNode *n, const char *ns, const char *local)
{
    xmlNodePtr c;

    for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next) {
        if (plaint_xml_doc_is(c, ns, local)) {
            return c;
        }
    }
    return NULL;
}

int plaint_xml_doc_attr(char *out, size_t n, const xmlNode *node, const char *name,
                        plaint_error *err)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    int k;

    if (v == NULL) {
        out[0] = '\0';
        return 0;
    }
    k = snprintf(out, n, "%s", (const char *)v);
    xmlFree(v);
    if (k < 0 || (size_t)k >= n) {
        return plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0, "attribute %s too long", name);
    }
    return 0;
}
