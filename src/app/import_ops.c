/* plaint import csv: bulk intake through a mapping, every row through the same automatic intake
 * steps as `plaint complaint new`. Idempotent and resumable: a row whose source id (mapping name,
 * external id) is already a complaint is skipped, and batches commit as they go. Batch k is
 * appended by a writer thread (batch_writer.h) while batch k+1 is read, planned and encoded on a
 * second connection (docs/workflow.md, "Projections and replay"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/batch_writer.h"
#include "app/complaint_internal.h"
#include "plaint/app_vault.h"
#include "plaint/complaint_store.h"
#include "plaint/email.h"
#include "plaint/intake.h"
#include "plaint/jcs.h"
#include "plaint/ledger.h"

/* A row kept for the batch: the input with its own copies of the strings. */
struct row {
    plaint_complaint_input in;
    const char **names;
    const char **values;
    int64_t line;
    int skip;
    int planned;
    char ref[32];
    char month[8];
};

/* What facts of later batches need to know of a batch being written (batch_facts). */
struct inflight_row {
    char ref[32];
    int64_t received_us;
    char *source_id;
    char *narrative; /* NULL when none */
    char *category;
    char *company;   /* NULL when none */
};

/* The batch the writer thread is appending: it owns the events and their encoded payloads. */
struct inflight {
    plaint_event_list events;
    plaint_buf payloads;
    plaint_append_req *reqs;
    size_t n;
    int64_t planned; /* complaints in it */
    struct inflight_row *rows;
    size_t nrows;
};

struct import_ctx {
    plaint_db *db;  /* the writer thread's while a batch is in flight; else the single path's */
    plaint_db *rdb; /* facts and reference numbers of batches, read while the writer writes */
    plaint_batch_writer *writer;
    struct inflight fly;
    int flying;
    const plaint_actor *actor;
    const plaint_handling *h;
    const plaint_config *cfg; /* master keys for customers' narratives (import_single) */
    plaint_handling_policies pol;
    const char *source;
    const char *file;
    size_t batch;
    int validate_only;
    plaint_import_stats *st;
    plaint_intake_bad_fn bad;
    void *bad_arg;
    plaint_progress_fn progress;
    void *progress_arg;
    plaint_event_list events;
    struct row *rows;
    size_t nrows;
    char **strs;
    size_t nstrs, capstrs;
    int64_t done;
    /* month -> complaints received in it: counted in the database the first time a batch
     * needs the month, then kept up to date with this import's own batches (counting a month
     * again for every batch made the import O(N^2)). Emptied when a row goes the single path,
     * which reads its facts from the database. Like two concurrent `complaint new`, complaints
     * that other writers take in meanwhile are not counted. */
    json_t *month_counts;
    int64_t now_us; /* the clock when the import started: no row is received after it */
};

static int report(struct import_ctx *c, int64_t line, const char *message)
{
    plaint_intake_pos pos;

    memset(&pos, 0, sizeof(pos));
    pos.file = c->file;
    pos.line = line;
    c->st->rows_bad++;
    return c->bad != NULL ? c->bad(&pos, message, c->bad_arg) : 0;
}

/* ---- one row in its own transaction (rows with a customer or an order: their facts depend on
 * every earlier complaint of the customer, so they go one at a time) ---- */

