/* RFC 9162 Merkle tree over SHA-256: hashing, streaming root, inclusion and consistency proofs. */
#ifndef PLAINT_MERKLE_H
#define PLAINT_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"

/*
 * Hashing (RFC 9162 section 2.1.1, identical to RFC 6962):
 *   leaf hash  = SHA-256(0x00 || data)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty root = SHA-256("")
 * A tree of n > 1 leaves splits at k, the largest power of two below n: the left subtree holds
 * leaves [0, k), the right one [k, n).
 *
 * Proofs are concatenations of 32-byte hashes in RFC 9162 order (leaf side first). Every leaves
 * array below is borrowed and must hold at least the tree size given.
 */

/* Deepest possible tree: one level per bit of a 64-bit tree size. */
#define PLAINT_MERKLE_MAX_DEPTH 64

/* Writes SHA-256(0x00 || data) to out. Returns 0, PLAINT_ENOMEM or PLAINT_ERROR. */
PLAINT_EXTERN int plaint_merkle_leaf_hash(unsigned char out[PLAINT_HASH_LEN], const void *data,
                                          size_t len, plaint_error *err);

/* Writes SHA-256(0x01 || left || right) to out (out may alias either input). */
PLAINT_EXTERN int plaint_merkle_node_hash(unsigned char out[PLAINT_HASH_LEN],
                                          const unsigned char left[PLAINT_HASH_LEN],
                                          const unsigned char right[PLAINT_HASH_LEN],
                                          plaint_error *err);

/*
 * Streaming root over leaf hashes in O(log n) memory and one reusable digest context: one node
 * hash per push on average. Caller-allocated. Fields are read only outside merkle.c, except to
 * restore a saved frontier; the invariant is: stack[0..depth) holds the roots of the perfect
 * subtrees of the first `size` leaves, largest (leftmost) first, so depth == popcount(size).
 */
typedef struct plaint_merkle_builder {
    uint64_t size;                                                 /* leaves pushed so far */
    size_t depth;                                                  /* entries used in stack */
    unsigned char stack[PLAINT_MERKLE_MAX_DEPTH][PLAINT_HASH_LEN]; /* perfect subtree roots */
    plaint_sha256 sha;
} plaint_merkle_builder;

/* Prepares an empty builder. Returns 0 or PLAINT_ENOMEM; on failure _clear is still safe. */
PLAINT_EXTERN int plaint_merkle_builder_init(plaint_merkle_builder *b, plaint_error *err);
/* Releases the digest context. Safe after a failed _init and twice. */
PLAINT_EXTERN void plaint_merkle_builder_clear(plaint_merkle_builder *b);
/* Appends one leaf hash. Returns 0, PLAINT_ERANGE (2^64 - 1 leaves) or PLAINT_ERROR. */
PLAINT_EXTERN int plaint_merkle_builder_push(plaint_merkle_builder *b,
                                             const unsigned char leaf_hash[PLAINT_HASH_LEN],
                                             plaint_error *err);
/* Appends the leaf SHA-256(0x00 || data), hashed with the builder's own context. */
PLAINT_EXTERN int plaint_merkle_builder_push_data(plaint_merkle_builder *b, const void *data,
                                                  size_t len, plaint_error *err);
/* Writes the root of all leaves pushed so far; further pushes continue unaffected. */
PLAINT_EXTERN int plaint_merkle_builder_root(plaint_merkle_builder *b,
                                             unsigned char out[PLAINT_HASH_LEN], plaint_error *err);
/* Number of leaves pushed so far. */
PLAINT_EXTERN uint64_t plaint_merkle_builder_size(const plaint_merkle_builder *b);

/* Writes the root of the first n leaf hashes (SHA-256("") when n is 0). */
PLAINT_EXTERN int plaint_merkle_root(unsigned char out[PLAINT_HASH_LEN],
                                     const unsigned char (*leaves)[PLAINT_HASH_LEN], size_t n,
                                     plaint_error *err);

/*
 * Appends to path_out the audit path of leaf index in the tree of the first tree_size leaves
 * (RFC 9162 section 2.1.3.1). Returns 0; PLAINT_EINVALID if index >= tree_size; PLAINT_ENOMEM.
 */
PLAINT_EXTERN int plaint_merkle_inclusion_proof(plaint_buf *path_out,
                                                const unsigned char (*leaves)[PLAINT_HASH_LEN],
                                                size_t tree_size, size_t index, plaint_error *err);

/*
 * Checks that leaf_hash is leaf index of the tree of tree_size leaves whose root is root, using
 * path (path_len bytes; may be NULL when 0) per RFC 9162 section 2.1.3.2.
 * Returns 0; PLAINT_ETAMPER if the path does not lead to root; PLAINT_EINVALID if index >=
 * tree_size, path_len is not a multiple of 32, or the path has the wrong number of hashes.
 */
PLAINT_EXTERN int plaint_merkle_verify_inclusion(const unsigned char leaf_hash[PLAINT_HASH_LEN],
                                                 uint64_t index, uint64_t tree_size,
                                                 const unsigned char *path, size_t path_len,
                                                 const unsigned char root[PLAINT_HASH_LEN],
                                                 plaint_error *err);

/*
 * Appends to out the proof that the tree of the first m leaves is a prefix of the tree of the
 * first n (RFC 9162 section 2.1.4.1). The proof is empty when m is 0 or m == n.
 * Returns 0; PLAINT_EINVALID if m > n; PLAINT_ENOMEM.
 */
PLAINT_EXTERN int plaint_merkle_consistency_proof(plaint_buf *out,
                                                  const unsigned char (*leaves)[PLAINT_HASH_LEN],
                                                  size_t m, size_t n, plaint_error *err);

/*
 * Checks that root_m (size m) and root_n (size n) are heads of one append-only tree, using
 * proof (proof_len bytes; may be NULL when 0) per RFC 9162 section 2.1.4.2. For m == n the
 * proof must be empty and the roots equal; for m == 0 the proof must be empty and root_m must
 * be the empty-tree hash.
 * Returns 0; PLAINT_ETAMPER if the roots are not consistent; PLAINT_EINVALID if m > n,
 * proof_len is not a multiple of 32, or the proof has the wrong number of hashes.
 */
PLAINT_EXTERN int plaint_merkle_verify_consistency(uint64_t m, uint64_t n,
                                                   const unsigned char root_m[PLAINT_HASH_LEN],
                                                   const unsigned char root_n[PLAINT_HASH_LEN],
                                                   const unsigned char *proof, size_t proof_len,
                                                   plaint_error *err);

#endif
