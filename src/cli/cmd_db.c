/* plaint db init|start|stop|status|migrate: the embedded cluster and schema migrations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "plaint/cluster.h"
#include "plaint/db.h"
#include "plaint/migrate.h"

#define PG_DIR_MAX (PLAINT_CONFIG_PATH_MAX + 8)

static const char INIT_HELP[] =
    "Usage: plaint db init [--tcp-port PORT] [OPTIONS]\n\n"
    "Creates the embedded PostgreSQL 15 cluster under $PLAINT_HOME/pg (a no-op if it exists).\n"
    "It listens on a Unix socket only, in a directory private to the server's user; run as\n"
    "root, the server runs as the unprivileged service user (default 'plaint').\n\n"
    "  --tcp-port PORT  also listen on 127.0.0.1:PORT (for tests and replicas; off by default)\n";
static const char START_HELP[] =
    "Usage: plaint db start [OPTIONS]\n\n"
    "Starts the embedded cluster, creating it first if needed, and creates the application\n"
    "database. A no-op when it already runs.\n";
static const char STOP_HELP[] =
    "Usage: plaint db stop [OPTIONS]\n\nStops the embedded cluster (a no-op if it is stopped).\n";
static const char STATUS_HELP[] =
    "Usage: plaint db status [OPTIONS]\n\n"
    "Exits 0 when the database is running (reachable, with --db), 5 when it is not.\n";
static const char MIGRATE_HELP[] =
    "Usage: plaint db migrate [OPTIONS]\n\n"
    "Applies the SQL migrations of schemas/sql (setting paths.schema_dir) that are not yet\n"
    "applied, each in its own transaction, recording name and SHA-256. Refuses (exit 5) when\n"
    "an applied migration's file has changed. Running it again is a no-op.\n";

typedef struct db_opts {
    int tcp_port;
} db_opts;

static int on_db_opt(void *ctx, int opt, const char *arg)
{
    db_opts *o = ctx;
    char *end = NULL;
    long v;

    if (opt == 'p') {
        v = strtol(arg, &end, 10);
        if (end == arg || *end != '\0' || v < 1 || v > 65535) {
            return plaint_cli_usage("plaint db init", "--tcp-port needs a port 1-65535, got '%s'",
                                    arg);
        }
        o->tcp_port = (int)v;
        return -1;
    }
    return plaint_cli_usage("plaint db", "unexpected option");
}

/* Parses a db leaf's options; -1 to go on, else an exit code. */
static int parse(plaint_cli *cli, const char *path, const char *help, int argc, char **argv,
                 db_opts *o, int with_port)
{
    const struct option plain[] = {PLAINT_CLI_COMMON, {NULL, 0, NULL, 0}};
    const struct option port[] = {PLAINT_CLI_COMMON,
                                  {"tcp-port", required_argument, NULL, 'p'},
                                  {NULL, 0, NULL, 0}};
    int first = 0;
    int r;

    memset(o, 0, sizeof(*o));
    r = plaint_cli_parse(cli, path, help, argc, argv, NULL, with_port ? port : plain, on_db_opt, o,
                         &first);
    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage(path, "unexpected argument '%s'", argv[first]);
    }
    return -1;
}

static int cluster_opts(plaint_cli *cli, plaint_cluster_opts *co, char *pgdir, const db_opts *o,
                        const char *path, plaint_error *err)
{
    const plaint_config *cfg;
    int rc = plaint_cli_config(cli, &cfg, err);

    if (rc < 0) {
        return rc;
    }
    if (cfg->conninfo[0] != '\0') {
        return plaint_error_set(err, PLAINT_EUSAGE,
                                "%s manages the embedded cluster; with --db/PLAINT_DB the server "
                                "is managed outside plaint",
                                path);
    }
    rc = plaint_db_pgdir(pgdir, PG_DIR_MAX, cfg, err);
    if (rc < 0) {
        return rc;
    }
    memset(co, 0, sizeof(*co));
    co->pgdir = pgdir;
    co->bindir = cfg->pg_bindir;
    co->service_user = cfg->service_user;
    co->tcp_port = o != NULL ? o->tcp_port : 0;
    return 0;
}

