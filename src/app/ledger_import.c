/* Bulk append from JSON Lines: parse, canonicalise payloads, append in COPY batches. A reader
 * thread parses and canonicalises batch k + 1 while the calling thread writes batch k, so that
 * client and server work at the same time; the connection is used by the calling thread only. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/app_ledger.h"
#include "plaint/jcs.h"

/* Batches in flight: one being written, up to two parsed ahead (only one ahead for batches so
 * large that memory matters more than evening out the reader's pace). */
#define SLOTS     3
#define BIG_BATCH 100000
#define NONE      SIZE_MAX /* offset of a string not in the batch's text (a default, or no key) */

enum {
    F_CASE,
    F_TYPE,
    F_ACTOR,
    F_ROLE,
    F_KEY,
    F_PAYLOAD,
    NFIELDS
};
static const char *const FIELD_NAMES[NFIELDS] = {
    "case", "type", "actor", "role", "idempotency_key", "payload"};

/* Where one request's strings are in its batch's text (offsets: the text may move as it grows). */
typedef struct item {
    size_t off[NFIELDS];
    size_t payload_len;
    unsigned long line;
} item;

/* A batch of parsed lines. All its strings live in text, NUL-terminated one after another, so
 * that the line's JSON tree is freed right after parsing and a batch costs no allocation once
 * its buffers have grown. */
typedef struct batch {
    item *items;
    plaint_append_req *reqs; /* pointers into text, set when the batch is complete */
    plaint_append_result *res;
    plaint_buf text;
    size_t n;
} batch;

typedef struct importer {
    /* set before the reader starts, then read-only */
    FILE *f;
    const char *path;
    size_t cap; /* events per batch */
    const char *actor;
    const char *role;
    int fixed;
    batch slots[SLOTS];
    size_t nslots;
    /* shared, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t produced; /* batches handed to the writer */
    size_t consumed; /* batches the writer is done with */
    int done;        /* the reader has finished (end of file or error) */
    atomic_int stop; /* the writer failed: the reader stops (also read between lines) */
    int rc;          /* the reader's outcome, valid once done */
    plaint_error err;
    /* the reader's own */
    char *line;
    size_t line_cap;
    unsigned long lineno;
} importer;

static int batch_alloc(batch *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->items = calloc(cap, sizeof(*b->items));
    b->reqs = calloc(cap, sizeof(*b->reqs));
    b->res = calloc(cap, sizeof(*b->res));
    return b->items != NULL && b->reqs != NULL && b->res != NULL ? 0 : -1;
}

static void batch_free(batch *b)
{
    free(b->items);
    free(b->reqs);
    free(b->res);
    plaint_buf_clear(&b->text);
}

static int field_index(const char *key)
{
    int k;

    for (k = 0; k < NFIELDS; k++) {
        if (strcmp(key, FIELD_NAMES[k]) == 0) {
            return k;
        }
    }
    return -1;
}

static int add_text(batch *b, size_t *off, const char *s, size_t len, plaint_error *err)
{
    *off = b->text.len;
    return plaint_buf_append(&b->text, s, len + 1, err); /* with its NUL */
}

/* A string field: absent -> *off stays NONE; present but not a non-empty string without NUL
 * -> *bad. */
static int take_str(batch *b, size_t *off, const json_t *v, int *bad, plaint_error *err)
{
    if (v == NULL) {
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = 1;
        return 0;
    }
    return add_text(b, off, json_string_value(v), json_string_length(v), err);
}

static int check_line(const importer *im, json_t *const v[NFIELDS], unsigned long lineno,
                      plaint_error *err)
{
    if (im->fixed && (v[F_ACTOR] != NULL || v[F_ROLE] != NULL)) {
        return plaint_error_set_at(err, PLAINT_EDENIED, "actor", lineno, 0,
                                   "%s:%lu: \"actor\" and \"role\" are taken from the token "
                                   "once users exist",
                                   im->path, lineno);
    }
    if (v[F_CASE] == NULL || v[F_TYPE] == NULL || !json_is_object(v[F_PAYLOAD])) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "case", lineno, 0,
                                   "%s:%lu: needs non-empty string fields case and type and an "
                                   "object payload",
                                   im->path, lineno);
    }
    return 0;
}

