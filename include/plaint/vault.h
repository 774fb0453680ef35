/* The personal-data vault in PostgreSQL: data subjects, their encrypted fields, legal holds and
 * erasure (crypto-shredding). Crypto: vault_crypto.h and vault_keys.h. Design: docs/privacy.md.
 * Every change is one transaction that also appends a ledger event to the case
 * "subject:<id>"; the ledger holds only vault references and salted commitments. */
#ifndef PLAINT_VAULT_H
#define PLAINT_VAULT_H

#include <stdint.h>

#include "plaint/app_auth.h"
#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"

typedef struct plaint_subject_info {
    char subject_id[65];
    char record_class[65];     /* retention record class, e.g. "complaint", "mifid" */
    int64_t retention_start_us; /* start of the retention period (e.g. closure); 0 if not set */
    int erased;
    int64_t erased_at_us;
    int active_holds;          /* legal holds not released */
} plaint_subject_info;

/* PLAINT_ENOTFOUND if there is no such subject. */
PLAINT_EXTERN int plaint_vault_subject_info(plaint_subject_info *out, plaint_db *db,
                                            const char *subject_id, plaint_error *err);

typedef int (*plaint_subject_fn)(const plaint_subject_info *s, void *arg, plaint_error *err);
/* Every subject not yet erased, in subject id order. */
PLAINT_EXTERN int plaint_vault_list_subjects(plaint_db *db, plaint_subject_fn fn, void *arg,
                                             plaint_error *err);

/* Erases a subject: destroys its wrapped data key and ciphertexts and appends a
 * "subject.erased" event naming the reason and policy. Refused (PLAINT_EDENIED, naming the hold)
 * while a legal hold is active; PLAINT_EINVALID if already erased. Hashes and the ledger stay
 * intact. */
PLAINT_EXTERN int plaint_vault_erase_subject(plaint_db *db, const plaint_actor *actor,
                                             const char *subject_id, const char *reason,
                                             const char *policy_ref, plaint_error *err);

#endif