static int cmd_init(plaint_cli *cli, int argc, char **argv)
{
    db_opts o;
    plaint_cluster_opts co;
    char pgdir[PG_DIR_MAX];
    plaint_error err;
    int r = parse(cli, "plaint db init", INIT_HELP, argc, argv, &o, 1);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    if (cluster_opts(cli, &co, pgdir, &o, "plaint db init", &err) < 0 ||
        plaint_cluster_init(&co, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    printf("cluster ready in %s/data\n", pgdir);
    return PLAINT_EXIT_OK;
}

static int cmd_start(plaint_cli *cli, int argc, char **argv)
{
    db_opts o;
    plaint_cluster_opts co;
    char pgdir[PG_DIR_MAX];
    char sock[4096];
    plaint_error err;
    const plaint_config *cfg;
    int r = parse(cli, "plaint db start", START_HELP, argc, argv, &o, 0);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    if (cluster_opts(cli, &co, pgdir, &o, "plaint db start", &err) < 0 ||
        plaint_cluster_start(&co, &err) < 0 || plaint_cli_config(cli, &cfg, &err) < 0 ||
        plaint_db_ensure_database(cfg, &err) < 0 ||
        plaint_cluster_socket_dir(sock, sizeof(sock), pgdir, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    printf("running (data %s/data, socket directory %s)\n", pgdir, sock);
    return PLAINT_EXIT_OK;
}

static int cmd_stop(plaint_cli *cli, int argc, char **argv)
{
    db_opts o;
    plaint_cluster_opts co;
    char pgdir[PG_DIR_MAX];
    plaint_error err;
    int r = parse(cli, "plaint db stop", STOP_HELP, argc, argv, &o, 0);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    if (cluster_opts(cli, &co, pgdir, &o, "plaint db stop", &err) < 0 ||
        plaint_cluster_stop(&co, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    printf("stopped\n");
    return PLAINT_EXIT_OK;
}

static int cmd_status(plaint_cli *cli, int argc, char **argv)
{
    db_opts o;
    plaint_cluster_opts co;
    char pgdir[PG_DIR_MAX];
    plaint_error err;
    const plaint_config *cfg;
    int running = 0;
    int r = parse(cli, "plaint db status", STATUS_HELP, argc, argv, &o, 0);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    if (plaint_cli_config(cli, &cfg, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    if (cfg->conninfo[0] != '\0') {
        plaint_db *db = NULL;
        if (plaint_db_open(&db, cfg, PLAINT_DB_ADMIN, &err) < 0) {
            fprintf(stderr, "plaint: not running: %s\n", err.message);
            return PLAINT_EXIT_ENV;
        }
        plaint_db_close(db);
        printf("running (external server)\n");
        return PLAINT_EXIT_OK;
    }
    if (cluster_opts(cli, &co, pgdir, &o, "plaint db status", &err) < 0 ||
        plaint_cluster_status(&co, &running, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    if (!running) {
        fprintf(stderr, "plaint: the embedded cluster in %s is not running\n", pgdir);
        return PLAINT_EXIT_ENV;
    }
    printf("running (data %s/data)\n", pgdir);
    return PLAINT_EXIT_OK;
}

static void on_migration(const char *name, void *arg)
{
    (void)arg;
    fprintf(stderr, "applying %s\n", name);
}

static int cmd_migrate(plaint_cli *cli, int argc, char **argv)
{
    db_opts o;
    plaint_error err;
    const plaint_config *cfg;
    plaint_db *db = NULL;
    plaint_migrate_result res;
    int rc;
    int r = parse(cli, "plaint db migrate", MIGRATE_HELP, argc, argv, &o, 0);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_config(cli, &cfg, &err);
    if (rc == 0) {
        rc = plaint_db_ensure_database(cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_db_open(&db, cfg, PLAINT_DB_ADMIN, &err);
    }
    if (rc == 0) {
        rc = plaint_migrate_run(&res, db, cfg->schema_dir, on_migration, NULL, &err);
    }
    plaint_db_close(db);
    if (rc < 0) {
        /* A refused or failed migration is an environment problem (exit 5), never bad input. */
        err.code = PLAINT_EIO;
        return plaint_cli_fail(&err);
    }
    printf("migrations: %d applied, %d already present\n", res.applied, res.present);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_db[] = {
    {"init", "create the embedded cluster", INIT_HELP, cmd_init, NULL},
    {"start", "start the embedded cluster (creating it if needed)", START_HELP, cmd_start, NULL},
    {"stop", "stop the embedded cluster", STOP_HELP, cmd_stop, NULL},
    {"status", "exit 0 if the database runs, 5 if not", STATUS_HELP, cmd_status, NULL},
    {"migrate", "apply pending SQL migrations", MIGRATE_HELP, cmd_migrate, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
