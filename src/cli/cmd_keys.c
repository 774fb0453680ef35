/* plaint keys init: the Ed25519 key that signs ledger checkpoints. */
#include <stdio.h>

#include "cli/cli.h"
#include "plaint/app_ledger.h"

static const char INIT_HELP[] =
    "Usage: plaint keys init [OPTIONS]\n\n"
    "Creates the Ed25519 key that signs ledger checkpoints: the private key at\n"
    "ledger.signing_key (default $PLAINT_HOME/keys/ledger-signing.pem, mode 0600, never in the\n"
    "database) and its public half beside it (<key>.pub). Refuses to overwrite an existing key.\n"
    "Give the public key to auditors: 'plaint verify --pubkey FILE' trusts only that file.\n";

static int cmd_init(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON, {NULL, 0, NULL, 0}};
    const plaint_config *cfg;
    plaint_error err;
    char kid[PLAINT_SIGNKEY_ID_LEN + 1];
    char pub[PLAINT_CONFIG_PATH_MAX + 8];
    int first = 0;
    int r = plaint_cli_parse(cli, "plaint keys init", INIT_HELP, argc, argv, NULL, opts, NULL,
                             NULL, &first);

    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage("plaint keys init", "unexpected argument '%s'", argv[first]);
    }
    plaint_error_init(&err);
    if (plaint_cli_config(cli, &cfg, &err) < 0 || plaint_app_keys_init(kid, cfg, &err) < 0 ||
        plaint_app_pubkey_path(pub, sizeof(pub), cfg, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    printf("key id %s\nprivate key %s (mode 0600)\npublic key %s\n", kid, cfg->signing_key, pub);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_keys[] = {
    {"init", "create the checkpoint signing key", INIT_HELP, cmd_init, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
