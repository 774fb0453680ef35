/* Inclusion and consistency proofs: made from the positions table, checked offline. */
#include "plaint/proof.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/checkpoint_json.h"
#include "plaint/ledger.h"
#include "plaint/merkle.h"

typedef struct find_cp {
    int64_t position; /* find the first checkpoint with size > position (or -1) */
    int64_t seq_a;    /* or these two by seq */
    int64_t seq_b;
    plaint_checkpoint a;
    plaint_checkpoint b;
    int found_a;
    int found_b;
} find_cp;

static int on_cp(const plaint_checkpoint *cp, const unsigned char *frontier, size_t len,
                 void *arg, plaint_error *err)
{
    find_cp *f = arg;

    (void)frontier;
    (void)len;
    (void)err;
    if (f->position >= 0) {
        if (!f->found_a && cp->tree_size > f->position) {
            f->a = *cp;
            f->found_a = 1;
        }
        return 0;
    }
    if (cp->seq == f->seq_a) {
        f->a = *cp;
        f->found_a = 1;
    }
    if (cp->seq == f->seq_b) {
        f->b = *cp;
        f->found_b = 1;
    }
    return 0;
}

/* Leaf hashes SHA-256(0x00 || event_hash) of positions [0, n); the event hash at position
 * `want` is copied to eh when eh is not NULL. Caller frees *out. */
static int load_leaves(unsigned char (**out)[PLAINT_HASH_LEN], plaint_db *db, int64_t n,
                       int64_t want, unsigned char *eh, plaint_error *err)
{
    unsigned char(*leaves)[PLAINT_HASH_LEN];
    int64_t got = 0;
    int rc;

    if (n <= 0 || (uint64_t)n > SIZE_MAX / PLAINT_HASH_LEN) {
        return plaint_error_set(err, PLAINT_ERANGE, "tree size %lld out of range", (long long)n);
    }
    leaves = malloc((size_t)n * PLAINT_HASH_LEN);
    if (leaves == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory for %lld leaves",
                                (long long)n);
    }
    rc = plaint_ledger_read_position_hashes(db, n, (unsigned char *)leaves, &got, err);
    if (rc == 0 && got != n) {
        rc = plaint_error_set(err, PLAINT_ETAMPER, "only %lld of %lld positions exist",
                              (long long)got, (long long)n);
    }
    if (rc == 0 && eh != NULL && want >= 0 && want < n) {
        memcpy(eh, leaves[want], PLAINT_HASH_LEN);
    }
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        unsigned char ev[PLAINT_HASH_LEN];
        memcpy(ev, leaves[i], PLAINT_HASH_LEN);
        rc = plaint_merkle_leaf_hash(leaves[i], ev, PLAINT_HASH_LEN, err);
    }
    if (rc < 0) {
        free(leaves);
        return rc;
    }
    *out = leaves;
    return 0;
}

static int append_path(plaint_buf *out, const plaint_buf *path, plaint_error *err)
{
    size_t i;
    int rc = plaint_buf_append_str(out, "\"path\":[", err);

    for (i = 0; rc == 0 && i < path->len / PLAINT_HASH_LEN; i++) {
        rc = plaint_buf_append_str(out, i > 0 ? ",\"" : "\"", err);
        if (rc == 0) {
            rc = plaint_buf_append_hex(out, (const unsigned char *)path->data + i * PLAINT_HASH_LEN,
                                       PLAINT_HASH_LEN, err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_str(out, "\"", err);
        }
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, "]", err);
    }
    return rc;
}

