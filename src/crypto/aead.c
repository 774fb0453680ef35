/* AES-256-GCM through OpenSSL EVP: sealing under random nonces and authenticated opening. */
#include "aead_internal.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "plaint/rand.h"

/* EVP takes int lengths: longer inputs go through in chunks of this size. */
#define CHUNK ((size_t)1 << 30)

static int cipher_fail(plaint_error *err, const char *what)
{
    ERR_clear_error();
    return plaint_error_set(err, PLAINT_ERROR, "AES-256-GCM %s failed", what);
}

/* Starts ctx for encryption (enc 1) or decryption (enc 0) under key and nonce, then feeds aad. */
static int begin(EVP_CIPHER_CTX *ctx, int enc, const unsigned char *key, const unsigned char *nonce,
                 const void *aad, size_t aad_len, plaint_error *err)
{
    const unsigned char *p = aad;
    int outl = 0;

    /* The default GCM IV length is 12 bytes, PLAINT_AEAD_NONCE_LEN. */
    if (EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, enc, NULL) != 1) {
        return cipher_fail(err, "initialisation");
    }
    while (aad_len > 0) {
        size_t n = aad_len > CHUNK ? CHUNK : aad_len;
        if (EVP_CipherUpdate(ctx, NULL, &outl, p, (int)n) != 1) {
            return cipher_fail(err, "associated data");
        }
        p += n;
        aad_len -= n;
    }
    return 0;
}

/*
 * Makes room for n more bytes in out and a cipher context in *ctx_out (caller frees); *dst_out
 * points where the n bytes go, just after out's current content.
 */
static int prepare(EVP_CIPHER_CTX **ctx_out, unsigned char **dst_out, plaint_buf *out, size_t n,
                   plaint_error *err)
{
    int rc = plaint_buf_reserve(out, n, err);

    if (rc < 0) {
        return rc;
    }
    *ctx_out = EVP_CIPHER_CTX_new();
    if (*ctx_out == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (cipher context)");
    }
    *dst_out = (unsigned char *)out->data + out->len;
    return 0;
}

/* Runs len bytes from in through ctx into out; GCM output is as long as its input. */
static int run(EVP_CIPHER_CTX *ctx, unsigned char *out, const unsigned char *in, size_t len,
               plaint_error *err)
{
    while (len > 0) {
        size_t n = len > CHUNK ? CHUNK : len;
        int outl = 0;
        if (EVP_CipherUpdate(ctx, out, &outl, in, (int)n) != 1 || outl != (int)n) {
            return cipher_fail(err, "update");
        }
        out += n;
        in += n;
        len -= n;
    }
    return 0;
}

int plaint_aead_seal_with_nonce(plaint_buf *out, const unsigned char key[PLAINT_AEAD_KEY_LEN],
                                const unsigned char nonce[PLAINT_AEAD_NONCE_LEN], const void *aad,
                                size_t aad_len, const void *pt, size_t pt_len, plaint_error *err)
{
    EVP_CIPHER_CTX *ctx = NULL;
    unsigned char *dst = NULL;
    int outl = 0;
    int rc;

    if ((uint64_t)pt_len > PLAINT_AEAD_MAX_PLAINTEXT || pt_len > SIZE_MAX - PLAINT_AEAD_OVERHEAD) {
        return plaint_error_set(err, PLAINT_ERANGE,
                                "plaintext of %zu bytes is too large for AES-256-GCM", pt_len);
    }
    rc = prepare(&ctx, &dst, out, pt_len + PLAINT_AEAD_OVERHEAD, err);
    if (rc < 0) {
        return rc;
    }
    memcpy(dst, nonce, PLAINT_AEAD_NONCE_LEN);
    rc = begin(ctx, 1, key, nonce, aad, aad_len, err);
    if (rc == 0) {
        rc = run(ctx, dst + PLAINT_AEAD_NONCE_LEN, pt, pt_len, err);
    }
    dst += PLAINT_AEAD_NONCE_LEN + pt_len;
    if (rc == 0 && (EVP_EncryptFinal_ex(ctx, dst, &outl) != 1 || outl != 0)) {
        rc = cipher_fail(err, "finalisation");
    }
    if (rc == 0 && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, PLAINT_AEAD_TAG_LEN, dst) != 1) {
        rc = cipher_fail(err, "tag");
    }
    if (rc == 0) {
        out->len += pt_len + PLAINT_AEAD_OVERHEAD;
    }
    out->data[out->len] = '\0';
    EVP_CIPHER_CTX_free(ctx); /* wipes the key schedule */
    return rc;
}

int plaint_aead_seal(plaint_buf *out, const unsigned char key[PLAINT_AEAD_KEY_LEN], const void *aad,
                     size_t aad_len, const void *pt, size_t pt_len, plaint_error *err)
{
    unsigned char nonce[PLAINT_AEAD_NONCE_LEN];
    int rc;

    rc = plaint_rand_bytes(nonce, sizeof(nonce), err);
    if (rc == 0) {
        rc = plaint_aead_seal_with_nonce(out, key, nonce, aad, aad_len, pt, pt_len, err);
    }
    return rc;
}

int plaint_aead_open(plaint_buf *out, const unsigned char key[PLAINT_AEAD_KEY_LEN], const void *aad,
                     size_t aad_len, const void *sealed, size_t len, plaint_error *err)
{
    const unsigned char *in = sealed;
    unsigned char tag[PLAINT_AEAD_TAG_LEN];
    EVP_CIPHER_CTX *ctx = NULL;
    unsigned char *dst = NULL;
    size_t ct_len;
    int outl = 0;
    int rc;

    if (len < PLAINT_AEAD_OVERHEAD) {
        return plaint_error_set(err, PLAINT_ETAMPER,
                                "sealed data is %zu bytes, shorter than nonce and tag (%d)", len,
                                PLAINT_AEAD_OVERHEAD);
    }
    ct_len = len - PLAINT_AEAD_OVERHEAD;
    /* Plaintext goes straight into out's storage and is wiped there unless the tag verifies. */
    rc = prepare(&ctx, &dst, out, ct_len, err);
    if (rc < 0) {
        return rc;
    }
    memcpy(tag, in + PLAINT_AEAD_NONCE_LEN + ct_len, sizeof(tag));
    rc = begin(ctx, 0, key, in, aad, aad_len, err);
    if (rc == 0) {
        rc = run(ctx, dst, in + PLAINT_AEAD_NONCE_LEN, ct_len, err);
    }
    if (rc == 0 && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)sizeof(tag), tag) != 1) {
        rc = cipher_fail(err, "tag");
    }
    if (rc == 0 && EVP_DecryptFinal_ex(ctx, dst + ct_len, &outl) != 1) {
        ERR_clear_error();
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "AES-256-GCM authentication failed: the sealed data or its "
                              "associated data was altered, or the key is not the one it was "
                              "sealed with");
    }
    if (rc == 0) {
        out->len += ct_len;
    } else {
        OPENSSL_cleanse(dst, ct_len);
    }
    out->data[out->len] = '\0';
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}
