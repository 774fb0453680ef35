/* Shared by the complaint use cases (src/app/complaint_*.c, task_ops.c, refund_ops.c). */
#ifndef PLAINT_APP_COMPLAINT_INTERNAL_H
#define PLAINT_APP_COMPLAINT_INTERNAL_H

#include "plaint/app_complaint.h"
#include "plaint/rbac.h"
#include "plaint/workflow.h"

/* s, or NULL when s is NULL or "" (optional inputs and SQL parameters). */
static inline const char *plaint_nz(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* A string member of a JSON object, NULL if absent or not a string. */
const char *plaint_cj_str(const json_t *c, const char *key);

/* Builds the events of a use case from the complaint c as read inside the transaction. */
typedef int (*plaint_complaint_op_fn)(plaint_event_list *ev, plaint_db *db, const json_t *c,
                                      void *arg, plaint_error *err);

/* Reads complaint ref, authorises action (owner and facts as RBAC context), then in one
 * transaction with the complaint locked re-reads it, calls fn and writes its events. */
int plaint_complaint_op(plaint_db *db, plaint_authz *az, plaint_actor *actor, const char *ref,
                        const char *action, const plaint_rbac_fact *facts, size_t nfacts,
                        plaint_complaint_op_fn fn, void *arg, plaint_error *err);

int plaint_complaint_status(plaint_wf_state *out, const json_t *c, plaint_error *err);

/* Adds "complaint.status_changed" from -> to if the workflow lists it (else PLAINT_EINVALID). */
int plaint_complaint_add_status(plaint_event_list *ev, const char *ref, plaint_wf_state from,
                                plaint_wf_state to, const char *reason, plaint_error *err);

/* "<ref>/<prefix><n>" with n one more than the rows of plaint.<table> for ref. */
int plaint_complaint_next_id(char *out, size_t n, plaint_db *db, const char *ref,
                             const char *table, char prefix, plaint_error *err);

/* Whether actor may customer.read (personal data in the vault), decided against az's policy
 * without logging a denial: a withheld value is no refusal (the read it belongs to was allowed).
 * A bootstrap actor (no users yet) may. *allowed is 0 or 1; returns 0 or an error of
 * plaint_rbac_decide. Used by `complaint show` (vault_ops.c) and the case report
 * (report_pdf_ops.c). */
int plaint_may_read_customer(int *allowed, plaint_authz *az, const plaint_actor *actor,
                             plaint_error *err);

#endif
