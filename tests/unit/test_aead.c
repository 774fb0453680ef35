/* Unit tests for AES-256-GCM sealing and opening (src/crypto/aead.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/aead_internal.h"
#include "plaint/vault_crypto.h"
#include "unit_helpers.h"

/* The GCM specification (McGrew and Viega, used by NIST SP 800-38D), test cases 13, 14, 16. */
#define ZERO_KEY "0000000000000000000000000000000000000000000000000000000000000000"
#define ZERO_IV  "000000000000000000000000"
#define TC16_KEY "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
#define TC16_IV  "cafebabefacedbaddecaf888"
#define TC16_PT                                                                                    \
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6" \
    "b525b16aedf5aa0de657ba637b39"
#define TC16_AAD "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define TC16_CT                                                                                    \
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682" \
    "8838c5f61e6393ba7a0abcc9f662"
#define TC16_TAG "76fc6ece0f4e1768cddf8853bb2d551b"

static const unsigned char KEY[PLAINT_AEAD_KEY_LEN] = {
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f};
static const char AAD[] = "plaint.field.v1\nS-1";
static const char MSG[] = "Jane Doe, 1 High Street, Leeds";

/* Decodes hex of any even length into a new buffer (caller frees); *len_out gets its length. */
static unsigned char *unhex_new(const char *hex, size_t *len_out)
{
    size_t len = strlen(hex) / 2;
    unsigned char *out = malloc(len + 1);

    assert_non_null(out);
    assert_int_equal(plaint_hex_decode(out, len, hex, strlen(hex), NULL), 0);
    *len_out = len;
    return out;
}

/* Asserts that len bytes at data are, in hex, the concatenation of the given parts. */
static void assert_hex3(const void *data, size_t len, const char *a, const char *b, const char *c)
{
    char *got = malloc(2 * len + 1);
    size_t na = strlen(a);
    size_t nb = strlen(b);

    assert_non_null(got);
    plaint_hex_encode(got, data, len);
    assert_int_equal(2 * len, na + nb + strlen(c));
    assert_memory_equal(got, a, na);
    assert_memory_equal(got + na, b, nb);
    assert_string_equal(got + na + nb, c);
    free(got);
}

/* Seals with a fixed nonce after a prefix, checks the exact output, and opens it again. */
static void check_vector(const char *key_hex, const char *iv_hex, const char *aad_hex,
                         const char *pt_hex, const char *ct_hex, const char *tag_hex)
{
    unsigned char key[PLAINT_AEAD_KEY_LEN];
    unsigned char nonce[PLAINT_AEAD_NONCE_LEN];
    plaint_buf sealed = PLAINT_BUF_INIT;
    plaint_buf opened = PLAINT_BUF_INIT;
    size_t aad_len = 0;
    size_t pt_len = 0;
    unsigned char *aad = unhex_new(aad_hex, &aad_len);
    unsigned char *pt = unhex_new(pt_hex, &pt_len);

    unit_unhex(key, sizeof(key), key_hex);
    unit_unhex(nonce, sizeof(nonce), iv_hex);
    assert_int_equal(plaint_buf_append_str(&sealed, "head", NULL), 0);
    assert_int_equal(
        plaint_aead_seal_with_nonce(&sealed, key, nonce, aad, aad_len, pt, pt_len, NULL), 0);
    /* Appended after what was there: nonce || ciphertext || tag. */
    assert_int_equal(sealed.len, 4 + pt_len + PLAINT_AEAD_OVERHEAD);
    assert_memory_equal(sealed.data, "head", 4);
    assert_hex3(sealed.data + 4, sealed.len - 4, iv_hex, ct_hex, tag_hex);
    assert_int_equal(sealed.data[sealed.len], '\0');

    assert_int_equal(
        plaint_aead_open(&opened, key, aad, aad_len, sealed.data + 4, sealed.len - 4, NULL), 0);
    assert_int_equal(opened.len, pt_len);
    if (pt_len > 0) {
        assert_memory_equal(opened.data, pt, pt_len);
    }
    plaint_buf_clear(&sealed);
    plaint_buf_clear(&opened);
    free(aad);
    free(pt);
}

static void test_known_answers(void **state)
{
    (void)state;
    /* Test case 13: empty plaintext, no aad: the tag alone. */
    check_vector(ZERO_KEY, ZERO_IV, "", "", "", "530f8afbc74536b9a963b4f1c4cb738b");
    /* Test case 14: one zero block. */
    check_vector(ZERO_KEY, ZERO_IV, "", "00000000000000000000000000000000",
                 "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919");
    /* Test case 16: 60 bytes (a partial last block) and 20 bytes of associated data. */
    check_vector(TC16_KEY, TC16_IV, TC16_AAD, TC16_PT, TC16_CT, TC16_TAG);
}

