/* plaint complaint new|show|list|assign|transition|note|resolve|close|reopen|satisfaction */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/args.h"
#include "plaint/app_complaint.h"
#include "plaint/app_vault.h"
#include "plaint/chain.h"
#include "plaint/complaint_store.h"

int plaint_cli_time_arg(int64_t *out, const char *path, const char *opt, const char *text)
{
    char buf[64];
    plaint_error err;
    size_t n = strlen(text);

    plaint_error_init(&err);
    if (n == 10) {
        snprintf(buf, sizeof(buf), "%sT00:00:00.000000Z", text);
    } else if (n == 20 && text[19] == 'Z') {
        snprintf(buf, sizeof(buf), "%.19s.000000Z", text);
    } else {
        snprintf(buf, sizeof(buf), "%s", text);
    }
    if (plaint_time_parse(out, buf, strlen(buf), &err) != 0) {
        return plaint_cli_usage(path, "%s: '%s' is not a date (YYYY-MM-DD) or UTC time "
                                "(YYYY-MM-DDTHH:MM:SSZ)", opt, text);
    }
    return -1;
}

/* ---- new ---- */

static const char NEW_HELP[] =
    "Usage: plaint complaint new --channel CH --category CAT [OPTIONS]\n\n"
    "Registers a complaint (action complaint.create) and runs the automatic intake steps of the\n"
    "reference process: customer profile, severity score, routing, SLA deadlines, the\n"
    "investigation task and the tier-2 task with its checklist, New -> Under Investigation, the\n"
    "linked order, the month's count and the acknowledgement in the outbox, escalating at once\n"
    "if the escalation criteria hold. Prints the reference number.\n\n"
    "  --channel CH          web, email, phone, chat, social, api or post (required)\n"
    "  --category CAT        complaint category, e.g. the product (required)\n"
    "  --sub-category S, --product P, --issue I, --sub-issue S, --company C\n"
    "  --narrative TEXT      what the customer says\n"
    "  --urgency U           low, normal (default), high or critical\n"
    "  --customer ID         the customer (plaint customer add)\n"
    "  --order REF           the order it is about (plaint order add)\n"
    "  --received TIME       when it was received (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ; default now;\n"
    "                        never in the future: at most 5 minutes ahead of the clock)\n"
    "  --json                print {\"ref\": ...} as JSON\n";

static const plaint_cli_optspec NEW_OPTS[] = {
    {"channel", 1, 0},   {"category", 1, 0}, {"sub-category", 1, 0}, {"product", 1, 0},
    {"issue", 1, 0},     {"sub-issue", 1, 0}, {"company", 1, 0},     {"narrative", 1, 0},
    {"urgency", 1, 0},   {"customer", 1, 0}, {"order", 1, 0},        {"received", 1, 0},
    {"json", 0, 0},      {NULL, 0, 0}};

static int cmd_new(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint complaint new";
    plaint_cli_args a;
    plaint_complaint_input in;
    plaint_handling *h = NULL;
    const plaint_config *cfg;
    plaint_actor actor;
    plaint_error err;
    char ref[32] = "";
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, NEW_HELP, argc, argv, NEW_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    memset(&in, 0, sizeof(in));
    in.channel = plaint_cli_opt(&a, "channel");
    in.category = plaint_cli_opt(&a, "category");
    in.sub_category = plaint_cli_opt(&a, "sub-category");
    in.product = plaint_cli_opt(&a, "product");
    in.issue = plaint_cli_opt(&a, "issue");
    in.sub_issue = plaint_cli_opt(&a, "sub-issue");
    in.company = plaint_cli_opt(&a, "company");
    in.narrative = plaint_cli_opt(&a, "narrative");
    in.urgency = plaint_cli_opt(&a, "urgency");
    in.customer_id = plaint_cli_opt(&a, "customer");
    in.order_ref = plaint_cli_opt(&a, "order");
    if (in.channel == NULL || in.category == NULL) {
        return plaint_cli_usage(path, "--channel and --category are required");
    }
    if (plaint_cli_opt(&a, "received") != NULL &&
        (r = plaint_cli_time_arg(&in.received_us, path, "--received",
                                 plaint_cli_opt(&a, "received"))) >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "complaint.create", &actor, &err);
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_handling_open(&h, cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_complaint_new(ref, cli->auth_db, &actor, h, cfg, &in, &err);
    }
    plaint_handling_free(h);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    if (plaint_cli_flag(&a, "json")) {
        printf("{\"ref\": \"%s\"}\n", ref);
    } else {
        printf("%s\n", ref);
    }
    return PLAINT_EXIT_OK;
}

