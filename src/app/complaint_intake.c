/* Intake: read the facts about a new complaint, plan the automatic steps, write them. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/complaint_internal.h"
#include "plaint/app_complaint.h"
#include "plaint/app_vault.h"
#include "plaint/chain.h"
#include "plaint/complaint_store.h"

/* Everything intake reads, in one round trip. $1 customer, $2 received_at, $3 repeat window
 * (days), $4 order, $5 category, $6 narrative, $7 company, $8 ref being created. */
static const char SQL_FACTS[] =
    "SELECT jsonb_build_object("
    " 'customer', (SELECT jsonb_build_object('tier', tier, 'lifetime_value', lifetime_value,"
    "     'currency', currency, 'previous', complaints)"
    "   FROM plaint.customer WHERE customer_id = $1),"
    " 'recent', (SELECT count(*) FROM plaint.complaint WHERE $1::text IS NOT NULL"
    "   AND customer_id = $1 AND received_at > $2::timestamptz - make_interval(days => $3::int)"
    "   AND received_at <= $2::timestamptz),"
    " 'repeat_of', (SELECT ref FROM plaint.complaint WHERE $1::text IS NOT NULL"
    "   AND customer_id = $1 AND received_at > $2::timestamptz - make_interval(days => $3::int)"
    "   AND received_at <= $2::timestamptz ORDER BY received_at DESC, ref DESC LIMIT 1),"
    " 'duplicate_of', (SELECT ref FROM plaint.complaint WHERE $6::text IS NOT NULL"
    "   AND md5(narrative) = md5($6) AND narrative = $6"
    "   AND (category, company, customer_id) IS NOT DISTINCT FROM ($5, $7, $1)"
    "   AND ref <> $8 ORDER BY received_at, ref LIMIT 1),"
    " 'order', EXISTS (SELECT 1 FROM plaint.customer_order WHERE order_ref = $4"
    "   AND customer_id IS NOT DISTINCT FROM $1),"
    " 'month_count', (SELECT count(*) FROM plaint.complaint"
    "   WHERE received_at >= date_trunc('month', $2::timestamptz)"
    "   AND received_at < date_trunc('month', $2::timestamptz) + interval '1 month'))";

int plaint_app_intake_facts(plaint_intake_facts *f, json_t **hold, plaint_db *db,
                            const plaint_handling *h, const plaint_complaint_input *in,
                            const char *ref, plaint_error *err)
{
    plaint_handling_policies pol;
    char received[PLAINT_TIME_LEN + 1];
    char window[16];
    const char *params[8];
    json_t *j = NULL;
    json_t *cust;
    int rc;

    memset(f, 0, sizeof(*f));
    *hold = NULL;
    f->ref = ref;
    plaint_handling_get(h, &pol);
    rc = plaint_time_format(received, in->received_us, err);
    if (rc != 0) {
        return rc;
    }
    snprintf(window, sizeof(window), "%d", plaint_escalation_repeat_window_days(pol.escalation));
    params[0] = plaint_nz(in->customer_id);
    params[1] = received;
    params[2] = window;
    params[3] = plaint_nz(in->order_ref);
    params[4] = in->category;
    params[5] = plaint_nz(in->narrative);
    params[6] = plaint_nz(in->company);
    params[7] = ref;
    rc = plaint_pg_query_json(&j, db, SQL_FACTS, 8, params, err);
    if (rc != 0) {
        return rc;
    }
    cust = json_object_get(j, "customer");
    if (in->customer_id != NULL && in->customer_id[0] != '\0' && !json_is_object(cust)) {
        json_decref(j);
        return plaint_error_set_at(err, PLAINT_EINVALID, "customer", 0, 0,
                                   "customer: no customer '%s' (plaint customer add)",
                                   in->customer_id);
    }
    if (json_is_object(cust)) {
        f->customer_found = 1;
        f->customer_tier = json_string_value(json_object_get(cust, "tier"));
        f->lifetime_value = json_integer_value(json_object_get(cust, "lifetime_value"));
        f->currency = json_string_value(json_object_get(cust, "currency"));
        f->previous_complaints = json_integer_value(json_object_get(cust, "previous"));
    }
    if (plaint_nz(in->order_ref) != NULL && !json_is_true(json_object_get(j, "order"))) {
        json_decref(j);
        return plaint_error_set_at(err, PLAINT_EINVALID, "order", 0, 0,
                                   "order: no order '%s'%s%s", in->order_ref,
                                   f->customer_found ? " of customer " : "",
                                   f->customer_found ? in->customer_id : "");
    }
    f->order_found = plaint_nz(in->order_ref) != NULL;
    f->recent_complaints = json_integer_value(json_object_get(j, "recent")) + 1;
    f->repeat_of = json_string_value(json_object_get(j, "repeat_of"));
    f->duplicate_of = json_string_value(json_object_get(j, "duplicate_of"));
    f->month_count = json_integer_value(json_object_get(j, "month_count")) + 1;
    *hold = j;
    return 0;
}

