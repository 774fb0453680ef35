/* The CLI's access check: who acts (token) and may they (policy), with denials logged. */
#include <stdlib.h>

#include "cli/cli.h"
#include "plaint/app_auth.h"

int plaint_cli_authorize(plaint_cli *cli, const char *action, plaint_actor *out,
                         plaint_error *err)
{
    const plaint_config *cfg;
    const char *token = cli->token != NULL ? cli->token : getenv("PLAINT_TOKEN");
    int rc = plaint_cli_config(cli, &cfg, err);

    if (rc == 0 && cli->authz == NULL) {
        rc = plaint_authz_open(&cli->authz, cfg, err);
    }
    if (rc == 0 && cli->auth_db == NULL) {
        rc = plaint_db_open(&cli->auth_db, cfg, PLAINT_DB_APP, err);
    }
    if (rc == 0) {
        rc = plaint_authn(out, cli->auth_db, token, err);
    }
    if (rc == 0) {
        rc = plaint_authz_require(cli->authz, cli->auth_db, out, action, NULL, err);
    }
    return rc;
}

void plaint_cli_release(plaint_cli *cli)
{
    plaint_db_close(cli->auth_db);
    cli->auth_db = NULL;
    plaint_authz_free(cli->authz);
    cli->authz = NULL;
}
