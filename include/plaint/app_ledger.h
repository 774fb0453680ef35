/* Ledger use cases: append with canonical payloads and automatic sealing, seal, key creation. */
#ifndef PLAINT_APP_LEDGER_H
#define PLAINT_APP_LEDGER_H

#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/ledger.h"

/* payload_json: any JSON object text (canonicalised here; floats, duplicate keys and invalid
 * UTF-8 are PLAINT_EINVALID naming the place). After the append, seals automatically when the
 * configured thresholds are reached and the signing key is present (*sealed set to 1 then). */
PLAINT_EXTERN int plaint_app_append(plaint_append_result *out, int *sealed, plaint_db *db,
                                    const plaint_config *cfg, const plaint_append_req *req,
                                    const char *payload_json, size_t payload_len,
                                    plaint_error *err);

/* Bulk append from a JSON Lines file (one event per line: {"case","type","payload"} and
 * optionally "actor", "role" (refused when fixed is set: they come from the authenticated user),
 * "idempotency_key"), batch events per transaction. Lines whose
 * idempotency key is recorded are skipped, so re-running a file appends nothing twice. Bad
 * lines are PLAINT_EINVALID naming file and line, and nothing of that batch is written.
 * *appended / *skipped count events. Seals at the end when due. */
PLAINT_EXTERN int plaint_app_import_events(int64_t *appended, int64_t *skipped, plaint_db *db,
                                           const plaint_config *cfg, const char *path,
                                           size_t batch, const char *default_actor,
                                           const char *default_role, int fixed,
                                           plaint_progress_fn progress, void *progress_arg,
                                           plaint_error *err);

/* Seals if the thresholds say so (and the key exists). *sealed: 1 if a checkpoint was written. */
PLAINT_EXTERN int plaint_app_maybe_seal(int *sealed, plaint_db *db, const plaint_config *cfg,
                                        plaint_error *err);

/* Loads the signing key and seals. */
PLAINT_EXTERN int plaint_app_seal(plaint_seal_result *out, plaint_db *db, const plaint_config *cfg,
                                  int force, plaint_error *err);

/* Creates the signing key (private 0600 at cfg->signing_key, public beside it as <key>.pub);
 * refuses to overwrite. key_id (65 bytes) receives its id. */
PLAINT_EXTERN int plaint_app_keys_init(char *key_id, const plaint_config *cfg, plaint_error *err);

/* Path of the public key file that goes with cfg->signing_key. */
PLAINT_EXTERN int plaint_app_pubkey_path(char *out, size_t n, const plaint_config *cfg,
                                         plaint_error *err);

#endif
