/* Complaint use cases: intake with the automatic steps of the reference process, the everyday
 * workflow (assign, transition, note, resolve, close, reopen), tasks, refunds with four-eyes
 * approval, customers and orders, and rebuilding the projections from the ledger. Each use case
 * authorises its actor (with the complaint's owner and history as RBAC context), checks its
 * preconditions, and writes its ledger events in one transaction; the projections follow from
 * the events (schemas/sql/0005_complaints.sql). Design: docs/workflow.md. */
#ifndef PLAINT_APP_COMPLAINT_H
#define PLAINT_APP_COMPLAINT_H

#include <jansson.h>
#include <stdint.h>

#include "plaint/app_auth.h"
#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/event_list.h"
#include "plaint/intake.h"
#include "plaint/intake_plan.h"
#include "plaint/ledger.h"

/* The handling policies, loaded and validated (policies/{severity,routing,sla,escalation}.xml). */
typedef struct plaint_handling plaint_handling;
PLAINT_EXTERN int plaint_handling_open(plaint_handling **out, const plaint_config *cfg,
                                       plaint_error *err);
PLAINT_EXTERN void plaint_handling_free(plaint_handling *h);
PLAINT_EXTERN void plaint_handling_get(const plaint_handling *h, plaint_handling_policies *out);
/* Records each policy file's hash on the ledger if it changed since last recorded. */
PLAINT_EXTERN int plaint_handling_record(const plaint_handling *h, plaint_db *db,
                                         const plaint_actor *actor, plaint_error *err);

/* Writes the events of l in order as actor (in the open transaction, if any). Events whose
 * idempotency key is already recorded are skipped; *replayed (may be NULL) counts them. */
PLAINT_EXTERN int plaint_app_write_events(plaint_db *db, const plaint_actor *actor,
                                          const plaint_event_list *l, int *replayed,
                                          plaint_error *err);

/* Reads the facts intake needs (customer profile, repeats, duplicates, order, month count)
 * for `in` inside the open transaction. ref must stay valid while facts are used; strings in
 * *facts point into *hold (caller decrefs). */
PLAINT_EXTERN int plaint_app_intake_facts(plaint_intake_facts *facts, json_t **hold,
                                          plaint_db *db, const plaint_handling *h,
                                          const plaint_complaint_input *in, const char *ref,
                                          plaint_error *err);

/* Registers a complaint and runs the automatic intake steps (action complaint.create, checked
 * by the caller). ref (32 bytes) receives the reference number. received_us 0: now; more
 * than 5 minutes ahead of now is PLAINT_EINVALID (field received). The narrative of a
 * customer whose record names a vault subject is sealed in the vault (plaint_app_narrative_seal,
 * same transaction) with the master keys of cfg; cfg may be NULL when in has no customer. */
PLAINT_EXTERN int plaint_app_complaint_new(char *ref, plaint_db *db, const plaint_actor *actor,
                                           const plaint_handling *h, const plaint_config *cfg,
                                           const plaint_complaint_input *in, plaint_error *err);

/* The everyday commands. Each authorises actor against az itself (the complaint's owner is the
 * RBAC owner), so callers only authenticate. */
PLAINT_EXTERN int plaint_app_complaint_transition(plaint_db *db, plaint_authz *az,
                                                  plaint_actor *actor, const char *ref,
                                                  const char *to, const char *reason,
                                                  plaint_error *err);
PLAINT_EXTERN int plaint_app_complaint_assign(plaint_db *db, plaint_authz *az,
                                              plaint_actor *actor, const char *ref,
                                              const char *owner, plaint_error *err);
/* kind: "note", "correspondence_in" or "correspondence_out" (a reply to the customer, which
 * counts as the first response). */
PLAINT_EXTERN int plaint_app_complaint_note(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                            const char *ref, const char *kind, const char *text,
                                            plaint_error *err);

typedef struct plaint_resolution {
    const char *outcome; /* upheld | partially_upheld | not_upheld | goodwill */
    const char *summary;
    const char *root_cause; /* NULL: keep */
} plaint_resolution;

/* Resolves: refuses while a mandatory checklist item is open or a refund awaits approval or
 * credit; writes the resolution log (redress = refunds credited), moves the complaint to
 * resolved through resolution_proposed and queues the resolution notice. */
PLAINT_EXTERN int plaint_app_complaint_resolve(plaint_db *db, plaint_authz *az,
                                               plaint_actor *actor, const char *ref,
                                               const plaint_resolution *r, plaint_error *err);
/* resolved -> closed; satisfaction 1-5 recorded when > 0. */
PLAINT_EXTERN int plaint_app_complaint_close(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                             const char *ref, int satisfaction,
                                             plaint_error *err);
PLAINT_EXTERN int plaint_app_complaint_reopen(plaint_db *db, plaint_authz *az,
                                              plaint_actor *actor, const char *ref,
                                              const char *reason, plaint_error *err);
PLAINT_EXTERN int plaint_app_complaint_satisfaction(plaint_db *db, plaint_authz *az,
                                                    plaint_actor *actor, const char *ref,
                                                    int score, plaint_error *err);

