/* Personal-data fields: sealing under a subject's data key, and salted commitments to values. */
#include "plaint/vault_crypto.h"

#include <string.h>

#include <openssl/crypto.h>

#define FIELD_DOMAIN  "plaint.field.v1\n"
#define COMMIT_DOMAIN "plaint.commit.v1\n"

static int check_name(const char *value, const char *what, plaint_error *err)
{
    if (value == NULL || value[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, what, 0, 0, "%s must not be empty", what);
    }
    return 0;
}

/* Replaces aad with "plaint.field.v1\n" || subject_id || 0x00 || field_name. */
static int field_aad(plaint_buf *aad, const char *subject_id, const char *field_name,
                     plaint_error *err)
{
    int rc = check_name(subject_id, "subject_id", err);

    if (rc == 0) {
        rc = check_name(field_name, "field_name", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(aad, FIELD_DOMAIN, err);
    }
    if (rc == 0) {
        /* The NUL cannot occur in either name, so the pair is decoded one way only. */
        rc = plaint_buf_append(aad, subject_id, strlen(subject_id) + 1, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(aad, field_name, err);
    }
    return rc;
}

int plaint_vault_encrypt_field(plaint_buf *out, const unsigned char dek[PLAINT_AEAD_KEY_LEN],
                               const char *subject_id, const char *field_name, const void *pt,
                               size_t len, plaint_error *err)
{
    plaint_buf aad = PLAINT_BUF_INIT;
    int rc = field_aad(&aad, subject_id, field_name, err);

    if (rc == 0) {
        rc = plaint_aead_seal(out, dek, aad.data, aad.len, pt, len, err);
    }
    plaint_buf_clear(&aad);
    return rc;
}

int plaint_vault_decrypt_field(plaint_buf *out, const unsigned char dek[PLAINT_AEAD_KEY_LEN],
                               const char *subject_id, const char *field_name, const void *sealed,
                               size_t len, plaint_error *err)
{
    plaint_buf aad = PLAINT_BUF_INIT;
    int rc = field_aad(&aad, subject_id, field_name, err);

    if (rc == 0) {
        rc = plaint_aead_open(out, dek, aad.data, aad.len, sealed, len, err);
    }
    plaint_buf_clear(&aad);
    return rc;
}

/* SHA-256 of the commitment input; field_name is checked, non-empty. */
static int commit_digest(unsigned char out[PLAINT_HASH_LEN],
                         const unsigned char salt[PLAINT_VAULT_SALT_LEN], const char *field_name,
                         const void *pt, size_t len, plaint_error *err)
{
    /* The field name goes in with its NUL, the separator before the value. */
    const struct {
        const void *data;
        size_t len;
    } parts[] = {{COMMIT_DOMAIN, sizeof(COMMIT_DOMAIN) - 1},
                 {salt, PLAINT_VAULT_SALT_LEN},
                 {field_name, strlen(field_name) + 1},
                 {pt, len}};
    plaint_sha256 sha;
    size_t i;
    int rc = plaint_sha256_init(&sha, err);

    if (rc < 0) {
        return rc;
    }
    for (i = 0; rc == 0 && i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i].len > 0) {
            rc = plaint_sha256_update(&sha, parts[i].data, parts[i].len, err);
        }
    }
    if (rc == 0) {
        rc = plaint_sha256_final(&sha, out, err);
    }
    plaint_sha256_clear(&sha);
    return rc;
}

int plaint_vault_commit(char out_hex[PLAINT_VAULT_COMMIT_HEX + 1],
                        const unsigned char salt[PLAINT_VAULT_SALT_LEN], const char *field_name,
                        const void *pt, size_t len, plaint_error *err)
{
    unsigned char digest[PLAINT_HASH_LEN];
    int rc = check_name(field_name, "field_name", err);

    if (rc == 0) {
        rc = commit_digest(digest, salt, field_name, pt, len, err);
    }
    if (rc == 0) {
        plaint_hex_encode(out_hex, digest, sizeof(digest));
    }
    return rc;
}

int plaint_vault_commit_check(const char *commit_hex,
                              const unsigned char salt[PLAINT_VAULT_SALT_LEN],
                              const char *field_name, const void *pt, size_t len, plaint_error *err)
{
    char want[PLAINT_VAULT_COMMIT_HEX + 1];
    int rc = plaint_vault_commit(want, salt, field_name, pt, len, err);

    if (rc < 0) {
        return rc;
    }
    if (strlen(commit_hex) != PLAINT_VAULT_COMMIT_HEX ||
        CRYPTO_memcmp(want, commit_hex, PLAINT_VAULT_COMMIT_HEX) != 0) {
        return plaint_error_set(err, PLAINT_ETAMPER,
                                "value does not match its commitment for field %s", field_name);
    }
    return 0;
}
