/* Escalation decisions: an escalation policy (an ordered path of targets, regulated categories,
 * public channels, a repeat window and named rules of conditions) and the evaluation of every
 * rule against the facts of one case. Pure: no I/O, no clock (the caller counts the customer's
 * recent complaints over the policy's window). */
#include "plaint/escalation.h"

#include <stdlib.h>
#include <string.h>

#include "core/policy_names.h"
#include "plaint/severity.h"

#define NTIMERS 3
static const char *const TIMER_NAMES[NTIMERS] = {"first_response", "summary_resolution",
                                                 "final_response"};

typedef struct rule {
    char name[PLAINT_ESCALATION_NAME_MAX + 1];
    size_t target;   /* index on the path */
    int min_level;   /* -1: no condition */
    int min_score;   /* 0: no condition */
    unsigned timers; /* bit i: TIMER_NAMES[i] breached; 0: no condition */
    char (*tiers)[PLAINT_ESCALATION_NAME_MAX + 1];
    size_t ntiers;
    int regulated_category;
    int public_channel;
    int min_recent; /* 0: no condition */
} rule;

struct plaint_escalation_policy {
    size_t ntargets;
    char targets[PLAINT_ESCALATION_MAX_TARGETS][PLAINT_ESCALATION_NAME_MAX + 1];
    size_t ncategories;
    char *categories[PLAINT_ESCALATION_MAX_LIST];
    size_t nchannels;
    char channels[PLAINT_ESCALATION_MAX_LIST][PLAINT_ESCALATION_NAME_MAX + 1];
    int window_days;
    size_t nrules;
    rule rules[PLAINT_ESCALATION_MAX_RULES];
};

int plaint_escalation_policy_new(plaint_escalation_policy **out, plaint_error *err)
{
    plaint_escalation_policy *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}

void plaint_escalation_policy_free(plaint_escalation_policy *p)
{
    size_t i;

    if (p == NULL) {
        return;
    }
    for (i = 0; i < p->ncategories; i++) {
        free(p->categories[i]);
    }
    for (i = 0; i < p->nrules; i++) {
        free(p->rules[i].tiers);
    }
    free(p);
}

int plaint_escalation_level(const plaint_escalation_policy *p, const char *target)
{
    size_t i;

    for (i = 0; p != NULL && target != NULL && i < p->ntargets; i++) {
        if (strcmp(p->targets[i], target) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int plaint_escalation_add_target(plaint_escalation_policy *p, const char *name, plaint_error *err)
{
    if (!plaint_policy_names_is_token(name, PLAINT_ESCALATION_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "name", PLAINT_ESCALATION_NAME_MAX);
    }
    if (plaint_escalation_level(p, name) >= 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "target %s is on the path twice", name);
    }
    if (p->ntargets == PLAINT_ESCALATION_MAX_TARGETS) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d targets on the escalation path",
                                PLAINT_ESCALATION_MAX_TARGETS);
    }
    memcpy(p->targets[p->ntargets], name, strlen(name) + 1);
    p->ntargets++;
    return 0;
}

static int is_regulated(const plaint_escalation_policy *p, const char *category)
{
    size_t i;

    for (i = 0; category != NULL && i < p->ncategories; i++) {
        if (strcmp(p->categories[i], category) == 0) {
            return 1;
        }
    }
    return 0;
}

int plaint_escalation_add_regulated_category(plaint_escalation_policy *p, const char *category,
                                             plaint_error *err)
{
    size_t n;

    if (!plaint_policy_names_is_text(category, PLAINT_ESCALATION_CATEGORY_MAX, 1)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "a category is 1 to %d bytes without control characters or "
                                   "spaces at either end",
                                   PLAINT_ESCALATION_CATEGORY_MAX);
    }
    if (is_regulated(p, category)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "regulated category \"%s\" is listed twice", category);
    }
    if (p->ncategories == PLAINT_ESCALATION_MAX_LIST) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d regulated categories",
                                PLAINT_ESCALATION_MAX_LIST);
    }
    n = strlen(category) + 1;
    p->categories[p->ncategories] = malloc(n);
    if (p->categories[p->ncategories] == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    memcpy(p->categories[p->ncategories], category, n);
    p->ncategories++;
    return 0;
}

static int is_public(const plaint_escalation_policy *p, const char *channel)
{
    size_t i;

    for (i = 0; channel != NULL && i < p->nchannels; i++) {
        if (strcmp(p->channels[i], channel) == 0) {
            return 1;
        }
    }
    return 0;
}

int plaint_escalation_add_public_channel(plaint_escalation_policy *p, const char *channel,
                                         plaint_error *err)
{
    if (!plaint_policy_names_is_token(channel, PLAINT_ESCALATION_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "name", PLAINT_ESCALATION_NAME_MAX);
    }
    if (is_public(p, channel)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "public channel %s is listed twice", channel);
    }
    if (p->nchannels == PLAINT_ESCALATION_MAX_LIST) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d public channels",
                                PLAINT_ESCALATION_MAX_LIST);
    }
    memcpy(p->channels[p->nchannels], channel, strlen(channel) + 1);
    p->nchannels++;
    return 0;
}

