/* Unit tests for ledger events and timestamps (src/core/chain.c): canonical form, hash, time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "plaint/chain.h"
#include "unit_helpers.h"

#define MIN_US (-62135596800000000LL) /* 0001-01-01T00:00:00.000000Z */
#define MAX_US (253402300799999999LL) /* 9999-12-31T23:59:59.999999Z */

/* Expected values computed outside plaint: times with Python's datetime, hashes with
 * `printf 'plaint.event.v1\n%s' "$canonical" | sha256sum`. */
static const struct {
    int64_t us;
    const char *text;
} TIME_VECTORS[] = {
    {0, "1970-01-01T00:00:00.000000Z"},
    {-1, "1969-12-31T23:59:59.999999Z"},
    {-14182940000000LL, "1969-07-20T20:17:40.000000Z"},
    {951827696789012LL, "2000-02-29T12:34:56.789012Z"},
    {-11670912001000000LL, "1600-02-29T23:59:59.000000Z"},
    {-2203891199999999LL, "1900-03-01T00:00:00.000001Z"},
    {4107542400000000LL, "2100-03-01T00:00:00.000000Z"},
    {1735689599500000LL, "2024-12-31T23:59:59.500000Z"},
    {1773480413589793LL, "2026-03-14T09:26:53.589793Z"},
    {MIN_US, "0001-01-01T00:00:00.000000Z"},
    {MAX_US, "9999-12-31T23:59:59.999999Z"},
};

static const char VECTOR_CANONICAL[] =
    "{\"actor\":\"Zo\xc3\xab \\\"Z\\\" O'Neil\",\"case\":\"C-2026-000042\","
    "\"payload\":{\"amount\":1250,\"severity\":\"high\"},"
    "\"prev\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
    "\"role\":\"triager\",\"seq\":3,\"time\":\"2026-03-14T09:26:53.589793Z\","
    "\"type\":\"case.triaged\",\"v\":1}";
static const char VECTOR_HASH[] =
    "132dce367ff3b34df41339e2d578d1bf096a33cdc5d17dde1377b6e732c01a04";

/* A case's first event: empty payload, genesis prev, the epoch. */
static const char GENESIS_HASH[] =
    "5d36b04d3e9f12c52e34f4d066845a3ea85c7c8ea92dee2456863b9c9bc8ba5c";

/* The event whose canonical form is VECTOR_CANONICAL. */
static void vector_event(plaint_event *ev)
{
    unit_event_set(ev, "C-2026-000042", 3, "case.triaged", "Zo\xc3\xab \"Z\" O'Neil", "triager",
                   1773480413589793LL, "{\"amount\":1250,\"severity\":\"high\"}");
    unit_fill_bytes(ev->prev_hash, PLAINT_HASH_LEN, 0);
}

static void genesis_event(plaint_event *ev)
{
    unit_event_set(ev, "C-1", 1, "case.opened", "bob", "intake", 0, "{}");
}

/* Hashes ev with fresh scratch state; returns the code, hash in out. */
static int hash_event(unsigned char out[PLAINT_HASH_LEN], const plaint_event *ev, plaint_error *err)
{
    plaint_buf scratch = PLAINT_BUF_INIT;
    plaint_sha256 sha;
    int rc;

    assert_int_equal(plaint_sha256_init(&sha, NULL), 0);
    rc = plaint_chain_event_hash(out, ev, &scratch, &sha, err);
    plaint_sha256_clear(&sha);
    plaint_buf_clear(&scratch);
    return rc;
}

/* Expects the canonical form and the hash of ev to fail with code, naming field. */
static void expect_invalid(const plaint_event *ev, int code, const char *field)
{
    plaint_buf out = PLAINT_BUF_INIT;
    unsigned char h[PLAINT_HASH_LEN];
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_chain_event_canonical(&out, ev, &err), code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.field, field);
    plaint_buf_clear(&out);
    /* The hash refuses the same event with the same error. */
    plaint_error_init(&err);
    assert_int_equal(hash_event(h, ev, &err), code);
    assert_string_equal(err.field, field);
}

