/* plaint user add|list|disable, plaint role grant|revoke, plaint token issue|revoke. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "plaint/app_identity.h"
#include "plaint/jcs.h"

static const char USER_ADD_HELP[] =
    "Usage: plaint user add ID --name NAME [--role ROLE]... [--issue-token] [OPTIONS]\n\n"
    "Adds a user (action user.manage; with --role also role.manage, with --issue-token also\n"
    "token.manage). ID: a-z, 0-9, then also . _ - (at most 64). --issue-token prints an API\n"
    "token for the user, shown this once only. While no user exists (bootstrap), the first user\n"
    "must be given --role admin --issue-token. Every change is a ledger event (case user:ID).\n";
static const char USER_LIST_HELP[] =
    "Usage: plaint user list [--json] [OPTIONS]\n\nLists users, their roles and whether they are "
    "disabled (action user.manage).\n";
static const char USER_DISABLE_HELP[] =
    "Usage: plaint user disable ID [OPTIONS]\n\n"
    "Disables a user: their tokens are refused at once (action user.manage).\n";
static const char ROLE_GRANT_HELP[] =
    "Usage: plaint role grant ID ROLE [OPTIONS]\n\n"
    "Grants a role declared in policies/rbac.xml (action role.manage).\n";
static const char ROLE_REVOKE_HELP[] =
    "Usage: plaint role revoke ID ROLE [OPTIONS]\n\nRevokes a role (action role.manage).\n";
static const char TOKEN_ISSUE_HELP[] =
    "Usage: plaint token issue ID [--label TEXT] [OPTIONS]\n\n"
    "Issues an API token for user ID and prints it once; only a salted hash is stored\n"
    "(action token.manage). Use it with --token or PLAINT_TOKEN.\n";
static const char TOKEN_REVOKE_HELP[] =
    "Usage: plaint token revoke TOKEN_ID [OPTIONS]\n\n"
    "Revokes a token (the 16 hex digits after 'plt_'); it is refused at once (action\n"
    "token.manage).\n";

#define MAX_ROLE_ARGS 16

typedef struct user_opts {
    const char *name;
    const char *label;
    const char *roles[MAX_ROLE_ARGS];
    size_t nroles;
    int issue;
    int json;
} user_opts;

static int on_opt(void *ctx, int opt, const char *arg)
{
    user_opts *o = ctx;

    switch (opt) {
    case 'n':
        o->name = arg;
        break;
    case 'l':
        o->label = arg;
        break;
    case 'r':
        if (o->nroles == MAX_ROLE_ARGS) {
            return plaint_cli_usage("plaint user add", "at most %d roles", MAX_ROLE_ARGS);
        }
        o->roles[o->nroles++] = arg;
        break;
    case 'i':
        o->issue = 1;
        break;
    case 'j':
        o->json = 1;
        break;
    default:
        return plaint_cli_usage("plaint user", "unexpected option");
    }
    return -1;
}

static const struct option OPTS[] = {PLAINT_CLI_COMMON,
                                     {"name", required_argument, NULL, 'n'},
                                     {"role", required_argument, NULL, 'r'},
                                     {"issue-token", no_argument, NULL, 'i'},
                                     {"label", required_argument, NULL, 'l'},
                                     {"json", no_argument, NULL, 'j'},
                                     {NULL, 0, NULL, 0}};

/* Parses options and expects exactly `nargs` operands; -1 to go on, else an exit code. */
static int parse(plaint_cli *cli, const char *path, const char *help, int argc, char **argv,
                 user_opts *o, int nargs, int *first)
{
    int r;

    memset(o, 0, sizeof(*o));
    r = plaint_cli_parse(cli, path, help, argc, argv, NULL, OPTS, on_opt, o, first);
    if (r >= 0) {
        return r;
    }
    if (argc - *first != nargs) {
        return plaint_cli_usage(path, "expected %d argument%s", nargs, nargs == 1 ? "" : "s");
    }
    return -1;
}

/* Authorises each action in turn; the actor comes from the first. */
static int authorize(plaint_cli *cli, plaint_actor *actor, plaint_error *err,
                     const char *const *actions, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        rc = plaint_cli_authorize(cli, actions[i], actor, err);
    }
    return rc;
}

