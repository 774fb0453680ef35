/* The background workers of `plaint serve` (plaint/app_serve_workers.h, docs/email.md): the
 * outbox dispatcher on a timer and the maildir watcher. Each is a thread with its own plaint_app
 * connection; a database error closes it and the next round opens a new one. A stop request
 * wakes the thread from its wait at once; the message in progress is finished first. */
#include "plaint/app_serve_workers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "net/smtp_message.h"
#include "plaint/app_auth.h"
#include "plaint/app_complaint.h"
#include "plaint/complaint_store.h"
#include "plaint/db.h"
#include "plaint/email.h"

#define DIR_MAX   (PATH_MAX - 64) /* room for "/.failed/new/" and a name */
#define NAME_MAX_ 255
#define MAILDIR_BATCH 1000 /* messages handled per scan; the rest at the next one */
#define MAILDIR_SCAN_MAX 100000 /* names read per scan to find the oldest */

/* A message held by another watcher (same Message-ID or file name) is skipped. */
static const char *const SQL_TRY_LOCK =
    "SELECT pg_try_advisory_lock(hashtextextended('maildir:' || $1, 7))::int";
static const char *const SQL_UNLOCK =
    "SELECT pg_advisory_unlock(hashtextextended('maildir:' || $1, 7))::int";
static const char *const SQL_IMPORTED =
    "SELECT COALESCE(to_jsonb(min(ref)), 'null') FROM plaint.complaint"
    " WHERE source_system = 'email' AND source_id = $1";

/* One worker's connection and policies. */
typedef struct wctx {
    plaint_db *db;
    plaint_authz *az;
    plaint_handling *h; /* the watcher only */
    plaint_actor actor;
} wctx;

struct plaint_serve_workers {
    const plaint_config *cfg;
    const plaint_serve_workers_options *o;
    const char *ox_token; /* o->outbox_token, or ox_tokbuf */
    const char *mx_token;
    char ox_tokbuf[512];
    char mx_tokbuf[512];
    plaint_outbox_send_opts send;
    int64_t outbox_interval;
    int64_t maildir_interval;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int stop; /* set under mu (with the condition variable); read by the dispatcher */
    int failed; /* workers that gave up; under mu */
    pthread_t outbox_th;
    pthread_t maildir_th;
    int outbox_on;
    int maildir_on;
    wctx ox; /* the dispatcher's */
    wctx mx; /* the watcher's */
    char newdir[PATH_MAX];
    char curdir[PATH_MAX];
    char faildir[PATH_MAX]; /* DIR/.failed/new */
};

static void ctx_close(wctx *x)
{
    plaint_handling_free(x->h);
    plaint_authz_free(x->az);
    plaint_db_close(x->db);
    memset(x, 0, sizeof(*x));
}

static int ctx_open(wctx *x, const plaint_config *cfg, int handling, plaint_error *err)
{
    int rc;

    memset(x, 0, sizeof(*x));
    rc = plaint_db_open(&x->db, cfg, PLAINT_DB_APP, err);
    if (rc == 0) {
        rc = plaint_authz_open(&x->az, cfg, err);
    }
    if (rc == 0 && handling) {
        rc = plaint_handling_open(&x->h, cfg, err);
    }
    if (rc != 0) {
        ctx_close(x);
    }
    return rc;
}

/* Authenticates the worker's token; with action, also checks it (NULL: the use case does). */
static int ctx_auth(wctx *x, const char *token, const char *action, plaint_error *err)
{
    int rc = plaint_authn(&x->actor, x->db, token, err);

    if (rc == 0 && action != NULL) {
        rc = plaint_authz_require(x->az, x->db, &x->actor, action, NULL, err);
    }
    return rc;
}

/* Waits up to seconds or until a stop request; returns 1 when stopping. */
static int wait_or_stop(plaint_serve_workers *w, int64_t seconds)
{
    struct timespec until;
    int stopping;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)seconds;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT) {
            break;
        }
    }
    stopping = w->stop != 0;
    pthread_mutex_unlock(&w->mu);
    return stopping;
}

static int stopping(plaint_serve_workers *w)
{
    int s;

    pthread_mutex_lock(&w->mu);
    s = w->stop != 0;
    pthread_mutex_unlock(&w->mu);
    return s;
}

static void give_up(plaint_serve_workers *w, const char *who, const plaint_error *err)
{
    fprintf(stderr, "plaint serve: %s: stopped: %s\n", who, err->message);
    pthread_mutex_lock(&w->mu);
    w->failed++;
    pthread_mutex_unlock(&w->mu);
}

