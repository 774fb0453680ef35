/* The everyday complaint commands: each reads the complaint, authorises the actor with its
 * owner as RBAC context, then in one transaction (the complaint locked) re-reads it, checks the
 * preconditions and writes its events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/complaint_internal.h"
#include "plaint/chain.h"
#include "plaint/complaint_store.h"
#include "plaint/identity.h"
#include "plaint/workflow.h"

const char *plaint_cj_str(const json_t *c, const char *key)
{
    return json_string_value(json_object_get(c, key));
}

int plaint_complaint_op(plaint_db *db, plaint_authz *az, plaint_actor *actor, const char *ref,
                        const char *action, const plaint_rbac_fact *facts, size_t nfacts,
                        plaint_complaint_op_fn fn, void *arg, plaint_error *err)
{
    plaint_event_list events = PLAINT_EVENT_LIST_INIT;
    plaint_rbac_context ctx;
    json_t *before = NULL;
    json_t *c = NULL;
    int rc = plaint_complaint_get(&before, db, ref, err);

    if (rc == 0) {
        memset(&ctx, 0, sizeof(ctx));
        ctx.user_id = actor->user.user_id;
        ctx.owner_id = plaint_cj_str(before, "owner");
        ctx.facts = facts;
        ctx.nfacts = nfacts;
        rc = plaint_authz_require(az, db, actor, action, &ctx, err);
    }
    if (rc == 0) {
        rc = plaint_db_begin(db, err);
        if (rc == 0) {
            rc = plaint_complaint_lock(db, ref, err);
        }
        if (rc == 0) {
            rc = plaint_complaint_get(&c, db, ref, err);
        }
        if (rc == 0) {
            const char *o1 = plaint_cj_str(before, "owner");
            const char *o2 = plaint_cj_str(c, "owner");

            if ((o1 == NULL) != (o2 == NULL) || (o1 != NULL && strcmp(o1, o2) != 0)) {
                rc = plaint_error_set(err, PLAINT_ECONFLICT,
                                      "%s was reassigned meanwhile; try again", ref);
            }
        }
        if (rc == 0) {
            rc = fn(&events, db, c, arg, err);
        }
        if (rc == 0) {
            rc = plaint_app_write_events(db, actor, &events, NULL, err);
        }
        rc = plaint_db_finish(db, rc, err);
    }
    plaint_events_clear(&events);
    json_decref(before);
    json_decref(c);
    return rc;
}

int plaint_complaint_status(plaint_wf_state *out, const json_t *c, plaint_error *err)
{
    const char *s = plaint_cj_str(c, "status");

    if (s == NULL || plaint_wf_state_parse(out, s) != 0) {
        return plaint_error_set(err, PLAINT_EDB, "complaint %s has an unknown status '%s'",
                                plaint_cj_str(c, "ref"), s != NULL ? s : "");
    }
    return 0;
}

int plaint_complaint_add_status(plaint_event_list *ev, const char *ref, plaint_wf_state from,
                                plaint_wf_state to, const char *reason, plaint_error *err)
{
    int rc = plaint_wf_check(from, to, err);
    json_t *p;

    if (rc != 0) {
        return rc;
    }
    p = json_pack("{s:s, s:s}", "from", plaint_wf_state_name(from), "to",
                  plaint_wf_state_name(to));
    if (p != NULL && reason != NULL && reason[0] != '\0') {
        json_object_set_new(p, "reason", json_string(reason));
    }
    return plaint_events_add(ev, ref, "complaint.status_changed", p, NULL, err);
}

int plaint_complaint_next_id(char *out, size_t n, plaint_db *db, const char *ref,
                             const char *table, char prefix, plaint_error *err)
{
    char sql[160];
    const char *params[1] = {ref};
    int64_t count = 0;
    int rc;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM plaint.%s WHERE ref = $1", table);
    rc = plaint_pg_query_int(&count, db, sql, 1, params, err);
    if (rc == 0) {
        snprintf(out, n, "%s/%c%lld", ref, prefix, (long long)count + 1);
    }
    return rc;
}

/* ---- transition ---- */

struct transition_arg {
    plaint_wf_state to;
    const char *reason;
};

