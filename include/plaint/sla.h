/* Complaint SLA policy: business-day calendars and targets (timers chosen by severity and
 * category), and the deadlines of one complaint. Pure logic: the receipt time is an argument;
 * policies/sla.xml is loaded by plaint_policy_load_sla (src/policy/sla_xml.c). Exact deadline
 * definitions and the policy format: docs/sla.md. */
#ifndef PLAINT_SLA_H
#define PLAINT_SLA_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/bizcal.h"
#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, shared with schemas/xml/sla.xsd. Target ids are like calendar ids (1..63 of
 * [a-z0-9._-] starting with a letter); categories are 1..255 bytes without control
 * characters or leading/trailing spaces, compared exactly (the severity policy's category
 * names, e.g. CFPB "Product" values). */
#define PLAINT_SLA_ID_MAX        63
#define PLAINT_SLA_CATEGORY_MAX  255
#define PLAINT_SLA_MAX_CALENDARS 16
#define PLAINT_SLA_MAX_TARGETS   256
/* DISP defaults of a default target that leaves them out */
#define PLAINT_SLA_DISP_SUMMARY_BUSINESS_DAYS 3 /* DISP 1.5.1R */
#define PLAINT_SLA_DISP_FINAL_WEEKS           8 /* DISP 1.6.2R */

/* Severity levels a target matches; ANY matches every complaint, with or without a level. */
typedef enum plaint_sla_severity {
    PLAINT_SLA_SEVERITY_ANY = 0,
    PLAINT_SLA_SEVERITY_LOW,
    PLAINT_SLA_SEVERITY_MEDIUM,
    PLAINT_SLA_SEVERITY_HIGH,
    PLAINT_SLA_SEVERITY_CRITICAL
} plaint_sla_severity;

typedef enum plaint_sla_unit {
    PLAINT_SLA_UNSET = 0,         /* in a target: use the default target's timer */
    PLAINT_SLA_BUSINESS_DAYS = 1, /* close of business on the n-th business day after receipt */
    PLAINT_SLA_WEEKS = 2          /* end of the local day n weeks after the day of receipt */
} plaint_sla_unit;

typedef struct plaint_sla_timer {
    plaint_sla_unit unit;
    int count; /* business days 1..PLAINT_BIZCAL_MAX_BUSINESS_DAYS, weeks 1..MAX_WEEKS */
} plaint_sla_timer;

/* A target. Strings borrowed: for plaint_sla_add_target, for the call; from the getters, until
 * the policy is freed. */
typedef struct plaint_sla_target {
    const char *id;
    plaint_sla_severity severity;
    const char *category;                /* NULL: any category */
    const char *calendar;                /* NULL: the policy's default calendar */
    plaint_sla_timer first_response;     /* business days only */
    plaint_sla_timer summary_resolution; /* business days only */
    plaint_sla_timer final_response;     /* business days or weeks */
} plaint_sla_target;

/* The deadlines of one complaint (microseconds since the epoch, UTC) and what chose them. */
typedef struct plaint_sla_deadlines {
    int64_t first_response_due;
    int64_t summary_resolution_due;
    int64_t final_response_due;
    char calendar[64]; /* the calendar's id */
    char target[64];   /* the matching target's id */
} plaint_sla_deadlines;

typedef struct plaint_sla_policy plaint_sla_policy;

/* An empty policy. Caller frees with plaint_sla_policy_free (NULL is a no-op). */
PLAINT_EXTERN int plaint_sla_policy_new(plaint_sla_policy **out, plaint_error *err);
PLAINT_EXTERN void plaint_sla_policy_free(plaint_sla_policy *p);

/* Adds a calendar; the policy takes ownership of cal whatever the result (it is freed on
 * failure). PLAINT_EINVALID (field "id") for an id already used; PLAINT_ERANGE past
 * PLAINT_SLA_MAX_CALENDARS. The first calendar added is the default until one is set. */
PLAINT_EXTERN int plaint_sla_add_calendar(plaint_sla_policy *p, plaint_bizcal *cal,
                                          plaint_error *err);
/* Names the default calendar; PLAINT_EINVALID (field "calendar") if there is no such calendar. */
PLAINT_EXTERN int plaint_sla_set_default_calendar(plaint_sla_policy *p, const char *id,
                                                  plaint_error *err);

/* Adds a target after the others (see plaint_sla_match for how they combine); strings copied.
 * PLAINT_EINVALID, field named, for: a malformed or duplicate id, a malformed category, an
 * unknown calendar, a timer with a bad count or unit (weeks only for final_response), a target
 * that sets no timer and no calendar, or one that can never decide anything because earlier
 * targets matching every complaint it matches already set each thing it sets;
 * PLAINT_ERANGE past PLAINT_SLA_MAX_TARGETS. */
PLAINT_EXTERN int plaint_sla_add_target(plaint_sla_policy *p, const plaint_sla_target *t,
                                        plaint_error *err);