int plaint_proof_inclusion(plaint_buf *out, plaint_db *db, int64_t position, plaint_error *err)
{
    find_cp f;
    unsigned char(*leaves)[PLAINT_HASH_LEN] = NULL;
    unsigned char eh[PLAINT_HASH_LEN];
    plaint_buf path = PLAINT_BUF_INIT;
    int rc;

    memset(&f, 0, sizeof(f));
    f.position = position;
    rc = plaint_ledger_read_checkpoints(db, on_cp, &f, err);
    if (rc == 0 && !f.found_a) {
        rc = plaint_error_set_at(err, PLAINT_ENOTFOUND, "position", 0, 0,
                                 "no checkpoint covers position %lld yet (seal first)",
                                 (long long)position);
    }
    if (rc == 0) {
        rc = load_leaves(&leaves, db, f.a.tree_size, position, eh, err);
    }
    if (rc == 0) {
        rc = plaint_merkle_inclusion_proof(&path, (const unsigned char(*)[PLAINT_HASH_LEN])leaves,
                                           (size_t)f.a.tree_size, (size_t)position, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, "{\"checkpoint\":", err);
    }
    if (rc == 0) {
        rc = plaint_checkpoint_to_json(out, &f.a, NULL, 0, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ",\"event_hash\":\"", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_hex(out, eh, PLAINT_HASH_LEN, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, "\",", err);
    }
    if (rc == 0) {
        rc = append_path(out, &path, err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(out, err, ",\"position\":%lld,\"type\":\"plaint.inclusion.v1\"}\n",
                               (long long)position);
    }
    free(leaves);
    plaint_buf_clear(&path);
    return rc;
}

int plaint_proof_consistency(plaint_buf *out, plaint_db *db, int64_t a, int64_t b,
                             plaint_error *err)
{
    find_cp f;
    unsigned char(*leaves)[PLAINT_HASH_LEN] = NULL;
    plaint_buf path = PLAINT_BUF_INIT;
    int rc = 0;

    memset(&f, 0, sizeof(f));
    f.position = -1;
    f.seq_a = a;
    f.seq_b = b;
    if (a < 1 || b <= a) {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "consistency needs two checkpoints A < B, got %lld and %lld",
                                (long long)a, (long long)b);
    }
    rc = plaint_ledger_read_checkpoints(db, on_cp, &f, err);
    if (rc == 0 && (!f.found_a || !f.found_b)) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND, "no checkpoint %lld",
                              (long long)(f.found_a ? b : a));
    }
    if (rc == 0 && f.b.tree_size > 0) {
        rc = load_leaves(&leaves, db, f.b.tree_size, -1, NULL, err);
    }
    if (rc == 0 && f.b.tree_size > 0) {
        rc = plaint_merkle_consistency_proof(&path,
                                             (const unsigned char(*)[PLAINT_HASH_LEN])leaves,
                                             (size_t)f.a.tree_size, (size_t)f.b.tree_size, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, "{\"first\":", err);
    }
    if (rc == 0) {
        rc = plaint_checkpoint_to_json(out, &f.a, NULL, 0, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ",", err);
    }
    if (rc == 0) {
        rc = append_path(out, &path, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ",\"second\":", err);
    }
    if (rc == 0) {
        rc = plaint_checkpoint_to_json(out, &f.b, NULL, 0, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ",\"type\":\"plaint.consistency.v1\"}\n", err);
    }
    free(leaves);
    plaint_buf_clear(&path);
    return rc;
}

/* Decodes the "path" array into raw bytes. */
static int read_path(plaint_buf *out, const json_t *doc, plaint_error *err)
{
    json_t *arr = json_object_get(doc, "path");
    size_t i;
    int rc = 0;

    if (!json_is_array(arr) || json_array_size(arr) > 64) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "path", 0, 0,
                                   "path must be an array of at most 64 hashes");
    }
    for (i = 0; rc == 0 && i < json_array_size(arr); i++) {
        unsigned char h[PLAINT_HASH_LEN];
        json_t *wrap = json_pack("{sO}", "h", json_array_get(arr, i));
        rc = plaint_json_get_hex(h, PLAINT_HASH_LEN, wrap, "h", err);
        json_decref(wrap);
        if (rc == 0) {
            rc = plaint_buf_append(out, h, PLAINT_HASH_LEN, err);
        }
    }
    return rc;
}

