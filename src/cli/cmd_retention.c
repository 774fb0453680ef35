/* plaint retention run|show: erase subjects whose retention period has ended; print the policy. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "plaint/app_retention.h"

static const char RUN_HELP[] =
    "Usage: plaint retention run [--dry-run] [--now YYYY-MM-DD] [OPTIONS]\n\n"
    "Judges every subject not yet erased against policies/retention.xml and erases\n"
    "(crypto-shreds) each one whose retention period has ended and that no legal hold keeps\n"
    "(action retention.run). Prints one line per subject:\n"
    "  SUBJECT CLASS VERDICT DUE-DATE OUTCOME   (verdict: due, not-due, held, no-start,\n"
    "                                            unknown-class)\n"
    "then a summary. Each erasure is a ledger event naming the policy\n"
    "(retention:<class>:<first 16 hex digits of the policy file's SHA-256>).\n\n"
    "  --dry-run          judge and print only; change nothing\n"
    "  --now YYYY-MM-DD   judge as at the start of that UTC day (tests, audits);\n"
    "                     default: the current time\n\n"
    "Exit 0 when every due erasure succeeded; otherwise the exit code of the first failure.\n";
static const char SHOW_HELP[] =
    "Usage: plaint retention show [OPTIONS]\n\n"
    "Validates and prints the retention policy (policies/retention.xml): its SHA-256 and one\n"
    "line per record class with its period, the event that starts it and its basis.\n";

typedef struct run_opts {
    int dry_run;
    const char *now;
} run_opts;

static int on_opt(void *ctx, int opt, const char *arg)
{
    run_opts *o = ctx;

    switch (opt) {
    case 'n':
        o->dry_run = 1;
        break;
    case 't':
        o->now = arg;
        break;
    default:
        return plaint_cli_usage("plaint retention run", "unexpected option");
    }
    return -1;
}

static const struct option RUN_OPTS[] = {PLAINT_CLI_COMMON,
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"now", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
static const struct option SHOW_OPTS[] = {PLAINT_CLI_COMMON, {NULL, 0, NULL, 0}};

/* Parses options; no operands are taken. -1 to go on, else an exit code. */
static int parse(plaint_cli *cli, const char *path, const char *help, int argc, char **argv,
                 const struct option *opts, run_opts *o)
{
    int first = 0;
    int r;

    memset(o, 0, sizeof(*o));
    r = plaint_cli_parse(cli, path, help, argc, argv, NULL, opts, on_opt, o, &first);
    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage(path, "unexpected argument '%s'", argv[first]);
    }
    return -1;
}

typedef struct print_ctx {
    int dry_run;
} print_ctx;

static int print_item(const plaint_retention_item *item, void *arg, plaint_error *err)
{
    const print_ctx *c = arg;
    char date[PLAINT_RETENTION_DATE_LEN + 1] = "-";
    const char *outcome = "kept";

    (void)err;
    if (item->verdict.due_us != 0 &&
        plaint_retention_format_date(date, item->verdict.due_us, NULL) < 0) {
        snprintf(date, sizeof(date), "?");
    }
    if (item->verdict.status == PLAINT_RETENTION_DUE) {
        outcome = c->dry_run ? "would-erase" : item->erased ? "erased" : "FAILED";
    }
    printf("%-24s %-12s %-13s %-10s %s", item->subject->subject_id, item->subject->record_class,
           plaint_retention_status_name(item->verdict.status), date, outcome);
    if (item->error_code != 0) {
        printf(": %s", item->error);
    }
    printf(" (%s)\n", item->verdict.reason);
    return 0;
}

/* Microseconds since the epoch: the start of --now's UTC day, or the clock. */
static int now_us(int64_t *out, const char *now, plaint_error *err)
{
    struct timespec ts;

    if (now != NULL) {
        return plaint_retention_parse_date(out, now, err);
    }
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        return plaint_error_set(err, PLAINT_EIO, "cannot read the clock");
    }
    *out = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    return 0;
}

static int cmd_run(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint retention run";
    const plaint_config *cfg;
    plaint_retention_policy *policy = NULL;
    plaint_retention_summary sum;
    char sha[2 * PLAINT_HASH_LEN + 1];
    char day[PLAINT_RETENTION_DATE_LEN + 1];
    plaint_actor actor;
    plaint_error err;
    run_opts o;
    print_ctx pc;
    int64_t now = 0;
    int rc;
    int r = parse(cli, path, RUN_HELP, argc, argv, RUN_OPTS, &o);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    if (now_us(&now, o.now, &err) < 0) {
        return plaint_cli_usage(path, "%s", err.message);
    }
    pc.dry_run = o.dry_run;
    rc = plaint_cli_authorize(cli, "retention.run", &actor, &err);
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_retention_load(&policy, sha, cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_retention_run(&sum, cli->auth_db, &actor, policy, sha, now, o.dry_run,
                                      print_item, &pc, &err);
    }
    plaint_retention_policy_free(policy);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    if (plaint_retention_format_date(day, now, NULL) < 0) {
        snprintf(day, sizeof(day), "?");
    }
    printf("retention run at %s%s, policy %.*s: %zu subjects, %zu due, %zu erased, %zu failed, "
           "%zu held, %zu not yet due, %zu without start, %zu of unknown class\n",
           day, o.dry_run ? " (dry run: nothing changed)" : "", PLAINT_RETENTION_POLICY_ID_LEN, sha,
           sum.subjects, sum.due, sum.erased, sum.failed, sum.held, sum.not_yet, sum.no_start,
           sum.unknown_class);
    if (sum.failed > 0) {
        fprintf(stderr, "plaint: error: %zu of %zu due erasures failed\n", sum.failed, sum.due);
        return plaint_cli_exit_code(sum.first_error);
    }
    return PLAINT_EXIT_OK;
}

static int cmd_show(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint retention show";
    const plaint_config *cfg;
    plaint_retention_policy *policy = NULL;
    char sha[2 * PLAINT_HASH_LEN + 1];
    char period[PLAINT_RETENTION_PERIOD_TEXT_LEN];
    plaint_error err;
    run_opts o;
    size_t i;
    int rc;
    int r = parse(cli, path, SHOW_HELP, argc, argv, SHOW_OPTS, &o);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_config(cli, &cfg, &err);
    if (rc == 0) {
        rc = plaint_app_retention_load(&policy, sha, cfg, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("policy %s/retention.xml sha256 %s\n", cfg->policy_dir, sha);
    for (i = 0; i < plaint_retention_count_classes(policy); i++) {
        const plaint_retention_class *c = plaint_retention_get_class(policy, i);
        plaint_retention_describe_period(period, &c->period);
        printf("%-16s %-24s from %-8s %s\n", c->name, period, plaint_retention_from_name(c->from),
               c->basis);
    }
    plaint_retention_policy_free(policy);
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_retention[] = {
    {"run", "erase subjects whose retention period has ended", RUN_HELP, cmd_run, NULL},
    {"show", "print the retention policy", SHOW_HELP, cmd_show, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
