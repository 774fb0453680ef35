/* Ledger use cases: canonical payloads, appends with automatic sealing, sealing, key creation. */
#include "plaint/app_ledger.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plaint/file.h"
#include "plaint/jcs.h"

int plaint_app_pubkey_path(char *out, size_t n, const plaint_config *cfg, plaint_error *err)
{
    int k = snprintf(out, n, "%s.pub", cfg->signing_key);

    if (k < 0 || (size_t)k >= n) {
        return plaint_error_set(err, PLAINT_EIO, "signing key path too long");
    }
    return 0;
}

int plaint_app_seal(plaint_seal_result *out, plaint_db *db, const plaint_config *cfg, int force,
                    plaint_error *err)
{
    plaint_signkey *key = NULL;
    int rc = plaint_signkey_load_private(&key, cfg->signing_key, err);

    if (rc == PLAINT_ENOTFOUND || (rc < 0 && access(cfg->signing_key, F_OK) != 0)) {
        return plaint_error_set(err, PLAINT_EIO,
                                "no signing key at %s: create one with 'plaint keys init'",
                                cfg->signing_key);
    }
    if (rc == 0) {
        rc = plaint_ledger_seal(out, db, key, force, err);
    }
    plaint_signkey_free(key);
    return rc;
}

int plaint_app_maybe_seal(int *sealed, plaint_db *db, const plaint_config *cfg, plaint_error *err)
{
    plaint_ledger_stats st;
    plaint_seal_result res;
    int due;
    int rc;

    *sealed = 0;
    if (cfg->seal_every_events == 0 && cfg->seal_every_seconds == 0) {
        return 0;
    }
    if (access(cfg->signing_key, R_OK) != 0) {
        return 0; /* no key on this machine: another process seals */
    }
    rc = plaint_ledger_stats_get(&st, db, err);
    if (rc < 0) {
        return rc;
    }
    due = (cfg->seal_every_events > 0 && st.pending >= cfg->seal_every_events) ||
          (cfg->seal_every_seconds > 0 && st.pending > 0 &&
           (st.seconds_since_seal < 0 || st.seconds_since_seal >= cfg->seal_every_seconds));
    if (!due) {
        return 0;
    }
    rc = plaint_app_seal(&res, db, cfg, 0, err);
    if (rc == 0) {
        *sealed = res.sealed;
    }
    return rc;
}

int plaint_app_append(plaint_append_result *out, int *sealed, plaint_db *db,
                      const plaint_config *cfg, const plaint_append_req *req,
                      const char *payload_json, size_t payload_len, plaint_error *err)
{
    plaint_buf canon = PLAINT_BUF_INIT;
    plaint_append_req r = *req;
    int rc;

    *sealed = 0;
    rc = plaint_jcs_canonicalize(&canon, payload_json, payload_len, err);
    if (rc == 0 && (canon.len == 0 || canon.data[0] != '{')) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "payload", 0, 0,
                                 "the payload must be a JSON object");
    }
    if (rc == 0) {
        r.payload = canon.data;
        r.payload_len = canon.len;
        rc = plaint_ledger_append(out, db, &r, err);
    }
    if (rc == 0 && !out->replayed) {
        plaint_error sub;
        plaint_error_init(&sub);
        /* The append is committed; a failed automatic seal must not turn it into a failure. */
        if (plaint_app_maybe_seal(sealed, db, cfg, &sub) < 0) {
            *sealed = -1;
        }
    }
    plaint_buf_clear(&canon);
    return rc;
}

int plaint_app_keys_init(char *key_id, const plaint_config *cfg, plaint_error *err)
{
    plaint_signkey *key = NULL;
    char pub[PLAINT_CONFIG_PATH_MAX + 8];
    int rc;

    rc = plaint_app_pubkey_path(pub, sizeof(pub), cfg, err);
    if (rc == 0 && access(cfg->signing_key, F_OK) == 0) {
        rc = plaint_error_set(err, PLAINT_EIO,
                              "a signing key already exists at %s; it is never overwritten",
                              cfg->signing_key);
    }
    if (rc == 0) {
        rc = plaint_file_make_dir_of(cfg->signing_key, err);
    }
    if (rc == 0) {
        rc = plaint_signkey_generate(&key, err);
    }
    if (rc == 0) {
        rc = plaint_signkey_write_private(key, cfg->signing_key, err);
    }
    if (rc == 0) {
        unlink(pub); /* a stale public half of a removed key */
        rc = plaint_signkey_write_public(key, pub, err);
    }
    if (rc == 0) {
        rc = plaint_signkey_id(key_id, key, err);
    }
    plaint_signkey_free(key);
    return rc;
}
