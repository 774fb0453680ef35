/* Managing the private PostgreSQL cluster: initdb and pg_ctl run as an unprivileged user. */
#include "plaint/cluster.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plaint/digest.h"

#define SOCKET_PATH_LIMIT 100 /* sun_path is 108 bytes; leave room for "/.s.PGSQL.NNNNN" */
#define EXIT_CANNOT_REACH 126

typedef struct runas {
    int drop; /* 1 when we are root and must become the service user */
    uid_t uid;
    gid_t gid;
    const char *name;
} runas;

static int resolve_runas(runas *r, const plaint_cluster_opts *o, plaint_error *err)
{
    struct passwd *pw;

    memset(r, 0, sizeof(*r));
    if (geteuid() != 0) {
        return 0;
    }
    pw = getpwnam(o->service_user);
    if (pw == NULL) {
        return plaint_error_set(err, PLAINT_EIO,
                                "running as root, but the service user '%s' does not exist; "
                                "PostgreSQL refuses to run as root. Create it with "
                                "'useradd --system --user-group --no-create-home %s' "
                                "(scripts/setup.sh does this)",
                                o->service_user, o->service_user);
    }
    if (pw->pw_uid == 0) {
        return plaint_error_set(err, PLAINT_EIO, "service user '%s' must not be root",
                                o->service_user);
    }
    r->drop = 1;
    r->uid = pw->pw_uid;
    r->gid = pw->pw_gid;
    r->name = o->service_user;
    return 0;
}

static int path_join(char *out, size_t n, const char *a, const char *b, plaint_error *err)
{
    int k = snprintf(out, n, "%s/%s", a, b);

    if (k < 0 || (size_t)k >= n) {
        return plaint_error_set(err, PLAINT_EIO, "path too long: %s/%s", a, b);
    }
    return 0;
}

/* mkdir -p for dir; new directories get mode. */
static int make_dirs(const char *dir, mode_t mode, plaint_error *err)
{
    char tmp[4096];
    size_t len = strlen(dir);
    size_t i;

    if (len == 0 || len >= sizeof(tmp)) {
        return plaint_error_set(err, PLAINT_EIO, "bad directory path '%s'", dir);
    }
    memcpy(tmp, dir, len + 1);
    for (i = 1; i <= len; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, mode) != 0 && errno != EEXIST) {
                return plaint_error_set(err, PLAINT_EIO, "cannot create directory %s: %s", tmp,
                                        strerror(errno));
            }
            tmp[i] = c;
        }
    }
    return 0;
}

/* A directory owned by the server's user with exactly mode. */
static int private_dir(const char *dir, mode_t mode, const runas *r, plaint_error *err)
{
    struct stat st;

    if (mkdir(dir, mode) != 0 && errno != EEXIST) {
        return plaint_error_set(err, PLAINT_EIO, "cannot create directory %s: %s", dir,
                                strerror(errno));
    }
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return plaint_error_set(err, PLAINT_EIO, "%s is not a directory", dir);
    }
    if (r->drop && chown(dir, r->uid, r->gid) != 0) {
        return plaint_error_set(err, PLAINT_EIO, "cannot give %s to user %s: %s", dir, r->name,
                                strerror(errno));
    }
    if (!r->drop && st.st_uid != geteuid()) {
        return plaint_error_set(err, PLAINT_EIO, "%s belongs to another user (uid %u)", dir,
                                (unsigned)st.st_uid);
    }
    if (chmod(dir, mode) != 0) {
        return plaint_error_set(err, PLAINT_EIO, "cannot set mode of %s: %s", dir,
                                strerror(errno));
    }
    return 0;
}

/* Runs argv (argv[0] a full path) as the service user when root, with output appended to
 * logfile. Sets *status to the exit status (or 128 + signal). */
