/* Checkpoints (signed tree heads): canonical form, hash, Ed25519 signature. Pure logic. */
#ifndef PLAINT_CHECKPOINT_H
#define PLAINT_CHECKPOINT_H

#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/sign.h"

/* Signed and hashed bytes: PLAINT_CHECKPOINT_PREFIX || canonical JSON. */
#define PLAINT_CHECKPOINT_PREFIX "plaint.checkpoint.v1\n"

typedef struct plaint_checkpoint {
    int64_t seq;                         /* 1, 2, ... */
    int64_t tree_size;                   /* positions [0, tree_size) are covered */
    unsigned char root[PLAINT_HASH_LEN]; /* RFC 9162 root over those leaves */
    unsigned char prev[PLAINT_HASH_LEN]; /* hash of checkpoint seq-1; zeros for the first */
    int64_t time_us;                     /* when it was made, microseconds since the epoch */
    char key_id[PLAINT_SIGNKEY_ID_LEN + 1];
    unsigned char sig[PLAINT_SIG_LEN];
    unsigned char hash[PLAINT_HASH_LEN]; /* SHA-256 of the signed bytes */
} plaint_checkpoint;

/* Appends the signed bytes (prefix and canonical JSON):
 * {"key":"<key id>","prev":"<hex>","root":"<hex>","seq":N,"size":N,"time":"...","v":1} */
PLAINT_EXTERN int plaint_checkpoint_message(plaint_buf *out, const plaint_checkpoint *cp,
                                            plaint_error *err);

/* Fills key_id, sig and hash of cp (other fields set by the caller) with key. */
PLAINT_EXTERN int plaint_checkpoint_sign(plaint_checkpoint *cp, const plaint_signkey *key,
                                         plaint_error *err);

/* Checks cp's key id is key's, its hash and its signature. PLAINT_ETAMPER with the reason. */
PLAINT_EXTERN int plaint_checkpoint_verify(const plaint_checkpoint *cp, const plaint_signkey *key,
                                           plaint_error *err);

#endif
