/* RFC 9162 Merkle tree over SHA-256: leaf/node hashing, roots, inclusion and consistency proofs. */
#include "plaint/merkle.h"
#include "plaint/merkle_frontier.h"

#include <string.h>

#include <openssl/crypto.h>

#define LEAF_PREFIX 0x00
#define NODE_PREFIX 0x01

/* Enough hashes for any proof of a tree with fewer than 2^64 leaves. */
#define MAX_PATH PLAINT_MERKLE_MAX_DEPTH

/* Every bit set: a chain step that always puts the proof hash on the left. */
#define ALL_LEFT UINT64_MAX

static int hash_leaf(plaint_sha256 *sha, unsigned char out[PLAINT_HASH_LEN], const void *data,
                     size_t len, plaint_error *err)
{
    static const unsigned char prefix = LEAF_PREFIX;
    int rc;

    rc = plaint_sha256_begin(sha, err);
    if (rc == 0) {
        rc = plaint_sha256_update(sha, &prefix, 1, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_update(sha, data, len, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_final(sha, out, err);
    }
    return rc;
}

/* out may alias left or right: both are copied before hashing. */
static int hash_node(plaint_sha256 *sha, unsigned char out[PLAINT_HASH_LEN],
                     const unsigned char left[PLAINT_HASH_LEN],
                     const unsigned char right[PLAINT_HASH_LEN], plaint_error *err)
{
    unsigned char msg[1 + 2 * PLAINT_HASH_LEN];
    int rc;

    msg[0] = NODE_PREFIX;
    memcpy(msg + 1, left, PLAINT_HASH_LEN);
    memcpy(msg + 1 + PLAINT_HASH_LEN, right, PLAINT_HASH_LEN);
    rc = plaint_sha256_begin(sha, err);
    if (rc == 0) {
        rc = plaint_sha256_update(sha, msg, sizeof(msg), err);
    }
    if (rc == 0) {
        rc = plaint_sha256_final(sha, out, err);
    }
    return rc;
}

int plaint_merkle_leaf_hash(unsigned char out[PLAINT_HASH_LEN], const void *data, size_t len,
                            plaint_error *err)
{
    plaint_sha256 sha;
    int rc;

    rc = plaint_sha256_init(&sha, err);
    if (rc == 0) {
        rc = hash_leaf(&sha, out, data, len, err);
    }
    plaint_sha256_clear(&sha);
    return rc;
}

int plaint_merkle_node_hash(unsigned char out[PLAINT_HASH_LEN],
                            const unsigned char left[PLAINT_HASH_LEN],
                            const unsigned char right[PLAINT_HASH_LEN], plaint_error *err)
{
    plaint_sha256 sha;
    int rc;

    rc = plaint_sha256_init(&sha, err);
    if (rc == 0) {
        rc = hash_node(&sha, out, left, right, err);
    }
    plaint_sha256_clear(&sha);
    return rc;
}

/*
 * The frontier of a tree of `size` leaves: the roots of its perfect subtrees, largest first, one
 * per set bit of size. Adding a leaf works like incrementing a binary counter: each carry merges
 * the two rightmost subtrees.
 */
static int frontier_push(plaint_sha256 *sha, unsigned char (*stack)[PLAINT_HASH_LEN], size_t *depth,
                         uint64_t size, const unsigned char leaf[PLAINT_HASH_LEN],
                         plaint_error *err)
{
    size_t d = *depth;
    int rc = 0;

    memcpy(stack[d], leaf, PLAINT_HASH_LEN);
    d++;
    while ((size & 1) != 0) {
        rc = hash_node(sha, stack[d - 2], stack[d - 2], stack[d - 1], err);
        if (rc < 0) {
            break;
        }
        d--;
        size >>= 1;
    }
    *depth = d;
    return rc;
}

/* Folds the frontier right to left, which follows RFC 9162's split at the largest power of 2. */
static int frontier_root(plaint_sha256 *sha, unsigned char out[PLAINT_HASH_LEN],
                         const unsigned char (*stack)[PLAINT_HASH_LEN], size_t depth,
                         plaint_error *err)
{
    size_t i;
    int rc = 0;

    if (depth == 0) {
        rc = plaint_sha256_begin(sha, err);
        if (rc == 0) {
            rc = plaint_sha256_final(sha, out, err);
        }
        return rc;
    }
    memcpy(out, stack[depth - 1], PLAINT_HASH_LEN);
    for (i = depth - 1; i > 0 && rc == 0; i--) {
        rc = hash_node(sha, out, stack[i - 1], out, err);
    }
    return rc;
}

static int subtree_root(plaint_sha256 *sha, unsigned char out[PLAINT_HASH_LEN],
                        const unsigned char (*leaves)[PLAINT_HASH_LEN], size_t n, plaint_error *err)
{
    unsigned char stack[MAX_PATH][PLAINT_HASH_LEN];
    size_t depth = 0;
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        rc = frontier_push(sha, stack, &depth, (uint64_t)i, leaves[i], err);
        if (rc < 0) {
            return rc;
        }
    }
    return frontier_root(sha, out, (const unsigned char(*)[PLAINT_HASH_LEN])stack, depth, err);
}

int plaint_merkle_builder_init(plaint_merkle_builder *b, plaint_error *err)
{
    b->size = 0;
    b->depth = 0;
    return plaint_sha256_init(&b->sha, err);
}

void plaint_merkle_builder_clear(plaint_merkle_builder *b)
{
    plaint_sha256_clear(&b->sha);
    b->size = 0;
    b->depth = 0;
}

int plaint_merkle_builder_push(plaint_merkle_builder *b,
                               const unsigned char leaf_hash[PLAINT_HASH_LEN], plaint_error *err)
{
    int rc;

    if (b->size == UINT64_MAX) {
        return plaint_error_set(err, PLAINT_ERANGE, "Merkle tree is full");
    }
    rc = frontier_push(&b->sha, b->stack, &b->depth, b->size, leaf_hash, err);
    if (rc == 0) {
        b->size++;
    }
    return rc;
}

int plaint_merkle_builder_push_data(plaint_merkle_builder *b, const void *data, size_t len,
                                    plaint_error *err)
{
    unsigned char leaf[PLAINT_HASH_LEN];
    int rc;

    rc = hash_leaf(&b->sha, leaf, data, len, err);
    if (rc == 0) {
        rc = plaint_merkle_builder_push(b, leaf, err);
    }
    return rc;
}

int plaint_merkle_builder_root(plaint_merkle_builder *b, unsigned char out[PLAINT_HASH_LEN],
                               plaint_error *err)
{
    return frontier_root(&b->sha, out, (const unsigned char(*)[PLAINT_HASH_LEN])b->stack, b->depth,
                         err);
}

uint64_t plaint_merkle_builder_size(const plaint_merkle_builder *b)
{
    return b->size;
}

int plaint_merkle_root(unsigned char out[PLAINT_HASH_LEN],
                       const unsigned char (*leaves)[PLAINT_HASH_LEN], size_t n, plaint_error *err)
{
    plaint_sha256 sha;
    int rc;

    rc = plaint_sha256_init(&sha, err);
    if (rc == 0) {
        rc = subtree_root(&sha, out, leaves, n, err);
    }
    plaint_sha256_clear(&sha);
    return rc;
}

/* The largest power of two strictly below n (n >= 2): where RFC 9162 splits a tree. */
static size_t split_point(size_t n)
{
    size_t k = 1;

    while (k < n - k) {
        k <<= 1;
    }
    return k;
}

/* Appends count hashes from nodes to out, last first (proofs list the leaf side first). */
static int append_reversed(plaint_buf *out, const unsigned char (*nodes)[PLAINT_HASH_LEN],
                           size_t count, plaint_error *err)
{
    int rc;

    rc = plaint_buf_reserve(out, count * PLAINT_HASH_LEN, err);
    while (rc == 0 && count > 0) {
        count--;
        rc = plaint_buf_append(out, nodes[count], PLAINT_HASH_LEN, err);
    }
    return rc;
}

int plaint_merkle_inclusion_proof(plaint_buf *path_out,
                                  const unsigned char (*leaves)[PLAINT_HASH_LEN], size_t tree_size,
                                  size_t index, plaint_error *err)
{
    unsigned char siblings[MAX_PATH][PLAINT_HASH_LEN];
    size_t count = 0;
    size_t lo = 0;
    size_t n = tree_size;
    size_t m = index;
    plaint_sha256 sha;
    int rc;

    if (index >= tree_size) {
        return plaint_error_set(err, PLAINT_EINVALID, "leaf index %zu is not below tree size %zu",
                                index, tree_size);
    }
    rc = plaint_sha256_init(&sha, err);
    /* Walk from the root to the leaf, keeping the root of the subtree not taken. */
    while (rc == 0 && n > 1) {
        size_t k = split_point(n);
        if (m < k) {
            rc = subtree_root(&sha, siblings[count], leaves + lo + k, n - k, err);
            n = k;
        } else {
            rc = subtree_root(&sha, siblings[count], leaves + lo, k, err);
            lo += k;
            m -= k;
            n -= k;
        }
        count++;
    }
    if (rc == 0) {
        rc = append_reversed(path_out, (const unsigned char(*)[PLAINT_HASH_LEN])siblings, count,
                             err);
    }
    plaint_sha256_clear(&sha);
    return rc;
}

int plaint_merkle_consistency_proof(plaint_buf *out, const unsigned char (*leaves)[PLAINT_HASH_LEN],
                                    size_t m, size_t n, plaint_error *err)
{
    unsigned char siblings[MAX_PATH][PLAINT_HASH_LEN];
    unsigned char head[PLAINT_HASH_LEN];
    size_t count = 0;
    size_t lo = 0;
    size_t size = n;
    size_t old = m;
    int whole_old_tree = 1; /* RFC 9162's b: the old tree is still the subtree walked */
    plaint_sha256 sha;
    int rc;

    if (m > n) {
        return plaint_error_set(err, PLAINT_EINVALID, "old tree size %zu exceeds new size %zu", m,
                                n);
    }
    if (m == 0 || m == n) {
        return 0;
    }
    rc = plaint_sha256_init(&sha, err);
    while (rc == 0 && old != size) {
        size_t k = split_point(size);
        if (old <= k) {
            rc = subtree_root(&sha, siblings[count], leaves + lo + k, size - k, err);
            size = k;
        } else {
            rc = subtree_root(&sha, siblings[count], leaves + lo, k, err);
            lo += k;
            old -= k;
            size -= k;
            whole_old_tree = 0;
        }
        count++;
    }
    if (rc == 0 && !whole_old_tree) {
        rc = subtree_root(&sha, head, leaves + lo, size, err);
        if (rc == 0) {
            rc = plaint_buf_append(out, head, PLAINT_HASH_LEN, err);
        }
    }
    if (rc == 0) {
        rc = append_reversed(out, (const unsigned char(*)[PLAINT_HASH_LEN])siblings, count, err);
    }
    plaint_sha256_clear(&sha);
    return rc;
}

static unsigned bit_length(uint64_t x)
{
    unsigned n = 0;

    while (x != 0) {
        n++;
        x >>= 1;
    }
    return n;
}

static unsigned ones(uint64_t x)
{
    unsigned n = 0;

    while (x != 0) {
        x &= x - 1;
        n++;
    }
    return n;
}

static unsigned trailing_zeros(uint64_t x)
{
    unsigned n = 0;

    while (n < 64 && ((x >> n) & 1) == 0) {
        n++;
    }
    return n;
}

/*
 * Splits the audit path of leaf index in a tree of size leaves into its inner part (levels
 * where the path to the last leaf and to this leaf differ) and its border part (left siblings
 * on the right edge above them). Their sum is the path length.
 */
static void decompose_path(unsigned *inner, unsigned *border, uint64_t index, uint64_t size)
{
    *inner = bit_length(index ^ (size - 1));
    *border = *inner >= 64 ? 0 : ones(index >> *inner);
}

/*
 * Hashes seed up through count proof hashes. Where bit i of left_mask is set, proof hash i is
 * the left sibling; otherwise it is the right one, skipped when left_only is set.
 */
static int chain(plaint_sha256 *sha, unsigned char seed[PLAINT_HASH_LEN],
                 const unsigned char *proof, size_t count, uint64_t left_mask, int left_only,
                 plaint_error *err)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < count && rc == 0; i++) {
        const unsigned char *p = proof + i * PLAINT_HASH_LEN;
        if (((left_mask >> i) & 1) != 0) {
            rc = hash_node(sha, seed, p, seed, err);
        } else if (!left_only) {
            rc = hash_node(sha, seed, seed, p, err);
        }
    }
    return rc;
}

