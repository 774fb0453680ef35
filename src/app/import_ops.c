/* plaint import csv: bulk intake through a mapping, every row through the same automatic intake
 * steps as `plaint complaint new`. Idempotent and resumable: a row whose source id (mapping name,
 * external id) is already a complaint is skipped, and batches commit as they go. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/complaint_internal.h"
#include "plaint/complaint_store.h"
#include "plaint/email.h"
#include "plaint/intake.h"

struct import_ctx {
    plaint_db *db;
    const plaint_actor *actor;
    const plaint_handling *h;
    plaint_handling_policies pol;
    const char *source;
    size_t batch;
    size_t in_batch;
    int in_tx;
    int validate_only;
    plaint_import_stats *st;
    plaint_intake_bad_fn bad;
    void *bad_arg;
    plaint_progress_fn progress;
    void *progress_arg;
    plaint_event_list events;
};

static const char *nz(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static int year_of(int64_t us)
{
    int64_t days = us / 86400000000LL;
    int64_t y = 1970;

    /* civil year from days since the epoch (Howard Hinnant's algorithm, year part) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;

    y = yoe + era * 400 + (m <= 2);
    return (int)y;
}

static int flush(struct import_ctx *c, plaint_error *err)
{
    int rc = 0;

    if (c->in_tx) {
        rc = plaint_db_finish(c->db, 0, err);
        c->in_tx = 0;
        if (rc == 0 && c->progress != NULL) {
            c->progress(c->st->rows_good + c->st->rows_bad, 0, c->progress_arg);
        }
    }
    c->in_batch = 0;
    return rc;
}

static int on_row(const plaint_intake *rec, const plaint_intake_pos *pos, void *arg,
                  plaint_error *err)
{
    struct import_ctx *c = arg;
    const char *names[PLAINT_INTAKE_MAX_EXTRAS];
    const char *values[PLAINT_INTAKE_MAX_EXTRAS];
    const char *params[2];
    plaint_complaint_input in;
    plaint_intake_facts facts;
    json_t *hold = NULL;
    char refs[1][32];
    int64_t exists = 0;
    size_t i;
    int rc;

    if (c->validate_only) {
        return 0;
    }
    memset(&in, 0, sizeof(in));
    in.channel = rec->channel;
    in.category = rec->category;
    in.sub_category = nz(rec->sub_category);
    in.product = nz(rec->product);
    in.issue = nz(rec->issue);
    in.sub_issue = nz(rec->sub_issue);
    in.company = nz(rec->company);
    in.narrative = nz(rec->narrative);
    in.urgency = nz(rec->urgency);
    in.customer_id = nz(rec->customer_ref);
    in.order_ref = nz(rec->order_ref);
    in.source_system = c->source;
    in.source_id = rec->external_id;
    in.received_us = rec->received_us;
    for (i = 0; i < rec->extra_count && i < PLAINT_INTAKE_MAX_EXTRAS; i++) {
        names[i] = rec->extras[i].name;
        values[i] = rec->extras[i].value;
    }
    in.field_names = names;
    in.field_values = values;
    in.nfields = i;
    if (!c->in_tx) {
        char lock[96];

        rc = plaint_db_begin(c->db, err);
        if (rc != 0) {
            return rc;
        }
        c->in_tx = 1;
        snprintf(lock, sizeof(lock), "import:%s", c->source);
        rc = plaint_complaint_lock(c->db, lock, err);
        if (rc != 0) {
            return rc;
        }
    }
    params[0] = c->source;
    params[1] = rec->external_id;
    rc = plaint_pg_query_int(&exists, c->db,
                             "SELECT count(*) FROM plaint.complaint WHERE source_system = $1 "
                             "AND source_id = $2",
                             2, params, err);
    if (rc != 0) {
        return rc;
    }
    if (exists > 0) {
        c->st->skipped++;
    } else {
        rc = plaint_complaint_input_check(&in, err);
        if (rc == 0) {
            rc = plaint_complaint_new_refs(refs, 1, c->db, year_of(in.received_us), err);
        }
        if (rc == 0) {
            rc = plaint_app_intake_facts(&facts, &hold, c->db, c->h, &in, refs[0], err);
        }
        if (rc == 0) {
            plaint_events_reset(&c->events);
            rc = plaint_intake_plan(&c->events, &c->pol, &in, &facts, err);
        }
        json_decref(hold);
        if (rc == PLAINT_EINVALID) {
            /* the row is bad for intake (e.g. an unknown customer): report it, go on */
            c->st->rows_bad++;
            if (c->bad != NULL && c->bad(pos, err->message, c->bad_arg) != 0) {
                return PLAINT_EINVALID;
            }
            plaint_error_init(err);
            return 0;
        }
        if (rc == 0) {
            rc = plaint_app_write_events(c->db, c->actor, &c->events, NULL, err);
        }
        if (rc != 0) {
            return rc;
        }
        c->st->imported++;
    }
    if (++c->in_batch >= c->batch) {
        rc = flush(c, err);
    }
    return rc;
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
    plaint_handling_get(h, &c.pol);
    c.source = plaint_mapping_name(m);
    c.batch = batch > 0 ? batch : 500;
    c.st = st;
    c.bad = bad;
    c.bad_arg = bad_arg;
    c.progress = progress;
    c.progress_arg = progress_arg;
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
        st->rows_good = good - st->rows_bad; /* rows refused at intake were counted bad */
        st->rows_bad += badrows;
    }
    if (rc == 0) {
        rc = flush(&c, err);
    } else if (c.in_tx) {
        plaint_db_finish(db, rc, err);
    }
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
        in.issue = nz(e->subject);
        in.narrative = nz(e->body_text);
        in.received_us = e->date_us;
        if (nz(e->message_id) != NULL) {
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
            rc = plaint_app_complaint_new(ref, db, actor, h, &in, err);
            *is_new = rc == 0;
        }
    }
    json_decref(c);
    plaint_email_free(e);
    return rc;
}
