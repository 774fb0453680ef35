/* plaint config show: the effective settings and where each came from. */
#include <stdio.h>

#include "cli/cli.h"

static const char SHOW_HELP[] =
    "Usage: plaint config show [OPTIONS]\n\n"
    "Prints the effective settings, one 'section.key = value  # source' per line, where the\n"
    "source is default, config file, environment or command line. Passwords are masked.\n"
    "Settings: see docs/configuration.md.\n";

static int cmd_show(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON, {NULL, 0, NULL, 0}};
    const plaint_config *cfg;
    plaint_error err;
    int first = 0;
    int r;

    plaint_error_init(&err);
    r = plaint_cli_parse(cli, "plaint config show", SHOW_HELP, argc, argv, NULL, opts, NULL, NULL,
                         &first);
    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage("plaint config show", "unexpected argument '%s'", argv[first]);
    }
    if (plaint_cli_config(cli, &cfg, &err) < 0 || plaint_config_print(cfg, stdout, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_config[] = {
    {"show", "print the effective settings (secrets masked)", SHOW_HELP, cmd_show, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
