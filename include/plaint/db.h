/* Connections to PostgreSQL: the embedded cluster or an external server, as one of three roles. */
#ifndef PLAINT_DB_H
#define PLAINT_DB_H

#include <stddef.h>

#include "plaint/config.h"
#include "plaint/error.h"
#include "plaint/export.h"

typedef struct plaint_db plaint_db;

typedef enum plaint_db_role {
    PLAINT_DB_ADMIN,  /* migrations: the embedded superuser, or the external login as given */
    PLAINT_DB_APP,    /* everyday work: plaint_app (appends, never changes history) */
    PLAINT_DB_AUDITOR /* verification and reports: plaint_auditor (read-only) */
} plaint_db_role;

/* Database role name used for r ("plaint_app", ...); NULL for ADMIN. */
PLAINT_EXTERN const char *plaint_db_role_name(plaint_db_role r);

/* Opens a connection. Embedded: connects over the cluster's Unix socket as the role itself.
 * External (cfg->conninfo set): connects as given, then SET ROLE to the role (the login must be
 * a member of it). The session time zone is UTC. Caller frees with plaint_db_close. */
PLAINT_EXTERN int plaint_db_open(plaint_db **out, const plaint_config *cfg, plaint_db_role role,
                                 plaint_error *err);
PLAINT_EXTERN void plaint_db_close(plaint_db *db);

/* Embedded only: creates the application database if it does not exist yet (no-op for an
 * external server, whose database is named by the conninfo). */
PLAINT_EXTERN int plaint_db_ensure_database(const plaint_config *cfg, plaint_error *err);

/* Runs one constant SQL text (no parameters); for scripts and tests. */
PLAINT_EXTERN int plaint_db_exec(plaint_db *db, const char *sql, plaint_error *err);

/* BEGIN; and the matching end: COMMIT when rc is 0 (returning COMMIT's result), else ROLLBACK
 * (returning rc unchanged, err untouched). */
PLAINT_EXTERN int plaint_db_begin(plaint_db *db, plaint_error *err);
PLAINT_EXTERN int plaint_db_finish(plaint_db *db, int rc, plaint_error *err);

/* Copies conninfo (keyword or URI form) into out with any password replaced by "********". */
PLAINT_EXTERN void plaint_pg_mask_conninfo(char *out, size_t n, const char *conninfo);

/* Where the embedded cluster lives: $home/pg. */
PLAINT_EXTERN int plaint_db_pgdir(char *out, size_t n, const plaint_config *cfg,
                                  plaint_error *err);

#endif
