/* The policy loaders' shared machinery: read a policy file and its schema, refuse DOCTYPEs, parse
 * with libxml2 (no network, no entities), validate, and run a loader's builder on the document
 * with libxml2's error handlers pointed here. */
#include "policy/xml_load.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "plaint/buf.h"
#include "plaint/policy_xml.h"

/* The structured error handler's argument became const in libxml2 2.12. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_ptr;
#else
typedef xmlErrorPtr xml_error_ptr;
#endif

/* The first error libxml2 reports during one load; later ones tend to be its consequences. */
typedef struct xml_capture {
    int seen;
    int doctype; /* a DOCTYPE was met; parsing stopped before its internal subset */
    unsigned long line;
    unsigned long column;
    char message[200];
} xml_capture;

/* The calling thread's libxml2 error handlers, saved while a load runs. */
typedef struct error_scope {
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
    xmlGenericErrorFunc generic;
    void *generic_ctx;
} error_scope;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
}

static void on_xml_error(void *data, xml_error_ptr e)
{
    xml_capture *cap = data;
    size_t i;

    if (cap->seen || e == NULL || e->level < XML_ERR_ERROR) {
        return;
    }
    cap->seen = 1;
    cap->line = e->line > 0 ? (unsigned long)e->line : 0;
    cap->column = (e->domain == XML_FROM_PARSER && e->int2 > 0) ? (unsigned long)e->int2 : 0;
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

static void scope_enter(error_scope *saved, xml_capture *cap)
{
    saved->structured = xmlStructuredError;
    saved->structured_ctx = xmlStructuredErrorContext;
    saved->generic = xmlGenericError;
    saved->generic_ctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(cap, on_xml_error);
    xmlSetGenericErrorFunc(NULL, on_generic_error);
}

static void scope_leave(const error_scope *saved)
{
    xmlSetStructuredErrorFunc(saved->structured_ctx, saved->structured);
    xmlSetGenericErrorFunc(saved->generic_ctx, saved->generic);
}

/* SAX internalSubset: called once the DOCTYPE's name and external id are read and before its
 * internal subset (where entities are declared) is parsed. Stopping here means no entity
 * declaration is ever seen, whatever the encoding of the file. */
static void on_doctype(void *user, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = user;
    xml_capture *cap = ctxt->_private;

    (void)name;
    (void)external_id;
    (void)system_id;
    cap->doctype = 1;
    cap->line =
        (ctxt->input != NULL && ctxt->input->line > 0) ? (unsigned long)ctxt->input->line : 0;
    xmlStopParser(ctxt);
}

/* "<path>:<line>: <message>" from the captured libxml2 error. */
static int fail_captured(plaint_error *err, int code, const char *path, const xml_capture *cap,
                         const char *fallback)
{
    return plaint_error_set_at(err, code, NULL, cap->line, cap->column, "%s:%lu: %s", path,
                               cap->line, cap->seen ? cap->message : fallback);
}

static int parse_doc(xmlDocPtr *out, const plaint_buf *raw, const char *path, xml_capture *cap,
                     plaint_error *err)
{
    xmlParserCtxtPtr ctxt;
    int rc = 0;

    if (raw->len == 0) {
        /* libxml2 would not even create a parser for it */
        return plaint_error_set(err, PLAINT_EINVALID, "%s: policy file is empty", path);
    }
    /* raw->len <= PLAINT_POLICY_MAX_BYTES, so it fits an int */
    ctxt = xmlCreateMemoryParserCtxt(raw->data, (int)raw->len);
    if (ctxt == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory parsing %s", path);
    }
    /* No XML_PARSE_NOENT (entity substitution), DTDLOAD, DTDATTR or DTDVALID; no network. */
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    ctxt->sax->internalSubset = on_doctype;
    ctxt->_private = cap;
    (void)xmlParseDocument(ctxt);
    if (cap->doctype) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, NULL, cap->line, 0,
                                 "%s:%lu: policy files may not contain a DOCTYPE (entity "
                                 "expansion is refused)",
                                 path, cap->line);
    } else if (!ctxt->wellFormed || ctxt->myDoc == NULL) {
        rc = fail_captured(err, PLAINT_EINVALID, path, cap, "not well-formed XML");
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

static int validate_doc(xmlDocPtr doc, const plaint_buf *xsd, const char *xml_path,
                        const char *xsd_path, xml_capture *cap, plaint_error *err)
{
    xmlSchemaParserCtxtPtr pctxt = NULL;
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vctxt = NULL;
    int rc = 0;
    int r;

    memset(cap, 0, sizeof(*cap));
    pctxt = xmlSchemaNewMemParserCtxt(xsd->data, (int)xsd->len);
    if (pctxt == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory loading %s", xsd_path);
        goto done;
    }
    xmlSchemaSetParserStructuredErrors(pctxt, on_xml_error, cap);
    schema = xmlSchemaParse(pctxt);
    if (schema == NULL) {
        rc = fail_captured(err, PLAINT_EIO, xsd_path, cap, "the schema does not compile");
        goto done;
    }
    vctxt = xmlSchemaNewValidCtxt(schema);
    if (vctxt == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory validating %s", xml_path);
        goto done;
    }
    xmlSchemaSetValidStructuredErrors(vctxt, on_xml_error, cap);
    r = xmlSchemaValidateDoc(vctxt, doc);
    if (r > 0) {
        rc = fail_captured(err, PLAINT_EINVALID, xml_path, cap, "schema violation");
    } else if (r < 0) {
        rc = plaint_error_set(err, PLAINT_ERROR, "%s: schema validation failed internally",
                              xml_path);
    }
done:
    xmlSchemaFreeValidCtxt(vctxt);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pctxt);
    return rc;
}

int plaint_policy_xml_is_element(const xmlNode *n, const char *ns, const char *local)
{
    return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, local) == 0;
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
    xml_capture cap;
    error_scope saved;
    int rc;

    memset(&cap, 0, sizeof(cap));
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
    pthread_once(&init_once, init_libxml);
    scope_enter(&saved, &cap);
    rc = parse_doc(&doc, &raw, xml_path, &cap, err);
    if (rc == 0) {
        rc = validate_doc(doc, &xsd, xml_path, xsd_path, &cap, err);
    }
    if (rc == 0) {
        rc = build(arg, doc, xml_path, err);
    }
    scope_leave(&saved);
done:
    xmlFreeDoc(doc);
    plaint_buf_clear(&xsd);
    plaint_buf_clear(&raw);
    return rc;
}
