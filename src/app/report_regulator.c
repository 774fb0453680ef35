/* The regulator return and the case export as use cases: load the definition and the business
 * calendar, anchor at a checkpoint (sealing first when events are pending), compute the figures
 * from the ledger events below its tree size, build, sign, validate and write the document
 * atomically; and verify a written document (schema, signature, and with a database the
 * checkpoint and every figure recomputed at it). Design: docs/reports.md. */
#include "plaint/report_regulator.h"
#include "plaint/file.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plaint/bizcal.h"
#include "plaint/buf.h"
#include "plaint/rand.h"
#include "plaint/report_store.h"
#include "plaint/sla.h"
#include "report/xml_doc.h"
#include "report/xml_return.h"
#include "report/xmldsig.h"

/* Local days before the period start covered by the deadline tables: longer than any
 * "N weeks" (52 at most) plus slack, so a complaint received earlier cannot meet a deadline
 * inside the period (docs/reports.md, "Time limits"). */
#define DAYS_BEFORE       (52 * 7 + 14)
#define PSEUDONYM_KEY_LEN 32

typedef struct inputs {
    plaint_period period;
    plaint_report_def *def;
    plaint_sla_policy *sla;
    char *day_starts;
    char *summary_due;
    char *final_due;
    plaint_report_bounds bounds;
} inputs;

static void inputs_clear(inputs *in)
{
    plaint_report_def_free(in->def);
    plaint_sla_policy_free(in->sla);
    free(in->day_starts);
    free(in->summary_due);
    free(in->final_due);
    memset(in, 0, sizeof(*in));
}

static int path_join(char *out, size_t n, const char *dir, const char *file, plaint_error *err)
{
    int k = snprintf(out, n, "%s/%s", dir, file);

    if (k < 0 || (size_t)k >= n) {
        return plaint_error_set(err, PLAINT_EIO, "path too long: %s/%s", dir, file);
    }
    return 0;
}

static int append_time(json_t *arr, int64_t us, plaint_error *err)
{
    char t[PLAINT_TIME_LEN + 1];
    int rc = plaint_time_format(t, us, err);

    if (rc == 0 && json_array_append_new(arr, json_string(t)) != 0) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    return rc;
}

/* The deadline tables: for each local day of the calendar from DAYS_BEFORE days before the
 * period to the day after its end, the instant the day starts and the two deadlines of a
 * complaint received that day (DISP 1.5 close of the Nth business day after the day of receipt;
 * DISP 1.6 end of the day N weeks after it); one more start closes the last day. */
