/* The outbox dispatcher: claims each due message with an advisory lock, resolves the recipient's
 * address in the vault, sends it by SMTP and records the attempt on the complaint's ledger.
 * Exactly-once is not possible across two systems; docs/email.md describes the at-least-once
 * window this leaves (accepted by the server, not yet recorded) and the stable Message-ID that
 * lets a receiver drop a duplicate. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "app/complaint_internal.h"
#include "net/smtp_client.h"
#include "net/smtp_message.h"
#include "plaint/app_access.h"
#include "plaint/app_outbox.h"
#include "plaint/app_vault.h"
#include "plaint/complaint_store.h"
#include "plaint/vault.h"
#include "plaint/vault_crypto.h"
#include "plaint/vault_keys.h"
#include "plaint/vault_store.h"

/* The due messages, oldest first: queued, attempts left, the last failure (an event on the
 * complaint's chain) not final and its back-off elapsed. $5 narrows to one message (re-check
 * under the lock). The wait is min(cap, base * 2^(attempts-1)) seconds after the last failure. */
static const char *const SQL_DUE =
    "SELECT COALESCE(jsonb_agg(to_jsonb(x) ORDER BY x.queued_at, x.message_id), '[]') FROM ("
    " SELECT o.message_id, o.ref, o.kind, o.recipient, o.subject, o.body, o.attempts,"
    "  o.queued_at"
    " FROM plaint.outbox o"
    " LEFT JOIN LATERAL ("
    "  SELECT e.occurred_at AS failed_at,"
    "   COALESCE((e.payload::jsonb ->> 'final')::boolean, false) AS final"
    "  FROM plaint.ledger_event e"
    "  WHERE e.case_id = o.ref AND e.event_type = 'notification.failed'"
    "   AND e.payload::jsonb ->> 'message' = o.message_id"
    "  ORDER BY e.case_seq DESC LIMIT 1) f ON true"
    " WHERE o.status = 'queued' AND o.attempts < $1::int"
    "  AND ($5::text IS NULL OR o.message_id = $5)"
    "  AND NOT COALESCE(f.final, false)"
    "  AND (f.failed_at IS NULL OR f.failed_at + LEAST($3::float8, $2::float8 *"
    "   power(2::float8, LEAST(GREATEST(o.attempts - 1, 0), 60)::float8)) * interval '1 second'"
    "   <= clock_timestamp())"
    " ORDER BY o.queued_at, o.message_id LIMIT $4::bigint) x";

static const char *const SQL_TRY_LOCK =
    "SELECT pg_try_advisory_lock(hashtextextended('outbox:' || $1, 7))::int";
static const char *const SQL_UNLOCK =
    "SELECT pg_advisory_unlock(hashtextextended('outbox:' || $1, 7))::int";
static const char *const SQL_STATUS =
    "SELECT to_jsonb(o.status) FROM plaint.outbox o WHERE o.message_id = $1";

typedef struct run {
    plaint_db *db;
    const plaint_actor *actor;
    const plaint_config *cfg;
    plaint_outbox_send_opts o; /* with defaults filled in */
    plaint_smtp_settings smtp;
    plaint_keyring *kr; /* loaded on the first address lookup */
} run;

static int64_t wait_for(const run *r, int64_t attempts)
{
    int64_t w = r->o.backoff;
    int64_t i;

    for (i = 1; i < attempts && w < r->o.backoff_max; i++) {
        w *= 2;
    }
    return w < r->o.backoff_max ? w : r->o.backoff_max;
}

int plaint_app_outbox_check_server(const plaint_outbox_send_opts *o, plaint_error *err)
{
    const char *u = o->smtp_url;

    if (u == NULL || u[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "smtp", 0, 0,
                                   "smtp: no SMTP server given (--smtp URL or PLAINT_SMTP_URL)");
    }
    if (strncmp(u, "smtp://", 7) != 0 && strncmp(u, "smtps://", 8) != 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "smtp", 0, 0,
                                   "smtp: the URL must start with smtp:// or smtps://");
    }
    if (o->from == NULL || o->from[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "from", 0, 0,
                                   "from: no sender address given (--from or PLAINT_SMTP_FROM)");
    }
    return plaint_smtp_check_address(o->from, "from", err);
}

