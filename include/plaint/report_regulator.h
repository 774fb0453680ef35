/* The regulator complaints return and the case-level export: their figures (computed from the
 * ledger events below a checkpoint's tree size, src/store/pg_report_regulator.c), the fixed-point
 * percentages, and the use cases that write and verify the signed XML documents
 * (src/app/report_regulator.c). Exact definitions of every figure: docs/reports.md. */
#ifndef PLAINT_REPORT_REGULATOR_H
#define PLAINT_REPORT_REGULATOR_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/app_auth.h"
#include "plaint/app_report.h"
#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/period.h"
#include "plaint/report_definition.h"

#define PLAINT_REPORT_RETURN_NS  "urn:plaint:report:regulator-return:1"
#define PLAINT_REPORT_RETURN_XSD "regulator-return-v1.xsd"
#define PLAINT_REPORT_CASES_NS   "urn:plaint:report:case-export:1"
#define PLAINT_REPORT_CASES_XSD  "case-export-v1.xsd"
/* The pseudonymisation key of the case export, under $PLAINT_HOME/keys. */
#define PLAINT_REPORT_PSEUDONYM_KEY "report-pseudonym.key"

typedef struct plaint_report_amount {
    char currency[4];
    int64_t amount; /* minor units */
} plaint_report_amount;

typedef struct plaint_report_cause {
    char *name;
    int64_t count;
} plaint_report_cause;

typedef struct plaint_report_figures {
    int64_t outstanding;    /* outstanding at the start of the period */
    int64_t opened;         /* received in the period */
    int64_t closed;         /* closed in the period */
    int64_t within_summary; /* of those: by the close of the Nth business day after receipt */
    int64_t within_final;   /* of those: after that, but by the end of N weeks */
    int64_t upheld;         /* of those closed: upheld (fully or partly) */
    size_t namounts;
    plaint_report_amount *amounts; /* redress of those closed, per currency, code order */
    size_t ncauses;
    plaint_report_cause *causes; /* those closed per root cause, name byte order */
} plaint_report_figures;

typedef struct plaint_report_result {
    size_t ngroups;
    plaint_report_figures groups[PLAINT_REPORT_MAX_GROUPS]; /* in the definition's order */
    plaint_report_figures total;
} plaint_report_result;

/* What the figure queries need: the checkpoint's tree size, the definition's mappings, the
 * period bounds (RFC 3339), and the deadlines of each local day of receipt as JSON arrays of
 * RFC 3339 instants: day_starts has N + 1 ascending instants (the start of each of N local days
 * and of the day after), summary_due and final_due N deadlines. */
typedef struct plaint_report_query {
    int64_t tree_size;
    const plaint_report_def *def;
    const char *from;
    const char *to;
    const char *day_starts;
    const char *summary_due;
    const char *final_due;
} plaint_report_query;

PLAINT_EXTERN void plaint_report_result_clear(plaint_report_result *r);

/* Computes the figures into r (cleared first; clear it with plaint_report_result_clear). */
PLAINT_EXTERN int plaint_pg_report_figures(plaint_report_result *r, plaint_db *db,
                                           const plaint_report_query *q, plaint_error *err);

/* One complaint of the case export; strings borrowed for the callback only, NULL if absent. */
typedef struct plaint_report_case {
    const char *ref;
    const char *group; /* group id */
    const char *category;
    const char *received; /* RFC 3339 */
    const char *closed;   /* RFC 3339 or NULL */
    int outstanding_at_start;
    int opened;
    int closed_in_period;
    const char *closed_within; /* "summary", "final", "later" or NULL (open) */
    int upheld;                /* -1 unknown */
    const char *redress;       /* decimal minor units or NULL */
    const char *currency;
    const char *cause;    /* mapped root cause, NULL when open */
    const char *customer; /* customer id in clear (the caller pseudonymises) or NULL */
} plaint_report_case;

typedef int (*plaint_report_case_fn)(const plaint_report_case *c, void *arg, plaint_error *err);

/* Every complaint open at some time in the period (received before its end, not closed before
 * its start), in reference order. */
PLAINT_EXTERN int plaint_pg_report_cases(plaint_db *db, const plaint_report_query *q,
                                         plaint_report_case_fn fn, void *arg, plaint_error *err);

/* n * 100 / d as a fixed-point decimal with two places, rounded half up, written into out
 * ("0.00" .. "100.00" for 0 <= n <= d); integer arithmetic only: hundredths of a per cent =
 * (2 * n * 10000 + d) / (2 * d). PLAINT_EINVALID unless d > 0 and 0 <= n <= d; PLAINT_ERANGE
 * for d > INT64_MAX / 20001. (Implemented in src/report/xml_return.c.) */
#define PLAINT_REPORT_PERCENT_LEN 6
PLAINT_EXTERN int plaint_report_percent(char out[PLAINT_REPORT_PERCENT_LEN + 1], int64_t n,
                                        int64_t d, plaint_error *err);

/* --- use cases (src/app/report_regulator.c) --- */

typedef struct plaint_report_options {
    const char *period;     /* e.g. "2026-H1" */
    const char *definition; /* path, NULL: <report_dir>/regulator-return.xml */
    const char *out;        /* output path */
} plaint_report_options;

typedef struct plaint_report_written {
    plaint_report_anchor anchor;
    plaint_period period;
    size_t bytes;
    int64_t records; /* case export: cases written */
} plaint_report_written;

/* Computes, builds, signs (cfg->report_key, cfg->report_cert), validates and writes the return
 * (cases = 0) or the case export (cases = 1). Nothing is written unless the document is valid.
 * db: a plaint_app connection (the anchor may seal). */
PLAINT_EXTERN int plaint_app_report_xml(plaint_report_written *out, plaint_db *db,
                                        const plaint_config *cfg, const plaint_report_options *o,
                                        int cases, plaint_error *err);

typedef struct plaint_report_check {
    int cases; /* 1: a case export */
    char period[32];
    int64_t tree_size;
    char root_hex[65];
    char signer[256];    /* subject of the certificate that verified */
    int cert_configured; /* 1: verified with cfg->report_cert, 0: the embedded cert */
    int ledger_checked;
} plaint_report_check;

/* Verifies a document written by plaint_app_report_xml: schema, XML signature (with
 * cfg->report_cert if that file exists, else with the certificate the document carries), and
 * with db (may be NULL) the checkpoint and every figure recomputed at it. PLAINT_ETAMPER names
 * what does not match; PLAINT_EINVALID for a document that is not one of plaint's. */
PLAINT_EXTERN int plaint_app_report_verify_xml(plaint_report_check *out, plaint_db *db,
                                               const plaint_config *cfg, const char *path,
                                               plaint_error *err);

#endif
