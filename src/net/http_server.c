/* libmicrohttpd transport for `plaint serve` (see http_server.h). */
#include "net/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/ratelimit.h"
#include "plaint/digest.h"

/* The series of plaint_http_requests_total are (route, method, status): route is a static string
 * of the handler's (or "unmatched"), method one of METHODS or "OTHER", status the server's own
 * answer. No client input becomes a label, so the series are bounded by the code; METRIC_SLOTS is
 * far above that bound, and should it ever be reached the request is counted in
 * plaint_http_requests_unrecorded_total instead. */
#define METRIC_SLOTS 2048
#define RATE_SLOTS   4096
#define NBUCKETS     10
#define TLS_FILE_MAX (1024 * 1024)

static const char *const METHODS[] = {"GET",    "HEAD",  "POST",    "PUT",
                                      "DELETE", "PATCH", "OPTIONS", NULL};

static const int64_t BUCKETS_US[NBUCKETS] = {500,   1000,  2500,   5000,   10000,
                                             25000, 50000, 100000, 500000, 1000000};

typedef struct metric {
    const char *route;  /* static */
    const char *method; /* static: METHODS or "OTHER" */
    int status;
    uint64_t count;
} metric;

typedef struct ctx_slot {
    void *ctx;
    struct ctx_slot *next;
} ctx_slot;

struct plaint_http_server {
    const plaint_http_options *o;
    struct MHD_Daemon *d;
    uint16_t port;
    pthread_mutex_t mu;
    int64_t in_flight;
    metric metrics[METRIC_SLOTS];
    size_t nmetrics;
    uint64_t unrecorded;
    uint64_t hist[NBUCKETS];
    uint64_t hist_count;
    uint64_t hist_sum_us;
    plaint_ratelimit_slot rate_slots[RATE_SLOTS];
    plaint_ratelimit_table rates;
    ctx_slot *ctxs;
    pthread_key_t key;
    plaint_buf tls_cert; /* PEM, NUL-terminated; kept for the daemon's lifetime */
    plaint_buf tls_key;
};

/* Made by on_uri (before libmicrohttpd decodes the path), so it exists for every request whose
 * request line arrived; started once the handler has seen its headers. */
typedef struct req_state {
    plaint_buf body;
    int started;
    int too_large;
    int bad_path; /* BAD_PATH_* */
    int status;
    const char *route;
    const char *method; /* static label */
    int64_t start_us;
} req_state;

enum { BAD_PATH_NONE, BAD_PATH_CONTROL, BAD_PATH_SLASH };

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *plaint_http_header(const plaint_http_request *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *plaint_http_query(const plaint_http_request *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND,
                                       name);
}

void plaint_http_error(plaint_http_response *resp, int status, const char *code, const char *field,
                       const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    json_t *e;
    json_t *top;
    char *s;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    e = json_pack("{s:s, s:s}", "code", code, "message", msg);
    if (e != NULL && field != NULL && field[0] != '\0') {
        json_object_set_new(e, "field", json_string(field));
    }
    top = json_pack("{s:o}", "error", e); /* steals e */
    s = top != NULL ? json_dumps(top, JSON_COMPACT) : NULL;
    json_decref(top);
    resp->status = status;
    plaint_buf_reset(&resp->body);
    plaint_buf_append_str(&resp->body, s != NULL ? s : "{\"error\":{\"code\":\"internal\"}}", NULL);
    free(s);
}

/* ---- metrics ---- */

const char *plaint_http_method_label(const char *method)
{
    size_t i;

    for (i = 0; METHODS[i] != NULL; i++) {
        if (method != NULL && strcmp(method, METHODS[i]) == 0) {
            return METHODS[i];
        }
    }
    return "OTHER";
}

void plaint_http_label_escape(plaint_buf *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\') {
            plaint_buf_append_str(out, "\\\\", NULL);
        } else if (*s == '"') {
            plaint_buf_append_str(out, "\\\"", NULL);
        } else if (*s == '\n') {
            plaint_buf_append_str(out, "\\n", NULL);
        } else {
            plaint_buf_append_byte(out, (unsigned char)*s, NULL);
        }
    }
}

