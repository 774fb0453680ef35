/* The automatic intake steps of the reference process, as events (pure). */
#include "plaint/intake_plan.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "plaint/chain.h"

static const char *const CHANNELS[] = {"web", "email", "phone", "chat", "social",
                                       "api", "post",  NULL};
static const char *const URGENCIES[] = {"low", "normal", "high", "critical", NULL};

const char *const *plaint_complaint_channels(void)
{
    return CHANNELS;
}

static int present(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int one_of(const char *v, const char *const *set)
{
    size_t i;

    for (i = 0; set[i] != NULL; i++) {
        if (strcmp(v, set[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int check_len(const char *field, const char *v, size_t max, plaint_error *err)
{
    if (v != NULL && strlen(v) > max) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "%s: too long (%zu bytes, at most %zu)", field, strlen(v),
                                   max);
    }
    return 0;
}

int plaint_complaint_input_check(const plaint_complaint_input *in, plaint_error *err)
{
    static const struct {
        const char *name;
        size_t off;
        size_t max;
    } LIMITS[] = {
        {"category", offsetof(plaint_complaint_input, category), 200},
        {"sub_category", offsetof(plaint_complaint_input, sub_category), 200},
        {"product", offsetof(plaint_complaint_input, product), 200},
        {"issue", offsetof(plaint_complaint_input, issue), 500},
        {"sub_issue", offsetof(plaint_complaint_input, sub_issue), 500},
        {"company", offsetof(plaint_complaint_input, company), 200},
        {"narrative", offsetof(plaint_complaint_input, narrative), 100000},
        {"customer", offsetof(plaint_complaint_input, customer_id), 64},
        {"order", offsetof(plaint_complaint_input, order_ref), 64},
        {"source_system", offsetof(plaint_complaint_input, source_system), 64},
        {"source_id", offsetof(plaint_complaint_input, source_id), 128},
    };
    size_t i;
    int rc;

    if (!present(in->channel) || !one_of(in->channel, CHANNELS)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "channel", 0, 0,
                                   "channel: '%s' is not one of web, email, phone, chat, "
                                   "social, api, post",
                                   in->channel != NULL ? in->channel : "");
    }
    if (!present(in->category)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "category", 0, 0,
                                   "category: required");
    }
    if (present(in->urgency) && !one_of(in->urgency, URGENCIES)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "urgency", 0, 0,
                                   "urgency: '%s' is not one of low, normal, high, critical",
                                   in->urgency);
    }
    if (present(in->source_id) != present(in->source_system)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "source_id", 0, 0,
                                   "source_id and source_system go together");
    }
    for (i = 0; i < sizeof(LIMITS) / sizeof(LIMITS[0]); i++) {
        const char *v = *(const char *const *)((const char *)in + LIMITS[i].off);

        rc = check_len(LIMITS[i].name, v, LIMITS[i].max, err);
        if (rc != 0) {
            return rc;
        }
    }
    if (in->received_us <= 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "received", 0, 0,
                                   "received: a time after 1970 is required");
    }
    return 0;
}

int plaint_complaint_received_check(int64_t received_us, int64_t now_us, plaint_error *err)
{
    char when[PLAINT_TIME_LEN + 1];
    char now[PLAINT_TIME_LEN + 1];

    if (now_us > INT64_MAX - PLAINT_RECEIVED_SKEW_US ||
        received_us <= now_us + PLAINT_RECEIVED_SKEW_US) {
        return 0;
    }
    if (plaint_time_format(when, received_us, NULL) != 0) {
        snprintf(when, sizeof(when), "%s", "(out of range)");
    }
    if (plaint_time_format(now, now_us, NULL) != 0) {
        snprintf(now, sizeof(now), "%s", "(out of range)");
    }
    return plaint_error_set_at(err, PLAINT_EINVALID, "received", 0, 0,
                               "received: %s is in the future (now %s, at most %d minutes of "
                               "clock skew allowed): the SLA clocks start when the complaint "
                               "is received",
                               when, now, (int)(PLAINT_RECEIVED_SKEW_US / 60000000LL));
}

