/* Complaint SLA policy: calendars and targets, matching a complaint to a target, and its
 * deadlines on the target's business-day calendar (core/bizcal). Pure: the receipt time is an
 * argument. */
#include "plaint/sla.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy_names.h"

typedef struct target_slot {
    char id[PLAINT_SLA_ID_MAX + 1];
    char category[PLAINT_SLA_CATEGORY_MAX + 1];
    int any_category;
    const plaint_bizcal *cal; /* resolved calendar; NULL: the default */
    plaint_sla_target view;   /* points into this slot */
} target_slot;

struct plaint_sla_policy {
    plaint_bizcal *calendars[PLAINT_SLA_MAX_CALENDARS];
    size_t n_calendars;
    const plaint_bizcal *default_calendar;
    target_slot *targets; /* PLAINT_SLA_MAX_TARGETS slots */
    size_t n_targets;
    target_slot default_target;
    int has_default;
};

int plaint_sla_policy_new(plaint_sla_policy **out, plaint_error *err)
{
    plaint_sla_policy *p = calloc(1, sizeof(*p));

    if (p != NULL) {
        p->targets = calloc(PLAINT_SLA_MAX_TARGETS, sizeof(*p->targets));
    }
    if (p == NULL || p->targets == NULL) {
        plaint_sla_policy_free(p);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}

void plaint_sla_policy_free(plaint_sla_policy *p)
{
    size_t i;

    if (p == NULL) {
        return;
    }
    for (i = 0; i < p->n_calendars; i++) {
        plaint_bizcal_free(p->calendars[i]);
    }
    free(p->targets);
    free(p);
}

int plaint_sla_add_calendar(plaint_sla_policy *p, plaint_bizcal *cal, plaint_error *err)
{
    if (cal == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "no calendar");
    }
    if (plaint_sla_calendar(p, plaint_bizcal_id(cal)) != NULL) {
        plaint_error_set_at(err, PLAINT_EINVALID, "id", 0, 0, "calendar %s is declared twice",
                            plaint_bizcal_id(cal));
        plaint_bizcal_free(cal);
        return PLAINT_EINVALID;
    }
    if (p->n_calendars == PLAINT_SLA_MAX_CALENDARS) {
        plaint_bizcal_free(cal);
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d calendars",
                                PLAINT_SLA_MAX_CALENDARS);
    }
    p->calendars[p->n_calendars++] = cal;
    if (p->default_calendar == NULL) {
        p->default_calendar = cal;
    }
    return 0;
}

int plaint_sla_set_default_calendar(plaint_sla_policy *p, const char *id, plaint_error *err)
{
    const plaint_bizcal *c = plaint_sla_calendar(p, id);
    char name[64];

    if (c == NULL) {
        plaint_policy_names_copy_safe(name, sizeof(name), id);
        return plaint_error_set_at(err, PLAINT_EINVALID, "calendar", 0, 0, "unknown calendar '%s'",
                                   name);
    }
    p->default_calendar = c;
    return 0;
}

/* A timer: unset (if allowed), or a count within the unit's limits. */
static int check_timer(const plaint_sla_timer *t, const char *id, const char *field, int weeks_ok,
                       int unset_ok, plaint_error *err)
{
    switch (t->unit) {
    case PLAINT_SLA_UNSET:
        if (unset_ok) {
            return 0;
        }
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "target %s: the default target needs %s", id, field);
    case PLAINT_SLA_BUSINESS_DAYS:
        if (t->count >= 1 && t->count <= PLAINT_BIZCAL_MAX_BUSINESS_DAYS) {
            return 0;
        }
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "target %s: %s is 1 to %d business days", id, field,
                                   PLAINT_BIZCAL_MAX_BUSINESS_DAYS);
    case PLAINT_SLA_WEEKS:
        if (!weeks_ok) {
            return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                       "target %s: %s is counted in business days, not weeks", id,
                                       field);
        }
        if (t->count >= 1 && t->count <= PLAINT_BIZCAL_MAX_WEEKS) {
            return 0;
        }
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "target %s: %s is 1 to %d weeks", id, field,
                                   PLAINT_BIZCAL_MAX_WEEKS);
    }
    return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0, "target %s: %s: unknown unit", id,
                               field);
}

