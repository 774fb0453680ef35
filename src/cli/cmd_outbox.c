/* plaint outbox list|show|send: the transactional outbox of customer notifications, and its
 * SMTP dispatcher. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "plaint/app_auth.h"
#include "plaint/app_outbox.h"
#include "plaint/complaint_store.h"

static const char LIST_HELP[] =
    "Usage: plaint outbox list [--status queued|sent|failed] [--complaint REF] [--json]\n"
    "                          [--limit N]\n\n"
    "Lists notifications waiting in (or delivered from) the outbox, oldest first (action\n"
    "complaint.read). A message is queued in the transaction of the event that causes it and\n"
    "its delivery is another ledger event, so none is lost or sent twice.\n";

static const plaint_cli_optspec LIST_OPTS[] = {
    {"status", 1, 0}, {"complaint", 1, 0}, {"json", 0, 0}, {"limit", 1, 0}, {NULL, 0, 0}};

static int cmd_list(plaint_cli *cli, int argc, char **argv)
{
    static const char *const COLS[] = {"message_id", "kind", "recipient", "status", "attempts",
                                       "queued_at", NULL};
    const char *path = "plaint outbox list";
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    json_t *list = NULL;
    int64_t limit = 0;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, LIST_HELP, argc, argv, LIST_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    if (plaint_cli_opt(&a, "limit") != NULL &&
        (r = plaint_cli_int(&limit, path, "--limit", plaint_cli_opt(&a, "limit"), 0,
                            INT64_MAX)) >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "complaint.read", &actor, &err);
    if (rc == 0) {
        rc = plaint_outbox_list(&list, cli->auth_db, plaint_cli_opt(&a, "status"),
                                plaint_cli_opt(&a, "complaint"), limit, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    plaint_cli_print_records(list, plaint_cli_flag(&a, "json"), COLS);
    json_decref(list);
    return PLAINT_EXIT_OK;
}

static const char SHOW_HELP[] = "Usage: plaint outbox show MESSAGE [--json]\n\n"
                                "Shows one outbox message with its text (action complaint.read).\n";

static const plaint_cli_optspec JSON_OPT[] = {{"json", 0, 0}, {NULL, 0, 0}};

static int cmd_show(plaint_cli *cli, int argc, char **argv)
{
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    json_t *m = NULL;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint outbox show", SHOW_HELP, argc, argv, JSON_OPT,
                                  1, 1);

    if (r >= 0) {
        return r;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "complaint.read", &actor, &err);
    if (rc == 0) {
        rc = plaint_outbox_get(&m, cli->auth_db, a.operands[0], &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    plaint_cli_print_record(m, plaint_cli_flag(&a, "json"));
    json_decref(m);
    return PLAINT_EXIT_OK;
}


static const char SEND_HELP[] =
    "Usage: plaint outbox send [--smtp URL] [--from ADDRESS] [--once | --watch [--interval S]]\n"
    "                          [--limit N] [--max-attempts N] [--backoff S] [--backoff-max S]\n"
    "                          [--timeout S]\n\n"
    "Delivers the queued customer notifications by SMTP, oldest first, and records each attempt\n"
    "on the complaint's ledger (notification.sent / notification.failed; action outbox.send).\n"
    "Each message is claimed with a database advisory lock, so dispatchers running at the same\n"
    "time never send the same message; the recipient's address is read from the vault. A failed\n"
    "message is retried after backoff * 2^(attempts-1) seconds (at most --backoff-max) and stays\n"
    "failed after --max-attempts attempts; a message with no usable address or refused by the\n"
    "server (5xx) fails for good at once. Every message carries Message-ID\n"
    "<plaint.<message id>@<sender domain>>, the same on a re-send. See docs/email.md.\n\n"
    "  --smtp URL         smtp://host[:port] or smtps://host[:port] (default: $PLAINT_SMTP_URL)\n"
    "  --from ADDRESS     sender address (default: $PLAINT_SMTP_FROM)\n"
    "  --once             one run over the due messages, then exit (the default)\n"
    "  --watch            keep running: a run every --interval seconds (default 30) until\n"
    "                     SIGINT or SIGTERM\n"
    "  --limit N          at most N messages per run (default 100)\n"
    "  --max-attempts N   attempts before a message stays failed (default 12)\n"
    "  --backoff S        seconds before the first retry (default 60)\n"
    "  --backoff-max S    longest wait between retries (default 3600)\n"
    "  --timeout S        SMTP transfer timeout per message (default 60; connecting: 10)\n\n"
    "Prints one line per message (sent, failed with the reason, or skipped when another\n"
    "dispatcher holds it) and the totals. Exit status: 0 when the run completed, failed\n"
    "deliveries included (they are recorded and retried); 5 when messages were attempted and\n"
    "the SMTP server could not be reached for any of them (recorded as failures too), or on a\n"
    "database or vault error; 3 for a bad --from or --smtp value; 4 without outbox.send.\n";

static const plaint_cli_optspec SEND_OPTS[] = {
    {"smtp", 1, 0},         {"from", 1, 0},    {"once", 0, 0},        {"watch", 0, 0},
    {"interval", 1, 0},     {"limit", 1, 0},   {"max-attempts", 1, 0}, {"backoff", 1, 0},
    {"backoff-max", 1, 0},  {"timeout", 1, 0}, {NULL, 0, 0}};

static atomic_int send_stop; /* lock-free: safe to set in the signal handler */

