/* Internal to src/crypto and its tests: AES-256-GCM sealing with a caller-chosen nonce. */
#ifndef PLAINT_CRYPTO_AEAD_INTERNAL_H
#define PLAINT_CRYPTO_AEAD_INTERNAL_H

#include <stddef.h>

#include "plaint/buf.h"
#include "plaint/error.h"
#include "plaint/vault_crypto.h"

/*
 * As plaint_aead_seal, but with the given nonce instead of a random one. Reusing a nonce under
 * one key destroys GCM's security: only known-answer tests call this; production code calls
 * plaint_aead_seal.
 */
int plaint_aead_seal_with_nonce(plaint_buf *out, const unsigned char key[PLAINT_AEAD_KEY_LEN],
                                const unsigned char nonce[PLAINT_AEAD_NONCE_LEN], const void *aad,
                                size_t aad_len, const void *pt, size_t pt_len, plaint_error *err);

#endif
