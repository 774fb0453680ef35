/* The compliance dashboard (read-only): open complaints by status and age, SLA breaches,
 * escalations, the latest checkpoint and verification run, and the reports in web.reports_dir.
 * A staff member signs in with their API token and gets a session (migration 0016: a random id
 * in an HttpOnly, SameSite=Strict cookie, Secure over TLS; only its hash stored); the token must
 * stay unrevoked and the user enabled and allowed report.read, checked on every request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "app/web_internal.h"
#include "plaint/complaint_store.h"
#include "plaint/digest.h"
#include "plaint/identity.h"
#include "plaint/rand.h"
#include "plaint/token.h"
#include "plaint/report_files.h"

#define COOKIE      "plaint_session"

static const char SQL_DASHBOARD[] =
    "WITH open AS (SELECT ref, status, team, owner, received_at, first_response_due,"
    "  first_response_at, final_due FROM plaint.complaint WHERE status = ANY($1::text[])),"
    " late AS (SELECT * FROM open WHERE final_due < now()"
    "  OR (first_response_due < now() AND first_response_at IS NULL))"
    " SELECT json_build_object("
    " 'by_status', (SELECT COALESCE(json_agg(x ORDER BY x.status), '[]') FROM (SELECT status,"
    "  count(*) FILTER (WHERE received_at > now() - interval '3 days') AS d3,"
    "  count(*) FILTER (WHERE received_at <= now() - interval '3 days'"
    "   AND received_at > now() - interval '14 days') AS d14,"
    "  count(*) FILTER (WHERE received_at <= now() - interval '14 days'"
    "   AND received_at > now() - interval '56 days') AS d56,"
    "  count(*) FILTER (WHERE received_at <= now() - interval '56 days') AS older,"
    "  count(*) AS total FROM open GROUP BY status) x),"
    " 'open', (SELECT count(*) FROM open),"
    " 'breaches', (SELECT count(*) FROM late),"
    " 'breach_list', (SELECT COALESCE(json_agg(y), '[]') FROM (SELECT ref, status,"
    "  COALESCE(owner, team, '') AS owner,"
    "  CASE WHEN final_due < now() THEN 'final response' ELSE 'first response' END AS timer,"
    "  to_char(CASE WHEN final_due < now() THEN final_due ELSE first_response_due END"
    "   AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS due FROM late"
    "  ORDER BY LEAST(final_due, first_response_due), ref LIMIT 20) y),"
    " 'escalated_open', (SELECT count(*) FROM open WHERE status = 'escalated'),"
    " 'escalations', (SELECT COALESCE(json_agg(e), '[]') FROM (SELECT ref,"
    "  to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS at, target, rules,"
    "  COALESCE(timer, '') AS timer FROM plaint.escalation ORDER BY at DESC, ref LIMIT 10) e),"
    " 'checkpoint', (SELECT json_build_object('seq', seq, 'tree_size', tree_size, 'root',"
    "  encode(root_hash, 'hex'), 'at', to_char(created_at AT TIME ZONE 'UTC',"
    "  'YYYY-MM-DD HH24:MI:SS')) FROM plaint.ledger_checkpoint ORDER BY seq DESC LIMIT 1),"
    " 'verify', (SELECT json_build_object('at', to_char(at AT TIME ZONE 'UTC',"
    "  'YYYY-MM-DD HH24:MI:SS'), 'actor', actor, 'ok', ok, 'events', events, 'checkpoints',"
    "  checkpoints, 'first_bad', first_bad) FROM plaint.verify_run ORDER BY run_id DESC LIMIT 1))";

/* ---- signing in ---- */

static void login_page(plaint_http_response *resp, int status, const char *error)
{
    web_page_begin(resp, status, "Compliance dashboard: sign in");
    if (error != NULL) {
        web_raw(resp, "<p class=\"error\" id=\"login-error\">");
        web_text(resp, error);
        web_raw(resp, "</p>");
    }
    web_raw(resp, "<form method=\"post\" action=\"/login\" id=\"login-form\">"
                  "<label for=\"token\">Your plaint token</label>"
                  "<input id=\"token\" name=\"token\" type=\"password\" required maxlength=\"200\" "
                  "autocomplete=\"off\"><button type=\"submit\" id=\"sign-in\">Sign in</button>"
                  "</form><p>The dashboard is for roles that may read reports (compliance "
                  "officers, auditors). `plaint user token USER` issues a token.</p>");
    web_page_end(resp);
}

