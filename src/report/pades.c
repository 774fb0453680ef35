/*
 * PAdES baseline B-B on plaint's PDFs: the signature as an incremental update (signature
 * dictionary, its field/widget, the catalog with /AcroForm and the ESIC extension, the first page
 * with the widget in /Annots, an xref section and a trailer with /Prev), a detached CMS whose
 * signed attributes are exactly content-type, message-digest and signing-certificate-v2 (no
 * signing-time: the time is /M), and the verification of the last such signature.
 */
#include "report/pades.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "crypto/keyfile.h"
#include "plaint/ossl_error.h"
#include "plaint/civil.h"
#include "report/pdf_trailer.h"

#define NAME_FLAGS     (XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV & ~(unsigned long)ASN1_STRFLGS_ESC_MSB)
#define BYTERANGE_W    48 /* the /ByteRange array, padded with spaces to this width */
#define MAX_KEY_PEM    16384
#define MAX_CERT_PEM   (1024 * 1024)
#define MAX_PAGE_DEPTH 16

/* ---- PDF dates ---------------------------------------------------------------------------- */

int plaint_pades_format_date(char *out, size_t cap, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t < 0 || t > 253402300799 || gmtime_r(&tt, &tm) == NULL || cap < 24) {
        return PLAINT_ERANGE;
    }
    snprintf(out, cap, "D:%04d%02d%02d%02d%02d%02d+00'00'", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return 0;
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int plaint_pades_parse_date(int64_t *out, const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, oh = 0, om = 0;
    int sign = 0;
    const char *z;

    if (strncmp(s, "D:", 2) == 0) {
        s += 2;
    }
    if (strlen(s) < 14 || digits(s, 4, &y) < 0 || digits(s + 4, 2, &mo) < 0 ||
        digits(s + 6, 2, &d) < 0 || digits(s + 8, 2, &h) < 0 || digits(s + 10, 2, &mi) < 0 ||
        digits(s + 12, 2, &se) < 0) {
        return PLAINT_EINVALID;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 59) {
        return PLAINT_EINVALID;
    }
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) {
        return PLAINT_EINVALID;
    }
    z = s + 14;
    if (*z == 'Z') {
        z++;
        if (strcmp(z, "") != 0 && strcmp(z, "00'00'") != 0 && strcmp(z, "00'00") != 0) {
            return PLAINT_EINVALID;
        }
    } else if (*z == '+' || *z == '-') {
        sign = *z == '+' ? 1 : -1;
        if (strlen(z) < 3 || digits(z + 1, 2, &oh) < 0 || oh > 23) {
            return PLAINT_EINVALID;
        }
        z += 3;
        if (*z == '\'') {
            z++;
        }
        if (*z != '\0') {
            if (strlen(z) < 2 || digits(z, 2, &om) < 0 || om > 59) {
                return PLAINT_EINVALID;
            }
            z += 2;
            if (*z == '\'') {
                z++;
            }
        }
        if (*z != '\0') {
            return PLAINT_EINVALID;
        }
    } else if (*z != '\0') {
        return PLAINT_EINVALID;
    }
    *out =
        plaint_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
    return 0;
}

/* ---- the incremental update --------------------------------------------------------------- */

int plaint_pades_byte_range(size_t out[4], size_t contents_at, size_t contents_len, size_t file_len)
{
    if (contents_at == 0 || contents_len < 2 || contents_at > file_len ||
        contents_len > file_len - contents_at) {
        return PLAINT_EINVALID;
    }
    out[0] = 0;
    out[1] = contents_at;
    out[2] = contents_at + contents_len;
    out[3] = file_len - out[2];
    return 0;
}

