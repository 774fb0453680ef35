/* The HTTP transport of `plaint serve` (libmicrohttpd): a thread pool, one handler context per
 * worker thread, connection limits and an idle timeout, request body and rate limits, paths with
 * encoded control bytes or slashes refused (400), optional TLS, Prometheus metrics, /healthz and
 * /metrics, and graceful shutdown. Knows nothing about plaint's use cases: the handler does the routing. */
#ifndef PLAINT_NET_HTTP_SERVER_H
#define PLAINT_NET_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/error.h"

typedef struct plaint_http_request {
    const char *method;
    const char *path; /* without the query string */
    const char *body; /* NUL-terminated copy of the body ("" if none) */
    size_t body_len;
    const char *client_ip;
    void *conn; /* the MHD connection, for the accessors below */
    int tls;    /* 1: the request came over TLS (cookies can be Secure) */
} plaint_http_request;

/* A request header or query parameter (NULL if absent; borrowed for the request's lifetime). */
const char *plaint_http_header(const plaint_http_request *r, const char *name);
const char *plaint_http_query(const plaint_http_request *r, const char *name);

typedef struct plaint_http_response {
    int status;
    plaint_buf body;          /* JSON unless content_type says otherwise */
    const char *content_type; /* NULL: application/json */
    const char *route;        /* metrics label, a static string; NULL: "unmatched" */
    char allow[64];           /* the Allow header of a 405, "" if none */
    char location[256];       /* the Location header, "" if none */
    char set_cookie[256];     /* the Set-Cookie header, "" if none */
    int download;             /* 1: a file to save, not to show (Content-Disposition: attachment,
                                 a sandboxing Content-Security-Policy) */
    int drop_ctx;             /* 1: the thread's context is broken (e.g. its database
                                 connection); it is freed and made anew on the next request */
} plaint_http_response;

/* Sets status and the body {"error": {"code", "message", "field"?}}. field may be NULL or "". */
void plaint_http_error(plaint_http_response *resp, int status, const char *code, const char *field,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Calls fn for each field of an application/x-www-form-urlencoded body (libmicrohttpd's post
 * processor does the decoding). fn returns 0 to go on, -1 to stop. Returns 0, or -1 when the body
 * is not such a form or fn stopped. */
int plaint_http_form_fields(const plaint_http_request *r,
                            int (*fn)(void *arg, const char *name, const char *value, size_t len),
                            void *arg);

/* The key a client address is limited by: an IPv4 address as it is, an IPv6 address by its /64
 * ("2001:db8:1:2::/64": one subscriber's network usually has a whole /64, so limiting single
 * addresses there would limit nothing). out: INET6_ADDRSTRLEN + 4 bytes are enough. */
void plaint_http_limit_key(char *out, size_t n, const char *ip);

/* A cookie of the request (NULL if absent; borrowed for the request's lifetime). */
const char *plaint_http_cookie(const plaint_http_request *r, const char *name);

typedef void (*plaint_http_handler)(void *thread_ctx, const plaint_http_request *req,
                                    plaint_http_response *resp);

/* Defaults of the connection limits (plaint serve's too; docs/api.md "Limits"). */
#define PLAINT_HTTP_MAX_CONNECTIONS 512
#define PLAINT_HTTP_MAX_PER_IP      128
#define PLAINT_HTTP_IDLE_TIMEOUT_S  15

typedef struct plaint_http_options {
    const char *addr;   /* IPv4 address to listen on */
    uint16_t port;      /* 0: any free port */
    unsigned threads;   /* worker threads (>= 1) */
    size_t body_max;    /* larger request bodies get 413 */
    int64_t rate_per_s; /* per client address; 0: no limit */
    int64_t rate_burst;
    unsigned max_connections; /* open connections in all (>= threads); 0: the default */
    unsigned max_per_ip;      /* open connections per client address; 0: no limit */
    unsigned idle_timeout_s;  /* a connection idle this long is closed; 0: the default */
    const char *tls_cert;     /* PEM certificate file (chain), or NULL: plain HTTP */
    const char *tls_key;      /* PEM private key file (unencrypted); with tls_cert */
    plaint_http_handler handler;
    void *(*ctx_new)(void *arg); /* a worker thread's context, made on its first request */
    void (*ctx_free)(void *ctx);
    void *arg;
} plaint_http_options;

typedef struct plaint_http_server plaint_http_server;

/* The metrics label of an HTTP method: one of GET HEAD POST PUT DELETE PATCH OPTIONS, else
 * "OTHER" (a static string either way). */
const char *plaint_http_method_label(const char *method);
/* Appends s escaped for a Prometheus label value (backslash, double quote, newline). */
void plaint_http_label_escape(plaint_buf *out, const char *s);

/* Starts listening (TLS if tls_cert is set: the files are read and checked here, an error names
 * the file; PLAINT_ENOTFOUND / PLAINT_EIO if unreadable, PLAINT_EINVALID if not a matching PEM
 * certificate and key). The options (and arg) must outlive the server. */
int plaint_http_start(plaint_http_server **out, const plaint_http_options *o, plaint_error *err);
uint16_t plaint_http_port(const plaint_http_server *s);
/* Stops accepting, waits up to grace_ms for requests in flight, stops the threads and frees the
 * thread contexts and s. Returns the number of requests still in flight at the deadline. */
int plaint_http_stop(plaint_http_server *s, int grace_ms);

#endif
