/* The reads of the signed PDF reports: resolved complaints of a period, the monthly management
 * figures, the audit trail at a checkpoint and one complaint with its ledger events. Each is one
 * constant SQL text answered as one JSON document (see include/plaint/report_pdf_store.h). */
#include "plaint/report_pdf_store.h"

#include <stdio.h>
#include <string.h>

#include "plaint/complaint_store.h"
#include "store/pg_internal.h"

/* Whole Unix seconds of a timestamptz (NULL stays NULL); exact: extract(epoch) is numeric. */
#define EPOCH(x) "floor(extract(epoch FROM " x "))::bigint"
/* A period bound given as Unix seconds in parameter $n. */
#define AT(n) "to_timestamp(" n "::bigint)"

/* The SQL texts splice the EPOCH/AT/COUNT_BY macros into the strings, which clang-format
 * cannot lay out. */
/* clang-format off */
/* $1 from, $2 to. The last change to "resolved" of each complaint within the period. */
static const char SQL_RESOLVED[] =
    "WITH r AS (SELECT DISTINCT ON (h.ref) h.ref, h.at"
    "  FROM plaint.complaint_status_history h"
    "  WHERE h.to_status = 'resolved' AND h.at >= " AT("$1") " AND h.at < " AT("$2")
    "  ORDER BY h.ref, h.at DESC, h.seq DESC)"
    " SELECT COALESCE(jsonb_agg(jsonb_build_object("
    "  'ref', c.ref, 'category', c.category, 'channel', c.channel,"
    "  'received_at', " EPOCH("c.received_at") ", 'resolved_at', " EPOCH("r.at") ","
    "  'seconds', " EPOCH("r.at - c.received_at") ","
    "  'final_due', " EPOCH("c.final_due") ","
    "  'final_met', CASE WHEN c.final_due IS NULL THEN NULL ELSE r.at <= c.final_due END,"
    "  'first_response_due', " EPOCH("c.first_response_due") ","
    "  'first_response_at', " EPOCH("c.first_response_at") ","
    "  'first_met', CASE WHEN c.first_response_due IS NULL THEN NULL"
    "   ELSE c.first_response_at IS NOT NULL AND c.first_response_at <= c.first_response_due END,"
    "  'satisfaction', c.satisfaction,"
    "  'outcome', l.outcome, 'upheld', l.upheld)"
    "  ORDER BY r.at, c.ref COLLATE \"C\"), '[]'::jsonb)"
    " FROM r JOIN plaint.complaint c ON c.ref = r.ref"
    " LEFT JOIN LATERAL (SELECT g.outcome, g.upheld FROM plaint.resolution_log g"
    "  WHERE g.ref = r.ref AND g.at <= r.at ORDER BY g.seq DESC LIMIT 1) l ON true";

/* Counts of one column of the period's complaints, most first. */
#define COUNT_BY(col)                                                                              \
    "(SELECT COALESCE(jsonb_agg(jsonb_build_object('name', x.k, 'n', x.n)"                         \
    "   ORDER BY x.n DESC, x.k COLLATE \"C\"), '[]'::jsonb)"                                       \
    "  FROM (SELECT COALESCE(" col ", '(none)') AS k, count(*) AS n FROM m GROUP BY 1) x)"

