/* The web pages of `plaint serve` (docs/web.md): the customer status page and complaint form,
 * the compliance dashboard. Server-rendered HTML, no script. */
#ifndef PLAINT_APP_WEB_H
#define PLAINT_APP_WEB_H

#include "app/api_ctx.h"
#include "net/http_server.h"

/* 1: req was for a page and resp holds the answer; 0: not a page (the JSON API's). */
int plaint_web_handle(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp);

#endif
