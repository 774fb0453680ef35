/* plaint report ...: the command table, and `report verify`, which sends a file to the XML or
 * the PDF checker by its first bytes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/args.h"

static const char VERIFY_HELP[] =
    "Usage: plaint report verify FILE [--ledger]\n\n"
    "Checks a report written by plaint: for a regulator return (XML) its XML signature and\n"
    "its schema, for a PDF its PAdES signature and signer. With --ledger (action report.read)\n"
    "the checkpoint the report names must be in this ledger with that root hash, and a\n"
    "regulator return's figures are recomputed at that checkpoint and compared.\n"
    "Exit 0 when everything holds, 1 when anything does not (the reason is printed), 3 when\n"
    "FILE is neither XML nor PDF.\n";

static const plaint_cli_optspec VERIFY_OPTS[] = {{"ledger", 0, 0}, {NULL, 0, 0}};

static int cmd_verify(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint report verify";
    plaint_cli_args a;
    char head[8] = {0};
    size_t n;
    FILE *f;
    int r = plaint_cli_args_parse(&a, cli, path, VERIFY_HELP, argc, argv, VERIFY_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    f = fopen(a.operands[0], "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open %s: %s\n", path, a.operands[0], strerror(errno));
        return PLAINT_EXIT_INPUT;
    }
    n = fread(head, 1, sizeof(head) - 1, f);
    fclose(f);
    if (n >= 5 && memcmp(head, "%PDF-", 5) == 0) {
        return plaint_cli_report_verify_pdf(cli, a.operands[0], plaint_cli_flag(&a, "ledger"));
    }
    if (n >= 1 && (head[0] == '<' || (unsigned char)head[0] == 0xEF)) {
        return plaint_cli_report_verify_xml(cli, a.operands[0], plaint_cli_flag(&a, "ledger"));
    }
    fprintf(stderr, "%s: %s is neither a PDF nor an XML document\n", path, a.operands[0]);
    return PLAINT_EXIT_INPUT;
}

const plaint_cmd plaint_cmd_report[] = {
    {"regulator", "write the signed regulator complaints return (XML)",
     plaint_cmd_report_regulator_help, plaint_cmd_report_regulator, NULL},
    {"cases", "write the signed case-level export (XML, personal data pseudonymised)",
     plaint_cmd_report_cases_help, plaint_cmd_report_cases, NULL},
    {"weekly", "write the signed weekly summary (PDF)", plaint_cmd_report_weekly_help,
     plaint_cmd_report_weekly, NULL},
    {"monthly", "write the signed monthly management report (PDF)",
     plaint_cmd_report_monthly_help, plaint_cmd_report_monthly, NULL},
    {"audit", "write the signed audit report (PDF)", plaint_cmd_report_audit_help,
     plaint_cmd_report_audit, NULL},
    {"case", "write the signed single-case report (PDF)", plaint_cmd_report_case_help,
     plaint_cmd_report_case, NULL},
    {"verify", "check a report's signature, schema and (with --ledger) figures", VERIFY_HELP,
     cmd_verify, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