void web_login_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    (void)x;
    (void)req;
    login_page(resp, 200, NULL);
}

/* ---- sessions (migration 0016) ---- */

#define SESSION_BYTES 32
#define SESSION_HOURS "8"

static const char SQL_SESSION_NEW[] =
    "WITH gone AS (DELETE FROM plaint.web_session WHERE expires_at < now() RETURNING 1),"
    " ins AS (INSERT INTO plaint.web_session (session_hash, user_id, token_id, expires_at)"
    " VALUES ($1, $2, $3, now() + interval '" SESSION_HOURS " hours') RETURNING 1)"
    " SELECT count(*) FROM ins";
/* the session's user, while the session lasts and the token it was made with is not revoked */
static const char SQL_SESSION_USER[] =
    "SELECT json_build_object('user', s.user_id) FROM plaint.web_session s"
    " JOIN plaint.api_token t ON t.token_id = s.token_id AND t.revoked_at IS NULL"
    " WHERE s.session_hash = $1 AND s.expires_at > now()";
static const char SQL_SESSION_END[] =
    "WITH d AS (DELETE FROM plaint.web_session WHERE session_hash = $1 RETURNING 1)"
    " SELECT count(*) FROM d";

/* The SHA-256 (hex) of a cookie's session id: 0, or -1 if the cookie is not a session id. */
static int session_hash(char hash[2 * PLAINT_HASH_LEN + 1], const char *cookie)
{
    unsigned char id[SESSION_BYTES];
    unsigned char h[PLAINT_HASH_LEN];
    plaint_error err;

    plaint_error_init(&err);
    if (cookie == NULL || strlen(cookie) != 2 * SESSION_BYTES ||
        plaint_hex_decode(id, sizeof(id), cookie, 2 * SESSION_BYTES, &err) < 0 ||
        plaint_sha256_digest(h, id, sizeof(id), &err) < 0) {
        return -1;
    }
    plaint_hex_encode(hash, h, sizeof(h));
    OPENSSL_cleanse(id, sizeof(id));
    return 0;
}

static void set_cookie(plaint_http_response *resp, const plaint_http_request *req,
                       const char *value, int max_age)
{
    snprintf(resp->set_cookie, sizeof(resp->set_cookie),
             COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", value, max_age,
             req->tls ? "; Secure" : "");
}

/* The user of token, allowed report.read; 0 or the error code (denials on the security log). */
static int staff_by_token(plaint_actor *a, api_ctx *x, const char *token, plaint_error *err)
{
    int rc = plaint_authn(a, x->db, token, err);

    if (rc == 0 && a->bootstrap) {
        rc = plaint_error_set(err, PLAINT_EDENIED, "a token is required");
    }
    if (rc == 0) {
        rc = plaint_authz_require(x->az, x->db, a, "report.read", NULL, err);
    }
    return rc;
}

static void redirect(plaint_http_response *resp, const char *to)
{
    resp->status = 303;
    resp->content_type = "text/plain; charset=utf-8";
    snprintf(resp->location, sizeof(resp->location), "%s", to);
    plaint_buf_reset(&resp->body);
    plaint_buf_printf(&resp->body, NULL, "See %s\n", to);
}

void web_login_post(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    web_form f = {.names = {"token", NULL}, .limits = {200}};
    unsigned char id[SESSION_BYTES];
    char cookie[2 * SESSION_BYTES + 1];
    char hash[2 * PLAINT_HASH_LEN + 1];
    char token_id[PLAINT_TOKEN_ID_LEN + 1];
    const char *token;
    const char *params[3];
    int64_t n = 0;
    plaint_actor a;
    plaint_error err;
    int rc;

    plaint_error_init(&err);
    if (!web_limit_ok(x, req->client_ip)) {
        login_page(resp, 429, "Too many attempts from your address. Wait a minute.");
        return;
    }
    if (web_form_read(&f, req) < 0 || (token = web_form_get(&f, "token")) == NULL) {
        web_form_free(&f);
        login_page(resp, 400, "Give your token.");
        return;
    }
    rc = staff_by_token(&a, x, token, &err);
    if (rc == 0) {
        rc = plaint_token_parse_id(token_id, token, &err);
    }
    web_form_free(&f);
    if (rc == 0) {
        rc = plaint_rand_bytes(id, sizeof(id), &err);
    }
    if (rc == 0) {
        plaint_hex_encode(cookie, id, sizeof(id));
        OPENSSL_cleanse(id, sizeof(id));
        rc = session_hash(hash, cookie) == 0 ? 0 : plaint_error_set(&err, PLAINT_ERROR, "hash");
    }
    if (rc == 0) {
        params[0] = hash;
        params[1] = a.user.user_id;
        params[2] = token_id;
        rc = plaint_pg_query_int(&n, x->db, SQL_SESSION_NEW, 3, params, &err);
    }
    if (rc == 0) {
        set_cookie(resp, req, cookie, 8 * 3600);
        OPENSSL_cleanse(cookie, sizeof(cookie));
        redirect(resp, "/dashboard");
    } else if (rc == PLAINT_EDENIED) {
        login_page(resp, 401, "That token is not valid, or its roles do not include the "
                              "dashboard.");
    } else {
        fprintf(stderr, "plaint serve: sign-in: %s\n", err.message);
        resp->drop_ctx = err.code == PLAINT_EDB;
        login_page(resp, 503, "The dashboard is unavailable just now.");
    }
}