/* Parses one line into the next request of b, or leaves b unchanged and fails naming the line. */
static int parse_line(importer *im, batch *b, const char *line, size_t len, unsigned long lineno,
                      plaint_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    json_t *v[NFIELDS] = {NULL};
    item *it = &b->items[b->n];
    size_t mark = b->text.len;
    const char *key;
    json_t *val;
    plaint_error sub;
    int bad = 0;
    int rc = 0;
    int k;

    if (doc == NULL || !json_is_object(doc)) {
        json_decref(doc);
        return plaint_error_set_at(err, PLAINT_EINVALID, NULL, lineno,
                                   doc == NULL ? (unsigned long)je.column : 1, "%s:%lu: %s",
                                   im->path, lineno,
                                   doc == NULL ? je.text : "each line must be a JSON object");
    }
    json_object_foreach(doc, key, val) {
        k = field_index(key);
        if (k < 0) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, key, lineno, 0,
                                     "%s:%lu: unknown field '%s'", im->path, lineno, key);
            break;
        }
        v[k] = val;
    }
    if (rc == 0) {
        rc = check_line(im, v, lineno, err);
    }
    for (k = 0; k < NFIELDS; k++) {
        it->off[k] = NONE;
    }
    for (k = F_CASE; rc == 0 && k <= F_KEY; k++) {
        rc = take_str(b, &it->off[k], v[k], &bad, err);
    }
    if (rc == 0 && bad) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "case", lineno, 0,
                                 "%s:%lu: needs non-empty string fields case and type and an "
                                 "object payload",
                                 im->path, lineno);
    }
    if (rc == 0) {
        plaint_error_init(&sub);
        it->off[F_PAYLOAD] = b->text.len;
        rc = plaint_jcs_dump(&b->text, v[F_PAYLOAD], &sub);
        if (rc < 0) {
            rc = plaint_error_set_at(err, sub.code, sub.field, lineno, 0, "%s:%lu: payload: %s",
                                     im->path, lineno, sub.message);
        }
    }
    if (rc == 0) {
        it->payload_len = b->text.len - it->off[F_PAYLOAD];
        rc = plaint_buf_append_byte(&b->text, '\0', err);
    }
    json_decref(doc);
    if (rc < 0) {
        b->text.len = mark;
        if (b->text.data != NULL) {
            b->text.data[mark] = '\0';
        }
        return rc;
    }
    it->line = lineno;
    b->n++;
    return 0;
}

static const char *text_at(const batch *b, size_t off, const char *dflt)
{
    return off == NONE ? dflt : b->text.data + off;
}

/* Points the requests at their strings, now that the text no longer moves. */
static void batch_seal(const importer *im, batch *b)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        const item *it = &b->items[i];
        plaint_append_req *r = &b->reqs[i];
        r->case_id = text_at(b, it->off[F_CASE], NULL);
        r->type = text_at(b, it->off[F_TYPE], NULL);
        r->actor = text_at(b, it->off[F_ACTOR], im->actor);
        r->role = text_at(b, it->off[F_ROLE], im->role);
        r->idempotency_key = text_at(b, it->off[F_KEY], NULL);
        r->payload = text_at(b, it->off[F_PAYLOAD], NULL);
        r->payload_len = it->payload_len;
    }
}

/* Reads lines into b until it is full or the file ends (*eof). */
static int batch_fill(importer *im, batch *b, int *eof, plaint_error *err)
{
    ssize_t len;
    int rc = 0;

    b->n = 0;
    plaint_buf_reset(&b->text);
    *eof = 0;
    while (rc == 0 && b->n < im->cap) {
        if (atomic_load_explicit(&im->stop, memory_order_relaxed)) {
            break; /* the batch is dropped: the writer has failed */
        }
        len = getline(&im->line, &im->line_cap, im->f);
        if (len < 0) {
            *eof = 1;
            if (ferror(im->f)) {
                rc = plaint_error_set(err, PLAINT_EIO, "cannot read %s", im->path);
            }
            break;
        }
        im->lineno++;
        while (len > 0 && (im->line[len - 1] == '\n' || im->line[len - 1] == '\r')) {
            im->line[--len] = '\0';
        }
        if (len > 0) {
            rc = parse_line(im, b, im->line, (size_t)len, im->lineno, err);
        }
    }
    if (rc == 0) {
        batch_seal(im, b);
    }
    return rc;
}

static void *reader_main(void *arg)
{
    importer *im = arg;
    plaint_error err;
    int rc = 0;
    int eof = 0;

    plaint_error_init(&err);
    while (rc == 0 && !eof) {
        batch *b;
        int stop;
        pthread_mutex_lock(&im->mu);
        while (!atomic_load(&im->stop) && im->produced - im->consumed == im->nslots) {
            pthread_cond_wait(&im->cv, &im->mu);
        }
        stop = atomic_load(&im->stop);
        b = &im->slots[im->produced % im->nslots];
        pthread_mutex_unlock(&im->mu);
        if (stop) {
            break;
        }
        rc = batch_fill(im, b, &eof, &err);
        pthread_mutex_lock(&im->mu);
        if (rc == 0 && b->n > 0 && !atomic_load(&im->stop)) {
            im->produced++;
        }
        pthread_cond_broadcast(&im->cv);
        pthread_mutex_unlock(&im->mu);
    }
    pthread_mutex_lock(&im->mu);
    im->rc = rc;
    im->err = err;
    im->done = 1;
    pthread_cond_broadcast(&im->cv);
    pthread_mutex_unlock(&im->mu);
    return NULL;
}