/* ---- show, list ---- */

static const char SHOW_HELP[] =
    "Usage: plaint complaint show REF [--json]\n\n"
    "Shows a complaint with its tasks and checklists, refunds, status history, notes,\n"
    "resolutions, escalations and outbox messages (action complaint.read). The ledger events\n"
    "behind it: plaint ledger show --case REF.\n\n"
    "A customer's narrative is kept in the vault: it is shown decrypted to those who may\n"
    "customer.read, as \"(in the vault)\" to others, and as \"(erased)\" once the customer's\n"
    "data subject is erased.\n";

static const plaint_cli_optspec JSON_OPT[] = {{"json", 0, 0}, {NULL, 0, 0}};

static void print_section(const json_t *d, const char *name, const char *const *cols)
{
    printf("\n%s:\n", name);
    plaint_cli_print_records(json_object_get(d, name), 0, cols);
}

static int cmd_show(plaint_cli *cli, int argc, char **argv)
{
    static const char *const TASK_COLS[] = {"task_id", "kind", "role", "assignee", "status",
                                            "due_at", NULL};
    static const char *const REFUND_COLS[] = {"refund_id", "status", "currency", "net", "tax",
                                              "credits", "total", "requested_by",
                                              "approved_by", NULL};
    static const char *const HIST_COLS[] = {"seq", "at", "from_status", "to_status", "actor",
                                            "reason", NULL};
    static const char *const NOTE_COLS[] = {"seq", "at", "author", "kind", "text", NULL};
    static const char *const OUT_COLS[] = {"message_id", "kind", "status", "subject", NULL};
    static const char *const VIEWS[] = {NULL, "(in the vault)", "(erased)"};
    const char *path = "plaint complaint show";
    const plaint_config *cfg;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    plaint_buf text = PLAINT_BUF_INIT;
    plaint_vault_view view = PLAINT_VAULT_WITHHELD;
    json_t *d = NULL;
    json_t *c = NULL;
    const char *nref = NULL;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, SHOW_HELP, argc, argv, JSON_OPT, 1, 1);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "complaint.read", &actor, &err);
    if (rc == 0) {
        rc = plaint_complaint_details(&d, cli->auth_db, a.operands[0], &err);
    }
    if (rc == 0) {
        c = json_object_get(d, "complaint");
        nref = json_string_value(json_object_get(c, "narrative_ref"));
    }
    if (rc == 0 && nref != NULL) {
        /* a customer's narrative: from the vault, if the actor may see it and it still exists */
        rc = plaint_cli_config(cli, &cfg, &err);
        if (rc == 0) {
            rc = plaint_app_narrative_open(&text, &view, cli->auth_db, cli->authz, &actor, cfg,
                                           json_string_value(json_object_get(c, "customer_id")),
                                           nref, &err);
        }
        if (rc == 0 &&
            json_object_set_new(c, "narrative",
                                view == PLAINT_VAULT_SHOWN
                                    ? json_stringn(text.data != NULL ? text.data : "", text.len)
                                    : json_string(VIEWS[view])) != 0) {
            rc = plaint_error_set(&err, PLAINT_ENOMEM, "out of memory");
        }
        if (text.data != NULL) {
            OPENSSL_cleanse(text.data, text.cap);
        }
        plaint_buf_clear(&text);
    }
    if (rc < 0) {
        json_decref(d);
        return plaint_cli_fail(&err);
    }
    if (plaint_cli_flag(&a, "json")) {
        plaint_cli_print_record(d, 1);
    } else {
        plaint_cli_print_record(json_object_get(d, "complaint"), 0);
        print_section(d, "tasks", TASK_COLS);
        print_section(d, "refunds", REFUND_COLS);
        print_section(d, "history", HIST_COLS);
        print_section(d, "notes", NOTE_COLS);
        print_section(d, "outbox", OUT_COLS);
    }
    json_decref(d);
    return PLAINT_EXIT_OK;
}

static const char LIST_HELP[] =
    "Usage: plaint complaint list [FILTERS] [--json] [--limit N]\n\n"
    "Lists complaints, newest first (action complaint.read).\n\n"
    "  --status S, --owner USER, --category C, --channel CH, --customer ID\n"
    "  --open           only complaints in an open state\n"
    "  --limit N        at most N (default 50; 0 = all)\n"
    "  --json           a JSON array, one object per complaint\n";

