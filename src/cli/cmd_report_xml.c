/* plaint report regulator|cases, and the XML side of report verify. */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "plaint/app_auth.h"
#include "plaint/report_regulator.h"

const char plaint_cmd_report_regulator_help[] =
    "Usage: plaint report regulator --period P --out FILE.xml [--definition FILE]\n\n"
    "Writes the complaints return (modelled on FCA DISP 1 Annex 1R) for period P as signed XML\n"
    "(schema schemas/xml/regulator-return-v1.xsd, namespace\n"
    "urn:plaint:report:regulator-return:1): per product group of the report definition,\n"
    "complaints outstanding at the start, opened, closed, closed within the summary-resolution\n"
    "limit (3 business days) and within the final-response limit (8 weeks), upheld, redress\n"
    "paid and complaints by root cause, with the firm, the period and the ledger checkpoint the\n"
    "figures were computed at. Events not yet covered by a checkpoint are sealed first (needs\n"
    "the ledger signing key). The document is validated and its signature checked before it is\n"
    "written; an invalid document is never written. Same ledger and keys: same bytes.\n"
    "Actions report.regulator.prepare and report.regulator.sign. Definitions: docs/reports.md.\n\n"
    "  --period P         2026-H1, 2026-Q3, 2026-09, 2026-W47, 2026-09-14 or\n"
    "                     2026-01-01..2026-03-31 (both days included); UTC days\n"
    "  --out FILE.xml     where to write (replaced atomically)\n"
    "  --definition FILE  report definition (default <report dir>/regulator-return.xml)\n";

const char plaint_cmd_report_cases_help[] =
    "Usage: plaint report cases --period P --out FILE.xml [--definition FILE]\n\n"
    "Writes the case-level export for period P as signed XML (schema\n"
    "schemas/xml/case-export-v1.xsd): one record per complaint open at some time in the period,\n"
    "with its product group, received and closing instants, the period flags the return counts,\n"
    "outcome, redress and root cause. Personal data is pseudonymised: no narrative, and the\n"
    "customer id only as HMAC-SHA256 under the key $PLAINT_HOME/keys/report-pseudonym.key\n"
    "(created on first use). Anchored, signed and validated as the return is.\n"
    "Actions report.regulator.prepare and report.regulator.sign.\n\n"
    "  --period P         as for plaint report regulator\n"
    "  --out FILE.xml     where to write (replaced atomically)\n"
    "  --definition FILE  report definition (default <report dir>/regulator-return.xml)\n";

static const plaint_cli_optspec OPTS[] = {
    {"period", 1, 0}, {"out", 1, 0}, {"definition", 1, 0}, {NULL, 0, 0}};

static int run(plaint_cli *cli, int argc, char **argv, int cases)
{
    const char *path = cases ? "plaint report cases" : "plaint report regulator";
    const plaint_config *cfg = NULL;
    plaint_report_options o;
    plaint_report_written w;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int rc;
    int r = plaint_cli_args_parse(
        &a, cli, path, cases ? plaint_cmd_report_cases_help : plaint_cmd_report_regulator_help,
        argc, argv, OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    memset(&o, 0, sizeof(o));
    o.period = plaint_cli_opt(&a, "period");
    o.out = plaint_cli_opt(&a, "out");
    o.definition = plaint_cli_opt(&a, "definition");
    if (o.period == NULL) {
        return plaint_cli_usage(path, "--period is required");
    }
    if (o.out == NULL) {
        return plaint_cli_usage(path, "--out is required");
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "report.regulator.prepare", &actor, &err);
    if (rc == 0) {
        rc = plaint_authz_require(cli->authz, cli->auth_db, &actor, "report.regulator.sign", NULL,
                                  &err);
    }
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_report_xml(&w, cli->auth_db, cfg, &o, cases, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("wrote %s: %s %s, %zu bytes\n", o.out, cases ? "case export" : "regulator return",
           w.period.label, w.bytes);
    if (cases) {
        printf("cases: %lld\n", (long long)w.records);
    }
    printf("checkpoint: %lld (tree size %lld, root %s, %s)%s\n", (long long)w.anchor.seq,
           (long long)w.anchor.tree_size, w.anchor.root_hex, w.anchor.time,
           w.anchor.sealed_now ? " sealed now" : "");
    printf("signed with: %s\n", cfg->report_cert);
    return PLAINT_EXIT_OK;
}

int plaint_cmd_report_regulator(plaint_cli *cli, int argc, char **argv)
{
    return run(cli, argc, argv, 0);
}

int plaint_cmd_report_cases(plaint_cli *cli, int argc, char **argv)
{
    return run(cli, argc, argv, 1);
}

int plaint_cli_report_verify_xml(plaint_cli *cli, const char *path, int check_ledger)
{
    const plaint_config *cfg = NULL;
    plaint_report_check c;
    plaint_actor actor;
    plaint_error err;
    int rc = 0;

    plaint_error_init(&err);
    if (check_ledger) {
        rc = plaint_cli_authorize(cli, "report.read", &actor, &err);
    }
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_report_verify_xml(&c, check_ledger ? cli->auth_db : NULL, cfg, path, &err);
    }
    if (rc < 0) {
        if (rc == PLAINT_ETAMPER) {
            fprintf(stderr, "plaint report verify: %s: INVALID: %s\n", path, err.message);
            return PLAINT_EXIT_VERIFY;
        }
        return plaint_cli_fail(&err);
    }
    printf("%s: %s %s\n", path, c.cases ? "case export" : "regulator return", c.period);
    printf("schema: valid (%s)\n", c.cases ? PLAINT_REPORT_CASES_XSD : PLAINT_REPORT_RETURN_XSD);
    printf("signature: valid, %s certificate %s (%s)\n",
           c.cert_configured ? "configured" : "embedded",
           c.cert_configured ? cfg->report_cert : "in the document",
           c.signer[0] != '\0' ? c.signer : "subject unknown");
    if (!c.cert_configured) {
        printf("note: no certificate at %s; the embedded one proves integrity, not who signed\n",
               cfg->report_cert);
    }
    printf("checkpoint: tree size %lld, root %s\n", (long long)c.tree_size, c.root_hex);
    if (c.ledger_checked) {
        printf("ledger: the checkpoint exists with that root, and every figure matches the "
               "ledger at it\n");
    } else {
        printf("ledger: not checked (use --ledger)\n");
    }
    return PLAINT_EXIT_OK;
}
