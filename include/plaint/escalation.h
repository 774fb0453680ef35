/* Escalation of a complaint: named rules whose conditions (severity, SLA breach, customer tier,
 * regulated category, public channel, repeat complaints) decide whether a case goes up an
 * ordered escalation path (e.g. tier2 -> management -> special_handling), and how far. Pure
 * logic; policies/escalation.xml is loaded by plaint_policy_load_escalation
 * (src/policy/escalation_xml.c). Semantics: docs/policies.md, "Escalation". */
#ifndef PLAINT_ESCALATION_H
#define PLAINT_ESCALATION_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, shared with schemas/xml/escalation.xsd. Names (rules, targets, tiers, channels) are
 * 1..63 characters of [a-z0-9._-] starting with a letter; categories are 1..255 bytes without
 * control characters or spaces at either end, matched exactly. */
#define PLAINT_ESCALATION_NAME_MAX        63
#define PLAINT_ESCALATION_CATEGORY_MAX    255
#define PLAINT_ESCALATION_MAX_RULES       16 /* so a decision can name every rule */
#define PLAINT_ESCALATION_MAX_TARGETS     8
#define PLAINT_ESCALATION_MAX_LIST        64 /* regulated categories, public channels, tiers */
#define PLAINT_ESCALATION_MAX_WINDOW_DAYS 3660
#define PLAINT_ESCALATION_MAX_RECENT      1000000

/* An escalation rule, as given to plaint_escalation_add_rule (strings borrowed for the call,
 * copied). It matches when every condition it sets holds; it must set at least one. */
typedef struct plaint_escalation_rule {
    const char *name;
    const char *target; /* a target of the path, added before */
    /* the severity level is at least min_level ("low".."critical"); NULL: no such condition */
    const char *min_level;
    /* the severity score is at least min_score (1..100); 0: no such condition */
    int min_score;
    /* an SLA timer is breached: with ntimers > 0, one of timers ("first_response",
     * "summary_resolution", "final_response"); with ntimers == 0, any timer */
    int sla_breach;
    const char *const *timers;
    size_t ntimers;
    /* ntiers > 0: the customer's tier is one of tiers */
    const char *const *tiers;
    size_t ntiers;
    int regulated_category; /* 1: the category is one of the policy's regulated categories */
    int public_channel;     /* 1: the channel is one of the policy's public channels */
    /* > 0: the customer made at least this many complaints within the policy's repeat window,
     * this one included; 0: no such condition */
    int min_recent;
} plaint_escalation_rule;

/* What is known about the case. Strings are borrowed for the call. */
typedef struct plaint_escalation_facts {
    const char *severity_level; /* "low", "medium", "high" or "critical" */
    int severity_score;         /* 0..100 */
    /* NULL, or "first_response", "summary_resolution", "final_response" */
    const char *breached_timer;
    const char *customer_tier; /* e.g. "gold"; NULL if none */
    const char *category;      /* NULL if unknown */
    const char *channel;       /* NULL if unknown */
    /* by this customer within the policy's window (plaint_escalation_repeat_window_days),
     * including this one */
    int recent_complaints;
} plaint_escalation_facts;

/* The decision: every rule that matched (in policy order) and the highest target among them.
 * Strings are borrowed from the policy: valid until it is freed. */
typedef struct plaint_escalation_decision {
    int escalate;       /* 1 if any rule matched */
    const char *target; /* the highest target on the path among the matched rules; NULL if none */
    const char *rules[PLAINT_ESCALATION_MAX_RULES];
    size_t nrules;
} plaint_escalation_decision;

typedef struct plaint_escalation_policy plaint_escalation_policy;

/* An empty policy; usable once it has a target and a repeat window. Caller frees with
 * plaint_escalation_policy_free (NULL is a no-op). PLAINT_ENOMEM on failure. */
PLAINT_EXTERN int plaint_escalation_policy_new(plaint_escalation_policy **out, plaint_error *err);
PLAINT_EXTERN void plaint_escalation_policy_free(plaint_escalation_policy *p);

/* Builders; strings are copied. PLAINT_EINVALID (err->field set) for a malformed or duplicate
 * name, an unknown target, timer or level, a minimum score outside 0..100, a rule without any
 * condition,
 * a window outside 1..PLAINT_ESCALATION_MAX_WINDOW_DAYS; PLAINT_ERANGE past a limit;
 * PLAINT_ENOMEM. */
/* Targets are added in path order, lowest first. */
PLAINT_EXTERN int plaint_escalation_add_target(plaint_escalation_policy *p, const char *name,
                                               plaint_error *err);
PLAINT_EXTERN int plaint_escalation_add_regulated_category(plaint_escalation_policy *p,
                                                           const char *category, plaint_error *err);
PLAINT_EXTERN int plaint_escalation_add_public_channel(plaint_escalation_policy *p,
                                                       const char *channel, plaint_error *err);
PLAINT_EXTERN int plaint_escalation_set_repeat_window(plaint_escalation_policy *p, int days,
                                                      plaint_error *err);
PLAINT_EXTERN int plaint_escalation_add_rule(plaint_escalation_policy *p,
                                             const plaint_escalation_rule *r, plaint_error *err);

/* 0 if the policy is usable: at least one target and a repeat window; else PLAINT_EINVALID. */
PLAINT_EXTERN int plaint_escalation_policy_check(const plaint_escalation_policy *p,
                                                 plaint_error *err);

PLAINT_EXTERN size_t plaint_escalation_count_rules(const plaint_escalation_policy *p);
PLAINT_EXTERN size_t plaint_escalation_count_targets(const plaint_escalation_policy *p);
/* The i-th target of the path (0 = lowest), or NULL past the end; borrowed. */
PLAINT_EXTERN const char *plaint_escalation_target_at(const plaint_escalation_policy *p, size_t i);

/* Evaluates every rule against the facts. Returns 0 with *out filled (escalate 0, target NULL
 * and nrules 0 when no rule matches), or PLAINT_EINVALID (NULL arguments, a policy that fails
 * plaint_escalation_policy_check, an unknown severity level or breached timer, a score outside
 * 0..100, negative recent_complaints); on error *out is zeroed. */
PLAINT_EXTERN int plaint_escalation_decide(plaint_escalation_decision *out,
                                           const plaint_escalation_policy *p,
                                           const plaint_escalation_facts *f, plaint_error *err);

/* The window, in days, over which the caller counts recent_complaints (0 if not set). */
PLAINT_EXTERN int plaint_escalation_repeat_window_days(const plaint_escalation_policy *p);

/* The index of target on the path (0 = lowest), -1 if unknown or NULL. A caller compares the
 * levels of a case's current and proposed targets so that a case is never escalated "down". */
PLAINT_EXTERN int plaint_escalation_level(const plaint_escalation_policy *p, const char *target);

/* Loads policies/escalation.xml (validated against schemas/xml/escalation.xsd), with the
 * parsing rules and return codes of plaint_policy_load_rbac (include/plaint/policy_xml.h);
 * semantic errors (see the builders: an unknown target, a duplicate rule name, a rule without a
 * condition, ...) are PLAINT_EINVALID with "<xml_path>:<line>: <what>" and err->line set.
 * sha256_out (may be NULL) receives the SHA-256 of the exact bytes loaded. Caller frees *out
 * with plaint_escalation_policy_free. Implemented in src/policy/escalation_xml.c (libxml2); not
 * part of plaint_core. */
PLAINT_EXTERN int plaint_policy_load_escalation(plaint_escalation_policy **out,
                                                unsigned char *sha256_out, const char *xml_path,
                                                const char *xsd_path, plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
