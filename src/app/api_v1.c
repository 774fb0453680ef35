/* The HTTP/JSON API v1 (see plaint/app_api.h, docs/api.md). Each worker thread has its own
 * context: a plaint_app connection, the RBAC policy and the handling policies. */
#include "plaint/app_api.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "app/api_ctx.h"
#include "app/api_internal.h"
#include "app/web.h"
#include "core/ratelimit.h"
#include "net/http_route.h"
#include "net/http_server.h"
#include "plaint/app_auth.h"
#include "plaint/app_complaint.h"
#include "plaint/app_vault.h"
#include "plaint/chain.h"
#include "plaint/complaint_store.h"
#include "plaint/ledger.h"

#define LIST_DEFAULT 50
#define LIST_MAX     500
#define OFFSET_MAX   100000

struct plaint_api_server {
    const plaint_config *cfg;
    plaint_http_options http;
    plaint_http_server *srv;
};

static void *ctx_new(void *arg)
{
    const plaint_config *cfg = arg;
    api_ctx *x = calloc(1, sizeof(*x));
    plaint_error err;
    int rc;

    plaint_error_init(&err);
    if (x == NULL) {
        return NULL;
    }
    x->cfg = cfg;
    rc = plaint_db_open(&x->db, cfg, PLAINT_DB_APP, &err);
    if (rc == 0) {
        rc = plaint_authz_open(&x->az, cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_handling_open(&x->h, cfg, &err);
    }
    if (rc < 0) {
        fprintf(stderr, "plaint serve: worker cannot start: %s\n", err.message);
        plaint_handling_free(x->h);
        plaint_authz_free(x->az);
        plaint_db_close(x->db);
        free(x);
        return NULL;
    }
    return x;
}

static void ctx_free(void *p)
{
    api_ctx *x = p;

    if (x != NULL) {
        plaint_handling_free(x->h);
        plaint_authz_free(x->az);
        plaint_db_close(x->db);
        free(x);
    }
}

/* ---- responses ---- */

void reply_json(call *c, int status, json_t *v)
{
    char *s = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;

    json_decref(v);
    if (s == NULL) {
        plaint_http_error(c->resp, 500, "internal", NULL, "internal error");
        return;
    }
    c->resp->status = status;
    plaint_buf_reset(&c->resp->body);
    plaint_buf_append_str(&c->resp->body, s, NULL);
    free(s);
}

/* Maps a use case's error to the HTTP answer; internal details go to stderr, not the client. */
void reply_error(call *c, const plaint_error *err, const char *default_field)
{
    const char *field = err->field[0] != '\0' ? err->field : default_field;

    if (strstr(err->message, "SQLSTATE") != NULL &&
        (err->code == PLAINT_EINVALID || err->code == PLAINT_ERANGE ||
         err->code == PLAINT_ECONFLICT || err->code == PLAINT_EDENIED ||
         err->code == PLAINT_ENOTFOUND)) {
        /* a database refusal (plaint_pg_fail): its text, names and SQLSTATE stay in the log */
        fprintf(stderr, "plaint serve: %s %s: %s (%s)\n", c->req->method, c->req->path,
                err->message, plaint_error_name(err->code));
        if (err->code == PLAINT_ECONFLICT) {
            plaint_http_error(c->resp, 409, "conflict", NULL,
                              "a concurrent change got in the way; try again");
        } else if (err->code == PLAINT_EDENIED) {
            plaint_http_error(c->resp, 403, "forbidden", NULL, "not allowed");
        } else {
            plaint_http_error(c->resp, 400, "invalid", field,
                              "the request was refused by a data check%s%s (details are in the "
                              "server log)",
                              field != NULL ? " on " : "", field != NULL ? field : "");
        }
        return;
    }
    switch (err->code) {
    case PLAINT_EINVALID:
    case PLAINT_ERANGE:
        plaint_http_error(c->resp, 400, "invalid", field, "%s", err->message);
        break;
    case PLAINT_ENOTFOUND:
        plaint_http_error(c->resp, 404, "not_found", NULL, "%s", err->message);
        break;
    case PLAINT_EDENIED:
        plaint_http_error(c->resp, 403, "forbidden", NULL, "%s", err->message);
        break;
    case PLAINT_ECONFLICT:
        plaint_http_error(c->resp, 409, "conflict", NULL, "%s", err->message);
        break;
    default:
        fprintf(stderr, "plaint serve: %s %s: %s (%s)\n", c->req->method, c->req->path,
                err->message, plaint_error_name(err->code));
        /* the connection may be gone: the next request on this thread opens a new one */
        c->resp->drop_ctx = err->code == PLAINT_EDB;
        plaint_http_error(c->resp, 500, "internal", NULL, "internal error");
        break;
    }
}

/* ---- inputs ---- */

/* The body's string member name: *out NULL if absent; 0, or -1 after a 400 naming it. */
int body_str(call *c, const char *name, int required, const char **out)
{
    json_t *v = json_object_get(c->body, name);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required) {
            plaint_http_error(c->resp, 400, "invalid", name, "%s is required", name);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 100000) {
        plaint_http_error(c->resp, 400, "invalid", name,
                          "%s must be a non-empty string (at most 100000 bytes)", name);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* Refuses members not in names (NULL-terminated). */
int body_only(call *c, const char *const *names)
{
    const char *k;
    json_t *v;

    json_object_foreach(c->body, k, v)
    {
        size_t i;
        for (i = 0; names[i] != NULL && strcmp(names[i], k) != 0; i++) {
        }
        if (names[i] == NULL) {
            plaint_http_error(c->resp, 400, "invalid", k, "unknown member '%s'", k);
            return -1;
        }
    }
    return 0;
}

static int query_int(call *c, const char *name, int64_t dflt, int64_t min, int64_t max,
                     int64_t *out)
{
    const char *s = plaint_http_query(c->req, name);
    char *end;
    long long v;

    *out = dflt;
    if (s == NULL) {
        return 0;
    }
    v = strtoll(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || v < min || v > max) {
        plaint_http_error(c->resp, 400, "invalid", name, "%s must be an integer from %lld to %lld",
                          name, (long long)min, (long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

#define QUERY_TEXT_MAX 200

/* The text of query parameter name: *out NULL if absent; 0, or -1 after a 400 naming it: empty,
 * over QUERY_TEXT_MAX bytes, not UTF-8 (checked by jansson), a control character, or not one of
 * set (NULL-terminated; NULL: any). Such a value never reaches the database. */
static int query_text(call *c, const char *name, const char *const *set, const char **out)
{
    const char *s = plaint_http_query(c->req, name);
    json_t *utf8;
    size_t n;
    size_t i;
    int ok;

    *out = NULL;
    if (s == NULL) {
        return 0;
    }
    n = strlen(s);
    if (n == 0 || n > QUERY_TEXT_MAX) {
        plaint_http_error(c->resp, 400, "invalid", name,
                          "%s must be 1 to %d bytes of UTF-8 text", name, QUERY_TEXT_MAX);
        return -1;
    }
    utf8 = json_stringn(s, n); /* NULL: not valid UTF-8 */
    ok = utf8 != NULL;
    json_decref(utf8);
    for (i = 0; ok && i < n; i++) {
        ok = (unsigned char)s[i] >= 0x20 && s[i] != 0x7f;
    }
    if (!ok) {
        plaint_http_error(c->resp, 400, "invalid", name,
                          "%s must be UTF-8 text without control characters", name);
        return -1;
    }
    for (i = 0; set != NULL && set[i] != NULL && strcmp(set[i], s) != 0; i++) {
    }
    if (set != NULL && set[i] == NULL) {
        plaint_buf known = PLAINT_BUF_INIT;

        for (i = 0; set[i] != NULL; i++) {
            plaint_buf_printf(&known, NULL, "%s%s", i > 0 ? ", " : "", set[i]);
        }
        plaint_http_error(c->resp, 400, "invalid", name, "%s must be one of %s", name,
                          known.data != NULL ? (const char *)known.data : "");
        plaint_buf_clear(&known);
        return -1;
    }
    *out = s;
    return 0;
}

/* Appends "&name=value" for each query parameter of names present, percent-encoded. */
static void keep_params(plaint_buf *out, const plaint_http_request *req, const char *const *names)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; names[i] != NULL; i++) {
        const unsigned char *v = (const unsigned char *)plaint_http_query(req, names[i]);
        if (v == NULL) {
            continue;
        }
        plaint_buf_printf(out, NULL, "&%s=", names[i]);
        for (; *v != '\0'; v++) {
            if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
                *v == '-' || *v == '_' || *v == '.' || *v == '~') {
                plaint_buf_append_byte(out, *v, NULL);
            } else {
                plaint_buf_printf(out, NULL, "%%%c%c", HEX[*v >> 4], HEX[*v & 15]);
            }
        }
    }
}

/* A page of a list fetched with limit offset+limit+1: {"items", "limit", "offset",
 * "next_offset", "next"}; the next link keeps the filters (names). */
static void reply_page(call *c, json_t *all, int64_t limit, int64_t offset, const char *path,
                       const char *const *names)
{
    json_t *items = json_array();
    json_t *page;
    size_t i;
    size_t n = json_array_size(all);
    int more = n > (size_t)(offset + limit);
    plaint_buf next = PLAINT_BUF_INIT;

    for (i = (size_t)offset; i < n && i < (size_t)(offset + limit); i++) {
        json_array_append(items, json_array_get(all, i));
    }
    if (more) {
        plaint_buf_printf(&next, NULL, "%s?limit=%lld&offset=%lld", path, (long long)limit,
                          (long long)(offset + limit));
        keep_params(&next, c->req, names);
    }
    page = json_pack("{s:o, s:I, s:I}", "items", items, "limit", (json_int_t)limit, "offset",
                     (json_int_t)offset);
    if (page != NULL) {
        json_object_set_new(page, "next_offset",
                            more ? json_integer((json_int_t)(offset + limit)) : json_null());
        json_object_set_new(page, "next",
                            more && next.data != NULL
                                ? json_stringn((const char *)next.data, next.len)
                                : json_null());
    }
    plaint_buf_clear(&next);
    json_decref(all);
    reply_json(c, 200, page);
}

/* ---- authentication ---- */

/* Failed authentications are recorded in the security log (a ledger event each) up to
 * AUTH_LOG_BURST at once and AUTH_LOG_PER_MIN a minute per client address; beyond that they are
 * still refused (401) but not recorded, so that requests with made-up tokens cannot grow the
 * ledger without bound. Valid tokens are never affected. */
#define AUTH_LOG_SLOTS   1024
#define AUTH_LOG_BURST   20
#define AUTH_LOG_PER_MIN 20

static plaint_ratelimit_slot g_auth_slots[AUTH_LOG_SLOTS];
static plaint_ratelimit_table g_auth_log;
static pthread_mutex_t g_auth_mu = PTHREAD_MUTEX_INITIALIZER;

/* take 0: may a failure from key be logged now (peek); take 1: one failure was logged. */
static int auth_log(const char *key, int take)
{
    struct timespec ts;
    int64_t now;
    int ok;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* one token per second of a clock at AUTH_LOG_PER_MIN/60 of real speed (as in web.c) */
    now = ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000) / 60 * AUTH_LOG_PER_MIN;
    pthread_mutex_lock(&g_auth_mu);
    if (g_auth_log.slots == NULL) {
        plaint_ratelimit_table_init(&g_auth_log, g_auth_slots, AUTH_LOG_SLOTS);
    }
    ok = take ? plaint_ratelimit_table_take(&g_auth_log, key, now, 1, AUTH_LOG_BURST)
              : plaint_ratelimit_table_peek(&g_auth_log, key, now, 1, AUTH_LOG_BURST);
    pthread_mutex_unlock(&g_auth_mu);
    return ok != 0;
}

static int authenticate(call *c)
{
    const char *h = plaint_http_header(c->req, "Authorization");
    const char *token = NULL;
    char key[PLAINT_RATELIMIT_KEY_MAX];
    plaint_error err;
    int log;
    int rc;

    plaint_error_init(&err);
    if (h != NULL && strncmp(h, "Bearer ", 7) == 0) {
        token = h + 7;
    }
    plaint_http_limit_key(key, sizeof(key), c->req->client_ip);
    log = auth_log(key, 0);
    /* No token: plaint_authn logs the refusal; with no users yet it would make the caller the
     * bootstrap operator, which a network client never is. */
    rc = plaint_authn_opt(&c->actor, c->x->db, token, log, &err);
    if (rc == PLAINT_EDENIED && log) {
        auth_log(key, 1);
    }
    if (rc == 0 && c->actor.bootstrap) {
        rc = plaint_error_set(&err, PLAINT_EDENIED, "a token is required");
    }
    if (rc == PLAINT_EDENIED) {
        plaint_http_error(c->resp, 401, "unauthenticated", NULL,
                          "a valid token is required: Authorization: Bearer TOKEN");
        return -1;
    }
    if (rc < 0) {
        reply_error(c, &err, NULL);
        return -1;
    }
    return 0;
}

int require(call *c, const char *action)
{
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_authz_require(c->x->az, c->x->db, &c->actor, action, NULL, &err) < 0) {
        reply_error(c, &err, NULL);
        return -1;
    }
    return 0;
}

/* ---- idempotency ---- */

static const char SQL_RESERVE[] =
    "WITH ins AS (INSERT INTO plaint.api_idempotency (principal, idem_key, request_hash, status)"
    " VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'), 0)"
    " ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT CASE WHEN EXISTS (SELECT 1 FROM ins) THEN json_build_object('new', true)"
    " ELSE (SELECT json_build_object('new', false, 'same',"
    " request_hash = encode(sha256(convert_to($3, 'UTF8')), 'hex'), 'status', status,"
    " 'response', response, 'location', location, 'age',"
    " floor(extract(epoch FROM statement_timestamp() - created_at))::bigint, 'started',"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
    " FROM plaint.api_idempotency WHERE principal = $1 AND idem_key = $2)"
    " END";
static const char SQL_STORE[] =
    "WITH u AS (UPDATE plaint.api_idempotency SET status = $3::int, response = $4,"
    " location = NULLIF($5, '') WHERE principal = $1 AND idem_key = $2 RETURNING 1)"
    " SELECT json_build_object('n', count(*)) FROM u";
/* A key still marked in progress after this many seconds is no longer being answered: the
 * server stopped between the use case's commit (or rollback) and the recording of the answer. */
#define IDEM_UNFINISHED_S 60
static const char SQL_FORGET[] =
    "WITH d AS (DELETE FROM plaint.api_idempotency WHERE principal = $1 AND idem_key = $2"
    " RETURNING 1) SELECT json_build_object('n', count(*)) FROM d";

static int valid_key(const char *k)
{
    size_t n = strlen(k);
    size_t i;

    if (n == 0 || n > 200) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* 1: a new request, go on; 0: answered (replay, conflict or error). */
static int idem_begin(call *c, const char *key)
{
    plaint_buf what = PLAINT_BUF_INIT;
    json_t *r = NULL;
    plaint_error err;
    const char *params[3];
    int rc;

    plaint_error_init(&err);
    rc = plaint_buf_printf(&what, &err, "%s %s\n%s", c->req->method, c->req->path, c->req->body);
    if (rc == 0) {
        params[0] = c->actor.user.user_id;
        params[1] = key;
        params[2] = (const char *)what.data;
        rc = plaint_pg_query_json(&r, c->x->db, SQL_RESERVE, 3, params, &err);
    }
    plaint_buf_clear(&what);
    if (rc < 0) {
        reply_error(c, &err, NULL);
        return 0;
    }
    if (json_is_true(json_object_get(r, "new"))) {
        json_decref(r);
        return 1;
    }
    if (r == NULL || !json_is_true(json_object_get(r, "same"))) {
        plaint_http_error(c->resp, 409, "idempotency_key_reused", "Idempotency-Key",
                          "this Idempotency-Key was used for a different request");
    } else if (json_integer_value(json_object_get(r, "status")) == 0 &&
               json_integer_value(json_object_get(r, "age")) < IDEM_UNFINISHED_S) {
        plaint_http_error(c->resp, 409, "idempotency_key_in_progress", "Idempotency-Key",
                          "a request with this Idempotency-Key is still being answered");
    } else if (json_integer_value(json_object_get(r, "status")) == 0) {
        /* the answer was never recorded: whether the change was made is unknown here, and a
         * new run could make it twice; the client checks, then uses a new key if need be */
        plaint_http_error(c->resp, 409, "idempotency_key_unfinished", "Idempotency-Key",
                          "the request with this Idempotency-Key started at %s was never "
                          "answered (the server stopped): it may or may not have been applied. "
                          "Check first (%s), then send it again with a new Idempotency-Key "
                          "only if it was not",
                          json_string_value(json_object_get(r, "started")) != NULL
                              ? json_string_value(json_object_get(r, "started"))
                              : "?",
                          strcmp(c->req->path, "/api/v1/complaints") == 0
                              ? "GET /api/v1/complaints?customer=... or ?channel=..."
                              : "GET /api/v1/complaints/{ref}: its history, tasks and refunds");
    } else {
        const char *body = json_string_value(json_object_get(r, "response"));
        const char *location = json_string_value(json_object_get(r, "location"));

        c->resp->status = (int)json_integer_value(json_object_get(r, "status"));
        plaint_buf_reset(&c->resp->body);
        plaint_buf_append_str(&c->resp->body, body != NULL ? body : "", NULL);
        if (location != NULL) {
            snprintf(c->resp->location, sizeof(c->resp->location), "%s", location);
        }
    }
    json_decref(r);
    return 0;
}

static void idem_end(call *c, const char *key)
{
    json_t *r = NULL;
    plaint_error err;
    char status[16];
    const char *params[5];
    int forget;
    int rc;

    plaint_error_init(&err);
    snprintf(status, sizeof(status), "%d", c->resp->status);
    params[0] = c->actor.user.user_id;
    params[1] = key;
    params[2] = status;
    plaint_buf_append_byte(&c->resp->body, 0, NULL);
    c->resp->body.len--;
    params[3] = (const char *)c->resp->body.data;
    params[4] = c->resp->location; /* "" if none: stored as NULL */
    /* a server error or a denial changed nothing: the client may retry with the same key */
    forget = c->resp->status >= 500 || c->resp->status == 403;
    rc = plaint_pg_query_json(&r, c->x->db, forget ? SQL_FORGET : SQL_STORE, forget ? 2 : 5, params,
                              &err);
    json_decref(r);
    if (rc < 0) {
        fprintf(stderr, "plaint serve: cannot record idempotency key: %s\n", err.message);
    }
}

/* ---- handlers ---- */

static const char *const CREATE_FIELDS[] = {
    "channel",   "category", "sub_category", "product", "issue",    "sub_issue", "company",
    "narrative", "urgency",  "customer",     "order",   "received", NULL};

static void complaint_create(call *c)
{
    plaint_complaint_input in;
    const char *received = NULL;
    plaint_error err;
    char ref[32] = "";
    int rc;

    memset(&in, 0, sizeof(in));
    if (body_only(c, CREATE_FIELDS) < 0 || body_str(c, "channel", 1, &in.channel) < 0 ||
        body_str(c, "category", 1, &in.category) < 0 ||
        body_str(c, "sub_category", 0, &in.sub_category) < 0 ||
        body_str(c, "product", 0, &in.product) < 0 || body_str(c, "issue", 0, &in.issue) < 0 ||
        body_str(c, "sub_issue", 0, &in.sub_issue) < 0 ||
        body_str(c, "company", 0, &in.company) < 0 ||
        body_str(c, "narrative", 0, &in.narrative) < 0 ||
        body_str(c, "urgency", 0, &in.urgency) < 0 ||
        body_str(c, "customer", 0, &in.customer_id) < 0 ||
        body_str(c, "order", 0, &in.order_ref) < 0 || body_str(c, "received", 0, &received) < 0) {
        return;
    }
    plaint_error_init(&err);
    if (received != NULL &&
        plaint_time_parse(&in.received_us, received, strlen(received), &err) < 0) {
        plaint_http_error(c->resp, 400, "invalid", "received",
                          "received must be a UTC time YYYY-MM-DDTHH:MM:SS.ffffffZ");
        return;
    }
    if (require(c, "complaint.create") < 0) {
        return;
    }
    rc = plaint_app_complaint_new(ref, c->x->db, &c->actor, c->x->h, c->x->cfg, &in, &err);
    if (rc < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    snprintf(c->resp->location, sizeof(c->resp->location), "/api/v1/complaints/%s", ref);
    reply_json(c, 201, json_pack("{s:s}", "ref", ref));
}

static const char *const COMPLAINT_FILTERS[] = {"status",  "owner",    "category",
                                                "channel", "customer", NULL};

static void complaint_list(call *c)
{
    plaint_complaint_filter f;
    plaint_error err;
    json_t *list = NULL;
    int64_t limit;
    int64_t offset;

    memset(&f, 0, sizeof(f));
    if (query_int(c, "limit", LIST_DEFAULT, 1, LIST_MAX, &limit) < 0 ||
        query_int(c, "offset", 0, 0, OFFSET_MAX, &offset) < 0 ||
        query_text(c, "status", NULL, &f.status) < 0 ||
        query_text(c, "owner", NULL, &f.owner) < 0 ||
        query_text(c, "category", NULL, &f.category) < 0 ||
        query_text(c, "channel", plaint_complaint_channels(), &f.channel) < 0 ||
        query_text(c, "customer", NULL, &f.customer) < 0 || require(c, "complaint.read") < 0) {
        return;
    }
    f.limit = offset + limit + 1;
    plaint_error_init(&err);
    if (plaint_complaint_list(&list, c->x->db, &f, &err) < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    reply_page(c, list, limit, offset, "/api/v1/complaints", COMPLAINT_FILTERS);
}

static void complaint_get(call *c)
{
    static const char *const VIEWS[] = {NULL, "(in the vault)", "(erased)"};
    plaint_vault_view view = PLAINT_VAULT_WITHHELD;
    plaint_buf text = PLAINT_BUF_INIT;
    plaint_error err;
    json_t *d = NULL;
    json_t *cm;
    const char *nref;
    int rc;

    if (require(c, "complaint.read") < 0) {
        return;
    }
    plaint_error_init(&err);
    rc = plaint_complaint_details(&d, c->x->db, c->param, &err);
    cm = json_object_get(d, "complaint");
    nref = json_string_value(json_object_get(cm, "narrative_ref"));
    if (rc == 0 && nref != NULL) {
        /* a customer's narrative: from the vault, as `plaint complaint show` does */
        rc = plaint_app_narrative_open(&text, &view, c->x->db, c->x->az, &c->actor, c->x->cfg,
                                       json_string_value(json_object_get(cm, "customer_id")), nref,
                                       &err);
        if (rc == 0) {
            json_object_set_new(
                cm, "narrative",
                view == PLAINT_VAULT_SHOWN
                    ? json_stringn(text.data != NULL ? (const char *)text.data : "", text.len)
                    : json_string(VIEWS[view]));
        }
        if (text.data != NULL) {
            OPENSSL_cleanse(text.data, text.cap);
        }
        plaint_buf_clear(&text);
    }
    if (rc < 0) {
        json_decref(d);
        reply_error(c, &err, NULL);
        return;
    }
    reply_json(c, 200, d);
}

static void complaint_transition(call *c)
{
    static const char *const FIELDS[] = {"to", "reason", NULL};
    const char *to;
    const char *reason;
    plaint_error err;

    if (body_only(c, FIELDS) < 0 || body_str(c, "to", 1, &to) < 0 ||
        body_str(c, "reason", 0, &reason) < 0) {
        return;
    }
    plaint_error_init(&err);
    if (plaint_app_complaint_transition(c->x->db, c->x->az, &c->actor, c->param, to, reason, &err) <
        0) {
        if (strcmp(err.field, "status") == 0) { /* the use case's "status" is the API's "to" */
            snprintf(err.field, sizeof(err.field), "to");
        }
        reply_error(c, &err, "to");
        return;
    }
    reply_json(c, 200, json_pack("{s:s, s:s}", "ref", c->param, "status", to));
}

static void complaint_note(call *c)
{
    static const char *const FIELDS[] = {"text", "kind", NULL};
    const char *text;
    const char *kind;
    plaint_error err;

    if (body_only(c, FIELDS) < 0 || body_str(c, "text", 1, &text) < 0 ||
        body_str(c, "kind", 0, &kind) < 0) {
        return;
    }
    if (kind == NULL) {
        kind = "note";
    }
    plaint_error_init(&err);
    if (plaint_app_complaint_note(c->x->db, c->x->az, &c->actor, c->param, kind, text, &err) < 0) {
        reply_error(c, &err, "kind");
        return;
    }
    reply_json(c, 201, json_pack("{s:s, s:s}", "ref", c->param, "kind", kind));
}

static const char *const TASK_FILTERS[] = {"ref", "role", "assignee", "status", "kind", NULL};

static void task_list(call *c)
{
    plaint_task_filter f;
    plaint_error err;
    json_t *list = NULL;
    int64_t limit;
    int64_t offset;
    static const char *const STATUSES[] = {"open", "done", NULL};

    memset(&f, 0, sizeof(f));
    if (query_int(c, "limit", LIST_DEFAULT, 1, LIST_MAX, &limit) < 0 ||
        query_int(c, "offset", 0, 0, OFFSET_MAX, &offset) < 0 ||
        query_text(c, "ref", NULL, &f.ref) < 0 || query_text(c, "role", NULL, &f.role) < 0 ||
        query_text(c, "assignee", NULL, &f.assignee) < 0 ||
        query_text(c, "status", STATUSES, &f.status) < 0 ||
        query_text(c, "kind", NULL, &f.kind) < 0 || require(c, "task.read") < 0) {
        return;
    }
    f.limit = offset + limit + 1;
    plaint_error_init(&err);
    if (plaint_task_list(&list, c->x->db, &f, &err) < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    reply_page(c, list, limit, offset, "/api/v1/tasks", TASK_FILTERS);
}

/* ---- the everyday operations: assignment, resolution, closure, reopening, tasks, refunds ---- */

/* The body's integer member name in [min, max]: *present 0 if absent; 0, or -1 after a 400. */
static int body_int(call *c, const json_t *obj, const char *name, const char *field, int required,
                    int64_t min, int64_t max, int64_t *out, int *present)
{
    json_t *v = json_object_get(obj, name);

    *present = 0;
    if (v == NULL || json_is_null(v)) {
        if (required) {
            plaint_http_error(c->resp, 400, "invalid", field, "%s is required", field);
            return -1;
        }
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        plaint_http_error(c->resp, 400, "invalid", field, "%s must be an integer from %lld to %lld",
                          field, (long long)min, (long long)max);
        return -1;
    }
    *out = (int64_t)json_integer_value(v);
    *present = 1;
    return 0;
}

/* {"ref", "status", "owner"} of the complaint after a change. */
static void reply_complaint(call *c, int status)
{
    json_t *cm = NULL;
    json_t *owner;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_complaint_get(&cm, c->x->db, c->param, &err) < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    owner = json_object_get(cm, "owner");
    reply_json(c, status,
               json_pack("{s:s, s:O, s:O}", "ref", c->param, "status",
                         json_object_get(cm, "status"), "owner",
                         owner != NULL ? owner : json_null()));
    json_decref(cm);
}

static void complaint_assign(call *c)
{
    static const char *const FIELDS[] = {"owner", NULL};
    const char *owner;
    plaint_error err;

    if (body_only(c, FIELDS) < 0 || body_str(c, "owner", 1, &owner) < 0) {
        return;
    }
    plaint_error_init(&err);
    if (plaint_app_complaint_assign(c->x->db, c->x->az, &c->actor, c->param, owner, &err) < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    reply_complaint(c, 200);
}

static void complaint_resolve(call *c)
{
    static const char *const FIELDS[] = {"outcome", "summary", "root_cause", NULL};
    plaint_resolution res;
    plaint_error err;

    memset(&res, 0, sizeof(res));
    if (body_only(c, FIELDS) < 0 || body_str(c, "outcome", 1, &res.outcome) < 0 ||
        body_str(c, "summary", 1, &res.summary) < 0 ||
        body_str(c, "root_cause", 0, &res.root_cause) < 0) {
        return;
    }
    plaint_error_init(&err);
    if (plaint_app_complaint_resolve(c->x->db, c->x->az, &c->actor, c->param, &res, &err) < 0) {
        if (strcmp(err.field, "root-cause") == 0) {
            snprintf(err.field, sizeof(err.field), "root_cause");
        }
        reply_error(c, &err, NULL);
        return;
    }
    reply_complaint(c, 200);
}

static void complaint_close(call *c)
{
    static const char *const FIELDS[] = {"satisfaction", NULL};
    int64_t score = 0;
    int present;
    plaint_error err;

    if (body_only(c, FIELDS) < 0 ||
        body_int(c, c->body, "satisfaction", "satisfaction", 0, 1, 5, &score, &present) < 0) {
        return;
    }
    plaint_error_init(&err);
    if (plaint_app_complaint_close(c->x->db, c->x->az, &c->actor, c->param, (int)score, &err) <
        0) {
        reply_error(c, &err, NULL);
        return;
    }
    reply_complaint(c, 200);
}

static void complaint_reopen(call *c)
{
    static const char *const FIELDS[] = {"reason", NULL};
    const char *reason;
    plaint_error err;

    if (body_only(c, FIELDS) < 0 || body_str(c, "reason", 1, &reason) < 0) {
        return;
    }
    plaint_error_init(&err);
    if (plaint_app_complaint_reopen(c->x->db, c->x->az, &c->actor, c->param, reason, &err) < 0) {
        reply_error(c, &err, "reason");
        return;
    }
    reply_complaint(c, 200);
}

/* The full id "REF/T2" (prefix 'T') or "REF/R1" ('R') from the path's {task} or {refund}
 * segment, "T2" or just "2". */
static void sub_id(char *out, size_t n, const call *c, char prefix)
{
    char pre[2] = {prefix, '\0'};

    /* a bare number gets the prefix */
    snprintf(out, n, "%s/%s%s", c->param, c->sub[0] >= '0' && c->sub[0] <= '9' ? pre : "",
             c->sub);
}

#define TASK_ITEMS_MAX 100

static void task_checks(call *c)
{
    static const char *const FIELDS[] = {"items", NULL};
    const char *items[TASK_ITEMS_MAX];
    char task_id[2 * REF_MAX + 2];
    json_t *arr = json_object_get(c->body, "items");
    json_t *v;
    plaint_error err;
    size_t i;

    if (body_only(c, FIELDS) < 0) {
        return;
    }
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > TASK_ITEMS_MAX) {
        plaint_http_error(c->resp, 400, "invalid", "items",
                          "items must be an array of 1 to %d checklist item ids", TASK_ITEMS_MAX);
        return;
    }
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 200) {
            plaint_http_error(c->resp, 400, "invalid", "items",
                              "items[%zu] must be a checklist item id (a non-empty string)", i);
            return;
        }
        items[i] = json_string_value(v);
    }
    sub_id(task_id, sizeof(task_id), c, 'T');
    plaint_error_init(&err);
    if (plaint_app_task_done(c->x->db, c->x->az, &c->actor, task_id, items, json_array_size(arr),
                             &err) < 0) {
        if (strcmp(err.field, "item") == 0) {
            snprintf(err.field, sizeof(err.field), "items");
        }
        reply_error(c, &err, NULL);
        return;
    }
    reply_json(c, 200, json_pack("{s:s, s:O}", "task", task_id, "checked", arr));
}

static void task_complete(call *c)
{
    static const char *const FIELDS[] = {NULL};
    char task_id[2 * REF_MAX + 2];
    plaint_error err;

    if (body_only(c, FIELDS) < 0) {
        return;
    }
    sub_id(task_id, sizeof(task_id), c, 'T');
    plaint_error_init(&err);
    if (plaint_app_task_done(c->x->db, c->x->az, &c->actor, task_id, NULL, 0, &err) < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    reply_json(c, 200, json_pack("{s:s, s:s}", "task", task_id, "status", "done"));
}

static const char SQL_REFUND[] =
    "SELECT json_build_object('refund', refund_id, 'ref', ref, 'status', status, 'currency',"
    " currency, 'net', net, 'tax', tax, 'credits', credits, 'total', total, 'requested_by',"
    " requested_by, 'approved_by', approved_by) FROM plaint.refund WHERE refund_id = $1";

static void reply_refund(call *c, int status, const char *refund_id)
{
    json_t *r = NULL;
    plaint_error err;
    const char *params[1] = {refund_id};

    plaint_error_init(&err);
    if (plaint_pg_query_json(&r, c->x->db, SQL_REFUND, 1, params, &err) < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    if (r == NULL) {
        plaint_http_error(c->resp, 500, "internal", NULL, "internal error");
        return;
    }
    reply_json(c, status, r);
}

#define REFUND_LINES_MAX 100

static void refund_propose(call *c)
{
    static const char *const FIELDS[] = {"lines", "reason", NULL};
    int64_t lines[REFUND_LINES_MAX];
    int64_t qty[REFUND_LINES_MAX];
    json_t *arr = json_object_get(c->body, "lines");
    json_t *v;
    const char *reason;
    char refund_id[64] = "";
    char field[64];
    plaint_error err;
    size_t n = 0;
    size_t i;

    if (body_only(c, FIELDS) < 0 || body_str(c, "reason", 0, &reason) < 0) {
        return;
    }
    if (arr != NULL && !json_is_null(arr)) {
        if (!json_is_array(arr) || json_array_size(arr) > REFUND_LINES_MAX) {
            plaint_http_error(c->resp, 400, "invalid", "lines",
                              "lines must be an array of at most %d {\"line\", \"quantity\"}",
                              REFUND_LINES_MAX);
            return;
        }
        json_array_foreach(arr, i, v)
        {
            const char *k;
            json_t *m;
            int present;

            snprintf(field, sizeof(field), "lines[%zu]", i);
            if (!json_is_object(v)) {
                plaint_http_error(c->resp, 400, "invalid", field,
                                  "%s must be an object {\"line\": N, \"quantity\": Q}", field);
                return;
            }
            json_object_foreach(v, k, m)
            {
                if (strcmp(k, "line") != 0 && strcmp(k, "quantity") != 0) {
                    snprintf(field, sizeof(field), "lines[%zu].%.30s", i, k);
                    plaint_http_error(c->resp, 400, "invalid", field, "unknown member '%s'", k);
                    return;
                }
            }
            qty[i] = 0;
            snprintf(field, sizeof(field), "lines[%zu].line", i);
            if (body_int(c, v, "line", field, 1, 1, 1000000, &lines[i], &present) < 0) {
                return;
            }
            snprintf(field, sizeof(field), "lines[%zu].quantity", i);
            if (body_int(c, v, "quantity", field, 0, 1, 1000000000, &qty[i], &present) < 0) {
                return;
            }
        }
        n = json_array_size(arr);
    }
    plaint_error_init(&err);
    if (plaint_app_refund_propose(refund_id, c->x->db, c->x->az, &c->actor, c->param, lines, qty,
                                  n, reason, &err) < 0) {
        if (strncmp(err.field, "line", 4) == 0) {
            snprintf(err.field, sizeof(err.field), "lines");
        }
        reply_error(c, &err, NULL);
        return;
    }
    reply_refund(c, 201, refund_id);
}

static void refund_decide(call *c, int credit)
{
    static const char *const FIELDS[] = {NULL};
    char refund_id[2 * REF_MAX + 2];
    plaint_error err;
    int rc;

    if (body_only(c, FIELDS) < 0) {
        return;
    }
    sub_id(refund_id, sizeof(refund_id), c, 'R');
    plaint_error_init(&err);
    rc = credit ? plaint_app_refund_credit(c->x->db, c->x->az, &c->actor, refund_id, &err)
                : plaint_app_refund_approve(c->x->db, c->x->az, &c->actor, refund_id, &err);
    if (rc < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    reply_refund(c, 200, refund_id);
}

static void refund_approve(call *c)
{
    refund_decide(c, 0);
}

static void refund_credit(call *c)
{
    refund_decide(c, 1);
}

static const char SQL_LATEST_CP[] =
    "SELECT json_build_object('seq', seq, 'tree_size', tree_size, 'root_hash',"
    " encode(root_hash, 'hex'), 'hash', encode(hash, 'hex'), 'key_id', key_id, 'created_at',"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))"
    " FROM plaint.ledger_checkpoint ORDER BY seq DESC LIMIT 1";

static const char SQL_LAST_VERIFY[] =
    "SELECT json_build_object('at', to_char(at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'actor', actor, 'ok', ok, 'events', events,"
    " 'checkpoints', checkpoints, 'sealed', sealed, 'root_hash', root_hash, 'first_bad', first_bad)"
    " FROM plaint.verify_run ORDER BY run_id DESC LIMIT 1";

static void verification(call *c)
{
    plaint_ledger_stats st;
    plaint_error err;
    json_t *cp = NULL;
    json_t *last = NULL;
    int rc;

    if (require(c, "ledger.read") < 0) {
        return;
    }
    plaint_error_init(&err);
    rc = plaint_ledger_stats_get(&st, c->x->db, &err);
    if (rc == 0) {
        rc = plaint_pg_query_json(&cp, c->x->db, SQL_LATEST_CP, 0, NULL, &err);
    }
    if (rc == 0) {
        rc = plaint_pg_query_json(&last, c->x->db, SQL_LAST_VERIFY, 0, NULL, &err);
    }
    if (rc < 0) {
        json_decref(cp);
        reply_error(c, &err, NULL);
        return;
    }
    reply_json(c, 200,
               json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o}", "ledger", "events",
                         (json_int_t)st.events, "pending", (json_int_t)st.pending, "positions",
                         (json_int_t)st.positions, "checkpoints", (json_int_t)st.checkpoints,
                         "sealed", (json_int_t)st.sealed, "seconds_since_seal",
                         (json_int_t)st.seconds_since_seal, "latest_checkpoint",
                         cp != NULL ? cp : json_null(), "last_verify",
                         last != NULL ? last : json_null()));
}

/* ---- readiness ---- */

static void readyz(api_ctx *x, plaint_http_response *resp)
{
    plaint_buf names = PLAINT_BUF_INIT;
    plaint_error err;
    int64_t files = 0;
    int64_t applied = 0;
    struct dirent *e;
    DIR *d = opendir(x->cfg->schema_dir);
    const char *params[1];
    int rc = 0;

    plaint_error_init(&err);
    plaint_buf_append_str(&names, "{", NULL);
    for (e = d != NULL ? readdir(d) : NULL; e != NULL; e = readdir(d)) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0) {
            plaint_buf_printf(&names, NULL, "%s\"%s\"", files > 0 ? "," : "", e->d_name);
            files++;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    plaint_buf_append_str(&names, "}", NULL);
    params[0] = (const char *)names.data;
    rc = plaint_pg_query_int(
        &applied, x->db, "SELECT count(*) FROM plaint_meta.migration WHERE name = ANY($1::text[])",
        1, params, &err);
    plaint_buf_clear(&names);
    if (rc < 0) {
        plaint_http_error(resp, 503, "not_ready", NULL, "the database is not reachable");
        resp->drop_ctx = 1;
        fprintf(stderr, "plaint serve: readyz: %s\n", err.message);
    } else if (files == 0 || applied != files) {
        plaint_http_error(resp, 503, "not_ready", NULL,
                          "%lld of %lld migrations applied: run plaint db migrate",
                          (long long)applied, (long long)files);
    } else {
        resp->status = 200;
        plaint_buf_printf(&resp->body, NULL, "{\"status\":\"ready\",\"migrations\":%lld}",
                          (long long)files);
    }
}

/* ---- routing ---- */

typedef struct route {
    const char *method;
    const char *pattern;
    void (*fn)(call *c);
} route;

static const route ROUTES[] = {
    {"GET", "/api/v1/complaints", complaint_list},
    {"POST", "/api/v1/complaints", complaint_create},
    {"GET", "/api/v1/complaints/{ref}", complaint_get},
    {"POST", "/api/v1/complaints/{ref}/transitions", complaint_transition},
    {"POST", "/api/v1/complaints/{ref}/notes", complaint_note},
    {"POST", "/api/v1/complaints/{ref}/assignment", complaint_assign},
    {"POST", "/api/v1/complaints/{ref}/resolution", complaint_resolve},
    {"POST", "/api/v1/complaints/{ref}/closure", complaint_close},
    {"POST", "/api/v1/complaints/{ref}/reopening", complaint_reopen},
    {"POST", "/api/v1/complaints/{ref}/tasks/{task}/checks", task_checks},
    {"POST", "/api/v1/complaints/{ref}/tasks/{task}/completion", task_complete},
    {"POST", "/api/v1/complaints/{ref}/refunds", refund_propose},
    {"POST", "/api/v1/complaints/{ref}/refunds/{refund}/approval", refund_approve},
    {"POST", "/api/v1/complaints/{ref}/refunds/{refund}/credit", refund_credit},
    {"GET", "/api/v1/tasks", task_list},
    {"GET", "/api/v1/verification", verification},
    {"GET", "/api/v1/reports", api_report_list},
    {"POST", "/api/v1/reports", api_report_create},
    {"GET", "/api/v1/reports/{name}", api_report_get},
    {NULL, NULL, NULL}};

/* Matches path against a pattern with up to two "{name}" segments (plaint_http_route_match's
 * rules for each): the first goes to c->param, the second to c->sub. */
static int route_match(const char *pattern, const char *path, call *c)
{
    const char *second = strchr(pattern, '{');
    char head[160];
    char left[160];
    size_t plen;
    size_t slashes = 0;
    size_t i;

    second = second != NULL ? strchr(second + 1, '{') : NULL;
    if (second == NULL) {
        return plaint_http_route_match(pattern, path, c->param, sizeof(c->param));
    }
    /* head: the pattern before the second parameter (ends with '/'); the path is cut after as
     * many '/' as head has, and each part matched on its own */
    plen = (size_t)(second - pattern);
    if (plen >= sizeof(head)) {
        return 0;
    }
    memcpy(head, pattern, plen);
    head[plen] = '\0';
    for (i = 0; i < plen; i++) {
        slashes += head[i] == '/';
    }
    for (i = 0; path[i] != '\0' && slashes > 0; i++) {
        slashes -= path[i] == '/';
    }
    if (slashes > 0 || i >= sizeof(left)) {
        return 0;
    }
    memcpy(left, path, i);
    left[i] = '\0';
    return plaint_http_route_match(head, left, c->param, sizeof(c->param)) &&
           plaint_http_route_match(second, path + i, c->sub, sizeof(c->sub));
}

static int is_json(const char *ct)
{
    size_t n = strlen("application/json");
    return ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void run_post(call *c, const route *r)
{
    const char *key = plaint_http_header(c->req, "Idempotency-Key");
    json_error_t je;

    if (!is_json(plaint_http_header(c->req, "Content-Type"))) {
        plaint_http_error(c->resp, 415, "unsupported_media_type", "Content-Type",
                          "the body must be JSON (Content-Type: application/json)");
        return;
    }
    if (key == NULL || !valid_key(key)) {
        plaint_http_error(c->resp, 400, "invalid", "Idempotency-Key",
                          "every POST needs an Idempotency-Key header (1-200 printable ASCII)");
        return;
    }
    c->body = json_loadb(c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (c->body == NULL || !json_is_object(c->body)) {
        plaint_http_error(c->resp, 400, "invalid", "body", "the body must be a JSON object%s%s",
                          c->body == NULL ? ": " : "", c->body == NULL ? je.text : "");
        return;
    }
    if (!idem_begin(c, key)) {
        return;
    }
    r->fn(c);
    idem_end(c, key);
}

static void handle(void *ctx, const plaint_http_request *req, plaint_http_response *resp)
{
    api_ctx *x = ctx;
    const route *r;
    const route *hit = NULL;
    char allow[sizeof(resp->allow)] = "";
    call c;

    if (strcmp(req->path, "/readyz") == 0) {
        resp->route = "/readyz";
        if (strcmp(req->method, "GET") != 0) {
            snprintf(resp->allow, sizeof(resp->allow), "GET");
            plaint_http_error(resp, 405, "method_not_allowed", NULL, "use GET");
        } else {
            readyz(x, resp);
        }
        return;
    }
    if (plaint_web_handle(x, req, resp)) {
        return;
    }
    memset(&c, 0, sizeof(c));
    c.x = x;
    c.req = req;
    c.resp = resp;
    for (r = ROUTES; r->method != NULL; r++) {
        if (route_match(r->pattern, req->path, &c)) {
            size_t n = strlen(allow);
            resp->route = r->pattern;
            if (strcmp(r->method, req->method) == 0) {
                hit = r;
                break;
            }
            snprintf(allow + n, sizeof(allow) - n, "%s%s", n > 0 ? ", " : "", r->method);
        }
    }
    if (hit == NULL) {
        if (allow[0] != '\0') {
            snprintf(resp->allow, sizeof(resp->allow), "%s", allow);
            plaint_http_error(resp, 405, "method_not_allowed", NULL, "allowed: %s", allow);
        } else {
            plaint_http_error(resp, 404, "not_found", NULL, "no such resource: %s", req->path);
        }
        return;
    }
    if (authenticate(&c) < 0) {
        return;
    }
    if (strcmp(hit->method, "POST") == 0) {
        run_post(&c, hit);
    } else {
        hit->fn(&c);
    }
    json_decref(c.body);
}

/* ---- start, stop ---- */

int plaint_api_start(plaint_api_server **out, const plaint_config *cfg, const plaint_api_options *o,
                     plaint_error *err)
{
    plaint_api_server *s = calloc(1, sizeof(*s));
    int rc;

    if (s == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    s->cfg = cfg;
    s->http.addr = o->addr;
    s->http.port = o->port;
    s->http.threads = o->threads;
    s->http.body_max = o->body_max;
    s->http.rate_per_s = o->rate_per_s;
    s->http.rate_burst = o->rate_burst;
    s->http.max_connections = o->max_connections;
    s->http.max_per_ip = o->max_per_ip;
    s->http.idle_timeout_s = o->idle_timeout_s;
    s->http.tls_cert = o->tls_cert;
    s->http.tls_key = o->tls_key;
    s->http.handler = handle;
    s->http.ctx_new = ctx_new;
    s->http.ctx_free = ctx_free;
    s->http.arg = (void *)cfg;
    rc = plaint_http_start(&s->srv, &s->http, err);
    if (rc < 0) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

uint16_t plaint_api_port(const plaint_api_server *s)
{
    return plaint_http_port(s->srv);
}

int plaint_api_stop(plaint_api_server *s, int grace_ms)
{
    int left;

    if (s == NULL) {
        return 0;
    }
    left = plaint_http_stop(s->srv, grace_ms);
    free(s);
    return left;
}