static int import_single(struct import_ctx *c, const plaint_complaint_input *in, int64_t line,
                         plaint_error *err)
{
    const char *params[2] = {c->source, in->source_id};
    plaint_complaint_input planned = *in;
    plaint_intake_facts facts;
    json_t *hold = NULL;
    char refs[1][32];
    char narrative_ref[PLAINT_VAULT_REF_LEN] = "";
    char lock[96];
    int64_t exists = 0;
    int year = plaint_year_of(in->received_us);
    int rc = plaint_db_begin(c->db, err);

    snprintf(lock, sizeof(lock), "import:%s", c->source);
    if (rc == 0) {
        rc = plaint_complaint_lock(c->db, lock, err);
    }
    if (rc == 0) {
        rc = plaint_pg_query_int(&exists, c->db,
                                 "SELECT count(*) FROM plaint.complaint WHERE source_system = $1 "
                                 "AND source_id = $2",
                                 2, params, err);
    }
    if (rc == 0 && exists > 0) {
        c->st->skipped++;
        return plaint_db_finish(c->db, 0, err);
    }
    if (rc == 0) {
        rc = plaint_complaint_new_refs(refs, 1, c->db, &year, err);
    }
    if (rc == 0) {
        rc = plaint_app_intake_facts(&facts, &hold, c->db, c->h, in, refs[0], err);
    }
    if (rc == 0) {
        /* a customer's narrative goes to the vault; the ledger gets its reference */
        rc = plaint_app_narrative_seal(narrative_ref, sizeof(narrative_ref), c->db, c->actor,
                                       c->cfg, in->customer_id, in->narrative, err);
    }
    if (rc == 0 && narrative_ref[0] != '\0') {
        planned.narrative = NULL;
        planned.narrative_ref = narrative_ref;
    }
    if (rc == 0) {
        plaint_events_reset(&c->events);
        rc = plaint_intake_plan(&c->events, &c->pol, &planned, &facts, err);
    }
    json_decref(hold);
    if (rc == 0) {
        rc = plaint_app_write_events(c->db, c->actor, &c->events, NULL, err);
    }
    if (rc == PLAINT_EINVALID) {
        /* bad for intake (e.g. an unknown customer): report the row, go on */
        char msg[sizeof(err->message)];

        snprintf(msg, sizeof(msg), "%s", err->message);
        plaint_db_finish(c->db, rc, err);
        plaint_error_init(err);
        return report(c, line, msg) != 0 ? PLAINT_EINVALID : 0;
    }
    rc = plaint_db_finish(c->db, rc, err);
    if (rc == 0) {
        c->st->imported++;
    }
    return rc;
}

/* ---- the batch path ---- */

static const char *keep(struct import_ctx *c, const char *s, plaint_error *err)
{
    char *copy;

    if (s == NULL || s[0] == '\0') {
        return NULL;
    }
    if (c->nstrs == c->capstrs) {
        size_t cap = c->capstrs == 0 ? 1024 : c->capstrs * 2;
        char **v = realloc(c->strs, cap * sizeof(*v));

        if (v == NULL) {
            plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
            return NULL;
        }
        c->strs = v;
        c->capstrs = cap;
    }
    copy = strdup(s);
    if (copy == NULL) {
        plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        return NULL;
    }
    c->strs[c->nstrs++] = copy;
    return copy;
}

static void drop_batch(struct import_ctx *c)
{
    size_t i;

    for (i = 0; i < c->nstrs; i++) {
        free(c->strs[i]);
    }
    for (i = 0; i < c->nrows; i++) {
        free(c->rows[i].names);
        free(c->rows[i].values);
    }
    c->nstrs = 0;
    c->nrows = 0;
    plaint_events_reset(&c->events);
}

static int same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* If the complaint (ref, received_us, narrative, category, company) duplicates in and came
 * before the best duplicate found so far (the earliest by received time, then reference, as
 * the database lookup orders them), it becomes the best. */
static void earlier_duplicate(const plaint_complaint_input *in, const char *ref,
                              int64_t received_us, const char *narrative, const char *category,
                              const char *company, const char **best_ref, int64_t *best_us)
{
    if (in->narrative != NULL && same_text(narrative, in->narrative) &&
        strcmp(category, in->category) == 0 && same_text(company, in->company) &&
        (*best_ref == NULL || received_us < *best_us ||
         (received_us == *best_us && strcmp(ref, *best_ref) < 0))) {
        *best_ref = ref;
        *best_us = received_us;
    }
}

/* The facts the single path reads with SQL_FACTS, for customer-less rows of a batch: the
 * database's state plus the batch's earlier rows. */
