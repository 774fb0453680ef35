/* Exit codes and error printing: the only place that turns library errors into process exits. */
#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

int plaint_cli_exit_code(int rc)
{
    switch (rc) {
    case PLAINT_OK:
        return PLAINT_EXIT_OK;
    case PLAINT_ETAMPER:
        return PLAINT_EXIT_VERIFY;
    case PLAINT_EUSAGE:
        return PLAINT_EXIT_USAGE;
    case PLAINT_EINVALID:
    case PLAINT_ERANGE:
    case PLAINT_ENOTFOUND:
        return PLAINT_EXIT_INPUT;
    case PLAINT_EDENIED:
        return PLAINT_EXIT_DENIED;
    default:
        return PLAINT_EXIT_ENV;
    }
}

int plaint_cli_fail(const plaint_error *err)
{
    const char *what = err->code == PLAINT_ETAMPER ? "verification failed" : "error";

    fprintf(stderr, "plaint: %s: %s", what, err->message[0] != '\0' ? err->message : "failed");
    if (err->field[0] != '\0' && err->line > 0) {
        fprintf(stderr, " [field %s, line %lu", err->field, err->line);
        if (err->column > 0) {
            fprintf(stderr, ", column %lu", err->column);
        }
        fputc(']', stderr);
    } else if (err->field[0] != '\0') {
        fprintf(stderr, " [field %s]", err->field);
    } else if (err->line > 0) {
        fprintf(stderr, " [line %lu]", err->line);
    }
    fputc('\n', stderr);
    return plaint_cli_exit_code(err->code);
}

int plaint_cli_usage(const char *path, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try '%s --help')\n", path);
    return PLAINT_EXIT_USAGE;
}