/* $1 from, $2 to, $3 series from. */
static const char SQL_MONTH[] =
    "WITH m AS (SELECT c.category, c.sub_category, c.channel, c.status FROM plaint.complaint c"
    "  WHERE c.received_at >= " AT("$1") " AND c.received_at < " AT("$2") "),"
    " e AS (SELECT x.ref, x.target FROM plaint.escalation x"
    "  WHERE x.at >= " AT("$1") " AND x.at < " AT("$2") ")"
    " SELECT jsonb_build_object("
    " 'received', (SELECT count(*) FROM m),"
    " 'by_category', " COUNT_BY("m.category") ","
    " 'by_channel', " COUNT_BY("m.channel") ","
    " 'by_status', " COUNT_BY("m.status") ","
    " 'by_sub_category', (SELECT COALESCE(jsonb_agg(jsonb_build_object('category', x.c,"
    "   'sub_category', x.s, 'n', x.n) ORDER BY x.c COLLATE \"C\", x.n DESC, x.s COLLATE \"C\"),"
    "   '[]'::jsonb)"
    "  FROM (SELECT m.category AS c, COALESCE(m.sub_category, '(none)') AS s, count(*) AS n"
    "   FROM m GROUP BY 1, 2) x),"
    " 'escalations', (SELECT jsonb_build_object('events', count(*),"
    "   'complaints', count(DISTINCT e.ref)) FROM e),"
    " 'escalations_by_target', (SELECT COALESCE(jsonb_agg(jsonb_build_object('name', x.t,"
    "   'n', x.n) ORDER BY x.n DESC, x.t COLLATE \"C\"), '[]'::jsonb)"
    "  FROM (SELECT e.target AS t, count(*) AS n FROM e GROUP BY 1) x),"
    " 'refunds', (SELECT COALESCE(jsonb_agg(jsonb_build_object('currency', x.cur, 'n', x.n,"
    "   'total', x.total) ORDER BY x.cur COLLATE \"C\"), '[]'::jsonb)"
    "  FROM (SELECT f.currency AS cur, count(*) AS n, sum(f.total)::bigint AS total"
    "   FROM plaint.refund f WHERE f.status = 'credited'"
    "    AND f.credited_at >= " AT("$1") " AND f.credited_at < " AT("$2") " GROUP BY 1) x),"
    " 'redress', (SELECT COALESCE(jsonb_agg(jsonb_build_object('currency', x.cur, 'n', x.n,"
    "   'upheld', x.up, 'total', x.total) ORDER BY x.cur COLLATE \"C\"), '[]'::jsonb)"
    "  FROM (SELECT COALESCE(g.currency, '-') AS cur, count(*) AS n,"
    "    count(*) FILTER (WHERE g.upheld) AS up, sum(g.redress)::bigint AS total"
    "   FROM plaint.resolution_log g"
    "   WHERE g.at >= " AT("$1") " AND g.at < " AT("$2") " GROUP BY 1) x),"
    " 'series', (SELECT COALESCE(jsonb_agg(jsonb_build_object('category', x.c, 'month', x.mo,"
    "   'n', x.n) ORDER BY x.c COLLATE \"C\", x.mo), '[]'::jsonb)"
    "  FROM (SELECT c.category AS c,"
    "    to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM') AS mo, count(*) AS n"
    "   FROM plaint.complaint c"
    "   WHERE c.received_at >= " AT("$3") " AND c.received_at < " AT("$2") " GROUP BY 1, 2) x))";

/* $1 from, $2 to, $3 tree size. Events the checkpoint covers (position < tree size). */
static const char SQL_AUDIT[] =
    "WITH ev AS (SELECT p.position, e.case_id, e.event_type, e.actor, e.actor_role,"
    "   e.occurred_at, e.payload::jsonb AS p"
    "  FROM plaint.ledger_event e JOIN plaint.ledger_position p ON p.event_id = e.id"
    "  WHERE p.position < $3::bigint AND ((e.case_id = 'security-log'"
    "    AND e.event_type IN ('access.denied', 'auth.failed'))"
    "   OR (e.case_id LIKE 'subject:%'"
    "    AND e.event_type IN ('subject.erased', 'hold.placed', 'hold.released')))),"
    " pe AS (SELECT * FROM ev WHERE ev.occurred_at >= " AT("$1") " AND ev.occurred_at < " AT("$2")
    ")"
    " SELECT jsonb_build_object("
    " 'denials', (SELECT COALESCE(jsonb_agg(jsonb_build_object('position', pe.position,"
    "   'at', " EPOCH("pe.occurred_at") ", 'type', pe.event_type, 'actor', pe.actor,"
    "   'role', pe.actor_role, 'action', pe.p->>'action', 'reason', pe.p->>'reason')"
    "   ORDER BY pe.position), '[]'::jsonb)"
    "  FROM pe WHERE pe.case_id = 'security-log'),"
    " 'erasures', (SELECT COALESCE(jsonb_agg(jsonb_build_object('position', pe.position,"
    "   'at', " EPOCH("pe.occurred_at") ", 'subject', substr(pe.case_id, 9), 'actor', pe.actor,"
    "   'items', (pe.p->>'items')::bigint, 'policy', pe.p->>'policy',"
    "   'reason', pe.p->>'reason') ORDER BY pe.position), '[]'::jsonb)"
    "  FROM pe WHERE pe.event_type = 'subject.erased'),"
    " 'holds', (SELECT COALESCE(jsonb_agg(jsonb_build_object('position', pe.position,"
    "   'at', " EPOCH("pe.occurred_at") ", 'type', substr(pe.event_type, 6),"
    "   'subject', substr(pe.case_id, 9), 'hold', (pe.p->>'hold')::bigint, 'actor', pe.actor,"
    "   'reason', pe.p->>'reason') ORDER BY pe.position), '[]'::jsonb)"
    "  FROM pe WHERE pe.event_type IN ('hold.placed', 'hold.released')),"
    " 'active_holds', (SELECT COALESCE(jsonb_agg(jsonb_build_object("
    "   'hold', (a.p->>'hold')::bigint, 'subject', substr(a.case_id, 9),"
    "   'placed_at', " EPOCH("a.occurred_at") ", 'placed_by', a.actor, 'reason', a.p->>'reason')"
    "   ORDER BY (a.p->>'hold')::bigint), '[]'::jsonb)"
    "  FROM ev a WHERE a.event_type = 'hold.placed' AND NOT EXISTS (SELECT 1 FROM ev r"
    "   WHERE r.event_type = 'hold.released' AND r.p->>'hold' = a.p->>'hold')))";

