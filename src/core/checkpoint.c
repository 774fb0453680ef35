/* Checkpoints: the signed, hash-chained statements of the Merkle root over the first N events. */
#include "plaint/checkpoint.h"

#include <openssl/crypto.h>
#include <string.h>

#include "plaint/chain.h"

int plaint_checkpoint_message(plaint_buf *out, const plaint_checkpoint *cp, plaint_error *err)
{
    char ts[PLAINT_TIME_LEN + 1];
    char prev[2 * PLAINT_HASH_LEN + 1];
    char root[2 * PLAINT_HASH_LEN + 1];
    size_t i;
    int rc;

    if (cp->seq < 1 || cp->tree_size < 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "checkpoint seq/size out of range");
    }
    for (i = 0; i < PLAINT_SIGNKEY_ID_LEN; i++) {
        char c = cp->key_id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "key", 0, 0,
                                       "checkpoint key id must be 64 lowercase hex digits");
        }
    }
    if (cp->key_id[PLAINT_SIGNKEY_ID_LEN] != '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "key", 0, 0,
                                   "checkpoint key id must be 64 lowercase hex digits");
    }
    rc = plaint_time_format(ts, cp->time_us, err);
    if (rc < 0) {
        return rc;
    }
    plaint_hex_encode(prev, cp->prev, PLAINT_HASH_LEN);
    plaint_hex_encode(root, cp->root, PLAINT_HASH_LEN);
    return plaint_buf_printf(out, err,
                             "%s{\"key\":\"%s\",\"prev\":\"%s\",\"root\":\"%s\",\"seq\":%lld,"
                             "\"size\":%lld,\"time\":\"%s\",\"v\":1}",
                             PLAINT_CHECKPOINT_PREFIX, cp->key_id, prev, root,
                             (long long)cp->seq, (long long)cp->tree_size, ts);
}

int plaint_checkpoint_sign(plaint_checkpoint *cp, const plaint_signkey *key, plaint_error *err)
{
    plaint_buf msg = PLAINT_BUF_INIT;
    int rc;

    rc = plaint_signkey_id(cp->key_id, key, err);
    if (rc == 0) {
        rc = plaint_checkpoint_message(&msg, cp, err);
    }
    if (rc == 0) {
        rc = plaint_sign(cp->sig, key, msg.data, msg.len, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_digest(cp->hash, msg.data, msg.len, err);
    }
    plaint_buf_clear(&msg);
    return rc;
}

int plaint_checkpoint_verify(const plaint_checkpoint *cp, const plaint_signkey *key,
                             plaint_error *err)
{
    plaint_buf msg = PLAINT_BUF_INIT;
    char kid[PLAINT_SIGNKEY_ID_LEN + 1];
    unsigned char h[PLAINT_HASH_LEN];
    int rc;

    rc = plaint_signkey_id(kid, key, err);
    if (rc < 0) {
        return rc;
    }
    if (strcmp(kid, cp->key_id) != 0) {
        return plaint_error_set(err, PLAINT_ETAMPER,
                                "checkpoint %lld was signed by key %.16s..., not by the trusted "
                                "key %.16s...",
                                (long long)cp->seq, cp->key_id, kid);
    }
    rc = plaint_checkpoint_message(&msg, cp, err);
    if (rc == 0) {
        rc = plaint_sha256_digest(h, msg.data, msg.len, err);
    }
    if (rc == 0 && CRYPTO_memcmp(h, cp->hash, PLAINT_HASH_LEN) != 0) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "checkpoint %lld: stored hash does not match its content",
                              (long long)cp->seq);
    }
    if (rc == 0) {
        rc = plaint_sign_verify(key, msg.data, msg.len, cp->sig, PLAINT_SIG_LEN, err);
        if (rc == PLAINT_ETAMPER) {
            plaint_error_set(err, PLAINT_ETAMPER, "checkpoint %lld: signature is not valid",
                             (long long)cp->seq);
        }
    }
    plaint_buf_clear(&msg);
    return rc;
}
