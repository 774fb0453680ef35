/* The outbox dispatcher: delivers queued customer notifications (plaint.outbox) by SMTP and
 * records each attempt on the complaint's ledger ("notification.sent" / "notification.failed").
 * Design, settings and the at-least-once window: docs/email.md. */
#ifndef PLAINT_APP_OUTBOX_H
#define PLAINT_APP_OUTBOX_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "plaint/app_auth.h"
#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_OUTBOX_DEFAULT_LIMIT        100
#define PLAINT_OUTBOX_DEFAULT_MAX_ATTEMPTS 12
#define PLAINT_OUTBOX_DEFAULT_BACKOFF      60 /* seconds before the first retry */
#define PLAINT_OUTBOX_DEFAULT_BACKOFF_MAX  3600

typedef struct plaint_outbox_send_opts {
    const char *smtp_url;        /* smtp://host[:port] or smtps://... (required) */
    const char *from;            /* sender address (required) */
    int64_t limit;               /* messages per run; 0: PLAINT_OUTBOX_DEFAULT_LIMIT */
    int64_t max_attempts;        /* attempts after which a message stays failed; 0: default */
    int64_t backoff;             /* base seconds: retry n waits backoff * 2^(n-1); 0: default */
    int64_t backoff_max;         /* cap of the wait in seconds; 0: default */
    long timeout;                /* SMTP transfer timeout in seconds; 0: 60 */
    atomic_int *stop; /* optional: when it becomes non-zero, no new message starts (set from a
                         signal handler or another thread) */
} plaint_outbox_send_opts;

/* What happened to one message in a run; pointers borrowed for the callback only. */
typedef struct plaint_outbox_outcome {
    const char *message; /* outbox id, "<ref>/M<n>" */
    const char *kind;    /* acknowledgement, resolution, ... */
    const char *result;  /* "sent", "failed" or "skipped" (another dispatcher holds it, or it
                          * changed since it was listed) */
    int64_t attempt;     /* the attempt number recorded (0 for skipped) */
    int final;           /* failed for good: no retry (permanent error or last attempt) */
    int64_t retry_in;    /* failed, not final: seconds until the next attempt is due */
    const char *error;   /* failed: the reason recorded on the ledger; else "" */
} plaint_outbox_outcome;

typedef void (*plaint_outbox_report_fn)(const plaint_outbox_outcome *o, void *arg);

typedef struct plaint_outbox_totals {
    size_t sent;
    size_t failed;
    size_t unreachable; /* of failed: no SMTP session could be opened */
    size_t skipped;
} plaint_outbox_totals;

/* One dispatcher run: lists the due messages (status queued, fewer than max_attempts attempts,
 * last failure not final, back-off elapsed; oldest first, at most limit), and for each: takes a
 * session advisory lock on the message (skipping it if another dispatcher holds it), re-reads it,
 * looks the recipient's address up in the vault, sends it, and appends "notification.sent" or
 * "notification.failed" {message, attempt, error, final} in a transaction with the complaint
 * locked, before releasing the message. report (may be NULL) is called per message. *totals is
 * filled also on error. db: a plaint_app connection outside a transaction; actor authorised for
 * outbox.send by the caller; cfg for the vault's master keys. Returns 0 when the run completed
 * (failed deliveries are recorded, not errors); PLAINT_EINVALID for bad options (field named);
 * database, vault key or recording errors as they come (the run stops there). */
/* The SMTP server and sender of o: an smtp:// or smtps:// URL and a valid sender address;
 * PLAINT_EINVALID naming smtp or from otherwise. plaint_app_outbox_send checks this first. */
PLAINT_EXTERN int plaint_app_outbox_check_server(const plaint_outbox_send_opts *o,
                                                 plaint_error *err);

PLAINT_EXTERN int plaint_app_outbox_send(plaint_outbox_totals *totals, plaint_db *db,
                                         const plaint_actor *actor, const plaint_config *cfg,
                                         const plaint_outbox_send_opts *opts,
                                         plaint_outbox_report_fn report, void *arg,
                                         plaint_error *err);

#endif