/* ---- the outbox dispatcher ---- */

static void report_outcome(const plaint_outbox_outcome *o, void *arg)
{
    (void)arg;
    if (strcmp(o->result, "sent") == 0) {
        fprintf(stderr, "plaint serve: outbox: sent %s (%s, attempt %lld)\n", o->message, o->kind,
                (long long)o->attempt);
    } else if (strcmp(o->result, "failed") == 0 && o->final) {
        fprintf(stderr, "plaint serve: outbox: failed %s (%s, attempt %lld, final): %s\n",
                o->message, o->kind, (long long)o->attempt, o->error);
    } else if (strcmp(o->result, "failed") == 0) {
        fprintf(stderr, "plaint serve: outbox: failed %s (%s, attempt %lld, retry in %llds): %s\n",
                o->message, o->kind, (long long)o->attempt, (long long)o->retry_in, o->error);
    } else {
        fprintf(stderr,
                "plaint serve: outbox: skipped %s (%s): claimed by another dispatcher or changed "
                "meanwhile\n",
                o->message, o->kind);
    }
}

static void *outbox_main(void *arg)
{
    plaint_serve_workers *w = arg;
    size_t full = (size_t)(w->send.limit > 0 ? w->send.limit : PLAINT_OUTBOX_DEFAULT_LIMIT);
    plaint_outbox_totals t;
    plaint_error err;
    int rc;

    while (!stopping(w)) {
        plaint_error_init(&err);
        rc = 0;
        if (w->ox.db == NULL) {
            rc = ctx_open(&w->ox, w->cfg, 0, &err);
        }
        if (rc == 0) {
            /* every run: a revoked token or a withdrawn role takes effect */
            rc = ctx_auth(&w->ox, w->ox_token, "outbox.send", &err);
        }
        if (rc == PLAINT_EDENIED || rc == PLAINT_EINVALID) {
            give_up(w, "outbox", &err);
            break;
        }
        if (rc == 0) {
            rc = plaint_app_outbox_send(&t, w->ox.db, &w->ox.actor, w->cfg, &w->send,
                                        report_outcome, NULL, &err);
        }
        if (rc != 0) {
            fprintf(stderr, "plaint serve: outbox: error (next run in %llds): %s\n",
                    (long long)w->outbox_interval, err.message);
            ctx_close(&w->ox); /* a new connection for the next run */
        } else if (t.sent + t.failed + t.skipped > 0) {
            fprintf(stderr, "plaint serve: outbox: %zu sent, %zu failed, %zu skipped\n", t.sent,
                    t.failed, t.skipped);
        }
        /* a full run may leave more due messages: go on at once */
        if (rc == 0 && t.sent + t.failed + t.skipped >= full && t.skipped == 0) {
            continue;
        }
        if (wait_or_stop(w, w->outbox_interval)) {
            break;
        }
    }
    ctx_close(&w->ox);
    return NULL;
}

/* ---- the maildir watcher ---- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files in DIR/new that are not hidden, sorted by name (maildir names begin with the
 * time of delivery), the first MAILDIR_BATCH of them: every name is read (up to MAILDIR_SCAN_MAX)
 * before sorting, so the oldest come first whatever the directory order, and directories, links
 * and other non-files never take a place in the batch. */
static int list_new(char ***out, size_t *n, const plaint_serve_workers *w, plaint_error *err)
{
    DIR *d = opendir(w->newdir);
    struct dirent *de;
    char **names = NULL;
    size_t len = 0;
    size_t cap = 0;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (d == NULL) {
        return plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                "cannot read %s: %s", w->newdir, strerror(errno));
    }
    while (len < MAILDIR_SCAN_MAX && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strlen(de->d_name) > NAME_MAX_ - 16) {
            continue;
        }
        if (de->d_type != DT_REG) {
            char path[PATH_MAX];
            struct stat st;
            if (de->d_type != DT_UNKNOWN ||
                snprintf(path, sizeof(path), "%s/%s", w->newdir, de->d_name) >= (int)sizeof(path) ||
                lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
                continue;
            }
        }
        if (len == cap) {
            char **more = realloc(names, (cap = cap * 2 + 64) * sizeof(*names));
            if (more == NULL) {
                rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
                break;
            }
            names = more;
        }
        names[len] = strdup(de->d_name);
        if (names[len] == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
            break;
        }
        len++;
    }
    closedir(d);
    if (rc != 0) {
        while (len > 0) {
            free(names[--len]);
        }
        free(names);
        return rc;
    }
    if (len > 0) {
        qsort(names, len, sizeof(*names), cmp_names);
    }
    while (len > MAILDIR_BATCH) {
        free(names[--len]);
    }
    *out = names;
    *n = len;
    return 0;
}

