/* Loading policy files (policies/<name>.xml) into the pure policy modules, after schema checks. */
#ifndef PLAINT_POLICY_XML_H
#define PLAINT_POLICY_XML_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/rbac.h"
#include "plaint/retention.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A policy file larger than this is refused. */
#define PLAINT_POLICY_MAX_BYTES ((size_t)1024 * 1024)

/* Loads the access policy at xml_path (policies/rbac.xml), validated against the schema at
 * xsd_path (schemas/xml/rbac.xsd). The file is parsed without network access, without loading
 * or expanding anything from a DTD, and any DOCTYPE is refused before its internal subset is
 * read, so entity expansion ("billion laughs") and external entities cannot happen.
 *
 * Returns 0 and sets *out (caller frees with plaint_rbac_policy_free), or:
 * - PLAINT_EINVALID: a DOCTYPE, XML that is not well-formed, a schema violation, a semantic
 *   error (see plaint_rbac_add_action and friends) or a file over PLAINT_POLICY_MAX_BYTES;
 *   err->message is "<xml_path>:<line>: <what>" and err->line the line of the first problem;
 * - PLAINT_ENOTFOUND / PLAINT_EIO: a file cannot be read, or the schema does not compile;
 * - PLAINT_ENOMEM.
 * Thread-safe; libxml2 is initialised on first use. Prints nothing: while it runs, libxml2's
 * error handlers of the calling thread point at this loader and are restored afterwards. */
PLAINT_EXTERN int plaint_policy_load_rbac(plaint_rbac_policy **out, unsigned char *sha256_out,
                                          const char *xml_path, const char *xsd_path,
                                          plaint_error *err);

/* Loads the retention policy at xml_path (policies/retention.xml), validated against the schema
 * at xsd_path (schemas/xml/retention.xsd), with the same parsing rules and return codes as
 * plaint_policy_load_rbac (semantic errors: see plaint_retention_add_class). If sha256_out is
 * not NULL it receives the SHA-256 of the exact file bytes loaded, which names the policy in
 * erasure events. Caller frees *out with plaint_retention_policy_free. */
PLAINT_EXTERN int plaint_policy_load_retention(plaint_retention_policy **out,
                                               unsigned char *sha256_out, const char *xml_path,
                                               const char *xsd_path, plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