int plaint_escalation_set_repeat_window(plaint_escalation_policy *p, int days, plaint_error *err)
{
    if (days < 1 || days > PLAINT_ESCALATION_MAX_WINDOW_DAYS) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "days", 0, 0,
                                   "the repeat window is 1 to %d days, not %d",
                                   PLAINT_ESCALATION_MAX_WINDOW_DAYS, days);
    }
    p->window_days = days;
    return 0;
}

static int timer_index(const char *name)
{
    int i;

    for (i = 0; name != NULL && i < NTIMERS; i++) {
        if (strcmp(TIMER_NAMES[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

/* The bit mask of r's timers (all of them when r names none). */
static int read_timers(unsigned *out, const plaint_escalation_rule *r, plaint_error *err)
{
    size_t i;

    *out = 0;
    if (!r->sla_breach && r->ntimers == 0) {
        return 0;
    }
    if (r->ntimers == 0) {
        *out = (1u << NTIMERS) - 1u;
        return 0;
    }
    for (i = 0; i < r->ntimers; i++) {
        int t = r->timers != NULL ? timer_index(r->timers[i]) : -1;
        if (t < 0) {
            char name[33];
            plaint_policy_names_copy_safe(name, sizeof(name),
                                          r->timers != NULL ? r->timers[i] : NULL);
            return plaint_error_set_at(err, PLAINT_EINVALID, "timer", 0, 0,
                                       "rule %s: unknown SLA timer \"%s\" (first_response, "
                                       "summary_resolution or final_response)",
                                       r->name, name);
        }
        if (*out & (1u << t)) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "timer", 0, 0,
                                       "rule %s: timer %s is listed twice", r->name,
                                       TIMER_NAMES[t]);
        }
        *out |= 1u << t;
    }
    return 0;
}

/* Copies r's tiers into slot->tiers (distinct names). */
static int copy_tiers(rule *slot, const plaint_escalation_rule *r, plaint_error *err)
{
    size_t i;
    size_t j;

    if (r->ntiers == 0) {
        return 0;
    }
    if (r->tiers == NULL || r->ntiers > PLAINT_ESCALATION_MAX_LIST) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "tier", 0, 0,
                                   "rule %s: 1 to %d customer tiers", r->name,
                                   PLAINT_ESCALATION_MAX_LIST);
    }
    for (i = 0; i < r->ntiers; i++) {
        if (!plaint_policy_names_is_token(r->tiers[i], PLAINT_ESCALATION_NAME_MAX)) {
            return plaint_policy_names_bad_token(err, "tier", PLAINT_ESCALATION_NAME_MAX);
        }
        for (j = 0; j < i; j++) {
            if (strcmp(r->tiers[i], r->tiers[j]) == 0) {
                return plaint_error_set_at(err, PLAINT_EINVALID, "tier", 0, 0,
                                           "rule %s: tier %s is listed twice", r->name,
                                           r->tiers[i]);
            }
        }
    }
    slot->tiers = calloc(r->ntiers, sizeof(*slot->tiers));
    if (slot->tiers == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    for (i = 0; i < r->ntiers; i++) {
        memcpy(slot->tiers[i], r->tiers[i], strlen(r->tiers[i]) + 1);
    }
    slot->ntiers = r->ntiers;
    return 0;
}

int plaint_escalation_add_rule(plaint_escalation_policy *p, const plaint_escalation_rule *r,
                               plaint_error *err)
{
    plaint_severity_level level;
    rule slot;
    size_t i;
    int target;
    int rc;

    if (r == NULL || !plaint_policy_names_is_token(r->name, PLAINT_ESCALATION_NAME_MAX)) {
        return plaint_policy_names_bad_token(err, "name", PLAINT_ESCALATION_NAME_MAX);
    }
    for (i = 0; i < p->nrules; i++) {
        if (strcmp(p->rules[i].name, r->name) == 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                       "rule %s is declared twice", r->name);
        }
    }
    target = plaint_escalation_level(p, r->target);
    if (target < 0) {
        char name[33];
        plaint_policy_names_copy_safe(name, sizeof(name), r->target);
        return plaint_error_set_at(err, PLAINT_EINVALID, "target", 0, 0,
                                   "rule %s: unknown target \"%s\": it is not on the escalation "
                                   "path",
                                   r->name, name);
    }
    memset(&slot, 0, sizeof(slot));
    memcpy(slot.name, r->name, strlen(r->name) + 1);
    slot.target = (size_t)target;
    slot.min_level = -1;
    if (r->min_level != NULL) {
        rc = plaint_severity_level_parse(&level, r->min_level, err);
        if (rc < 0) {
            return rc;
        }
        slot.min_level = (int)level;
    }
    if (r->min_score < 0 || r->min_score > PLAINT_SEVERITY_SCORE_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "score", 0, 0,
                                   "rule %s: a minimum score is 1 to %d (0: none)", r->name,
                                   PLAINT_SEVERITY_SCORE_MAX);
    }
    slot.min_score = r->min_score;
    if (r->min_recent < 0 || r->min_recent > PLAINT_ESCALATION_MAX_RECENT) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "complaints", 0, 0,
                                   "rule %s: a repeat condition counts 1 to %d complaints", r->name,
                                   PLAINT_ESCALATION_MAX_RECENT);
    }
    slot.min_recent = r->min_recent;
    slot.regulated_category = r->regulated_category != 0;
    slot.public_channel = r->public_channel != 0;
    rc = read_timers(&slot.timers, r, err);
    if (rc < 0) {
        return rc;
    }
    if (slot.min_level < 0 && slot.min_score == 0 && slot.timers == 0 && r->ntiers == 0 &&
        !slot.regulated_category && !slot.public_channel && slot.min_recent == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "rule", 0, 0, "rule %s has no condition",
                                   r->name);
    }
    if (p->nrules == PLAINT_ESCALATION_MAX_RULES) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d escalation rules",
                                PLAINT_ESCALATION_MAX_RULES);
    }
    rc = copy_tiers(&slot, r, err);
    if (rc < 0) {
        return rc;
    }
    p->rules[p->nrules++] = slot;
    return 0;
}

