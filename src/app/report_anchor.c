/* The report anchor: the ledger checkpoint a report is computed at (sealing first when events
 * wait for a position), the snapshot transaction that sees exactly that ledger, and a period's
 * SQL bounds. Shared by the XML returns and the PDF summaries. */
#include "plaint/app_report.h"

#include <openssl/crypto.h>
#include <string.h>

#include "plaint/app_ledger.h"
#include "plaint/ledger.h"
#include "plaint/report_store.h"

static int fill(plaint_report_anchor *out, const plaint_report_cp *cp, int sealed_now,
                plaint_error *err)
{
    memset(out, 0, sizeof(*out));
    out->seq = cp->seq;
    out->tree_size = cp->tree_size;
    memcpy(out->root, cp->root, PLAINT_HASH_LEN);
    plaint_hex_encode(out->root_hex, cp->root, PLAINT_HASH_LEN);
    out->time_us = cp->time_us;
    out->sealed_now = sealed_now;
    return plaint_time_format(out->time, cp->time_us, err);
}

int plaint_report_anchor_make(plaint_report_anchor *out, plaint_db *db, const plaint_config *cfg,
                              plaint_error *err)
{
    plaint_report_cp cp;
    plaint_seal_result res;
    int64_t positions = 0;
    int64_t pending = 0;
    int rc = plaint_pg_report_ledger_size(&positions, &pending, db, err);
    int have_cp;

    if (rc < 0) {
        return rc;
    }
    rc = plaint_pg_report_checkpoint(&cp, db, -1, err);
    if (rc < 0 && rc != PLAINT_ENOTFOUND) {
        return rc;
    }
    have_cp = rc == 0;
    if (have_cp && pending == 0 && cp.tree_size == positions) {
        return fill(out, &cp, 0, err);
    }
    /* events wait for a position, or positions lie beyond the last checkpoint: seal */
    rc = plaint_app_seal(&res, db, cfg, !have_cp, err);
    if (rc == PLAINT_EIO) {
        return have_cp ? plaint_error_set(err, PLAINT_EIO,
                                          "%lld event(s) are not covered by a checkpoint and "
                                          "there is no ledger signing key at %s to seal them: run "
                                          "'plaint ledger seal' where the key is, then run the "
                                          "report again",
                                          (long long)(pending + positions - cp.tree_size),
                                          cfg->signing_key)
                       : plaint_error_set(err, PLAINT_EIO,
                                          "the ledger has no checkpoint yet and there is no "
                                          "ledger signing key at %s to make one: run 'plaint "
                                          "ledger seal' where the key is, then run the report "
                                          "again",
                                          cfg->signing_key);
    }
    if (rc < 0) {
        return rc;
    }
    rc = plaint_pg_report_checkpoint(&cp, db, -1, err);
    if (rc < 0) {
        return rc;
    }
    return fill(out, &cp, res.sealed, err);
}

int plaint_report_anchor_snapshot(plaint_db *db, const plaint_report_anchor *a, plaint_error *err)
{
    int64_t positions = 0;
    int64_t pending = 0;
    int rc = plaint_pg_report_begin_snapshot(db, err);

    if (rc < 0) {
        return rc;
    }
    rc = plaint_pg_report_ledger_size(&positions, &pending, db, err);
    if (rc == 0 && (positions != a->tree_size || pending != 0)) {
        rc = plaint_error_set(err, PLAINT_ECONFLICT,
                              "the ledger grew after checkpoint %lld (%lld events, %lld "
                              "positioned + %lld pending)",
                              (long long)a->seq, (long long)a->tree_size, (long long)positions,
                              (long long)pending);
    }
    if (rc < 0) {
        plaint_db_finish(db, rc, NULL);
    }
    return rc;
}

int plaint_report_anchor_open(plaint_report_anchor *out, plaint_db *db, const plaint_config *cfg,
                              int attempts, plaint_error *err)
{
    int rc = PLAINT_ECONFLICT;
    int i;

    for (i = 0; i < attempts; i++) {
        rc = plaint_report_anchor_make(out, db, cfg, err);
        if (rc < 0) {
            return rc;
        }
        rc = plaint_report_anchor_snapshot(db, out, err);
        if (rc != PLAINT_ECONFLICT) {
            return rc;
        }
    }
    return plaint_error_set(err, PLAINT_ECONFLICT,
                            "the ledger kept growing while the report was anchored (%d attempts); "
                            "try again when writers are quieter",
                            attempts);
}

int plaint_report_anchor_find(plaint_report_anchor *out, plaint_db *db, int64_t tree_size,
                              const unsigned char *root, plaint_error *err)
{
    plaint_report_cp cp;
    int rc = plaint_pg_report_checkpoint(&cp, db, tree_size, err);

    if (rc < 0) {
        return rc;
    }
    rc = fill(out, &cp, 0, err);
    if (rc == 0 && root != NULL && CRYPTO_memcmp(cp.root, root, PLAINT_HASH_LEN) != 0) {
        char want[2 * PLAINT_HASH_LEN + 1];

        plaint_hex_encode(want, root, PLAINT_HASH_LEN);
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "checkpoint %lld (tree size %lld) has root %s, not %s",
                              (long long)cp.seq, (long long)tree_size, out->root_hex, want);
    }
    return rc;
}

int plaint_report_period_bounds(plaint_report_bounds *out, const plaint_period *p,
                                plaint_error *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if (p->to <= p->from) {
        return plaint_error_set(err, PLAINT_EINVALID, "empty period %s", p->label);
    }
    rc = plaint_time_format(out->from, p->from * 1000000, err);
    if (rc == 0) {
        rc = plaint_time_format(out->to, p->to * 1000000, err);
    }
    plaint_period_day_label(out->first_day, p->from);
    plaint_period_day_label(out->last_day, p->to - 1);
    return rc;
}
