/* Forward-only SQL migrations: schemas/sql/NNNN_name.sql, each in its own transaction. */
#ifndef PLAINT_MIGRATE_H
#define PLAINT_MIGRATE_H

#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"

typedef struct plaint_migrate_result {
    int applied; /* migrations applied by this run */
    int present; /* migrations already applied before */
} plaint_migrate_result;

/* Applies every migration of dir not yet applied, in name order, recording name and SHA-256
 * in plaint_meta.migration. Refuses (PLAINT_EIO, naming the file, applying nothing) when an
 * applied migration's file has changed or disappeared. Concurrent runs serialise on an
 * advisory lock. progress (may be NULL) is called before each migration is applied. */
PLAINT_EXTERN int plaint_migrate_run(plaint_migrate_result *out, plaint_db *admin, const char *dir,
                                     void (*progress)(const char *name, void *arg),
                                     void *progress_arg, plaint_error *err);

#endif
