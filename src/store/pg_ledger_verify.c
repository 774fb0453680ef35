/* Feeding the verifier from the live database without a join: positions (small rows) and events
 * (in id order) stream through two cursors on two connections sharing one REPEATABLE READ
 * snapshot, each fetching its next batch while the current one is verified, and are merged here.
 * Positions follow event ids except for events that committed late, which wait in a small
 * id-ordered stash; memory is bounded by that disorder and the pending queue, not by the number
 * of events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/ledger.h"
#include "store/pg_internal.h"
#include "store/pg_util.h"


static const char *const SQL_POSITIONS =
    "COPY (SELECT position, event_id, event_hash FROM plaint.ledger_position ORDER BY position) "
    "TO STDOUT (FORMAT binary)";
static const char *const SQL_EVENTS =
    "COPY (SELECT id, case_id, case_seq, event_type, actor, actor_role, occurred_at, payload, "
    "prev_hash, hash FROM plaint.ledger_event ORDER BY id) TO STDOUT (FORMAT binary)";

/* An event copied out of its result (strings in one block). */
typedef struct owned_event {
    int64_t id;
    int taken;
    plaint_event ev;
    unsigned char hash[PLAINT_HASH_LEN];
    char *block;
} owned_event;

/* One binary COPY stream (PostgreSQL's documented COPY BINARY format: an 11-byte signature,
 * flags and header extension, then per row an int16 field count and per field an int32 length,
 * -1 for NULL, and the value in the type's binary send format; a field count of -1 ends it).
 * libpq delivers one row per PQgetCopyData call; this decodes it in place. */
#define MAX_FIELDS 12
typedef struct stream {
    PGconn *conn;
    char *buf; /* current row message, from PQgetCopyData */
    int done;
    int header_seen;
    int nfields;
    const char *val[MAX_FIELDS];
    int len[MAX_FIELDS];
} stream;

static uint32_t rd32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int64_t rd64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (int64_t)(((uint64_t)rd32(u) << 32) | rd32(u + 4));
}

static int stream_start(stream *st, PGconn *conn, const char *sql, plaint_error *err)
{
    PGresult *res = PQexec(conn, sql);
    int rc = 0;

    memset(st, 0, sizeof(*st));
    st->conn = conn;
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        rc = plaint_pg_fail(err, conn, res, "read the ledger");
    }
    PQclear(res);
    return rc;
}

/* Reads and decodes the next row; st->done at the end of the data. */
static int stream_next(stream *st, plaint_error *err)
{
    const unsigned char *p;
    const unsigned char *end;
    int n;
    int i;

    if (st->done) {
        return 0;
    }
    PQfreemem(st->buf);
    st->buf = NULL;
    n = PQgetCopyData(st->conn, &st->buf, 0);
    if (n == -1) {
        PGresult *res = PQgetResult(st->conn);
        int rc = plaint_pg_check(st->conn, res, "read the ledger", err);
        PQclear(res);
        for (;;) {
            res = PQgetResult(st->conn);
            if (res == NULL) {
                break;
            }
            PQclear(res);
        }
        st->done = 1;
        return rc;
    }
    if (n < 0) {
        return plaint_pg_fail(err, st->conn, NULL, "read the ledger");
    }
    p = (const unsigned char *)st->buf;
    end = p + n;
    if (!st->header_seen) {
        uint32_t ext;
        if (n < 19 || memcmp(p, "PGCOPY\n\377\r\n\0", 11) != 0) {
            return plaint_error_set(err, PLAINT_EDB, "unexpected COPY header");
        }
        ext = rd32(p + 15);
        if (ext > (uint32_t)(n - 19)) {
            return plaint_error_set(err, PLAINT_EDB, "bad COPY header extension");
        }
        p += 19 + ext;
        st->header_seen = 1;
    }
    if (end - p < 2) {
        return plaint_error_set(err, PLAINT_EDB, "truncated COPY row");
    }
    st->nfields = (int16_t)((p[0] << 8) | p[1]);
    p += 2;
    if (st->nfields == -1) {
        /* trailer; the next call sees the end of the COPY */
        return stream_next(st, err);
    }
    if (st->nfields < 0 || st->nfields > MAX_FIELDS) {
        return plaint_error_set(err, PLAINT_EDB, "unexpected COPY field count %d", st->nfields);
    }
    for (i = 0; i < st->nfields; i++) {
        int32_t l;
        if (end - p < 4) {
            return plaint_error_set(err, PLAINT_EDB, "truncated COPY row");
        }
        l = (int32_t)rd32(p);
        p += 4;
        if (l < -1 || (l > 0 && end - p < l)) {
            return plaint_error_set(err, PLAINT_EDB, "truncated COPY field");
        }
        st->val[i] = l < 0 ? NULL : (const char *)p;
        st->len[i] = l;
        if (l > 0) {
            p += l;
        }
    }
    return 0;
}