/* Fills slot from t after checking it; is_default: the default target's rules. */
static int fill_slot(target_slot *slot, const plaint_sla_policy *p, const plaint_sla_target *t,
                     int is_default, plaint_error *err)
{
    char name[64];
    int rc;

    if (t == NULL || !plaint_policy_names_is_token(t->id, PLAINT_SLA_ID_MAX)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "id", 0, 0,
                                   "a target id is 1 to %d characters of a-z 0-9 . _ - starting "
                                   "with a letter",
                                   PLAINT_SLA_ID_MAX);
    }
    if (plaint_sla_severity_name(t->severity) == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "severity", 0, 0,
                                   "target %s: unknown severity", t->id);
    }
    if (t->category != NULL &&
        !plaint_policy_names_is_text(t->category, PLAINT_SLA_CATEGORY_MAX, 1)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "category", 0, 0,
                                   "target %s: a category is 1 to %d bytes without control "
                                   "characters or leading or trailing spaces",
                                   t->id, PLAINT_SLA_CATEGORY_MAX);
    }
    if (is_default && (t->severity != PLAINT_SLA_SEVERITY_ANY || t->category != NULL)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "severity", 0, 0,
                                   "target %s: the default target matches every complaint", t->id);
    }
    memset(slot, 0, sizeof(*slot));
    if (t->calendar != NULL) {
        slot->cal = plaint_sla_calendar(p, t->calendar);
        if (slot->cal == NULL) {
            plaint_policy_names_copy_safe(name, sizeof(name), t->calendar);
            return plaint_error_set_at(err, PLAINT_EINVALID, "calendar", 0, 0,
                                       "target %s: unknown calendar '%s'", t->id, name);
        }
    }
    rc = check_timer(&t->first_response, t->id, "first-response", 0, !is_default, err);
    if (rc == 0) {
        rc = check_timer(&t->summary_resolution, t->id, "summary-resolution", 0, 1, err);
    }
    if (rc == 0) {
        rc = check_timer(&t->final_response, t->id, "final-response", 1, 1, err);
    }
    if (rc < 0) {
        return rc;
    }
    memcpy(slot->id, t->id, strlen(t->id) + 1);
    slot->any_category = t->category == NULL;
    if (t->category != NULL) {
        memcpy(slot->category, t->category, strlen(t->category) + 1);
    }
    slot->view = *t;
    slot->view.id = slot->id;
    slot->view.category = slot->any_category ? NULL : slot->category;
    slot->view.calendar = slot->cal != NULL ? plaint_bizcal_id(slot->cal) : NULL;
    return 0;
}

static const target_slot *find_target(const plaint_sla_policy *p, const char *id)
{
    size_t i;

    for (i = 0; i < p->n_targets; i++) {
        if (strcmp(p->targets[i].id, id) == 0) {
            return &p->targets[i];
        }
    }
    if (p->has_default && strcmp(p->default_target.id, id) == 0) {
        return &p->default_target;
    }
    return NULL;
}

/* 1 if slot matches severity s (ANY: a complaint without a level) and category (NULL: none). */
static int slot_matches(const target_slot *slot, plaint_sla_severity s, const char *category)
{
    if (slot->view.severity != PLAINT_SLA_SEVERITY_ANY && slot->view.severity != s) {
        return 0;
    }
    return slot->any_category || (category != NULL && strcmp(slot->category, category) == 0);
}

/* 1 if every complaint that later matches, e matches too. */
static int covers(const target_slot *e, const target_slot *later)
{
    int sev =
        e->view.severity == PLAINT_SLA_SEVERITY_ANY || e->view.severity == later->view.severity;
    int cat =
        e->any_category || (!later->any_category && strcmp(e->category, later->category) == 0);

    return sev && cat;
}

static int sets_anything(const target_slot *t)
{
    return t->cal != NULL || t->view.first_response.unit != PLAINT_SLA_UNSET ||
           t->view.summary_resolution.unit != PLAINT_SLA_UNSET ||
           t->view.final_response.unit != PLAINT_SLA_UNSET;
}

/* 1 if an earlier covering target sets each thing t sets, so t never decides anything; *by is
 * the last such target. */
static int shadowed(const plaint_sla_policy *p, const target_slot *t, const target_slot **by)
{
    int cal = t->cal == NULL;
    int first = t->view.first_response.unit == PLAINT_SLA_UNSET;
    int summary = t->view.summary_resolution.unit == PLAINT_SLA_UNSET;
    int final = t->view.final_response.unit == PLAINT_SLA_UNSET;
    size_t i;

    for (i = 0; i < p->n_targets; i++) {
        const target_slot *e = &p->targets[i];
        if (!covers(e, t)) {
            continue;
        }
        *by = e;
        cal = cal || e->cal != NULL;
        first = first || e->view.first_response.unit != PLAINT_SLA_UNSET;
        summary = summary || e->view.summary_resolution.unit != PLAINT_SLA_UNSET;
        final = final || e->view.final_response.unit != PLAINT_SLA_UNSET;
    }
    return cal && first && summary && final;
}

