/* Role-based access decisions: a policy of actions, role grants and separation-of-duties rules,
 * and allow/deny answers that say which rule decided and why. No I/O. */
#include "plaint/rbac.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef char rbac_name[PLAINT_RBAC_NAME_MAX + 1];

typedef struct rbac_role {
    rbac_name name;
    unsigned char grant[PLAINT_RBAC_MAX_ACTIONS]; /* a plaint_rbac_scope per action index */
} rbac_role;

typedef struct rbac_rule {
    rbac_name name;
    size_t action;         /* index into actions */
    size_t conflicts_with; /* index into actions */
} rbac_rule;

/* Fixed tables: a policy is small, and bounded tables keep the pure module free of growth
 * arithmetic. About 50 KiB per policy. */
struct plaint_rbac_policy {
    rbac_name actions[PLAINT_RBAC_MAX_ACTIONS];
    size_t nactions;
    rbac_role roles[PLAINT_RBAC_MAX_ROLES];
    size_t nroles;
    rbac_rule rules[PLAINT_RBAC_MAX_RULES];
    size_t nrules;
};

int plaint_rbac_policy_new(plaint_rbac_policy **out, plaint_error *err)
{
    plaint_rbac_policy *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory for an access policy");
    }
    *out = p;
    return 0;
}

void plaint_rbac_policy_free(plaint_rbac_policy *p)
{
    free(p);
}

static int name_char_ok(char c, int first)
{
    if (c >= 'a' && c <= 'z') {
        return 1;
    }
    if (first) {
        return 0;
    }
    return (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* what is "action", "role" or "rule", for the message. */
static int check_name(const char *what, const char *name, plaint_error *err)
{
    size_t i;

    if (name == NULL || name[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, what, 0, 0, "%s name is empty", what);
    }
    for (i = 0; name[i] != '\0'; i++) {
        if (i >= PLAINT_RBAC_NAME_MAX) {
            return plaint_error_set_at(err, PLAINT_EINVALID, what, 0, 0,
                                       "%s name \"%.32s...\" is longer than %d characters", what,
                                       name, PLAINT_RBAC_NAME_MAX);
        }
        if (!name_char_ok(name[i], i == 0)) {
            return plaint_error_set_at(err, PLAINT_EINVALID, what, 0, 0,
                                       "%s name \"%.63s\" must be [a-z][a-z0-9._-]*", what, name);
        }
    }
    return 0;
}

/* One of the policy's name tables: n names stride bytes apart, room for max. */
typedef struct name_table {
    const char *what; /* "action", "role" or "rule", for messages */
    const char *base;
    size_t stride;
    size_t n;
    size_t max;
} name_table;

static name_table actions_of(const plaint_rbac_policy *p)
{
    name_table t = {"action", p->actions[0], sizeof(p->actions[0]), p->nactions,
                    PLAINT_RBAC_MAX_ACTIONS};
    return t;
}

static name_table roles_of(const plaint_rbac_policy *p)
{
    name_table t = {"role", p->roles[0].name, sizeof(p->roles[0]), p->nroles,
                    PLAINT_RBAC_MAX_ROLES};
    return t;
}

static name_table rules_of(const plaint_rbac_policy *p)
{
    name_table t = {"rule", p->rules[0].name, sizeof(p->rules[0]), p->nrules,
                    PLAINT_RBAC_MAX_RULES};
    return t;
}

/* Sets *idx to the index of name in t; returns 1 if found. */
static int find_name(size_t *idx, name_table t, const char *name)
{
    size_t i;

    for (i = 0; i < t.n; i++) {
        if (strcmp(t.base + i * t.stride, name) == 0) {
            *idx = i;
            return 1;
        }
    }
    return 0;
}

static int find_action(size_t *idx, const plaint_rbac_policy *p, const char *name)
{
    return find_name(idx, actions_of(p), name);
}

static int find_role(size_t *idx, const plaint_rbac_policy *p, const char *name)
{
    return find_name(idx, roles_of(p), name);
}

/* Checks name and sets *idx to its index in t, where it must be declared. */
static int find_declared(size_t *idx, name_table t, const char *name, plaint_error *err)
{
    int rc = check_name(t.what, name, err);

    if (rc < 0) {
        return rc;
    }
    if (!find_name(idx, t, name)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, t.what, 0, 0, "%s %s is not declared",
                                   t.what, name);
    }
    return 0;
}

/* Checks that name may be added to t: well formed, new, and t has room. */
static int check_new(name_table t, const char *name, plaint_error *err)
{
    size_t i;
    int rc = check_name(t.what, name, err);

    if (rc < 0) {
        return rc;
    }
    if (find_name(&i, t, name)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, t.what, 0, 0, "%s %s is declared twice",
                                   t.what, name);
    }
    if (t.n == t.max) {
        return plaint_error_set_at(err, PLAINT_EINVALID, t.what, 0, 0, "more than %zu %ss", t.max,
                                   t.what);
    }
    return 0;
}

