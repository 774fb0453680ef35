/* Verifying an exported bundle with no database: manifest hashes, canonical lines, and the
 * same checks as the live verification (plaint_verifier). */
#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/bundle.h"
#include "plaint/chain.h"
#include "plaint/checkpoint_json.h"
#include "plaint/jcs.h"

#define MANIFEST_MAX (1024u * 1024u)
#define LINE_MAX_BYTES (64u * 1024u * 1024u)

/* Records a content failure of the bundle in report and err. */
static int bad(plaint_verify_report *r, plaint_error *err, const char *file, unsigned long line,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int bad(plaint_verify_report *r, plaint_error *err, const char *file, unsigned long line,
               const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r != NULL) {
        r->ok = 0;
        snprintf(r->record, sizeof(r->record), "bundle");
        r->position = -1;
        if (line > 0) {
            snprintf(r->reason, sizeof(r->reason), "%s line %lu: %s", file, line, msg);
        } else {
            snprintf(r->reason, sizeof(r->reason), "%s: %s", file, msg);
        }
    }
    if (line > 0) {
        return plaint_error_set_at(err, PLAINT_ETAMPER, file, line, 0, "%s line %lu: %s", file,
                                   line, msg);
    }
    return plaint_error_set(err, PLAINT_ETAMPER, "%s: %s", file, msg);
}

typedef struct in_file {
    const char *name;
    FILE *f;
    plaint_sha256 sha;
    char *line;
    size_t cap;
    unsigned long lineno;
    int64_t bytes;
} in_file;

static int in_open(in_file *in, const char *dir, const char *name, plaint_error *err)
{
    char path[4200];

    memset(in, 0, sizeof(*in));
    in->name = name;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    in->f = fopen(path, "rb");
    if (in->f == NULL) {
        return plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                "cannot open %s: %s", path, strerror(errno));
    }
    return plaint_sha256_init(&in->sha, err);
}

/* Reads the next line (without its "\n") into in->line; *len -1 at end of file. */
static int in_next(in_file *in, ssize_t *len, plaint_error *err)
{
    ssize_t n = getline(&in->line, &in->cap, in->f);

    if (n < 0) {
        if (ferror(in->f)) {
            return plaint_error_set(err, PLAINT_EIO, "cannot read %s", in->name);
        }
        *len = -1;
        return 0;
    }
    in->lineno++;
    in->bytes += n;
    if (plaint_sha256_update(&in->sha, in->line, (size_t)n, err) < 0) {
        return PLAINT_ERROR;
    }
    if ((size_t)n > LINE_MAX_BYTES) {
        return plaint_error_set(err, PLAINT_ERANGE, "%s line %lu is too long", in->name,
                                in->lineno);
    }
    if (in->line[n - 1] == '\n') {
        in->line[--n] = '\0';
    }
    *len = n;
    return 0;
}

static void in_close(in_file *in)
{
    if (in->f != NULL) {
        fclose(in->f);
    }
    free(in->line);
    plaint_sha256_clear(&in->sha);
    memset(in, 0, sizeof(*in));
}

/* Parses a line that must be exactly its own RFC 8785 form. */
static int parse_canonical(json_t **out, const in_file *in, size_t len, plaint_buf *scratch,
                           plaint_verify_report *r, plaint_error *err)
{
    json_error_t je;
    json_t *j = json_loadb(in->line, len, JSON_REJECT_DUPLICATES, &je);
    plaint_error sub;

    if (j == NULL || !json_is_object(j)) {
        json_decref(j);
        return bad(r, err, in->name, in->lineno, "not a JSON object (%s)",
                   j == NULL ? je.text : "wrong type");
    }
    plaint_error_init(&sub);
    plaint_buf_reset(scratch);
    if (plaint_jcs_dump(scratch, j, &sub) < 0 || scratch->len != len ||
        memcmp(scratch->data, in->line, len) != 0) {
        json_decref(j);
        return bad(r, err, in->name, in->lineno, "not in canonical form%s%s",
                   sub.message[0] != '\0' ? ": " : "", sub.message);
    }
    *out = j;
    return 0;
}

static int get_int(int64_t *out, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_integer(v)) {
        return -1;
    }
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int get_time(int64_t *out, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_string(v)) {
        return -1;
    }
    return plaint_time_parse(out, json_string_value(v), json_string_length(v), NULL) == 0 ? 0
                                                                                         : -1;
}

