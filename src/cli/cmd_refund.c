/* plaint refund propose|approve|credit */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "plaint/app_complaint.h"

static const char PROPOSE_HELP[] =
    "Usage: plaint refund propose REF [--line N[:QTY]]... [--reason TEXT]\n\n"
    "Proposes a refund for the complaint's linked order (action refund.request): the chosen\n"
    "lines (all of them if none is given; QTY items of a line, default all), each taxed at its\n"
    "rate and rounded half to even per line, less the order's unused credit notes, in integer\n"
    "minor units (docs/workflow.md, \"Money and refunds\"). Creates the approval task for a\n"
    "finance manager and prints the refund id.\n";

static const plaint_cli_optspec PROPOSE_OPTS[] = {{"line", 1, 1}, {"reason", 1, 0},
                                                  {NULL, 0, 0}};

static int cmd_propose(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint refund propose";
    int64_t lines[PLAINT_CLI_MAX_REPEAT];
    int64_t qty[PLAINT_CLI_MAX_REPEAT];
    const char *const *vals;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    char refund_id[64] = "";
    size_t n;
    size_t i;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, PROPOSE_HELP, argc, argv, PROPOSE_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    n = plaint_cli_opts(&a, "line", &vals);
    for (i = 0; i < n; i++) {
        char no[32];
        const char *colon = strchr(vals[i], ':');

        snprintf(no, sizeof(no), "%.*s", colon != NULL ? (int)(colon - vals[i]) : 31, vals[i]);
        qty[i] = 0;
        if ((r = plaint_cli_int(&lines[i], path, "--line", no, 1, 1000000)) >= 0 ||
            (colon != NULL &&
             (r = plaint_cli_int(&qty[i], path, "--line quantity", colon + 1, 1,
                                 1000000000)) >= 0)) {
            return r;
        }
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_app_refund_propose(refund_id, cli->auth_db, cli->authz, &actor,
                                       a.operands[0], lines, qty, n,
                                       plaint_cli_opt(&a, "reason"), &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("%s\n", refund_id);
    return PLAINT_EXIT_OK;
}

static const char APPROVE_HELP[] =
    "Usage: plaint refund approve REFUND\n\n"
    "Approves a proposed refund (action refund.approve). Four-eyes: whoever requested it may\n"
    "not approve it, whatever roles they hold. Completes the approval task.\n";
static const char CREDIT_HELP[] =
    "Usage: plaint refund credit REFUND\n\n"
    "Credits the customer's account balance with an approved refund (action customer.credit),\n"
    "exactly once: a second credit, or a credit before approval, is refused.\n";

static const plaint_cli_optspec NO_OPTS[] = {{NULL, 0, 0}};

static int run(plaint_cli *cli, int argc, char **argv, int credit)
{
    const char *path = credit ? "plaint refund credit" : "plaint refund approve";
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, credit ? CREDIT_HELP : APPROVE_HELP, argc, argv,
                                  NO_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = credit ? plaint_app_refund_credit(cli->auth_db, cli->authz, &actor, a.operands[0],
                                               &err)
                    : plaint_app_refund_approve(cli->auth_db, cli->authz, &actor, a.operands[0],
                                                &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("%s: %s\n", a.operands[0], credit ? "credited" : "approved");
    return PLAINT_EXIT_OK;
}

static int cmd_approve(plaint_cli *cli, int argc, char **argv)
{
    return run(cli, argc, argv, 0);
}

static int cmd_credit(plaint_cli *cli, int argc, char **argv)
{
    return run(cli, argc, argv, 1);
}

const plaint_cmd plaint_cmd_refund[] = {
    {"propose", "propose a refund for a complaint's order", PROPOSE_HELP, cmd_propose, NULL},
    {"approve", "approve a proposed refund (four-eyes)", APPROVE_HELP, cmd_approve, NULL},
    {"credit", "credit an approved refund to the customer's balance", CREDIT_HELP, cmd_credit,
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};