static int do_transition(plaint_event_list *ev, plaint_db *db, const json_t *c, void *varg,
                         plaint_error *err)
{
    struct transition_arg *a = varg;
    plaint_wf_state from;
    int rc = plaint_complaint_status(&from, c, err);

    (void)db;
    if (rc == 0) {
        rc = plaint_complaint_add_status(ev, plaint_cj_str(c, "ref"), from, a->to, a->reason,
                                         err);
    }
    return rc;
}

int plaint_app_complaint_transition(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                    const char *ref, const char *to, const char *reason,
                                    plaint_error *err)
{
    struct transition_arg a;
    const plaint_wf_transition *t;
    plaint_wf_state from;
    json_t *c = NULL;
    int rc;

    if (plaint_wf_state_parse(&a.to, to) != 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "status", 0, 0,
                                   "status: unknown state '%s'", to);
    }
    if (a.to == PLAINT_WF_RESOLVED) {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "use `plaint complaint resolve` to resolve %s: it records the "
                                "resolution and checks its preconditions",
                                ref);
    }
    a.reason = reason;
    rc = plaint_complaint_get(&c, db, ref, err);
    if (rc == 0) {
        rc = plaint_complaint_status(&from, c, err);
    }
    json_decref(c);
    if (rc == 0) {
        rc = plaint_wf_check(from, a.to, err);
    }
    if (rc != 0) {
        return rc;
    }
    t = plaint_wf_find(from, a.to);
    return plaint_complaint_op(db, az, actor, ref, t->action, NULL, 0, do_transition, &a, err);
}

/* ---- assign ---- */

static int do_assign(plaint_event_list *ev, plaint_db *db, const json_t *c, void *varg,
                     plaint_error *err)
{
    const char *owner = varg;
    const char *prev = plaint_cj_str(c, "owner");
    plaint_user u;
    plaint_wf_state st;
    json_t *p;
    int rc = plaint_complaint_status(&st, c, err);

    if (rc == 0 && !plaint_wf_is_open(st)) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s is %s: only open complaints are "
                                "assigned", plaint_cj_str(c, "ref"), plaint_wf_state_name(st));
    }
    if (rc == 0) {
        rc = plaint_identity_get_user(&u, db, owner, err);
    }
    if (rc == PLAINT_ENOTFOUND) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "owner", 0, 0, "owner: no user '%s'",
                                   owner);
    }
    if (rc == 0 && u.disabled) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "owner", 0, 0,
                                   "owner: user '%s' is disabled", owner);
    }
    if (rc == 0 && prev != NULL && strcmp(prev, owner) == 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s is already assigned to %s",
                                plaint_cj_str(c, "ref"), owner);
    }
    if (rc != 0) {
        return rc;
    }
    p = json_pack("{s:s}", "owner", owner);
    if (p != NULL && prev != NULL) {
        json_object_set_new(p, "previous", json_string(prev));
    }
    return plaint_events_add(ev, plaint_cj_str(c, "ref"), "complaint.assigned", p, NULL, err);
}

int plaint_app_complaint_assign(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                const char *ref, const char *owner, plaint_error *err)
{
    return plaint_complaint_op(db, az, actor, ref, "complaint.assign", NULL, 0, do_assign,
                               (void *)owner, err);
}

/* ---- note ---- */

struct note_arg {
    const char *kind;
    const char *text;
};

static int do_note(plaint_event_list *ev, plaint_db *db, const json_t *c, void *varg,
                   plaint_error *err)
{
    struct note_arg *a = varg;

    (void)db;
    return plaint_events_add(ev, plaint_cj_str(c, "ref"), "complaint.noted",
                             json_pack("{s:s, s:s}", "kind", a->kind, "text", a->text), NULL,
                             err);
}

int plaint_app_complaint_note(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                              const char *ref, const char *kind, const char *text,
                              plaint_error *err)
{
    struct note_arg a = {kind, text};

    if (strcmp(kind, "note") != 0 && strcmp(kind, "correspondence_in") != 0 &&
        strcmp(kind, "correspondence_out") != 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "kind", 0, 0,
                                   "kind: '%s' is not note, correspondence_in or "
                                   "correspondence_out", kind);
    }
    if (text == NULL || text[0] == '\0' || strlen(text) > 20000) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "text", 0, 0,
                                   "text: 1 to 20000 bytes required");
    }
    return plaint_complaint_op(db, az, actor, ref, "complaint.note", NULL, 0, do_note, &a, err);
}

/* ---- resolve ---- */

