/* The personal-data vault in PostgreSQL: subjects, sealed fields, legal holds and erasure
 * (include/plaint/vault.h, include/plaint/vault_store.h, schemas/sql/0004_vault.sql). */
#include "plaint/vault.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/jcs.h"
#include "plaint/ledger.h"
#include "plaint/vault_keys.h"
#include "plaint/vault_store.h"
#include "store/pg_internal.h"
#include "store/pg_util.h"

/* Times come back as Unix microseconds (text int8); NULL reads as 0. */
#define US(col) "coalesce((extract(epoch FROM " col ") * 1000000)::int8, 0)"

static const char *const SQL_SUBJECT_INFO =
    "SELECT s.subject_id, s.record_class, " US("s.retention_start") ", s.erased_at IS NOT NULL, "
    US("s.erased_at") ", (SELECT count(*) FROM plaint.legal_hold h WHERE h.subject_id = "
    "s.subject_id AND h.released_at IS NULL) FROM plaint.vault_subject s WHERE s.subject_id = $1";

static const char *const SQL_GET_SUBJECT =
    "SELECT s.subject_id, s.record_class, " US("s.retention_start") ", s.erased_at IS NOT NULL, "
    US("s.erased_at") ", 0, s.wrapped_dek FROM plaint.vault_subject s WHERE s.subject_id = $1";

static const char *const SQL_LOCK_SUBJECT =
    "SELECT s.subject_id, s.record_class, " US("s.retention_start") ", s.erased_at IS NOT NULL, "
    US("s.erased_at") ", 0, s.wrapped_dek FROM plaint.vault_subject s WHERE s.subject_id = $1 "
    "FOR UPDATE";

static const char *const SQL_ACTIVE_HOLDS =
    "SELECT count(*) FROM plaint.legal_hold WHERE subject_id = $1 AND released_at IS NULL";

static const char *const SQL_LIST_SUBJECTS =
    "SELECT s.subject_id, s.record_class, " US("s.retention_start") ", false, 0, "
    "(SELECT count(*) FROM plaint.legal_hold h WHERE h.subject_id = s.subject_id AND "
    "h.released_at IS NULL) FROM plaint.vault_subject s WHERE s.erased_at IS NULL "
    "ORDER BY s.subject_id COLLATE \"C\"";

static const char *const SQL_INSERT_SUBJECT =
    "INSERT INTO plaint.vault_subject (subject_id, record_class, retention_start, wrapped_dek, "
    "master_key_id) VALUES ($1, $2, $3::date::timestamp AT TIME ZONE 'UTC', $4, $5) "
    "ON CONFLICT (subject_id) DO NOTHING";

static const char *const SQL_INSERT_ITEM =
    "INSERT INTO plaint.vault_item (subject_id, field, sealed) VALUES ($1, $2, $3) "
    "RETURNING item_id";

static const char *const SQL_SET_RETENTION =
    "UPDATE plaint.vault_subject SET retention_start = $2::date::timestamp AT TIME ZONE 'UTC' "
    "WHERE subject_id = $1 AND erased_at IS NULL";

static const char *const SQL_READ_ITEMS =
    "SELECT item_id, field, sealed FROM plaint.vault_item WHERE subject_id = $1 "
    "ORDER BY item_id";

static const char *const SQL_GET_ITEM =
    "SELECT item_id, field, sealed, subject_id FROM plaint.vault_item WHERE item_id = $1";

static const char *const SQL_CUSTOMER_SUBJECT =
    "SELECT subject_id FROM plaint.customer WHERE customer_id = $1 AND subject_id IS NOT NULL";

static const char *const SQL_LIST_HOLDS =
    "SELECT hold_id, subject_id, reason, placed_by, " US("placed_at") ", released_at IS NOT NULL, "
    "coalesce(released_by, ''), " US("released_at") " FROM plaint.legal_hold "
    "WHERE subject_id = $1 ORDER BY hold_id";

