/* The bulk append path: lock every case head of a batch (pipeline mode), chain the events in C,
 * then COPY them in. One transaction per batch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/chain.h"
#include "plaint/ledger.h"
#include "plaint/strmap.h"
#include "store/pg_internal.h"
#include "store/pg_util.h"

#define BULK_RETRIES 5
#define COPY_CHUNK (256u * 1024u)

typedef struct head {
    int64_t seq;
    unsigned char hash[PLAINT_HASH_LEN];
    size_t index; /* position in the sorted case list */
} head;

typedef struct bulk {
    PGconn *conn;
    plaint_strmap *heads;
    const char **cases; /* distinct case ids, sorted */
    size_t ncases;
    int64_t *ids;
    unsigned char (*hashes)[PLAINT_HASH_LEN];
    unsigned char (*prevs)[PLAINT_HASH_LEN];
    int64_t *seqs;
    char *skip;
    int64_t time_us;
    plaint_buf copy;
    plaint_buf scratch;
    plaint_sha256 sha;
} bulk;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* COPY text format: backslash, tab, newline and carriage return are escaped. */
static int copy_text(plaint_buf *out, const char *s, size_t len, plaint_error *err)
{
    size_t i;
    size_t start = 0;
    int rc = 0;

    for (i = 0; rc == 0 && i < len; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            break;
        }
        if (esc != NULL) {
            rc = plaint_buf_append(out, s + start, i - start, err);
            if (rc == 0) {
                rc = plaint_buf_append_str(out, esc, err);
            }
            start = i + 1;
        }
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, s + start, len - start, err);
    }
    return rc;
}

static int copy_flush(bulk *b, int force, plaint_error *err)
{
    if (b->copy.len == 0 || (!force && b->copy.len < COPY_CHUNK)) {
        return 0;
    }
    if (PQputCopyData(b->conn, b->copy.data, (int)b->copy.len) != 1) {
        return plaint_pg_fail(err, b->conn, NULL, "COPY");
    }
    plaint_buf_reset(&b->copy);
    return 0;
}

static int copy_end(bulk *b, const char *what, plaint_error *err)
{
    PGresult *res;
    int rc = copy_flush(b, 1, err);

    if (PQputCopyEnd(b->conn, rc == 0 ? NULL : "aborted") != 1 && rc == 0) {
        rc = plaint_pg_fail(err, b->conn, NULL, what);
    }
    res = PQgetResult(b->conn);
    if (rc == 0) {
        rc = plaint_pg_check(b->conn, res, what, err);
    }
    PQclear(res);
    for (;;) {
        res = PQgetResult(b->conn);
        if (res == NULL) {
            break;
        }
        PQclear(res);
    }
    return rc;
}

static int copy_begin(bulk *b, const char *sql, const char *what, plaint_error *err)
{
    PGresult *res = PQexec(b->conn, sql);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = plaint_pg_fail(err, b->conn, res, what);
    }
    PQclear(res);
    plaint_buf_reset(&b->copy);
    return rc;
}

