/* Vault use cases: subjects, personal data, holds, erasure and master-key rotation, each change
 * with its ledger event in one transaction. */
#include "plaint/app_vault.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "plaint/chain.h"
#include "plaint/jcs.h"
#include "plaint/ledger.h"
#include "plaint/rand.h"
#include "plaint/vault_crypto.h"

#include "app/complaint_internal.h"

#define MAX_FIELDS 5
#define MAX_KEY_FILES 256

static const char *const FIELD_NAMES[MAX_FIELDS] = {"address", "email", "name", "narrative",
                                                     "phone"}; /* sorted: payload key order */

static void subject_case(char *out, size_t n, const char *subject_id)
{
    snprintf(out, n, "subject:%s", subject_id);
}

/* Wipes a buffer that held personal data or key material, then frees it. */
static void wipe(plaint_buf *b)
{
    if (b->data != NULL) {
        OPENSSL_cleanse(b->data, b->cap);
    }
    plaint_buf_clear(b);
}

/* Checks "YYYY-MM-DD" by shape; PostgreSQL checks the calendar. */
static int check_date(const char *date, const char *field, plaint_error *err)
{
    size_t i;

    if (date == NULL || strlen(date) != 10) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "a date is written YYYY-MM-DD");
    }
    for (i = 0; i < 10; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? date[i] != '-' : (date[i] < '0' || date[i] > '9')) {
            return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                       "a date is written YYYY-MM-DD");
        }
    }
    return 0;
}

/* Checks a free-text value (reason): 1..max bytes of UTF-8 without NUL. */
static int check_text(const char *s, size_t max, const char *field, plaint_error *err)
{
    plaint_buf scratch = PLAINT_BUF_INIT;
    size_t n = s != NULL ? strlen(s) : 0;
    int rc = 0;

    if (n == 0 || n > max) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0, "%s has 1 to %zu bytes",
                                   field, max);
    }
    if (plaint_jcs_append_string(&scratch, s, n, NULL) < 0) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                 "%s is not valid UTF-8 text", field);
    }
    plaint_buf_clear(&scratch);
    return rc;
}

int plaint_app_vault_key_dir(char *out, size_t n, const plaint_config *cfg, plaint_error *err)
{
    int w = snprintf(out, n, "%s/keys/master", cfg->home);

    if (w < 0 || (size_t)w >= n) {
        return plaint_error_set(err, PLAINT_ERANGE, "master key directory path is too long");
    }
    return 0;
}

int plaint_app_vault_keyring(plaint_keyring **out, const plaint_config *cfg, plaint_error *err)
{
    char dir[PLAINT_CONFIG_PATH_MAX + 16];
    int rc = plaint_app_vault_key_dir(dir, sizeof(dir), cfg, err);

    if (rc == 0) {
        rc = plaint_keyring_load(out, dir, getenv(PLAINT_MASTER_KEY_ENV), err);
    }
    if (rc == PLAINT_ENOTFOUND) {
        rc = plaint_error_set(err, PLAINT_EIO,
                              "no master key in %s or %s: run 'plaint keys master-init'", dir,
                              PLAINT_MASTER_KEY_ENV);
    }
    return rc;
}

static int is_key_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".key") == 0;
}

/* The *.key file names of dir in sorted order; *count 0 if dir does not exist. Caller frees
 * names[i] and names with free_names. */
static int list_key_files(struct dirent ***names, int *count, const char *dir, plaint_error *err)
{
    int n = scandir(dir, names, is_key_file, alphasort);

    *count = 0;
    if (n < 0 && errno == ENOENT) {
        *names = NULL;
        return 0;
    }
    if (n < 0) {
        return plaint_error_set(err, PLAINT_EIO, "cannot read %s: %s", dir, strerror(errno));
    }
    *count = n;
    return 0;
}

static void free_names(struct dirent **names, int count)
{
    int i;

    for (i = 0; i < count; i++) {
        free(names[i]);
    }
    free(names);
}

static int make_dir(const char *path, plaint_error *err)
{
    if (mkdir(path, 0700) < 0 && errno != EEXIST) {
        return plaint_error_set(err, PLAINT_EIO, "cannot create %s: %s", path, strerror(errno));
    }
    return 0;
}

/* Writes mk to a new file in dir named so that it sorts after every existing key file (key ring
 * order is file-name order, and the last key is current). */
static int write_new_key(char *path, size_t n, const plaint_masterkey *mk, const char *dir,
                         plaint_error *err)
{
    struct dirent **names = NULL;
    char stamp[32];
    int count = 0;
    int attempt;
    int rc = 0;

    for (attempt = 0; rc == 0 && attempt < 3; attempt++) {
        time_t now = time(NULL);
        struct tm tm;
        int w;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
        w = snprintf(path, n, "%s/%s-%s.key", dir, stamp, plaint_masterkey_id(mk));
        if (w < 0 || (size_t)w >= n) {
            return plaint_error_set(err, PLAINT_ERANGE, "master key path is too long");
        }
        rc = list_key_files(&names, &count, dir, err);
        if (rc == 0 && (count == 0 || strcmp(strrchr(path, '/') + 1,
                                             names[count - 1]->d_name) > 0)) {
            free_names(names, count);
            return plaint_masterkey_write(mk, path, err);
        }
        free_names(names, count);
        names = NULL;
        count = 0;
        sleep(1); /* an older key carries this second's stamp: wait for the next */
    }
    if (rc == 0) {
        rc = plaint_error_set(err, PLAINT_EIO, "%s holds key files dated in the future", dir);
    }
    return rc;
}

