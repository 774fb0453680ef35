/* Shared by the page modules (web_*.c): HTML output, forms, per-address limits. */
#ifndef PLAINT_APP_WEB_INTERNAL_H
#define PLAINT_APP_WEB_INTERNAL_H

#include <stddef.h>

#include "app/web.h"
#include "plaint/access_code.h"
#include "plaint/buf.h"

/* Starts a page: status, content type text/html, the layout up to <main>. */
void web_page_begin(plaint_http_response *resp, int status, const char *title);
/* Ends the layout. */
void web_page_end(plaint_http_response *resp);
/* Appends text HTML-escaped (& < > " '). */
void web_text(plaint_http_response *resp, const char *s);
/* Appends fmt as is (markup written by us; never customer or stored text). */
void web_raw(plaint_http_response *resp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A whole page with one message (e.g. an error), text escaped. */
void web_message_page(plaint_http_response *resp, int status, const char *title, const char *text);

/* Form fields of an application/x-www-form-urlencoded POST: up to WEB_FIELDS_MAX names, each
 * value valid UTF-8 without control characters other than newline/tab, at most its limit. */
#define WEB_FIELDS_MAX 16
typedef struct web_form {
    const char *names[WEB_FIELDS_MAX]; /* the fields wanted (NULL-terminated), set by the caller */
    size_t limits[WEB_FIELDS_MAX];     /* their byte limits */
    char *values[WEB_FIELDS_MAX];      /* filled (malloc'd, NULL if absent) */
    char bad[96];                      /* the first field refused and why, "" if none */
    char bad_field[48];                /* that field's name, "" if the form as a whole */
} web_form;
/* 0, or -1 with f->bad set (or not a form at all). Free with web_form_free. */
int web_form_read(web_form *f, const plaint_http_request *req);
const char *web_form_get(const web_form *f, const char *name);
void web_form_free(web_form *f);

/* Per client address limits for expensive or guessable pages: 1 if allowed. */
int web_limit_ok(api_ctx *x, const char *ip);

/* The access-code key of this worker (loaded, or made on first use). */
int web_access_key(api_ctx *x, unsigned char key[PLAINT_ACCESS_KEY_LEN], plaint_error *err);

void web_status_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
void web_status_post(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
void web_complaint_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
void web_complaint_post(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
void web_login_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
void web_login_post(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
void web_logout_post(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
void web_dashboard_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);
void web_report_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);

#endif
