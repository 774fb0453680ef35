/*
 * PAdES baseline B-B signatures on PDFs, with OpenSSL: the signature dictionary
 * (/Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached) and its widget are appended to the
 * unsigned PDF as an incremental update; the CMS SignedData is detached, SHA-256, with the
 * signing-certificate-v2 attribute (RFC 5035) and the signer's certificate, over the two byte
 * ranges around /Contents. Internal to the report adapters.
 */
#ifndef PLAINT_REPORT_PADES_H
#define PLAINT_REPORT_PADES_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/error.h"

/* Signs pdf (an unsigned, complete PDF as written by plaint_pdf_doc_finish) with the private key
 * and certificate in PEM files; signing_time (Unix seconds, UTC) goes into /M. (PAdES B-B
 * forbids the CMS signing-time attribute, so there is none: docs/reports-pdf.md.) Writes the
 * signed PDF into out. */
int plaint_pades_sign(const unsigned char *pdf, size_t len, const char *key_path,
                      const char *cert_path, int64_t signing_time, plaint_buf *out,
                      plaint_error *err);

typedef struct plaint_pades_info {
    char signer[256];     /* subject of the signing certificate */
    int64_t signing_time; /* from /M (0 if absent or unreadable) */
    int covers_whole_file; /* 1 if the byte ranges cover the whole file but /Contents */
} plaint_pades_info;

/* Verifies the (last) signature of a PDF: byte ranges, message digest, CMS signature with the
 * embedded certificate, signing-certificate-v2 attribute. Returns 0 when valid,
 * PLAINT_ETAMPER with the reason when not, PLAINT_EINVALID when there is no signature. */
int plaint_pades_verify(const unsigned char *pdf, size_t len, plaint_pades_info *info,
                        plaint_error *err);

/* ---- Added by the PDF engine ---- */

/* As plaint_pades_verify; also gives the SHA-256 of the signer's certificate (DER), so that a
 * caller can compare it with the certificate it trusts (the self-signed demo certificate has
 * no chain to check). cert_sha256 is filled only when the signature is valid. */
int plaint_pades_verify_signer(const unsigned char *pdf, size_t len, plaint_pades_info *info,
                               unsigned char cert_sha256[32], plaint_error *err);

/* Bytes reserved for the DER CMS in /Contents (twice as many hex digits). */
#define PLAINT_PADES_CONTENTS_MAX 16384

/* "D:YYYYMMDDHHmmSS+00'00'" for Unix seconds t (UTC). Returns 0 or PLAINT_ERANGE (t outside
 * 1970..9999, or cap < 24). */
int plaint_pades_format_date(char *out, size_t cap, int64_t t);
/* Parses a PDF date (D: optional; Z or +HH'mm' or -HH'mm' or none, read as UTC) to Unix seconds.
 * Returns 0 or PLAINT_EINVALID. */
int plaint_pades_parse_date(int64_t *out, const char *s);
/* The /ByteRange [0 a b c] for a /Contents string (from '<' to '>') of contents_len bytes at
 * contents_at in a file of file_len bytes. Returns 0 or PLAINT_EINVALID. */
int plaint_pades_byte_range(size_t out[4], size_t contents_at, size_t contents_len,
                            size_t file_len);

#endif