int plaint_app_master_init(char key_id[PLAINT_MASTERKEY_ID_LEN + 1], char *path, size_t n,
                           const plaint_config *cfg, plaint_error *err)
{
    char dir[PLAINT_CONFIG_PATH_MAX + 16];
    char keys[PLAINT_CONFIG_PATH_MAX + 16];
    struct dirent **names = NULL;
    plaint_masterkey *mk = NULL;
    int count = 0;
    int rc = plaint_app_vault_key_dir(dir, sizeof(dir), cfg, err);

    if (rc == 0) {
        snprintf(keys, sizeof(keys), "%s/keys", cfg->home);
        rc = make_dir(keys, err);
    }
    if (rc == 0) {
        rc = make_dir(dir, err);
    }
    if (rc == 0) {
        rc = list_key_files(&names, &count, dir, err);
    }
    if (rc == 0 && count > 0) {
        rc = plaint_error_set(err, PLAINT_EINVALID,
                              "%s already holds a master key (%s); use 'plaint keys rotate'", dir,
                              names[count - 1]->d_name);
    }
    free_names(names, count);
    if (rc == 0) {
        rc = plaint_masterkey_generate(&mk, err);
    }
    if (rc == 0) {
        rc = write_new_key(path, n, mk, dir, err);
    }
    if (rc == 0) {
        snprintf(key_id, PLAINT_MASTERKEY_ID_LEN + 1, "%s", plaint_masterkey_id(mk));
    }
    plaint_masterkey_free(mk);
    return rc;
}

/* The index of field in FIELD_NAMES; MAX_FIELDS if it is not a field name. */
static size_t field_index(const char *field)
{
    size_t k;

    for (k = 0; k < MAX_FIELDS && strcmp(FIELD_NAMES[k], field) != 0; k++) {
    }
    return k;
}

/* Validates and sorts the fields into out (by FIELD_NAMES order). */
static int order_fields(const plaint_subject_field *out[MAX_FIELDS],
                        const plaint_subject_field *fields, size_t nfields, plaint_error *err)
{
    plaint_buf scratch = PLAINT_BUF_INIT;
    size_t i;
    size_t k;
    int rc = 0;

    for (k = 0; k < MAX_FIELDS; k++) {
        out[k] = NULL;
    }
    for (i = 0; rc == 0 && i < nfields; i++) {
        const plaint_subject_field *f = &fields[i];
        k = field_index(f->field);
        if (k == MAX_FIELDS) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, f->field, 0, 0, "unknown field '%s'",
                                     f->field);
        } else if (out[k] != NULL) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, f->field, 0, 0,
                                     "field '%s' given twice", f->field);
        } else if (f->len == 0 || f->len > PLAINT_VAULT_VALUE_MAX) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, f->field, 0, 0,
                                     "%s has 1 to %zu bytes", f->field, PLAINT_VAULT_VALUE_MAX);
        } else {
            plaint_buf_reset(&scratch);
            if (plaint_jcs_append_string(&scratch, f->value, f->len, NULL) < 0) {
                rc = plaint_error_set_at(err, PLAINT_EINVALID, f->field, 0, 0,
                                         "%s is not valid UTF-8 text (or contains NUL)",
                                         f->field);
            }
            out[k] = f;
        }
    }
    wipe(&scratch);
    return rc;
}

/* Seals salt || value under dek, stores it (*item_id receives its id), and appends
 * "<field>":{"commit":..,"ref":..} to p. */
