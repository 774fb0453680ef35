/* Table-driven leaf options and record output. */
#include "cli/args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/app_auth.h"

enum { OPT_SPEC_BASE = 0x400 };

struct parse_ctx {
    plaint_cli_args *a;
    const char *path;
};

static int on_opt(void *vctx, int opt, const char *arg)
{
    struct parse_ctx *ctx = vctx;
    plaint_cli_args *a = ctx->a;
    size_t i = (size_t)(opt - OPT_SPEC_BASE);

    if (opt < OPT_SPEC_BASE || i >= a->nspec) {
        return plaint_cli_usage(ctx->path, "unexpected option");
    }
    if (a->count[i] > 0 && !a->spec[i].repeat) {
        return plaint_cli_usage(ctx->path, "--%s given twice", a->spec[i].name);
    }
    if (a->count[i] >= PLAINT_CLI_MAX_REPEAT) {
        return plaint_cli_usage(ctx->path, "--%s given more than %d times", a->spec[i].name,
                                PLAINT_CLI_MAX_REPEAT);
    }
    a->val[i][a->count[i]++] = arg != NULL ? arg : "";
    return -1;
}

int plaint_cli_args_parse(plaint_cli_args *a, plaint_cli *cli, const char *path, const char *help,
                          int argc, char **argv, const plaint_cli_optspec *spec, int min_operands,
                          int max_operands)
{
    struct option longopts[PLAINT_CLI_MAX_OPTS + 8];
    static const struct option COMMON[] = {PLAINT_CLI_COMMON, {NULL, 0, NULL, 0}};
    struct parse_ctx ctx = {a, path};
    size_t n = 0;
    size_t i;
    int first = 0;
    int r;

    memset(a, 0, sizeof(*a));
    a->spec = spec;
    while (spec[a->nspec].name != NULL && a->nspec < PLAINT_CLI_MAX_OPTS) {
        a->nspec++;
    }
    for (i = 0; COMMON[i].name != NULL; i++) {
        longopts[n++] = COMMON[i];
    }
    for (i = 0; i < a->nspec; i++) {
        longopts[n].name = spec[i].name;
        longopts[n].has_arg = spec[i].has_arg ? required_argument : no_argument;
        longopts[n].flag = NULL;
        longopts[n].val = OPT_SPEC_BASE + (int)i;
        n++;
    }
    memset(&longopts[n], 0, sizeof(longopts[n]));
    r = plaint_cli_parse(cli, path, help, argc, argv, NULL, longopts, on_opt, &ctx, &first);
    if (r >= 0) {
        return r;
    }
    a->operands = argv + first;
    a->noperands = argc - first;
    if (a->noperands < min_operands || a->noperands > max_operands) {
        if (min_operands == max_operands) {
            return plaint_cli_usage(path, "expected %d argument%s, got %d", min_operands,
                                    min_operands == 1 ? "" : "s", a->noperands);
        }
        return plaint_cli_usage(path, "expected %d to %d arguments, got %d", min_operands,
                                max_operands, a->noperands);
    }
    return -1;
}

static int find(const plaint_cli_args *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->nspec; i++) {
        if (strcmp(a->spec[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *plaint_cli_opt(const plaint_cli_args *a, const char *name)
{
    int i = find(a, name);

    return i >= 0 && a->count[i] > 0 ? a->val[i][a->count[i] - 1] : NULL;
}

int plaint_cli_flag(const plaint_cli_args *a, const char *name)
{
    int i = find(a, name);

    return i >= 0 && a->count[i] > 0;
}

size_t plaint_cli_opts(const plaint_cli_args *a, const char *name, const char *const **out)
{
    int i = find(a, name);

    if (i < 0) {
        *out = NULL;
        return 0;
    }
    *out = a->val[i];
    return a->count[i];
}

int plaint_cli_int(int64_t *out, const char *path, const char *opt, const char *text,
                   int64_t min, int64_t max)
{
    char *end = NULL;
    long long v;

    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
        return plaint_cli_usage(path, "%s: '%s' is not a whole number from %lld to %lld", opt,
                                text, (long long)min, (long long)max);
    }
    *out = v;
    return -1;
}

int plaint_cli_authenticate(plaint_cli *cli, plaint_actor *out, plaint_error *err)
{
    const plaint_config *cfg;
    const char *token = cli->token != NULL ? cli->token : getenv("PLAINT_TOKEN");
    int rc = plaint_cli_config(cli, &cfg, err);

    if (rc == 0 && cli->authz == NULL) {
        rc = plaint_authz_open(&cli->authz, cfg, err);
    }
    if (rc == 0 && cli->auth_db == NULL) {
        rc = plaint_db_open(&cli->auth_db, cfg, PLAINT_DB_APP, err);
    }
    if (rc == 0) {
        rc = plaint_authn(out, cli->auth_db, token, err);
    }
    return rc;
}

/* A value as text for tables: strings as they are, null as "-", others as JSON. */
static char *cell(const json_t *v)
{
    if (v == NULL || json_is_null(v)) {
        return strdup("-");
    }
    if (json_is_string(v)) {
        return strdup(json_string_value(v));
    }
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static void print_json(const json_t *v)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    if (s != NULL) {
        puts(s);
        free(s);
    }
}

void plaint_cli_print_records(const json_t *records, int as_json, const char *const *columns)
{
    size_t widths[32] = {0};
    size_t ncol = 0;
    size_t i;
    size_t c;
    json_t *r;

    if (as_json) {
        print_json(records);
        return;
    }
    while (columns[ncol] != NULL && ncol < 32) {
        widths[ncol] = strlen(columns[ncol]);
        ncol++;
    }
    json_array_foreach(records, i, r) {
        for (c = 0; c < ncol; c++) {
            char *s = cell(json_object_get(r, columns[c]));
            size_t len = s != NULL ? strlen(s) : 0;

            if (len > 48) {
                len = 48;
            }
            widths[c] = len > widths[c] ? len : widths[c];
            free(s);
        }
    }
    for (c = 0; c < ncol; c++) {
        printf("%-*s%s", (int)widths[c], columns[c], c + 1 < ncol ? "  " : "\n");
    }
    json_array_foreach(records, i, r) {
        for (c = 0; c < ncol; c++) {
            char *s = cell(json_object_get(r, columns[c]));

            printf("%-*.48s%s", (int)widths[c], s != NULL ? s : "", c + 1 < ncol ? "  " : "\n");
            free(s);
        }
    }
    printf("(%zu record%s)\n", json_array_size(records),
           json_array_size(records) == 1 ? "" : "s");
}

void plaint_cli_print_record(const json_t *record, int as_json)
{
    const char *key;
    json_t *v;

    if (as_json) {
        print_json(record);
        return;
    }
    json_object_foreach((json_t *)record, key, v) {
        char *s = cell(v);

        printf("%-20s %s\n", key, s != NULL ? s : "");
        free(s);
    }
}
