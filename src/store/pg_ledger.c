/* Writing the ledger: appends on per-case chains, the sequencer, and sealing checkpoints. */
#include "plaint/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/chain.h"
#include "plaint/merkle.h"
#include "plaint/merkle_frontier.h"
#include "store/pg_internal.h"
#include "store/pg_util.h"

#define APPEND_RETRIES 8
#define SEAL_LOCK_KEY "7243802" /* advisory lock: one sequencer/sealer at a time */

/* Locks the case's head row (creating it), returning its last seq and hash and the time. */
static const char *const SQL_LOCK_HEAD =
    "INSERT INTO plaint.ledger_case_head AS h (case_id, last_seq, last_hash) "
    "VALUES ($1, 0, $2) ON CONFLICT (case_id) DO UPDATE SET last_seq = h.last_seq "
    "RETURNING last_seq, last_hash, "
    "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

static const char *const SQL_FIND_KEY =
    "SELECT id, case_id, case_seq, event_type, payload, hash, "
    "(extract(epoch FROM occurred_at) * 1000000)::bigint "
    "FROM plaint.ledger_event WHERE idempotency_key = $1";

static const char *const SQL_INSERT =
    "WITH e AS (INSERT INTO plaint.ledger_event (case_id, case_seq, event_type, actor, "
    "  actor_role, occurred_at, payload, prev_hash, hash, idempotency_key) "
    "  VALUES ($1, $2, $3, $4, $5, 'epoch'::timestamptz + $6::bigint * interval '1 microsecond', "
    "  $7, $8, $9, $10) RETURNING id), "
    "p AS (INSERT INTO plaint.ledger_pending (event_id) SELECT id FROM e) "
    "UPDATE plaint.ledger_case_head SET last_seq = $2, last_hash = $9 WHERE case_id = $1 "
    "RETURNING (SELECT id FROM e)";

/* The single-append statements are prepared once per connection: planning them on every call
 * cost about a third of an append (docs/benchmarks.md). */
static int prepare_append(plaint_db *db, plaint_error *err)
{
    static const char *const names[3] = {"plaint_lock_head", "plaint_find_key",
                                         "plaint_insert_event"};
    static const int nparams[3] = {2, 1, 10};
    const char *sqls[3] = {SQL_LOCK_HEAD, SQL_FIND_KEY, SQL_INSERT};
    size_t i;
    int rc = 0;

    if (db->append_prepared) {
        return 0;
    }
    for (i = 0; rc == 0 && i < 3; i++) {
        PGresult *res = PQprepare(db->conn, names[i], sqls[i], nparams[i], NULL);
        rc = plaint_pg_check(db->conn, res, "prepare append", err);
        PQclear(res);
    }
    if (rc == 0) {
        db->append_prepared = 1;
    }
    return rc;
}

typedef struct append_state {
    plaint_sha256 sha;
    plaint_buf scratch;
} append_state;

/* Looks for an earlier event with the same idempotency key. *found = 1 fills out. */
static int find_by_key(plaint_append_result *out, int *found, PGconn *conn,
                       const plaint_append_req *req, plaint_error *err)
{
    const char *vals[1] = {req->idempotency_key};
    PGresult *res = PQexecPrepared(conn, "plaint_find_key", 1, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(conn, res, "look up idempotency key", err);

    *found = 0;
    if (rc == 0 && PQntuples(res) == 1) {
        const char *payload = PQgetvalue(res, 0, 4);
        if (strcmp(PQgetvalue(res, 0, 1), req->case_id) != 0 ||
            strcmp(PQgetvalue(res, 0, 3), req->type) != 0 ||
            strlen(payload) != req->payload_len ||
            memcmp(payload, req->payload, req->payload_len) != 0) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "idempotency_key", 0, 0,
                                     "idempotency key '%s' was already used for a different "
                                     "event (event %s)",
                                     req->idempotency_key, PQgetvalue(res, 0, 0));
        } else {
            *found = 1;
            out->replayed = 1;
            out->event_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
            out->case_seq = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
            out->time_us = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
            rc = plaint_pg_bytea_hash(out->hash, PQgetvalue(res, 0, 5), err);
        }
    }
    PQclear(res);
    return rc;
}