void web_logout_post(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    char hash[2 * PLAINT_HASH_LEN + 1];
    const char *params[1] = {hash};
    int64_t n = 0;
    plaint_error err;

    plaint_error_init(&err);
    if (session_hash(hash, plaint_http_cookie(req, COOKIE)) == 0 &&
        plaint_pg_query_int(&n, x->db, SQL_SESSION_END, 1, params, &err) < 0) {
        fprintf(stderr, "plaint serve: sign-out: %s\n", err.message);
        resp->drop_ctx = err.code == PLAINT_EDB;
    }
    set_cookie(resp, req, "", 0);
    redirect(resp, "/login");
}

/* The signed-in staff member, or -1 after answering (redirect, refusal). */
static int signed_in(plaint_actor *a, api_ctx *x, const plaint_http_request *req,
                     plaint_http_response *resp)
{
    const char *cookie = plaint_http_cookie(req, COOKIE);
    char hash[2 * PLAINT_HASH_LEN + 1];
    const char *params[1] = {hash};
    json_t *row = NULL;
    plaint_error err;
    int rc;

    plaint_error_init(&err);
    if (cookie == NULL || cookie[0] == '\0') {
        redirect(resp, "/login");
        return -1;
    }
    if (!web_limit_ok(x, req->client_ip)) {
        web_message_page(resp, 429, "Too many requests",
                         "Too many requests from your address. Wait a minute.");
        return -1;
    }
    memset(a, 0, sizeof(*a));
    rc = session_hash(hash, cookie) == 0
             ? plaint_pg_query_json(&row, x->db, SQL_SESSION_USER, 1, params, &err)
             : 0;
    if (rc == 0 && row == NULL) {
        login_page(resp, 401, "Your session has ended (signed out, expired or its token revoked): "
                              "sign in again.");
        return -1;
    }
    if (rc == 0) {
        rc = plaint_identity_get_user(&a->user, x->db,
                                      json_string_value(json_object_get(row, "user")), &err);
    }
    json_decref(row);
    if (rc == PLAINT_ENOTFOUND || (rc == 0 && a->user.disabled)) {
        login_page(resp, 401, "Your account is disabled: sign in again.");
        return -1;
    }
    if (rc == 0) {
        rc = plaint_authz_require(x->az, x->db, a, "report.read", NULL, &err);
    }
    if (rc == PLAINT_EDENIED) {
        login_page(resp, 401, "Your roles no longer include the dashboard.");
        return -1;
    }
    if (rc < 0) {
        fprintf(stderr, "plaint serve: dashboard: %s\n", err.message);
        resp->drop_ctx = err.code == PLAINT_EDB;
        web_message_page(resp, 503, "Unavailable", "The dashboard is unavailable just now.");
        return -1;
    }
    return 0;
}

/* ---- the page ---- */

static void num(plaint_http_response *resp, json_t *v)
{
    web_raw(resp, "<td class=\"n\">%lld</td>", (long long)json_integer_value(v));
}

static void cell(plaint_http_response *resp, json_t *v)
{
    web_raw(resp, "<td>");
    web_text(resp, json_is_string(v) ? json_string_value(v) : "");
    web_raw(resp, "</td>");
}

/* A table: one column per key (NULL-terminated), header row from heads; integers right-aligned,
 * text escaped. */
