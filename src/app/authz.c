/* Authentication by token, authorisation by policy, and the security log of denials. */
#include "plaint/app_auth.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/app_ledger.h"
#include "plaint/buf.h"
#include "plaint/jcs.h"
#include "plaint/ledger.h"
#include "plaint/policy_xml.h"

struct plaint_authz {
    plaint_rbac_policy *policy;
    char sha256[2 * PLAINT_HASH_LEN + 1];
    int recorded; /* the policy's hash has been checked against the ledger */
};

int plaint_authz_open(plaint_authz **out, const plaint_config *cfg, plaint_error *err)
{
    char xml[PLAINT_CONFIG_PATH_MAX + 16];
    char xsd[PLAINT_CONFIG_PATH_MAX + 16];
    unsigned char h[PLAINT_HASH_LEN];
    plaint_authz *az = calloc(1, sizeof(*az));
    int rc = az == NULL ? plaint_error_set(err, PLAINT_ENOMEM, "out of memory") : 0;

    snprintf(xml, sizeof(xml), "%s/rbac.xml", cfg->policy_dir);
    snprintf(xsd, sizeof(xsd), "%s/rbac.xsd", cfg->xsd_dir);
    if (rc == 0) {
        /* the hash of the very bytes that were validated, recorded on the ledger when it changes */
        rc = plaint_policy_load_rbac(&az->policy, h, xml, xsd, err);
    }
    if (rc < 0) {
        plaint_authz_free(az);
        return rc;
    }
    plaint_hex_encode(az->sha256, h, PLAINT_HASH_LEN);
    *out = az;
    return 0;
}

void plaint_authz_free(plaint_authz *az)
{
    if (az == NULL) {
        return;
    }
    plaint_rbac_policy_free(az->policy);
    free(az);
}

const plaint_rbac_policy *plaint_authz_policy(const plaint_authz *az)
{
    return az->policy;
}

/* Appends one security-log event in its own transaction; never turns a denial into another
 * error (a failure to log is reported on top of the denial). */
static void log_security(plaint_db *db, const char *actor, const char *role, const char *type,
                         const char *action, const char *reason, plaint_error *err)
{
    plaint_append_req req;
    plaint_append_result res;
    plaint_buf payload = PLAINT_BUF_INIT;
    plaint_error sub;
    int rc;

    plaint_error_init(&sub);
    rc = plaint_buf_append_str(&payload, "{\"action\":", &sub);
    if (rc == 0) {
        rc = plaint_jcs_append_string(&payload, action, strlen(action), &sub);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&payload, ",\"reason\":", &sub);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(&payload, reason, strlen(reason), &sub);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&payload, "}", &sub);
    }
    if (rc == 0) {
        memset(&req, 0, sizeof(req));
        req.case_id = PLAINT_SECURITY_LOG_CASE;
        req.type = type;
        req.actor = actor;
        req.role = role;
        req.payload = payload.data;
        req.payload_len = payload.len;
        rc = plaint_ledger_append(&res, db, &req, &sub);
    }
    if (rc < 0 && err != NULL) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof(err->message) - n,
                 " (and it could not be written to the security log: %s)", sub.message);
    }
    plaint_buf_clear(&payload);
}

