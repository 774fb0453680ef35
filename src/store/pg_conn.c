/* Opening connections to the embedded cluster or an external server, and SQL error mapping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/cluster.h"
#include "store/pg_internal.h"

const char *plaint_db_role_name(plaint_db_role r)
{
    switch (r) {
    case PLAINT_DB_APP:
        return "plaint_app";
    case PLAINT_DB_AUDITOR:
        return "plaint_auditor";
    default:
        return NULL;
    }
}

int plaint_pg_fail(plaint_error *err, PGconn *conn, const PGresult *res, const char *what)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int code = PLAINT_EDB;
    char clean[200];
    size_t i;

    if (msg == NULL) {
        msg = conn != NULL ? PQerrorMessage(conn) : "no connection";
    }
    snprintf(clean, sizeof(clean), "%s", msg);
    for (i = 0; clean[i] != '\0'; i++) {
        if (clean[i] == '\n') {
            clean[i] = (clean[i + 1] == '\0') ? '\0' : ' ';
        }
    }
    if (state != NULL) {
        if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
            code = PLAINT_ECONFLICT;
        } else if (strcmp(state, "42501") == 0) {
            code = PLAINT_EDENIED;
        } else if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0) {
            code = PLAINT_EINVALID;
        }
        return plaint_error_set(err, code, "%s: %s (SQLSTATE %s)", what, clean, state);
    }
    return plaint_error_set(err, code, "%s: %s", what, clean);
}

int plaint_pg_check(PGconn *conn, const PGresult *res, const char *what, plaint_error *err)
{
    ExecStatusType st = PQresultStatus(res);

    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        return 0;
    }
    return plaint_pg_fail(err, conn, res, what);
}

int plaint_pg_exec(PGconn *conn, const char *sql, const char *what, plaint_error *err)
{
    PGresult *res = PQexec(conn, sql);
    int rc = plaint_pg_check(conn, res, what, err);

    PQclear(res);
    return rc;
}

int plaint_db_pgdir(char *out, size_t n, const plaint_config *cfg, plaint_error *err)
{
    int k = snprintf(out, n, "%s/pg", cfg->home);

    if (k < 0 || (size_t)k >= n) {
        return plaint_error_set(err, PLAINT_EIO, "PLAINT_HOME path too long");
    }
    return 0;
}

static PGconn *connect_embedded(const plaint_config *cfg, const char *user, const char *dbname,
                                plaint_error *err)
{
    char pgdir[PLAINT_CONFIG_PATH_MAX + 8];
    char sock[4096];
    char port[16];
    const char *keys[] = {"host", "port", "user", "dbname", "application_name", NULL};
    const char *vals[6];

    if (plaint_db_pgdir(pgdir, sizeof(pgdir), cfg, err) < 0 ||
        plaint_cluster_socket_dir(sock, sizeof(sock), pgdir, err) < 0) {
        return NULL;
    }
    snprintf(port, sizeof(port), "%d", plaint_cluster_running_port(pgdir));
    vals[0] = sock;
    vals[1] = port;
    vals[2] = user;
    vals[3] = dbname;
    vals[4] = "plaint";
    vals[5] = NULL;
    return PQconnectdbParams(keys, vals, 0);
}

static PGconn *connect_external(const plaint_config *cfg)
{
    const char *keys[] = {"dbname", "application_name", NULL};
    const char *vals[] = {cfg->conninfo, "plaint", NULL};

    /* expand_dbname=1: the conninfo string (keyword or URI form) is parsed by libpq. */
    return PQconnectdbParams(keys, vals, 1);
}

static int connect_failed(PGconn *conn, const plaint_config *cfg, plaint_error *err)
{
    char masked[PLAINT_CONFIG_PATH_MAX];
    char msg[200];
    size_t i;

    snprintf(msg, sizeof(msg), "%s", conn != NULL ? PQerrorMessage(conn) : "out of memory");
    for (i = 0; msg[i] != '\0'; i++) {
        if (msg[i] == '\n') {
            msg[i] = (msg[i + 1] == '\0') ? '\0' : ' ';
        }
    }
    if (cfg->conninfo[0] != '\0') {
        plaint_pg_mask_conninfo(masked, sizeof(masked), cfg->conninfo);
        return plaint_error_set(err, PLAINT_EDB, "cannot connect to %s: %s", masked, msg);
    }
    return plaint_error_set(err, PLAINT_EDB,
                            "cannot connect to the embedded cluster in %s/pg: %s "
                            "(is it running? try 'plaint db start')",
                            cfg->home, msg);
}

/* Session defaults, and SET ROLE for app/auditor work on an external server. */
static int session_setup(PGconn *conn, plaint_db_role role, int set_role, plaint_error *err)
{
    int rc = plaint_pg_exec(conn, "SET TIME ZONE 'UTC'; SET client_min_messages = warning",
                            "set session defaults", err);

    if (rc == 0 && set_role) {
        if (role == PLAINT_DB_APP) {
            rc = plaint_pg_exec(conn, "SET ROLE plaint_app", "switch to role plaint_app", err);
        } else if (role == PLAINT_DB_AUDITOR) {
            rc = plaint_pg_exec(conn, "SET ROLE plaint_auditor", "switch to role plaint_auditor",
                                err);
        }
    }
    return rc;
}

