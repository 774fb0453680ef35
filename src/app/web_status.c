/* The customer status page: reference number + access code -> status and history of that one
 * complaint. A wrong code, an unknown reference and a malformed one get the same answer after
 * the same work (the code is checked before the database is asked); lookups are limited per
 * client address. The page shows no staff names, notes, reasons or personal data. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "app/web_internal.h"
#include "plaint/complaint_store.h"

static const char SQL_STATUS[] =
    "SELECT json_build_object('ref', c.ref, 'status', c.status, 'category', c.category,"
    " 'received', to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
    " 'final_due', to_char(c.final_due AT TIME ZONE 'UTC', 'YYYY-MM-DD'),"
    " 'history', (SELECT COALESCE(json_agg(json_build_object("
    "   'at', to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), 'to', h.to_status)"
    "   ORDER BY h.seq), '[]') FROM plaint.complaint_status_history h WHERE h.ref = c.ref))"
    " FROM plaint.complaint c WHERE c.ref = $1";

/* What a customer reads for each state (docs/web.md). */
static const char *label(const char *status)
{
    static const char *const L[][2] = {
        {"new", "Received"},
        {"under_investigation", "Being investigated"},
        {"escalated", "Being investigated by a senior team"},
        {"resolution_proposed", "Our answer is being finalised"},
        {"resolved", "Resolved: our final response has been sent"},
        {"closed", "Closed"},
        {"archived", "Closed"},
        {"rejected", "Not handled as a complaint"},
        {"withdrawn", "Withdrawn"},
        {"reopened", "Reopened"},
    };
    for (size_t i = 0; i < sizeof(L) / sizeof(L[0]); i++) {
        if (status != NULL && strcmp(L[i][0], status) == 0) {
            return L[i][1];
        }
    }
    return "In progress";
}

static int is_open(const char *status)
{
    return status != NULL && strcmp(status, "resolved") != 0 && strcmp(status, "closed") != 0 &&
           strcmp(status, "archived") != 0 && strcmp(status, "rejected") != 0 &&
           strcmp(status, "withdrawn") != 0;
}

static void form(plaint_http_response *resp, const char *ref)
{
    web_raw(resp, "<form method=\"post\" action=\"/status\" id=\"status-form\">"
                  "<label for=\"ref\">Reference number</label>"
                  "<input id=\"ref\" name=\"ref\" required maxlength=\"32\" "
                  "placeholder=\"CMP-2026-000123\" autocomplete=\"off\" value=\"");
    web_text(resp, ref != NULL ? ref : "");
    web_raw(resp, "\"><label for=\"code\">Access code</label>"
                  "<input id=\"code\" name=\"code\" required maxlength=\"32\" "
                  "placeholder=\"XXXX-XXXX-XXXX\" autocomplete=\"off\">"
                  "<button type=\"submit\" id=\"lookup\">Show my complaint</button></form>");
}

void web_status_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    (void)x;
    (void)req;
    web_page_begin(resp, 200, "Follow a complaint");
    web_raw(resp, "<p>Enter the reference number and the access code from our acknowledgement "
                  "of your complaint.</p>");
    form(resp, NULL);
    web_page_end(resp);
}

/* CMP-YYYY-NNNNNN(N...) */
static int ref_ok(const char *r)
{
    size_t n = r != NULL ? strlen(r) : 0;

    if (n < 15 || n > 24 || strncmp(r, "CMP-", 4) != 0 || r[8] != '-') {
        return 0;
    }
    for (size_t i = 4; i < n; i++) {
        if (i != 8 && (r[i] < '0' || r[i] > '9')) {
            return 0;
        }
    }
    return 1;
}

static void not_found(plaint_http_response *resp, const char *ref)
{
    web_page_begin(resp, 404, "Follow a complaint");
    web_raw(resp, "<p class=\"error\" id=\"not-found\">We found no complaint with that reference "
                  "number and access code. Check both against our acknowledgement and try "
                  "again.</p>");
    form(resp, ref);
    web_page_end(resp);
}

