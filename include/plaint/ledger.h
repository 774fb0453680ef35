/* The ledger in PostgreSQL: appending events, sequencing, sealing checkpoints, reading back. */
#ifndef PLAINT_LEDGER_H
#define PLAINT_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/checkpoint.h"
#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/sign.h"
#include "plaint/verifier.h"

typedef struct plaint_append_req {
    const char *case_id;
    const char *type;
    const char *actor;
    const char *role;
    const char *payload; /* canonical JSON object (plaint_jcs_canonicalize) */
    size_t payload_len;
    const char *idempotency_key; /* NULL: none */
} plaint_append_req;

typedef struct plaint_append_result {
    int64_t event_id;
    int64_t case_seq;
    int64_t time_us;
    unsigned char hash[PLAINT_HASH_LEN];
    int replayed; /* 1: the idempotency key named an earlier, identical event; nothing written */
} plaint_append_result;

/* Appends one event to its case's chain. Inside a transaction the caller opened, the event
 * joins it (the caller commits); otherwise it runs in its own transaction and retries
 * serialisation conflicts a bounded number of times. The event time is the database clock.
 * A reused idempotency key with different content is PLAINT_EINVALID. */
PLAINT_EXTERN int plaint_ledger_append(plaint_append_result *out, plaint_db *db,
                                       const plaint_append_req *req, plaint_error *err);

/* Appends n events in one transaction with COPY (bulk path). Events of one case keep their
 * order in reqs. Requests whose idempotency key is already recorded are skipped (results[i]
 * .replayed = 1, other fields zero). All events of the batch get the same time (database
 * clock). results may be NULL. Retries conflicts a bounded number of times.
 * A request with a missing or over-long string (case, type, actor, role and idempotency key
 * are 1..200 bytes, as the table's checks require) is PLAINT_EINVALID with err->line = its
 * 1-based index in reqs, before anything is sent. Must be called outside a transaction; costs
 * a few round trips per batch plus the COPY (docs/benchmarks.md), so batches of thousands. */
PLAINT_EXTERN int plaint_ledger_append_batch(plaint_append_result *results, plaint_db *db,
                                             const plaint_append_req *reqs, size_t n,
                                             plaint_error *err);

/* Gives every committed, unsequenced event the next gapless position. *count: how many. */
PLAINT_EXTERN int plaint_ledger_sequence(int64_t *count, plaint_db *db, plaint_error *err);

typedef struct plaint_seal_result {
    int sealed;            /* 0: nothing new since the last checkpoint, none written */
    int64_t sequenced;     /* events given positions by this call */
    plaint_checkpoint cp;  /* the new (or latest) checkpoint */
} plaint_seal_result;

/* Sequences pending events and writes a checkpoint over all positions, signed with key.
 * With force = 0, writes none when no position was added since the last checkpoint. */
PLAINT_EXTERN int plaint_ledger_seal(plaint_seal_result *out, plaint_db *db,
                                     const plaint_signkey *key, int force, plaint_error *err);

typedef struct plaint_ledger_stats {
    int64_t events;
    int64_t pending;          /* without a position */
    int64_t positions;
    int64_t checkpoints;
    int64_t sealed;           /* tree size of the latest checkpoint */
    int64_t seconds_since_seal; /* -1: never sealed */
} plaint_ledger_stats;

PLAINT_EXTERN int plaint_ledger_stats_get(plaint_ledger_stats *out, plaint_db *db,
                                          plaint_error *err);

/* Records key's public half in ledger_key (no-op if present). */
PLAINT_EXTERN int plaint_ledger_register_key(plaint_db *db, const plaint_signkey *key,
                                             plaint_error *err);

/* One event as read back from the database, for show and export. Strings are borrowed and valid
 * only during the callback. */
typedef struct plaint_ledger_row {
    int64_t position; /* -1: not yet sequenced */
    int64_t event_id;
    plaint_event ev;
    unsigned char hash[PLAINT_HASH_LEN];
    const char *idempotency_key; /* NULL if none */
} plaint_ledger_row;

typedef int (*plaint_ledger_row_fn)(const plaint_ledger_row *row, void *arg, plaint_error *err);

/* The events of one case in sequence order. PLAINT_ENOTFOUND if the case has none. */
PLAINT_EXTERN int plaint_ledger_read_case(plaint_db *db, const char *case_id,
                                          plaint_ledger_row_fn fn, void *arg, plaint_error *err);

/* Every event: positioned ones in position order from position `from`, then unsequenced ones.
 * Streams with bounded memory. Runs inside the caller's transaction if one is open. */
PLAINT_EXTERN int plaint_ledger_read_all(plaint_db *db, int64_t from, plaint_ledger_row_fn fn,
                                         void *arg, plaint_error *err);

/* Every checkpoint in seq order. frontier (borrowed) is the stored Merkle frontier. */
typedef int (*plaint_ledger_cp_fn)(const plaint_checkpoint *cp, const unsigned char *frontier,
                                   size_t frontier_len, void *arg, plaint_error *err);
PLAINT_EXTERN int plaint_ledger_read_checkpoints(plaint_db *db, plaint_ledger_cp_fn fn, void *arg,
                                                 plaint_error *err);

/* The event hashes recorded for positions [0, n) into out (n * 32 bytes), in one read-only
 * snapshot; *got: how many consecutive positions from 0 were found (< n if any is missing). */
PLAINT_EXTERN int plaint_ledger_read_position_hashes(plaint_db *db, int64_t n, unsigned char *out,
                                                     int64_t *got, plaint_error *err);

/* Every stored public key (key id, PEM). */
typedef int (*plaint_ledger_key_fn)(const char *key_id, const char *pem, void *arg,
                                    plaint_error *err);
PLAINT_EXTERN int plaint_ledger_read_keys(plaint_db *db, plaint_ledger_key_fn fn, void *arg,
                                          plaint_error *err);

/* Progress of long reads: called now and then with rows done and the expected total. */
typedef void (*plaint_progress_fn)(int64_t done, int64_t total, void *arg);

/* Verifies the live database into v inside one REPEATABLE READ, READ ONLY snapshot: keys,
 * checkpoints, every event, then that no event escaped (an event neither positioned nor
 * pending). Returns 0 or PLAINT_ETAMPER (see plaint_verifier_report) or another error. */
PLAINT_EXTERN int plaint_ledger_verify_db(plaint_db *db, plaint_verifier *v,
                                          plaint_verify_report *report,
                                          plaint_progress_fn progress, void *progress_arg,
                                          plaint_error *err);

#endif
