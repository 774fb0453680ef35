/* The bulk append path: one transaction per batch. The batch's case heads are locked, created
 * and updated through array parameters (index lookups on the primary key, no work tables), the
 * statements before the COPY go out in pipelines (one round trip each), and the events are
 * chained in C and streamed in with a binary COPY while the server stores the first rows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/chain.h"
#include "plaint/ledger.h"
#include "plaint/strmap.h"
#include "store/pg_internal.h"
#include "store/pg_util.h"

#define BULK_RETRIES 5
#define LOCK_ROUNDS  4             /* lock, create, lock what others created meanwhile, create */
#define COPY_CHUNK   (64u * 1024u) /* small, so that the server starts on the rows early */
#define FIELD_MAX    200           /* the octet_length CHECKs of plaint.ledger_event */
#define BATCH_MAX    100000000u    /* array and COPY counts are int32 on the wire */
#define OID_TEXT     25u
#define OID_BYTEA    17u
#define OID_INT8     20u
#define COPY_FIELDS  11
#define MAX_PARAMS   3
#define MAX_STMTS    3

static const char *const SQL_COPY_EVENTS =
    "COPY plaint.ledger_event (id, case_id, case_seq, event_type, actor, actor_role, "
    "occurred_at, payload, prev_hash, hash, idempotency_key) FROM STDIN (FORMAT binary)";
/* COPY, not INSERT ... SELECT: its batched heap inserts cost half as much per row. */
static const char *const SQL_COPY_PENDING =
    "COPY plaint.ledger_pending (event_id) FROM STDIN (FORMAT binary)";

/* The other statements, prepared once per connection (planning a lookup of 2000 keys costs
 * about a millisecond each time). Binary parameters and results. */
enum {
    Q_BEGIN,
    Q_LOCK,
    Q_NEW,
    Q_IDS,
    Q_SET,
    Q_REPLAYS,
    NQUERIES
};
static const struct query {
    const char *name; /* NULL: sent as is, not prepared */
    int nparams;
    const char *what;
    const char *sql;
} QUERIES[NQUERIES] = {
    {NULL, 0, "begin", "BEGIN"},
    /* The batch's heads in one fixed order (the primary key's), so that concurrent batches do
     * not deadlock; single appends lock one head at a time. */
    {"plaint_bulk_lock", 1, "lock case heads",
     "SELECT case_id, last_seq, last_hash FROM plaint.ledger_case_head "
     "WHERE case_id = ANY($1::text[]) ORDER BY case_id FOR UPDATE"},
    /* Heads of new cases. One that another client created meanwhile is not returned: it is
     * locked in the next round. */
    {"plaint_bulk_new", 2, "create case heads",
     "INSERT INTO plaint.ledger_case_head (case_id, last_seq, last_hash) "
     "SELECT c, 0, $2::bytea FROM unnest($1::text[]) AS c ORDER BY c ON CONFLICT DO NOTHING "
     "RETURNING case_id"},
    /* Event ids and the batch's time: the database clock, read once every head of the batch
     * is locked. */
    {"plaint_bulk_ids", 1, "allocate event ids",
     "SELECT nextval('plaint.ledger_event_id_seq'), "
     "(SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) "
     "FROM generate_series(1, $1::bigint)"},
    /* The ANY condition keeps the heads reached through the primary key whatever the plan: a
     * hash join would otherwise scan every head of the ledger for each batch. */
    {"plaint_bulk_set", 3, "update case heads",
     "UPDATE plaint.ledger_case_head AS h SET last_seq = t.s, last_hash = t.x "
     "FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS t(c, s, x) "
     "WHERE h.case_id = t.c AND h.case_id = ANY($1::text[])"},
    {"plaint_bulk_replays", 1, "look up idempotency keys",
     "SELECT idempotency_key FROM plaint.ledger_event WHERE idempotency_key = ANY($1::text[])"},
};

typedef struct head {
    const char *case_id; /* borrowed from the request that named it first */
    size_t len;
    int64_t seq;
    unsigned char hash[PLAINT_HASH_LEN];
    int locked;
} head;

typedef struct lens {
    size_t case_id;
    size_t type;
    size_t actor;
    size_t role;
    size_t key;
} lens;

/* One statement of a pipeline; res is set when it succeeded (caller clears). */
typedef struct stmt {
    int q; /* Q_* */
    int nparams;
    const char *vals[MAX_PARAMS];
    int lens[MAX_PARAMS];
    PGresult *res;
} stmt;

