/* Enveloped XML signatures (exc-c14n, RSA-SHA256, X509Data) with xmlsec1 over OpenSSL: signing
 * from PEM key and certificate files, and strict verification of the same shape. xmlsec1's
 * error callback is replaced so the library never prints; the first message of a call is kept
 * for the error record. */
#include "report/xmldsig.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "plaint/buf.h"
#include "report/xml_doc.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = -1;
static _Thread_local char last_error[200];

static void on_xmlsec_error(const char *file, int line, const char *func, const char *obj,
                            const char *subj, int reason, const char *msg)
{
    (void)file;
    (void)line;
    (void)obj;
    (void)reason;
    if (last_error[0] == '\0') {
        snprintf(last_error, sizeof(last_error), "%s%s%s%s%s", func != NULL ? func : "",
                 subj != NULL ? ": " : "", subj != NULL ? subj : "", msg != NULL ? ": " : "",
                 msg != NULL ? msg : "");
    }
}

static void init_xmlsec(void)
{
    plaint_xml_doc_init();
    xmlSecErrorsSetCallback(on_xmlsec_error);
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
        xmlSecCryptoInit() < 0) {
        init_rc = -1;
        return;
    }
    /* xmlSecInit installs its default (printing) callback: replace it again */
    xmlSecErrorsSetCallback(on_xmlsec_error);
    init_rc = 0;
}

static int start(plaint_error *err)
{
    pthread_once(&init_once, init_xmlsec);
    last_error[0] = '\0';
    if (init_rc != 0) {
        return plaint_error_set(err, PLAINT_EIO, "xmlsec1 could not be initialised");
    }
    return 0;
}

static int readable(const char *path, const char *what, plaint_error *err)
{
    if (access(path, R_OK) != 0) {
        return plaint_error_set(
            err, PLAINT_EIO,
            "cannot read the report signing %s %s: %s (create them with "
            "'plaint keys cert' or configure report.signing_key / report.signing_cert)",
            what, path, strerror(errno));
    }
    return 0;
}

int plaint_xmldsig_check_files(const char *key_path, const char *cert_path, plaint_error *err)
{
    int rc = readable(key_path, "key", err);

    return rc == 0 ? readable(cert_path, "certificate", err) : rc;
}

int plaint_xmldsig_sign(xmlDocPtr doc, const char *key_path, const char *cert_path,
                        plaint_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr sig = NULL;
    xmlNodePtr ref;
    xmlNodePtr ki;
    xmlNodePtr x509;
    xmlSecDSigCtxPtr ctx = NULL;
    int rc = start(err);

    if (rc == 0) {
        rc = readable(key_path, "key", err);
    }
    if (rc == 0) {
        rc = readable(cert_path, "certificate", err);
    }
    if (rc < 0) {
        return rc;
    }
    sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
                                          xmlSecTransformRsaSha256Id, NULL, BAD_CAST "ds");
    if (sig == NULL || root == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "cannot create the signature template");
        goto done;
    }
    xmlAddChild(root, sig);
    ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL, BAD_CAST "", NULL);
    if (ref == NULL || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == NULL ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "cannot create the signature reference");
        goto done;
    }
    ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
    x509 = ki != NULL ? xmlSecTmplKeyInfoAddX509Data(ki) : NULL;
    if (x509 == NULL || xmlSecTmplX509DataAddCertificate(x509) == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "cannot create the signature key info");
        goto done;
    }
    ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "cannot create the signature context");
        goto done;
    }
    ctx->signKey = xmlSecCryptoAppKeyLoad(key_path, xmlSecKeyDataFormatPem, NULL, NULL, NULL);
    if (ctx->signKey == NULL) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot load the report signing key %s: %s",
                              key_path, last_error);
        goto done;
    }
    if (xmlSecCryptoAppKeyCertLoad(ctx->signKey, cert_path, xmlSecKeyDataFormatPem) < 0) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot load the report signing certificate %s: %s",
                              cert_path, last_error);
        goto done;
    }
    if (xmlSecDSigCtxSign(ctx, sig) < 0) {
        rc = plaint_error_set(err, PLAINT_ERROR, "signing failed (does %s belong to %s?): %s",
                              cert_path, key_path, last_error);
        goto done;
    }
    sig = NULL; /* part of the document now */
done:
    if (sig != NULL) {
        xmlUnlinkNode(sig);
        xmlFreeNode(sig);
    }
    xmlSecDSigCtxDestroy(ctx);
    return rc;
}

/* The subject of a PEM or DER certificate in memory. */
static void subject_of(char *out, size_t n, const unsigned char *data, size_t len, int pem)
{
    X509 *x = NULL;

    out[0] = '\0';
    if (pem) {
        BIO *b = BIO_new_mem_buf(data, (int)len);

        x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
    } else {
        const unsigned char *p = data;

        x = d2i_X509(NULL, &p, (long)len);
    }
    if (x != NULL) {
        X509_NAME_oneline(X509_get_subject_name(x), out, (int)n);
    }
    X509_free(x);
}

