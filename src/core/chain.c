/* Canonical form and hash of ledger events; UTC timestamp formatting without the C library's
 * time zone machinery (pure arithmetic, proleptic Gregorian calendar). */
#include "plaint/chain.h"

#include <stdio.h>
#include <string.h>

#include "plaint/civil.h"
#include "plaint/jcs.h"

const unsigned char plaint_chain_genesis[PLAINT_HASH_LEN] = {0};

/* plaint_chain_event_canonical writes the version as the literal "1". */
_Static_assert(PLAINT_EVENT_VERSION == 1, "update the \"v\" literal in the canonical form");

#define US_PER_SEC 1000000LL
#define SEC_PER_DAY 86400LL
#define MIN_US (-62135596800LL * US_PER_SEC) /* 0001-01-01T00:00:00Z */
#define MAX_US (253402300800LL * US_PER_SEC - 1) /* 9999-12-31T23:59:59.999999Z */

static void put_digits(char *out, int64_t v, int n)
{
    int i;

    for (i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + (char)(v % 10));
        v /= 10;
    }
}

int plaint_time_format(char out[PLAINT_TIME_LEN + 1], int64_t us, plaint_error *err)
{
    int64_t days;
    int64_t rem;
    int64_t y;
    int m;
    int d;

    if (us < MIN_US || us > MAX_US) {
        return plaint_error_set(err, PLAINT_ERANGE, "time %lld us is outside years 1-9999",
                                (long long)us);
    }
    days = us / (SEC_PER_DAY * US_PER_SEC);
    rem = us % (SEC_PER_DAY * US_PER_SEC);
    if (rem < 0) {
        rem += SEC_PER_DAY * US_PER_SEC;
        days -= 1;
    }
    plaint_civil_from_days(days, &y, &m, &d);
    memcpy(out, "0000-00-00T00:00:00.000000Z", PLAINT_TIME_LEN + 1);
    put_digits(out, y, 4);
    put_digits(out + 5, m, 2);
    put_digits(out + 8, d, 2);
    put_digits(out + 11, rem / (3600 * US_PER_SEC), 2);
    put_digits(out + 14, (rem / (60 * US_PER_SEC)) % 60, 2);
    put_digits(out + 17, (rem / US_PER_SEC) % 60, 2);
    put_digits(out + 20, rem % US_PER_SEC, 6);
    return 0;
}

static int read_digits(int64_t *out, const char *s, int n)
{
    int64_t v = 0;
    int i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int plaint_time_parse(int64_t *out, const char *s, size_t len, plaint_error *err)
{
    int64_t y;
    int64_t mo;
    int64_t d;
    int64_t h;
    int64_t mi;
    int64_t se;
    int64_t frac;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (len != PLAINT_TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != '.' || s[26] != 'Z' || read_digits(&y, s, 4) < 0 ||
        read_digits(&mo, s + 5, 2) < 0 || read_digits(&d, s + 8, 2) < 0 ||
        read_digits(&h, s + 11, 2) < 0 || read_digits(&mi, s + 14, 2) < 0 ||
        read_digits(&se, s + 17, 2) < 0 || read_digits(&frac, s + 20, 6) < 0) {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "time must look like 2026-01-31T23:59:59.000000Z");
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
        se > 59 ||
        (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))) {
        return plaint_error_set(err, PLAINT_EINVALID, "time '%.*s' is not a valid UTC time",
                                (int)len, s);
    }
    *out = ((plaint_days_from_civil(y, (int)mo, (int)d) * SEC_PER_DAY) + h * 3600 + mi * 60 +
            se) *
               US_PER_SEC +
           frac;
    return 0;
}

/* Appends a non-negative decimal integer (sequence numbers are >= 1). */
static int append_int(plaint_buf *out, int64_t v, plaint_error *err)
{
    char digits[24];
    size_t n = sizeof(digits);

    do {
        digits[--n] = (char)('0' + (char)(v % 10));
        v /= 10;
    } while (v > 0 && n > 0);
    return plaint_buf_append(out, digits + n, sizeof(digits) - n, err);
}

/* Appends prefix (punctuation and key) and the JSON string s; name is the field for errors. */
static int add_string_field(plaint_buf *out, const char *prefix, const char *name, const char *s,
                            size_t len, plaint_error *err)
{
    int rc;

    if (len == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0, "event %s is empty", name);
    }
    rc = plaint_buf_append_str(out, prefix, err);
    if (rc == 0) {
        rc = plaint_jcs_append_string(out, s, len, err);
    }
    if (rc < 0 && err != NULL && err->field[0] == '\0') {
        snprintf(err->field, sizeof(err->field), "%s", name);
    }
    return rc;
}

int plaint_chain_event_canonical(plaint_buf *out, const plaint_event *ev, plaint_error *err)
{
    char ts[PLAINT_TIME_LEN + 1];
    int rc;

    if (ev->case_seq < 1) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "seq", 0, 0,
                                   "event sequence number must be >= 1");
    }
    if (ev->payload_len == 0 || ev->payload[0] != '{') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "payload", 0, 0,
                                   "event payload must be a JSON object");
    }
    rc = plaint_time_format(ts, ev->time_us, err);
    if (rc < 0) {
        return rc;
    }
    /* Keys in RFC 8785 order (all ASCII, so UTF-16 order is byte order). */
    rc = add_string_field(out, "{\"actor\":", "actor", ev->actor, ev->actor_len, err);
    if (rc == 0) {
        rc = add_string_field(out, ",\"case\":", "case", ev->case_id, ev->case_id_len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ",\"payload\":", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, ev->payload, ev->payload_len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ",\"prev\":\"", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_hex(out, ev->prev_hash, PLAINT_HASH_LEN, err);
    }
    if (rc == 0) {
        rc = add_string_field(out, "\",\"role\":", "role", ev->role, ev->role_len, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ",\"seq\":", err);
    }
    if (rc == 0) {
        rc = append_int(out, ev->case_seq, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ",\"time\":\"", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, ts, PLAINT_TIME_LEN, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_byte(out, '"', err);
    }
    if (rc == 0) {
        rc = add_string_field(out, ",\"type\":", "type", ev->type, ev->type_len, err);
    }
    if (rc == 0) {
        /* the version is a single digit: no formatting on this hot path */
        rc = plaint_buf_append_str(out, ",\"v\":1}", err);
    }
    return rc;
}

int plaint_chain_event_hash(unsigned char out[PLAINT_HASH_LEN], const plaint_event *ev,
                            plaint_buf *scratch, plaint_sha256 *sha, plaint_error *err)
{
    int rc;

    plaint_buf_reset(scratch);
    rc = plaint_buf_append(scratch, PLAINT_EVENT_PREFIX, sizeof(PLAINT_EVENT_PREFIX) - 1, err);
    if (rc == 0) {
        rc = plaint_chain_event_canonical(scratch, ev, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_begin(sha, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_update(sha, scratch->data, scratch->len, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_final(sha, out, err);
    }
    return rc;
}