static int get_str(const char **s, size_t *len, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_string(v)) {
        return -1;
    }
    *s = json_string_value(v);
    *len = json_string_length(v);
    return 0;
}

static int verify_checkpoints(plaint_verifier *v, plaint_verify_report *r, const char *dir,
                              int64_t from, unsigned char hash_out[PLAINT_HASH_LEN],
                              int64_t *bytes, plaint_error *err)
{
    plaint_buf frontier = PLAINT_BUF_INIT;
    in_file in;
    plaint_buf scratch = PLAINT_BUF_INIT;
    ssize_t len;
    int rc = in_open(&in, dir, "checkpoints.jsonl", err);

    while (rc == 0) {
        json_t *j = NULL;
        plaint_checkpoint cp;
        plaint_error sub;
        rc = in_next(&in, &len, err);
        if (rc < 0 || len < 0) {
            break;
        }
        rc = parse_canonical(&j, &in, (size_t)len, &scratch, r, err);
        if (rc < 0) {
            break;
        }
        plaint_error_init(&sub);
        if (json_object_get(j, "frontier") == NULL ||
            plaint_checkpoint_from_json(&cp, j, &sub) < 0) {
            json_decref(j);
            rc = bad(r, err, in.name, in.lineno, "malformed checkpoint: %s", sub.message);
            break;
        }
        if (from > 0 && in.lineno == 1) {
            /* a partial bundle starts at checkpoint `from`, continuing from its frontier */
            json_t *fj = json_object_get(j, "frontier");
            size_t fl = json_string_length(fj);
            plaint_buf_reset(&frontier);
            if (cp.seq != from || fl % 2 != 0 || plaint_buf_reserve(&frontier, fl / 2, err) < 0 ||
                plaint_hex_decode((unsigned char *)frontier.data, fl / 2, json_string_value(fj),
                                  fl, NULL) < 0) {
                json_decref(j);
                rc = bad(r, err, in.name, in.lineno,
                         "a bundle from checkpoint %lld must start with that checkpoint and its "
                         "frontier",
                         (long long)from);
                break;
            }
            json_decref(j);
            rc = plaint_verifier_start_at(v, &cp, (const unsigned char *)frontier.data, fl / 2,
                                          err);
            continue;
        }
        {
            /* the stored frontier must match the tree at this checkpoint (checked later) */
            json_t *fj = json_object_get(j, "frontier");
            size_t fl = json_string_length(fj);
            plaint_buf_reset(&frontier);
            if (fl % 2 != 0 || plaint_buf_reserve(&frontier, fl / 2, err) < 0 ||
                plaint_hex_decode((unsigned char *)frontier.data, fl / 2, json_string_value(fj),
                                  fl, NULL) < 0) {
                json_decref(j);
                rc = bad(r, err, in.name, in.lineno, "malformed frontier");
                break;
            }
            json_decref(j);
            rc = plaint_verifier_add_checkpoint(v, &cp, err);
            if (rc == 0) {
                rc = plaint_verifier_set_frontier(v, cp.seq, (const unsigned char *)frontier.data,
                                                  fl / 2, err);
            }
        }
    }
    plaint_buf_clear(&frontier);
    if (rc == 0) {
        rc = plaint_sha256_final(&in.sha, hash_out, err);
        *bytes = in.bytes;
    }
    in_close(&in);
    plaint_buf_clear(&scratch);
    return rc;
}

static int event_from_json(plaint_event *ev, plaint_buf *payload, json_t *e)
{
    int64_t ver = 0;

    if (!json_is_object(e) || json_object_size(e) != 9 ||
        get_str(&ev->actor, &ev->actor_len, e, "actor") < 0 ||
        get_str(&ev->case_id, &ev->case_id_len, e, "case") < 0 ||
        get_str(&ev->role, &ev->role_len, e, "role") < 0 ||
        get_str(&ev->type, &ev->type_len, e, "type") < 0 ||
        get_int(&ev->case_seq, e, "seq") < 0 || get_time(&ev->time_us, e, "time") < 0 ||
        plaint_json_get_hex(ev->prev_hash, PLAINT_HASH_LEN, e, "prev", NULL) < 0 || get_int(&ver, e, "v") < 0 ||
        ver != PLAINT_EVENT_VERSION || !json_is_object(json_object_get(e, "payload"))) {
        return -1;
    }
    plaint_buf_reset(payload);
    if (plaint_jcs_dump(payload, json_object_get(e, "payload"), NULL) < 0) {
        return -1;
    }
    ev->payload = payload->data;
    ev->payload_len = payload->len;
    return 0;
}

