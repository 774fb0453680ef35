/* plaint ledger replay: rebuild the projections from the ledger and compare. */
#include <string.h>

#include "plaint/app_complaint.h"
#include "plaint/complaint_store.h"

static const char SQL_DIGEST[] =
    "SELECT COALESCE(jsonb_agg(jsonb_build_object('table', table_name, 'rows', row_count,"
    " 'digest', digest) ORDER BY table_name), '[]') FROM plaint.projection_digest()";

int plaint_app_replay(int *same, int64_t *events, json_t **report, plaint_db *db,
                      int check_only, plaint_error *err)
{
    json_t *before = NULL;
    json_t *after = NULL;
    int rc = plaint_db_begin(db, err);

    *same = 0;
    *events = 0;
    if (report != NULL) {
        *report = NULL;
    }
    if (rc == 0) {
        /* no appends while rebuilding: the projections must match one ledger state */
        rc = plaint_db_exec(db, "LOCK TABLE plaint.ledger_event IN SHARE MODE", err);
    }
    if (rc == 0) {
        rc = plaint_pg_query_json(&before, db, SQL_DIGEST, 0, NULL, err);
    }
    if (rc == 0) {
        rc = plaint_pg_query_int(events, db, "SELECT plaint.projection_rebuild()", 0, NULL, err);
    }
    if (rc == 0) {
        rc = plaint_pg_query_json(&after, db, SQL_DIGEST, 0, NULL, err);
    }
    if (rc == 0) {
        size_t i;
        json_t *b;
        json_t *out = json_array();

        *same = json_equal(before, after);
        json_array_foreach(before, i, b) {
            json_t *a = json_array_get(after, i);

            json_array_append_new(
                out, json_pack("{s:O, s:O, s:O, s:O, s:b}", "table", json_object_get(b, "table"),
                               "rows_before", json_object_get(b, "rows"), "rows_after",
                               json_object_get(a, "rows"), "digest_after",
                               json_object_get(a, "digest"), "same", json_equal(b, a)));
        }
        if (report != NULL) {
            *report = out;
        } else {
            json_decref(out);
        }
    }
    if (rc == 0 && check_only) {
        rc = plaint_db_finish(db, PLAINT_ERROR, err);
        rc = rc == PLAINT_ERROR ? 0 : rc;
    } else {
        rc = plaint_db_finish(db, rc, err);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}
