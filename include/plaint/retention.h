/* Record retention: classes of records with a retention period, and the verdict for one record
 * (due for erasure, not yet due, held, ...). Pure logic: time is an argument, and
 * policies/retention.xml is loaded by policy_xml.h. Design: docs/retention.md. */
#ifndef PLAINT_RETENTION_H
#define PLAINT_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, shared with schemas/xml/retention.xsd. Class names are 1..63 characters of
 * [a-z0-9._-] starting with a letter. */
#define PLAINT_RETENTION_NAME_MAX    63
#define PLAINT_RETENTION_BASIS_MAX   200
#define PLAINT_RETENTION_MAX_CLASSES 64
#define PLAINT_RETENTION_MAX_YEARS   1000
#define PLAINT_RETENTION_MAX_MONTHS  12000
#define PLAINT_RETENTION_MAX_DAYS    366000
#define PLAINT_RETENTION_REASON_LEN  256
/* "YYYY-MM-DD" */
#define PLAINT_RETENTION_DATE_LEN 10

/* The event that starts a class's retention period. The caller records the start time of each
 * record (e.g. the closure of its complaint); the policy documents which event it should be. */
typedef enum plaint_retention_from {
    PLAINT_RETENTION_FROM_RECEIPT = 0, /* the complaint was received */
    PLAINT_RETENTION_FROM_CLOSURE = 1  /* the complaint was closed */
} plaint_retention_from;

/* A retention period in whole calendar units; added years and months first, then days. */
typedef struct plaint_retention_period {
    unsigned years;  /* 0..PLAINT_RETENTION_MAX_YEARS */
    unsigned months; /* 0..PLAINT_RETENTION_MAX_MONTHS */
    unsigned days;   /* 0..PLAINT_RETENTION_MAX_DAYS */
} plaint_retention_period;

/* A record class. Strings borrowed: for plaint_retention_add_class, for the call; from
 * plaint_retention_get_class, until the policy is freed. */
typedef struct plaint_retention_class {
    const char *name; /* e.g. "complaint" */
    plaint_retention_period period;
    plaint_retention_from from;
    const char *basis; /* the rule it implements, e.g. "UK FCA DISP 1.9"; "" if none */
} plaint_retention_class;

typedef enum plaint_retention_status {
    PLAINT_RETENTION_DUE = 0,      /* the period has ended and no hold is active: erase */
    PLAINT_RETENTION_NOT_YET,      /* the period has not ended; due_us says when it does */
    PLAINT_RETENTION_HELD,         /* a legal hold is active: keep, whatever the due date */
    PLAINT_RETENTION_NO_START,     /* no start of the retention period is recorded: keep */
    PLAINT_RETENTION_UNKNOWN_CLASS /* the policy has no such class: keep */
} plaint_retention_status;

typedef struct plaint_retention_verdict {
    plaint_retention_status status;
    int64_t due_us; /* end of the period (DUE, NOT_YET, HELD); 0 otherwise */
    char reason[PLAINT_RETENTION_REASON_LEN]; /* one line, e.g. "retention period (3 years from
                                                 closure, UK FCA DISP 1.9) ended 2023-01-15" */
} plaint_retention_verdict;

typedef struct plaint_retention_policy plaint_retention_policy;

/* An empty policy (no class: every record is UNKNOWN_CLASS). Caller frees with
 * plaint_retention_policy_free. PLAINT_ENOMEM on failure. */
PLAINT_EXTERN int plaint_retention_policy_new(plaint_retention_policy **out, plaint_error *err);
PLAINT_EXTERN void plaint_retention_policy_free(plaint_retention_policy *p);

/* Adds a class (strings copied). PLAINT_EINVALID (field named) for a malformed or duplicate
 * name, a basis over PLAINT_RETENTION_BASIS_MAX bytes or with control characters, a period
 * unit over its limit, a zero period or an unknown `from`; PLAINT_ERANGE past
 * PLAINT_RETENTION_MAX_CLASSES; PLAINT_ENOMEM. */
PLAINT_EXTERN int plaint_retention_add_class(plaint_retention_policy *p,
                                             const plaint_retention_class *c, plaint_error *err);

/* Classes in the order they were added. get returns NULL past the end; find NULL if unknown. */
PLAINT_EXTERN size_t plaint_retention_count_classes(const plaint_retention_policy *p);
PLAINT_EXTERN const plaint_retention_class *
plaint_retention_get_class(const plaint_retention_policy *p, size_t i);
PLAINT_EXTERN const plaint_retention_class *
plaint_retention_find_class(const plaint_retention_policy *p, const char *name);

/* The end of a period that starts at start_us (microseconds since the epoch, UTC), on the
 * proleptic Gregorian calendar: years and months are added to the year and month, and a day
 * that the target month lacks becomes its last day (29 February + 1 year = 28 February;
 * 31 January + 1 month = 28 or 29 February); then days are added; the time of day is kept.
 * PLAINT_ERANGE if start or end falls outside years 1..9999; PLAINT_EINVALID for a period over
 * the limits. */
PLAINT_EXTERN int plaint_retention_end(int64_t *out, const plaint_retention_period *period,
                                       int64_t start_us, plaint_error *err);

/* The verdict for one record of record_class whose retention started at retention_start_us
 * (0: not recorded), with active_holds legal holds, at now_us. Checked in this order: unknown
 * class, no start, active hold (HELD, due date still computed), then DUE when now_us >= the
 * end of the period, else NOT_YET. Returns 0 with *out filled, or PLAINT_EINVALID (NULL
 * arguments, negative holds) or PLAINT_ERANGE (start or end outside years 1..9999); on error
 * *out is not usable. */
PLAINT_EXTERN int plaint_retention_due(plaint_retention_verdict *out,
                                       const plaint_retention_policy *p, const char *record_class,
                                       int64_t retention_start_us, int active_holds, int64_t now_us,
                                       plaint_error *err);

/* Writes a period as text, e.g. "3 years", "1 year 6 months", "30 days" (at most 63 bytes). */
#define PLAINT_RETENTION_PERIOD_TEXT_LEN 64
PLAINT_EXTERN void plaint_retention_describe_period(char out[PLAINT_RETENTION_PERIOD_TEXT_LEN],
                                                    const plaint_retention_period *period);

/* Short name of a status: "due", "not-due", "held", "no-start", "unknown-class". */
PLAINT_EXTERN const char *plaint_retention_status_name(plaint_retention_status s);
/* Name of a start event: "receipt", "closure"; NULL if unknown. */
PLAINT_EXTERN const char *plaint_retention_from_name(plaint_retention_from f);
/* Parses "receipt" or "closure"; PLAINT_EINVALID otherwise. */
PLAINT_EXTERN int plaint_retention_from_parse(plaint_retention_from *out, const char *s,
                                              plaint_error *err);

/* Formats the UTC date of us as "YYYY-MM-DD"; PLAINT_ERANGE outside years 1..9999. */
PLAINT_EXTERN int plaint_retention_format_date(char out[PLAINT_RETENTION_DATE_LEN + 1], int64_t us,
                                               plaint_error *err);
/* Parses "YYYY-MM-DD" as the start of that UTC day; PLAINT_EINVALID if it is not exactly a
 * valid date in that form. */
PLAINT_EXTERN int plaint_retention_parse_date(int64_t *out, const char *s, plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
