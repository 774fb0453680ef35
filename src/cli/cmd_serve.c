/* plaint serve: the HTTP/JSON service (docs/api.md). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "plaint/app_api.h"

const char plaint_cmd_serve_help[] =
    "Usage: plaint serve [--listen ADDR:PORT] [--threads N] [--body-max BYTES]\n"
    "                    [--rate N] [--burst N]\n\n"
    "Runs the HTTP/JSON API v1 (docs/api.md, docs/api.yaml) until SIGTERM or SIGINT, then stops\n"
    "accepting, lets requests in flight finish (up to 10 s) and exits 0. Each worker thread has\n"
    "its own plaint_app database connection. Prints \"listening on http://ADDR:PORT\" once "
    "ready.\n\n"
    "  --listen ADDR:PORT   IPv4 address and port (default 127.0.0.1:8080; port 0: any free)\n"
    "  --threads N          worker threads (default 4, 1-64)\n"
    "  --body-max BYTES     largest request body accepted (default 1048576; 413 above)\n"
    "  --rate N             requests per second per client address (default 50; 0: no limit;\n"
    "                       429 above)\n"
    "  --burst N            requests allowed at once before --rate applies (default 100)\n";

static const plaint_cli_optspec OPTS[] = {{"listen", 1, 0}, {"threads", 1, 0}, {"body-max", 1, 0},
                                          {"rate", 1, 0},   {"burst", 1, 0},   {NULL, 0, 0}};

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
    sigset_t set;
    int sig = 0;
    int left;
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
             0)) {
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
    if (plaint_api_start(&srv, cfg, &o, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    printf("listening on http://%s:%u\n", addr, (unsigned)plaint_api_port(srv));
    fflush(stdout);
    while (sigwait(&set, &sig) != 0) {
    }
    fprintf(stderr, "plaint serve: %s: stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    left = plaint_api_stop(srv, 10000);
    if (left > 0) {
        fprintf(stderr, "plaint serve: %d requests cut off at shutdown\n", left);
    }
    return PLAINT_EXIT_OK;
}