static int check_opts(run *r, plaint_error *err)
{
    const char *u = r->o.smtp_url;
    int rc = plaint_app_outbox_check_server(&r->o, err);

    if (rc < 0) {
        return rc;
    }
    if (r->o.limit < 0 || r->o.max_attempts < 0 || r->o.backoff < 0 || r->o.backoff_max < 0 ||
        r->o.max_attempts > 1000) {
        return plaint_error_set(err, PLAINT_EINVALID, "negative or too large dispatcher option");
    }
    r->o.limit = r->o.limit > 0 ? r->o.limit : PLAINT_OUTBOX_DEFAULT_LIMIT;
    r->o.max_attempts =
        r->o.max_attempts > 0 ? r->o.max_attempts : PLAINT_OUTBOX_DEFAULT_MAX_ATTEMPTS;
    r->o.backoff = r->o.backoff > 0 ? r->o.backoff : PLAINT_OUTBOX_DEFAULT_BACKOFF;
    r->o.backoff_max = r->o.backoff_max > 0 ? r->o.backoff_max : PLAINT_OUTBOX_DEFAULT_BACKOFF_MAX;
    if (r->o.backoff_max < r->o.backoff) {
        r->o.backoff_max = r->o.backoff;
    }
    r->smtp.url = u;
    r->smtp.from = r->o.from;
    r->smtp.connect_timeout_s = 10;
    r->smtp.timeout_s = r->o.timeout;
    return 0;
}

static int due(json_t **out, const run *r, const char *message_id, plaint_error *err)
{
    char a[24];
    char b[24];
    char c[24];
    char l[24];
    const char *params[5] = {a, b, c, l, message_id};

    snprintf(a, sizeof(a), "%" PRId64, r->o.max_attempts);
    snprintf(b, sizeof(b), "%" PRId64, r->o.backoff);
    snprintf(c, sizeof(c), "%" PRId64, r->o.backoff_max);
    snprintf(l, sizeof(l), "%" PRId64, r->o.limit);
    return plaint_pg_query_json(out, r->db, SQL_DUE, 5, params, err);
}

typedef struct email_item {
    plaint_buf sealed;
    int found;
} email_item;

static int take_email(int64_t item_id, const char *field, const void *sealed, size_t len, void *arg,
                      plaint_error *err)
{
    email_item *e = arg;

    (void)item_id;
    if (e->found || strcmp(field, "email") != 0) {
        return 0;
    }
    e->found = 1;
    return plaint_buf_append(&e->sealed, sealed, len, err);
}

/* The customer's e-mail address from the vault into addr. When there is none to be had (no
 * customer, no subject, erased, no e-mail, not a usable address) returns 0 with addr "" and the
 * reason in why; errors reading the vault or its keys are returned. */