static void table(plaint_http_response *resp, const char *id, const char *const *heads,
                  const char *const *keys, json_t *rows)
{
    json_t *row;
    size_t i;

    web_raw(resp, "<table id=\"%s\"><tr>", id);
    for (size_t k = 0; heads[k] != NULL; k++) {
        web_raw(resp, "<th>%s</th>", heads[k]);
    }
    web_raw(resp, "</tr>");
    json_array_foreach(rows, i, row)
    {
        web_raw(resp, "<tr>");
        for (size_t k = 0; keys[k] != NULL; k++) {
            json_t *v = json_object_get(row, keys[k]);
            if (json_is_integer(v)) {
                num(resp, v);
            } else {
                cell(resp, v);
            }
        }
        web_raw(resp, "</tr>");
    }
    web_raw(resp, "</table>");
}

static void section_status(plaint_http_response *resp, json_t *d)
{
    static const char *const HEADS[] = {"Status",      "0-3 days",      "4-14 days",
                                        "15-56 days",  "over 8 weeks",  "Total", NULL};
    static const char *const KEYS[] = {"status", "d3", "d14", "d56", "older", "total", NULL};

    web_raw(resp, "<h2>Open complaints by status and age</h2><p>Open: <strong id=\"open-total\">"
                  "%lld</strong>. Age in calendar days since the complaint was received.</p>",
            (long long)json_integer_value(json_object_get(d, "open")));
    table(resp, "by-status", HEADS, KEYS, json_object_get(d, "by_status"));
}

static void section_breaches(plaint_http_response *resp, json_t *d)
{
    static const char *const HEADS[] = {"Reference", "Status", "Owner or team", "Missed",
                                        "Due (UTC)", NULL};
    static const char *const KEYS[] = {"ref", "status", "owner", "timer", "due", NULL};

    web_raw(resp, "<h2>SLA breaches</h2><p>Open complaints past a deadline: <strong "
                  "id=\"breaches\">%lld</strong> (the 20 oldest below).</p>",
            (long long)json_integer_value(json_object_get(d, "breaches")));
    table(resp, "breach-list", HEADS, KEYS, json_object_get(d, "breach_list"));
}

static void section_escalations(plaint_http_response *resp, json_t *d)
{
    static const char *const HEADS[] = {"When (UTC)", "Reference", "To", "Rules", "Timer", NULL};
    static const char *const KEYS[] = {"at", "ref", "target", "rules", "timer", NULL};

    web_raw(resp, "<h2>Escalations</h2><p>Open escalated complaints: <strong "
                  "id=\"escalated\">%lld</strong>. The latest escalations:</p>",
            (long long)json_integer_value(json_object_get(d, "escalated_open")));
    table(resp, "escalations", HEADS, KEYS, json_object_get(d, "escalations"));
}

static void section_ledger(plaint_http_response *resp, json_t *d)
{
    json_t *cp = json_object_get(d, "checkpoint");
    json_t *v = json_object_get(d, "verify");

    web_raw(resp, "<h2>Ledger</h2><table id=\"ledger\"><tr><th>Latest checkpoint</th><td "
                  "id=\"checkpoint\">");
    if (json_is_object(cp)) {
        web_raw(resp, "#%lld, %lld events, at ", (long long)json_integer_value(json_object_get(cp, "seq")),
                (long long)json_integer_value(json_object_get(cp, "tree_size")));
        web_text(resp, json_string_value(json_object_get(cp, "at")));
        web_raw(resp, " UTC, root <code>");
        web_text(resp, json_string_value(json_object_get(cp, "root")));
        web_raw(resp, "</code>");
    } else {
        web_raw(resp, "none yet");
    }
    web_raw(resp, "</td></tr><tr><th>Last verification</th><td id=\"verification\">");
    if (json_is_object(v)) {
        web_raw(resp, "%s", json_is_true(json_object_get(v, "ok")) ? "<strong>verified</strong>"
                                                                   : "<strong>FAILED</strong>");
        web_raw(resp, " at ");
        web_text(resp, json_string_value(json_object_get(v, "at")));
        web_raw(resp, " UTC by ");
        web_text(resp, json_string_value(json_object_get(v, "actor")));
        web_raw(resp, ": %lld events, %lld checkpoints",
                (long long)json_integer_value(json_object_get(v, "events")),
                (long long)json_integer_value(json_object_get(v, "checkpoints")));
        if (json_is_string(json_object_get(v, "first_bad"))) {
            web_raw(resp, "; first bad record: ");
            web_text(resp, json_string_value(json_object_get(v, "first_bad")));
        }
    } else {
        web_raw(resp, "no run recorded: run <code>plaint verify</code>");
    }
    web_raw(resp, "</td></tr></table><p>These lines report runs; the proof is to run "
                  "<code>plaint verify</code> yourself.</p>");
}