static void record(plaint_http_server *s, const req_state *st)
{
    int64_t dt = now_us() - st->start_us;
    const char *route = st->route != NULL ? st->route : "unmatched";
    size_t i;

    pthread_mutex_lock(&s->mu);
    s->in_flight--;
    for (i = 0; i < s->nmetrics; i++) {
        metric *m = &s->metrics[i];
        if (m->status == st->status && strcmp(m->route, route) == 0 && m->method == st->method) {
            break;
        }
    }
    if (i == s->nmetrics && i < METRIC_SLOTS) {
        s->metrics[i].route = route;
        s->metrics[i].method = st->method;
        s->metrics[i].status = st->status;
        s->nmetrics++;
    }
    if (i < s->nmetrics) {
        s->metrics[i].count++;
    } else {
        s->unrecorded++;
    }
    for (i = 0; i < NBUCKETS; i++) {
        if (dt <= BUCKETS_US[i]) {
            s->hist[i]++;
        }
    }
    s->hist_count++;
    s->hist_sum_us += (uint64_t)(dt > 0 ? dt : 0);
    pthread_mutex_unlock(&s->mu);
}

static void metrics_text(plaint_http_server *s, plaint_buf *out)
{
    size_t i;

    pthread_mutex_lock(&s->mu);
    plaint_buf_append_str(out,
                          "# HELP plaint_http_requests_total HTTP requests answered.\n"
                          "# TYPE plaint_http_requests_total counter\n",
                          NULL);
    for (i = 0; i < s->nmetrics; i++) {
        plaint_buf_append_str(out, "plaint_http_requests_total{route=\"", NULL);
        plaint_http_label_escape(out, s->metrics[i].route);
        plaint_buf_append_str(out, "\",method=\"", NULL);
        plaint_http_label_escape(out, s->metrics[i].method);
        plaint_buf_printf(out, NULL, "\",status=\"%d\"} %llu\n", s->metrics[i].status,
                          (unsigned long long)s->metrics[i].count);
    }
    plaint_buf_printf(out, NULL,
                      "# HELP plaint_http_requests_unrecorded_total Requests answered but not in "
                      "plaint_http_requests_total (no series slot left).\n"
                      "# TYPE plaint_http_requests_unrecorded_total counter\n"
                      "plaint_http_requests_unrecorded_total %llu\n",
                      (unsigned long long)s->unrecorded);
    plaint_buf_append_str(out,
                          "# HELP plaint_http_request_duration_microseconds Time to answer a "
                          "request.\n"
                          "# TYPE plaint_http_request_duration_microseconds histogram\n",
                          NULL);
    for (i = 0; i < NBUCKETS; i++) {
        plaint_buf_printf(out, NULL,
                          "plaint_http_request_duration_microseconds_bucket{le=\"%lld\"} %llu\n",
                          (long long)BUCKETS_US[i], (unsigned long long)s->hist[i]);
    }
    plaint_buf_printf(out, NULL,
                      "plaint_http_request_duration_microseconds_bucket{le=\"+Inf\"} %llu\n"
                      "plaint_http_request_duration_microseconds_sum %llu\n"
                      "plaint_http_request_duration_microseconds_count %llu\n"
                      "# HELP plaint_http_requests_in_flight Requests being answered.\n"
                      "# TYPE plaint_http_requests_in_flight gauge\n"
                      "plaint_http_requests_in_flight %lld\n",
                      (unsigned long long)s->hist_count, (unsigned long long)s->hist_sum_us,
                      (unsigned long long)s->hist_count, (long long)s->in_flight);
    pthread_mutex_unlock(&s->mu);
}

/* ---- rate limit ---- */

/* One bucket per exact client address (src/core/ratelimit.c); when the table is full the bucket
 * refilled longest ago is reused. */