int plaint_escalation_policy_check(const plaint_escalation_policy *p, plaint_error *err)
{
    if (p == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "no escalation policy");
    }
    if (p->ntargets == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "path", 0, 0,
                                   "the escalation path has no target");
    }
    if (p->window_days == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "days", 0, 0,
                                   "the escalation policy has no repeat window");
    }
    return 0;
}

size_t plaint_escalation_count_rules(const plaint_escalation_policy *p)
{
    return p->nrules;
}

size_t plaint_escalation_count_targets(const plaint_escalation_policy *p)
{
    return p->ntargets;
}

const char *plaint_escalation_target_at(const plaint_escalation_policy *p, size_t i)
{
    return i < p->ntargets ? p->targets[i] : NULL;
}

int plaint_escalation_repeat_window_days(const plaint_escalation_policy *p)
{
    return p != NULL ? p->window_days : 0;
}

static int has_tier(const rule *r, const char *tier)
{
    size_t i;

    for (i = 0; tier != NULL && i < r->ntiers; i++) {
        if (strcmp(r->tiers[i], tier) == 0) {
            return 1;
        }
    }
    return 0;
}

/* 1 if every condition r sets holds; timer is the breached timer's index or -1. */
static int matches(const plaint_escalation_policy *p, const rule *r,
                   const plaint_escalation_facts *f, int level, int timer)
{
    if (r->min_level >= 0 && level < r->min_level) {
        return 0;
    }
    if (r->min_score > 0 && f->severity_score < r->min_score) {
        return 0;
    }
    if (r->timers != 0 && (timer < 0 || (r->timers & (1u << timer)) == 0)) {
        return 0;
    }
    if (r->ntiers > 0 && !has_tier(r, f->customer_tier)) {
        return 0;
    }
    if (r->regulated_category && !is_regulated(p, f->category)) {
        return 0;
    }
    if (r->public_channel && !is_public(p, f->channel)) {
        return 0;
    }
    if (r->min_recent > 0 && f->recent_complaints < r->min_recent) {
        return 0;
    }
    return 1;
}

int plaint_escalation_decide(plaint_escalation_decision *out, const plaint_escalation_policy *p,
                             const plaint_escalation_facts *f, plaint_error *err)
{
    plaint_severity_level level;
    size_t best = 0;
    size_t i;
    int timer = -1;
    int rc;

    if (out == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "escalation: missing decision");
    }
    memset(out, 0, sizeof(*out));
    if (f == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "escalation: missing facts");
    }
    rc = plaint_escalation_policy_check(p, err);
    if (rc == 0) {
        rc = plaint_severity_level_parse(&level, f->severity_level, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (f->severity_score < 0 || f->severity_score > PLAINT_SEVERITY_SCORE_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "severity_score", 0, 0,
                                   "a severity score is 0 to %d, not %d", PLAINT_SEVERITY_SCORE_MAX,
                                   f->severity_score);
    }
    if (f->breached_timer != NULL) {
        timer = timer_index(f->breached_timer);
        if (timer < 0) {
            char name[33];
            plaint_policy_names_copy_safe(name, sizeof(name), f->breached_timer);
            return plaint_error_set_at(err, PLAINT_EINVALID, "breached_timer", 0, 0,
                                       "unknown SLA timer \"%s\" (first_response, "
                                       "summary_resolution or final_response)",
                                       name);
        }
    }
    if (f->recent_complaints < 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "recent_complaints", 0, 0,
                                   "a count of recent complaints cannot be negative");
    }
    for (i = 0; i < p->nrules; i++) {
        const rule *r = &p->rules[i];
        if (!matches(p, r, f, (int)level, timer)) {
            continue;
        }
        if (out->nrules == 0 || r->target > best) {
            best = r->target;
        }
        out->rules[out->nrules++] = r->name;
    }
    if (out->nrules > 0) {
        out->escalate = 1;
        out->target = p->targets[best];
    }
    return 0;
}