int plaint_app_complaint_new(char *ref, plaint_db *db, const plaint_actor *actor,
                             const plaint_handling *h, const plaint_config *cfg,
                             const plaint_complaint_input *in_arg, plaint_error *err)
{
    plaint_complaint_input in = *in_arg;
    plaint_complaint_input planned;
    plaint_handling_policies pol;
    plaint_event_list events = PLAINT_EVENT_LIST_INIT;
    plaint_intake_facts facts;
    json_t *hold = NULL;
    char refs[1][32];
    char narrative_ref[PLAINT_VAULT_REF_LEN] = "";
    struct timespec ts;
    int64_t clock_us;
    int64_t now;
    int rc;

    clock_gettime(CLOCK_REALTIME, &ts);
    clock_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    if (in.received_us == 0) {
        in.received_us = clock_us;
    }
    now = in.received_us;
    rc = plaint_complaint_input_check(&in, err);
    if (rc == 0) {
        rc = plaint_complaint_received_check(in.received_us, clock_us, err);
    }
    if (rc != 0) {
        return rc;
    }
    planned = in;
    plaint_handling_get(h, &pol);
    rc = plaint_handling_record(h, db, actor, err);
    if (rc == 0) {
        rc = plaint_db_begin(db, err);
        if (rc == 0 && plaint_nz(in.customer_id) != NULL) {
            /* one intake at a time per customer: the repeat and month counts stay exact */
            char key[96];

            snprintf(key, sizeof(key), "customer:%s", in.customer_id);
            rc = plaint_complaint_lock(db, key, err);
        }
        if (rc == 0) {
            int year = plaint_year_of(now);

            rc = plaint_complaint_new_refs(refs, 1, db, &year, err);
        }
        if (rc == 0) {
            rc = plaint_app_intake_facts(&facts, &hold, db, h, &in, refs[0], err);
        }
        if (rc == 0) {
            /* a customer's narrative goes to the vault; the ledger gets its reference */
            rc = plaint_app_narrative_seal(narrative_ref, sizeof(narrative_ref), db, actor, cfg,
                                           in.customer_id, in.narrative, err);
        }
        if (rc == 0 && narrative_ref[0] != '\0') {
            planned.narrative = NULL;
            planned.narrative_ref = narrative_ref;
        }
        if (rc == 0) {
            rc = plaint_intake_plan(&events, &pol, &planned, &facts, err);
        }
        if (rc == 0) {
            rc = plaint_app_write_events(db, actor, &events, NULL, err);
        }
        rc = plaint_db_finish(db, rc, err);
    }
    if (rc == 0) {
        snprintf(ref, 32, "%s", refs[0]);
    }
    json_decref(hold);
    plaint_events_clear(&events);
    return rc;
}
