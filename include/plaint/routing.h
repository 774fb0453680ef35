/* Routing of a complaint: ordered rules, first match wins, on its category, channel and minimum
 * severity level, naming the team, the roles of the investigation and tier-2 tasks and the
 * tier-2 investigation checklist. Pure logic; policies/routing.xml is loaded by
 * plaint_policy_load_routing (src/policy/routing_xml.c). Semantics: docs/policies.md. */
#ifndef PLAINT_ROUTING_H
#define PLAINT_ROUTING_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, shared with schemas/xml/routing.xsd. Names (rules, teams, roles, checklists, item
 * ids, channels) are 1..63 characters of [a-z0-9._-] starting with a letter; categories are
 * 1..255 bytes without control characters or spaces at either end, matched exactly; item texts
 * are 1..200 bytes without control characters. */
#define PLAINT_ROUTING_NAME_MAX       63
#define PLAINT_ROUTING_CATEGORY_MAX   255
#define PLAINT_ROUTING_TEXT_MAX       200
#define PLAINT_ROUTING_MAX_RULES      128 /* the default rule included */
#define PLAINT_ROUTING_MAX_MATCH      64  /* categories, and channels, per rule */
#define PLAINT_ROUTING_MAX_CHECKLISTS 32
#define PLAINT_ROUTING_MAX_ITEMS      32 /* per checklist */

/* One item of an investigation checklist. */
typedef struct plaint_checklist_item {
    const char *id;   /* e.g. "verify-identity" */
    const char *text; /* e.g. "Verify the customer's identity" */
    int mandatory;    /* 1: the task cannot be completed while it is open */
} plaint_checklist_item;

/* A routing rule, as given to plaint_routing_add_rule (strings borrowed for the call, copied). A
 * rule matches when every condition it has holds: the category is one of categories (none: any
 * category), the channel one of channels (none: any channel), and the severity level is at
 * least min_level (NULL: any level). */
typedef struct plaint_routing_rule {
    const char *name;
    const char *const *categories;
    size_t ncategories;
    const char *const *channels;
    size_t nchannels;
    const char *min_level; /* "low", "medium", "high", "critical" or NULL */
    const char *team;
    const char *investigation_role; /* role of the investigation task, e.g. support_agent */
    const char *tier2_role;         /* role of the tier-2 task, e.g. tier2_investigator */
    const char *checklist;          /* the name of a checklist already added */
} plaint_routing_rule;

/* The decision. Strings and the checklist are borrowed from the policy: valid until it is
 * freed (or changed). */
typedef struct plaint_routing_result {
    const char *rule; /* the name of the rule that matched (the default rule's if none did) */
    const char *team;
    const char *investigation_role;
    const char *tier2_role;
    const char *checklist_name;
    const plaint_checklist_item *checklist;
    size_t checklist_len;
} plaint_routing_result;

typedef struct plaint_routing_policy plaint_routing_policy;

/* An empty policy; usable once a default rule is set. Caller frees with
 * plaint_routing_policy_free (NULL is a no-op). PLAINT_ENOMEM on failure. */
PLAINT_EXTERN int plaint_routing_policy_new(plaint_routing_policy **out, plaint_error *err);
PLAINT_EXTERN void plaint_routing_policy_free(plaint_routing_policy *p);

/* Builders; strings are copied. PLAINT_EINVALID (err->field set) for a malformed or duplicate
 * name, id, category or channel, an unknown checklist or level, a default rule with conditions
 * or a second default; PLAINT_ERANGE past a limit; PLAINT_ENOMEM. */
PLAINT_EXTERN int plaint_routing_add_checklist(plaint_routing_policy *p, const char *name,
                                               plaint_error *err);
PLAINT_EXTERN int plaint_routing_add_item(plaint_routing_policy *p, const char *checklist,
                                          const plaint_checklist_item *item, plaint_error *err);
/* Rules are tried in the order they were added. */
PLAINT_EXTERN int plaint_routing_add_rule(plaint_routing_policy *p, const plaint_routing_rule *r,
                                          plaint_error *err);
/* The rule used when no other matches: no categories, channels or min_level. Rule names,
 * the default's included, are unique. */
PLAINT_EXTERN int plaint_routing_set_default(plaint_routing_policy *p, const plaint_routing_rule *r,
                                             plaint_error *err);

/* 0 if the policy is usable: a default rule is set and every checklist has at least one
 * mandatory item; else PLAINT_EINVALID naming what is wrong. The loader calls it. */
PLAINT_EXTERN int plaint_routing_policy_check(const plaint_routing_policy *p, plaint_error *err);

/* Rules other than the default, in order. */
PLAINT_EXTERN size_t plaint_routing_count_rules(const plaint_routing_policy *p);
PLAINT_EXTERN size_t plaint_routing_count_checklists(const plaint_routing_policy *p);
/* The items of a checklist (NULL and *len 0 if there is no such checklist); borrowed. */
PLAINT_EXTERN const plaint_checklist_item *plaint_routing_checklist(const plaint_routing_policy *p,
                                                                    const char *name, size_t *len);

/* Routes one complaint: the first rule (in order) that matches, else the default rule.
 * category and channel may be NULL (unknown): they then match only rules without categories,
 * respectively without channels. severity_level is "low", "medium", "high" or "critical".
 * Returns 0 with *out filled, or PLAINT_EINVALID (NULL out or policy, an unknown severity level,
 * a policy that fails plaint_routing_policy_check); on error *out is zeroed. */
PLAINT_EXTERN int plaint_routing_decide(plaint_routing_result *out, const plaint_routing_policy *p,
                                        const char *category, const char *channel,
                                        const char *severity_level, plaint_error *err);

/* Loads policies/routing.xml (validated against schemas/xml/routing.xsd), with the parsing rules
 * and return codes of plaint_policy_load_rbac (include/plaint/policy_xml.h); semantic errors
 * (see the builders: an unknown checklist, a duplicate rule name, ...) are PLAINT_EINVALID with
 * "<xml_path>:<line>: <what>" and err->line set. sha256_out (may be NULL) receives the SHA-256 of
 * the exact bytes loaded. Caller frees *out with plaint_routing_policy_free. Implemented in
 * src/policy/routing_xml.c (libxml2); not part of plaint_core. */
PLAINT_EXTERN int plaint_policy_load_routing(plaint_routing_policy **out, unsigned char *sha256_out,
                                             const char *xml_path, const char *xsd_path,
                                             plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
