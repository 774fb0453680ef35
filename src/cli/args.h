/* Table-driven options for leaf commands: a command lists its options by name; values land in a
 * plaint_cli_args (repeatable options keep every value), operands are counted, --help and the
 * common options are handled as everywhere. Also: JSON or table output of record lists. */
#ifndef PLAINT_CLI_ARGS_H
#define PLAINT_CLI_ARGS_H

#include <jansson.h>
#include <stdint.h>

#include "cli/cli.h"

#define PLAINT_CLI_MAX_OPTS 24
#define PLAINT_CLI_MAX_REPEAT 64

typedef struct plaint_cli_optspec {
    const char *name;
    int has_arg; /* 0: a flag */
    int repeat;  /* 1: may be given several times */
} plaint_cli_optspec;

typedef struct plaint_cli_args {
    const plaint_cli_optspec *spec;
    size_t nspec;
    const char *val[PLAINT_CLI_MAX_OPTS][PLAINT_CLI_MAX_REPEAT];
    size_t count[PLAINT_CLI_MAX_OPTS];
    char **operands;
    int noperands;
} plaint_cli_args;

/* Parses argv for the leaf `path`. spec ends with {NULL}. Returns -1 to go on, or an exit code
 * (help printed: 0; usage error printed: 2). Operand count must be within [min, max]. */
int plaint_cli_args_parse(plaint_cli_args *a, plaint_cli *cli, const char *path, const char *help,
                          int argc, char **argv, const plaint_cli_optspec *spec, int min_operands,
                          int max_operands);
/* The (last) value of option name, NULL if not given. */
const char *plaint_cli_opt(const plaint_cli_args *a, const char *name);
/* 1 if the flag or option was given. */
int plaint_cli_flag(const plaint_cli_args *a, const char *name);
/* All values of a repeatable option. */
size_t plaint_cli_opts(const plaint_cli_args *a, const char *name, const char *const **out);
/* Parses an integer option value; prints a usage error and returns 2 if it is not one. */
int plaint_cli_int(int64_t *out, const char *path, const char *opt, const char *text,
                   int64_t min, int64_t max);

/* Parses a date (YYYY-MM-DD, midnight UTC) or UTC time (YYYY-MM-DDTHH:MM:SS[.ffffff]Z) into
 * microseconds; prints a usage error and returns 2 if it is neither, else -1. */
int plaint_cli_time_arg(int64_t *out, const char *path, const char *opt, const char *text);

/* Authenticates the acting user (--token / PLAINT_TOKEN) without deciding an action: the use
 * case authorises with its own context. Opens cli->authz and cli->auth_db. */
int plaint_cli_authenticate(plaint_cli *cli, struct plaint_actor *out, plaint_error *err);

/* Prints a JSON array of records: with as_json the array itself (one object per record),
 * else a table of the given columns (NULL-terminated) with a header. */
void plaint_cli_print_records(const json_t *records, int as_json, const char *const *columns);
/* Prints one record: JSON, or "key: value" lines. */
void plaint_cli_print_record(const json_t *record, int as_json);

#endif
