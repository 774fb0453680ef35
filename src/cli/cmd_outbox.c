/* plaint outbox list|show: the transactional outbox of customer notifications. */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "plaint/app_auth.h"
#include "plaint/complaint_store.h"

static const char LIST_HELP[] =
    "Usage: plaint outbox list [--status queued|sent|failed] [--complaint REF] [--json]\n"
    "                          [--limit N]\n\n"
    "Lists notifications waiting in (or delivered from) the outbox, oldest first (action\n"
    "complaint.read). A message is queued in the transaction of the event that causes it and\n"
    "its delivery is another ledger event, so none is lost or sent twice.\n";

static const plaint_cli_optspec LIST_OPTS[] = {
    {"status", 1, 0}, {"complaint", 1, 0}, {"json", 0, 0}, {"limit", 1, 0}, {NULL, 0, 0}};

static int cmd_list(plaint_cli *cli, int argc, char **argv)
{
    static const char *const COLS[] = {"message_id", "kind", "recipient", "status", "attempts",
                                       "queued_at", NULL};
    const char *path = "plaint outbox list";
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    json_t *list = NULL;
    int64_t limit = 0;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, LIST_HELP, argc, argv, LIST_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    if (plaint_cli_opt(&a, "limit") != NULL &&
        (r = plaint_cli_int(&limit, path, "--limit", plaint_cli_opt(&a, "limit"), 0,
                            INT64_MAX)) >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "complaint.read", &actor, &err);
    if (rc == 0) {
        rc = plaint_outbox_list(&list, cli->auth_db, plaint_cli_opt(&a, "status"),
                                plaint_cli_opt(&a, "complaint"), limit, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    plaint_cli_print_records(list, plaint_cli_flag(&a, "json"), COLS);
    json_decref(list);
    return PLAINT_EXIT_OK;
}

static const char SHOW_HELP[] = "Usage: plaint outbox show MESSAGE [--json]\n\n"
                                "Shows one outbox message with its text (action complaint.read).\n";

static const plaint_cli_optspec JSON_OPT[] = {{"json", 0, 0}, {NULL, 0, 0}};

static int cmd_show(plaint_cli *cli, int argc, char **argv)
{
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    json_t *m = NULL;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint outbox show", SHOW_HELP, argc, argv, JSON_OPT,
                                  1, 1);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "complaint.read", &actor, &err);
    if (rc == 0) {
        rc = plaint_outbox_get(&m, cli->auth_db, a.operands[0], &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    plaint_cli_print_record(m, plaint_cli_flag(&a, "json"));
    json_decref(m);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_outbox[] = {
    {"list", "list outbox messages", LIST_HELP, cmd_list, NULL},
    {"show", "show one outbox message", SHOW_HELP, cmd_show, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