/* name with control bytes shown as '?', for the log (a file name may hold a newline). */
static const char *printable(char *out, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i + 1 < n && name[i] != '\0'; i++) {
        unsigned char c = (unsigned char)name[i];
        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[i] = '\0';
    return out;
}

/* Moves src into dir as base + suffix without ever replacing a file there: a name taken is
 * tried again as base.N + suffix. A hard link then unlink (a crash in between leaves the
 * message in both places, never in none); rename where the file system has no hard links. */
static int move_into(char *dst, size_t ndst, const char *src, const char *dir, const char *base,
                     const char *suffix, plaint_error *err)
{
    struct stat st;
    int i;

    for (i = 0; i < 1000; i++) {
        int n = i == 0 ? snprintf(dst, ndst, "%s/%s%s", dir, base, suffix)
                       : snprintf(dst, ndst, "%s/%s.%d%s", dir, base, i, suffix);

        if (n < 0 || (size_t)n >= ndst) {
            return plaint_error_set(err, PLAINT_EIO, "%s/%s: path too long", dir, base);
        }
        if (link(src, dst) == 0) {
            if (unlink(src) != 0) {
                return plaint_error_set(err, PLAINT_EIO,
                                        "cannot remove %s after linking it to %s: %s", src, dst,
                                        strerror(errno));
            }
            return 0;
        }
        if (errno == EEXIST) {
            continue;
        }
        if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != EMLINK) {
            return plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                    "cannot move %s to %s: %s", src, dst, strerror(errno));
        }
        if (lstat(dst, &st) == 0) {
            continue;
        }
        if (rename(src, dst) == 0) {
            return 0;
        }
        return plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                "cannot move %s to %s: %s", src, dst, strerror(errno));
    }
    return plaint_error_set(err, PLAINT_EIO, "%s: no free name for %s", dir, base);
}

/* new/NAME -> cur/NAME:2,S (the maildir convention for a message read: flag S, "seen"). */
/* Returns 0, or -1 when the message could not be moved: it stays in new/, and since it is
 * imported already the watcher must stop rather than import it again at the next scan. */
static int move_done(const plaint_serve_workers *w, const char *src, const char *name)
{
    char base[NAME_MAX_ + 1];
    char dst[PATH_MAX];
    char shown[NAME_MAX_ + 1];
    const char *colon = strchr(name, ':');
    plaint_error err;

    plaint_error_init(&err);
    snprintf(base, sizeof(base), "%.*s", (int)(colon != NULL ? colon - name : (long)strlen(name)),
             name);
    if (move_into(dst, sizeof(dst), src, w->curdir, base, ":2,S", &err) != 0) {
        fprintf(stderr, "plaint serve: maildir: %s: imported, but %s: the maildir watcher stops "
                        "(move the file out of new/ by hand, then restart)\n",
                printable(shown, sizeof(shown), name), err.message);
        return -1;
    }
    return 0;
}

/* new/NAME -> .failed/new/NAME, with the reason on stderr. */
static void move_failed(const plaint_serve_workers *w, const char *src, const char *name,
                        const char *why)
{
    char dst[PATH_MAX];
    plaint_error err;

    plaint_error_init(&err);
    char shown[NAME_MAX_ + 1];

    printable(shown, sizeof(shown), name);
    if (move_into(dst, sizeof(dst), src, w->faildir, name, "", &err) != 0) {
        fprintf(stderr, "plaint serve: maildir: %s: not imported (%s); cannot set it aside: %s\n",
                shown, why, err.message);
        return;
    }
    fprintf(stderr, "plaint serve: maildir: %s: not imported, moved to %s: %s\n", shown,
            printable(dst, sizeof(dst), dst), why);
}

enum { NEXT = 0, RETRY_LATER = 1, GIVE_UP = 2 };

/* The complaint an e-mail with this Message-ID became, into ref ("" if none). */
static int imported_as(char ref[32], plaint_db *db, const char *message_id, plaint_error *err)
{
    const char *params[1] = {message_id};
    json_t *v = NULL;
    int rc = plaint_pg_query_json(&v, db, SQL_IMPORTED, 1, params, err);

    ref[0] = '\0';
    if (rc == 0 && json_is_string(v)) {
        snprintf(ref, 32, "%s", json_string_value(v));
    }
    json_decref(v);
    return rc;
}

