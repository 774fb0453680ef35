/* The complaint workflow state machine: state names and the one table of allowed transitions.
 * Pure data. docs/workflow.md lists the same table; tests/unit/test_workflow.c compares them,
 * so a change here is a change there. */
#include "plaint/workflow.h"

#include <stdio.h>
#include <string.h>

static const char *const STATE_NAMES[PLAINT_WF_STATE_COUNT] = {
    "new",       "under_investigation",
    "escalated", "resolution_proposed",
    "resolved",  "closed",
    "archived",  "rejected",
    "withdrawn", "reopened",
};

#define T  PLAINT_WF_ACTION_TRANSITION
#define RS PLAINT_WF_ACTION_RESOLVE
#define CL PLAINT_WF_ACTION_CLOSE
#define RO PLAINT_WF_ACTION_REOPEN

/* Grouped by from state, in state order; archived has none (it is final). Labels hold no '|'
 * (they are cells of a Markdown table in docs/workflow.md). */
/* clang-format off */
static const plaint_wf_transition TRANSITIONS[] = {
    {PLAINT_WF_NEW, PLAINT_WF_UNDER_INVESTIGATION, T,
     "Intake is complete and the investigation starts; done automatically at intake."},
    {PLAINT_WF_NEW, PLAINT_WF_REJECTED, CL,
     "Rejected at intake: not a complaint, or outside the scope of the complaint rules."},
    {PLAINT_WF_NEW, PLAINT_WF_WITHDRAWN, CL,
     "The customer withdraws the complaint before the investigation starts."},

    {PLAINT_WF_UNDER_INVESTIGATION, PLAINT_WF_ESCALATED, T,
     "Escalated to tier 2 (severity, SLA breach, customer tier, regulated category, public "
     "exposure, repeat complaint or the handler's judgement)."},
    {PLAINT_WF_UNDER_INVESTIGATION, PLAINT_WF_RESOLUTION_PROPOSED, T,
     "The investigation proposes a resolution: the outcome and any redress."},
    {PLAINT_WF_UNDER_INVESTIGATION, PLAINT_WF_REJECTED, CL,
     "Found to be out of scope during the investigation; the customer is told why."},
    {PLAINT_WF_UNDER_INVESTIGATION, PLAINT_WF_WITHDRAWN, CL,
     "The customer withdraws the complaint."},

    {PLAINT_WF_ESCALATED, PLAINT_WF_UNDER_INVESTIGATION, T,
     "Tier 2 hands the case back to tier 1 for further investigation."},
    {PLAINT_WF_ESCALATED, PLAINT_WF_RESOLUTION_PROPOSED, T,
     "Tier 2 proposes a resolution: the outcome and any redress."},
    {PLAINT_WF_ESCALATED, PLAINT_WF_REJECTED, CL,
     "Tier 2 finds the complaint out of scope; the customer is told why."},
    {PLAINT_WF_ESCALATED, PLAINT_WF_WITHDRAWN, CL,
     "The customer withdraws the complaint."},

    {PLAINT_WF_RESOLUTION_PROPOSED, PLAINT_WF_UNDER_INVESTIGATION, T,
     "The proposal goes back for more investigation (the customer or a reviewer does not "
     "accept it)."},
    {PLAINT_WF_RESOLUTION_PROPOSED, PLAINT_WF_ESCALATED, T,
     "The proposal is not accepted and the case goes to tier 2."},
    {PLAINT_WF_RESOLUTION_PROPOSED, PLAINT_WF_RESOLVED, RS,
     "The resolution is accepted and the final response sent; any redress is paid from here."},
    {PLAINT_WF_RESOLUTION_PROPOSED, PLAINT_WF_WITHDRAWN, CL,
     "The customer withdraws the complaint."},

    {PLAINT_WF_RESOLVED, PLAINT_WF_CLOSED, CL,
     "Fulfilment is complete (redress paid, customer informed, outcome recorded)."},
    {PLAINT_WF_RESOLVED, PLAINT_WF_REOPENED, RO,
     "The customer comes back within the referral period, e.g. the redress never arrived."},

    {PLAINT_WF_CLOSED, PLAINT_WF_ARCHIVED, CL,
     "Moved out of the active queue for good; it can no longer be reopened."},
    {PLAINT_WF_CLOSED, PLAINT_WF_REOPENED, RO,
     "The customer comes back within the referral period."},

    {PLAINT_WF_REJECTED, PLAINT_WF_ARCHIVED, CL,
     "Moved out of the active queue for good; it can no longer be reopened."},
    {PLAINT_WF_REJECTED, PLAINT_WF_REOPENED, RO,
     "The rejection is reconsidered within the referral period (e.g. new information)."},

    {PLAINT_WF_WITHDRAWN, PLAINT_WF_ARCHIVED, CL,
     "Moved out of the active queue for good; it can no longer be reopened."},
    {PLAINT_WF_WITHDRAWN, PLAINT_WF_REOPENED, RO,
     "The customer takes the complaint up again within the referral period."},

    {PLAINT_WF_REOPENED, PLAINT_WF_UNDER_INVESTIGATION, T,
     "The reopened complaint is investigated again by tier 1."},
    {PLAINT_WF_REOPENED, PLAINT_WF_ESCALATED, T,
     "The reopened complaint goes straight to tier 2."},
};
/* clang-format on */

