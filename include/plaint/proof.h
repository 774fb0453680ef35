/* Inclusion and consistency proofs as self-contained JSON documents (docs/ledger-format.md),
 * made from the database and checked with no database. */
#ifndef PLAINT_PROOF_H
#define PLAINT_PROOF_H

#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/db.h"
#include "plaint/sign.h"

/* Appends the inclusion proof of the event at position, against the first checkpoint that
 * covers it, as canonical JSON. PLAINT_ENOTFOUND if no checkpoint covers it yet. */
PLAINT_EXTERN int plaint_proof_inclusion(plaint_buf *out, plaint_db *db, int64_t position,
                                         plaint_error *err);
/* Appends the consistency proof between checkpoints a < b (seq numbers). */
PLAINT_EXTERN int plaint_proof_consistency(plaint_buf *out, plaint_db *db, int64_t a, int64_t b,
                                           plaint_error *err);

typedef struct plaint_proof_result {
    int inclusion;        /* 1 inclusion, 0 consistency */
    int64_t position;     /* inclusion */
    int64_t first_seq;    /* checkpoint(s) the proof is against */
    int64_t second_seq;
    int64_t first_size;
    int64_t second_size;
} plaint_proof_result;

/* Checks a proof document with the trusted key: the checkpoint signatures, then the Merkle
 * path. 0, PLAINT_ETAMPER (naming what failed) or PLAINT_EINVALID for a malformed document. */
PLAINT_EXTERN int plaint_proof_verify(plaint_proof_result *out, const char *json, size_t len,
                                      const plaint_signkey *trusted, plaint_error *err);

#endif