static int store_field(plaint_buf *p, int64_t *item_id, plaint_db *db,
                       const unsigned char dek[PLAINT_DEK_LEN], const char *subject_id,
                       const plaint_subject_field *f, plaint_error *err)
{
    unsigned char salt[PLAINT_VAULT_SALT_LEN];
    char commit[PLAINT_VAULT_COMMIT_HEX + 1];
    plaint_buf plain = PLAINT_BUF_INIT;
    plaint_buf sealed = PLAINT_BUF_INIT;
    int rc = plaint_rand_bytes(salt, sizeof(salt), err);

    if (rc == 0) {
        rc = plaint_vault_commit(commit, salt, f->field, f->value, f->len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_reserve(&plain, sizeof(salt) + f->len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(&plain, salt, sizeof(salt), err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(&plain, f->value, f->len, err);
    }
    if (rc == 0) {
        rc = plaint_vault_encrypt_field(&sealed, dek, subject_id, f->field, plain.data,
                                        plain.len, err);
    }
    if (rc == 0) {
        rc = plaint_vault_insert_item(item_id, db, subject_id, f->field, sealed.data, sealed.len,
                                      err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(p, err, "\"%s\":{\"commit\":\"%s\",\"ref\":\"vault:%" PRId64 "\"}",
                               f->field, commit, *item_id);
    }
    OPENSSL_cleanse(salt, sizeof(salt));
    wipe(&plain);
    plaint_buf_clear(&sealed);
    return rc;
}

/* Unwraps a subject's data key (wrapped, as read from its row) with the master key ring. */
static int subject_dek(unsigned char dek[PLAINT_DEK_LEN], const plaint_config *cfg,
                       const plaint_buf *wrapped, const char *subject_id, plaint_error *err)
{
    plaint_keyring *kr = NULL;
    int rc = plaint_app_vault_keyring(&kr, cfg, err);

    if (rc == 0) {
        rc = plaint_dek_unwrap(dek, kr, wrapped->data, wrapped->len, subject_id, err);
    }
    plaint_keyring_free(kr);
    return rc;
}

/* Opens a sealed item into plain (replaced): its salt, then its value. */
static int open_item(plaint_buf *plain, const unsigned char dek[PLAINT_DEK_LEN],
                     const char *subject_id, const char *field, int64_t item_id, const void *sealed,
                     size_t len, plaint_error *err)
{
    int rc;

    plaint_buf_reset(plain);
    rc = plaint_vault_decrypt_field(plain, dek, subject_id, field, sealed, len, err);
    if (rc == 0 && plain->len < PLAINT_VAULT_SALT_LEN) {
        rc = plaint_error_set(err, PLAINT_ETAMPER, "vault item %" PRId64 " is too short", item_id);
    }
    return rc;
}

static int subject_add_tx(plaint_db *db, const plaint_actor *actor, const plaint_keyring *kr,
                          const char *subject_id, const char *record_class,
                          const char *retention_start,
                          const plaint_subject_field *const ordered[MAX_FIELDS],
                          plaint_error *err)
{
    const plaint_masterkey *mk = plaint_keyring_current(kr);
    unsigned char dek[PLAINT_DEK_LEN];
    plaint_buf wrapped = PLAINT_BUF_INIT;
    plaint_buf p = PLAINT_BUF_INIT;
    char case_id[PLAINT_SUBJECT_ID_MAX + 16];
    size_t k;
    int any = 0;
    int rc = plaint_dek_generate(dek, err);

    if (rc == 0) {
        rc = plaint_dek_wrap(&wrapped, mk, dek, subject_id, err);
    }
    if (rc == 0) {
        rc = plaint_vault_insert_subject(db, subject_id, record_class, retention_start,
                                         wrapped.data, wrapped.len, plaint_masterkey_id(mk), err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(&p, err, "{\"class\":\"%s\",\"fields\":{", record_class);
    }
    for (k = 0; rc == 0 && k < MAX_FIELDS; k++) {
        int64_t item_id = 0;
        if (ordered[k] == NULL) {
            continue;
        }
        if (any) {
            rc = plaint_buf_append_str(&p, ",", err);
        }
        if (rc == 0) {
            rc = store_field(&p, &item_id, db, dek, subject_id, ordered[k], err);
        }
        any = 1;
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&p, "}", err);
    }
    if (rc == 0 && retention_start != NULL) {
        rc = plaint_buf_printf(&p, err, ",\"retention_start\":\"%s\"", retention_start);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&p, "}", err);
    }
    if (rc == 0) {
        subject_case(case_id, sizeof(case_id), subject_id);
        rc = plaint_app_record(db, actor, case_id, "subject.recorded", p.data,
                               p.len, err);
    }
    OPENSSL_cleanse(dek, sizeof(dek));
    plaint_buf_clear(&wrapped);
    plaint_buf_clear(&p);
    return rc;
}

int plaint_app_subject_add(plaint_db *db, const plaint_actor *actor, const plaint_config *cfg,
                           const char *subject_id, const char *record_class,
                           const char *retention_start, const plaint_subject_field *fields,
                           size_t nfields, plaint_error *err)
{
    const plaint_subject_field *ordered[MAX_FIELDS];
    plaint_keyring *kr = NULL;
    int rc = plaint_vault_check_subject_id(subject_id, err);

    if (rc == 0) {
        rc = plaint_vault_check_record_class(record_class, err);
    }
    if (rc == 0 && retention_start != NULL) {
        rc = check_date(retention_start, "retention-start", err);
    }
    if (rc == 0) {
        rc = order_fields(ordered, fields, nfields, err);
    }
    if (rc == 0) {
        rc = plaint_app_vault_keyring(&kr, cfg, err);
    }
    if (rc == 0) {
        rc = plaint_db_begin(db, err);
        if (rc == 0) {
            rc = subject_add_tx(db, actor, kr, subject_id, record_class, retention_start, ordered,
                                err);
        }
        rc = plaint_db_finish(db, rc, err);
    }
    plaint_keyring_free(kr);
    return rc;
}

static int add_item_tx(int64_t *item_id, plaint_db *db, const plaint_actor *actor,
                       const plaint_config *cfg, const char *subject_id,
                       const plaint_subject_field *f, plaint_error *err)
{
    plaint_subject_info info;
    plaint_buf wrapped = PLAINT_BUF_INIT;
    plaint_buf p = PLAINT_BUF_INIT;
    unsigned char dek[PLAINT_DEK_LEN];
    char case_id[PLAINT_SUBJECT_ID_MAX + 16];
    /* the lock orders this against a concurrent erasure or rotation */
    int rc = plaint_vault_get_subject(&info, &wrapped, db, subject_id, 1, err);

    memset(dek, 0, sizeof(dek));
    if (rc == 0 && info.erased) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0, "subject '%s' is erased",
                                 subject_id);
    }
    if (rc == 0) {
        rc = subject_dek(dek, cfg, &wrapped, subject_id, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&p, "{\"fields\":{", err);
    }
    if (rc == 0) {
        rc = store_field(&p, item_id, db, dek, subject_id, f, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&p, "}}", err);
    }
    if (rc == 0) {
        subject_case(case_id, sizeof(case_id), subject_id);
        rc = plaint_app_record(db, actor, case_id, "subject.item_added", p.data, p.len, err);
    }
    OPENSSL_cleanse(dek, sizeof(dek));
    plaint_buf_clear(&wrapped);
    plaint_buf_clear(&p);
    return rc;
}

int plaint_app_subject_add_item(char *ref_out, size_t n, plaint_db *db, const plaint_actor *actor,
                                const plaint_config *cfg, const char *subject_id, const char *field,
                                const char *value, size_t len, plaint_error *err)
{
    const plaint_subject_field *ordered[MAX_FIELDS];
    plaint_subject_field f;
    int64_t item_id = 0;
    int own = 0;
    int rc;

    if (n > 0) {
        ref_out[0] = '\0';
    }
    if (n < PLAINT_VAULT_REF_LEN) {
        return plaint_error_set(err, PLAINT_ERANGE, "a vault reference needs %d bytes",
                                PLAINT_VAULT_REF_LEN);
    }
    f.field = field != NULL ? field : "";
    f.value = value;
    f.len = len;
    rc = plaint_vault_check_subject_id(subject_id, err);
    if (rc == 0) {
        rc = order_fields(ordered, &f, 1, err);
    }
    if (rc == 0 && !plaint_vault_tx_open(db)) {
        own = 1;
        rc = plaint_db_begin(db, err);
    }
    if (rc == 0) {
        rc = add_item_tx(&item_id, db, actor, cfg, subject_id, &f, err);
    }
    if (own) {
        rc = plaint_db_finish(db, rc, err);
    }
    if (rc == 0) {
        snprintf(ref_out, n, "vault:%" PRId64, item_id);
    }
    return rc;
}

int plaint_app_narrative_seal(char *ref_out, size_t n, plaint_db *db, const plaint_actor *actor,
                              const plaint_config *cfg, const char *customer_id,
                              const char *narrative, plaint_error *err)
{
    char subject[PLAINT_SUBJECT_ID_MAX + 1];
    plaint_error e;
    int rc;

    if (n > 0) {
        ref_out[0] = '\0';
    }
    if (narrative == NULL || narrative[0] == '\0') {
        return 0;
    }
    rc = plaint_vault_customer_subject(subject, db, customer_id, err);
    if (rc != 0 || subject[0] == '\0') {
        return rc;
    }
    if (cfg == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "customer", 0, 0,
                                   "customer '%s' has a vault subject: its narrative needs the "
                                   "master keys, and no configuration was given",
                                   customer_id);
    }
    plaint_error_init(&e);
    rc = plaint_app_subject_add_item(ref_out, n, db, actor, cfg, subject, "narrative", narrative,
                                     strlen(narrative), &e);
    if ((rc == PLAINT_ENOTFOUND || rc == PLAINT_EINVALID) && strcmp(e.field, "subject") == 0) {
        /* the customer's subject is missing or erased: bad input for this complaint */
        return plaint_error_set_at(err, PLAINT_EINVALID, "customer", 0, 0,
                                   "customer '%s': its narrative is personal data and cannot be "
                                   "sealed: %s",
                                   customer_id, e.message);
    }
    if (rc != 0 && err != NULL) {
        *err = e;
    }
    return rc;
}