static int batch_facts(struct import_ctx *c, json_t **months_out, json_t **dups_out,
                       plaint_error *err)
{
    json_t *ids = json_array();
    json_t *months = json_array();
    json_t *narr = json_array();
    json_t *existing = NULL;
    char *p1 = NULL;
    char *p2 = NULL;
    char *p3 = NULL;
    size_t i;
    size_t k;
    int rc = 0;

    *months_out = NULL;
    *dups_out = NULL;
    for (i = 0; i < c->nrows; i++) {
        struct row *r = &c->rows[i];

        json_array_append_new(ids, json_string(r->in.source_id));
        plaint_month_of(r->month, r->in.received_us);
        if (json_object_get(c->month_counts, r->month) == NULL) {
            json_array_append_new(months, json_string(r->month));
        }
        json_array_append_new(narr, json_pack("[s?, s, s?]", r->in.narrative, r->in.category,
                                              r->in.company));
    }
    p1 = json_dumps(ids, JSON_COMPACT);
    p2 = json_dumps(months, JSON_COMPACT);
    p3 = json_dumps(narr, JSON_COMPACT);
    if (p1 == NULL || p2 == NULL || p3 == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        const char *params[2] = {c->source, p1};

        rc = plaint_pg_query_json(&existing, c->rdb,
                                  "SELECT COALESCE(jsonb_object_agg(source_id, true), '{}') "
                                  "FROM plaint.complaint WHERE source_system = $1 AND source_id "
                                  "IN (SELECT jsonb_array_elements_text($2::jsonb))",
                                  2, params, err);
    }
    for (i = 0; rc == 0 && i < c->nrows; i++) {
        struct row *r = &c->rows[i];

        r->skip = json_object_get(existing, r->in.source_id) != NULL;
        for (k = 0; k < i && !r->skip; k++) {
            r->skip = strcmp(c->rows[k].in.source_id, r->in.source_id) == 0;
        }
        for (k = 0; k < c->fly.nrows && !r->skip; k++) { /* the batch being written */
            r->skip = strcmp(c->fly.rows[k].source_id, r->in.source_id) == 0;
        }
    }
    if (rc == 0 && json_array_size(months) > 0) {
        const char *params[1] = {p2};

        rc = plaint_pg_query_json(
            months_out, c->rdb,
            "SELECT COALESCE(jsonb_object_agg(m, (SELECT count(*) FROM plaint.complaint"
            " WHERE received_at >= (m || '-01')::timestamptz"
            " AND received_at < (m || '-01')::timestamptz + interval '1 month')), '{}')"
            " FROM (SELECT DISTINCT jsonb_array_elements_text($1::jsonb) AS m) x",
            1, params, err);
    }
    if (rc == 0) {
        const char *params[1] = {p3};

        /* Customer-less only. Written so that no index but the md5(narrative) one applies
         * (the row comparison and COALESCE are not indexable): with "customer_id IS NULL" or
         * "category = ..." the planner, misled by missing or stale statistics of a table that
         * grew during the import, combined or chose the customer or category index and read
         * thousands of rows per lookup (the import then cost O(N^2)). */
        rc = plaint_pg_query_json(
            dups_out, c->rdb,
            "SELECT COALESCE(jsonb_object_agg(q.i::text, jsonb_build_array(d.ref, d.us)), '{}')"
            " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS q(v, i)"
            " CROSS JOIN LATERAL (SELECT c.ref,"
            "   (extract(epoch FROM c.received_at) * 1000000)::bigint AS us"
            "   FROM plaint.complaint c WHERE q.v->>0 IS NOT NULL"
            "   AND md5(c.narrative) = md5(q.v->>0) AND c.narrative = q.v->>0"
            "   AND (c.category, c.company) IS NOT DISTINCT FROM (q.v->>1, q.v->>2)"
            "   AND COALESCE(c.customer_id, '') = '' ORDER BY c.received_at, c.ref LIMIT 1) d",
            1, params, err);
    }
    json_decref(ids);
    json_decref(months);
    json_decref(narr);
    json_decref(existing);
    free(p1);
    free(p2);
    free(p3);
    return rc;
}

static void inflight_free(struct inflight *f)
{
    size_t i;

    for (i = 0; i < f->nrows; i++) {
        free(f->rows[i].source_id);
        free(f->rows[i].narrative);
        free(f->rows[i].category);
        free(f->rows[i].company);
    }
    free(f->rows);
    free(f->reqs);
    plaint_buf_clear(&f->payloads);
    plaint_events_clear(&f->events);
    memset(f, 0, sizeof(*f));
}

/* Waits for the batch in flight, if any: counts its complaints when it was written. */
static int land(struct import_ctx *c, plaint_error *err)
{
    int rc;

    if (!c->flying) {
        return 0;
    }
    rc = plaint_batch_writer_wait(c->writer, err);
    c->flying = 0;
    if (rc == 0) {
        c->st->imported += c->fly.planned;
    }
    inflight_free(&c->fly);
    return rc;
}

static char *dup_or_null(const char *s, int *oom)
{
    char *d = s != NULL ? strdup(s) : NULL;

    *oom |= s != NULL && d == NULL;
    return d;
}

