/* Reading the ledger back: per case, streaming every event through a cursor in binary format,
 * checkpoints and keys, and feeding the verifier from one consistent snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/ledger.h"
#include "store/pg_internal.h"
#include "store/pg_util.h"

#define FETCH_ROWS "5000"

/* Columns of every event query below, in this order. */
#define EVENT_COLUMNS                                                                              \
    "e.id, e.case_id, e.case_seq, e.event_type, e.actor, e.actor_role, e.occurred_at, "          \
    "e.payload, e.prev_hash, e.hash, e.idempotency_key"
enum {
    C_POS = 0,
    C_ID,
    C_CASE,
    C_SEQ,
    C_TYPE,
    C_ACTOR,
    C_ROLE,
    C_TIME,
    C_PAYLOAD,
    C_PREV,
    C_HASH,
    C_KEY,
    C_POSHASH,
    C_COUNT
};

static const char *const SQL_CASE =
    "SELECT coalesce(p.position, -1), " EVENT_COLUMNS ", p.event_hash "
    "FROM plaint.ledger_event e LEFT JOIN plaint.ledger_position p ON p.event_id = e.id "
    "WHERE e.case_id = $1 ORDER BY e.case_seq";
static const char *const SQL_CURSOR_POSITIONED =
    "DECLARE plaint_read NO SCROLL CURSOR FOR "
    "SELECT p.position, " EVENT_COLUMNS ", p.event_hash "
    "FROM plaint.ledger_position p LEFT JOIN plaint.ledger_event e ON e.id = p.event_id "
    "WHERE p.position >= $1 ORDER BY p.position";
static const char *const SQL_CURSOR_PENDING =
    "DECLARE plaint_read NO SCROLL CURSOR FOR "
    "SELECT -1::bigint, " EVENT_COLUMNS ", NULL::bytea "
    "FROM plaint.ledger_pending q JOIN plaint.ledger_event e ON e.id = q.event_id "
    "ORDER BY e.id";

/* Fills row from a binary-format result row. The event is absent (event_id 0) when the
 * position row's event is missing. */
static int decode_row(plaint_ledger_row *row, const unsigned char **poshash, const PGresult *res,
                      int i, plaint_error *err)
{
    plaint_event *ev = &row->ev;
    int rc;

    memset(row, 0, sizeof(*row));
    row->position = plaint_pg_bin_int8(res, i, C_POS);
    *poshash = PQgetisnull(res, i, C_POSHASH)
                   ? NULL
                   : (const unsigned char *)PQgetvalue(res, i, C_POSHASH);
    if (*poshash != NULL && PQgetlength(res, i, C_POSHASH) != PLAINT_HASH_LEN) {
        return plaint_error_set(err, PLAINT_EDB, "position %lld: malformed event hash",
                                (long long)row->position);
    }
    if (PQgetisnull(res, i, C_ID)) {
        return 0;
    }
    row->event_id = plaint_pg_bin_int8(res, i, C_ID);
    ev->case_id = PQgetvalue(res, i, C_CASE);
    ev->case_id_len = (size_t)PQgetlength(res, i, C_CASE);
    ev->case_seq = plaint_pg_bin_int8(res, i, C_SEQ);
    ev->type = PQgetvalue(res, i, C_TYPE);
    ev->type_len = (size_t)PQgetlength(res, i, C_TYPE);
    ev->actor = PQgetvalue(res, i, C_ACTOR);
    ev->actor_len = (size_t)PQgetlength(res, i, C_ACTOR);
    ev->role = PQgetvalue(res, i, C_ROLE);
    ev->role_len = (size_t)PQgetlength(res, i, C_ROLE);
    ev->time_us = plaint_pg_bin_time_us(res, i, C_TIME);
    ev->payload = PQgetvalue(res, i, C_PAYLOAD);
    ev->payload_len = (size_t)PQgetlength(res, i, C_PAYLOAD);
    rc = plaint_pg_bin_hash(ev->prev_hash, res, i, C_PREV, err);
    if (rc == 0) {
        rc = plaint_pg_bin_hash(row->hash, res, i, C_HASH, err);
    }
    row->idempotency_key = PQgetisnull(res, i, C_KEY) ? NULL : PQgetvalue(res, i, C_KEY);
    return rc;
}

