/* The retention run: load policies/retention.xml, judge every subject in the vault against it
 * and erase (crypto-shred) those whose retention period has ended and that no legal hold keeps.
 * Design: docs/retention.md. */
#ifndef PLAINT_APP_RETENTION_H
#define PLAINT_APP_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/app_auth.h"
#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/retention.h"
#include "plaint/vault.h"

/* How many hex digits of the policy file's SHA-256 name it in erasure events
 * ("retention:<class>:<prefix>"). */
#define PLAINT_RETENTION_POLICY_ID_LEN 16
/* The reason every retention erasure records. */
#define PLAINT_RETENTION_ERASE_REASON "retention period ended"

/* Loads <policy_dir>/retention.xml against <xsd_dir>/retention.xsd (plaint_policy_load_retention)
 * and writes the lowercase hex SHA-256 of the file to sha256_hex. Caller frees *out with
 * plaint_retention_policy_free. */
PLAINT_EXTERN int plaint_app_retention_load(plaint_retention_policy **out,
                                            char sha256_hex[2 * PLAINT_HASH_LEN + 1],
                                            const plaint_config *cfg, plaint_error *err);

/* One subject of a run, as judged and handled; everything borrowed for the callback. */
typedef struct plaint_retention_item {
    const plaint_subject_info *subject;
    plaint_retention_verdict verdict;
    int erased;     /* erased by this run */
    int error_code; /* 0, or the PLAINT_E* code of a failed erasure (message in error) */
    char error[256];
} plaint_retention_item;

typedef int (*plaint_retention_item_fn)(const plaint_retention_item *item, void *arg,
                                        plaint_error *err);

typedef struct plaint_retention_summary {
    size_t subjects;      /* judged: every subject not yet erased */
    size_t due;           /* period ended and no active hold */
    size_t erased;        /* due and erased by this run (0 in a dry run) */
    size_t failed;        /* due, but the erasure failed */
    size_t held;          /* kept by an active legal hold */
    size_t not_yet;       /* period not ended */
    size_t no_start;      /* no start recorded */
    size_t unknown_class; /* class not in the policy */
    int first_error;      /* PLAINT_E* code of the first failed erasure, 0 if none */
} plaint_retention_summary;

/* Judges every subject not yet erased (plaint_vault_list_subjects, in subject id order) at
 * now_us and, unless dry_run, erases each due one with plaint_vault_erase_subject(db, actor,
 * id, PLAINT_RETENTION_ERASE_REASON, "retention:<class>:<first PLAINT_RETENTION_POLICY_ID_LEN
 * hex digits of policy_sha256_hex>"). Subjects are listed first and erased afterwards, each
 * erasure its own transaction; a failed erasure is reported in its item and the summary and
 * the run goes on. A dry run writes nothing. fn (may be NULL) is called once per subject, after
 * its erasure; a negative return stops the run with that code.
 * Returns 0 (check out->failed), or the code of a failure to list subjects, of fn, or
 * PLAINT_EINVALID for bad arguments / PLAINT_ERANGE for dates outside years 1..9999. */
PLAINT_EXTERN int plaint_app_retention_run(plaint_retention_summary *out, plaint_db *db,
                                           const plaint_actor *actor,
                                           const plaint_retention_policy *policy,
                                           const char *policy_sha256_hex, int64_t now_us,
                                           int dry_run, plaint_retention_item_fn fn, void *arg,
                                           plaint_error *err);

#endif