/* $1 ref, $2 tree size. */
static const char SQL_CASE[] =
    "SELECT jsonb_build_object("
    " 'complaint', (SELECT jsonb_build_object('ref', c.ref, 'source_system', c.source_system,"
    "   'source_id', c.source_id, 'channel', c.channel, 'category', c.category,"
    "   'sub_category', c.sub_category, 'product', c.product, 'issue', c.issue,"
    "   'sub_issue', c.sub_issue, 'company', c.company, 'narrative', c.narrative,"
    "   'narrative_ref', c.narrative_ref, 'urgency', c.urgency, 'customer_id', c.customer_id,"
    "   'customer_tier', c.customer_tier, 'severity_score', c.severity_score,"
    "   'severity_level', c.severity_level, 'team', c.team, 'owner', c.owner,"
    "   'status', c.status, 'order_ref', c.order_ref, 'duplicate_of', c.duplicate_of,"
    "   'repeat_of', c.repeat_of, 'sla_target', c.sla_target, 'escalation', c.escalation,"
    "   'upheld', c.upheld, 'redress', c.redress, 'currency', c.currency,"
    "   'root_cause', c.root_cause, 'satisfaction', c.satisfaction, 'reopened', c.reopened,"
    "   'received_at', " EPOCH("c.received_at") ","
    "   'first_response_due', " EPOCH("c.first_response_due") ","
    "   'summary_due', " EPOCH("c.summary_due") ","
    "   'final_due', " EPOCH("c.final_due") ","
    "   'first_response_at', " EPOCH("c.first_response_at") ","
    "   'resolved_at', " EPOCH("c.resolved_at") ","
    "   'closed_at', " EPOCH("c.closed_at") ","
    "   'archived_at', " EPOCH("c.archived_at") ")"
    "  FROM plaint.complaint c WHERE c.ref = $1),"
    " 'events', (SELECT COALESCE(jsonb_agg(jsonb_build_object('position', p.position,"
    "   'seq', e.case_seq, 'at', " EPOCH("e.occurred_at") ", 'type', e.event_type,"
    "   'actor', e.actor, 'role', e.actor_role, 'payload', e.payload) ORDER BY e.case_seq),"
    "   '[]'::jsonb)"
    "  FROM plaint.ledger_event e JOIN plaint.ledger_position p ON p.event_id = e.id"
    "  WHERE e.case_id = $1 AND p.position < $2::bigint),"
    " 'later', (SELECT count(*) FROM plaint.ledger_event e"
    "  LEFT JOIN plaint.ledger_position p ON p.event_id = e.id"
    "  WHERE e.case_id = $1 AND (p.position IS NULL OR p.position >= $2::bigint)))";

/* $1 checkpoint seq. */
static const char SQL_KEY_ID[] =
    "SELECT to_jsonb(k.key_id) FROM plaint.ledger_checkpoint k WHERE k.seq = $1::bigint";
/* clang-format on */