static int day_tables(inputs *in, const plaint_bizcal *cal, plaint_error *err)
{
    json_t *starts = json_array();
    json_t *sdue = json_array();
    json_t *fdue = json_array();
    plaint_bizcal_local lo;
    plaint_bizcal_local hi;
    plaint_bizcal_date d;
    plaint_bizcal_date last;
    int64_t start = 0;
    int64_t due;
    int rc = starts != NULL && sdue != NULL && fdue != NULL
                 ? 0
                 : plaint_error_set(err, PLAINT_ENOMEM, "out of memory");

    if (rc == 0) {
        rc = plaint_bizcal_to_local(
            &lo, cal, (in->period.from - (int64_t)DAYS_BEFORE * 86400) * 1000000, err);
    }
    if (rc == 0) {
        rc = plaint_bizcal_to_local(&hi, cal, in->period.to * 1000000, err);
    }
    if (rc == 0) {
        rc = plaint_bizcal_date_add_days(&last, hi.date, 1, err);
    }
    d = lo.date;
    while (rc == 0 && plaint_bizcal_date_diff(d, last) >= 0) {
        rc = plaint_bizcal_from_local(&start, NULL, cal, d, 0, err);
        if (rc == 0) {
            rc = append_time(starts, start, err);
        }
        if (rc == 0) {
            rc = plaint_bizcal_close_of_nth_business_day(&due, cal, start, in->def->summary_days,
                                                         err);
        }
        if (rc == 0) {
            rc = append_time(sdue, due, err);
        }
        if (rc == 0) {
            rc = plaint_bizcal_end_of_weeks(&due, cal, start, in->def->final_weeks, err);
        }
        if (rc == 0) {
            rc = append_time(fdue, due, err);
        }
        if (rc == 0) {
            rc = plaint_bizcal_date_add_days(&d, d, 1, err);
        }
    }
    if (rc == 0) {
        rc = plaint_bizcal_from_local(&start, NULL, cal, d, 0, err);
    }
    if (rc == 0) {
        rc = append_time(starts, start, err);
    }
    if (rc == 0) {
        in->day_starts = json_dumps(starts, JSON_COMPACT);
        in->summary_due = json_dumps(sdue, JSON_COMPACT);
        in->final_due = json_dumps(fdue, JSON_COMPACT);
        if (in->day_starts == NULL || in->summary_due == NULL || in->final_due == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
    }
    json_decref(starts);
    json_decref(sdue);
    json_decref(fdue);
    return rc;
}

/* Period, definition (def already set, or loaded from def_path), its validity, the calendar
 * and the deadline tables. */
static int inputs_load(inputs *in, const plaint_config *cfg, const char *period,
                       const char *def_path, plaint_error *err)
{
    char path[PLAINT_CONFIG_PATH_MAX + 64];
    char xsd[PLAINT_CONFIG_PATH_MAX + 64];
    const plaint_bizcal *cal;
    int rc = plaint_period_parse(period, &in->period, err);

    if (rc == 0) {
        rc = plaint_report_period_bounds(&in->bounds, &in->period, err);
    }
    if (rc == 0 && in->def == NULL) {
        if (def_path != NULL) {
            rc = snprintf(path, sizeof(path), "%s", def_path) >= (int)sizeof(path)
                     ? plaint_error_set(err, PLAINT_EIO, "definition path too long")
                     : 0;
        } else {
            rc = path_join(path, sizeof(path), cfg->report_dir, PLAINT_REPORT_DEFINITION_DEFAULT,
                           err);
        }
        if (rc == 0) {
            rc = plaint_report_def_load(&in->def, path, cfg->xsd_dir, err);
        }
    }
    if (rc == 0) {
        rc = plaint_report_def_check_period(in->def, &in->period, err);
    }
    if (rc == 0) {
        rc = path_join(path, sizeof(path), cfg->policy_dir, "sla.xml", err);
    }
    if (rc == 0) {
        rc = path_join(xsd, sizeof(xsd), cfg->xsd_dir, "sla.xsd", err);
    }
    if (rc == 0) {
        rc = plaint_policy_load_sla(&in->sla, NULL, path, xsd, err);
    }
    if (rc == 0) {
        cal = plaint_sla_calendar(in->sla, in->def->calendar);
        if (cal == NULL) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "calendar", 0, 0,
                                     "report definition %s names calendar %s, which %s does not "
                                     "define",
                                     in->def->id, in->def->calendar, path);
        } else {
            rc = day_tables(in, cal, err);
        }
    }
    return rc;
}

static void query_of(plaint_report_query *q, const inputs *in, int64_t tree_size)
{
    q->tree_size = tree_size;
    q->def = in->def;
    q->from = in->bounds.from;
    q->to = in->bounds.to;
    q->day_starts = in->day_starts;
    q->summary_due = in->summary_due;
    q->final_due = in->final_due;
}

/* --- pseudonyms --- */

typedef struct pseudonym_key {
    unsigned char key[PSEUDONYM_KEY_LEN];
    char id[17];
} pseudonym_key;

/* Reads $PLAINT_HOME/keys/report-pseudonym.key (64 hex digits); creates it (0600) if create
 * and it does not exist. */
