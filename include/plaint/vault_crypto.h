/* Vault cryptography: AES-256-GCM sealing, personal-data field encryption, salted commitments. */
#ifndef PLAINT_VAULT_CRYPTO_H
#define PLAINT_VAULT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_AEAD_KEY_LEN   32 /* AES-256 */
#define PLAINT_AEAD_NONCE_LEN 12 /* random per message */
#define PLAINT_AEAD_TAG_LEN   16
/* Bytes a sealed message adds to its plaintext: nonce in front, tag behind. */
#define PLAINT_AEAD_OVERHEAD (PLAINT_AEAD_NONCE_LEN + PLAINT_AEAD_TAG_LEN)
/* Largest plaintext GCM allows under one nonce (NIST SP 800-38D: 2^39 - 256 bits). */
#define PLAINT_AEAD_MAX_PLAINTEXT (((uint64_t)1 << 36) - 32)
/*
 * Most messages to seal under one key. Nonces are 96 random bits, so two messages share a
 * nonce (which breaks GCM's confidentiality and integrity for that key) with probability about
 * n^2 / 2^97; NIST SP 800-38D section 8.3 caps random-nonce use at 2^32 messages per key, which
 * keeps that below 2^-32. The vault is far inside it: a data key seals one subject's fields
 * (tens to thousands of messages) and a master key wraps one data key per subject per rotation,
 * so a master key must be rotated before it has wrapped 2^32 data keys.
 */
#define PLAINT_AEAD_MAX_MESSAGES_PER_KEY ((uint64_t)1 << 32)

#define PLAINT_VAULT_SALT_LEN   16 /* commitment salt, random per stored value */
#define PLAINT_VAULT_COMMIT_HEX 64 /* hex digits of a commitment; buffers need one more */

/*
 * Seals pt (pt_len bytes, at most PLAINT_AEAD_MAX_PLAINTEXT) with AES-256-GCM under key, with a
 * fresh random 12-byte nonce, authenticating aad (aad_len bytes, which are not stored: the opener
 * must supply them again). Appends nonce || ciphertext || tag (pt_len + PLAINT_AEAD_OVERHEAD
 * bytes) to out. pt and aad may be NULL when their length is 0.
 * Returns 0; PLAINT_ERANGE if pt_len is too large; PLAINT_ERROR if the random generator or the
 * cipher fails; PLAINT_ENOMEM. On failure out keeps its previous length.
 */
PLAINT_EXTERN int plaint_aead_seal(plaint_buf *out, const unsigned char key[PLAINT_AEAD_KEY_LEN],
                                   const void *aad, size_t aad_len, const void *pt, size_t pt_len,
                                   plaint_error *err);

/*
 * Opens sealed (len bytes, as made by plaint_aead_seal) under key and aad, and appends the
 * plaintext (len - PLAINT_AEAD_OVERHEAD bytes) to out. Nothing is appended unless the tag
 * verifies. Returns 0; PLAINT_ETAMPER if the data is shorter than nonce and tag, or if any byte of
 * nonce, ciphertext, tag or aad differs from what was sealed (or the key is another);
 * PLAINT_ERROR if the cipher fails; PLAINT_ENOMEM. On failure out keeps its previous length and
 * no decrypted byte is left in its storage.
 */
PLAINT_EXTERN int plaint_aead_open(plaint_buf *out, const unsigned char key[PLAINT_AEAD_KEY_LEN],
                                   const void *aad, size_t aad_len, const void *sealed, size_t len,
                                   plaint_error *err);

/*
 * Personal data fields. Each value a subject gives (name, email address, phone number, postal
 * address, narrative) is sealed under that subject's data key (vault_keys.h) with associated
 * data "plaint.field.v1\n" || subject_id || 0x00 || field_name, so a ciphertext copied to another
 * subject or another field fails to open. The output is the plaint_aead_seal format. Destroying
 * the subject's data key makes every such ciphertext unreadable (crypto-shredding).
 */

/*
 * Appends the sealed field to out. subject_id and field_name are NUL-terminated and not empty.
 * Returns as plaint_aead_seal, or PLAINT_EINVALID for an empty subject id or field name.
 */
PLAINT_EXTERN int plaint_vault_encrypt_field(plaint_buf *out,
                                             const unsigned char dek[PLAINT_AEAD_KEY_LEN],
                                             const char *subject_id, const char *field_name,
                                             const void *pt, size_t len, plaint_error *err);

/*
 * Opens a sealed field (len bytes) and appends its plaintext to out. Returns as plaint_aead_open
 * (PLAINT_ETAMPER also when the ciphertext belongs to another subject or field, or the data key is
 * another), or PLAINT_EINVALID for an empty subject id or field name.
 */
PLAINT_EXTERN int plaint_vault_decrypt_field(plaint_buf *out,
                                             const unsigned char dek[PLAINT_AEAD_KEY_LEN],
                                             const char *subject_id, const char *field_name,
                                             const void *sealed, size_t len, plaint_error *err);

/*
 * Salted commitments: what a ledger event carries instead of a personal value, so that the
 * ledger can be verified, and a value later shown to be the one recorded, without the ledger ever
 * holding the value.
 *
 *   commitment = lowercase hex SHA-256("plaint.commit.v1\n" || salt || field_name || 0x00 || pt)
 *
 * The salt is 16 random bytes (plaint_rand_bytes), fresh for every stored value. Without the salt
 * the commitment reveals nothing: an email address or phone number has too little entropy to
 * hide behind a bare hash, but guessing it also requires guessing 128 salt bits. The salt is
 * therefore stored with the ciphertext in the vault, never in the ledger: erasing the vault entry
 * (or the subject's data key together with the entry) erases the salt too, after which the
 * commitment can no longer be tested against guesses and the ledger keeps only an opaque hash.
 * While the salt exists, anyone holding it can test guesses (a phone number takes seconds): treat
 * salts as personal data, and store them sealed with the value (encrypt salt || value), not in a
 * clear column, so that a database backup alone does not let its holder test guesses against
 * the ledger after the subject is erased. docs/privacy.md has the whole design.
 */

/*
 * Writes the commitment (64 hex digits and a NUL) into out_hex. field_name is NUL-terminated and
 * not empty (PLAINT_EINVALID otherwise); pt may be NULL when len is 0. Returns 0 or PLAINT_ERROR.
 */
PLAINT_EXTERN int plaint_vault_commit(char out_hex[PLAINT_VAULT_COMMIT_HEX + 1],
                                      const unsigned char salt[PLAINT_VAULT_SALT_LEN],
                                      const char *field_name, const void *pt, size_t len,
                                      plaint_error *err);

/*
 * Recomputes the commitment of pt and compares it, in constant time, with commit_hex (a
 * NUL-terminated string as written by plaint_vault_commit). Returns 0 if they are equal;
 * PLAINT_ETAMPER if not (also for a string that is not 64 lowercase hex digits);
 * PLAINT_EINVALID or PLAINT_ERROR as plaint_vault_commit.
 */
PLAINT_EXTERN int plaint_vault_commit_check(const char *commit_hex,
                                            const unsigned char salt[PLAINT_VAULT_SALT_LEN],
                                            const char *field_name, const void *pt, size_t len,
                                            plaint_error *err);

#endif