/* May actor customer.read? Decided without logging: a withheld value is no refusal.
 * Declared in complaint_internal.h; the case report (report_pdf_ops.c) uses it too. */
int plaint_may_read_customer(int *allowed, plaint_authz *az, const plaint_actor *actor,
                             plaint_error *err)
{
    plaint_rbac_decision d;
    plaint_rbac_context ctx;
    const char *roles[PLAINT_MAX_ROLES];
    size_t i;
    int rc;

    *allowed = 0;
    if (actor->bootstrap) {
        *allowed = 1; /* no users yet: the policy is not in force */
        return 0;
    }
    for (i = 0; i < actor->user.nroles && i < PLAINT_MAX_ROLES; i++) {
        roles[i] = actor->user.roles[i];
    }
    memset(&ctx, 0, sizeof(ctx));
    ctx.user_id = actor->user.user_id;
    rc = plaint_rbac_decide(&d, plaint_authz_policy(az), roles, i, "customer.read", &ctx, err);
    if (rc == 0) {
        *allowed = d.allowed;
    }
    return rc;
}

/* "vault:<digits>" -> item id; PLAINT_EINVALID otherwise. */
static int parse_ref(int64_t *item_id, const char *ref, plaint_error *err)
{
    const char *d = ref != NULL && strncmp(ref, "vault:", 6) == 0 ? ref + 6 : NULL;
    int64_t v = 0;

    if (d == NULL || *d == '\0' || strlen(d) > 18) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "ref", 0, 0,
                                   "'%s' is not a vault reference (vault:<id>)",
                                   ref != NULL ? ref : "");
    }
    for (; *d != '\0'; d++) {
        if (*d < '0' || *d > '9') {
            return plaint_error_set_at(err, PLAINT_EINVALID, "ref", 0, 0,
                                       "'%s' is not a vault reference (vault:<id>)", ref);
        }
        v = v * 10 + (*d - '0');
    }
    *item_id = v;
    return 0;
}

