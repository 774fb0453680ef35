/* plaint insights: category spikes and public-channel complaints for a communication response */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "plaint/app_auth.h"
#include "plaint/app_complaint.h"
#include "plaint/insights.h"

const char plaint_cmd_insights_help[] =
    "Usage: plaint insights [--now TIME] [--window-days N] [--baseline N] [--min-count N]\n"
    "                       [--mad-tenths K] [--ratio-pct R] [--flag] [--json]\n\n"
    "Impact control (action report.read). Counts the complaints received per category in the\n"
    "current window (the N days before --now) and in the trailing windows of the same length,\n"
    "and flags a category as a spike when its count reaches all of: --min-count, the trailing\n"
    "windows' median plus K tenths of their median absolute deviation (at least 1), and R per\n"
    "cent of the median (docs/insights.md). Lists the open complaints of spiking categories in\n"
    "the current window and the open complaints from public channels (policies/severity.xml)\n"
    "that were not flagged yet. With --flag (also action complaint.note) records the event\n"
    "complaint.flagged on each of them, once per complaint and reason.\n\n"
    "  --now TIME         end of the current window (YYYY-MM-DD or UTC time; default now)\n"
    "  --window-days N    window length in days, 1 to 366 (default 7)\n"
    "  --baseline N       trailing windows to compare with, 1 to 366 (default 8)\n"
    "  --min-count N      fewest complaints that can be a spike (default 5)\n"
    "  --mad-tenths K     MADs above the median, in tenths, 1 to 1000 (default 30: 3.0)\n"
    "  --ratio-pct R      per cent of the median, 100 to 100000 (default 200)\n"
    "  --flag             record the flags on the ledger\n"
    "  --json             print the report as JSON\n";

static const plaint_cli_optspec OPTS[] = {
    {"now", 1, 0},       {"window-days", 1, 0}, {"baseline", 1, 0},
    {"min-count", 1, 0}, {"mad-tenths", 1, 0},  {"ratio-pct", 1, 0},
    {"flag", 0, 0},      {"json", 0, 0},        {NULL, 0, 0}};

/* Reads the integer option name into *out if given; -1 to go on, else the exit code. */
static int int_opt(int64_t *out, const plaint_cli_args *a, const char *path, const char *name,
                   const char *flag, int64_t min, int64_t max)
{
    const char *v = plaint_cli_opt(a, name);

    return v != NULL ? plaint_cli_int(out, path, flag, v, min, max) : -1;
}

static void print_text(const json_t *rep, int flag)
{
    static const char *const COLUMNS[] = {"ref",    "reason",      "category", "channel",
                                          "status", "received_at", NULL};
    const json_t *win = json_object_get(rep, "window");
    const json_t *cats = json_object_get(rep, "categories");
    const json_t *to_flag = json_object_get(rep, "to_flag");
    const json_t *pub = json_object_get(rep, "public_channels");
    const json_t *c;
    size_t i;
    size_t nspikes = json_array_size(json_object_get(rep, "spikes"));

    printf("window %s .. %s (%lld days; baseline %lld windows, %lld with history)\n",
           json_string_value(json_object_get(win, "from")),
           json_string_value(json_object_get(win, "to")),
           (long long)json_integer_value(json_object_get(win, "days")),
           (long long)json_integer_value(json_object_get(win, "baseline")),
           (long long)json_integer_value(json_object_get(win, "history")));
    printf("%zu spike%s in %zu categor%s\n", nspikes, nspikes == 1 ? "" : "s",
           json_array_size(cats), json_array_size(cats) == 1 ? "y" : "ies");
    json_array_foreach(cats, i, c) {
        if (json_is_true(json_object_get(c, "spike"))) {
            printf("  spike: %s: %lld this window, median %lld, MAD %lld, threshold %lld\n",
                   json_string_value(json_object_get(c, "category")),
                   (long long)json_integer_value(json_object_get(c, "current")),
                   (long long)json_integer_value(json_object_get(c, "median")),
                   (long long)json_integer_value(json_object_get(c, "mad")),
                   (long long)json_integer_value(json_object_get(c, "threshold")));
        }
    }
    printf("public channels:");
    json_array_foreach(pub, i, c) {
        printf(" %s", json_string_value(c));
    }
    printf("%s\n", json_array_size(pub) == 0 ? " (none with open complaints)" : "");
    if (json_array_size(to_flag) > 0) {
        printf("\nneeding a communication response, not flagged before:\n");
        plaint_cli_print_records(to_flag, 0, COLUMNS);
    }
    if (flag) {
        long long n = (long long)json_integer_value(json_object_get(rep, "flagged"));

        printf("%lld flag%s written\n", n, n == 1 ? "" : "s");
    } else if (json_array_size(to_flag) > 0) {
        printf("run with --flag to record them\n");
    }
}

int plaint_cmd_insights(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint insights";
    const plaint_config *cfg;
    plaint_handling *h = NULL;
    plaint_insights_options o;
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    json_t *rep = NULL;
    int64_t v;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, path, plaint_cmd_insights_help, argc, argv, OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    memset(&o, 0, sizeof(o));
    o.window_days = PLAINT_INSIGHTS_DEFAULT_WINDOW_DAYS;
    o.baseline = PLAINT_INSIGHTS_DEFAULT_BASELINE;
    plaint_insights_params_default(&o.params);
    o.flag = plaint_cli_flag(&a, "flag");
    if ((r = int_opt(&o.window_days, &a, path, "window-days", "--window-days", 1,
                     PLAINT_INSIGHTS_MAX_WINDOW_DAYS)) >= 0 ||
        (r = int_opt(&o.params.min_count, &a, path, "min-count", "--min-count", 1,
                     PLAINT_INSIGHTS_COUNT_MAX)) >= 0 ||
        (r = int_opt(&o.params.mad_tenths, &a, path, "mad-tenths", "--mad-tenths", 1,
                     PLAINT_INSIGHTS_MAD_TENTHS_MAX)) >= 0 ||
        (r = int_opt(&o.params.ratio_pct, &a, path, "ratio-pct", "--ratio-pct", 100,
                     PLAINT_INSIGHTS_RATIO_PCT_MAX)) >= 0) {
        return r;
    }
    v = (int64_t)o.baseline;
    if ((r = int_opt(&v, &a, path, "baseline", "--baseline", 1, PLAINT_INSIGHTS_MAX_WINDOWS)) >=
        0) {
        return r;
    }
    o.baseline = (size_t)v;
    if (plaint_cli_opt(&a, "now") != NULL &&
        (r = plaint_cli_time_arg(&o.now_us, path, "--now", plaint_cli_opt(&a, "now"))) >= 0) {
        return r;
    }
    if (plaint_cli_opt(&a, "now") == NULL) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        o.now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    }
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "report.read", &actor, &err);
    if (rc == 0 && o.flag) {
        /* the flags are notes on the complaints: written in the role that grants notes */
        rc = plaint_authz_require(cli->authz, cli->auth_db, &actor, "complaint.note", NULL, &err);
    }
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_handling_open(&h, cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_insights(&rep, cli->auth_db, &actor, h, &o, &err);
    }
    plaint_handling_free(h);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    if (plaint_cli_flag(&a, "json")) {
        plaint_cli_print_record(rep, 1);
    } else {
        print_text(rep, o.flag);
    }
    json_decref(rep);
    return PLAINT_EXIT_OK;
}
