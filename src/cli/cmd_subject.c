/* plaint subject add|set-retention|export|erase: data subjects and their personal data. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "plaint/app_vault.h"

static const char ADD_HELP[] =
    "Usage: plaint subject add ID --class CLASS [--retention-start YYYY-MM-DD] [--name N]\n"
    "       [--email E] [--phone P] [--address A] [--narrative TEXT | --narrative-file F]\n"
    "       [OPTIONS]\n\n"
    "Records a data subject (action complaint.create): a fresh data key wrapped under the\n"
    "current master key ($PLAINT_HOME/keys/master, or PLAINT_MASTER_KEY), and each given value\n"
    "encrypted under it in the vault. The ledger event subject.recorded (case subject:ID) holds\n"
    "only a salted commitment and a vault reference per value, never the value. ID: A-Z a-z 0-9,\n"
    "then also . _ - (at most 64). CLASS: the retention record class (e.g. complaint). Values\n"
    "must be UTF-8 text (exit 3 otherwise; nothing is written).\n";
static const char RETENTION_HELP[] =
    "Usage: plaint subject set-retention ID --start YYYY-MM-DD [OPTIONS]\n\n"
    "Sets the start of the subject's retention period, e.g. the closure of their last complaint\n"
    "(action complaint.close; event subject.retention_started).\n";
static const char EXPORT_HELP[] =
    "Usage: plaint subject export ID [OPTIONS]\n\n"
    "Prints the subject access export as one JSON object (action subject.export): class,\n"
    "retention start, erasure state, the decrypted personal data, legal holds and the subject's\n"
    "ledger events. After erasure it holds no personal data.\n";
static const char ERASE_HELP[] =
    "Usage: plaint subject erase ID --reason TEXT [OPTIONS]\n\n"
    "Erases the subject on request (action subject.erase): destroys the wrapped data key and\n"
    "the encrypted values in one transaction with the event subject.erased (reason, policy\n"
    "\"request\"). Refused with exit 4 while a legal hold is active. The ledger still verifies.\n"
    "The reason is recorded on the ledger: do not put personal data in it.\n";

typedef struct subject_opts {
    const char *record_class;
    const char *retention_start;
    const char *start;
    const char *reason;
    const char *narrative_file;
    plaint_subject_field fields[5];
    size_t nfields;
    int narrative_given;
} subject_opts;

static void add_field(subject_opts *o, const char *field, const char *value)
{
    size_t i;

    for (i = 0; i < o->nfields; i++) {
        if (strcmp(o->fields[i].field, field) == 0) {
            o->fields[i].value = value; /* the last occurrence wins, as for other options */
            o->fields[i].len = strlen(value);
            return;
        }
    }
    o->fields[o->nfields].field = field;
    o->fields[o->nfields].value = value;
    o->fields[o->nfields].len = strlen(value);
    o->nfields++;
}

static int on_opt(void *ctx, int opt, const char *arg)
{
    subject_opts *o = ctx;

    switch (opt) {
    case 'c':
        o->record_class = arg;
        break;
    case 'R':
        o->retention_start = arg;
        break;
    case 's':
        o->start = arg;
        break;
    case 'r':
        o->reason = arg;
        break;
    case 'n':
        add_field(o, "name", arg);
        break;
    case 'e':
        add_field(o, "email", arg);
        break;
    case 'p':
        add_field(o, "phone", arg);
        break;
    case 'a':
        add_field(o, "address", arg);
        break;
    case 't':
        add_field(o, "narrative", arg);
        o->narrative_given = 1;
        break;
    case 'f':
        o->narrative_file = arg;
        break;
    default:
        return plaint_cli_usage("plaint subject", "unexpected option");
    }
    return -1;
}

static const struct option OPTS[] = {PLAINT_CLI_COMMON,
                                     {"class", required_argument, NULL, 'c'},
                                     {"retention-start", required_argument, NULL, 'R'},
                                     {"start", required_argument, NULL, 's'},
                                     {"reason", required_argument, NULL, 'r'},
                                     {"name", required_argument, NULL, 'n'},
                                     {"email", required_argument, NULL, 'e'},
                                     {"phone", required_argument, NULL, 'p'},
                                     {"address", required_argument, NULL, 'a'},
                                     {"narrative", required_argument, NULL, 't'},
                                     {"narrative-file", required_argument, NULL, 'f'},
                                     {NULL, 0, NULL, 0}};

/* Parses options and expects exactly one operand; -1 to go on, else an exit code. */
static int parse(plaint_cli *cli, const char *path, const char *help, int argc, char **argv,
                 subject_opts *o, int *first)
{
    int r;

    memset(o, 0, sizeof(*o));
    r = plaint_cli_parse(cli, path, help, argc, argv, NULL, OPTS, on_opt, o, first);
    if (r >= 0) {
        return r;
    }
    if (argc - *first != 1) {
        return plaint_cli_usage(path, "expected 1 argument (the subject id)");
    }
    return -1;
}

