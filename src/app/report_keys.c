/* `plaint keys cert`: the report signing key (RSA-3072) and its self-signed demo certificate. */
#include "plaint/app_report_keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/keyfile.h"
#include "plaint/ossl_error.h"
#include "plaint/file.h"

/* RFC 2253 in the order written (CN first), UTF-8 kept as is. */
#define NAME_FLAGS (XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV & ~(unsigned long)ASN1_STRFLGS_ESC_MSB)

/* Adds the RDNs of "CN=a,O=b" (backslash escapes the next character) to name. */
static int parse_subject(X509_NAME *name, const char *subject, plaint_error *err)
{
    char key[64];
    char val[256];
    const char *p = subject;
    int have_cn = 0;

    while (*p != '\0') {
        size_t kn = 0;
        size_t vn = 0;
        while (*p == ' ') {
            p++;
        }
        while (*p != '\0' && *p != '=' && *p != ',') {
            if (kn + 1 >= sizeof(key)) {
                return plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                           "attribute name too long in '%s'", subject);
            }
            key[kn++] = *p++;
        }
        key[kn] = '\0';
        if (*p != '=' || kn == 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                       "expected NAME=VALUE pairs separated by commas "
                                       "(e.g. \"CN=Report signing,O=Firm\"), got '%s'",
                                       subject);
        }
        p++;
        while (*p != '\0' && *p != ',') {
            if (*p == '\\' && p[1] != '\0') {
                p++;
            }
            if (vn + 1 >= sizeof(val)) {
                return plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                           "value of %s is longer than %zu bytes", key,
                                           sizeof(val) - 1);
            }
            val[vn++] = *p++;
        }
        val[vn] = '\0';
        if (vn == 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                       "%s has an empty value", key);
        }
        if (X509_NAME_add_entry_by_txt(name, key, MBSTRING_UTF8, (const unsigned char *)val, -1, -1,
                                       0) != 1) {
            ERR_clear_error();
            return plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                       "'%s' is not a valid attribute (e.g. CN, O, OU, C, L, "
                                       "ST) or its value '%s' does not fit it",
                                       key, val);
        }
        if (strcmp(key, "CN") == 0 || strcmp(key, "commonName") == 0) {
            have_cn = 1;
        }
        if (*p == ',') {
            p++;
            if (*p == '\0') {
                return plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                           "trailing comma in '%s'", subject);
            }
        }
    }
    if (!have_cn) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                   "the subject needs a CN (common name): '%s'", subject);
    }
    return 0;
}

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value, plaint_error *err)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok;

    if (ext == NULL) {
        return plaint_ossl_fail(err, PLAINT_ERROR, "cannot make a certificate extension");
    }
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) {
        return plaint_ossl_fail(err, PLAINT_ERROR, "cannot add a certificate extension");
    }
    return 0;
}

/* A positive random serial of 127 bits (RFC 5280: at most 20 octets, positive, non-zero). */
static int set_serial(X509 *cert, char *hex_out, size_t hex_cap, plaint_error *err)
{
    unsigned char raw[16];
    BIGNUM *bn = NULL;
    char *hex = NULL;
    int rc = 0;

    if (RAND_bytes(raw, (int)sizeof(raw)) != 1) {
        return plaint_ossl_fail(err, PLAINT_ERROR, "no random bytes for the serial number");
    }
    raw[0] = (unsigned char)((raw[0] & 0x7f) | 0x40);
    bn = BN_bin2bn(raw, (int)sizeof(raw), NULL);
    if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL) {
        rc = plaint_ossl_fail(err, PLAINT_ENOMEM, "cannot set the serial number");
    }
    if (rc == 0) {
        hex = BN_bn2hex(bn);
        if (hex == NULL) {
            rc = plaint_ossl_fail(err, PLAINT_ENOMEM, "cannot print the serial number");
        } else {
            snprintf(hex_out, hex_cap, "%s", hex);
        }
    }
    OPENSSL_free(hex);
    BN_free(bn);
    return rc;
}

/* Builds and self-signs the certificate for key. */
static int make_cert(X509 **out, EVP_PKEY *key, const char *subject, int days,
                     plaint_report_cert_info *info, plaint_error *err)
{
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX ctx;
    struct tm tm;
    time_t end;
    int rc = 0;

    if (cert == NULL || name == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory for the certificate");
        goto done;
    }
    rc = parse_subject(name, subject, err);
    if (rc < 0) {
        goto done;
    }
    if (X509_set_version(cert, X509_VERSION_3) != 1 || X509_set_subject_name(cert, name) != 1 ||
        X509_set_issuer_name(cert, name) != 1 || X509_set_pubkey(cert, key) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(cert), 0) == NULL ||
        X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, NULL) == NULL) {
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot fill the certificate");
        goto done;
    }
    rc = set_serial(cert, info->serial, sizeof(info->serial), err);
    if (rc < 0) {
        goto done;
    }
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    rc = add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE", err);
    if (rc == 0) {
        rc = add_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation", err);
    }
    if (rc == 0) {
        rc = add_ext(cert, &ctx, NID_subject_key_identifier, "hash", err);
    }
    if (rc < 0) {
        goto done;
    }
    if (X509_sign(cert, key, EVP_sha256()) <= 0) {
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot sign the certificate");
        goto done;
    }
    {
        BIO *mem = BIO_new(BIO_s_mem());
        char *p = NULL;
        long n;
        if (mem == NULL || X509_NAME_print_ex(mem, name, 0, NAME_FLAGS) < 0) {
            BIO_free(mem);
            rc = plaint_ossl_fail(err, PLAINT_ENOMEM, "cannot print the subject");
            goto done;
        }
        n = BIO_get_mem_data(mem, &p);
        snprintf(info->subject, sizeof(info->subject), "%.*s", (int)n, p);
        BIO_free(mem);
    }
    end = time(NULL) + (time_t)days * 86400;
    gmtime_r(&end, &tm);
    strftime(info->not_after, sizeof(info->not_after), "%Y-%m-%dT%H:%M:%SZ", &tm);
    *out = cert;
    cert = NULL;
