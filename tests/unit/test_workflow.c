/* Tests of the complaint workflow state machine (src/core/workflow.c): state names, what counts
 * as open, every listed transition, every unlisted one refused with its message, the graph's
 * properties (reachability, archived final, nothing returns to new), and docs/workflow.md kept
 * equal to the C table: its transition table (both directions, same order), its Mermaid
 * diagram, its state table, and its roles table against policies/rbac.xml.
 *
 * The document is found at $PLAINT_SOURCE_DIR/docs/workflow.md (ctest sets the variable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/buf.h"
#include "plaint/build_info.h"
#include "plaint/policy_xml.h"
#include "plaint/rbac.h"
#include "plaint/workflow.h"

#define NSTATES   ((int)PLAINT_WF_STATE_COUNT)
#define DOC_MAX   ((size_t)1024 * 1024)
#define MAX_LINES 4096
#define MAX_CELLS 8

/* The wire names, written out: they are stored in ledgers and databases and must never
 * change. */
static const char *const WIRE_NAMES[] = {
    "new",       "under_investigation",
    "escalated", "resolution_proposed",
    "resolved",  "closed",
    "archived",  "rejected",
    "withdrawn", "reopened",
};

static const char *const ACTIONS[] = {PLAINT_WF_ACTION_TRANSITION, PLAINT_WF_ACTION_RESOLVE,
                                      PLAINT_WF_ACTION_CLOSE, PLAINT_WF_ACTION_REOPEN};
#define NACTIONS (sizeof(ACTIONS) / sizeof(ACTIONS[0]))

typedef struct doc {
    char path[4096];
    char src[4096];
    plaint_buf text;        /* the document, split into NUL-terminated lines in place */
    char *lines[MAX_LINES]; /* point into text */
    size_t nlines;
} doc;

/* Problems found while comparing, reported together so that one run shows all of them. */
typedef struct problems {
    char text[4096];
    size_t len;
    int count;
} problems;

static void problem(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(problems *p, const char *fmt, ...)
{
    size_t room = sizeof(p->text) - p->len;
    va_list ap;
    int r;

    p->count++;
    if (room < 2) {
        return; /* full: the count still tells */
    }
    /* at most room - 2 characters, leaving room for the '\n' and the NUL */
    va_start(ap, fmt);
    r = vsnprintf(p->text + p->len, room - 1, fmt, ap);
    va_end(ap);
    if (r < 0) {
        return;
    }
    p->len += (size_t)r < room - 2 ? (size_t)r : room - 2;
    p->text[p->len++] = '\n';
    p->text[p->len] = '\0';
}

static void problems_check(const problems *p, const char *what)
{
    if (p->count > 0) {
        fail_msg("%s: %d problem(s):\n%s", what, p->count, p->text);
    }
}

static int setup(void **state)
{
    doc *d = calloc(1, sizeof(*d));
    const char *src = getenv("PLAINT_SOURCE_DIR");
    plaint_error err;
    char *line;

    assert_non_null(d);
    if (src == NULL) {
        /* run outside ctest: the source tree this binary was configured from */
        src = PLAINT_DEFAULT_SCHEMA_DIR "/../..";
    }
    snprintf(d->src, sizeof(d->src), "%s", src);
    snprintf(d->path, sizeof(d->path), "%s/docs/workflow.md", src);
    plaint_error_init(&err);
    if (plaint_buf_read_file(&d->text, d->path, DOC_MAX, &err) < 0) {
        fail_msg("cannot read %s: %s", d->path, err.message);
    }
    line = d->text.data;
    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        char *next = NULL;
        if (nl != NULL) {
            *nl = '\0';
            next = nl + 1;
            if (nl > line && nl[-1] == '\r') {
                nl[-1] = '\0';
            }
        }
        assert_true(d->nlines < MAX_LINES);
        d->lines[d->nlines++] = line;
        line = next;
    }
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    doc *d = *state;

    if (d != NULL) {
        plaint_buf_clear(&d->text);
        free(d);
    }
    return 0;
}

/* ---- reading Markdown tables ---- */

static char *trim(char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
    return s;
}

/* Splits a table row "| a | b |" into trimmed cells (in place, into a copy the caller
 * provides). Returns the number of cells, or 0 if the line is not a row. */
