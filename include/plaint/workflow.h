/* The complaint workflow as a state machine: the states a complaint can be in, their stable wire
 * names, and the transitions allowed between them with the RBAC action each needs. Pure data
 * and lookups; whether a user holds the action is core/rbac's question, and time limits (the
 * referral period for reopening) are the caller's. Described in docs/workflow.md, whose
 * transition table tests/unit/test_workflow.c keeps equal to the one in src/core/workflow.c. */
#ifndef PLAINT_WORKFLOW_H
#define PLAINT_WORKFLOW_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The RBAC actions (policies/rbac.xml) that transitions need. */
#define PLAINT_WF_ACTION_TRANSITION "complaint.transition"
#define PLAINT_WF_ACTION_RESOLVE    "complaint.resolve"
#define PLAINT_WF_ACTION_CLOSE      "complaint.close"
#define PLAINT_WF_ACTION_REOPEN     "complaint.reopen"

/* The longest state name ("resolution_proposed"), without its NUL. */
#define PLAINT_WF_STATE_NAME_MAX 19

/* Complaint states. The numeric values are not stored anywhere: ledger payloads and the
 * database use the names of plaint_wf_state_name, which never change. */
typedef enum plaint_wf_state {
    PLAINT_WF_NEW = 0,                 /* "new": registered, intake not complete */
    PLAINT_WF_UNDER_INVESTIGATION = 1, /* "under_investigation": tier 1 investigates */
    PLAINT_WF_ESCALATED = 2,           /* "escalated": tier 2 / management investigates */
    PLAINT_WF_RESOLUTION_PROPOSED = 3, /* "resolution_proposed": outcome and redress proposed */
    PLAINT_WF_RESOLVED = 4,            /* "resolved": resolution accepted, final response sent */
    PLAINT_WF_CLOSED = 5,              /* "closed": fulfilment done, case closed */
    PLAINT_WF_ARCHIVED = 6,            /* "archived": out of the active queue; final */
    PLAINT_WF_REJECTED = 7,            /* "rejected": out of scope of complaint handling */
    PLAINT_WF_WITHDRAWN = 8,           /* "withdrawn": withdrawn by the customer */
    PLAINT_WF_REOPENED = 9,            /* "reopened": came back within the referral period */
    PLAINT_WF_STATE_COUNT = 10
} plaint_wf_state;

/* The wire name of s ("under_investigation"), or NULL if s is not a state. Static storage. */
PLAINT_EXTERN const char *plaint_wf_state_name(plaint_wf_state s);

/* Parses a wire name (exact, case-sensitive). Returns 0 with *out set, or PLAINT_EINVALID for
 * NULL or an unknown name (*out unchanged). */
PLAINT_EXTERN int plaint_wf_state_parse(plaint_wf_state *out, const char *name);

/* 1 if a complaint in state s counts as open (active: its handling time limits run, it awaits
 * a resolution): new, under_investigation, escalated, resolution_proposed, reopened. 0 for
 * resolved, closed, archived, rejected, withdrawn and for a value that is not a state. */
PLAINT_EXTERN int plaint_wf_is_open(plaint_wf_state s);

/* One allowed transition. All strings are static. */
typedef struct plaint_wf_transition {
    plaint_wf_state from;
    plaint_wf_state to;
    const char *action; /* the RBAC action a user needs: one of PLAINT_WF_ACTION_* */
    const char *label;  /* what the transition means, one sentence (the "meaning" in the docs) */
} plaint_wf_transition;

/* The transition from -> to, or NULL if it is not listed (including from == to and values
 * that are not states). Static storage. */
PLAINT_EXTERN const plaint_wf_transition *plaint_wf_find(plaint_wf_state from, plaint_wf_state to);

/* All listed transitions, grouped by from state, for docs, help and tests; *n (not NULL)
 * receives their number. Static storage. */
PLAINT_EXTERN const plaint_wf_transition *plaint_wf_transitions(size_t *n);

/* Checks a requested transition. Returns 0 if from -> to is listed, else PLAINT_EINVALID
 * (field "state") with a message naming both states and the states reachable from `from`,
 * e.g. "cannot move a complaint from resolved to escalated: from resolved it can move to
 * closed, reopened", or saying that archived is final. Does not check who may take it: see
 * the transition's action. */
PLAINT_EXTERN int plaint_wf_check(plaint_wf_state from, plaint_wf_state to, plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
