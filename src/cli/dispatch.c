/* Command tables, common options and option parsing shared by every subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char plaint_cli_common_help[] =
    "Common options:\n"
    "  --db CONNINFO    use this PostgreSQL server instead of the embedded cluster\n"
    "                   (libpq keyword or URI form; also PLAINT_DB)\n"
    "  --config FILE    read settings from FILE (also PLAINT_CONFIG; default\n"
    "                   $PLAINT_HOME/plaint.conf if present)\n"
    "  --home DIR       plaint's working directory (also PLAINT_HOME; default ./var)\n"
    "  --token TOKEN    act as the user this API token belongs to (also PLAINT_TOKEN)\n"
    "  -h, --help       show this help\n";

static void group_help(FILE *f, const char *path, const plaint_cmd *table)
{
    const plaint_cmd *c;

    fprintf(f, "Usage: %s COMMAND [OPTIONS]\n\nCommands:\n", path);
    for (c = table; c->name != NULL; c++) {
        fprintf(f, "  %-14s %s\n", c->name, c->summary);
    }
    fprintf(f, "\nRun '%s COMMAND --help' for a command's options.\n", path);
}

int plaint_cli_dispatch(plaint_cli *cli, const plaint_cmd *table, const char *path, int argc,
                        char **argv)
{
    const plaint_cmd *c;
    char sub[256];

    if (argc < 2) {
        group_help(stderr, path, table);
        return PLAINT_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        if (strcmp(argv[1], "help") == 0 && argc > 2) {
            for (c = table; c->name != NULL; c++) {
                if (strcmp(c->name, argv[2]) == 0) {
                    char *hv[] = {argv[2], "--help", NULL};
                    snprintf(sub, sizeof(sub), "%s %s", path, c->name);
                    if (c->sub != NULL) {
                        return plaint_cli_dispatch(cli, c->sub, sub, 2, hv);
                    }
                    fputs(c->help, stdout);
                    return PLAINT_EXIT_OK;
                }
            }
            return plaint_cli_usage(path, "unknown command '%s'", argv[2]);
        }
        group_help(stdout, path, table);
        return PLAINT_EXIT_OK;
    }
    for (c = table; c->name != NULL; c++) {
        if (strcmp(c->name, argv[1]) == 0) {
            snprintf(sub, sizeof(sub), "%s %s", path, c->name);
            if (c->sub != NULL) {
                return plaint_cli_dispatch(cli, c->sub, sub, argc - 1, argv + 1);
            }
            return c->run(cli, argc - 1, argv + 1);
        }
    }
    if (argv[1][0] == '-') {
        return plaint_cli_usage(path, "unknown option '%s'", argv[1]);
    }
    return plaint_cli_usage(path, "unknown command '%s'", argv[1]);
}

int plaint_cli_common_option(plaint_cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case OPT_DB:
        cli->flags.db = arg;
        return 1;
    case OPT_CONFIG:
        cli->flags.config_file = arg;
        return 1;
    case OPT_HOME:
        cli->flags.home = arg;
        return 1;
    case OPT_TOKEN:
        cli->token = arg;
        return 1;
    default:
        return 0;
    }
}

int plaint_cli_parse(plaint_cli *cli, const char *path, const char *help, int argc, char **argv,
                     const char *shortopts, const struct option *longopts,
                     int (*on_opt)(void *ctx, int opt, const char *arg), void *ctx,
                     int *first_arg)
{
    char shorts[64];
    int opt;

    snprintf(shorts, sizeof(shorts), ":h%s", shortopts != NULL ? shortopts : "");
    optind = 0; /* GNU: reinitialise for each command */
    opterr = 0;
    for (;;) {
        opt = getopt_long(argc, argv, shorts, longopts, NULL);
        if (opt == -1) {
            break;
        }
        if (opt == OPT_HELP) {
            fputs(help, stdout);
            fputs("\n", stdout);
            fputs(plaint_cli_common_help, stdout);
            return PLAINT_EXIT_OK;
        }
        if (opt == '?') {
            if (optopt != 0) {
                return plaint_cli_usage(path, "unknown option '-%c'", optopt);
            }
            return plaint_cli_usage(path, "unknown option '%s'", argv[optind - 1]);
        }
        if (opt == ':') {
            return plaint_cli_usage(path, "option '%s' needs a value", argv[optind - 1]);
        }
        if (plaint_cli_common_option(cli, opt, optarg)) {
            continue;
        }
        if (on_opt == NULL) {
            return plaint_cli_usage(path, "unexpected option '%s'", argv[optind - 1]);
        }
        {
            int r = on_opt(ctx, opt, optarg);
            if (r >= 0) {
                return r;
            }
        }
    }
    *first_arg = optind;
    return -1;
}

int plaint_cli_config(plaint_cli *cli, const plaint_config **out, plaint_error *err)
{
    int rc;

    if (!cli->cfg_loaded) {
        rc = plaint_config_load(&cli->cfg, &cli->flags, err);
        if (rc < 0) {
            return rc;
        }
        cli->cfg_loaded = 1;
    }
    *out = &cli->cfg;
    return 0;
}