static int check_proof_len(size_t len, size_t want, const char *what, plaint_error *err)
{
    if (len % PLAINT_HASH_LEN != 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s proof is %zu bytes, not a multiple of %d",
                                what, len, PLAINT_HASH_LEN);
    }
    if (len / PLAINT_HASH_LEN != want) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s proof has %zu hashes, expected %zu", what,
                                len / PLAINT_HASH_LEN, want);
    }
    return 0;
}

int plaint_merkle_verify_inclusion(const unsigned char leaf_hash[PLAINT_HASH_LEN], uint64_t index,
                                   uint64_t tree_size, const unsigned char *path, size_t path_len,
                                   const unsigned char root[PLAINT_HASH_LEN], plaint_error *err)
{
    unsigned char h[PLAINT_HASH_LEN];
    unsigned inner;
    unsigned border;
    plaint_sha256 sha;
    int rc;

    if (index >= tree_size) {
        return plaint_error_set(err, PLAINT_EINVALID, "leaf index %llu is not below tree size %llu",
                                (unsigned long long)index, (unsigned long long)tree_size);
    }
    decompose_path(&inner, &border, index, tree_size);
    rc = check_proof_len(path_len, (size_t)inner + border, "inclusion", err);
    if (rc < 0) {
        return rc;
    }
    rc = plaint_sha256_init(&sha, err);
    memcpy(h, leaf_hash, PLAINT_HASH_LEN);
    if (rc == 0) {
        rc = chain(&sha, h, path, inner, index, 0, err);
    }
    if (rc == 0 && border > 0) {
        rc = chain(&sha, h, path + (size_t)inner * PLAINT_HASH_LEN, border, ALL_LEFT, 1, err);
    }
    plaint_sha256_clear(&sha);
    if (rc == 0 && CRYPTO_memcmp(h, root, PLAINT_HASH_LEN) != 0) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "inclusion proof for leaf %llu of %llu does not lead to the root",
                              (unsigned long long)index, (unsigned long long)tree_size);
    }
    return rc;
}

