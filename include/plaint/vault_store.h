/* The vault tables (schemas/sql/0004_vault.sql) row by row, for the use cases in app_vault.h.
 * These functions neither begin nor commit: the caller opens the transaction that also appends
 * the ledger event recording the change. vault.h holds the complete operations shared with
 * retention. */
#ifndef PLAINT_VAULT_STORE_H
#define PLAINT_VAULT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/vault.h"

#define PLAINT_SUBJECT_ID_MAX 64
#define PLAINT_RECORD_CLASS_MAX 64
#define PLAINT_VAULT_REASON_MAX 500
/* Largest personal value the vault stores (a narrative). */
#define PLAINT_VAULT_VALUE_MAX ((size_t)16 * 1024 * 1024)
/* Longest field name ("narrative" and the others are shorter). */
#define PLAINT_VAULT_FIELD_MAX 31

/* 1 if a transaction is open on db (the vault's changes then join it), else 0. */
PLAINT_EXTERN int plaint_vault_tx_open(const plaint_db *db);

/* Checks a subject id: [A-Za-z0-9][A-Za-z0-9._-]{0,63}. PLAINT_EINVALID naming the field. */
PLAINT_EXTERN int plaint_vault_check_subject_id(const char *subject_id, plaint_error *err);
/* Checks a record class: [a-z][a-z0-9._-]{0,63}. */
PLAINT_EXTERN int plaint_vault_check_record_class(const char *record_class, plaint_error *err);

/* Inserts a subject with its wrapped data key (PLAINT_DEK_BLOB_LEN bytes). retention_start is
 * NULL or a date "YYYY-MM-DD" (midnight UTC). PLAINT_EINVALID if the subject exists or the date
 * is not a date. */
PLAINT_EXTERN int plaint_vault_insert_subject(plaint_db *db, const char *subject_id,
                                              const char *record_class,
                                              const char *retention_start,
                                              const void *wrapped_dek, size_t wrapped_len,
                                              const char *master_key_id, plaint_error *err);

/* Inserts one sealed field; *item_id_out receives its id (the ledger's "vault:<id>"). */
PLAINT_EXTERN int plaint_vault_insert_item(int64_t *item_id_out, plaint_db *db,
                                           const char *subject_id, const char *field,
                                           const void *sealed, size_t len, plaint_error *err);

/* Fills out as plaint_vault_subject_info; with lock = 1 also locks the subject's row (FOR
 * UPDATE, inside the caller's transaction). With wrapped_out not NULL, replaces its content with
 * the wrapped data key (empty once erased). PLAINT_ENOTFOUND if there is no such subject. */
PLAINT_EXTERN int plaint_vault_get_subject(plaint_subject_info *out, plaint_buf *wrapped_out,
                                           plaint_db *db, const char *subject_id, int lock,
                                           plaint_error *err);

/* Sets the retention start to date ("YYYY-MM-DD", midnight UTC). PLAINT_EINVALID for a bad date
 * or an erased subject, PLAINT_ENOTFOUND for no subject. */
PLAINT_EXTERN int plaint_vault_set_retention_start(plaint_db *db, const char *subject_id,
                                                   const char *date, plaint_error *err);

/* One sealed field; pointers borrowed for the callback only. */
typedef int (*plaint_vault_item_fn)(int64_t item_id, const char *field, const void *sealed,
                                    size_t len, void *arg, plaint_error *err);
/* The subject's sealed fields in item id order. */
PLAINT_EXTERN int plaint_vault_read_items(plaint_db *db, const char *subject_id,
                                          plaint_vault_item_fn fn, void *arg, plaint_error *err);

/* One sealed field by item id: subject_out and field_out receive its subject and field name,
 * sealed_out (replaced) its content. PLAINT_ENOTFOUND if there is no such item (never stored,
 * or destroyed by the subject's erasure). */
PLAINT_EXTERN int plaint_vault_get_item(plaint_buf *sealed_out,
                                        char subject_out[PLAINT_SUBJECT_ID_MAX + 1],
                                        char field_out[PLAINT_VAULT_FIELD_MAX + 1], plaint_db *db,
                                        int64_t item_id, plaint_error *err);

/* The vault subject a customer's record names (plaint.customer.subject_id, set by
 * `plaint customer add --subject`) into out: "" if customer_id is NULL or "", there is no such
 * customer, or it names no subject. */
PLAINT_EXTERN int plaint_vault_customer_subject(char out[PLAINT_SUBJECT_ID_MAX + 1], plaint_db *db,
                                                const char *customer_id, plaint_error *err);

typedef struct plaint_hold_info {
    int64_t hold_id;
    char subject_id[PLAINT_SUBJECT_ID_MAX + 1];
    char reason[PLAINT_VAULT_REASON_MAX + 1];
    char placed_by[65];
    int64_t placed_at_us;
    int released;
    char released_by[65];
    int64_t released_at_us;
} plaint_hold_info;

typedef int (*plaint_hold_fn)(const plaint_hold_info *h, void *arg, plaint_error *err);
/* Every hold of the subject (released ones too), in hold id order. */
PLAINT_EXTERN int plaint_vault_list_holds(plaint_db *db, const char *subject_id,
                                          plaint_hold_fn fn, void *arg, plaint_error *err);

/* Places a hold; *hold_id_out receives its id. The caller has locked the subject. */
PLAINT_EXTERN int plaint_vault_insert_hold(int64_t *hold_id_out, plaint_db *db,
                                           const char *subject_id, const char *reason,
                                           const char *placed_by, plaint_error *err);

/* Releases a hold: fills out with the hold as it was. PLAINT_ENOTFOUND for no such hold,
 * PLAINT_EINVALID if it is already released. */
PLAINT_EXTERN int plaint_vault_release_hold(plaint_hold_info *out, plaint_db *db,
                                            int64_t hold_id, const char *released_by,
                                            plaint_error *err);

/* One wrapped data key; pointers borrowed for the callback only. */
typedef int (*plaint_vault_key_fn)(const char *subject_id, const void *wrapped, size_t len,
                                   void *arg, plaint_error *err);
/* Locks (FOR UPDATE) and lists every subject's wrapped data key (erased ones have none), in
 * subject id order. */
PLAINT_EXTERN int plaint_vault_lock_wrapped_keys(plaint_db *db, plaint_vault_key_fn fn, void *arg,
                                                 plaint_error *err);

/* Replaces a subject's wrapped data key (PLAINT_DEK_BLOB_LEN bytes) and its master key id. */
PLAINT_EXTERN int plaint_vault_update_wrapped_key(plaint_db *db, const char *subject_id,
                                                  const void *wrapped, size_t len,
                                                  const char *master_key_id, plaint_error *err);

/* Number of subjects whose wrapped key names master_key_id. */
PLAINT_EXTERN int plaint_vault_count_wrapped_by(int64_t *out, plaint_db *db,
                                                const char *master_key_id, plaint_error *err);

#endif