typedef struct bulk {
    PGconn *conn;
    const plaint_append_req *reqs;
    size_t n;
    size_t nkeys;     /* requests with an idempotency key */
    lens *len;        /* per request */
    size_t *req_head; /* per request: index into heads */
    int64_t *ids;     /* per request */
    int64_t *seqs;    /* per request */
    unsigned char (*hashes)[PLAINT_HASH_LEN];
    char *skip;  /* per request: 1 = replayed, nothing written */
    size_t live; /* requests not skipped */
    head *heads; /* distinct cases of the live requests */
    size_t nheads;
    size_t *want; /* heads still to lock */
    size_t nwant;
    plaint_strmap *index; /* case id -> size_t index into heads */
    int64_t time_us;
    int in_copy; /* the server accepted the COPY that was sent */
    plaint_buf copy;
    plaint_buf arr[MAX_PARAMS]; /* array parameters */
    plaint_buf scratch;         /* canonical form being hashed */
    plaint_sha256 sha;
} bulk;

/* ---------------------------------------------------------------- wire formats */

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static unsigned char *put64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;

    p = put32(p, (uint32_t)(u >> 32));
    return put32(p, (uint32_t)u);
}

static unsigned char *put_field(unsigned char *p, const void *data, size_t len)
{
    p = put32(p, (uint32_t)len);
    memcpy(p, data, len);
    return p + len;
}

/* Starts a one-dimensional array without NULLs in PostgreSQL's binary format (array_recv). */
static int arr_begin(plaint_buf *b, uint32_t elem_oid, size_t n, plaint_error *err)
{
    unsigned char h[20];
    unsigned char *p = h;

    p = put32(p, 1); /* dimensions */
    p = put32(p, 0); /* no NULLs */
    p = put32(p, elem_oid);
    p = put32(p, (uint32_t)n);
    put32(p, 1); /* lower bound */
    plaint_buf_reset(b);
    return plaint_buf_append(b, h, sizeof(h), err);
}

static int arr_add(plaint_buf *b, const void *data, size_t len, plaint_error *err)
{
    unsigned char *p;
    int rc = plaint_buf_reserve(b, 4 + len, err);

    if (rc < 0) {
        return rc;
    }
    p = put_field((unsigned char *)b->data + b->len, data, len);
    b->len = (size_t)(p - (unsigned char *)b->data);
    b->data[b->len] = '\0';
    return 0;
}

static int arr_add_int8(plaint_buf *b, int64_t v, plaint_error *err)
{
    unsigned char x[8];

    put64(x, v);
    return arr_add(b, x, sizeof(x), err);
}

/* An array of the case ids of heads[want[0..nwant)]. */
static int arr_cases(plaint_buf *out, const bulk *b, const size_t *want, size_t nwant,
                     plaint_error *err)
{
    size_t i;
    int rc = arr_begin(out, OID_TEXT, nwant, err);

    for (i = 0; rc == 0 && i < nwant; i++) {
        const head *h = &b->heads[want != NULL ? want[i] : i];
        rc = arr_add(out, h->case_id, h->len, err);
    }
    return rc;
}

/* ---------------------------------------------------------------- statements */

static void stmt_set(stmt *s, int q)
{
    memset(s, 0, sizeof(*s));
    s->q = q;
}

static void stmt_param(stmt *s, const void *data, size_t len)
{
    s->vals[s->nparams] = data;
    s->lens[s->nparams] = (int)len;
    s->nparams++;
}

static void stmts_clear(stmt *st, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        PQclear(st[i].res);
        st[i].res = NULL;
    }
}

/* Sends st[0..n) in one round trip (pipeline mode; binary parameters and results) and collects
 * their results. After a failure the server skips the rest; the first failure is returned. */