#define NTRANSITIONS (sizeof(TRANSITIONS) / sizeof(TRANSITIONS[0]))

static int valid_state(plaint_wf_state s)
{
    return (int)s >= 0 && (int)s < (int)PLAINT_WF_STATE_COUNT;
}

const char *plaint_wf_state_name(plaint_wf_state s)
{
    return valid_state(s) ? STATE_NAMES[s] : NULL;
}

int plaint_wf_state_parse(plaint_wf_state *out, const char *name)
{
    int i;

    if (out == NULL || name == NULL) {
        return PLAINT_EINVALID;
    }
    for (i = 0; i < (int)PLAINT_WF_STATE_COUNT; i++) {
        if (strcmp(STATE_NAMES[i], name) == 0) {
            *out = (plaint_wf_state)i;
            return 0;
        }
    }
    return PLAINT_EINVALID;
}

int plaint_wf_is_open(plaint_wf_state s)
{
    switch (s) {
    case PLAINT_WF_NEW:
    case PLAINT_WF_UNDER_INVESTIGATION:
    case PLAINT_WF_ESCALATED:
    case PLAINT_WF_RESOLUTION_PROPOSED:
    case PLAINT_WF_REOPENED:
        return 1;
    case PLAINT_WF_RESOLVED:
    case PLAINT_WF_CLOSED:
    case PLAINT_WF_ARCHIVED:
    case PLAINT_WF_REJECTED:
    case PLAINT_WF_WITHDRAWN:
    case PLAINT_WF_STATE_COUNT:
        return 0;
    }
    return 0;
}

const plaint_wf_transition *plaint_wf_find(plaint_wf_state from, plaint_wf_state to)
{
    size_t i;

    for (i = 0; i < NTRANSITIONS; i++) {
        if (TRANSITIONS[i].from == from && TRANSITIONS[i].to == to) {
            return &TRANSITIONS[i];
        }
    }
    return NULL;
}

const plaint_wf_transition *plaint_wf_transitions(size_t *n)
{
    *n = NTRANSITIONS;
    return TRANSITIONS;
}

int plaint_wf_check(plaint_wf_state from, plaint_wf_state to, plaint_error *err)
{
    char next[160];
    size_t len = 0;
    size_t i;

    if (!valid_state(from) || !valid_state(to)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "state", 0, 0,
                                   "unknown complaint state %d",
                                   valid_state(from) ? (int)to : (int)from);
    }
    if (plaint_wf_find(from, to) != NULL) {
        return 0;
    }
    next[0] = '\0';
    for (i = 0; i < NTRANSITIONS; i++) {
        int r;
        if (TRANSITIONS[i].from != from) {
            continue;
        }
        /* the names are short and few: next always has room, checked anyway */
        r = snprintf(next + len, sizeof(next) - len, "%s%s", len > 0 ? ", " : "",
                     STATE_NAMES[TRANSITIONS[i].to]);
        if (r < 0 || (size_t)r >= sizeof(next) - len) {
            break;
        }
        len += (size_t)r;
    }
    if (len == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "state", 0, 0,
                                   "cannot move a complaint from %s to %s: %s is final",
                                   STATE_NAMES[from], STATE_NAMES[to], STATE_NAMES[from]);
    }
    return plaint_error_set_at(err, PLAINT_EINVALID, "state", 0, 0,
                               "cannot move a complaint from %s to %s: from %s it can move to %s",
                               STATE_NAMES[from], STATE_NAMES[to], STATE_NAMES[from], next);
}