done:
    X509_NAME_free(name);
    X509_free(cert);
    return rc;
}

static int fingerprint(char *out, size_t cap, X509 *cert, plaint_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    size_t pos = 0;

    if (X509_digest(cert, EVP_sha256(), md, &n) != 1 || n * 3 > cap) {
        return plaint_ossl_fail(err, PLAINT_ERROR, "cannot hash the certificate");
    }
    for (unsigned int i = 0; i < n; i++) {
        snprintf(out + pos, cap - pos, i + 1 < n ? "%02X:" : "%02X", md[i]);
        pos += i + 1 < n ? 3 : 2;
    }
    return 0;
}

/* PEM text of the key (PKCS#8) or of the certificate in a memory BIO. */
static int pem_of(BIO **out, EVP_PKEY *key, X509 *cert, plaint_error *err)
{
    BIO *mem = BIO_new(BIO_s_mem());
    int ok;

    if (mem == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    ok = key != NULL ? PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL)
                     : PEM_write_bio_X509(mem, cert);
    if (ok != 1) {
        BIO_free(mem);
        return plaint_ossl_fail(err, PLAINT_ERROR, "cannot encode PEM");
    }
    *out = mem;
    return 0;
}

static int write_bio(const char *path, BIO *mem, mode_t mode, plaint_error *err)
{
    char *p = NULL;
    long n = BIO_get_mem_data(mem, &p);

    return plaint_keyfile_write_new(path, p, (size_t)n, mode, err);
}

int plaint_app_report_cert_create(plaint_report_cert_info *out, const plaint_config *cfg,
                                  const char *subject, int days, int force, plaint_error *err)
{
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    BIO *key_pem = NULL;
    BIO *cert_pem = NULL;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (subject == NULL) {
        subject = PLAINT_REPORT_CERT_SUBJECT;
    }
    if (days < 1 || days > PLAINT_REPORT_CERT_MAX_DAYS) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "days", 0, 0,
                                   "validity must be 1..%d days, not %d",
                                   PLAINT_REPORT_CERT_MAX_DAYS, days);
    }
    if (cfg->report_key[0] == '\0' || cfg->report_cert[0] == '\0') {
        return plaint_error_set(err, PLAINT_EIO,
                                "report.signing_key and report.signing_cert must be set");
    }
    if (!force) {
        const char *exists = access(cfg->report_key, F_OK) == 0    ? cfg->report_key
                             : access(cfg->report_cert, F_OK) == 0 ? cfg->report_cert
                                                                   : NULL;
        if (exists != NULL) {
            return plaint_error_set(err, PLAINT_EIO,
                                    "%s exists; refusing to overwrite it (--force replaces "
                                    "the key and the certificate)",
                                    exists);
        }
    }
    /* Everything is made in memory first, so --force never leaves the old pair half gone. */
    key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
    if (key == NULL) {
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot generate an RSA-3072 key");
        goto done;
    }
    rc = make_cert(&cert, key, subject, days, out, err);
    if (rc == 0) {
        rc = fingerprint(out->fingerprint, sizeof(out->fingerprint), cert, err);
    }
    if (rc == 0) {
        rc = pem_of(&key_pem, key, NULL, err);
    }
    if (rc == 0) {
        rc = pem_of(&cert_pem, NULL, cert, err);
    }
    if (rc == 0) {
        rc = plaint_file_make_dir_of(cfg->report_key, err);
    }
    if (rc == 0) {
        rc = plaint_file_make_dir_of(cfg->report_cert, err);
    }
    if (rc == 0 && force) {
        if ((unlink(cfg->report_key) != 0 && errno != ENOENT) ||
            (unlink(cfg->report_cert) != 0 && errno != ENOENT)) {
            rc = plaint_error_set(err, PLAINT_EIO, "cannot replace the old files: %s",
                                  strerror(errno));
        }
    }
    if (rc == 0) {
        rc = write_bio(cfg->report_key, key_pem, 0600, err);
    }
    if (rc == 0) {
        rc = write_bio(cfg->report_cert, cert_pem, 0644, err);
        if (rc < 0) {
            unlink(cfg->report_key); /* a key without its certificate is of no use */
        }
    }
done:
    if (key_pem != NULL) {
        char *p = NULL;
        long n = BIO_get_mem_data(key_pem, &p);
        OPENSSL_cleanse(p, (size_t)n);
    }
    BIO_free(key_pem);
    BIO_free(cert_pem);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}
