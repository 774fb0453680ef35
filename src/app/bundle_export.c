/* Writing a ledger bundle: events, checkpoints, public key and a manifest of their hashes, all
 * read from one database snapshot. Format: docs/ledger-format.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plaint/bundle.h"
#include "plaint/chain.h"
#include "plaint/checkpoint_json.h"
#include "plaint/jcs.h"

typedef struct out_file {
    const char *name;
    char tmp[4200];
    char final[4200];
    FILE *f;
    plaint_sha256 sha;
    int64_t bytes;
    int64_t lines;
} out_file;

static int file_open(out_file *o, const char *dir, const char *name, plaint_error *err)
{
    int rc;

    o->name = name;
    snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.tmp", dir, name);
    snprintf(o->final, sizeof(o->final), "%s/%s", dir, name);
    o->f = fopen(o->tmp, "wb");
    if (o->f == NULL) {
        return plaint_error_set(err, PLAINT_EIO, "cannot write %s: %s", o->tmp, strerror(errno));
    }
    rc = plaint_sha256_init(&o->sha, err);
    return rc;
}

static int file_write(out_file *o, const char *data, size_t len, plaint_error *err)
{
    if (fwrite(data, 1, len, o->f) != len) {
        return plaint_error_set(err, PLAINT_EIO, "cannot write %s: %s", o->tmp, strerror(errno));
    }
    o->bytes += (int64_t)len;
    return plaint_sha256_update(&o->sha, data, len, err);
}

static int file_close(out_file *o, char hex[2 * PLAINT_HASH_LEN + 1], plaint_error *err)
{
    unsigned char h[PLAINT_HASH_LEN];
    int rc = 0;

    if (o->f != NULL) {
        if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0) {
            rc = plaint_error_set(err, PLAINT_EIO, "cannot write %s: %s", o->tmp,
                                  strerror(errno));
        }
        if (fclose(o->f) != 0 && rc == 0) {
            rc = plaint_error_set(err, PLAINT_EIO, "cannot close %s", o->tmp);
        }
        o->f = NULL;
    }
    if (rc == 0 && hex != NULL) {
        rc = plaint_sha256_final(&o->sha, h, err);
        if (rc == 0) {
            plaint_hex_encode(hex, h, PLAINT_HASH_LEN);
        }
    }
    return rc;
}

static void file_discard(out_file *o)
{
    if (o->f != NULL) {
        fclose(o->f);
        o->f = NULL;
    }
    if (o->tmp[0] != '\0') {
        unlink(o->tmp);
    }
    plaint_sha256_clear(&o->sha);
}

typedef struct export_ctx {
    out_file *events;
    plaint_buf line;
    plaint_bundle_counts *counts;
    plaint_progress_fn progress;
    void *progress_arg;
    int64_t total;
} export_ctx;

static int write_event(const plaint_ledger_row *row, void *arg, plaint_error *err)
{
    export_ctx *c = arg;
    int rc;

    plaint_buf_reset(&c->line);
    rc = plaint_buf_append_str(&c->line, "{\"event\":", err);
    if (rc == 0) {
        rc = plaint_chain_event_canonical(&c->line, &row->ev, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&c->line, ",\"hash\":\"", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_hex(&c->line, row->hash, PLAINT_HASH_LEN, err);
    }
    if (rc == 0) {
        if (row->position >= 0) {
            rc = plaint_buf_printf(&c->line, err, "\",\"position\":%lld}\n",
                                   (long long)row->position);
            c->counts->positioned++;
        } else {
            rc = plaint_buf_append_str(&c->line, "\",\"position\":null}\n", err);
            c->counts->unsequenced++;
        }
    }
    if (rc == 0) {
        rc = file_write(c->events, c->line.data, c->line.len, err);
    }
    c->counts->events++;
    if (c->progress != NULL && (c->counts->events & 0x3fff) == 0) {
        c->progress(c->counts->events, c->total, c->progress_arg);
    }
    return rc;
}

typedef struct cp_ctx {
    out_file *file;
    int64_t from;       /* first checkpoint seq to write */
    int64_t from_size;  /* its tree size, found while writing */
    int found;
    plaint_buf line;
    int64_t count;
} cp_ctx;

static int write_checkpoint(const plaint_checkpoint *cp, const unsigned char *frontier,
                            size_t frontier_len, void *arg, plaint_error *err)
{
    cp_ctx *c = arg;
    int rc;

    if (cp->seq < c->from) {
        return 0;
    }
    if (cp->seq == c->from) {
        c->found = 1;
        c->from_size = cp->tree_size;
    }
    plaint_buf_reset(&c->line);
    rc = plaint_checkpoint_to_json(&c->line, cp, frontier, frontier_len, err);
    if (rc == 0) {
        rc = plaint_buf_append_byte(&c->line, '\n', err);
    }
    if (rc == 0) {
        rc = file_write(c->file, c->line.data, c->line.len, err);
    }
    c->count++;
    return rc;
}

static int write_key(const char *key_id, const char *pem, void *arg, plaint_error *err)
{
    (void)key_id;
    return file_write(arg, pem, strlen(pem), err);
}