static void test_round_trip_random_nonce(void **state)
{
    plaint_buf a = PLAINT_BUF_INIT;
    plaint_buf b = PLAINT_BUF_INIT;
    plaint_buf out = PLAINT_BUF_INIT;

    (void)state;
    assert_int_equal(plaint_aead_seal(&a, KEY, AAD, strlen(AAD), MSG, strlen(MSG), NULL), 0);
    assert_int_equal(plaint_aead_seal(&b, KEY, AAD, strlen(AAD), MSG, strlen(MSG), NULL), 0);
    assert_int_equal(a.len, strlen(MSG) + PLAINT_AEAD_OVERHEAD);
    assert_int_equal(b.len, a.len);
    /* A fresh nonce each time, so the same message never seals to the same bytes. */
    assert_memory_not_equal(a.data, b.data, PLAINT_AEAD_NONCE_LEN);
    assert_memory_not_equal(a.data + PLAINT_AEAD_NONCE_LEN, b.data + PLAINT_AEAD_NONCE_LEN,
                            strlen(MSG));

    assert_int_equal(plaint_aead_open(&out, KEY, AAD, strlen(AAD), a.data, a.len, NULL), 0);
    assert_int_equal(plaint_aead_open(&out, KEY, AAD, strlen(AAD), b.data, b.len, NULL), 0);
    /* Opening appends as well. */
    assert_int_equal(out.len, 2 * strlen(MSG));
    assert_memory_equal(out.data, MSG, strlen(MSG));
    assert_string_equal(out.data + strlen(MSG), MSG);
    plaint_buf_clear(&a);
    plaint_buf_clear(&b);
    plaint_buf_clear(&out);
}

/* Opening must fail with ETAMPER and leave out exactly as it was. */
static void assert_tamper(const unsigned char *key, const void *aad, size_t aad_len,
                          const void *sealed, size_t len)
{
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_error err;

    assert_int_equal(plaint_buf_append_str(&out, "kept", NULL), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_aead_open(&out, key, aad, aad_len, sealed, len, &err), PLAINT_ETAMPER);
    assert_int_equal(err.code, PLAINT_ETAMPER);
    assert_string_equal(out.data, "kept");
    assert_int_equal(out.len, 4);
    plaint_buf_clear(&out);
}

static void test_every_byte_flip_detected(void **state)
{
    plaint_buf sealed = PLAINT_BUF_INIT;
    plaint_buf out = PLAINT_BUF_INIT;
    unsigned char other_key[PLAINT_AEAD_KEY_LEN];
    char aad[sizeof(AAD)];
    char *copy;
    size_t i;
    int bit;

    (void)state;
    assert_int_equal(plaint_aead_seal(&sealed, KEY, AAD, strlen(AAD), MSG, strlen(MSG), NULL), 0);
    copy = malloc(sealed.len + 1);
    assert_non_null(copy);
    /* Every byte of nonce, ciphertext and tag, each with a low and a high bit flipped. */
    for (i = 0; i < sealed.len; i++) {
        for (bit = 0; bit < 8; bit += 7) {
            memcpy(copy, sealed.data, sealed.len);
            copy[i] = (char)(copy[i] ^ (1 << bit));
            assert_tamper(KEY, AAD, strlen(AAD), copy, sealed.len);
        }
    }
    /* Every byte of the associated data. */
    for (i = 0; i < strlen(AAD); i++) {
        memcpy(aad, AAD, sizeof(AAD));
        aad[i] = (char)(aad[i] ^ 0x01);
        assert_tamper(KEY, aad, strlen(AAD), sealed.data, sealed.len);
    }
    /* Associated data cut short, extended, or left out. */
    assert_tamper(KEY, AAD, strlen(AAD) - 1, sealed.data, sealed.len);
    assert_tamper(KEY, AAD, sizeof(AAD), sealed.data, sealed.len);
    assert_tamper(KEY, NULL, 0, sealed.data, sealed.len);
    /* Truncated at either end, extended, too short to hold nonce and tag. */
    assert_tamper(KEY, AAD, strlen(AAD), sealed.data, sealed.len - 1);
    assert_tamper(KEY, AAD, strlen(AAD), sealed.data + 1, sealed.len - 1);
    memcpy(copy, sealed.data, sealed.len);
    copy[sealed.len] = '\0';
    assert_tamper(KEY, AAD, strlen(AAD), copy, sealed.len + 1);
    assert_tamper(KEY, AAD, strlen(AAD), sealed.data, PLAINT_AEAD_OVERHEAD - 1);
    assert_tamper(KEY, AAD, strlen(AAD), "", 0);
    /* Another key. */
    memcpy(other_key, KEY, sizeof(other_key));
    other_key[31] ^= 0x80;
    assert_tamper(other_key, AAD, strlen(AAD), sealed.data, sealed.len);

    /* The untouched data still opens: the failures above were the flips, not the test. */
    assert_int_equal(plaint_aead_open(&out, KEY, AAD, strlen(AAD), sealed.data, sealed.len, NULL),
                     0);
    assert_string_equal(out.data, MSG);
    free(copy);
    plaint_buf_clear(&sealed);
    plaint_buf_clear(&out);
}

