/* The PDF reports as a use case: anchor the report at a ledger checkpoint (sealing when events
 * wait), read its data in the snapshot that holds exactly that ledger, add what is decided per
 * reader (personal data of the case report) or checked live (the audit report's verification),
 * render, sign (PAdES B-B) and write the file atomically (a temporary file beside it, renamed
 * into place; nothing is left behind on failure). */
#include "plaint/app_report_pdf.h"
#include "plaint/file.h"
#include "plaint/civil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "app/complaint_internal.h"
#include "plaint/app_ledger.h"
#include "plaint/app_report.h"
#include "plaint/app_vault.h"
#include "plaint/ledger.h"
#include "plaint/report_pdf_store.h"
#include "plaint/sign.h"
#include "plaint/vault.h"
#include "plaint/vault_store.h"
#include "plaint/verifier.h"
#include "report/pades.h"

#define SERIES_MONTHS 12

/* The SERIES_MONTHS month labels ending with the month of instant t, and the first second of
 * the first of them. */
static int series_months(json_t **months, int64_t *from, int64_t t, plaint_error *err)
{
    struct tm tm;
    time_t tt = (time_t)t;
    int64_t y;
    int64_t m;
    int i;

    *months = NULL;
    if (gmtime_r(&tt, &tm) == NULL) {
        return plaint_error_set(err, PLAINT_ERANGE, "period out of range");
    }
    y = tm.tm_year + 1900;
    m = tm.tm_mon + 1 - (SERIES_MONTHS - 1);
    while (m < 1) {
        m += 12;
        y--;
    }
    *from = plaint_days_from_civil(y, (int)m, 1) * 86400;
    *months = json_array();
    for (i = 0; *months != NULL && i < SERIES_MONTHS; i++) {
        char label[48];

        snprintf(label, sizeof(label), "%04lld-%02lld", (long long)y, (long long)m);
        if (json_array_append_new(*months, json_string(label)) != 0) {
            json_decref(*months);
            *months = NULL;
        }
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    return *months != NULL ? 0 : plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
}

static int need_file(const char *path, const char *what, const char *hint, plaint_error *err)
{
    if (path == NULL || path[0] == '\0' || access(path, R_OK) != 0) {
        return plaint_error_set(err, PLAINT_EIO, "no %s at %s%s%s", what,
                                path != NULL ? path : "(not configured)", hint[0] ? ": " : "",
                                hint);
    }
    return 0;
}

static int check_request(const plaint_config *cfg, const plaint_report_pdf_request *req,
                         plaint_error *err)
{
    int rc;

    if (req == NULL || req->out_path == NULL || req->out_path[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "out", 0, 0, "no output file given");
    }
    if (req->kind == PLAINT_REPORT_PDF_CASE) {
        if (req->ref == NULL || req->ref[0] == '\0') {
            return plaint_error_set_at(err, PLAINT_EINVALID, "ref", 0, 0, "no complaint named");
        }
    } else if (req->kind > PLAINT_REPORT_PDF_CASE) {
        return plaint_error_set(err, PLAINT_EINVALID, "unknown report kind");
    } else if (req->period.from >= req->period.to) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "period", 0, 0, "empty period %s",
                                   req->period.label);
    }
    rc = need_file(cfg->report_font, "report font (report.font)", "", err);
    if (rc == 0) {
        rc = need_file(cfg->report_key, "report signing key",
                       "create it and its certificate with 'plaint keys cert'", err);
    }
    if (rc == 0) {
        rc = need_file(cfg->report_cert, "report signing certificate",
                       "create it with 'plaint keys cert'", err);
    }
    return rc;
}

/* The live verification of the whole ledger for the audit report, as `plaint verify` does it
 * (auditor connection, trusted public key), as JSON for the renderer. A failed verification is a
 * finding of the report, not an error. */
