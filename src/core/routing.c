/* Routing decisions: a routing policy (checklists and ordered rules with a default) and the
 * first-match evaluation that names a complaint's team, task roles and tier-2 checklist. Pure:
 * no I/O. */
#include "plaint/routing.h"

#include <stdlib.h>
#include <string.h>

#include "core/policy_names.h"
#include "plaint/severity.h"

typedef struct checklist {
    const char *name;
    size_t n;
    plaint_checklist_item items[PLAINT_ROUTING_MAX_ITEMS];
} checklist;

typedef struct rule {
    const char *name;
    const char **categories;
    size_t ncategories;
    const char **channels;
    size_t nchannels;
    int min_level; /* -1: any */
    const char *team;
    const char *investigation_role;
    const char *tier2_role;
    size_t checklist; /* index into checklists */
} rule;

struct plaint_routing_policy {
    void **owned; /* every allocation the policy's strings and lists live in */
    size_t nowned;
    size_t capowned;
    size_t nchecklists;
    checklist checklists[PLAINT_ROUTING_MAX_CHECKLISTS];
    size_t nrules;
    rule rules[PLAINT_ROUTING_MAX_RULES - 1];
    int has_default;
    rule def;
};

int plaint_routing_policy_new(plaint_routing_policy **out, plaint_error *err)
{
    plaint_routing_policy *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}

void plaint_routing_policy_free(plaint_routing_policy *p)
{
    size_t i;

    if (p == NULL) {
        return;
    }
    for (i = 0; i < p->nowned; i++) {
        free(p->owned[i]);
    }
    free(p->owned);
    free(p);
}

/* n bytes owned by the policy, or NULL (ENOMEM set). */
static void *pool_alloc(plaint_routing_policy *p, size_t n, plaint_error *err)
{
    void *mem;

    if (p->nowned == p->capowned) {
        size_t cap = p->capowned == 0 ? 64 : p->capowned * 2;
        void **grown = realloc(p->owned, cap * sizeof(*grown));
        if (grown == NULL) {
            plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
            return NULL;
        }
        p->owned = grown;
        p->capowned = cap;
    }
    mem = malloc(n > 0 ? n : 1);
    if (mem == NULL) {
        plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        return NULL;
    }
    p->owned[p->nowned++] = mem;
    return mem;
}

static const char *pool_dup(plaint_routing_policy *p, const char *s, plaint_error *err)
{
    size_t n = strlen(s) + 1;
    char *copy = pool_alloc(p, n, err);

    if (copy != NULL) {
        memcpy(copy, s, n);
    }
    return copy;
}

static checklist *find_checklist(plaint_routing_policy *p, const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < p->nchecklists; i++) {
        if (strcmp(p->checklists[i].name, name) == 0) {
            return &p->checklists[i];
        }
    }
    return NULL;
}

int plaint_routing_add_checklist(plaint_routing_policy *p, const char *name, plaint_error *err)
{
    checklist *c;

    if (!plaint_policy_names_is_token(name, PLAINT_ROUTING_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "name", PLAINT_ROUTING_NAME_MAX);
    }
    if (find_checklist(p, name) != NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "checklist %s is declared twice", name);
    }
    if (p->nchecklists == PLAINT_ROUTING_MAX_CHECKLISTS) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d checklists",
                                PLAINT_ROUTING_MAX_CHECKLISTS);
    }
    c = &p->checklists[p->nchecklists];
    c->name = pool_dup(p, name, err);
    if (c->name == NULL) {
        return PLAINT_ENOMEM;
    }
    c->n = 0;
    p->nchecklists++;
    return 0;
}

int plaint_routing_add_item(plaint_routing_policy *p, const char *checklist_name,
                            const plaint_checklist_item *item, plaint_error *err)
{
    checklist *c = find_checklist(p, checklist_name);
    plaint_checklist_item *slot;
    size_t i;

    if (c == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "checklist", 0, 0, "no checklist %s",
                                   checklist_name != NULL ? checklist_name : "(null)");
    }
    if (item == NULL || !plaint_policy_names_is_token(item->id, PLAINT_ROUTING_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "id", PLAINT_ROUTING_NAME_MAX);
    }
    if (!plaint_policy_names_is_text(item->text, PLAINT_ROUTING_TEXT_MAX, 0)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "text", 0, 0,
                                   "item %s: the text is 1 to %d bytes without control characters",
                                   item->id, PLAINT_ROUTING_TEXT_MAX);
    }
    for (i = 0; i < c->n; i++) {
        if (strcmp(c->items[i].id, item->id) == 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "id", 0, 0,
                                       "checklist %s: item %s is declared twice", c->name,
                                       item->id);
        }
    }
    if (c->n == PLAINT_ROUTING_MAX_ITEMS) {
        return plaint_error_set(err, PLAINT_ERANGE, "checklist %s: at most %d items", c->name,
                                PLAINT_ROUTING_MAX_ITEMS);
    }
    slot = &c->items[c->n];
    slot->id = pool_dup(p, item->id, err);
    slot->text = slot->id != NULL ? pool_dup(p, item->text, err) : NULL;
    if (slot->text == NULL) {
        return PLAINT_ENOMEM;
    }
    slot->mandatory = item->mandatory != 0;
    c->n++;
    return 0;
}

