/* Refunds (reference process steps 10-12): propose with the amount computed from the order,
 * approve under four-eyes, credit the customer's balance exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/complaint_internal.h"
#include "plaint/complaint_store.h"
#include "plaint/money.h"

/* The order of the complaint with its lines, its credit notes, the credits earlier refunds of
 * the same order already used, and the quantity of each line that earlier refunds (of any
 * complaint, whatever their state) already cover: their refund.proposed events name the lines
 * (the refund projection keeps only the amounts). */
static const char SQL_ORDER[] =
    "SELECT jsonb_build_object('order', o.order_ref, 'currency', o.currency,"
    " 'customer', o.customer_id,"
    " 'lines', (SELECT COALESCE(jsonb_agg(to_jsonb(l) ORDER BY l.line_no), '[]')"
    "   FROM plaint.order_line l WHERE l.order_ref = o.order_ref),"
    " 'credit_notes', (SELECT COALESCE(sum(amount), 0) FROM plaint.credit_note c"
    "   WHERE c.order_ref = o.order_ref),"
    " 'credits_used', (SELECT COALESCE(sum(credits), 0) FROM plaint.refund r"
    "   WHERE r.order_ref = o.order_ref),"
    " 'pending', (SELECT min(refund_id) FROM plaint.refund r WHERE r.ref = $2"
    "   AND r.status <> 'credited'),"
    " 'refunded', (SELECT COALESCE(jsonb_object_agg(x.line, x.qty), '{}') FROM ("
    "   SELECT l->>'line' AS line, sum((l->>'quantity')::bigint) AS qty"
    "   FROM plaint.refund r JOIN plaint.ledger_event e ON e.case_id = r.ref"
    "     AND e.event_type = 'refund.proposed' AND e.payload::jsonb->>'refund' = r.refund_id"
    "   CROSS JOIN LATERAL jsonb_array_elements(e.payload::jsonb->'lines') l"
    "   WHERE r.order_ref = o.order_ref GROUP BY 1) x))"
    " FROM plaint.customer_order o WHERE o.order_ref = $1";

struct propose_arg {
    const int64_t *lines;
    const int64_t *quantities;
    size_t nlines;
    const char *reason;
    char refund_id[64];
};

static const json_t *order_line(const json_t *lines, int64_t no)
{
    size_t i;
    json_t *l;

    json_array_foreach(lines, i, l) {
        if (json_integer_value(json_object_get(l, "line_no")) == no) {
            return l;
        }
    }
    return NULL;
}

static int select_lines(plaint_refund_line *out, json_t *chosen, const json_t *lines,
                        const json_t *refunded, const struct propose_arg *a, plaint_error *err)
{
    size_t n = a->nlines > 0 ? a->nlines : json_array_size(lines);
    size_t i;

    for (i = 0; i < n; i++) {
        int64_t no = a->nlines > 0 ? a->lines[i]
                                   : json_integer_value(json_object_get(json_array_get(lines, i),
                                                                        "line_no"));
        const json_t *l = order_line(lines, no);
        char key[24];
        int64_t ordered;
        int64_t done;
        int64_t left;
        int64_t qty;
        size_t j;

        if (l == NULL) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "line", 0, 0,
                                       "line: the order has no line %lld", (long long)no);
        }
        for (j = 0; j < i && a->nlines > 0; j++) {
            if (a->lines[j] == no) {
                return plaint_error_set_at(err, PLAINT_EINVALID, "line", 0, 0,
                                           "line: %lld given twice", (long long)no);
            }
        }
        ordered = json_integer_value(json_object_get(l, "quantity"));
        snprintf(key, sizeof(key), "%lld", (long long)no);
        done = json_integer_value(json_object_get(refunded, key));
        left = ordered > done ? ordered - done : 0;
        qty = a->nlines > 0 && a->quantities[i] > 0 ? a->quantities[i] : left;
        if (qty > ordered) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "line", 0, 0,
                                       "line %lld: %lld to refund but %lld ordered",
                                       (long long)no, (long long)qty, (long long)ordered);
        }
        if (qty > left || (a->nlines > 0 && left == 0)) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "line", 0, 0,
                                       "line %lld: %lld to refund but only %lld of the %lld "
                                       "ordered are not refunded yet",
                                       (long long)no, (long long)(qty > 0 ? qty : 1),
                                       (long long)left, (long long)ordered);
        }
        out[i].unit_minor = json_integer_value(json_object_get(l, "unit_amount"));
        out[i].quantity = qty;
        out[i].tax_rate_bp = (int32_t)json_integer_value(json_object_get(l, "tax_rate_bp"));
        json_array_append_new(chosen, json_pack("{s:I, s:I, s:I, s:i}", "line", (json_int_t)no,
                                                "quantity", (json_int_t)qty, "unit_amount",
                                                (json_int_t)out[i].unit_minor, "tax_rate_bp",
                                                (int)out[i].tax_rate_bp));
    }
    return 0;
}

