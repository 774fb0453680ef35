/* Reads of the complaint projections as JSON (the rows are built by PostgreSQL's json functions,
 * so column names and types stay in one place: schemas/sql/0005_complaints.sql). */
#include "plaint/complaint_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/buf.h"
#include "plaint/workflow.h"
#include "store/pg_internal.h"

int plaint_pg_query_json(json_t **out, plaint_db *db, const char *sql, int nparams,
                         const char *const *params, plaint_error *err)
{
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "query", err);

    *out = NULL;
    if (rc == 0 && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        json_error_t jerr;
        const char *text = PQgetvalue(res, 0, 0);

        *out = json_loads(text, JSON_DECODE_ANY, &jerr);
        if (*out == NULL) {
            rc = plaint_error_set(err, PLAINT_EDB, "database returned invalid JSON: %s",
                                  jerr.text);
        }
    }
    PQclear(res);
    return rc;
}

int plaint_pg_query_int(int64_t *out, plaint_db *db, const char *sql, int nparams,
                        const char *const *params, plaint_error *err)
{
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "query", err);

    *out = 0;
    if (rc == 0 && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        *out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    }
    PQclear(res);
    return rc;
}

int plaint_complaint_new_refs(char (*refs)[32], size_t n, plaint_db *db, const int *years,
                              plaint_error *err)
{
    char count[32];
    const char *params[1] = {count};
    PGresult *res;
    int rc;
    size_t i;

    if (n == 0) {
        return 0;
    }
    snprintf(count, sizeof(count), "%zu", n);
    res = PQexecParams(db->conn,
                       "SELECT nextval('plaint.complaint_ref_seq') FROM generate_series(1, $1::int)",
                       1, NULL, params, NULL, NULL, 0);
    rc = plaint_pg_check(db->conn, res, "reserving reference numbers", err);
    if (rc == 0 && (size_t)PQntuples(res) != n) {
        rc = plaint_error_set(err, PLAINT_EDB, "reserving reference numbers: got %d of %zu",
                              PQntuples(res), n);
    }
    for (i = 0; rc == 0 && i < n; i++) {
        long long v = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);

        snprintf(refs[i], 32, "CMP-%04d-%06lld", years[i] % 10000, v);
    }
    PQclear(res);
    return rc;
}

int plaint_complaint_lock(plaint_db *db, const char *key, plaint_error *err)
{
    const char *params[1] = {key};
    PGresult *res = PQexecParams(db->conn,
                                 "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", 1,
                                 NULL, params, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "locking the complaint", err);

    PQclear(res);
    return rc;
}

int plaint_complaint_get(json_t **out, plaint_db *db, const char *ref, plaint_error *err)
{
    const char *params[1] = {ref};
    int rc = plaint_pg_query_json(
        out, db,
        "SELECT to_jsonb(c) || jsonb_build_object('source_fields', "
        "  COALESCE(c.source_fields, '{}'::jsonb)) "
        "FROM plaint.complaint c WHERE c.ref = $1",
        1, params, err);

    if (rc == 0 && *out == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND, "no complaint %s", ref);
    }
    return rc;
}

int plaint_complaint_open_states(plaint_buf *out, plaint_error *err)
{
    int rc = plaint_buf_append_str(out, "{", err);
    int first = 1;
    int s;

    for (s = 0; rc == 0 && s < (int)PLAINT_WF_STATE_COUNT; s++) {
        if (plaint_wf_is_open((plaint_wf_state)s)) {
            rc = plaint_buf_printf(out, err, "%s%s", first ? "" : ",",
                                   plaint_wf_state_name((plaint_wf_state)s));
            first = 0;
        }
    }
    return rc == 0 ? plaint_buf_append_str(out, "}", err) : rc;
}

int plaint_complaint_list(json_t **out, plaint_db *db, const plaint_complaint_filter *f,
                          plaint_error *err)
{
    plaint_buf open = PLAINT_BUF_INIT;
    char limit[32];
    const char *params[7];
    int rc = f->open_only ? plaint_complaint_open_states(&open, err) : 0;

    snprintf(limit, sizeof(limit), "%lld", (long long)(f->limit > 0 ? f->limit : 0));
    params[0] = f->status;
    params[1] = f->owner;
    params[2] = f->category;
    params[3] = f->channel;
    params[4] = f->customer;
    params[5] = f->open_only ? open.data : NULL;
    params[6] = limit;
    if (rc == 0) {
        rc = plaint_pg_query_json(
            out, db,
            "SELECT COALESCE(jsonb_agg(to_jsonb(x) ORDER BY x.received_at DESC, x.ref DESC), "
            "'[]'::jsonb) FROM ("
            " SELECT ref, status, channel, category, severity_level, severity_score, owner, "
            "  team, customer_id, escalation, received_at, final_due "
            " FROM plaint.complaint c"
            " WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR owner = $2)"
            "  AND ($3::text IS NULL OR category = $3) AND ($4::text IS NULL OR channel = $4)"
            "  AND ($5::text IS NULL OR customer_id = $5)"
            "  AND ($6::text[] IS NULL OR status = ANY($6::text[]))"
            " ORDER BY received_at DESC, ref DESC"
            " LIMIT NULLIF($7::bigint, 0)) x",
            7, params, err);
    }
    plaint_buf_clear(&open);
    return rc;
}

