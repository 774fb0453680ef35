/*
 * Hardened libxml2 plumbing shared by every XML reader in the library (policy loaders,
 * src/policy/xml_load.c; intake mappings through it; report documents, src/report/xml_doc.c):
 * a scope that points the calling thread's libxml2 error handlers at a capture of the first
 * error (and restores them after), a parse that stops at any DOCTYPE before its internal subset
 * (so no entity is ever declared or expanded) with no network access, and XSD validation from
 * schema bytes or from a schema file. Errors name "<name>:<line>: <libxml2's message>".
 * Internal to the library; callers own the documents they get.
 */
#ifndef PLAINT_POLICY_XML_SAFE_H
#define PLAINT_POLICY_XML_SAFE_H

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stddef.h>

#include "plaint/error.h"

/* What differs between the readers: their wording and limits. Messages follow "<name>: " (empty)
 * and "<name>:<line>: " (doctype). */
typedef struct plaint_xml_safe_profile {
    const char *empty;   /* input of no bytes, e.g. "policy file is empty" */
    const char *doctype; /* a DOCTYPE was met, e.g. "a DOCTYPE is not allowed (...)" */
    int huge;            /* 1: also XML_PARSE_HUGE (lift libxml2's size limits on text nodes) */
    int columns;         /* 1: errors carry libxml2's column for well-formedness errors */
} plaint_xml_safe_profile;

/* The first error libxml2 reports inside a scope; later ones tend to be its consequences. */
typedef struct plaint_xml_safe_capture {
    int seen;
    int doctype; /* a DOCTYPE was met; parsing stopped before its internal subset */
    int columns; /* copied from the profile */
    unsigned long line;
    unsigned long column;
    char message[200]; /* one line: newlines and tabs become spaces */
} plaint_xml_safe_capture;

/* Caller-allocated; filled by plaint_xml_safe_enter, undone by plaint_xml_safe_leave. */
typedef struct plaint_xml_safe_scope {
    const plaint_xml_safe_profile *profile;
    plaint_xml_safe_capture cap;
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
    xmlGenericErrorFunc generic;
    void *generic_ctx;
} plaint_xml_safe_scope;

/* Initialises libxml2 once per process (thread-safe). */
void plaint_xml_safe_init(void);

/* Initialises libxml2 if needed, saves the calling thread's structured and generic error
 * handlers and points them at s's capture (nothing is printed) until plaint_xml_safe_leave. */
void plaint_xml_safe_enter(plaint_xml_safe_scope *s, const plaint_xml_safe_profile *profile);

/* Restores the handlers plaint_xml_safe_enter saved. */
void plaint_xml_safe_leave(const plaint_xml_safe_scope *s);

/* Parses len bytes of data into *out (caller frees with xmlFreeDoc), inside scope s: no network,
 * no entity substitution, no DTD loading; a DOCTYPE stops the parser and is PLAINT_EINVALID
 * "<name>:<line>: <profile doctype>"; malformed XML is PLAINT_EINVALID "<name>:<line>: <message>";
 * no bytes is PLAINT_EINVALID "<name>: <profile empty>". */
int plaint_xml_safe_parse(xmlDocPtr *out, plaint_xml_safe_scope *s, const void *data, size_t len,
                          const char *name, plaint_error *err);

/* Validates doc (named name in errors) against the schema in xsd_len bytes of xsd (named
 * xsd_name), inside scope s. Suits a self-contained schema: relative xs:import/xs:include have
 * no base to resolve against. PLAINT_EINVALID "<name>:<line>: <message>" on a violation;
 * PLAINT_EIO "<xsd_name>:<line>: <message>" if the schema does not compile. */
int plaint_xml_safe_validate_mem(plaint_xml_safe_scope *s, xmlDocPtr doc, const void *xsd,
                                 size_t xsd_len, const char *xsd_name, const char *name,
                                 plaint_error *err);

/* As plaint_xml_safe_validate_mem, but the schema is read from the file xsd_path, so that its
 * xs:import of a sibling schema resolves beside it. PLAINT_EIO also if it cannot be read. */
int plaint_xml_safe_validate_file(plaint_xml_safe_scope *s, xmlDocPtr doc, const char *xsd_path,
                                  const char *name, plaint_error *err);

/* 1 if n is not NULL and is the element {ns}local. */
int plaint_xml_safe_is_element(const xmlNode *n, const char *ns, const char *local);

#endif
