/* Record retention decisions: the classes of a retention policy, calendar arithmetic for the end
 * of a retention period, and the verdict for one record. Pure: the time is an argument. Dates go
 * through plaint_time_format/plaint_time_parse (core/chain.c), the one calendar of plaint. */
#include "plaint/retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/chain.h"
#include "plaint/civil.h"

#define US_PER_DAY (86400LL * 1000000LL)

typedef struct class_slot {
    char name[PLAINT_RETENTION_NAME_MAX + 1];
    char basis[PLAINT_RETENTION_BASIS_MAX + 1];
    plaint_retention_class view; /* points into this slot */
} class_slot;

struct plaint_retention_policy {
    size_t n;
    class_slot classes[PLAINT_RETENTION_MAX_CLASSES];
};

int plaint_retention_policy_new(plaint_retention_policy **out, plaint_error *err)
{
    plaint_retention_policy *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}

void plaint_retention_policy_free(plaint_retention_policy *p)
{
    free(p);
}

static int valid_name(const char *s)
{
    size_t i;

    if (s == NULL || s[0] < 'a' || s[0] > 'z') {
        return 0;
    }
    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if (i >= PLAINT_RETENTION_NAME_MAX || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                                c == '.' || c == '_' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

static int valid_period(const plaint_retention_period *d)
{
    return d->years <= PLAINT_RETENTION_MAX_YEARS && d->months <= PLAINT_RETENTION_MAX_MONTHS &&
           d->days <= PLAINT_RETENTION_MAX_DAYS;
}

int plaint_retention_add_class(plaint_retention_policy *p, const plaint_retention_class *c,
                               plaint_error *err)
{
    const char *basis = c != NULL && c->basis != NULL ? c->basis : "";
    class_slot *slot;
    size_t i;

    if (p == NULL || c == NULL || !valid_name(c->name)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "a class name is 1 to %d characters of a-z 0-9 . _ - starting "
                                   "with a letter",
                                   PLAINT_RETENTION_NAME_MAX);
    }
    if (plaint_retention_find_class(p, c->name) != NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0, "class %s is declared twice",
                                   c->name);
    }
    if (!valid_period(&c->period)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "years", 0, 0,
                                   "class %s: a period is at most %d years, %d months and %d days",
                                   c->name, PLAINT_RETENTION_MAX_YEARS, PLAINT_RETENTION_MAX_MONTHS,
                                   PLAINT_RETENTION_MAX_DAYS);
    }
    if (c->period.years == 0 && c->period.months == 0 && c->period.days == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "years", 0, 0,
                                   "class %s: the retention period is zero", c->name);
    }
    if (plaint_retention_from_name(c->from) == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "from", 0, 0,
                                   "class %s: unknown start event", c->name);
    }
    for (i = 0; basis[i] != '\0'; i++) {
        unsigned char b = (unsigned char)basis[i];
        if (i >= PLAINT_RETENTION_BASIS_MAX || b < 0x20 || b == 0x7f) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "basis", 0, 0,
                                       "class %s: the basis is longer than %d bytes or holds "
                                       "control characters",
                                       c->name, PLAINT_RETENTION_BASIS_MAX);
        }
    }
    if (p->n == PLAINT_RETENTION_MAX_CLASSES) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d retention classes",
                                PLAINT_RETENTION_MAX_CLASSES);
    }
    slot = &p->classes[p->n];
    memcpy(slot->name, c->name, strlen(c->name) + 1);
    memcpy(slot->basis, basis, strlen(basis) + 1);
    slot->view.name = slot->name;
    slot->view.basis = slot->basis;
    slot->view.period = c->period;
    slot->view.from = c->from;
    p->n++;
    return 0;
}

size_t plaint_retention_count_classes(const plaint_retention_policy *p)
{
    return p->n;
}

const plaint_retention_class *plaint_retention_get_class(const plaint_retention_policy *p, size_t i)
{
    return i < p->n ? &p->classes[i].view : NULL;
}

const plaint_retention_class *plaint_retention_find_class(const plaint_retention_policy *p,
                                                          const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < p->n; i++) {
        if (strcmp(p->classes[i].name, name) == 0) {
            return &p->classes[i].view;
        }
    }
    return NULL;
}

