/* Unit tests for checkpoints (src/core/checkpoint.c): signed bytes, signing and verification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/signkey.h"
#include "plaint/checkpoint.h"
#include "unit_helpers.h"

/* RFC 8032 section 7.1 TEST 1 key; its id is SHA-256 of the raw public key. */
#define T1_SECRET "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define T1_ID     "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"
static const char T1_PUBLIC_PEM[] = "-----BEGIN PUBLIC KEY-----\n"
                                    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                                    "-----END PUBLIC KEY-----\n";

/* The checkpoint of vector_cp() signed with the TEST 1 key. Computed outside plaint: the message
 * by hand, its hash with sha256sum, the signature with Python's cryptography package and with
 * `openssl pkeyutl -sign -rawin` (Ed25519 is deterministic; both agree). */
static const char VECTOR_MESSAGE[] =
    "plaint.checkpoint.v1\n"
    "{\"key\":\"" T1_ID "\","
    "\"prev\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
    "\"root\":\"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\","
    "\"seq\":2,\"size\":7,\"time\":\"2026-03-14T10:00:00.000000Z\",\"v\":1}";
static const char VECTOR_HASH[] =
    "521718b4a1f3429dba0547f1c031ea8e4f0cf1f1df4166c126167be91dd9e208";
static const char VECTOR_SIG[] =
    "65482df8fabd32f1f64942b7ffe046d1e4fc47203a45dfb69b55cdea224595f4a35f1a9eabbc6713b234aad2176b87"
    "13d54110b3f0aef1c7502bb8bf7e5e2403";

typedef struct fixture {
    plaint_signkey *key;    /* TEST 1, private */
    plaint_signkey *public; /* TEST 1, public only */
    plaint_signkey *other;  /* a generated key */
} fixture;

static int setup(void **state)
{
    static fixture f;
    unsigned char secret[32];
    EVP_PKEY *pkey;

    memset(&f, 0, sizeof(f));
    unit_unhex(secret, sizeof(secret), T1_SECRET);
    pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, sizeof(secret));
    OPENSSL_cleanse(secret, sizeof(secret));
    assert_non_null(pkey);
    assert_int_equal(plaint_signkey_wrap(&f.key, pkey, 1, NULL), 0);
    assert_int_equal(
        plaint_signkey_from_public_pem(&f.public, T1_PUBLIC_PEM, strlen(T1_PUBLIC_PEM), NULL), 0);
    f.other = unit_new_key();
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    plaint_signkey_free(f->key);
    plaint_signkey_free(f->public);
    plaint_signkey_free(f->other);
    return 0;
}

/* The vector checkpoint, seq 2 over 7 leaves, naming the TEST 1 key but not signed. */
static void vector_cp(plaint_checkpoint *cp)
{
    memset(cp, 0, sizeof(*cp));
    memcpy(cp->key_id, T1_ID, sizeof(T1_ID));
    cp->seq = 2;
    cp->tree_size = 7;
    unit_fill_bytes(cp->root, PLAINT_HASH_LEN, 0xa0);
    unit_fill_bytes(cp->prev, PLAINT_HASH_LEN, 0);
    cp->time_us = 1773482400000000LL; /* 2026-03-14T10:00:00Z */
}

static void signed_cp(plaint_checkpoint *cp, const plaint_signkey *key)
{
    vector_cp(cp);
    assert_int_equal(plaint_checkpoint_sign(cp, key, NULL), 0);
}

/* Recomputes cp's hash over its (edited) content and, if signer is not NULL, signs it with
 * signer as claimed: what a forger with database access would store. key_id is kept. */
static void forge(plaint_checkpoint *cp, const plaint_signkey *signer)
{
    plaint_buf msg = PLAINT_BUF_INIT;

    assert_int_equal(plaint_checkpoint_message(&msg, cp, NULL), 0);
    assert_int_equal(plaint_sha256_digest(cp->hash, msg.data, msg.len, NULL), 0);
    if (signer != NULL) {
        assert_int_equal(plaint_sign(cp->sig, signer, msg.data, msg.len, NULL), 0);
    }
    plaint_buf_clear(&msg);
}

