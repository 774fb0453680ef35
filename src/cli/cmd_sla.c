/* plaint sla scan */
#include <stdio.h>
#include <time.h>

#include "cli/args.h"
#include "plaint/app_complaint.h"

static const char SCAN_HELP[] =
    "Usage: plaint sla scan [--now TIME] [--json]\n\n"
    "Finds open complaints whose first-response or final-response deadline (policies/sla.xml,\n"
    "business-day calendars) has passed and escalates them as policies/escalation.xml says,\n"
    "moving them to escalated where the workflow allows (action sla.scan). Each timer's breach\n"
    "escalates a complaint once: running the scan again adds nothing. --now sets the time the\n"
    "deadlines are compared with (default: now), for replaying a day.\n";

static const plaint_cli_optspec OPTS[] = {{"now", 1, 0}, {"json", 0, 0}, {NULL, 0, 0}};

static int cmd_scan(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint sla scan";
    const plaint_config *cfg;
    plaint_handling *h = NULL;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    int64_t now = 0;
    int64_t escalated = 0;
    int64_t breaches = 0;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, SCAN_HELP, argc, argv, OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    if (plaint_cli_opt(&a, "now") != NULL &&
        (r = plaint_cli_time_arg(&now, path, "--now", plaint_cli_opt(&a, "now"))) >= 0) {
        return r;
    }
    if (now == 0) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "sla.scan", &actor, &err);
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_handling_open(&h, cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_sla_scan(&escalated, &breaches, cli->auth_db, &actor, h, now, &err);
    }
    plaint_handling_free(h);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    if (plaint_cli_flag(&a, "json")) {
        printf("{\"breaches\": %lld, \"escalated\": %lld}\n", (long long)breaches,
               (long long)escalated);
    } else {
        printf("%lld breach%s found, %lld escalation%s written\n", (long long)breaches,
               breaches == 1 ? "" : "es", (long long)escalated, escalated == 1 ? "" : "s");
    }
    return PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_sla[] = {
    {"scan", "escalate complaints whose SLA deadlines have passed", SCAN_HELP, cmd_scan, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