static int check_cp(const json_t *obj, plaint_checkpoint *cp, const plaint_signkey *trusted,
                    const char *name, plaint_error *err)
{
    int rc = plaint_checkpoint_from_json(cp, obj, err);

    if (rc < 0) {
        return rc;
    }
    rc = plaint_checkpoint_verify(cp, trusted, err);
    if (rc == PLAINT_ETAMPER && err != NULL) {
        char msg[sizeof(err->message)];
        memcpy(msg, err->message, sizeof(msg));
        plaint_error_set(err, PLAINT_ETAMPER, "%s %s", name, msg);
    }
    return rc;
}

int plaint_proof_verify(plaint_proof_result *out, const char *json, size_t len,
                        const plaint_signkey *trusted, plaint_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    json_t *type = json_object_get(doc, "type");
    plaint_buf path = PLAINT_BUF_INIT;
    plaint_checkpoint a;
    plaint_checkpoint b;
    unsigned char eh[PLAINT_HASH_LEN];
    unsigned char leaf[PLAINT_HASH_LEN];
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (doc == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, NULL, (unsigned long)je.line,
                                   (unsigned long)je.column, "not JSON: %s", je.text);
    }
    if (!json_is_string(type)) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "type", 0, 0, "not a plaint proof");
    } else if (strcmp(json_string_value(type), "plaint.inclusion.v1") == 0) {
        json_t *pos = json_object_get(doc, "position");
        out->inclusion = 1;
        if (!json_is_integer(pos) || json_integer_value(pos) < 0 || json_object_size(doc) != 5) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "position", 0, 0,
                                     "an inclusion proof has checkpoint, event_hash, path, "
                                     "position and type");
        }
        if (rc == 0) {
            out->position = (int64_t)json_integer_value(pos);
            rc = check_cp(json_object_get(doc, "checkpoint"), &a, trusted, "checkpoint", err);
        }
        if (rc == 0) {
            rc = plaint_json_get_hex(eh, PLAINT_HASH_LEN, doc, "event_hash", err);
        }
        if (rc == 0) {
            rc = read_path(&path, doc, err);
        }
        if (rc == 0) {
            rc = plaint_merkle_leaf_hash(leaf, eh, PLAINT_HASH_LEN, err);
        }
        if (rc == 0) {
            out->first_seq = a.seq;
            out->first_size = a.tree_size;
            rc = plaint_merkle_verify_inclusion(leaf, (uint64_t)out->position,
                                                (uint64_t)a.tree_size,
                                                (const unsigned char *)path.data, path.len,
                                                a.root, err);
        }
    } else if (strcmp(json_string_value(type), "plaint.consistency.v1") == 0) {
        if (json_object_size(doc) != 4) {
            rc = plaint_error_set(err, PLAINT_EINVALID,
                                  "a consistency proof has first, path, second and type");
        }
        if (rc == 0) {
            rc = check_cp(json_object_get(doc, "first"), &a, trusted, "first checkpoint", err);
        }
        if (rc == 0) {
            rc = check_cp(json_object_get(doc, "second"), &b, trusted, "second checkpoint", err);
        }
        if (rc == 0) {
            rc = read_path(&path, doc, err);
        }
        if (rc == 0) {
            out->first_seq = a.seq;
            out->second_seq = b.seq;
            out->first_size = a.tree_size;
            out->second_size = b.tree_size;
            rc = plaint_merkle_verify_consistency((uint64_t)a.tree_size, (uint64_t)b.tree_size,
                                                  a.root, b.root,
                                                  (const unsigned char *)path.data, path.len,
                                                  err);
        }
    } else {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "type", 0, 0, "unknown proof type '%s'",
                                 json_string_value(type));
    }
    json_decref(doc);
    plaint_buf_clear(&path);
    return rc;
}
