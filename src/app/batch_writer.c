/* The background appender (batch_writer.h): a thread, one job slot, a mutex and a condition. */
#include "app/batch_writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct plaint_batch_writer {
    plaint_db *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    plaint_batch_job job;
    int pending; /* a job is submitted and not yet written */
    int quit;
    int rc;      /* result of the last job */
    plaint_error err;
};

static void *run(void *arg)
{
    plaint_batch_writer *w = arg;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        plaint_batch_job job;
        plaint_error err;
        int rc;

        while (!w->pending && !w->quit) {
            pthread_cond_wait(&w->cv, &w->mu);
        }
        if (!w->pending) {
            break; /* quit with nothing left to write */
        }
        job = w->job;
        pthread_mutex_unlock(&w->mu);
        plaint_error_init(&err);
        rc = plaint_ledger_append_batch(NULL, w->db, job.reqs, job.n, &err);
        pthread_mutex_lock(&w->mu);
        w->rc = rc;
        w->err = err;
        w->pending = 0;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int plaint_batch_writer_start(plaint_batch_writer **out, plaint_db *db, plaint_error *err)
{
    plaint_batch_writer *w = calloc(1, sizeof(*w));

    *out = NULL;
    if (w == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    w->db = db;
    plaint_error_init(&w->err);
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
        free(w);
        return plaint_error_set(err, PLAINT_ERROR, "cannot create the writer's mutex");
    }
    if (pthread_cond_init(&w->cv, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        free(w);
        return plaint_error_set(err, PLAINT_ERROR, "cannot create the writer's condition");
    }
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return plaint_error_set(err, PLAINT_ERROR, "cannot start the writer thread");
    }
    *out = w;
    return 0;
}

void plaint_batch_writer_submit(plaint_batch_writer *w, const plaint_batch_job *job)
{
    pthread_mutex_lock(&w->mu);
    while (w->pending) { /* callers wait first; this only guards the slot */
        pthread_cond_wait(&w->cv, &w->mu);
    }
    w->job = *job;
    w->pending = 1;
    w->rc = 0;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int plaint_batch_writer_wait(plaint_batch_writer *w, plaint_error *err)
{
    int rc;

    pthread_mutex_lock(&w->mu);
    while (w->pending) {
        pthread_cond_wait(&w->cv, &w->mu);
    }
    rc = w->rc;
    if (rc != 0 && err != NULL) {
        *err = w->err;
    }
    w->rc = 0;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void plaint_batch_writer_stop(plaint_batch_writer *w)
{
    if (w == NULL) {
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