static const rule *find_rule(const plaint_routing_policy *p, const char *name)
{
    size_t i;

    for (i = 0; i < p->nrules; i++) {
        if (strcmp(p->rules[i].name, name) == 0) {
            return &p->rules[i];
        }
    }
    if (p->has_default && strcmp(p->def.name, name) == 0) {
        return &p->def;
    }
    return NULL;
}

/* Copies a list of n names, each checked by valid (as a token or as a category) and distinct. */
static int copy_list(const char ***out, plaint_routing_policy *p, const char *const *names,
                     size_t n, int categories, const char *rule_name, plaint_error *err)
{
    const char *field = categories ? "category" : "channel";
    const char **list;
    size_t i;
    size_t j;

    *out = NULL;
    if (n == 0) {
        return 0;
    }
    if (names == NULL || n > PLAINT_ROUTING_MAX_MATCH) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "rule %s: 1 to %d of each kind of condition", rule_name,
                                   PLAINT_ROUTING_MAX_MATCH);
    }
    list = pool_alloc(p, n * sizeof(*list), err);
    if (list == NULL) {
        return PLAINT_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        if (categories ? !plaint_policy_names_is_text(names[i], PLAINT_ROUTING_CATEGORY_MAX, 1)
                       : !plaint_policy_names_is_token(names[i], PLAINT_ROUTING_NAME_MAX)) {
            if (!categories) {
                return plaint_policy_names_bad_token(err, field, PLAINT_ROUTING_NAME_MAX);
            }
            return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                       "a category is 1 to %d bytes without control characters "
                                       "or spaces at either end",
                                       PLAINT_ROUTING_CATEGORY_MAX);
        }
        for (j = 0; j < i; j++) {
            if (strcmp(list[j], names[i]) == 0) {
                return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                           "rule %s: %s \"%s\" is listed twice", rule_name, field,
                                           names[i]);
            }
        }
        list[i] = pool_dup(p, names[i], err);
        if (list[i] == NULL) {
            return PLAINT_ENOMEM;
        }
    }
    *out = list;
    return 0;
}

/* Checks r and copies it into *slot (fields of *slot are set only on success of each step; the
 * caller counts the slot only when this returns 0). */
static int fill_rule(rule *slot, plaint_routing_policy *p, const plaint_routing_rule *r,
                     plaint_error *err)
{
    const checklist *c;
    plaint_severity_level level;
    int rc;

    if (r == NULL || !plaint_policy_names_is_token(r->name, PLAINT_ROUTING_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "name", PLAINT_ROUTING_NAME_MAX);
    }
    if (find_rule(p, r->name) != NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0, "rule %s is declared twice",
                                   r->name);
    }
    if (!plaint_policy_names_is_token(r->team, PLAINT_ROUTING_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "team", PLAINT_ROUTING_NAME_MAX);
    }
    if (!plaint_policy_names_is_token(r->investigation_role, PLAINT_ROUTING_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "investigation-role", PLAINT_ROUTING_NAME_MAX);
    }
    if (!plaint_policy_names_is_token(r->tier2_role, PLAINT_ROUTING_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "tier2-role", PLAINT_ROUTING_NAME_MAX);
    }
    c = find_checklist(p, r->checklist);
    if (c == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "checklist", 0, 0,
                                   "rule %s: unknown checklist %.63s", r->name,
                                   r->checklist != NULL ? r->checklist : "(none)");
    }
    slot->min_level = -1;
    if (r->min_level != NULL) {
        rc = plaint_severity_level_parse(&level, r->min_level, err);
        if (rc < 0) {
            return rc;
        }
        slot->min_level = (int)level;
    }
    rc = copy_list(&slot->categories, p, r->categories, r->ncategories, 1, r->name, err);
    if (rc == 0) {
        rc = copy_list(&slot->channels, p, r->channels, r->nchannels, 0, r->name, err);
    }
    if (rc < 0) {
        return rc;
    }
    slot->ncategories = r->ncategories;
    slot->nchannels = r->nchannels;
    slot->checklist = (size_t)(c - p->checklists);
    slot->name = pool_dup(p, r->name, err);
    slot->team = slot->name != NULL ? pool_dup(p, r->team, err) : NULL;
    slot->investigation_role = slot->team != NULL ? pool_dup(p, r->investigation_role, err) : NULL;
    slot->tier2_role = slot->investigation_role != NULL ? pool_dup(p, r->tier2_role, err) : NULL;
    return slot->tier2_role == NULL ? PLAINT_ENOMEM : 0;
}