static int lookup_address(char addr[PLAINT_SMTP_ADDR_MAX + 1], char *why, size_t nwhy, run *r,
                          const char *customer_id, plaint_error *err)
{
    char subject[PLAINT_SUBJECT_ID_MAX + 1];
    plaint_subject_info info;
    plaint_buf wrapped = PLAINT_BUF_INIT;
    plaint_buf plain = PLAINT_BUF_INIT;
    email_item e = {PLAINT_BUF_INIT, 0};
    unsigned char dek[PLAINT_DEK_LEN];
    plaint_error ignored;
    int rc = 0;

    addr[0] = '\0';
    memset(dek, 0, sizeof(dek));
    if (customer_id == NULL) {
        snprintf(why, nwhy, "no recipient: the complaint names no customer");
        return 0;
    }
    rc = plaint_vault_customer_subject(subject, r->db, customer_id, err);
    if (rc == 0 && subject[0] == '\0') {
        snprintf(why, nwhy, "no e-mail address: customer %s names no vault subject", customer_id);
        goto done;
    }
    if (rc == 0) {
        rc = plaint_vault_get_subject(&info, &wrapped, r->db, subject, 0, err);
    }
    if (rc == 0 && info.erased) {
        snprintf(why, nwhy, "no e-mail address: the vault subject of customer %s was erased",
                 customer_id);
        goto done;
    }
    if (rc == 0) {
        rc = plaint_vault_read_items(r->db, subject, take_email, &e, err);
    }
    if (rc == 0 && !e.found) {
        snprintf(why, nwhy, "no e-mail address: the vault subject of customer %s has none",
                 customer_id);
        goto done;
    }
    if (rc == 0 && r->kr == NULL) {
        rc = plaint_app_vault_keyring(&r->kr, r->cfg, err);
    }
    if (rc == 0) {
        rc = plaint_dek_unwrap(dek, r->kr, wrapped.data, wrapped.len, subject, err);
    }
    if (rc == 0) {
        rc = plaint_vault_decrypt_field(&plain, dek, subject, "email", e.sealed.data, e.sealed.len,
                                        err);
    }
    if (rc == 0 && plain.len < PLAINT_VAULT_SALT_LEN) {
        rc = plaint_error_set(err, PLAINT_ETAMPER, "the e-mail item of subject %s is too short",
                              subject);
    }
    if (rc == 0) {
        size_t n = plain.len - PLAINT_VAULT_SALT_LEN;

        if (n > PLAINT_SMTP_ADDR_MAX) {
            snprintf(why, nwhy, "the e-mail address of customer %s is too long", customer_id);
        } else {
            memcpy(addr, plain.data + PLAINT_VAULT_SALT_LEN, n);
            addr[n] = '\0';
            plaint_error_init(&ignored);
            if (strlen(addr) != n || plaint_smtp_check_address(addr, "email", &ignored) != 0) {
                /* the reason names a position only: the address itself is personal data */
                snprintf(why, nwhy, "the e-mail address of customer %s is not usable (%s)",
                         customer_id, ignored.message[0] != '\0' ? ignored.message : "NUL");
                OPENSSL_cleanse(addr, PLAINT_SMTP_ADDR_MAX + 1);
                addr[0] = '\0';
            }
        }
    }
done:
    OPENSSL_cleanse(dek, sizeof(dek));
    if (plain.data != NULL) {
        OPENSSL_cleanse(plain.data, plain.len);
    }
    plaint_buf_clear(&plain);
    plaint_buf_clear(&e.sealed);
    plaint_buf_clear(&wrapped);
    return rc;
}

/* Appends one notification.* event to the complaint's chain in its own transaction with the
 * complaint locked, after checking the message is still queued. The idempotency key makes a
 * repeated append of the same attempt (after an ambiguous commit) record it once. Retries
 * serialisation conflicts a few times. */
static int record(const run *r, const char *ref, const char *message_id, const char *type,
                  json_t *payload, const char *idem, plaint_error *err)
{
    plaint_event_list ev = PLAINT_EVENT_LIST_INIT;
    json_t *status = NULL;
    const char *params[1] = {message_id};
    int tries;
    int rc = 0;

    for (tries = 0; tries < 4; tries++) {
        rc = plaint_db_begin(r->db, err);
        if (rc == 0) {
            rc = plaint_complaint_lock(r->db, ref, err);
        }
        if (rc == 0) {
            rc = plaint_pg_query_json(&status, r->db, SQL_STATUS, 1, params, err);
        }
        if (rc == 0 &&
            (!json_is_string(status) || strcmp(json_string_value(status), "queued") != 0)) {
            rc = plaint_error_set(
                err, PLAINT_ECONFLICT, "message %s is no longer queued (status %s): not recorded",
                message_id, json_is_string(status) ? json_string_value(status) : "none");
            tries = 4; /* not a serialisation conflict: do not retry */
        }
        json_decref(status);
        status = NULL;
        if (rc == 0) {
            plaint_events_reset(&ev);
            rc = plaint_events_add(&ev, ref, type, json_incref(payload), idem, err);
        }
        if (rc == 0) {
            rc = plaint_app_write_events(r->db, r->actor, &ev, NULL, err);
        }
        rc = plaint_db_finish(r->db, rc, err);
        if (rc != PLAINT_ECONFLICT) {
            break;
        }
    }
    plaint_events_clear(&ev);
    json_decref(payload);
    return rc;
}

