/* plaint import csv|email */
#include <stdio.h>
#include <unistd.h>

#include "cli/args.h"
#include "plaint/app_complaint.h"

static const char CSV_HELP[] =
    "Usage: plaint import csv FILE --mapping MAPPING.xml [--strict] [--batch N]\n\n"
    "Bulk intake (action complaint.create): each row of FILE, read through the mapping (e.g.\n"
    "reports/mappings/cfpb.xml, validated against schemas/xml/mapping.xsd), becomes a complaint\n"
    "with every automatic intake step. Bad rows are reported as FILE:LINE:COLUMN: why, and left\n"
    "out (a row received in the future, beyond 5 minutes of clock skew, is bad: FILE:LINE: why);\n"
    "--strict writes nothing if any row is bad. Rows already imported (same mapping, same\n"
    "external id) are skipped, so re-importing a file adds nothing and an interrupted import is\n"
    "resumed by running it again. N rows per transaction (default 500).\n"
    "Exit 0: every row good; 3: some rows bad (the good ones imported unless --strict).\n";

static const plaint_cli_optspec CSV_OPTS[] = {
    {"mapping", 1, 0}, {"strict", 0, 0}, {"batch", 1, 0}, {NULL, 0, 0}};

static int report_bad(const plaint_intake_pos *pos, const char *message, void *arg)
{
    (void)arg;
    if (pos->column == 0) { /* a whole row (e.g. refused by the intake checks) */
        fprintf(stderr, "%s:%lld: %s\n", pos->file, (long long)pos->line, message);
    } else {
        fprintf(stderr, "%s:%lld:%lld: %s\n", pos->file, (long long)pos->line,
                (long long)pos->column, message);
    }
    return 0;
}

static void progress(int64_t done, int64_t total, void *arg)
{
    (void)total;
    (void)arg;
    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "\r%lld rows...", (long long)done);
    }
}

static int cmd_csv(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint import csv";
    const plaint_config *cfg;
    plaint_handling *h = NULL;
    plaint_import_stats st;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int64_t batch = 500;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, CSV_HELP, argc, argv, CSV_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    if (plaint_cli_opt(&a, "mapping") == NULL) {
        return plaint_cli_usage(path, "--mapping is required");
    }
    if (plaint_cli_opt(&a, "batch") != NULL &&
        (r = plaint_cli_int(&batch, path, "--batch", plaint_cli_opt(&a, "batch"), 1, 100000)) >=
            0) {
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
        rc = plaint_app_import_csv(&st, cli->auth_db, &actor, h, cfg, plaint_cli_opt(&a, "mapping"),
                                   a.operands[0], plaint_cli_flag(&a, "strict"), (size_t)batch,
                                   report_bad, NULL, progress, NULL, &err);
    }
    plaint_handling_free(h);
    if (isatty(STDERR_FILENO)) {
        fputs("\r", stderr);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("%lld rows good, %lld bad; %lld complaints imported, %lld already there\n",
           (long long)st.rows_good, (long long)st.rows_bad, (long long)st.imported,
           (long long)st.skipped);
    return st.rows_bad > 0 ? PLAINT_EXIT_INPUT : PLAINT_EXIT_OK;
}

static const char EMAIL_HELP[] =
    "Usage: plaint import email FILE.eml\n\n"
    "Imports one email (RFC 5322/MIME). If its subject carries the reference number of a\n"
    "complaint (CMP-YYYY-NNNNNN) it is added to that complaint as correspondence (action\n"
    "complaint.note); otherwise it becomes a new complaint from the email channel, category\n"
    "\"Unclassified\", with the intake steps (action complaint.create). Prints the reference.\n";

static const plaint_cli_optspec NO_OPTS[] = {{NULL, 0, 0}};

static int cmd_email(plaint_cli *cli, int argc, char **argv)
{
    const plaint_config *cfg;
    plaint_handling *h = NULL;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    char ref[32] = "";
    int is_new = 0;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint import email", EMAIL_HELP, argc, argv,
                                  NO_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authenticate(cli, &actor, &err);
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_handling_open(&h, cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_import_email(ref, &is_new, cli->auth_db, cli->authz, &actor, h,
                                     a.operands[0], &err);
    }
    plaint_handling_free(h);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("%s %s\n", ref, is_new ? "(new complaint)" : "(correspondence added)");
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_import[] = {
    {"csv", "bulk-import complaints from a CSV file through a mapping", CSV_HELP, cmd_csv, NULL},
    {"email", "import an email as a complaint or correspondence", EMAIL_HELP, cmd_email, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
