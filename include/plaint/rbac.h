/* Role-based access decisions: which roles may take which actions, separation of duties, and
 * the reason for every allow or deny. Pure logic; policies/rbac.xml is loaded by policy_xml.h. */
#ifndef PLAINT_RBAC_H
#define PLAINT_RBAC_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, shared with schemas/xml/rbac.xsd. Names are 1..63 characters of [a-z0-9._-] starting
 * with a letter. */
#define PLAINT_RBAC_NAME_MAX    63
#define PLAINT_RBAC_MAX_ACTIONS 256
#define PLAINT_RBAC_MAX_ROLES   64
#define PLAINT_RBAC_MAX_RULES   64
#define PLAINT_RBAC_REASON_LEN  256

typedef struct plaint_rbac_policy plaint_rbac_policy;

/* How far a role's grant of an action reaches; ordered, a larger value grants more. */
typedef enum plaint_rbac_scope {
    PLAINT_RBAC_SCOPE_NONE = 0, /* not granted */
    PLAINT_RBAC_SCOPE_OWN = 1,  /* only on objects the acting user owns */
    PLAINT_RBAC_SCOPE_ANY = 2   /* on any object */
} plaint_rbac_scope;

/* The rule that decided. */
typedef enum plaint_rbac_rule {
    PLAINT_RBAC_RULE_NONE = 0,      /* nothing decided: invalid arguments (denied) */
    PLAINT_RBAC_RULE_GRANT,         /* allowed: a role grants the action */
    PLAINT_RBAC_RULE_GRANT_OWN,     /* allowed: a role grants it on own objects; user owns it */
    PLAINT_RBAC_RULE_NO_GRANT,      /* denied: none of the user's roles grants it */
    PLAINT_RBAC_RULE_NOT_OWNER,     /* denied: granted only on own objects; user is not owner */
    PLAINT_RBAC_RULE_SEPARATION,    /* denied: a separation-of-duties rule */
    PLAINT_RBAC_RULE_UNKNOWN_ACTION /* denied: the policy does not declare the action */
} plaint_rbac_rule;

/* Something already recorded on the object: user_id took action on it. */
typedef struct plaint_rbac_fact {
    const char *action;  /* e.g. "refund.request" */
    const char *user_id; /* who took it */
} plaint_rbac_fact;

/* What the decision is about; filled by the caller, all pointers borrowed for the call. */
typedef struct plaint_rbac_context {
    const char *user_id;           /* the acting user; required, not empty */
    const char *owner_id;          /* the object's owner (assignee), NULL if none or unknown */
    const plaint_rbac_fact *facts; /* the object's history relevant to separation of duties */
    size_t nfacts;
} plaint_rbac_context;

/* An allow or deny with its explanation, e.g. reason "role finance_manager may refund.approve"
 * or "separation of duties (refund-four-eyes): u1 did refund.request on this object and may
 * not also refund.approve it". */
typedef struct plaint_rbac_decision {
    int allowed;                              /* 1 allow, 0 deny */
    plaint_rbac_rule rule;                    /* what decided */
    char rule_name[PLAINT_RBAC_NAME_MAX + 1]; /* the granting role or separation rule; "" if none */
    char reason[PLAINT_RBAC_REASON_LEN];      /* one line for logs and error messages */
} plaint_rbac_decision;

/* A separation-of-duties rule: whoever took conflicts_with on an object may not take action on
 * it. Strings borrowed, valid until the policy is freed. */
typedef struct plaint_rbac_separation {
    const char *name;
    const char *action;
    const char *conflicts_with;
} plaint_rbac_separation;

/* An empty policy (denies everything). Caller frees with plaint_rbac_policy_free.
 * PLAINT_ENOMEM on failure. */
PLAINT_EXTERN int plaint_rbac_policy_new(plaint_rbac_policy **out, plaint_error *err);
PLAINT_EXTERN void plaint_rbac_policy_free(plaint_rbac_policy *p);

/* Builders. Each returns 0, or PLAINT_EINVALID for a malformed or duplicate name, a name that
 * is not declared (actions before roles and rules that use them), or a full table. On failure
 * the policy is unchanged. */
PLAINT_EXTERN int plaint_rbac_add_action(plaint_rbac_policy *p, const char *action,
                                         plaint_error *err);
PLAINT_EXTERN int plaint_rbac_add_role(plaint_rbac_policy *p, const char *role, plaint_error *err);
/* Grants role the action with scope OWN or ANY; granting a pair twice is PLAINT_EINVALID. */
PLAINT_EXTERN int plaint_rbac_allow(plaint_rbac_policy *p, const char *role, const char *action,
                                    plaint_rbac_scope scope, plaint_error *err);
/* Adds rule name: a user who took conflicts_with on an object may not take action on it. */
PLAINT_EXTERN int plaint_rbac_add_separation(plaint_rbac_policy *p, const char *name,
                                             const char *action, const char *conflicts_with,
                                             plaint_error *err);

/* Decides whether a user holding roles[0..nroles) may take action in ctx. Roles the policy does
 * not know grant nothing. Order: unknown action, then grants (an ANY grant beats an OWN grant,
 * which needs ctx->owner_id == ctx->user_id), then separation rules against ctx->facts.
 * Returns 0 with *out filled (allowed or not), or PLAINT_EINVALID for a NULL action, missing or
 * empty user id, or a fact without action or user; *out is then a deny with rule
 * PLAINT_RBAC_RULE_NONE. */
PLAINT_EXTERN int plaint_rbac_decide(plaint_rbac_decision *out, const plaint_rbac_policy *p,
                                     const char *const *roles, size_t nroles, const char *action,
                                     const plaint_rbac_context *ctx, plaint_error *err);

/* Enumerators, in declaration order, for listings and table-driven tests. Names are borrowed,
 * valid until the policy is freed; an index out of range gives NULL. */
PLAINT_EXTERN size_t plaint_rbac_count_actions(const plaint_rbac_policy *p);
PLAINT_EXTERN const char *plaint_rbac_get_action(const plaint_rbac_policy *p, size_t i);
PLAINT_EXTERN size_t plaint_rbac_count_roles(const plaint_rbac_policy *p);
PLAINT_EXTERN const char *plaint_rbac_get_role(const plaint_rbac_policy *p, size_t i);
PLAINT_EXTERN size_t plaint_rbac_count_separations(const plaint_rbac_policy *p);
/* Fills *out with rule i; PLAINT_ENOTFOUND if i is out of range. */
PLAINT_EXTERN int plaint_rbac_get_separation(plaint_rbac_separation *out,
                                             const plaint_rbac_policy *p, size_t i,
                                             plaint_error *err);
/* The scope role grants action; PLAINT_RBAC_SCOPE_NONE if either is unknown. */
PLAINT_EXTERN plaint_rbac_scope plaint_rbac_get_grant(const plaint_rbac_policy *p, const char *role,
                                                      const char *action);

#ifdef __cplusplus
}
#endif
#endif