static size_t split_row(char *copy, size_t cap, const char *line, char **cells)
{
    size_t n = 0;
    size_t len;
    char *p;

    if (line[0] != '|') {
        return 0;
    }
    snprintf(copy, cap, "%s", line);
    len = strlen(copy);
    while (len > 0 && copy[len - 1] == ' ') {
        copy[--len] = '\0';
    }
    if (len < 2 || copy[len - 1] != '|') {
        return 0;
    }
    copy[len - 1] = '\0';
    p = copy + 1;
    for (;;) {
        char *bar = strchr(p, '|');
        if (n == MAX_CELLS) {
            return 0;
        }
        if (bar != NULL) {
            *bar = '\0';
        }
        cells[n++] = trim(p);
        if (bar == NULL) {
            break;
        }
        p = bar + 1;
    }
    return n;
}

/* The index of the first line after the header and separator of the table whose header line
 * is exactly header; fails the test if there is none, or more than one. */
static size_t table_start(const doc *d, const char *header)
{
    size_t found = 0;
    size_t i;

    for (i = 0; i < d->nlines; i++) {
        if (strcmp(d->lines[i], header) == 0) {
            if (found != 0) {
                fail_msg("%s: the table \"%s\" appears twice", d->path, header);
            }
            found = i + 1;
        }
    }
    if (found == 0) {
        fail_msg("%s: no table with the header \"%s\"", d->path, header);
    }
    if (found >= d->nlines || strncmp(d->lines[found], "|---", 4) != 0) {
        fail_msg("%s:%zu: the table \"%s\" has no separator line", d->path, found + 1, header);
    }
    return found + 1;
}

/* ---- names and openness ---- */

static void test_names_round_trip(void **state)
{
    int i;
    int j;

    (void)state;
    assert_int_equal(sizeof(WIRE_NAMES) / sizeof(WIRE_NAMES[0]), NSTATES);
    for (i = 0; i < NSTATES; i++) {
        const char *name = plaint_wf_state_name((plaint_wf_state)i);
        plaint_wf_state back = PLAINT_WF_STATE_COUNT;

        assert_non_null(name);
        assert_string_equal(name, WIRE_NAMES[i]);
        assert_true(strlen(name) <= PLAINT_WF_STATE_NAME_MAX);
        assert_int_equal(plaint_wf_state_parse(&back, name), 0);
        assert_int_equal(back, i);
        for (j = 0; j < i; j++) {
            assert_string_not_equal(name, plaint_wf_state_name((plaint_wf_state)j));
        }
    }
    /* the enum values the header documents */
    assert_int_equal(PLAINT_WF_NEW, 0);
    assert_int_equal(PLAINT_WF_ARCHIVED, 6);
    assert_int_equal(PLAINT_WF_REOPENED, 9);
    assert_string_equal(plaint_wf_state_name(PLAINT_WF_RESOLUTION_PROPOSED), "resolution_proposed");
    assert_int_equal(strlen("resolution_proposed"), PLAINT_WF_STATE_NAME_MAX);
}

static void test_names_refused(void **state)
{
    static const char *const bad[] = {"",
                                      "New",
                                      "NEW",
                                      " new",
                                      "new ",
                                      "under investigation",
                                      "under-investigation",
                                      "archive",
                                      "closed\n",
                                      "reopen",
                                      "open"};
    plaint_wf_state s = PLAINT_WF_CLOSED;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (plaint_wf_state_parse(&s, bad[i]) != PLAINT_EINVALID) {
            fail_msg("state name \"%s\" accepted", bad[i]);
        }
        assert_int_equal(s, PLAINT_WF_CLOSED); /* unchanged */
    }
    assert_int_equal(plaint_wf_state_parse(&s, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_wf_state_parse(NULL, "new"), PLAINT_EINVALID);
    assert_null(plaint_wf_state_name(PLAINT_WF_STATE_COUNT));
    assert_null(plaint_wf_state_name((plaint_wf_state)-1));
    assert_null(plaint_wf_state_name((plaint_wf_state)1000));
}