static void test_tamper_message(void **state)
{
    plaint_buf sealed = PLAINT_BUF_INIT;
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_error err;

    (void)state;
    assert_int_equal(plaint_aead_seal(&sealed, KEY, NULL, 0, "x", 1, NULL), 0);
    sealed.data[PLAINT_AEAD_NONCE_LEN] ^= 0x01;
    plaint_error_init(&err);
    assert_int_equal(plaint_aead_open(&out, KEY, NULL, 0, sealed.data, sealed.len, &err),
                     PLAINT_ETAMPER);
    assert_string_equal(err.message, "AES-256-GCM authentication failed: the sealed data or its "
                                     "associated data was altered, or the key is not the one it "
                                     "was sealed with");
    plaint_error_init(&err);
    assert_int_equal(plaint_aead_open(&out, KEY, NULL, 0, sealed.data, 27, &err), PLAINT_ETAMPER);
    assert_string_equal(err.message, "sealed data is 27 bytes, shorter than nonce and tag (28)");
    plaint_buf_clear(&sealed);
    plaint_buf_clear(&out);
}

static void test_empty_plaintext(void **state)
{
    plaint_buf sealed = PLAINT_BUF_INIT;
    plaint_buf out = PLAINT_BUF_INIT;

    (void)state;
    assert_int_equal(plaint_aead_seal(&sealed, KEY, AAD, strlen(AAD), NULL, 0, NULL), 0);
    assert_int_equal(sealed.len, PLAINT_AEAD_OVERHEAD);
    assert_int_equal(plaint_aead_open(&out, KEY, AAD, strlen(AAD), sealed.data, sealed.len, NULL),
                     0);
    assert_int_equal(out.len, 0);
    assert_non_null(out.data);
    assert_string_equal(out.data, "");
    /* Even an empty message is authenticated: its tag covers the associated data. */
    assert_tamper(KEY, "other", 5, sealed.data, sealed.len);
    plaint_buf_clear(&sealed);
    plaint_buf_clear(&out);
}

static void test_one_mebibyte(void **state)
{
    const size_t n = (size_t)1 << 20;
    unsigned char *pt = malloc(n);
    plaint_buf sealed = PLAINT_BUF_INIT;
    plaint_buf out = PLAINT_BUF_INIT;
    size_t i;

    (void)state;
    assert_non_null(pt);
    for (i = 0; i < n; i++) {
        pt[i] = (unsigned char)(i * 31 + (i >> 8));
    }
    assert_int_equal(plaint_aead_seal(&sealed, KEY, AAD, strlen(AAD), pt, n, NULL), 0);
    assert_int_equal(sealed.len, n + PLAINT_AEAD_OVERHEAD);
    assert_int_equal(plaint_aead_open(&out, KEY, AAD, strlen(AAD), sealed.data, sealed.len, NULL),
                     0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, pt, n);

    /* A flip in the last ciphertext byte fails, and no decrypted byte stays in out's storage. */
    plaint_buf_reset(&out);
    sealed.data[sealed.len - PLAINT_AEAD_TAG_LEN - 1] ^= 0x01;
    assert_int_equal(plaint_aead_open(&out, KEY, AAD, strlen(AAD), sealed.data, sealed.len, NULL),
                     PLAINT_ETAMPER);
    assert_int_equal(out.len, 0);
    for (i = 0; i < n; i++) {
        if (out.data[i] != 0) {
            fail_msg("decrypted byte left at offset %zu after a failed open", i);
        }
    }
    free(pt);
    plaint_buf_clear(&sealed);
    plaint_buf_clear(&out);
}

static void test_too_large_refused(void **state)
{
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_error err;

    (void)state;
    if (SIZE_MAX <= PLAINT_AEAD_MAX_PLAINTEXT) {
        skip();
    }
    plaint_error_init(&err);
    /* Refused before the plaintext is read: the pointer covers one byte only. */
    assert_int_equal(
        plaint_aead_seal(&out, KEY, NULL, 0, "x", (size_t)PLAINT_AEAD_MAX_PLAINTEXT + 1, &err),
        PLAINT_ERANGE);
    assert_string_equal(err.message, "plaintext of 68719476705 bytes is too large for AES-256-GCM");
    assert_int_equal(out.len, 0);
    plaint_buf_clear(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_round_trip_random_nonce),
        cmocka_unit_test(test_every_byte_flip_detected),
        cmocka_unit_test(test_tamper_message),
        cmocka_unit_test(test_empty_plaintext),
        cmocka_unit_test(test_one_mebibyte),
        cmocka_unit_test(test_too_large_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