int plaint_year_of(int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;

    gmtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

void plaint_month_of(char out[8], int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;

    gmtime_r(&t, &tm);
    unsigned year = (unsigned)(tm.tm_year + 1900) % 10000u;
    unsigned mon = (unsigned)(tm.tm_mon + 1) % 13u;

    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '-';
    out[5] = (char)('0' + mon / 10);
    out[6] = (char)('0' + mon % 10);
    out[7] = '\0';
}

/* obj[key] = s when s is present; jansson failures surface as a NULL payload later. */
static void set_str(json_t *obj, const char *key, const char *s)
{
    if (present(s)) {
        json_object_set_new(obj, key, json_string(s));
    }
}

static int set_time(json_t *obj, const char *key, int64_t us, plaint_error *err)
{
    char text[PLAINT_TIME_LEN + 1];
    int rc = plaint_time_format(text, us, err);

    if (rc == 0) {
        json_object_set_new(obj, key, json_string(text));
    }
    return rc;
}

static json_t *received_payload(const plaint_complaint_input *in, const plaint_intake_facts *f,
                                plaint_error *err)
{
    json_t *p = json_object();
    json_t *fields = json_object();
    size_t i;

    if (p == NULL || fields == NULL) {
        json_decref(p);
        json_decref(fields);
        return NULL;
    }
    json_object_set_new(p, "ref", json_string(f->ref));
    set_str(p, "channel", in->channel);
    set_str(p, "category", in->category);
    set_str(p, "sub_category", in->sub_category);
    set_str(p, "product", in->product);
    set_str(p, "issue", in->issue);
    set_str(p, "sub_issue", in->sub_issue);
    set_str(p, "company", in->company);
    set_str(p, "narrative", in->narrative);
    set_str(p, "narrative_ref", in->narrative_ref);
    set_str(p, "urgency", present(in->urgency) ? in->urgency : "normal");
    set_str(p, "customer", in->customer_id);
    set_str(p, "order", in->order_ref);
    set_str(p, "source_system", in->source_system);
    set_str(p, "source_id", in->source_id);
    set_str(p, "duplicate_of", f->duplicate_of);
    set_str(p, "repeat_of", f->repeat_of);
    for (i = 0; i < in->nfields; i++) {
        if (present(in->field_values[i])) {
            json_object_set_new(fields, in->field_names[i], json_string(in->field_values[i]));
        }
    }
    if (json_object_size(fields) > 0) {
        json_object_set_new(p, "source_fields", fields);
    } else {
        json_decref(fields);
    }
    if (set_time(p, "received_at", in->received_us, err) != 0) {
        json_decref(p);
        return NULL;
    }
    return p;
}

static int add(plaint_event_list *out, const char *ref, const char *type, json_t *payload,
               plaint_error *err)
{
    return plaint_events_add(out, ref, type, payload, NULL, err);
}

static json_t *task_payload(const char *task, const char *kind, const char *role,
                            const char *title, int64_t due, const plaint_routing_result *route,
                            plaint_error *err)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "task", task, "kind", kind, "role", role,
                          "title", title);
    size_t i;

    if (p == NULL) {
        return NULL;
    }
    if (due > 0 && set_time(p, "due_at", due, err) != 0) {
        json_decref(p);
        return NULL;
    }
    if (route != NULL && route->checklist_len > 0) {
        json_t *list = json_array();

        for (i = 0; i < route->checklist_len; i++) {
            json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "item",
                                                  route->checklist[i].id, "text",
                                                  route->checklist[i].text, "mandatory",
                                                  route->checklist[i].mandatory ? 1 : 0));
        }
        json_object_set_new(p, "checklist", list);
    }
    return p;
}

static json_t *ack_payload(const char *ref, const plaint_complaint_input *in,
                           const plaint_sla_deadlines *due, plaint_error *err)
{
    char subject[160];
    char body[1024];
    char final_due[PLAINT_TIME_LEN + 1];
    json_t *p;

    if (plaint_time_format(final_due, due->final_response_due, err) != 0) {
        return NULL;
    }
    snprintf(subject, sizeof(subject), "Your complaint %s has been received", ref);
    snprintf(body, sizeof(body),
             "We have received your complaint about \"%.200s\" and registered it under the "
             "reference number %s. Please quote this reference in any correspondence.\n"
             "We aim to resolve it promptly and will send you our final response by %.10s at "
             "the latest.\n",
             in->category, ref, final_due);
    p = json_pack("{s:s, s:s, s:s, s:s}", "message", "", "kind", "acknowledgement", "subject",
                  subject, "body", body);
    if (p != NULL) {
        char id[64];

        snprintf(id, sizeof(id), "%s/M1", ref);
        json_object_set_new(p, "message", json_string(id));
        set_str(p, "recipient", in->customer_id);
    }
    return p;
}