static int run_pipeline(bulk *b, stmt *st, size_t n, plaint_error *err)
{
    static const int fmts[MAX_PARAMS] = {1, 1, 1};
    PGresult *res;
    size_t i;
    int rc = 0;

    if (PQenterPipelineMode(b->conn) != 1) {
        return plaint_pg_fail(err, b->conn, NULL, "enter pipeline mode");
    }
    for (i = 0; rc == 0 && i < n; i++) {
        const struct query *q = &QUERIES[st[i].q];
        int sent = q->name != NULL
                       ? PQsendQueryPrepared(b->conn, q->name, st[i].nparams, st[i].vals,
                                             st[i].lens, fmts, 1)
                       : PQsendQueryParams(b->conn, q->sql, 0, NULL, NULL, NULL, NULL, 1);
        if (sent != 1) {
            rc = plaint_pg_fail(err, b->conn, NULL, q->what);
        }
    }
    if (rc == 0 && PQpipelineSync(b->conn) != 1) {
        rc = plaint_pg_fail(err, b->conn, NULL, "pipeline sync");
    }
    if (rc < 0) {
        /* nothing usable was sent: the connection is broken */
        PQexitPipelineMode(b->conn);
        return rc;
    }
    /* each statement: its result, then NULL; then the sync */
    for (i = 0; i < n; i++) {
        res = PQgetResult(b->conn);
        if (res == NULL) {
            if (rc == 0) {
                rc = plaint_pg_fail(err, b->conn, NULL, QUERIES[st[i].q].what);
            }
            break; /* connection lost */
        }
        if (rc == 0 &&
            (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK)) {
            st[i].res = res;
        } else {
            if (rc == 0) {
                rc = plaint_pg_fail(err, b->conn, res, QUERIES[st[i].q].what);
            }
            PQclear(res);
        }
        res = PQgetResult(b->conn);
        PQclear(res);
    }
    for (;;) {
        res = PQgetResult(b->conn);
        if (res == NULL) {
            break;
        }
        if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        PQclear(res);
    }
    if (PQexitPipelineMode(b->conn) != 1 && rc == 0) {
        rc = plaint_pg_fail(err, b->conn, NULL, "exit pipeline mode");
    }
    if (rc < 0) {
        stmts_clear(st, n);
    }
    return rc;
}

/* ---------------------------------------------------------------- COPY */

/* Sends the COPY statement without waiting: the caller prepares the first rows meanwhile. */
static int copy_send(bulk *b, const char *sql, const char *what, plaint_error *err)
{
    /* signature, flags, header extension length */
    static const char header[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

    b->in_copy = 0;
    plaint_buf_reset(&b->copy);
    if (PQsendQuery(b->conn, sql) != 1) {
        return plaint_pg_fail(err, b->conn, NULL, what);
    }
    return plaint_buf_append(&b->copy, header, sizeof(header) - 1, err);
}

static void drain(bulk *b)
{
    for (;;) {
        PGresult *res = PQgetResult(b->conn);
        if (res == NULL) {
            break;
        }
        PQclear(res);
    }
}

/* Waits until the server accepts the COPY data. */
static int copy_ready(bulk *b, const char *what, plaint_error *err)
{
    PGresult *res;
    int rc = 0;

    if (b->in_copy) {
        return 0;
    }
    res = PQgetResult(b->conn);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = plaint_pg_fail(err, b->conn, res, what);
        PQclear(res);
        drain(b);
        return rc;
    }
    PQclear(res);
    b->in_copy = 1;
    return 0;
}

static int copy_flush(bulk *b, int force, const char *what, plaint_error *err)
{
    int rc;

    if (b->copy.len == 0 || (!force && b->copy.len < COPY_CHUNK)) {
        return 0;
    }
    rc = copy_ready(b, what, err);
    if (rc == 0 && PQputCopyData(b->conn, b->copy.data, (int)b->copy.len) != 1) {
        rc = plaint_pg_fail(err, b->conn, NULL, what);
    }
    plaint_buf_reset(&b->copy);
    return rc;
}

/* A concurrent append that took one of the batch's idempotency keys first is a conflict: the
 * retry finds the key recorded and skips the request. */
static int copy_failed(bulk *b, const PGresult *res, const char *what, plaint_error *err)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);

    if (state != NULL && strcmp(state, "23505") == 0 && constraint != NULL &&
        strcmp(constraint, "ledger_event_idempotency_key") == 0) {
        return plaint_error_set(err, PLAINT_ECONFLICT, "idempotency key taken concurrently");
    }
    return plaint_pg_fail(err, b->conn, res, what);
}

