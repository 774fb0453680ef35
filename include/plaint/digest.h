/* SHA-256 through OpenSSL EVP: one-shot and incremental. */
#ifndef PLAINT_DIGEST_H
#define PLAINT_DIGEST_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_HASH_LEN 32

/* Incremental SHA-256. Caller-allocated; _init before use, _clear after. */
typedef struct plaint_sha256 {
    void *md_ctx; /* EVP_MD_CTX, owned */
    void *md;     /* EVP_MD fetched once, owned: avoids a provider lookup per digest */
} plaint_sha256;

PLAINT_EXTERN int plaint_sha256_init(plaint_sha256 *ctx, plaint_error *err);
/* Starts a new digest on an initialised context (reusable, cheap). */
PLAINT_EXTERN int plaint_sha256_begin(plaint_sha256 *ctx, plaint_error *err);
PLAINT_EXTERN int plaint_sha256_update(plaint_sha256 *ctx, const void *data, size_t len,
                                       plaint_error *err);
PLAINT_EXTERN int plaint_sha256_final(plaint_sha256 *ctx, unsigned char out[PLAINT_HASH_LEN],
                                      plaint_error *err);
PLAINT_EXTERN void plaint_sha256_clear(plaint_sha256 *ctx);

/* One-shot SHA-256 of data. */
PLAINT_EXTERN int plaint_sha256_digest(unsigned char out[PLAINT_HASH_LEN], const void *data,
                                       size_t len, plaint_error *err);

/* Writes 64 lowercase hex digits and a NUL into out. */
PLAINT_EXTERN void plaint_hex_encode(char *out, const unsigned char *data, size_t len);
/* The value of one hex digit (either case), -1 for any other character. */
PLAINT_EXTERN int plaint_hex_digit(char c);
/* Decodes exactly out_len bytes from 2*out_len hex digits (either case); PLAINT_EINVALID else. */
PLAINT_EXTERN int plaint_hex_decode(unsigned char *out, size_t out_len, const char *hex,
                                    size_t hex_len, plaint_error *err);

#endif
