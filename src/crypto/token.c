/* API tokens: generation, parsing and constant-time checking against salted hashes. */
#include "plaint/token.h"

#include <openssl/crypto.h>
#include <string.h>

#include "plaint/rand.h"

#define PREFIX "plt_"
#define SECRET_BYTES 32
#define TOKEN_DOMAIN "plaint.token.v1\n"

static int secret_hash(unsigned char out[PLAINT_HASH_LEN], const unsigned char salt[16],
                       const char *secret_hex, size_t len, plaint_error *err)
{
    plaint_sha256 sha;
    int rc = plaint_sha256_init(&sha, err);

    if (rc == 0) {
        rc = plaint_sha256_update(&sha, TOKEN_DOMAIN, sizeof(TOKEN_DOMAIN) - 1, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_update(&sha, salt, PLAINT_TOKEN_SALT_LEN, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_update(&sha, secret_hex, len, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_final(&sha, out, err);
    }
    plaint_sha256_clear(&sha);
    return rc;
}

int plaint_token_generate(char text[PLAINT_TOKEN_TEXT_LEN], plaint_token_record *rec,
                          plaint_error *err)
{
    unsigned char id[PLAINT_TOKEN_ID_LEN / 2];
    unsigned char secret[SECRET_BYTES];
    char secret_hex[2 * SECRET_BYTES + 1];
    int rc;

    rc = plaint_rand_bytes(id, sizeof(id), err);
    if (rc == 0) {
        rc = plaint_rand_bytes(secret, sizeof(secret), err);
    }
    if (rc == 0) {
        rc = plaint_rand_bytes(rec->salt, sizeof(rec->salt), err);
    }
    if (rc == 0) {
        plaint_hex_encode(rec->token_id, id, sizeof(id));
        plaint_hex_encode(secret_hex, secret, sizeof(secret));
        rc = secret_hash(rec->hash, rec->salt, secret_hex, 2 * SECRET_BYTES, err);
    }
    if (rc == 0) {
        memcpy(text, PREFIX, 4);
        memcpy(text + 4, rec->token_id, PLAINT_TOKEN_ID_LEN);
        text[4 + PLAINT_TOKEN_ID_LEN] = '_';
        memcpy(text + 5 + PLAINT_TOKEN_ID_LEN, secret_hex, 2 * SECRET_BYTES + 1);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    OPENSSL_cleanse(secret_hex, sizeof(secret_hex));
    return rc;
}

static int well_formed(const char *text)
{
    size_t i;

    if (strlen(text) != PLAINT_TOKEN_TEXT_LEN - 1 || strncmp(text, PREFIX, 4) != 0 ||
        text[4 + PLAINT_TOKEN_ID_LEN] != '_') {
        return 0;
    }
    for (i = 4; i < PLAINT_TOKEN_TEXT_LEN - 1; i++) {
        char c = text[i];
        if (i == 4 + PLAINT_TOKEN_ID_LEN) {
            continue;
        }
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

int plaint_token_parse_id(char id[PLAINT_TOKEN_ID_LEN + 1], const char *text, plaint_error *err)
{
    if (text == NULL || !well_formed(text)) {
        return plaint_error_set(err, PLAINT_EDENIED, "the token is not valid");
    }
    memcpy(id, text + 4, PLAINT_TOKEN_ID_LEN);
    id[PLAINT_TOKEN_ID_LEN] = '\0';
    return 0;
}

int plaint_token_check(const char *text, const plaint_token_record *rec, plaint_error *err)
{
    unsigned char h[PLAINT_HASH_LEN];
    int rc;

    if (text == NULL || !well_formed(text) ||
        memcmp(text + 4, rec->token_id, PLAINT_TOKEN_ID_LEN) != 0) {
        return plaint_error_set(err, PLAINT_EDENIED, "the token is not valid");
    }
    rc = secret_hash(h, rec->salt, text + 5 + PLAINT_TOKEN_ID_LEN, 2 * SECRET_BYTES, err);
    if (rc == 0 && CRYPTO_memcmp(h, rec->hash, PLAINT_HASH_LEN) != 0) {
        rc = plaint_error_set(err, PLAINT_EDENIED, "the token is not valid");
    }
    OPENSSL_cleanse(h, sizeof(h));
    return rc;
}
