/*
 * XML signatures for the report documents with xmlsec1 (OpenSSL back end): an enveloped
 * ds:Signature appended as the last child of the root, exclusive canonicalisation (for
 * SignedInfo and as the reference's second transform), RSA-SHA256 (PKCS#1 v1.5, deterministic),
 * SHA-256 digest, one Reference URI="" and the signer's certificate in KeyInfo/X509Data.
 * Verification accepts exactly that shape (URI="" only, those transforms only) and checks the
 * signature with a key taken from a certificate the caller names or, if none, from the
 * certificate the document carries. Internal to src/report.
 */
#ifndef PLAINT_REPORT_XMLDSIG_H
#define PLAINT_REPORT_XMLDSIG_H

#include <libxml/tree.h>
#include <stddef.h>

#include "plaint/error.h"

/* 0 if both files are readable, else PLAINT_EIO naming the missing one and how to create it. */
int plaint_xmldsig_check_files(const char *key_path, const char *cert_path, plaint_error *err);

/* Signs doc in place with the PEM private key and certificate. PLAINT_EIO if either cannot be
 * read (message names the file), PLAINT_ERROR if signing fails. */
int plaint_xmldsig_sign(xmlDocPtr doc, const char *key_path, const char *cert_path,
                        plaint_error *err);

/* Verifies the signature of doc. cert_path: a PEM certificate to verify with, or NULL for the
 * one in the document's KeyInfo. signer (may be NULL, n bytes) receives the certificate's
 * subject. 0 valid; PLAINT_ETAMPER with the reason (digest or signature mismatch, no or
 * several signatures, a shape other than the one written); PLAINT_EIO for an unreadable
 * certificate. */
int plaint_xmldsig_verify(xmlDocPtr doc, const char *cert_path, char *signer, size_t n,
                          plaint_error *err);

#endif
