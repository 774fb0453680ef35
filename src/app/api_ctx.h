/* A worker thread's context in `plaint serve`, shared by the JSON API (api_v1.c) and the web
 * pages (web_*.c): its own database connection and the loaded policies. */
#ifndef PLAINT_APP_API_CTX_H
#define PLAINT_APP_API_CTX_H

#include "plaint/app_auth.h"
#include "plaint/app_complaint.h"
#include "plaint/config.h"
#include "plaint/db.h"

typedef struct api_ctx {
    const plaint_config *cfg;
    plaint_db *db;
    plaint_authz *az;
    plaint_handling *h;
} api_ctx;

#endif