void plaint_http_limit_key(char *out, size_t n, const char *ip)
{
    struct in6_addr a;

    if (strchr(ip, ':') != NULL && inet_pton(AF_INET6, ip, &a) == 1 &&
        !IN6_IS_ADDR_V4MAPPED(&a)) {
        memset(a.s6_addr + 8, 0, 8);
        if (inet_ntop(AF_INET6, &a, out, (socklen_t)n) != NULL) {
            size_t len = strlen(out);
            snprintf(out + len, n - len, "/64");
            return;
        }
    }
    snprintf(out, n, "%s", ip);
}

static int rate_ok(plaint_http_server *s, const char *ip)
{
    char key[INET6_ADDRSTRLEN + 4];
    int ok;

    if (s->o->rate_per_s <= 0) {
        return 1;
    }
    plaint_http_limit_key(key, sizeof(key), ip);
    pthread_mutex_lock(&s->mu);
    ok = plaint_ratelimit_table_take(&s->rates, key, now_us(), s->o->rate_per_s, s->o->rate_burst);
    pthread_mutex_unlock(&s->mu);
    return ok != 0; /* -1 (no usable address): not limited here; client_ip always gives one */
}

/* ---- the worker thread's context ---- */

static void *thread_ctx(plaint_http_server *s)
{
    void *ctx = pthread_getspecific(s->key);
    ctx_slot *slot;

    if (ctx != NULL) {
        return ctx;
    }
    ctx = s->o->ctx_new(s->o->arg);
    slot = calloc(1, sizeof(*slot));
    if (ctx == NULL || slot == NULL) {
        free(slot);
        if (ctx != NULL) {
            s->o->ctx_free(ctx);
        }
        return NULL;
    }
    slot->ctx = ctx;
    pthread_mutex_lock(&s->mu);
    slot->next = s->ctxs;
    s->ctxs = slot;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->key, ctx);
    return ctx;
}

static void drop_thread_ctx(plaint_http_server *s, void *ctx)
{
    ctx_slot **pp;
    ctx_slot *slot = NULL;

    pthread_mutex_lock(&s->mu);
    for (pp = &s->ctxs; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->ctx == ctx) {
            slot = *pp;
            *pp = slot->next;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->key, NULL);
    free(slot);
    s->o->ctx_free(ctx);
}

/* ---- MHD callbacks ---- */

static void client_ip(char *out, size_t n, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

    snprintf(out, n, "-");
    if (ci != NULL && ci->client_addr != NULL) {
        if (ci->client_addr->sa_family == AF_INET) {
            inet_ntop(AF_INET,
                      &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, out,
                      (socklen_t)n);
        } else if (ci->client_addr->sa_family == AF_INET6) {
            inet_ntop(AF_INET6,
                      &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, out,
                      (socklen_t)n);
        }
    }
}

/* The path as the client sent it (before the query string): a control byte, raw or
 * percent-encoded (%00-%1F, %7F), is BAD_PATH_CONTROL; an encoded slash (%2F) is
 * BAD_PATH_SLASH, since libmicrohttpd decodes the path before routing and it would act as a
 * separator. */
static int raw_path_check(const char *uri)
{
    const char *p;

    for (p = uri; *p != '\0' && *p != '?'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f) {
            return BAD_PATH_CONTROL;
        }
        if (c == '%' && plaint_hex_digit(p[1]) >= 0 && plaint_hex_digit(p[2]) >= 0) {
            int v = plaint_hex_digit(p[1]) * 16 + plaint_hex_digit(p[2]);
            if (v < 0x20 || v == 0x7f) {
                return BAD_PATH_CONTROL;
            }
            if (v == '/') {
                return BAD_PATH_SLASH;
            }
        }
    }
    return BAD_PATH_NONE;
}

/* The decoded path: any control byte left (one libmicrohttpd let through). */
static int has_control(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f) {
            return 1;
        }
    }
    return 0;
}

/* MHD_OPTION_URI_LOG_CALLBACK: called with the raw URI before anything is decoded; what it
 * returns is the request's *con_cls. NULL (out of memory) makes on_request refuse the request. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    req_state *st = calloc(1, sizeof(*st));

    (void)cls;
    (void)c;
    if (st != NULL) {
        st->bad_path = raw_path_check(uri != NULL ? uri : "");
        st->status = 499; /* until answered: a client that goes away first is counted as 499 */
    }
    return st;
}