static void stream_abandon(stream *st)
{
    PGresult *res;

    PQfreemem(st->buf);
    st->buf = NULL;
    if (st->conn != NULL && !st->done) {
        /* drain the rest so the connection can end its transaction */
        for (;;) {
            char *b = NULL;
            int n = PQgetCopyData(st->conn, &b, 0);
            PQfreemem(b);
            if (n < 0) {
                break;
            }
        }
        for (;;) {
            res = PQgetResult(st->conn);
            if (res == NULL) {
                break;
            }
            PQclear(res);
        }
        st->done = 1;
    }
}

typedef struct merge {
    plaint_verifier *v;
    stream pos;
    stream evs;
    owned_event *stash;
    size_t nstash;
    size_t cap;
    size_t first_live; /* stash entries before this are all taken */
    int64_t *pending;  /* sorted event ids of the pending queue */
    size_t npending;
    int64_t done;
    int64_t total;
    int64_t requeued_position; /* first positioned event also in the pending queue, or -1 */
    char requeued_case[201];
    int64_t requeued_seq;
    plaint_progress_fn progress;
    void *progress_arg;
} merge;

static int hash_field(unsigned char out[PLAINT_HASH_LEN], const stream *st, int i,
                      plaint_error *err)
{
    if (st->val[i] == NULL || st->len[i] != PLAINT_HASH_LEN) {
        return plaint_error_set(err, PLAINT_EDB, "expected a 32-byte hash");
    }
    memcpy(out, st->val[i], PLAINT_HASH_LEN);
    return 0;
}

static int64_t int8_field(const stream *st, int i)
{
    return st->val[i] != NULL && st->len[i] == 8 ? rd64(st->val[i]) : 0;
}

static int decode_event(plaint_event *ev, unsigned char hash[PLAINT_HASH_LEN], int64_t *id,
                        const stream *st, plaint_error *err)
{
    int i;
    int rc;

    memset(ev, 0, sizeof(*ev));
    if (st->nfields != 10) {
        return plaint_error_set(err, PLAINT_EDB, "unexpected event row");
    }
    for (i = 1; i < 8; i++) {
        if (st->val[i] == NULL) {
            return plaint_error_set(err, PLAINT_EDB, "NULL in an event row");
        }
    }
    *id = int8_field(st, 0);
    ev->case_id = st->val[1];
    ev->case_id_len = (size_t)st->len[1];
    ev->case_seq = int8_field(st, 2);
    ev->type = st->val[3];
    ev->type_len = (size_t)st->len[3];
    ev->actor = st->val[4];
    ev->actor_len = (size_t)st->len[4];
    ev->role = st->val[5];
    ev->role_len = (size_t)st->len[5];
    ev->time_us = plaint_pg_time_to_unix_us(int8_field(st, 6));
    ev->payload = st->val[7];
    ev->payload_len = (size_t)st->len[7];
    rc = hash_field(ev->prev_hash, st, 8, err);
    if (rc == 0) {
        rc = hash_field(hash, st, 9, err);
    }
    return rc;
}

static char *copy_str(char **dst, const char *src, size_t len)
{
    memcpy(*dst, src, len);
    *dst += len;
    return *dst - len;
}