int plaint_rbac_add_action(plaint_rbac_policy *p, const char *action, plaint_error *err)
{
    int rc = check_new(actions_of(p), action, err);

    if (rc < 0) {
        return rc;
    }
    memcpy(p->actions[p->nactions], action, strlen(action) + 1);
    p->nactions++;
    return 0;
}

int plaint_rbac_add_role(plaint_rbac_policy *p, const char *role, plaint_error *err)
{
    int rc = check_new(roles_of(p), role, err);

    if (rc < 0) {
        return rc;
    }
    memset(&p->roles[p->nroles], 0, sizeof(p->roles[0]));
    memcpy(p->roles[p->nroles].name, role, strlen(role) + 1);
    p->nroles++;
    return 0;
}

int plaint_rbac_allow(plaint_rbac_policy *p, const char *role, const char *action,
                      plaint_rbac_scope scope, plaint_error *err)
{
    size_t r;
    size_t a;
    int rc;

    if (scope != PLAINT_RBAC_SCOPE_OWN && scope != PLAINT_RBAC_SCOPE_ANY) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "scope", 0, 0,
                                   "a grant's scope must be own or any");
    }
    rc = find_declared(&r, roles_of(p), role, err);
    if (rc == 0) {
        rc = find_declared(&a, actions_of(p), action, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (p->roles[r].grant[a] != PLAINT_RBAC_SCOPE_NONE) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "action", 0, 0, "role %s allows %s twice",
                                   role, action);
    }
    p->roles[r].grant[a] = (unsigned char)scope;
    return 0;
}

int plaint_rbac_add_separation(plaint_rbac_policy *p, const char *name, const char *action,
                               const char *conflicts_with, plaint_error *err)
{
    rbac_rule rule;
    int rc = check_new(rules_of(p), name, err);

    memset(&rule, 0, sizeof(rule));
    if (rc == 0) {
        memcpy(rule.name, name, strlen(name) + 1);
        rc = find_declared(&rule.action, actions_of(p), action, err);
    }
    if (rc == 0) {
        rc = find_declared(&rule.conflicts_with, actions_of(p), conflicts_with, err);
    }
    if (rc < 0) {
        return rc;
    }
    p->rules[p->nrules] = rule;
    p->nrules++;
    return 0;
}

/* Fills out as a deny/allow by rule, naming rule_name (may be NULL), with a printf reason.
 * Control characters in caller-supplied ids become '?' so the reason stays one line. */
static void decide_as(plaint_rbac_decision *out, int allowed, plaint_rbac_rule rule,
                      const char *rule_name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void decide_as(plaint_rbac_decision *out, int allowed, plaint_rbac_rule rule,
                      const char *rule_name, const char *fmt, ...)
{
    va_list ap;
    size_t i;

    out->allowed = allowed;
    out->rule = rule;
    out->rule_name[0] = '\0';
    if (rule_name != NULL) {
        snprintf(out->rule_name, sizeof(out->rule_name), "%s", rule_name);
    }
    va_start(ap, fmt);
    /* A truncated reason is acceptable: the buffer is fixed by design. */
    vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
    va_end(ap);
    for (i = 0; out->reason[i] != '\0'; i++) {
        if ((unsigned char)out->reason[i] < 0x20 || out->reason[i] == 0x7f) {
            out->reason[i] = '?';
        }
    }
}

/* "intake_agent, auditor" (truncated to fit), or "no roles". */
static void join_roles(char *buf, size_t cap, const char *const *roles, size_t nroles)
{
    size_t len = 0;
    size_t i;

    buf[0] = '\0';
    if (nroles == 0) {
        snprintf(buf, cap, "no roles");
        return;
    }
    for (i = 0; i < nroles && len + 1 < cap; i++) {
        int n = snprintf(buf + len, cap - len, "%s%s", i > 0 ? ", " : "", roles[i]);
        if (n < 0) {
            break;
        }
        len += (size_t)n;
    }
}

static int check_request(const plaint_rbac_policy *p, const char *const *roles, size_t nroles,
                         const char *action, const plaint_rbac_context *ctx, plaint_error *err)
{
    size_t i;

    if (p == NULL || action == NULL || ctx == NULL || ctx->user_id == NULL ||
        ctx->user_id[0] == '\0') {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "access decision needs a policy, an action and a user id");
    }
    if ((nroles > 0 && roles == NULL) || (ctx->nfacts > 0 && ctx->facts == NULL)) {
        return plaint_error_set(err, PLAINT_EINVALID, "access decision: NULL roles or facts");
    }
    for (i = 0; i < nroles; i++) {
        if (roles[i] == NULL) {
            return plaint_error_set(err, PLAINT_EINVALID, "access decision: role %zu is NULL", i);
        }
    }
    for (i = 0; i < ctx->nfacts; i++) {
        if (ctx->facts[i].action == NULL || ctx->facts[i].user_id == NULL) {
            return plaint_error_set(err, PLAINT_EINVALID,
                                    "access decision: fact %zu lacks an action or a user", i);
        }
    }
    return 0;
}