static enum MHD_Result send_response(struct MHD_Connection *c, req_state *st,
                                     plaint_http_response *resp)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(resp->body.len,
                                        resp->body.data != NULL ? resp->body.data : (void *)"",
                                        MHD_RESPMEM_MUST_COPY);
    if (r == NULL) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->content_type != NULL ? resp->content_type : "application/json");
    if (resp->allow[0] != '\0') {
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    }
    if (resp->location[0] != '\0') {
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
    }
    if (resp->set_cookie[0] != '\0') {
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, resp->set_cookie);
    }
    if (resp->status == 429) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    }
    /* nothing here is for caches or for guessing content types; pages come only from us */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (resp->download) {
        MHD_add_response_header(r, "Content-Disposition", "attachment");
        MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
    }
    if (resp->content_type != NULL && strncmp(resp->content_type, "text/html", 9) == 0) {
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; style-src 'self'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
        MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    }
    st->status = resp->status;
    st->route = resp->route;
    ret = MHD_queue_response(c, (unsigned int)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    plaint_http_server *s = cls;
    req_state *st = *con_cls;
    plaint_http_response resp;
    plaint_http_request req;
    char ip[64];
    enum MHD_Result ret;

    (void)version;
    if (st == NULL) {
        return MHD_NO;
    }
    if (!st->started) {
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        st->started = 1;
        st->start_us = now_us();
        st->status = 499; /* until answered: a client that goes away first is counted as 499 */
        st->method = plaint_http_method_label(method);
        if (cl != NULL && strtoull(cl, NULL, 10) > s->o->body_max) {
            st->too_large = 1;
        }
        pthread_mutex_lock(&s->mu);
        s->in_flight++;
        pthread_mutex_unlock(&s->mu);
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!st->too_large) {
            if (st->body.len + *upload_data_size > s->o->body_max) {
                st->too_large = 1;
                plaint_buf_clear(&st->body);
            } else if (plaint_buf_append(&st->body, upload_data, *upload_data_size, NULL) < 0) {
                return MHD_NO;
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }

    memset(&resp, 0, sizeof(resp));
    plaint_buf_append_byte(&st->body, 0, NULL); /* NUL-terminate */
    st->body.len--;
    client_ip(ip, sizeof(ip), c);
    memset(&req, 0, sizeof(req));
    req.method = method;
    req.path = url;
    req.body = st->body.data != NULL ? (const char *)st->body.data : "";
    req.body_len = st->body.len;
    req.client_ip = ip;
    req.conn = c;
    req.tls = s->o->tls_cert != NULL;

    if (st->bad_path != BAD_PATH_NONE || has_control(url)) {
        if (st->bad_path == BAD_PATH_SLASH) {
            plaint_http_error(&resp, 400, "bad_path", NULL,
                              "an encoded slash (%%2F) is not allowed in the path");
        } else {
            plaint_http_error(&resp, 400, "bad_path", NULL,
                              "a control character (raw or %%00-%%1F, %%7F) is not allowed in the "
                              "path");
        }
    } else if (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0) {
        resp.route = strcmp(url, "/healthz") == 0 ? "/healthz" : "/metrics";
        if (strcmp(method, "GET") != 0) {
            snprintf(resp.allow, sizeof(resp.allow), "GET");
            plaint_http_error(&resp, 405, "method_not_allowed", NULL, "use GET");
        } else if (url[1] == 'h') {
            resp.status = 200;
            plaint_buf_append_str(&resp.body, "{\"status\":\"ok\"}", NULL);
        } else {
            resp.status = 200;
            resp.content_type = "text/plain; version=0.0.4";
            metrics_text(s, &resp.body);
        }
    } else if (strcmp(url, "/readyz") != 0 && !rate_ok(s, ip)) {
        plaint_http_error(&resp, 429, "rate_limited", NULL,
                          "too many requests from %s; retry later", ip);
    } else if (st->too_large) {
        plaint_http_error(&resp, 413, "body_too_large", NULL,
                          "the request body is larger than %zu bytes", s->o->body_max);
    } else {
        void *ctx = thread_ctx(s);
        if (ctx == NULL) {
            plaint_http_error(&resp, 503, "unavailable", NULL,
                              "the service cannot reach its database");
        } else {
            s->o->handler(ctx, &req, &resp);
            if (resp.drop_ctx) {
                drop_thread_ctx(s, ctx);
            }
        }
    }
    if (resp.status == 0) {
        plaint_http_error(&resp, 500, "internal", NULL, "internal error");
    }
    ret = send_response(c, st, &resp);
    plaint_buf_clear(&resp.body);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    plaint_http_server *s = cls;
    req_state *st = *con_cls;

    (void)c;
    (void)toe;
    if (st == NULL) {
        return;
    }
    if (st->started) { /* else the handler never saw it (e.g. headers never finished) */
        record(s, st);
    }
    plaint_buf_clear(&st->body);
    free(st);
    *con_cls = NULL;
}

/* ---- TLS files ---- */

static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1; /* an encrypted key is refused, never prompted for */
}