/* Expects verification of cp with key to fail as tampered, the message containing reason. */
static void expect_tamper(const plaint_checkpoint *cp, const plaint_signkey *key,
                          const char *reason)
{
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_checkpoint_verify(cp, key, &err), PLAINT_ETAMPER);
    assert_int_equal(err.code, PLAINT_ETAMPER);
    if (strstr(err.message, reason) == NULL) {
        fail_msg("message '%s' lacks '%s'", err.message, reason);
    }
}

static void expect_message_invalid(const plaint_checkpoint *cp, int code, const char *field)
{
    plaint_buf msg = PLAINT_BUF_INIT;
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_checkpoint_message(&msg, cp, &err), code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.field, field);
    plaint_buf_clear(&msg);
}

static void test_message_vector(void **state)
{
    plaint_buf msg = PLAINT_BUF_INIT;
    plaint_checkpoint cp;

    (void)state;
    vector_cp(&cp);
    assert_int_equal(plaint_buf_append_str(&msg, "keep:", NULL), 0);
    assert_int_equal(plaint_checkpoint_message(&msg, &cp, NULL), 0);
    unit_assert_appended(&msg, "keep:", VECTOR_MESSAGE);
    plaint_buf_clear(&msg);
}

static void test_sign_vector(void **state)
{
    fixture *f = *state;
    plaint_checkpoint cp;

    signed_cp(&cp, f->key);
    assert_string_equal(cp.key_id, T1_ID);
    unit_assert_hex(cp.hash, PLAINT_HASH_LEN, VECTOR_HASH);
    unit_assert_hex(cp.sig, PLAINT_SIG_LEN, VECTOR_SIG);
    /* The caller's fields are left as they were. */
    assert_int_equal(cp.seq, 2);
    assert_int_equal(cp.tree_size, 7);
    assert_int_equal(cp.time_us, 1773482400000000LL);
    assert_int_equal(cp.root[0], 0xa0);
    assert_int_equal(cp.prev[31], 0x1f);
}

static void test_verify_round_trip(void **state)
{
    fixture *f = *state;
    plaint_checkpoint cp;
    plaint_error err;

    signed_cp(&cp, f->key);
    plaint_error_init(&err);
    assert_int_equal(plaint_checkpoint_verify(&cp, f->key, &err), 0);
    assert_int_equal(plaint_checkpoint_verify(&cp, f->public, &err), 0);
    assert_int_equal(err.code, 0);

    /* A generated key signs and verifies its own checkpoints too; the first has zero prev. */
    vector_cp(&cp);
    cp.seq = 1;
    memset(cp.prev, 0, sizeof(cp.prev));
    assert_int_equal(plaint_checkpoint_sign(&cp, f->other, NULL), 0);
    assert_int_equal(plaint_checkpoint_verify(&cp, f->other, NULL), 0);
    expect_tamper(&cp, f->public, "not by the trusted key");
}

/* Edits field number `field` (0..8) of a stored checkpoint; returns what verification says. */
static const char *tamper_field(plaint_checkpoint *cp, int field)
{
    switch (field) {
    case 0:
        cp->seq = 3;
        return "checkpoint 3: stored hash does not match its content";
    case 1:
        cp->tree_size = 8;
        break;
    case 2:
        cp->root[0] ^= 0x01;
        break;
    case 3:
        cp->prev[31] ^= 0x80;
        break;
    case 4:
        cp->time_us += 1;
        break;
    case 5:
        cp->key_id[0] = cp->key_id[0] == 'a' ? 'b' : 'a';
        return "not by the trusted key";
    case 6:
        cp->sig[10] ^= 0x04;
        return "checkpoint 2: signature is not valid";
    case 7:
        cp->sig[63] ^= 0x40;
        return "checkpoint 2: signature is not valid";
    default:
        cp->hash[0] ^= 0x01;
        break;
    }
    return "checkpoint 2: stored hash does not match its content";
}

/* Altering any field of a stored checkpoint is detected. */
static void test_tamper_each_field(void **state)
{
    fixture *f = *state;
    plaint_checkpoint cp;
    const char *reason;
    int field;

    for (field = 0; field < 9; field++) {
        signed_cp(&cp, f->key);
        reason = tamper_field(&cp, field);
        expect_tamper(&cp, f->public, reason);
    }
}