static void expect_time(int64_t us, const char *text)
{
    char got[PLAINT_TIME_LEN + 1];
    int64_t back = 0;

    memset(got, 'x', sizeof(got));
    assert_int_equal(plaint_time_format(got, us, NULL), 0);
    assert_string_equal(got, text);
    assert_int_equal(plaint_time_parse(&back, text, strlen(text), NULL), 0);
    assert_int_equal(back, us);
}

static void test_time_vectors(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(TIME_VECTORS) / sizeof(TIME_VECTORS[0]); i++) {
        expect_time(TIME_VECTORS[i].us, TIME_VECTORS[i].text);
    }
}

static void test_time_out_of_range(void **state)
{
    const int64_t bad[] = {MIN_US - 1, MAX_US + 1, INT64_MIN, INT64_MAX};
    char out[PLAINT_TIME_LEN + 1];
    plaint_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        plaint_error_init(&err);
        assert_int_equal(plaint_time_format(out, bad[i], &err), PLAINT_ERANGE);
        assert_int_equal(err.code, PLAINT_ERANGE);
    }
}

/* xorshift64*: a fixed, portable sequence so that failures reproduce. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* Formats us with the C library (glibc's gmtime_r covers years 1..9999 with 64-bit time_t): an
 * oracle independent of chain.c's calendar arithmetic. */
static void libc_format(char out[PLAINT_TIME_LEN + 1], int64_t us)
{
    int64_t secs = us / 1000000;
    int64_t frac = us % 1000000;
    time_t t;
    struct tm tm;
    int n;

    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    t = (time_t)secs;
    assert_non_null(gmtime_r(&t, &tm));
    n = snprintf(out, PLAINT_TIME_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (long long)frac);
    assert_int_equal(n, PLAINT_TIME_LEN);
}

static void test_time_round_trip_random(void **state)
{
    const uint64_t span = (uint64_t)(MAX_US - MIN_US) + 1;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    char got[PLAINT_TIME_LEN + 1];
    char want[PLAINT_TIME_LEN + 1];
    int64_t back;
    int i;

    (void)state;
    assert_int_equal(sizeof(time_t), 8);
    for (i = 0; i < 200000; i++) {
        int64_t us = MIN_US + (int64_t)(next_random(&seed) % span);
        assert_int_equal(plaint_time_format(got, us, NULL), 0);
        libc_format(want, us);
        assert_string_equal(got, want);
        back = 0;
        assert_int_equal(plaint_time_parse(&back, got, PLAINT_TIME_LEN, NULL), 0);
        assert_int_equal(back, us);
    }
}

