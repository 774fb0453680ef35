/* plaint report weekly|monthly|audit|case, and the PDF side of report verify. (Being written.) */
#include <stdio.h>

#include <string.h>

#include "cli/cli.h"

const char plaint_cmd_report_weekly_help[] = "Usage: plaint report weekly --out FILE.pdf\n";
const char plaint_cmd_report_monthly_help[] = "Usage: plaint report monthly --out FILE.pdf\n";
const char plaint_cmd_report_audit_help[] = "Usage: plaint report audit --out FILE.pdf\n";
const char plaint_cmd_report_case_help[] = "Usage: plaint report case REF --out FILE.pdf\n";

static int not_yet(const char *what)
{
    fprintf(stderr, "plaint report %s: not available in this build yet\n", what);
    return PLAINT_EXIT_ENV;
}

#define NOT_YET(fn, name)                                                                          \
    int fn(plaint_cli *cli, int argc, char **argv)                                                 \
    {                                                                                              \
        (void)cli;                                                                                 \
        if (argc > 1 && strcmp(argv[1], "--help") == 0) {                                          \
            fputs(fn##_help, stdout);                                                              \
            return PLAINT_EXIT_OK;                                                                 \
        }                                                                                          \
        return not_yet(name);                                                                      \
    }
NOT_YET(plaint_cmd_report_weekly, "weekly")
NOT_YET(plaint_cmd_report_monthly, "monthly")
NOT_YET(plaint_cmd_report_audit, "audit")
NOT_YET(plaint_cmd_report_case, "case")

int plaint_cli_report_verify_pdf(plaint_cli *cli, const char *path, int check_ledger)
{
    (void)cli, (void)path, (void)check_ledger;
    return not_yet("verify (PDF)");
}