int plaint_sla_add_target(plaint_sla_policy *p, const plaint_sla_target *t, plaint_error *err)
{
    target_slot slot;
    const target_slot *by = NULL;
    int rc = fill_slot(&slot, p, t, 0, err);

    if (rc < 0) {
        return rc;
    }
    if (find_target(p, slot.id) != NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "id", 0, 0, "target %s is declared twice",
                                   slot.id);
    }
    if (!sets_anything(&slot)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "id", 0, 0,
                                   "target %s sets neither a timer nor a calendar", slot.id);
    }
    if (shadowed(p, &slot, &by)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "id", 0, 0,
                                   "target %s can never apply: every timer and calendar it sets "
                                   "is set by an earlier target that matches every complaint it "
                                   "matches (%s)",
                                   slot.id, by->id);
    }
    if (p->n_targets == PLAINT_SLA_MAX_TARGETS) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d targets", PLAINT_SLA_MAX_TARGETS);
    }
    p->targets[p->n_targets] = slot;
    /* the view points into the slot it lives in */
    p->targets[p->n_targets].view.id = p->targets[p->n_targets].id;
    p->targets[p->n_targets].view.category =
        slot.any_category ? NULL : p->targets[p->n_targets].category;
    p->n_targets++;
    return 0;
}

int plaint_sla_set_default_target(plaint_sla_policy *p, const plaint_sla_target *t,
                                  plaint_error *err)
{
    target_slot *d = &p->default_target;
    int rc;

    if (p->has_default) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "default", 0, 0,
                                   "the default target is declared twice");
    }
    rc = fill_slot(d, p, t, 1, err);
    if (rc == 0 && find_target(p, d->id) != NULL) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "id", 0, 0, "target %s is declared twice",
                                 d->id);
    }
    if (rc < 0) {
        memset(d, 0, sizeof(*d));
        return rc;
    }
    if (d->view.summary_resolution.unit == PLAINT_SLA_UNSET) {
        d->view.summary_resolution.unit = PLAINT_SLA_BUSINESS_DAYS;
        d->view.summary_resolution.count = PLAINT_SLA_DISP_SUMMARY_BUSINESS_DAYS;
    }
    if (d->view.final_response.unit == PLAINT_SLA_UNSET) {
        d->view.final_response.unit = PLAINT_SLA_WEEKS;
        d->view.final_response.count = PLAINT_SLA_DISP_FINAL_WEEKS;
    }
    p->has_default = 1;
    return 0;
}

int plaint_sla_check(const plaint_sla_policy *p, plaint_error *err)
{
    if (p == NULL || p->default_calendar == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "the SLA policy has no calendar");
    }
    if (!p->has_default) {
        return plaint_error_set(err, PLAINT_EINVALID, "the SLA policy has no default target");
    }
    return 0;
}

size_t plaint_sla_count_calendars(const plaint_sla_policy *p)
{
    return p->n_calendars;
}

const plaint_bizcal *plaint_sla_get_calendar(const plaint_sla_policy *p, size_t i)
{
    return i < p->n_calendars ? p->calendars[i] : NULL;
}

const plaint_bizcal *plaint_sla_calendar(const plaint_sla_policy *p, const char *id)
{
    size_t i;

    for (i = 0; p != NULL && id != NULL && i < p->n_calendars; i++) {
        if (strcmp(plaint_bizcal_id(p->calendars[i]), id) == 0) {
            return p->calendars[i];
        }
    }
    return NULL;
}

const plaint_bizcal *plaint_sla_default_calendar(const plaint_sla_policy *p)
{
    return p != NULL ? p->default_calendar : NULL;
}

size_t plaint_sla_count_targets(const plaint_sla_policy *p)
{
    return p->n_targets;
}

const plaint_sla_target *plaint_sla_get_target(const plaint_sla_policy *p, size_t i)
{
    return i < p->n_targets ? &p->targets[i].view : NULL;
}

const plaint_sla_target *plaint_sla_default_target(const plaint_sla_policy *p)
{
    return p != NULL && p->has_default ? &p->default_target.view : NULL;
}

static int parse_level(plaint_sla_severity *out, const char *severity_level, plaint_error *err)
{
    char name[64];

    *out = PLAINT_SLA_SEVERITY_ANY;
    if (severity_level == NULL) {
        return 0;
    }
    if (plaint_sla_severity_parse(out, severity_level, NULL) < 0 ||
        *out == PLAINT_SLA_SEVERITY_ANY) {
        plaint_policy_names_copy_safe(name, sizeof(name), severity_level);
        return plaint_error_set_at(err, PLAINT_EINVALID, "severity", 0, 0,
                                   "unknown severity level '%s' (low, medium, high or critical)",
                                   name);
    }
    return 0;
}