static int cmd_user_add(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint user add";
    const char *actions[3] = {"user.manage", NULL, NULL};
    size_t nactions = 1;
    user_opts o;
    plaint_actor actor;
    plaint_error err;
    char token[PLAINT_TOKEN_TEXT_LEN];
    int first = 0;
    int rc;
    int r = parse(cli, path, USER_ADD_HELP, argc, argv, &o, 1, &first);

    if (r >= 0) {
        return r;
    }
    if (o.name == NULL) {
        return plaint_cli_usage(path, "--name is required");
    }
    if (o.nroles > 0) {
        actions[nactions++] = "role.manage";
    }
    if (o.issue) {
        actions[nactions++] = "token.manage";
    }
    plaint_error_init(&err);
    rc = authorize(cli, &actor, &err, actions, nactions);
    if (rc == 0) {
        rc = plaint_app_user_add(cli->auth_db, &actor, plaint_authz_policy(cli->authz),
                                 argv[first], o.name, o.roles, o.nroles, o.issue ? token : NULL,
                                 &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("added user %s\n", argv[first]);
    if (o.issue) {
        printf("token (shown once): %s\n", token);
    }
    return PLAINT_EXIT_OK;
}

typedef struct list_ctx {
    int json;
} list_ctx;

static int print_user(const plaint_user *u, void *arg, plaint_error *err)
{
    list_ctx *c = arg;
    plaint_buf b = PLAINT_BUF_INIT;
    size_t i;
    int rc = 0;

    if (c->json) {
        rc = plaint_buf_printf(&b, err, "{\"disabled\":%s,\"name\":",
                               u->disabled ? "true" : "false");
        if (rc == 0) {
            rc = plaint_jcs_append_string(&b, u->display_name, strlen(u->display_name), err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_str(&b, ",\"roles\":[", err);
        }
        for (i = 0; rc == 0 && i < u->nroles; i++) {
            rc = plaint_buf_printf(&b, err, "%s\"%s\"", i > 0 ? "," : "", u->roles[i]);
        }
        if (rc == 0) {
            rc = plaint_buf_printf(&b, err, "],\"user\":\"%s\"}\n", u->user_id);
        }
        if (rc == 0) {
            fputs(b.data, stdout);
        }
        plaint_buf_clear(&b);
        return rc;
    }
    printf("%-24s %-9s %-28s ", u->user_id, u->disabled ? "disabled" : "active", u->display_name);
    for (i = 0; i < u->nroles; i++) {
        printf("%s%s", i > 0 ? "," : "", u->roles[i]);
    }
    printf("\n");
    return 0;
}

static int cmd_user_list(plaint_cli *cli, int argc, char **argv)
{
    user_opts o;
    plaint_actor actor;
    plaint_error err;
    list_ctx c;
    int first = 0;
    int rc;
    int r = parse(cli, "plaint user list", USER_LIST_HELP, argc, argv, &o, 0, &first);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    c.json = o.json;
    rc = plaint_cli_authorize(cli, "user.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_identity_list_users(cli->auth_db, print_user, &c, &err);
    }
    return rc < 0 ? plaint_cli_fail(&err) : PLAINT_EXIT_OK;
}

static int cmd_user_disable(plaint_cli *cli, int argc, char **argv)
{
    user_opts o;
    plaint_actor actor;
    plaint_error err;
    int first = 0;
    int rc;
    int r = parse(cli, "plaint user disable", USER_DISABLE_HELP, argc, argv, &o, 1, &first);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "user.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_user_disable(cli->auth_db, &actor, argv[first], &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("disabled user %s\n", argv[first]);
    return PLAINT_EXIT_OK;
}

static int role_change(plaint_cli *cli, int argc, char **argv, int grant)
{
    const char *path = grant ? "plaint role grant" : "plaint role revoke";
    user_opts o;
    plaint_actor actor;
    plaint_error err;
    int first = 0;
    int rc;
    int r = parse(cli, path, grant ? ROLE_GRANT_HELP : ROLE_REVOKE_HELP, argc, argv, &o, 2,
                  &first);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "role.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_role_change(cli->auth_db, &actor, plaint_authz_policy(cli->authz),
                                    argv[first], argv[first + 1], grant, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("%s %s %s %s\n", grant ? "granted" : "revoked", argv[first + 1],
           grant ? "to" : "from", argv[first]);
    return PLAINT_EXIT_OK;
}

static int cmd_role_grant(plaint_cli *cli, int argc, char **argv)
{
    return role_change(cli, argc, argv, 1);
}

static int cmd_role_revoke(plaint_cli *cli, int argc, char **argv)
{
    return role_change(cli, argc, argv, 0);
}

static int cmd_token_issue(plaint_cli *cli, int argc, char **argv)
{
    user_opts o;
    plaint_actor actor;
    plaint_error err;
    char token[PLAINT_TOKEN_TEXT_LEN];
    int first = 0;
    int rc;
    int r = parse(cli, "plaint token issue", TOKEN_ISSUE_HELP, argc, argv, &o, 1, &first);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "token.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_token_issue(token, cli->auth_db, &actor, argv[first],
                                    o.label != NULL ? o.label : "", &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("%s\n", token);
    return PLAINT_EXIT_OK;
}

static int cmd_token_revoke(plaint_cli *cli, int argc, char **argv)
{
    user_opts o;
    plaint_actor actor;
    plaint_error err;
    int first = 0;
    int rc;
    int r = parse(cli, "plaint token revoke", TOKEN_REVOKE_HELP, argc, argv, &o, 1, &first);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "token.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_token_revoke(cli->auth_db, &actor, argv[first], &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("revoked token %s\n", argv[first]);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_user[] = {
    {"add", "add a user (optionally with roles and a token)", USER_ADD_HELP, cmd_user_add, NULL},
    {"list", "list users and their roles", USER_LIST_HELP, cmd_user_list, NULL},
    {"disable", "disable a user; their tokens stop working", USER_DISABLE_HELP, cmd_user_disable,
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

const plaint_cmd plaint_cmd_role[] = {
    {"grant", "grant a role to a user", ROLE_GRANT_HELP, cmd_role_grant, NULL},
    {"revoke", "revoke a role from a user", ROLE_REVOKE_HELP, cmd_role_revoke, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

const plaint_cmd plaint_cmd_token[] = {
    {"issue", "issue an API token (shown once)", TOKEN_ISSUE_HELP, cmd_token_issue, NULL},
    {"revoke", "revoke an API token", TOKEN_REVOKE_HELP, cmd_token_revoke, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