static int narrative_open_tx(plaint_buf *out, plaint_vault_view *view, plaint_db *db,
                             plaint_authz *az, const plaint_actor *actor, const plaint_config *cfg,
                             const char *customer_id, int64_t item_id, plaint_error *err)
{
    char subject[PLAINT_SUBJECT_ID_MAX + 1];
    char item_subject[PLAINT_SUBJECT_ID_MAX + 1];
    char field[PLAINT_VAULT_FIELD_MAX + 1];
    plaint_subject_info info;
    plaint_buf wrapped = PLAINT_BUF_INIT;
    plaint_buf sealed = PLAINT_BUF_INIT;
    plaint_buf plain = PLAINT_BUF_INIT;
    unsigned char dek[PLAINT_DEK_LEN];
    int allowed = 0;
    int rc = plaint_vault_customer_subject(subject, db, customer_id, err);

    memset(dek, 0, sizeof(dek));
    if (rc == 0 && subject[0] == '\0') {
        rc = plaint_error_set_at(err, PLAINT_ETAMPER, "customer", 0, 0,
                                 "the narrative is in the vault but customer '%s' names no "
                                 "vault subject",
                                 customer_id != NULL ? customer_id : "");
    }
    if (rc == 0) {
        rc = plaint_vault_get_subject(&info, &wrapped, db, subject, 0, err);
    }
    if (rc == 0 && info.erased) {
        *view = PLAINT_VAULT_ERASED;
        goto done;
    }
    if (rc == 0) {
        rc = plaint_may_read_customer(&allowed, az, actor, err);
    }
    if (rc == 0 && !allowed) {
        *view = PLAINT_VAULT_WITHHELD;
        goto done;
    }
    if (rc == 0) {
        rc = plaint_vault_get_item(&sealed, item_subject, field, db, item_id, err);
    }
    if (rc == 0 && (strcmp(item_subject, subject) != 0 || strcmp(field, "narrative") != 0)) {
        rc = plaint_error_set(err, PLAINT_ETAMPER,
                              "vault:%" PRId64 " is not a narrative of subject '%s'", item_id,
                              subject);
    }
    if (rc == 0) {
        rc = subject_dek(dek, cfg, &wrapped, subject, err);
    }
    if (rc == 0) {
        rc = open_item(&plain, dek, subject, field, item_id, sealed.data, sealed.len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, plain.data + PLAINT_VAULT_SALT_LEN,
                               plain.len - PLAINT_VAULT_SALT_LEN, err);
    }
    if (rc == 0) {
        *view = PLAINT_VAULT_SHOWN;
    }
done:
    OPENSSL_cleanse(dek, sizeof(dek));
    wipe(&plain);
    plaint_buf_clear(&sealed);
    plaint_buf_clear(&wrapped);
    return rc;
}

int plaint_app_narrative_open(plaint_buf *out, plaint_vault_view *view, plaint_db *db,
                              plaint_authz *az, const plaint_actor *actor, const plaint_config *cfg,
                              const char *customer_id, const char *narrative_ref, plaint_error *err)
{
    int64_t item_id = 0;
    int rc = parse_ref(&item_id, narrative_ref, err);

    *view = PLAINT_VAULT_WITHHELD;
    plaint_buf_reset(out);
    if (rc != 0) {
        return rc;
    }
    rc = plaint_db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    if (rc == 0) {
        rc = narrative_open_tx(out, view, db, az, actor, cfg, customer_id, item_id, err);
        rc = plaint_db_finish(db, rc, err);
    }
    if (rc != 0) {
        *view = PLAINT_VAULT_WITHHELD;
        plaint_buf_reset(out);
    }
    return rc;
}

