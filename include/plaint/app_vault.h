/* Vault use cases: data subjects, their personal data, legal holds, erasure and master-key
 * rotation. Each change is one transaction that changes the vault tables and appends its ledger
 * event (case "subject:<id>", or "keys"); ledger payloads carry vault references and salted
 * commitments, never personal data. Callers authorise first. Design: docs/privacy.md. */
#ifndef PLAINT_APP_VAULT_H
#define PLAINT_APP_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/app_auth.h"
#include "plaint/buf.h"
#include "plaint/config.h"
#include "plaint/vault.h"
#include "plaint/vault_keys.h"
#include "plaint/vault_store.h"

/* One personal value: field is "name", "email", "phone", "address" or "narrative"; value is
 * len bytes of UTF-8 without NUL (borrowed). */
typedef struct plaint_subject_field {
    const char *field;
    const char *value;
    size_t len;
} plaint_subject_field;

/* Writes "<home>/keys/master" into out (n bytes). PLAINT_ERANGE if it does not fit. */
PLAINT_EXTERN int plaint_app_vault_key_dir(char *out, size_t n, const plaint_config *cfg,
                                           plaint_error *err);

/* Loads the master key ring (key directory, then PLAINT_MASTER_KEY) into *out (caller frees
 * with plaint_keyring_free). PLAINT_EIO if there is no master key at all. */
PLAINT_EXTERN int plaint_app_vault_keyring(plaint_keyring **out, const plaint_config *cfg,
                                           plaint_error *err);

/* Creates the first master key file in the key directory (made with mode 0700 if missing), named
 * "<UTC yyyymmddThhmmssZ>-<key id>.key", mode 0600. key_id receives its id, path (n bytes) its
 * path. PLAINT_EINVALID if the directory already holds a key (rotate instead). */
PLAINT_EXTERN int plaint_app_master_init(char key_id[PLAINT_MASTERKEY_ID_LEN + 1], char *path,
                                         size_t n, const plaint_config *cfg, plaint_error *err);

/* Records a subject: a fresh data key wrapped under the current master key, each field sealed
 * (salt || value) under it, and the event "subject.recorded" with a commitment and a vault
 * reference per field. retention_start: NULL or "YYYY-MM-DD". Invalid values (bad UTF-8, NUL,
 * unknown or repeated field, bad id, class or date) are PLAINT_EINVALID and nothing is written. */
PLAINT_EXTERN int plaint_app_subject_add(plaint_db *db, const plaint_actor *actor,
                                         const plaint_config *cfg, const char *subject_id,
                                         const char *record_class, const char *retention_start,
                                         const plaint_subject_field *fields, size_t nfields,
                                         plaint_error *err);

/* Sets the start of the retention period ("YYYY-MM-DD"); event "subject.retention_started". */
PLAINT_EXTERN int plaint_app_subject_set_retention(plaint_db *db, const plaint_actor *actor,
                                                   const char *subject_id, const char *date,
                                                   plaint_error *err);

/* Appends to out the subject access export, one JSON object: subject, class, retention start,
 * erasure state, decrypted fields (none once erased), holds and the subject's ledger events,
 * read from one snapshot. The master keys are loaded only when there is something to decrypt. */
PLAINT_EXTERN int plaint_app_subject_export(plaint_buf *out, plaint_db *db,
                                            const plaint_config *cfg, const char *subject_id,
                                            plaint_error *err);

/* Erases on the subject's request: plaint_vault_erase_subject with policy "request". */
PLAINT_EXTERN int plaint_app_subject_erase(plaint_db *db, const plaint_actor *actor,
                                           const char *subject_id, const char *reason,
                                           plaint_error *err);

/* Places a legal hold (event "hold.placed"); *hold_id receives its id. PLAINT_EINVALID for an
 * erased subject. */
PLAINT_EXTERN int plaint_app_hold_add(int64_t *hold_id, plaint_db *db, const plaint_actor *actor,
                                      const char *subject_id, const char *reason,
                                      plaint_error *err);

/* Releases a hold (event "hold.released"); out receives the hold as it was. */
PLAINT_EXTERN int plaint_app_hold_release(plaint_hold_info *out, plaint_db *db,
                                          const plaint_actor *actor, int64_t hold_id,
                                          plaint_error *err);

typedef struct plaint_rotation {
    char new_key_id[PLAINT_MASTERKEY_ID_LEN + 1];
    char new_key_path[PLAINT_CONFIG_PATH_MAX + 64];
    int64_t rewrapped;     /* data keys moved to the new master key */
    plaint_buf old_paths;  /* the retired key files, one path per line; caller clears */
} plaint_rotation;

/* Rotates the master key: writes a new key file (current from now on), rewraps every data key
 * under it in one transaction, checks that none names an old key, and appends "keys.rotated"
 * {"from":[old ids],"to":new id} to the case "keys". Old key files are left in place (listed in
 * out->old_paths). PLAINT_EINVALID while PLAINT_MASTER_KEY is set (it would stay current). */
PLAINT_EXTERN int plaint_app_keys_rotate(plaint_rotation *out, plaint_db *db,
                                         const plaint_actor *actor, const plaint_config *cfg,
                                         plaint_error *err);

#endif