/* Checks the given checklist items of a task (nitems > 0), or completes the task (nitems 0:
 * refused while a mandatory item is open). An unassigned task is taken by the actor first. */
PLAINT_EXTERN int plaint_app_task_done(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                       const char *task_id, const char *const *items,
                                       size_t nitems, plaint_error *err);

/* Proposes a refund of the given order lines of the complaint's linked order (quantities 0: the
 * whole line; nlines 0: every line), net of the order's credit notes, and creates the approval
 * task for a finance manager. refund_id (64 bytes) receives its id. */
PLAINT_EXTERN int plaint_app_refund_propose(char *refund_id, plaint_db *db, plaint_authz *az,
                                            plaint_actor *actor, const char *ref,
                                            const int64_t *lines, const int64_t *quantities,
                                            size_t nlines, const char *reason, plaint_error *err);
/* Four-eyes: the requester may never approve. Completes the approval task. */
PLAINT_EXTERN int plaint_app_refund_approve(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                            const char *refund_id, plaint_error *err);
/* Credits the customer's balance with an approved refund, exactly once. */
PLAINT_EXTERN int plaint_app_refund_credit(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                                           const char *refund_id, plaint_error *err);

typedef struct plaint_customer_input {
    const char *customer_id;
    const char *tier;
    int64_t lifetime_value; /* minor units */
    int64_t balance;
    const char *currency;
    const char *subject_id; /* vault subject holding name/email, NULL: none */
} plaint_customer_input;
PLAINT_EXTERN int plaint_app_customer_add(plaint_db *db, const plaint_actor *actor,
                                          const plaint_customer_input *in, plaint_error *err);

typedef struct plaint_order_line_input {
    const char *sku;
    const char *description;
    int64_t unit_amount;
    int64_t quantity;
    int32_t tax_rate_bp;
} plaint_order_line_input;
typedef struct plaint_credit_note_input {
    const char *credit_ref;
    int64_t amount;
} plaint_credit_note_input;
PLAINT_EXTERN int plaint_app_order_add(plaint_db *db, const plaint_actor *actor,
                                       const char *order_ref, const char *customer_id,
                                       int64_t placed_us, const plaint_order_line_input *lines,
                                       size_t nlines, const plaint_credit_note_input *credits,
                                       size_t ncredits, plaint_error *err);

/* Escalates open complaints whose first-response or final-response deadline passed before now_us
 * (0: now) and that were not escalated for that timer yet, as the escalation policy says (with
 * the breached timer as a fact). Idempotent: a timer's breach escalates once. *breaches counts
 * the breaches found, *escalated the escalations written. */
PLAINT_EXTERN int plaint_app_sla_scan(int64_t *escalated, int64_t *breaches, plaint_db *db,
                                      const plaint_actor *actor, const plaint_handling *h,
                                      int64_t now_us, plaint_error *err);

typedef struct plaint_import_stats {
    int64_t rows_good; /* rows read and accepted */
    int64_t rows_bad;  /* rows reported bad (CSV, mapping or intake) */
    int64_t imported;  /* new complaints */
    int64_t skipped;   /* rows already imported before */
} plaint_import_stats;

/* Imports a CSV file through a mapping (reports/mappings/NAME.xml, validated against
 * mapping.xsd): every good row becomes a complaint with the intake steps, batch rows per
 * transaction; rows already imported (same mapping name and external id) are skipped. Bad rows
 * go to bad (file:line:column and why) and are left out; with strict, any bad row means nothing
 * is written (PLAINT_EINVALID). */
PLAINT_EXTERN int plaint_app_import_csv(plaint_import_stats *st, plaint_db *db,
                                        const plaint_actor *actor, const plaint_handling *h,
                                        const plaint_config *cfg, const char *mapping_path,
                                        const char *csv_path, int strict, size_t batch,
                                        plaint_intake_bad_fn bad, void *bad_arg,
                                        plaint_progress_fn progress, void *progress_arg,
                                        plaint_error *err);

/* Imports one RFC 5322 message: with a known reference number in the subject it becomes
 * correspondence on that complaint (action complaint.note), else a new complaint from the email
 * channel (action complaint.create; category "Unclassified" until triaged; the Message-ID makes
 * a second import of the same message an error). ref (32 bytes) receives the complaint. */
PLAINT_EXTERN int plaint_app_import_email(char *ref, int *is_new, plaint_db *db, plaint_authz *az,
                                          plaint_actor *actor, const plaint_handling *h,
                                          const char *path, plaint_error *err);

/* Empties the projections and rebuilds them from the ledger (ADMIN connection), comparing
 * table digests before and after: *same 1 if every table is identical. With check_only the
 * rebuild is rolled back. report (may be NULL) gets a JSON array of {table, rows, before,
 * after}. */
PLAINT_EXTERN int plaint_app_replay(int *same, int64_t *events, json_t **report, plaint_db *db,
                                    int check_only, plaint_error *err);

#endif
