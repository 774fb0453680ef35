/* plaint insights: impact control (C9). Counts complaints per category in the current window and
 * the trailing ones, decides spikes (core/insights), lists the open complaints of spiking
 * categories and of public channels that were not flagged yet, and with flagging records
 * "complaint.flagged" on each of them once (idempotency key "flag:<ref>:<reason>"). The flag
 * lives on the ledger only: the projector ignores the event type, and "already flagged" is read
 * back from plaint.ledger_event. Design: docs/insights.md. */
#include "plaint/insights.h"

#include <stdlib.h>
#include <string.h>

#include "plaint/app_auth.h"
#include "plaint/app_complaint.h"
#include "plaint/chain.h"
#include "plaint/severity.h"

#define REASON_SPIKE  "category_spike"
#define REASON_PUBLIC "public_channel"

/* Whether the severity policy counts channel as public. severity.h has no accessor for the list,
 * so this asks the documented formula: with public_exposure 0, the result's public_exposure is 1
 * exactly when the channel is one of the policy's public channels. */
static int channel_is_public(int *out, const plaint_severity_policy *sev, const char *channel,
                             plaint_error *err)
{
    plaint_severity_input in;
    plaint_severity_result r;
    int rc;

    *out = 0;
    if (sev == NULL) {
        *out = strcmp(channel, "social") == 0;
        return 0;
    }
    memset(&in, 0, sizeof(in));
    in.channel = channel;
    in.urgency = "normal";
    rc = plaint_severity_compute(&r, sev, &in, err);
    if (rc == 0) {
        *out = r.public_exposure != 0;
    }
    return rc;
}

static int check_options(const plaint_insights_options *o, plaint_error *err)
{
    if (o == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "no insights options given");
    }
    if (o->window_days < 1 || o->window_days > PLAINT_INSIGHTS_MAX_WINDOW_DAYS) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "window_days", 0, 0,
                                   "a window is 1 to %d days, not %lld",
                                   PLAINT_INSIGHTS_MAX_WINDOW_DAYS, (long long)o->window_days);
    }
    if (o->baseline < 1 || o->baseline > PLAINT_INSIGHTS_MAX_WINDOWS) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "baseline", 0, 0,
                                   "the baseline is 1 to %d windows, not %zu",
                                   PLAINT_INSIGHTS_MAX_WINDOWS, o->baseline);
    }
    return plaint_insights_params_check(&o->params, err);
}

/* Sets key to a new JSON value; PLAINT_ENOMEM if it could not be built. */
static int put(json_t *obj, const char *key, json_t *v, plaint_error *err)
{
    if (v == NULL || json_object_set_new(obj, key, v) != 0) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    return 0;
}

static int put_time(json_t *obj, const char *key, int64_t us, plaint_error *err)
{
    char t[PLAINT_TIME_LEN + 1];
    int rc = plaint_time_format(t, us, err);

    return rc == 0 ? put(obj, key, json_string(t), err) : rc;
}

typedef struct run {
    const plaint_insights_options *o;
    int64_t cur_from, end;
    size_t nhist;       /* trailing windows that are history */
    json_t *categories; /* report entries */
    json_t *spikes;     /* names */
} run;

/* Decides one category from its counts (counts[0] current, counts[i] window i) and adds its
 * report entry. */
