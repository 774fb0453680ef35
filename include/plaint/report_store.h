/* PostgreSQL reads behind the reports (src/store/pg_report*.c): checkpoints and the ledger's
 * size for the report anchor (include/plaint/app_report.h), and the per-complaint state and
 * figures of the regulator return and the case export, computed from the ledger events with a
 * position below a checkpoint's tree size (docs/reports.md). */
#ifndef PLAINT_REPORT_STORE_H
#define PLAINT_REPORT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/db.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"

typedef struct plaint_report_cp {
    int64_t seq;
    int64_t tree_size;
    unsigned char root[PLAINT_HASH_LEN];
    int64_t time_us;
} plaint_report_cp;

/* The latest checkpoint (tree_size < 0) or the latest one with exactly that tree size.
 * PLAINT_ENOTFOUND if there is none. In the caller's transaction if one is open. */
PLAINT_EXTERN int plaint_pg_report_checkpoint(plaint_report_cp *out, plaint_db *db,
                                              int64_t tree_size, plaint_error *err);

/* Positions assigned (max + 1) and events pending, in one statement. */
PLAINT_EXTERN int plaint_pg_report_ledger_size(int64_t *positions, int64_t *pending, plaint_db *db,
                                               plaint_error *err);

/* BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY. */
PLAINT_EXTERN int plaint_pg_report_begin_snapshot(plaint_db *db, plaint_error *err);

#endif
