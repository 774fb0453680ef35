/* Users, role grants and API tokens in PostgreSQL (projections; the use cases in
 * app_identity.h also write each change to the ledger in the same transaction). */
#ifndef PLAINT_IDENTITY_H
#define PLAINT_IDENTITY_H

#include <stdint.h>

#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/token.h"

#define PLAINT_USER_ID_MAX 64
#define PLAINT_ROLE_MAX 64
#define PLAINT_MAX_ROLES 16

typedef struct plaint_user {
    char user_id[PLAINT_USER_ID_MAX + 1];
    char display_name[201];
    int disabled;
    size_t nroles;
    char roles[PLAINT_MAX_ROLES][PLAINT_ROLE_MAX + 1];
} plaint_user;

/* Checks the user id format: [a-z0-9][a-z0-9._-]{0,63}. PLAINT_EINVALID naming the field. */
PLAINT_EXTERN int plaint_identity_check_user_id(const char *user_id, plaint_error *err);

PLAINT_EXTERN int plaint_identity_count_users(int64_t *out, plaint_db *db, plaint_error *err);
/* PLAINT_ENOTFOUND if there is no such user. */
PLAINT_EXTERN int plaint_identity_get_user(plaint_user *out, plaint_db *db, const char *user_id,
                                           plaint_error *err);
/* PLAINT_EINVALID if the user exists already. */
PLAINT_EXTERN int plaint_identity_insert_user(plaint_db *db, const char *user_id,
                                              const char *display_name, plaint_error *err);
/* *changed: 0 when it already had that state. */
PLAINT_EXTERN int plaint_identity_set_disabled(plaint_db *db, const char *user_id, int disabled,
                                               int *changed, plaint_error *err);
PLAINT_EXTERN int plaint_identity_grant(plaint_db *db, const char *user_id, const char *role,
                                        int *changed, plaint_error *err);
PLAINT_EXTERN int plaint_identity_revoke(plaint_db *db, const char *user_id, const char *role,
                                         int *changed, plaint_error *err);

typedef int (*plaint_user_fn)(const plaint_user *u, void *arg, plaint_error *err);
PLAINT_EXTERN int plaint_identity_list_users(plaint_db *db, plaint_user_fn fn, void *arg,
                                             plaint_error *err);

PLAINT_EXTERN int plaint_identity_insert_token(plaint_db *db, const plaint_token_record *rec,
                                               const char *user_id, const char *label,
                                               plaint_error *err);
/* *changed: 0 if it was already revoked. PLAINT_ENOTFOUND if there is no such token. */
PLAINT_EXTERN int plaint_identity_revoke_token(plaint_db *db, const char *token_id,
                                               char user_id[PLAINT_USER_ID_MAX + 1], int *changed,
                                               plaint_error *err);
/* PLAINT_ENOTFOUND if there is no such token. */
PLAINT_EXTERN int plaint_identity_lookup_token(plaint_token_record *rec,
                                               char user_id[PLAINT_USER_ID_MAX + 1], int *revoked,
                                               plaint_db *db, const char *token_id,
                                               plaint_error *err);

/* Records sha256 as the latest hash of policy file `name`; *changed: 1 if it differed. */
PLAINT_EXTERN int plaint_identity_set_policy_hash(int *changed, plaint_db *db, const char *name,
                                                  const char *sha256, plaint_error *err);

/* *same = 1 if the last recorded hash of policy file `name` is sha256 (a read, no lock). */
PLAINT_EXTERN int plaint_identity_policy_hash_is(int *same, plaint_db *db, const char *name,
                                                 const char *sha256, plaint_error *err);

#endif
