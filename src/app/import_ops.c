/* plaint import csv: bulk intake through a mapping, every row through the same automatic intake
 * steps as `plaint complaint new`. Idempotent and resumable: a row whose source id (mapping name,
 * external id) is already a complaint is skipped, and batches commit as they go. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct import_ctx {
    plaint_db *db;
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

        rc = plaint_pg_query_json(&existing, c->db,
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
    }
    if (rc == 0 && json_array_size(months) > 0) {
        const char *params[1] = {p2};

        rc = plaint_pg_query_json(
            months_out, c->db,
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
            dups_out, c->db,
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

static int write_batch(struct import_ctx *c, plaint_error *err)
{
    plaint_append_req *reqs = NULL;
    size_t *offs = NULL;
    plaint_buf payloads = PLAINT_BUF_INIT;
    size_t n = c->events.n;
    size_t i;
    int rc = 0;

    if (n == 0) {
        return 0;
    }
    reqs = calloc(n, sizeof(*reqs));
    offs = calloc(n + 1, sizeof(*offs));
    if (reqs == NULL || offs == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    /* one buffer, each payload NUL-terminated (the bulk path wants C strings) */
    for (i = 0; rc == 0 && i < n; i++) {
        offs[i] = payloads.len;
        rc = plaint_jcs_dump(&payloads, c->events.v[i].payload, err);
        if (rc == 0) {
            rc = plaint_buf_append_byte(&payloads, 0, err);
        }
    }
    if (rc == 0) {
        offs[n] = payloads.len;
        for (i = 0; i < n; i++) {
            reqs[i].case_id = c->events.v[i].case_id;
            reqs[i].type = c->events.v[i].type;
            reqs[i].actor = c->actor->user.user_id;
            reqs[i].role = c->actor->acting_role[0] != '\0' ? c->actor->acting_role : "-";
            reqs[i].payload = payloads.data + offs[i];
            reqs[i].payload_len = offs[i + 1] - offs[i] - 1;
        }
        rc = plaint_ledger_append_batch(NULL, c->db, reqs, n, err);
    }
    free(reqs);
    free(offs);
    plaint_buf_clear(&payloads);
    return rc;
}

static int flush_batch(struct import_ctx *c, plaint_error *err)
{
    json_t *months = NULL;
    json_t *dups = NULL;
    int *years = NULL;
    char (*refs)[32] = NULL;
    size_t nnew = 0;
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
        rc = plaint_complaint_new_refs(refs, nnew, c->db, years, err);
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
            if (r->in.narrative != NULL && same_text(o->in.narrative, r->in.narrative) &&
                strcmp(o->in.category, r->in.category) == 0 &&
                same_text(o->in.company, r->in.company) &&
                (best_ref == NULL || o->in.received_us < best_us ||
                 (o->in.received_us == best_us && strcmp(o->ref, best_ref) < 0))) {
                best_ref = o->ref;
                best_us = o->in.received_us;
            }
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
            c->st->imported++;
        }
    }
    if (rc == 0) {
        rc = write_batch(c, err);
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

    if (c->validate_only) {
        return 0;
    }
    if (single) {
        /* its facts depend on every earlier complaint: the batch so far goes first */
        rc = flush_batch(c, err);
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
    if (plaint_complaint_input_check(&r->in, err) != 0) {
        char msg[sizeof(err->message)];

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
    if (c.rows == NULL || c.month_counts == NULL) {
        free(c.rows);
        json_decref(c.month_counts);
        plaint_mapping_free(m);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    rc = plaint_handling_record(h, db, actor, err);
    if (rc == 0 && strict) {
        /* first pass: any bad row and nothing is written */
        c.validate_only = 1;
        rc = plaint_csv_intake_read(m, csv_path, on_row, on_bad, &c, &good, &badrows, err);
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
        st->rows_good = good - st->rows_bad; /* rows refused at intake were counted bad */
        st->rows_bad += badrows;
    }
    drop_batch(&c);
    free(c.rows);
    free(c.strs);
    json_decref(c.month_counts);
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