/* Writes one batch; an error about one of its events names the event's file line. */
static int write_batch(const importer *im, batch *b, plaint_db *db, int64_t *appended,
                       int64_t *skipped, plaint_error *err)
{
    size_t i;
    int rc = plaint_ledger_append_batch(b->res, db, b->reqs, b->n, err);

    if (rc < 0 && err != NULL && err->line > 0 && err->line <= b->n) {
        char msg[sizeof(err->message)];
        char field[sizeof(err->field)];
        unsigned long line = b->items[err->line - 1].line;
        memcpy(msg, err->message, sizeof(msg));
        memcpy(field, err->field, sizeof(field));
        plaint_error_set_at(err, rc, field[0] != '\0' ? field : NULL, line, err->column,
                            "%s:%lu: %s", im->path, line, msg);
    }
    for (i = 0; rc == 0 && i < b->n; i++) {
        if (b->res[i].replayed) {
            (*skipped)++;
        } else {
            (*appended)++;
        }
    }
    return rc;
}

/* The calling thread's side: writes the batches the reader hands over, in order. */
static int write_all(importer *im, plaint_db *db, int64_t *appended, int64_t *skipped,
                     plaint_progress_fn progress, void *progress_arg, plaint_error *err)
{
    int rc = 0;

    for (;;) {
        batch *b;
        pthread_mutex_lock(&im->mu);
        while (im->produced == im->consumed && !im->done) {
            pthread_cond_wait(&im->cv, &im->mu);
        }
        if (im->produced == im->consumed) {
            pthread_mutex_unlock(&im->mu);
            break; /* done and drained */
        }
        b = &im->slots[im->consumed % im->nslots];
        pthread_mutex_unlock(&im->mu);
        rc = write_batch(im, b, db, appended, skipped, err);
        pthread_mutex_lock(&im->mu);
        im->consumed++;
        if (rc < 0) {
            atomic_store(&im->stop, 1);
        }
        pthread_cond_broadcast(&im->cv);
        pthread_mutex_unlock(&im->mu);
        if (rc < 0) {
            break;
        }
        if (progress != NULL) {
            progress(*appended + *skipped, 0, progress_arg);
        }
    }
    return rc;
}

int plaint_app_import_events(int64_t *appended, int64_t *skipped, plaint_db *db,
                             const plaint_config *cfg, const char *path, size_t batch_size,
                             const char *default_actor, const char *default_role, int fixed,
                             plaint_progress_fn progress, void *progress_arg, plaint_error *err)
{
    importer im;
    pthread_t reader;
    size_t i;
    int sealed = 0;
    int rc = 0;

    *appended = 0;
    *skipped = 0;
    if (batch_size == 0 || batch_size > 1000000) {
        return plaint_error_set(err, PLAINT_EINVALID, "batch size must be 1..1000000");
    }
    memset(&im, 0, sizeof(im));
    atomic_init(&im.stop, 0);
    im.path = path;
    im.cap = batch_size;
    im.actor = default_actor;
    im.role = default_role;
    im.fixed = fixed;
    im.nslots = batch_size > BIG_BATCH ? 2 : SLOTS;
    for (i = 0; rc == 0 && i < im.nslots; i++) {
        if (batch_alloc(&im.slots[i], batch_size) < 0) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
    }
    if (rc == 0) {
        im.f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
        if (im.f == NULL) {
            rc = plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                  "cannot open %s: %s", path, strerror(errno));
        }
    }
    if (rc == 0) {
        pthread_mutex_init(&im.mu, NULL);
        pthread_cond_init(&im.cv, NULL);
        if (pthread_create(&reader, NULL, reader_main, &im) != 0) {
            rc = plaint_error_set(err, PLAINT_ERROR, "cannot start the reader thread");
        } else {
            rc = write_all(&im, db, appended, skipped, progress, progress_arg, err);
            pthread_join(reader, NULL);
            if (rc == 0 && im.rc < 0) {
                /* every batch before the bad line is written; the bad line's batch is not */
                rc = im.rc;
                if (err != NULL) {
                    *err = im.err;
                }
            }
        }
        pthread_cond_destroy(&im.cv);
        pthread_mutex_destroy(&im.mu);
    }
    if (im.f != NULL && im.f != stdin) {
        fclose(im.f);
    }
    free(im.line);
    for (i = 0; i < SLOTS; i++) {
        batch_free(&im.slots[i]);
    }
    if (rc == 0) {
        plaint_error sub;
        plaint_error_init(&sub);
        plaint_app_maybe_seal(&sealed, db, cfg, &sub);
    }
    return rc;
}
