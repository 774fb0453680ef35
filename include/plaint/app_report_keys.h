/* The report signing key and its self-signed demo certificate (`plaint keys cert`). */
#ifndef PLAINT_APP_REPORT_KEYS_H
#define PLAINT_APP_REPORT_KEYS_H

#include <stdint.h>

#include "plaint/config.h"
#include "plaint/error.h"
#include "plaint/export.h"

/* Default subject and validity of the demo certificate. */
#define PLAINT_REPORT_CERT_SUBJECT  "CN=plaint report signing (demo),O=plaint demo"
#define PLAINT_REPORT_CERT_DAYS     825
#define PLAINT_REPORT_CERT_MAX_DAYS 36500

/* What plaint_app_report_cert_create wrote. */
typedef struct plaint_report_cert_info {
    char fingerprint[96]; /* SHA-256 of the certificate's DER, "AB:CD:...", as openssl prints */
    char subject[256];    /* RFC 2253 form of the subject */
    char not_after[32];   /* "YYYY-MM-DDTHH:MM:SSZ" */
    char serial[64];      /* hex */
} plaint_report_cert_info;

/*
 * Creates an RSA-3072 private key (PEM PKCS#8, mode 0600, created exclusively) at
 * cfg->report_key and a self-signed X.509 v3 certificate (SHA-256 with RSA, random 127-bit
 * serial, keyUsage digitalSignature+nonRepudiation, basicConstraints CA:FALSE, subject key
 * identifier) at cfg->report_cert (mode 0644), valid from now for days days.
 * subject: "CN=...,O=..." (NULL = PLAINT_REPORT_CERT_SUBJECT); attribute names as OpenSSL
 * knows them (CN, O, OU, C, ST, L, emailAddress...), values UTF-8, "\," for a literal comma; a
 * CN is required. days: 1..PLAINT_REPORT_CERT_MAX_DAYS. Refuses (PLAINT_EIO) when either file
 * exists unless force, in which case both are replaced (only after the new ones were made in
 * memory). Bad subject or days: PLAINT_EINVALID naming the field. No database is involved: the
 * key directory's permissions guard this, as for `plaint keys init`.
 */
PLAINT_EXTERN int plaint_app_report_cert_create(plaint_report_cert_info *out,
                                                const plaint_config *cfg, const char *subject,
                                                int days, int force, plaint_error *err);

#endif