static int verify_ledger(json_t **out, const plaint_config *cfg, const char *pubkey,
                         plaint_error *err)
{
    char pub[PLAINT_CONFIG_PATH_MAX + 8];
    plaint_signkey *key = NULL;
    plaint_verifier *v = NULL;
    plaint_db *adb = NULL;
    plaint_verify_report r;
    int rc = 0;

    *out = NULL;
    memset(&r, 0, sizeof(r));
    if (pubkey == NULL) {
        rc = plaint_app_pubkey_path(pub, sizeof(pub), cfg, err);
        pubkey = pub;
    }
    if (rc == 0) {
        rc = need_file(pubkey, "trusted ledger public key",
                       "give the key auditors trust (--pubkey)", err);
    }
    if (rc == 0) {
        rc = plaint_signkey_load_public(&key, pubkey, err);
    }
    if (rc == 0) {
        rc = plaint_verifier_new(&v, key, err);
    }
    if (rc == 0) {
        rc = plaint_db_open(&adb, cfg, PLAINT_DB_AUDITOR, err);
    }
    if (rc == 0) {
        plaint_error sub;

        plaint_error_init(&sub);
        rc = plaint_ledger_verify_db(adb, v, &r, NULL, NULL, &sub);
        if (rc == PLAINT_ETAMPER) {
            rc = 0; /* r names the first bad record */
            r.ok = 0;
            if (r.reason[0] == '\0') {
                snprintf(r.reason, sizeof(r.reason), "%s", sub.message);
            }
        } else if (rc < 0 && err != NULL) {
            *err = sub;
        }
    }
    if (rc == 0) {
        *out = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:s}", "ok", r.ok, "events",
                         (json_int_t)r.events, "cases", (json_int_t)r.cases, "checkpoints",
                         (json_int_t)r.checkpoints, "sealed", (json_int_t)r.sealed, "unsealed",
                         (json_int_t)r.unsealed, "position", (json_int_t)r.position, "reason",
                         r.reason, "case", r.case_id, "pubkey", pubkey);
        if (*out == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
    }
    plaint_db_close(adb);
    plaint_verifier_free(v);
    plaint_signkey_free(key);
    return rc;
}

static int set_str(json_t *o, const char *k, const char *v, size_t len, plaint_error *err)
{
    if (json_object_set_new(o, k, json_stringn(v, len)) != 0) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (or invalid UTF-8 in %s)", k);
    }
    return 0;
}

/* The customer's name from the vault as the actor may see it. */
static int customer_name(json_t *cp, plaint_db *db, plaint_authz *az, const plaint_actor *actor,
                         const plaint_config *cfg, plaint_error *err)
{
    char subject[PLAINT_SUBJECT_ID_MAX + 1];
    plaint_subject_info info;
    plaint_buf exp = PLAINT_BUF_INIT;
    json_t *j = NULL;
    const char *cust = json_string_value(json_object_get(cp, "customer_id"));
    const char *name;
    int allowed = 0;
    int rc;

    if (cust == NULL) {
        return 0;
    }
    rc = plaint_vault_customer_subject(subject, db, cust, err);
    if (rc == 0 && subject[0] == '\0') {
        return set_str(cp, "customer_name", "(none recorded)", 15, err);
    }
    if (rc == 0) {
        rc = plaint_vault_subject_info(&info, db, subject, err);
    }
    if (rc == 0 && info.erased) {
        return set_str(cp, "customer_name", "(erased)", 8, err);
    }
    if (rc == 0) {
        rc = plaint_may_read_customer(&allowed, az, actor, err);
    }
    if (rc == 0 && !allowed) {
        return set_str(cp, "customer_name", "(in the vault)", 14, err);
    }
    if (rc == 0) {
        rc = plaint_app_subject_export(&exp, db, cfg, subject, err);
    }
    if (rc == 0) {
        j = json_loadb(exp.data, exp.len, 0, NULL);
        if (j == NULL) {
            rc = plaint_error_set(err, PLAINT_ERROR, "subject export: not JSON");
        }
    }
    if (rc == 0) {
        name = json_string_value(json_object_get(json_object_get(j, "fields"), "name"));
        rc = name != NULL ? set_str(cp, "customer_name", name, strlen(name), err)
                          : set_str(cp, "customer_name", "(none recorded)", 15, err);
    }
    json_decref(j);
    if (exp.data != NULL) {
        OPENSSL_cleanse(exp.data, exp.cap);
    }
    plaint_buf_clear(&exp);
    return rc;
}

