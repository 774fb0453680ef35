/* Shared machinery of the policy loaders (src/policy/<name>_xml.c): read a policy file, refuse
 * any DOCTYPE, parse without network or entities, validate against its XSD, then hand the
 * document to a loader-specific builder. Internal to src/policy; no libxml2 object leaves it. */
#ifndef PLAINT_POLICY_XML_LOAD_H
#define PLAINT_POLICY_XML_LOAD_H

#include <libxml/tree.h>

#include "plaint/digest.h"
#include "plaint/error.h"

/* Builds the loader's policy from a schema-valid document; arg is the loader's own. Errors name
 * "<path>:<line>: " (see plaint_policy_xml_fail_at). */
typedef int (*plaint_policy_xml_build_fn)(void *arg, xmlDocPtr doc, const char *path,
                                          plaint_error *err);

/* Reads xml_path (at most PLAINT_POLICY_MAX_BYTES) and xsd_path, refuses DOCTYPEs, parses,
 * validates and calls build with the document (freed afterwards). If sha256_out is not NULL it
 * receives the SHA-256 of the exact bytes parsed. Return codes as plaint_policy_load_rbac. */
int plaint_policy_xml_load(unsigned char *sha256_out, const char *xml_path, const char *xsd_path,
                           plaint_policy_xml_build_fn build, void *arg, plaint_error *err);

/* 1 if n is the element {ns}local. */
int plaint_policy_xml_is_element(const xmlNode *n, const char *ns, const char *local);

/* Prefixes err's message (set by a builder) with "<path>:<line>: ", records node's line and
 * returns rc unchanged. */
int plaint_policy_xml_fail_at(plaint_error *err, int rc, const char *path, const xmlNode *node);

#endif
