/* Unit tests for Ed25519 keys and signatures (src/crypto/key.c, sign.c) and random bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/signkey.h"
#include "plaint/digest.h"
#include "plaint/rand.h"
#include "plaint/sign.h"

/* RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72). */
#define T1_SECRET "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define T1_PUBLIC "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define T1_SIG                                                                                     \
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9" \
    "b46bd25bf5f0595bbe24655141438e7a100b"
#define T2_SECRET "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
#define T2_PUBLIC "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define T2_SIG                                                                                     \
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1" \
    "1d8c387b2eaeb4302aeeb00d291612bb0c00"

/* TEST 1's key in PEM, and SHA-256 of its raw public key (checked with openssl and Python). */
static const char T1_PUBLIC_PEM[] = "-----BEGIN PUBLIC KEY-----\n"
                                    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                                    "-----END PUBLIC KEY-----\n";
static const char T1_PRIVATE_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char *const T1_ID = "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";

typedef struct fixture {
    char dir[256];
    char path[320];
} fixture;

static void unhex(unsigned char *out, size_t len, const char *hex)
{
    assert_int_equal(plaint_hex_decode(out, len, hex, strlen(hex), NULL), 0);
}

static void assert_hex(const unsigned char *data, size_t len, const char *hex)
{
    char got[2 * PLAINT_SIG_LEN + 1];

    assert_true(len <= PLAINT_SIG_LEN);
    plaint_hex_encode(got, data, len);
    assert_string_equal(got, hex);
}

/* Builds a signing key from a raw RFC 8032 secret, wiping the copy of the secret. */
static plaint_signkey *rfc_key(const char *secret_hex)
{
    unsigned char secret[32];
    plaint_signkey *k = NULL;
    EVP_PKEY *pkey;

    unhex(secret, sizeof(secret), secret_hex);
    pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, sizeof(secret));
    OPENSSL_cleanse(secret, sizeof(secret));
    assert_non_null(pkey);
    assert_int_equal(plaint_signkey_wrap(&k, pkey, 1, NULL), 0);
    return k;
}

static char *file_path(fixture *f, const char *name)
{
    int n = snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);

    assert_true(n > 0 && (size_t)n < sizeof(f->path));
    return f->path;
}

static void read_whole(plaint_buf *out, const char *path)
{
    assert_int_equal(plaint_buf_read_file(out, path, 1 << 16, NULL), 0);
}

static int setup_dir(void **state)
{
    static fixture f;
    const char *tmp = getenv("TMPDIR");
    int n;

    n = snprintf(f.dir, sizeof(f.dir), "%s/plaint-test-sign-XXXXXX",
                 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= sizeof(f.dir) || mkdtemp(f.dir) == NULL) {
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown_dir(void **state)
{
    static const char *const names[] = {"key.pem", "pub.pem", "link.pem", "enc.pem", "ec.pem"};
    fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        unlink(file_path(f, names[i]));
    }
    return rmdir(f->dir);
}

static void test_rfc8032_vectors(void **state)
{
    static const struct {
        const char *secret;
        const char *pub;
        const char *msg;
        const char *sig;
    } v[] = {{T1_SECRET, T1_PUBLIC, "", T1_SIG}, {T2_SECRET, T2_PUBLIC, "\x72", T2_SIG}};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        plaint_signkey *k = rfc_key(v[i].secret);
        unsigned char raw[PLAINT_PUBKEY_LEN];
        unsigned char sig[PLAINT_SIG_LEN];
        size_t len = strlen(v[i].msg);

        assert_int_equal(plaint_signkey_has_private(k), 1);
        assert_int_equal(plaint_signkey_raw_public(raw, k, NULL), 0);
        assert_hex(raw, sizeof(raw), v[i].pub);
        assert_int_equal(plaint_sign(sig, k, v[i].msg, len, NULL), 0);
        assert_hex(sig, sizeof(sig), v[i].sig);
        assert_int_equal(plaint_sign_verify(k, v[i].msg, len, sig, sizeof(sig), NULL), 0);
        plaint_signkey_free(k);
    }
}

