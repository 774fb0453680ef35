/* plaint task list|done */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "plaint/app_complaint.h"
#include "plaint/complaint_store.h"

static const char LIST_HELP[] =
    "Usage: plaint task list [--complaint REF] [--role R] [--assignee U] [--status open|done]\n"
    "                        [--kind K] [--mine] [--json] [--limit N]\n\n"
    "Lists tasks, oldest first (action task.read). --mine: tasks assigned to you.\n";

static const plaint_cli_optspec LIST_OPTS[] = {
    {"complaint", 1, 0}, {"role", 1, 0}, {"assignee", 1, 0}, {"status", 1, 0}, {"kind", 1, 0},
    {"mine", 0, 0},      {"json", 0, 0}, {"limit", 1, 0},    {NULL, 0, 0}};

static int cmd_list(plaint_cli *cli, int argc, char **argv)
{
    static const char *const COLS[] = {"task_id", "kind", "role", "assignee", "status",
                                       "open_mandatory_items", "due_at", NULL};
    const char *path = "plaint task list";
    plaint_task_filter f;
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
    f.limit = 0;
    if (plaint_cli_opt(&a, "limit") != NULL &&
        (r = plaint_cli_int(&f.limit, path, "--limit", plaint_cli_opt(&a, "limit"), 0,
                            INT64_MAX)) >= 0) {
        return r;
    }
    f.ref = plaint_cli_opt(&a, "complaint");
    f.role = plaint_cli_opt(&a, "role");
    f.assignee = plaint_cli_opt(&a, "assignee");
    f.status = plaint_cli_opt(&a, "status");
    f.kind = plaint_cli_opt(&a, "kind");
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "task.read", &actor, &err);
    if (rc == 0 && plaint_cli_flag(&a, "mine")) {
        f.assignee = actor.user.user_id;
    }
    if (rc == 0) {
        rc = plaint_task_list(&list, cli->auth_db, &f, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    plaint_cli_print_records(list, plaint_cli_flag(&a, "json"), COLS);
    json_decref(list);
    return PLAINT_EXIT_OK;
}

static const char DONE_HELP[] =
    "Usage: plaint task done TASK [--item ITEM]...\n\n"
    "With --item: checks those checklist items of the task. Without: completes the task,\n"
    "refused while a mandatory checklist item is open (action task.complete, own tasks; a task\n"
    "in your role's queue that nobody holds is taken by you first). A refund_approval task\n"
    "is never completed by hand: it closes when the refund is approved (plaint refund approve).\n";

static const plaint_cli_optspec DONE_OPTS[] = {{"item", 1, 1}, {NULL, 0, 0}};

static int cmd_done(plaint_cli *cli, int argc, char **argv)
{
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    const char *const *items;
    size_t nitems;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint task done", DONE_HELP, argc, argv, DONE_OPTS,
                                  1, 1);

    if (r >= 0) {
        return r;
    }
    nitems = plaint_cli_opts(&a, "item", &items);
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_task_done(cli->auth_db, cli->authz, &actor, a.operands[0], items, nitems,
                                  &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    if (nitems > 0) {
        printf("%s: %zu item%s checked\n", a.operands[0], nitems, nitems == 1 ? "" : "s");
    } else {
        printf("%s: done\n", a.operands[0]);
    }
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_task[] = {
    {"list", "list tasks", LIST_HELP, cmd_list, NULL},
    {"done", "check checklist items or complete a task", DONE_HELP, cmd_done, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