static int load_key(EVP_PKEY **out, const char *path, plaint_error *err)
{
    char *pem = malloc(MAX_KEY_PEM);
    size_t n = 0;
    BIO *bio = NULL;
    int rc;

    if (pem == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    rc = plaint_keyfile_read_private(pem, MAX_KEY_PEM, &n, path, err);
    if (rc == PLAINT_ENOTFOUND) {
        rc = plaint_error_set(err, PLAINT_EIO,
                              "no report signing key at %s (report.signing_key; create one with "
                              "'plaint keys cert')",
                              path);
    }
    if (rc == 0) {
        bio = BIO_new_mem_buf(pem, (int)n);
        *out = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
        if (*out == NULL) {
            rc = plaint_ossl_fail(err, PLAINT_EIO, "the report signing key is not a PEM private key");
        }
    }
    BIO_free(bio);
    OPENSSL_cleanse(pem, MAX_KEY_PEM);
    free(pem);
    return rc;
}

static int load_cert(X509 **out, const char *path, plaint_error *err)
{
    plaint_buf pem = PLAINT_BUF_INIT;
    BIO *bio = NULL;
    int rc = plaint_buf_read_file(&pem, path, MAX_CERT_PEM, err);

    if (rc < 0) {
        plaint_buf_clear(&pem);
        return plaint_error_set(err, PLAINT_EIO,
                                "cannot read the report signing certificate %s "
                                "(report.signing_cert)",
                                path);
    }
    bio = BIO_new_mem_buf(pem.data, (int)pem.len);
    *out = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    if (*out == NULL) {
        rc = plaint_ossl_fail(err, PLAINT_EIO, "the report signing certificate is not a PEM X.509");
    }
    BIO_free(bio);
    plaint_buf_clear(&pem);
    return rc;
}

/* The first page object: /Root /Pages, then the first kid while it is a /Pages node. */
static int first_page(uint32_t *num, plaint_pdf_span *dict, const plaint_pdf_file *f,
                      plaint_pdf_span root, plaint_error *err)
{
    plaint_pdf_span v;
    plaint_pdf_span node;
    uint32_t n = 0;

    if (plaint_pdf_dict_get(&v, root, "Pages") != 1 || plaint_pdf_as_ref(&n, v) < 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "the catalog has no /Pages reference");
    }
    for (int depth = 0; depth < MAX_PAGE_DEPTH; depth++) {
        int rc = plaint_pdf_object(&node, f, n, err);
        if (rc < 0) {
            return rc;
        }
        if (plaint_pdf_dict_get(&v, node, "Type") == 1 && plaint_pdf_is_name(v, "Page")) {
            *num = n;
            *dict = node;
            return 0;
        }
        if (plaint_pdf_dict_get(&v, node, "Kids") != 1 || plaint_pdf_array_item(&v, v, 0) != 1 ||
            plaint_pdf_as_ref(&n, v) < 0) {
            return plaint_error_set(err, PLAINT_EINVALID, "the page tree has no first page");
        }
    }
    return plaint_error_set(err, PLAINT_EINVALID, "the page tree is too deep");
}

/* Appends "NUM 0 obj\n" + dict without its closing ">>" + extra + ">>\nendobj\n". */
static int rewrite_dict(plaint_buf *u, uint32_t num, plaint_pdf_span dict, const char *extra,
                        plaint_error *err)
{
    int rc = plaint_buf_printf(u, err, "%" PRIu32 " 0 obj\n", num);

    if (rc == 0) {
        rc = plaint_buf_append(u, dict.p, dict.len - 2, err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(u, err, "%s>>\nendobj\n", extra);
    }
    return rc;
}

/* DER of the signed attributes as the signature covers them: SET OF Attribute, DER-sorted. */
typedef struct der_item {
    unsigned char *p;
    int len;
} der_item;

static int cmp_der(const void *a, const void *b)
{
    const der_item *x = a;
    const der_item *y = b;
    int n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, (size_t)n);

    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static int signed_attrs_der(plaint_buf *out, CMS_SignerInfo *si, plaint_error *err)
{
    int count = CMS_signed_get_attr_count(si);
    der_item items[16];
    size_t total = 0;
    unsigned char hdr[6];
    size_t hn = 0;
    int rc = 0;

    if (count < 1 || count > 16) {
        return plaint_error_set(err, PLAINT_ERROR, "unexpected signed attribute count %d", count);
    }
    memset(items, 0, sizeof(items));
    for (int i = 0; rc == 0 && i < count; i++) {
        items[i].len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &items[i].p);
        if (items[i].len <= 0) {
            rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot encode a signed attribute");
        } else {
            total += (size_t)items[i].len;
        }
    }
    if (rc == 0) {
        /* DER: the elements of a SET OF in ascending order of their encodings */
        qsort(items, (size_t)count, sizeof(items[0]), cmp_der);
        hdr[hn++] = 0x31;
        if (total < 0x80) {
            hdr[hn++] = (unsigned char)total;
        } else if (total < 0x100) {
            hdr[hn++] = 0x81;
            hdr[hn++] = (unsigned char)total;
        } else if (total < 0x10000) {
            hdr[hn++] = 0x82;
            hdr[hn++] = (unsigned char)(total >> 8);
            hdr[hn++] = (unsigned char)total;
        } else {
            rc = plaint_error_set(err, PLAINT_ERROR, "signed attributes too large");
        }
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, hdr, hn, err);
    }
    for (int i = 0; rc == 0 && i < count; i++) {
        rc = plaint_buf_append(out, items[i].p, (size_t)items[i].len, err);
    }
    for (int i = 0; i < count; i++) {
        OPENSSL_free(items[i].p);
    }
    return rc;
}

