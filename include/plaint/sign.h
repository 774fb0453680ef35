/* Ed25519 signing keys (generate, store, load, encode) and signatures, through OpenSSL EVP. */
#ifndef PLAINT_SIGN_H
#define PLAINT_SIGN_H

#include <stddef.h>

#include "plaint/buf.h"
#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_SIG_LEN        64 /* Ed25519 signature */
#define PLAINT_PUBKEY_LEN     32 /* raw Ed25519 public key */
#define PLAINT_SIGNKEY_ID_LEN 64 /* hex digits of a key id; buffers need one more for the NUL */

/* An Ed25519 key pair, or a public key alone. Opaque; free with plaint_signkey_free. */
typedef struct plaint_signkey plaint_signkey;

/* Generates a fresh key pair into *out (caller frees). Returns 0, PLAINT_ERROR or ENOMEM. */
PLAINT_EXTERN int plaint_signkey_generate(plaint_signkey **out, plaint_error *err);

/* Frees k, wiping its key material. NULL is a no-op. */
PLAINT_EXTERN void plaint_signkey_free(plaint_signkey *k);

/* 1 if k holds a private key (can sign), 0 if it is public only. */
PLAINT_EXTERN int plaint_signkey_has_private(const plaint_signkey *k);

/*
 * Writes the private key as unencrypted PEM PKCS#8 to a new file of mode 0600 (O_EXCL: an
 * existing path is never overwritten or followed). A partly written file is removed.
 * Returns 0; PLAINT_EIO ("... exists" when the path exists, or any write failure);
 * PLAINT_EINVALID if k has no private part.
 */
PLAINT_EXTERN int plaint_signkey_write_private(const plaint_signkey *k, const char *path,
                                               plaint_error *err);

/* Writes the public key as PEM SubjectPublicKeyInfo to a new file of mode 0644 (less umask),
 * O_EXCL as above. Returns 0 or PLAINT_EIO. */
PLAINT_EXTERN int plaint_signkey_write_public(const plaint_signkey *k, const char *path,
                                              plaint_error *err);

/*
 * Loads an Ed25519 private key (unencrypted PEM PKCS#8) into *out (caller frees).
 * Returns 0; PLAINT_ENOTFOUND if path does not exist; PLAINT_EIO if it cannot be read, is not
 * a regular file, or any group/other permission bit is set (the message names the mode);
 * PLAINT_EINVALID if it is not an Ed25519 private key PEM (encrypted keys are refused).
 */
PLAINT_EXTERN int plaint_signkey_load_private(plaint_signkey **out, const char *path,
                                              plaint_error *err);

/* Loads an Ed25519 public key (PEM SubjectPublicKeyInfo) from path into *out (caller frees).
 * Returns 0, PLAINT_ENOTFOUND, PLAINT_EIO or PLAINT_EINVALID. */
PLAINT_EXTERN int plaint_signkey_load_public(plaint_signkey **out, const char *path,
                                             plaint_error *err);

/* Parses len bytes of PEM SubjectPublicKeyInfo into a public-only key *out (caller frees).
 * Returns 0, PLAINT_EINVALID (not an Ed25519 public key) or PLAINT_ENOMEM. */
PLAINT_EXTERN int plaint_signkey_from_public_pem(plaint_signkey **out, const char *pem, size_t len,
                                                 plaint_error *err);

/* Appends the public key as PEM SubjectPublicKeyInfo to out. */
PLAINT_EXTERN int plaint_signkey_public_pem(plaint_buf *out, const plaint_signkey *k,
                                            plaint_error *err);

/* Writes the 32-byte raw public key (RFC 8032 encoding). */
PLAINT_EXTERN int plaint_signkey_raw_public(unsigned char out[PLAINT_PUBKEY_LEN],
                                            const plaint_signkey *k, plaint_error *err);

/* Writes the key id, lowercase hex SHA-256 of the raw public key, and a NUL (65 bytes). */
PLAINT_EXTERN int plaint_signkey_id(char out[PLAINT_SIGNKEY_ID_LEN + 1], const plaint_signkey *k,
                                    plaint_error *err);

/* Signs len bytes of msg (pure Ed25519, no pre-hash). Returns 0; PLAINT_EINVALID if k has no
 * private part; PLAINT_ERROR or PLAINT_ENOMEM on library failure. */
PLAINT_EXTERN int plaint_sign(unsigned char sig[PLAINT_SIG_LEN], const plaint_signkey *k,
                              const void *msg, size_t len, plaint_error *err);

/* Checks sig (sig_len bytes) over msg with k's public key. Returns 0; PLAINT_ETAMPER if the
 * signature is wrong or not 64 bytes; PLAINT_ERROR or PLAINT_ENOMEM on library failure. */
PLAINT_EXTERN int plaint_sign_verify(const plaint_signkey *k, const void *msg, size_t len,
                                     const unsigned char *sig, size_t sig_len, plaint_error *err);

#endif
