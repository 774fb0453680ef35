/* Exported ledger bundles: writing one from the database, verifying one with no database.
 * Format: docs/ledger-format.md ("Bundle"). */
#ifndef PLAINT_BUNDLE_H
#define PLAINT_BUNDLE_H

#include <stdint.h>

#include "plaint/db.h"
#include "plaint/ledger.h"
#include "plaint/verifier.h"

#define PLAINT_BUNDLE_FORMAT "plaint.bundle.v1"

typedef struct plaint_bundle_counts {
    int64_t events;
    int64_t positioned;
    int64_t unsequenced;
    int64_t checkpoints;
} plaint_bundle_counts;

/* Writes a bundle into dir (created if missing; must not already hold a manifest). With
 * from_checkpoint N > 0 the bundle starts at checkpoint N's tree size. Files are written to
 * temporary names and renamed at the end, the manifest last: a bundle with a manifest is whole. */
PLAINT_EXTERN int plaint_bundle_export(plaint_bundle_counts *out, plaint_db *db, const char *dir,
                                       int64_t from_checkpoint, plaint_progress_fn progress,
                                       void *progress_arg, plaint_error *err);

/* Verifies the bundle in dir into v (created with the trusted key): file hashes against the
 * manifest, canonical form of every line, and everything plaint_verifier checks. Malformed
 * content is verification failure (PLAINT_ETAMPER) naming file and line. */
PLAINT_EXTERN int plaint_bundle_verify(plaint_verifier *v, plaint_verify_report *report,
                                       const char *dir, plaint_progress_fn progress,
                                       void *progress_arg, plaint_error *err);

#endif
