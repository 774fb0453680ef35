/* Users, role grants and API tokens: the projection tables of schemas/sql/0003_identity.sql. */
#include "plaint/identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"
#include "store/pg_util.h"

int plaint_identity_check_user_id(const char *user_id, plaint_error *err)
{
    size_t n = user_id != NULL ? strlen(user_id) : 0;
    size_t i;

    if (n == 0 || n > PLAINT_USER_ID_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "user", 0, 0,
                                   "a user id has 1 to %d characters", PLAINT_USER_ID_MAX);
    }
    for (i = 0; i < n; i++) {
        char c = user_id[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "user", 0, i + 1,
                                       "user id '%s': character %zu is not allowed (use a-z, 0-9 "
                                       "and, after the first, . _ -)",
                                       user_id, i + 1);
        }
    }
    return 0;
}

static int exec_params(plaint_db *db, const char *sql, int n, const char *const *vals,
                       const char *what, int *affected, plaint_error *err)
{
    PGresult *res = PQexecParams(db->conn, sql, n, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, what, err);

    if (rc == 0 && affected != NULL) {
        *affected = (int)strtol(PQcmdTuples(res), NULL, 10);
    }
    PQclear(res);
    return rc;
}

int plaint_identity_count_users(int64_t *out, plaint_db *db, plaint_error *err)
{
    PGresult *res = PQexec(db->conn, "SELECT count(*) FROM plaint.app_user");
    int rc = plaint_pg_check(db->conn, res, "count users", err);

    *out = rc == 0 ? plaint_pg_get_int8(res, 0, 0) : 0;
    PQclear(res);
    return rc;
}

static int load_roles(plaint_user *u, plaint_db *db, plaint_error *err)
{
    const char *vals[1] = {u->user_id};
    PGresult *res = PQexecParams(db->conn,
                                 "SELECT role FROM plaint.user_role WHERE user_id = $1 "
                                 "ORDER BY role",
                                 1, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "read roles", err);
    int i;

    u->nroles = 0;
    for (i = 0; rc == 0 && i < PQntuples(res) && u->nroles < PLAINT_MAX_ROLES; i++) {
        snprintf(u->roles[u->nroles++], sizeof(u->roles[0]), "%s", PQgetvalue(res, i, 0));
    }
    PQclear(res);
    return rc;
}

int plaint_identity_get_user(plaint_user *out, plaint_db *db, const char *user_id,
                             plaint_error *err)
{
    const char *vals[1] = {user_id};
    PGresult *res = PQexecParams(db->conn,
                                 "SELECT user_id, display_name, disabled FROM plaint.app_user "
                                 "WHERE user_id = $1",
                                 1, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "read user", err);

    memset(out, 0, sizeof(*out));
    if (rc == 0 && PQntuples(res) == 0) {
        rc = plaint_error_set_at(err, PLAINT_ENOTFOUND, "user", 0, 0, "no user '%s'", user_id);
    }
    if (rc == 0) {
        snprintf(out->user_id, sizeof(out->user_id), "%s", PQgetvalue(res, 0, 0));
        snprintf(out->display_name, sizeof(out->display_name), "%s", PQgetvalue(res, 0, 1));
        out->disabled = PQgetvalue(res, 0, 2)[0] == 't';
    }
    PQclear(res);
    if (rc == 0) {
        rc = load_roles(out, db, err);
    }
    return rc;
}

int plaint_identity_insert_user(plaint_db *db, const char *user_id, const char *display_name,
                                plaint_error *err)
{
    const char *vals[2] = {user_id, display_name};
    int n = 0;
    int rc = plaint_identity_check_user_id(user_id, err);

    if (rc == 0) {
        rc = exec_params(db,
                         "INSERT INTO plaint.app_user (user_id, display_name) VALUES ($1, $2) "
                         "ON CONFLICT (user_id) DO NOTHING",
                         2, vals, "add user", &n, err);
    }
    if (rc == 0 && n == 0) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "user", 0, 0, "user '%s' already exists",
                                 user_id);
    }
    return rc;
}

/* Runs a two-parameter statement about an existing user ($1 = user id); PLAINT_ENOTFOUND if
 * there is no such user. *changed: whether it affected a row. */
static int change_user(plaint_db *db, const char *user_id, const char *sql, const char *arg2,
                       const char *what, int *changed, plaint_error *err)
{
    const char *vals[2] = {user_id, arg2};
    plaint_user u;
    int n = 0;
    int rc = plaint_identity_get_user(&u, db, user_id, err);

    if (rc == 0) {
        rc = exec_params(db, sql, 2, vals, what, &n, err);
    }
    *changed = n > 0;
    return rc;
}

int plaint_identity_set_disabled(plaint_db *db, const char *user_id, int disabled, int *changed,
                                 plaint_error *err)
{
    return change_user(db, user_id,
                       "UPDATE plaint.app_user SET disabled = $2 WHERE user_id = $1 AND "
                       "disabled <> $2",
                       disabled ? "true" : "false", "disable user", changed, err);
}

int plaint_identity_grant(plaint_db *db, const char *user_id, const char *role, int *changed,
                          plaint_error *err)
{
    return change_user(db, user_id,
                       "INSERT INTO plaint.user_role (user_id, role) VALUES ($1, $2) "
                       "ON CONFLICT DO NOTHING",
                       role, "grant role", changed, err);
}