static int verify_events(plaint_verifier *v, plaint_verify_report *r, const char *dir,
                         unsigned char hash_out[PLAINT_HASH_LEN], int64_t *bytes,
                         plaint_progress_fn progress, void *progress_arg, int64_t total,
                         plaint_error *err)
{
    in_file in;
    plaint_buf scratch = PLAINT_BUF_INIT;
    plaint_buf payload = PLAINT_BUF_INIT;
    ssize_t len;
    int64_t n = 0;
    int rc = in_open(&in, dir, "events.jsonl", err);

    while (rc == 0) {
        json_t *j = NULL;
        json_t *pos;
        plaint_event ev;
        unsigned char h[PLAINT_HASH_LEN];
        int64_t position = -1;
        rc = in_next(&in, &len, err);
        if (rc < 0 || len < 0) {
            break;
        }
        rc = parse_canonical(&j, &in, (size_t)len, &scratch, r, err);
        if (rc < 0) {
            break;
        }
        memset(&ev, 0, sizeof(ev));
        pos = json_object_get(j, "position");
        if (json_object_size(j) != 3 || plaint_json_get_hex(h, PLAINT_HASH_LEN, j, "hash", NULL) < 0 ||
            (!json_is_null(pos) && get_int(&position, j, "position") < 0) ||
            (!json_is_null(pos) && position < 0) ||
            event_from_json(&ev, &payload, json_object_get(j, "event")) < 0) {
            json_decref(j);
            rc = bad(r, err, in.name, in.lineno, "malformed event");
            break;
        }
        rc = plaint_verifier_add_event(v, position, &ev, h, NULL, err);
        json_decref(j);
        n++;
        if (progress != NULL && (n & 0x3fff) == 0) {
            progress(n, total, progress_arg);
        }
    }
    if (rc == 0) {
        rc = plaint_sha256_final(&in.sha, hash_out, err);
        *bytes = in.bytes;
    }
    in_close(&in);
    plaint_buf_clear(&scratch);
    plaint_buf_clear(&payload);
    return rc;
}

static int verify_key_file(plaint_verifier *v, const char *dir,
                           unsigned char hash_out[PLAINT_HASH_LEN], int64_t *bytes,
                           plaint_error *err)
{
    char path[4200];
    plaint_buf pem = PLAINT_BUF_INIT;
    plaint_signkey *k = NULL;
    char kid[PLAINT_SIGNKEY_ID_LEN + 1];
    int rc;

    snprintf(path, sizeof(path), "%s/pubkey.pem", dir);
    rc = plaint_buf_read_file(&pem, path, MANIFEST_MAX, err);
    if (rc == 0) {
        *bytes = (int64_t)pem.len;
        rc = plaint_sha256_digest(hash_out, pem.data, pem.len, err);
    }
    if (rc == 0) {
        /* The id is computed from the key itself; the verifier compares it with the trusted key. */
        if (plaint_signkey_from_public_pem(&k, pem.data, pem.len, NULL) < 0 ||
            plaint_signkey_id(kid, k, NULL) < 0) {
            snprintf(kid, sizeof(kid), "%064d", 0);
        }
        rc = plaint_verifier_add_key(v, kid, pem.data, pem.len, err);
    }
    plaint_signkey_free(k);
    plaint_buf_clear(&pem);
    return rc;
}

typedef struct manifest {
    json_t *root;
    int64_t events;
} manifest;

static int check_file(plaint_verify_report *r, json_t *files, const char *name,
                      const unsigned char h[PLAINT_HASH_LEN], int64_t bytes, plaint_error *err)
{
    json_t *f = json_object_get(files, name);
    unsigned char want[PLAINT_HASH_LEN];
    int64_t wbytes = -1;

    if (!json_is_object(f) || plaint_json_get_hex(want, PLAINT_HASH_LEN, f, "sha256", NULL) < 0 ||
        get_int(&wbytes, f, "bytes") < 0) {
        return bad(r, err, "manifest.json", 0, "no valid entry for %s", name);
    }
    if (memcmp(want, h, PLAINT_HASH_LEN) != 0 || wbytes != bytes) {
        return bad(r, err, name, 0, "SHA-256 or size differs from the manifest (file altered)");
    }
    return 0;
}