static const char *const SQL_FIRST_ACTIVE_HOLD =
    "SELECT hold_id, subject_id, reason, placed_by, " US("placed_at") ", false, '', 0 "
    "FROM plaint.legal_hold WHERE subject_id = $1 AND released_at IS NULL ORDER BY hold_id "
    "LIMIT 1";

static const char *const SQL_INSERT_HOLD =
    "INSERT INTO plaint.legal_hold (subject_id, reason, placed_by) VALUES ($1, $2, $3) "
    "RETURNING hold_id";

static const char *const SQL_LOCK_HOLD =
    "SELECT hold_id, subject_id, reason, placed_by, " US("placed_at") ", released_at IS NOT NULL, "
    "coalesce(released_by, ''), " US("released_at") " FROM plaint.legal_hold "
    "WHERE hold_id = $1 FOR UPDATE";

static const char *const SQL_RELEASE_HOLD =
    "UPDATE plaint.legal_hold SET released_at = now(), released_by = $2 WHERE hold_id = $1";

static const char *const SQL_LOCK_KEYS =
    "SELECT subject_id, wrapped_dek FROM plaint.vault_subject WHERE wrapped_dek IS NOT NULL "
    "ORDER BY subject_id COLLATE \"C\" FOR UPDATE";

static const char *const SQL_UPDATE_KEY =
    "UPDATE plaint.vault_subject SET wrapped_dek = $2, master_key_id = $3 "
    "WHERE subject_id = $1 AND erased_at IS NULL";

static const char *const SQL_COUNT_WRAPPED_BY =
    "SELECT count(*) FROM plaint.vault_subject WHERE master_key_id = $1";

static const char *const SQL_DELETE_ITEMS = "DELETE FROM plaint.vault_item WHERE subject_id = $1";

static const char *const SQL_ERASE =
    "UPDATE plaint.vault_subject SET wrapped_dek = NULL, master_key_id = NULL, erased_at = now(), "
    "erased_reason = $2 WHERE subject_id = $1 AND erased_at IS NULL";

static int check_name(const char *s, size_t max, int upper_ok, const char *field,
                      const char *what, plaint_error *err)
{
    size_t n = s != NULL ? strlen(s) : 0;
    size_t i;

    if (n == 0 || n > max) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "a %s has 1 to %zu characters", what, max);
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    (upper_ok && c >= 'A' && c <= 'Z');
        int ok = (i == 0 && !upper_ok) ? (c >= 'a' && c <= 'z')
                                       : alnum || (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok) {
            return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, i + 1,
                                       "%s: character %zu is not allowed", what, i + 1);
        }
    }
    return 0;
}

int plaint_vault_check_subject_id(const char *subject_id, plaint_error *err)
{
    return check_name(subject_id, PLAINT_SUBJECT_ID_MAX, 1, "subject",
                      "subject id (A-Z a-z 0-9, then also . _ -)", err);
}

int plaint_vault_check_record_class(const char *record_class, plaint_error *err)
{
    return check_name(record_class, PLAINT_RECORD_CLASS_MAX, 0, "class",
                      "record class (a-z first, then a-z 0-9 . _ -)", err);
}

static void fill_info(plaint_subject_info *out, const PGresult *res, int row)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->subject_id, sizeof(out->subject_id), "%s", PQgetvalue(res, row, 0));
    snprintf(out->record_class, sizeof(out->record_class), "%s", PQgetvalue(res, row, 1));
    out->retention_start_us = plaint_pg_get_int8(res, row, 2);
    out->erased = PQgetvalue(res, row, 3)[0] == 't';
    out->erased_at_us = plaint_pg_get_int8(res, row, 4);
    out->active_holds = (int)plaint_pg_get_int8(res, row, 5);
}