/*
 * The CMS SignedData (DER) over the message digest md: one SignerInfo with signed attributes
 * content-type, message-digest and signing-certificate-v2, signed by key; the certificate
 * included. OpenSSL 3.0's CMS_final would add a signing-time attribute, which PAdES B-B forbids,
 * so the signed attributes are encoded and signed here, and the signature set in the SignerInfo.
 */
static int make_cms(unsigned char **der, int *der_len, const unsigned char md[32], X509 *cert,
                    EVP_PKEY *key, plaint_error *err)
{
    const unsigned flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_CADES;
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    CMS_SignerInfo *si = NULL;
    EVP_MD_CTX *mctx = NULL;
    plaint_buf attrs = PLAINT_BUF_INIT;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    int rc = 0;

    *der = NULL;
    if (cms != NULL) {
        si = CMS_add1_signer(cms, cert, key, EVP_sha256(), flags);
    }
    if (si == NULL) {
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot set up the CMS signature");
        goto done;
    }
    if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                    OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md, 32) !=
            1) {
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot add the signed attributes");
        goto done;
    }
    rc = signed_attrs_der(&attrs, si, err);
    if (rc < 0) {
        goto done;
    }
    mctx = EVP_MD_CTX_new();
    if (mctx == NULL || EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(mctx, NULL, &siglen, (const unsigned char *)attrs.data, attrs.len) != 1) {
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot sign");
        goto done;
    }
    sig = OPENSSL_malloc(siglen);
    if (sig == NULL ||
        EVP_DigestSign(mctx, sig, &siglen, (const unsigned char *)attrs.data, attrs.len) != 1 ||
        ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)siglen) != 1) {
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot sign");
        goto done;
    }
    *der_len = i2d_CMS_ContentInfo(cms, der);
    if (*der_len <= 0) {
        *der = NULL;
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot encode the CMS signature");
    }
done:
    OPENSSL_free(sig);
    EVP_MD_CTX_free(mctx);
    plaint_buf_clear(&attrs);
    CMS_ContentInfo_free(cms);
    return rc;
}