static int do_propose(plaint_event_list *ev, plaint_db *db, const json_t *c, void *varg,
                      plaint_error *err)
{
    struct propose_arg *a = varg;
    const char *ref = plaint_cj_str(c, "ref");
    const char *order = plaint_cj_str(c, "order_ref");
    const char *params[2] = {order, ref};
    plaint_refund_line *rl = NULL;
    plaint_refund_calc calc;
    plaint_wf_state st;
    json_t *o = NULL;
    json_t *chosen = json_array();
    json_t *p;
    char task[64];
    char title[160];
    int64_t credit;
    int rc = plaint_complaint_status(&st, c, err);

    if (rc == 0 && st != PLAINT_WF_UNDER_INVESTIGATION && st != PLAINT_WF_ESCALATED &&
        st != PLAINT_WF_RESOLUTION_PROPOSED && st != PLAINT_WF_REOPENED) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s is %s: refunds are proposed while it "
                              "is being investigated", ref, plaint_wf_state_name(st));
    }
    if (rc == 0 && (order == NULL || plaint_cj_str(c, "customer_id") == NULL)) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s has no linked order and customer: "
                              "nothing to refund", ref);
    }
    if (rc == 0) {
        rc = plaint_pg_query_json(&o, db, SQL_ORDER, 2, params, err);
    }
    if (rc == 0 && o == NULL) {
        rc = plaint_error_set(err, PLAINT_EDB, "order %s of %s is missing", order, ref);
    }
    if (rc == 0 && plaint_cj_str(o, "pending") != NULL) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "refund %s of %s is not credited yet; one "
                              "refund at a time", plaint_cj_str(o, "pending"), ref);
    }
    if (rc == 0) {
        size_t n = a->nlines > 0 ? a->nlines : json_array_size(json_object_get(o, "lines"));

        rl = calloc(n > 0 ? n : 1, sizeof(*rl));
        rc = rl == NULL || chosen == NULL ? plaint_error_set(err, PLAINT_ENOMEM, "out of memory")
                                          : select_lines(rl, chosen, json_object_get(o, "lines"),
                                                         json_object_get(o, "refunded"), a, err);
        credit = json_integer_value(json_object_get(o, "credit_notes")) -
                 json_integer_value(json_object_get(o, "credits_used"));
        if (credit < 0) {
            credit = 0;
        }
        if (rc == 0) {
            rc = plaint_refund_compute(&calc, rl, n, &credit, 1, err);
        }
    }
    if (rc == 0 && calc.total == 0) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "the refund of %s comes to 0 (the order's "
                              "lines are refunded already, or credit notes cover it): nothing "
                              "to propose", ref);
    }
    if (rc == 0) {
        rc = plaint_complaint_next_id(a->refund_id, sizeof(a->refund_id), db, ref, "refund", 'R',
                                      err);
    }
    if (rc == 0) {
        /* credits: the credit notes this refund uses (never more than its gross amount) */
        int64_t used = calc.net + calc.tax < calc.credits ? calc.net + calc.tax : calc.credits;

        p = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:O}", "refund", a->refund_id,
                      "customer", plaint_cj_str(c, "customer_id"), "order", order, "currency",
                      plaint_cj_str(o, "currency"), "net", (json_int_t)calc.net, "tax",
                      (json_int_t)calc.tax, "credits", (json_int_t)used, "total",
                      (json_int_t)calc.total, "lines", chosen);
        if (p != NULL && a->reason != NULL && a->reason[0] != '\0') {
            json_object_set_new(p, "reason", json_string(a->reason));
        }
        rc = plaint_events_add(ev, ref, "refund.proposed", p, NULL, err);
    }
    if (rc == 0) {
        rc = plaint_complaint_next_id(task, sizeof(task), db, ref, "task", 'T', err);
    }
    if (rc == 0) {
        char amount[64];

        plaint_money_format(amount, sizeof(amount), calc.total, plaint_cj_str(o, "currency"));
        snprintf(title, sizeof(title), "Approve refund %s: %s %s", a->refund_id, amount,
                 plaint_cj_str(o, "currency"));
        rc = plaint_events_add(ev, ref, "task.created",
                               json_pack("{s:s, s:s, s:s, s:s, s:s}", "task", task, "kind",
                                         "refund_approval", "role", "finance_manager", "title",
                                         title, "refund", a->refund_id),
                               NULL, err);
    }
    free(rl);
    json_decref(chosen);
    json_decref(o);
    return rc;
}