static void set_field(plaint_error *err, const char *field)
{
    if (err != NULL) {
        snprintf(err->field, sizeof(err->field), "%s", field);
    }
}

/* Reads a PEM file into b (NUL-terminated). */
static int read_pem(plaint_buf *b, const char *path, const char *field, plaint_error *err)
{
    int rc = plaint_buf_read_file(b, path, TLS_FILE_MAX, err);

    if (rc == 0) {
        rc = plaint_buf_append_byte(b, 0, err);
    }
    if (rc < 0) {
        set_field(err, field);
        return rc;
    }
    b->len--;
    return 0;
}

/* Reads and checks the certificate and key (OpenSSL, for clear errors: libmicrohttpd only says
 * that it could not start): a PEM certificate, an unencrypted PEM private key, and the key is the
 * certificate's. */
static int load_tls(plaint_http_server *s, const plaint_http_options *o, plaint_error *err)
{
    BIO *bio = NULL;
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    int rc;

    if (o->tls_cert == NULL || o->tls_key == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "tls", 0, 0,
                                   "TLS needs both a certificate and a key");
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        return plaint_error_set_at(err, PLAINT_EIO, "tls", 0, 0,
                                   "this libmicrohttpd was built without TLS support");
    }
    if ((rc = read_pem(&s->tls_cert, o->tls_cert, "tls_cert", err)) < 0 ||
        (rc = read_pem(&s->tls_key, o->tls_key, "tls_key", err)) < 0) {
        return rc;
    }
    bio = BIO_new_mem_buf(s->tls_cert.data, (int)s->tls_cert.len);
    cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, no_password, NULL) : NULL;
    BIO_free(bio);
    if (cert == NULL) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "tls_cert", 0, 0,
                                 "%s: not a PEM certificate (-----BEGIN CERTIFICATE-----)",
                                 o->tls_cert);
        goto done;
    }
    bio = BIO_new_mem_buf(s->tls_key.data, (int)s->tls_key.len);
    key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
    BIO_free(bio);
    if (key == NULL) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "tls_key", 0, 0,
                                 "%s: not an unencrypted PEM private key", o->tls_key);
        goto done;
    }
    if (X509_check_private_key(cert, key) != 1) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "tls_key", 0, 0,
                                 "%s is not the private key of the certificate %s", o->tls_key,
                                 o->tls_cert);
        goto done;
    }
    rc = 0;
done:
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

static void free_tls(plaint_http_server *s)
{
    if (s->tls_key.data != NULL) {
        OPENSSL_cleanse(s->tls_key.data, s->tls_key.len);
    }
    plaint_buf_clear(&s->tls_key);
    plaint_buf_clear(&s->tls_cert);
}

/* ---- start, stop ---- */

