/* Effective settings: built-in defaults < config file < environment < command-line flags. */
#ifndef PLAINT_CONFIG_H
#define PLAINT_CONFIG_H

#include <limits.h>
#include <stdio.h>

#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_CONFIG_PATH_MAX 1024

typedef enum plaint_config_source {
    PLAINT_SRC_DEFAULT = 0,
    PLAINT_SRC_FILE,
    PLAINT_SRC_ENV,
    PLAINT_SRC_FLAG
} plaint_config_source;

/* One instance per process, filled by plaint_config_load. Fields are plain strings so that
 * reporting never allocates. */
typedef struct plaint_config {
    char home[PLAINT_CONFIG_PATH_MAX];        /* PLAINT_HOME; default ./var */
    char conninfo[PLAINT_CONFIG_PATH_MAX];    /* external server; "" = embedded cluster */
    char pg_bindir[PLAINT_CONFIG_PATH_MAX];   /* PostgreSQL 15 server binaries */
    char service_user[64];                    /* unprivileged user the server runs as (root) */
    char signing_key[PLAINT_CONFIG_PATH_MAX]; /* ledger checkpoint key (private, 0600) */
    char schema_dir[PLAINT_CONFIG_PATH_MAX];  /* SQL migrations */
    char policy_dir[PLAINT_CONFIG_PATH_MAX];  /* rbac.xml, retention.xml, ... */
    char xsd_dir[PLAINT_CONFIG_PATH_MAX];     /* XML schemas the policies are validated against */
    char report_dir[PLAINT_CONFIG_PATH_MAX];  /* report definitions (reports/) */
    char report_key[PLAINT_CONFIG_PATH_MAX];  /* report signing key, PEM (private, 0600) */
    char report_cert[PLAINT_CONFIG_PATH_MAX]; /* its X.509 certificate, PEM */
    char report_font[PLAINT_CONFIG_PATH_MAX]; /* TrueType font embedded in PDFs */
    char web_intake_user[64];                 /* user the web complaint form acts as, "" off */
    char web_access_key[PLAINT_CONFIG_PATH_MAX];  /* key of the customers' access codes */
    char web_reports_dir[PLAINT_CONFIG_PATH_MAX]; /* reports the dashboard offers */
    long long web_attempts_per_minute; /* status lookups, sign-ins, forms per address */
    long long web_attempts_burst;      /* ... of which at once */
    long long seal_every_events;              /* auto-seal after this many unsealed events */
    long long seal_every_seconds;             /* ... or when the last seal is this old */
    char file[PLAINT_CONFIG_PATH_MAX];        /* config file read, "" if none */
    plaint_config_source src[19];              /* source of each setting, in table order */
} plaint_config;

/* Flags given on the command line; NULL members mean "not given". */
typedef struct plaint_config_flags {
    const char *config_file;
    const char *home;
    const char *db;
} plaint_config_flags;

/* Builds the effective configuration. A config file named by a flag or PLAINT_CONFIG must
 * exist; $PLAINT_HOME/plaint.conf is read if present. Bad values give PLAINT_EINVALID naming
 * the key and line. */
PLAINT_EXTERN int plaint_config_load(plaint_config *out, const plaint_config_flags *flags,
                                     plaint_error *err);

/* Prints "key = value  # source" lines; secrets (passwords in conninfo) are masked. */
PLAINT_EXTERN int plaint_config_print(const plaint_config *cfg, FILE *f, plaint_error *err);

#endif