static const char *const OUTCOMES[] = {"upheld", "partially_upheld", "not_upheld", "goodwill",
                                       NULL};

static int do_resolve(plaint_event_list *ev, plaint_db *db, const json_t *c, void *varg,
                      plaint_error *err)
{
    const plaint_resolution *r = varg;
    const char *ref = plaint_cj_str(c, "ref");
    const char *params[1] = {ref};
    plaint_wf_state st;
    json_t *facts = NULL;
    json_t *p;
    char msg[64];
    char subject[160];
    char body[1024];
    int64_t redress;
    int upheld;
    int rc = plaint_complaint_status(&st, c, err);

    if (rc == 0) {
        rc = plaint_pg_query_json(
            &facts, db,
            "SELECT jsonb_build_object("
            " 'open_items', (SELECT COALESCE(jsonb_agg(i.task_id || ' item ' || i.item_id"
            "    ORDER BY i.task_id, i.position), '[]') FROM plaint.task_item i"
            "    JOIN plaint.task t USING (task_id) WHERE t.ref = $1 AND i.mandatory"
            "    AND i.done_at IS NULL),"
            " 'pending_refunds', (SELECT COALESCE(jsonb_agg(refund_id || ' (' || status || ')'"
            "    ORDER BY refund_id), '[]') FROM plaint.refund WHERE ref = $1"
            "    AND status <> 'credited'),"
            " 'redress', (SELECT COALESCE(sum(total), 0) FROM plaint.refund WHERE ref = $1"
            "    AND status = 'credited'),"
            " 'currency', (SELECT min(currency) FROM plaint.refund WHERE ref = $1"
            "    AND status = 'credited'))",
            1, params, err);
    }
    if (rc == 0 && json_array_size(json_object_get(facts, "open_items")) > 0) {
        json_t *items = json_object_get(facts, "open_items");

        rc = plaint_error_set(err, PLAINT_EINVALID,
                              "%s cannot be resolved: %zu mandatory checklist item(s) open, "
                              "first %s (plaint task done TASK --item ITEM)",
                              ref, json_array_size(items),
                              json_string_value(json_array_get(items, 0)));
    }
    if (rc == 0 && json_array_size(json_object_get(facts, "pending_refunds")) > 0) {
        rc = plaint_error_set(err, PLAINT_EINVALID,
                              "%s cannot be resolved: refund %s is not credited yet", ref,
                              json_string_value(
                                  json_array_get(json_object_get(facts, "pending_refunds"), 0)));
    }
    if (rc == 0 && st != PLAINT_WF_RESOLUTION_PROPOSED) {
        rc = plaint_complaint_add_status(ev, ref, st, PLAINT_WF_RESOLUTION_PROPOSED,
                                         "resolution", err);
        st = PLAINT_WF_RESOLUTION_PROPOSED;
    }
    if (rc != 0) {
        json_decref(facts);
        return rc;
    }
    redress = json_integer_value(json_object_get(facts, "redress"));
    upheld = strcmp(r->outcome, "not_upheld") != 0;
    p = json_pack("{s:s, s:s, s:b, s:I}", "outcome", r->outcome, "summary", r->summary,
                  "upheld", upheld, "redress", (json_int_t)redress);
    if (p != NULL && json_is_string(json_object_get(facts, "currency"))) {
        json_object_set(p, "currency", json_object_get(facts, "currency"));
    }
    if (p != NULL && r->root_cause != NULL && r->root_cause[0] != '\0') {
        json_object_set_new(p, "root_cause", json_string(r->root_cause));
    }
    json_decref(facts);
    rc = plaint_events_add(ev, ref, "resolution.logged", p, NULL, err);
    if (rc == 0) {
        rc = plaint_complaint_add_status(ev, ref, st, PLAINT_WF_RESOLVED, r->outcome, err);
    }
    if (rc == 0) {
        rc = plaint_complaint_next_id(msg, sizeof(msg), db, ref, "outbox", 'M', err);
    }
    if (rc == 0) {
        snprintf(subject, sizeof(subject), "Your complaint %s has been resolved", ref);
        snprintf(body, sizeof(body),
                 "We have completed our investigation of your complaint %s.\nOutcome: %s.\n"
                 "%.600s\nIf you are not satisfied with this final response you may refer "
                 "your complaint to the Financial Ombudsman Service within six months.\n",
                 ref, r->outcome, r->summary);
        p = json_pack("{s:s, s:s, s:s, s:s}", "message", msg, "kind", "resolution", "subject",
                      subject, "body", body);
        if (p != NULL && plaint_cj_str(c, "customer_id") != NULL) {
            json_object_set_new(p, "recipient", json_string(plaint_cj_str(c, "customer_id")));
        }
        rc = plaint_events_add(ev, ref, "notification.queued", p, NULL, err);
    }
    return rc;
}