static int pseudonym_key_load(pseudonym_key *k, const plaint_config *cfg, int create,
                              plaint_error *err)
{
    char path[PLAINT_CONFIG_PATH_MAX + 64];
    char dir[PLAINT_CONFIG_PATH_MAX + 16];
    char hex[2 * PSEUDONYM_KEY_LEN + 2];
    unsigned char digest[PLAINT_HASH_LEN];
    char dhex[2 * PLAINT_HASH_LEN + 1];
    plaint_buf raw = PLAINT_BUF_INIT;
    int rc = path_join(dir, sizeof(dir), cfg->home, "keys", err);

    if (rc == 0) {
        rc = path_join(path, sizeof(path), dir, PLAINT_REPORT_PSEUDONYM_KEY, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (access(path, F_OK) != 0 && create) {
        int fd;

        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            return plaint_error_set(err, PLAINT_EIO, "cannot create %s: %s", dir, strerror(errno));
        }
        rc = plaint_rand_bytes(k->key, sizeof(k->key), err);
        if (rc < 0) {
            return rc;
        }
        plaint_hex_encode(hex, k->key, sizeof(k->key));
        hex[2 * PSEUDONYM_KEY_LEN] = '\n';
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno != EEXIST) {
            return plaint_error_set(err, PLAINT_EIO, "cannot create %s: %s", path, strerror(errno));
        }
        if (fd >= 0) {
            ssize_t w = write(fd, hex, 2 * PSEUDONYM_KEY_LEN + 1);

            if (w != 2 * PSEUDONYM_KEY_LEN + 1 || fsync(fd) != 0) {
                close(fd);
                unlink(path);
                return plaint_error_set(err, PLAINT_EIO, "cannot write %s", path);
            }
            close(fd);
        }
        OPENSSL_cleanse(hex, sizeof(hex));
    }
    rc = plaint_buf_read_file(&raw, path, 256, err);
    if (rc < 0) {
        return plaint_error_set(err, PLAINT_EIO,
                                "cannot read the pseudonymisation key %s (the case export's "
                                "customer pseudonyms cannot be computed without it)",
                                path);
    }
    while (raw.len > 0 && (raw.data[raw.len - 1] == '\n' || raw.data[raw.len - 1] == '\r')) {
        raw.len--;
    }
    rc = plaint_hex_decode(k->key, sizeof(k->key), raw.data, raw.len, NULL);
    OPENSSL_cleanse(raw.data, raw.cap);
    plaint_buf_clear(&raw);
    if (rc < 0) {
        return plaint_error_set(err, PLAINT_EIO, "%s is not 64 hex digits", path);
    }
    rc = plaint_sha256_digest(digest, k->key, sizeof(k->key), err);
    plaint_hex_encode(dhex, digest, sizeof(digest));
    memcpy(k->id, dhex, 16);
    k->id[16] = '\0';
    return rc;
}

static int pseudonym(char out[2 * PLAINT_HASH_LEN + 1], const pseudonym_key *k, const char *id,
                     plaint_error *err)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (HMAC(EVP_sha256(), k->key, (int)sizeof(k->key), (const unsigned char *)id, strlen(id), mac,
             &len) == NULL ||
        len != PLAINT_HASH_LEN) {
        return plaint_error_set(err, PLAINT_ERROR, "HMAC-SHA256 failed");
    }
    plaint_hex_encode(out, mac, PLAINT_HASH_LEN);
    return 0;
}

/* --- building --- */

typedef struct cases_arg {
    plaint_xml_cases *xml;
    const pseudonym_key *key;
    int64_t n;
} cases_arg;

static int on_case(const plaint_report_case *c, void *arg, plaint_error *err)
{
    cases_arg *a = arg;
    char p[2 * PLAINT_HASH_LEN + 1];
    int rc = 0;

    if (c->customer != NULL) {
        rc = pseudonym(p, a->key, c->customer, err);
    }
    if (rc == 0) {
        rc = plaint_xml_cases_append(a->xml, c, c->customer != NULL ? p : NULL, err);
    }
    a->n++;
    return rc;
}

/* Computes the document for in at anchor a into out (signed and validated) or, for verify,
 * builds the expected cases document into *cases_out. */
static int compute(plaint_buf *out, plaint_report_result *res, plaint_xml_cases **cases_out,
                   int64_t *records, plaint_db *db, const plaint_config *cfg, const inputs *in,
                   const plaint_report_anchor *a, int cases, const pseudonym_key *key,
                   plaint_error *err)
{
    plaint_report_query q;
    cases_arg ca;
    int rc;

    query_of(&q, in, a->tree_size);
    rc = plaint_pg_report_begin_snapshot(db, err);
    if (rc < 0) {
        return rc;
    }
    if (!cases) {
        rc = plaint_pg_report_figures(res, db, &q, err);
    } else {
        memset(&ca, 0, sizeof(ca));
        ca.key = key;
        rc = plaint_xml_cases_new(&ca.xml, in->def, &in->period, a, key->id, err);
        if (rc == 0) {
            rc = plaint_pg_report_cases(db, &q, on_case, &ca, err);
        }
        *records = ca.n;
    }
    rc = plaint_db_finish(db, rc, err);
    if (rc == 0 && out != NULL) {
        rc = cases ? plaint_xml_cases_render(out, ca.xml, cfg->xsd_dir, cfg->report_key,
                                             cfg->report_cert, err)
                   : plaint_xml_return_render(out, in->def, &in->period, a, res, cfg->xsd_dir,
                                              cfg->report_key, cfg->report_cert, err);
    }
    if (cases) {
        if (rc == 0 && cases_out != NULL) {
            *cases_out = ca.xml;
        } else {
            plaint_xml_cases_free(ca.xml);
        }
    }
    return rc;
}

