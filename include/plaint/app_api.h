/* The HTTP/JSON API v1 behind `plaint serve` (docs/api.md, docs/api.yaml): token authentication
 * and RBAC through the same use cases as the CLI, idempotency keys on every POST (stored in
 * plaint.api_idempotency, schemas/sql/0013_api.sql), /readyz, on the transport of
 * src/net/http_server.c (limits, metrics, /healthz, graceful shutdown). */
#ifndef PLAINT_APP_API_H
#define PLAINT_APP_API_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/config.h"
#include "plaint/error.h"

typedef struct plaint_api_options {
    const char *addr;   /* IPv4 address */
    uint16_t port;      /* 0: any free port */
    unsigned threads;   /* worker threads, each with its own plaint_app connection */
    size_t body_max;    /* request body limit in bytes (413 above) */
    int64_t rate_per_s; /* requests per second per client address (429 above); 0: none */
    int64_t rate_burst;
    unsigned max_connections; /* open connections in all (>= threads); 0: the default (512) */
    unsigned max_per_ip;      /* open connections per client address; 0: no limit */
    unsigned idle_timeout_s;  /* idle connections are closed after this; 0: the default (15) */
    const char *tls_cert;     /* PEM certificate (chain) file; NULL: plain HTTP */
    const char *tls_key;      /* PEM private key file, unencrypted; with tls_cert */
} plaint_api_options;

typedef struct plaint_api_server plaint_api_server;

/* Starts the service; cfg and o must outlive it. */
PLAINT_EXTERN int plaint_api_start(plaint_api_server **out, const plaint_config *cfg,
                                   const plaint_api_options *o, plaint_error *err);
PLAINT_EXTERN uint16_t plaint_api_port(const plaint_api_server *s);
/* Graceful stop: no new connections, requests in flight finish (up to grace_ms), then the
 * threads and their connections are closed. Returns the requests cut off at the deadline. */
PLAINT_EXTERN int plaint_api_stop(plaint_api_server *s, int grace_ms);

#endif
