/*
 * A background appender: one thread that writes prepared batches of events with
 * plaint_ledger_append_batch on its own connection, one batch at a time and in the order they
 * were submitted, while the caller prepares the next. Used by the bulk CSV import to overlap the
 * client's work (parsing, facts, planning, encoding) with the server's (append and projection).
 * Internal to src/app.
 */
#ifndef PLAINT_APP_BATCH_WRITER_H
#define PLAINT_APP_BATCH_WRITER_H

#include <stddef.h>

#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/ledger.h"

typedef struct plaint_batch_writer plaint_batch_writer;

/* A batch handed to the writer: reqs[0..n) and whatever their strings point into, owned by the
 * caller until plaint_batch_writer_wait says the batch is done. */
typedef struct plaint_batch_job {
    const plaint_append_req *reqs;
    size_t n;
} plaint_batch_job;

/* Starts the thread; db is used by the thread only, from now until _stop. */
int plaint_batch_writer_start(plaint_batch_writer **out, plaint_db *db, plaint_error *err);

/* Hands job to the thread. The previous job must have been waited for. */
void plaint_batch_writer_submit(plaint_batch_writer *w, const plaint_batch_job *job);

/* Waits until the submitted job (if any) is written; returns its result (0, or the error of
 * plaint_ledger_append_batch, copied into err). Afterwards the caller may use db again until
 * the next submit. */
int plaint_batch_writer_wait(plaint_batch_writer *w, plaint_error *err);

/* Waits for the current job, ends the thread and frees w. NULL is a no-op. */
void plaint_batch_writer_stop(plaint_batch_writer *w);

#endif