static void test_public_encodings(void **state)
{
    plaint_signkey *k = rfc_key(T1_SECRET);
    plaint_signkey *pub = NULL;
    plaint_buf pem = PLAINT_BUF_INIT;
    char id[PLAINT_SIGNKEY_ID_LEN + 1];
    unsigned char sig[PLAINT_SIG_LEN];
    plaint_error err;

    (void)state;
    assert_int_equal(plaint_signkey_id(id, k, NULL), 0);
    assert_string_equal(id, T1_ID);
    assert_int_equal(plaint_signkey_public_pem(&pem, k, NULL), 0);
    assert_string_equal(pem.data, T1_PUBLIC_PEM);

    /* A key parsed from the public PEM verifies but cannot sign. */
    assert_int_equal(plaint_signkey_from_public_pem(&pub, pem.data, pem.len, NULL), 0);
    assert_int_equal(plaint_signkey_has_private(pub), 0);
    assert_int_equal(plaint_signkey_id(id, pub, NULL), 0);
    assert_string_equal(id, T1_ID);
    unhex(sig, sizeof(sig), T1_SIG);
    assert_int_equal(plaint_sign_verify(pub, "", 0, sig, sizeof(sig), NULL), 0);
    assert_int_equal(plaint_sign_verify(pub, NULL, 0, sig, sizeof(sig), NULL), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_sign(sig, pub, "x", 1, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "key has no private part; cannot sign");

    plaint_signkey_free(pub);
    plaint_signkey_free(k);
    plaint_signkey_free(NULL);
    plaint_buf_clear(&pem);
}

static void test_tampering_detected(void **state)
{
    static const char msg[] = "{\"case\":\"C-2024-0001\",\"seq\":17}";
    plaint_signkey *k = NULL;
    plaint_signkey *other = NULL;
    unsigned char sig[PLAINT_SIG_LEN];
    unsigned char longer[PLAINT_SIG_LEN + 1];
    char changed[sizeof(msg)];
    plaint_error err;
    size_t i;

    (void)state;
    assert_int_equal(plaint_signkey_generate(&k, NULL), 0);
    assert_int_equal(plaint_signkey_generate(&other, NULL), 0);
    assert_int_equal(plaint_sign(sig, k, msg, strlen(msg), NULL), 0);
    assert_int_equal(plaint_sign_verify(k, msg, strlen(msg), sig, sizeof(sig), NULL), 0);

    for (i = 0; i < strlen(msg); i++) {
        memcpy(changed, msg, sizeof(msg));
        changed[i] ^= 0x01;
        assert_int_equal(plaint_sign_verify(k, changed, strlen(msg), sig, sizeof(sig), NULL),
                         PLAINT_ETAMPER);
    }
    for (i = 0; i < sizeof(sig); i++) {
        sig[i] ^= 0x20;
        plaint_error_init(&err);
        assert_int_equal(plaint_sign_verify(k, msg, strlen(msg), sig, sizeof(sig), &err),
                         PLAINT_ETAMPER);
        assert_string_equal(err.message, "Ed25519 signature does not verify");
        sig[i] ^= 0x20;
    }
    /* Truncated, extended, or another key's view of it. */
    assert_int_equal(plaint_sign_verify(k, msg, strlen(msg) - 1, sig, sizeof(sig), NULL),
                     PLAINT_ETAMPER);
    assert_int_equal(plaint_sign_verify(k, msg, strlen(msg), sig, sizeof(sig) - 1, &err),
                     PLAINT_ETAMPER);
    assert_string_equal(err.message, "signature is 63 bytes; Ed25519 needs 64");
    memcpy(longer, sig, sizeof(sig));
    longer[PLAINT_SIG_LEN] = 0;
    assert_int_equal(plaint_sign_verify(k, msg, strlen(msg), longer, sizeof(longer), NULL),
                     PLAINT_ETAMPER);
    assert_int_equal(plaint_sign_verify(k, msg, strlen(msg), NULL, 0, NULL), PLAINT_ETAMPER);
    assert_int_equal(plaint_sign_verify(other, msg, strlen(msg), sig, sizeof(sig), NULL),
                     PLAINT_ETAMPER);
    plaint_signkey_free(k);
    plaint_signkey_free(other);
}

static void test_generated_keys_differ(void **state)
{
    plaint_signkey *a = NULL;
    plaint_signkey *b = NULL;
    char id_a[PLAINT_SIGNKEY_ID_LEN + 1];
    char id_b[PLAINT_SIGNKEY_ID_LEN + 1];
    unsigned char raw[PLAINT_PUBKEY_LEN];
    unsigned char digest[PLAINT_HASH_LEN];
    char want[2 * PLAINT_HASH_LEN + 1];

    (void)state;
    assert_int_equal(plaint_signkey_generate(&a, NULL), 0);
    assert_int_equal(plaint_signkey_generate(&b, NULL), 0);
    assert_int_equal(plaint_signkey_id(id_a, a, NULL), 0);
    assert_int_equal(plaint_signkey_id(id_b, b, NULL), 0);
    assert_string_not_equal(id_a, id_b);
    /* The id is the hex SHA-256 of the raw public key. */
    assert_int_equal(plaint_signkey_raw_public(raw, a, NULL), 0);
    assert_int_equal(plaint_sha256_digest(digest, raw, sizeof(raw), NULL), 0);
    plaint_hex_encode(want, digest, sizeof(digest));
    assert_string_equal(id_a, want);
    plaint_signkey_free(a);
    plaint_signkey_free(b);
}

static void test_key_files_round_trip(void **state)
{
    fixture *f = *state;
    plaint_signkey *k = rfc_key(T1_SECRET);
    plaint_signkey *loaded = NULL;
    plaint_signkey *pub = NULL;
    plaint_buf text = PLAINT_BUF_INIT;
    unsigned char sig[PLAINT_SIG_LEN];
    char id[PLAINT_SIGNKEY_ID_LEN + 1];
    struct stat st;
    mode_t mask = umask(022);

    (void)umask(mask);
    assert_int_equal(plaint_signkey_write_private(k, file_path(f, "key.pem"), NULL), 0);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    read_whole(&text, f->path);
    assert_string_equal(text.data, T1_PRIVATE_PEM);

    assert_int_equal(plaint_signkey_load_private(&loaded, f->path, NULL), 0);
    assert_int_equal(plaint_signkey_has_private(loaded), 1);
    assert_int_equal(plaint_sign(sig, loaded, "", 0, NULL), 0);
    assert_hex(sig, sizeof(sig), T1_SIG);

    assert_int_equal(plaint_signkey_write_public(loaded, file_path(f, "pub.pem"), NULL), 0);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644 & ~mask);
    read_whole(&text, f->path);
    assert_string_equal(text.data, T1_PUBLIC_PEM);
    assert_int_equal(plaint_signkey_load_public(&pub, f->path, NULL), 0);
    assert_int_equal(plaint_signkey_has_private(pub), 0);
    assert_int_equal(plaint_signkey_id(id, pub, NULL), 0);
    assert_string_equal(id, T1_ID);
    assert_int_equal(plaint_sign_verify(pub, "", 0, sig, sizeof(sig), NULL), 0);

    /* A public-only key has no private part to write. */
    assert_int_equal(plaint_signkey_write_private(pub, file_path(f, "link.pem"), NULL),
                     PLAINT_EINVALID);
    assert_int_equal(access(f->path, F_OK), -1);

    plaint_signkey_free(k);
    plaint_signkey_free(loaded);
    plaint_signkey_free(pub);
    plaint_buf_clear(&text);
}

