/* Identity use cases: each change to users, roles and tokens is one transaction that updates the
 * projection and appends a ledger event to the case "user:<id>". Callers authorise first. */
#ifndef PLAINT_APP_IDENTITY_H
#define PLAINT_APP_IDENTITY_H

#include "plaint/app_auth.h"
#include "plaint/token.h"

/* Adds a user with roles; with token_text not NULL also issues a token (shown once). In bootstrap
 * mode the first user must hold the admin role, or nobody could manage the system afterwards. */
PLAINT_EXTERN int plaint_app_user_add(plaint_db *db, const plaint_actor *actor,
                                      const plaint_rbac_policy *policy, const char *user_id,
                                      const char *display_name, const char *const *roles,
                                      size_t nroles, char *token_text, plaint_error *err);
PLAINT_EXTERN int plaint_app_user_disable(plaint_db *db, const plaint_actor *actor,
                                          const char *user_id, plaint_error *err);
/* grant = 1 grants, 0 revokes. The role must be declared by the policy. */
PLAINT_EXTERN int plaint_app_role_change(plaint_db *db, const plaint_actor *actor,
                                         const plaint_rbac_policy *policy, const char *user_id,
                                         const char *role, int grant, plaint_error *err);
PLAINT_EXTERN int plaint_app_token_issue(char text[PLAINT_TOKEN_TEXT_LEN], plaint_db *db,
                                         const plaint_actor *actor, const char *user_id,
                                         const char *label, plaint_error *err);
PLAINT_EXTERN int plaint_app_token_revoke(plaint_db *db, const plaint_actor *actor,
                                          const char *token_id, plaint_error *err);

#endif