int plaint_app_complaint_resolve(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                 const char *ref, const plaint_resolution *r, plaint_error *err)
{
    size_t i;

    for (i = 0; OUTCOMES[i] != NULL && strcmp(OUTCOMES[i], r->outcome) != 0; i++) {
    }
    if (OUTCOMES[i] == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "outcome", 0, 0,
                                   "outcome: '%s' is not upheld, partially_upheld, not_upheld "
                                   "or goodwill", r->outcome);
    }
    if (r->summary == NULL || r->summary[0] == '\0' || strlen(r->summary) > 5000) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "summary", 0, 0,
                                   "summary: 1 to 5000 bytes required");
    }
    return plaint_complaint_op(db, az, actor, ref, "complaint.resolve", NULL, 0, do_resolve,
                               (void *)r, err);
}

/* ---- close, reopen, satisfaction ---- */

static int add_satisfaction(plaint_event_list *ev, const char *ref, int score, plaint_error *err)
{
    return plaint_events_add(ev, ref, "complaint.satisfaction_recorded",
                             json_pack("{s:i}", "score", score), NULL, err);
}

static int do_close(plaint_event_list *ev, plaint_db *db, const json_t *c, void *varg,
                    plaint_error *err)
{
    int score = *(int *)varg;
    plaint_wf_state st;
    int rc = plaint_complaint_status(&st, c, err);

    (void)db;
    if (rc == 0) {
        rc = plaint_complaint_add_status(ev, plaint_cj_str(c, "ref"), st, PLAINT_WF_CLOSED,
                                         NULL, err);
    }
    if (rc == 0 && score > 0) {
        rc = add_satisfaction(ev, plaint_cj_str(c, "ref"), score, err);
    }
    return rc;
}

static int check_score(int score, int allow_zero, plaint_error *err)
{
    if ((score == 0 && allow_zero) || (score >= 1 && score <= 5)) {
        return 0;
    }
    return plaint_error_set_at(err, PLAINT_EINVALID, "satisfaction", 0, 0,
                               "satisfaction: %d is not a score from 1 to 5", score);
}

int plaint_app_complaint_close(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                               const char *ref, int satisfaction, plaint_error *err)
{
    int rc = check_score(satisfaction, 1, err);

    return rc != 0 ? rc
                   : plaint_complaint_op(db, az, actor, ref, "complaint.close", NULL, 0, do_close,
                                         &satisfaction, err);
}

static int do_satisfaction(plaint_event_list *ev, plaint_db *db, const json_t *c, void *varg,
                           plaint_error *err)
{
    plaint_wf_state st;
    int rc = plaint_complaint_status(&st, c, err);

    (void)db;
    if (rc == 0 && st != PLAINT_WF_RESOLVED && st != PLAINT_WF_CLOSED) {
        rc = plaint_error_set(err, PLAINT_EINVALID,
                              "%s is %s: satisfaction is asked once it is resolved",
                              plaint_cj_str(c, "ref"), plaint_wf_state_name(st));
    }
    return rc != 0 ? rc : add_satisfaction(ev, plaint_cj_str(c, "ref"), *(int *)varg, err);
}

int plaint_app_complaint_satisfaction(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                      const char *ref, int score, plaint_error *err)
{
    int rc = check_score(score, 0, err);

    return rc != 0 ? rc
                   : plaint_complaint_op(db, az, actor, ref, "complaint.note", NULL, 0,
                                         do_satisfaction, &score, err);
}

int plaint_app_complaint_reopen(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                const char *ref, const char *reason, plaint_error *err)
{
    struct transition_arg a = {PLAINT_WF_REOPENED, reason};

    if (reason == NULL || reason[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "reason", 0, 0,
                                   "reason: required to reopen a complaint");
    }
    return plaint_complaint_op(db, az, actor, ref, "complaint.reopen", NULL, 0, do_transition,
                               &a, err);
}