/* The catalog, page, signature and field objects, xref and trailer, appended to u. */
static int append_update(plaint_buf *u, size_t *contents_at, size_t *byterange_at,
                         const plaint_pdf_file *f, int64_t signing_time, plaint_error *err)
{
    plaint_pdf_span root;
    plaint_pdf_span page;
    plaint_pdf_span v;
    plaint_pdf_span id = {NULL, 0};
    uint32_t page_num = 0;
    uint32_t sig_num = (uint32_t)f->size;
    uint32_t field_num = sig_num + 1;
    size_t off_root;
    size_t off_page;
    size_t off_sig;
    size_t off_field;
    size_t xref_at;
    char date[32];
    char extra[256];
    int rc = plaint_pdf_object(&root, f, f->root, err);

    if (rc == 0) {
        rc = first_page(&page_num, &page, f, root, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (plaint_pdf_dict_get(&v, root, "AcroForm") != 0 ||
        plaint_pdf_dict_get(&v, root, "Extensions") != 0 ||
        plaint_pdf_dict_get(&v, root, "Version") != 0 ||
        plaint_pdf_dict_get(&v, page, "Annots") != 0) {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "the PDF already has a form, extensions or annotations (signed "
                                "before?); only unsigned PDFs written by plaint can be signed");
    }
    if (f->size > PLAINT_PDF_MAX_OBJECTS - 2 || page_num == f->root) {
        return plaint_error_set(err, PLAINT_EINVALID, "unexpected PDF structure");
    }
    if (plaint_pdf_dict_get(&v, f->trailer, "ID") == 1) {
        id = v;
    }
    rc = plaint_pades_format_date(date, sizeof(date), signing_time);
    if (rc < 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "signing_time", 0, 0,
                                   "signing time %" PRId64 " is not a date from 1970 to 9999",
                                   signing_time);
    }
    if (u->len > 0 && u->data[u->len - 1] != '\n') {
        rc = plaint_buf_append_byte(u, '\n', err);
    }
    /* the catalog: the form with the signature field, and the ETSI extension for PDF 1.7 */
    off_root = u->len;
    snprintf(extra, sizeof(extra),
             "/AcroForm << /Fields [%" PRIu32 " 0 R] /SigFlags 3 >>\n"
             "/Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> >>\n"
             "/Version /1.7\n",
             field_num);
    if (rc == 0) {
        rc = rewrite_dict(u, f->root, root, extra, err);
    }
    off_page = u->len;
    snprintf(extra, sizeof(extra), "/Annots [%" PRIu32 " 0 R]\n", field_num);
    if (rc == 0) {
        rc = rewrite_dict(u, page_num, page, extra, err);
    }
    off_sig = u->len;
    if (rc == 0) {
        rc = plaint_buf_printf(u, err,
                               "%" PRIu32 " 0 obj\n<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n"
                               "/SubFilter /ETSI.CAdES.detached\n/ByteRange ",
                               sig_num);
    }
    *byterange_at = u->len;
    if (rc == 0) {
        rc = plaint_buf_printf(u, err, "%-*s\n/Contents ", BYTERANGE_W, "[]");
    }
    *contents_at = u->len;
    if (rc == 0) {
        rc = plaint_buf_append_byte(u, '<', err);
    }
    for (size_t i = 0; rc == 0 && i < 2 * PLAINT_PADES_CONTENTS_MAX; i++) {
        rc = plaint_buf_append_byte(u, '0', err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(u, err, ">\n/M (%s)\n>>\nendobj\n", date);
    }
    off_field = u->len;
    if (rc == 0) {
        rc = plaint_buf_printf(u, err,
                               "%" PRIu32 " 0 obj\n<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n"
                               "/T (Signature1)\n/V %" PRIu32 " 0 R\n/P %" PRIu32 " 0 R\n"
                               "/Rect [0 0 0 0]\n/F 132\n>>\nendobj\n",
                               field_num, sig_num, page_num);
    }
    /* xref: the root and the page (in number order), then the two new objects */
    xref_at = u->len;
    if (rc == 0) {
        uint32_t a = f->root < page_num ? f->root : page_num;
        uint32_t b = f->root < page_num ? page_num : f->root;
        size_t oa = f->root < page_num ? off_root : off_page;
        size_t ob = f->root < page_num ? off_page : off_root;
        rc = plaint_buf_printf(u, err, "xref\n%" PRIu32 " 1\n%010zu 00000 n\r\n", a, oa);
        if (rc == 0 && b + 1 == sig_num) {
            rc = plaint_buf_printf(u, err,
                                   "%" PRIu32 " 3\n%010zu 00000 n\r\n%010zu 00000 n\r\n"
                                   "%010zu 00000 n\r\n",
                                   b, ob, off_sig, off_field);
        } else if (rc == 0) {
            rc = plaint_buf_printf(u, err,
                                   "%" PRIu32 " 1\n%010zu 00000 n\r\n%" PRIu32
                                   " 2\n%010zu 00000 n\r\n%010zu 00000 n\r\n",
                                   b, ob, sig_num, off_sig, off_field);
        }
    }
    if (rc == 0) {
        rc = plaint_buf_printf(u, err, "trailer\n<<\n/Size %" PRIu32 "\n/Root %" PRIu32 " 0 R\n",
                               field_num + 1, f->root);
    }
    if (rc == 0 && f->info != 0) {
        rc = plaint_buf_printf(u, err, "/Info %" PRIu32 " 0 R\n", f->info);
    }
    if (rc == 0 && id.p != NULL) {
        rc = plaint_buf_printf(u, err, "/ID %.*s\n", (int)id.len, (const char *)id.p);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(u, err, "/Prev %zu\n>>\nstartxref\n%zu\n%%%%EOF\n", f->startxref,
                               xref_at);
    }
    return rc;
}

int plaint_pades_sign(const unsigned char *pdf, size_t len, const char *key_path,
                      const char *cert_path, int64_t signing_time, plaint_buf *out,
                      plaint_error *err)
{
    plaint_pdf_file f;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    EVP_MD_CTX *md_ctx = NULL;
    unsigned char md[32];
    unsigned char *der = NULL;
    int der_len = 0;
    size_t contents_at = 0;
    size_t byterange_at = 0;
    size_t br[4];
    char brtext[BYTERANGE_W + 1];
    int rc;

    memset(&f, 0, sizeof(f));
    plaint_buf_reset(out);
    rc = load_key(&key, key_path, err);
    if (rc == 0) {
        rc = load_cert(&cert, cert_path, err);
    }
    if (rc == 0 && X509_check_private_key(cert, key) != 1) {
        rc = plaint_ossl_fail(err, PLAINT_EIO, "the report signing key does not match the certificate");
    }
    if (rc == 0) {
        rc = plaint_pdf_file_open(&f, pdf, len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, pdf, len, err);
    }
    if (rc == 0) {
        rc = append_update(out, &contents_at, &byterange_at, &f, signing_time, err);
    }
    if (rc == 0) {
        rc = plaint_pades_byte_range(br, contents_at, 2 * PLAINT_PADES_CONTENTS_MAX + 2, out->len);
    }
    if (rc == 0) {
        int n = snprintf(brtext, sizeof(brtext), "[%zu %zu %zu %zu]", br[0], br[1], br[2], br[3]);
        if (n < 0 || n > BYTERANGE_W) {
            rc = plaint_error_set(err, PLAINT_ERANGE, "the PDF is too large to sign");
        } else {
            memcpy(out->data + byterange_at, brtext, (size_t)n);
        }
    }
    if (rc == 0) {
        unsigned int mdlen = 0;
        md_ctx = EVP_MD_CTX_new();
        if (md_ctx == NULL || EVP_DigestInit_ex(md_ctx, EVP_sha256(), NULL) != 1 ||
            EVP_DigestUpdate(md_ctx, out->data, br[1]) != 1 ||
            EVP_DigestUpdate(md_ctx, out->data + br[2], br[3]) != 1 ||
            EVP_DigestFinal_ex(md_ctx, md, &mdlen) != 1 || mdlen != 32) {
            rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot hash the signed ranges");
        }
    }
    if (rc == 0) {
        rc = make_cms(&der, &der_len, md, cert, key, err);
    }
    if (rc == 0 && (size_t)der_len > PLAINT_PADES_CONTENTS_MAX) {
        rc = plaint_error_set(err, PLAINT_ERANGE,
                              "the CMS signature (%d bytes) does not fit the %d bytes reserved",
                              der_len, PLAINT_PADES_CONTENTS_MAX);
    }
    if (rc == 0) {
        static const char hex[] = "0123456789ABCDEF";
        char *p = out->data + contents_at + 1;
        for (int i = 0; i < der_len; i++) {
            p[2 * i] = hex[der[i] >> 4];
            p[2 * i + 1] = hex[der[i] & 15];
        }
    }
    if (rc < 0) {
        plaint_buf_reset(out);
    }
    OPENSSL_free(der);
    EVP_MD_CTX_free(md_ctx);
    plaint_pdf_file_close(&f);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

/* ---- verification ------------------------------------------------------------------------- */

static int tamper(plaint_error *err, const char *fmt, const char *detail)
{
    return plaint_error_set(err, PLAINT_ETAMPER, fmt, detail);
}

/* The signature dictionary of the last signature field in the catalog's /AcroForm. */
static int find_signature(plaint_pdf_span *sig, const plaint_pdf_file *f, plaint_error *err)
{
    plaint_pdf_span root;
    plaint_pdf_span form;
    plaint_pdf_span fields;
    plaint_pdf_span v;
    int found = 0;
    int rc = plaint_pdf_object(&root, f, f->root, err);

    if (rc < 0) {
        return rc;
    }
    rc = plaint_pdf_dict_get(&v, root, "AcroForm");
    if (rc != 1) {
        return plaint_error_set(err, PLAINT_EINVALID, "the PDF is not signed (no form)");
    }
    rc = plaint_pdf_resolve(&form, f, v, err);
    if (rc == 0 && (plaint_pdf_dict_get(&v, form, "Fields") != 1 ||
                    plaint_pdf_resolve(&fields, f, v, err) < 0)) {
        return plaint_error_set(err, PLAINT_EINVALID, "the PDF is not signed (no form fields)");
    }
    for (size_t i = 0; rc == 0; i++) {
        plaint_pdf_span item;
        plaint_pdf_span field;
        plaint_pdf_span sv;
        int r = plaint_pdf_array_item(&item, fields, i);
        if (r <= 0) {
            rc = r < 0 ? plaint_error_set(err, PLAINT_EINVALID, "malformed /Fields") : 0;
            break;
        }
        rc = plaint_pdf_resolve(&field, f, item, err);
        if (rc == 0 && plaint_pdf_dict_get(&v, field, "FT") == 1 && plaint_pdf_is_name(v, "Sig") &&
            plaint_pdf_dict_get(&v, field, "V") == 1) {
            rc = plaint_pdf_resolve(&sv, f, v, err);
            if (rc == 0) {
                *sig = sv;
                found = 1;
            }
        }
    }
    if (rc == 0 && !found) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "the PDF is not signed (no signature field)");
    }
    return rc;
}

