/* plaint serve: the HTTP/JSON service (docs/api.md). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "plaint/app_api.h"
#include "plaint/app_serve_workers.h"

const char plaint_cmd_serve_help[] =
    "Usage: plaint serve [--listen ADDR:PORT] [--threads N] [--body-max BYTES]\n"
    "                    [--rate N] [--burst N] [--max-connections N] [--max-per-ip N]\n"
    "                    [--idle-timeout SECONDS] [--tls-cert FILE --tls-key FILE]\n\n"
    "Runs the HTTP/JSON API v1 (docs/api.md, docs/api.yaml) until SIGTERM or SIGINT, then stops\n"
    "accepting, lets requests in flight finish (up to 10 s) and exits 0. Each worker thread has\n"
    "its own plaint_app database connection. Prints \"listening on http://ADDR:PORT\" (https\n"
    "with --tls-cert) once ready.\n\n"
    "  --listen ADDR:PORT   IPv4 address and port (default 127.0.0.1:8080; port 0: any free)\n"
    "  --threads N          worker threads (default 4, 1-64)\n"
    "  --body-max BYTES     largest request body accepted (default 1048576; 413 above)\n"
    "  --rate N             requests per second per client address (default 50; 0: no limit;\n"
    "                       429 above)\n"
    "  --burst N            requests allowed at once before --rate applies (default 100)\n"
    "  --max-connections N  open connections in all (default 512, at least --threads); more\n"
    "                       wait in the listen queue\n"
    "  --max-per-ip N       open connections per client address (default 128; 0: no limit);\n"
    "                       more are closed at once. Behind a reverse proxy every connection\n"
    "                       comes from the proxy: keep this above its upstream connections\n"
    "  --idle-timeout SECONDS  a connection idle this long (e.g. one that never finishes its\n"
    "                       headers) is closed (default 15, 1-3600)\n"
    "  --tls-cert FILE      serve HTTPS (TLS 1.2+) with this PEM certificate (chain)...\n"
    "  --tls-key FILE       ...and this unencrypted PEM private key (both or neither;\n"
    "                       docs/deploy.md \"TLS\")\n"
    "\nBackground workers (docs/email.md, \"In the service\"), stopped with the server:\n"
    "  --outbox             run the outbox dispatcher (as `plaint outbox send --watch`;\n"
    "                       action outbox.send)\n"
    "  --outbox-token-file FILE  the dispatcher acts with the token on this file's first line\n"
    "                       (mode 600); default: --token, then $PLAINT_TOKEN\n"
    "  --outbox-interval S  seconds between dispatcher runs (default 30)\n"
    "  --smtp URL           SMTP server (default: $PLAINT_SMTP_URL)\n"
    "  --from ADDRESS       sender address (default: $PLAINT_SMTP_FROM)\n"
    "  --maildir DIR        import each message delivered to DIR/new (as `plaint import email`;\n"
    "                       action complaint.create), then move it to DIR/cur, or to\n"
    "                       DIR/.failed/new when it is not a usable message\n"
    "  --maildir-interval S seconds between scans of DIR/new (default 5)\n"
    "  --maildir-token-file FILE  the watcher's token, as --outbox-token-file\n";

static const plaint_cli_optspec OPTS[] = {{"listen", 1, 0}, {"threads", 1, 0}, {"body-max", 1, 0},
                                          {"rate", 1, 0},   {"burst", 1, 0},
                                          {"max-connections", 1, 0}, {"max-per-ip", 1, 0},
                                          {"idle-timeout", 1, 0},    {"tls-cert", 1, 0},
                                          {"tls-key", 1, 0},         {"outbox", 0, 0},
                                          {"outbox-interval", 1, 0}, {"smtp", 1, 0},
                                          {"from", 1, 0},            {"maildir", 1, 0},
                                          {"maildir-interval", 1, 0},
                                          {"outbox-token-file", 1, 0},
                                          {"maildir-token-file", 1, 0}, {NULL, 0, 0}};

/* The background workers' options into wo; -1 to go on, else an exit code. */
static int worker_opts(plaint_serve_workers_options *wo, const plaint_cli *cli,
                       const plaint_cli_args *a)
{
    const char *path = "plaint serve";
    const char *v;
    int r;

    memset(wo, 0, sizeof(*wo));
    wo->outbox = plaint_cli_flag(a, "outbox");
    wo->maildir = plaint_cli_opt(a, "maildir");
    if (((v = plaint_cli_opt(a, "outbox-interval")) != NULL &&
         (r = plaint_cli_int(&wo->outbox_interval, path, "--outbox-interval", v, 1, 86400)) >=
             0) ||
        ((v = plaint_cli_opt(a, "maildir-interval")) != NULL &&
         (r = plaint_cli_int(&wo->maildir_interval, path, "--maildir-interval", v, 1, 86400)) >=
             0)) {
        return r;
    }
    if (!wo->outbox && (plaint_cli_flag(a, "outbox-interval") || plaint_cli_flag(a, "smtp") ||
                        plaint_cli_flag(a, "from") || plaint_cli_flag(a, "outbox-token-file"))) {
        return plaint_cli_usage(path, "--outbox-interval, --outbox-token-file, --smtp and --from "
                                      "need --outbox");
    }
    if (wo->maildir == NULL &&
        (plaint_cli_flag(a, "maildir-interval") || plaint_cli_flag(a, "maildir-token-file"))) {
        return plaint_cli_usage(path, "--maildir-interval and --maildir-token-file need --maildir");
    }
    wo->send.smtp_url = plaint_cli_flag(a, "smtp") ? plaint_cli_opt(a, "smtp")
                                                   : getenv("PLAINT_SMTP_URL");
    wo->send.from = plaint_cli_flag(a, "from") ? plaint_cli_opt(a, "from")
                                               : getenv("PLAINT_SMTP_FROM");
    wo->outbox_token = cli->token != NULL ? cli->token : getenv("PLAINT_TOKEN");
    wo->maildir_token = wo->outbox_token;
    wo->outbox_token_file = plaint_cli_opt(a, "outbox-token-file");
    wo->maildir_token_file = plaint_cli_opt(a, "maildir-token-file");
    return -1;
}