int plaint_app_subject_set_retention(plaint_db *db, const plaint_actor *actor,
                                     const char *subject_id, const char *date, plaint_error *err)
{
    plaint_subject_info info;
    plaint_buf p = PLAINT_BUF_INIT;
    char case_id[PLAINT_SUBJECT_ID_MAX + 16];
    int rc = plaint_vault_check_subject_id(subject_id, err);

    if (rc == 0) {
        rc = check_date(date, "start", err);
    }
    if (rc < 0) {
        return rc;
    }
    rc = plaint_db_begin(db, err);
    if (rc == 0) {
        rc = plaint_vault_get_subject(&info, NULL, db, subject_id, 1, err);
    }
    if (rc == 0) {
        rc = plaint_vault_set_retention_start(db, subject_id, date, err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(&p, err, "{\"start\":\"%s\"}", date);
    }
    if (rc == 0) {
        subject_case(case_id, sizeof(case_id), subject_id);
        rc = plaint_app_record(db, actor, case_id, "subject.retention_started", p.data,
                               p.len, err);
    }
    plaint_buf_clear(&p);
    return plaint_db_finish(db, rc, err);
}

int plaint_app_subject_erase(plaint_db *db, const plaint_actor *actor, const char *subject_id,
                             const char *reason, plaint_error *err)
{
    int rc = check_text(reason, PLAINT_VAULT_REASON_MAX, "reason", err);

    if (rc == 0) {
        rc = plaint_vault_erase_subject(db, actor, subject_id, reason, "request", err);
    }
    return rc;
}

int plaint_app_hold_add(int64_t *hold_id, plaint_db *db, const plaint_actor *actor,
                        const char *subject_id, const char *reason, plaint_error *err)
{
    plaint_subject_info info;
    plaint_buf p = PLAINT_BUF_INIT;
    char case_id[PLAINT_SUBJECT_ID_MAX + 16];
    int rc = plaint_vault_check_subject_id(subject_id, err);

    *hold_id = 0;
    if (rc == 0) {
        rc = check_text(reason, PLAINT_VAULT_REASON_MAX, "reason", err);
    }
    if (rc < 0) {
        return rc;
    }
    rc = plaint_db_begin(db, err);
    if (rc == 0) {
        /* the lock orders this against a concurrent erasure */
        rc = plaint_vault_get_subject(&info, NULL, db, subject_id, 1, err);
    }
    if (rc == 0 && info.erased) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "subject", 0, 0,
                                 "subject '%s' is erased", subject_id);
    }
    if (rc == 0) {
        rc = plaint_vault_insert_hold(hold_id, db, subject_id, reason, actor->user.user_id, err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(&p, err, "{\"hold\":%" PRId64 ",\"reason\":", *hold_id);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(&p, reason, strlen(reason), err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&p, "}", err);
    }
    if (rc == 0) {
        subject_case(case_id, sizeof(case_id), subject_id);
        rc = plaint_app_record(db, actor, case_id, "hold.placed", p.data,
                               p.len, err);
    }
    plaint_buf_clear(&p);
    return plaint_db_finish(db, rc, err);
}

