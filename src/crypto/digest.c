/* SHA-256 via OpenSSL EVP, plus hex encoding of digests. */
#include "plaint/digest.h"

#include <openssl/evp.h>

int plaint_sha256_init(plaint_sha256 *ctx, plaint_error *err)
{
    ctx->md_ctx = EVP_MD_CTX_new();
    ctx->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (ctx->md_ctx == NULL || ctx->md == NULL) {
        plaint_sha256_clear(ctx);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (digest context)");
    }
    return plaint_sha256_begin(ctx, err);
}

int plaint_sha256_begin(plaint_sha256 *ctx, plaint_error *err)
{
    if (EVP_DigestInit_ex2((EVP_MD_CTX *)ctx->md_ctx, (const EVP_MD *)ctx->md, NULL) != 1) {
        return plaint_error_set(err, PLAINT_ERROR, "SHA-256 initialisation failed");
    }
    return 0;
}

int plaint_sha256_update(plaint_sha256 *ctx, const void *data, size_t len, plaint_error *err)
{
    if (EVP_DigestUpdate((EVP_MD_CTX *)ctx->md_ctx, data, len) != 1) {
        return plaint_error_set(err, PLAINT_ERROR, "SHA-256 update failed");
    }
    return 0;
}

int plaint_sha256_final(plaint_sha256 *ctx, unsigned char out[PLAINT_HASH_LEN], plaint_error *err)
{
    unsigned int n = 0;

    if (EVP_DigestFinal_ex((EVP_MD_CTX *)ctx->md_ctx, out, &n) != 1 || n != PLAINT_HASH_LEN) {
        return plaint_error_set(err, PLAINT_ERROR, "SHA-256 finalisation failed");
    }
    return 0;
}

void plaint_sha256_clear(plaint_sha256 *ctx)
{
    EVP_MD_CTX_free((EVP_MD_CTX *)ctx->md_ctx);
    EVP_MD_free((EVP_MD *)ctx->md);
    ctx->md_ctx = NULL;
    ctx->md = NULL;
}

int plaint_sha256_digest(unsigned char out[PLAINT_HASH_LEN], const void *data, size_t len,
                         plaint_error *err)
{
    unsigned int n = 0;

    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != PLAINT_HASH_LEN) {
        return plaint_error_set(err, PLAINT_ERROR, "SHA-256 failed");
    }
    return 0;
}

void plaint_hex_encode(char *out, const unsigned char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

int plaint_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int plaint_hex_decode(unsigned char *out, size_t out_len, const char *hex, size_t hex_len,
                      plaint_error *err)
{
    size_t i;

    if (hex_len != 2 * out_len) {
        return plaint_error_set(err, PLAINT_EINVALID, "expected %zu hex digits, got %zu",
                                2 * out_len, hex_len);
    }
    for (i = 0; i < out_len; i++) {
        int hi = plaint_hex_digit(hex[2 * i]);
        int lo = plaint_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, NULL, 0, 2 * i + 1,
                                       "invalid hex digit at offset %zu", 2 * i);
        }
        out[i] = (unsigned char)((hi << 4) | lo);
    }
    return 0;
}
