/* Shared by every report (XML returns, PDF summaries): the "report anchor", i.e. the ledger
 * checkpoint a report's figures are computed at and which the report names, and the
 * translation of a reporting period into SQL parameters. Implemented in src/app/report_anchor.c.
 *
 * Typical use (figures from the projections, which follow the ledger in the same transaction):
 *
 *     plaint_report_anchor a;
 *     rc = plaint_report_anchor_open(&a, db, cfg, PLAINT_REPORT_ANCHOR_ATTEMPTS, err);
 *     // now inside one REPEATABLE READ, READ ONLY transaction whose snapshot holds exactly the
 *     // events [0, a.tree_size): run the report's queries here
 *     rc = plaint_db_finish(db, rc, err);
 *
 * Figures that must stay recomputable after the ledger grew (plaint report verify --ledger)
 * read the ledger events with position < a.tree_size instead (see docs/reports.md). */
#ifndef PLAINT_APP_REPORT_H
#define PLAINT_APP_REPORT_H

#include <stdint.h>

#include "plaint/chain.h"
#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/period.h"

/* How many times plaint_report_anchor_open seals and retries when writers race it. */
#define PLAINT_REPORT_ANCHOR_ATTEMPTS 5

typedef struct plaint_report_anchor {
    int64_t seq;                            /* checkpoint sequence number */
    int64_t tree_size;                      /* ledger positions [0, tree_size) */
    unsigned char root[PLAINT_HASH_LEN];    /* Merkle root over them */
    char root_hex[2 * PLAINT_HASH_LEN + 1]; /* lower-case hex of root */
    int64_t time_us;                        /* checkpoint time, Unix microseconds */
    char time[PLAINT_TIME_LEN + 1];         /* the same as RFC 3339 UTC text */
    int sealed_now;                         /* 1 if this call wrote the checkpoint */
} plaint_report_anchor;

/* Makes sure a checkpoint covers every event committed so far and returns it in *out: when
 * events are waiting for a position (or none was ever sealed) it seals with the ledger signing
 * key cfg->signing_key (db must then be a PLAINT_DB_APP connection); otherwise it returns the
 * latest checkpoint. Must be called outside a transaction. PLAINT_EIO when a seal is needed and
 * the key is missing (the message says to run `plaint ledger seal` where the key is). */
PLAINT_EXTERN int plaint_report_anchor_make(plaint_report_anchor *out, plaint_db *db,
                                            const plaint_config *cfg, plaint_error *err);

/* Opens a REPEATABLE READ, READ ONLY transaction on db and checks, in its snapshot, that the
 * ledger holds exactly a->tree_size events (all positioned, none pending). On 0 the
 * transaction stays open for the caller's reads (end it with plaint_db_finish). When the
 * ledger has grown, rolls back and returns PLAINT_ECONFLICT. */
PLAINT_EXTERN int plaint_report_anchor_snapshot(plaint_db *db, const plaint_report_anchor *a,
                                                plaint_error *err);

/* plaint_report_anchor_make then plaint_report_anchor_snapshot, sealing again and retrying up
 * to `attempts` times while writers race; after that PLAINT_ECONFLICT ("the ledger kept
 * growing"). On 0 the transaction is open, as for plaint_report_anchor_snapshot. */
PLAINT_EXTERN int plaint_report_anchor_open(plaint_report_anchor *out, plaint_db *db,
                                            const plaint_config *cfg, int attempts,
                                            plaint_error *err);

/* The checkpoint with this tree size (the latest of them if several) into *out, for
 * verification. PLAINT_ENOTFOUND if none covers exactly tree_size; PLAINT_ETAMPER if its root
 * is not `root` (32 bytes). Runs in the caller's transaction if one is open. */
PLAINT_EXTERN int plaint_report_anchor_find(plaint_report_anchor *out, plaint_db *db,
                                            int64_t tree_size, const unsigned char *root,
                                            plaint_error *err);

/* A period as SQL parameters: RFC 3339 UTC text for `$n::timestamptz` (from inclusive, to
 * exclusive), and the first and last day "YYYY-MM-DD" for display. */
typedef struct plaint_report_bounds {
    char from[PLAINT_TIME_LEN + 1];
    char to[PLAINT_TIME_LEN + 1];
    char first_day[PLAINT_PERIOD_DAY_LEN + 1];
    char last_day[PLAINT_PERIOD_DAY_LEN + 1];
} plaint_report_bounds;

PLAINT_EXTERN int plaint_report_period_bounds(plaint_report_bounds *out, const plaint_period *p,
                                              plaint_error *err);

#endif
