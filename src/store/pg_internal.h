/* Shared by the PostgreSQL adapters only: the connection struct and error mapping. */
#ifndef PLAINT_PG_INTERNAL_H
#define PLAINT_PG_INTERNAL_H

#include <libpq-fe.h>

#include "plaint/db.h"

struct plaint_db {
    PGconn *conn;
    plaint_db_role role;
    int set_role; /* 1: the session switched to `role` with SET ROLE (external server) */
    int append_prepared; /* the append statements are prepared on this connection */
    int bulk_prepared;   /* the bulk append statements are prepared on this connection */
};

/* Opens a second connection with the same parameters and role as db (for parallel reads).
 * Caller frees with plaint_db_close. */
int plaint_db_clone(plaint_db **out, const plaint_db *db, plaint_error *err);

/* Fills err from a failed result or connection: SQLSTATE 40001/40P01 -> PLAINT_ECONFLICT,
 * 42501 -> PLAINT_EDENIED, class 22/23 -> PLAINT_EINVALID, else PLAINT_EDB. what names the
 * operation. res may be NULL. Returns the code. */
int plaint_pg_fail(plaint_error *err, PGconn *conn, const PGresult *res, const char *what);

/* Executes constant SQL expecting COMMAND_OK or TUPLES_OK. */
int plaint_pg_exec(PGconn *conn, const char *sql, const char *what, plaint_error *err);

/* Applies a code to a result: PGRES_COMMAND_OK/TUPLES_OK -> 0, else plaint_pg_fail. */
int plaint_pg_check(PGconn *conn, const PGresult *res, const char *what, plaint_error *err);

#endif
