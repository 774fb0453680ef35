/* The background workers of `plaint serve` (docs/email.md, "In the service"): the outbox
 * dispatcher (plaint_app_outbox_send on a timer, as `plaint outbox send --watch`) and a maildir
 * watcher (each message in DIR/new through plaint_app_import_email, as `plaint import email`,
 * then moved to DIR/cur, or to DIR/.failed/new when it is not a usable message). Each worker is
 * one thread with its own plaint_app connection, RBAC policy (and handling policies), and acts
 * as the user of the token it is given. */
#ifndef PLAINT_APP_SERVE_WORKERS_H
#define PLAINT_APP_SERVE_WORKERS_H

#include <stdint.h>

#include "plaint/app_outbox.h"
#include "plaint/config.h"
#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_SERVE_OUTBOX_INTERVAL  30 /* seconds between dispatcher runs */
#define PLAINT_SERVE_MAILDIR_INTERVAL 5  /* seconds between scans of DIR/new */

typedef struct plaint_serve_workers_options {
    /* Each worker acts as the user of its own token, so each holds only the rights it needs
     * (outbox.send is the admin's, complaint.create the intake roles'). A token is the first
     * line of its *_token_file if set (blanks around it removed; the file must not be readable
     * or writable by group or others), else *_token; NULL or "": the bootstrap operator (only
     * while no user exists). */
    const char *outbox_token;
    const char *outbox_token_file;
    const char *maildir_token;
    const char *maildir_token_file;
    int outbox;               /* run the dispatcher */
    int64_t outbox_interval;  /* seconds between runs; 0: PLAINT_SERVE_OUTBOX_INTERVAL */
    plaint_outbox_send_opts send; /* smtp_url, from, limits (stop is ignored: the workers
                                   * have their own) */
    const char *maildir;      /* NULL: no watcher */
    int64_t maildir_interval; /* seconds between scans; 0: PLAINT_SERVE_MAILDIR_INTERVAL */
} plaint_serve_workers_options;

typedef struct plaint_serve_workers plaint_serve_workers;

/* Checks the settings and starts the workers asked for (none: *out is a handle with no thread).
 * Before any thread starts: the token files are read (PLAINT_EIO; PLAINT_EINVALID, field
 * "outbox-token-file" / "maildir-token-file", when empty or open to group or others), the SMTP
 * URL and sender are checked (PLAINT_EINVALID, field "smtp" / "from"), the tokens are
 * authenticated and authorised for outbox.send (dispatcher) and complaint.create (watcher)
 * (PLAINT_EDENIED, logged in the security log), the maildir must have new/ (PLAINT_ENOTFOUND /
 * PLAINT_EINVALID) and cur/ and .failed/{new,cur,tmp} are created if missing (PLAINT_EIO). cfg
 * and o (and the strings they point to) must outlive the handle. Progress and errors of the
 * running workers go to stderr, one line each, prefixed "plaint serve: outbox: " or
 * "plaint serve: maildir: ". Caller frees with plaint_serve_workers_stop. */
PLAINT_EXTERN int plaint_serve_workers_start(plaint_serve_workers **out, const plaint_config *cfg,
                                             const plaint_serve_workers_options *o,
                                             plaint_error *err);

/* Asks the workers to stop and returns at once: no new message is started; the one in progress
 * (an SMTP delivery and its ledger record, an import and its move) is finished. NULL: no-op. */
PLAINT_EXTERN void plaint_serve_workers_signal(plaint_serve_workers *w);

/* Signals, waits for the threads to finish, closes their connections and frees w. Returns the
 * number of workers that had stopped early on an error they could not recover from (a denied
 * token, a maildir that went away); 0 normally. NULL: 0. */
PLAINT_EXTERN int plaint_serve_workers_stop(plaint_serve_workers *w);

#endif