static void section_reports(plaint_http_response *resp, const char *dir)
{
    json_t *list = NULL;
    json_t *f;
    plaint_error err;
    size_t i;

    plaint_error_init(&err);
    web_raw(resp, "<h2>Reports</h2>");
    if (plaint_report_files_list(&list, dir, &err) < 0) {
        fprintf(stderr, "plaint serve: dashboard: %s\n", err.message);
        web_raw(resp, "<p class=\"error\" id=\"reports\">The reports directory cannot be read.</p>");
        return;
    }
    if (json_array_size(list) == 0) {
        web_raw(resp, "<p id=\"reports\">No reports in the reports directory yet (web.reports_dir;"
                      " <code>plaint report regulator</code>, <code>plaint report cases</code> and "
                      "<code>plaint report weekly</code> write them, as does POST "
                      "<code>/api/v1/reports</code>).</p>");
    } else {
        web_raw(resp, "<table id=\"reports\"><tr><th>Report</th><th>Bytes</th><th>Written (UTC)"
                      "</th></tr>");
        json_array_foreach(list, i, f)
        {
            /* names are letters, digits, '.', '_' and '-' only (plaint_report_file_type) */
            const char *name = json_string_value(json_object_get(f, "name"));
            web_raw(resp, "<tr><td><a href=\"/dashboard/reports/%s\">%s</a></td>", name, name);
            num(resp, json_object_get(f, "bytes"));
            cell(resp, json_object_get(f, "modified"));
            web_raw(resp, "</tr>");
        }
        web_raw(resp, "</table><p>Each signed report can be checked with <code>plaint report "
                      "verify FILE --ledger</code>.</p>");
    }
    json_decref(list);
}

void web_dashboard_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    plaint_buf open = PLAINT_BUF_INIT;
    plaint_actor a;
    plaint_error err;
    json_t *d = NULL;
    const char *params[1];
    int rc;

    if (signed_in(&a, x, req, resp) < 0) {
        return;
    }
    plaint_error_init(&err);
    rc = plaint_complaint_open_states(&open, &err);
    if (rc == 0) {
        params[0] = (const char *)open.data;
        rc = plaint_pg_query_json(&d, x->db, SQL_DASHBOARD, 1, params, &err);
    }
    plaint_buf_clear(&open);
    if (rc < 0) {
        fprintf(stderr, "plaint serve: dashboard: %s\n", err.message);
        resp->drop_ctx = err.code == PLAINT_EDB;
        web_message_page(resp, 503, "Unavailable", "The dashboard is unavailable just now.");
        return;
    }
    web_page_begin(resp, 200, "Compliance dashboard");
    web_raw(resp, "<form method=\"post\" action=\"/logout\"><p>Signed in as <strong "
                  "id=\"who\">");
    web_text(resp, a.user.user_id);
    web_raw(resp, "</strong> <button type=\"submit\" id=\"sign-out\">Sign out</button></p>"
                  "</form>");
    section_status(resp, d);
    section_breaches(resp, d);
    section_escalations(resp, d);
    section_ledger(resp, d);
    section_reports(resp, x->cfg->web_reports_dir);
    web_page_end(resp);
    json_decref(d);
}

void web_report_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    const char *name = req->path + strlen("/dashboard/reports/");
    const char *type = NULL;
    plaint_actor a;
    plaint_error err;

    if (signed_in(&a, x, req, resp) < 0) {
        return;
    }
    plaint_error_init(&err);
    plaint_buf_reset(&resp->body);
    if (plaint_report_file_read(&resp->body, &type, x->cfg->web_reports_dir, name, &err) < 0) {
        if (err.code != PLAINT_ENOTFOUND) {
            fprintf(stderr, "plaint serve: report %s: %s\n", name, err.message);
        }
        web_message_page(resp, err.code == PLAINT_ENOTFOUND ? 404 : 503, "Not found",
                         "There is no such report.");
        return;
    }
    resp->status = 200;
    resp->content_type = type;
    resp->download = 1;
}
