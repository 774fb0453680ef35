/* Integration-test harness: throwaway cluster in a temp dir, CLI runner, raw connections. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plaint/cluster.h"
#include "plaint/migrate.h"

static plaint_test_env *active_env;

static void cleanup_at_exit(void)
{
    if (active_env != NULL) {
        plaint_test_env_stop(active_env);
    }
}

static int cluster_opts(const plaint_test_env *env, plaint_cluster_opts *co, char *pgdir,
                        size_t n)
{
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_db_pgdir(pgdir, n, &env->cfg, &err) < 0) {
        fprintf(stderr, "harness: %s\n", err.message);
        return -1;
    }
    memset(co, 0, sizeof(*co));
    co->pgdir = pgdir;
    co->bindir = env->cfg.pg_bindir;
    co->service_user = env->cfg.service_user;
    return 0;
}

int plaint_test_env_start(plaint_test_env *env)
{
    plaint_config_flags flags;
    plaint_cluster_opts co;
    plaint_error err;
    plaint_db *db = NULL;
    plaint_migrate_result mr;
    char pgdir[1100];
    const char *tmp = getenv("TMPDIR");
    const char *src = getenv("PLAINT_SOURCE_DIR");
    char schema[1024];
    int rc;

    memset(env, 0, sizeof(*env));
    plaint_error_init(&err);
    snprintf(env->home, sizeof(env->home), "%s/plaint-test-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(env->home) == NULL) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        return PLAINT_EIO;
    }
    /* The server may run as another user (when we are root): let it reach its directory. */
    chmod(env->home, 0711);
    memset(&flags, 0, sizeof(flags));
    flags.home = env->home;
    rc = plaint_config_load(&env->cfg, &flags, &err);
    if (rc < 0) {
        goto fail;
    }
    if (src != NULL) {
        snprintf(schema, sizeof(schema), "%s/schemas/sql", src);
        snprintf(env->cfg.schema_dir, sizeof(env->cfg.schema_dir), "%s", schema);
    }
    active_env = env;
    atexit(cleanup_at_exit);
    if (cluster_opts(env, &co, pgdir, sizeof(pgdir)) < 0) {
        rc = PLAINT_EIO;
        goto fail;
    }
    rc = plaint_cluster_start(&co, &err);
    if (rc == 0) {
        rc = plaint_db_ensure_database(&env->cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_db_open(&db, &env->cfg, PLAINT_DB_ADMIN, &err);
    }
    if (rc == 0) {
        rc = plaint_migrate_run(&mr, db, env->cfg.schema_dir, NULL, NULL, &err);
    }
    plaint_db_close(db);
    if (rc < 0) {
        goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "harness: %s\n", err.message);
    plaint_test_env_stop(env);
    return rc;
}

void plaint_test_env_stop(plaint_test_env *env)
{
    plaint_cluster_opts co;
    plaint_error err;
    char pgdir[1100];
    pid_t pid;
    int ws;

    if (env->home[0] == '\0') {
        return;
    }
    plaint_error_init(&err);
    if (cluster_opts(env, &co, pgdir, sizeof(pgdir)) == 0 && plaint_cluster_stop(&co, &err) < 0) {
        fprintf(stderr, "harness: stop: %s\n", err.message);
    }
    if (getenv("PLAINT_TEST_KEEP") == NULL) {
        pid = fork();
        if (pid == 0) {
            execlp("rm", "rm", "-rf", "--", env->home, (char *)NULL);
            _exit(127);
        }
        if (pid > 0) {
            waitpid(pid, &ws, 0);
        }
    }
    env->home[0] = '\0';
    if (active_env == env) {
        active_env = NULL;
    }
}

PGconn *plaint_test_connect(const plaint_test_env *env, const char *user)
{
    char pgdir[1100];
    char sock[4096];
    char port[16];
    plaint_error err;
    const char *keys[] = {"host", "port", "user", "dbname", NULL};
    const char *vals[5];
    PGconn *c;

    plaint_error_init(&err);
    if (plaint_db_pgdir(pgdir, sizeof(pgdir), &env->cfg, &err) < 0 ||
        plaint_cluster_socket_dir(sock, sizeof(sock), pgdir, &err) < 0) {
        return NULL;
    }
    snprintf(port, sizeof(port), "%d", plaint_cluster_running_port(pgdir));
    vals[0] = sock;
    vals[1] = port;
    vals[2] = user != NULL ? user : PLAINT_CLUSTER_SUPERUSER;
    vals[3] = PLAINT_CLUSTER_DBNAME;
    vals[4] = NULL;
    c = PQconnectdbParams(keys, vals, 0);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "harness: connect as %s: %s", vals[2], PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
}

static void slurp(int fd, char *buf, size_t n)
{
    size_t used = 0;
    char sink[4096];

    for (;;) {
        ssize_t r;
        if (buf != NULL && used + 1 < n) {
            r = read(fd, buf + used, n - 1 - used);
        } else {
            r = read(fd, sink, sizeof(sink));
        }
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        if (buf != NULL && used + 1 < n) {
            used += (size_t)r;
        }
    }
    if (buf != NULL && n > 0) {
        buf[used] = '\0';
    }
}

int plaint_test_run_cli(const plaint_test_env *env, char *out, size_t out_n, char *errbuf,
                        size_t err_n, const char *const argv[])
{
    const char *bin = getenv("PLAINT_BIN");
    char outpath[600];
    char errpath[600];
    pid_t pid;
    int ws = 0;
    int fd;
    size_t argc = 0;
    char **args;
    size_t i;

    if (bin == NULL) {
        fprintf(stderr, "harness: PLAINT_BIN is not set\n");
        return -1;
    }
    while (argv[argc] != NULL) {
        argc++;
    }
    args = calloc(argc + 2, sizeof(*args));
    if (args == NULL) {
        return -1;
    }
    args[0] = (char *)bin;
    for (i = 0; i < argc; i++) {
        args[i + 1] = (char *)argv[i];
    }
    snprintf(outpath, sizeof(outpath), "%s/cli.out", env->home);
    snprintf(errpath, sizeof(errpath), "%s/cli.err", env->home);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        setenv("PLAINT_HOME", env->home, 1);
        setenv("PLAINT_SCHEMA_DIR", env->cfg.schema_dir, 1);
        fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 2);
        execv(bin, args);
        _exit(127);
    }
    free(args);
    if (pid < 0) {
        return -1;
    }
    waitpid(pid, &ws, 0);
    fd = open(outpath, O_RDONLY);
    if (fd >= 0) {
        slurp(fd, out, out_n);
        close(fd);
    }
    fd = open(errpath, O_RDONLY);
    if (fd >= 0) {
        slurp(fd, errbuf, err_n);
        close(fd);
    }
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}