static void test_time_parse_rejects(void **state)
{
    static const char *const bad[] = {
        "2023-02-29T00:00:00.000000Z",      /* not a leap year */
        "1900-02-29T00:00:00.000000Z",      /* century, not a leap year */
        "2023-04-31T00:00:00.000000Z",      /* April has 30 days */
        "2023-13-01T00:00:00.000000Z",      /* month 13 */
        "2023-00-10T00:00:00.000000Z",      /* month 0 */
        "2023-01-00T00:00:00.000000Z",      /* day 0 */
        "0000-01-01T00:00:00.000000Z",      /* year 0 */
        "2023-01-01T24:00:00.000000Z",      /* hour 24 */
        "2023-01-01T23:60:00.000000Z",      /* minute 60 */
        "2023-01-01T23:59:60.000000Z",      /* no leap seconds */
        "2023-01-01 00:00:00.000000Z",      /* space for T */
        "2023-01-01t00:00:00.000000Z",      /* lowercase t */
        "2023/01/01T00:00:00.000000Z",      /* date separators */
        "2023-01-01T00-00-00.000000Z",      /* time separators */
        "2023-01-01T00:00:00,000000Z",      /* decimal comma */
        "2023-01-01T00:00:00.000000z",      /* lowercase z */
        "2023-01-01T00:00:00.000000+",      /* offset, not Z */
        "+023-01-01T00:00:00.000000Z",      /* sign in the year */
        "2023-01-01T00:00:00.00000aZ",      /* letter in the fraction */
        "2023-0 -01T00:00:00.000000Z",      /* space in the month */
        "2023-01-01T00:00:00.000000",       /* 26 characters */
        "2023-01-01T00:00:00.0000000Z",     /* 28 characters */
        "2023-01-01T00:00:00Z",             /* no fraction */
        "2023-01-01T00:00:00.000000+00:00", /* offset */
        "",                                 /* empty */
    };
    plaint_error err;
    int64_t out = 42;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        plaint_error_init(&err);
        assert_int_equal(plaint_time_parse(&out, bad[i], strlen(bad[i]), &err), PLAINT_EINVALID);
        assert_int_equal(err.code, PLAINT_EINVALID);
    }
    /* The length given counts, not the NUL: a valid time cut short or read too far fails. */
    assert_int_equal(plaint_time_parse(&out, "2023-01-01T00:00:00.000000Z", 26, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(plaint_time_parse(&out, "2023-01-01T00:00:00.000000ZZ", 28, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(out, 42);
    /* Leap days that do exist. */
    assert_int_equal(plaint_time_parse(&out, "2024-02-29T00:00:00.000000Z", 27, NULL), 0);
    assert_int_equal(out, 1709164800000000LL);
}

static void test_canonical_vector(void **state)
{
    plaint_buf out = PLAINT_BUF_INIT;
    unsigned char h[PLAINT_HASH_LEN];
    plaint_event ev;

    (void)state;
    vector_event(&ev);
    assert_int_equal(plaint_chain_event_canonical(&out, &ev, NULL), 0);
    unit_assert_appended(&out, "", VECTOR_CANONICAL);
    assert_int_equal(hash_event(h, &ev, NULL), 0);
    unit_assert_hex(h, PLAINT_HASH_LEN, VECTOR_HASH);
    plaint_buf_clear(&out);

    genesis_event(&ev);
    assert_int_equal(hash_event(h, &ev, NULL), 0);
    unit_assert_hex(h, PLAINT_HASH_LEN, GENESIS_HASH);
    unit_assert_hex(plaint_chain_genesis, PLAINT_HASH_LEN,
                    "0000000000000000000000000000000000000000000000000000000000000000");
}

/* Canonical appends; strings are taken by length, not up to a NUL. */
static void test_canonical_appends_and_uses_lengths(void **state)
{
    static const char case_buf[] = "C-2026-000042/trailing";
    static const char payload_buf[] = "{\"amount\":1250,\"severity\":\"high\"}garbage";
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_event ev;

    (void)state;
    vector_event(&ev);
    ev.case_id = case_buf;
    ev.case_id_len = 13;
    ev.payload = payload_buf;
    ev.payload_len = strlen(payload_buf) - strlen("garbage");
    assert_int_equal(plaint_buf_append_str(&out, "xyz", NULL), 0);
    assert_int_equal(plaint_chain_event_canonical(&out, &ev, NULL), 0);
    unit_assert_appended(&out, "xyz", VECTOR_CANONICAL);
    plaint_buf_clear(&out);
}

/* One scratch buffer and digest context serve many events; stale content does not leak. */
static void test_hash_reuses_scratch(void **state)
{
    plaint_buf scratch = PLAINT_BUF_INIT;
    unsigned char h[PLAINT_HASH_LEN];
    plaint_sha256 sha;
    plaint_event a;
    plaint_event b;
    int i;

    (void)state;
    vector_event(&a);
    genesis_event(&b);
    assert_int_equal(plaint_sha256_init(&sha, NULL), 0);
    assert_int_equal(plaint_buf_append_str(&scratch, "stale bytes", NULL), 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(plaint_chain_event_hash(h, &a, &scratch, &sha, NULL), 0);
        unit_assert_hex(h, PLAINT_HASH_LEN, VECTOR_HASH);
        assert_int_equal(plaint_chain_event_hash(h, &b, &scratch, &sha, NULL), 0);
        unit_assert_hex(h, PLAINT_HASH_LEN, GENESIS_HASH);
    }
    plaint_sha256_clear(&sha);
    plaint_buf_clear(&scratch);
}

/* Changing any hashed field changes the hash. */
static void test_every_field_is_hashed(void **state)
{
    unsigned char base[PLAINT_HASH_LEN];
    unsigned char h[PLAINT_HASH_LEN];
    plaint_event ev;
    int field;

    (void)state;
    vector_event(&ev);
    assert_int_equal(hash_event(base, &ev, NULL), 0);
    for (field = 0; field < 8; field++) {
        vector_event(&ev);
        switch (field) {
        case 0:
            ev.case_id_len--;
            break;
        case 1:
            ev.case_seq++;
            break;
        case 2:
            ev.type = "case.closed";
            ev.type_len = strlen(ev.type);
            break;
        case 3:
            ev.actor_len--;
            break;
        case 4:
            ev.role = "triagers";
            ev.role_len = strlen(ev.role);
            break;
        case 5:
            ev.time_us++;
            break;
        case 6:
            ev.payload = "{\"amount\":1251,\"severity\":\"high\"}";
            ev.payload_len = strlen(ev.payload);
            break;
        default:
            ev.prev_hash[31] ^= 1;
            break;
        }
        assert_int_equal(hash_event(h, &ev, NULL), 0);
        assert_memory_not_equal(h, base, PLAINT_HASH_LEN);
    }
}

/* A string literal and its length, NULs included. */
#define LIT(s) s, sizeof(s) - 1

/* Strings the canonical form refuses, and the field it names. */
static const struct {
    const char *field;
    const char *value;
    size_t len;
} BAD_STRINGS[] = {
    {"actor", LIT("")},
    {"case", LIT("")},
    {"role", LIT("")},
    {"type", LIT("")},
    {"actor", LIT("bad \xc3\x28 byte")}, /* lead byte without continuation */
    {"actor", LIT("Zo\xc3")},            /* truncated sequence */
    {"case", LIT("C-\xed\xa0\x80")},     /* UTF-16 surrogate */
    {"role", LIT("tri\xc0\xafger")},     /* overlong '/' */
    {"type", LIT("case\0opened")},       /* U+0000 */
    {"actor", LIT("\xf4\x90\x80\x80")},  /* above U+10FFFF */
    {"role", LIT("\xe2\x82")},           /* truncated at the end */
};

static void set_string_field(plaint_event *ev, const char *field, const char *value, size_t len)
{
    if (strcmp(field, "actor") == 0) {
        ev->actor = value;
        ev->actor_len = len;
    } else if (strcmp(field, "case") == 0) {
        ev->case_id = value;
        ev->case_id_len = len;
    } else if (strcmp(field, "role") == 0) {
        ev->role = value;
        ev->role_len = len;
    } else {
        assert_string_equal(field, "type");
        ev->type = value;
        ev->type_len = len;
    }
}

static void test_invalid_events_name_field(void **state)
{
    plaint_event ev;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(BAD_STRINGS) / sizeof(BAD_STRINGS[0]); i++) {
        vector_event(&ev);
        set_string_field(&ev, BAD_STRINGS[i].field, BAD_STRINGS[i].value, BAD_STRINGS[i].len);
        expect_invalid(&ev, PLAINT_EINVALID, BAD_STRINGS[i].field);
    }

    vector_event(&ev);
    ev.case_seq = 0;
    expect_invalid(&ev, PLAINT_EINVALID, "seq");

    vector_event(&ev);
    ev.payload = "[1]";
    ev.payload_len = 3;
    expect_invalid(&ev, PLAINT_EINVALID, "payload");

    vector_event(&ev);
    ev.payload_len = 0;
    expect_invalid(&ev, PLAINT_EINVALID, "payload");

    vector_event(&ev);
    ev.time_us = MAX_US + 1;
    expect_invalid(&ev, PLAINT_ERANGE, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_vectors),
        cmocka_unit_test(test_time_out_of_range),
        cmocka_unit_test(test_time_round_trip_random),
        cmocka_unit_test(test_time_parse_rejects),
        cmocka_unit_test(test_canonical_vector),
        cmocka_unit_test(test_canonical_appends_and_uses_lengths),
        cmocka_unit_test(test_hash_reuses_scratch),
        cmocka_unit_test(test_every_field_is_hashed),
        cmocka_unit_test(test_invalid_events_name_field),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