/* Encodes the planned events (one buffer, each payload NUL-terminated: the bulk path wants C
 * strings), waits for the previous batch and hands this one to the writer thread. */
static int launch(struct import_ctx *c, int64_t planned, plaint_error *err)
{
    struct inflight f;
    size_t *offs = NULL;
    size_t n = c->events.n;
    size_t i;
    size_t k;
    int oom = 0;
    int rc = 0;

    if (n == 0) {
        return land(c, err);
    }
    memset(&f, 0, sizeof(f));
    f.events = c->events; /* moved: the next batch plans into a fresh list */
    memset(&c->events, 0, sizeof(c->events));
    f.n = n;
    f.planned = planned;
    f.reqs = calloc(n, sizeof(*f.reqs));
    offs = calloc(n + 1, sizeof(*offs));
    f.rows = calloc(c->nrows + 1, sizeof(*f.rows));
    if (f.reqs == NULL || offs == NULL || f.rows == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    for (i = 0; rc == 0 && i < n; i++) {
        offs[i] = f.payloads.len;
        rc = plaint_jcs_dump(&f.payloads, f.events.v[i].payload, err);
        if (rc == 0) {
            rc = plaint_buf_append_byte(&f.payloads, 0, err);
        }
    }
    for (i = 0, k = 0; rc == 0 && i < c->nrows; i++) {
        const struct row *r = &c->rows[i];
        struct inflight_row *q = &f.rows[k];

        if (!r->planned) {
            continue;
        }
        snprintf(q->ref, sizeof(q->ref), "%s", r->ref);
        q->received_us = r->in.received_us;
        q->source_id = dup_or_null(r->in.source_id, &oom);
        q->narrative = dup_or_null(r->in.narrative, &oom);
        q->category = dup_or_null(r->in.category, &oom);
        q->company = dup_or_null(r->in.company, &oom);
        f.nrows = ++k;
        if (oom) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
    }
    if (rc == 0) {
        offs[n] = f.payloads.len;
        for (i = 0; i < n; i++) {
            f.reqs[i].case_id = f.events.v[i].case_id;
            f.reqs[i].type = f.events.v[i].type;
            f.reqs[i].actor = c->actor->user.user_id;
            f.reqs[i].role = c->actor->acting_role[0] != '\0' ? c->actor->acting_role : "-";
            f.reqs[i].payload = f.payloads.data + offs[i];
            f.reqs[i].payload_len = offs[i + 1] - offs[i] - 1;
        }
        rc = land(c, err);
    }
    free(offs);
    if (rc != 0) {
        inflight_free(&f);
        return rc;
    }
    c->fly = f;
    c->flying = 1;
    plaint_batch_writer_submit(c->writer, &(plaint_batch_job){c->fly.reqs, c->fly.n});
    return 0;
}

static int flush_batch(struct import_ctx *c, plaint_error *err)
{
    json_t *months = NULL;
    json_t *dups = NULL;
    int *years = NULL;
    char (*refs)[32] = NULL;
    size_t nnew = 0;
    int64_t planned = 0;
    size_t i;
    size_t k;
    int rc;

    if (c->nrows == 0) {
        return 0;
    }
    rc = batch_facts(c, &months, &dups, err);
    if (rc == 0 && months != NULL && json_object_update(c->month_counts, months) != 0) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    years = calloc(c->nrows, sizeof(*years));
    refs = calloc(c->nrows, sizeof(*refs));
    if (rc == 0 && (years == NULL || refs == NULL)) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    for (i = 0; rc == 0 && i < c->nrows; i++) {
        if (!c->rows[i].skip) {
            years[nnew++] = plaint_year_of(c->rows[i].in.received_us);
        }
    }
    if (rc == 0) {
        rc = plaint_complaint_new_refs(refs, nnew, c->rdb, years, err);
    }
    plaint_events_reset(&c->events);
    for (i = 0, nnew = 0; rc == 0 && i < c->nrows; i++) {
        struct row *r = &c->rows[i];
        plaint_intake_facts f;
        char key[24];
        const json_t *d;
        const char *best_ref = NULL;
        int64_t best_us = 0;
        size_t before = c->events.n;

        if (r->skip) {
            c->st->skipped++;
            continue;
        }
        snprintf(r->ref, sizeof(r->ref), "%s", refs[nnew++]);
        memset(&f, 0, sizeof(f));
        f.ref = r->ref;
        f.recent_complaints = 1;
        f.month_count = json_integer_value(json_object_get(c->month_counts, r->month)) + 1;
        snprintf(key, sizeof(key), "%zu", i + 1);
        d = json_object_get(dups, key);
        if (d != NULL) {
            best_ref = json_string_value(json_array_get(d, 0));
            best_us = json_integer_value(json_array_get(d, 1));
        }
        for (k = 0; k < i; k++) {
            const struct row *o = &c->rows[k];

            if (!o->planned) {
                continue;
            }
            if (strcmp(o->month, r->month) == 0) {
                f.month_count++;
            }
            earlier_duplicate(&r->in, o->ref, o->in.received_us, o->in.narrative,
                              o->in.category, o->in.company, &best_ref, &best_us);
        }
        for (k = 0; k < c->fly.nrows; k++) { /* the batch being written */
            const struct inflight_row *o = &c->fly.rows[k];

            earlier_duplicate(&r->in, o->ref, o->received_us, o->narrative, o->category,
                              o->company, &best_ref, &best_us);
        }
        f.duplicate_of = best_ref;
        rc = plaint_intake_plan(&c->events, &c->pol, &r->in, &f, err);
        if (rc == PLAINT_EINVALID) {
            char msg[sizeof(err->message)];

            snprintf(msg, sizeof(msg), "%s", err->message);
            plaint_error_init(err);
            while (c->events.n > before) { /* drop what the failed plan added */
                json_decref(c->events.v[--c->events.n].payload);
            }
            rc = report(c, r->line, msg) != 0 ? PLAINT_EINVALID : 0;
            continue;
        }
        if (rc == 0) {
            r->planned = 1;
            planned++;
        }
    }
    for (i = 0; rc == 0 && i < c->nrows; i++) {
        const struct row *r = &c->rows[i];

        if (r->planned) {
            json_int_t had = json_integer_value(json_object_get(c->month_counts, r->month));

            if (json_object_set_new(c->month_counts, r->month, json_integer(had + 1)) != 0) {
                rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
            }
        }
    }
    if (rc == 0) {
        rc = launch(c, planned, err);
    }
    c->done += (int64_t)c->nrows;
    if (rc == 0 && c->progress != NULL) {
        c->progress(c->done, 0, c->progress_arg);
    }
    json_decref(months);
    json_decref(dups);
    free(years);
    free(refs);
    drop_batch(c);
    return rc;
}

/* The checks of intake on a row as it came (plaint_complaint_input_check and a received time
 * not in the future): 0, or a message in msg. Run in both passes, so that --strict refuses a
 * file with such a row before anything is written. */
static int row_check(char *msg, size_t n, const struct import_ctx *c, const plaint_intake *rec)
{
    plaint_complaint_input in;
    plaint_error e;

    plaint_error_init(&e);
    memset(&in, 0, sizeof(in));
    in.channel = rec->channel;
    in.category = rec->category;
    in.sub_category = rec->sub_category;
    in.product = rec->product;
    in.issue = rec->issue;
    in.sub_issue = rec->sub_issue;
    in.company = rec->company;
    in.narrative = rec->narrative;
    in.urgency = rec->urgency;
    in.customer_id = rec->customer_ref;
    in.order_ref = rec->order_ref;
    in.source_system = c->source;
    in.source_id = rec->external_id;
    in.received_us = rec->received_us;
    if (plaint_complaint_input_check(&in, &e) != 0 ||
        plaint_complaint_received_check(in.received_us, c->now_us, &e) != 0) {
        snprintf(msg, n, "%s", e.message);
        return -1;
    }
    return 0;
}

static int on_row(const plaint_intake *rec, const plaint_intake_pos *pos, void *arg,
                  plaint_error *err)
{
    struct import_ctx *c = arg;
    plaint_complaint_input in;
    struct row *r;
    size_t i;
    size_t nx = rec->extra_count < PLAINT_INTAKE_MAX_EXTRAS ? rec->extra_count
                                                            : PLAINT_INTAKE_MAX_EXTRAS;
    int single = plaint_nz(rec->customer_ref) != NULL || plaint_nz(rec->order_ref) != NULL;
    int rc = 0;
    char msg[sizeof(err->message)];

    if (row_check(msg, sizeof(msg), c, rec) != 0) {
        return report(c, pos->line, msg) != 0 ? PLAINT_EINVALID : 0;
    }
    if (c->validate_only) {
        return 0;
    }
    if (single) {
        /* its facts depend on every earlier complaint: the batch so far goes first, and is
         * written before this row is read (it uses the writer's connection) */
        rc = flush_batch(c, err);
        if (rc == 0) {
            rc = land(c, err);
        }
        if (rc != 0) {
            return rc;
        }
    }
    memset(&in, 0, sizeof(in));
    in.channel = keep(c, rec->channel, err);
    in.category = keep(c, rec->category, err);
    in.sub_category = keep(c, rec->sub_category, err);
    in.product = keep(c, rec->product, err);
    in.issue = keep(c, rec->issue, err);
    in.sub_issue = keep(c, rec->sub_issue, err);
    in.company = keep(c, rec->company, err);
    in.narrative = keep(c, rec->narrative, err);
    in.urgency = keep(c, rec->urgency, err);
    in.customer_id = keep(c, rec->customer_ref, err);
    in.order_ref = keep(c, rec->order_ref, err);
    in.source_system = c->source;
    in.source_id = keep(c, rec->external_id, err);
    in.received_us = rec->received_us;
    if (err->code != 0) {
        return err->code;
    }
    r = &c->rows[c->nrows];
    memset(r, 0, sizeof(*r));
    r->names = calloc(nx + 1, sizeof(*r->names));
    r->values = calloc(nx + 1, sizeof(*r->values));
    c->nrows++;
    if (r->names == NULL || r->values == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    for (i = 0; i < nx; i++) {
        r->names[i] = keep(c, rec->extras[i].name, err);
        r->values[i] = keep(c, rec->extras[i].value, err);
        if (r->names[i] == NULL) {
            r->names[i] = "";
        }
    }
    if (err->code != 0) {
        return err->code;
    }
    in.field_names = r->names;
    in.field_values = r->values;
    in.nfields = nx;
    r->in = in;
    r->line = pos->line;
    if (plaint_complaint_input_check(&r->in, err) != 0) { /* row_check passed: not reached */
        snprintf(msg, sizeof(msg), "%s", err->message);
        plaint_error_init(err);
        c->nrows--; /* its strings stay kept until the batch is dropped */
        free(r->names);
        free(r->values);
        return report(c, pos->line, msg) != 0 ? PLAINT_EINVALID : 0;
    }
    if (single) {
        json_object_clear(c->month_counts); /* it counts itself in its month */
        rc = import_single(c, &r->in, r->line, err);
        c->done++;
        drop_batch(c);
        return rc;
    }
    return c->nrows >= c->batch ? flush_batch(c, err) : 0;
}

static int on_bad(const plaint_intake_pos *pos, const char *message, void *arg)
{
    struct import_ctx *c = arg;

    return c->bad != NULL ? c->bad(pos, message, c->bad_arg) : 0;
}

int plaint_app_import_csv(plaint_import_stats *st, plaint_db *db, const plaint_actor *actor,
                          const plaint_handling *h, const plaint_config *cfg,
                          const char *mapping_path, const char *csv_path, int strict,
                          size_t batch, plaint_intake_bad_fn bad, void *bad_arg,
                          plaint_progress_fn progress, void *progress_arg, plaint_error *err)
{
    struct import_ctx c;
    plaint_mapping *m = NULL;
    char xsd[PLAINT_CONFIG_PATH_MAX + 32];
    int64_t good = 0;
    int64_t badrows = 0;
    int rc;

    memset(st, 0, sizeof(*st));
    memset(&c, 0, sizeof(c));
    snprintf(xsd, sizeof(xsd), "%s/mapping.xsd", cfg->xsd_dir);
    rc = plaint_mapping_load(&m, NULL, mapping_path, xsd, err);
    if (rc != 0) {
        return rc;
    }
    c.db = db;
    c.actor = actor;
    c.h = h;
    c.cfg = cfg;
    plaint_handling_get(h, &c.pol);
    c.source = plaint_mapping_name(m);
    c.file = csv_path;
    c.batch = batch > 0 ? batch : 400;
    c.st = st;
    c.bad = bad;
    c.bad_arg = bad_arg;
    c.progress = progress;
    c.progress_arg = progress_arg;
    c.rows = calloc(c.batch + 1, sizeof(*c.rows));
    c.month_counts = json_object();
    {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        c.now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    }
    if (c.rows == NULL || c.month_counts == NULL) {
        free(c.rows);
        json_decref(c.month_counts);
        plaint_mapping_free(m);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    rc = plaint_handling_record(h, db, actor, err);
    if (rc == 0) {
        /* a second connection for the facts of batch k+1 while the writer thread appends
         * batch k on db: the client's work overlaps the server's (docs/benchmarks.md) */
        rc = plaint_db_open(&c.rdb, cfg, PLAINT_DB_APP, err);
    }
    if (rc == 0) {
        rc = plaint_batch_writer_start(&c.writer, db, err);
    }
    if (rc == 0 && strict) {
        /* first pass: any bad row and nothing is written */
        c.validate_only = 1;
        rc = plaint_csv_intake_read(m, csv_path, on_row, on_bad, &c, &good, &badrows, err);
        badrows += st->rows_bad; /* rows the intake checks refuse (row_check) */
        if (rc == 0 && badrows > 0) {
            st->rows_bad = badrows;
            rc = plaint_error_set(err, PLAINT_EINVALID,
                                  "%s: %lld bad row%s; nothing imported (--strict)", csv_path,
                                  (long long)badrows, badrows == 1 ? "" : "s");
        }
        c.validate_only = 0;
    }
    if (rc == 0) {
        rc = plaint_csv_intake_read(m, csv_path, on_row, on_bad, &c, &good, &badrows, err);
    }
    if (rc == 0) {
        rc = flush_batch(&c, err);
    }
    if (rc == 0) {
        rc = land(&c, err);
    } else {
        plaint_error keep_err = *err;

        land(&c, NULL); /* the writer must be done with its batch before anything is freed */
        *err = keep_err;
    }
    if (rc == 0) {
        st->rows_good = good - st->rows_bad; /* rows refused at intake were counted bad */
        st->rows_bad += badrows;
    }
    drop_batch(&c);
    free(c.rows);
    free(c.strs);
    json_decref(c.month_counts);
    plaint_batch_writer_stop(c.writer);
    plaint_db_close(c.rdb);
    plaint_events_clear(&c.events);
    plaint_mapping_free(m);
    return rc;
}

int plaint_app_import_email(char *ref, int *is_new, plaint_db *db, plaint_authz *az,
                            plaint_actor *actor, const plaint_handling *h, const char *path,
                            plaint_error *err)
{
    plaint_email *e = NULL;
    json_t *c = NULL;
    int rc = plaint_email_parse_file(&e, path, err);

    *is_new = 0;
    if (rc != 0) {
        return rc;
    }
    if (e->reference[0] != '\0' && plaint_complaint_get(&c, db, e->reference, err) == 0) {
        /* correspondence on an existing complaint */
        char text[20000];

        snprintf(text, sizeof(text), "Subject: %s\n\n%s", e->subject, e->body_text);
        rc = plaint_app_complaint_note(db, az, actor, e->reference, "correspondence_in",
                                       text[0] != '\0' ? text : "(empty message)", err);
        if (rc == 0) {
            snprintf(ref, 32, "%s", e->reference);
        }
    } else {
        plaint_complaint_input in;
        const char *params[1] = {e->message_id};
        int64_t exists = 0;

        plaint_error_init(err);
        memset(&in, 0, sizeof(in));
        in.channel = "email";
        in.category = "Unclassified";
        in.issue = plaint_nz(e->subject);
        in.narrative = plaint_nz(e->body_text);
        in.received_us = e->date_us;
        if (plaint_nz(e->message_id) != NULL) {
            in.source_system = "email";
            in.source_id = e->message_id;
            rc = plaint_pg_query_int(&exists, db,
                                     "SELECT count(*) FROM plaint.complaint WHERE "
                                     "source_system = 'email' AND source_id = $1",
                                     1, params, err);
            if (rc == 0 && exists > 0) {
                rc = plaint_error_set(err, PLAINT_EINVALID,
                                      "%s: message <%s> was imported already", path,
                                      e->message_id);
            }
        }
        if (rc == 0) {
            rc = plaint_authz_require(az, db, actor, "complaint.create", NULL, err);
        }
        if (rc == 0) {
            /* no customer: the narrative stays with the complaint, no master keys needed */
            rc = plaint_app_complaint_new(ref, db, actor, h, NULL, &in, err);
            *is_new = rc == 0;
        }
    }
    json_decref(c);
    plaint_email_free(e);
    return rc;
}