/* The DER certificate in ds:KeyInfo/ds:X509Data/ds:X509Certificate (base64) into der. */
static int embedded_cert(plaint_buf *der, xmlNodePtr sig, plaint_error *err)
{
    xmlNodePtr ki = xmlSecFindChild(sig, xmlSecNodeKeyInfo, xmlSecDSigNs);
    xmlNodePtr xd = ki != NULL ? xmlSecFindChild(ki, xmlSecNodeX509Data, xmlSecDSigNs) : NULL;
    xmlNodePtr xc =
        xd != NULL ? xmlSecFindChild(xd, xmlSecNodeX509Certificate, xmlSecDSigNs) : NULL;
    xmlChar *b64 = xc != NULL ? xmlNodeGetContent(xc) : NULL;
    unsigned char *bin = NULL;
    size_t inlen;
    int k;
    int rc = 0;

    if (b64 == NULL) {
        return plaint_error_set(err, PLAINT_ETAMPER,
                                "the signature carries no X509Certificate to verify with");
    }
    /* strip whitespace, then decode */
    {
        size_t i;
        size_t j = 0;

        for (i = 0; b64[i] != '\0'; i++) {
            if (b64[i] != ' ' && b64[i] != '\n' && b64[i] != '\r' && b64[i] != '\t') {
                b64[j++] = b64[i];
            }
        }
        b64[j] = '\0';
        inlen = j;
    }
    bin = OPENSSL_malloc(inlen / 4 * 3 + 3);
    if (bin == NULL) {
        xmlFree(b64);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    k = inlen % 4 == 0 ? EVP_DecodeBlock(bin, b64, (int)inlen) : -1;
    if (k < 0) {
        rc = plaint_error_set(err, PLAINT_ETAMPER, "the embedded certificate is not base64");
    } else {
        /* EVP_DecodeBlock counts padding bytes as data */
        if (inlen >= 1 && b64[inlen - 1] == '=') {
            k--;
        }
        if (inlen >= 2 && b64[inlen - 2] == '=') {
            k--;
        }
        rc = plaint_buf_append(der, bin, (size_t)k, err);
    }
    OPENSSL_free(bin);
    xmlFree(b64);
    return rc;
}

int plaint_xmldsig_verify(xmlDocPtr doc, const char *cert_path, char *signer, size_t n,
                          plaint_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr sig = NULL;
    xmlNodePtr c;
    xmlSecDSigCtxPtr ctx = NULL;
    plaint_buf der = PLAINT_BUF_INIT;
    plaint_buf pem = PLAINT_BUF_INIT;
    int nsig = 0;
    int rc = start(err);

    if (signer != NULL && n > 0) {
        signer[0] = '\0';
    }
    if (rc < 0) {
        return rc;
    }
    for (c = root != NULL ? root->children : NULL; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE &&
            xmlSecCheckNodeName(c, xmlSecNodeSignature, xmlSecDSigNs)) {
            sig = c;
            nsig++;
        }
    }
    if (nsig != 1 || xmlSecGetNextElementNode(sig->next) != NULL) {
        return plaint_error_set(err, PLAINT_ETAMPER,
                                nsig == 0  ? "the document is not signed (no ds:Signature)"
                                : nsig > 1 ? "the document has %d signatures; plaint writes one"
                                           : "the signature is not the last element",
                                nsig);
    }
    ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "cannot create the signature context");
    }
    if (cert_path != NULL) {
        rc = plaint_buf_read_file(&pem, cert_path, 1 << 20, err);
        if (rc < 0) {
            rc = plaint_error_set(err, PLAINT_EIO, "cannot read the certificate %s", cert_path);
            goto done;
        }
        ctx->signKey =
            xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)pem.data, (xmlSecSize)pem.len,
                                         xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
        if (signer != NULL) {
            subject_of(signer, n, (const unsigned char *)pem.data, pem.len, 1);
        }
    } else {
        rc = embedded_cert(&der, sig, err);
        if (rc < 0) {
            goto done;
        }
        ctx->signKey =
            xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)der.data, (xmlSecSize)der.len,
                                         xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
        if (signer != NULL) {
            subject_of(signer, n, (const unsigned char *)der.data, der.len, 0);
        }
    }
    if (ctx->signKey == NULL) {
        rc = plaint_error_set(
            err, cert_path != NULL ? PLAINT_EIO : PLAINT_ETAMPER, "cannot take a key from %s: %s",
            cert_path != NULL ? cert_path : "the embedded certificate", last_error);
        goto done;
    }
    ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
        xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha256Id) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id) < 0) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "cannot restrict the signature transforms");
        goto done;
    }
    if (xmlSecDSigCtxVerify(ctx, sig) < 0) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "the signature could not be processed (not plaint's shape: one "
                              "Reference URI=\"\", enveloped + exc-c14n, RSA-SHA256): %s",
                              last_error);
        goto done;
    }
    if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) {
        rc = plaint_error_set(err, PLAINT_ETAMPER, "the signature must have exactly one reference");
        goto done;
    }
    if (ctx->status != xmlSecDSigStatusSucceeded) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "the XML signature does not verify: the signed content or the "
                              "signature was changed%s",
                              cert_path != NULL ? ", or it was signed with another key" : "");
    }
done:
    xmlSecDSigCtxDestroy(ctx);
    plaint_buf_clear(&der);
    plaint_buf_clear(&pem);
    return rc;
}
