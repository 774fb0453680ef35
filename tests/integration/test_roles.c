/* Database roles: the database itself refuses changes to history, for the app and the owner. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static plaint_test_env env;

static int setup(void **state)
{
    (void)state;
    return plaint_test_env_start(&env) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    plaint_test_env_stop(&env);
    return 0;
}

/* Seeds one ledger_event row as the superuser so there is history to attack. */
static void seed(PGconn *su)
{
    PGresult *r = PQexec(su,
                         "INSERT INTO plaint.ledger_event (case_id, case_seq, event_type, actor, "
                         "actor_role, occurred_at, payload, prev_hash, hash) VALUES ('C-1', 1, "
                         "'t', 'a', 'r', now(), '{}', decode(repeat('00', 32), 'hex'), "
                         "decode(repeat('11', 32), 'hex')) ON CONFLICT DO NOTHING");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
}

static void expect_refused(PGconn *c, const char *sql, const char *sqlstate)
{
    PGresult *r = PQexec(c, sql);
    const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);

    if (PQresultStatus(r) != PGRES_FATAL_ERROR) {
        fail_msg("'%s' was not refused (status %s)", sql, PQresStatus(PQresultStatus(r)));
    }
    assert_non_null(st);
    assert_string_equal(st, sqlstate);
    PQclear(r);
}

static long count_events(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT count(*) FROM plaint.ledger_event");
    long n;

    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

static void test_app_cannot_change_history(void **state)
{
    PGconn *su = plaint_test_connect(&env, NULL);
    PGconn *app = plaint_test_connect(&env, "plaint_app");
    (void)state;

    assert_non_null(su);
    assert_non_null(app);
    seed(su);
    /* 42501 = insufficient_privilege: the database refuses, no C code involved. */
    expect_refused(app, "UPDATE plaint.ledger_event SET actor = 'x'", "42501");
    expect_refused(app, "DELETE FROM plaint.ledger_event", "42501");
    expect_refused(app, "TRUNCATE plaint.ledger_event", "42501");
    expect_refused(app, "UPDATE plaint.ledger_checkpoint SET tree_size = 0", "42501");
    expect_refused(app, "DELETE FROM plaint.ledger_position", "42501");
    expect_refused(app, "TRUNCATE plaint.ledger_key", "42501");
    assert_int_equal(count_events(su), 1);
    PQfinish(app);
    PQfinish(su);
}

static void test_owner_refused_by_triggers(void **state)
{
    PGconn *su = plaint_test_connect(&env, NULL);
    PGresult *r;
    (void)state;

    assert_non_null(su);
    seed(su);
    /* As the owning role, privileges allow it: the append-only triggers refuse. */
    r = PQexec(su, "SET ROLE plaint_owner");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    expect_refused(su, "UPDATE plaint.ledger_event SET actor = 'x'", "42501");
    expect_refused(su, "DELETE FROM plaint.ledger_event", "42501");
    expect_refused(su, "TRUNCATE plaint.ledger_event CASCADE", "42501");
    expect_refused(su, "TRUNCATE plaint.ledger_checkpoint", "42501");
    r = PQexec(su, "RESET ROLE");
    PQclear(r);
    assert_int_equal(count_events(su), 1);
    PQfinish(su);
}

static void test_auditor_is_read_only(void **state)
{
    PGconn *aud = plaint_test_connect(&env, "plaint_auditor");
    PGresult *r;
    (void)state;

    assert_non_null(aud);
    r = PQexec(aud, "SELECT count(*) FROM plaint.ledger_event");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    expect_refused(aud,
                   "INSERT INTO plaint.ledger_pending (event_id) VALUES (1)", "42501");
    expect_refused(aud, "UPDATE plaint.ledger_case_head SET last_seq = 0", "42501");
    PQfinish(aud);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app_cannot_change_history),
        cmocka_unit_test(test_owner_refused_by_triggers),
        cmocka_unit_test(test_auditor_is_read_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