int plaint_cmd_serve(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint serve";
    const char *listen = "127.0.0.1:8080";
    const plaint_config *cfg;
    plaint_api_options o;
    plaint_api_server *srv = NULL;
    plaint_cli_args a;
    plaint_error err;
    char addr[64];
    const char *colon;
    int64_t port = 0;
    int64_t threads = 4;
    int64_t body_max = 1048576;
    int64_t rate = 50;
    int64_t burst = 100;
    int64_t max_conn = 512;
    int64_t max_per_ip = 128;
    int64_t idle = 15;
    const char *tls_cert = NULL;
    const char *tls_key = NULL;
    sigset_t set;
    int sig = 0;
    int left;
    plaint_serve_workers_options wo;
    plaint_serve_workers *workers = NULL;
    int r = plaint_cli_args_parse(&a, cli, path, plaint_cmd_serve_help, argc, argv, OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    if (plaint_cli_opt(&a, "listen") != NULL) {
        listen = plaint_cli_opt(&a, "listen");
    }
    colon = strrchr(listen, ':');
    if (colon == NULL || (size_t)(colon - listen) >= sizeof(addr) || colon == listen) {
        return plaint_cli_usage(path, "--listen: '%s' is not ADDR:PORT", listen);
    }
    snprintf(addr, sizeof(addr), "%.*s", (int)(colon - listen), listen);
    if ((r = plaint_cli_int(&port, path, "--listen port", colon + 1, 0, 65535)) >= 0 ||
        (plaint_cli_opt(&a, "threads") != NULL &&
         (r = plaint_cli_int(&threads, path, "--threads", plaint_cli_opt(&a, "threads"), 1, 64)) >=
             0) ||
        (plaint_cli_opt(&a, "body-max") != NULL &&
         (r = plaint_cli_int(&body_max, path, "--body-max", plaint_cli_opt(&a, "body-max"), 1,
                             64 * 1048576)) >= 0) ||
        (plaint_cli_opt(&a, "rate") != NULL &&
         (r = plaint_cli_int(&rate, path, "--rate", plaint_cli_opt(&a, "rate"), 0, 1000000)) >=
             0) ||
        (plaint_cli_opt(&a, "burst") != NULL &&
         (r = plaint_cli_int(&burst, path, "--burst", plaint_cli_opt(&a, "burst"), 1, 1000000)) >=
             0) ||
        (plaint_cli_opt(&a, "max-connections") != NULL &&
         (r = plaint_cli_int(&max_conn, path, "--max-connections",
                             plaint_cli_opt(&a, "max-connections"), 1, 100000)) >= 0) ||
        (plaint_cli_opt(&a, "max-per-ip") != NULL &&
         (r = plaint_cli_int(&max_per_ip, path, "--max-per-ip", plaint_cli_opt(&a, "max-per-ip"),
                             0, 100000)) >= 0) ||
        (plaint_cli_opt(&a, "idle-timeout") != NULL &&
         (r = plaint_cli_int(&idle, path, "--idle-timeout", plaint_cli_opt(&a, "idle-timeout"), 1,
                             3600)) >= 0)) {
        return r;
    }
    if (max_conn < threads) {
        return plaint_cli_usage(path, "--max-connections %lld is below --threads %lld",
                                (long long)max_conn, (long long)threads);
    }
    tls_cert = plaint_cli_opt(&a, "tls-cert");
    tls_key = plaint_cli_opt(&a, "tls-key");
    if ((tls_cert == NULL) != (tls_key == NULL)) {
        return plaint_cli_usage(path, "--tls-cert and --tls-key go together");
    }
    if ((r = worker_opts(&wo, cli, &a)) >= 0) {
        return r;
    }
    plaint_error_init(&err);
    if (plaint_cli_config(cli, &cfg, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    /* The signals are taken by sigwait below, never delivered to the worker threads. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    memset(&o, 0, sizeof(o));
    o.addr = addr;
    o.port = (uint16_t)port;
    o.threads = (unsigned)threads;
    o.body_max = (size_t)body_max;
    o.rate_per_s = rate;
    o.rate_burst = burst;
    o.max_connections = (unsigned)max_conn;
    o.max_per_ip = (unsigned)max_per_ip;
    o.idle_timeout_s = (unsigned)idle;
    o.tls_cert = tls_cert;
    o.tls_key = tls_key;
    if (plaint_serve_workers_start(&workers, cfg, &wo, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    if (plaint_api_start(&srv, cfg, &o, &err) < 0) {
        plaint_serve_workers_stop(workers);
        return plaint_cli_fail(&err);
    }
    printf("listening on %s://%s:%u\n", tls_cert != NULL ? "https" : "http", addr,
           (unsigned)plaint_api_port(srv));
    fflush(stdout);
    while (sigwait(&set, &sig) != 0) {
    }
    fprintf(stderr, "plaint serve: %s: stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    plaint_serve_workers_signal(workers); /* they finish their message meanwhile */
    left = plaint_api_stop(srv, 10000);
    if (left > 0) {
        fprintf(stderr, "plaint serve: %d requests cut off at shutdown\n", left);
    }
    if (plaint_serve_workers_stop(workers) > 0) {
        fprintf(stderr, "plaint serve: a background worker had stopped on an error (above)\n");
    }
    return PLAINT_EXIT_OK;
}