/* One attempt inside an open transaction. */
static int append_once(plaint_append_result *out, PGconn *conn, const plaint_append_req *req,
                       append_state *st, plaint_error *err)
{
    const char *lvals[2];
    int llens[2];
    int lfmts[2] = {0, 1};
    PGresult *res;
    plaint_event ev;
    char seq_txt[24];
    char time_txt[24];
    const char *ivals[10];
    int ilens[10] = {0};
    int ifmts[10] = {0};
    int found = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    lvals[0] = req->case_id;
    llens[0] = 0;
    lvals[1] = (const char *)plaint_chain_genesis;
    llens[1] = PLAINT_HASH_LEN;
    res = PQexecPrepared(conn, "plaint_lock_head", 2, lvals, llens, lfmts, 1);
    rc = plaint_pg_check(conn, res, "lock case head", err);
    if (rc < 0) {
        PQclear(res);
        return rc;
    }
    if (req->idempotency_key != NULL) {
        rc = find_by_key(out, &found, conn, req, err);
        if (rc < 0 || found) {
            PQclear(res);
            return rc;
        }
    }
    memset(&ev, 0, sizeof(ev));
    ev.case_id = req->case_id;
    ev.case_id_len = strlen(req->case_id);
    ev.case_seq = plaint_pg_bin_int8(res, 0, 0) + 1;
    if (PQgetlength(res, 0, 1) != PLAINT_HASH_LEN) {
        PQclear(res);
        return plaint_error_set(err, PLAINT_EDB, "case head hash has the wrong length");
    }
    memcpy(ev.prev_hash, PQgetvalue(res, 0, 1), PLAINT_HASH_LEN);
    ev.time_us = plaint_pg_bin_int8(res, 0, 2);
    PQclear(res);
    ev.type = req->type;
    ev.type_len = strlen(req->type);
    ev.actor = req->actor;
    ev.actor_len = strlen(req->actor);
    ev.role = req->role;
    ev.role_len = strlen(req->role);
    ev.payload = req->payload;
    ev.payload_len = req->payload_len;
    rc = plaint_chain_event_hash(out->hash, &ev, &st->scratch, &st->sha, err);
    if (rc < 0) {
        return rc;
    }
    snprintf(seq_txt, sizeof(seq_txt), "%lld", (long long)ev.case_seq);
    snprintf(time_txt, sizeof(time_txt), "%lld", (long long)ev.time_us);
    ivals[0] = req->case_id;
    ivals[1] = seq_txt;
    ivals[2] = req->type;
    ivals[3] = req->actor;
    ivals[4] = req->role;
    ivals[5] = time_txt;
    ivals[6] = req->payload;
    ivals[7] = (const char *)ev.prev_hash;
    ilens[7] = PLAINT_HASH_LEN;
    ifmts[7] = 1;
    ivals[8] = (const char *)out->hash;
    ilens[8] = PLAINT_HASH_LEN;
    ifmts[8] = 1;
    ivals[9] = req->idempotency_key;
    res = PQexecPrepared(conn, "plaint_insert_event", 10, ivals, ilens, ifmts, 0);
    rc = plaint_pg_check(conn, res, "append event", err);
    if (rc == 0) {
        if (PQntuples(res) != 1) {
            rc = plaint_error_set(err, PLAINT_EDB, "append event: case head vanished");
        } else {
            out->event_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
            out->case_seq = ev.case_seq;
            out->time_us = ev.time_us;
        }
    } else if (req->idempotency_key != NULL) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state != NULL && strcmp(state, "23505") == 0) {
            /* A concurrent append took the key first: retry, and find it. */
            rc = plaint_error_set(err, PLAINT_ECONFLICT, "idempotency key taken concurrently");
        }
    }
    PQclear(res);
    return rc;
}

static int validate_req(const plaint_append_req *req, plaint_error *err)
{
    if (req->case_id == NULL || req->case_id[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "case", 0, 0, "case id is required");
    }
    if (req->type == NULL || req->type[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "type", 0, 0, "event type is required");
    }
    if (req->actor == NULL || req->actor[0] == '\0' || req->role == NULL ||
        req->role[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "actor", 0, 0,
                                   "actor and role are required");
    }
    if (req->payload == NULL || strlen(req->payload) != req->payload_len) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "payload", 0, 0,
                                   "payload must be canonical JSON text without NUL bytes");
    }
    return 0;
}

