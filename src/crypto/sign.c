/* Ed25519 signing and verification through EVP_DigestSign / EVP_DigestVerify. */
#include "signkey.h"

#include <openssl/err.h>

int plaint_sign(unsigned char sig[PLAINT_SIG_LEN], const plaint_signkey *k, const void *msg,
                size_t len, plaint_error *err)
{
    EVP_MD_CTX *ctx;
    size_t sig_len = PLAINT_SIG_LEN;
    int rc = 0;

    if (!k->has_private) {
        return plaint_error_set(err, PLAINT_EINVALID, "key has no private part; cannot sign");
    }
    if (msg == NULL) {
        msg = ""; /* len is 0: sign the empty message */
    }
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (signing context)");
    }
    /* Ed25519 hashes internally: no digest is named, and only the one-shot call is allowed. */
    if (EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, k->pkey, NULL) != 1 ||
        EVP_DigestSign(ctx, sig, &sig_len, msg, len) != 1 || sig_len != PLAINT_SIG_LEN) {
        rc = plaint_signkey_fail(err, PLAINT_ERROR, "Ed25519 signing failed");
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}

int plaint_sign_verify(const plaint_signkey *k, const void *msg, size_t len,
                       const unsigned char *sig, size_t sig_len, plaint_error *err)
{
    EVP_MD_CTX *ctx;
    int rc = 0;

    if (sig == NULL || sig_len != PLAINT_SIG_LEN) {
        return plaint_error_set(err, PLAINT_ETAMPER, "signature is %zu bytes; Ed25519 needs %d",
                                sig == NULL ? (size_t)0 : sig_len, PLAINT_SIG_LEN);
    }
    if (msg == NULL) {
        msg = "";
    }
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (verification context)");
    }
    if (EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, k->pkey, NULL) != 1) {
        rc = plaint_signkey_fail(err, PLAINT_ERROR, "Ed25519 verification setup failed");
    } else if (EVP_DigestVerify(ctx, sig, sig_len, msg, len) != 1) {
        ERR_clear_error();
        rc = plaint_error_set(err, PLAINT_ETAMPER, "Ed25519 signature does not verify");
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}