static int deny(plaint_db *db, const char *actor, const char *role, const char *type,
                const char *action, plaint_error *err, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static int deny(plaint_db *db, const char *actor, const char *role, const char *type,
                const char *action, plaint_error *err, const char *fmt, ...)
{
    char reason[PLAINT_RBAC_REASON_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    plaint_error_set(err, PLAINT_EDENIED, "permission denied: %s", reason);
    if (db != NULL) {
        log_security(db, actor, role, type, action, reason, err);
    }
    return PLAINT_EDENIED;
}

int plaint_authn(plaint_actor *out, plaint_db *db, const char *token, plaint_error *err)
{
    return plaint_authn_opt(out, db, token, 1, err);
}

int plaint_authn_opt(plaint_actor *out, plaint_db *db, const char *token, int log_failure,
                     plaint_error *err)
{
    plaint_db *logdb = log_failure ? db : NULL; /* deny() logs only with a connection */
    char id[PLAINT_TOKEN_ID_LEN + 1];
    char user_id[PLAINT_USER_ID_MAX + 1];
    plaint_token_record rec;
    int64_t users = 0;
    int revoked = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (token == NULL || token[0] == '\0') {
        rc = plaint_identity_count_users(&users, db, err);
        if (rc < 0) {
            return rc;
        }
        if (users == 0) {
            out->bootstrap = 1;
            snprintf(out->user.user_id, sizeof(out->user.user_id), "bootstrap");
            snprintf(out->acting_role, sizeof(out->acting_role), "bootstrap");
            return 0;
        }
        return deny(logdb, "anonymous", "-", "auth.failed", "authenticate", err,
                    "a token is required (set PLAINT_TOKEN or use --token)");
    }
    if (plaint_token_parse_id(id, token, NULL) < 0) {
        return deny(logdb, "anonymous", "-", "auth.failed", "authenticate", err,
                    "the token is not valid");
    }
    rc = plaint_identity_lookup_token(&rec, user_id, &revoked, db, id, err);
    if (rc == PLAINT_ENOTFOUND || (rc == 0 && plaint_token_check(token, &rec, NULL) < 0)) {
        return deny(logdb, "anonymous", "-", "auth.failed", "authenticate", err,
                    "the token is not valid (token id %s)", id);
    }
    if (rc < 0) {
        return rc;
    }
    if (revoked) {
        return deny(logdb, user_id, "-", "auth.failed", "authenticate", err,
                    "token %s of user %s has been revoked", id, user_id);
    }
    rc = plaint_identity_get_user(&out->user, db, user_id, err);
    if (rc < 0) {
        return rc;
    }
    if (out->user.disabled) {
        return deny(logdb, user_id, "-", "auth.failed", "authenticate", err,
                    "user %s is disabled", user_id);
    }
    return 0;
}

int plaint_app_record_policy(plaint_db *db, const plaint_actor *actor, const char *file,
                             const char *sha256_hex, plaint_error *err)
{
    plaint_append_req req;
    plaint_append_result res;
    char payload[256];
    int changed = 0;
    int same = 0;
    int rc = plaint_identity_policy_hash_is(&same, db, file, sha256_hex, err);

    /* the common case, unchanged, costs one read and no commit */
    if (rc != 0 || same) {
        return rc;
    }
    rc = plaint_db_begin(db, err);

    if (rc == 0) {
        rc = plaint_identity_set_policy_hash(&changed, db, file, sha256_hex, err);
    }
    if (rc == 0 && changed) {
        snprintf(payload, sizeof(payload), "{\"file\":\"%s\",\"sha256\":\"%s\"}", file,
                 sha256_hex);
        memset(&req, 0, sizeof(req));
        req.case_id = "policy";
        req.type = "policy.changed";
        req.actor = actor->user.user_id;
        req.role = actor->bootstrap ? "bootstrap" : "system";
        req.payload = payload;
        req.payload_len = strlen(payload);
        rc = plaint_ledger_append(&res, db, &req, err);
    }
    return plaint_db_finish(db, rc, err);
}

/* Records the RBAC policy's hash on the ledger when it differs from the last one recorded. */
static int record_policy(plaint_authz *az, plaint_db *db, const plaint_actor *actor,
                         plaint_error *err)
{
    int rc;

    if (az->recorded) {
        return 0;
    }
    rc = plaint_app_record_policy(db, actor, "rbac.xml", az->sha256, err);
    if (rc == 0) {
        az->recorded = 1;
    }
    return rc;
}

int plaint_authz_require(plaint_authz *az, plaint_db *db, plaint_actor *actor,
                         const char *action, const plaint_rbac_context *ctx, plaint_error *err)
{
    plaint_rbac_decision d;
    plaint_rbac_context own;
    const char *roles[PLAINT_MAX_ROLES];
    char role_list[PLAINT_MAX_ROLES * (PLAINT_ROLE_MAX + 1) + 1];
    size_t i;
    size_t used = 0;
    int rc;

    if (actor->bootstrap) {
        /* No users yet: the policy is not in force (and not yet recorded). */
        snprintf(actor->acting_role, sizeof(actor->acting_role), "bootstrap");
        return 0;
    }
    rc = record_policy(az, db, actor, err);
    if (rc < 0) {
        return rc;
    }
    role_list[0] = '\0';
    for (i = 0; i < actor->user.nroles; i++) {
        int k = snprintf(role_list + used, sizeof(role_list) - used, "%s%s", i > 0 ? "," : "",
                         actor->user.roles[i]);
        roles[i] = actor->user.roles[i];
        if (k > 0 && (size_t)k < sizeof(role_list) - used) {
            used += (size_t)k;
        }
    }
    if (ctx == NULL) {
        memset(&own, 0, sizeof(own));
        own.user_id = actor->user.user_id;
        ctx = &own;
    }
    rc = plaint_rbac_decide(&d, az->policy, roles, actor->user.nroles, action, ctx, err);
    if (rc < 0) {
        return rc;
    }
    if (!d.allowed) {
        return deny(db, actor->user.user_id, role_list[0] != '\0' ? role_list : "-",
                    "access.denied", action, err, "%s", d.reason);
    }
    snprintf(actor->acting_role, sizeof(actor->acting_role), "%s", d.rule_name);
    return 0;
}

int plaint_app_record(plaint_db *db, const plaint_actor *actor, const char *case_id,
                      const char *type, const char *payload, size_t payload_len,
                      plaint_error *err)
{
    plaint_append_req req;
    plaint_append_result res;

    memset(&req, 0, sizeof(req));
    req.case_id = case_id;
    req.type = type;
    req.actor = actor->user.user_id;
    req.role = actor->acting_role[0] != '\0' ? actor->acting_role : "-";
    req.payload = payload;
    req.payload_len = payload_len;
    return plaint_ledger_append(&res, db, &req, err);
}

int plaint_authz_log_refusal(plaint_db *db, const plaint_actor *actor, const char *action,
                             plaint_error *err)
{
    char reason[sizeof(err->message)];

    snprintf(reason, sizeof(reason), "%s", err->message);
    log_security(db, actor->user.user_id, actor->acting_role[0] != '\0' ? actor->acting_role : "-",
                 "access.denied", action, reason, err);
    return err->code;
}