static int query(json_t **out, plaint_db *db, const char *sql, int n, const char *const *params,
                 int want_array, const char *what, plaint_error *err)
{
    int rc = plaint_pg_query_json(out, db, sql, n, params, err);

    if (rc == 0 && (want_array ? !json_is_array(*out) : !json_is_object(*out))) {
        json_decref(*out);
        *out = NULL;
        rc = plaint_error_set(err, PLAINT_EDB, "%s: unexpected result", what);
    }
    return rc;
}

static int check_period(int64_t from, int64_t to, plaint_error *err)
{
    if (from >= to) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "period", 0, 0,
                                   "the period is empty (%lld .. %lld)", (long long)from,
                                   (long long)to);
    }
    return 0;
}

int plaint_pg_report_pdf_resolved(json_t **out, plaint_db *db, int64_t from, int64_t to,
                                  plaint_error *err)
{
    char a[32];
    char b[32];
    const char *params[2] = {a, b};
    int rc = check_period(from, to, err);

    *out = NULL;
    if (rc < 0) {
        return rc;
    }
    snprintf(a, sizeof(a), "%lld", (long long)from);
    snprintf(b, sizeof(b), "%lld", (long long)to);
    return query(out, db, SQL_RESOLVED, 2, params, 1, "resolved complaints", err);
}

int plaint_pg_report_pdf_month(json_t **out, plaint_db *db, int64_t from, int64_t to,
                               int64_t series_from, plaint_error *err)
{
    char a[32];
    char b[32];
    char c[32];
    const char *params[3] = {a, b, c};
    int rc = check_period(from, to, err);

    *out = NULL;
    if (rc == 0) {
        rc = check_period(series_from, to, err);
    }
    if (rc < 0) {
        return rc;
    }
    snprintf(a, sizeof(a), "%lld", (long long)from);
    snprintf(b, sizeof(b), "%lld", (long long)to);
    snprintf(c, sizeof(c), "%lld", (long long)series_from);
    return query(out, db, SQL_MONTH, 3, params, 0, "monthly figures", err);
}

int plaint_pg_report_pdf_audit(json_t **out, plaint_db *db, int64_t from, int64_t to,
                               int64_t tree_size, plaint_error *err)
{
    char a[32];
    char b[32];
    char c[32];
    const char *params[3] = {a, b, c};
    int rc = check_period(from, to, err);

    *out = NULL;
    if (rc < 0) {
        return rc;
    }
    snprintf(a, sizeof(a), "%lld", (long long)from);
    snprintf(b, sizeof(b), "%lld", (long long)to);
    snprintf(c, sizeof(c), "%lld", (long long)tree_size);
    return query(out, db, SQL_AUDIT, 3, params, 0, "audit trail", err);
}

int plaint_pg_report_pdf_case(json_t **out, plaint_db *db, const char *ref, int64_t tree_size,
                              plaint_error *err)
{
    char n[32];
    const char *params[2] = {ref, n};
    int rc;

    *out = NULL;
    if (ref == NULL || ref[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "ref", 0, 0, "no complaint named");
    }
    snprintf(n, sizeof(n), "%lld", (long long)tree_size);
    rc = query(out, db, SQL_CASE, 2, params, 0, "case report", err);
    if (rc == 0 && !json_is_object(json_object_get(*out, "complaint"))) {
        json_decref(*out);
        *out = NULL;
        rc = plaint_error_set_at(err, PLAINT_ENOTFOUND, "ref", 0, 0, "no complaint %s", ref);
    }
    return rc;
}

int plaint_pg_report_pdf_key_id(char key_id[65], plaint_db *db, int64_t seq, plaint_error *err)
{
    char s[32];
    const char *params[1] = {s};
    json_t *j = NULL;
    const char *k;
    int rc;

    key_id[0] = '\0';
    snprintf(s, sizeof(s), "%lld", (long long)seq);
    rc = plaint_pg_query_json(&j, db, SQL_KEY_ID, 1, params, err);
    if (rc == 0 && j == NULL) {
        return plaint_error_set(err, PLAINT_ENOTFOUND, "no checkpoint %lld", (long long)seq);
    }
    k = json_string_value(j);
    if (rc == 0 && (k == NULL || strlen(k) != 64)) {
        rc = plaint_error_set(err, PLAINT_EDB, "checkpoint %lld: malformed key id", (long long)seq);
    }
    if (rc == 0) {
        memcpy(key_id, k, 65);
    }
    json_decref(j);
    return rc;
}
