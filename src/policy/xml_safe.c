/* Hardened libxml2 parsing and XSD validation with libxml2's error handlers pointed at a capture
 * for the duration of a scope, shared by the policy loaders and the report adapters. */
#include "policy/xml_safe.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The structured error handler's argument became const in libxml2 2.12. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_ptr;
#else
typedef xmlErrorPtr xml_error_ptr;
#endif

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
}

void plaint_xml_safe_init(void)
{
    pthread_once(&init_once, init_libxml);
}

static void reset_capture(plaint_xml_safe_capture *cap, int columns)
{
    memset(cap, 0, sizeof(*cap));
    cap->columns = columns;
}

static void on_xml_error(void *data, xml_error_ptr e)
{
    plaint_xml_safe_capture *cap = data;
    size_t i;

    if (cap->seen || e == NULL || e->level < XML_ERR_ERROR) {
        return;
    }
    cap->seen = 1;
    cap->line = e->line > 0 ? (unsigned long)e->line : 0;
    cap->column = (cap->columns && e->domain == XML_FROM_PARSER && e->int2 > 0)
                      ? (unsigned long)e->int2
                      : 0;
    snprintf(cap->message, sizeof(cap->message), "%s",
             e->message != NULL ? e->message : "unknown XML error");
    /* one line: libxml2 puts details (e.g. the offending bytes) after a newline */
    for (i = 0; cap->message[i] != '\0'; i++) {
        if (cap->message[i] == '\n' || cap->message[i] == '\r' || cap->message[i] == '\t') {
            cap->message[i] = ' ';
        }
    }
    while (i > 0 && cap->message[i - 1] == ' ') {
        cap->message[--i] = '\0';
    }
}

/* libxml2 errors that bypass the structured handler would go to stderr; the library never
 * prints. */
static void on_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void plaint_xml_safe_enter(plaint_xml_safe_scope *s, const plaint_xml_safe_profile *profile)
{
    plaint_xml_safe_init();
    s->profile = profile;
    reset_capture(&s->cap, profile->columns);
    s->structured = xmlStructuredError;
    s->structured_ctx = xmlStructuredErrorContext;
    s->generic = xmlGenericError;
    s->generic_ctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(&s->cap, on_xml_error);
    xmlSetGenericErrorFunc(NULL, on_generic_error);
}

void plaint_xml_safe_leave(const plaint_xml_safe_scope *s)
{
    xmlSetStructuredErrorFunc(s->structured_ctx, s->structured);
    xmlSetGenericErrorFunc(s->generic_ctx, s->generic);
}

/* "<name>:<line>: <message>" from the captured libxml2 error. */
static int fail_captured(plaint_error *err, int code, const char *name,
                         const plaint_xml_safe_capture *cap, const char *fallback)
{
    return plaint_error_set_at(err, code, NULL, cap->line, cap->column, "%s:%lu: %s", name,
                               cap->line, cap->seen ? cap->message : fallback);
}

/* SAX internalSubset: called once the DOCTYPE's name and external id are read and before its
 * internal subset (where entities are declared) is parsed. Stopping here means no entity
 * declaration is ever seen, whatever the encoding of the file. */
static void on_doctype(void *user, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = user;
    plaint_xml_safe_capture *cap = ctxt->_private;

    (void)name;
    (void)external_id;
    (void)system_id;
    cap->doctype = 1;
    cap->line =
        (ctxt->input != NULL && ctxt->input->line > 0) ? (unsigned long)ctxt->input->line : 0;
    xmlStopParser(ctxt);
}

