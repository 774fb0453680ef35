/* Checkpoints to and from their JSON form, for bundles and proofs. */
#include "plaint/checkpoint_json.h"

#include <string.h>

#include "plaint/chain.h"

int plaint_checkpoint_to_json(plaint_buf *out, const plaint_checkpoint *cp,
                              const unsigned char *frontier, size_t frontier_len,
                              plaint_error *err)
{
    char ts[PLAINT_TIME_LEN + 1];
    char h[2 * PLAINT_HASH_LEN + 1];
    char prev[2 * PLAINT_HASH_LEN + 1];
    char root[2 * PLAINT_HASH_LEN + 1];
    char sig[2 * PLAINT_SIG_LEN + 1];
    int rc = plaint_time_format(ts, cp->time_us, err);

    if (rc < 0) {
        return rc;
    }
    plaint_hex_encode(h, cp->hash, PLAINT_HASH_LEN);
    plaint_hex_encode(prev, cp->prev, PLAINT_HASH_LEN);
    plaint_hex_encode(root, cp->root, PLAINT_HASH_LEN);
    plaint_hex_encode(sig, cp->sig, PLAINT_SIG_LEN);
    rc = plaint_buf_append_str(out, "{", err);
    if (rc == 0 && frontier != NULL) {
        rc = plaint_buf_append_str(out, "\"frontier\":\"", err);
        if (rc == 0) {
            rc = plaint_buf_append_hex(out, frontier, frontier_len, err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_str(out, "\",", err);
        }
    }
    if (rc == 0) {
        rc = plaint_buf_printf(out, err,
                               "\"hash\":\"%s\",\"key\":\"%s\",\"prev\":\"%s\",\"root\":\"%s\","
                               "\"seq\":%lld,\"sig\":\"%s\",\"size\":%lld,\"time\":\"%s\"}",
                               h, cp->key_id, prev, root, (long long)cp->seq, sig,
                               (long long)cp->tree_size, ts);
    }
    return rc;
}

int plaint_json_get_hex(unsigned char *out, size_t n, const json_t *obj, const char *key,
                        plaint_error *err)
{
    json_t *v = json_object_get(obj, key);
    const char *s;
    size_t i;

    if (!json_is_string(v) || json_string_length(v) != 2 * n) {
        return plaint_error_set_at(err, PLAINT_EINVALID, key, 0, 0,
                                   "%s must be %zu lowercase hex digits", key, 2 * n);
    }
    s = json_string_value(v);
    for (i = 0; i < 2 * n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return plaint_error_set_at(err, PLAINT_EINVALID, key, 0, 0,
                                       "%s must be %zu lowercase hex digits", key, 2 * n);
        }
    }
    return plaint_hex_decode(out, n, s, 2 * n, err);
}

static int get_int(int64_t *out, const json_t *obj, const char *key, plaint_error *err)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_integer(v)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, key, 0, 0, "%s must be an integer",
                                   key);
    }
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int plaint_checkpoint_from_json(plaint_checkpoint *out, const json_t *obj, plaint_error *err)
{
    json_t *kid = json_object_get(obj, "key");
    json_t *t = json_object_get(obj, "time");
    size_t want = json_object_get(obj, "frontier") != NULL ? 9 : 8;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(obj) || json_object_size(obj) != want) {
        return plaint_error_set(err, PLAINT_EINVALID, "a checkpoint has exactly the fields "
                                                      "hash key prev root seq sig size time");
    }
    rc = get_int(&out->seq, obj, "seq", err);
    if (rc == 0) {
        rc = get_int(&out->tree_size, obj, "size", err);
    }
    if (rc == 0) {
        rc = plaint_json_get_hex(out->root, PLAINT_HASH_LEN, obj, "root", err);
    }
    if (rc == 0) {
        rc = plaint_json_get_hex(out->prev, PLAINT_HASH_LEN, obj, "prev", err);
    }
    if (rc == 0) {
        rc = plaint_json_get_hex(out->hash, PLAINT_HASH_LEN, obj, "hash", err);
    }
    if (rc == 0) {
        rc = plaint_json_get_hex(out->sig, PLAINT_SIG_LEN, obj, "sig", err);
    }
    if (rc == 0 && (!json_is_string(t) || plaint_time_parse(&out->time_us, json_string_value(t),
                                                            json_string_length(t), err) < 0)) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "time", 0, 0, "time is malformed");
    }
    if (rc == 0 && (!json_is_string(kid) || json_string_length(kid) != PLAINT_SIGNKEY_ID_LEN)) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "key", 0, 0,
                                 "key must be a 64-digit key id");
    }
    if (rc == 0) {
        memcpy(out->key_id, json_string_value(kid), PLAINT_SIGNKEY_ID_LEN + 1);
    }
    return rc;
}