int plaint_http_start(plaint_http_server **out, const plaint_http_options *o, plaint_error *err)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *di;
    plaint_http_server *s;
    unsigned threads = o->threads > 0 ? o->threads : 1;
    unsigned max_conn = o->max_connections > 0 ? o->max_connections : PLAINT_HTTP_MAX_CONNECTIONS;
    unsigned idle = o->idle_timeout_s > 0 ? o->idle_timeout_s : PLAINT_HTTP_IDLE_TIMEOUT_S;
    int tls = o->tls_cert != NULL || o->tls_key != NULL;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_EPOLL;
    struct MHD_OptionItem tls_opts[4];
    int rc;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "listen", 0, 0,
                                   "'%s' is not an IPv4 address", o->addr);
    }
    if (max_conn < threads) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "max_connections", 0, 0,
                                   "the connection limit (%u) is below the thread count (%u)",
                                   max_conn, threads);
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    s->o = o;
    plaint_ratelimit_table_init(&s->rates, s->rate_slots, RATE_SLOTS);
    memset(tls_opts, 0, sizeof(tls_opts));
    tls_opts[0].option = MHD_OPTION_END;
    if (tls) {
        rc = load_tls(s, o, err);
        if (rc < 0) {
            free_tls(s);
            free(s);
            return rc;
        }
        flags |= MHD_USE_TLS;
        tls_opts[0].option = MHD_OPTION_HTTPS_MEM_CERT;
        tls_opts[0].ptr_value = s->tls_cert.data;
        tls_opts[1].option = MHD_OPTION_HTTPS_MEM_KEY;
        tls_opts[1].ptr_value = s->tls_key.data;
        tls_opts[2].option = MHD_OPTION_HTTPS_PRIORITIES;
        tls_opts[2].ptr_value = (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
        tls_opts[3].option = MHD_OPTION_END;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_key_create(&s->key, NULL);
    /* Limits against connection floods: max_conn in all (libmicrohttpd shares it out between the
     * pool's threads; at the limit a thread stops accepting), max_per_ip per client address
     * (the excess is accepted and closed at once), and a connection idle for idle seconds
     * (e.g. one that never finishes its headers) is closed. */
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_CONNECTION_TIMEOUT, idle,
        MHD_OPTION_CONNECTION_LIMIT, max_conn, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        o->max_per_ip, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1, MHD_OPTION_ARRAY,
        tls_opts, MHD_OPTION_END);
    if (s->d == NULL) {
        pthread_key_delete(s->key);
        pthread_mutex_destroy(&s->mu);
        free_tls(s);
        free(s);
        if (tls) {
            return plaint_error_set(err, PLAINT_EIO,
                                    "cannot listen with TLS on %s:%u (in use, not allowed, or "
                                    "GnuTLS refused the certificate %s or key %s)",
                                    o->addr, (unsigned)o->port, o->tls_cert, o->tls_key);
        }
        return plaint_error_set(err, PLAINT_EIO, "cannot listen on %s:%u (in use, or not allowed)",
                                o->addr, (unsigned)o->port);
    }
    di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di != NULL ? di->port : o->port;
    *out = s;
    return 0;
}

uint16_t plaint_http_port(const plaint_http_server *s)
{
    return s->port;
}

int plaint_http_stop(plaint_http_server *s, int grace_ms)
{
    MHD_socket fd;
    int64_t left = 0;
    int waited;
    ctx_slot *slot;

    if (s == NULL) {
        return 0;
    }
    fd = MHD_quiesce_daemon(s->d); /* no new connections from here on */
    if (fd != MHD_INVALID_SOCKET) {
        close(fd);
    }
    for (waited = 0; waited <= grace_ms; waited += 10) {
        pthread_mutex_lock(&s->mu);
        left = s->in_flight;
        pthread_mutex_unlock(&s->mu);
        if (left == 0) {
            break;
        }
        usleep(10000);
    }
    MHD_stop_daemon(s->d);
    for (slot = s->ctxs; slot != NULL; slot = s->ctxs) {
        s->ctxs = slot->next;
        s->o->ctx_free(slot->ctx);
        free(slot);
    }
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->mu);
    free_tls(s);
    free(s);
    return (int)left;
}
