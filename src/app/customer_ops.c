/* Customers and their orders: recorded on the customer's case ("customer:<id>"), projected into
 * plaint.customer, customer_order, order_line and credit_note. Personal data (name, email) is in
 * the vault (plaint subject add); the customer names the vault subject. */
#include <stdio.h>
#include <string.h>

#include "app/complaint_internal.h"
#include "plaint/chain.h"
#include "plaint/complaint_store.h"
#include "plaint/money.h"

static int check_id(const char *field, const char *v, plaint_error *err)
{
    size_t i;
    size_t n = v != NULL ? strlen(v) : 0;

    if (n == 0 || n > 64) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "%s: 1 to 64 characters required", field);
    }
    for (i = 0; i < n; i++) {
        char c = v[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (i > 0 && (c == '.' || c == '_' || c == '-')))) {
            return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                       "%s: '%s' may hold only letters, digits, '.', '_' and "
                                       "'-' (not first)", field, v);
        }
    }
    return 0;
}

static int write_one(plaint_db *db, const plaint_actor *actor, const char *case_id,
                     const char *type, json_t *payload, plaint_error *err)
{
    plaint_event_list ev = PLAINT_EVENT_LIST_INIT;
    int rc = plaint_events_add(&ev, case_id, type, payload, NULL, err);

    if (rc == 0) {
        rc = plaint_db_begin(db, err);
        if (rc == 0) {
            rc = plaint_complaint_lock(db, case_id, err);
        }
        if (rc == 0) {
            rc = plaint_app_write_events(db, actor, &ev, NULL, err);
        }
        rc = plaint_db_finish(db, rc, err);
    }
    plaint_events_clear(&ev);
    return rc;
}

int plaint_app_customer_add(plaint_db *db, const plaint_actor *actor,
                            const plaint_customer_input *in, plaint_error *err)
{
    const char *params[1] = {in->customer_id};
    char case_id[96];
    int64_t exists = 0;
    json_t *p;
    int rc = check_id("customer", in->customer_id, err);

    if (rc == 0 && (in->tier == NULL || check_id("tier", in->tier, err) != 0)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "tier", 0, 0,
                                   "tier: a name such as standard, silver, gold is required");
    }
    if (rc == 0 && plaint_currency_exponent(in->currency != NULL ? in->currency : "") < 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "currency", 0, 0,
                                   "currency: '%s' is not a known ISO 4217 code",
                                   in->currency != NULL ? in->currency : "");
    }
    if (rc == 0 && in->lifetime_value < 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "lifetime_value", 0, 0,
                                   "lifetime_value: must not be negative");
    }
    if (rc == 0 && in->subject_id != NULL) {
        rc = check_id("subject", in->subject_id, err);
    }
    if (rc == 0) {
        rc = plaint_pg_query_int(&exists, db,
                                 "SELECT count(*) FROM plaint.customer WHERE customer_id = $1",
                                 1, params, err);
    }
    if (rc == 0 && exists) {
        return plaint_error_set(err, PLAINT_EINVALID, "customer %s exists already",
                                in->customer_id);
    }
    if (rc != 0) {
        return rc;
    }
    p = json_pack("{s:s, s:s, s:I, s:s, s:I}", "customer", in->customer_id, "tier", in->tier,
                  "lifetime_value", (json_int_t)in->lifetime_value, "currency", in->currency,
                  "balance", (json_int_t)in->balance);
    if (p != NULL && in->subject_id != NULL) {
        json_object_set_new(p, "subject", json_string(in->subject_id));
    }
    snprintf(case_id, sizeof(case_id), "customer:%s", in->customer_id);
    return write_one(db, actor, case_id, "customer.recorded", p, err);
}

int plaint_app_order_add(plaint_db *db, const plaint_actor *actor, const char *order_ref,
                         const char *customer_id, int64_t placed_us,
                         const plaint_order_line_input *lines, size_t nlines,
                         const plaint_credit_note_input *credits, size_t ncredits,
                         plaint_error *err)
{
    const char *params[2] = {customer_id, order_ref};
    char placed[PLAINT_TIME_LEN + 1];
    char case_id[96];
    json_t *info = NULL;
    json_t *p;
    json_t *jl;
    json_t *jc;
    size_t i;
    int rc = check_id("order", order_ref, err);

    if (rc == 0 && nlines == 0) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "line", 0, 0,
                                 "line: an order has at least one line");
    }
    for (i = 0; rc == 0 && i < nlines; i++) {
        if (lines[i].sku == NULL || lines[i].sku[0] == '\0' || lines[i].unit_amount < 0 ||
            lines[i].quantity <= 0 || lines[i].tax_rate_bp < 0 ||
            lines[i].tax_rate_bp > 100000) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "line", (int)i + 1, 0,
                                     "line %zu: sku, unit amount >= 0, quantity >= 1 and a tax "
                                     "rate of 0 to 100000 basis points required", i + 1);
        }
    }
    for (i = 0; rc == 0 && i < ncredits; i++) {
        if (check_id("credit note", credits[i].credit_ref, err) != 0 || credits[i].amount <= 0) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "credit_note", (int)i + 1, 0,
                                     "credit note %zu: a reference and an amount > 0 required",
                                     i + 1);
        }
    }
    if (rc == 0) {
        rc = plaint_time_format(placed, placed_us, err);
    }
    if (rc == 0) {
        rc = plaint_pg_query_json(
            &info, db,
            "SELECT jsonb_build_object('currency', (SELECT currency FROM plaint.customer"
            " WHERE customer_id = $1), 'exists', EXISTS (SELECT 1 FROM plaint.customer_order"
            " WHERE order_ref = $2))",
            2, params, err);
    }
    if (rc == 0 && plaint_cj_str(info, "currency") == NULL) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "customer", 0, 0,
                                 "customer: no customer '%s'", customer_id);
    }
    if (rc == 0 && json_is_true(json_object_get(info, "exists"))) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "order %s exists already", order_ref);
    }
    if (rc != 0) {
        json_decref(info);
        return rc;
    }
    jl = json_array();
    for (i = 0; i < nlines; i++) {
        json_array_append_new(
            jl, json_pack("{s:I, s:s, s:s, s:I, s:I, s:i}", "line", (json_int_t)(i + 1), "sku",
                          lines[i].sku, "description",
                          lines[i].description != NULL ? lines[i].description : "",
                          "unit_amount", (json_int_t)lines[i].unit_amount, "quantity",
                          (json_int_t)lines[i].quantity, "tax_rate_bp",
                          (int)lines[i].tax_rate_bp));
    }
    jc = json_array();
    for (i = 0; i < ncredits; i++) {
        json_array_append_new(jc, json_pack("{s:s, s:I}", "credit", credits[i].credit_ref,
                                            "amount", (json_int_t)credits[i].amount));
    }
    p = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "order", order_ref, "customer", customer_id,
                  "currency", plaint_cj_str(info, "currency"), "placed_at", placed, "lines", jl,
                  "credit_notes", jc);
    json_decref(info);
    snprintf(case_id, sizeof(case_id), "customer:%s", customer_id);
    return write_one(db, actor, case_id, "order.recorded", p, err);
}