/* A forger who recomputes the hash after editing is still stopped by the signature. */
static void test_tamper_with_recomputed_hash(void **state)
{
    fixture *f = *state;
    plaint_checkpoint cp;

    signed_cp(&cp, f->key);
    cp.tree_size = 6;
    unit_fill_bytes(cp.root, PLAINT_HASH_LEN, 0x10);
    forge(&cp, NULL);
    expect_tamper(&cp, f->public, "checkpoint 2: signature is not valid");
}

static void test_wrong_key(void **state)
{
    fixture *f = *state;
    plaint_checkpoint cp;

    /* Signed by the trusted key, checked against another. */
    signed_cp(&cp, f->key);
    expect_tamper(&cp, f->other,
                  "checkpoint 2 was signed by key 21fe31dfa154a261..., not by "
                  "the trusted key");

    /* Re-signed by a forger: consistent in itself, but not the trusted key's. */
    signed_cp(&cp, f->other);
    assert_int_equal(plaint_checkpoint_verify(&cp, f->other, NULL), 0);
    expect_tamper(&cp, f->public, "not by the trusted key 21fe31dfa154a261...");

    /* A forger who also claims the trusted key's id fails on the signature. */
    memcpy(cp.key_id, T1_ID, sizeof(T1_ID));
    forge(&cp, f->other);
    expect_tamper(&cp, f->public, "checkpoint 2: signature is not valid");
}

static void test_message_rejects_bad_fields(void **state)
{
    plaint_checkpoint cp;

    (void)state;
    vector_cp(&cp);
    cp.seq = 0;
    expect_message_invalid(&cp, PLAINT_EINVALID, "");

    vector_cp(&cp);
    cp.tree_size = -1;
    expect_message_invalid(&cp, PLAINT_EINVALID, "");

    vector_cp(&cp);
    cp.key_id[5] = 'E'; /* uppercase hex */
    expect_message_invalid(&cp, PLAINT_EINVALID, "key");

    vector_cp(&cp);
    cp.key_id[63] = '\0'; /* too short */
    expect_message_invalid(&cp, PLAINT_EINVALID, "key");

    vector_cp(&cp);
    cp.key_id[64] = 'a'; /* not terminated */
    expect_message_invalid(&cp, PLAINT_EINVALID, "key");

    vector_cp(&cp);
    cp.time_us = 253402300800000000LL; /* year 10000 */
    expect_message_invalid(&cp, PLAINT_ERANGE, "");
}

/* A tree of size 0 is a valid checkpoint (sealing an empty ledger). */
static void test_empty_tree(void **state)
{
    fixture *f = *state;
    plaint_checkpoint cp;

    vector_cp(&cp);
    cp.seq = 1;
    cp.tree_size = 0;
    unit_unhex(cp.root, PLAINT_HASH_LEN,
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    memset(cp.prev, 0, sizeof(cp.prev));
    assert_int_equal(plaint_checkpoint_sign(&cp, f->key, NULL), 0);
    assert_int_equal(plaint_checkpoint_verify(&cp, f->public, NULL), 0);
    cp.tree_size = 1;
    expect_tamper(&cp, f->public, "checkpoint 1: stored hash does not match its content");
}

/* A public-only key verifies but cannot sign; a failed signing leaves an error, not a sig. */
static void test_sign_needs_private_key(void **state)
{
    fixture *f = *state;
    plaint_checkpoint cp;
    plaint_error err;

    vector_cp(&cp);
    plaint_error_init(&err);
    assert_int_equal(plaint_checkpoint_sign(&cp, f->public, &err), PLAINT_EINVALID);
    assert_int_equal(err.code, PLAINT_EINVALID);

    vector_cp(&cp);
    cp.seq = 0;
    assert_int_equal(plaint_checkpoint_sign(&cp, f->key, NULL), PLAINT_EINVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_vector),
        cmocka_unit_test_setup_teardown(test_sign_vector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_each_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_with_recomputed_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
        cmocka_unit_test(test_message_rejects_bad_fields),
        cmocka_unit_test_setup_teardown(test_empty_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_needs_private_key, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