/* The degenerate cases m == n and m == 0, where the proof is empty. */
static int verify_trivial_consistency(uint64_t m, uint64_t n,
                                      const unsigned char root_m[PLAINT_HASH_LEN],
                                      const unsigned char root_n[PLAINT_HASH_LEN], size_t proof_len,
                                      plaint_error *err)
{
    unsigned char empty[PLAINT_HASH_LEN];
    int rc;

    rc = check_proof_len(proof_len, 0, "consistency", err);
    if (rc < 0) {
        return rc;
    }
    if (m == n) {
        if (CRYPTO_memcmp(root_m, root_n, PLAINT_HASH_LEN) != 0) {
            return plaint_error_set(err, PLAINT_ETAMPER,
                                    "trees of equal size %llu have different roots",
                                    (unsigned long long)n);
        }
        return 0;
    }
    rc = plaint_sha256_digest(empty, "", 0, err);
    if (rc == 0 && CRYPTO_memcmp(root_m, empty, PLAINT_HASH_LEN) != 0) {
        rc = plaint_error_set(err, PLAINT_ETAMPER, "root of the empty tree is not SHA-256(\"\")");
    }
    return rc;
}

int plaint_merkle_verify_consistency(uint64_t m, uint64_t n,
                                     const unsigned char root_m[PLAINT_HASH_LEN],
                                     const unsigned char root_n[PLAINT_HASH_LEN],
                                     const unsigned char *proof, size_t proof_len,
                                     plaint_error *err)
{
    unsigned char seed[PLAINT_HASH_LEN];
    unsigned char h1[PLAINT_HASH_LEN];
    unsigned char h2[PLAINT_HASH_LEN];
    unsigned inner;
    unsigned border;
    unsigned shift;
    size_t start;
    uint64_t mask;
    plaint_sha256 sha;
    int rc;

    if (m > n) {
        return plaint_error_set(err, PLAINT_EINVALID, "old tree size %llu exceeds new size %llu",
                                (unsigned long long)m, (unsigned long long)n);
    }
    if (m == n || m == 0) {
        return verify_trivial_consistency(m, n, root_m, root_n, proof_len, err);
    }
    /*
     * The proof is the tail of the audit path of leaf m - 1 in the new tree, starting at level
     * `shift` (the height of the old tree's rightmost perfect subtree), preceded by that
     * subtree's root unless the old tree is itself perfect, when root_m is that root.
     */
    decompose_path(&inner, &border, m - 1, n);
    shift = trailing_zeros(m);
    inner -= shift;
    start = (m & (m - 1)) == 0 ? 0 : 1;
    rc = check_proof_len(proof_len, start + inner + border, "consistency", err);
    if (rc < 0) {
        return rc;
    }
    memcpy(seed, start == 0 ? root_m : proof, PLAINT_HASH_LEN);
    proof += start * PLAINT_HASH_LEN;
    mask = (m - 1) >> shift;
    memcpy(h1, seed, PLAINT_HASH_LEN);
    memcpy(h2, seed, PLAINT_HASH_LEN);
    rc = plaint_sha256_init(&sha, err);
    if (rc == 0) {
        rc = chain(&sha, h1, proof, inner, mask, 1, err);
    }
    if (rc == 0) {
        rc = chain(&sha, h2, proof, inner, mask, 0, err);
    }
    proof += (size_t)inner * PLAINT_HASH_LEN;
    if (rc == 0) {
        rc = chain(&sha, h1, proof, border, ALL_LEFT, 1, err);
    }
    if (rc == 0) {
        rc = chain(&sha, h2, proof, border, ALL_LEFT, 1, err);
    }
    plaint_sha256_clear(&sha);
    if (rc == 0 && CRYPTO_memcmp(h1, root_m, PLAINT_HASH_LEN) != 0) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "consistency proof %llu -> %llu does not match the old root",
                              (unsigned long long)m, (unsigned long long)n);
    }
    if (rc == 0 && CRYPTO_memcmp(h2, root_n, PLAINT_HASH_LEN) != 0) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "consistency proof %llu -> %llu does not match the new root",
                              (unsigned long long)m, (unsigned long long)n);
    }
    return rc;
}

