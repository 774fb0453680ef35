/* plaint keys init|master-init|rotate|cert: the checkpoint signing key, the vault master keys and
 * the report signing key with its certificate. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "plaint/app_ledger.h"
#include "plaint/app_report_keys.h"
#include "plaint/app_vault.h"

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

static const char MASTER_INIT_HELP[] =
    "Usage: plaint keys master-init [OPTIONS]\n\n"
    "Creates the first vault master key: $PLAINT_HOME/keys/master/<UTC time>-<key id>.key, mode\n"
    "0600, never in the database. It wraps the data key of every subject. Refuses when the\n"
    "directory already holds a key (use 'plaint keys rotate'). Back it up apart from the\n"
    "database backups (docs/privacy.md).\n";
static const char ROTATE_HELP[] =
    "Usage: plaint keys rotate [OPTIONS]\n\n"
    "Rotates the vault master key (action keys.manage): writes a new key file, which becomes\n"
    "current, and rewraps every subject's data key under it in one transaction with the\n"
    "ledger event keys.rotated (case keys). Encrypted values are not touched. Prints the old\n"
    "key files, which are no longer needed by the live database; they are not deleted: keep\n"
    "them until the backups taken while they were current have expired (docs/privacy.md).\n";

static int no_operands(plaint_cli *cli, const char *path, const char *help, int argc,
                       char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON, {NULL, 0, NULL, 0}};
    int first = 0;
    int r = plaint_cli_parse(cli, path, help, argc, argv, NULL, opts, NULL, NULL, &first);

    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage(path, "unexpected argument '%s'", argv[first]);
    }
    return -1;
}

static int cmd_master_init(plaint_cli *cli, int argc, char **argv)
{
    const plaint_config *cfg;
    plaint_error err;
    char kid[PLAINT_MASTERKEY_ID_LEN + 1];
    char path[PLAINT_CONFIG_PATH_MAX + 64];
    int r = no_operands(cli, "plaint keys master-init", MASTER_INIT_HELP, argc, argv);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    if (plaint_cli_config(cli, &cfg, &err) < 0 ||
        plaint_app_master_init(kid, path, sizeof(path), cfg, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    printf("master key id %s\nkey file %s (mode 0600)\n", kid, path);
    return PLAINT_EXIT_OK;
}

static int cmd_rotate(plaint_cli *cli, int argc, char **argv)
{
    const plaint_config *cfg = NULL;
    plaint_rotation rot;
    plaint_actor actor;
    plaint_error err;
    int rc;
    int r = no_operands(cli, "plaint keys rotate", ROTATE_HELP, argc, argv);

    if (r >= 0) {
        return r;
    }
    memset(&rot, 0, sizeof(rot));
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "keys.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_keys_rotate(&rot, cli->auth_db, &actor, cfg, &err);
    }
    if (rc < 0) {
        if (rot.new_key_path[0] != '\0') {
            fprintf(stderr, "plaint: the new key file %s was written and is current; nothing "
                            "was rewrapped\n", rot.new_key_path);
        }
        plaint_buf_clear(&rot.old_paths);
        return plaint_cli_fail(&err);
    }
    printf("new master key %s\nkey file %s (mode 0600)\n%" PRId64 " data keys rewrapped\n",
           rot.new_key_id, rot.new_key_path, rot.rewrapped);
    printf("The old key files below are no longer used by the database. They were not removed:\n"
           "keep them offline until every backup taken while they were current has expired,\n"
           "then destroy them and every copy (docs/privacy.md):\n");
    if (rot.old_paths.len > 0) {
        fputs(rot.old_paths.data, stdout);
    }
    plaint_buf_clear(&rot.old_paths);
    return PLAINT_EXIT_OK;
}

static const char CERT_HELP[] =
    "Usage: plaint keys cert [--subject \"CN=...,O=...\"] [--days N] [--force] [OPTIONS]\n\n"
    "Creates the key that signs reports (regulator XML returns and PDF summaries) and a\n"
    "self-signed certificate for it, for demonstrations: an RSA-3072 private key (PEM PKCS#8,\n"
    "mode 0600) at report.signing_key (default $PLAINT_HOME/keys/report-signing-key.pem) and\n"
    "an X.509 certificate (SHA-256, keyUsage digitalSignature and nonRepudiation, not a CA)\n"
    "at report.signing_cert (default $PLAINT_HOME/keys/report-signing-cert.pem). Prints both\n"
    "paths and the certificate's SHA-256 fingerprint. For real use, point the two settings at\n"
    "a key and a certificate issued by your CA instead. Like 'keys init' it needs no\n"
    "database: whoever may write the key directory may run it.\n\n"
    "  --subject DN   subject and issuer, attribute=value pairs separated by commas ('\\,' for\n"
    "                 a comma in a value); a CN is required\n"
    "                 (default \"" PLAINT_REPORT_CERT_SUBJECT "\")\n"
    "  --days N       validity in days from now, 1..36500 (default 825)\n"
    "  --force        replace an existing key and certificate (reports signed with the old\n"
    "                 key still verify: each PDF and XML carries its certificate)\n";

static const plaint_cli_optspec CERT_OPTS[] = {
    {"subject", 1, 0}, {"days", 1, 0}, {"force", 0, 0}, {NULL, 0, 0}};

static int cmd_cert(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint keys cert";
    const plaint_config *cfg;
    plaint_report_cert_info info;
    plaint_cli_args a;
    plaint_error err;
    int64_t days = PLAINT_REPORT_CERT_DAYS;
    int r = plaint_cli_args_parse(&a, cli, path, CERT_HELP, argc, argv, CERT_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    if (plaint_cli_opt(&a, "days") != NULL) {
        r = plaint_cli_int(&days, path, "--days", plaint_cli_opt(&a, "days"), 1,
                           PLAINT_REPORT_CERT_MAX_DAYS);
        if (r >= 0) {
            return r;
        }
    }
    plaint_error_init(&err);
    if (plaint_cli_config(cli, &cfg, &err) < 0 ||
        plaint_app_report_cert_create(&info, cfg, plaint_cli_opt(&a, "subject"), (int)days,
                                      plaint_cli_flag(&a, "force"), &err) < 0) {
        return plaint_cli_fail(&err);
    }
    printf("private key %s (RSA-3072, mode 0600)\ncertificate %s\nsubject %s\nserial %s\n"
           "valid until %s\nSHA-256 fingerprint %s\n",
           cfg->report_key, cfg->report_cert, info.subject, info.serial, info.not_after,
           info.fingerprint);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_keys[] = {
    {"init", "create the checkpoint signing key", INIT_HELP, cmd_init, NULL},
    {"master-init", "create the first vault master key", MASTER_INIT_HELP, cmd_master_init,
     NULL},
    {"rotate", "rotate the vault master key and rewrap every data key", ROTATE_HELP, cmd_rotate,
     NULL},
    {"cert", "create the report signing key and a self-signed demo certificate", CERT_HELP,
     cmd_cert, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