static int hex_value(unsigned char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Checks the signing-certificate-v2 attribute against the signer's certificate. */
static int check_signing_cert(CMS_SignerInfo *si, X509 *signer, plaint_error *err)
{
    ASN1_STRING *seq = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE);
    ESS_SIGNING_CERT_V2 *ssv2 = NULL;
    STACK_OF(X509) *chain = NULL;
    const unsigned char *p;
    int rc = 0;

    if (seq == NULL) {
        ERR_clear_error();
        return plaint_error_set(err, PLAINT_ETAMPER,
                                "the signature has no signing-certificate-v2 attribute");
    }
    p = ASN1_STRING_get0_data(seq);
    ssv2 = d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(seq));
    chain = sk_X509_new_null();
    if (ssv2 == NULL || chain == NULL || sk_X509_push(chain, signer) <= 0) {
        rc = plaint_ossl_fail(err, PLAINT_ETAMPER, "unreadable signing-certificate-v2 attribute");
    } else if (OSSL_ESS_check_signing_certs(NULL, ssv2, chain, 1) != 1) {
        rc = plaint_ossl_fail(err, PLAINT_ETAMPER,
                       "the signing-certificate-v2 attribute does not name the signer's "
                       "certificate");
    }
    sk_X509_free(chain);
    ESS_SIGNING_CERT_V2_free(ssv2);
    return rc;
}

