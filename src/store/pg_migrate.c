/* Applying SQL migration files in order, each in one transaction, with checksums recorded. */
#include "plaint/migrate.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/buf.h"
#include "plaint/digest.h"
#include "store/pg_internal.h"

#define MIGRATION_MAX_BYTES (16u * 1024u * 1024u)
#define MIGRATION_LOCK_KEY "7243801" /* advisory lock id shared by all migrate runs */

typedef struct migration {
    char name[256];
    char sha[2 * PLAINT_HASH_LEN + 1];
    plaint_buf sql;
} migration;

static int cmp_migration(const void *a, const void *b)
{
    return strcmp(((const migration *)a)->name, ((const migration *)b)->name);
}

/* NNNN_name.sql: four digits, an underscore, [a-z0-9_]+, ".sql". */
static int valid_name(const char *n)
{
    size_t len = strlen(n);
    size_t i;

    if (len < 10 || len > 200 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_') {
        return 0;
    }
    for (i = 0; i < 4; i++) {
        if (n[i] < '0' || n[i] > '9') {
            return 0;
        }
    }
    for (i = 5; i < len - 4; i++) {
        char c = n[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return 0;
        }
    }
    return 1;
}

static void free_list(migration *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        plaint_buf_clear(&list[i].sql);
    }
    free(list);
}

static int load_dir(migration **out, size_t *count, const char *dir, plaint_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    migration *list = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = 0;
    char path[4096];
    unsigned char h[PLAINT_HASH_LEN];

    if (d == NULL) {
        return plaint_error_set(err, PLAINT_EIO, "cannot open migrations directory %s", dir);
    }
    for (;;) {
        e = readdir(d);
        if (e == NULL) {
            break;
        }
        if (e->d_name[0] == '.' || strstr(e->d_name, ".sql") == NULL) {
            continue;
        }
        if (!valid_name(e->d_name)) {
            rc = plaint_error_set(err, PLAINT_EIO,
                                  "%s/%s: migration file names must look like 0001_name.sql",
                                  dir, e->d_name);
            goto done;
        }
        if (n == cap) {
            size_t ncap = cap == 0 ? 16 : cap * 2;
            migration *nl = realloc(list, ncap * sizeof(*nl));
            if (nl == NULL) {
                rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
                goto done;
            }
            list = nl;
            cap = ncap;
        }
        memset(&list[n], 0, sizeof(list[n]));
        snprintf(list[n].name, sizeof(list[n].name), "%s", e->d_name);
        n++;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        rc = plaint_buf_read_file(&list[n - 1].sql, path, MIGRATION_MAX_BYTES, err);
        if (rc < 0) {
            goto done;
        }
        rc = plaint_sha256_digest(h, list[n - 1].sql.data, list[n - 1].sql.len, err);
        if (rc < 0) {
            goto done;
        }
        plaint_hex_encode(list[n - 1].sha, h, sizeof(h));
    }
    if (n > 1) {
        qsort(list, n, sizeof(*list), cmp_migration);
    }
    *out = list;
    *count = n;
    list = NULL;
done:
    closedir(d);
    if (list != NULL) {
        free_list(list, n);
    }
    return rc;
}

static const char *const SQL_BOOTSTRAP =
    "CREATE SCHEMA IF NOT EXISTS plaint_meta;"
    "CREATE TABLE IF NOT EXISTS plaint_meta.migration ("
    "  name text PRIMARY KEY,"
    "  sha256 text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now())";

static const char *const SQL_RECORD =
    "INSERT INTO plaint_meta.migration (name, sha256) VALUES ($1, $2)";

