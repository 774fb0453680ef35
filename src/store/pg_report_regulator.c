/* The figures of the regulator return and the records of the case export, computed in one
 * statement each from the ledger events with a position below the checkpoint's tree size: the
 * state of each complaint is rebuilt from its events exactly as the projector
 * (schemas/sql/0007_projector_temp.sql) derives resolved_at, closed_at, upheld, redress,
 * currency and root_cause, so the figures at a checkpoint never change when the ledger grows.
 * Definitions: docs/reports.md. */
#include "plaint/report_regulator.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/complaint_store.h"
#include "store/pg_internal.h"

/* $1 tree size; $2 [[category, group id], ...]; $3 fallback group id; $4 [[recorded cause,
 * return cause], ...]; $5 cause fallback (NULL: as recorded); $6 label for no cause; $7 period
 * start, $8 period end; $9 local day starts (N + 1), $10 summary deadlines (N), $11 final
 * deadlines (N), JSON arrays of RFC 3339 instants.
 * ev: for each complaint and kind of event the report needs, its last event in case order (one
 * sort, DISTINCT ON; no ordered aggregate, so the aggregation below can run in parallel):
 * rcv complaint.received, rsd to resolved, ro to reopened, cls to closed/rejected/withdrawn,
 * resc/resn resolution.logged with/without a root cause, tag complaint.root_cause_tagged.
 * k: those pivoted into one row per complaint; c: its state as the projector derives it (the
 * last resolution, the last root cause of a tag or a resolution); x: one row per complaint of
 * the period. */
#define SQL_CASES_CTE                                                                              \
    "WITH ev AS ("                                                                                 \
    " SELECT DISTINCT ON (e.case_id, kk.kind) e.case_id, kk.kind, e.case_seq, e.occurred_at, j.p"  \
    " FROM plaint.ledger_event e JOIN plaint.ledger_position lp ON lp.event_id = e.id,"            \
    "  LATERAL (SELECT e.payload::jsonb AS p) j,"                                                  \
    "  LATERAL (SELECT CASE e.event_type WHEN 'complaint.received' THEN 'rcv'"                     \
    "   WHEN 'complaint.root_cause_tagged' THEN 'tag'"                                             \
    "   WHEN 'resolution.logged' THEN"                                                             \
    "    CASE WHEN j.p->>'root_cause' IS NULL THEN 'resn' ELSE 'resc' END"                         \
    "   ELSE CASE j.p->>'to' WHEN 'resolved' THEN 'rsd' WHEN 'reopened' THEN 'ro'"                 \
    "    WHEN 'closed' THEN 'cls' WHEN 'rejected' THEN 'cls' WHEN 'withdrawn' THEN 'cls' END"      \
    "   END AS kind) kk"                                                                           \
    " WHERE lp.position < $1::bigint AND e.case_id LIKE 'CMP-%'"                                   \
    "  AND e.event_type IN ('complaint.received', 'complaint.status_changed',"                     \
    "   'resolution.logged', 'complaint.root_cause_tagged')"                                       \
    "  AND kk.kind IS NOT NULL"                                                                    \
    " ORDER BY e.case_id, kk.kind, e.case_seq DESC),"                                              \
    "k AS ("                                                                                       \
    " SELECT ev.case_id,"                                                                          \
    "  min(ev.p->>'category') FILTER (WHERE ev.kind = 'rcv') AS category,"                         \
    "  min((ev.p->>'received_at')::timestamptz) FILTER (WHERE ev.kind = 'rcv') AS received_at,"    \
    "  min(ev.p->>'customer') FILTER (WHERE ev.kind = 'rcv') AS customer,"                         \
    "  min(ev.case_seq) FILTER (WHERE ev.kind = 'ro') AS reopen_seq,"                              \
    "  min(ev.case_seq) FILTER (WHERE ev.kind = 'rsd') AS res_seq,"                                \
    "  min(ev.occurred_at) FILTER (WHERE ev.kind = 'rsd') AS res_at,"                              \
    "  min(ev.case_seq) FILTER (WHERE ev.kind = 'cls') AS cls_seq,"                                \
    "  min(ev.occurred_at) FILTER (WHERE ev.kind = 'cls') AS cls_at,"                              \
    "  min(ev.case_seq) FILTER (WHERE ev.kind = 'resc') AS resc_seq,"                              \
    "  min(ev.case_seq) FILTER (WHERE ev.kind = 'resn') AS resn_seq,"                              \
    "  min(ev.case_seq) FILTER (WHERE ev.kind = 'tag') AS tag_seq,"                                \
    "  min(ev.p->>'upheld') FILTER (WHERE ev.kind = 'resc') AS resc_upheld,"                       \
    "  min(ev.p->>'redress') FILTER (WHERE ev.kind = 'resc') AS resc_redress,"                     \
    "  min(ev.p->>'currency') FILTER (WHERE ev.kind = 'resc') AS resc_currency,"                   \
    "  min(ev.p->>'root_cause') FILTER (WHERE ev.kind = 'resc') AS resc_cause,"                    \
    "  min(ev.p->>'upheld') FILTER (WHERE ev.kind = 'resn') AS resn_upheld,"                       \
    "  min(ev.p->>'redress') FILTER (WHERE ev.kind = 'resn') AS resn_redress,"                     \
    "  min(ev.p->>'currency') FILTER (WHERE ev.kind = 'resn') AS resn_currency,"                   \
    "  min(ev.p->>'cause') FILTER (WHERE ev.kind = 'tag') AS tag_cause"                            \
    " FROM ev GROUP BY ev.case_id),"

