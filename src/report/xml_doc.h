/*
 * The XML report adapters' shared machinery over libxml2: parse a document from memory with no
 * DOCTYPE (so no entity is ever declared or expanded) and no network, validate it against an
 * XSD file (whose xs:import of a sibling schema resolves beside it), serialise it, and find
 * elements and attributes. Parsing and validation are policy/xml_safe.c's, with the report
 * wording and limits. Errors name "<name>:<line>: <libxml2's message>". Internal to src/report.
 */
#ifndef PLAINT_REPORT_XML_DOC_H
#define PLAINT_REPORT_XML_DOC_H

#include <libxml/tree.h>
#include <stddef.h>

#include "plaint/buf.h"
#include "plaint/error.h"

/* Largest report or definition document read (bytes). */
#define PLAINT_XML_DOC_MAX_BYTES ((size_t)1 << 30)

/* Initialises libxml2 once per process (thread-safe). */
void plaint_xml_doc_init(void);

/* Parses data into *out (caller frees with xmlFreeDoc). A DOCTYPE or malformed XML is
 * PLAINT_EINVALID naming name and line. */
int plaint_xml_doc_parse(xmlDocPtr *out, const void *data, size_t len, const char *name,
                         plaint_error *err);

/* Validates doc against the XSD file xsd_path. PLAINT_EINVALID "<name>:<line>: <message>" on a
 * violation; PLAINT_EIO if the schema cannot be read or compiled. */
int plaint_xml_doc_validate(xmlDocPtr doc, const char *xsd_path, const char *name,
                            plaint_error *err);

/* Serialises doc (UTF-8, with the XML declaration, no reformatting) into out. */
int plaint_xml_doc_dump(plaint_buf *out, xmlDocPtr doc, plaint_error *err);


/* 1 if n is the element {ns}local. */
int plaint_xml_doc_is(const xmlNode *n, const char *ns, const char *local);
/* The first element child of n named {ns}local, or NULL. */
xmlNodePtr plaint_xml_doc_child(const xmlNode *n, const char *ns, const char *local);
/* Attribute value copied into out (n bytes); "" if absent. 0, or PLAINT_EINVALID if too long. */
int plaint_xml_doc_attr(char *out, size_t n, const xmlNode *node, const char *name,
                        plaint_error *err);

#endif
