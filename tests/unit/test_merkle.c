/* Unit tests for the RFC 9162 Merkle tree (src/core/merkle.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/merkle.h"
#include "plaint/merkle_frontier.h"

#define H PLAINT_HASH_LEN

typedef const unsigned char (*leaf_array)[H];

/* Certificate Transparency reference leaves (RFC 6962 test data, as used by
 * google/certificate-transparency and transparency-dev/merkle). */
static const char *const CT_LEAF_HEX[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

/* Roots of the trees of the first 0..8 reference leaves. */
static const char *const CT_ROOT_HEX[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void unhex(unsigned char *out, const char *hex)
{
    assert_int_equal(plaint_hex_decode(out, strlen(hex) / 2, hex, strlen(hex), NULL), 0);
}

static void ct_leaves(unsigned char leaves[8][H])
{
    unsigned char data[16];
    size_t i;

    for (i = 0; i < 8; i++) {
        size_t len = strlen(CT_LEAF_HEX[i]) / 2;
        unhex(data, CT_LEAF_HEX[i]);
        assert_int_equal(plaint_merkle_leaf_hash(leaves[i], data, len, NULL), 0);
    }
}

static void assert_hash_hex(const unsigned char *hash, const char *hex)
{
    char got[2 * H + 1];

    plaint_hex_encode(got, hash, H);
    assert_string_equal(got, hex);
}

/* Expects buf to hold exactly the hashes listed (hex, NULL-terminated list). */
static void assert_proof(const plaint_buf *buf, const char *const *hexes)
{
    size_t n = 0;

    while (hexes[n] != NULL) {
        assert_true(buf->len >= (n + 1) * H);
        assert_hash_hex((const unsigned char *)buf->data + n * H, hexes[n]);
        n++;
    }
    assert_int_equal(buf->len, n * H);
}

/* Deterministic, well-mixed leaf hashes: the leaf hash of the index's 8 bytes. */
static void make_leaves(unsigned char (*leaves)[H], size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char data[8];
        uint64_t v = (uint64_t)i * 0x9e3779b97f4a7c15u;
        size_t b;
        for (b = 0; b < 8; b++) {
            data[b] = (unsigned char)(v >> (8 * b));
        }
        assert_int_equal(plaint_merkle_leaf_hash(leaves[i], data, sizeof(data), NULL), 0);
    }
}

static void test_leaf_and_node_hash(void **state)
{
    unsigned char leaves[8][H];
    unsigned char node[H];
    unsigned char copy[H];

    (void)state;
    ct_leaves(leaves);
    assert_hash_hex(leaves[0], CT_ROOT_HEX[1]);
    assert_int_equal(plaint_merkle_node_hash(node, leaves[0], leaves[1], NULL), 0);
    assert_hash_hex(node, CT_ROOT_HEX[2]);
    /* Output may alias an input. */
    memcpy(copy, leaves[0], H);
    assert_int_equal(plaint_merkle_node_hash(copy, copy, leaves[1], NULL), 0);
    assert_hash_hex(copy, CT_ROOT_HEX[2]);
    /* Order matters. */
    assert_int_equal(plaint_merkle_node_hash(node, leaves[1], leaves[0], NULL), 0);
    assert_memory_not_equal(node, copy, H);
}

static void test_reference_roots(void **state)
{
    unsigned char leaves[8][H];
    unsigned char root[H];
    unsigned char data[16];
    plaint_merkle_builder b;
    plaint_merkle_builder bd;
    size_t n;

    (void)state;
    ct_leaves(leaves);
    assert_int_equal(plaint_merkle_builder_init(&b, NULL), 0);
    assert_int_equal(plaint_merkle_builder_init(&bd, NULL), 0);
    assert_int_equal(plaint_merkle_builder_root(&b, root, NULL), 0);
    assert_hash_hex(root, CT_ROOT_HEX[0]);
    for (n = 0; n <= 8; n++) {
        assert_int_equal(plaint_merkle_root(root, (leaf_array)leaves, n, NULL), 0);
        assert_hash_hex(root, CT_ROOT_HEX[n]);
        if (n == 0) {
            continue;
        }
        assert_int_equal(plaint_merkle_builder_push(&b, leaves[n - 1], NULL), 0);
        assert_int_equal(plaint_merkle_builder_size(&b), n);
        assert_int_equal(plaint_merkle_builder_root(&b, root, NULL), 0);
        assert_hash_hex(root, CT_ROOT_HEX[n]);
        unhex(data, CT_LEAF_HEX[n - 1]);
        assert_int_equal(
            plaint_merkle_builder_push_data(&bd, data, strlen(CT_LEAF_HEX[n - 1]) / 2, NULL), 0);
        assert_int_equal(plaint_merkle_builder_root(&bd, root, NULL), 0);
        assert_hash_hex(root, CT_ROOT_HEX[n]);
    }
    plaint_merkle_builder_clear(&b);
    plaint_merkle_builder_clear(&b);
    plaint_merkle_builder_clear(&bd);
}

static void test_reference_inclusion_proofs(void **state)
{
    static const char *const p0of8[] = {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", NULL};
    static const char *const p5of8[] = {
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", NULL};
    static const char *const p2of3[] = {
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", NULL};
    static const char *const p1of5[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", NULL};
    static const char *const none[] = {NULL};
    static const struct {
        size_t index;
        size_t size;
        const char *const *path;
    } cases[] = {{0, 8, p0of8}, {5, 8, p5of8}, {2, 3, p2of3}, {1, 5, p1of5}, {0, 1, none}};
    unsigned char leaves[8][H];
    unsigned char root[H];
    plaint_buf path = PLAINT_BUF_INIT;
    size_t i;

    (void)state;
    ct_leaves(leaves);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        plaint_buf_reset(&path);
        assert_int_equal(plaint_merkle_inclusion_proof(&path, (leaf_array)leaves, cases[i].size,
                                                       cases[i].index, NULL),
                         0);
        assert_proof(&path, cases[i].path);
        unhex(root, CT_ROOT_HEX[cases[i].size]);
        assert_int_equal(
            plaint_merkle_verify_inclusion(leaves[cases[i].index], cases[i].index, cases[i].size,
                                           (const unsigned char *)path.data, path.len, root, NULL),
            0);
    }
    /* A one-leaf tree: the leaf is the root, the path is empty and may be NULL. */
    assert_int_equal(plaint_merkle_verify_inclusion(leaves[0], 0, 1, NULL, 0, leaves[0], NULL), 0);
    plaint_buf_clear(&path);
}

static void test_reference_consistency_proofs(void **state)
{
    static const char *const c1to8[] = {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", NULL};
    static const char *const c6to8[] = {
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", NULL};
    static const char *const c2to5[] = {
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", NULL};
    static const char *const c2to8[] = {
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4", NULL};
    static const char *const none[] = {NULL};
    static const struct {
        size_t m;
        size_t n;
        const char *const *proof;
    } cases[] = {{1, 8, c1to8}, {6, 8, c6to8}, {2, 5, c2to5},
                 {2, 8, c2to8}, {1, 1, none},  {0, 8, none}};
    unsigned char leaves[8][H];
    unsigned char root_m[H];
    unsigned char root_n[H];
    plaint_buf proof = PLAINT_BUF_INIT;
    size_t i;

    (void)state;
    ct_leaves(leaves);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        plaint_buf_reset(&proof);
        assert_int_equal(plaint_merkle_consistency_proof(&proof, (leaf_array)leaves, cases[i].m,
                                                         cases[i].n, NULL),
                         0);
        assert_proof(&proof, cases[i].proof);
        unhex(root_m, CT_ROOT_HEX[cases[i].m]);
        unhex(root_n, CT_ROOT_HEX[cases[i].n]);
        assert_int_equal(plaint_merkle_verify_consistency(cases[i].m, cases[i].n, root_m, root_n,
                                                          (const unsigned char *)proof.data,
                                                          proof.len, NULL),
                         0);
    }
    plaint_buf_clear(&proof);
}

static void test_builder_matches_array_root(void **state)
{
    static unsigned char leaves[300][H];
    unsigned char want[H];
    unsigned char got[H];
    plaint_merkle_builder b;
    size_t n;

    (void)state;
    make_leaves(leaves, 300);
    assert_int_equal(plaint_merkle_builder_init(&b, NULL), 0);
    for (n = 0; n <= 300; n++) {
        if (n > 0) {
            assert_int_equal(plaint_merkle_builder_push(&b, leaves[n - 1], NULL), 0);
        }
        assert_int_equal(plaint_merkle_builder_size(&b), n);
        assert_int_equal(plaint_merkle_root(want, (leaf_array)leaves, n, NULL), 0);
        assert_int_equal(plaint_merkle_builder_root(&b, got, NULL), 0);
        assert_memory_equal(got, want, H);
        /* Asking twice changes nothing. */
        assert_int_equal(plaint_merkle_builder_root(&b, got, NULL), 0);
        assert_memory_equal(got, want, H);
    }
    /* Root of all 300, computed independently with a recursive RFC 9162 reference in Python. */
    assert_hash_hex(got, "9dabf333fa6c77e56e1af71812270a944f467123d237f83be1c58acd1e739f92");
    plaint_merkle_builder_clear(&b);
}

/* The arguments of one verification, so that any of its buffers can be altered in place. */
typedef struct proof_case {
    const unsigned char *leaf;
    uint64_t index; /* inclusion: leaf index; consistency: old size */
    uint64_t size;
    const unsigned char *proof;
    size_t len;
    const unsigned char *root;   /* inclusion: root; consistency: old root */
    const unsigned char *root_n; /* consistency: new root; NULL for inclusion */
} proof_case;

static int verify_case(const proof_case *c)
{
    if (c->root_n == NULL) {
        return plaint_merkle_verify_inclusion(c->leaf, c->index, c->size, c->proof, c->len, c->root,
                                              NULL);
    }
    return plaint_merkle_verify_consistency(c->index, c->size, c->root, c->root_n, c->proof, c->len,
                                            NULL);
}

/* Flips each bit `bit` of buf in turn (buf is one of c's buffers) and expects ETAMPER. */
static void expect_tamper_each_byte(const proof_case *c, unsigned char *buf, size_t len,
                                    unsigned char bit)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] ^= bit;
        assert_int_equal(verify_case(c), PLAINT_ETAMPER);
        buf[i] ^= bit;
    }
}

/* Expects ETAMPER for every single-byte change of proof, leaf and root. */
static void check_inclusion_tamper(leaf_array leaves, size_t size, size_t index,
                                   unsigned char *proof, size_t len, unsigned char *root)
{
    unsigned char leaf[H];
    proof_case c = {leaf, index, size, proof, len, root, NULL};

    memcpy(leaf, leaves[index], H);
    expect_tamper_each_byte(&c, proof, len, 0x01);
    expect_tamper_each_byte(&c, root, H, 0x80);
    expect_tamper_each_byte(&c, leaf, H, 0x10);
}

static void test_all_inclusion_proofs(void **state)
{
    static unsigned char leaves[64][H];
    unsigned char root[H];
    plaint_buf proof = PLAINT_BUF_INIT;
    size_t n;
    size_t i;

    (void)state;
    make_leaves(leaves, 64);
    for (n = 1; n <= 64; n++) {
        assert_int_equal(plaint_merkle_root(root, (leaf_array)leaves, n, NULL), 0);
        for (i = 0; i < n; i++) {
            unsigned char *p;
            plaint_buf_reset(&proof);
            assert_int_equal(plaint_merkle_inclusion_proof(&proof, (leaf_array)leaves, n, i, NULL),
                             0);
            p = (unsigned char *)proof.data;
            assert_int_equal(
                plaint_merkle_verify_inclusion(leaves[i], i, n, p, proof.len, root, NULL), 0);
            check_inclusion_tamper((leaf_array)leaves, n, i, p, proof.len, root);
            /* Another leaf's hash at this index, or this leaf at another index, fails. */
            if (n > 1) {
                size_t other = (i + 1) % n;
                int rc =
                    plaint_merkle_verify_inclusion(leaves[other], i, n, p, proof.len, root, NULL);
                assert_int_equal(rc, PLAINT_ETAMPER);
                rc = plaint_merkle_verify_inclusion(leaves[i], other, n, p, proof.len, root, NULL);
                assert_true(rc == PLAINT_ETAMPER || rc == PLAINT_EINVALID);
            }
        }
    }
    plaint_buf_clear(&proof);
}

static void test_inclusion_malformed(void **state)
{
    unsigned char leaves[8][H];
    unsigned char root[H];
    unsigned char longer[5 * H];
    plaint_buf proof = PLAINT_BUF_INIT;
    plaint_error err;
    const unsigned char *p;

    (void)state;
    ct_leaves(leaves);
    unhex(root, CT_ROOT_HEX[8]);
    assert_int_equal(plaint_merkle_inclusion_proof(&proof, (leaf_array)leaves, 8, 5, NULL), 0);
    p = (const unsigned char *)proof.data;

    plaint_error_init(&err);
    assert_int_equal(plaint_merkle_verify_inclusion(leaves[5], 8, 8, p, proof.len, root, &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "leaf index 8 is not below tree size 8");
    assert_int_equal(plaint_merkle_verify_inclusion(leaves[5], 5, 8, p, proof.len - 1, root, &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "inclusion proof is 95 bytes, not a multiple of 32");
    assert_int_equal(plaint_merkle_verify_inclusion(leaves[5], 5, 8, p, proof.len - H, root, &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "inclusion proof has 2 hashes, expected 3");
    memcpy(longer, p, proof.len);
    memcpy(longer + proof.len, root, H);
    assert_int_equal(
        plaint_merkle_verify_inclusion(leaves[5], 5, 8, longer, proof.len + H, root, NULL),
        PLAINT_EINVALID);
    assert_int_equal(plaint_merkle_verify_inclusion(leaves[5], 5, 8, p, proof.len, leaves[0], &err),
                     PLAINT_ETAMPER);
    assert_string_equal(err.message, "inclusion proof for leaf 5 of 8 does not lead to the root");
    assert_int_equal(plaint_merkle_verify_inclusion(leaves[0], 0, 0, NULL, 0, root, NULL),
                     PLAINT_EINVALID);

    plaint_buf_reset(&proof);
    assert_int_equal(plaint_merkle_inclusion_proof(&proof, (leaf_array)leaves, 8, 8, &err),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_merkle_inclusion_proof(&proof, (leaf_array)leaves, 0, 0, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(proof.len, 0);
    plaint_buf_clear(&proof);
}

/* Sizes near 2^64: every level of the path is exercised without shifting out of range. */
static void test_inclusion_huge_tree(void **state)
{
    static unsigned char path[64][H];
    unsigned char leaf[H];
    unsigned char root[H];
    size_t i;

    (void)state;
    make_leaves(path, 64);
    make_leaves(&leaf, 1);
    /* Leaf 0 of 2^64 - 1 leaves: 64 right siblings. */
    memcpy(root, leaf, H);
    for (i = 0; i < 64; i++) {
        assert_int_equal(plaint_merkle_node_hash(root, root, path[i], NULL), 0);
    }
    assert_int_equal(
        plaint_merkle_verify_inclusion(leaf, 0, UINT64_MAX, &path[0][0], 64 * H, root, NULL), 0);
    /* The last leaf of 2^64 - 1: 63 left siblings on the right border. */
    memcpy(root, leaf, H);
    for (i = 0; i < 63; i++) {
        assert_int_equal(plaint_merkle_node_hash(root, path[i], root, NULL), 0);
    }
    assert_int_equal(plaint_merkle_verify_inclusion(leaf, UINT64_MAX - 1, UINT64_MAX, &path[0][0],
                                                    63 * H, root, NULL),
                     0);
    assert_int_equal(plaint_merkle_verify_inclusion(leaf, UINT64_MAX - 1, UINT64_MAX, &path[0][0],
                                                    64 * H, root, NULL),
                     PLAINT_EINVALID);
}

static void check_consistency_tamper(size_t m, size_t n, unsigned char *root_m,
                                     unsigned char *root_n, unsigned char *proof, size_t len)
{
    proof_case c = {NULL, m, n, proof, len, root_m, root_n};

    expect_tamper_each_byte(&c, proof, len, 0x04);
    expect_tamper_each_byte(&c, root_m, H, 0x01);
    expect_tamper_each_byte(&c, root_n, H, 0x01);
}

static void test_all_consistency_proofs(void **state)
{
    static unsigned char leaves[64][H];
    static unsigned char roots[65][H];
    unsigned char rm[H];
    unsigned char rn[H];
    plaint_buf proof = PLAINT_BUF_INIT;
    size_t m;
    size_t n;

    (void)state;
    make_leaves(leaves, 64);
    for (n = 0; n <= 64; n++) {
        assert_int_equal(plaint_merkle_root(roots[n], (leaf_array)leaves, n, NULL), 0);
    }
    for (n = 1; n <= 64; n++) {
        for (m = 1; m <= n; m++) {
            unsigned char *p;
            plaint_buf_reset(&proof);
            assert_int_equal(
                plaint_merkle_consistency_proof(&proof, (leaf_array)leaves, m, n, NULL), 0);
            p = (unsigned char *)proof.data;
            if (m == n) {
                assert_int_equal(proof.len, 0);
            } else {
                assert_true(proof.len > 0);
            }
            assert_int_equal(
                plaint_merkle_verify_consistency(m, n, roots[m], roots[n], p, proof.len, NULL), 0);
            /* Copies, so that flipping one root never flips the other when m == n. */
            memcpy(rm, roots[m], H);
            memcpy(rn, roots[n], H);
            check_consistency_tamper(m, n, rm, rn, p, proof.len);
            if (m < n) {
                /* The wrong old size, or the roots swapped, fails. */
                int rc = plaint_merkle_verify_consistency(m + 1, n, roots[m + 1], roots[n], p,
                                                          proof.len, NULL);
                if (m + 1 < n) {
                    assert_true(rc == PLAINT_ETAMPER || rc == PLAINT_EINVALID);
                }
                assert_int_equal(
                    plaint_merkle_verify_consistency(m, n, roots[n], roots[m], p, proof.len, NULL),
                    PLAINT_ETAMPER);
            }
        }
        /* Anything is consistent with the empty tree. */
        assert_int_equal(plaint_merkle_verify_consistency(0, n, roots[0], roots[n], NULL, 0, NULL),
                         0);
    }
    plaint_buf_clear(&proof);
}

static void test_consistency_malformed(void **state)
{
    unsigned char leaves[8][H];
    unsigned char root6[H];
    unsigned char root8[H];
    unsigned char longer[4 * H];
    plaint_buf proof = PLAINT_BUF_INIT;
    plaint_error err;
    const unsigned char *p;

    (void)state;
    ct_leaves(leaves);
    unhex(root6, CT_ROOT_HEX[6]);
    unhex(root8, CT_ROOT_HEX[8]);
    assert_int_equal(plaint_merkle_consistency_proof(&proof, (leaf_array)leaves, 6, 8, NULL), 0);
    p = (const unsigned char *)proof.data;

    plaint_error_init(&err);
    assert_int_equal(plaint_merkle_verify_consistency(8, 6, root8, root6, p, proof.len, &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "old tree size 8 exceeds new size 6");
    assert_int_equal(plaint_merkle_verify_consistency(6, 8, root6, root8, p, proof.len - 3, &err),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_merkle_verify_consistency(6, 8, root6, root8, p, proof.len - H, &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "consistency proof has 2 hashes, expected 3");
    assert_int_equal(plaint_merkle_verify_consistency(6, 8, root6, root8, NULL, 0, NULL),
                     PLAINT_EINVALID);
    memcpy(longer, p, proof.len);
    memcpy(longer + proof.len, root8, H);
    assert_int_equal(
        plaint_merkle_verify_consistency(6, 8, root6, root8, longer, proof.len + H, NULL),
        PLAINT_EINVALID);
    assert_int_equal(plaint_merkle_verify_consistency(6, 8, root8, root8, p, proof.len, &err),
                     PLAINT_ETAMPER);
    assert_string_equal(err.message, "consistency proof 6 -> 8 does not match the old root");
    assert_int_equal(plaint_merkle_verify_consistency(6, 8, root6, root6, p, proof.len, &err),
                     PLAINT_ETAMPER);
    assert_string_equal(err.message, "consistency proof 6 -> 8 does not match the new root");

    /* Equal sizes: equal roots and an empty proof, nothing else. */
    assert_int_equal(plaint_merkle_verify_consistency(8, 8, root8, root8, NULL, 0, NULL), 0);
    assert_int_equal(plaint_merkle_verify_consistency(8, 8, root8, root6, NULL, 0, &err),
                     PLAINT_ETAMPER);
    assert_string_equal(err.message, "trees of equal size 8 have different roots");
    assert_int_equal(plaint_merkle_verify_consistency(8, 8, root8, root8, root8, H, NULL),
                     PLAINT_EINVALID);
    /* Size 0: the root must be SHA-256("") and the proof empty. */
    assert_int_equal(plaint_merkle_verify_consistency(0, 8, root6, root8, NULL, 0, NULL),
                     PLAINT_ETAMPER);
    assert_int_equal(plaint_merkle_verify_consistency(0, 0, root8, root8, NULL, 0, NULL), 0);

    plaint_buf_reset(&proof);
    assert_int_equal(plaint_merkle_consistency_proof(&proof, (leaf_array)leaves, 5, 3, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_merkle_consistency_proof(&proof, (leaf_array)leaves, 0, 8, NULL), 0);
    assert_int_equal(proof.len, 0);
    plaint_buf_clear(&proof);
}

/* Saving the frontier after k leaves and continuing from it gives the same roots as a builder
 * that never stopped; malformed frontiers are refused. */
static void test_frontier_save_load(void **state)
{
    plaint_merkle_builder a;
    plaint_merkle_builder b;
    plaint_buf f = PLAINT_BUF_INIT;
    unsigned char leaf[PLAINT_HASH_LEN];
    unsigned char ra[PLAINT_HASH_LEN];
    unsigned char rb[PLAINT_HASH_LEN];
    size_t k;
    size_t i;
    (void)state;

    for (k = 0; k < 40; k++) {
        assert_int_equal(plaint_merkle_builder_init(&a, NULL), 0);
        assert_int_equal(plaint_merkle_builder_init(&b, NULL), 0);
        for (i = 0; i < 70; i++) {
            memset(leaf, (int)(i * 7 + 1), sizeof(leaf));
            if (i == k) {
                plaint_buf_reset(&f);
                assert_int_equal(plaint_merkle_frontier_save(&f, &a, NULL), 0);
                assert_int_equal(plaint_merkle_frontier_load(&b, (const unsigned char *)f.data,
                                                             f.len, NULL),
                                 0);
                assert_int_equal(plaint_merkle_builder_size(&b), k);
            }
            assert_int_equal(plaint_merkle_builder_push(&a, leaf, NULL), 0);
            if (i >= k) {
                assert_int_equal(plaint_merkle_builder_push(&b, leaf, NULL), 0);
            }
        }
        assert_int_equal(plaint_merkle_builder_root(&a, ra, NULL), 0);
        assert_int_equal(plaint_merkle_builder_root(&b, rb, NULL), 0);
        assert_memory_equal(ra, rb, PLAINT_HASH_LEN);
        /* one hash too few for the leaf count */
        if (f.len > 8) {
            assert_int_equal(plaint_merkle_frontier_load(&b, (const unsigned char *)f.data,
                                                         f.len - PLAINT_HASH_LEN, NULL),
                             PLAINT_EINVALID);
        }
        plaint_merkle_builder_clear(&a);
        plaint_merkle_builder_clear(&b);
    }
    assert_int_equal(plaint_merkle_frontier_load(&b, (const unsigned char *)"abc", 3, NULL),
                     PLAINT_EINVALID);
    plaint_buf_clear(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf_and_node_hash),
        cmocka_unit_test(test_reference_roots),
        cmocka_unit_test(test_reference_inclusion_proofs),
        cmocka_unit_test(test_reference_consistency_proofs),
        cmocka_unit_test(test_builder_matches_array_root),
        cmocka_unit_test(test_all_inclusion_proofs),
        cmocka_unit_test(test_inclusion_malformed),
        cmocka_unit_test(test_inclusion_huge_tree),
        cmocka_unit_test(test_all_consistency_proofs),
        cmocka_unit_test(test_consistency_malformed),
        cmocka_unit_test(test_frontier_save_load),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