int plaint_complaint_details(json_t **out, plaint_db *db, const char *ref, plaint_error *err)
{
    const char *params[1] = {ref};
    int rc = plaint_pg_query_json(
        out, db,
        "SELECT json_build_object('complaint', to_jsonb(c) - 'source_fields',"
        " 'tasks', (SELECT COALESCE(jsonb_agg(to_jsonb(t) || jsonb_build_object('items',"
        "   (SELECT COALESCE(jsonb_agg(to_jsonb(i) - 'task_id' ORDER BY i.position), '[]')"
        "    FROM plaint.task_item i WHERE i.task_id = t.task_id)) ORDER BY t.created_at,"
        "   t.task_id), '[]') FROM plaint.task t WHERE t.ref = c.ref),"
        " 'refunds', (SELECT COALESCE(jsonb_agg(to_jsonb(r) ORDER BY r.refund_id), '[]')"
        "   FROM plaint.refund r WHERE r.ref = c.ref),"
        " 'history', (SELECT COALESCE(jsonb_agg(to_jsonb(h) - 'ref' ORDER BY h.seq), '[]')"
        "   FROM plaint.complaint_status_history h WHERE h.ref = c.ref),"
        " 'notes', (SELECT COALESCE(jsonb_agg(to_jsonb(n) - 'ref' ORDER BY n.seq), '[]')"
        "   FROM plaint.complaint_note n WHERE n.ref = c.ref),"
        " 'resolutions', (SELECT COALESCE(jsonb_agg(to_jsonb(l) - 'ref' ORDER BY l.seq), '[]')"
        "   FROM plaint.resolution_log l WHERE l.ref = c.ref),"
        " 'escalations', (SELECT COALESCE(jsonb_agg(to_jsonb(e) - 'ref' ORDER BY e.seq), '[]')"
        "   FROM plaint.escalation e WHERE e.ref = c.ref),"
        " 'outbox', (SELECT COALESCE(jsonb_agg(to_jsonb(m) ORDER BY m.message_id), '[]')"
        "   FROM plaint.outbox m WHERE m.ref = c.ref),"
        " 'source_fields', COALESCE(c.source_fields, '{}'::jsonb))"
        " FROM plaint.complaint c WHERE c.ref = $1",
        1, params, err);

    if (rc == 0 && *out == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND, "no complaint %s", ref);
    }
    return rc;
}

int plaint_task_list(json_t **out, plaint_db *db, const plaint_task_filter *f, plaint_error *err)
{
    char limit[32];
    const char *params[6];

    snprintf(limit, sizeof(limit), "%lld", (long long)(f->limit > 0 ? f->limit : 0));
    params[0] = f->ref;
    params[1] = f->role;
    params[2] = f->assignee;
    params[3] = f->status;
    params[4] = f->kind;
    params[5] = limit;
    return plaint_pg_query_json(
        out, db,
        "SELECT COALESCE(jsonb_agg(to_jsonb(x) ORDER BY x.created_at, x.task_id), '[]') FROM ("
        " SELECT t.task_id, t.ref, t.kind, t.role, t.assignee, t.status, t.title, t.due_at,"
        "  t.created_at, (SELECT count(*) FROM plaint.task_item i WHERE i.task_id = t.task_id"
        "   AND i.mandatory AND i.done_at IS NULL) AS open_mandatory_items"
        " FROM plaint.task t"
        " WHERE ($1::text IS NULL OR t.ref = $1) AND ($2::text IS NULL OR t.role = $2)"
        "  AND ($3::text IS NULL OR t.assignee = $3) AND ($4::text IS NULL OR t.status = $4)"
        "  AND ($5::text IS NULL OR t.kind = $5)"
        " ORDER BY t.created_at, t.task_id LIMIT NULLIF($6::bigint, 0)) x",
        6, params, err);
}

int plaint_outbox_list(json_t **out, plaint_db *db, const char *status, const char *ref,
                       int64_t limit, plaint_error *err)
{
    char lim[32];
    const char *params[3] = {status, ref, lim};

    snprintf(lim, sizeof(lim), "%lld", (long long)(limit > 0 ? limit : 0));
    return plaint_pg_query_json(
        out, db,
        "SELECT COALESCE(jsonb_agg(to_jsonb(x) ORDER BY x.queued_at, x.message_id), '[]') FROM ("
        " SELECT message_id, ref, kind, recipient, status, attempts, subject, queued_at, sent_at"
        " FROM plaint.outbox WHERE ($1::text IS NULL OR status = $1)"
        "  AND ($2::text IS NULL OR ref = $2)"
        " ORDER BY queued_at, message_id LIMIT NULLIF($3::bigint, 0)) x",
        3, params, err);
}

int plaint_outbox_get(json_t **out, plaint_db *db, const char *message_id, plaint_error *err)
{
    const char *params[1] = {message_id};
    int rc = plaint_pg_query_json(out, db,
                                  "SELECT to_jsonb(m) FROM plaint.outbox m WHERE message_id = $1",
                                  1, params, err);

    if (rc == 0 && *out == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND, "no message %s", message_id);
    }
    return rc;
}
