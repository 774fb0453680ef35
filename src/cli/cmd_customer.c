/* plaint customer add, plaint order add */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "plaint/app_complaint.h"
#include "plaint/money.h"

static const char ADD_HELP[] =
    "Usage: plaint customer add ID --tier T --currency CUR [--lifetime-value AMOUNT]\n"
    "                           [--balance AMOUNT] [--subject SUBJECT_ID]\n\n"
    "Records a customer (action customer.manage; event customer.recorded on case customer:ID).\n"
    "Amounts are decimal in the currency's units (e.g. 1250.00 GBP). Personal data (name,\n"
    "email) belongs in the vault: record it with `plaint subject add` and name the subject.\n";

static const plaint_cli_optspec ADD_OPTS[] = {{"tier", 1, 0},    {"currency", 1, 0},
                                              {"lifetime-value", 1, 0}, {"balance", 1, 0},
                                              {"subject", 1, 0}, {NULL, 0, 0}};

static int amount(int64_t *out, const char *path, const char *opt, const char *text,
                  const char *currency)
{
    plaint_error err;

    plaint_error_init(&err);
    *out = 0;
    if (text != NULL && plaint_money_parse(out, text, currency, &err) != 0) {
        return plaint_cli_usage(path, "%s: %s", opt, err.message);
    }
    return -1;
}

static int cmd_add(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint customer add";
    plaint_customer_input in;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, ADD_HELP, argc, argv, ADD_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    memset(&in, 0, sizeof(in));
    in.customer_id = a.operands[0];
    in.tier = plaint_cli_opt(&a, "tier");
    in.currency = plaint_cli_opt(&a, "currency");
    in.subject_id = plaint_cli_opt(&a, "subject");
    if (in.tier == NULL || in.currency == NULL) {
        return plaint_cli_usage(path, "--tier and --currency are required");
    }
    if ((r = amount(&in.lifetime_value, path, "--lifetime-value",
                    plaint_cli_opt(&a, "lifetime-value"), in.currency)) >= 0 ||
        (r = amount(&in.balance, path, "--balance", plaint_cli_opt(&a, "balance"),
                    in.currency)) >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "customer.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_customer_add(cli->auth_db, &actor, &in, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("customer %s recorded\n", in.customer_id);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_customer[] = {
    {"add", "record a customer", ADD_HELP, cmd_add, NULL}, {NULL, NULL, NULL, NULL, NULL}};

static const char ORDER_HELP[] =
    "Usage: plaint order add REF --customer ID --line SKU,DESCRIPTION,UNIT,QTY,TAX_BP ...\n"
    "                        [--credit-note CREF,AMOUNT]... [--placed DATE]\n\n"
    "Records an order of a customer with its lines and credit notes (action customer.manage;\n"
    "event order.recorded on case customer:ID). UNIT and AMOUNT are decimal in the customer's\n"
    "currency; TAX_BP is the tax rate in basis points (2000 = 20%).\n";

static const plaint_cli_optspec ORDER_OPTS[] = {{"customer", 1, 0}, {"line", 1, 1},
                                                {"credit-note", 1, 1}, {"placed", 1, 0},
                                                {"currency", 1, 0}, {NULL, 0, 0}};

static int split(char *s, char **parts, int n)
{
    int i = 0;
    char *save = NULL;
    char *tok = strtok_r(s, ",", &save);

    while (tok != NULL && i < n) {
        parts[i++] = tok;
        tok = strtok_r(NULL, ",", &save);
    }
    return tok == NULL ? i : n + 1;
}

static int cmd_order(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint order add";
    plaint_order_line_input lines[PLAINT_CLI_MAX_REPEAT];
    plaint_credit_note_input credits[PLAINT_CLI_MAX_REPEAT];
    char copies[2][PLAINT_CLI_MAX_REPEAT][512];
    const char *const *lv;
    const char *const *cv;
    const char *currency;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int64_t placed = 0;
    size_t nl;
    size_t nc;
    size_t i;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, ORDER_HELP, argc, argv, ORDER_OPTS, 1, 1);

    if (r >= 0) {
        return r;
    }
    currency = plaint_cli_opt(&a, "currency") != NULL ? plaint_cli_opt(&a, "currency") : "GBP";
    if (plaint_cli_opt(&a, "customer") == NULL) {
        return plaint_cli_usage(path, "--customer is required");
    }
    if (plaint_cli_opt(&a, "placed") != NULL &&
        (r = plaint_cli_time_arg(&placed, path, "--placed", plaint_cli_opt(&a, "placed"))) >=
            0) {
        return r;
    }
    nl = plaint_cli_opts(&a, "line", &lv);
    nc = plaint_cli_opts(&a, "credit-note", &cv);
    for (i = 0; i < nl; i++) {
        char *p[5];
        int64_t q = 0;
        int64_t bp = 0;

        snprintf(copies[0][i], sizeof(copies[0][i]), "%s", lv[i]);
        if (split(copies[0][i], p, 5) != 5) {
            return plaint_cli_usage(path, "--line '%s': expected SKU,DESCRIPTION,UNIT,QTY,TAX_BP",
                                    lv[i]);
        }
        lines[i].sku = p[0];
        lines[i].description = p[1];
        if ((r = amount(&lines[i].unit_amount, path, "--line unit", p[2], currency)) >= 0 ||
            (r = plaint_cli_int(&q, path, "--line quantity", p[3], 1, 1000000000)) >= 0 ||
            (r = plaint_cli_int(&bp, path, "--line tax", p[4], 0, 100000)) >= 0) {
            return r;
        }
        lines[i].quantity = q;
        lines[i].tax_rate_bp = (int32_t)bp;
    }
    for (i = 0; i < nc; i++) {
        char *p[2];

        snprintf(copies[1][i], sizeof(copies[1][i]), "%s", cv[i]);
        if (split(copies[1][i], p, 2) != 2) {
            return plaint_cli_usage(path, "--credit-note '%s': expected CREF,AMOUNT", cv[i]);
        }
        credits[i].credit_ref = p[0];
        if ((r = amount(&credits[i].amount, path, "--credit-note amount", p[1], currency)) >=
            0) {
            return r;
        }
    }
    if (placed == 0) {
        placed = (int64_t)time(NULL) * 1000000;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "customer.manage", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_order_add(cli->auth_db, &actor, a.operands[0],
                                  plaint_cli_opt(&a, "customer"), placed, lines, nl, credits, nc,
                                  &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("order %s recorded\n", a.operands[0]);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_order[] = {
    {"add", "record a customer's order", ORDER_HELP, cmd_order, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