int plaint_bundle_verify(plaint_verifier *v, plaint_verify_report *report, const char *dir,
                         plaint_progress_fn progress, void *progress_arg, plaint_error *err)
{
    char path[4200];
    plaint_buf raw = PLAINT_BUF_INIT;
    json_error_t je;
    json_t *man = NULL;
    json_t *files;
    unsigned char hev[PLAINT_HASH_LEN];
    unsigned char hcp[PLAINT_HASH_LEN];
    unsigned char hkey[PLAINT_HASH_LEN];
    int64_t bev = 0;
    int64_t bcp = 0;
    int64_t bkey = 0;
    int64_t from = 0;
    int64_t total = 0;
    int64_t want_cp = 0;
    int64_t want_pos = 0;
    int64_t want_unseq = 0;
    plaint_buf canon = PLAINT_BUF_INIT;
    json_t *counts;
    int rc;

    memset(report, 0, sizeof(*report));
    report->position = -1;
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    rc = plaint_buf_read_file(&raw, path, MANIFEST_MAX, err);
    if (rc == PLAINT_ENOTFOUND) {
        rc = bad(report, err, "manifest.json", 0, "missing: a bundle without its manifest is "
                                                 "not whole");
        goto done;
    }
    if (rc < 0) {
        goto done;
    }
    man = json_loadb(raw.data, raw.len, JSON_REJECT_DUPLICATES, &je);
    files = json_object_get(man, "files");
    counts = json_object_get(man, "counts");
    plaint_buf_reset(&canon);
    if (man == NULL || plaint_jcs_dump(&canon, man, NULL) < 0 ||
        plaint_buf_append_byte(&canon, '\n', NULL) < 0 || canon.len != raw.len ||
        memcmp(canon.data, raw.data, raw.len) != 0) {
        rc = bad(report, err, "manifest.json", 0, "not a canonical JSON document");
        goto done;
    }
    if (json_object_size(man) != 5 || !json_is_object(files) || json_object_size(files) != 3 ||
        !json_is_object(counts) || json_object_size(counts) != 4 ||
        !json_is_string(json_object_get(man, "created")) ||
        !json_is_string(json_object_get(man, "format")) ||
        strcmp(json_string_value(json_object_get(man, "format")), PLAINT_BUNDLE_FORMAT) != 0 ||
        get_int(&from, man, "from_checkpoint") < 0 || from < 0 ||
        get_int(&want_cp, counts, "checkpoints") < 0 || get_int(&total, counts, "events") < 0 ||
        get_int(&want_pos, counts, "positioned") < 0 ||
        get_int(&want_unseq, counts, "unsequenced") < 0) {
        rc = bad(report, err, "manifest.json", 0, "not a %s manifest", PLAINT_BUNDLE_FORMAT);
        goto done;
    }

    rc = verify_key_file(v, dir, hkey, &bkey, err);
    if (rc == 0) {
        rc = verify_checkpoints(v, report, dir, from, hcp, &bcp, err);
    }
    if (rc == 0) {
        rc = verify_events(v, report, dir, hev, &bev, progress, progress_arg, total, err);
    }
    if (rc == 0) {
        rc = plaint_verifier_finish(v, report, err);
    } else if (rc == PLAINT_ETAMPER && !(report->record[0] != '\0')) {
        plaint_verifier_finish(v, report, NULL);
    }
    if (rc == 0) {
        rc = check_file(report, files, "events.jsonl", hev, bev, err);
    }
    if (rc == 0) {
        rc = check_file(report, files, "checkpoints.jsonl", hcp, bcp, err);
    }
    if (rc == 0) {
        rc = check_file(report, files, "pubkey.pem", hkey, bkey, err);
    }
    if (rc == 0 && (total != report->events || want_pos != report->positions ||
                    want_unseq != report->events - report->positions ||
                    want_cp != report->checkpoints)) {
        rc = bad(report, err, "manifest.json", 0,
                 "its counts (%lld events, %lld positioned, %lld unsequenced, %lld checkpoints) "
                 "differ from the bundle's (%lld, %lld, %lld, %lld)",
                 (long long)total, (long long)want_pos, (long long)want_unseq,
                 (long long)want_cp, (long long)report->events, (long long)report->positions,
                 (long long)(report->events - report->positions),
                 (long long)report->checkpoints);
    }
    if (progress != NULL) {
        progress(report->events, report->events, progress_arg);
    }
done:
    json_decref(man);
    plaint_buf_clear(&raw);
    plaint_buf_clear(&canon);
    return rc;
}
