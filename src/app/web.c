/* The web pages of `plaint serve` (see app/web.h, docs/web.md): routing, the page layout, HTML
 * escaping, form reading and per-address limits. The pages themselves are in web_status.c,
 * web_form.c and web_dashboard.c. */
#include "app/web.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "app/web_internal.h"
#include "core/ratelimit.h"
#include "plaint/app_access.h"

/* ---- output ---- */

static const char CSS[] =
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem;"
    "color:#1b1b1b;line-height:1.45}"
    "header{border-bottom:2px solid #254e70;margin-bottom:1rem}header a{color:#254e70;"
    "text-decoration:none;font-weight:bold;margin-right:1rem}"
    "label{display:block;margin-top:.8rem;font-weight:600}"
    "input,select,textarea{font:inherit;padding:.35rem;width:100%;max-width:36rem;"
    "box-sizing:border-box}textarea{min-height:8rem}"
    "button{font:inherit;margin-top:1rem;padding:.45rem 1.2rem;background:#254e70;color:#fff;"
    "border:0;border-radius:3px;cursor:pointer}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #bbb;"
    "padding:.3rem .6rem;text-align:left}th{background:#eef2f6}td.n{text-align:right}"
    ".notice{padding:.6rem 1rem;border-left:4px solid #254e70;background:#eef2f6}"
    ".error{padding:.6rem 1rem;border-left:4px solid #a4262c;background:#fbeaea}"
    ".code{font-family:monospace;font-size:1.3rem;letter-spacing:.1rem}"
    "footer{margin-top:2rem;color:#666;font-size:.85rem}";

void web_raw(plaint_http_response *resp, const char *fmt, ...)
{
    va_list ap;
    char small[512];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof(small)) {
        plaint_buf_append(&resp->body, small, (size_t)n, NULL);
        return;
    }
    {
        char *big = malloc((size_t)n + 1);
        if (big == NULL) {
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        plaint_buf_append(&resp->body, big, (size_t)n, NULL);
        free(big);
    }
}

void web_text(plaint_http_response *resp, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '&':
            plaint_buf_append_str(&resp->body, "&amp;", NULL);
            break;
        case '<':
            plaint_buf_append_str(&resp->body, "&lt;", NULL);
            break;
        case '>':
            plaint_buf_append_str(&resp->body, "&gt;", NULL);
            break;
        case '"':
            plaint_buf_append_str(&resp->body, "&quot;", NULL);
            break;
        case '\'':
            plaint_buf_append_str(&resp->body, "&#39;", NULL);
            break;
        default:
            plaint_buf_append_byte(&resp->body, (unsigned char)*s, NULL);
        }
    }
}

