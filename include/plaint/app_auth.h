/* Who is acting, and may they: token authentication, RBAC decisions against policies/rbac.xml,
 * and the security log (denials as ledger events in the case "security-log"). */
#ifndef PLAINT_APP_AUTH_H
#define PLAINT_APP_AUTH_H

#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/identity.h"
#include "plaint/rbac.h"

/* The case that holds the security log: denials and failed authentications. */
#define PLAINT_SECURITY_LOG_CASE "security-log"

typedef struct plaint_actor {
    plaint_user user;
    int bootstrap; /* no user exists yet: the local operator acts, with every right */
    char acting_role[PLAINT_ROLE_MAX + 1]; /* the role that granted the last allowed action */
} plaint_actor;

typedef struct plaint_authz plaint_authz;

/* Loads and validates policies/rbac.xml (paths from cfg). Caller frees with plaint_authz_free. */
PLAINT_EXTERN int plaint_authz_open(plaint_authz **out, const plaint_config *cfg,
                                    plaint_error *err);
PLAINT_EXTERN void plaint_authz_free(plaint_authz *az);
/* The loaded policy (borrowed). */
PLAINT_EXTERN const plaint_rbac_policy *plaint_authz_policy(const plaint_authz *az);

/* Establishes the acting user from token (NULL or "" for none). With no token and no users,
 * the actor is the bootstrap operator. A missing, unknown, revoked or malformed token, or a
 * disabled user, is PLAINT_EDENIED, and is recorded in the security log. */
PLAINT_EXTERN int plaint_authn(plaint_actor *out, plaint_db *db, const char *token,
                               plaint_error *err);
/* plaint_authn, recording a refusal in the security log only if log_failure (the service stops
 * logging an address's failures beyond a limit: docs/api.md, "Authentication"). */
PLAINT_EXTERN int plaint_authn_opt(plaint_actor *out, plaint_db *db, const char *token,
                                   int log_failure, plaint_error *err);

/* Allows the action or denies it: a denial is PLAINT_EDENIED with the reason, changes nothing,
 * and is appended to the security log. ctx may be NULL (no ownership or separation facts).
 * Records a changed policy file on the ledger the first time it is used. On success sets
 * actor->acting_role. */
PLAINT_EXTERN int plaint_authz_require(plaint_authz *az, plaint_db *db, plaint_actor *actor,
                                       const char *action, const plaint_rbac_context *ctx,
                                       plaint_error *err);

/* Records a refusal that is not an RBAC decision (e.g. an erasure blocked by a legal hold) in
 * the security log as "access.denied", with err's message as the reason; keeps err's code and
 * message (adding a note if the log itself fails). Returns err's code. */
PLAINT_EXTERN int plaint_authz_log_refusal(plaint_db *db, const plaint_actor *actor,
                                           const char *action, plaint_error *err);

/* Appends event `type` with canonical JSON payload to case_id, written as the actor in their
 * acting role, inside the caller's transaction if one is open. */
PLAINT_EXTERN int plaint_app_record(plaint_db *db, const plaint_actor *actor, const char *case_id,
                                    const char *type, const char *payload, size_t payload_len,
                                    plaint_error *err);

/* Records a policy file's SHA-256 (hex) on the ledger ("policy.changed" on case "policy") when it
 * differs from the last one recorded for that file name; in its own transaction. */
PLAINT_EXTERN int plaint_app_record_policy(plaint_db *db, const plaint_actor *actor,
                                           const char *file, const char *sha256_hex,
                                           plaint_error *err);

#endif