/* Ends the COPY (with its trailer, or aborted if rc < 0) and collects its result. */
static int copy_end(bulk *b, int rc, const char *what, plaint_error *err)
{
    PGresult *res;

    if (!b->in_copy) {
        int ready = copy_ready(b, what, rc == 0 ? err : NULL);
        if (ready < 0) {
            return rc < 0 ? rc : ready; /* the server refused the COPY */
        }
    }
    if (rc == 0) {
        rc = plaint_buf_append(&b->copy, "\xff\xff", 2, err); /* a field count of -1 */
    }
    if (rc == 0) {
        rc = copy_flush(b, 1, what, err);
    }
    if (PQputCopyEnd(b->conn, rc == 0 ? NULL : "aborted") != 1 && rc == 0) {
        rc = plaint_pg_fail(err, b->conn, NULL, what);
    }
    b->in_copy = 0;
    res = PQgetResult(b->conn);
    if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = copy_failed(b, res, what, err);
    }
    PQclear(res);
    drain(b);
    plaint_buf_reset(&b->copy);
    return rc;
}

/* One binary COPY row of request i (already chained: seqs, hashes) whose prev_hash is prev. */
static int copy_row(bulk *b, size_t i, const unsigned char *prev, plaint_error *err)
{
    const plaint_append_req *r = &b->reqs[i];
    const lens *l = &b->len[i];
    size_t size = 2 + COPY_FIELDS * 4 + 8 + l->case_id + 8 + l->type + l->actor + l->role + 8 +
                  r->payload_len + 2 * PLAINT_HASH_LEN + l->key;
    unsigned char *p;
    int rc = plaint_buf_reserve(&b->copy, size, err);

    if (rc < 0) {
        return rc;
    }
    p = (unsigned char *)b->copy.data + b->copy.len;
    *p++ = 0;
    *p++ = COPY_FIELDS;
    p = put64(put32(p, 8), b->ids[i]);
    p = put_field(p, r->case_id, l->case_id);
    p = put64(put32(p, 8), b->seqs[i]);
    p = put_field(p, r->type, l->type);
    p = put_field(p, r->actor, l->actor);
    p = put_field(p, r->role, l->role);
    p = put64(put32(p, 8), b->time_us - PLAINT_PG_EPOCH_OFFSET_US);
    p = put_field(p, r->payload, r->payload_len);
    p = put_field(p, prev, PLAINT_HASH_LEN);
    p = put_field(p, b->hashes[i], PLAINT_HASH_LEN);
    if (r->idempotency_key != NULL) {
        p = put_field(p, r->idempotency_key, l->key);
    } else {
        p = put32(p, UINT32_MAX); /* -1: NULL */
    }
    b->copy.len = (size_t)(p - (unsigned char *)b->copy.data);
    b->copy.data[b->copy.len] = '\0';
    return copy_flush(b, 0, "COPY events", err);
}

/* Chains every live event onto its case's head, in request order, and streams it into
 * ledger_event: the server stores chunk k while the client hashes chunk k + 1. */
static int chain_and_copy(bulk *b, plaint_error *err)
{
    unsigned char prev[PLAINT_HASH_LEN];
    size_t i;
    int rc = copy_send(b, SQL_COPY_EVENTS, "COPY events", err);

    for (i = 0; rc == 0 && i < b->n; i++) {
        const plaint_append_req *r = &b->reqs[i];
        head *h;
        plaint_event ev;
        if (b->skip[i]) {
            continue;
        }
        h = &b->heads[b->req_head[i]];
        memset(&ev, 0, sizeof(ev));
        ev.case_id = r->case_id;
        ev.case_id_len = b->len[i].case_id;
        ev.case_seq = h->seq + 1;
        memcpy(ev.prev_hash, h->hash, PLAINT_HASH_LEN);
        ev.type = r->type;
        ev.type_len = b->len[i].type;
        ev.actor = r->actor;
        ev.actor_len = b->len[i].actor;
        ev.role = r->role;
        ev.role_len = b->len[i].role;
        ev.time_us = b->time_us;
        ev.payload = r->payload;
        ev.payload_len = r->payload_len;
        rc = plaint_chain_event_hash(b->hashes[i], &ev, &b->scratch, &b->sha, err);
        if (rc < 0) {
            if (err != NULL) {
                char msg[sizeof(err->message)];
                memcpy(msg, err->message, sizeof(msg));
                plaint_error_set_at(err, rc, err->field, (unsigned long)i + 1, 0,
                                    "event %zu of the batch: %s", i + 1, msg);
            }
            break;
        }
        memcpy(prev, h->hash, PLAINT_HASH_LEN);
        b->seqs[i] = ev.case_seq;
        h->seq = ev.case_seq;
        memcpy(h->hash, b->hashes[i], PLAINT_HASH_LEN);
        rc = copy_row(b, i, prev, err);
    }
    return copy_end(b, rc, "COPY events", err);
}