int plaint_bundle_export(plaint_bundle_counts *out, plaint_db *db, const char *dir,
                         int64_t from_checkpoint, plaint_progress_fn progress, void *progress_arg,
                         plaint_error *err)
{
    out_file ev;
    out_file cps;
    out_file key;
    out_file man;
    export_ctx ec;
    cp_ctx cc;
    plaint_ledger_stats st;
    char hev[2 * PLAINT_HASH_LEN + 1];
    char hcp[2 * PLAINT_HASH_LEN + 1];
    char hkey[2 * PLAINT_HASH_LEN + 1];
    char ts[PLAINT_TIME_LEN + 1];
    char path[4200];
    plaint_buf m = PLAINT_BUF_INIT;
    struct stat sb;
    int rc;
    int tx = 0;

    memset(out, 0, sizeof(*out));
    memset(&ev, 0, sizeof(ev));
    memset(&cps, 0, sizeof(cps));
    memset(&key, 0, sizeof(key));
    memset(&man, 0, sizeof(man));
    memset(&ec, 0, sizeof(ec));
    memset(&cc, 0, sizeof(cc));
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        return plaint_error_set(err, PLAINT_EIO, "cannot create %s: %s", dir, strerror(errno));
    }
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    if (stat(path, &sb) == 0) {
        return plaint_error_set(err, PLAINT_EIO, "%s already holds a bundle; choose a new directory",
                                dir);
    }
    rc = plaint_db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    tx = rc == 0;
    if (rc == 0) {
        rc = plaint_ledger_stats_get(&st, db, err);
    }
    /* checkpoints first: they give the start position of a partial bundle */
    if (rc == 0) {
        rc = file_open(&cps, dir, "checkpoints.jsonl", err);
    }
    if (rc == 0) {
        cc.file = &cps;
        cc.from = from_checkpoint > 0 ? from_checkpoint : 1;
        rc = plaint_ledger_read_checkpoints(db, write_checkpoint, &cc, err);
    }
    if (rc == 0 && from_checkpoint > 0 && !cc.found) {
        rc = plaint_error_set_at(err, PLAINT_ENOTFOUND, "from-checkpoint", 0, 0,
                                 "there is no checkpoint %lld", (long long)from_checkpoint);
    }
    if (rc == 0) {
        rc = file_open(&ev, dir, "events.jsonl", err);
    }
    if (rc == 0) {
        ec.events = &ev;
        ec.counts = out;
        ec.progress = progress;
        ec.progress_arg = progress_arg;
        ec.total = st.positions + st.pending;
        rc = plaint_ledger_read_all(db, from_checkpoint > 0 ? cc.from_size : 0, write_event, &ec,
                                    err);
    }
    if (rc == 0) {
        rc = file_open(&key, dir, "pubkey.pem", err);
    }
    if (rc == 0) {
        rc = plaint_ledger_read_keys(db, write_key, &key, err);
    }
    if (tx) {
        plaint_db_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL);
    }
    out->checkpoints = cc.count;
    if (rc == 0) {
        rc = file_close(&ev, hev, err);
    }
    if (rc == 0) {
        rc = file_close(&cps, hcp, err);
    }
    if (rc == 0) {
        rc = file_close(&key, hkey, err);
    }
    if (rc == 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        rc = plaint_time_format(ts, (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000, err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(
            &m, err,
            "{\"counts\":{\"checkpoints\":%lld,\"events\":%lld,\"positioned\":%lld,"
            "\"unsequenced\":%lld},\"created\":\"%s\",\"files\":{\"checkpoints.jsonl\":{\"bytes\":%lld,"
            "\"sha256\":\"%s\"},\"events.jsonl\":{\"bytes\":%lld,\"sha256\":\"%s\"},"
            "\"pubkey.pem\":{\"bytes\":%lld,\"sha256\":\"%s\"}},\"format\":\"%s\","
            "\"from_checkpoint\":%lld}\n",
            (long long)out->checkpoints, (long long)out->events, (long long)out->positioned,
            (long long)out->unsequenced, ts, (long long)cps.bytes, hcp, (long long)ev.bytes, hev,
            (long long)key.bytes, hkey, PLAINT_BUNDLE_FORMAT, (long long)from_checkpoint);
    }
    if (rc == 0) {
        rc = file_open(&man, dir, "manifest.json", err);
    }
    if (rc == 0) {
        rc = file_write(&man, m.data, m.len, err);
    }
    if (rc == 0) {
        rc = file_close(&man, NULL, err);
    }
    /* Rename into place, the manifest last: a directory with a manifest holds a whole bundle. */
    if (rc == 0 && (rename(ev.tmp, ev.final) != 0 || rename(cps.tmp, cps.final) != 0 ||
                    rename(key.tmp, key.final) != 0 || rename(man.tmp, man.final) != 0)) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot rename bundle files in %s: %s", dir,
                              strerror(errno));
    }
    if (rc < 0) {
        file_discard(&ev);
        file_discard(&cps);
        file_discard(&key);
        file_discard(&man);
    } else {
        plaint_sha256_clear(&ev.sha);
        plaint_sha256_clear(&cps.sha);
        plaint_sha256_clear(&key.sha);
        plaint_sha256_clear(&man.sha);
    }
    plaint_buf_clear(&ec.line);
    plaint_buf_clear(&cc.line);
    plaint_buf_clear(&m);
    return rc;
}