int plaint_app_refund_propose(char *refund_id, plaint_db *db, plaint_authz *az,
                              plaint_actor *actor, const char *ref, const int64_t *lines,
                              const int64_t *quantities, size_t nlines, const char *reason,
                              plaint_error *err)
{
    struct propose_arg a;
    int rc;

    memset(&a, 0, sizeof(a));
    a.lines = lines;
    a.quantities = quantities;
    a.nlines = nlines;
    a.reason = reason;
    rc = plaint_complaint_op(db, az, actor, ref, "refund.request", NULL, 0, do_propose, &a, err);
    if (rc == 0) {
        snprintf(refund_id, 64, "%s", a.refund_id);
    }
    return rc;
}

static int get_refund(json_t **out, plaint_db *db, const char *refund_id, plaint_error *err)
{
    const char *params[1] = {refund_id};
    int rc = plaint_pg_query_json(
        out, db,
        "SELECT to_jsonb(r) || jsonb_build_object('task', (SELECT min(task_id) FROM plaint.task t"
        " WHERE t.refund_id = r.refund_id AND t.status = 'open'))"
        " FROM plaint.refund r WHERE r.refund_id = $1",
        1, params, err);

    if (rc == 0 && *out == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND, "no refund %s", refund_id);
    }
    return rc;
}

struct refund_arg {
    const char *refund_id;
    int credit; /* 0: approve, 1: credit */
};

static int do_refund(plaint_event_list *ev, plaint_db *db, const json_t *c, void *varg,
                     plaint_error *err)
{
    struct refund_arg *a = varg;
    const char *ref = plaint_cj_str(c, "ref");
    json_t *r = NULL;
    const char *status;
    char key[128];
    int rc = get_refund(&r, db, a->refund_id, err);

    if (rc != 0) {
        return rc;
    }
    status = plaint_cj_str(r, "status");
    if (!a->credit) {
        if (strcmp(status, "proposed") != 0) {
            rc = plaint_error_set(err, PLAINT_EINVALID, "refund %s is %s, not awaiting "
                                  "approval", a->refund_id, status);
        }
        if (rc == 0) {
            rc = plaint_events_add(ev, ref, "refund.approved",
                                   json_pack("{s:s}", "refund", a->refund_id), NULL, err);
        }
        if (rc == 0 && plaint_cj_str(r, "task") != NULL) {
            rc = plaint_events_add(ev, ref, "task.completed",
                                   json_pack("{s:s}", "task", plaint_cj_str(r, "task")), NULL,
                                   err);
        }
    } else {
        if (strcmp(status, "credited") == 0) {
            rc = plaint_error_set(err, PLAINT_EINVALID, "refund %s was already credited at %s: "
                                  "a refund is credited once", a->refund_id,
                                  plaint_cj_str(r, "credited_at"));
        } else if (strcmp(status, "approved") != 0) {
            rc = plaint_error_set(err, PLAINT_EINVALID, "refund %s is %s: no credit without "
                                  "approval (plaint refund approve)", a->refund_id, status);
        }
        snprintf(key, sizeof(key), "refund-credit:%s", a->refund_id);
        if (rc == 0) {
            rc = plaint_events_add(
                ev, ref, "refund.credited",
                json_pack("{s:s, s:s, s:I, s:s}", "refund", a->refund_id, "customer",
                          plaint_cj_str(r, "customer_id"), "amount",
                          (json_int_t)json_integer_value(json_object_get(r, "total")),
                          "currency", plaint_cj_str(r, "currency")),
                key, err);
        }
    }
    json_decref(r);
    return rc;
}

static int refund_op(plaint_db *db, plaint_authz *az, plaint_actor *actor, const char *refund_id,
                     int credit, plaint_error *err)
{
    struct refund_arg a = {refund_id, credit};
    plaint_rbac_fact fact;
    json_t *r = NULL;
    char ref[64];
    int rc = get_refund(&r, db, refund_id, err);

    if (rc != 0) {
        return rc;
    }
    snprintf(ref, sizeof(ref), "%s", plaint_cj_str(r, "ref"));
    /* separation of duties: whoever requested the refund may neither approve nor credit it */
    fact.action = "refund.request";
    fact.user_id = plaint_cj_str(r, "requested_by");
    rc = plaint_complaint_op(db, az, actor, ref, credit ? "customer.credit" : "refund.approve",
                             &fact, 1, do_refund, &a, err);
    json_decref(r);
    return rc;
}

int plaint_app_refund_approve(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                              const char *refund_id, plaint_error *err)
{
    return refund_op(db, az, actor, refund_id, 0, err);
}

int plaint_app_refund_credit(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                             const char *refund_id, plaint_error *err)
{
    return refund_op(db, az, actor, refund_id, 1, err);
}