static int unlock(const run *r, const char *message_id, plaint_error *err)
{
    const char *params[1] = {message_id};
    int64_t ok = 0;

    return plaint_pg_query_int(&ok, r->db, SQL_UNLOCK, 1, params, err);
}

/* An acknowledgement as sent: the body queued on the ledger and, for the customer only, the
 * access code of the status page (docs/web.md). The code is derived when the message is sent and
 * is stored nowhere; other kinds of message go out as queued (out stays empty). */
static int with_access_code(plaint_buf *out, const run *r, const json_t *m, plaint_error *err)
{
    char code[PLAINT_ACCESS_CODE_LEN + 1];
    const char *ref = plaint_cj_str(m, "ref");
    int rc;

    if (strcmp(plaint_cj_str(m, "kind") != NULL ? plaint_cj_str(m, "kind") : "",
               "acknowledgement") != 0 ||
        ref == NULL) {
        return 0;
    }
    rc = plaint_app_access_code(code, r->cfg, ref, err);
    if (rc == 0) {
        rc = plaint_buf_printf(out, err,
                               "%s\nTo follow your complaint online, open our status page and "
                               "enter the reference number %s with this access code:\n\n    %s"
                               "\n\nKeep the code to yourself: with the reference number it "
                               "shows your complaint's progress.\n",
                               plaint_cj_str(m, "body") != NULL ? plaint_cj_str(m, "body") : "",
                               ref, code);
    }
    OPENSSL_cleanse(code, sizeof(code));
    return rc;
}

/* Sends one claimed message and records the outcome. */
static int deliver(plaint_outbox_outcome *oc, plaint_outbox_totals *t, run *r, const json_t *m,
                   char *errtext, size_t nerr, plaint_error *err)
{
    const char *id = plaint_cj_str(m, "message_id");
    const char *ref = plaint_cj_str(m, "ref");
    char addr[PLAINT_SMTP_ADDR_MAX + 1];
    char msgid[PLAINT_SMTP_MSGID_MAX];
    char idem[PLAINT_EVENT_IDEM_MAX + 1];
    plaint_buf text = PLAINT_BUF_INIT;
    plaint_buf body = PLAINT_BUF_INIT;
    plaint_smtp_outcome so = PLAINT_SMTP_REJECTED;
    plaint_smtp_mail mail;
    plaint_error serr;
    int64_t attempt = json_integer_value(json_object_get(m, "attempts")) + 1;
    int rc;

    errtext[0] = '\0';
    plaint_error_init(&serr);
    oc->attempt = attempt;
    rc = plaint_smtp_message_id(msgid, sizeof(msgid), id, r->o.from, err);
    if (rc == 0) {
        rc = lookup_address(addr, errtext, nerr, r, plaint_cj_str(m, "recipient"), err);
    }
    if (rc == 0 && addr[0] != '\0') {
        memset(&mail, 0, sizeof(mail));
        mail.from = r->o.from;
        mail.to = addr;
        mail.subject = plaint_cj_str(m, "subject");
        mail.body = plaint_cj_str(m, "body");
        rc = with_access_code(&body, r, m, err);
        if (rc == 0 && body.data != NULL) {
            mail.body = (const char *)body.data;
        }
    }
    if (rc == 0 && addr[0] != '\0') {
        mail.message_id = msgid;
        mail.outbox_id = id;
        mail.date = (int64_t)time(NULL);
        if (plaint_smtp_build(&text, &mail, &serr) != 0) {
            snprintf(errtext, nerr, "the message cannot be sent: %s", serr.message);
        } else {
            rc = plaint_smtp_send(&so, &r->smtp, addr, &text, &serr);
            if (rc == 0 && so != PLAINT_SMTP_ACCEPTED) {
                snprintf(errtext, nerr, "%s", serr.message);
            }
        }
        OPENSSL_cleanse(addr, sizeof(addr));
    }
    plaint_buf_clear(&text);
    if (body.data != NULL) {
        OPENSSL_cleanse(body.data, body.cap);
    }
    plaint_buf_clear(&body);
    if (rc != 0) {
        return rc;
    }
    if (errtext[0] == '\0' && so == PLAINT_SMTP_ACCEPTED) {
        /* recorded at once: until this commits, a crash means the message goes out again */
        snprintf(idem, sizeof(idem), "outbox-sent:%s", id);
        rc = record(r, ref, id, "notification.sent",
                    json_pack("{s:s, s:I, s:s}", "message", id, "attempt", (json_int_t)attempt,
                              "message_id", msgid),
                    idem, err);
        if (rc == 0) {
            oc->result = "sent";
            t->sent++;
        }
        return rc;
    }
    /* no address, an unbuildable message or a 5xx answer will not improve by waiting */
    oc->final = so == PLAINT_SMTP_REJECTED || attempt >= r->o.max_attempts;
    oc->retry_in = oc->final ? 0 : wait_for(r, attempt);
    oc->error = errtext;
    snprintf(idem, sizeof(idem), "outbox-failed:%s:%" PRId64, id, attempt);
    rc = record(r, ref, id, "notification.failed",
                json_pack("{s:s, s:I, s:s, s:b}", "message", id, "attempt", (json_int_t)attempt,
                          "error", errtext, "final", oc->final),
                idem, err);
    if (rc == 0) {
        oc->result = "failed";
        t->failed++;
        if (so == PLAINT_SMTP_UNREACHABLE) {
            t->unreachable++;
        }
    }
    return rc;
}

