/* plaint sla scan: escalate open complaints whose SLA timers have run out. A breach of one timer
 * escalates a complaint at most once (the escalation names the timer and its event carries the
 * idempotency key "sla:<ref>:<timer>"), so scanning again changes nothing. */
#include <stdio.h>
#include <string.h>

#include "app/complaint_internal.h"
#include "plaint/chain.h"
#include "plaint/complaint_store.h"

/* Open complaints with a timer run out at $1 and not yet escalated for it. */
static const char SQL_BREACHES[] =
    "SELECT COALESCE(jsonb_agg(s.x ORDER BY s.due, s.ref, s.timer), '[]') FROM ("
    " SELECT jsonb_build_object('ref', c.ref, 'timer', t.timer, 'due', t.due,"
    "  'status', c.status, 'severity_level', c.severity_level,"
    "  'severity_score', c.severity_score, 'tier', c.customer_tier, 'category', c.category,"
    "  'channel', c.channel, 'escalation', c.escalation) AS x, t.due, c.ref, t.timer"
    " FROM plaint.complaint c"
    " CROSS JOIN LATERAL (VALUES"
    "   ('first_response', CASE WHEN c.first_response_at IS NULL THEN c.first_response_due END),"
    "   ('final_response', CASE WHEN c.resolved_at IS NULL THEN c.final_due END)) AS t(timer, due)"
    " WHERE c.status = ANY($2::text[]) AND t.due IS NOT NULL AND t.due < $1::timestamptz"
    "  AND NOT EXISTS (SELECT 1 FROM plaint.escalation e WHERE e.ref = c.ref"
    "   AND e.timer = t.timer)) s";

/* Escalates one breach. The complaint's status and current escalation are read again under its
 * lock: the breach list is one snapshot, and an earlier breach of the same complaint in this
 * scan (both timers run out) may already have moved it. */
static int escalate_locked(int *replayed, plaint_db *db, const plaint_actor *actor,
                           const plaint_handling_policies *pol, const json_t *b,
                           plaint_error *err)
{
    plaint_event_list ev = PLAINT_EVENT_LIST_INIT;
    plaint_escalation_facts f;
    plaint_escalation_decision d;
    const char *ref = plaint_cj_str(b, "ref");
    const char *timer = plaint_cj_str(b, "timer");
    const char *current;
    const char *target;
    char rules[512] = "";
    char key[160];
    plaint_wf_state st;
    json_t *c = NULL;
    json_t *p;
    size_t i;
    int rc = plaint_complaint_lock(db, ref, err);

    if (rc == 0) {
        rc = plaint_complaint_get(&c, db, ref, err);
    }
    if (rc != 0) {
        return rc;
    }
    memset(&f, 0, sizeof(f));
    f.severity_level = plaint_cj_str(b, "severity_level");
    f.severity_score = (int)json_integer_value(json_object_get(b, "severity_score"));
    f.breached_timer = timer;
    f.customer_tier = plaint_cj_str(b, "tier");
    f.category = plaint_cj_str(b, "category");
    f.channel = plaint_cj_str(b, "channel");
    f.recent_complaints = 1;
    rc = plaint_escalation_decide(&d, pol->escalation, &f, err);
    if (rc != 0 || !d.escalate) {
        json_decref(c);
        return rc;
    }
    /* never down the path: a case already higher stays where it is, the breach still noted */
    current = plaint_cj_str(c, "escalation");
    target = d.target;
    if (current != NULL && plaint_escalation_level(pol->escalation, current) >
                               plaint_escalation_level(pol->escalation, target)) {
        target = current;
    }
    for (i = 0; i < d.nrules; i++) {
        size_t used = strlen(rules);

        snprintf(rules + used, sizeof(rules) - used, "%s%s", i > 0 ? "," : "", d.rules[i]);
    }
    snprintf(key, sizeof(key), "sla:%s:%s", ref, timer);
    p = json_pack("{s:s, s:s, s:s, s:O}", "target", target, "rules", rules, "timer", timer,
                  "due", json_object_get(b, "due"));
    rc = plaint_events_add(&ev, ref, "complaint.escalated", p, key, err);
    if (rc == 0 && plaint_wf_state_parse(&st, plaint_cj_str(c, "status")) == 0 &&
        plaint_wf_find(st, PLAINT_WF_ESCALATED) != NULL) {
        rc = plaint_complaint_add_status(&ev, ref, st, PLAINT_WF_ESCALATED, "SLA breach", err);
    }
    if (rc == 0) {
        rc = plaint_app_write_events(db, actor, &ev, replayed, err);
    }
    plaint_events_clear(&ev);
    json_decref(c);
    return rc;
}

static int escalate_one(int *done, plaint_db *db, const plaint_actor *actor,
                        const plaint_handling_policies *pol, const json_t *b, plaint_error *err)
{
    int replayed = 1;
    int rc = plaint_db_begin(db, err);

    if (rc == 0) {
        rc = escalate_locked(&replayed, db, actor, pol, b, err);
    }
    rc = plaint_db_finish(db, rc, err);
    *done = rc == 0 && replayed == 0;
    return rc;
}

int plaint_app_sla_scan(int64_t *escalated, int64_t *breaches, plaint_db *db,
                        const plaint_actor *actor, const plaint_handling *h, int64_t now_us,
                        plaint_error *err)
{
    plaint_handling_policies pol;
    char now[PLAINT_TIME_LEN + 1];
    plaint_buf states = PLAINT_BUF_INIT;
    const char *params[2] = {now, NULL};
    json_t *list = NULL;
    json_t *b;
    size_t i;
    int rc = plaint_time_format(now, now_us, err);

    *escalated = 0;
    *breaches = 0;
    plaint_handling_get(h, &pol);
    if (rc == 0) {
        rc = plaint_complaint_open_states(&states, err);
    }
    if (rc == 0) {
        params[1] = states.data;
        rc = plaint_pg_query_json(&list, db, SQL_BREACHES, 2, params, err);
    }
    json_array_foreach(list, i, b) {
        int done = 0;

        if (rc != 0) {
            break;
        }
        (*breaches)++;
        rc = escalate_one(&done, db, actor, &pol, b, err);
        *escalated += done;
    }
    json_decref(list);
    plaint_buf_clear(&states);
    return rc;
}