/* Frontier persistence: leaf count and perfect-subtree roots, so sealing can continue. */
int plaint_merkle_frontier_save(plaint_buf *out, const plaint_merkle_builder *b,
                                plaint_error *err)
{
    unsigned char size[8];
    int i;
    int rc;

    for (i = 0; i < 8; i++) {
        size[i] = (unsigned char)(b->size >> (56 - 8 * i));
    }
    rc = plaint_buf_append(out, size, sizeof(size), err);
    if (rc == 0 && b->depth > 0) {
        rc = plaint_buf_append(out, b->stack, b->depth * PLAINT_HASH_LEN, err);
    }
    return rc;
}

int plaint_merkle_frontier_load(plaint_merkle_builder *b, const unsigned char *data, size_t len,
                                plaint_error *err)
{
    uint64_t size = 0;
    size_t depth;
    int i;

    if (len < 8) {
        return plaint_error_set(err, PLAINT_EINVALID, "Merkle frontier too short");
    }
    for (i = 0; i < 8; i++) {
        size = (size << 8) | data[i];
    }
    depth = ones(size);
    if (depth > PLAINT_MERKLE_MAX_DEPTH || len != 8 + depth * PLAINT_HASH_LEN) {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "Merkle frontier for %llu leaves must hold %zu hashes",
                                (unsigned long long)size, depth);
    }
    b->size = size;
    b->depth = depth;
    if (depth > 0) {
        memcpy(b->stack, data + 8, depth * PLAINT_HASH_LEN);
    }
    return 0;
}