/* A narrative sealed in the vault, as the actor may see it. */
static int case_narrative(json_t *cp, plaint_db *db, plaint_authz *az, const plaint_actor *actor,
                          const plaint_config *cfg, plaint_error *err)
{
    static const char *const VIEWS[] = {NULL, "(in the vault)", "(erased)"};
    const char *nref = json_string_value(json_object_get(cp, "narrative_ref"));
    plaint_buf text = PLAINT_BUF_INIT;
    plaint_vault_view view = PLAINT_VAULT_WITHHELD;
    int rc;

    if (nref == NULL) {
        return 0;
    }
    rc =
        plaint_app_narrative_open(&text, &view, db, az, actor, cfg,
                                  json_string_value(json_object_get(cp, "customer_id")), nref, err);
    if (rc == 0) {
        rc = view == PLAINT_VAULT_SHOWN
                 ? set_str(cp, "narrative", text.data != NULL ? text.data : "", text.len, err)
                 : set_str(cp, "narrative", VIEWS[view], strlen(VIEWS[view]), err);
    }
    if (text.data != NULL) {
        OPENSSL_cleanse(text.data, text.cap);
    }
    plaint_buf_clear(&text);
    return rc;
}

/* Reads the report's data inside the anchor's snapshot. */
static int read_data(json_t **out, char key_id[65], plaint_db *db, const plaint_report_anchor *a,
                     const plaint_report_pdf_request *req, plaint_error *err)
{
    const plaint_period *p = &req->period;
    json_t *x = NULL;
    json_t *y = NULL;
    json_t *months = NULL;
    int64_t series_from = 0;
    int rc = 0;

    *out = NULL;
    switch (req->kind) {
    case PLAINT_REPORT_PDF_WEEKLY:
        rc = plaint_pg_report_pdf_resolved(out, db, p->from, p->to, err);
        break;
    case PLAINT_REPORT_PDF_MONTHLY:
        rc = series_months(&months, &series_from, p->to - 1, err);
        if (rc == 0) {
            rc = plaint_pg_report_pdf_month(&x, db, p->from, p->to,
                                            series_from < p->from ? series_from : p->from, err);
        }
        if (rc == 0) {
            rc = plaint_pg_report_pdf_resolved(&y, db, p->from, p->to, err);
        }
        if (rc == 0) {
            *out = json_pack("{s:o, s:o, s:o}", "month", x, "resolved", y, "months", months);
            x = y = months = NULL;
            if (*out == NULL) {
                rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
            }
        }
        break;
    case PLAINT_REPORT_PDF_AUDIT:
        rc = plaint_pg_report_pdf_audit(out, db, p->from, p->to, a->tree_size, err);
        if (rc == 0) {
            rc = plaint_pg_report_pdf_key_id(key_id, db, a->seq, err);
        }
        break;
    case PLAINT_REPORT_PDF_CASE:
        rc = plaint_pg_report_pdf_case(out, db, req->ref, a->tree_size, err);
        break;
    }
    json_decref(x);
    json_decref(y);
    json_decref(months);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static int render(plaint_buf *pdf, const plaint_report_pdf_ctx *c, plaint_report_pdf_kind kind,
                  const json_t *data, plaint_error *err)
{
    switch (kind) {
    case PLAINT_REPORT_PDF_WEEKLY:
        return plaint_report_pdf_render_weekly(pdf, c, data, err);
    case PLAINT_REPORT_PDF_MONTHLY:
        return plaint_report_pdf_render_monthly(pdf, c, data, err);
    case PLAINT_REPORT_PDF_AUDIT:
        return plaint_report_pdf_render_audit(pdf, c, data, err);
    case PLAINT_REPORT_PDF_CASE:
        return plaint_report_pdf_render_case(pdf, c, data, err);
    }
    return plaint_error_set(err, PLAINT_EINVALID, "unknown report kind");
}

int plaint_app_report_pdf(plaint_report_pdf_result *out, plaint_db *db, plaint_authz *az,
                          const plaint_actor *actor, const plaint_config *cfg,
                          const plaint_report_pdf_request *req, plaint_error *err)
{
    plaint_report_anchor a;
    plaint_report_pdf_ctx c;
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_buf signed_pdf = PLAINT_BUF_INIT;
    json_t *data = NULL;
    json_t *extra = NULL;
    char key_id[65] = "";
    int rc;

    memset(out, 0, sizeof(*out));
    rc = check_request(cfg, req, err);
    if (rc < 0) {
        return rc;
    }
    rc = plaint_report_anchor_open(&a, db, cfg, PLAINT_REPORT_ANCHOR_ATTEMPTS, err);
    if (rc < 0) {
        return rc;
    }
    rc = read_data(&data, key_id, db, &a, req, err);
    rc = plaint_db_finish(db, rc, err);
    if (rc == 0 && req->kind == PLAINT_REPORT_PDF_AUDIT) {
        rc = verify_ledger(&extra, cfg, req->pubkey, err);
        if (rc == 0 && json_object_set_new(data, "verify", extra) != 0) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        extra = NULL;
    }
    if (rc == 0 && req->kind == PLAINT_REPORT_PDF_CASE) {
        json_t *cp = json_object_get(data, "complaint");

        rc = customer_name(cp, db, az, actor, cfg, err);
        if (rc == 0) {
            rc = case_narrative(cp, db, az, actor, cfg, err);
        }
    }
    if (rc == 0) {
        memset(&c, 0, sizeof(c));
        c.cp_seq = a.seq;
        c.cp_tree_size = a.tree_size;
        c.cp_root_hex = a.root_hex;
        /* whole seconds, rounded down, as the store gives every instant */
        c.cp_time = a.time_us >= 0 ? a.time_us / 1000000 : -((-a.time_us + 999999) / 1000000);
        c.cp_key_id = key_id;
        c.font_path = cfg->report_font;
        c.period_label = req->period.label;
        c.period_from = req->period.from;
        c.period_to = req->period.to;
        rc = render(&pdf, &c, req->kind, data, err);
    }
    if (rc == 0) {
        rc = plaint_pades_sign((const unsigned char *)pdf.data, pdf.len, cfg->report_key,
                               cfg->report_cert, req->signing_time, &signed_pdf, err);
    }
    if (rc == 0) {
        rc = plaint_file_write_atomic(req->out_path, signed_pdf.data, signed_pdf.len,
                                      req->kind == PLAINT_REPORT_PDF_CASE ? 0600 : 0644, err);
    }
    if (rc == 0) {
        out->cp_seq = a.seq;
        out->cp_tree_size = a.tree_size;
        memcpy(out->cp_root_hex, a.root_hex, sizeof(out->cp_root_hex));
        out->cp_sealed_now = a.sealed_now;
        out->bytes = signed_pdf.len;
        out->verified = req->kind != PLAINT_REPORT_PDF_AUDIT ||
                        json_is_true(json_object_get(json_object_get(data, "verify"), "ok"));
    }
    json_decref(extra);
    json_decref(data);
    /* the case report may hold personal data */
    if (pdf.data != NULL) {
        OPENSSL_cleanse(pdf.data, pdf.cap);
    }
    plaint_buf_clear(&pdf);
    plaint_buf_clear(&signed_pdf);
    return rc;
}
