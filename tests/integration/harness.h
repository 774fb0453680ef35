/* Integration-test harness: a throwaway PostgreSQL cluster (through the same code as
 * `plaint db`), migrated, stopped and removed afterwards even when tests fail. */
#ifndef PLAINT_TEST_HARNESS_H
#define PLAINT_TEST_HARNESS_H

#include <libpq-fe.h>

#include "plaint/config.h"
#include "plaint/db.h"

typedef struct plaint_test_env {
    char home[512];     /* temporary PLAINT_HOME, removed by plaint_test_env_stop */
    plaint_config cfg;  /* embedded cluster in home (or PLAINT_TEST_DSN) */
    int external;       /* 1 when PLAINT_TEST_DSN is used */
} plaint_test_env;

/* Creates home, starts the cluster, creates the database and applies all migrations.
 * Returns 0 or a negative PLAINT_E* code (message printed). */
int plaint_test_env_start(plaint_test_env *env);
/* Stops the cluster and removes home. Safe to call twice. */
void plaint_test_env_stop(plaint_test_env *env);

/* A raw libpq connection to the test database as the given database user (embedded) —
 * "plaint_admin" (superuser), "plaint_app", "plaint_auditor" or NULL for the superuser. */
PGconn *plaint_test_connect(const plaint_test_env *env, const char *user);

/* Runs `$PLAINT_BIN args...` with PLAINT_HOME set to env's home (or PLAINT_DB for an external
 * database); captures stdout and stderr (each up to n-1 bytes) if the buffers are not NULL.
 * Returns the exit status. */
int plaint_test_run_cli(const plaint_test_env *env, char *out, size_t out_n, char *errbuf,
                        size_t err_n, const char *const argv[]);

#endif
