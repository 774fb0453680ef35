/* The signed PDF reports: weekly summary, monthly management report, audit report and the
 * single-case report (plaint report weekly|monthly|audit|case). Each is computed at a ledger
 * checkpoint (plaint/app_report.h), laid out with the PDF document builder (src/report/pdf_doc.h),
 * signed with a PAdES B-B signature (src/report/pades.h) and written atomically. Every figure is
 * integer arithmetic; definitions: docs/reports-pdf-content.md.
 *
 * Three layers, so each can be tested alone:
 *   - figures and their text (plaint_rpt_*): pure integer functions;
 *   - rendering (plaint_report_pdf_render_*): the report's data as JSON (as the store returns it,
 *     include/plaint/report_pdf_store.h) to unsigned, deterministic PDF bytes; no database;
 *   - the use case (plaint_app_report_pdf): anchor, read, render, sign, write. */
#ifndef PLAINT_APP_REPORT_PDF_H
#define PLAINT_APP_REPORT_PDF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "plaint/app_auth.h"
#include "plaint/buf.h"
#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/period.h"

/* ---- figures ---- */

/* The mean of n values, rounded to the nearest integer, ties to even (plaint_div_round_half_even).
 * PLAINT_EINVALID for n 0, PLAINT_ERANGE if the sum overflows int64. */
PLAINT_EXTERN int plaint_rpt_mean(int64_t *out, const int64_t *v, size_t n, plaint_error *err);

/* Twice the median of n values (sorts v ascending in place): the middle value times two for odd
 * n, the sum of the two middle values for even n, so the median is exact (out / 2, a half when
 * out is odd). PLAINT_EINVALID for n 0, PLAINT_ERANGE if the sum overflows. */
PLAINT_EXTERN int plaint_rpt_median2(int64_t *out, int64_t *v, size_t n, plaint_error *err);

/* num / den in tenths of a per cent (per mille), rounded to the nearest, ties to even; 0 when
 * den is 0 (callers show "n/a" then). num must be in [0, den] and den <= 10^15. */
PLAINT_EXTERN int64_t plaint_rpt_permille(int64_t num, int64_t den);

/* The resolution-time buckets of the distribution charts: [0, 1 d), [1 d, 3 d), [3 d, 7 d),
 * [1 w, 2 w), [2 w, 4 w), [4 w, 8 w), [8 w, 26 w), 26 w and more (negative: the first). */
#define PLAINT_RPT_BUCKETS 8
PLAINT_EXTERN size_t plaint_rpt_bucket(int64_t seconds);
PLAINT_EXTERN const char *plaint_rpt_bucket_label(size_t i);

/* Text forms; each writes a NUL-terminated string into out (n bytes; 48 is always enough) and
 * returns out. */
/* 1234567 -> "1,234,567"; -1234 -> "-1,234". */
PLAINT_EXTERN char *plaint_rpt_fmt_count(char *out, size_t n, int64_t v);
/* Per mille -> "12.3%". */
PLAINT_EXTERN char *plaint_rpt_fmt_permille(char *out, size_t n, int64_t pm);
/* Twice a number of seconds -> "3 d 04:05:06" ("... .5" when odd; "-" sign when negative). */
PLAINT_EXTERN char *plaint_rpt_fmt_duration2(char *out, size_t n, int64_t twice_seconds);
/* Unix seconds -> "2026-11-25 20:39:40 UTC". */
PLAINT_EXTERN char *plaint_rpt_fmt_time(char *out, size_t n, int64_t t);

/* ---- rendering ---- */

/* What every report names: the checkpoint it was computed at and the font to set it in. */
typedef struct plaint_report_pdf_ctx {
    int64_t cp_seq;
    int64_t cp_tree_size;
    const char *cp_root_hex; /* 64 hex digits */
    int64_t cp_time;         /* Unix seconds: the document's dates */
    const char *cp_key_id;   /* 64 hex digits, or NULL/"" when unknown */
    const char *font_path;
    const char *period_label; /* weekly, monthly, audit: e.g. "2026-W47" */
    int64_t period_from;      /* Unix seconds, [from, to) */
    int64_t period_to;
} plaint_report_pdf_ctx;

/* data: the JSON array of plaint_pg_report_pdf_resolved. */
PLAINT_EXTERN int plaint_report_pdf_render_weekly(plaint_buf *out, const plaint_report_pdf_ctx *c,
                                                  const json_t *data, plaint_error *err);
/* data: {"month": plaint_pg_report_pdf_month's object, "resolved": the resolved array,
 * "months": ["YYYY-MM", ...] the series' buckets, oldest first}. */
PLAINT_EXTERN int plaint_report_pdf_render_monthly(plaint_buf *out, const plaint_report_pdf_ctx *c,
                                                   const json_t *data, plaint_error *err);
/* data: plaint_pg_report_pdf_audit's object plus "verify": {ok, events, cases, checkpoints,
 * sealed, unsealed, reason, position, case, pubkey}. */
PLAINT_EXTERN int plaint_report_pdf_render_audit(plaint_buf *out, const plaint_report_pdf_ctx *c,
                                                 const json_t *data, plaint_error *err);
/* data: plaint_pg_report_pdf_case's object, with "complaint" carrying "narrative" as it may be
 * shown (text, "(in the vault)" or "(erased)") and "customer_name" likewise (absent: no
 * customer). */
PLAINT_EXTERN int plaint_report_pdf_render_case(plaint_buf *out, const plaint_report_pdf_ctx *c,
                                                const json_t *data, plaint_error *err);

/* ---- the use case ---- */

typedef enum plaint_report_pdf_kind {
    PLAINT_REPORT_PDF_WEEKLY = 0,
    PLAINT_REPORT_PDF_MONTHLY,
    PLAINT_REPORT_PDF_AUDIT,
    PLAINT_REPORT_PDF_CASE
} plaint_report_pdf_kind;

typedef struct plaint_report_pdf_request {
    plaint_report_pdf_kind kind;
    plaint_period period; /* weekly, monthly, audit */
    const char *ref;      /* case */
    const char *out_path; /* the PDF to write (replaced atomically) */
    int64_t signing_time; /* Unix seconds: the signature's time, the only varying byte */
    const char *pubkey;   /* audit: the trusted checkpoint key (NULL: beside signing_key) */
} plaint_report_pdf_request;

typedef struct plaint_report_pdf_result {
    int64_t cp_seq;
    int64_t cp_tree_size;
    char cp_root_hex[65];
    int cp_sealed_now; /* 1 if the report sealed the checkpoint it names */
    size_t bytes;      /* size of the signed file */
    int verified;      /* audit: 1 if the ledger verified (0: the PDF reports the failure) */
} plaint_report_pdf_result;

/* Writes the report. The actor must be authorised already (report.pdf; for the case report also
 * complaint.read); customer.read is decided here against az, without logging a denial, for the
 * case report's personal data (customer name, sealed narrative). db: a plaint_app connection,
 * outside a transaction. Errors: PLAINT_EINVALID (bad request), PLAINT_ENOTFOUND (no such
 * complaint), PLAINT_EIO (font, key or certificate missing; file not writable), PLAINT_EDB; on
 * any error nothing is left at out_path (an existing file there is kept unchanged). */
PLAINT_EXTERN int plaint_app_report_pdf(plaint_report_pdf_result *out, plaint_db *db,
                                        plaint_authz *az, const plaint_actor *actor,
                                        const plaint_config *cfg,
                                        const plaint_report_pdf_request *req, plaint_error *err);

#endif
