/* Shared by the modules of the JSON API v1 (api_v1.c: routing, idempotency and the case
 * endpoints; api_reports.c: the report endpoints): one request being answered, and the helpers
 * every endpoint uses. */
#ifndef PLAINT_APP_API_INTERNAL_H
#define PLAINT_APP_API_INTERNAL_H

#include <jansson.h>

#include "app/api_ctx.h"
#include "net/http_server.h"

#define REF_MAX 64

typedef struct call {
    api_ctx *x;
    const plaint_http_request *req;
    plaint_http_response *resp;
    plaint_actor actor;
    json_t *body; /* the parsed JSON body of a POST */
    char param[REF_MAX]; /* the path's {ref} */
    char sub[REF_MAX];   /* the path's {task} or {refund}, if any */
} call;

/* The answer: status and a JSON value (taken over; NULL: 500). */
void reply_json(call *c, int status, json_t *v);
/* A use case's error as the HTTP answer (400/404/403/409/500), naming the field if known. */
void reply_error(call *c, const plaint_error *err, const char *default_field);
/* The body's string member name (*out NULL if absent); 0, or -1 after a 400 naming it. */
int body_str(call *c, const char *name, int required, const char **out);
/* Refuses members not in names (NULL-terminated): 0, or -1 after a 400. */
int body_only(call *c, const char *const *names);
/* RBAC: 0 if the actor may, else -1 after the 403 (the denial is on the security log). */
int require(call *c, const char *action);

/* The report endpoints (api_reports.c). */
void api_report_create(call *c);
void api_report_list(call *c);
void api_report_get(call *c);

#endif