static void test_never_overwrites(void **state)
{
    fixture *f = *state;
    plaint_signkey *k = NULL;
    plaint_buf before = PLAINT_BUF_INIT;
    plaint_buf after = PLAINT_BUF_INIT;
    plaint_error err;
    char msg[512];
    char target[320];

    (void)state;
    assert_int_equal(plaint_signkey_generate(&k, NULL), 0);
    read_whole(&before, file_path(f, "key.pem"));

    plaint_error_init(&err);
    assert_int_equal(plaint_signkey_write_private(k, f->path, &err), PLAINT_EIO);
    snprintf(msg, sizeof(msg), "%s exists; refusing to overwrite a key", f->path);
    assert_string_equal(err.message, msg);
    read_whole(&after, f->path);
    assert_string_equal(after.data, before.data);

    assert_int_equal(plaint_signkey_write_public(k, file_path(f, "pub.pem"), &err), PLAINT_EIO);
    snprintf(msg, sizeof(msg), "%s exists; refusing to overwrite a key", f->path);
    assert_string_equal(err.message, msg);

    /* A symlink, even a dangling one, is not followed. */
    snprintf(target, sizeof(target), "%s/elsewhere.pem", f->dir);
    assert_int_equal(symlink(target, file_path(f, "link.pem")), 0);
    assert_int_equal(plaint_signkey_write_private(k, f->path, NULL), PLAINT_EIO);
    assert_int_equal(access(target, F_OK), -1);

    plaint_signkey_free(k);
    plaint_buf_clear(&before);
    plaint_buf_clear(&after);
}

static void test_private_key_mode_checked(void **state)
{
    fixture *f = *state;
    plaint_signkey *k = NULL;
    plaint_error err;
    char msg[512];

    (void)state;
    file_path(f, "key.pem");
    assert_int_equal(chmod(f->path, 0644), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_signkey_load_private(&k, f->path, &err), PLAINT_EIO);
    snprintf(msg, sizeof(msg),
             "private key %s has mode 0644; group and others must have no access (chmod 600)",
             f->path);
    assert_string_equal(err.message, msg);
    assert_null(k);

    assert_int_equal(chmod(f->path, 0604), 0);
    assert_int_equal(plaint_signkey_load_private(&k, f->path, NULL), PLAINT_EIO);
    assert_int_equal(chmod(f->path, 0610), 0);
    assert_int_equal(plaint_signkey_load_private(&k, f->path, NULL), PLAINT_EIO);
    assert_null(k);

    assert_int_equal(chmod(f->path, 0400), 0);
    assert_int_equal(plaint_signkey_load_private(&k, f->path, NULL), 0);
    assert_non_null(k);
    plaint_signkey_free(k);
    assert_int_equal(chmod(f->path, 0600), 0);
}