/* Imports new/NAME under an advisory lock on its Message-ID (else its name) and moves it. The
 * file is opened once (no links followed, no waiting on a FIFO) and both the parse and the import
 * read that open file through /proc/self/fd, so a name swapped meanwhile for a link to a file
 * elsewhere is never read. */
static int import_one(plaint_serve_workers *w, const char *name, plaint_error *err)
{
    char src[PATH_MAX];
    char via[64];
    char shown[NAME_MAX_ + 1];
    char ref[32] = "";
    char dup[32] = "";
    plaint_email *e = NULL;
    struct stat st;
    const char *key;
    const char *params[1];
    int64_t locked = 0;
    int is_new = 0;
    int result = NEXT;
    int fd;
    int rc;

    printable(shown, sizeof(shown), name);
    if (snprintf(src, sizeof(src), "%s/%s", w->newdir, name) >= (int)sizeof(src)) {
        return NEXT;
    }
    fd = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        if (fd >= 0) {
            close(fd);
        }
        return NEXT; /* gone (another watcher), or not a message file of its own: left alone */
    }
    snprintf(via, sizeof(via), "/proc/self/fd/%d", fd);
    rc = plaint_email_parse_file(&e, via, err);
    if (rc == PLAINT_EINVALID || rc == PLAINT_ERANGE) {
        close(fd);
        move_failed(w, src, name, err->message);
        return NEXT;
    }
    if (rc != 0) {
        close(fd);
        if (rc != PLAINT_ENOTFOUND) {
            fprintf(stderr, "plaint serve: maildir: %s: %s (tried again at the next scan)\n", shown,
                    err->message);
        }
        return NEXT;
    }
    key = e->message_id[0] != '\0' ? e->message_id : name;
    params[0] = key;
    rc = plaint_pg_query_int(&locked, w->mx.db, SQL_TRY_LOCK, 1, params, err);
    if (rc != 0) {
        plaint_email_free(e);
        close(fd);
        return RETRY_LATER;
    }
    if (locked != 1) {
        plaint_email_free(e); /* another watcher has it */
        close(fd);
        return NEXT;
    }
    if (access(src, F_OK) != 0) {
        /* another watcher had it and moved it before we took the lock */
        result = NEXT;
        goto unlock;
    }
    rc = plaint_app_import_email(ref, &is_new, w->mx.db, w->mx.az, &w->mx.actor, w->mx.h, via,
                                 err);
    if (rc == 0) {
        fprintf(stderr, "plaint serve: maildir: %s: %s %s\n", shown, ref,
                is_new ? "(new complaint)" : "(correspondence added)");
        if (move_done(w, src, name) != 0) {
            plaint_error_set(err, PLAINT_EIO, "%s was imported but cannot leave new/", shown);
            result = GIVE_UP;
        }
    } else if (rc == PLAINT_EINVALID || rc == PLAINT_ERANGE) {
        plaint_error keep = *err;

        /* the same Message-ID again (a copy, or a crash before the move): done already */
        if (e->message_id[0] != '\0' && imported_as(dup, w->mx.db, e->message_id, err) != 0) {
            result = RETRY_LATER;
        } else if (dup[0] != '\0') {
            fprintf(stderr, "plaint serve: maildir: %s: message <%s> was imported already as %s\n",
                    shown, e->message_id, dup);
            if (move_done(w, src, name) != 0) {
                plaint_error_set(err, PLAINT_EIO, "%s was imported but cannot leave new/", shown);
                result = GIVE_UP;
            }
        } else {
            move_failed(w, src, name, keep.message);
        }
    } else if (rc == PLAINT_EDENIED) {
        result = GIVE_UP; /* left in new/ for when the token is fixed */
    } else if (rc != PLAINT_ENOTFOUND || access(src, F_OK) == 0) {
        /* left in new/; a database error also closes the connection */
        fprintf(stderr, "plaint serve: maildir: %s: %s (tried again at the next scan)\n", shown,
                err->message);
        result = rc == PLAINT_EDB ? RETRY_LATER : NEXT;
    }
unlock:
    if (result != RETRY_LATER) {
        plaint_error uerr;

        plaint_error_init(&uerr);
        if (plaint_pg_query_int(&locked, w->mx.db, SQL_UNLOCK, 1, params, &uerr) != 0) {
            *err = uerr;
            result = result == GIVE_UP ? GIVE_UP : RETRY_LATER;
        }
    }
    plaint_email_free(e);
    close(fd);
    return result;
}

