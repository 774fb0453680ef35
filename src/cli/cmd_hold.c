/* plaint hold add|release: legal holds, which stop a subject's erasure while active. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "plaint/app_vault.h"

static const char ADD_HELP[] =
    "Usage: plaint hold add SUBJECT_ID --reason TEXT [OPTIONS]\n\n"
    "Places a legal hold on a subject (action hold.manage; event hold.placed on case\n"
    "subject:ID) and prints its id. While a hold is active the subject cannot be erased. The\n"
    "reason is recorded on the ledger: do not put personal data in it.\n";
static const char RELEASE_HELP[] =
    "Usage: plaint hold release HOLD_ID [OPTIONS]\n\n"
    "Releases a legal hold (action hold.manage; event hold.released).\n";

static int on_opt(void *ctx, int opt, const char *arg)
{
    const char **reason = ctx;

    if (opt == 'r') {
        *reason = arg;
        return -1;
    }
    return plaint_cli_usage("plaint hold", "unexpected option");
}

static const struct option OPTS[] = {
    PLAINT_CLI_COMMON, {"reason", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};

static int cmd_add(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint hold add";
    const char *reason = NULL;
    plaint_actor actor;
    plaint_error err;
    int64_t hold_id = 0;
    int first = 0;
    int rc;
    int r = plaint_cli_parse(cli, path, ADD_HELP, argc, argv, NULL, OPTS, on_opt, &reason,
                             &first);

    if (r >= 0) {
        return r;
    }
    if (argc - first != 1) {
        return plaint_cli_usage(path, "expected 1 argument (the subject id)");
    }
    if (reason == NULL) {
        return plaint_cli_usage(path, "--reason is required");
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "hold.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_hold_add(&hold_id, cli->auth_db, &actor, argv[first], reason, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("hold %" PRId64 " placed on subject %s\n", hold_id, argv[first]);
    return PLAINT_EXIT_OK;
}

static int cmd_release(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint hold release";
    const char *reason = NULL;
    plaint_hold_info h;
    plaint_actor actor;
    plaint_error err;
    char *end = NULL;
    long long id;
    int first = 0;
    int rc;
    int r = plaint_cli_parse(cli, path, RELEASE_HELP, argc, argv, NULL, OPTS, on_opt, &reason,
                             &first);

    if (r >= 0) {
        return r;
    }
    if (argc - first != 1) {
        return plaint_cli_usage(path, "expected 1 argument (the hold id)");
    }
    errno = 0;
    id = strtoll(argv[first], &end, 10);
    if (errno != 0 || end == argv[first] || *end != '\0' || id <= 0) {
        return plaint_cli_usage(path, "'%s' is not a hold id", argv[first]);
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "hold.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_hold_release(&h, cli->auth_db, &actor, (int64_t)id, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("hold %lld released (subject %s)\n", id, h.subject_id);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_hold[] = {
    {"add", "place a legal hold on a subject", ADD_HELP, cmd_add, NULL},
    {"release", "release a legal hold", RELEASE_HELP, cmd_release, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