static int cmd_add(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint subject add";
    const plaint_config *cfg = NULL;
    plaint_buf narrative = PLAINT_BUF_INIT;
    subject_opts o;
    plaint_actor actor;
    plaint_error err;
    int first = 0;
    int rc = 0;
    int r = parse(cli, path, ADD_HELP, argc, argv, &o, &first);

    if (r >= 0) {
        return r;
    }
    if (o.record_class == NULL) {
        return plaint_cli_usage(path, "--class is required");
    }
    if (o.narrative_given && o.narrative_file != NULL) {
        return plaint_cli_usage(path, "give --narrative or --narrative-file, not both");
    }
    plaint_error_init(&err);
    if (o.narrative_file != NULL) {
        rc = plaint_buf_read_file(&narrative, o.narrative_file, PLAINT_VAULT_VALUE_MAX, &err);
        if (rc == 0) {
            o.fields[o.nfields].field = "narrative";
            o.fields[o.nfields].value = narrative.data != NULL ? narrative.data : "";
            o.fields[o.nfields].len = narrative.len;
            o.nfields++;
        }
    }
    if (rc == 0) {
        rc = plaint_cli_authorize(cli, "complaint.create", &actor, &err);
    }
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_subject_add(cli->auth_db, &actor, cfg, argv[first], o.record_class,
                                    o.retention_start, o.fields, o.nfields, &err);
    }
    if (narrative.data != NULL) {
        OPENSSL_cleanse(narrative.data, narrative.cap);
    }
    plaint_buf_clear(&narrative);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("recorded subject %s (%zu field%s)\n", argv[first], o.nfields,
           o.nfields == 1 ? "" : "s");
    return PLAINT_EXIT_OK;
}

static int cmd_set_retention(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint subject set-retention";
    subject_opts o;
    plaint_actor actor;
    plaint_error err;
    int first = 0;
    int rc;
    int r = parse(cli, path, RETENTION_HELP, argc, argv, &o, &first);

    if (r >= 0) {
        return r;
    }
    if (o.start == NULL) {
        return plaint_cli_usage(path, "--start is required");
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "complaint.close", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_subject_set_retention(cli->auth_db, &actor, argv[first], o.start, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("retention of subject %s starts %s\n", argv[first], o.start);
    return PLAINT_EXIT_OK;
}

static int cmd_export(plaint_cli *cli, int argc, char **argv)
{
    const plaint_config *cfg = NULL;
    plaint_buf out = PLAINT_BUF_INIT;
    subject_opts o;
    plaint_actor actor;
    plaint_error err;
    int first = 0;
    int rc;
    int r = parse(cli, "plaint subject export", EXPORT_HELP, argc, argv, &o, &first);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "subject.export", &actor, &err);
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_subject_export(&out, cli->auth_db, cfg, argv[first], &err);
    }
    if (rc == 0 && (fwrite(out.data, 1, out.len, stdout) != out.len || fputc('\n', stdout) < 0 ||
                    fflush(stdout) != 0)) {
        rc = plaint_error_set(&err, PLAINT_EIO, "cannot write the export");
    }
    if (out.data != NULL) {
        OPENSSL_cleanse(out.data, out.cap);
    }
    plaint_buf_clear(&out);
    return rc < 0 ? plaint_cli_fail(&err) : PLAINT_EXIT_OK;
}

static int cmd_erase(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint subject erase";
    subject_opts o;
    plaint_actor actor;
    plaint_error err;
    int first = 0;
    int rc;
    int r = parse(cli, path, ERASE_HELP, argc, argv, &o, &first);

    if (r >= 0) {
        return r;
    }
    if (o.reason == NULL) {
        return plaint_cli_usage(path, "--reason is required");
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "subject.erase", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_subject_erase(cli->auth_db, &actor, argv[first], o.reason, &err);
        if (rc == PLAINT_EDENIED) {
            /* a legal hold refused it: a denial like any other, so it is on the record */
            rc = plaint_authz_log_refusal(cli->auth_db, &actor, "subject.erase", &err);
        }
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("erased subject %s: data key and encrypted values destroyed\n", argv[first]);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_subject[] = {
    {"add", "record a data subject and their personal data (encrypted)", ADD_HELP, cmd_add,
     NULL},
    {"set-retention", "set the start of a subject's retention period", RETENTION_HELP,
     cmd_set_retention, NULL},
    {"export", "print a subject access export (JSON)", EXPORT_HELP, cmd_export, NULL},
    {"erase", "erase a subject's personal data (crypto-shredding)", ERASE_HELP, cmd_erase, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