/* The first separation rule on action a that ctx's facts break, or NULL. */
static const rbac_rule *broken_rule(const plaint_rbac_policy *p, size_t a,
                                    const plaint_rbac_context *ctx)
{
    size_t r;
    size_t f;

    for (r = 0; r < p->nrules; r++) {
        const rbac_rule *rule = &p->rules[r];
        if (rule->action != a) {
            continue;
        }
        for (f = 0; f < ctx->nfacts; f++) {
            if (strcmp(ctx->facts[f].user_id, ctx->user_id) == 0 &&
                strcmp(ctx->facts[f].action, p->actions[rule->conflicts_with]) == 0) {
                return rule;
            }
        }
    }
    return NULL;
}

int plaint_rbac_decide(plaint_rbac_decision *out, const plaint_rbac_policy *p,
                       const char *const *roles, size_t nroles, const char *action,
                       const plaint_rbac_context *ctx, plaint_error *err)
{
    plaint_rbac_scope best = PLAINT_RBAC_SCOPE_NONE;
    const char *granting = NULL;
    const rbac_rule *rule;
    char list[160];
    size_t a;
    size_t i;
    int rc;

    rc = check_request(p, roles, nroles, action, ctx, err);
    if (rc < 0) {
        decide_as(out, 0, PLAINT_RBAC_RULE_NONE, NULL, "invalid access request");
        return rc;
    }
    if (!find_action(&a, p, action)) {
        decide_as(out, 0, PLAINT_RBAC_RULE_UNKNOWN_ACTION, NULL, "unknown action %.64s", action);
        return 0;
    }
    for (i = 0; i < nroles; i++) {
        size_t r;
        if (find_role(&r, p, roles[i]) && p->roles[r].grant[a] > best) {
            best = (plaint_rbac_scope)p->roles[r].grant[a];
            granting = p->roles[r].name;
        }
    }
    if (best == PLAINT_RBAC_SCOPE_NONE) {
        join_roles(list, sizeof(list), roles, nroles);
        decide_as(out, 0, PLAINT_RBAC_RULE_NO_GRANT, NULL, "no role of user %s (%s) grants %s",
                  ctx->user_id, list, action);
        return 0;
    }
    if (best == PLAINT_RBAC_SCOPE_OWN &&
        (ctx->owner_id == NULL || strcmp(ctx->owner_id, ctx->user_id) != 0)) {
        decide_as(out, 0, PLAINT_RBAC_RULE_NOT_OWNER, granting,
                  "role %s may %s only on own objects, and %s does not own this one", granting,
                  action, ctx->user_id);
        return 0;
    }
    rule = broken_rule(p, a, ctx);
    if (rule != NULL) {
        decide_as(out, 0, PLAINT_RBAC_RULE_SEPARATION, rule->name,
                  "separation of duties (%s): %s did %s on this object and may not also %s it",
                  rule->name, ctx->user_id, p->actions[rule->conflicts_with], action);
        return 0;
    }
    if (best == PLAINT_RBAC_SCOPE_OWN) {
        decide_as(out, 1, PLAINT_RBAC_RULE_GRANT_OWN, granting,
                  "role %s may %s on own objects, and %s owns this one", granting, action,
                  ctx->user_id);
        return 0;
    }
    decide_as(out, 1, PLAINT_RBAC_RULE_GRANT, granting, "role %s may %s", granting, action);
    return 0;
}

size_t plaint_rbac_count_actions(const plaint_rbac_policy *p)
{
    return p->nactions;
}

const char *plaint_rbac_get_action(const plaint_rbac_policy *p, size_t i)
{
    return i < p->nactions ? p->actions[i] : NULL;
}

size_t plaint_rbac_count_roles(const plaint_rbac_policy *p)
{
    return p->nroles;
}

const char *plaint_rbac_get_role(const plaint_rbac_policy *p, size_t i)
{
    return i < p->nroles ? p->roles[i].name : NULL;
}

size_t plaint_rbac_count_separations(const plaint_rbac_policy *p)
{
    return p->nrules;
}

int plaint_rbac_get_separation(plaint_rbac_separation *out, const plaint_rbac_policy *p, size_t i,
                               plaint_error *err)
{
    if (i >= p->nrules) {
        return plaint_error_set(err, PLAINT_ENOTFOUND, "no separation rule %zu", i);
    }
    out->name = p->rules[i].name;
    out->action = p->actions[p->rules[i].action];
    out->conflicts_with = p->actions[p->rules[i].conflicts_with];
    return 0;
}

plaint_rbac_scope plaint_rbac_get_grant(const plaint_rbac_policy *p, const char *role,
                                        const char *action)
{
    size_t r;
    size_t a;

    if (role == NULL || action == NULL || !find_role(&r, p, role) || !find_action(&a, p, action)) {
        return PLAINT_RBAC_SCOPE_NONE;
    }
    return (plaint_rbac_scope)p->roles[r].grant[a];
}