/*
 * The CMS checks, done step by step with OpenSSL's SignerInfo calls rather than CMS_verify, so
 * that each failure has its own reason (and because OpenSSL 3.0's CMS_verify leaks a copy of a
 * memory BIO when the SignedData names an unknown digest: found by fuzz_pdf_trailer, the input
 * is in its corpus). The demo certificate is self-signed and no trust store is configured: the
 * signature is checked with the embedded certificate, not a chain.
 */
static int check_cms(plaint_pades_info *info, unsigned char cert_sha256[32],
                     const unsigned char *der, size_t der_len, const unsigned char *pdf,
                     const size_t br[4], plaint_error *err)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
    STACK_OF(CMS_SignerInfo) *sis = NULL;
    CMS_SignerInfo *si;
    X509_ALGOR *digalg = NULL;
    const ASN1_OBJECT *alg = NULL;
    ASN1_OCTET_STRING *want = NULL;
    ASN1_OBJECT *ctype = NULL;
    X509 *signer = NULL;
    EVP_MD_CTX *md_ctx = NULL;
    unsigned char md[32];
    unsigned int mdlen = 0;
    int rc = 0;

    if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        rc = plaint_ossl_fail(err, PLAINT_ETAMPER, "/Contents is not a CMS SignedData");
        goto done;
    }
    if (CMS_is_detached(cms) != 1 || OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data) {
        rc = plaint_error_set(err, PLAINT_ETAMPER, "the CMS signature is not detached id-data");
        goto done;
    }
    sis = CMS_get0_SignerInfos(cms);
    if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
        rc = plaint_error_set(err, PLAINT_ETAMPER, "the CMS signature has %d signers, not one",
                              sis == NULL ? 0 : sk_CMS_SignerInfo_num(sis));
        goto done;
    }
    si = sk_CMS_SignerInfo_value(sis, 0);
    /* the signer's certificate from those embedded (no outside certificates) */
    if (CMS_set1_signers_certs(cms, NULL, 0) != 1) {
        ERR_clear_error();
        rc = plaint_error_set(err, PLAINT_ETAMPER, "the signer's certificate is not embedded");
        goto done;
    }
    CMS_SignerInfo_get0_algs(si, NULL, &signer, &digalg, NULL);
    if (digalg != NULL) {
        X509_ALGOR_get0(&alg, NULL, NULL, digalg);
    }
    if (signer == NULL || alg == NULL || OBJ_obj2nid(alg) != NID_sha256) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "the signature is not SHA-256 by an embedded "
                              "certificate");
        goto done;
    }
    /* the signed attributes: content-type id-data, message-digest = SHA-256 of the ranges */
    ctype = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
    want = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                       V_ASN1_OCTET_STRING);
    if (ctype == NULL || OBJ_obj2nid(ctype) != NID_pkcs7_data || want == NULL) {
        ERR_clear_error();
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "the signed attributes lack content-type id-data or "
                              "message-digest");
        goto done;
    }
    md_ctx = EVP_MD_CTX_new();
    if (md_ctx == NULL || EVP_DigestInit_ex(md_ctx, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md_ctx, pdf, br[1]) != 1 ||
        EVP_DigestUpdate(md_ctx, pdf + br[2], br[3]) != 1 ||
        EVP_DigestFinal_ex(md_ctx, md, &mdlen) != 1 || mdlen != 32) {
        rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot hash the signed ranges");
        goto done;
    }
    if (ASN1_STRING_length(want) != 32 || CRYPTO_memcmp(ASN1_STRING_get0_data(want), md, 32) != 0) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "the signature does not match the signed bytes (message digest "
                              "differs: the file was changed after signing)");
        goto done;
    }
    if (CMS_SignerInfo_verify(si) != 1) {
        rc = plaint_ossl_fail(err, PLAINT_ETAMPER,
                       "the signature over the signed attributes does not verify with the "
                       "embedded certificate");
        goto done;
    }
    rc = check_signing_cert(si, signer, err);
    if (rc == 0) {
        unsigned int n = 0;
        if (X509_digest(signer, EVP_sha256(), cert_sha256, &n) != 1 || n != 32) {
            rc = plaint_ossl_fail(err, PLAINT_ERROR, "cannot hash the signer's certificate");
        }
    }
    if (rc == 0) {
        BIO *name = BIO_new(BIO_s_mem());
        char *s = NULL;
        long n;
        if (name != NULL &&
            X509_NAME_print_ex(name, X509_get_subject_name(signer), 0, NAME_FLAGS) >= 0) {
            n = BIO_get_mem_data(name, &s);
            snprintf(info->signer, sizeof(info->signer), "%.*s", (int)n, s);
        }
        BIO_free(name);
    }