static void fill_hold(plaint_hold_info *out, const PGresult *res, int row)
{
    memset(out, 0, sizeof(*out));
    out->hold_id = plaint_pg_get_int8(res, row, 0);
    snprintf(out->subject_id, sizeof(out->subject_id), "%s", PQgetvalue(res, row, 1));
    snprintf(out->reason, sizeof(out->reason), "%s", PQgetvalue(res, row, 2));
    snprintf(out->placed_by, sizeof(out->placed_by), "%s", PQgetvalue(res, row, 3));
    out->placed_at_us = plaint_pg_get_int8(res, row, 4);
    out->released = PQgetvalue(res, row, 5)[0] == 't';
    snprintf(out->released_by, sizeof(out->released_by), "%s", PQgetvalue(res, row, 6));
    out->released_at_us = plaint_pg_get_int8(res, row, 7);
}

static int not_found(plaint_error *err, const char *subject_id)
{
    return plaint_error_set_at(err, PLAINT_ENOTFOUND, "subject", 0, 0, "no subject '%s'",
                               subject_id);
}

int plaint_vault_subject_info(plaint_subject_info *out, plaint_db *db, const char *subject_id,
                              plaint_error *err)
{
    const char *vals[1] = {subject_id};
    PGresult *res = PQexecParams(db->conn, SQL_SUBJECT_INFO, 1, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "read subject", err);

    memset(out, 0, sizeof(*out));
    if (rc == 0 && PQntuples(res) == 0) {
        rc = not_found(err, subject_id);
    }
    if (rc == 0) {
        fill_info(out, res, 0);
    }
    PQclear(res);
    return rc;
}

int plaint_vault_list_subjects(plaint_db *db, plaint_subject_fn fn, void *arg, plaint_error *err)
{
    /* The whole result is read first, so fn may change the vault (erase) as it goes. */
    PGresult *res = PQexec(db->conn, SQL_LIST_SUBJECTS);
    int rc = plaint_pg_check(db->conn, res, "list subjects", err);
    int i;

    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        plaint_subject_info s;
        fill_info(&s, res, i);
        rc = fn(&s, arg, err);
    }
    PQclear(res);
    return rc;
}

int plaint_vault_get_subject(plaint_subject_info *out, plaint_buf *wrapped_out, plaint_db *db,
                             const char *subject_id, int lock, plaint_error *err)
{
    const char *vals[1] = {subject_id};
    PGresult *res = PQexecParams(db->conn, lock ? SQL_LOCK_SUBJECT : SQL_GET_SUBJECT, 1, NULL,
                                 vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "lock subject", err);
    size_t n = 0;
    unsigned char *raw = NULL;

    memset(out, 0, sizeof(*out));
    if (rc == 0 && PQntuples(res) == 0) {
        rc = not_found(err, subject_id);
    }
    if (rc == 0) {
        fill_info(out, res, 0);
    }
    if (rc == 0 && wrapped_out != NULL) {
        plaint_buf_reset(wrapped_out);
        if (!PQgetisnull(res, 0, 6)) {
            raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 6), &n);
            if (raw == NULL) {
                rc = plaint_error_set(err, PLAINT_ENOMEM, "decode wrapped key");
            } else {
                rc = plaint_buf_append(wrapped_out, raw, n, err);
                PQfreemem(raw);
            }
        }
    }
    PQclear(res);
    if (rc == 0) {
        PGresult *h = PQexecParams(db->conn, SQL_ACTIVE_HOLDS, 1, NULL, vals, NULL, NULL, 0);
        rc = plaint_pg_check(db->conn, h, "count holds", err);
        if (rc == 0) {
            out->active_holds = (int)plaint_pg_get_int8(h, 0, 0);
        }
        PQclear(h);
    }
    return rc;
}