/* Copies the events cursor's current row into the stash (ids arrive in increasing order). */
static int stash_current(merge *m, plaint_error *err)
{
    owned_event *o;
    plaint_event ev;
    unsigned char hash[PLAINT_HASH_LEN];
    int64_t id;
    char *p;
    int rc = decode_event(&ev, hash, &id, &m->evs, err);

    if (rc < 0) {
        return rc;
    }
    if (m->nstash == m->cap) {
        size_t ncap = m->cap == 0 ? 64 : m->cap * 2;
        owned_event *n = realloc(m->stash, ncap * sizeof(*n));
        if (n == NULL) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        m->stash = n;
        m->cap = ncap;
    }
    o = &m->stash[m->nstash];
    memset(o, 0, sizeof(*o));
    o->block = malloc(ev.case_id_len + ev.type_len + ev.actor_len + ev.role_len +
                      ev.payload_len + 1);
    if (o->block == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    p = o->block;
    o->id = id;
    o->ev = ev;
    o->ev.case_id = copy_str(&p, ev.case_id, ev.case_id_len);
    o->ev.type = copy_str(&p, ev.type, ev.type_len);
    o->ev.actor = copy_str(&p, ev.actor, ev.actor_len);
    o->ev.role = copy_str(&p, ev.role, ev.role_len);
    o->ev.payload = copy_str(&p, ev.payload, ev.payload_len);
    memcpy(o->hash, hash, PLAINT_HASH_LEN);
    m->nstash++;
    return 0;
}

static owned_event *stash_find(merge *m, int64_t id)
{
    size_t lo = m->first_live;
    size_t hi = m->nstash;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->stash[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < m->nstash && m->stash[lo].id == id && !m->stash[lo].taken) {
        return &m->stash[lo];
    }
    return NULL;
}

static void stash_take(merge *m, owned_event *o)
{
    o->taken = 1;
    free(o->block);
    o->block = NULL;
    while (m->first_live < m->nstash && m->stash[m->first_live].taken) {
        m->first_live++;
    }
    if (m->first_live == m->nstash) {
        m->first_live = 0;
        m->nstash = 0;
    }
}

static void tick(merge *m)
{
    m->done++;
    if (m->progress != NULL && (m->done & 0x3fff) == 0) {
        m->progress(m->done, m->total, m->progress_arg);
    }
}

static int is_pending(const merge *m, int64_t id)
{
    size_t lo = 0;
    size_t hi = m->npending;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->pending[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < m->npending && m->pending[lo] == id;
}

/* The positioned pass: each position's event comes from the stash or the events cursor. */
static int positioned(merge *m, plaint_error *err)
{
    int rc = stream_next(&m->pos, err);

    if (rc == 0) {
        rc = stream_next(&m->evs, err);
    }
    while (rc == 0 && !m->pos.done) {
        int64_t position = int8_field(&m->pos, 0);
        int64_t want = int8_field(&m->pos, 1);
        const unsigned char *poshash = (const unsigned char *)m->pos.val[2];
        owned_event *o;

        if (m->pos.nfields != 3 || m->pos.len[2] != PLAINT_HASH_LEN) {
            return plaint_error_set(err, PLAINT_EDB, "position %lld: malformed hash",
                                    (long long)position);
        }
        if (m->requeued_position < 0 && is_pending(m, want)) {
            m->requeued_position = position; /* reported after the pass, with its case */
        }
        o = stash_find(m, want);
        if (o != NULL) {
            if (m->requeued_position == position) {
                snprintf(m->requeued_case, sizeof(m->requeued_case), "%.*s",
                         (int)o->ev.case_id_len, o->ev.case_id);
                m->requeued_seq = o->ev.case_seq;
            }
            rc = plaint_verifier_add_event(m->v, position, &o->ev, o->hash, poshash, err);
            stash_take(m, o);
        } else {
            /* Events arrive in id order: stash the ones committed before `want`'s turn. */
            while (rc == 0 && !m->evs.done &&
                   int8_field(&m->evs, 0) < want) {
                rc = stash_current(m, err);
                if (rc == 0) {
                    rc = stream_next(&m->evs, err);
                }
            }
            if (rc < 0) {
                return rc;
            }
            if (m->evs.done || int8_field(&m->evs, 0) != want) {
                return plaint_verifier_missing_event(m->v, position, err);
            }
            {
                plaint_event ev;
                unsigned char hash[PLAINT_HASH_LEN];
                int64_t id;
                rc = decode_event(&ev, hash, &id, &m->evs, err);
                if (rc == 0 && m->requeued_position == position) {
                    snprintf(m->requeued_case, sizeof(m->requeued_case), "%.*s",
                             (int)ev.case_id_len, ev.case_id);
                    m->requeued_seq = ev.case_seq;
                }
                if (rc == 0) {
                    rc = plaint_verifier_add_event(m->v, position, &ev, hash, poshash, err);
                }
                if (rc == 0) {
                    rc = stream_next(&m->evs, err);
                }
            }
        }
        tick(m);
        if (rc == 0) {
            rc = stream_next(&m->pos, err);
        }
    }
    return rc;
}

static int stray(plaint_verify_report *report, const plaint_event *ev, int64_t id,
                 plaint_error *err)
{
    if (report != NULL) {
        size_t n = ev->case_id_len < sizeof(report->case_id) - 1 ? ev->case_id_len
                                                                 : sizeof(report->case_id) - 1;
        report->ok = 0;
        snprintf(report->record, sizeof(report->record), "event");
        report->position = -1;
        memcpy(report->case_id, ev->case_id, n);
        report->case_id[n] = '\0';
        report->case_seq = ev->case_seq;
        report->checkpoint = 0;
        snprintf(report->reason, sizeof(report->reason),
                 "event id %lld has no position and is not pending: written around the program",
                 (long long)id);
    }
    return plaint_error_set(err, PLAINT_ETAMPER,
                            "case %.*s, seq %lld: event id %lld has no position and is not "
                            "pending: written around the program",
                            (int)ev->case_id_len, ev->case_id, (long long)ev->case_seq,
                            (long long)id);
}

/* The unpositioned rest, in id order: the stash, then the remaining stream. Each must be in the
 * pending queue. */
static int unpositioned(merge *m, plaint_verify_report *report, int *strayed, plaint_error *err)
{
    size_t i;
    int rc = 0;

    for (i = m->first_live; rc == 0 && i < m->nstash; i++) {
        owned_event *o = &m->stash[i];
        if (o->taken) {
            continue;
        }
        if (!is_pending(m, o->id)) {
            *strayed = 1;
            return stray(report, &o->ev, o->id, err);
        }
        rc = plaint_verifier_add_event(m->v, -1, &o->ev, o->hash, NULL, err);
        tick(m);
    }
    while (rc == 0 && !m->evs.done) {
        plaint_event ev;
        unsigned char hash[PLAINT_HASH_LEN];
        int64_t id;
        rc = decode_event(&ev, hash, &id, &m->evs, err);
        if (rc == 0 && !is_pending(m, id)) {
            *strayed = 1;
            return stray(report, &ev, id, err);
        }
        if (rc == 0) {
            rc = plaint_verifier_add_event(m->v, -1, &ev, hash, NULL, err);
            tick(m);
        }
        if (rc == 0) {
            rc = stream_next(&m->evs, err);
        }
    }
    return rc;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* An event both sequenced and queued again would be sequenced twice: tampering. Found during the
 * positioned pass (the pending ids are in memory), reported here. */
static int check_requeued(const merge *m, plaint_verify_report *report, int *found,
                          plaint_error *err)
{
    *found = 0;
    if (m->requeued_position < 0) {
        return 0;
    }
    *found = 1;
    if (report != NULL) {
        memset(report, 0, sizeof(*report));
        snprintf(report->record, sizeof(report->record), "event");
        report->position = m->requeued_position;
        snprintf(report->case_id, sizeof(report->case_id), "%s", m->requeued_case);
        report->case_seq = m->requeued_seq;
        snprintf(report->reason, sizeof(report->reason),
                 "the event is sequenced and also queued again as pending (would be sequenced "
                 "twice)");
    }
    return plaint_error_set(err, PLAINT_ETAMPER,
                            "position %lld, case %s, seq %lld: the event is sequenced and also "
                            "queued again as pending (would be sequenced twice)",
                            (long long)m->requeued_position, m->requeued_case,
                            (long long)m->requeued_seq);
}

static int load_pending(merge *m, PGconn *conn, plaint_error *err)
{
    PGresult *res = PQexecParams(conn, "SELECT event_id FROM plaint.ledger_pending", 0, NULL,
                                 NULL, NULL, NULL, 1);
    int rc = plaint_pg_check(conn, res, "read the pending queue", err);
    int i;

    if (rc == 0 && PQntuples(res) > 0) {
        m->pending = malloc((size_t)PQntuples(res) * sizeof(*m->pending));
        if (m->pending == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        for (i = 0; rc == 0 && i < PQntuples(res); i++) {
            m->pending[i] = plaint_pg_bin_int8(res, i, 0);
        }
        m->npending = rc == 0 ? (size_t)PQntuples(res) : 0;
        if (m->npending > 1) {
            qsort(m->pending, m->npending, sizeof(*m->pending), cmp_i64);
        }
    }
    PQclear(res);
    return rc;
}

typedef struct keys_ctx {
    plaint_verifier *v;
} keys_ctx;

static int on_key(const char *key_id, const char *pem, void *arg, plaint_error *err)
{
    return plaint_verifier_add_key(((keys_ctx *)arg)->v, key_id, pem, strlen(pem), err);
}

static int on_checkpoint(const plaint_checkpoint *cp, const unsigned char *frontier, size_t len,
                         void *arg, plaint_error *err)
{
    plaint_verifier *v = ((keys_ctx *)arg)->v;
    int rc = plaint_verifier_add_checkpoint(v, cp, err);

    if (rc == 0) {
        rc = plaint_verifier_set_frontier(v, cp->seq, frontier, len, err);
    }
    return rc;
}

/* Opens a second connection reading the same snapshot as db's open transaction. */
static int share_snapshot(plaint_db **out, plaint_db *db, plaint_error *err)
{
    PGresult *res = PQexec(db->conn, "SELECT pg_export_snapshot()");
    char sql[128];
    const char *id;
    size_t i;
    int rc = plaint_pg_check(db->conn, res, "export snapshot", err);

    if (rc == 0) {
        id = PQgetvalue(res, 0, 0);
        /* SET TRANSACTION SNAPSHOT takes no parameters: the id comes from the server and is
         * checked to be hex digits and dashes before it becomes part of the statement. */
        for (i = 0; id[i] != '\0'; i++) {
            char ch = id[i];
            if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F') || ch == '-') || i > 60) {
                rc = plaint_error_set(err, PLAINT_EDB, "unexpected snapshot id");
                break;
            }
        }
        if (rc == 0) {
            snprintf(sql, sizeof(sql), "SET TRANSACTION SNAPSHOT '%s'", id);
        }
    }
    PQclear(res);
    if (rc == 0) {
        rc = plaint_db_clone(out, db, err);
    }
    if (rc == 0) {
        rc = plaint_pg_exec((*out)->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                            "begin", err);
    }
    if (rc == 0) {
        rc = plaint_pg_exec((*out)->conn, sql, "import snapshot", err);
    }
    return rc;
}

int plaint_ledger_verify_db(plaint_db *db, plaint_verifier *v, plaint_verify_report *report,
                            plaint_progress_fn progress, void *progress_arg, plaint_error *err)
{
    PGconn *conn = db->conn;
    plaint_db *second = NULL;
    keys_ctx kc = {v};
    merge m;
    PGresult *res;
    int strayed = 0;
    int own = PQtransactionStatus(conn) == PQTRANS_IDLE;
    size_t i;
    int rc = 0;

    memset(&m, 0, sizeof(m));
    m.v = v;
    m.requeued_position = -1;
    m.progress = progress;
    m.progress_arg = progress_arg;
    if (own) {
        rc = plaint_pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin",
                            err);
    }
    if (rc == 0) {
        res = PQexec(conn, "SELECT (SELECT coalesce(max(position) + 1, 0) FROM "
                           "plaint.ledger_position) + (SELECT count(*) FROM plaint.ledger_pending)");
        rc = plaint_pg_check(conn, res, "count events", err);
        m.total = rc == 0 ? plaint_pg_get_int8(res, 0, 0) : 0;
        PQclear(res);
    }
    if (rc == 0) {
        rc = load_pending(&m, conn, err);
    }

    if (rc == 0) {
        rc = plaint_ledger_read_keys(db, on_key, &kc, err);
    }
    if (rc == 0) {
        rc = plaint_ledger_read_checkpoints(db, on_checkpoint, &kc, err);
    }
    if (rc == 0) {
        rc = share_snapshot(&second, db, err);
    }
    if (rc == 0) {
        rc = stream_start(&m.pos, second->conn, SQL_POSITIONS, err);
    }
    if (rc == 0) {
        rc = stream_start(&m.evs, conn, SQL_EVENTS, err);
    }
    if (rc == 0) {
        rc = positioned(&m, err);
    }
    if (rc == 0) {
        rc = unpositioned(&m, report, &strayed, err);
    }
    if (!strayed) {
        if (rc == 0) {
            rc = plaint_verifier_finish(v, report, err);
        } else if (rc == PLAINT_ETAMPER) {
            plaint_verifier_finish(v, report, NULL);
        }
    }
    if (rc == 0) {
        rc = check_requeued(&m, report, &strayed, err);
    }
    if (progress != NULL) {
        progress(m.done, m.total, progress_arg);
    }
    stream_abandon(&m.pos);
    stream_abandon(&m.evs);
    if (second != NULL) {
        plaint_pg_exec(second->conn, "ROLLBACK", "end", NULL);
        plaint_db_close(second);
    }
    for (i = 0; i < m.nstash; i++) {
        free(m.stash[i].block);
    }
    free(m.stash);
    free(m.pending);
    if (own) {
        plaint_pg_exec(conn, rc == 0 ? "COMMIT" : "ROLLBACK", "end", rc == 0 ? err : NULL);
    }
    return rc;
}