static void test_is_open(void **state)
{
    (void)state;
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_NEW), 1);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_UNDER_INVESTIGATION), 1);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_ESCALATED), 1);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_RESOLUTION_PROPOSED), 1);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_REOPENED), 1);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_RESOLVED), 0);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_CLOSED), 0);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_ARCHIVED), 0);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_REJECTED), 0);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_WITHDRAWN), 0);
    assert_int_equal(plaint_wf_is_open(PLAINT_WF_STATE_COUNT), 0);
    assert_int_equal(plaint_wf_is_open((plaint_wf_state)-1), 0);
}

/* ---- the transition table ---- */

static int known_action(const char *a)
{
    size_t i;

    for (i = 0; a != NULL && i < NACTIONS; i++) {
        if (strcmp(a, ACTIONS[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static void test_every_listed_transition_found(void **state)
{
    size_t n = 0;
    const plaint_wf_transition *t = plaint_wf_transitions(&n);
    size_t i;

    (void)state;
    assert_non_null(t);
    assert_true(n >= 20);
    for (i = 0; i < n; i++) {
        plaint_error err;
        const char *from = plaint_wf_state_name(t[i].from);
        const char *to = plaint_wf_state_name(t[i].to);

        assert_non_null(from);
        assert_non_null(to);
        /* find returns this very entry: no duplicate earlier in the table */
        if (plaint_wf_find(t[i].from, t[i].to) != &t[i]) {
            fail_msg("transition %s -> %s is listed twice", from, to);
        }
        plaint_error_init(&err);
        assert_int_equal(plaint_wf_check(t[i].from, t[i].to, &err), 0);
        assert_int_equal(err.code, 0);
        if (!known_action(t[i].action)) {
            fail_msg("%s -> %s needs unknown action %s", from, to, t[i].action);
        }
        assert_non_null(t[i].label);
        assert_true(strlen(t[i].label) > 10);
        /* a label is one cell of a Markdown table */
        if (strpbrk(t[i].label, "|\n\r") != NULL) {
            fail_msg("label of %s -> %s holds '|' or a line break", from, to);
        }
        /* grouped by from state, in state order */
        if (i > 0) {
            assert_true(t[i - 1].from <= t[i].from);
        }
    }
    assert_int_equal(plaint_wf_check(PLAINT_WF_NEW, PLAINT_WF_UNDER_INVESTIGATION, NULL), 0);
}

/* What the brief asks of the process, pinned transition by transition. */
static void expect_listed(plaint_wf_state from, plaint_wf_state to, const char *action)
{
    const plaint_wf_transition *t = plaint_wf_find(from, to);

    if (t == NULL) {
        fail_msg("%s -> %s is not listed", plaint_wf_state_name(from), plaint_wf_state_name(to));
    }
    assert_int_equal(t->from, from);
    assert_int_equal(t->to, to);
    assert_string_equal(t->action, action);
}

static void test_required_transitions(void **state)
{
    static const plaint_wf_state reopenable[] = {PLAINT_WF_RESOLVED, PLAINT_WF_CLOSED,
                                                 PLAINT_WF_REJECTED, PLAINT_WF_WITHDRAWN};
    size_t n = 0;
    const plaint_wf_transition *t = plaint_wf_transitions(&n);
    size_t i;
    int outs = 0;

    (void)state;
    /* automatic at intake */
    expect_listed(PLAINT_WF_NEW, PLAINT_WF_UNDER_INVESTIGATION, "complaint.transition");
    /* out of scope, withdrawn */
    expect_listed(PLAINT_WF_UNDER_INVESTIGATION, PLAINT_WF_REJECTED, "complaint.close");
    expect_listed(PLAINT_WF_UNDER_INVESTIGATION, PLAINT_WF_WITHDRAWN, "complaint.close");
    expect_listed(PLAINT_WF_ESCALATED, PLAINT_WF_WITHDRAWN, "complaint.close");
    /* tier 2 and back */
    expect_listed(PLAINT_WF_UNDER_INVESTIGATION, PLAINT_WF_ESCALATED, "complaint.transition");
    expect_listed(PLAINT_WF_ESCALATED, PLAINT_WF_UNDER_INVESTIGATION, "complaint.transition");
    /* a proposal sent back */
    expect_listed(PLAINT_WF_RESOLUTION_PROPOSED, PLAINT_WF_UNDER_INVESTIGATION,
                  "complaint.transition");
    expect_listed(PLAINT_WF_RESOLUTION_PROPOSED, PLAINT_WF_RESOLVED, "complaint.resolve");
    /* resolved -> closed -> archived */
    expect_listed(PLAINT_WF_RESOLVED, PLAINT_WF_CLOSED, "complaint.close");
    expect_listed(PLAINT_WF_CLOSED, PLAINT_WF_ARCHIVED, "complaint.close");
    /* reopening, and where a reopened complaint goes */
    for (i = 0; i < sizeof(reopenable) / sizeof(reopenable[0]); i++) {
        expect_listed(reopenable[i], PLAINT_WF_REOPENED, "complaint.reopen");
    }
    expect_listed(PLAINT_WF_REOPENED, PLAINT_WF_UNDER_INVESTIGATION, "complaint.transition");
    expect_listed(PLAINT_WF_REOPENED, PLAINT_WF_ESCALATED, "complaint.transition");
    for (i = 0; i < n; i++) {
        /* reopen is the action of every move into reopened and only of those */
        assert_int_equal(t[i].to == PLAINT_WF_REOPENED,
                         strcmp(t[i].action, PLAINT_WF_ACTION_REOPEN) == 0);
        /* resolve is the action of the move into resolved and only of that */
        assert_int_equal(t[i].to == PLAINT_WF_RESOLVED,
                         strcmp(t[i].action, PLAINT_WF_ACTION_RESOLVE) == 0);
        /* a reopened complaint goes to investigation only */
        if (t[i].from == PLAINT_WF_REOPENED) {
            outs++;
            assert_true(t[i].to == PLAINT_WF_UNDER_INVESTIGATION || t[i].to == PLAINT_WF_ESCALATED);
        }
        /* an open complaint is never archived without being closed, rejected or withdrawn */
        if (t[i].to == PLAINT_WF_ARCHIVED) {
            assert_false(plaint_wf_is_open(t[i].from));
        }
    }
    assert_int_equal(outs, 2);
}

/* The comma-separated states reachable in one step from `from`, in table order. */
static void successors(char *out, size_t cap, plaint_wf_state from)
{
    size_t n = 0;
    const plaint_wf_transition *t = plaint_wf_transitions(&n);
    size_t len = 0;
    size_t i;

    out[0] = '\0';
    for (i = 0; i < n; i++) {
        if (t[i].from == from) {
            int r = snprintf(out + len, cap - len, "%s%s", len > 0 ? ", " : "",
                             plaint_wf_state_name(t[i].to));
            assert_true(r > 0 && (size_t)r < cap - len);
            len += (size_t)r;
        }
    }
}

/* Every pair not in the table is refused, with both names and the way out in the message. */
static void test_unlisted_refused(void **state)
{
    size_t n = 0;
    int from;
    int to;
    int refused = 0;

    (void)state;
    (void)plaint_wf_transitions(&n);
    for (from = 0; from < NSTATES; from++) {
        char next[256];
        successors(next, sizeof(next), (plaint_wf_state)from);
        for (to = 0; to < NSTATES; to++) {
            const char *fn = WIRE_NAMES[from];
            const char *tn = WIRE_NAMES[to];
            char want[512];
            plaint_error err;

            if (plaint_wf_find((plaint_wf_state)from, (plaint_wf_state)to) != NULL) {
                continue;
            }
            refused++;
            plaint_error_init(&err);
            assert_int_equal(plaint_wf_check((plaint_wf_state)from, (plaint_wf_state)to, &err),
                             PLAINT_EINVALID);
            assert_int_equal(err.code, PLAINT_EINVALID);
            assert_string_equal(err.field, "state");
            if (next[0] == '\0') {
                snprintf(want, sizeof(want), "cannot move a complaint from %s to %s: %s is final",
                         fn, tn, fn);
            } else {
                snprintf(want, sizeof(want),
                         "cannot move a complaint from %s to %s: from %s it can move to %s", fn, tn,
                         fn, next);
            }
            assert_string_equal(err.message, want);
        }
    }
    assert_int_equal((size_t)refused, (size_t)(NSTATES * NSTATES) - n);
    /* err may be NULL */
    assert_int_equal(plaint_wf_check(PLAINT_WF_ARCHIVED, PLAINT_WF_NEW, NULL), PLAINT_EINVALID);
}

static void test_unlisted_messages(void **state)
{
    plaint_error err;

    (void)state;
    plaint_error_init(&err);
    assert_int_equal(plaint_wf_check(PLAINT_WF_RESOLVED, PLAINT_WF_ESCALATED, &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "cannot move a complaint from resolved to escalated: from "
                                     "resolved it can move to closed, reopened");
    assert_int_equal(plaint_wf_check(PLAINT_WF_ARCHIVED, PLAINT_WF_REOPENED, &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message,
                        "cannot move a complaint from archived to reopened: archived is final");
    assert_int_equal(plaint_wf_check(PLAINT_WF_NEW, PLAINT_WF_RESOLVED, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "cannot move a complaint from new to resolved: from new it "
                                     "can move to under_investigation, rejected, withdrawn");
    assert_int_equal(plaint_wf_check(PLAINT_WF_CLOSED, PLAINT_WF_CLOSED, &err), PLAINT_EINVALID);
    assert_non_null(strstr(err.message, "from closed to closed"));
    /* values that are not states */
    assert_int_equal(plaint_wf_check(PLAINT_WF_STATE_COUNT, PLAINT_WF_NEW, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "unknown complaint state 10");
    assert_int_equal(plaint_wf_check(PLAINT_WF_NEW, (plaint_wf_state)-1, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "unknown complaint state -1");
    assert_null(plaint_wf_find(PLAINT_WF_STATE_COUNT, PLAINT_WF_NEW));
    assert_null(plaint_wf_find(PLAINT_WF_NEW, (plaint_wf_state)-1));
}

/* ---- graph properties ---- */

/* reach[s] = 1 for every state reachable from start (start included); forward, or backward
 * (the states from which start is reachable). */
static void reachable(int reach[PLAINT_WF_STATE_COUNT], plaint_wf_state start, int backward)
{
    size_t n = 0;
    const plaint_wf_transition *t = plaint_wf_transitions(&n);
    int changed = 1;
    size_t i;

    memset(reach, 0, sizeof(int) * (size_t)NSTATES);
    reach[start] = 1;
    while (changed) {
        changed = 0;
        for (i = 0; i < n; i++) {
            plaint_wf_state a = backward ? t[i].to : t[i].from;
            plaint_wf_state b = backward ? t[i].from : t[i].to;
            if (reach[a] && !reach[b]) {
                reach[b] = 1;
                changed = 1;
            }
        }
    }
}

static void test_graph_properties(void **state)
{
    int reach[PLAINT_WF_STATE_COUNT];
    size_t n = 0;
    const plaint_wf_transition *t = plaint_wf_transitions(&n);
    size_t i;
    int s;

    (void)state;
    /* every state is reachable from new */
    reachable(reach, PLAINT_WF_NEW, 0);
    for (s = 0; s < NSTATES; s++) {
        if (!reach[s]) {
            fail_msg("state %s is not reachable from new", WIRE_NAMES[s]);
        }
    }
    /* archived is reachable from every state: nothing gets stuck */
    reachable(reach, PLAINT_WF_ARCHIVED, 1);
    for (s = 0; s < NSTATES; s++) {
        if (!reach[s]) {
            fail_msg("archived cannot be reached from %s", WIRE_NAMES[s]);
        }
    }
    for (i = 0; i < n; i++) {
        /* archived is terminal */
        if (t[i].from == PLAINT_WF_ARCHIVED) {
            fail_msg("a transition leaves archived (to %s)", WIRE_NAMES[t[i].to]);
        }
        /* nothing goes (back) to new */
        if (t[i].to == PLAINT_WF_NEW) {
            fail_msg("a transition enters new (from %s)", WIRE_NAMES[t[i].from]);
        }
        /* no state moves to itself */
        assert_int_not_equal(t[i].from, t[i].to);
        /* every resolution passes through resolution_proposed */
        if (t[i].to == PLAINT_WF_RESOLVED) {
            assert_int_equal(t[i].from, PLAINT_WF_RESOLUTION_PROPOSED);
        }
    }
    /* archived is the only state without a way out */
    for (s = 0; s < NSTATES; s++) {
        char next[256];
        successors(next, sizeof(next), (plaint_wf_state)s);
        assert_int_equal(next[0] == '\0', s == PLAINT_WF_ARCHIVED);
    }
}

/* ---- docs/workflow.md ---- */

/* The transition table of the document equals the C table: the same rows in the same order,
 * cell for cell. Problems in both directions are listed. */
static void test_doc_transition_table(void **state)
{
    const doc *d = *state;
    size_t n = 0;
    const plaint_wf_transition *t = plaint_wf_transitions(&n);
    int seen[64] = {0};
    size_t row = 0;
    size_t first_out_of_order = 0; /* 1-based line; 0: none */
    problems p;
    size_t i;

    memset(&p, 0, sizeof(p));
    assert_true(n <= sizeof(seen) / sizeof(seen[0]));
    for (i = table_start(d, "| from | to | action | meaning |"); i < d->nlines; i++) {
        char copy[1024];
        char *cells[MAX_CELLS];
        size_t nc = split_row(copy, sizeof(copy), d->lines[i], cells);
        plaint_wf_state from;
        plaint_wf_state to;
        const plaint_wf_transition *ct;
        size_t k;

        if (d->lines[i][0] != '|') {
            break; /* the end of the table */
        }
        if (nc != 4) {
            problem(&p, "line %zu: not a row of 4 cells: %.80s", i + 1, d->lines[i]);
            continue;
        }
        if (plaint_wf_state_parse(&from, cells[0]) != 0 ||
            plaint_wf_state_parse(&to, cells[1]) != 0) {
            problem(&p, "line %zu: unknown state in \"%s | %s\"", i + 1, cells[0], cells[1]);
            row++;
            continue;
        }
        ct = plaint_wf_find(from, to);
        if (ct == NULL) {
            problem(&p, "line %zu: %s -> %s is in the document but not in the C table", i + 1,
                    cells[0], cells[1]);
            row++;
            continue;
        }
        k = (size_t)(ct - t);
        if (seen[k]) {
            problem(&p, "line %zu: %s -> %s is listed twice", i + 1, cells[0], cells[1]);
        }
        seen[k] = 1;
        if (strcmp(cells[2], ct->action) != 0) {
            problem(&p, "line %zu: %s -> %s: action \"%s\" in the document, \"%s\" in C", i + 1,
                    cells[0], cells[1], cells[2], ct->action);
        }
        if (strcmp(cells[3], ct->label) != 0) {
            problem(&p, "line %zu: %s -> %s: meaning differs; C has \"%s\"", i + 1, cells[0],
                    cells[1], ct->label);
        }
        if (k != row && first_out_of_order == 0) {
            first_out_of_order = i + 1;
        }
        row++;
    }
    for (i = 0; i < n; i++) {
        if (!seen[i]) {
            problem(&p, "%s -> %s (%s) is in the C table but not in the document",
                    WIRE_NAMES[t[i].from], WIRE_NAMES[t[i].to], t[i].action);
        }
    }
    /* the order matters only once the rows are the same (else every later row is "moved") */
    if (p.count == 0 && first_out_of_order != 0) {
        problem(&p, "line %zu: the rows are not in the order of the C table from here on",
                first_out_of_order);
    }
    problems_check(&p, "docs/workflow.md transition table vs src/core/workflow.c");
}

/* The Mermaid diagram draws exactly the transitions of the C table (plus the start and end
 * markers), each labelled with its action without the "complaint." prefix. */
static void test_doc_mermaid(void **state)
{
    const doc *d = *state;
    size_t n = 0;
    const plaint_wf_transition *t = plaint_wf_transitions(&n);
    int seen[64] = {0};
    int in_block = 0;
    int blocks = 0;
    int start = 0;
    problems p;
    size_t i;

    memset(&p, 0, sizeof(p));
    for (i = 0; i < d->nlines; i++) {
        char copy[512];
        char *line;
        char *arrow;
        char *label;
        plaint_wf_state from;
        plaint_wf_state to;
        const plaint_wf_transition *ct;

        if (!in_block) {
            if (strcmp(d->lines[i], "```mermaid") == 0) {
                in_block = 1;
                blocks++;
            }
            continue;
        }
        if (strcmp(d->lines[i], "```") == 0) {
            in_block = 0;
            continue;
        }
        snprintf(copy, sizeof(copy), "%s", d->lines[i]);
        line = trim(copy);
        arrow = strstr(line, "-->");
        if (arrow == NULL) {
            continue; /* "stateDiagram-v2", blank lines */
        }
        *arrow = '\0';
        label = strchr(arrow + 3, ':');
        if (label != NULL) {
            *label = '\0';
            label = trim(label + 1);
        }
        {
            char *a = trim(line);
            char *b = trim(arrow + 3);
            if (strcmp(a, "[*]") == 0 && strcmp(b, "new") == 0) {
                start++;
                continue;
            }
            if (strcmp(a, "archived") == 0 && strcmp(b, "[*]") == 0) {
                continue;
            }
            if (plaint_wf_state_parse(&from, a) != 0 || plaint_wf_state_parse(&to, b) != 0) {
                problem(&p, "line %zu: unknown state in \"%s --> %s\"", i + 1, a, b);
                continue;
            }
            ct = plaint_wf_find(from, to);
            if (ct == NULL) {
                problem(&p, "line %zu: the diagram has %s --> %s, the C table does not", i + 1, a,
                        b);
                continue;
            }
            if (seen[ct - t]) {
                problem(&p, "line %zu: %s --> %s drawn twice", i + 1, a, b);
            }
            seen[ct - t] = 1;
            if (label == NULL || strcmp(label, ct->action + strlen("complaint.")) != 0) {
                problem(&p, "line %zu: %s --> %s should be labelled %s", i + 1, a, b,
                        ct->action + strlen("complaint."));
            }
        }
    }
    if (blocks != 1) {
        problem(&p, "%d mermaid blocks, want 1", blocks);
    }
    if (start != 1) {
        problem(&p, "the diagram should start with [*] --> new once");
    }
    for (i = 0; i < n; i++) {
        if (!seen[i]) {
            problem(&p, "%s -> %s is in the C table but not in the diagram", WIRE_NAMES[t[i].from],
                    WIRE_NAMES[t[i].to]);
        }
    }
    problems_check(&p, "docs/workflow.md diagram vs src/core/workflow.c");
}

/* The state table lists every state once, in enum order, with "open" = plaint_wf_is_open. */
static void test_doc_state_table(void **state)
{
    const doc *d = *state;
    int row = 0;
    problems p;
    size_t i;

    memset(&p, 0, sizeof(p));
    for (i = table_start(d, "| state | open | meaning |"); i < d->nlines; i++) {
        char copy[1024];
        char *cells[MAX_CELLS];
        size_t nc;
        plaint_wf_state s;

        if (d->lines[i][0] != '|') {
            break;
        }
        nc = split_row(copy, sizeof(copy), d->lines[i], cells);
        if (nc != 3 || plaint_wf_state_parse(&s, cells[0]) != 0) {
            problem(&p, "line %zu: not a row \"| state | yes/no | meaning |\"", i + 1);
            row++;
            continue;
        }
        if ((int)s != row) {
            problem(&p, "line %zu: %s, expected %s here (enum order)", i + 1, cells[0],
                    row < NSTATES ? WIRE_NAMES[row] : "the end of the table");
        }
        if (strcmp(cells[1], plaint_wf_is_open(s) ? "yes" : "no") != 0) {
            problem(&p, "line %zu: %s open \"%s\", plaint_wf_is_open says %s", i + 1, cells[0],
                    cells[1], plaint_wf_is_open(s) ? "yes" : "no");
        }
        if (strlen(cells[2]) == 0) {
            problem(&p, "line %zu: %s has no meaning", i + 1, cells[0]);
        }
        row++;
    }
    if (row != NSTATES) {
        problem(&p, "%d rows, want one per state (%d)", row, NSTATES);
    }
    problems_check(&p, "docs/workflow.md state table");
}

/* The roles table names, for each workflow action, exactly the roles policies/rbac.xml grants
 * it to, "(own)" marking scope="own"; every workflow action is declared in the policy and
 * granted to someone. */
static void test_doc_roles_match_policy(void **state)
{
    const doc *d = *state;
    plaint_rbac_policy *pol = NULL;
    char xml[4200];
    char xsd[4200];
    int listed[NACTIONS] = {0};
    plaint_error err;
    problems p;
    size_t i;

    memset(&p, 0, sizeof(p));
    snprintf(xml, sizeof(xml), "%s/policies/rbac.xml", d->src);
    snprintf(xsd, sizeof(xsd), "%s/schemas/xml/rbac.xsd", d->src);
    plaint_error_init(&err);
    if (plaint_policy_load_rbac(&pol, NULL, xml, xsd, &err) != 0) {
        fail_msg("loading %s: %s", xml, err.message);
    }
    for (i = table_start(d, "| action | roles |"); i < d->nlines; i++) {
        char copy[1024];
        char *cells[MAX_CELLS];
        size_t nc;
        size_t a;
        size_t r;
        char want[512];
        size_t len = 0;

        if (d->lines[i][0] != '|') {
            break;
        }
        nc = split_row(copy, sizeof(copy), d->lines[i], cells);
        if (nc != 2) {
            problem(&p, "line %zu: not a row \"| action | roles |\"", i + 1);
            continue;
        }
        for (a = 0; a < NACTIONS && strcmp(ACTIONS[a], cells[0]) != 0; a++) {
        }
        if (a == NACTIONS) {
            problem(&p, "line %zu: %s is not a workflow action", i + 1, cells[0]);
            continue;
        }
        listed[a]++;
        /* the expected cell, from the policy, in its role order */
        want[0] = '\0';
        for (r = 0; r < plaint_rbac_count_roles(pol); r++) {
            const char *role = plaint_rbac_get_role(pol, r);
            plaint_rbac_scope sc = plaint_rbac_get_grant(pol, role, ACTIONS[a]);
            int w;
            if (sc == PLAINT_RBAC_SCOPE_NONE) {
                continue;
            }
            w = snprintf(want + len, sizeof(want) - len, "%s%s%s", len > 0 ? ", " : "", role,
                         sc == PLAINT_RBAC_SCOPE_OWN ? " (own)" : "");
            assert_true(w > 0 && (size_t)w < sizeof(want) - len);
            len += (size_t)w;
        }
        if (len == 0) {
            problem(&p, "%s is granted to no role in policies/rbac.xml", ACTIONS[a]);
        }
        if (strcmp(cells[1], want) != 0) {
            problem(&p, "line %zu: %s: the document says \"%s\", policies/rbac.xml grants \"%s\"",
                    i + 1, cells[0], cells[1], want);
        }
    }
    for (i = 0; i < NACTIONS; i++) {
        int declared = 0;
        size_t k;
        for (k = 0; k < plaint_rbac_count_actions(pol); k++) {
            declared |= strcmp(plaint_rbac_get_action(pol, k), ACTIONS[i]) == 0;
        }
        if (!declared) {
            problem(&p, "%s is not declared in policies/rbac.xml", ACTIONS[i]);
        }
        if (listed[i] != 1) {
            problem(&p, "%s is listed %d times in the roles table, want once", ACTIONS[i],
                    listed[i]);
        }
    }
    plaint_rbac_policy_free(pol);
    problems_check(&p, "docs/workflow.md roles vs policies/rbac.xml");
}

/* The section the complaint workflow commit fills in is there. */
static void test_doc_sections(void **state)
{
    const doc *d = *state;
    static const char *const headings[] = {"## States", "## Transitions", "## Actions and roles",
                                           "## Reference process", "## Money and refunds"};
    size_t h;
    size_t i;

    for (h = 0; h < sizeof(headings) / sizeof(headings[0]); h++) {
        for (i = 0; i < d->nlines && strcmp(d->lines[i], headings[h]) != 0; i++) {
        }
        if (i == d->nlines) {
            fail_msg("%s: no section \"%s\"", d->path, headings[h]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_names_refused),
        cmocka_unit_test(test_is_open),
        cmocka_unit_test(test_every_listed_transition_found),
        cmocka_unit_test(test_required_transitions),
        cmocka_unit_test(test_unlisted_refused),
        cmocka_unit_test(test_unlisted_messages),
        cmocka_unit_test(test_graph_properties),
        cmocka_unit_test(test_doc_transition_table),
        cmocka_unit_test(test_doc_mermaid),
        cmocka_unit_test(test_doc_state_table),
        cmocka_unit_test(test_doc_roles_match_policy),
        cmocka_unit_test(test_doc_sections),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