int plaint_app_outbox_send(plaint_outbox_totals *totals, plaint_db *db, const plaint_actor *actor,
                           const plaint_config *cfg, const plaint_outbox_send_opts *opts,
                           plaint_outbox_report_fn report, void *arg, plaint_error *err)
{
    char errtext[sizeof(((plaint_error *)0)->message) + 64];
    run r;
    json_t *list = NULL;
    size_t i;
    int rc;

    memset(totals, 0, sizeof(*totals));
    memset(&r, 0, sizeof(r));
    r.db = db;
    r.actor = actor;
    r.cfg = cfg;
    r.o = *opts;
    rc = check_opts(&r, err);
    if (rc == 0) {
        rc = due(&list, &r, NULL, err);
    }
    for (i = 0; rc == 0 && i < json_array_size(list); i++) {
        const json_t *m = json_array_get(list, i);
        const char *id = plaint_cj_str(m, "message_id");
        const char *params[1] = {id};
        plaint_outbox_outcome oc;
        json_t *again = NULL;
        int64_t locked = 0;
        int urc;

        if (r.o.stop != NULL && *r.o.stop) {
            break;
        }
        memset(&oc, 0, sizeof(oc));
        oc.message = id;
        oc.kind = plaint_cj_str(m, "kind");
        oc.result = "skipped";
        oc.error = "";
        rc = plaint_pg_query_int(&locked, db, SQL_TRY_LOCK, 1, params, err);
        if (rc != 0) {
            break;
        }
        if (locked == 1) {
            /* under the lock: still due, and with the attempts we listed (nobody sent it since) */
            rc = due(&again, &r, id, err);
            if (rc == 0 && json_array_size(again) == 1 &&
                json_integer_value(json_object_get(json_array_get(again, 0), "attempts")) ==
                    json_integer_value(json_object_get(m, "attempts"))) {
                rc = deliver(&oc, totals, &r, json_array_get(again, 0), errtext, sizeof(errtext),
                             err);
            }
            json_decref(again);
            urc = unlock(&r, id, rc == 0 ? err : NULL);
            if (rc == 0) {
                rc = urc;
            }
        }
        if (rc == 0 && strcmp(oc.result, "skipped") == 0) {
            totals->skipped++;
        }
        if (rc == 0 && report != NULL) {
            report(&oc, arg);
        }
    }
    json_decref(list);
    plaint_keyring_free(r.kr);
    return rc;
}