/* Queues the live events for the sequencer. */
static int copy_pending(bulk *b, plaint_error *err)
{
    size_t i;
    int rc = copy_send(b, SQL_COPY_PENDING, "COPY pending", err);

    for (i = 0; rc == 0 && i < b->n; i++) {
        unsigned char *p;
        if (b->skip[i]) {
            continue;
        }
        rc = plaint_buf_reserve(&b->copy, 14, err);
        if (rc == 0) {
            p = (unsigned char *)b->copy.data + b->copy.len;
            *p++ = 0;
            *p++ = 1; /* one field */
            p = put64(put32(p, 8), b->ids[i]);
            b->copy.len = (size_t)(p - (unsigned char *)b->copy.data);
            b->copy.data[b->copy.len] = '\0';
            rc = copy_flush(b, 0, "COPY pending", err);
        }
    }
    return copy_end(b, rc, "COPY pending", err);
}

/* ---------------------------------------------------------------- heads and ids */

static head *head_of(const bulk *b, const PGresult *res, int row)
{
    const size_t *k =
        plaint_strmap_get(b->index, PQgetvalue(res, row, 0), (size_t)PQgetlength(res, row, 0));

    return k != NULL ? &b->heads[*k] : NULL;
}

/* Rows of SQL_LOCK_HEADS: those heads are locked at their seq and hash. */
static int take_locked(bulk *b, const PGresult *res, plaint_error *err)
{
    int i;

    for (i = 0; i < PQntuples(res); i++) {
        head *h = head_of(b, res, i);
        if (h == NULL || PQgetlength(res, i, 1) != 8) {
            return plaint_error_set(err, PLAINT_EDB, "lock case heads: unexpected row");
        }
        if (plaint_pg_bin_hash(h->hash, res, i, 2, err) < 0) {
            return PLAINT_EDB;
        }
        h->seq = plaint_pg_bin_int8(res, i, 1);
        h->locked = 1;
    }
    return 0;
}

/* Rows of SQL_NEW_HEADS: those heads are new rows of this transaction, at seq 0 and genesis. */
static int take_created(bulk *b, const PGresult *res, plaint_error *err)
{
    int i;

    for (i = 0; i < PQntuples(res); i++) {
        head *h = head_of(b, res, i);
        if (h == NULL) {
            return plaint_error_set(err, PLAINT_EDB, "create case heads: unexpected row");
        }
        h->seq = 0;
        memcpy(h->hash, plaint_chain_genesis, PLAINT_HASH_LEN);
        h->locked = 1;
    }
    return 0;
}

/* Rows of SQL_IDS: ids in request order of the live requests, and the batch's time. */
static int take_ids(bulk *b, const PGresult *res, plaint_error *err)
{
    size_t i;
    int k = 0;

    if ((size_t)PQntuples(res) != b->live) {
        return plaint_error_set(err, PLAINT_EDB, "allocate event ids: wrong count");
    }
    b->time_us = plaint_pg_bin_int8(res, 0, 1);
    for (i = 0; i < b->n; i++) {
        if (b->skip[i]) {
            continue;
        }
        b->ids[i] = plaint_pg_bin_int8(res, k, 0);
        /* ids rise in request order, so that the sequencer (event id order) keeps a case's
         * events in seq order */
        if (k > 0 && b->ids[i] <= plaint_pg_bin_int8(res, k - 1, 0)) {
            return plaint_error_set(err, PLAINT_EDB, "allocate event ids: not ascending");
        }
        k++;
    }
    return 0;
}

static void keep_unlocked(bulk *b)
{
    size_t i;
    size_t k = 0;

    for (i = 0; i < b->nwant; i++) {
        if (!b->heads[b->want[i]].locked) {
            b->want[k++] = b->want[i];
        }
    }
    b->nwant = k;
}

/* Locks every head of the batch (creating the missing ones), then allocates the ids and reads
 * the time. begin: open the transaction in the first round trip. Usually two round trips:
 * BEGIN + lock, then create + ids. */