static void *maildir_main(void *arg)
{
    plaint_serve_workers *w = arg;
    plaint_error err;
    char **names = NULL;
    size_t n = 0;
    size_t i;
    int rc;

    while (!stopping(w)) {
        plaint_error_init(&err);
        rc = list_new(&names, &n, w, &err);
        if (rc == PLAINT_ENOTFOUND) {
            give_up(w, "maildir", &err);
            break;
        }
        if (rc == 0 && n > 0 && w->mx.db == NULL) {
            rc = ctx_open(&w->mx, w->cfg, 1, &err);
        }
        if (rc == 0 && n > 0) {
            rc = ctx_auth(&w->mx, w->mx_token, NULL, &err);
        }
        for (i = 0; rc == 0 && i < n && !stopping(w); i++) {
            int r = import_one(w, names[i], &err);

            if (r == GIVE_UP) {
                rc = PLAINT_EDENIED;
            } else if (r == RETRY_LATER) {
                rc = err.code != 0 ? err.code : PLAINT_EDB;
            }
        }
        for (i = 0; i < n; i++) {
            free(names[i]);
        }
        free(names);
        names = NULL;
        if (rc == PLAINT_EDENIED) {
            give_up(w, "maildir", &err);
            break;
        }
        if (rc != 0) {
            fprintf(stderr, "plaint serve: maildir: error (next scan in %llds): %s\n",
                    (long long)w->maildir_interval, err.message);
            ctx_close(&w->mx);
        }
        if (wait_or_stop(w, w->maildir_interval)) {
            break;
        }
    }
    ctx_close(&w->mx);
    return NULL;
}

/* ---- start and stop ---- */

static int make_dir(const char *path, plaint_error *err)
{
    struct stat st;

    if (mkdir(path, 0700) == 0 ||
        (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
        return 0;
    }
    return plaint_error_set_at(err, PLAINT_EIO, "maildir", 0, 0, "maildir: cannot create %s: %s",
                               path, errno == EEXIST ? "not a directory" : strerror(errno));
}

static int prepare_maildir(plaint_serve_workers *w, const char *dir, plaint_error *err)
{
    static const char *const SUB[] = {".failed", ".failed/new", ".failed/cur", ".failed/tmp"};
    char p[PATH_MAX];
    struct stat st;
    size_t i;
    int rc;

    if (dir[0] == '\0' || strlen(dir) > DIR_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "maildir", 0, 0,
                                   "maildir: empty or too long directory name");
    }
    snprintf(w->newdir, sizeof(w->newdir), "%s/new", dir);
    snprintf(w->curdir, sizeof(w->curdir), "%s/cur", dir);
    snprintf(w->faildir, sizeof(w->faildir), "%s/.failed/new", dir);
    if (stat(w->newdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return plaint_error_set_at(err, PLAINT_ENOTFOUND, "maildir", 0, 0,
                                   "maildir: %s is not a maildir (no directory %s)", dir,
                                   w->newdir);
    }
    if (access(w->newdir, R_OK | W_OK | X_OK) != 0) {
        return plaint_error_set_at(err, PLAINT_EIO, "maildir", 0, 0, "maildir: %s: %s",
                                   w->newdir, strerror(errno));
    }
    rc = make_dir(w->curdir, err);
    for (i = 0; rc == 0 && i < sizeof(SUB) / sizeof(SUB[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, SUB[i]);
        rc = make_dir(p, err);
    }
    return rc;
}

/* The first line of the token file, blanks around it removed, into buf (n bytes). */
static int read_token(char *buf, size_t n, const char *path, const char *field, plaint_error *err)
{
    struct stat st;
    /* no waiting on a FIFO, no link followed: checked on what was opened */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    FILE *f = NULL;
    char *s;
    size_t len;
    int rc = 0;

    buf[0] = '\0';
    if (fd < 0) {
        return plaint_error_set_at(err, PLAINT_EIO, field, 0, 0, "%s: cannot open %s: %s", field,
                                   path, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                 "%s: %s is not a regular file", field, path);
    } else if ((st.st_mode & 077) != 0) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                 "%s: %s is open to group or others (mode %03o); chmod 600 it",
                                 field, path, (unsigned)(st.st_mode & 0777));
    } else if (st.st_uid != geteuid()) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                 "%s: %s belongs to another user (uid %u); the service's own user "
                                 "must own it",
                                 field, path, (unsigned)st.st_uid);
    } else if ((f = fdopen(fd, "r")) == NULL) {
        rc = plaint_error_set_at(err, PLAINT_EIO, field, 0, 0, "%s: cannot read %s: %s", field,
                                 path, strerror(errno));
    } else {
        fd = -1; /* f owns it */
        if (fgets(buf, (int)n, f) == NULL) {
            buf[0] = '\0';
        } else if (strchr(buf, '\n') == NULL && !feof(f)) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                     "%s: the first line of %s is longer than %zu bytes", field,
                                     path, n - 2);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    if (fd >= 0) {
        close(fd);
    }
    if (rc != 0) {
        OPENSSL_cleanse(buf, n);
        return rc;
    }
    s = buf;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    len = strcspn(s, " \t\r\n");
    memmove(buf, s, len);
    buf[len] = '\0';
    if (len == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "%s: %s holds no token on its first line", field, path);
    }
    return 0;
}

