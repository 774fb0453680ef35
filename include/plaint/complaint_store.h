/* Reading the complaint projections (schemas/sql/0005_complaints.sql) as JSON. The projections
 * are written only by the database's projector from ledger events; nothing here writes. */
#ifndef PLAINT_COMPLAINT_STORE_H
#define PLAINT_COMPLAINT_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"

/* Runs sql with text parameters (NULL entries are SQL NULL); the query must return one row with
 * one json/jsonb column (or no row). *out: the parsed value (caller decrefs), or NULL when there
 * was no row or the value was SQL NULL. */
PLAINT_EXTERN int plaint_pg_query_json(json_t **out, plaint_db *db, const char *sql, int nparams,
                                       const char *const *params, plaint_error *err);

/* Runs sql with text parameters and returns the first column of the first row as a 64-bit
 * integer in *out (0 if there is no row or it is NULL). */
PLAINT_EXTERN int plaint_pg_query_int(int64_t *out, plaint_db *db, const char *sql, int nparams,
                                      const char *const *params, plaint_error *err);

/* Appends '{a,b,...}', the workflow states that count as open, as a PostgreSQL text[] literal
 * for "status = ANY($n::text[])". */
PLAINT_EXTERN int plaint_complaint_open_states(plaint_buf *out, plaint_error *err);

/* n fresh reference numbers "CMP-<years[i]>-<number, 6 digits or more>" into refs (each 32
 * bytes), numbers from one sequence. */
PLAINT_EXTERN int plaint_complaint_new_refs(char (*refs)[32], size_t n, plaint_db *db,
                                            const int *years, plaint_error *err);

/* Serialises work on one complaint (or customer) until the transaction ends: a transaction-level
 * advisory lock on the key. Call inside plaint_db_begin/finish. */
PLAINT_EXTERN int plaint_complaint_lock(plaint_db *db, const char *key, plaint_error *err);

/* The complaint as one JSON object (all columns of plaint.complaint plus "source_fields");
 * PLAINT_ENOTFOUND naming ref if there is none. */
PLAINT_EXTERN int plaint_complaint_get(json_t **out, plaint_db *db, const char *ref,
                                       plaint_error *err);

typedef struct plaint_complaint_filter {
    const char *status;    /* NULL: any */
    const char *owner;
    const char *category;
    const char *channel;
    const char *customer;
    int open_only;         /* 1: statuses that count as open */
    int64_t limit;         /* 0: all */
} plaint_complaint_filter;

/* Complaints matching f, newest first, as a JSON array of objects (summary columns). */
PLAINT_EXTERN int plaint_complaint_list(json_t **out, plaint_db *db,
                                        const plaint_complaint_filter *f, plaint_error *err);

/* Everything about one complaint: {"complaint", "tasks" (with items), "refunds", "history",
 * "notes", "resolutions", "escalations", "outbox", "source_fields"}. */
PLAINT_EXTERN int plaint_complaint_details(json_t **out, plaint_db *db, const char *ref,
                                           plaint_error *err);

typedef struct plaint_task_filter {
    const char *ref, *role, *assignee, *status, *kind; /* NULL: any */
    int64_t limit;                                      /* 0: all */
} plaint_task_filter;
PLAINT_EXTERN int plaint_task_list(json_t **out, plaint_db *db, const plaint_task_filter *f,
                                   plaint_error *err);

/* Outbox messages (status NULL: any; ref NULL: every complaint), oldest first. */
PLAINT_EXTERN int plaint_outbox_list(json_t **out, plaint_db *db, const char *status,
                                     const char *ref, int64_t limit, plaint_error *err);
PLAINT_EXTERN int plaint_outbox_get(json_t **out, plaint_db *db, const char *message_id,
                                    plaint_error *err);

#endif
