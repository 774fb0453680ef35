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

#include "core/ratelimit.h"

#define METRIC_SLOTS 256
#define RATE_SLOTS   1024
#define NBUCKETS     10

static const int64_t BUCKETS_US[NBUCKETS] = {500,   1000,  2500,   5000,   10000,
                                             25000, 50000, 100000, 500000, 1000000};

typedef struct metric {
    const char *route;
    char method[8];
    int status;
    uint64_t count;
} metric;

typedef struct rate_slot {
    char ip[64];
    plaint_ratelimit_bucket b;
} rate_slot;

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
    uint64_t hist[NBUCKETS];
    uint64_t hist_count;
    uint64_t hist_sum_us;
    rate_slot rates[RATE_SLOTS];
    ctx_slot *ctxs;
    pthread_key_t key;
};

typedef struct req_state {
    plaint_buf body;
    int too_large;
    int status;
    const char *route;
    char method[8];
    int64_t start_us;
} req_state;

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

static void record(plaint_http_server *s, const req_state *st)
{
    int64_t dt = now_us() - st->start_us;
    const char *route = st->route != NULL ? st->route : "unmatched";
    size_t i;

    pthread_mutex_lock(&s->mu);
    s->in_flight--;
    for (i = 0; i < s->nmetrics; i++) {
        metric *m = &s->metrics[i];
        if (m->status == st->status && strcmp(m->route, route) == 0 &&
            strcmp(m->method, st->method) == 0) {
            break;
        }
    }
    if (i == s->nmetrics && i < METRIC_SLOTS) {
        s->metrics[i].route = route;
        snprintf(s->metrics[i].method, sizeof(s->metrics[i].method), "%s", st->method);
        s->metrics[i].status = st->status;
        s->nmetrics++;
    }
    if (i < s->nmetrics) {
        s->metrics[i].count++;
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
        plaint_buf_printf(out, NULL,
                          "plaint_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} "
                          "%llu\n",
                          s->metrics[i].route, s->metrics[i].method, s->metrics[i].status,
                          (unsigned long long)s->metrics[i].count);
    }
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

static int rate_ok(plaint_http_server *s, const char *ip)
{
    uint32_t h = 2166136261u;
    const char *p;
    rate_slot *r;
    int ok;

    if (s->o->rate_per_s <= 0) {
        return 1;
    }
    for (p = ip; *p != '\0'; p++) {
        h = (h ^ (unsigned char)*p) * 16777619u;
    }
    pthread_mutex_lock(&s->mu);
    r = &s->rates[h % RATE_SLOTS];
    if (strcmp(r->ip, ip) != 0) { /* a new address (or a collision): a fresh bucket */
        snprintf(r->ip, sizeof(r->ip), "%s", ip);
        memset(&r->b, 0, sizeof(r->b));
    }
    ok = plaint_ratelimit_take(&r->b, now_us(), s->o->rate_per_s, s->o->rate_burst);
    pthread_mutex_unlock(&s->mu);
    return ok;
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
    if (resp->status == 429) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
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
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        st = calloc(1, sizeof(*st));
        if (st == NULL) {
            return MHD_NO;
        }
        st->start_us = now_us();
        st->status = 500;
        snprintf(st->method, sizeof(st->method), "%s", method);
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

    if (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0) {
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
    record(s, st);
    plaint_buf_clear(&st->body);
    free(st);
    *con_cls = NULL;
}

/* ---- start, stop ---- */

int plaint_http_start(plaint_http_server **out, const plaint_http_options *o, plaint_error *err)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *di;
    plaint_http_server *s;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "listen", 0, 0,
                                   "'%s' is not an IPv4 address", o->addr);
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    s->o = o;
    pthread_mutex_init(&s->mu, NULL);
    pthread_key_create(&s->key, NULL);
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_EPOLL, 0, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)(o->threads > 0 ? o->threads : 1), MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned int)1, MHD_OPTION_END);
    if (s->d == NULL) {
        pthread_key_delete(s->key);
        pthread_mutex_destroy(&s->mu);
        free(s);
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
    free(s);
    return (int)left;
}