int plaint_vault_insert_subject(plaint_db *db, const char *subject_id, const char *record_class,
                                const char *retention_start, const void *wrapped_dek,
                                size_t wrapped_len, const char *master_key_id, plaint_error *err)
{
    const char *vals[5] = {subject_id, record_class, retention_start, wrapped_dek, master_key_id};
    int lens[5] = {0, 0, 0, (int)wrapped_len, 0};
    int fmts[5] = {0, 0, 0, 1, 0};
    PGresult *res;
    int rc = plaint_vault_check_subject_id(subject_id, err);

    if (rc == 0) {
        rc = plaint_vault_check_record_class(record_class, err);
    }
    if (rc == 0 && wrapped_len != PLAINT_DEK_BLOB_LEN) {
        rc = plaint_error_set(err, PLAINT_ERROR, "a wrapped data key has %d bytes",
                              PLAINT_DEK_BLOB_LEN);
    }
    if (rc < 0) {
        return rc;
    }
    res = PQexecParams(db->conn, SQL_INSERT_SUBJECT, 5, NULL, vals, lens, fmts, 0);
    rc = plaint_pg_check(db->conn, res, "add subject", err);
    if (rc == 0 && strtol(PQcmdTuples(res), NULL, 10) == 0) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                 "subject '%s' already exists", subject_id);
    }
    PQclear(res);
    return rc;
}

int plaint_vault_insert_item(int64_t *item_id_out, plaint_db *db, const char *subject_id,
                             const char *field, const void *sealed, size_t len, plaint_error *err)
{
    const char *vals[3] = {subject_id, field, sealed};
    int lens[3] = {0, 0, 0};
    int fmts[3] = {0, 0, 1};
    PGresult *res;
    int rc;

    *item_id_out = 0;
    if (len > (size_t)INT32_MAX) {
        return plaint_error_set(err, PLAINT_ERANGE, "sealed field too large");
    }
    lens[2] = (int)len;
    res = PQexecParams(db->conn, SQL_INSERT_ITEM, 3, NULL, vals, lens, fmts, 0);
    rc = plaint_pg_check(db->conn, res, "store field", err);
    if (rc == 0) {
        *item_id_out = plaint_pg_get_int8(res, 0, 0);
    }
    PQclear(res);
    return rc;
}

int plaint_vault_set_retention_start(plaint_db *db, const char *subject_id, const char *date,
                                     plaint_error *err)
{
    const char *vals[2] = {subject_id, date};
    PGresult *res = PQexecParams(db->conn, SQL_SET_RETENTION, 2, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "set retention start", err);

    if (rc == PLAINT_EINVALID) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "start", 0, 0,
                                 "'%s' is not a date (YYYY-MM-DD)", date);
    }
    if (rc == 0 && strtol(PQcmdTuples(res), NULL, 10) == 0) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                 "subject '%s' is erased", subject_id);
    }
    PQclear(res);
    return rc;
}

/* Copies text column col of a binary result row into out (n bytes): PLAINT_EDB naming what if it
 * is empty or does not fit. */
static int bin_text(char *out, size_t n, const PGresult *res, int row, int col, const char *what,
                    plaint_error *err)
{
    int len = PQgetlength(res, row, col);

    if (len <= 0 || (size_t)len >= n) {
        return plaint_error_set(err, PLAINT_EDB, "malformed %s in the vault", what);
    }
    memcpy(out, PQgetvalue(res, row, col), (size_t)len);
    out[len] = '\0';
    return 0;
}

int plaint_vault_read_items(plaint_db *db, const char *subject_id, plaint_vault_item_fn fn,
                            void *arg, plaint_error *err)
{
    const char *vals[1] = {subject_id};
    /* binary results: the int8 id arrives in network order, the bytea raw */
    PGresult *res = PQexecParams(db->conn, SQL_READ_ITEMS, 1, NULL, vals, NULL, NULL, 1);
    int rc = plaint_pg_check(db->conn, res, "read fields", err);
    int i;

    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        char field[PLAINT_VAULT_FIELD_MAX + 1];
        rc = bin_text(field, sizeof(field), res, i, 1, "field name", err);
        if (rc == 0) {
            rc = fn(plaint_pg_bin_int8(res, i, 0), field, PQgetvalue(res, i, 2),
                    (size_t)PQgetlength(res, i, 2), arg, err);
        }
    }
    PQclear(res);
    return rc;
}

