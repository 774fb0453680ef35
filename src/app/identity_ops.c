/* Identity use cases: projection change and ledger event in one transaction. */
#include "plaint/app_identity.h"

#include <stdio.h>
#include <string.h>

#include "plaint/jcs.h"
#include "plaint/ledger.h"

/* Appends {"<k1>":"<v1>"[,"<k2>":"<v2>"]} as event `type` on case user:<user_id>. Keys must be
 * given in sorted order (they are fixed strings here). */
static int record(plaint_db *db, const plaint_actor *actor, const char *user_id,
                  const char *type, const char *k1, const char *v1, const char *k2,
                  const char *v2, plaint_error *err)
{
    plaint_buf payload = PLAINT_BUF_INIT;
    char case_id[PLAINT_USER_ID_MAX + 8];
    int rc = plaint_buf_append_str(&payload, "{\"", err);

    if (rc == 0) {
        rc = plaint_buf_printf(&payload, err, "%s\":", k1);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(&payload, v1, strlen(v1), err);
    }
    if (rc == 0 && k2 != NULL) {
        rc = plaint_buf_printf(&payload, err, ",\"%s\":", k2);
        if (rc == 0) {
            rc = plaint_jcs_append_string(&payload, v2, strlen(v2), err);
        }
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&payload, "}", err);
    }
    if (rc == 0) {
        snprintf(case_id, sizeof(case_id), "user:%s", user_id);
        rc = plaint_app_record(db, actor, case_id, type, payload.data, payload.len, err);
    }
    plaint_buf_clear(&payload);
    return rc;
}

static int role_declared(const plaint_rbac_policy *policy, const char *role, plaint_error *err)
{
    size_t i;

    for (i = 0; i < plaint_rbac_count_roles(policy); i++) {
        if (strcmp(plaint_rbac_get_role(policy, i), role) == 0) {
            return 0;
        }
    }
    return plaint_error_set_at(err, PLAINT_EINVALID, "role", 0, 0,
                               "unknown role '%s' (see policies/rbac.xml)", role);
}

static int issue_in_tx(char *text, plaint_db *db, const plaint_actor *actor, const char *user_id,
                       const char *label, plaint_error *err)
{
    plaint_token_record rec;
    int rc = plaint_token_generate(text, &rec, err);

    if (rc == 0) {
        rc = plaint_identity_insert_token(db, &rec, user_id, label, err);
    }
    if (rc == 0) {
        rc = record(db, actor, user_id, "token.issued", "label", label, "token_id", rec.token_id,
                    err);
    }
    return rc;
}

int plaint_app_user_add(plaint_db *db, const plaint_actor *actor,
                        const plaint_rbac_policy *policy, const char *user_id,
                        const char *display_name, const char *const *roles, size_t nroles,
                        char *token_text, plaint_error *err)
{
    size_t i;
    int admin = 0;
    int changed = 0;
    int rc = plaint_identity_check_user_id(user_id, err);

    for (i = 0; rc == 0 && i < nroles; i++) {
        rc = role_declared(policy, roles[i], err);
        admin |= strcmp(roles[i], "admin") == 0;
    }
    if (rc == 0 && actor->bootstrap && (!admin || token_text == NULL)) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "role", 0, 0,
                                 "the first user must hold the admin role and get a token "
                                 "(--role admin --issue-token), or nobody could manage plaint");
    }
    if (rc < 0) {
        return rc;
    }
    rc = plaint_db_begin(db, err);
    if (rc == 0) {
        rc = plaint_identity_insert_user(db, user_id, display_name, err);
    }
    if (rc == 0) {
        rc = record(db, actor, user_id, "user.created", "user", user_id, NULL, NULL, err);
    }
    for (i = 0; rc == 0 && i < nroles; i++) {
        rc = plaint_identity_grant(db, user_id, roles[i], &changed, err);
        if (rc == 0 && changed) {
            rc = record(db, actor, user_id, "role.granted", "role", roles[i], NULL, NULL, err);
        }
    }
    if (rc == 0 && token_text != NULL) {
        rc = issue_in_tx(token_text, db, actor, user_id, "initial", err);
    }
    return plaint_db_finish(db, rc, err);
}

int plaint_app_user_disable(plaint_db *db, const plaint_actor *actor, const char *user_id,
                            plaint_error *err)
{
    int changed = 0;
    int rc = plaint_db_begin(db, err);

    if (rc == 0) {
        rc = plaint_identity_set_disabled(db, user_id, 1, &changed, err);
    }
    if (rc == 0 && changed) {
        rc = record(db, actor, user_id, "user.disabled", "user", user_id, NULL, NULL, err);
    }
    return plaint_db_finish(db, rc, err);
}

int plaint_app_role_change(plaint_db *db, const plaint_actor *actor,
                           const plaint_rbac_policy *policy, const char *user_id,
                           const char *role, int grant, plaint_error *err)
{
    int changed = 0;
    int rc = role_declared(policy, role, err);

    if (rc == 0) {
        rc = plaint_db_begin(db, err);
        if (rc == 0) {
            rc = grant ? plaint_identity_grant(db, user_id, role, &changed, err)
                       : plaint_identity_revoke(db, user_id, role, &changed, err);
        }
        if (rc == 0 && changed) {
            rc = record(db, actor, user_id, grant ? "role.granted" : "role.revoked", "role", role,
                        NULL, NULL, err);
        }
        rc = plaint_db_finish(db, rc, err);
    }
    return rc;
}

int plaint_app_token_issue(char text[PLAINT_TOKEN_TEXT_LEN], plaint_db *db,
                           const plaint_actor *actor, const char *user_id, const char *label,
                           plaint_error *err)
{
    plaint_user u;
    int rc = plaint_identity_get_user(&u, db, user_id, err);

    if (rc == 0 && u.disabled) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "user", 0, 0, "user %s is disabled",
                                 user_id);
    }
    if (rc == 0) {
        rc = plaint_db_begin(db, err);
        if (rc == 0) {
            rc = issue_in_tx(text, db, actor, user_id, label, err);
        }
        rc = plaint_db_finish(db, rc, err);
    }
    return rc;
}

int plaint_app_token_revoke(plaint_db *db, const plaint_actor *actor, const char *token_id,
                            plaint_error *err)
{
    char user_id[PLAINT_USER_ID_MAX + 1];
    int changed = 0;
    int rc = plaint_db_begin(db, err);

    if (rc == 0) {
        rc = plaint_identity_revoke_token(db, token_id, user_id, &changed, err);
    }
    if (rc == 0 && changed) {
        rc = record(db, actor, user_id, "token.revoked", "token_id", token_id, NULL, NULL, err);
    }
    return plaint_db_finish(db, rc, err);
}