done:
    EVP_MD_CTX_free(md_ctx);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return rc;
}

int plaint_pades_verify(const unsigned char *pdf, size_t len, plaint_pades_info *info,
                        plaint_error *err)
{
    unsigned char fp[32];

    return plaint_pades_verify_signer(pdf, len, info, fp, err);
}

int plaint_pades_verify_signer(const unsigned char *pdf, size_t len, plaint_pades_info *info,
                               unsigned char cert_sha256[32], plaint_error *err)
{
    plaint_pdf_file f;
    plaint_pdf_span sig;
    plaint_pdf_span v;
    plaint_pdf_span contents;
    unsigned char *der = NULL;
    size_t der_len = 0;
    size_t br[4];
    size_t want[4];
    int64_t n;
    char date[64];
    int rc;

    memset(info, 0, sizeof(*info));
    rc = plaint_pdf_file_open(&f, pdf, len, err);
    if (rc == PLAINT_EINVALID) {
        /* every PDF plaint writes reads: one that does not was changed */
        char why[256];
        snprintf(why, sizeof(why), "%s", err != NULL ? err->message : "");
        rc = plaint_error_set(err, PLAINT_ETAMPER, "the PDF's structure does not read: %s", why);
    }
    if (rc == 0) {
        rc = find_signature(&sig, &f, err);
        if (rc == PLAINT_EINVALID && f.sections > 1) {
            /* an unsigned plaint PDF has one xref section: this one was updated, and what the
             * update added does not read as a signature */
            char why[256];
            snprintf(why, sizeof(why), "%s", err != NULL ? err->message : "");
            rc = plaint_error_set(err, PLAINT_ETAMPER,
                                  "the PDF was changed after it was written: %s", why);
        }
    }
    if (rc < 0) {
        goto done;
    }
    if (plaint_pdf_dict_get(&v, sig, "SubFilter") != 1 ||
        !plaint_pdf_is_name(v, "ETSI.CAdES.detached")) {
        rc = tamper(err, "%s", "the signature is not /ETSI.CAdES.detached (PAdES)");
        goto done;
    }
    if (plaint_pdf_dict_get(&v, sig, "ByteRange") != 1) {
        rc = tamper(err, "%s", "the signature has no /ByteRange");
        goto done;
    }
    for (size_t i = 0; i < 4; i++) {
        plaint_pdf_span item;
        if (plaint_pdf_array_item(&item, v, i) != 1 || plaint_pdf_as_int(&n, item) < 0 || n < 0 ||
            (uint64_t)n > len) {
            rc = tamper(err, "%s", "/ByteRange is not four offsets in the file");
            goto done;
        }
        br[i] = (size_t)n;
    }
    if (plaint_pdf_dict_get(&contents, sig, "Contents") != 1 || contents.len < 2 ||
        contents.p[0] != '<' || contents.p[contents.len - 1] != '>') {
        rc = tamper(err, "%s", "the signature has no hex /Contents");
        goto done;
    }
    rc = plaint_pades_byte_range(want, (size_t)(contents.p - pdf), contents.len, len);
    if (rc == 0 && (br[0] != want[0] || br[1] != want[1] || br[2] != want[2])) {
        rc = tamper(err, "%s", "/ByteRange does not frame /Contents exactly");
        goto done;
    }
    if (rc == 0 && br[3] != want[3]) {
        char detail[96];
        snprintf(detail, sizeof(detail), "%zu bytes were %s after signing",
                 br[3] < want[3] ? want[3] - br[3] : br[3] - want[3],
                 br[3] < want[3] ? "added" : "removed");
        rc = tamper(err, "the signature does not cover the whole file: %s", detail);
        goto done;
    }
    if (rc < 0) {
        rc = tamper(err, "%s", "/ByteRange is inconsistent");
        goto done;
    }
    info->covers_whole_file = 1;
    der = malloc(contents.len / 2 + 1);
    if (der == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 1; i + 1 < contents.len; i += 2) {
        int hi = hex_value(contents.p[i]);
        int lo = i + 2 < contents.len ? hex_value(contents.p[i + 1]) : 0;
        if (hi < 0 || lo < 0) {
            rc = tamper(err, "%s", "/Contents is not plain hex");
            goto done;
        }
        der[der_len++] = (unsigned char)(hi * 16 + lo);
    }
    rc = check_cms(info, cert_sha256, der, der_len, pdf, br, err);
    if (rc == 0 && plaint_pdf_dict_get(&v, sig, "M") == 1 &&
        plaint_pdf_as_text(date, sizeof(date), v) == 0 && plaint_pades_parse_date(&n, date) == 0) {
        info->signing_time = n;
    }
done:
    free(der);
    plaint_pdf_file_close(&f);
    return rc;
}