int plaint_serve_workers_start(plaint_serve_workers **out, const plaint_config *cfg,
                               const plaint_serve_workers_options *o, plaint_error *err)
{
    plaint_serve_workers *w = calloc(1, sizeof(*w));
    pthread_condattr_t ca;
    int rc = 0;

    *out = NULL;
    if (w == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    w->cfg = cfg;
    w->o = o;
    w->ox_token = o->outbox_token;
    w->mx_token = o->maildir_token;
    w->send = o->send;
    w->send.stop = &w->stop;
    w->outbox_interval = o->outbox_interval > 0 ? o->outbox_interval : PLAINT_SERVE_OUTBOX_INTERVAL;
    w->maildir_interval =
        o->maildir_interval > 0 ? o->maildir_interval : PLAINT_SERVE_MAILDIR_INTERVAL;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (o->outbox && o->outbox_token_file != NULL) {
        rc = read_token(w->ox_tokbuf, sizeof(w->ox_tokbuf), o->outbox_token_file,
                        "outbox-token-file", err);
        w->ox_token = w->ox_tokbuf;
    }
    if (rc == 0 && o->maildir != NULL && o->maildir_token_file != NULL) {
        rc = read_token(w->mx_tokbuf, sizeof(w->mx_tokbuf), o->maildir_token_file,
                        "maildir-token-file", err);
        w->mx_token = w->mx_tokbuf;
    }
    if (rc == 0 && o->outbox) {
        rc = plaint_app_outbox_check_server(&w->send, err);
        if (rc == 0) {
            rc = ctx_open(&w->ox, cfg, 0, err);
        }
        if (rc == 0) {
            rc = ctx_auth(&w->ox, w->ox_token, "outbox.send", err);
        }
    }
    if (rc == 0 && o->maildir != NULL) {
        rc = prepare_maildir(w, o->maildir, err);
        if (rc == 0) {
            rc = ctx_open(&w->mx, cfg, 1, err);
        }
        if (rc == 0) {
            rc = ctx_auth(&w->mx, w->mx_token, "complaint.create", err);
        }
    }
    if (rc == 0 && o->outbox) {
        if (pthread_create(&w->outbox_th, NULL, outbox_main, w) != 0) {
            rc = plaint_error_set(err, PLAINT_ERROR, "cannot start the outbox worker thread");
        } else {
            w->outbox_on = 1;
        }
    }
    if (rc == 0 && o->maildir != NULL) {
        if (pthread_create(&w->maildir_th, NULL, maildir_main, w) != 0) {
            rc = plaint_error_set(err, PLAINT_ERROR, "cannot start the maildir worker thread");
        } else {
            w->maildir_on = 1;
        }
    }
    if (rc != 0) {
        plaint_serve_workers_stop(w);
        return rc;
    }
    *out = w;
    return 0;
}

void plaint_serve_workers_signal(plaint_serve_workers *w)
{
    if (w == NULL) {
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int plaint_serve_workers_stop(plaint_serve_workers *w)
{
    int failed;

    if (w == NULL) {
        return 0;
    }
    plaint_serve_workers_signal(w);
    if (w->outbox_on) {
        pthread_join(w->outbox_th, NULL);
    }
    if (w->maildir_on) {
        pthread_join(w->maildir_th, NULL);
    }
    /* the threads close their own; these are left only when a start failed */
    ctx_close(&w->ox);
    ctx_close(&w->mx);
    failed = w->failed;
    OPENSSL_cleanse(w->ox_tokbuf, sizeof(w->ox_tokbuf));
    OPENSSL_cleanse(w->mx_tokbuf, sizeof(w->mx_tokbuf));
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return failed;
}