static void show(plaint_http_response *resp, json_t *c)
{
    const char *status = json_string_value(json_object_get(c, "status"));
    json_t *h = json_object_get(c, "history");
    json_t *e;
    size_t i;

    web_page_begin(resp, 200, "Your complaint");
    web_raw(resp, "<table id=\"complaint\"><tr><th>Reference number</th><td id=\"c-ref\">");
    web_text(resp, json_string_value(json_object_get(c, "ref")));
    web_raw(resp, "</td></tr><tr><th>About</th><td>");
    web_text(resp, json_string_value(json_object_get(c, "category")));
    web_raw(resp, "</td></tr><tr><th>Received</th><td>");
    web_text(resp, json_string_value(json_object_get(c, "received")));
    web_raw(resp, " UTC</td></tr><tr><th>Status</th><td id=\"c-status\">");
    web_text(resp, label(status));
    web_raw(resp, "</td></tr>");
    if (is_open(status) && json_is_string(json_object_get(c, "final_due"))) {
        web_raw(resp, "<tr><th>Our final response by</th><td>");
        web_text(resp, json_string_value(json_object_get(c, "final_due")));
        web_raw(resp, "</td></tr>");
    }
    web_raw(resp, "</table><h2>History</h2><table id=\"history\"><tr><th>When (UTC)</th>"
                  "<th>Status</th></tr><tr><td>");
    web_text(resp, json_string_value(json_object_get(c, "received")));
    web_raw(resp, "</td><td>Received</td></tr>");
    json_array_foreach(h, i, e)
    {
        web_raw(resp, "<tr><td>");
        web_text(resp, json_string_value(json_object_get(e, "at")));
        web_raw(resp, "</td><td>");
        web_text(resp, label(json_string_value(json_object_get(e, "to"))));
        web_raw(resp, "</td></tr>");
    }
    web_raw(resp, "</table>");
    web_page_end(resp);
}

/* The reference as typed, without surrounding blanks and in upper case (cmp-2026-000001 reads
 * as CMP-2026-000001); NULL if absent or too long. */
static const char *normal_ref(char *out, size_t n, const char *in)
{
    size_t len;

    if (in == NULL) {
        return NULL;
    }
    while (*in == ' ' || *in == '\t') {
        in++;
    }
    len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t')) {
        len--;
    }
    if (len >= n) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 'a' + 'A') : in[i];
    }
    out[len] = '\0';
    return out;
}

void web_status_post(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    web_form f = {.names = {"ref", "code", NULL}, .limits = {64, 64}};
    char refbuf[65];
    unsigned char key[PLAINT_ACCESS_KEY_LEN];
    const char *ref;
    const char *params[1];
    json_t *c = NULL;
    plaint_error err;
    int ok;

    plaint_error_init(&err);
    if (!web_limit_ok(x, req->client_ip)) {
        web_message_page(resp, 429, "Too many attempts",
                         "Too many attempts from your address. Wait a minute and try again.");
        return;
    }
    if (web_form_read(&f, req) < 0) {
        web_form_free(&f);
        web_message_page(resp, 400, "Follow a complaint", "The form could not be read.");
        return;
    }
    ref = normal_ref(refbuf, sizeof(refbuf), web_form_get(&f, "ref"));
    if (web_access_key(x, key, &err) < 0) {
        fprintf(stderr, "plaint serve: status page: %s\n", err.message);
        web_form_free(&f);
        web_message_page(resp, 503, "Unavailable", "The status page is unavailable just now.");
        return;
    }
    /* the same HMAC work for every input; CRYPTO_memcmp inside */
    ok = plaint_access_code_check(key, ref_ok(ref) ? ref : "CMP-0000-000000",
                                  web_form_get(&f, "code"), &err);
    OPENSSL_cleanse(key, sizeof(key));
    if (ok == 1 && ref_ok(ref)) {
        params[0] = ref;
        if (plaint_pg_query_json(&c, x->db, SQL_STATUS, 1, params, &err) < 0) {
            fprintf(stderr, "plaint serve: status page: %s\n", err.message);
            resp->drop_ctx = err.code == PLAINT_EDB;
            web_form_free(&f);
            web_message_page(resp, 503, "Unavailable", "The status page is unavailable just now.");
            return;
        }
    }
    if (c == NULL) {
        not_found(resp, ref_ok(ref) ? ref : NULL);
    } else {
        show(resp, c);
    }
    json_decref(c);
    web_form_free(&f);
}
