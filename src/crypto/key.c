/* Ed25519 key lifecycle: generation, PEM encoding, and guarded key files on disk. */
#include "signkey.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "keyfile.h"
#include "plaint/digest.h"

/* A PEM Ed25519 key is about 120 bytes; anything much larger is not one. */
#define KEY_FILE_MAX 8192

int plaint_signkey_fail(plaint_error *err, int code, const char *what)
{
    char detail[160] = "no detail from OpenSSL";
    unsigned long e = ERR_peek_last_error();

    if (e != 0) {
        ERR_error_string_n(e, detail, sizeof(detail));
    }
    ERR_clear_error();
    return plaint_error_set(err, code, "%s (%s)", what, detail);
}

int plaint_signkey_wrap(plaint_signkey **out, EVP_PKEY *pkey, int has_private, plaint_error *err)
{
    plaint_signkey *k;

    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
        return plaint_error_set(err, PLAINT_EINVALID, "key is not Ed25519");
    }
    k = malloc(sizeof(*k));
    if (k == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (signing key)");
    }
    k->pkey = pkey;
    k->has_private = has_private;
    *out = k;
    return 0;
}

void plaint_signkey_free(plaint_signkey *k)
{
    if (k == NULL) {
        return;
    }
    EVP_PKEY_free(k->pkey); /* cleanses the key material */
    free(k);
}

int plaint_signkey_has_private(const plaint_signkey *k)
{
    return k->has_private;
}

int plaint_signkey_generate(plaint_signkey **out, plaint_error *err)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    int rc;

    if (pkey == NULL) {
        return plaint_signkey_fail(err, PLAINT_ERROR, "Ed25519 key generation failed");
    }
    rc = plaint_signkey_wrap(out, pkey, 1, err);
    if (rc < 0) {
        EVP_PKEY_free(pkey);
    }
    return rc;
}

/* Never prompts: an encrypted key simply fails to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/*
 * Encodes k as PEM, PKCS#8 for the private part or SubjectPublicKeyInfo for the public one, into
 * a new memory BIO *bio_out (caller frees; for a private key a secure-memory BIO, which wipes
 * the text when freed). *pem and *len describe the text inside it.
 */
static int encode_pem(BIO **bio_out, const char **pem, size_t *len, const plaint_signkey *k,
                      int private_part, plaint_error *err)
{
    BIO *bio = BIO_new(private_part ? BIO_s_secmem() : BIO_s_mem());
    char *data = NULL;
    long n = 0;
    int ok;

    if (bio == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (PEM buffer)");
    }
    if (private_part) {
        ok = PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL);
    } else {
        ok = PEM_write_bio_PUBKEY(bio, k->pkey);
    }
    if (ok == 1) {
        n = BIO_get_mem_data(bio, &data);
    }
    if (n <= 0) {
        BIO_free(bio);
        return plaint_signkey_fail(err, PLAINT_ERROR, "cannot encode the key as PEM");
    }
    *bio_out = bio;
    *pem = data;
    *len = (size_t)n;
    return 0;
}

static int write_key(const plaint_signkey *k, const char *path, int private_part, mode_t mode,
                     plaint_error *err)
{
    BIO *bio = NULL;
    const char *pem = NULL;
    size_t len = 0;
    int rc;

    rc = encode_pem(&bio, &pem, &len, k, private_part, err);
    if (rc == 0) {
        rc = plaint_keyfile_write_new(path, pem, len, mode, err);
    }
    BIO_free(bio);
    return rc;
}

int plaint_signkey_write_private(const plaint_signkey *k, const char *path, plaint_error *err)
{
    if (!k->has_private) {
        return plaint_error_set(err, PLAINT_EINVALID, "key has no private part to write");
    }
    return write_key(k, path, 1, 0600, err);
}

int plaint_signkey_write_public(const plaint_signkey *k, const char *path, plaint_error *err)
{
    return write_key(k, path, 0, 0644, err);
}

int plaint_signkey_public_pem(plaint_buf *out, const plaint_signkey *k, plaint_error *err)
{
    BIO *bio = NULL;
    const char *pem = NULL;
    size_t len = 0;
    int rc;

    rc = encode_pem(&bio, &pem, &len, k, 0, err);
    if (rc == 0) {
        rc = plaint_buf_append(out, pem, len, err);
    }
    BIO_free(bio);
    return rc;
}

int plaint_signkey_load_private(plaint_signkey **out, const char *path, plaint_error *err)
{
    char pem[KEY_FILE_MAX];
    size_t len = 0;
    EVP_PKEY *pkey = NULL;
    BIO *bio = NULL;
    int rc;

    rc = plaint_keyfile_read_private(pem, sizeof(pem), &len, path, err);
    if (rc < 0) {
        goto done;
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory (PEM buffer)");
        goto done;
    }
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (pkey == NULL || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
        ERR_clear_error();
        rc = plaint_error_set(err, PLAINT_EINVALID,
                              "%s is not an unencrypted Ed25519 private key (PEM PKCS#8)", path);
        goto done;
    }
    rc = plaint_signkey_wrap(out, pkey, 1, err);
    if (rc == 0) {
        pkey = NULL; /* ownership moved to *out */
    }
done:
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    OPENSSL_cleanse(pem, sizeof(pem));
    return rc;
}

int plaint_signkey_from_public_pem(plaint_signkey **out, const char *pem, size_t len,
                                   plaint_error *err)
{
    EVP_PKEY *pkey = NULL;
    BIO *bio;
    int rc;

    if (len > (size_t)INT_MAX) {
        return plaint_error_set(err, PLAINT_EINVALID, "public key PEM too large");
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (PEM buffer)");
    }
    pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    if (pkey == NULL || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
        ERR_clear_error();
        EVP_PKEY_free(pkey);
        return plaint_error_set(err, PLAINT_EINVALID,
                                "not an Ed25519 public key (PEM SubjectPublicKeyInfo)");
    }
    rc = plaint_signkey_wrap(out, pkey, 0, err);
    if (rc < 0) {
        EVP_PKEY_free(pkey);
    }
    return rc;
}

int plaint_signkey_load_public(plaint_signkey **out, const char *path, plaint_error *err)
{
    plaint_buf pem = PLAINT_BUF_INIT;
    int rc;

    rc = plaint_buf_read_file(&pem, path, KEY_FILE_MAX, err);
    if (rc == 0) {
        rc = plaint_signkey_from_public_pem(out, pem.data, pem.len, err);
    }
    plaint_buf_clear(&pem);
    return rc;
}

int plaint_signkey_raw_public(unsigned char out[PLAINT_PUBKEY_LEN], const plaint_signkey *k,
                              plaint_error *err)
{
    size_t len = PLAINT_PUBKEY_LEN;

    if (EVP_PKEY_get_raw_public_key(k->pkey, out, &len) != 1 || len != PLAINT_PUBKEY_LEN) {
        return plaint_signkey_fail(err, PLAINT_ERROR, "cannot extract the raw public key");
    }
    return 0;
}

int plaint_signkey_id(char out[PLAINT_SIGNKEY_ID_LEN + 1], const plaint_signkey *k,
                      plaint_error *err)
{
    unsigned char raw[PLAINT_PUBKEY_LEN];
    unsigned char digest[PLAINT_HASH_LEN];
    int rc;

    rc = plaint_signkey_raw_public(raw, k, err);
    if (rc == 0) {
        rc = plaint_sha256_digest(digest, raw, sizeof(raw), err);
    }
    if (rc == 0) {
        plaint_hex_encode(out, digest, sizeof(digest));
    }
    return rc;
}