/* Sets the default target, used when no target matches and for the timers a target leaves
 * unset. Its severity must be ANY and its category NULL; first_response must be set;
 * summary_resolution defaults to 3 business days and final_response to 8 weeks (DISP). Other
 * errors as plaint_sla_add_target; PLAINT_EINVALID if a default is already set. */
PLAINT_EXTERN int plaint_sla_set_default_target(plaint_sla_policy *p, const plaint_sla_target *t,
                                                plaint_error *err);
/* 0 if the policy is usable (a calendar and a default target), else PLAINT_EINVALID. */
PLAINT_EXTERN int plaint_sla_check(const plaint_sla_policy *p, plaint_error *err);

/* Calendars in the order added; borrowed until the policy is freed. NULL if unknown / past
 * the end / none. */
PLAINT_EXTERN size_t plaint_sla_count_calendars(const plaint_sla_policy *p);
PLAINT_EXTERN const plaint_bizcal *plaint_sla_get_calendar(const plaint_sla_policy *p, size_t i);
PLAINT_EXTERN const plaint_bizcal *plaint_sla_calendar(const plaint_sla_policy *p, const char *id);
PLAINT_EXTERN const plaint_bizcal *plaint_sla_default_calendar(const plaint_sla_policy *p);

/* Targets in match order as declared (unset timers PLAINT_SLA_UNSET), and the default target
 * (its timers all set); borrowed until the policy is freed. */
PLAINT_EXTERN size_t plaint_sla_count_targets(const plaint_sla_policy *p);
PLAINT_EXTERN const plaint_sla_target *plaint_sla_get_target(const plaint_sla_policy *p, size_t i);
PLAINT_EXTERN const plaint_sla_target *plaint_sla_default_target(const plaint_sla_policy *p);

/* What applies to a complaint. Targets are tried in order; each timer, and the calendar, comes
 * from the first matching target that sets it, else from the default target, else (calendar)
 * the policy's default calendar. So a "critical" target setting first-response and a
 * payment-services target setting final-response both apply to a critical payment complaint.
 * A target matches when its severity is ANY or severity_level, and its category is any or
 * exactly category. severity_level is "low", "medium", "high", "critical" or NULL (none
 * recorded: only ANY targets match); category may be NULL (only any-category targets match).
 * *out gets the effective timers (all set), calendar id, and the id, severity and category of
 * the first matching target (the default if none matched); its strings are borrowed from the
 * policy. cal_out (may be NULL) gets the calendar. PLAINT_EINVALID for another severity level
 * or an incomplete policy. */
PLAINT_EXTERN int plaint_sla_match(plaint_sla_target *out, const plaint_bizcal **cal_out,
                                   const plaint_sla_policy *p, const char *severity_level,
                                   const char *category, plaint_error *err);

/* The deadlines of a complaint received at received_us, from the timers plaint_sla_match
 * gives, on its calendar; out->target is the first matching target's id ("disp", the default's,
 * if none matched):
 * - business days: plaint_bizcal_close_of_nth_business_day (DISP 1.5.1R, DISP 1.6.2AR);
 * - weeks: plaint_bizcal_end_of_weeks (DISP 1.6.2R).
 * Errors as plaint_sla_match, and PLAINT_ERANGE for a receipt far outside years 1..9999. */
PLAINT_EXTERN int plaint_sla_compute(plaint_sla_deadlines *out, const plaint_sla_policy *p,
                                     const char *severity_level, const char *category,
                                     int64_t received_us, plaint_error *err);

/* Name of a severity ("any", "low", ...); NULL if unknown. */
PLAINT_EXTERN const char *plaint_sla_severity_name(plaint_sla_severity s);
/* Parses "any", "low", "medium", "high" or "critical"; PLAINT_EINVALID otherwise. */
PLAINT_EXTERN int plaint_sla_severity_parse(plaint_sla_severity *out, const char *s,
                                            plaint_error *err);

/* Loads the SLA policy at xml_path (policies/sla.xml), validated against the schema at
 * xsd_path (schemas/xml/sla.xsd), with the parsing rules and return codes of
 * plaint_policy_load_rbac (include/plaint/policy_xml.h): a DOCTYPE, malformed XML, a schema
 * violation or a semantic error (bad TZ rule, bad or duplicate holiday, unknown calendar, ...)
 * is PLAINT_EINVALID with err->message "<xml_path>:<line>: <what>" and err->line set. If
 * sha256_out is not NULL it receives the SHA-256 of the exact bytes loaded. Caller frees *out
 * with plaint_sla_policy_free. Implemented in src/policy/sla_xml.c (libxml2). */
PLAINT_EXTERN int plaint_policy_load_sla(plaint_sla_policy **out, unsigned char *sha256_out,
                                         const char *xml_path, const char *xsd_path,
                                         plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