typedef int (*raw_row_fn)(const plaint_ledger_row *row, const unsigned char *poshash, void *arg,
                          plaint_error *err);

static int emit_rows(const PGresult *res, raw_row_fn fn, void *arg, plaint_error *err)
{
    plaint_ledger_row row;
    const unsigned char *poshash;
    int i;
    int rc = 0;

    if (PQnfields(res) != C_COUNT) {
        return plaint_error_set(err, PLAINT_EDB, "unexpected column count %d", PQnfields(res));
    }
    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        rc = decode_row(&row, &poshash, res, i, err);
        if (rc == 0) {
            rc = fn(&row, poshash, arg, err);
        }
    }
    return rc;
}

/* Runs a DECLARE statement and fetches the cursor to its end (inside a transaction). */
static int stream_cursor(PGconn *conn, const char *declare, int nparams, const char *const *vals,
                         raw_row_fn fn, void *arg, plaint_error *err)
{
    PGresult *res = PQexecParams(conn, declare, nparams, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(conn, res, "open cursor", err);

    PQclear(res);
    while (rc == 0) {
        res = PQexecParams(conn, "FETCH " FETCH_ROWS " FROM plaint_read", 0, NULL, NULL, NULL,
                           NULL, 1);
        rc = plaint_pg_check(conn, res, "read events", err);
        if (rc == 0 && PQntuples(res) == 0) {
            PQclear(res);
            break;
        }
        if (rc == 0) {
            rc = emit_rows(res, fn, arg, err);
        }
        PQclear(res);
    }
    if (rc == 0) {
        rc = plaint_pg_exec(conn, "CLOSE plaint_read", "close cursor", err);
    }
    return rc;
}

typedef struct user_fn {
    plaint_ledger_row_fn fn;
    void *arg;
} user_fn;

static int to_user(const plaint_ledger_row *row, const unsigned char *poshash, void *arg,
                   plaint_error *err)
{
    user_fn *u = arg;

    (void)poshash;
    if (row->event_id == 0) {
        return plaint_error_set(err, PLAINT_ETAMPER, "position %lld: its event is missing",
                                (long long)row->position);
    }
    return u->fn(row, u->arg, err);
}

int plaint_ledger_read_case(plaint_db *db, const char *case_id, plaint_ledger_row_fn fn,
                            void *arg, plaint_error *err)
{
    const char *vals[1] = {case_id};
    PGresult *res = PQexecParams(db->conn, SQL_CASE, 1, NULL, vals, NULL, NULL, 1);
    user_fn u = {fn, arg};
    int rc = plaint_pg_check(db->conn, res, "read case", err);

    if (rc == 0 && PQntuples(res) == 0) {
        rc = plaint_error_set_at(err, PLAINT_ENOTFOUND, "case", 0, 0, "no events for case '%s'",
                                 case_id);
    }
    if (rc == 0) {
        rc = emit_rows(res, to_user, &u, err);
    }
    PQclear(res);
    return rc;
}

/* Runs body inside a read-only snapshot unless the caller already opened a transaction. */
static int begin_snapshot(PGconn *conn, int *own, plaint_error *err)
{
    *own = PQtransactionStatus(conn) == PQTRANS_IDLE;
    if (!*own) {
        return 0;
    }
    return plaint_pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin", err);
}

static int end_snapshot(PGconn *conn, int own, int rc, plaint_error *err)
{
    if (!own) {
        return rc;
    }
    if (rc == 0) {
        return plaint_pg_exec(conn, "COMMIT", "commit", err);
    }
    plaint_pg_exec(conn, "ROLLBACK", "rollback", NULL);
    return rc;
}

int plaint_ledger_read_all(plaint_db *db, int64_t from, plaint_ledger_row_fn fn, void *arg,
                           plaint_error *err)
{
    char from_txt[24];
    const char *vals[1] = {from_txt};
    user_fn u = {fn, arg};
    int own = 0;
    int rc;

    snprintf(from_txt, sizeof(from_txt), "%lld", (long long)from);
    rc = begin_snapshot(db->conn, &own, err);
    if (rc == 0) {
        rc = stream_cursor(db->conn, SQL_CURSOR_POSITIONED, 1, vals, to_user, &u, err);
    }
    if (rc == 0) {
        rc = stream_cursor(db->conn, SQL_CURSOR_PENDING, 0, NULL, to_user, &u, err);
    }
    return end_snapshot(db->conn, own, rc, err);
}

int plaint_ledger_read_checkpoints(plaint_db *db, plaint_ledger_cp_fn fn, void *arg,
                                   plaint_error *err)
{
    PGresult *res = PQexecParams(db->conn,
                                 "SELECT seq, tree_size, root_hash, prev_hash, created_at, key_id, "
                                 "signature, hash, frontier FROM plaint.ledger_checkpoint "
                                 "ORDER BY seq",
                                 0, NULL, NULL, NULL, NULL, 1);
    int rc = plaint_pg_check(db->conn, res, "read checkpoints", err);
    int i;

    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        plaint_checkpoint cp;
        memset(&cp, 0, sizeof(cp));
        cp.seq = plaint_pg_bin_int8(res, i, 0);
        cp.tree_size = plaint_pg_bin_int8(res, i, 1);
        cp.time_us = plaint_pg_bin_time_us(res, i, 4);
        rc = plaint_pg_bin_hash(cp.root, res, i, 2, err);
        if (rc == 0) {
            rc = plaint_pg_bin_hash(cp.prev, res, i, 3, err);
        }
        if (rc == 0) {
            rc = plaint_pg_bin_hash(cp.hash, res, i, 7, err);
        }
        if (rc == 0 && PQgetlength(res, i, 6) != PLAINT_SIG_LEN) {
            rc = plaint_error_set(err, PLAINT_EDB, "checkpoint %lld: malformed signature",
                                  (long long)cp.seq);
        }
        if (rc == 0) {
            memcpy(cp.sig, PQgetvalue(res, i, 6), PLAINT_SIG_LEN);
            snprintf(cp.key_id, sizeof(cp.key_id), "%s", PQgetvalue(res, i, 5));
            rc = fn(&cp, (const unsigned char *)PQgetvalue(res, i, 8),
                    (size_t)PQgetlength(res, i, 8), arg, err);
        }
    }
    PQclear(res);
    return rc;
}