int plaint_identity_revoke(plaint_db *db, const char *user_id, const char *role, int *changed,
                           plaint_error *err)
{
    return change_user(db, user_id,
                       "DELETE FROM plaint.user_role WHERE user_id = $1 AND role = $2", role,
                       "revoke role", changed, err);
}

int plaint_identity_list_users(plaint_db *db, plaint_user_fn fn, void *arg, plaint_error *err)
{
    PGresult *res = PQexec(db->conn, "SELECT user_id FROM plaint.app_user ORDER BY user_id");
    int rc = plaint_pg_check(db->conn, res, "list users", err);
    int i;

    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        plaint_user u;
        rc = plaint_identity_get_user(&u, db, PQgetvalue(res, i, 0), err);
        if (rc == 0) {
            rc = fn(&u, arg, err);
        }
    }
    PQclear(res);
    return rc;
}

int plaint_identity_insert_token(plaint_db *db, const plaint_token_record *rec,
                                 const char *user_id, const char *label, plaint_error *err)
{
    const char *vals[5] = {rec->token_id, user_id, label, (const char *)rec->salt,
                           (const char *)rec->hash};
    int lens[5] = {0, 0, 0, PLAINT_TOKEN_SALT_LEN, PLAINT_HASH_LEN};
    int fmts[5] = {0, 0, 0, 1, 1};
    PGresult *res = PQexecParams(db->conn,
                                 "INSERT INTO plaint.api_token (token_id, user_id, label, salt, "
                                 "hash) VALUES ($1, $2, $3, $4, $5)",
                                 5, NULL, vals, lens, fmts, 0);
    int rc = plaint_pg_check(db->conn, res, "store token", err);

    PQclear(res);
    return rc;
}

int plaint_identity_revoke_token(plaint_db *db, const char *token_id,
                                 char user_id[PLAINT_USER_ID_MAX + 1], int *changed,
                                 plaint_error *err)
{
    plaint_token_record rec;
    const char *vals[1] = {token_id};
    int revoked = 0;
    int n = 0;
    int rc = plaint_identity_lookup_token(&rec, user_id, &revoked, db, token_id, err);

    if (rc == 0) {
        rc = exec_params(db,
                         "UPDATE plaint.api_token SET revoked_at = now() WHERE token_id = $1 AND "
                         "revoked_at IS NULL",
                         1, vals, "revoke token", &n, err);
    }
    *changed = n > 0;
    return rc;
}

int plaint_identity_lookup_token(plaint_token_record *rec, char user_id[PLAINT_USER_ID_MAX + 1],
                                 int *revoked, plaint_db *db, const char *token_id,
                                 plaint_error *err)
{
    const char *vals[1] = {token_id};
    PGresult *res = PQexecParams(db->conn,
                                 "SELECT user_id, salt, hash, revoked_at IS NOT NULL "
                                 "FROM plaint.api_token WHERE token_id = $1",
                                 1, NULL, vals, NULL, NULL, 1);
    int rc = plaint_pg_check(db->conn, res, "look up token", err);

    memset(rec, 0, sizeof(*rec));
    if (rc == 0 && PQntuples(res) == 0) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND, "no token %s", token_id);
    }
    if (rc == 0 && (PQgetlength(res, 0, 1) != PLAINT_TOKEN_SALT_LEN ||
                    PQgetlength(res, 0, 2) != PLAINT_HASH_LEN)) {
        rc = plaint_error_set(err, PLAINT_EDB, "token %s is malformed", token_id);
    }
    if (rc == 0) {
        snprintf(rec->token_id, sizeof(rec->token_id), "%s", token_id);
        memcpy(rec->salt, PQgetvalue(res, 0, 1), PLAINT_TOKEN_SALT_LEN);
        memcpy(rec->hash, PQgetvalue(res, 0, 2), PLAINT_HASH_LEN);
        snprintf(user_id, PLAINT_USER_ID_MAX + 1, "%s", PQgetvalue(res, 0, 0));
        *revoked = PQgetvalue(res, 0, 3)[0] != 0;
    }
    PQclear(res);
    return rc;
}

int plaint_identity_set_policy_hash(int *changed, plaint_db *db, const char *name,
                                    const char *sha256, plaint_error *err)
{
    const char *vals[2] = {name, sha256};
    int n = 0;
    int rc = exec_params(db,
                         "INSERT INTO plaint.policy_state (name, sha256) VALUES ($1, $2) "
                         "ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256 "
                         "WHERE plaint.policy_state.sha256 <> EXCLUDED.sha256",
                         2, vals, "record policy hash", &n, err);

    *changed = n > 0;
    return rc;
}

int plaint_identity_policy_hash_is(int *same, plaint_db *db, const char *name,
                                   const char *sha256, plaint_error *err)
{
    const char *vals[2] = {name, sha256};
    int n = 0;
    int rc = exec_params(db,
                         "SELECT 1 FROM plaint.policy_state WHERE name = $1 AND sha256 = $2",
                         2, vals, "read policy hash", &n, err);

    *same = n > 0;
    return rc;
}