int plaint_app_report_xml(plaint_report_written *out, plaint_db *db, const plaint_config *cfg,
                          const plaint_report_options *o, int cases, plaint_error *err)
{
    inputs in;
    plaint_report_result res;
    pseudonym_key key;
    plaint_buf doc = PLAINT_BUF_INIT;
    int rc;

    memset(&in, 0, sizeof(in));
    memset(&res, 0, sizeof(res));
    memset(out, 0, sizeof(*out));
    rc = inputs_load(&in, cfg, o->period, o->definition, err);
    if (rc == 0) {
        /* fail before the long query if the document could not be signed */
        rc = plaint_xmldsig_check_files(cfg->report_key, cfg->report_cert, err);
    }
    if (rc == 0 && cases) {
        rc = pseudonym_key_load(&key, cfg, 1, err);
    }
    if (rc == 0) {
        rc = plaint_report_anchor_make(&out->anchor, db, cfg, err);
    }
    if (rc == 0) {
        rc = compute(&doc, &res, NULL, &out->records, db, cfg, &in, &out->anchor, cases, &key, err);
    }
    if (rc == 0) {
        rc = plaint_file_write_atomic(o->out, doc.data, doc.len, 0644, err);
    }
    if (rc == 0) {
        out->period = in.period;
        out->bytes = doc.len;
    }
    OPENSSL_cleanse(&key, sizeof(key));
    plaint_report_result_clear(&res);
    plaint_buf_clear(&doc);
    inputs_clear(&in);
    return rc;
}

int plaint_app_report_verify_xml(plaint_report_check *out, plaint_db *db, const plaint_config *cfg,
                                 const char *path, plaint_error *err)
{
    plaint_xml_report *r = NULL;
    plaint_buf raw = PLAINT_BUF_INIT;
    plaint_report_anchor a;
    plaint_report_result res;
    plaint_xml_cases *want = NULL;
    pseudonym_key key;
    inputs in;
    unsigned char root[PLAINT_HASH_LEN];
    int64_t records = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&in, 0, sizeof(in));
    memset(&res, 0, sizeof(res));
    memset(&key, 0, sizeof(key));
    rc = plaint_buf_read_file(&raw, path, PLAINT_XML_DOC_MAX_BYTES, err);
    if (rc < 0) {
        return rc == PLAINT_ENOMEM ? rc : plaint_error_set(err, PLAINT_EIO, "cannot read %s", path);
    }
    out->cert_configured = access(cfg->report_cert, R_OK) == 0;
    rc = plaint_xml_report_open(&r, raw.data, raw.len, path, cfg->xsd_dir,
                                out->cert_configured ? cfg->report_cert : NULL, out, err);
    if (rc == 0 && db != NULL) {
        out->ledger_checked = 1;
        rc = plaint_hex_decode(root, sizeof(root), out->root_hex, strlen(out->root_hex), err);
        if (rc == 0) {
            rc = plaint_report_anchor_find(&a, db, out->tree_size, root, err);
        }
        if (rc == PLAINT_ENOTFOUND) {
            rc = plaint_error_set(err, PLAINT_ETAMPER,
                                  "the ledger has no checkpoint of tree size %lld, which the "
                                  "document names",
                                  (long long)out->tree_size);
        }
        if (rc == 0) {
            rc = plaint_xml_report_definition(&in.def, r, cfg->xsd_dir, err);
        }
        if (rc == 0) {
            rc = inputs_load(&in, cfg, out->period, NULL, err);
        }
        if (rc == 0 && out->cases) {
            rc = pseudonym_key_load(&key, cfg, 0, err);
            if (rc == 0 && strcmp(key.id, plaint_xml_report_key_id(r)) != 0) {
                rc = plaint_error_set(err, PLAINT_EIO,
                                      "the pseudonymisation key here (id %s) is not the one the "
                                      "export was made with (id %s)",
                                      key.id, plaint_xml_report_key_id(r));
            }
        }
        if (rc == 0) {
            rc = compute(NULL, &res, &want, &records, db, cfg, &in, &a, out->cases, &key, err);
        }
        if (rc == 0) {
            rc = out->cases
                     ? plaint_xml_report_compare_cases(r, want, err)
                     : plaint_xml_report_compare_return(r, in.def, &in.period, &a, &res, err);
        }
    }
    OPENSSL_cleanse(&key, sizeof(key));
    plaint_xml_cases_free(want);
    plaint_xml_report_free(r);
    plaint_report_result_clear(&res);
    plaint_buf_clear(&raw);
    inputs_clear(&in);
    return rc;
}
