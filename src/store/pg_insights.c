/* The reads of impact control (plaint insights) from the complaint projection and the ledger:
 * counts per category and window, the channels of open complaints, and open complaints not yet
 * flagged for a reason. Flags live only on the ledger ("complaint.flagged", idempotency key
 * "flag:<ref>:<reason>"), so "already flagged" is read from plaint.ledger_event through its
 * unique index on the key. */
#include "plaint/insights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/buf.h"
#include "plaint/chain.h"
#include "plaint/complaint_store.h"
#include "plaint/workflow.h"
#include "store/pg_internal.h"

/* $1 from, $2 end, $3 window length in microseconds. Window i is [end - (i + 1) * len,
 * end - i * len), so a complaint d = end - received_at before the end (0 < d) is in window
 * ceil(d / len) - 1: one received exactly at a window's start belongs to it. extract(epoch) is
 * numeric (exact to the microsecond) since PostgreSQL 14. */
static const char SQL_COUNTS[] =
    "SELECT jsonb_build_object("
    " 'first_received_us', (SELECT floor(extract(epoch FROM min(received_at)) * 1000000)::bigint"
    "  FROM plaint.complaint),"
    " 'counts', COALESCE((SELECT jsonb_agg(jsonb_build_object('category', s.category,"
    "   'window', s.w, 'count', s.n) ORDER BY s.category COLLATE \"C\", s.w)"
    "  FROM (SELECT c.category, ceil((extract(epoch FROM $2::timestamptz)"
    "     - extract(epoch FROM c.received_at)) * 1000000 / $3::bigint)::bigint - 1 AS w,"
    "    count(*) AS n"
    "   FROM plaint.complaint c"
    "   WHERE c.received_at >= $1::timestamptz AND c.received_at < $2::timestamptz"
    "   GROUP BY 1, 2) s), '[]'::jsonb))";

/* $1 open states, $2 end. */
static const char SQL_CHANNELS[] =
    "SELECT COALESCE(jsonb_agg(DISTINCT c.channel ORDER BY c.channel), '[]'::jsonb)"
    " FROM plaint.complaint c"
    " WHERE c.status = ANY($1::text[]) AND c.received_at < $2::timestamptz";

/* $1 open states, $2 values (JSON array), $3 from (NULL: none), $4 end, $5 reason. One text per
 * field, so the SQL stays constant. */
#define SQL_UNFLAGGED(field)                                                                       \
    "SELECT COALESCE(jsonb_agg(jsonb_build_object('ref', c.ref, 'channel', c.channel,"             \
    "  'category', c.category, 'status', c.status, 'severity_level', c.severity_level,"            \
    "  'received_at', c.received_at) ORDER BY c.received_at, c.ref), '[]'::jsonb)"                 \
    " FROM plaint.complaint c"                                                                     \
    " WHERE c.status = ANY($1::text[])"                                                            \
    "  AND c." field " IN (SELECT jsonb_array_elements_text($2::jsonb))"                           \
    "  AND ($3::timestamptz IS NULL OR c.received_at >= $3::timestamptz)"                          \
    "  AND c.received_at < $4::timestamptz"                                                        \
    "  AND NOT EXISTS (SELECT 1 FROM plaint.ledger_event e"                                        \
    "   WHERE e.idempotency_key = 'flag:' || c.ref || ':' || $5::text"                             \
    "    AND e.event_type = 'complaint.flagged')"

static const char SQL_UNFLAGGED_CHANNEL[] = SQL_UNFLAGGED("channel");
static const char SQL_UNFLAGGED_CATEGORY[] = SQL_UNFLAGGED("category");

int plaint_pg_insights_counts(json_t **out, plaint_db *db, int64_t from_us, int64_t end_us,
                              int64_t window_us, plaint_error *err)
{
    char from[PLAINT_TIME_LEN + 1];
    char end[PLAINT_TIME_LEN + 1];
    char len[32];
    const char *params[3] = {from, end, len};
    int rc;

    *out = NULL;
    if (window_us <= 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "window length must be positive");
    }
    snprintf(len, sizeof(len), "%lld", (long long)window_us);
    rc = plaint_time_format(from, from_us, err);
    if (rc == 0) {
        rc = plaint_time_format(end, end_us, err);
    }
    if (rc == 0) {
        rc = plaint_pg_query_json(out, db, SQL_COUNTS, 3, params, err);
    }
    if (rc == 0 && !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        rc = plaint_error_set(err, PLAINT_EDB, "insights counts: unexpected result");
    }
    return rc;
}

int plaint_pg_insights_channels(json_t **out, plaint_db *db, int64_t end_us, plaint_error *err)
{
    plaint_buf open = PLAINT_BUF_INIT;
    char end[PLAINT_TIME_LEN + 1];
    const char *params[2] = {NULL, end};
    int rc = plaint_complaint_open_states(&open, err);

    *out = NULL;
    if (rc == 0) {
        rc = plaint_time_format(end, end_us, err);
    }
    if (rc == 0) {
        params[0] = open.data;
        rc = plaint_pg_query_json(out, db, SQL_CHANNELS, 2, params, err);
    }
    if (rc == 0 && !json_is_array(*out)) {
        json_decref(*out);
        *out = NULL;
        rc = plaint_error_set(err, PLAINT_EDB, "insights channels: unexpected result");
    }
    plaint_buf_clear(&open);
    return rc;
}

int plaint_pg_insights_unflagged(json_t **out, plaint_db *db, const char *field,
                                 const json_t *values, const char *reason, int64_t from_us,
                                 int64_t end_us, plaint_error *err)
{
    plaint_buf open = PLAINT_BUF_INIT;
    char from[PLAINT_TIME_LEN + 1];
    char end[PLAINT_TIME_LEN + 1];
    const char *params[5] = {NULL, NULL, NULL, end, reason};
    const char *sql = NULL;
    char *vals = NULL;
    int rc = 0;

    *out = NULL;
    if (field != NULL && strcmp(field, "channel") == 0) {
        sql = SQL_UNFLAGGED_CHANNEL;
    } else if (field != NULL && strcmp(field, "category") == 0) {
        sql = SQL_UNFLAGGED_CATEGORY;
    } else {
        return plaint_error_set_at(err, PLAINT_EINVALID, "field", 0, 0,
                                   "complaints are selected by channel or category, not %s",
                                   field != NULL ? field : "(none)");
    }
    if (!json_is_array(values) || reason == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "no values or reason to select by");
    }
    vals = json_dumps(values, JSON_COMPACT);
    if (vals == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    rc = plaint_complaint_open_states(&open, err);
    if (rc == 0 && from_us != 0) {
        rc = plaint_time_format(from, from_us, err);
        params[2] = from;
    }
    if (rc == 0) {
        rc = plaint_time_format(end, end_us, err);
    }
    if (rc == 0) {
        params[0] = open.data;
        params[1] = vals;
        rc = plaint_pg_query_json(out, db, sql, 5, params, err);
    }
    if (rc == 0 && !json_is_array(*out)) {
        json_decref(*out);
        *out = NULL;
        rc = plaint_error_set(err, PLAINT_EDB, "insights complaints: unexpected result");
    }
    free(vals);
    plaint_buf_clear(&open);
    return rc;
}