static void on_stop_signal(int sig)
{
    (void)sig;
    send_stop = 1;
}

static void print_outcome(const plaint_outbox_outcome *o, void *arg)
{
    (void)arg;
    if (strcmp(o->result, "sent") == 0) {
        printf("sent     %s (%s, attempt %lld)\n", o->message, o->kind, (long long)o->attempt);
    } else if (strcmp(o->result, "failed") == 0) {
        if (o->final) {
            printf("failed   %s (%s, attempt %lld, final): %s\n", o->message, o->kind,
                   (long long)o->attempt, o->error);
        } else {
            printf("failed   %s (%s, attempt %lld, retry in %llds): %s\n", o->message, o->kind,
                   (long long)o->attempt, (long long)o->retry_in, o->error);
        }
    } else {
        printf("skipped  %s (%s): claimed by another dispatcher or changed meanwhile\n",
               o->message, o->kind);
    }
    fflush(stdout);
}

/* Parses the integer option name into *out if given; returns -1 to go on, else an exit code. */
static int int_opt(int64_t *out, const plaint_cli_args *a, const char *name, int64_t min,
                   int64_t max)
{
    char flag[32];
    const char *v = plaint_cli_opt(a, name);

    if (v == NULL) {
        return -1;
    }
    snprintf(flag, sizeof(flag), "--%s", name);
    return plaint_cli_int(out, "plaint outbox send", flag, v, min, max);
}

static int cmd_send(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint outbox send";
    plaint_outbox_send_opts o;
    plaint_outbox_totals t;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    const plaint_config *cfg = NULL;
    int64_t interval = 30;
    int64_t timeout = 0;
    size_t full;
    int watch;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, SEND_HELP, argc, argv, SEND_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    memset(&o, 0, sizeof(o));
    if ((r = int_opt(&o.limit, &a, "limit", 1, 100000)) >= 0 ||
        (r = int_opt(&o.max_attempts, &a, "max-attempts", 1, 1000)) >= 0 ||
        (r = int_opt(&o.backoff, &a, "backoff", 1, 86400 * 30)) >= 0 ||
        (r = int_opt(&o.backoff_max, &a, "backoff-max", 1, 86400 * 365)) >= 0 ||
        (r = int_opt(&timeout, &a, "timeout", 1, 3600)) >= 0 ||
        (r = int_opt(&interval, &a, "interval", 1, 86400)) >= 0) {
        return r;
    }
    watch = plaint_cli_flag(&a, "watch");
    if (watch && plaint_cli_flag(&a, "once")) {
        return plaint_cli_usage(path, "--once and --watch exclude each other");
    }
    if (!watch && plaint_cli_opt(&a, "interval") != NULL) {
        return plaint_cli_usage(path, "--interval needs --watch");
    }
    o.timeout = (long)timeout;
    o.smtp_url = plaint_cli_opt(&a, "smtp") != NULL ? plaint_cli_opt(&a, "smtp")
                                                     : getenv("PLAINT_SMTP_URL");
    o.from = plaint_cli_opt(&a, "from") != NULL ? plaint_cli_opt(&a, "from")
                                                 : getenv("PLAINT_SMTP_FROM");
    o.stop = &send_stop;
    full = (size_t)(o.limit > 0 ? o.limit : PLAINT_OUTBOX_DEFAULT_LIMIT);
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "outbox.send", &actor, &err);
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    if (watch) {
        struct sigaction sa;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
    for (;;) {
        rc = plaint_app_outbox_send(&t, cli->auth_db, &actor, cfg, &o, print_outcome, NULL, &err);
        if (rc < 0) {
            return plaint_cli_fail(&err);
        }
        printf("outbox: %zu sent, %zu failed, %zu skipped\n", t.sent, t.failed, t.skipped);
        fflush(stdout);
        if (!watch) {
            break;
        }
        /* a full run may leave more due messages: go on at once */
        if (t.sent + t.failed + t.skipped < full || t.skipped > 0) {
            int64_t s;

            for (s = 0; s < interval && !send_stop; s++) {
                struct timespec ts = {1, 0};

                nanosleep(&ts, NULL);
            }
        }
        if (send_stop) {
            break;
        }
    }
    if (!watch && t.failed > 0 && t.unreachable == t.failed && t.sent == 0) {
        fprintf(stderr, "plaint: error: the SMTP server could not be reached (failures recorded; "
                        "they are retried after the back-off)\n");
        return PLAINT_EXIT_ENV;
    }
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_outbox[] = {
    {"list", "list outbox messages", LIST_HELP, cmd_list, NULL},
    {"show", "show one outbox message", SHOW_HELP, cmd_show, NULL},
    {"send", "deliver queued messages by SMTP and record them", SEND_HELP, cmd_send, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
