/* Streaming ledger verification: fed checkpoints, then events in position order, it checks
 * every hash, every per-case chain, gapless positions, every checkpoint's Merkle root,
 * signature and chain, and names the first bad record. Pure logic: the database and the
 * bundle reader both feed it. Memory grows with the number of cases, not of events. */
#ifndef PLAINT_VERIFIER_H
#define PLAINT_VERIFIER_H

#include <stdint.h>

#include "plaint/chain.h"
#include "plaint/checkpoint.h"
#include "plaint/error.h"
#include "plaint/sign.h"

typedef struct plaint_verifier plaint_verifier;

typedef struct plaint_verify_report {
    int ok;                  /* 1: everything verified */
    int64_t events;          /* events checked */
    int64_t positions;       /* events with a position */
    int64_t cases;           /* distinct cases */
    int64_t checkpoints;     /* checkpoints checked */
    int64_t sealed;          /* tree size of the last checkpoint */
    int64_t unsealed;        /* events not covered by a checkpoint (positioned or not) */
    unsigned char root[PLAINT_HASH_LEN]; /* last checkpoint's root */
    /* The first bad record, when ok == 0. */
    char record[16];         /* "event", "position", "checkpoint" or "key" */
    int64_t position;        /* -1 if not applicable */
    char case_id[201];       /* "" if not known */
    int64_t case_seq;        /* 0 if not known */
    int64_t checkpoint;      /* checkpoint seq, 0 if not applicable */
    char reason[300];
} plaint_verify_report;

/* trusted: the public key given by the auditor (borrowed; must outlive the verifier). */
int plaint_verifier_new(plaint_verifier **out, const plaint_signkey *trusted, plaint_error *err);
void plaint_verifier_free(plaint_verifier *v);

/* A public key stored with the ledger (database or bundle): it must be the trusted one. */
int plaint_verifier_add_key(plaint_verifier *v, const char *key_id, const char *pem, size_t len,
                            plaint_error *err);
/* For a partial ledger (a bundle exported --from-checkpoint): starts at checkpoint cp, whose
 * signature is checked and whose previous-checkpoint link is trusted; the Merkle tree continues
 * from frontier (checked against cp's root and size), positions from cp's tree size, and a case
 * may begin mid-chain (its first event's prev hash is trusted). Call first. */
int plaint_verifier_start_at(plaint_verifier *v, const plaint_checkpoint *cp,
                             const unsigned char *frontier, size_t frontier_len,
                             plaint_error *err);

/* Checkpoints in seq order, all before the first event. */
int plaint_verifier_add_checkpoint(plaint_verifier *v, const plaint_checkpoint *cp,
                                   plaint_error *err);
/* Optionally, the Merkle frontier stored with the checkpoint just added (seq): checked against
 * the tree when its size is reached (a mismatch is tampering, named on the checkpoint). */
int plaint_verifier_set_frontier(plaint_verifier *v, int64_t seq, const unsigned char *frontier,
                                 size_t len, plaint_error *err);

/* Events: positioned ones in position order (position >= 0), then unpositioned ones (-1).
 * stored_hash is the event row's hash; position_hash the hash its position row records
 * (NULL when unpositioned). */
int plaint_verifier_add_event(plaint_verifier *v, int64_t position, const plaint_event *ev,
                              const unsigned char stored_hash[PLAINT_HASH_LEN],
                              const unsigned char *position_hash, plaint_error *err);
/* A position row whose event is missing. */
int plaint_verifier_missing_event(plaint_verifier *v, int64_t position, plaint_error *err);
/* Final checks (checkpoints beyond the last position); fills out. Returns 0 when everything
 * verified, PLAINT_ETAMPER otherwise (the first failure also in out), or another error. */
int plaint_verifier_finish(plaint_verifier *v, plaint_verify_report *out, plaint_error *err);

/* After a PLAINT_ETAMPER from any call above, the report of the first failure. */
const plaint_verify_report *plaint_verifier_report(const plaint_verifier *v);

#endif
