/* plaint: the command-line program; global options, then one subcommand per cmd_<name>.c. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "plaint/build_info.h"

static const char TOP_HELP_TAIL[] =
    "\nExit codes (the same for every command):\n"
    "  0  success\n"
    "  1  verification failed (tampering, broken chain, invalid signature or document)\n"
    "  2  usage error (unknown command or option, missing argument)\n"
    "  3  bad input data (invalid JSON, CSV, XML; schema violation; unknown record)\n"
    "  4  permission denied (role, four-eyes)\n"
    "  5  database or environment error (connect, I/O, configuration, memory)\n";

static const char VERSION_HELP[] = "Usage: plaint version\n\nPrints plaint's version.\n";

static const plaint_cmd TOP[] = {
    {"db", "manage the embedded PostgreSQL cluster and migrations", NULL, NULL, plaint_cmd_db},
    {"complaint", "register, handle, resolve and close complaints", NULL, NULL,
     plaint_cmd_complaint},
    {"task", "list tasks; check checklist items and complete tasks", NULL, NULL, plaint_cmd_task},
    {"refund", "propose, approve (four-eyes) and credit refunds", NULL, NULL, plaint_cmd_refund},
    {"customer", "record customers", NULL, NULL, plaint_cmd_customer},
    {"order", "record customers' orders", NULL, NULL, plaint_cmd_order},
    {"outbox", "list and show queued customer notifications", NULL, NULL, plaint_cmd_outbox},
    {"import", "import complaints from CSV files and emails", NULL, NULL, plaint_cmd_import},
    {"sla", "escalate complaints whose SLA deadlines have passed", NULL, NULL, plaint_cmd_sla},
    {"insights", "flag category spikes and public-channel complaints", plaint_cmd_insights_help,
     plaint_cmd_insights, NULL},
    {"report", "signed regulator returns (XML) and PDF summaries; verify them", NULL, NULL,
     plaint_cmd_report},
    {"serve", "run the HTTP/JSON API, the customer status page and the dashboard",
     plaint_cmd_serve_help, plaint_cmd_serve, NULL},
    {"config", "show the effective configuration", NULL, NULL, plaint_cmd_config},
    {"keys", "manage the checkpoint signing key and the vault master keys", NULL, NULL,
     plaint_cmd_keys},
    {"ledger", "append, show, seal, export and prove ledger events", NULL, NULL,
     plaint_cmd_ledger},
    {"user", "add, list and disable users", NULL, NULL, plaint_cmd_user},
    {"role", "grant and revoke roles", NULL, NULL, plaint_cmd_role},
    {"token", "issue and revoke API tokens", NULL, NULL, plaint_cmd_token},
    {"subject", "record, export and erase data subjects' personal data", NULL, NULL,
     plaint_cmd_subject},
    {"hold", "place and release legal holds", NULL, NULL, plaint_cmd_hold},
    {"retention", "erase subjects whose retention period has ended; show the policy", NULL,
     NULL, plaint_cmd_retention},
    {"verify", "verify the whole ledger (database or exported bundle)", plaint_cmd_verify_help,
     plaint_cmd_verify, NULL},
    {"verify-proof", "check an inclusion or consistency proof offline",
     plaint_cmd_verify_proof_help, plaint_cmd_verify_proof, NULL},
    {"version", "print the version", VERSION_HELP, plaint_cmd_version, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

int plaint_cmd_version(plaint_cli *cli, int argc, char **argv)
{
    int first = 0;
    int r = plaint_cli_parse(cli, "plaint version", VERSION_HELP, argc, argv, NULL,
                             (const struct option[]){PLAINT_CLI_COMMON, {NULL, 0, NULL, 0}}, NULL,
                             NULL, &first);

    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage("plaint version", "unexpected argument '%s'", argv[first]);
    }
    printf("plaint %s (%s)\n", PLAINT_VERSION, OpenSSL_version(OPENSSL_VERSION));
    return PLAINT_EXIT_OK;
}

static void top_help(FILE *f)
{
    const plaint_cmd *c;

    fprintf(f, "plaint %s: complaint management on an append-only, hash-chained ledger\n\n",
            PLAINT_VERSION);
    fprintf(f, "Usage: plaint [--db CONNINFO] [--config FILE] [--home DIR] COMMAND ...\n"
               "       plaint help COMMAND | plaint COMMAND --help\n\nCommands:\n");
    for (c = TOP; c->name != NULL; c++) {
        fprintf(f, "  %-14s %s\n", c->name, c->summary);
    }
    fputs("\n", f);
    fputs(plaint_cli_common_help, f);
    fputs(TOP_HELP_TAIL, f);
}

int main(int argc, char **argv)
{
    plaint_cli cli;
    int i = 1;

    memset(&cli, 0, sizeof(cli));
    /* No fastbins: bulk imports build and free many small JSON values per batch, and glibc
     * consolidated the fastbins on each larger allocation that followed (a quarter of the
     * client's time in `plaint import csv`; docs/benchmarks.md). The tcache still serves
     * small allocations. */
    mallopt(M_MXFAST, 0);
    /* Global options before the command. */
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            top_help(stdout);
            return PLAINT_EXIT_OK;
        }
        if (strcmp(a, "--version") == 0) {
            printf("plaint %s\n", PLAINT_VERSION);
            return PLAINT_EXIT_OK;
        }
        if (strcmp(a, "--db") == 0 || strcmp(a, "--config") == 0 || strcmp(a, "--home") == 0 ||
            strcmp(a, "--token") == 0) {
            int opt = a[2] == 'd' ? OPT_DB
                      : a[2] == 'c' ? OPT_CONFIG
                      : a[2] == 'h' ? OPT_HOME
                                    : OPT_TOKEN;
            if (i + 1 >= argc) {
                return plaint_cli_usage("plaint", "option '%s' needs a value", a);
            }
            plaint_cli_common_option(&cli, opt, argv[i + 1]);
            i += 2;
            continue;
        }
        if (strncmp(a, "--db=", 5) == 0) {
            cli.flags.db = a + 5;
        } else if (strncmp(a, "--config=", 9) == 0) {
            cli.flags.config_file = a + 9;
        } else if (strncmp(a, "--home=", 7) == 0) {
            cli.flags.home = a + 7;
        } else if (strncmp(a, "--token=", 8) == 0) {
            cli.token = a + 8;
        } else {
            return plaint_cli_usage("plaint", "unknown option '%s'", a);
        }
        i++;
    }
    if (i >= argc) {
        top_help(stderr);
        return PLAINT_EXIT_USAGE;
    }
    if (strcmp(argv[i], "help") == 0 && i + 1 >= argc) {
        top_help(stdout);
        return PLAINT_EXIT_OK;
    }
    /* dispatch expects argv[0] to be the program or group name */
    {
        int code = plaint_cli_dispatch(&cli, TOP, "plaint", argc - i + 1, argv + i - 1);
        plaint_cli_release(&cli);
        return code;
    }
}