void web_page_begin(plaint_http_response *resp, int status, const char *title)
{
    plaint_buf_reset(&resp->body);
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    web_raw(resp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>");
    web_text(resp, title);
    web_raw(resp, " - plaint</title><link rel=\"stylesheet\" href=\"/static/plaint.css\"></head>"
                  "<body><header><p><a href=\"/\">plaint</a><a href=\"/complaint\">Make a "
                  "complaint</a><a href=\"/status\">Follow a complaint</a></p></header><main>"
                  "<h1>");
    web_text(resp, title);
    web_raw(resp, "</h1>\n");
}

void web_page_end(plaint_http_response *resp)
{
    web_raw(resp, "</main><footer>plaint complaint service</footer></body></html>\n");
}

void web_message_page(plaint_http_response *resp, int status, const char *title, const char *text)
{
    web_page_begin(resp, status, title);
    web_raw(resp, "<p class=\"%s\" id=\"message\">", status >= 400 ? "error" : "notice");
    web_text(resp, text);
    web_raw(resp, "</p>");
    web_page_end(resp);
}

/* ---- forms ---- */

/* Valid UTF-8 (jansson's check) without control characters other than tab, newline and
 * carriage return. */
static int text_ok(const char *s, size_t n)
{
    json_t *utf8 = json_stringn(s, n); /* NULL: not valid UTF-8 */
    int ok = utf8 != NULL;

    json_decref(utf8);
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        ok = (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') && c != 0x7f;
    }
    return ok;
}

static int take_field(void *arg, const char *name, const char *value, size_t len)
{
    web_form *f = arg;
    size_t i;

    for (i = 0; i < WEB_FIELDS_MAX && f->names[i] != NULL; i++) {
        if (strcmp(f->names[i], name) == 0) {
            break;
        }
    }
    if (i == WEB_FIELDS_MAX || f->names[i] == NULL) {
        return 0; /* fields we do not use are ignored, as browsers send buttons too */
    }
    snprintf(f->bad_field, sizeof(f->bad_field), "%s", f->names[i]);
    if (f->values[i] != NULL) {
        snprintf(f->bad, sizeof(f->bad), "%.40s: given twice", name);
        return -1;
    }
    if (len > f->limits[i]) {
        snprintf(f->bad, sizeof(f->bad), "%.40s: longer than %zu bytes", name, f->limits[i]);
        return -1;
    }
    if (!text_ok(value, len)) {
        snprintf(f->bad, sizeof(f->bad), "%.40s: not valid text", name);
        return -1;
    }
    f->bad_field[0] = '\0';
    f->values[i] = strndup(value, len);
    return f->values[i] != NULL ? 0 : -1;
}

int web_form_read(web_form *f, const plaint_http_request *req)
{
    f->bad[0] = '\0';
    f->bad_field[0] = '\0';
    if (plaint_http_form_fields(req, take_field, f) < 0) {
        if (f->bad[0] == '\0') {
            snprintf(f->bad, sizeof(f->bad), "the form could not be read");
            f->bad_field[0] = '\0';
        }
        return -1;
    }
    return 0;
}

const char *web_form_get(const web_form *f, const char *name)
{
    for (size_t i = 0; i < WEB_FIELDS_MAX && f->names[i] != NULL; i++) {
        if (strcmp(f->names[i], name) == 0) {
            return f->values[i];
        }
    }
    return NULL;
}

void web_form_free(web_form *f)
{
    for (size_t i = 0; i < WEB_FIELDS_MAX; i++) {
        if (f->values[i] != NULL) {
            OPENSSL_cleanse(f->values[i], strlen(f->values[i]));
            free(f->values[i]);
            f->values[i] = NULL;
        }
    }
}

/* ---- limits ---- */

/* Lookups, sign-ins and submissions per client address: web.attempts_burst at once, then
 * web.attempts_per_minute (defaults 10 and 30), in the exact-key bucket table of
 * src/core/ratelimit.c; when it is full, the address refilled longest ago gives up its slot. */
#define LIMIT_SLOTS 1024

static plaint_ratelimit_slot g_slots[LIMIT_SLOTS];
static plaint_ratelimit_table g_limits;
static pthread_mutex_t g_limits_mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int web_limit_ok(api_ctx *x, const char *ip)
{
    int64_t per_min = x->cfg->web_attempts_per_minute;
    char key[PLAINT_RATELIMIT_KEY_MAX];
    int ok;

    if (per_min <= 0) {
        return 1;
    }
    plaint_http_limit_key(key, sizeof(key), ip);
    pthread_mutex_lock(&g_limits_mu);
    if (g_limits.slots == NULL) {
        plaint_ratelimit_table_init(&g_limits, g_slots, LIMIT_SLOTS);
    }
    /* the buckets count whole tokens per second: one token per second of a clock running at
     * per_min/60 of real speed is per_min tokens a minute */
    ok = plaint_ratelimit_table_take(&g_limits, key, now_us() / 60 * per_min, 1,
                                     x->cfg->web_attempts_burst);
    pthread_mutex_unlock(&g_limits_mu);
    return ok != 0; /* -1 (no usable address): not limited here; the transport limits too */
}

/* ---- the key ---- */

int web_access_key(api_ctx *x, unsigned char key[PLAINT_ACCESS_KEY_LEN], plaint_error *err)
{
    return plaint_app_access_key(key, x->cfg, err);
}

/* ---- routing ---- */

typedef struct page {
    const char *method;
    const char *path;
    void (*fn)(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
} page;

static void home(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    (void)x;
    (void)req;
    web_page_begin(resp, 200, "Complaints");
    web_raw(resp, "<p>Tell us what went wrong, or follow a complaint you have made.</p><ul>"
                  "<li><a href=\"/complaint\">Make a complaint</a></li>"
                  "<li><a href=\"/status\">Follow a complaint</a> with its reference number and "
                  "access code</li>"
                  "<li><a href=\"/dashboard\">Compliance dashboard</a> (staff)</li></ul>");
    web_page_end(resp);
}

static void css(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    (void)x;
    (void)req;
    resp->status = 200;
    resp->content_type = "text/css; charset=utf-8";
    plaint_buf_append(&resp->body, CSS, sizeof(CSS) - 1, NULL);
}

static const page PAGES[] = {
    {"GET", "/", home},
    {"GET", "/static/plaint.css", css},
    {"GET", "/status", web_status_get},
    {"POST", "/status", web_status_post},
    {"GET", "/complaint", web_complaint_get},
    {"POST", "/complaint", web_complaint_post},
    {"GET", "/login", web_login_get},
    {"POST", "/login", web_login_post},
    {"POST", "/logout", web_logout_post},
    {"GET", "/dashboard", web_dashboard_get},
    {NULL, NULL, NULL}};

/* A POST from a page of another site is refused. Browsers say where a request comes from in
 * Sec-Fetch-Site (same-origin, same-site, cross-site, none: typed by the user); older ones only
 * in Origin, which must then be this server (Host). Neither header: not a browser's cross-site
 * form (curl, scripts, the tests): allowed. */
static int same_site(const plaint_http_request *req)
{
    const char *origin = plaint_http_header(req, "Origin");
    const char *site = plaint_http_header(req, "Sec-Fetch-Site");
    const char *host = plaint_http_header(req, "Host");

    if (site != NULL) {
        return strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
    }
    if (origin == NULL) {
        return 1;
    }
    if (strncmp(origin, "http://", 7) == 0) {
        origin += 7;
    } else if (strncmp(origin, "https://", 8) == 0) {
        origin += 8;
    } else {
        return 0; /* "null" (a sandboxed or file page) and anything else */
    }
    return host != NULL && strcasecmp(origin, host) == 0;
}

int plaint_web_handle(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    const page *p;
    const char *allow = NULL;

    if (strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0) {
        return 0;
    }
    if (strncmp(req->path, "/dashboard/reports/", 19) == 0) {
        resp->route = "/dashboard/reports/{file}";
        if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
            snprintf(resp->allow, sizeof(resp->allow), "GET");
            web_message_page(resp, 405, "Not allowed", "Use GET.");
        } else {
            web_report_get(x, req, resp);
        }
        return 1;
    }
    for (p = PAGES; p->method != NULL; p++) {
        if (strcmp(p->path, req->path) == 0) {
            resp->route = p->path;
            if (strcmp(p->method, req->method) == 0 ||
                (strcmp(req->method, "HEAD") == 0 && strcmp(p->method, "GET") == 0)) {
                if (strcmp(req->method, "POST") == 0 && !same_site(req)) {
                    web_message_page(resp, 403, "Refused",
                                     "This form must be sent from this site's own page.");
                    return 1;
                }
                p->fn(x, req, resp);
                return 1;
            }
            allow = allow == NULL ? p->method : "GET, POST";
        }
    }
    if (allow != NULL) {
        snprintf(resp->allow, sizeof(resp->allow), "%s", allow);
        web_message_page(resp, 405, "Not allowed", "This page does not take that method.");
        return 1;
    }
    resp->route = "unmatched";
    web_message_page(resp, 404, "Not found", "There is no such page.");
    return 1;
}