/* Takes each timer still unset in out from src. */
static void take_timers(plaint_sla_target *out, const plaint_sla_target *src)
{
    if (out->first_response.unit == PLAINT_SLA_UNSET) {
        out->first_response = src->first_response;
    }
    if (out->summary_resolution.unit == PLAINT_SLA_UNSET) {
        out->summary_resolution = src->summary_resolution;
    }
    if (out->final_response.unit == PLAINT_SLA_UNSET) {
        out->final_response = src->final_response;
    }
}

int plaint_sla_match(plaint_sla_target *out, const plaint_bizcal **cal_out,
                     const plaint_sla_policy *p, const char *severity_level, const char *category,
                     plaint_error *err)
{
    const plaint_bizcal *cal = NULL;
    const target_slot *first = NULL;
    plaint_sla_severity s;
    size_t i;
    int rc = plaint_sla_check(p, err);

    if (rc == 0) {
        rc = parse_level(&s, severity_level, err);
    }
    if (rc < 0) {
        return rc;
    }
    memset(out, 0, sizeof(*out));
    for (i = 0; i < p->n_targets; i++) {
        const target_slot *t = &p->targets[i];
        if (!slot_matches(t, s, category)) {
            continue;
        }
        if (first == NULL) {
            first = t;
        }
        if (cal == NULL) {
            cal = t->cal;
        }
        take_timers(out, &t->view);
    }
    if (first == NULL) {
        first = &p->default_target;
    }
    if (cal == NULL) {
        cal = p->default_target.cal != NULL ? p->default_target.cal : p->default_calendar;
    }
    take_timers(out, &p->default_target.view);
    out->id = first->id;
    out->severity = first->view.severity;
    out->category = first->view.category;
    out->calendar = plaint_bizcal_id(cal);
    if (cal_out != NULL) {
        *cal_out = cal;
    }
    return 0;
}

/* One deadline from a timer on cal. */
static int deadline(int64_t *out, const plaint_bizcal *cal, const plaint_sla_timer *t,
                    int64_t received_us, plaint_error *err)
{
    if (t->unit == PLAINT_SLA_WEEKS) {
        return plaint_bizcal_end_of_weeks(out, cal, received_us, t->count, err);
    }
    return plaint_bizcal_close_of_nth_business_day(out, cal, received_us, t->count, err);
}

int plaint_sla_compute(plaint_sla_deadlines *out, const plaint_sla_policy *p,
                       const char *severity_level, const char *category, int64_t received_us,
                       plaint_error *err)
{
    plaint_sla_target eff;
    const plaint_bizcal *cal = NULL;
    int rc;

    if (out == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "SLA deadlines: missing argument");
    }
    memset(out, 0, sizeof(*out));
    rc = plaint_sla_match(&eff, &cal, p, severity_level, category, err);
    if (rc == 0) {
        rc = deadline(&out->first_response_due, cal, &eff.first_response, received_us, err);
    }
    if (rc == 0) {
        rc = deadline(&out->summary_resolution_due, cal, &eff.summary_resolution, received_us, err);
    }
    if (rc == 0) {
        rc = deadline(&out->final_response_due, cal, &eff.final_response, received_us, err);
    }
    if (rc < 0) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    snprintf(out->calendar, sizeof(out->calendar), "%s", eff.calendar);
    snprintf(out->target, sizeof(out->target), "%s", eff.id);
    return 0;
}

const char *plaint_sla_severity_name(plaint_sla_severity s)
{
    switch (s) {
    case PLAINT_SLA_SEVERITY_ANY:
        return "any";
    case PLAINT_SLA_SEVERITY_LOW:
        return "low";
    case PLAINT_SLA_SEVERITY_MEDIUM:
        return "medium";
    case PLAINT_SLA_SEVERITY_HIGH:
        return "high";
    case PLAINT_SLA_SEVERITY_CRITICAL:
        return "critical";
    }
    return NULL;
}

int plaint_sla_severity_parse(plaint_sla_severity *out, const char *s, plaint_error *err)
{
    static const plaint_sla_severity all[] = {PLAINT_SLA_SEVERITY_ANY, PLAINT_SLA_SEVERITY_LOW,
                                              PLAINT_SLA_SEVERITY_MEDIUM, PLAINT_SLA_SEVERITY_HIGH,
                                              PLAINT_SLA_SEVERITY_CRITICAL};
    size_t i;

    for (i = 0; s != NULL && i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(s, plaint_sla_severity_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return plaint_error_set_at(err, PLAINT_EINVALID, "severity", 0, 0,
                               "a severity is any, low, medium, high or critical");
}