int plaint_vault_get_item(plaint_buf *sealed_out, char subject_out[PLAINT_SUBJECT_ID_MAX + 1],
                          char field_out[PLAINT_VAULT_FIELD_MAX + 1], plaint_db *db,
                          int64_t item_id, plaint_error *err)
{
    char id[24];
    const char *vals[1] = {id};
    PGresult *res;
    int rc;

    snprintf(id, sizeof(id), "%" PRId64, item_id);
    subject_out[0] = '\0';
    field_out[0] = '\0';
    plaint_buf_reset(sealed_out);
    res = PQexecParams(db->conn, SQL_GET_ITEM, 1, NULL, vals, NULL, NULL, 1);
    rc = plaint_pg_check(db->conn, res, "read field", err);
    if (rc == 0 && PQntuples(res) == 0) {
        rc = plaint_error_set_at(err, PLAINT_ENOTFOUND, "ref", 0, 0, "no vault item %s", id);
    }
    if (rc == 0) {
        rc = bin_text(field_out, PLAINT_VAULT_FIELD_MAX + 1, res, 0, 1, "field name", err);
    }
    if (rc == 0) {
        rc = bin_text(subject_out, PLAINT_SUBJECT_ID_MAX + 1, res, 0, 3, "subject id", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(sealed_out, PQgetvalue(res, 0, 2),
                               (size_t)PQgetlength(res, 0, 2), err);
    }
    PQclear(res);
    return rc;
}

int plaint_vault_customer_subject(char out[PLAINT_SUBJECT_ID_MAX + 1], plaint_db *db,
                                  const char *customer_id, plaint_error *err)
{
    const char *vals[1] = {customer_id};
    PGresult *res;
    int rc;

    out[0] = '\0';
    if (customer_id == NULL || customer_id[0] == '\0') {
        return 0;
    }
    res = PQexecParams(db->conn, SQL_CUSTOMER_SUBJECT, 1, NULL, vals, NULL, NULL, 0);
    rc = plaint_pg_check(db->conn, res, "read the customer's subject", err);
    if (rc == 0 && PQntuples(res) > 0) {
        snprintf(out, PLAINT_SUBJECT_ID_MAX + 1, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

int plaint_vault_list_holds(plaint_db *db, const char *subject_id, plaint_hold_fn fn, void *arg,
                            plaint_error *err)
{
    const char *vals[1] = {subject_id};
    PGresult *res = PQexecParams(db->conn, SQL_LIST_HOLDS, 1, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "list holds", err);
    int i;

    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        plaint_hold_info h;
        fill_hold(&h, res, i);
        rc = fn(&h, arg, err);
    }
    PQclear(res);
    return rc;
}

int plaint_vault_insert_hold(int64_t *hold_id_out, plaint_db *db, const char *subject_id,
                             const char *reason, const char *placed_by, plaint_error *err)
{
    const char *vals[3] = {subject_id, reason, placed_by};
    PGresult *res = PQexecParams(db->conn, SQL_INSERT_HOLD, 3, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "place hold", err);

    *hold_id_out = rc == 0 ? plaint_pg_get_int8(res, 0, 0) : 0;
    PQclear(res);
    return rc;
}

int plaint_vault_release_hold(plaint_hold_info *out, plaint_db *db, int64_t hold_id,
                              const char *released_by, plaint_error *err)
{
    char id[24];
    const char *vals[2] = {id, released_by};
    PGresult *res;
    int rc;

    snprintf(id, sizeof(id), "%" PRId64, hold_id);
    res = PQexecParams(db->conn, SQL_LOCK_HOLD, 1, NULL, vals, NULL, NULL, 0);
    rc = plaint_pg_check(db->conn, res, "read hold", err);
    memset(out, 0, sizeof(*out));
    if (rc == 0 && PQntuples(res) == 0) {
        rc = plaint_error_set_at(err, PLAINT_ENOTFOUND, "hold", 0, 0, "no hold %s", id);
    }
    if (rc == 0) {
        fill_hold(out, res, 0);
    }
    PQclear(res);
    if (rc == 0 && out->released) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "hold", 0, 0,
                                 "hold %s is already released", id);
    }
    if (rc == 0) {
        res = PQexecParams(db->conn, SQL_RELEASE_HOLD, 2, NULL, vals, NULL, NULL, 0);
        rc = plaint_pg_check(db->conn, res, "release hold", err);
        PQclear(res);
    }
    return rc;
}

int plaint_vault_lock_wrapped_keys(plaint_db *db, plaint_vault_key_fn fn, void *arg,
                                   plaint_error *err)
{
    PGresult *res = PQexecParams(db->conn, SQL_LOCK_KEYS, 0, NULL, NULL, NULL, NULL, 1);
    int rc = plaint_pg_check(db->conn, res, "read wrapped keys", err);
    int i;

    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        char sid[PLAINT_SUBJECT_ID_MAX + 1];
        rc = bin_text(sid, sizeof(sid), res, i, 0, "subject id", err);
        if (rc == 0) {
            rc = fn(sid, PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1), arg, err);
        }
    }
    PQclear(res);
    return rc;
}