static int decide_category(run *r, const char *name, const int64_t *counts, plaint_error *err)
{
    plaint_insights_spike s;
    json_t *e = NULL;
    json_t *trail = NULL;
    size_t i;
    int rc = plaint_insights_decide(&s, &r->o->params, counts[0], counts + 1, r->nhist, err);

    if (rc == 0) {
        e = json_object();
        trail = json_array();
        if (e == NULL || trail == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
    }
    for (i = 0; rc == 0 && i < r->nhist; i++) {
        if (json_array_append_new(trail, json_integer(counts[i + 1])) != 0) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
    }
    if (rc == 0) {
        rc = put(e, "category", json_string(name), err);
    }
    if (rc == 0) {
        rc = put(e, "current", json_integer(s.current), err);
    }
    if (rc == 0) {
        rc = put(e, "trailing", trail, err);
        trail = NULL;
    }
    if (rc == 0) {
        rc = put(e, "median", json_integer(s.median), err);
    }
    if (rc == 0) {
        rc = put(e, "mad", json_integer(s.mad), err);
    }
    if (rc == 0) {
        rc = put(e, "threshold", json_integer(s.threshold), err);
    }
    if (rc == 0) {
        rc = put(e, "verdict", json_string(plaint_insights_verdict_name(s.verdict)), err);
    }
    if (rc == 0) {
        rc = put(e, "spike", json_boolean(s.spike), err);
    }
    if (rc == 0 && s.spike && json_array_append_new(r->spikes, json_string(name)) != 0) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    if (rc == 0 && json_array_append(r->categories, e) != 0) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    json_decref(trail);
    json_decref(e);
    return rc;
}

/* Groups the count rows (ordered by category, then window) and decides each category. */
static int decide_all(run *r, const json_t *rows, plaint_error *err)
{
    size_t nwin = r->o->baseline + 1;
    int64_t *counts = calloc(nwin, sizeof(*counts));
    const char *cur = NULL;
    json_t *row;
    size_t i;
    int rc = 0;

    if (counts == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    json_array_foreach(rows, i, row) {
        const char *name = json_string_value(json_object_get(row, "category"));
        json_int_t w = json_integer_value(json_object_get(row, "window"));

        if (name == NULL) {
            rc = plaint_error_set(err, PLAINT_EDB, "insights counts: a row without category");
            break;
        }
        if (cur != NULL && strcmp(cur, name) != 0) {
            rc = decide_category(r, cur, counts, err);
            if (rc != 0) {
                break;
            }
            memset(counts, 0, nwin * sizeof(*counts));
        }
        cur = name;
        if (w >= 0 && (size_t)w < nwin) {
            counts[w] = json_integer_value(json_object_get(row, "count"));
        }
    }
    if (rc == 0 && cur != NULL) {
        rc = decide_category(r, cur, counts, err);
    }
    free(counts);
    return rc;
}

/* The category's report entry (from decide_category), NULL if none. */
static const json_t *find_category(const json_t *categories, const char *name)
{
    const json_t *e;
    size_t i;

    json_array_foreach(categories, i, e) {
        const char *n = json_string_value(json_object_get(e, "category"));

        if (n != NULL && name != NULL && strcmp(n, name) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Appends each complaint of list to to_flag with its reason. */
static int add_reason(json_t *to_flag, json_t *list, const char *reason, plaint_error *err)
{
    json_t *c;
    size_t i;
    int rc = 0;

    json_array_foreach(list, i, c) {
        rc = put(c, "reason", json_string(reason), err);
        if (rc == 0 && json_array_append(to_flag, c) != 0) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        if (rc != 0) {
            break;
        }
    }
    return rc;
}

/* The "complaint.flagged" payload for complaint c (an entry of to_flag). */
static json_t *flag_payload(const run *r, const json_t *report, const json_t *c)
{
    const char *reason = json_string_value(json_object_get(c, "reason"));
    const json_t *win = json_object_get(report, "window");
    const json_t *cat;

    if (reason != NULL && strcmp(reason, REASON_PUBLIC) == 0) {
        return json_pack("{s:s, s:O}", "reason", REASON_PUBLIC, "channel",
                         json_object_get(c, "channel"));
    }
    cat = find_category(json_object_get(report, "categories"),
                        json_string_value(json_object_get(c, "category")));
    if (cat == NULL || win == NULL) {
        return NULL;
    }
    return json_pack(
        "{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:I, s:{s:I, s:I, s:I}}", "reason", REASON_SPIKE,
        "category", json_object_get(cat, "category"), "window_from", json_object_get(win, "from"),
        "window_to", json_object_get(win, "to"), "count", json_object_get(cat, "current"), "median",
        json_object_get(cat, "median"), "mad", json_object_get(cat, "mad"), "threshold",
        json_object_get(cat, "threshold"), "windows", (json_int_t)r->nhist, "params", "min_count",
        (json_int_t)r->o->params.min_count, "mad_tenths", (json_int_t)r->o->params.mad_tenths,
        "ratio_pct", (json_int_t)r->o->params.ratio_pct);
}

static int write_flags(int64_t *flagged, plaint_db *db, const plaint_actor *actor, const run *r,
                       const json_t *report, plaint_error *err)
{
    plaint_event_list ev = PLAINT_EVENT_LIST_INIT;
    const json_t *to_flag = json_object_get(report, "to_flag");
    const json_t *c;
    char key[PLAINT_EVENT_IDEM_MAX + 1];
    int replayed = 0;
    size_t i;
    int rc = 0;

    *flagged = 0;
    json_array_foreach(to_flag, i, c) {
        const char *ref = json_string_value(json_object_get(c, "ref"));
        const char *reason = json_string_value(json_object_get(c, "reason"));
        int n = snprintf(key, sizeof(key), "flag:%s:%s", ref != NULL ? ref : "",
                         reason != NULL ? reason : "");

        if (ref == NULL || reason == NULL || n < 0 || (size_t)n >= sizeof(key)) {
            rc = plaint_error_set(err, PLAINT_ERROR, "cannot build the flag key of %s",
                                  ref != NULL ? ref : "a complaint");
            break;
        }
        rc = plaint_events_add(&ev, ref, "complaint.flagged", flag_payload(r, report, c), key, err);
        if (rc != 0) {
            break;
        }
    }
    if (rc == 0 && ev.n > 0) {
        rc = plaint_db_begin(db, err);
        if (rc == 0) {
            rc = plaint_app_write_events(db, actor, &ev, &replayed, err);
            rc = plaint_db_finish(db, rc, err);
        }
        if (rc == 0) {
            *flagged = (int64_t)ev.n - replayed;
        }
    }
    plaint_events_clear(&ev);
    return rc;
}

/* Number of trailing windows (1..baseline, most recent first) that start at or after the first
 * complaint ever received: earlier windows would count the time before plaint as quiet. */
static int history_windows(size_t *out, const plaint_insights_options *o, const json_t *first,
                           plaint_error *err)
{
    size_t i;

    *out = 0;
    if (!json_is_integer(first)) {
        return 0;
    }
    for (i = 1; i <= o->baseline; i++) {
        int64_t from = 0;
        int64_t to = 0;
        int rc = plaint_insights_window(&from, &to, o->now_us, o->window_days, i, err);

        if (rc != 0) {
            return rc;
        }
        if (from < (int64_t)json_integer_value(first)) {
            break;
        }
        *out = i;
    }
    return 0;
}

static int public_channels(json_t **out, plaint_db *db, const plaint_handling *h, int64_t end,
                           plaint_error *err)
{
    plaint_handling_policies pol;
    json_t *all = NULL;
    json_t *pub = json_array();
    json_t *ch;
    size_t i;
    int rc = pub != NULL ? 0 : plaint_error_set(err, PLAINT_ENOMEM, "out of memory");

    memset(&pol, 0, sizeof(pol));
    if (h != NULL) {
        plaint_handling_get(h, &pol);
    }
    if (rc == 0) {
        rc = plaint_pg_insights_channels(&all, db, end, err);
    }
    json_array_foreach(all, i, ch) {
        const char *name = json_string_value(ch);
        int is_pub = 0;

        if (rc != 0) {
            break;
        }
        if (name == NULL) {
            continue;
        }
        rc = channel_is_public(&is_pub, pol.severity, name, err);
        if (rc == 0 && is_pub && json_array_append(pub, ch) != 0) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
    }
    json_decref(all);
    if (rc == 0) {
        *out = pub;
        pub = NULL;
    }
    json_decref(pub);
    return rc;
}

int plaint_app_insights(json_t **report, plaint_db *db, const plaint_actor *actor,
                        const plaint_handling *h, const plaint_insights_options *o,
                        plaint_error *err)
{
    run r;
    json_t *rep = NULL;
    json_t *win = NULL;
    json_t *counts = NULL;
    json_t *pub = NULL;
    json_t *to_flag = NULL;
    json_t *list = NULL;
    int64_t oldest = 0;
    int64_t unused = 0;
    int64_t flagged = 0;
    int rc = check_options(o, err);

    *report = NULL;
    memset(&r, 0, sizeof(r));
    r.o = o;
    if (rc == 0) {
        r.end = o->now_us;
        rc = plaint_insights_window(&r.cur_from, &unused, o->now_us, o->window_days, 0, err);
    }
    if (rc == 0) {
        rc = plaint_insights_window(&oldest, &unused, o->now_us, o->window_days, o->baseline, err);
    }
    if (rc == 0) {
        rc = plaint_pg_insights_counts(&counts, db, oldest, r.end,
                                       o->window_days * 86400LL * 1000000LL, err);
    }
    if (rc == 0) {
        rc = history_windows(&r.nhist, o, json_object_get(counts, "first_received_us"), err);
    }
    if (rc == 0) {
        rep = json_object();
        win = json_object();
        r.categories = json_array();
        r.spikes = json_array();
        to_flag = json_array();
        if (rep == NULL || win == NULL || r.categories == NULL || r.spikes == NULL ||
            to_flag == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
    }
    if (rc == 0) {
        rc = decide_all(&r, json_object_get(counts, "counts"), err);
    }
    /* the report skeleton first: flag payloads read the window and categories from it */
    if (rc == 0) {
        rc = put_time(win, "from", r.cur_from, err);
    }
    if (rc == 0) {
        rc = put_time(win, "to", r.end, err);
    }
    if (rc == 0) {
        rc = put(win, "days", json_integer(o->window_days), err);
    }
    if (rc == 0) {
        rc = put(win, "baseline", json_integer((json_int_t)o->baseline), err);
    }
    if (rc == 0) {
        rc = put(win, "history", json_integer((json_int_t)r.nhist), err);
    }
    if (rc == 0) {
        rc = put(rep, "window", json_incref(win), err);
    }
    if (rc == 0) {
        rc = put(rep, "params",
                 json_pack("{s:I, s:I, s:I}", "min_count", (json_int_t)o->params.min_count,
                           "mad_tenths", (json_int_t)o->params.mad_tenths, "ratio_pct",
                           (json_int_t)o->params.ratio_pct),
                 err);
    }
    if (rc == 0) {
        rc = put(rep, "categories", json_incref(r.categories), err);
    }
    if (rc == 0) {
        rc = put(rep, "spikes", json_incref(r.spikes), err);
    }
    /* complaints of this window in a spiking category, then open ones from public channels */
    if (rc == 0 && json_array_size(r.spikes) > 0) {
        rc = plaint_pg_insights_unflagged(&list, db, "category", r.spikes, REASON_SPIKE, r.cur_from,
                                          r.end, err);
        if (rc == 0) {
            rc = add_reason(to_flag, list, REASON_SPIKE, err);
        }
        json_decref(list);
        list = NULL;
    }
    if (rc == 0) {
        rc = public_channels(&pub, db, h, r.end, err);
    }
    if (rc == 0) {
        rc = put(rep, "public_channels", json_incref(pub), err);
    }
    if (rc == 0 && json_array_size(pub) > 0) {
        rc = plaint_pg_insights_unflagged(&list, db, "channel", pub, REASON_PUBLIC, 0, r.end, err);
        if (rc == 0) {
            rc = add_reason(to_flag, list, REASON_PUBLIC, err);
        }
        json_decref(list);
        list = NULL;
    }
    if (rc == 0) {
        rc = put(rep, "to_flag", json_incref(to_flag), err);
    }
    if (rc == 0 && o->flag) {
        rc = write_flags(&flagged, db, actor, &r, rep, err);
    }
    if (rc == 0) {
        rc = put(rep, "flagged", json_integer(flagged), err);
    }
    if (rc == 0) {
        *report = rep;
        rep = NULL;
    }
    json_decref(rep);
    json_decref(win);
    json_decref(counts);
    json_decref(pub);
    json_decref(to_flag);
    json_decref(r.categories);
    json_decref(r.spikes);
    return rc;
}
