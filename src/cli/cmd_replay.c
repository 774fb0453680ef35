/* plaint ledger replay: rebuild the projections from the ledger. */
#include <stdio.h>

#include "cli/args.h"
#include "plaint/app_complaint.h"
#include "plaint/db.h"

const char plaint_cmd_replay_help[] =
    "Usage: plaint ledger replay [--check] [--json]\n\n"
    "Empties the projections (complaints, customers, orders, tasks, refunds, outbox, ...) and\n"
    "rebuilds them from the ledger events alone, in one transaction, then compares every table\n"
    "with what it held before (row count and a digest of the sorted rows). --check rolls the\n"
    "rebuild back: a read-only audit that the projections match the ledger.\n"
    "Action ledger.verify with --check, else ledger.append (it rewrites the projections).\n"
    "Exit 0: identical; 1: some table differed (listed); 5: database error.\n";

static const plaint_cli_optspec OPTS[] = {{"check", 0, 0}, {"json", 0, 0}, {NULL, 0, 0}};

int plaint_cmd_replay(plaint_cli *cli, int argc, char **argv)
{
    static const char *const COLS[] = {"table", "rows_before", "rows_after", "same", NULL};
    plaint_cli_args a;
    plaint_actor actor;
    plaint_error err;
    const plaint_config *cfg;
    plaint_db *admin = NULL;
    json_t *report = NULL;
    int64_t events = 0;
    int same = 0;
    int check;
    int rc;
    int r = plaint_cli_args_parse(&a, cli, "plaint ledger replay", plaint_cmd_replay_help, argc,
                                  argv, OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    check = plaint_cli_flag(&a, "check");
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, check ? "ledger.verify" : "ledger.append", &actor, &err);
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_db_open(&admin, cfg, PLAINT_DB_ADMIN, &err);
    }
    if (rc == 0) {
        rc = plaint_app_replay(&same, &events, &report, admin, check, &err);
    }
    plaint_db_close(admin);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    if (plaint_cli_flag(&a, "json")) {
        json_t *out = json_pack("{s:b, s:I, s:b, s:o}", "identical", same, "events",
                                (json_int_t)events, "rolled_back", check, "tables", report);

        plaint_cli_print_record(out, 1);
        json_decref(out);
    } else {
        plaint_cli_print_records(report, 0, COLS);
        json_decref(report);
        printf("%lld events replayed%s; projections %s\n", (long long)events,
               check ? " (rolled back)" : "", same ? "identical" : "DIFFER");
    }
    return same ? PLAINT_EXIT_OK : PLAINT_EXIT_VERIFY;
}