static int lock_and_allocate(bulk *b, int begin, plaint_error *err)
{
    unsigned char count[8];
    stmt st[MAX_STMTS];
    size_t ns;
    size_t i;
    int round;
    int have_ids = 0;
    int rc = 0;

    put64(count, (int64_t)b->live);
    b->nwant = b->nheads;
    for (i = 0; i < b->nheads; i++) {
        b->want[i] = i;
    }
    for (round = 0; rc == 0 && b->nwant > 0 && round < LOCK_ROUNDS; round++) {
        int create = round % 2 == 1;
        ns = 0;
        if (begin && round == 0) {
            stmt_set(&st[ns++], Q_BEGIN);
        }
        rc = arr_cases(&b->arr[0], b, b->want, b->nwant, err);
        if (rc < 0) {
            break;
        }
        stmt_set(&st[ns], create ? Q_NEW : Q_LOCK);
        stmt_param(&st[ns], b->arr[0].data, b->arr[0].len);
        if (create) {
            stmt_param(&st[ns], plaint_chain_genesis, PLAINT_HASH_LEN);
            /* most likely every missing head is created now: allocate in the same trip */
            stmt_set(&st[ns + 1], Q_IDS);
            stmt_param(&st[ns + 1], count, sizeof(count));
        }
        rc = run_pipeline(b, st, ns + 1 + (size_t)create, err);
        if (rc == 0) {
            rc = create ? take_created(b, st[ns].res, err) : take_locked(b, st[ns].res, err);
        }
        if (rc == 0) {
            keep_unlocked(b);
            if (create && b->nwant == 0) {
                rc = take_ids(b, st[ns + 1].res, err);
                have_ids = 1;
            }
        }
        stmts_clear(st, ns + 1 + (size_t)create);
    }
    if (rc == 0 && b->nwant > 0) {
        /* created and gone again: heads are never deleted, so this is not expected */
        rc =
            plaint_error_set(err, PLAINT_ECONFLICT, "lock case heads: %zu keep changing", b->nwant);
    }
    if (rc == 0 && !have_ids) {
        stmt_set(&st[0], Q_IDS);
        stmt_param(&st[0], count, sizeof(count));
        rc = run_pipeline(b, st, 1, err);
        if (rc == 0) {
            rc = take_ids(b, st[0].res, err);
        }
        stmts_clear(st, 1);
    }
    return rc;
}

static int update_heads(bulk *b, plaint_error *err)
{
    stmt st;
    size_t i;
    int rc = arr_cases(&b->arr[0], b, NULL, b->nheads, err);

    if (rc == 0) {
        rc = arr_begin(&b->arr[1], OID_INT8, b->nheads, err);
    }
    if (rc == 0) {
        rc = arr_begin(&b->arr[2], OID_BYTEA, b->nheads, err);
    }
    for (i = 0; rc == 0 && i < b->nheads; i++) {
        rc = arr_add_int8(&b->arr[1], b->heads[i].seq, err);
        if (rc == 0) {
            rc = arr_add(&b->arr[2], b->heads[i].hash, PLAINT_HASH_LEN, err);
        }
    }
    if (rc < 0) {
        return rc;
    }
    stmt_set(&st, Q_SET);
    for (i = 0; i < 3; i++) {
        stmt_param(&st, b->arr[i].data, b->arr[i].len);
    }
    rc = run_pipeline(b, &st, 1, err);
    if (rc == 0 && strtoull(PQcmdTuples(st.res), NULL, 10) != b->nheads) {
        rc = plaint_error_set(err, PLAINT_EDB, "update case heads: %s of %zu updated",
                              PQcmdTuples(st.res), b->nheads);
    }
    stmts_clear(&st, 1);
    return rc;
}

/* ---------------------------------------------------------------- one attempt */

/* Opens the transaction and marks the requests whose idempotency key is already recorded (or
 * repeated within the batch: the first one counts). */
