/* plaint report regulator|cases, and the XML side of report verify. (Being written.) */
#include <stdio.h>

#include <string.h>

#include "cli/cli.h"

const char plaint_cmd_report_regulator_help[] = "Usage: plaint report regulator --period P --out FILE.xml\n";
const char plaint_cmd_report_cases_help[] = "Usage: plaint report cases --period P --out FILE.xml\n";

static int not_yet(const char *what)
{
    fprintf(stderr, "plaint report %s: not available in this build yet\n", what);
    return PLAINT_EXIT_ENV;
}

int plaint_cmd_report_regulator(plaint_cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        fputs(plaint_cmd_report_regulator_help, stdout);
        return PLAINT_EXIT_OK;
    }
    return not_yet("regulator");
}

int plaint_cmd_report_cases(plaint_cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        fputs(plaint_cmd_report_cases_help, stdout);
        return PLAINT_EXIT_OK;
    }
    return not_yet("cases");
}

int plaint_cli_report_verify_xml(plaint_cli *cli, const char *path, int check_ledger)
{
    (void)cli, (void)path, (void)check_ledger;
    return not_yet("verify (XML)");
}