int plaint_intake_plan(plaint_event_list *out, const plaint_handling_policies *pol,
                       const plaint_complaint_input *in, const plaint_intake_facts *f,
                       plaint_error *err)
{
    const char *ref = f->ref;
    plaint_severity_input sin;
    plaint_severity_result sev;
    plaint_routing_result route;
    plaint_sla_deadlines due;
    plaint_escalation_facts ef;
    plaint_escalation_decision esc;
    char task1[64];
    char task2[64];
    char title[160];
    char month[8];
    json_t *p;
    int rc = plaint_complaint_input_check(in, err);

    /* Decide everything first: nothing is added if a policy refuses the input. */
    memset(&sin, 0, sizeof(sin));
    sin.category = in->category;
    sin.lifetime_value_minor = f->customer_found ? f->lifetime_value : 0;
    sin.currency = f->customer_found ? f->currency : NULL;
    sin.urgency = present(in->urgency) ? in->urgency : "normal";
    sin.channel = in->channel;
    if (rc == 0) {
        rc = plaint_severity_compute(&sev, pol->severity, &sin, err);
    }
    if (rc == 0) {
        rc = plaint_routing_decide(&route, pol->routing, in->category, in->channel, sev.level,
                                   err);
    }
    if (rc == 0) {
        rc = plaint_sla_compute(&due, pol->sla, sev.level, in->category, in->received_us, err);
    }
    memset(&ef, 0, sizeof(ef));
    ef.severity_level = sev.level;
    ef.severity_score = sev.score;
    ef.customer_tier = f->customer_found ? f->customer_tier : NULL;
    ef.category = in->category;
    ef.channel = in->channel;
    ef.recent_complaints = (int)(f->recent_complaints > 1000000 ? 1000000 : f->recent_complaints);
    if (rc == 0) {
        rc = plaint_escalation_decide(&esc, pol->escalation, &ef, err);
    }
    if (rc != 0) {
        return rc;
    }

    /* 1. the complaint itself */
    rc = add(out, ref, "complaint.received", received_payload(in, f, err), err);
    /* 2. the customer's profile */
    if (rc == 0) {
        p = f->customer_found
                ? json_pack("{s:s, s:b, s:s, s:I, s:s, s:I}", "customer", in->customer_id,
                            "found", 1, "tier", f->customer_tier, "lifetime_value",
                            (json_int_t)f->lifetime_value, "currency", f->currency,
                            "previous_complaints", (json_int_t)f->previous_complaints)
                : json_pack("{s:b}", "found", 0);
        rc = add(out, ref, "complaint.profile_fetched", p, err);
    }
    /* 3. severity */
    if (rc == 0) {
        p = json_pack("{s:i, s:s, s:{s:i, s:i, s:i, s:i}}", "score", sev.score, "level",
                      sev.level, "points", "category", sev.category_points, "value",
                      sev.value_points, "urgency", sev.urgency_points, "exposure",
                      sev.exposure_points);
        rc = add(out, ref, "complaint.severity_scored", p, err);
    }
    /* deadlines, needed by the tasks and the acknowledgement */
    if (rc == 0) {
        p = json_pack("{s:s, s:s}", "calendar", due.calendar, "target", due.target);
        if (p != NULL &&
            (set_time(p, "first_response_due", due.first_response_due, err) != 0 ||
             set_time(p, "summary_resolution_due", due.summary_resolution_due, err) != 0 ||
             set_time(p, "final_response_due", due.final_response_due, err) != 0)) {
            json_decref(p);
            return err->code;
        }
        rc = add(out, ref, "complaint.sla_set", p, err);
    }
    if (rc == 0) {
        rc = add(out, ref, "complaint.routed",
                 json_pack("{s:s, s:s}", "team", route.team, "rule", route.rule), err);
    }
    /* 4. investigation task for a support agent; 5. tier-2 task with its checklist */
    snprintf(task1, sizeof(task1), "%s/T1", ref);
    snprintf(task2, sizeof(task2), "%s/T2", ref);
    if (rc == 0) {
        snprintf(title, sizeof(title), "Investigate complaint %s", ref);
        rc = add(out, ref, "task.created",
                 task_payload(task1, "investigation", route.investigation_role, title,
                              due.first_response_due, NULL, err),
                 err);
    }
    if (rc == 0) {
        snprintf(title, sizeof(title), "Tier-2 investigation of %s", ref);
        rc = add(out, ref, "task.created",
                 task_payload(task2, "tier2_investigation", route.tier2_role, title,
                              due.final_response_due, &route, err),
                 err);
    }
    /* 6. New -> Under Investigation */
    if (rc == 0) {
        rc = add(out, ref, "complaint.status_changed",
                 json_pack("{s:s, s:s, s:s}", "from", "new", "to", "under_investigation",
                           "reason", "intake"),
                 err);
    }
    /* 7. the related order */
    if (rc == 0 && f->order_found) {
        rc = add(out, ref, "complaint.order_linked", json_pack("{s:s}", "order", in->order_ref),
                 err);
    }
    /* 8. this month's complaints */
    plaint_month_of(month, in->received_us);
    if (rc == 0) {
        rc = add(out, ref, "complaint.month_counted",
                 json_pack("{s:s, s:I}", "month", month, "count", (json_int_t)f->month_count),
                 err);
    }
    /* 9. the acknowledgement with the reference number, through the outbox */
    if (rc == 0) {
        rc = add(out, ref, "notification.queued", ack_payload(ref, in, &due, err), err);
    }
    /* escalation criteria that hold already at intake */
    if (rc == 0 && esc.escalate) {
        char rules[512] = "";
        size_t i;

        for (i = 0; i < esc.nrules; i++) {
            size_t used = strlen(rules);

            snprintf(rules + used, sizeof(rules) - used, "%s%s", i > 0 ? "," : "",
                     esc.rules[i]);
        }
        rc = add(out, ref, "complaint.escalated",
                 json_pack("{s:s, s:s}", "target", esc.target, "rules", rules), err);
        if (rc == 0) {
            rc = add(out, ref, "complaint.status_changed",
                     json_pack("{s:s, s:s, s:s}", "from", "under_investigation", "to",
                               "escalated", "reason", "escalation criteria at intake"),
                     err);
        }
    }
    return rc;
}