int plaint_db_open(plaint_db **out, const plaint_config *cfg, plaint_db_role role,
                   plaint_error *err)
{
    PGconn *conn;
    plaint_db *db;
    int rc;
    const char *user;

    *out = NULL;
    if (cfg->conninfo[0] != '\0') {
        conn = connect_external(cfg);
    } else {
        user = role == PLAINT_DB_ADMIN ? PLAINT_CLUSTER_SUPERUSER : plaint_db_role_name(role);
        conn = connect_embedded(cfg, user, PLAINT_CLUSTER_DBNAME, err);
        if (conn == NULL && err != NULL && err->code < 0) {
            return err->code;
        }
    }
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        rc = connect_failed(conn, cfg, err);
        PQfinish(conn);
        return rc;
    }
    rc = session_setup(conn, role, cfg->conninfo[0] != '\0', err);
    if (rc < 0) {
        PQfinish(conn);
        return rc;
    }
    db = calloc(1, sizeof(*db));
    if (db == NULL) {
        PQfinish(conn);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    db->conn = conn;
    db->role = role;
    db->set_role = cfg->conninfo[0] != '\0' && role != PLAINT_DB_ADMIN;
    *out = db;
    return 0;
}

int plaint_db_clone(plaint_db **out, const plaint_db *db, plaint_error *err)
{
    PQconninfoOption *opts = PQconninfo(db->conn);
    PQconninfoOption *o;
    const char *keys[64];
    const char *vals[64];
    size_t n = 0;
    PGconn *conn;
    plaint_db *copy;
    int rc;

    *out = NULL;
    if (opts == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    for (o = opts; o->keyword != NULL && n + 1 < 64; o++) {
        if (o->val != NULL && o->val[0] != '\0') {
            keys[n] = o->keyword;
            vals[n] = o->val;
            n++;
        }
    }
    keys[n] = NULL;
    vals[n] = NULL;
    conn = PQconnectdbParams(keys, vals, 0);
    PQconninfoFree(opts);
    if (PQstatus(conn) != CONNECTION_OK) {
        rc = plaint_pg_fail(err, conn, NULL, "second connection");
        PQfinish(conn);
        return rc;
    }
    rc = session_setup(conn, db->role, db->set_role, err);
    copy = rc == 0 ? calloc(1, sizeof(*copy)) : NULL;
    if (rc == 0 && copy == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    if (rc < 0) {
        PQfinish(conn);
        return rc;
    }
    copy->conn = conn;
    copy->role = db->role;
    copy->set_role = db->set_role;
    *out = copy;
    return 0;
}

void plaint_db_close(plaint_db *db)
{
    if (db == NULL) {
        return;
    }
    PQfinish(db->conn);
    free(db);
}

int plaint_db_exec(plaint_db *db, const char *sql, plaint_error *err)
{
    return plaint_pg_exec(db->conn, sql, "SQL", err);
}

int plaint_db_begin(plaint_db *db, plaint_error *err)
{
    return plaint_pg_exec(db->conn, "BEGIN", "begin", err);
}

int plaint_db_finish(plaint_db *db, int rc, plaint_error *err)
{
    if (rc == 0) {
        return plaint_pg_exec(db->conn, "COMMIT", "commit", err);
    }
    plaint_pg_exec(db->conn, "ROLLBACK", "rollback", NULL);
    return rc;
}

int plaint_db_ensure_database(const plaint_config *cfg, plaint_error *err)
{
    PGconn *conn;
    PGresult *res;
    const char *vals[1] = {PLAINT_CLUSTER_DBNAME};
    int rc;

    if (cfg->conninfo[0] != '\0') {
        return 0;
    }
    conn = connect_embedded(cfg, PLAINT_CLUSTER_SUPERUSER, "postgres", err);
    if (conn == NULL && err != NULL && err->code < 0) {
        return err->code;
    }
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        rc = connect_failed(conn, cfg, err);
        PQfinish(conn);
        return rc;
    }
    plaint_pg_exec(conn, "SET client_min_messages = warning", "set session defaults", NULL);
    res = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, vals, NULL,
                       NULL, 0);
    rc = plaint_pg_check(conn, res, "look up database", err);
    if (rc == 0 && PQntuples(res) == 0) {
        /* The name is a compile-time constant, so building no SQL from input here. */
        rc = plaint_pg_exec(conn, "CREATE DATABASE " PLAINT_CLUSTER_DBNAME, "create database",
                            err);
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

void plaint_pg_mask_conninfo(char *out, size_t n, const char *conninfo)
{
    PQconninfoOption *opts;
    PQconninfoOption *o;
    char *errmsg = NULL;
    size_t len = 0;
    int k;

    if (n == 0) {
        return;
    }
    out[0] = '\0';
    if (conninfo == NULL || conninfo[0] == '\0') {
        return;
    }
    opts = PQconninfoParse(conninfo, &errmsg);
    if (opts == NULL) {
        PQfreemem(errmsg);
        snprintf(out, n, "(unparsable conninfo)");
        return;
    }
    for (o = opts; o->keyword != NULL; o++) {
        const char *v = o->val;
        if (v == NULL) {
            continue;
        }
        if (strcmp(o->keyword, "password") == 0) {
            v = "********";
        }
        k = snprintf(out + len, n - len, "%s%s=%s", len > 0 ? " " : "", o->keyword, v);
        if (k < 0 || (size_t)k >= n - len) {
            break;
        }
        len += (size_t)k;
    }
    PQconninfoFree(opts);
}
