/* Vault keys: master keys and their key ring, and per-subject data keys wrapped under them. */
#ifndef PLAINT_VAULT_KEYS_H
#define PLAINT_VAULT_KEYS_H

#include <stddef.h>

#include "plaint/buf.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/vault_crypto.h"

#define PLAINT_MASTERKEY_LEN    32 /* AES-256 key bytes */
#define PLAINT_MASTERKEY_ID_LEN 32 /* hex digits of a key id; buffers need one more for the NUL */
#define PLAINT_DEK_LEN          32 /* AES-256 data key bytes */
/* A wrapped data key: "pdk1" || master key id (32 ASCII hex) || nonce || sealed DEK || tag. */
#define PLAINT_DEK_BLOB_LEN (4 + PLAINT_MASTERKEY_ID_LEN + PLAINT_DEK_LEN + PLAINT_AEAD_OVERHEAD)
/* The environment variable that may hold a master key line (read by the caller, not here). */
#define PLAINT_MASTER_KEY_ENV "PLAINT_MASTER_KEY"

/*
 * Master keys
 *
 * A master key is 32 random bytes kept outside the database: in a file of mode 0600 or in the
 * environment. Its id is the first 16 bytes of SHA-256("plaint.masterkey.id.v1\n" || key) as 32
 * lowercase hex digits; the id is public (it is stored in every wrapped data key) and reveals
 * nothing about the key. Its text form, the whole content of a key file, is one line:
 *
 *   plaint-master-key v1 <key id> <64 lowercase hex digits of the key>\n
 *
 * The id in the line is checked against the key, which catches a damaged line. Error messages
 * never quote the line.
 */
typedef struct plaint_masterkey plaint_masterkey;

/* Generates a new master key into *out (caller frees). Returns 0, PLAINT_ERROR or ENOMEM. */
PLAINT_EXTERN int plaint_masterkey_generate(plaint_masterkey **out, plaint_error *err);

/*
 * Writes mk's text form to a new file of mode 0600 (O_EXCL: an existing path is never
 * overwritten or followed). A partly written file is removed. Returns 0 or PLAINT_EIO
 * ("<path> exists; refusing to overwrite a key" when path exists).
 */
PLAINT_EXTERN int plaint_masterkey_write(const plaint_masterkey *mk, const char *path,
                                         plaint_error *err);

/*
 * Loads a master key file into *out (caller frees). Returns 0; PLAINT_ENOTFOUND if path does not
 * exist; PLAINT_EIO if it cannot be read, is not a regular file, or any group/other permission
 * bit is set (the message names the mode and says chmod 600); PLAINT_EINVALID if its content is
 * not a master key line (the message names the file, never the key).
 */
PLAINT_EXTERN int plaint_masterkey_load(plaint_masterkey **out, const char *path,
                                        plaint_error *err);

/*
 * Parses a master key line (len bytes; the final newline is optional), e.g. the value of
 * PLAINT_MASTER_KEY, into *out (caller frees). The caller wipes its copy of the text. Returns 0,
 * PLAINT_EINVALID (malformed, or the id does not match the key) or PLAINT_ENOMEM.
 */
PLAINT_EXTERN int plaint_masterkey_from_string(plaint_masterkey **out, const char *text, size_t len,
                                               plaint_error *err);

/* The key id: 32 lowercase hex digits, NUL-terminated; borrowed, valid until mk is freed. */
PLAINT_EXTERN const char *plaint_masterkey_id(const plaint_masterkey *mk);

/* Wipes and frees mk. NULL is a no-op. */
PLAINT_EXTERN void plaint_masterkey_free(plaint_masterkey *mk);

/*
 * Key ring
 *
 * The master keys a process may unwrap with, by id, and the current one, which wraps. Rotation
 * adds a new current key; data keys wrapped under older ones still unwrap while those stay in the
 * ring, and plaint_dek_rewrap moves them to the current key, after which the old key can be
 * destroyed. Loading takes, in order, the *.key files of a directory (e.g.
 * $PLAINT_HOME/keys/master) sorted by file name, then an optional key line from the environment;
 * the last key taken is current. So name key files so that they sort by age, e.g.
 * "<UTC yyyymmddThhmmssZ>-<key id>.key"; a key given in the environment overrides them.
 */
typedef struct plaint_keyring plaint_keyring;

/* Makes an empty ring in *out (caller frees). Returns 0 or PLAINT_ENOMEM. */
PLAINT_EXTERN int plaint_keyring_new(plaint_keyring **out, plaint_error *err);

/* Wipes every key and frees kr. NULL is a no-op. */
PLAINT_EXTERN void plaint_keyring_free(plaint_keyring *kr);

/*
 * Adds mk and makes it current. Ownership of mk moves to kr on success (0); a key whose id is
 * already in the ring is freed and the entry already there made current. On failure (ENOMEM) the
 * caller still owns mk.
 */
