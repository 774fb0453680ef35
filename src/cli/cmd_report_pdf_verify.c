/* `plaint report verify FILE.pdf [--ledger]`: the PAdES signature of a PDF report, the signer
 * against report.signing_cert, and with --ledger the ledger checkpoint the report names. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "plaint/app_auth.h"
#include "plaint/app_report.h"
#include "plaint/buf.h"
#include "plaint/digest.h"
#include "report/pades.h"
#include "report/pdf_trailer.h"

#define MAX_PDF (256u * 1024u * 1024u)

static void colon_hex(char *out, const unsigned char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(out + 3 * i, 4, i + 1 < n ? "%02X:" : "%02X", d[i]);
    }
}

/* SHA-256 of the PEM certificate at path: 1 read, 0 no such file, -1 unreadable. */
static int cert_sha256(unsigned char out[32], const char *path)
{
    FILE *f = fopen(path, "rb");
    X509 *x;
    unsigned int n = 0;
    int ok;

    if (f == NULL) {
        return 0;
    }
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    ok = x != NULL && X509_digest(x, EVP_sha256(), out, &n) == 1 && n == 32;
    X509_free(x);
    return ok ? 1 : -1;
}

static int fail_verify(const char *path, const char *why)
{
    fprintf(stderr, "plaint report verify: %s: INVALID: %s\n", path, why);
    return PLAINT_EXIT_VERIFY;
}

/* --ledger: the checkpoint named in the PDF must be in this ledger with the same root. */
static int check_checkpoint(plaint_cli *cli, const char *path, const plaint_buf *pdf)
{
    plaint_report_anchor a;
    plaint_actor actor;
    plaint_error err;
    unsigned char root[PLAINT_HASH_LEN];
    char root_hex[65];
    int64_t size = 0;
    int rc;

    plaint_error_init(&err);
    rc = plaint_pdf_read_checkpoint(&size, root_hex, (const unsigned char *)pdf->data, pdf->len,
                                    &err);
    if (rc < 0) {
        return fail_verify(path, err.message);
    }
    printf("checkpoint: tree size %lld, root %s\n", (long long)size, root_hex);
    rc = plaint_hex_decode(root, sizeof(root), root_hex, 64, &err);
    if (rc == 0) {
        rc = plaint_cli_authorize(cli, "report.read", &actor, &err);
    }
    if (rc == 0) {
        rc = plaint_report_anchor_find(&a, cli->auth_db, size, root, &err);
        if (rc == PLAINT_ENOTFOUND || rc == PLAINT_ETAMPER) {
            return fail_verify(path, err.message);
        }
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("ledger: checkpoint %lld of this ledger (sealed %s) has that tree size and root\n",
           (long long)a.seq, a.time);
    return PLAINT_EXIT_OK;
}

int plaint_cli_report_verify_pdf(plaint_cli *cli, const char *path, int check_ledger)
{
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_pades_info info;
    plaint_error err;
    const plaint_config *cfg = NULL;
    unsigned char fp[32];
    unsigned char want[32];
    char fp_text[97];
    char when[32] = "unknown";
    int rc;
    int known;

    plaint_error_init(&err);
    rc = plaint_buf_read_file(&pdf, path, MAX_PDF, &err);
    if (rc < 0) {
        plaint_buf_clear(&pdf);
        return plaint_cli_fail(&err);
    }
    rc = plaint_pades_verify_signer((const unsigned char *)pdf.data, pdf.len, &info, fp, &err);
    if (rc == PLAINT_ETAMPER || rc == PLAINT_EINVALID) {
        /* an unsigned PDF fails verification as much as a changed one */
        plaint_buf_clear(&pdf);
        return fail_verify(path, err.message);
    }
    if (rc < 0) {
        plaint_buf_clear(&pdf);
        return plaint_cli_fail(&err);
    }
    if (info.signing_time > 0) {
        time_t t = (time_t)info.signing_time;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    colon_hex(fp_text, fp, sizeof(fp));
    printf("%s: PAdES signature valid (ETSI.CAdES.detached, SHA-256), covering the whole file\n"
           "signer: %s\nsigner certificate SHA-256: %s\nsigned at: %s\n",
           path, info.signer, fp_text, when);
    /* The demo certificate is self-signed: what makes the signer trusted here is that it is
     * this installation's configured report certificate. */
    rc = plaint_cli_config(cli, &cfg, &err);
    known = rc == 0 ? cert_sha256(want, cfg->report_cert) : 0;
    if (known == 1 && CRYPTO_memcmp(want, fp, sizeof(fp)) != 0) {
        plaint_buf_clear(&pdf);
        return fail_verify(path, "signed with a certificate other than report.signing_cert");
    }
    if (known == 1) {
        printf("signer certificate: the configured report.signing_cert (%s)\n", cfg->report_cert);
    } else if (cfg == NULL) {
        printf("signer certificate: not compared (no configuration: %s)\n", err.message);
    } else {
        printf("signer certificate: not compared (report.signing_cert %s %s)\n", cfg->report_cert,
               known == 0 ? "is not present here" : "is unreadable");
    }
    rc = check_ledger ? check_checkpoint(cli, path, &pdf) : PLAINT_EXIT_OK;
    plaint_buf_clear(&pdf);
    return rc;
}