static int apply_one(PGconn *conn, const migration *m, plaint_error *err)
{
    PGresult *res;
    const char *vals[2] = {m->name, m->sha};
    int rc;
    char what[300];

    snprintf(what, sizeof(what), "migration %s", m->name);
    rc = plaint_pg_exec(conn, "BEGIN", what, err);
    if (rc < 0) {
        return rc;
    }
    /* The file is trusted project text, not user input: run it as a script. */
    res = PQexec(conn, m->sql.data);
    rc = plaint_pg_check(conn, res, what, err);
    if (rc < 0) {
        const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
        if (pos != NULL && err != NULL) {
            /* Name the line of the failing statement. */
            long off = strtol(pos, NULL, 10);
            unsigned long line = 1;
            long i;
            for (i = 0; i < off - 1 && (size_t)i < m->sql.len; i++) {
                line += m->sql.data[i] == '\n';
            }
            err->line = line;
        }
        rc = PLAINT_EDB;
    }
    PQclear(res);
    if (rc == 0) {
        /* A migration may SET LOCAL ROLE; the record is written as ourselves. */
        rc = plaint_pg_exec(conn, "RESET ROLE", what, err);
    }
    if (rc == 0) {
        res = PQexecParams(conn, SQL_RECORD, 2, NULL, vals, NULL, NULL, 0);
        rc = plaint_pg_check(conn, res, what, err);
        PQclear(res);
    }
    if (rc == 0) {
        rc = plaint_pg_exec(conn, "COMMIT", what, err);
    } else {
        plaint_error keep = *err;
        plaint_pg_exec(conn, "ROLLBACK", what, NULL);
        *err = keep;
    }
    return rc;
}

int plaint_migrate_run(plaint_migrate_result *out, plaint_db *admin, const char *dir,
                       void (*progress)(const char *name, void *arg), void *progress_arg,
                       plaint_error *err)
{
    PGconn *conn = admin->conn;
    migration *list = NULL;
    size_t n = 0;
    size_t i;
    int j;
    PGresult *applied = NULL;
    int locked = 0;
    int rc;
    char *seen = NULL;
    size_t last_applied = 0; /* one past the highest applied index */

    memset(out, 0, sizeof(*out));
    rc = load_dir(&list, &n, dir, err);
    if (rc < 0) {
        return rc;
    }
    rc = plaint_pg_exec(conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", "lock", err);
    if (rc < 0) {
        goto done;
    }
    locked = 1;
    rc = plaint_pg_exec(conn, SQL_BOOTSTRAP, "create migrations table", err);
    if (rc < 0) {
        goto done;
    }
    applied = PQexec(conn, "SELECT name, sha256 FROM plaint_meta.migration ORDER BY name");
    rc = plaint_pg_check(conn, applied, "read applied migrations", err);
    if (rc < 0) {
        goto done;
    }
    seen = calloc(n + 1, 1);
    if (seen == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        goto done;
    }
    /* Check everything before applying anything. */
    for (j = 0; j < PQntuples(applied); j++) {
        const char *name = PQgetvalue(applied, j, 0);
        const char *sha = PQgetvalue(applied, j, 1);
        migration key;
        migration *m;
        snprintf(key.name, sizeof(key.name), "%s", name);
        m = n > 0 ? bsearch(&key, list, n, sizeof(*list), cmp_migration) : NULL;
        if (m == NULL) {
            rc = plaint_error_set(err, PLAINT_EIO,
                                  "applied migration %s is missing from %s; migrations are "
                                  "forward-only and must never be removed",
                                  name, dir);
            goto done;
        }
        if (strcmp(m->sha, sha) != 0) {
            rc = plaint_error_set_at(err, PLAINT_EIO, m->name, 0, 0,
                                     "%s/%s has changed since it was applied (recorded SHA-256 "
                                     "%.12s..., file now %.12s...); applied migrations must "
                                     "never be edited: add a new one",
                                     dir, m->name, sha, m->sha);
            goto done;
        }
        seen[m - list] = 1;
        if ((size_t)(m - list) + 1 > last_applied) {
            last_applied = (size_t)(m - list) + 1;
        }
    }
    for (i = 0; i < n; i++) {
        if (seen[i]) {
            out->present++;
            continue;
        }
        if (i < last_applied) {
            rc = plaint_error_set_at(err, PLAINT_EIO, list[i].name, 0, 0,
                                     "%s/%s sorts before migrations already applied; new "
                                     "migrations must come after the last one",
                                     dir, list[i].name);
            goto done;
        }
        if (progress != NULL) {
            progress(list[i].name, progress_arg);
        }
        rc = apply_one(conn, &list[i], err);
        if (rc < 0) {
            goto done;
        }
        out->applied++;
    }
done:
    if (locked) {
        plaint_pg_exec(conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", "unlock", NULL);
    }
    PQclear(applied);
    free(seen);
    free_list(list, n);
    return rc;
}