PLAINT_EXTERN int plaint_keyring_add(plaint_keyring *kr, plaint_masterkey *mk, plaint_error *err);

/*
 * Adds every "*.key" file of dir (hidden files are skipped) in file-name order, as
 * plaint_keyring_add. Returns 0 (also when dir holds no key file); PLAINT_ENOTFOUND if dir does
 * not exist; PLAINT_EIO if it cannot be read; any error of plaint_masterkey_load, naming the
 * file: one unreadable or unprotected key file fails the whole load.
 */
PLAINT_EXTERN int plaint_keyring_load_dir(plaint_keyring *kr, const char *dir, plaint_error *err);

/*
 * Builds a ring in *out (caller frees) from dir (may be NULL; a missing directory counts as
 * empty) and env_line (may be NULL or empty; the caller passes getenv(PLAINT_MASTER_KEY_ENV)).
 * Returns 0; PLAINT_ENOTFOUND if neither yields a key; otherwise as plaint_keyring_load_dir and
 * plaint_masterkey_from_string.
 */
PLAINT_EXTERN int plaint_keyring_load(plaint_keyring **out, const char *dir, const char *env_line,
                                      plaint_error *err);

/* Number of keys in kr. */
PLAINT_EXTERN size_t plaint_keyring_count(const plaint_keyring *kr);

/* The current (wrapping) key, borrowed from kr; NULL if kr is empty. */
PLAINT_EXTERN const plaint_masterkey *plaint_keyring_current(const plaint_keyring *kr);

/* The key with key_id (NUL-terminated), borrowed from kr; NULL if there is none. */
PLAINT_EXTERN const plaint_masterkey *plaint_keyring_find(const plaint_keyring *kr,
                                                          const char *key_id);

/*
 * Data keys
 *
 * Every data subject has its own 32-byte data key (DEK), which seals that subject's personal data
 * fields (vault_crypto.h) and is stored only wrapped: sealed with AES-256-GCM under a master key,
 * with associated data "plaint.dek.v1\n" || master key id || "\n" || subject id, so a wrapped DEK
 * opens only under that master key and for that subject. The blob is PLAINT_DEK_BLOB_LEN bytes:
 *
 *   "pdk1" || master key id (32 ASCII hex digits) || nonce (12) || sealed DEK (32) || tag (16)
 *
 * Destroying a subject's wrapped DEK (and every copy of the master keys that could open a backup
 * of it: docs/privacy.md) crypto-shreds the subject's data.
 */

/* Fills out with a new random data key. Returns 0 or PLAINT_ERROR (random generator failure). */
PLAINT_EXTERN int plaint_dek_generate(unsigned char out[PLAINT_DEK_LEN], plaint_error *err);

/*
 * Wraps dek for subject_id (NUL-terminated, not empty) under mk and appends the blob
 * (PLAINT_DEK_BLOB_LEN bytes) to out. Returns 0; PLAINT_EINVALID for an empty subject id;
 * PLAINT_ERROR; PLAINT_ENOMEM.
 */
PLAINT_EXTERN int plaint_dek_wrap(plaint_buf *out, const plaint_masterkey *mk,
                                  const unsigned char dek[PLAINT_DEK_LEN], const char *subject_id,
                                  plaint_error *err);

/*
 * Unwraps blob (len bytes) for subject_id with the master key it names, found in kr, into dek
 * (wiped on failure). Returns 0; PLAINT_ENOTFOUND if the key ring has no key with that id (the
 * message names the id); PLAINT_ETAMPER if the blob is malformed or was altered, or was wrapped
 * for another subject; PLAINT_EINVALID for an empty subject id; PLAINT_ERROR; PLAINT_ENOMEM.
 */
PLAINT_EXTERN int plaint_dek_unwrap(unsigned char dek[PLAINT_DEK_LEN], const plaint_keyring *kr,
                                    const void *blob, size_t len, const char *subject_id,
                                    plaint_error *err);

/*
 * Key rotation: unwraps blob (len bytes) for subject_id with kr, wraps the data key again under
 * new_mk (normally plaint_keyring_current(kr)) and appends the new blob to out. The data key,
 * and so every field sealed under it, is unchanged: history is not re-encrypted. Returns as
 * plaint_dek_unwrap and plaint_dek_wrap.
 */
PLAINT_EXTERN int plaint_dek_rewrap(plaint_buf *out, const plaint_keyring *kr,
                                    const plaint_masterkey *new_mk, const void *blob, size_t len,
                                    const char *subject_id, plaint_error *err);

/*
 * The master key id a blob names, without unwrapping it (to list the blobs a rotation must
 * still move). Writes 32 hex digits and a NUL to out. Returns 0 or PLAINT_ETAMPER (not a blob).
 */
PLAINT_EXTERN int plaint_dek_key_id(char out[PLAINT_MASTERKEY_ID_LEN + 1], const void *blob,
                                    size_t len, plaint_error *err);

#endif