int plaint_routing_add_rule(plaint_routing_policy *p, const plaint_routing_rule *r,
                            plaint_error *err)
{
    rule slot;
    int rc;

    if (p->nrules == PLAINT_ROUTING_MAX_RULES - 1) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d routing rules besides the default",
                                PLAINT_ROUTING_MAX_RULES - 1);
    }
    memset(&slot, 0, sizeof(slot));
    rc = fill_rule(&slot, p, r, err);
    if (rc == 0) {
        p->rules[p->nrules++] = slot;
    }
    return rc;
}

int plaint_routing_set_default(plaint_routing_policy *p, const plaint_routing_rule *r,
                               plaint_error *err)
{
    rule slot;
    int rc;

    if (p->has_default) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "default", 0, 0,
                                   "the default rule is given twice");
    }
    if (r != NULL && (r->ncategories > 0 || r->nchannels > 0 || r->min_level != NULL)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "default", 0, 0,
                                   "the default rule %.63s has conditions: it applies when no "
                                   "other rule does",
                                   r->name != NULL ? r->name : "");
    }
    memset(&slot, 0, sizeof(slot));
    rc = fill_rule(&slot, p, r, err);
    if (rc == 0) {
        p->def = slot;
        p->has_default = 1;
    }
    return rc;
}

static int has_mandatory(const checklist *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (c->items[i].mandatory) {
            return 1;
        }
    }
    return 0;
}

int plaint_routing_policy_check(const plaint_routing_policy *p, plaint_error *err)
{
    size_t i;

    if (p == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "no routing policy");
    }
    for (i = 0; i < p->nchecklists; i++) {
        if (!has_mandatory(&p->checklists[i])) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "checklist", 0, 0,
                                       "checklist %s has no mandatory item", p->checklists[i].name);
        }
    }
    if (!p->has_default) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "default", 0, 0,
                                   "the routing policy has no default rule");
    }
    return 0;
}

size_t plaint_routing_count_rules(const plaint_routing_policy *p)
{
    return p->nrules;
}

size_t plaint_routing_count_checklists(const plaint_routing_policy *p)
{
    return p->nchecklists;
}

const plaint_checklist_item *plaint_routing_checklist(const plaint_routing_policy *p,
                                                      const char *name, size_t *len)
{
    size_t i;

    *len = 0;
    for (i = 0; name != NULL && i < p->nchecklists; i++) {
        if (strcmp(p->checklists[i].name, name) == 0) {
            *len = p->checklists[i].n;
            return p->checklists[i].items;
        }
    }
    return NULL;
}

/* 1 if s is one of the n names (an empty list holds everything). */
static int in_list(const char *const *list, size_t n, const char *s)
{
    size_t i;

    if (n == 0) {
        return 1;
    }
    for (i = 0; s != NULL && i < n; i++) {
        if (strcmp(list[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

static int matches(const rule *r, const char *category, const char *channel, int level)
{
    return in_list(r->categories, r->ncategories, category) &&
           in_list(r->channels, r->nchannels, channel) && level >= r->min_level;
}

int plaint_routing_decide(plaint_routing_result *out, const plaint_routing_policy *p,
                          const char *category, const char *channel, const char *severity_level,
                          plaint_error *err)
{
    plaint_severity_level level;
    const rule *r = NULL;
    const checklist *c;
    size_t i;
    int rc;

    if (out == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "routing: missing result");
    }
    memset(out, 0, sizeof(*out));
    rc = plaint_routing_policy_check(p, err);
    if (rc == 0) {
        rc = plaint_severity_level_parse(&level, severity_level, err);
    }
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < p->nrules && r == NULL; i++) {
        if (matches(&p->rules[i], category, channel, (int)level)) {
            r = &p->rules[i];
        }
    }
    if (r == NULL) {
        r = &p->def;
    }
    c = &p->checklists[r->checklist];
    out->rule = r->name;
    out->team = r->team;
    out->investigation_role = r->investigation_role;
    out->tier2_role = r->tier2_role;
    out->checklist_name = c->name;
    out->checklist = c->items;
    out->checklist_len = c->n;
    return 0;
}