static int run(const runas *r, char *const argv[], const char *logfile, const char *reach,
               int *status, plaint_error *err)
{
    pid_t pid;
    int ws = 0;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        return plaint_error_set(err, PLAINT_EIO, "fork failed: %s", strerror(errno));
    }
    if (pid == 0) {
        int fd;
        if (r->drop) {
            if (setgroups(0, NULL) != 0 || setgid(r->gid) != 0 || setuid(r->uid) != 0) {
                _exit(125);
            }
        }
        if (chdir("/") != 0) {
            _exit(125);
        }
        if (reach != NULL && access(reach, R_OK | W_OK | X_OK) != 0) {
            _exit(EXIT_CANNOT_REACH);
        }
        fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            dup2(fd, STDIN_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR) {
            return plaint_error_set(err, PLAINT_EIO, "waitpid failed: %s", strerror(errno));
        }
    }
    if (WIFEXITED(ws)) {
        *status = WEXITSTATUS(ws);
    } else {
        *status = 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    }
    if (*status == EXIT_CANNOT_REACH && reach != NULL) {
        return plaint_error_set(err, PLAINT_EIO,
                                "the server user '%s' cannot use %s: a parent directory is not "
                                "searchable for it; choose a PLAINT_HOME it can reach "
                                "(e.g. under /var/lib or /tmp)",
                                r->name != NULL ? r->name : "(self)", reach);
    }
    if (*status == 127 || *status == 125) {
        return plaint_error_set(err, PLAINT_EIO, "cannot run %s (see %s)", argv[0], logfile);
    }
    return 0;
}

/* Last line of a log file, for error messages. */
static void log_tail(char *out, size_t n, const char *logfile)
{
    FILE *f = fopen(logfile, "r");
    char line[512];

    out[0] = '\0';
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t l = strlen(line);
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r')) {
            line[--l] = '\0';
        }
        if (l > 0) {
            snprintf(out, n, "%s", line);
        }
    }
    fclose(f);
}

int plaint_cluster_socket_dir(char *out, size_t n, const char *pgdir, plaint_error *err)
{
    unsigned char h[PLAINT_HASH_LEN];
    char hex[2 * PLAINT_HASH_LEN + 1];
    char abs[4096];
    int k;
    int rc;

    if (realpath(pgdir, abs) == NULL) {
        snprintf(abs, sizeof(abs), "%s", pgdir);
    }
    k = snprintf(out, n, "%s/run", abs);
    if (k >= 0 && (size_t)k < n && (size_t)k <= SOCKET_PATH_LIMIT - 16) {
        return 0;
    }
    rc = plaint_sha256_digest(h, abs, strlen(abs), err);
    if (rc < 0) {
        return rc;
    }
    plaint_hex_encode(hex, h, 8);
    k = snprintf(out, n, "/tmp/plaint-%u-%s", (unsigned)geteuid(), hex);
    if (k < 0 || (size_t)k >= n) {
        return plaint_error_set(err, PLAINT_EIO, "socket directory path too long");
    }
    return 0;
}

int plaint_cluster_port(const plaint_cluster_opts *o)
{
    return o->tcp_port > 0 ? o->tcp_port : 5432;
}

int plaint_cluster_running_port(const char *pgdir)
{
    char path[4200];
    char line[256];
    FILE *f;
    int n = 0;
    int port = 5432;

    /* postmaster.pid: line 4 is the port the running server uses for its socket name. */
    snprintf(path, sizeof(path), "%s/data/postmaster.pid", pgdir);
    f = fopen(path, "r");
    if (f == NULL) {
        return port;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (++n == 4) {
            char *end = NULL;
            long v = strtol(line, &end, 10);
            if (end != line && v > 0 && v <= 65535) {
                port = (int)v;
            }
            break;
        }
    }
    fclose(f);
    return port;
}

typedef struct paths {
    char data[4096];
    char run[4096];
    char logdir[4096];
    char log[4096];
    char initdb[4096];
    char pg_ctl[4096];
    char version[4096];
} paths;