static const plaint_cli_optspec LIST_OPTS[] = {
    {"status", 1, 0},   {"owner", 1, 0}, {"category", 1, 0}, {"channel", 1, 0},
    {"customer", 1, 0}, {"open", 0, 0},  {"limit", 1, 0},    {"json", 0, 0},
    {NULL, 0, 0}};

static int cmd_list(plaint_cli *cli, int argc, char **argv)
{
    static const char *const COLS[] = {"ref", "status", "channel", "severity_level", "owner",
                                       "team", "received_at", "category", NULL};
    const char *path = "plaint complaint list";
    plaint_complaint_filter f;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    json_t *list = NULL;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, LIST_HELP, argc, argv, LIST_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    memset(&f, 0, sizeof(f));
    f.limit = 50;
    if (plaint_cli_opt(&a, "limit") != NULL &&
        (r = plaint_cli_int(&f.limit, path, "--limit", plaint_cli_opt(&a, "limit"), 0,
                            INT64_MAX)) >= 0) {
        return r;
    }
    f.status = plaint_cli_opt(&a, "status");
    f.owner = plaint_cli_opt(&a, "owner");
    f.category = plaint_cli_opt(&a, "category");
    f.channel = plaint_cli_opt(&a, "channel");
    f.customer = plaint_cli_opt(&a, "customer");
    f.open_only = plaint_cli_flag(&a, "open");
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "complaint.read", &actor, &err);
    if (rc == 0) {
        rc = plaint_complaint_list(&list, cli->auth_db, &f, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    plaint_cli_print_records(list, plaint_cli_flag(&a, "json"), COLS);
    json_decref(list);
    return PLAINT_EXIT_OK;
}

/* ---- the workflow commands ---- */

static int done(int rc, plaint_error *err, const char *what, const char *ref)
{
    if (rc < 0) {
        return plaint_cli_fail(err);
    }
    printf("%s: %s\n", ref, what);
    return PLAINT_EXIT_OK;
}

static const char ASSIGN_HELP[] =
    "Usage: plaint complaint assign REF USER\n\n"
    "Makes USER the owner of the complaint (action complaint.assign; event complaint.assigned).\n"
    "Every case has a single owner; reassignments are recorded.\n";

static int cmd_assign(plaint_cli *cli, int argc, char **argv)
{
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint complaint assign", ASSIGN_HELP, argc, argv,
                                  JSON_OPT, 2, 2);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_complaint_assign(cli->auth_db, cli->authz, &actor, a.operands[0],
                                         a.operands[1], &err);
    }
    return done(rc, &err, "assigned", a.operands[0]);
}

static const char TRANSITION_HELP[] =
    "Usage: plaint complaint transition REF STATUS [--reason TEXT]\n\n"
    "Moves the complaint to STATUS if the workflow lists that transition (docs/workflow.md);\n"
    "the action needed depends on the transition. Resolving goes through `complaint resolve`.\n";

static const plaint_cli_optspec REASON_OPT[] = {{"reason", 1, 0}, {NULL, 0, 0}};

static int cmd_transition(plaint_cli *cli, int argc, char **argv)
{
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint complaint transition", TRANSITION_HELP, argc,
                                  argv, REASON_OPT, 2, 2);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_complaint_transition(cli->auth_db, cli->authz, &actor, a.operands[0],
                                             a.operands[1], plaint_cli_opt(&a, "reason"), &err);
    }
    return done(rc, &err, a.operands[1], a.operands[0]);
}

static const char NOTE_HELP[] =
    "Usage: plaint complaint note REF TEXT [--kind note|correspondence_in|correspondence_out]\n\n"
    "Adds a note or a piece of correspondence to the complaint (action complaint.note).\n"
    "correspondence_out (a reply to the customer) counts as the first response.\n";

static const plaint_cli_optspec NOTE_OPTS[] = {{"kind", 1, 0}, {NULL, 0, 0}};

static int cmd_note(plaint_cli *cli, int argc, char **argv)
{
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    const char *kind;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint complaint note", NOTE_HELP, argc, argv,
                                  NOTE_OPTS, 2, 2);

    if (r >= 0) {
        return r;
    }
    kind = plaint_cli_opt(&a, "kind") != NULL ? plaint_cli_opt(&a, "kind") : "note";
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_complaint_note(cli->auth_db, cli->authz, &actor, a.operands[0], kind,
                                       a.operands[1], &err);
    }
    return done(rc, &err, "noted", a.operands[0]);
}