#define SQL_CASES_CTE2                                                                             \
    "c AS ("                                                                                       \
    " SELECT k.case_id AS ref, k.category, k.received_at, k.customer,"                             \
    "  COALESCE(CASE WHEN k.res_seq > COALESCE(k.reopen_seq, 0) THEN k.res_at END,"                \
    "   CASE WHEN k.cls_seq > COALESCE(k.reopen_seq, 0) THEN k.cls_at END) AS closed_at,"          \
    "  (CASE WHEN k.resc_seq > COALESCE(k.resn_seq, 0) THEN k.resc_upheld"                         \
    "   ELSE k.resn_upheld END)::boolean AS upheld,"                                               \
    "  (CASE WHEN k.resc_seq > COALESCE(k.resn_seq, 0) THEN k.resc_redress"                        \
    "   ELSE k.resn_redress END)::bigint AS redress,"                                              \
    "  CASE WHEN k.resc_seq > COALESCE(k.resn_seq, 0) THEN k.resc_currency"                        \
    "   ELSE k.resn_currency END AS currency,"                                                     \
    "  CASE WHEN k.tag_seq > COALESCE(k.resc_seq, 0) THEN k.tag_cause ELSE k.resc_cause END"       \
    "   AS root_cause"                                                                             \
    " FROM k WHERE k.received_at IS NOT NULL),"                                                    \
    "days AS (SELECT"                                                                              \
    " ARRAY(SELECT t::timestamptz FROM jsonb_array_elements_text($9::jsonb) t) AS starts,"         \
    " ARRAY(SELECT t::timestamptz FROM jsonb_array_elements_text($10::jsonb) t) AS summary_due,"   \
    " ARRAY(SELECT t::timestamptz FROM jsonb_array_elements_text($11::jsonb) t) AS final_due),"    \
    "gm AS (SELECT m->>0 AS category, m->>1 AS grp FROM jsonb_array_elements($2::jsonb) m),"       \
    "cm AS (SELECT m->>0 AS value, m->>1 AS cause FROM jsonb_array_elements($4::jsonb) m),"        \
    "x AS ("                                                                                       \
    " SELECT c.ref, c.category, c.received_at, c.closed_at, c.customer, c.upheld, c.redress,"      \
    "  c.currency, COALESCE(gm.grp, $3::text) AS grp,"                                             \
    "  CASE WHEN c.closed_at IS NULL THEN NULL WHEN c.root_cause IS NULL THEN $6::text"            \
    "   WHEN cm.cause IS NOT NULL THEN cm.cause ELSE COALESCE($5::text, c.root_cause) END"         \
    "   AS cause,"                                                                                 \
    "  c.received_at < $7::timestamptz AS at_start,"                                               \
    "  c.received_at >= $7::timestamptz AS opened,"                                                \
    "  COALESCE(c.closed_at >= $7::timestamptz AND c.closed_at < $8::timestamptz, false)"          \
    "   AS closed_in,"                                                                             \
    "  CASE WHEN c.closed_at IS NULL THEN NULL"                                                    \
    "   WHEN c.closed_at <= days.summary_due[width_bucket(c.received_at, days.starts)]"            \
    "    THEN 'summary'"                                                                           \
    "   WHEN c.closed_at <= days.final_due[width_bucket(c.received_at, days.starts)]"              \
    "    THEN 'final'"                                                                             \
    "   ELSE 'later' END AS within"                                                                \
    " FROM c CROSS JOIN days"                                                                      \
    " LEFT JOIN gm ON gm.category = c.category LEFT JOIN cm ON cm.value = c.root_cause"            \
    " WHERE c.received_at < $8::timestamptz"                                                       \
    "  AND (c.closed_at IS NULL OR c.closed_at >= $7::timestamptz))"