int plaint_ledger_read_keys(plaint_db *db, plaint_ledger_key_fn fn, void *arg, plaint_error *err)
{
    PGresult *res = PQexec(db->conn,
                           "SELECT key_id, public_key FROM plaint.ledger_key ORDER BY created_at, "
                           "key_id");
    int rc = plaint_pg_check(db->conn, res, "read keys", err);
    int i;

    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        rc = fn(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), arg, err);
    }
    PQclear(res);
    return rc;
}

int plaint_ledger_read_position_hashes(plaint_db *db, int64_t n, unsigned char *out, int64_t *got,
                                       plaint_error *err)
{
    PGconn *conn = db->conn;
    char n_txt[24];
    const char *vals[1] = {n_txt};
    PGresult *res;
    int own = 0;
    int rc;
    int i;
    int nt;

    *got = 0;
    snprintf(n_txt, sizeof(n_txt), "%lld", (long long)n);
    rc = begin_snapshot(conn, &own, err);
    if (rc == 0) {
        res = PQexecParams(conn,
                           "DECLARE plaint_hashes NO SCROLL CURSOR FOR SELECT position, event_hash "
                           "FROM plaint.ledger_position WHERE position < $1 ORDER BY position",
                           1, NULL, vals, NULL, NULL, 0);
        rc = plaint_pg_check(conn, res, "open cursor", err);
        PQclear(res);
    }
    while (rc == 0) {
        res = PQexecParams(conn, "FETCH 20000 FROM plaint_hashes", 0, NULL, NULL, NULL, NULL, 1);
        rc = plaint_pg_check(conn, res, "read positions", err);
        if (rc == 0 && PQntuples(res) == 0) {
            PQclear(res);
            break;
        }
        nt = PQntuples(res);
        for (i = 0; rc == 0 && i < nt; i++) {
            if (plaint_pg_bin_int8(res, i, 0) != *got) {
                break; /* a gap: stop counting here */
            }
            rc = plaint_pg_bin_hash(out + (size_t)*got * PLAINT_HASH_LEN, res, i, 1, err);
            if (rc == 0) {
                (*got)++;
            }
        }
        PQclear(res);
        if (i < nt) {
            break;
        }
    }
    return end_snapshot(conn, own, rc, err);
}
