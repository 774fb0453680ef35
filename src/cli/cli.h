/* The CLI's shared pieces: command tables, common options, error printing, exit codes. */
#ifndef PLAINT_CLI_H
#define PLAINT_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "plaint/config.h"
#include "plaint/error.h"

/* Exit codes: an interface, documented in docs/cli.md and `plaint --help`. Never renumber. */
enum {
    PLAINT_EXIT_OK = 0,
    PLAINT_EXIT_VERIFY = 1, /* verification failed: tamper, broken chain, bad signature */
    PLAINT_EXIT_USAGE = 2,  /* unknown command or option, missing argument */
    PLAINT_EXIT_INPUT = 3,  /* bad input data */
    PLAINT_EXIT_DENIED = 4, /* permission denied */
    PLAINT_EXIT_ENV = 5     /* database or environment error */
};

struct plaint_db;
struct plaint_authz;

typedef struct plaint_cli {
    plaint_config_flags flags;
    plaint_config cfg;
    int cfg_loaded;
    const char *token;              /* --token, else PLAINT_TOKEN */
    struct plaint_db *auth_db;      /* plaint_app connection for authentication and logging */
    struct plaint_authz *authz;     /* the loaded RBAC policy */
} plaint_cli;

typedef struct plaint_cmd plaint_cmd;
struct plaint_cmd {
    const char *name;
    const char *summary;
    const char *help; /* full help text for leaves; NULL for groups (generated) */
    int (*run)(plaint_cli *cli, int argc, char **argv); /* leaves; returns an exit code */
    const plaint_cmd *sub;                             /* groups: table ending in {NULL} */
};

/* Long options every command accepts; append to a command's own list with PLAINT_CLI_COMMON. */
enum { OPT_HELP = 'h', OPT_DB = 0x100, OPT_CONFIG, OPT_HOME, OPT_TOKEN, OPT_COMMON_LAST };
#define PLAINT_CLI_COMMON                                                                          \
    {"help", no_argument, NULL, OPT_HELP}, {"db", required_argument, NULL, OPT_DB},                \
        {"config", required_argument, NULL, OPT_CONFIG},                                           \
        {"home", required_argument, NULL, OPT_HOME},                                               \
        {"token", required_argument, NULL, OPT_TOKEN}

/* Common text about those options, for help screens. */
extern const char plaint_cli_common_help[];

/* Runs table entry named by argv[0]'s next word; path is the words so far ("plaint db"). */
int plaint_cli_dispatch(plaint_cli *cli, const plaint_cmd *table, const char *path, int argc,
                        char **argv);

/* Handles a common option; returns 1 if it was one (and *exit_now set for --help), 0 if not. */
int plaint_cli_common_option(plaint_cli *cli, int opt, const char *arg);

/* Parses options of a leaf command with getopt_long: own options go to on_opt. Returns -1 to
 * continue with the command, or an exit code to return at once (help printed: 0; usage error
 * printed: 2). On return *first_arg is the index of the first operand. */
int plaint_cli_parse(plaint_cli *cli, const char *path, const char *help, int argc, char **argv,
                     const char *shortopts, const struct option *longopts,
                     int (*on_opt)(void *ctx, int opt, const char *arg), void *ctx,
                     int *first_arg);

/* Loads the configuration once (flags, environment, file). */
int plaint_cli_config(plaint_cli *cli, const plaint_config **out, plaint_error *err);

struct plaint_actor;
/* Establishes the acting user (--token / PLAINT_TOKEN) and checks the action against the RBAC
 * policy; a denial is logged in the security log. Returns 0 or a PLAINT_E* code (err filled). */
int plaint_cli_authorize(plaint_cli *cli, const char *action, struct plaint_actor *out,
                         plaint_error *err);
/* Releases what plaint_cli_authorize opened. */
void plaint_cli_release(plaint_cli *cli);

/* Maps a PLAINT_E* code to an exit code. */
int plaint_cli_exit_code(int rc);
/* Prints "plaint: error: <message>" (and field/line) to stderr; returns the exit code. */
int plaint_cli_fail(const plaint_error *err);
/* Prints "plaint: <path>: <message>" and a usage hint to stderr; returns 2. */
int plaint_cli_usage(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Subcommand tables and top-level leaves, one file each (cmd_<name>.c). */
extern const plaint_cmd plaint_cmd_db[];
extern const plaint_cmd plaint_cmd_config[];
extern const plaint_cmd plaint_cmd_keys[];
extern const plaint_cmd plaint_cmd_ledger[];
extern const plaint_cmd plaint_cmd_user[];
extern const plaint_cmd plaint_cmd_role[];
extern const plaint_cmd plaint_cmd_token[];
extern const plaint_cmd plaint_cmd_subject[];
extern const plaint_cmd plaint_cmd_hold[];
extern const plaint_cmd plaint_cmd_retention[];
extern const plaint_cmd plaint_cmd_complaint[];
extern const plaint_cmd plaint_cmd_task[];
extern const plaint_cmd plaint_cmd_refund[];
extern const plaint_cmd plaint_cmd_customer[];
extern const plaint_cmd plaint_cmd_order[];
extern const plaint_cmd plaint_cmd_outbox[];
extern const plaint_cmd plaint_cmd_sla[];
extern const plaint_cmd plaint_cmd_import[];
int plaint_cmd_insights(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_insights_help[];
int plaint_cmd_replay(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_replay_help[];
int plaint_cmd_verify(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_verify_help[];
int plaint_cmd_verify_proof(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_verify_proof_help[];
int plaint_cmd_version(plaint_cli *cli, int argc, char **argv);

/* plaint report ...: the table is in cmd_report.c; regulator XML returns and the case export in
 * cmd_report_xml.c, PDF summaries in cmd_report_pdf.c. */
extern const plaint_cmd plaint_cmd_report[];
int plaint_cmd_serve(plaint_cli *cli, int argc, char **argv); /* cmd_serve.c */
extern const char plaint_cmd_serve_help[];
int plaint_cmd_report_regulator(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_report_regulator_help[];
int plaint_cmd_report_cases(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_report_cases_help[];
int plaint_cmd_report_weekly(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_report_weekly_help[];
int plaint_cmd_report_monthly(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_report_monthly_help[];
int plaint_cmd_report_audit(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_report_audit_help[];
int plaint_cmd_report_case(plaint_cli *cli, int argc, char **argv);
extern const char plaint_cmd_report_case_help[];
/* `plaint report verify FILE [--ledger]` once the file's kind is known: check_ledger is 1 when
 * the figures are also to be recomputed from the database at the named checkpoint. Return an
 * exit code (0 valid, 1 invalid signature/schema/figures, 2-5 as for every command). */
int plaint_cli_report_verify_xml(plaint_cli *cli, const char *path, int check_ledger);
int plaint_cli_report_verify_pdf(plaint_cli *cli, const char *path, int check_ledger);

#endif
