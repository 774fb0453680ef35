/* The report anchor's reads: a checkpoint (the latest, or the one of a tree size), the size of
 * the ledger, and the read-only snapshot transaction reports run in. */
#include "plaint/report_store.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/pg_internal.h"
#include "store/pg_util.h"

/* $1 tree size, or NULL for the latest checkpoint. Binary results. */
static const char SQL_CHECKPOINT[] =
    "SELECT seq, tree_size, root_hash, created_at FROM plaint.ledger_checkpoint"
    " WHERE $1::bigint IS NULL OR tree_size = $1::bigint ORDER BY seq DESC LIMIT 1";

int plaint_pg_report_checkpoint(plaint_report_cp *out, plaint_db *db, int64_t tree_size,
                                plaint_error *err)
{
    char size[32];
    const char *vals[1] = {NULL};
    PGresult *res;
    int rc;

    if (tree_size >= 0) {
        snprintf(size, sizeof(size), "%lld", (long long)tree_size);
        vals[0] = size;
    }
    res = PQexecParams(db->conn, SQL_CHECKPOINT, 1, NULL, vals, NULL, NULL, 1);
    rc = plaint_pg_check(db->conn, res, "read checkpoint", err);
    if (rc == 0 && PQntuples(res) == 0) {
        rc = tree_size < 0 ? plaint_error_set(err, PLAINT_ENOTFOUND, "the ledger has no checkpoint")
                           : plaint_error_set(err, PLAINT_ENOTFOUND,
                                              "the ledger has no checkpoint of tree size %lld",
                                              (long long)tree_size);
    }
    if (rc == 0) {
        out->seq = plaint_pg_bin_int8(res, 0, 0);
        out->tree_size = plaint_pg_bin_int8(res, 0, 1);
        rc = plaint_pg_bin_hash(out->root, res, 0, 2, err);
        out->time_us = plaint_pg_bin_time_us(res, 0, 3);
    }
    PQclear(res);
    return rc;
}

int plaint_pg_report_ledger_size(int64_t *positions, int64_t *pending, plaint_db *db,
                                 plaint_error *err)
{
    PGresult *res = PQexec(db->conn, "SELECT (SELECT coalesce(max(position) + 1, 0)"
                                     " FROM plaint.ledger_position),"
                                     " (SELECT count(*) FROM plaint.ledger_pending)");
    int rc = plaint_pg_check(db->conn, res, "read ledger size", err);

    if (rc == 0) {
        *positions = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        *pending = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    }
    PQclear(res);
    return rc;
}

int plaint_pg_report_begin_snapshot(plaint_db *db, plaint_error *err)
{
    return plaint_pg_exec(db->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                          "begin report snapshot", err);
}