static int begin_and_find_replays(bulk *b, plaint_error *err)
{
    plaint_strmap *keys = NULL;
    stmt st[2];
    size_t nkeys = 0;
    size_t i;
    int k;
    int rc = plaint_strmap_new(&keys, sizeof(size_t), err);

    for (i = 0; rc == 0 && i < b->n; i++) {
        const char *key = b->reqs[i].idempotency_key;
        void *slot;
        int created = 0;
        if (key == NULL) {
            continue;
        }
        rc = plaint_strmap_upsert(keys, key, b->len[i].key, &slot, &created, err);
        if (rc == 0 && !created) {
            b->skip[i] = 1;
        } else if (rc == 0) {
            memcpy(slot, &i, sizeof(i));
            nkeys++;
        }
    }
    if (rc == 0) {
        rc = arr_begin(&b->arr[0], OID_TEXT, nkeys, err);
    }
    for (i = 0; rc == 0 && i < b->n; i++) {
        if (b->reqs[i].idempotency_key != NULL && !b->skip[i]) {
            rc = arr_add(&b->arr[0], b->reqs[i].idempotency_key, b->len[i].key, err);
        }
    }
    if (rc == 0) {
        stmt_set(&st[0], Q_BEGIN);
        stmt_set(&st[1], Q_REPLAYS);
        stmt_param(&st[1], b->arr[0].data, b->arr[0].len);
        rc = run_pipeline(b, st, 2, err);
    }
    for (k = 0; rc == 0 && k < PQntuples(st[1].res); k++) {
        size_t *idx = plaint_strmap_get(keys, PQgetvalue(st[1].res, k, 0),
                                        (size_t)PQgetlength(st[1].res, k, 0));
        if (idx != NULL) {
            b->skip[*idx] = 1;
        }
    }
    if (rc == 0) {
        stmts_clear(st, 2);
    }
    plaint_strmap_free(keys);
    return rc;
}

/* The distinct cases of the live requests, in order of first appearance. */
static int collect_heads(bulk *b, plaint_error *err)
{
    size_t i;
    int rc;

    plaint_strmap_free(b->index);
    b->index = NULL;
    b->nheads = 0;
    b->live = 0;
    rc = plaint_strmap_new(&b->index, sizeof(size_t), err);
    for (i = 0; rc == 0 && i < b->n; i++) {
        void *slot;
        int created = 0;
        if (b->skip[i]) {
            continue;
        }
        b->live++;
        rc = plaint_strmap_upsert(b->index, b->reqs[i].case_id, b->len[i].case_id, &slot, &created,
                                  err);
        if (rc == 0 && created) {
            head *h = &b->heads[b->nheads];
            memset(h, 0, sizeof(*h));
            h->case_id = b->reqs[i].case_id;
            h->len = b->len[i].case_id;
            memcpy(slot, &b->nheads, sizeof(size_t));
            b->nheads++;
        }
        if (rc == 0) {
            memcpy(&b->req_head[i], slot, sizeof(size_t));
        }
    }
    return rc;
}

/* One attempt: opens the transaction and does everything but COMMIT. */
static int batch_once(bulk *b, plaint_error *err)
{
    int rc = 0;

    memset(b->skip, 0, b->n);
    if (b->nkeys > 0) {
        rc = begin_and_find_replays(b, err);
    }
    if (rc == 0) {
        rc = collect_heads(b, err);
    }
    if (rc < 0 || b->live == 0) {
        return rc; /* everything replayed (so the transaction is open) */
    }
    rc = lock_and_allocate(b, b->nkeys == 0, err);
    if (rc == 0) {
        rc = chain_and_copy(b, err);
    }
    if (rc == 0) {
        rc = copy_pending(b, err);
    }
    if (rc == 0) {
        rc = update_heads(b, err);
    }
    return rc;
}

/* ---------------------------------------------------------------- entry point */

static int prepare_queries(plaint_db *db, plaint_error *err)
{
    int q;
    int rc = 0;

    if (db->bulk_prepared) {
        return 0;
    }
    for (q = 0; rc == 0 && q < NQUERIES; q++) {
        PGresult *res;
        if (QUERIES[q].name == NULL) {
            continue;
        }
        res = PQprepare(db->conn, QUERIES[q].name, QUERIES[q].sql, QUERIES[q].nparams, NULL);
        rc = plaint_pg_check(db->conn, res, "prepare bulk append", err);
        PQclear(res);
    }
    if (rc == 0) {
        db->bulk_prepared = 1;
    }
    return rc;
}

static int check_field(size_t *len_out, const char *s, const char *name, size_t i, int optional,
                       plaint_error *err)
{
    size_t len;

    if (s == NULL && optional) {
        *len_out = 0;
        return 0;
    }
    len = s != NULL ? strlen(s) : 0;
    if (len == 0 || len > FIELD_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, name, (unsigned long)i + 1, 0,
                                   "event %zu of the batch: %s must be 1 to %d bytes", i + 1, name,
                                   FIELD_MAX);
    }
    *len_out = len;
    return 0;
}