static int make_paths(paths *p, const plaint_cluster_opts *o, plaint_error *err)
{
    int rc = path_join(p->data, sizeof(p->data), o->pgdir, "data", err);

    if (rc == 0) {
        rc = path_join(p->logdir, sizeof(p->logdir), o->pgdir, "log", err);
    }
    if (rc == 0) {
        rc = path_join(p->log, sizeof(p->log), p->logdir, "server.log", err);
    }
    if (rc == 0) {
        rc = path_join(p->initdb, sizeof(p->initdb), o->bindir, "initdb", err);
    }
    if (rc == 0) {
        rc = path_join(p->pg_ctl, sizeof(p->pg_ctl), o->bindir, "pg_ctl", err);
    }
    if (rc == 0) {
        rc = path_join(p->version, sizeof(p->version), p->data, "PG_VERSION", err);
    }
    if (rc == 0) {
        rc = plaint_cluster_socket_dir(p->run, sizeof(p->run), o->pgdir, err);
    }
    return rc;
}

static int check_binary(const char *path, plaint_error *err)
{
    if (access(path, X_OK) != 0) {
        return plaint_error_set(err, PLAINT_EIO,
                                "PostgreSQL server binary %s not found (install postgresql-15, "
                                "or set PLAINT_PG_BINDIR)",
                                path);
    }
    return 0;
}

/* Appends our settings to postgresql.conf; single quotes in paths are doubled. */
static int write_settings(const paths *p, const plaint_cluster_opts *o, plaint_error *err)
{
    char conf[4200];
    FILE *f;
    const char *c;
    int rc;

    rc = path_join(conf, sizeof(conf), p->data, "postgresql.conf", err);
    if (rc < 0) {
        return rc;
    }
    f = fopen(conf, "a");
    if (f == NULL) {
        return plaint_error_set(err, PLAINT_EIO, "cannot open %s: %s", conf, strerror(errno));
    }
    fprintf(f, "\n# --- written by plaint db init ---\n");
    fprintf(f, "listen_addresses = '%s'\n", o->tcp_port > 0 ? "127.0.0.1" : "");
    fprintf(f, "port = %d\n", plaint_cluster_port(o));
    fputs("unix_socket_directories = '", f);
    for (c = p->run; *c != '\0'; c++) {
        if (*c == '\'') {
            fputc('\'', f);
        }
        fputc(*c, f);
    }
    fputs("'\n", f);
    fprintf(f, "unix_socket_permissions = 0700\n");
    fprintf(f, "max_connections = 100\n");
    /* Bulk appends and full verification read and write much: room for them. */
    fprintf(f, "shared_buffers = 512MB\n");
    fprintf(f, "max_wal_size = 4GB\n");
    fprintf(f, "checkpoint_timeout = 15min\n");
    fprintf(f, "log_min_messages = warning\n");
    if (fclose(f) != 0) {
        return plaint_error_set(err, PLAINT_EIO, "cannot write %s", conf);
    }
    return 0;
}