static const char RESOLVE_HELP[] =
    "Usage: plaint complaint resolve REF --outcome O --summary TEXT [--root-cause C]\n\n"
    "Resolves the complaint (action complaint.resolve): refused while a mandatory checklist\n"
    "item is open or a refund is not yet credited. Writes the resolution log (redress: the\n"
    "refunds credited), moves it to resolved and queues the resolution notice.\n\n"
    "  --outcome O      upheld, partially_upheld, not_upheld or goodwill\n";

static const plaint_cli_optspec RESOLVE_OPTS[] = {
    {"outcome", 1, 0}, {"summary", 1, 0}, {"root-cause", 1, 0}, {NULL, 0, 0}};

static int cmd_resolve(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint complaint resolve";
    plaint_resolution res;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, RESOLVE_HELP, argc, argv, RESOLVE_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    res.outcome = plaint_cli_opt(&a, "outcome");
    res.summary = plaint_cli_opt(&a, "summary");
    res.root_cause = plaint_cli_opt(&a, "root-cause");
    if (res.outcome == NULL || res.summary == NULL) {
        return plaint_cli_usage(path, "--outcome and --summary are required");
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_complaint_resolve(cli->auth_db, cli->authz, &actor, a.operands[0], &res,
                                          &err);
    }
    return done(rc, &err, "resolved", a.operands[0]);
}

static const char CLOSE_HELP[] =
    "Usage: plaint complaint close REF [--satisfaction 1-5]\n\n"
    "Closes a resolved complaint (action complaint.close), recording the customer's satisfaction\n"
    "score if given. Archive it afterwards with `plaint complaint transition REF archived`.\n";

static const plaint_cli_optspec CLOSE_OPTS[] = {{"satisfaction", 1, 0}, {NULL, 0, 0}};

static int cmd_close(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint complaint close";
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int64_t score = 0;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, CLOSE_HELP, argc, argv, CLOSE_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    if (plaint_cli_opt(&a, "satisfaction") != NULL &&
        (r = plaint_cli_int(&score, path, "--satisfaction", plaint_cli_opt(&a, "satisfaction"),
                            1, 5)) >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_complaint_close(cli->auth_db, cli->authz, &actor, a.operands[0],
                                        (int)score, &err);
    }
    return done(rc, &err, "closed", a.operands[0]);
}

static const char REOPEN_HELP[] =
    "Usage: plaint complaint reopen REF --reason TEXT\n\n"
    "Reopens a resolved, closed, rejected or withdrawn complaint (action complaint.reopen).\n";

static int cmd_reopen(plaint_cli *cli, int argc, char **argv)
{
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint complaint reopen", REOPEN_HELP, argc, argv,
                                  REASON_OPT, 1, 1);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_complaint_reopen(cli->auth_db, cli->authz, &actor, a.operands[0],
                                         plaint_cli_opt(&a, "reason"), &err);
    }
    return done(rc, &err, "reopened", a.operands[0]);
}

static const char SATISFACTION_HELP[] =
    "Usage: plaint complaint satisfaction REF SCORE\n\n"
    "Records the customer's satisfaction score (1-5) for a resolved or closed complaint\n"
    "(action complaint.note).\n";

static int cmd_satisfaction(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint complaint satisfaction";
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int64_t score = 0;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, SATISFACTION_HELP, argc, argv, JSON_OPT, 2, 2);

    if (r >= 0) {
        return r;
    }
    if ((r = plaint_cli_int(&score, path, "SCORE", a.operands[1], 1, 5)) >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_complaint_satisfaction(cli->auth_db, cli->authz, &actor, a.operands[0],
                                               (int)score, &err);
    }
    return done(rc, &err, "satisfaction recorded", a.operands[0]);
}

const plaint_cmd plaint_cmd_complaint[] = {
    {"new", "register a complaint and run the intake steps", NEW_HELP, cmd_new, NULL},
    {"show", "show a complaint with its tasks, refunds and history", SHOW_HELP, cmd_show, NULL},
    {"list", "list complaints", LIST_HELP, cmd_list, NULL},
    {"assign", "make a user the owner of a complaint", ASSIGN_HELP, cmd_assign, NULL},
    {"transition", "move a complaint to another status", TRANSITION_HELP, cmd_transition, NULL},
    {"note", "add a note or correspondence", NOTE_HELP, cmd_note, NULL},
    {"resolve", "resolve a complaint", RESOLVE_HELP, cmd_resolve, NULL},
    {"close", "close a resolved complaint", CLOSE_HELP, cmd_close, NULL},
    {"reopen", "reopen a complaint", REOPEN_HELP, cmd_reopen, NULL},
    {"satisfaction", "record the customer's satisfaction score", SATISFACTION_HELP,
     cmd_satisfaction, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
