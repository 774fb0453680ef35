/* plaint serve: the HTTP/JSON service. (Being written.) */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char plaint_cmd_serve_help[] = "Usage: plaint serve [--listen ADDR:PORT]\n\n"
                                     "Runs the HTTP/JSON API (being written).\n";

int plaint_cmd_serve(plaint_cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        fputs(plaint_cmd_serve_help, stdout);
        return PLAINT_EXIT_OK;
    }
    fputs("plaint serve: not available in this build yet\n", stderr);
    return PLAINT_EXIT_ENV;
}
