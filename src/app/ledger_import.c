/* Bulk append from JSON Lines: parse, canonicalise payloads, append in COPY batches. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/app_ledger.h"
#include "plaint/jcs.h"

typedef struct batch {
    plaint_append_req *reqs;
    plaint_append_result *res;
    json_t **docs;    /* keep the strings of reqs alive */
    plaint_buf *payloads;
    size_t n;
    size_t cap;
} batch;

static void batch_reset(batch *b)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        json_decref(b->docs[i]);
        b->docs[i] = NULL;
        plaint_buf_reset(&b->payloads[i]);
    }
    b->n = 0;
}

static void batch_free(batch *b)
{
    size_t i;

    batch_reset(b);
    for (i = 0; i < b->cap; i++) {
        plaint_buf_clear(&b->payloads[i]);
    }
    free(b->reqs);
    free(b->res);
    free(b->docs);
    free(b->payloads);
}

static const char *opt_str(json_t *doc, const char *key, const char *dflt, int *bad)
{
    json_t *v = json_object_get(doc, key);

    if (v == NULL) {
        return dflt;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

static int parse_line(batch *b, const char *line, size_t len, const char *path,
                      unsigned long lineno, const char *actor, const char *role, int fixed,
                      plaint_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    plaint_append_req *r = &b->reqs[b->n];
    plaint_error sub;
    int bad = 0;
    void *it;

    if (doc == NULL || !json_is_object(doc)) {
        json_decref(doc);
        return plaint_error_set_at(err, PLAINT_EINVALID, NULL, lineno,
                                   doc == NULL ? (unsigned long)je.column : 1,
                                   "%s:%lu: %s", path, lineno,
                                   doc == NULL ? je.text : "each line must be a JSON object");
    }
    for (it = json_object_iter(doc); it != NULL; it = json_object_iter_next(doc, it)) {
        const char *k = json_object_iter_key(it);
        if (strcmp(k, "case") != 0 && strcmp(k, "type") != 0 && strcmp(k, "payload") != 0 &&
            strcmp(k, "actor") != 0 && strcmp(k, "role") != 0 &&
            strcmp(k, "idempotency_key") != 0) {
            json_decref(doc);
            return plaint_error_set_at(err, PLAINT_EINVALID, k, lineno, 0,
                                       "%s:%lu: unknown field '%s'", path, lineno, k);
        }
    }
    if (fixed && (json_object_get(doc, "actor") != NULL || json_object_get(doc, "role") != NULL)) {
        json_decref(doc);
        return plaint_error_set_at(err, PLAINT_EDENIED, "actor", lineno, 0,
                                   "%s:%lu: \"actor\" and \"role\" are taken from the token "
                                   "once users exist",
                                   path, lineno);
    }
    memset(r, 0, sizeof(*r));
    r->case_id = opt_str(doc, "case", NULL, &bad);
    r->type = opt_str(doc, "type", NULL, &bad);
    r->actor = opt_str(doc, "actor", actor, &bad);
    r->role = opt_str(doc, "role", role, &bad);
    r->idempotency_key = opt_str(doc, "idempotency_key", NULL, &bad);
    if (bad || r->case_id == NULL || r->type == NULL ||
        !json_is_object(json_object_get(doc, "payload"))) {
        json_decref(doc);
        return plaint_error_set_at(err, PLAINT_EINVALID, "case", lineno, 0,
                                   "%s:%lu: needs non-empty string fields case and type and an "
                                   "object payload",
                                   path, lineno);
    }
    plaint_error_init(&sub);
    if (plaint_jcs_dump(&b->payloads[b->n], json_object_get(doc, "payload"), &sub) < 0) {
        json_decref(doc);
        return plaint_error_set_at(err, sub.code, sub.field, lineno, 0, "%s:%lu: payload: %s",
                                   path, lineno, sub.message);
    }
    r->payload = b->payloads[b->n].data;
    r->payload_len = b->payloads[b->n].len;
    b->docs[b->n] = doc;
    b->n++;
    return 0;
}

static int flush(batch *b, plaint_db *db, int64_t *appended, int64_t *skipped,
                 unsigned long first_line, plaint_error *err)
{
    size_t i;
    int rc;

    if (b->n == 0) {
        return 0;
    }
    rc = plaint_ledger_append_batch(b->res, db, b->reqs, b->n, err);
    if (rc < 0 && err != NULL && err->line > 0) {
        err->line += first_line - 1; /* batch-relative to file line */
    }
    for (i = 0; rc == 0 && i < b->n; i++) {
        if (b->res[i].replayed) {
            (*skipped)++;
        } else {
            (*appended)++;
        }
    }
    batch_reset(b);
    return rc;
}

int plaint_app_import_events(int64_t *appended, int64_t *skipped, plaint_db *db,
                             const plaint_config *cfg, const char *path, size_t batch_size,
                             const char *default_actor, const char *default_role, int fixed,
                             plaint_progress_fn progress, void *progress_arg, plaint_error *err)
{
    FILE *f;
    batch b;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    unsigned long batch_first = 1;
    int sealed = 0;
    int rc = 0;

    *appended = 0;
    *skipped = 0;
    if (batch_size == 0 || batch_size > 1000000) {
        return plaint_error_set(err, PLAINT_EINVALID, "batch size must be 1..1000000");
    }
    memset(&b, 0, sizeof(b));
    b.cap = batch_size;
    b.reqs = calloc(batch_size, sizeof(*b.reqs));
    b.res = calloc(batch_size, sizeof(*b.res));
    b.docs = calloc(batch_size, sizeof(*b.docs));
    b.payloads = calloc(batch_size, sizeof(*b.payloads));
    if (b.reqs == NULL || b.res == NULL || b.docs == NULL || b.payloads == NULL) {
        batch_free(&b);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        batch_free(&b);
        return plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                "cannot open %s: %s", path, strerror(errno));
    }
    for (;;) {
        len = getline(&line, &cap, f);
        if (len < 0) {
            break;
        }
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }
        if (len == 0) {
            continue;
        }
        if (b.n == 0) {
            batch_first = lineno;
        }
        rc = parse_line(&b, line, (size_t)len, path, lineno, default_actor, default_role, fixed,
                        err);
        if (rc == 0 && b.n == b.cap) {
            rc = flush(&b, db, appended, skipped, batch_first, err);
            if (progress != NULL) {
                progress(*appended + *skipped, 0, progress_arg);
            }
        }
        if (rc < 0) {
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot read %s", path);
    }
    if (rc == 0) {
        rc = flush(&b, db, appended, skipped, batch_first, err);
    }
    if (f != stdin) {
        fclose(f);
    }
    free(line);
    batch_free(&b);
    if (rc == 0) {
        plaint_error sub;
        plaint_error_init(&sub);
        plaint_app_maybe_seal(&sealed, db, cfg, &sub);
    }
    return rc;
}