/* Writes bytes to a fresh 0600 file at path. */
static void put_file(const char *path, const void *data, size_t len)
{
    FILE *fp;

    unlink(path);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(path, 0600), 0);
}

static void test_wrong_key_files_rejected(void **state)
{
    fixture *f = *state;
    plaint_signkey *k = NULL;
    plaint_signkey *rfc = rfc_key(T1_SECRET);
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long len;
    plaint_error err;

    (void)state;
    assert_non_null(ec);
    assert_non_null(bio);
    /* Missing files. */
    assert_int_equal(plaint_signkey_load_private(&k, file_path(f, "nope.pem"), NULL),
                     PLAINT_ENOTFOUND);
    assert_int_equal(plaint_signkey_load_public(&k, f->path, NULL), PLAINT_ENOTFOUND);
    /* A public key where a private one belongs, and the reverse. */
    assert_int_equal(plaint_signkey_load_private(&k, file_path(f, "pub.pem"), &err),
                     PLAINT_EIO); /* 0644 from the round trip: refused before parsing */
    assert_int_equal(plaint_signkey_load_public(&k, file_path(f, "key.pem"), &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "not an Ed25519 public key (PEM SubjectPublicKeyInfo)");
    assert_null(k);

    /* Another algorithm, private and public. */
    assert_int_equal(PEM_write_bio_PKCS8PrivateKey(bio, ec, NULL, NULL, 0, NULL, NULL), 1);
    len = BIO_get_mem_data(bio, &data);
    put_file(file_path(f, "ec.pem"), data, (size_t)len);
    assert_int_equal(plaint_signkey_load_private(&k, f->path, &err), PLAINT_EINVALID);
    (void)BIO_reset(bio);
    assert_int_equal(PEM_write_bio_PUBKEY(bio, ec), 1);
    len = BIO_get_mem_data(bio, &data);
    assert_int_equal(plaint_signkey_from_public_pem(&k, data, (size_t)len, NULL), PLAINT_EINVALID);
    assert_null(k);

    /* An encrypted private key fails without prompting for a passphrase. */
    (void)BIO_reset(bio);
    assert_int_equal(
        PEM_write_bio_PKCS8PrivateKey(bio, rfc->pkey, EVP_aes_256_cbc(), "pw", 2, NULL, NULL), 1);
    len = BIO_get_mem_data(bio, &data);
    put_file(file_path(f, "enc.pem"), data, (size_t)len);
    plaint_error_init(&err);
    assert_int_equal(plaint_signkey_load_private(&k, f->path, &err), PLAINT_EINVALID);
    assert_null(k);

    /* Garbage and truncation. */
    assert_int_equal(plaint_signkey_from_public_pem(&k, "hello", 5, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_signkey_from_public_pem(&k, T1_PUBLIC_PEM, 40, NULL), PLAINT_EINVALID);
    assert_null(k);

    BIO_free(bio);
    EVP_PKEY_free(ec);
    plaint_signkey_free(rfc);
}

static void test_rand_bytes(void **state)
{
    unsigned char a[64];
    unsigned char b[64];
    unsigned char zero[64];
    unsigned char canary = 0x5a;

    (void)state;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    memset(zero, 0, sizeof(zero));
    assert_int_equal(plaint_rand_bytes(a, sizeof(a), NULL), 0);
    assert_int_equal(plaint_rand_bytes(b, sizeof(b), NULL), 0);
    /* 2^-512 odds of a false failure. */
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(plaint_rand_bytes(&canary, 0, NULL), 0);
    assert_int_equal(canary, 0x5a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032_vectors),    cmocka_unit_test(test_public_encodings),
        cmocka_unit_test(test_tampering_detected), cmocka_unit_test(test_generated_keys_differ),
        cmocka_unit_test(test_rand_bytes),
    };
    /* These share one directory, in order: round trip, then the checks on its files. */
    const struct CMUnitTest file_tests[] = {
        cmocka_unit_test(test_key_files_round_trip),
        cmocka_unit_test(test_never_overwrites),
        cmocka_unit_test(test_private_key_mode_checked),
        cmocka_unit_test(test_wrong_key_files_rejected),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    failed += cmocka_run_group_tests(file_tests, setup_dir, teardown_dir);
    return failed;
}
