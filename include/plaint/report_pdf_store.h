/* The database reads behind the signed PDF reports (plaint report weekly|monthly|audit|case):
 * one query per report section, each answered by PostgreSQL as one JSON document so that the
 * column names stay in one place (schemas/sql/0005_complaints.sql). Instants come back as whole
 * Unix seconds (UTC, fractions dropped), never as text in the session's time zone, and every
 * list has a total order (ties broken by a key in the "C" collation), so the same database
 * state gives the same JSON. Figures and their definitions: docs/reports-pdf-content.md.
 *
 * Periods are half-open [from, to) in Unix seconds. Ledger reads (audit, case) see only events
 * with a position below tree_size: the events the report's checkpoint covers. */
#ifndef PLAINT_REPORT_PDF_STORE_H
#define PLAINT_REPORT_PDF_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"

/* The complaints resolved in [from, to): those whose status changed to "resolved" within the
 * period (the last such change in the period counts once). *out is a JSON array, ordered by the
 * resolution time then reference, of objects {ref, category, channel, received_at, resolved_at,
 * seconds (resolved_at - received_at, whole seconds), final_due, final_met (null: no target),
 * first_response_due, first_response_at, first_met (null: no target), satisfaction (null or
 * 1..5), outcome, upheld (the last resolution logged up to the resolution; null: none)}.
 * Caller decrefs. */
PLAINT_EXTERN int plaint_pg_report_pdf_resolved(json_t **out, plaint_db *db, int64_t from,
                                                int64_t to, plaint_error *err);

/* The management figures of the complaints received in [from, to) and of the events in it:
 * {received, by_category, by_channel, by_status: [{name, n}] (most first, then name),
 * by_sub_category: [{category, sub_category, n}], escalations: {events, complaints},
 * escalations_by_target: [{name, n}], refunds: [{currency, n, total}] (credited in the period),
 * redress: [{currency, n, upheld, total}] (resolutions logged in the period), series:
 * [{category, month "YYYY-MM", n}] (received in [series_from, to))}. Caller decrefs. */
PLAINT_EXTERN int plaint_pg_report_pdf_month(json_t **out, plaint_db *db, int64_t from, int64_t to,
                                             int64_t series_from, plaint_error *err);

/* The audit trail of [from, to) as far as the checkpoint of tree_size covers it: {denials:
 * [{position, at, type, actor, role, action, reason}] (security log: access.denied and
 * auth.failed), erasures: [{position, at, subject, actor, items, policy, reason}], holds:
 * [{position, at, type (placed|released), subject, hold, actor, reason}], active_holds (at the
 * checkpoint, whatever the period): [{hold, subject, placed_at, placed_by, reason}]}. */
PLAINT_EXTERN int plaint_pg_report_pdf_audit(json_t **out, plaint_db *db, int64_t from, int64_t to,
                                             int64_t tree_size, plaint_error *err);

/* One complaint and its case's ledger events covered by tree_size: {complaint: {...columns,
 * instants as Unix seconds}, events: [{position, seq, at, type, actor, role, payload (the
 * event's canonical JSON text)}], later: events of the case not yet covered}. PLAINT_ENOTFOUND
 * naming ref when there is no such complaint. */
PLAINT_EXTERN int plaint_pg_report_pdf_case(json_t **out, plaint_db *db, const char *ref,
                                            int64_t tree_size, plaint_error *err);

/* The key id (64 hex digits) that signed checkpoint seq into key_id. PLAINT_ENOTFOUND if there
 * is no such checkpoint. */
PLAINT_EXTERN int plaint_pg_report_pdf_key_id(char key_id[65], plaint_db *db, int64_t seq,
                                              plaint_error *err);

#endif