/* The value of the n decimal digits at s (already known to be digits). */
static int64_t digits_at(const char *s, int n)
{
    int64_t v = 0;
    int i;

    for (i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int plaint_retention_end(int64_t *out, const plaint_retention_period *period, int64_t start_us,
                         plaint_error *err)
{
    char t[PLAINT_TIME_LEN + 1];
    char shifted[PLAINT_TIME_LEN + 8];
    int64_t months;
    int64_t y;
    int64_t m;
    int64_t d;
    int64_t end;
    int rc;

    if (!valid_period(period)) {
        return plaint_error_set(err, PLAINT_EINVALID, "retention period over the limits");
    }
    rc = plaint_time_format(t, start_us, err);
    if (rc < 0) {
        return rc;
    }
    /* t is "YYYY-MM-DDTHH:MM:SS.ffffffZ" */
    months = digits_at(t, 4) * 12 + digits_at(t + 5, 2) - 1 + (int64_t)period->years * 12 +
             (int64_t)period->months;
    y = months / 12;
    m = months % 12 + 1;
    if (y > 9999) {
        return plaint_error_set(err, PLAINT_ERANGE, "the retention period ends after year 9999");
    }
    d = digits_at(t + 8, 2);
    if (d > plaint_days_in_month(y, (int)m)) {
        /* 29 February + 1 year = 28 February; 31 January + 1 month */
        d = plaint_days_in_month(y, (int)m);
    }
    if (snprintf(shifted, sizeof(shifted), "%04lld-%02lld-%02lld%s", (long long)y, (long long)m,
                 (long long)d, t + 10) != PLAINT_TIME_LEN) {
        return plaint_error_set(err, PLAINT_ERROR, "date formatting failed");
    }
    rc = plaint_time_parse(&end, shifted, PLAINT_TIME_LEN, err);
    if (rc < 0) {
        return rc;
    }
    end += (int64_t)period->days * US_PER_DAY;
    /* checks the range of the result */
    rc = plaint_time_format(t, end, err);
    if (rc < 0) {
        return rc;
    }
    *out = end;
    return 0;
}

void plaint_retention_describe_period(char out[PLAINT_RETENTION_PERIOD_TEXT_LEN],
                                      const plaint_retention_period *period)
{
    const unsigned v[3] = {period->years, period->months, period->days};
    const char *const unit[3] = {"year", "month", "day"};
    size_t len = 0;
    int i;

    out[0] = '\0';
    for (i = 0; i < 3; i++) {
        int r;
        if (v[i] == 0) {
            continue;
        }
        r = snprintf(out + len, PLAINT_RETENTION_PERIOD_TEXT_LEN - len, "%s%u %s%s",
                     len > 0 ? " " : "", v[i], unit[i], v[i] == 1 ? "" : "s");
        if (r < 0 || (size_t)r >= PLAINT_RETENTION_PERIOD_TEXT_LEN - len) {
            return; /* cannot happen within the limits; truncated */
        }
        len += (size_t)r;
    }
    if (len == 0) {
        snprintf(out, PLAINT_RETENTION_PERIOD_TEXT_LEN, "0 days");
    }
}

/* "(3 years from closure, UK FCA DISP 1.9)" */
static void describe_class(char *out, size_t cap, const plaint_retention_class *c)
{
    char period[PLAINT_RETENTION_PERIOD_TEXT_LEN];

    plaint_retention_describe_period(period, &c->period);
    snprintf(out, cap, "(%s from %s%s%s)", period, plaint_retention_from_name(c->from),
             c->basis[0] != '\0' ? ", " : "", c->basis);
}

/* Copies an untrusted name for a reason: at most 64 bytes, control characters as '?'. */
static void safe_copy(char out[65], const char *s)
{
    size_t i;

    for (i = 0; i < 64 && s[i] != '\0'; i++) {
        unsigned char b = (unsigned char)s[i];
        out[i] = (b < 0x20 || b == 0x7f) ? '?' : s[i];
    }
    out[i] = '\0';
}

int plaint_retention_due(plaint_retention_verdict *out, const plaint_retention_policy *p,
                         const char *record_class, int64_t retention_start_us, int active_holds,
                         int64_t now_us, plaint_error *err)
{
    const plaint_retention_class *c;
    char what[PLAINT_RETENTION_REASON_LEN];
    char date[PLAINT_RETENTION_DATE_LEN + 1];
    char name[65];
    int ended;
    int rc;

    if (out == NULL || p == NULL || record_class == NULL || active_holds < 0) {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "retention verdict: missing argument or negative hold count");
    }
    memset(out, 0, sizeof(*out));
    c = plaint_retention_find_class(p, record_class);
    if (c == NULL) {
        safe_copy(name, record_class);
        out->status = PLAINT_RETENTION_UNKNOWN_CLASS;
        snprintf(out->reason, sizeof(out->reason),
                 "record class '%s' is not in the retention "
                 "policy",
                 name);
        return 0;
    }
    describe_class(what, sizeof(what), c);
    if (retention_start_us == 0) {
        out->status = PLAINT_RETENTION_NO_START;
        snprintf(out->reason, sizeof(out->reason),
                 "no start of the retention period %.200s is recorded", what);
        return 0;
    }
    rc = plaint_retention_end(&out->due_us, &c->period, retention_start_us, err);
    if (rc == 0) {
        rc = plaint_retention_format_date(date, out->due_us, err);
    }
    if (rc < 0) {
        out->due_us = 0;
        return rc;
    }
    ended = now_us >= out->due_us;
    if (active_holds > 0) {
        out->status = PLAINT_RETENTION_HELD;
        snprintf(out->reason, sizeof(out->reason),
                 "%d active legal hold%s; retention period %.180s %s %s", active_holds,
                 active_holds == 1 ? "" : "s", what, ended ? "ended" : "ends", date);
        return 0;
    }
    out->status = ended ? PLAINT_RETENTION_DUE : PLAINT_RETENTION_NOT_YET;
    snprintf(out->reason, sizeof(out->reason), "retention period %.200s %s %s", what,
             ended ? "ended" : "ends", date);
    return 0;
}

const char *plaint_retention_status_name(plaint_retention_status s)
{
    switch (s) {
    case PLAINT_RETENTION_DUE:
        return "due";
    case PLAINT_RETENTION_NOT_YET:
        return "not-due";
    case PLAINT_RETENTION_HELD:
        return "held";
    case PLAINT_RETENTION_NO_START:
        return "no-start";
    case PLAINT_RETENTION_UNKNOWN_CLASS:
        return "unknown-class";
    }
    return "?";
}

const char *plaint_retention_from_name(plaint_retention_from f)
{
    switch (f) {
    case PLAINT_RETENTION_FROM_RECEIPT:
        return "receipt";
    case PLAINT_RETENTION_FROM_CLOSURE:
        return "closure";
    }
    return NULL;
}

int plaint_retention_from_parse(plaint_retention_from *out, const char *s, plaint_error *err)
{
    if (s != NULL && strcmp(s, "receipt") == 0) {
        *out = PLAINT_RETENTION_FROM_RECEIPT;
        return 0;
    }
    if (s != NULL && strcmp(s, "closure") == 0) {
        *out = PLAINT_RETENTION_FROM_CLOSURE;
        return 0;
    }
    return plaint_error_set_at(err, PLAINT_EINVALID, "from", 0, 0,
                               "the start event must be receipt or closure");
}

int plaint_retention_format_date(char out[PLAINT_RETENTION_DATE_LEN + 1], int64_t us,
                                 plaint_error *err)
{
    char t[PLAINT_TIME_LEN + 1];
    int rc = plaint_time_format(t, us, err);

    if (rc < 0) {
        return rc;
    }
    memcpy(out, t, PLAINT_RETENTION_DATE_LEN);
    out[PLAINT_RETENTION_DATE_LEN] = '\0';
    return 0;
}

int plaint_retention_parse_date(int64_t *out, const char *s, plaint_error *err)
{
    char t[PLAINT_TIME_LEN + 1];
    size_t i;

    for (i = 0; s != NULL && i < PLAINT_RETENTION_DATE_LEN; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) {
            break;
        }
    }
    if (s == NULL || i != PLAINT_RETENTION_DATE_LEN || s[i] != '\0') {
        return plaint_error_set(err, PLAINT_EINVALID, "a date must look like 2026-11-25");
    }
    memcpy(t, s, PLAINT_RETENTION_DATE_LEN);
    memcpy(t + PLAINT_RETENTION_DATE_LEN, "T00:00:00.000000Z", PLAINT_TIME_LEN - 10 + 1);
    if (plaint_time_parse(out, t, PLAINT_TIME_LEN, NULL) < 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "'%s' is not a valid date", s);
    }
    return 0;
}