int plaint_xml_safe_parse(xmlDocPtr *out, plaint_xml_safe_scope *s, const void *data, size_t len,
                          const char *name, plaint_error *err)
{
    plaint_xml_safe_capture *cap = &s->cap;
    xmlParserCtxtPtr ctxt;
    int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES;
    int rc = 0;

    *out = NULL;
    reset_capture(cap, s->profile->columns);
    if (len == 0) {
        /* libxml2 would not even create a parser for it */
        return plaint_error_set(err, PLAINT_EINVALID, "%s: %s", name, s->profile->empty);
    }
    if (len > (size_t)INT_MAX) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s: larger than %d bytes", name, INT_MAX);
    }
    ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
    if (ctxt == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory parsing %s", name);
    }
    /* No XML_PARSE_NOENT (entity substitution), DTDLOAD, DTDATTR or DTDVALID; no network. */
    if (s->profile->huge) {
        options |= XML_PARSE_HUGE;
    }
    xmlCtxtUseOptions(ctxt, options);
    ctxt->sax->internalSubset = on_doctype;
    ctxt->_private = cap;
    (void)xmlParseDocument(ctxt);
    if (cap->doctype) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, NULL, cap->line, 0, "%s:%lu: %s", name,
                                 cap->line, s->profile->doctype);
    } else if (!ctxt->wellFormed || ctxt->myDoc == NULL) {
        rc = fail_captured(err, PLAINT_EINVALID, name, cap, "not well-formed XML");
    } else {
        *out = ctxt->myDoc;
        ctxt->myDoc = NULL; /* ownership moved to caller */
    }
    if (ctxt->myDoc != NULL) {
        xmlFreeDoc(ctxt->myDoc);
        ctxt->myDoc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* Compiles the schema from pctxt (freed here; NULL means out of memory) and validates doc. */
static int validate(plaint_xml_safe_scope *s, xmlDocPtr doc, xmlSchemaParserCtxtPtr pctxt,
                    const char *xsd_name, const char *name, plaint_error *err)
{
    plaint_xml_safe_capture *cap = &s->cap;
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vctxt = NULL;
    int rc = 0;
    int r;

    if (pctxt == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory loading %s", xsd_name);
    }
    xmlSchemaSetParserStructuredErrors(pctxt, on_xml_error, cap);
    schema = xmlSchemaParse(pctxt);
    if (schema == NULL) {
        rc = fail_captured(err, PLAINT_EIO, xsd_name, cap, "the schema does not compile");
        goto done;
    }
    vctxt = xmlSchemaNewValidCtxt(schema);
    if (vctxt == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory validating %s", name);
        goto done;
    }
    xmlSchemaSetValidStructuredErrors(vctxt, on_xml_error, cap);
    r = xmlSchemaValidateDoc(vctxt, doc);
    if (r > 0) {
        rc = fail_captured(err, PLAINT_EINVALID, name, cap, "schema violation");
    } else if (r < 0) {
        rc = plaint_error_set(err, PLAINT_ERROR, "%s: schema validation failed internally", name);
    }
done:
    xmlSchemaFreeValidCtxt(vctxt);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pctxt);
    return rc;
}

int plaint_xml_safe_validate_mem(plaint_xml_safe_scope *s, xmlDocPtr doc, const void *xsd,
                                 size_t xsd_len, const char *xsd_name, const char *name,
                                 plaint_error *err)
{
    reset_capture(&s->cap, s->profile->columns);
    if (xsd_len > (size_t)INT_MAX) {
        return plaint_error_set(err, PLAINT_EIO, "%s: larger than %d bytes", xsd_name, INT_MAX);
    }
    return validate(s, doc, xmlSchemaNewMemParserCtxt(xsd, (int)xsd_len), xsd_name, name, err);
}

int plaint_xml_safe_validate_file(plaint_xml_safe_scope *s, xmlDocPtr doc, const char *xsd_path,
                                  const char *name, plaint_error *err)
{
    reset_capture(&s->cap, s->profile->columns);
    /* libxml2 would only say the schema "does not compile"; name the real cause */
    if (access(xsd_path, R_OK) != 0) {
        return plaint_error_set(err, PLAINT_EIO, "cannot read schema %s: %s", xsd_path,
                                strerror(errno));
    }
    return validate(s, doc, xmlSchemaNewParserCtxt(xsd_path), xsd_path, name, err);
}

int plaint_xml_safe_is_element(const xmlNode *n, const char *ns, const char *local)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, local) == 0;
}
