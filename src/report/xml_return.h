/*
 * Builders of the two XML report documents (unsigned): the regulator return
 * (urn:plaint:report:regulator-return:1) and the case export (urn:plaint:report:case-export:1),
 * with their common header (firm, period, checkpoint, the definition embedded whole), and the
 * pipeline that turns a built document into the bytes plaint writes: indent, sign, serialise,
 * re-parse, validate against the XSD and verify the signature, so what is checked is exactly
 * what is written. Internal to src/report; the use cases are in src/app/report_regulator.c.
 */
#ifndef PLAINT_REPORT_XML_RETURN_H
#define PLAINT_REPORT_XML_RETURN_H

#include <libxml/tree.h>

#include "plaint/app_report.h"
#include "plaint/buf.h"
#include "plaint/report_regulator.h"

/* Starts a document whose root is {ns}root_name with format-version="1" and the common header.
 * Caller frees *out with xmlFreeDoc. */
int plaint_xml_report_start(xmlDocPtr *out, const char *ns, const char *root_name,
                            const plaint_report_def *d, const plaint_period *p,
                            const plaint_report_anchor *a, plaint_error *err);

/* Appends the return's groups and total (figures chosen by the definition). */
int plaint_xml_return_add_figures(xmlDocPtr doc, const plaint_report_def *d,
                                  const plaint_report_result *r, plaint_error *err);

/* Appends the case export's pseudonymisation element (key_id: 16 hex digits). */
int plaint_xml_cases_add_header(xmlDocPtr doc, const char *key_id, plaint_error *err);
/* Appends one case; customer: the pseudonym (64 hex digits) or NULL. */
int plaint_xml_cases_add(xmlDocPtr doc, const plaint_report_case *c, const char *customer,
                         plaint_error *err);

/* Indents doc, signs it with key_path/cert_path, serialises it into out, then re-parses out and
 * validates it against xsd_path and verifies its signature with cert_path. Nothing in out is
 * to be written unless this returns 0. */
int plaint_xml_report_finish(plaint_buf *out, xmlDocPtr doc, const char *xsd_path,
                             const char *key_path, const char *cert_path, plaint_error *err);

/* Compares the computed document `want` with the document read, `got`, ignoring ds:Signature,
 * the embedded definition and whitespace-only text. PLAINT_ETAMPER naming the first figure
 * (element path, attribute) that differs and both values. */
int plaint_xml_report_compare(xmlDocPtr want, xmlDocPtr got, plaint_error *err);

/* --- the interface the use cases call (no libxml2 type crosses it) --- */

/* The signed, validated bytes of the regulator return. */
int plaint_xml_return_render(plaint_buf *out, const plaint_report_def *d, const plaint_period *p,
                             const plaint_report_anchor *a, const plaint_report_result *r,
                             const char *xsd_dir, const char *key_path, const char *cert_path,
                             plaint_error *err);

/* The case export, built one case at a time. */
typedef struct plaint_xml_cases plaint_xml_cases;
int plaint_xml_cases_new(plaint_xml_cases **out, const plaint_report_def *d, const plaint_period *p,
                         const plaint_report_anchor *a, const char *key_id, plaint_error *err);
int plaint_xml_cases_append(plaint_xml_cases *c, const plaint_report_case *rec,
                            const char *customer, plaint_error *err);
int plaint_xml_cases_render(plaint_buf *out, plaint_xml_cases *c, const char *xsd_dir,
                            const char *key_path, const char *cert_path, plaint_error *err);
void plaint_xml_cases_free(plaint_xml_cases *c);

/* A report document read back for verification. */
typedef struct plaint_xml_report plaint_xml_report;

/* Parses data (no DOCTYPE); PLAINT_EINVALID if it is not a plaint return or case export.
 * Then validates it against its XSD and verifies its signature (cert_path, or NULL for the
 * embedded certificate): PLAINT_ETAMPER if either fails. Fills check's cases, period, tree_size,
 * root_hex and signer. Caller frees *out with plaint_xml_report_free (also after an error). */
int plaint_xml_report_open(plaint_xml_report **out, const void *data, size_t len, const char *name,
                           const char *xsd_dir, const char *cert_path, plaint_report_check *check,
                           plaint_error *err);
/* The definition embedded in the report (validated again). Caller frees it. */
int plaint_xml_report_definition(plaint_report_def **out, const plaint_xml_report *r,
                                 const char *xsd_dir, plaint_error *err);
/* The key id of a case export's pseudonymisation element ("" for a return). */
const char *plaint_xml_report_key_id(const plaint_xml_report *r);
/* Compares the document with a return computed from r (or with the case export c). */
int plaint_xml_report_compare_return(const plaint_xml_report *r, const plaint_report_def *d,
                                     const plaint_period *p, const plaint_report_anchor *a,
                                     const plaint_report_result *res, plaint_error *err);
int plaint_xml_report_compare_cases(const plaint_xml_report *r, const plaint_xml_cases *c,
                                    plaint_error *err);
void plaint_xml_report_free(plaint_xml_report *r);

#endif