int plaint_ledger_append(plaint_append_result *out, plaint_db *db, const plaint_append_req *req,
                         plaint_error *err)
{
    PGconn *conn = db->conn;
    int own = PQtransactionStatus(conn) == PQTRANS_IDLE;
    append_state st;
    int attempt;
    int rc;

    rc = validate_req(req, err);
    if (rc == 0) {
        rc = prepare_append(db, err);
    }
    if (rc < 0) {
        return rc;
    }
    memset(&st, 0, sizeof(st));
    rc = plaint_sha256_init(&st.sha, err);
    for (attempt = 0; rc == 0 && attempt < APPEND_RETRIES; attempt++) {
        if (own) {
            rc = plaint_pg_exec(conn, "BEGIN", "begin", err);
            if (rc < 0) {
                break;
            }
        }
        rc = append_once(out, conn, req, &st, err);
        if (own) {
            if (rc == 0) {
                rc = plaint_pg_exec(conn, "COMMIT", "commit", err);
            } else {
                plaint_pg_exec(conn, "ROLLBACK", "rollback", NULL);
            }
        }
        if (rc != PLAINT_ECONFLICT || !own) {
            break;
        }
        rc = 0; /* retry */
    }
    if (rc == 0 && attempt == APPEND_RETRIES) {
        rc = plaint_error_set(err, PLAINT_ECONFLICT, "append: gave up after %d conflicts",
                              APPEND_RETRIES);
    }
    plaint_sha256_clear(&st.sha);
    plaint_buf_clear(&st.scratch);
    return rc;
}

static const char *const SQL_SEQUENCE =
    "WITH batch AS (DELETE FROM plaint.ledger_pending RETURNING event_id), "
    "base AS (SELECT coalesce(max(position) + 1, 0) AS b FROM plaint.ledger_position) "
    "INSERT INTO plaint.ledger_position (position, event_id, event_hash) "
    "SELECT base.b + row_number() OVER (ORDER BY e.id) - 1, e.id, e.hash "
    "FROM batch JOIN plaint.ledger_event e ON e.id = batch.event_id CROSS JOIN base";

/* Inside an open transaction holding the seal lock. */
static int sequence_locked(int64_t *count, PGconn *conn, plaint_error *err)
{
    PGresult *res = PQexec(conn, SQL_SEQUENCE);
    int rc = plaint_pg_check(conn, res, "sequence events", err);

    if (rc == 0) {
        *count = strtoll(PQcmdTuples(res), NULL, 10);
    }
    PQclear(res);
    return rc;
}

static int with_seal_lock(PGconn *conn, plaint_error *err)
{
    int rc = plaint_pg_exec(conn, "BEGIN", "begin", err);

    if (rc == 0) {
        rc = plaint_pg_exec(conn, "SELECT pg_advisory_xact_lock(" SEAL_LOCK_KEY ")",
                            "take the sealer lock", err);
    }
    return rc;
}

static int finish_tx(PGconn *conn, int rc, plaint_error *err)
{
    if (rc == 0) {
        return plaint_pg_exec(conn, "COMMIT", "commit", err);
    }
    plaint_pg_exec(conn, "ROLLBACK", "rollback", NULL);
    return rc;
}

int plaint_ledger_sequence(int64_t *count, plaint_db *db, plaint_error *err)
{
    int rc;

    *count = 0;
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        return plaint_error_set(err, PLAINT_ERROR, "sequence: must not run inside a transaction");
    }
    rc = with_seal_lock(db->conn, err);
    if (rc == 0) {
        rc = sequence_locked(count, db->conn, err);
    }
    return finish_tx(db->conn, rc, err);
}

int plaint_ledger_register_key(plaint_db *db, const plaint_signkey *key, plaint_error *err)
{
    char kid[PLAINT_SIGNKEY_ID_LEN + 1];
    plaint_buf pem = PLAINT_BUF_INIT;
    const char *vals[2];
    PGresult *res;
    int rc;

    rc = plaint_signkey_id(kid, key, err);
    if (rc == 0) {
        rc = plaint_signkey_public_pem(&pem, key, err);
    }
    if (rc == 0) {
        vals[0] = kid;
        vals[1] = pem.data;
        res = PQexecParams(db->conn,
                           "INSERT INTO plaint.ledger_key (key_id, public_key) VALUES ($1, $2) "
                           "ON CONFLICT (key_id) DO NOTHING",
                           2, NULL, vals, NULL, NULL, 0);
        rc = plaint_pg_check(db->conn, res, "register public key", err);
        PQclear(res);
    }
    plaint_buf_clear(&pem);
    return rc;
}