/* The statements are assembled from these parts at run time (each part stays within C's
 * portable string length); the text is constant all the same. */
static const char SQL_PART1[] = SQL_CASES_CTE;
static const char SQL_PART2[] = SQL_CASES_CTE2;

static const char SQL_FIGURES[] =
    " SELECT jsonb_build_object("
    "  'counts', COALESCE((SELECT jsonb_agg(jsonb_build_object('group', s.grp,"
    "    'outstanding', s.a, 'opened', s.o, 'closed', s.c, 'summary', s.s, 'final', s.f,"
    "    'upheld', s.u))"
    "   FROM (SELECT x.grp, count(*) FILTER (WHERE x.at_start) AS a,"
    "     count(*) FILTER (WHERE x.opened) AS o,"
    "     count(*) FILTER (WHERE x.closed_in) AS c,"
    "     count(*) FILTER (WHERE x.closed_in AND x.within = 'summary') AS s,"
    "     count(*) FILTER (WHERE x.closed_in AND x.within = 'final') AS f,"
    "     count(*) FILTER (WHERE x.closed_in AND x.upheld) AS u"
    "    FROM x GROUP BY x.grp) s), '[]'::jsonb),"
    "  'redress', COALESCE((SELECT jsonb_agg(jsonb_build_object('group', r.grp,"
    "    'currency', r.cur, 'amount', r.amt::text))"
    "   FROM (SELECT x.grp, COALESCE(x.currency, 'XXX') AS cur, sum(x.redress) AS amt"
    "    FROM x WHERE x.closed_in AND x.redress > 0 GROUP BY 1, 2) r), '[]'::jsonb),"
    "  'causes', COALESCE((SELECT jsonb_agg(jsonb_build_object('group', r.grp,"
    "    'cause', r.cause, 'count', r.n))"
    "   FROM (SELECT x.grp, x.cause, count(*) AS n FROM x WHERE x.closed_in GROUP BY 1, 2) r),"
    "   '[]'::jsonb))";

