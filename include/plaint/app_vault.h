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

/* Room for a vault reference "vault:<item id>" with its NUL. */
#define PLAINT_VAULT_REF_LEN 32

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

/* Adds one personal value to an existing subject that is not erased (legal holds do not block
 * adding): locks the subject's row (against a concurrent erasure or rotation), seals salt || value
 * under its data key, stores it and appends "subject.item_added"
 * {"fields":{"<field>":{"commit":..,"ref":"vault:<id>"}}} to the case "subject:<id>". Joins the
 * caller's open transaction (else runs in its own). ref_out (n bytes, PLAINT_VAULT_REF_LEN is
 * enough) receives "vault:<item id>". field and value as in plaint_subject_field (value len bytes,
 * borrowed). PLAINT_EINVALID for a bad field or value or an erased subject, PLAINT_ENOTFOUND for
 * no such subject, PLAINT_EIO without a master key (run 'plaint keys master-init'). */
PLAINT_EXTERN int plaint_app_subject_add_item(char *ref_out, size_t n, plaint_db *db,
                                              const plaint_actor *actor, const plaint_config *cfg,
                                              const char *subject_id, const char *field,
                                              const char *value, size_t len, plaint_error *err);

/* A complaint's narrative at intake, inside the intake transaction: when customer_id names a
 * customer whose record names a vault subject and narrative is given (not NULL or ""), seals it
 * as field "narrative" of that subject (plaint_app_subject_add_item) and writes its reference
 * into ref_out (n bytes); the ledger and the projections then carry only the reference.
 * Otherwise ref_out is "" and the narrative stays with the complaint (public data such as the
 * CFPB import). A customer whose subject is missing or erased is PLAINT_EINVALID naming the
 * customer; cfg NULL (no key ring to load) is PLAINT_EINVALID when there is something to seal. */
PLAINT_EXTERN int plaint_app_narrative_seal(char *ref_out, size_t n, plaint_db *db,
                                            const plaint_actor *actor, const plaint_config *cfg,
                                            const char *customer_id, const char *narrative,
                                            plaint_error *err);

/* What plaint_app_narrative_open could show. */
typedef enum plaint_vault_view {
    PLAINT_VAULT_SHOWN = 0, /* the value, decrypted */
    PLAINT_VAULT_WITHHELD,  /* in the vault: the actor may not customer.read */
    PLAINT_VAULT_ERASED     /* the subject was erased: the value is gone for everyone */
} plaint_vault_view;

/* Reads a complaint's sealed narrative for display: narrative_ref ("vault:<id>") as the complaint
 * carries it, customer_id the complaint's customer (whose record names the subject). *view
 * PLAINT_VAULT_ERASED once the subject is erased; else PLAINT_VAULT_WITHHELD unless actor may
 * customer.read (decided against az's policy without logging a denial: the complaint itself was
 * readable); else PLAINT_VAULT_SHOWN with the value in out (replaced; caller wipes and clears).
 * Reads one snapshot; call outside a transaction. Loads the master keys only to decrypt.
 * PLAINT_ETAMPER if the reference is not the narrative of the customer's subject or does not
 * open; PLAINT_ENOTFOUND if the item is missing while the subject is not erased. */
PLAINT_EXTERN int plaint_app_narrative_open(plaint_buf *out, plaint_vault_view *view, plaint_db *db,
                                            plaint_authz *az, const plaint_actor *actor,
                                            const plaint_config *cfg, const char *customer_id,
                                            const char *narrative_ref, plaint_error *err);

/* Sets the start of the retention period ("YYYY-MM-DD"); event "subject.retention_started". */
PLAINT_EXTERN int plaint_app_subject_set_retention(plaint_db *db, const plaint_actor *actor,
                                                   const char *subject_id, const char *date,
                                                   plaint_error *err);

/* Appends to out the subject access export, one JSON object: subject, class, retention start,
 * erasure state, decrypted fields ("fields": the first value of each field; "items": every value
 * with its vault reference, e.g. complaint narratives added later; none once erased), holds and
 * the subject's ledger events, read from one snapshot. The master keys are loaded only when there
 * is something to decrypt. */
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
