/* Saving and restoring a Merkle builder's frontier (its perfect-subtree roots), so that sealing
 * continues from the last checkpoint instead of rereading every leaf. */
#ifndef PLAINT_MERKLE_FRONTIER_H
#define PLAINT_MERKLE_FRONTIER_H

#include "plaint/buf.h"
#include "plaint/merkle.h"

/* Appends: 8-byte big-endian leaf count, then popcount(count) 32-byte subtree roots, largest
 * subtree first. */
PLAINT_EXTERN int plaint_merkle_frontier_save(plaint_buf *out, const plaint_merkle_builder *b,
                                              plaint_error *err);
/* Restores b (initialised, empty) from that encoding; PLAINT_EINVALID if malformed. */
PLAINT_EXTERN int plaint_merkle_frontier_load(plaint_merkle_builder *b, const unsigned char *data,
                                              size_t len, plaint_error *err);

#endif