int plaint_vault_update_wrapped_key(plaint_db *db, const char *subject_id, const void *wrapped,
                                    size_t len, const char *master_key_id, plaint_error *err)
{
    const char *vals[3] = {subject_id, wrapped, master_key_id};
    int lens[3] = {0, (int)len, 0};
    int fmts[3] = {0, 1, 0};
    PGresult *res;
    int rc;

    if (len != PLAINT_DEK_BLOB_LEN) {
        return plaint_error_set(err, PLAINT_ERROR, "a wrapped data key has %d bytes",
                                PLAINT_DEK_BLOB_LEN);
    }
    res = PQexecParams(db->conn, SQL_UPDATE_KEY, 3, NULL, vals, lens, fmts, 0);
    rc = plaint_pg_check(db->conn, res, "store rewrapped key", err);
    if (rc == 0 && strtol(PQcmdTuples(res), NULL, 10) != 1) {
        rc = plaint_error_set(err, PLAINT_ECONFLICT, "subject %s changed during rotation",
                              subject_id);
    }
    PQclear(res);
    return rc;
}

int plaint_vault_count_wrapped_by(int64_t *out, plaint_db *db, const char *master_key_id,
                                  plaint_error *err)
{
    const char *vals[1] = {master_key_id};
    PGresult *res = PQexecParams(db->conn, SQL_COUNT_WRAPPED_BY, 1, NULL, vals, NULL, NULL, 0);
    int rc = plaint_pg_check(db->conn, res, "count wrapped keys", err);

    *out = rc == 0 ? plaint_pg_get_int8(res, 0, 0) : 0;
    PQclear(res);
    return rc;
}