static const char SQL_CASES[] =
    " SELECT x.ref, x.grp, x.category,"
    "  to_char(x.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    "  to_char(x.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    "  x.at_start, x.opened, x.closed_in, x.within, x.upheld, x.redress, x.currency, x.cause,"
    "  x.customer"
    " FROM x ORDER BY x.ref COLLATE \"C\"";

/* The mapping parameters as JSON text: [[a, b], ...]. Caller frees *out with free(). */
static int pairs_json(char **out, char *const *a, char *const *b, const size_t *bi,
                      const plaint_report_def *d, size_t n, plaint_error *err)
{
    json_t *arr = json_array();
    size_t i;
    int rc = 0;

    *out = NULL;
    for (i = 0; arr != NULL && rc == 0 && i < n; i++) {
        const char *second = b != NULL ? b[i] : d->groups[bi[i]].id;

        if (json_array_append_new(arr, json_pack("[ss]", a[i], second)) != 0) {
            rc = PLAINT_ENOMEM;
        }
    }
    if (arr != NULL && rc == 0) {
        *out = json_dumps(arr, JSON_COMPACT);
    }
    json_decref(arr);
    return *out == NULL ? plaint_error_set(err, PLAINT_ENOMEM, "out of memory") : 0;
}

typedef struct params {
    char size[32];
    plaint_buf sql;
    char *groups;
    char *causes;
    const char *vals[11];
} params;

static int params_make(params *p, const plaint_report_query *q, const char *tail, plaint_error *err)
{
    const plaint_report_def *d = q->def;
    int rc;

    memset(p, 0, sizeof(*p));
    rc = plaint_buf_append_str(&p->sql, SQL_PART1, err);
    if (rc == 0) {
        rc = plaint_buf_append_str(&p->sql, SQL_PART2, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&p->sql, tail, err);
    }
    if (rc < 0) {
        return rc;
    }
    snprintf(p->size, sizeof(p->size), "%lld", (long long)q->tree_size);
    rc = pairs_json(&p->groups, d->categories, NULL, d->category_group, d, d->ncategories, err);
    if (rc == 0) {
        rc =
            pairs_json(&p->causes, d->cause_values, d->cause_names, NULL, d, d->ncause_values, err);
    }
    p->vals[0] = p->size;
    p->vals[1] = p->groups;
    p->vals[2] = d->groups[d->fallback].id;
    p->vals[3] = p->causes;
    p->vals[4] = d->has_causes ? d->cause_fallback : NULL;
    p->vals[5] = d->has_causes ? d->cause_unrecorded : PLAINT_REPORT_UNRECORDED_CAUSE;
    p->vals[6] = q->from;
    p->vals[7] = q->to;
    p->vals[8] = q->day_starts;
    p->vals[9] = q->summary_due;
    p->vals[10] = q->final_due;
    return rc;
}

static void params_clear(params *p)
{
    free(p->groups);
    free(p->causes);
    plaint_buf_clear(&p->sql);
}

static void figures_clear(plaint_report_figures *f)
{
    size_t i;

    for (i = 0; i < f->ncauses; i++) {
        free(f->causes[i].name);
    }
    free(f->causes);
    free(f->amounts);
    memset(f, 0, sizeof(*f));
}

void plaint_report_result_clear(plaint_report_result *r)
{
    size_t i;

    for (i = 0; i < PLAINT_REPORT_MAX_GROUPS; i++) {
        figures_clear(&r->groups[i]);
    }
    figures_clear(&r->total);
    r->ngroups = 0;
}

static int add_amount(plaint_report_figures *f, const char *cur, int64_t amount, plaint_error *err)
{
    size_t i;
    plaint_report_amount *n;

    for (i = 0; i < f->namounts && strcmp(f->amounts[i].currency, cur) < 0; i++) {
    }
    if (i < f->namounts && strcmp(f->amounts[i].currency, cur) == 0) {
        if (amount > INT64_MAX - f->amounts[i].amount) {
            return plaint_error_set(err, PLAINT_ERANGE, "redress in %s overflows", cur);
        }
        f->amounts[i].amount += amount;
        return 0;
    }
    n = realloc(f->amounts, (f->namounts + 1) * sizeof(*n));
    if (n == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    f->amounts = n;
    memmove(&n[i + 1], &n[i], (f->namounts - i) * sizeof(*n));
    memset(&n[i], 0, sizeof(*n));
    snprintf(n[i].currency, sizeof(n[i].currency), "%s", cur);
    n[i].amount = amount;
    f->namounts++;
    return 0;
}

static int add_cause(plaint_report_figures *f, const char *name, int64_t count, plaint_error *err)
{
    size_t i;
    plaint_report_cause *n;

    for (i = 0; i < f->ncauses && strcmp(f->causes[i].name, name) < 0; i++) {
    }
    if (i < f->ncauses && strcmp(f->causes[i].name, name) == 0) {
        f->causes[i].count += count;
        return 0;
    }
    n = realloc(f->causes, (f->ncauses + 1) * sizeof(*n));
    if (n == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    f->causes = n;
    memmove(&n[i + 1], &n[i], (f->ncauses - i) * sizeof(*n));
    n[i].name = strdup(name);
    n[i].count = count;
    f->ncauses++;
    return n[i].name == NULL ? plaint_error_set(err, PLAINT_ENOMEM, "out of memory") : 0;
}

static int group_index(size_t *out, const plaint_report_def *d, const json_t *row,
                       plaint_error *err)
{
    const char *g = json_string_value(json_object_get(row, "group"));
    size_t i;

    for (i = 0; g != NULL && i < d->ngroups; i++) {
        if (strcmp(d->groups[i].id, g) == 0) {
            *out = i;
            return 0;
        }
    }
    return plaint_error_set(err, PLAINT_EDB, "figures name an unknown group %s",
                            g != NULL ? g : "(null)");
}

static int64_t jint(const json_t *row, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(row, key));
}

static int fill_result(plaint_report_result *r, const plaint_report_def *d, const json_t *j,
                       plaint_error *err)
{
    const json_t *row;
    size_t i;
    size_t g = 0;
    int rc = 0;

    r->ngroups = d->ngroups;
    json_array_foreach(json_object_get(j, "counts"), i, row)
    {
        plaint_report_figures *f;

        rc = group_index(&g, d, row, err);
        if (rc < 0) {
            return rc;
        }
        f = &r->groups[g];
        f->outstanding = jint(row, "outstanding");
        f->opened = jint(row, "opened");
        f->closed = jint(row, "closed");
        f->within_summary = jint(row, "summary");
        f->within_final = jint(row, "final");
        f->upheld = jint(row, "upheld");
        r->total.outstanding += f->outstanding;
        r->total.opened += f->opened;
        r->total.closed += f->closed;
        r->total.within_summary += f->within_summary;
        r->total.within_final += f->within_final;
        r->total.upheld += f->upheld;
    }
    json_array_foreach(json_object_get(j, "redress"), i, row)
    {
        const char *amt = json_string_value(json_object_get(row, "amount"));
        const char *cur = json_string_value(json_object_get(row, "currency"));
        char *end = NULL;
        long long v;

        rc = group_index(&g, d, row, err);
        if (rc < 0) {
            return rc;
        }
        v = amt != NULL ? strtoll(amt, &end, 10) : -1;
        if (amt == NULL || cur == NULL || end == NULL || *end != '\0' || v < 0 || v == LLONG_MAX) {
            return plaint_error_set(err, PLAINT_ERANGE, "redress of group %s out of range",
                                    d->groups[g].id);
        }
        rc = add_amount(&r->groups[g], cur, (int64_t)v, err);
        if (rc == 0) {
            rc = add_amount(&r->total, cur, (int64_t)v, err);
        }
        if (rc < 0) {
            return rc;
        }
    }
    json_array_foreach(json_object_get(j, "causes"), i, row)
    {
        const char *cause = json_string_value(json_object_get(row, "cause"));

        rc = group_index(&g, d, row, err);
        if (rc == 0 && cause == NULL) {
            rc = plaint_error_set(err, PLAINT_EDB, "figures have a cause without a name");
        }
        if (rc == 0) {
            rc = add_cause(&r->groups[g], cause, jint(row, "count"), err);
        }
        if (rc == 0) {
            rc = add_cause(&r->total, cause, jint(row, "count"), err);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int plaint_pg_report_figures(plaint_report_result *r, plaint_db *db, const plaint_report_query *q,
                             plaint_error *err)
{
    params p;
    json_t *j = NULL;
    int rc;

    memset(r, 0, sizeof(*r));
    rc = params_make(&p, q, SQL_FIGURES, err);
    if (rc == 0) {
        rc = plaint_pg_query_json(&j, db, (const char *)p.sql.data, 11, p.vals, err);
    }
    if (rc == 0 && !json_is_object(j)) {
        rc = plaint_error_set(err, PLAINT_EDB, "the figures query returned no object");
    }
    if (rc == 0) {
        rc = fill_result(r, q->def, j, err);
    }
    json_decref(j);
    params_clear(&p);
    if (rc < 0) {
        plaint_report_result_clear(r);
    }
    return rc;
}

static const char *opt(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static int flag(const PGresult *res, int row, int col)
{
    return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

int plaint_pg_report_cases(plaint_db *db, const plaint_report_query *q, plaint_report_case_fn fn,
                           void *arg, plaint_error *err)
{
    params p;
    PGresult *res = NULL;
    int rc = params_make(&p, q, SQL_CASES, err);
    int i;

    if (rc == 0) {
        res = PQexecParams(db->conn, (const char *)p.sql.data, 11, NULL, p.vals, NULL, NULL, 0);
        rc = plaint_pg_check(db->conn, res, "read the cases of the period", err);
    }
    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        plaint_report_case c;

        c.ref = PQgetvalue(res, i, 0);
        c.group = PQgetvalue(res, i, 1);
        c.category = opt(res, i, 2);
        c.received = PQgetvalue(res, i, 3);
        c.closed = opt(res, i, 4);
        c.outstanding_at_start = flag(res, i, 5);
        c.opened = flag(res, i, 6);
        c.closed_in_period = flag(res, i, 7);
        c.closed_within = opt(res, i, 8);
        c.upheld = PQgetisnull(res, i, 9) ? -1 : flag(res, i, 9);
        c.redress = opt(res, i, 10);
        c.currency = opt(res, i, 11);
        c.cause = opt(res, i, 12);
        c.customer = opt(res, i, 13);
        rc = fn(&c, arg, err);
    }
    PQclear(res);
    params_clear(&p);
    return rc;
}
