/* The JSON form of checkpoints used in bundles and proofs (docs/ledger-format.md). */
#ifndef PLAINT_CHECKPOINT_JSON_H
#define PLAINT_CHECKPOINT_JSON_H

#include <jansson.h>

#include "plaint/checkpoint.h"

/* Appends the canonical JSON object (no newline):
 * {["frontier":"<hex>",]"hash","key","prev","root","seq","sig","size","time"}.
 * frontier may be NULL to leave it out. */
PLAINT_EXTERN int plaint_checkpoint_to_json(plaint_buf *out, const plaint_checkpoint *cp,
                                            const unsigned char *frontier, size_t frontier_len,
                                            plaint_error *err);

/* Reads that object (with or without "frontier"; no other keys). Hex must be lowercase.
 * PLAINT_EINVALID naming the field otherwise. */
PLAINT_EXTERN int plaint_checkpoint_from_json(plaint_checkpoint *out, const json_t *obj,
                                              plaint_error *err);

/* Reads exactly n bytes of lowercase hex from obj[key]; PLAINT_EINVALID otherwise. */
PLAINT_EXTERN int plaint_json_get_hex(unsigned char *out, size_t n, const json_t *obj,
                                      const char *key, plaint_error *err);

#endif