static int validate(bulk *b, plaint_error *err)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < b->n; i++) {
        const plaint_append_req *r = &b->reqs[i];
        lens *l = &b->len[i];
        rc = check_field(&l->case_id, r->case_id, "case", i, 0, err);
        if (rc == 0) {
            rc = check_field(&l->type, r->type, "type", i, 0, err);
        }
        if (rc == 0) {
            rc = check_field(&l->actor, r->actor, "actor", i, 0, err);
        }
        if (rc == 0) {
            rc = check_field(&l->role, r->role, "role", i, 0, err);
        }
        if (rc == 0) {
            rc = check_field(&l->key, r->idempotency_key, "idempotency_key", i, 1, err);
        }
        if (rc == 0 && (r->payload == NULL || r->payload_len > INT32_MAX ||
                        strlen(r->payload) != r->payload_len)) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "payload", (unsigned long)i + 1, 0,
                                     "event %zu of the batch: payload must be canonical JSON "
                                     "text without NUL bytes",
                                     i + 1);
        }
        b->nkeys += r->idempotency_key != NULL;
    }
    return rc;
}

static void bulk_free(bulk *b)
{
    size_t i;

    plaint_strmap_free(b->index);
    free(b->len);
    free(b->req_head);
    free(b->ids);
    free(b->seqs);
    free(b->hashes);
    free(b->skip);
    free(b->heads);
    free(b->want);
    plaint_buf_clear(&b->copy);
    for (i = 0; i < MAX_PARAMS; i++) {
        plaint_buf_clear(&b->arr[i]);
    }
    plaint_buf_clear(&b->scratch);
    plaint_sha256_clear(&b->sha);
}

int plaint_ledger_append_batch(plaint_append_result *results, plaint_db *db,
                               const plaint_append_req *reqs, size_t n, plaint_error *err)
{
    bulk b;
    size_t i;
    int attempt;
    int rc;

    if (n == 0) {
        return 0;
    }
    if (n > BATCH_MAX) {
        return plaint_error_set(err, PLAINT_EINVALID, "a batch holds at most %u events", BATCH_MAX);
    }
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        return plaint_error_set(err, PLAINT_ERROR, "bulk append runs its own transaction");
    }
    memset(&b, 0, sizeof(b));
    b.conn = db->conn;
    b.reqs = reqs;
    b.n = n;
    rc = plaint_sha256_init(&b.sha, err);
    if (rc == 0) {
        b.len = calloc(n, sizeof(*b.len));
        b.req_head = calloc(n, sizeof(*b.req_head));
        b.ids = calloc(n, sizeof(*b.ids));
        b.seqs = calloc(n, sizeof(*b.seqs));
        b.hashes = calloc(n, PLAINT_HASH_LEN);
        b.skip = calloc(n, 1);
        b.heads = calloc(n, sizeof(*b.heads));
        b.want = calloc(n, sizeof(*b.want));
        if (b.len == NULL || b.req_head == NULL || b.ids == NULL || b.seqs == NULL ||
            b.hashes == NULL || b.skip == NULL || b.heads == NULL || b.want == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory for a batch of %zu", n);
        }
    }
    if (rc == 0) {
        rc = validate(&b, err);
    }
    if (rc == 0) {
        rc = prepare_queries(db, err);
    }
    for (attempt = 1; rc == 0 && attempt <= BULK_RETRIES; attempt++) {
        rc = batch_once(&b, err);
        if (rc == 0) {
            rc = plaint_pg_exec(b.conn, "COMMIT", "commit", err);
        } else if (PQtransactionStatus(b.conn) != PQTRANS_IDLE) {
            plaint_pg_exec(b.conn, "ROLLBACK", "rollback", NULL);
        }
        if (rc != PLAINT_ECONFLICT) {
            break;
        }
        if (attempt < BULK_RETRIES) {
            rc = 0;
        }
    }
    for (i = 0; rc == 0 && results != NULL && i < n; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        results[i].replayed = b.skip[i];
        if (!b.skip[i]) {
            results[i].event_id = b.ids[i];
            results[i].case_seq = b.seqs[i];
            results[i].time_us = b.time_us;
            memcpy(results[i].hash, b.hashes[i], PLAINT_HASH_LEN);
        }
    }
    bulk_free(&b);
    return rc;
}