int plaint_cluster_init(const plaint_cluster_opts *o, plaint_error *err)
{
    paths p;
    runas r;
    struct stat st;
    int status = 0;
    int rc;
    char tail[400];

    rc = make_paths(&p, o, err);
    if (rc == 0) {
        rc = resolve_runas(&r, o, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (stat(p.version, &st) == 0) {
        return 0; /* already initialised */
    }
    rc = check_binary(p.initdb, err);
    if (rc < 0) {
        return rc;
    }
    rc = make_dirs(o->pgdir, 0711, err);
    if (rc == 0) {
        rc = private_dir(o->pgdir, 0700, &r, err);
    }
    if (rc == 0) {
        rc = private_dir(p.logdir, 0700, &r, err);
    }
    if (rc == 0) {
        rc = private_dir(p.run, 0700, &r, err);
    }
    if (rc < 0) {
        return rc;
    }
    {
        char *argv[] = {p.initdb,
                        "-D",
                        p.data,
                        "-U",
                        PLAINT_CLUSTER_SUPERUSER,
                        "--auth-local=trust",
                        o->tcp_port > 0 ? "--auth-host=trust" : "--auth-host=reject",
                        "--encoding=UTF8",
                        "--locale=C",
                        NULL};
        char logfile[4200];
        rc = path_join(logfile, sizeof(logfile), p.logdir, "initdb.log", err);
        if (rc == 0) {
            rc = run(&r, argv, logfile, o->pgdir, &status, err);
        }
        if (rc < 0) {
            return rc;
        }
        if (status != 0) {
            log_tail(tail, sizeof(tail), logfile);
            return plaint_error_set(err, PLAINT_EIO, "initdb failed (exit %d): %s (log: %s)",
                                    status, tail, logfile);
        }
    }
    return write_settings(&p, o, err);
}

int plaint_cluster_status(const plaint_cluster_opts *o, int *running, plaint_error *err)
{
    paths p;
    runas r;
    struct stat st;
    int status = 0;
    int rc;
    char logfile[] = "/dev/null";

    *running = 0;
    rc = make_paths(&p, o, err);
    if (rc == 0) {
        rc = resolve_runas(&r, o, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (stat(p.version, &st) != 0) {
        return 0;
    }
    rc = check_binary(p.pg_ctl, err);
    if (rc < 0) {
        return rc;
    }
    {
        char *argv[] = {p.pg_ctl, "-D", p.data, "status", NULL};
        rc = run(&r, argv, logfile, NULL, &status, err);
    }
    if (rc < 0) {
        return rc;
    }
    *running = status == 0;
    return 0;
}

int plaint_cluster_start(const plaint_cluster_opts *o, plaint_error *err)
{
    paths p;
    runas r;
    int running = 0;
    int status = 0;
    int rc;
    char tail[400];

    rc = plaint_cluster_init(o, err);
    if (rc == 0) {
        rc = plaint_cluster_status(o, &running, err);
    }
    if (rc < 0 || running) {
        return rc;
    }
    rc = make_paths(&p, o, err);
    if (rc == 0) {
        rc = resolve_runas(&r, o, err);
    }
    /* The socket directory may live in /tmp, which can be cleaned between runs. */
    if (rc == 0) {
        rc = private_dir(p.run, 0700, &r, err);
    }
    if (rc < 0) {
        return rc;
    }
    {
        char *argv[] = {p.pg_ctl, "-D", p.data, "-l", p.log, "-w", "-t", "120", "start", NULL};
        char logfile[4200];
        rc = path_join(logfile, sizeof(logfile), p.logdir, "pg_ctl.log", err);
        if (rc == 0) {
            rc = run(&r, argv, logfile, o->pgdir, &status, err);
        }
    }
    if (rc < 0) {
        return rc;
    }
    if (status != 0) {
        log_tail(tail, sizeof(tail), p.log);
        return plaint_error_set(err, PLAINT_EIO, "PostgreSQL did not start (pg_ctl exit %d): %s "
                                "(log: %s)", status, tail, p.log);
    }
    return 0;
}

int plaint_cluster_stop(const plaint_cluster_opts *o, plaint_error *err)
{
    paths p;
    runas r;
    int running = 0;
    int status = 0;
    int rc;

    rc = plaint_cluster_status(o, &running, err);
    if (rc < 0 || !running) {
        return rc;
    }
    rc = make_paths(&p, o, err);
    if (rc == 0) {
        rc = resolve_runas(&r, o, err);
    }
    if (rc < 0) {
        return rc;
    }
    {
        char *argv[] = {p.pg_ctl, "-D", p.data, "-m", "fast", "-w", "-t", "120", "stop", NULL};
        char logfile[4200];
        rc = path_join(logfile, sizeof(logfile), p.logdir, "pg_ctl.log", err);
        if (rc == 0) {
            rc = run(&r, argv, logfile, NULL, &status, err);
        }
    }
    if (rc < 0) {
        return rc;
    }
    if (status != 0) {
        return plaint_error_set(err, PLAINT_EIO, "pg_ctl stop failed (exit %d), see %s/pg_ctl.log",
                                status, p.logdir);
    }
    return 0;
}