static const char *const SQL_LAST_CP =
    "SELECT seq, tree_size, root_hash, hash, frontier FROM plaint.ledger_checkpoint "
    "ORDER BY seq DESC LIMIT 1";
static const char *const SQL_NEW_LEAVES =
    "SELECT position, event_hash FROM plaint.ledger_position WHERE position >= $1 "
    "ORDER BY position";
static const char *const SQL_NOW =
    "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint";
static const char *const SQL_INSERT_CP =
    "INSERT INTO plaint.ledger_checkpoint (seq, tree_size, root_hash, prev_hash, created_at, "
    "key_id, signature, hash, frontier) VALUES ($1, $2, $3, $4, "
    "'epoch'::timestamptz + $5::bigint * interval '1 microsecond', $6, $7, $8, $9)";

/* Loads the latest checkpoint's frontier into tree after checking it against the signed root. */
static int load_last(plaint_checkpoint *last, int *have, plaint_merkle_builder *tree,
                     PGconn *conn, plaint_error *err)
{
    PGresult *res = PQexecParams(conn, SQL_LAST_CP, 0, NULL, NULL, NULL, NULL, 1);
    unsigned char root[PLAINT_HASH_LEN];
    int rc = plaint_pg_check(conn, res, "read the latest checkpoint", err);

    *have = 0;
    if (rc == 0 && PQntuples(res) == 1) {
        *have = 1;
        last->seq = plaint_pg_bin_int8(res, 0, 0);
        last->tree_size = plaint_pg_bin_int8(res, 0, 1);
        rc = plaint_pg_bin_hash(last->root, res, 0, 2, err);
        if (rc == 0) {
            rc = plaint_pg_bin_hash(last->hash, res, 0, 3, err);
        }
        if (rc == 0) {
            rc = plaint_merkle_frontier_load(tree, (const unsigned char *)PQgetvalue(res, 0, 4),
                                             (size_t)PQgetlength(res, 0, 4), err);
        }
        if (rc == 0) {
            rc = plaint_merkle_builder_root(tree, root, err);
        }
        if (rc == 0 && (memcmp(root, last->root, PLAINT_HASH_LEN) != 0 ||
                        plaint_merkle_builder_size(tree) != (uint64_t)last->tree_size)) {
            rc = plaint_error_set(err, PLAINT_ETAMPER,
                                  "the stored Merkle frontier of checkpoint %lld does not match "
                                  "its signed root; refusing to seal (run plaint verify)",
                                  (long long)last->seq);
        }
    }
    PQclear(res);
    return rc;
}

static int add_leaves(plaint_merkle_builder *tree, PGconn *conn, int64_t from, plaint_error *err)
{
    char from_txt[24];
    const char *vals[1] = {from_txt};
    PGresult *res;
    int rc;
    int i;

    snprintf(from_txt, sizeof(from_txt), "%lld", (long long)from);
    res = PQexecParams(conn, SQL_NEW_LEAVES, 1, NULL, vals, NULL, NULL, 1);
    rc = plaint_pg_check(conn, res, "read new positions", err);
    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        unsigned char h[PLAINT_HASH_LEN];
        if (plaint_pg_bin_int8(res, i, 0) != from + i) {
            rc = plaint_error_set(err, PLAINT_ETAMPER,
                                  "position %lld is missing; refusing to seal (run plaint "
                                  "verify)",
                                  (long long)(from + i));
            break;
        }
        rc = plaint_pg_bin_hash(h, res, i, 1, err);
        if (rc == 0) {
            rc = plaint_merkle_builder_push_data(tree, h, PLAINT_HASH_LEN, err);
        }
    }
    PQclear(res);
    return rc;
}

static int insert_checkpoint(PGconn *conn, const plaint_checkpoint *cp, const plaint_buf *frontier,
                             plaint_error *err)
{
    char seq_txt[24];
    char size_txt[24];
    char time_txt[24];
    const char *vals[9];
    int lens[9] = {0, 0, PLAINT_HASH_LEN, PLAINT_HASH_LEN, 0, 0, PLAINT_SIG_LEN,
                   PLAINT_HASH_LEN, 0};
    int fmts[9] = {0, 0, 1, 1, 0, 0, 1, 1, 1};
    PGresult *res;
    int rc;

    snprintf(seq_txt, sizeof(seq_txt), "%lld", (long long)cp->seq);
    snprintf(size_txt, sizeof(size_txt), "%lld", (long long)cp->tree_size);
    snprintf(time_txt, sizeof(time_txt), "%lld", (long long)cp->time_us);
    vals[0] = seq_txt;
    vals[1] = size_txt;
    vals[2] = (const char *)cp->root;
    vals[3] = (const char *)cp->prev;
    vals[4] = time_txt;
    vals[5] = cp->key_id;
    vals[6] = (const char *)cp->sig;
    vals[7] = (const char *)cp->hash;
    vals[8] = frontier->data;
    lens[8] = (int)frontier->len;
    res = PQexecParams(conn, SQL_INSERT_CP, 9, NULL, vals, lens, fmts, 0);
    rc = plaint_pg_check(conn, res, "write checkpoint", err);
    PQclear(res);
    return rc;
}

