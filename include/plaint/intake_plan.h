/* The reference process at intake (C4 steps 1-9, docs/workflow.md "Reference process"), as a
 * pure function: from a complaint, the facts read about it and the handling policies, the ledger
 * events to write. Used by `plaint complaint new`, `plaint import csv` and `plaint import email`
 * alike, so every channel gets the same automatic steps. */
#ifndef PLAINT_INTAKE_PLAN_H
#define PLAINT_INTAKE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/escalation.h"
#include "plaint/event_list.h"
#include "plaint/export.h"
#include "plaint/routing.h"
#include "plaint/severity.h"
#include "plaint/sla.h"

/* The handling policies (policies/severity.xml, routing.xml, sla.xml, escalation.xml). */
typedef struct plaint_handling_policies {
    const plaint_severity_policy *severity;
    const plaint_routing_policy *routing;
    const plaint_sla_policy *sla;
    const plaint_escalation_policy *escalation;
} plaint_handling_policies;

/* A complaint as it arrives. Strings borrowed; NULL or "" means absent. */
typedef struct plaint_complaint_input {
    const char *channel;  /* web|email|phone|chat|social|api|post */
    const char *category; /* required */
    const char *sub_category;
    const char *product;
    const char *issue;
    const char *sub_issue;
    const char *company;
    const char *narrative;     /* kept on the ledger: only for complaints without a data subject */
    const char *narrative_ref; /* vault reference of a personal narrative */
    const char *urgency;       /* low|normal|high|critical; absent: normal */
    const char *customer_id;
    const char *order_ref;
    const char *source_system; /* with source_id: the record's identity in the source (import) */
    const char *source_id;
    int64_t received_us;
    const char *const *field_names; /* source fields kept as they came */
    const char *const *field_values;
    size_t nfields;
} plaint_complaint_input;

/* What was read about the complaint before planning (by the caller, from the projections). */
typedef struct plaint_intake_facts {
    const char *ref; /* the reference number given to it */
    int customer_found;
    const char *customer_tier;
    int64_t lifetime_value; /* minor units of currency */
    const char *currency;
    int64_t previous_complaints; /* the customer's earlier complaints */
    int64_t recent_complaints;   /* within the escalation policy's repeat window, this one too */
    const char *duplicate_of;    /* an earlier complaint with the same content, or NULL */
    const char *repeat_of;       /* the customer's latest earlier complaint in the window */
    int order_found;
    int64_t month_count; /* complaints received in the month of received_us, this one too */
} plaint_intake_facts;

/* Channels a complaint may come from, NULL-terminated. */
PLAINT_EXTERN const char *const *plaint_complaint_channels(void);
/* Checks the input (channel, category, urgency, lengths, UTF-8 is the caller's): PLAINT_EINVALID
 * naming the field. */
PLAINT_EXTERN int plaint_complaint_input_check(const plaint_complaint_input *in, plaint_error *err);

/* How far ahead of the reader's clock a received time may be: the clock skew allowed between
 * the systems a complaint comes through (5 minutes). */
#define PLAINT_RECEIVED_SKEW_US (300LL * 1000000LL)

/* Refuses a received time later than now_us + PLAINT_RECEIVED_SKEW_US (now_us is the caller's
 * clock: the core never reads one): PLAINT_EINVALID naming the field "received". A complaint
 * received in the future would start its SLA clocks in the future. */
PLAINT_EXTERN int plaint_complaint_received_check(int64_t received_us, int64_t now_us,
                                                 plaint_error *err);

/* Appends the intake events for in to out (case facts->ref; customer events none). */
PLAINT_EXTERN int plaint_intake_plan(plaint_event_list *out, const plaint_handling_policies *p,
                                     const plaint_complaint_input *in,
                                     const plaint_intake_facts *facts, plaint_error *err);

/* "YYYY-MM" of a UTC instant. */
PLAINT_EXTERN void plaint_month_of(char out[8], int64_t us);
/* The UTC calendar year of an instant (for reference numbers). */
PLAINT_EXTERN int plaint_year_of(int64_t us);

#endif