static int copy_events(bulk *b, const plaint_append_req *reqs, size_t n, plaint_error *err)
{
    char ts[PLAINT_TIME_LEN + 1];
    size_t i;
    int rc = plaint_time_format(ts, b->time_us, err);

    if (rc == 0) {
        rc = copy_begin(b,
                        "COPY plaint.ledger_event (id, case_id, case_seq, event_type, actor, "
                        "actor_role, occurred_at, payload, prev_hash, hash, idempotency_key) "
                        "FROM STDIN",
                        "COPY events", err);
    }
    for (i = 0; rc == 0 && i < n; i++) {
        const plaint_append_req *r = &reqs[i];
        if (b->skip[i]) {
            continue;
        }
        rc = plaint_buf_printf(&b->copy, err, "%lld\t", (long long)b->ids[i]);
        if (rc == 0) {
            rc = copy_text(&b->copy, r->case_id, strlen(r->case_id), err);
        }
        if (rc == 0) {
            rc = plaint_buf_printf(&b->copy, err, "\t%lld\t", (long long)b->seqs[i]);
        }
        if (rc == 0) {
            rc = copy_text(&b->copy, r->type, strlen(r->type), err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_byte(&b->copy, '\t', err);
        }
        if (rc == 0) {
            rc = copy_text(&b->copy, r->actor, strlen(r->actor), err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_byte(&b->copy, '\t', err);
        }
        if (rc == 0) {
            rc = copy_text(&b->copy, r->role, strlen(r->role), err);
        }
        if (rc == 0) {
            rc = plaint_buf_printf(&b->copy, err, "\t%s\t", ts);
        }
        if (rc == 0) {
            rc = copy_text(&b->copy, r->payload, r->payload_len, err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_str(&b->copy, "\t\\\\x", err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_hex(&b->copy, b->prevs[i], PLAINT_HASH_LEN, err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_str(&b->copy, "\t\\\\x", err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_hex(&b->copy, b->hashes[i], PLAINT_HASH_LEN, err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_byte(&b->copy, '\t', err);
        }
        if (rc == 0) {
            rc = r->idempotency_key != NULL
                     ? copy_text(&b->copy, r->idempotency_key, strlen(r->idempotency_key), err)
                     : plaint_buf_append_str(&b->copy, "\\N", err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_byte(&b->copy, '\n', err);
        }
        if (rc == 0) {
            rc = copy_flush(b, 0, err);
        }
    }
    if (rc == 0) {
        rc = copy_end(b, "COPY events", err);
    } else {
        copy_end(b, "COPY events", NULL);
    }
    if (rc == 0) {
        rc = copy_begin(b, "COPY plaint.ledger_pending (event_id) FROM STDIN", "COPY pending",
                        err);
        for (i = 0; rc == 0 && i < n; i++) {
            if (!b->skip[i]) {
                rc = plaint_buf_printf(&b->copy, err, "%lld\n", (long long)b->ids[i]);
            }
        }
        if (rc == 0) {
            rc = copy_end(b, "COPY pending", err);
        } else {
            copy_end(b, "COPY pending", NULL);
        }
    }
    return rc;
}

static const char *const SQL_TEMP =
    "CREATE TEMP TABLE IF NOT EXISTS plaint_bulk_case (case_id text NOT NULL) "
    "ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS plaint_bulk_head (case_id text NOT NULL, last_seq bigint "
    "NOT NULL, last_hash bytea NOT NULL) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS plaint_bulk_key (k text NOT NULL) ON COMMIT DELETE ROWS";
static const char *const SQL_NEW_HEADS =
    "INSERT INTO plaint.ledger_case_head (case_id, last_seq, last_hash) "
    "SELECT case_id, 0, $1 FROM plaint_bulk_case ORDER BY case_id ON CONFLICT DO NOTHING";
/* Row locks in a fixed order keep concurrent batches from deadlocking. */
static const char *const SQL_LOCK_HEADS =
    "SELECT h.case_id, h.last_seq, h.last_hash FROM plaint.ledger_case_head h "
    "JOIN plaint_bulk_case c ON c.case_id = h.case_id ORDER BY h.case_id FOR UPDATE OF h";
static const char *const SQL_SET_HEADS =
    "UPDATE plaint.ledger_case_head h SET last_seq = t.last_seq, last_hash = t.last_hash "
    "FROM plaint_bulk_head t WHERE h.case_id = t.case_id";
static const char *const SQL_REPLAYS =
    "SELECT k.k FROM plaint_bulk_key k JOIN plaint.ledger_event e ON e.idempotency_key = k.k";

static int lock_heads(bulk *b, plaint_error *err)
{
    const char *vals[1] = {(const char *)plaint_chain_genesis};
    int lens[1] = {PLAINT_HASH_LEN};
    int fmts[1] = {1};
    PGresult *res;
    size_t i;
    int rc = copy_begin(b, "COPY plaint_bulk_case (case_id) FROM STDIN", "COPY cases", err);

    for (i = 0; rc == 0 && i < b->ncases; i++) {
        rc = copy_text(&b->copy, b->cases[i], strlen(b->cases[i]), err);
        if (rc == 0) {
            rc = plaint_buf_append_byte(&b->copy, '\n', err);
        }
        if (rc == 0) {
            rc = copy_flush(b, 0, err);
        }
    }
    if (rc == 0) {
        rc = copy_end(b, "COPY cases", err);
    } else {
        copy_end(b, "COPY cases", NULL);
    }
    if (rc == 0) {
        res = PQexecParams(b->conn, SQL_NEW_HEADS, 1, NULL, vals, lens, fmts, 0);
        rc = plaint_pg_check(b->conn, res, "create case heads", err);
        PQclear(res);
    }
    if (rc < 0) {
        return rc;
    }
    res = PQexecParams(b->conn, SQL_LOCK_HEADS, 0, NULL, NULL, NULL, NULL, 1);
    rc = plaint_pg_check(b->conn, res, "lock case heads", err);
    if (rc == 0 && (size_t)PQntuples(res) != b->ncases) {
        rc = plaint_error_set(err, PLAINT_EDB, "lock case heads: %d of %zu found",
                              PQntuples(res), b->ncases);
    }
    for (i = 0; rc == 0 && i < b->ncases; i++) {
        head *h = plaint_strmap_get(b->heads, PQgetvalue(res, (int)i, 0),
                                    (size_t)PQgetlength(res, (int)i, 0));
        if (h == NULL || PQgetlength(res, (int)i, 2) != PLAINT_HASH_LEN) {
            rc = plaint_error_set(err, PLAINT_EDB, "lock case heads: unexpected row");
            break;
        }
        h->seq = plaint_pg_bin_int8(res, (int)i, 1);
        memcpy(h->hash, PQgetvalue(res, (int)i, 2), PLAINT_HASH_LEN);
    }
    PQclear(res);
    return rc;
}

static int update_heads(bulk *b, plaint_error *err)
{
    size_t i;
    int rc = copy_begin(b, "COPY plaint_bulk_head (case_id, last_seq, last_hash) FROM STDIN",
                        "COPY heads", err);

    for (i = 0; rc == 0 && i < b->ncases; i++) {
        head *h = plaint_strmap_get(b->heads, b->cases[i], strlen(b->cases[i]));
        rc = copy_text(&b->copy, b->cases[i], strlen(b->cases[i]), err);
        if (rc == 0) {
            rc = plaint_buf_printf(&b->copy, err, "\t%lld\t\\\\x", (long long)h->seq);
        }
        if (rc == 0) {
            rc = plaint_buf_append_hex(&b->copy, h->hash, PLAINT_HASH_LEN, err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_byte(&b->copy, '\n', err);
        }
        if (rc == 0) {
            rc = copy_flush(b, 0, err);
        }
    }
    if (rc == 0) {
        rc = copy_end(b, "COPY heads", err);
    } else {
        copy_end(b, "COPY heads", NULL);
    }
    if (rc == 0) {
        rc = plaint_pg_exec(b->conn, SQL_SET_HEADS, "update case heads", err);
    }
    return rc;
}

/* Marks requests whose idempotency key is already recorded (or repeated within the batch). */
static int find_replays(bulk *b, const plaint_append_req *reqs, size_t n, plaint_error *err)
{
    plaint_strmap *keys = NULL;
    PGresult *res = NULL;
    size_t nkeys = 0;
    size_t i;
    int rc = plaint_strmap_new(&keys, sizeof(size_t), err);

    for (i = 0; rc == 0 && i < n; i++) {
        const char *k = reqs[i].idempotency_key;
        void *slot;
        int created = 0;
        if (k == NULL) {
            continue;
        }
        rc = plaint_strmap_upsert(keys, k, strlen(k), &slot, &created, err);
        if (rc == 0 && !created) {
            b->skip[i] = 1; /* repeated within the batch: the first one counts */
        } else if (rc == 0) {
            memcpy(slot, &i, sizeof(i));
            nkeys++;
        }
    }
    if (rc == 0 && nkeys > 0) {
        rc = copy_begin(b, "COPY plaint_bulk_key (k) FROM STDIN", "COPY keys", err);
        for (i = 0; rc == 0 && i < n; i++) {
            if (reqs[i].idempotency_key != NULL && !b->skip[i]) {
                rc = copy_text(&b->copy, reqs[i].idempotency_key,
                               strlen(reqs[i].idempotency_key), err);
                if (rc == 0) {
                    rc = plaint_buf_append_byte(&b->copy, '\n', err);
                }
                if (rc == 0) {
                    rc = copy_flush(b, 0, err);
                }
            }
        }
        if (rc == 0) {
            rc = copy_end(b, "COPY keys", err);
        } else {
            copy_end(b, "COPY keys", NULL);
        }
        if (rc == 0) {
            res = PQexec(b->conn, SQL_REPLAYS);
            rc = plaint_pg_check(b->conn, res, "look up idempotency keys", err);
        }
        for (i = 0; rc == 0 && i < (size_t)PQntuples(res); i++) {
            size_t *idx = plaint_strmap_get(keys, PQgetvalue(res, (int)i, 0),
                                            (size_t)PQgetlength(res, (int)i, 0));
            if (idx != NULL) {
                b->skip[*idx] = 1;
            }
        }
        PQclear(res);
    }
    plaint_strmap_free(keys);
    return rc;
}

static int batch_once(bulk *b, plaint_append_result *results, const plaint_append_req *reqs,
                      size_t n, plaint_error *err)
{
    PGresult *res;
    char n_txt[24];
    const char *vals[1] = {n_txt};
    size_t i;
    size_t live = 0;
    int rc;

    memset(b->skip, 0, n);
    rc = plaint_pg_exec(b->conn, SQL_TEMP, "create work tables", err);
    if (rc == 0) {
        rc = find_replays(b, reqs, n, err);
    }
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < n; i++) {
        live += !b->skip[i];
    }
    rc = lock_heads(b, err);
    if (rc < 0) {
        return rc;
    }
    snprintf(n_txt, sizeof(n_txt), "%zu", live);
    res = PQexecParams(b->conn,
                       "SELECT nextval('plaint.ledger_event_id_seq'), "
                       "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint "
                       "FROM generate_series(1, $1::int)",
                       1, NULL, vals, NULL, NULL, 0);
    rc = plaint_pg_check(b->conn, res, "allocate event ids", err);
    if (rc == 0 && (size_t)PQntuples(res) != live) {
        rc = plaint_error_set(err, PLAINT_EDB, "allocate event ids: wrong count");
    }
    if (rc == 0 && live > 0) {
        size_t k = 0;
        b->time_us = plaint_pg_get_int8(res, 0, 1);
        for (i = 0; i < n; i++) {
            b->ids[i] = b->skip[i] ? 0 : plaint_pg_get_int8(res, (int)k++, 0);
        }
    }
    PQclear(res);
    /* Chain every event onto its case's head, in request order. */
    for (i = 0; rc == 0 && i < n; i++) {
        plaint_event ev;
        head *h;
        if (b->skip[i]) {
            continue;
        }
        h = plaint_strmap_get(b->heads, reqs[i].case_id, strlen(reqs[i].case_id));
        memset(&ev, 0, sizeof(ev));
        ev.case_id = reqs[i].case_id;
        ev.case_id_len = strlen(ev.case_id);
        ev.case_seq = h->seq + 1;
        memcpy(ev.prev_hash, h->hash, PLAINT_HASH_LEN);
        ev.type = reqs[i].type;
        ev.type_len = strlen(ev.type);
        ev.actor = reqs[i].actor;
        ev.actor_len = strlen(ev.actor);
        ev.role = reqs[i].role;
        ev.role_len = strlen(ev.role);
        ev.time_us = b->time_us;
        ev.payload = reqs[i].payload;
        ev.payload_len = reqs[i].payload_len;
        rc = plaint_chain_event_hash(b->hashes[i], &ev, &b->scratch, &b->sha, err);
        if (rc < 0 && err != NULL) {
            char msg[sizeof(err->message)];
            memcpy(msg, err->message, sizeof(msg));
            plaint_error_set_at(err, rc, err->field, (unsigned long)i + 1, 0,
                                "event %zu of the batch: %s", i + 1, msg);
        }
        memcpy(b->prevs[i], h->hash, PLAINT_HASH_LEN);
        b->seqs[i] = ev.case_seq;
        h->seq = ev.case_seq;
        memcpy(h->hash, b->hashes[i], PLAINT_HASH_LEN);
    }
    if (rc == 0 && live > 0) {
        rc = copy_events(b, reqs, n, err);
    }
    if (rc == 0 && live > 0) {
        rc = update_heads(b, err);
    }
    if (rc == 0 && results != NULL) {
        for (i = 0; i < n; i++) {
            memset(&results[i], 0, sizeof(results[i]));
            results[i].replayed = b->skip[i];
            if (!b->skip[i]) {
                results[i].event_id = b->ids[i];
                results[i].case_seq = b->seqs[i];
                results[i].time_us = b->time_us;
                memcpy(results[i].hash, b->hashes[i], PLAINT_HASH_LEN);
            }
        }
    }
    return rc;
}

static void bulk_free(bulk *b)
{
    plaint_strmap_free(b->heads);
    free(b->cases);
    free(b->ids);
    free(b->hashes);
    free(b->prevs);
    free(b->seqs);
    free(b->skip);
    plaint_buf_clear(&b->copy);
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
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        return plaint_error_set(err, PLAINT_ERROR, "bulk append runs its own transaction");
    }
    memset(&b, 0, sizeof(b));
    b.conn = db->conn;
    rc = plaint_strmap_new(&b.heads, sizeof(head), err);
    if (rc == 0) {
        rc = plaint_sha256_init(&b.sha, err);
    }
    if (rc == 0) {
        b.cases = calloc(n, sizeof(*b.cases));
        b.ids = calloc(n, sizeof(*b.ids));
        b.hashes = calloc(n, PLAINT_HASH_LEN);
        b.prevs = calloc(n, PLAINT_HASH_LEN);
        b.seqs = calloc(n, sizeof(*b.seqs));
        b.skip = calloc(n, 1);
        if (b.cases == NULL || b.ids == NULL || b.hashes == NULL || b.prevs == NULL ||
            b.seqs == NULL || b.skip == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory for a batch of %zu", n);
        }
    }
    for (i = 0; rc == 0 && i < n; i++) {
        const plaint_append_req *r = &reqs[i];
        void *slot;
        int created = 0;
        if (r->case_id == NULL || r->case_id[0] == '\0' || r->type == NULL ||
            r->type[0] == '\0' || r->actor == NULL || r->actor[0] == '\0' || r->role == NULL ||
            r->role[0] == '\0' || r->payload == NULL || strlen(r->payload) != r->payload_len) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "event", (unsigned long)i + 1, 0,
                                     "event %zu of the batch: case, type, actor, role and "
                                     "payload are required",
                                     i + 1);
            break;
        }
        rc = plaint_strmap_upsert(b.heads, r->case_id, strlen(r->case_id), &slot, &created, err);
        if (rc == 0 && created) {
            b.cases[b.ncases++] = r->case_id;
        }
    }
    if (rc == 0 && b.ncases > 1) {
        /* a fixed lock order keeps concurrent batches from deadlocking */
        qsort(b.cases, b.ncases, sizeof(*b.cases), cmp_str);
    }
    for (attempt = 0; rc == 0 && attempt < BULK_RETRIES; attempt++) {
        rc = plaint_pg_exec(b.conn, "BEGIN", "begin", err);
        if (rc < 0) {
            break;
        }
        rc = batch_once(&b, results, reqs, n, err);
        if (rc == 0) {
            rc = plaint_pg_exec(b.conn, "COMMIT", "commit", err);
        } else {
            plaint_pg_exec(b.conn, "ROLLBACK", "rollback", NULL);
        }
        if (rc != PLAINT_ECONFLICT) {
            break;
        }
        rc = 0;
    }
    bulk_free(&b);
    return rc;
}