int plaint_app_hold_release(plaint_hold_info *out, plaint_db *db, const plaint_actor *actor,
                            int64_t hold_id, plaint_error *err)
{
    plaint_buf p = PLAINT_BUF_INIT;
    char case_id[PLAINT_SUBJECT_ID_MAX + 16];
    int rc = plaint_db_begin(db, err);

    if (rc == 0) {
        rc = plaint_vault_release_hold(out, db, hold_id, actor->user.user_id, err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(&p, err, "{\"hold\":%" PRId64 "}", hold_id);
    }
    if (rc == 0) {
        subject_case(case_id, sizeof(case_id), out->subject_id);
        rc = plaint_app_record(db, actor, case_id, "hold.released", p.data,
                               p.len, err);
    }
    plaint_buf_clear(&p);
    return plaint_db_finish(db, rc, err);
}

/* ---- export ---- */

typedef struct export_ctx {
    plaint_buf *out;
    const char *subject_id;
    unsigned char dek[PLAINT_DEK_LEN];
    plaint_buf plain;
    plaint_buf items; /* "items": every value with its reference, appended after the holds */
    unsigned seen;    /* bit k: FIELD_NAMES[k] is in "fields" already */
    int n;
} export_ctx;

static int append_time(plaint_buf *out, int64_t us, int date_only, plaint_error *err)
{
    char ts[PLAINT_TIME_LEN + 1];
    int rc = plaint_time_format(ts, us, err);

    if (rc == 0 && date_only) {
        ts[10] = '\0';
    }
    if (rc == 0) {
        rc = plaint_buf_printf(out, err, "\"%s\"", ts);
    }
    return rc;
}

/* The first value of each field goes to "fields"; every value, with its reference, to
 * "items" (a subject may hold several narratives, one per complaint). */
static int export_item(int64_t item_id, const char *field, const void *sealed, size_t len,
                       void *arg, plaint_error *err)
{
    export_ctx *c = arg;
    const char *value;
    size_t vlen;
    size_t k = field_index(field);
    int rc = open_item(&c->plain, c->dek, c->subject_id, field, item_id, sealed, len, err);

    if (rc != 0) {
        return rc;
    }
    value = c->plain.data + PLAINT_VAULT_SALT_LEN;
    vlen = c->plain.len - PLAINT_VAULT_SALT_LEN;
    if (k < MAX_FIELDS && !(c->seen & (1u << k))) {
        c->seen |= 1u << k;
        rc = plaint_buf_printf(c->out, err, "%s\"%s\":", c->n > 0 ? "," : "", field);
        if (rc == 0) {
            rc = plaint_jcs_append_string(c->out, value, vlen, err);
        }
        c->n++;
    }
    if (rc == 0) {
        rc = plaint_buf_printf(&c->items, err,
                               "%s{\"field\":\"%s\",\"ref\":\"vault:%" PRId64 "\",\"value\":",
                               c->items.len > 0 ? "," : "", field, item_id);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(&c->items, value, vlen, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(&c->items, "}", err);
    }
    return rc;
}

static int export_hold(const plaint_hold_info *h, void *arg, plaint_error *err)
{
    export_ctx *c = arg;
    plaint_buf *o = c->out;
    int rc = plaint_buf_printf(o, err, "%s{\"hold\":%" PRId64 ",\"placed_at\":",
                               c->n > 0 ? "," : "", h->hold_id);

    if (rc == 0) {
        rc = append_time(o, h->placed_at_us, 0, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, ",\"placed_by\":", err);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(o, h->placed_by, strlen(h->placed_by), err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, ",\"reason\":", err);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(o, h->reason, strlen(h->reason), err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, ",\"released_at\":", err);
    }
    if (rc == 0 && h->released) {
        rc = append_time(o, h->released_at_us, 0, err);
    } else if (rc == 0) {
        rc = plaint_buf_append_str(o, "null", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, ",\"released_by\":", err);
    }
    if (rc == 0 && h->released) {
        rc = plaint_jcs_append_string(o, h->released_by, strlen(h->released_by), err);
    } else if (rc == 0) {
        rc = plaint_buf_append_str(o, "null", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, "}", err);
    }
    c->n++;
    return rc;
}

static int export_event(const plaint_ledger_row *row, void *arg, plaint_error *err)
{
    export_ctx *c = arg;
    plaint_buf *o = c->out;
    const plaint_event *ev = &row->ev;
    int rc = plaint_buf_printf(o, err, "%s{\"actor\":", c->n > 0 ? "," : "");

    if (rc == 0) {
        rc = plaint_jcs_append_string(o, ev->actor, ev->actor_len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, ",\"payload\":", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(o, ev->payload, ev->payload_len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, ",\"role\":", err);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(o, ev->role, ev->role_len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(o, err, ",\"seq\":%" PRId64 ",\"time\":", ev->case_seq);
    }
    if (rc == 0) {
        rc = append_time(o, ev->time_us, 0, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, ",\"type\":", err);
    }
    if (rc == 0) {
        rc = plaint_jcs_append_string(o, ev->type, ev->type_len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, "}", err);
    }
    c->n++;
    return rc;
}

static int export_tx(export_ctx *c, plaint_db *db, const plaint_config *cfg,
                     plaint_error *err)
{
    plaint_subject_info info;
    plaint_buf wrapped = PLAINT_BUF_INIT;
    plaint_buf *o = c->out;
    char case_id[PLAINT_SUBJECT_ID_MAX + 16];
    int rc = plaint_vault_get_subject(&info, &wrapped, db, c->subject_id, 0, err);

    if (rc == 0) {
        rc = plaint_buf_printf(o, err, "{\"class\":\"%s\",\"erased\":%s,\"erased_at\":",
                               info.record_class, info.erased ? "true" : "false");
    }
    if (rc == 0 && info.erased) {
        rc = append_time(o, info.erased_at_us, 0, err);
    } else if (rc == 0) {
        rc = plaint_buf_append_str(o, "null", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, ",\"events\":[", err);
    }
    if (rc == 0) {
        c->n = 0;
        subject_case(case_id, sizeof(case_id), c->subject_id);
        rc = plaint_ledger_read_case(db, case_id, export_event, c, err);
        if (rc == PLAINT_ENOTFOUND) {
            rc = 0;
        }
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, "],\"fields\":{", err);
    }
    if (rc == 0 && !info.erased) {
        rc = subject_dek(c->dek, cfg, &wrapped, c->subject_id, err);
        if (rc == 0) {
            c->n = 0;
            rc = plaint_vault_read_items(db, c->subject_id, export_item, c, err);
        }
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, "},\"holds\":[", err);
    }
    if (rc == 0) {
        c->n = 0;
        rc = plaint_vault_list_holds(db, c->subject_id, export_hold, c, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, "],\"items\":[", err);
    }
    if (rc == 0 && c->items.len > 0) {
        rc = plaint_buf_append(o, c->items.data, c->items.len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(o, "],\"retention_start\":", err);
    }
    if (rc == 0 && info.retention_start_us != 0) {
        rc = append_time(o, info.retention_start_us, 1, err);
    } else if (rc == 0) {
        rc = plaint_buf_append_str(o, "null", err);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(o, err, ",\"subject\":\"%s\"}", c->subject_id);
    }
    plaint_buf_clear(&wrapped);
    return rc;
}

int plaint_app_subject_export(plaint_buf *out, plaint_db *db, const plaint_config *cfg,
                              const char *subject_id, plaint_error *err)
{
    export_ctx c;
    int rc = plaint_vault_check_subject_id(subject_id, err);

    if (rc < 0) {
        return rc;
    }
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.subject_id = subject_id;
    rc = plaint_db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    if (rc == 0) {
        rc = export_tx(&c, db, cfg, err);
        rc = plaint_db_finish(db, rc, err);
    }
    OPENSSL_cleanse(c.dek, sizeof(c.dek));
    wipe(&c.plain);
    wipe(&c.items);
    return rc;
}

/* ---- rotation ---- */

typedef struct rotate_ctx {
    const plaint_keyring *kr;
    const plaint_masterkey *new_mk;
    plaint_db *db;
    plaint_buf blob;
    int64_t n;
} rotate_ctx;

static int rewrap_one(const char *subject_id, const void *wrapped, size_t len, void *arg,
                      plaint_error *err)
{
    rotate_ctx *c = arg;
    int rc;

    plaint_buf_reset(&c->blob);
    rc = plaint_dek_rewrap(&c->blob, c->kr, c->new_mk, wrapped, len, subject_id, err);
    if (rc == 0) {
        rc = plaint_vault_update_wrapped_key(c->db, subject_id, c->blob.data, c->blob.len,
                                             plaint_masterkey_id(c->new_mk), err);
    }
    if (rc == 0) {
        c->n++;
    }
    return rc;
}

/* Loads every key file of dir except new_name into kr, collecting their ids ("from" array,
 * JSON) and paths (one per line). */
static int load_old_keys(plaint_keyring *kr, plaint_buf *from, plaint_buf *paths,
                         const char *dir, const char *new_name, plaint_error *err)
{
    struct dirent **names = NULL;
    char path[PLAINT_CONFIG_PATH_MAX + 300];
    int count = 0;
    int i;
    int first = 1;
    int rc = list_key_files(&names, &count, dir, err);

    if (rc == 0) {
        rc = plaint_buf_append_str(from, "[", err);
    }
    for (i = 0; rc == 0 && i < count; i++) {
        plaint_masterkey *mk = NULL;
        if (strcmp(names[i]->d_name, new_name) == 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        rc = plaint_masterkey_load(&mk, path, err);
        if (rc == 0) {
            rc = plaint_buf_printf(from, err, "%s\"%s\"", first ? "" : ",",
                                   plaint_masterkey_id(mk));
            first = 0;
        }
        if (rc == 0) {
            rc = plaint_buf_printf(paths, err, "%s\n", path);
        }
        if (rc == 0) {
            rc = plaint_keyring_add(kr, mk, err);
            if (rc == 0) {
                mk = NULL;
            }
        }
        plaint_masterkey_free(mk);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(from, "]", err);
    }
    free_names(names, count);
    return rc;
}

static int rotate_tx(plaint_rotation *out, rotate_ctx *c, const plaint_actor *actor,
                     const plaint_buf *from, plaint_error *err)
{
    plaint_buf p = PLAINT_BUF_INIT;
    int rc = plaint_vault_lock_wrapped_keys(c->db, rewrap_one, c, err);
    int64_t moved = 0;

    if (rc == 0) {
        rc = plaint_vault_count_wrapped_by(&moved, c->db, out->new_key_id, err);
    }
    /* every data key was locked and rewrapped: all must now name the new master key */
    if (rc == 0 && moved != c->n) {
        rc = plaint_error_set(err, PLAINT_ERROR,
                              "rotation: %" PRId64 " data keys rewrapped but %" PRId64
                              " name the new key",
                              c->n, moved);
    }
    if (rc == 0) {
        rc = plaint_buf_printf(&p, err, "{\"from\":%s,\"to\":\"%s\"}", from->data,
                               out->new_key_id);
    }
    if (rc == 0) {
        rc = plaint_app_record(c->db, actor, "keys", "keys.rotated", p.data, p.len, err);
    }
    out->rewrapped = c->n;
    plaint_buf_clear(&p);
    return rc;
}

int plaint_app_keys_rotate(plaint_rotation *out, plaint_db *db, const plaint_actor *actor,
                           const plaint_config *cfg, plaint_error *err)
{
    char dir[PLAINT_CONFIG_PATH_MAX + 16];
    const char *env = getenv(PLAINT_MASTER_KEY_ENV);
    plaint_keyring *kr = NULL;
    plaint_masterkey *mk = NULL;
    plaint_buf from = PLAINT_BUF_INIT;
    rotate_ctx c;
    int rc;

    memset(&c, 0, sizeof(c));
    memset(out->new_key_id, 0, sizeof(out->new_key_id));
    out->new_key_path[0] = '\0';
    out->rewrapped = 0;
    if (env != NULL && env[0] != '\0') {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "%s is set and would stay the current master key: rotation "
                                "writes key files; unset it and keep the key in a file",
                                PLAINT_MASTER_KEY_ENV);
    }
    rc = plaint_app_vault_key_dir(dir, sizeof(dir), cfg, err);
    if (rc == 0) {
        rc = plaint_keyring_new(&kr, err);
    }
    if (rc == 0) {
        rc = load_old_keys(kr, &from, &out->old_paths, dir, "", err);
    }
    if (rc == 0 && plaint_keyring_count(kr) == 0) {
        rc = plaint_error_set(err, PLAINT_EIO,
                              "no master key in %s: run 'plaint keys master-init'", dir);
    }
    if (rc == 0) {
        rc = plaint_masterkey_generate(&mk, err);
    }
    /* The new key is on disk before any data key names it. */
    if (rc == 0) {
        rc = write_new_key(out->new_key_path, sizeof(out->new_key_path), mk, dir, err);
    }
    if (rc == 0) {
        snprintf(out->new_key_id, sizeof(out->new_key_id), "%s", plaint_masterkey_id(mk));
        rc = plaint_keyring_add(kr, mk, err);
        if (rc == 0) {
            mk = NULL;
        }
    }
    if (rc == 0) {
        c.kr = kr;
        c.new_mk = plaint_keyring_current(kr);
        c.db = db;
        rc = plaint_db_begin(db, err);
        if (rc == 0) {
            rc = rotate_tx(out, &c, actor, &from, err);
        }
        rc = plaint_db_finish(db, rc, err);
    }
    plaint_masterkey_free(mk);
    plaint_keyring_free(kr);
    plaint_buf_clear(&from);
    plaint_buf_clear(&c.blob);
    return rc;
}