/* {"items":N,"policy":..,"reason":..} */
static int erased_payload(plaint_buf *p, int64_t items, const char *reason,
                          const char *policy_ref, plaint_error *err)
{
    int rc = plaint_buf_printf(p, err, "{\"items\":%" PRId64 ",\"policy\":", items);

    if (rc == 0) {
        rc = plaint_jcs_append_string(p, policy_ref, strlen(policy_ref), err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(p, ",\"reason\":", err);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(p, reason, strlen(reason), err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(p, "}", err);
    }
    return rc;
}

static int erase_locked(plaint_db *db, const plaint_actor *actor, const char *subject_id,
                        const char *reason, const char *policy_ref, plaint_error *err)
{
    const char *vals[2] = {subject_id, reason};
    plaint_subject_info info;
    plaint_buf payload = PLAINT_BUF_INIT;
    plaint_append_req req;
    plaint_append_result ar;
    char case_id[PLAINT_SUBJECT_ID_MAX + 16];
    int64_t items = 0;
    PGresult *res;
    int rc = plaint_vault_get_subject(&info, NULL, db, subject_id, 1, err);

    if (rc == 0 && info.erased) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                 "subject '%s' is already erased", subject_id);
    }
    if (rc == 0 && info.active_holds > 0) {
        res = PQexecParams(db->conn, SQL_FIRST_ACTIVE_HOLD, 1, NULL, vals, NULL, NULL, 0);
        rc = plaint_pg_check(db->conn, res, "read hold", err);
        if (rc == 0 && PQntuples(res) > 0) {
            plaint_hold_info h;
            fill_hold(&h, res, 0);
            rc = plaint_error_set(err, PLAINT_EDENIED,
                                  "subject '%s' is under legal hold %" PRId64 " (%s, placed by "
                                  "%s); release it first",
                                  subject_id, h.hold_id, h.reason, h.placed_by);
        } else if (rc == 0) {
            rc = plaint_error_set(err, PLAINT_EDENIED, "subject '%s' is under legal hold",
                                  subject_id);
        }
        PQclear(res);
    }
    if (rc == 0) {
        res = PQexecParams(db->conn, SQL_DELETE_ITEMS, 1, NULL, vals, NULL, NULL, 0);
        rc = plaint_pg_check(db->conn, res, "delete fields", err);
        if (rc == 0) {
            items = strtoll(PQcmdTuples(res), NULL, 10);
        }
        PQclear(res);
    }
    if (rc == 0) {
        res = PQexecParams(db->conn, SQL_ERASE, 2, NULL, vals, NULL, NULL, 0);
        rc = plaint_pg_check(db->conn, res, "destroy the data key", err);
        PQclear(res);
    }
    if (rc == 0) {
        rc = erased_payload(&payload, items, reason, policy_ref, err);
    }
    if (rc == 0) {
        snprintf(case_id, sizeof(case_id), "subject:%s", subject_id);
        memset(&req, 0, sizeof(req));
        req.case_id = case_id;
        req.type = "subject.erased";
        req.actor = actor->user.user_id;
        req.role = actor->acting_role[0] != '\0' ? actor->acting_role : "-";
        req.payload = payload.data;
        req.payload_len = payload.len;
        rc = plaint_ledger_append(&ar, db, &req, err);
    }
    plaint_buf_clear(&payload);
    return rc;
}

int plaint_vault_tx_open(const plaint_db *db)
{
    return PQtransactionStatus(db->conn) != PQTRANS_IDLE;
}

int plaint_vault_erase_subject(plaint_db *db, const plaint_actor *actor, const char *subject_id,
                               const char *reason, const char *policy_ref, plaint_error *err)
{
    size_t rlen = reason != NULL ? strlen(reason) : 0;
    int own;
    int rc = plaint_vault_check_subject_id(subject_id, err);

    if (rc == 0 && (rlen == 0 || rlen > PLAINT_VAULT_REASON_MAX)) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "reason", 0, 0,
                                 "an erasure reason has 1 to %d bytes", PLAINT_VAULT_REASON_MAX);
    }
    if (rc == 0 && (policy_ref == NULL || policy_ref[0] == '\0')) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "policy", 0, 0,
                                 "an erasure names its policy");
    }
    if (rc < 0) {
        return rc;
    }
    /* Joins the caller's transaction if one is open, as plaint_ledger_append does. */
    own = !plaint_vault_tx_open(db);
    if (own) {
        rc = plaint_pg_exec(db->conn, "BEGIN", "begin", err);
    }
    if (rc == 0) {
        rc = erase_locked(db, actor, subject_id, reason, policy_ref, err);
    }
    if (own && rc == 0) {
        rc = plaint_pg_exec(db->conn, "COMMIT", "commit", err);
    } else if (own) {
        plaint_pg_exec(db->conn, "ROLLBACK", "rollback", NULL);
    }
    return rc;
}
