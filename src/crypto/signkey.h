/* Internal to src/crypto: the plaint_signkey layout shared by key.c and sign.c. */
#ifndef PLAINT_CRYPTO_SIGNKEY_H
#define PLAINT_CRYPTO_SIGNKEY_H

#include <openssl/evp.h>

#include "plaint/error.h"
#include "plaint/sign.h"

struct plaint_signkey {
    EVP_PKEY *pkey;  /* owned; always an Ed25519 key */
    int has_private; /* 0 for a public-only key */
};

/*
 * Wraps pkey, which must be Ed25519 (PLAINT_EINVALID otherwise), into a new *out; ownership of
 * pkey moves to *out only on success.
 */
int plaint_signkey_wrap(plaint_signkey **out, EVP_PKEY *pkey, int has_private, plaint_error *err);

/* Fills err with code, what and OpenSSL's latest reason, clears OpenSSL's error queue and
 * returns code. */
int plaint_signkey_fail(plaint_error *err, int code, const char *what);

#endif