int plaint_ledger_seal(plaint_seal_result *out, plaint_db *db, const plaint_signkey *key,
                       int force, plaint_error *err)
{
    PGconn *conn = db->conn;
    plaint_merkle_builder tree;
    plaint_checkpoint last;
    plaint_checkpoint *cp = &out->cp;
    plaint_buf frontier = PLAINT_BUF_INIT;
    PGresult *res;
    int have = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&last, 0, sizeof(last));
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        return plaint_error_set(err, PLAINT_ERROR, "seal: must not run inside a transaction");
    }
    rc = plaint_merkle_builder_init(&tree, err);
    if (rc == 0) {
        rc = with_seal_lock(conn, err);
    }
    if (rc == 0) {
        rc = sequence_locked(&out->sequenced, conn, err);
    }
    if (rc == 0) {
        rc = plaint_ledger_register_key(db, key, err);
    }
    if (rc == 0) {
        rc = load_last(&last, &have, &tree, conn, err);
    }
    if (rc == 0) {
        rc = add_leaves(&tree, conn, have ? last.tree_size : 0, err);
    }
    if (rc == 0 && have && !force &&
        plaint_merkle_builder_size(&tree) == (uint64_t)last.tree_size) {
        /* Nothing new: report the latest checkpoint. */
        *cp = last;
        rc = finish_tx(conn, 0, err);
        goto done;
    }
    if (rc == 0) {
        res = PQexecParams(conn, SQL_NOW, 0, NULL, NULL, NULL, NULL, 0);
        rc = plaint_pg_check(conn, res, "read the clock", err);
        if (rc == 0) {
            cp->time_us = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        }
        PQclear(res);
    }
    if (rc == 0) {
        cp->seq = have ? last.seq + 1 : 1;
        cp->tree_size = (int64_t)plaint_merkle_builder_size(&tree);
        memcpy(cp->prev, have ? last.hash : plaint_chain_genesis, PLAINT_HASH_LEN);
        rc = plaint_merkle_builder_root(&tree, cp->root, err);
    }
    if (rc == 0) {
        rc = plaint_checkpoint_sign(cp, key, err);
    }
    if (rc == 0) {
        rc = plaint_merkle_frontier_save(&frontier, &tree, err);
    }
    if (rc == 0) {
        rc = insert_checkpoint(conn, cp, &frontier, err);
    }
    rc = finish_tx(conn, rc, err);
    if (rc == 0) {
        out->sealed = 1;
    }
done:
    plaint_buf_clear(&frontier);
    plaint_merkle_builder_clear(&tree);
    return rc;
}

int plaint_ledger_stats_get(plaint_ledger_stats *out, plaint_db *db, plaint_error *err)
{
    PGresult *res = PQexec(
        db->conn,
        "SELECT (SELECT coalesce(max(id), 0) FROM plaint.ledger_event), "
        "(SELECT count(*) FROM plaint.ledger_pending), "
        "(SELECT coalesce(max(position) + 1, 0) FROM plaint.ledger_position), "
        "(SELECT count(*) FROM plaint.ledger_checkpoint), "
        "(SELECT coalesce(max(tree_size), 0) FROM plaint.ledger_checkpoint), "
        "(SELECT coalesce(extract(epoch FROM clock_timestamp() - max(created_at))::bigint, -1) "
        " FROM plaint.ledger_checkpoint)");
    int rc = plaint_pg_check(db->conn, res, "read ledger statistics", err);

    if (rc == 0) {
        out->events = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        out->pending = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        out->positions = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        out->checkpoints = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
        out->sealed = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
        out->seconds_since_seal = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
    }
    PQclear(res);
    return rc;
}
