/* Tests of the pure money module (src/core/money.c): the currency table, parsing and formatting
 * of amounts, half-to-even division and the refund calculation, with worked examples and a
 * property test against an independent reference computed in 128-bit arithmetic with a
 * different rounding algorithm (floor division, then a comparison of the remainder).
 *
 * The property tests draw from a seeded PRNG; the seed is printed, and PLAINT_TEST_SEED=<n>
 * repeats a run. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaint/money.h"

__extension__ typedef __int128 i128;

#define I64_MAX ((i128)INT64_MAX)

/* ---- a small PRNG (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform-ish in [0, n), n > 0. */
static uint64_t rng_below(uint64_t n)
{
    return rng_next() % n;
}

static uint64_t seed_from_env(void)
{
    const char *s = getenv("PLAINT_TEST_SEED");
    char *end = NULL;
    uint64_t seed;

    if (s != NULL && s[0] != '\0') {
        seed = (uint64_t)strtoull(s, &end, 10);
        if (end != NULL && *end == '\0') {
            return seed;
        }
        fail_msg("PLAINT_TEST_SEED is not a decimal number: %s", s);
    }
    return (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
}

static int setup_seed(void **state)
{
    uint64_t seed = seed_from_env();

    (void)state;
    rng_state = seed;
    print_message("test_money: PRNG seed %" PRIu64 " (PLAINT_TEST_SEED=%" PRIu64
                  " repeats this run)\n",
                  seed, seed);
    return 0;
}

/* ---- the reference: 128-bit, floor division then remainder comparison ---- */

/* num / den rounded half to even, den > 0: q = floor(num / den), 0 <= r < den; the exact
 * quotient is q + r/den, so it rounds up when 2r > den, or 2r == den and q is odd. */
static i128 ref_round(i128 num, i128 den)
{
    i128 q = num / den;
    i128 r = num % den;

    if (r < 0) {
        q -= 1;
        r += den;
    }
    if (2 * r > den || (2 * r == den && q % 2 != 0)) {
        q += 1;
    }
    return q;
}

/* ---- currency table ---- */

static void test_currency_exponent(void **state)
{
    (void)state;
    assert_int_equal(plaint_currency_exponent("GBP"), 2);
    assert_int_equal(plaint_currency_exponent("EUR"), 2);
    assert_int_equal(plaint_currency_exponent("USD"), 2);
    assert_int_equal(plaint_currency_exponent("CHF"), 2);
    assert_int_equal(plaint_currency_exponent("JPY"), 0);
    assert_int_equal(plaint_currency_exponent("KRW"), 0);
    assert_int_equal(plaint_currency_exponent("ISK"), 0);
    assert_int_equal(plaint_currency_exponent("BHD"), 3);
    assert_int_equal(plaint_currency_exponent("KWD"), 3);
    assert_int_equal(plaint_currency_exponent("JOD"), 3);
    assert_int_equal(plaint_currency_exponent("OMR"), 3);
    assert_int_equal(plaint_currency_exponent("TND"), 3);
    assert_int_equal(plaint_currency_exponent("CLF"), 4);
    assert_int_equal(plaint_currency_exponent("UYW"), 4);
    assert_int_equal(plaint_currency_exponent("ZWG"), 2);
}

static void test_currency_exponent_refused(void **state)
{
    static const char *const bad[] = {"gbp", "Gbp", "GB",  "GBPX", "",           "G1P", "XXX",
                                      "XAU", "ABC", "GB ", " GBP", "\xc3\x84UR", "HRK"};
    size_t i;

    (void)state;
    assert_int_equal(plaint_currency_exponent(NULL), -1);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (plaint_currency_exponent(bad[i]) != -1) {
            fail_msg("currency \"%s\" accepted", bad[i]);
        }
    }
}

/* ---- parsing ---- */

static void expect_parse(const char *text, const char *cur, int64_t want)
{
    plaint_error err;
    int64_t got = 12345;
    int rc;

    plaint_error_init(&err);
    rc = plaint_money_parse(&got, text, cur, &err);
    if (rc != 0) {
        fail_msg("parse \"%s\" %s: rc %d, %s", text, cur, rc, err.message);
    }
    if (got != want) {
        fail_msg("parse \"%s\" %s: got %" PRId64 ", want %" PRId64, text, cur, got, want);
    }
}

/* Asserts the parse fails with EINVALID, leaves the value alone, and the message holds
 * `mentions` (and the column is col, if col >= 0). */
static void expect_parse_fail(const char *text, const char *cur, const char *mentions, long col)
{
    plaint_error err;
    int64_t got = 777;
    int rc;

    plaint_error_init(&err);
    rc = plaint_money_parse(&got, text, cur, &err);
    if (rc != PLAINT_EINVALID) {
        fail_msg("parse \"%s\" %s: rc %d (%" PRId64 "), want EINVALID", text ? text : "(null)",
                 cur ? cur : "(null)", rc, got);
    }
    assert_int_equal(err.code, PLAINT_EINVALID);
    assert_int_equal(got, 777);
    if (strstr(err.message, mentions) == NULL) {
        fail_msg("parse \"%s\": message \"%s\" lacks \"%s\"", text ? text : "(null)", err.message,
                 mentions);
    }
    if (col >= 0 && err.column != (unsigned long)col) {
        fail_msg("parse \"%s\": column %lu, want %ld (%s)", text, err.column, col, err.message);
    }
}

static void test_parse_valid(void **state)
{
    (void)state;
    expect_parse("12.34", "GBP", 1234);
    expect_parse("-0.50", "EUR", -50);
    expect_parse("100", "JPY", 100);
    expect_parse("-100", "JPY", -100);
    expect_parse("12.3", "GBP", 1230);
    expect_parse("12", "GBP", 1200);
    expect_parse("0", "GBP", 0);
    expect_parse("-0", "GBP", 0);
    expect_parse("-0.00", "GBP", 0);
    expect_parse("007.05", "USD", 705);
    expect_parse("0.01", "USD", 1);
    expect_parse("1.234", "BHD", 1234);
    expect_parse("1.2", "KWD", 1200);
    expect_parse("1.2345", "CLF", 12345);
    expect_parse("92233720368547758.07", "GBP", INT64_MAX);
    expect_parse("-92233720368547758.08", "GBP", INT64_MIN);
    expect_parse("9223372036854775807", "JPY", INT64_MAX);
    expect_parse("-9223372036854775808", "JPY", INT64_MIN);
    expect_parse("922337203685477.5807", "CLF", INT64_MAX);
    expect_parse("00000000000000000000000000000000000001.00", "GBP", 100);
}

static void test_parse_invalid(void **state)
{
    char longtext[120];

    (void)state;
    /* more fraction digits than the currency has */
    expect_parse_fail("12.345", "GBP", "\"12.345\": GBP has 2 decimal places", 6);
    expect_parse_fail("1.5", "JPY", "JPY has 0 decimal places", 3);
    expect_parse_fail("1.00", "JPY", "JPY has 0 decimal places", 3);
    expect_parse_fail("0.00001", "CLF", "CLF has 4 decimal places", 7);
    /* junk, with the column of the bad character */
    expect_parse_fail("1,000.00", "GBP", "\"1,000.00\": unexpected character at position 2", 2);
    expect_parse_fail(" 12", "GBP", "position 1", 1);
    expect_parse_fail("12 ", "GBP", "position 3", 3);
    expect_parse_fail("+12", "GBP", "position 1", 1);
    expect_parse_fail("1e3", "GBP", "position 2", 2);
    expect_parse_fail("12.3.4", "GBP", "position 5", 5);
    expect_parse_fail("--1", "GBP", "position 2", 2);
    expect_parse_fail("0x10", "GBP", "position 2", 2);
    expect_parse_fail(".5", "GBP", "position 1", 1);
    expect_parse_fail("-.5", "GBP", "position 2", 2);
    expect_parse_fail("\xd9\xa1", "GBP", "\"??\"", 1); /* Arabic-Indic digit one */
    expect_parse_fail("1\n", "GBP", "\"1?\"", 2);
    /* no digits */
    expect_parse_fail("", "GBP", "no digits", -1);
    expect_parse_fail("-", "GBP", "no digits", -1);
    expect_parse_fail("5.", "GBP", "no digits after the decimal point", -1);
    /* overflow */
    expect_parse_fail("92233720368547758.08", "GBP",
                      "\"92233720368547758.08\": out of range (GBP amounts run from "
                      "-92233720368547758.08 to 92233720368547758.07)",
                      -1);
    expect_parse_fail("-92233720368547758.09", "GBP", "out of range", -1);
    expect_parse_fail("9223372036854775808", "JPY", "out of range", -1);
    expect_parse_fail("-9223372036854775809", "JPY", "out of range", -1);
    expect_parse_fail("92233720368547759", "GBP", "out of range", -1); /* by the padding */
    expect_parse_fail("99999999999999999999999999999999", "GBP", "out of range", -1);
    /* currency */
    expect_parse_fail("1.00", "gbp", "unknown currency \"gbp\"", -1);
    expect_parse_fail("1.00", "XXX", "unknown currency", -1);
    expect_parse_fail("1.00", NULL, "unknown currency", -1);
    expect_parse_fail(NULL, "GBP", "no amount", -1);
    /* a long text is quoted in part only */
    memset(longtext, '1', sizeof(longtext) - 2);
    longtext[sizeof(longtext) - 2] = 'x';
    longtext[sizeof(longtext) - 1] = '\0';
    expect_parse_fail(longtext, "JPY", "1111...\"", -1);
}

static void test_parse_error_fields(void **state)
{
    plaint_error err;
    int64_t v = 0;

    (void)state;
    plaint_error_init(&err);
    assert_int_equal(plaint_money_parse(&v, "1.2.3", "GBP", &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "amount");
    assert_int_equal(plaint_money_parse(&v, "1", "ZZZ", &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "currency");
    /* err may be NULL */
    assert_int_equal(plaint_money_parse(&v, "x", "GBP", NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_money_parse(NULL, "1", "GBP", NULL), PLAINT_EINVALID);
}

/* ---- formatting ---- */

static void expect_format(int64_t v, const char *cur, const char *want)
{
    char out[PLAINT_MONEY_TEXT_LEN];
    int rc = plaint_money_format(out, sizeof(out), v, cur);

    if (rc != 0 || strcmp(out, want) != 0) {
        fail_msg("format %" PRId64 " %s: rc %d \"%s\", want \"%s\"", v, cur, rc, out, want);
    }
}

static void test_format(void **state)
{
    (void)state;
    expect_format(1234, "GBP", "12.34");
    expect_format(-50, "EUR", "-0.50");
    expect_format(-5, "GBP", "-0.05");
    expect_format(5, "GBP", "0.05");
    expect_format(0, "GBP", "0.00");
    expect_format(100, "GBP", "1.00");
    expect_format(0, "JPY", "0");
    expect_format(100, "JPY", "100");
    expect_format(-100, "JPY", "-100");
    expect_format(1, "BHD", "0.001");
    expect_format(-1000, "BHD", "-1.000");
    expect_format(12345, "CLF", "1.2345");
    expect_format(1, "CLF", "0.0001");
    expect_format(INT64_MAX, "GBP", "92233720368547758.07");
    expect_format(INT64_MIN, "GBP", "-92233720368547758.08");
    expect_format(INT64_MIN, "JPY", "-9223372036854775808");
    expect_format(INT64_MIN, "CLF", "-922337203685477.5808");
    expect_format(INT64_MIN + 1, "BHD", "-9223372036854775.807");
}

static void test_format_errors(void **state)
{
    char out[8];

    (void)state;
    memcpy(out, "junk", 5);
    assert_int_equal(plaint_money_format(out, sizeof(out), 1, "XYZ"), PLAINT_EINVALID);
    assert_string_equal(out, "");
    assert_int_equal(plaint_money_format(out, sizeof(out), 1, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_money_format(NULL, 8, 1, "GBP"), PLAINT_EINVALID);
    /* "12.34" needs 6 bytes */
    memcpy(out, "junk", 5);
    assert_int_equal(plaint_money_format(out, 5, 1234, "GBP"), PLAINT_ERANGE);
    assert_string_equal(out, "");
    assert_int_equal(plaint_money_format(out, 6, 1234, "GBP"), 0);
    assert_string_equal(out, "12.34");
    assert_int_equal(plaint_money_format(out, 0, 1234, "GBP"), PLAINT_ERANGE);
    assert_int_equal(plaint_money_format(out, sizeof(out), -1234567, "GBP"), PLAINT_ERANGE);
}

/* A random int64 leaning towards the interesting: limits, near limits, small, any size. */
static int64_t rand_i64(void)
{
    static const int64_t edges[] = {INT64_MIN,
                                    INT64_MIN + 1,
                                    INT64_MAX,
                                    INT64_MAX - 1,
                                    0,
                                    1,
                                    -1,
                                    INT64_C(4611686018427387904),
                                    -INT64_C(4611686018427387904),
                                    INT64_C(4611686018427387903),
                                    INT64_MAX / 10000,
                                    INT64_MAX / 10};
    uint64_t kind = rng_below(8);
    uint64_t r = rng_next();

    switch (kind) {
    case 0:
        return edges[rng_below(sizeof(edges) / sizeof(edges[0]))];
    case 1:
        return INT64_MAX - (int64_t)rng_below(100000);
    case 2:
        return INT64_MIN + (int64_t)rng_below(100000);
    case 3:
        return (int64_t)rng_below(20001) - 10000;
    case 4:
    case 5:
        return (int64_t)r;
    default:
        /* a random magnitude below 2^63, random sign */
        return (int64_t)(r >> (1 + rng_below(63))) * (rng_below(2) ? 1 : -1);
    }
}

/* The reference text of v minor units with exp fraction digits, via 128-bit division. */
static void ref_format(char *out, size_t n, int64_t v, int exp)
{
    i128 mag = v < 0 ? -(i128)v : (i128)v;
    i128 p = 1;
    int k;

    for (k = 0; k < exp; k++) {
        p *= 10;
    }
    if (exp == 0) {
        snprintf(out, n, "%s%" PRIu64, v < 0 ? "-" : "", (uint64_t)mag);
    } else {
        snprintf(out, n, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", (uint64_t)(mag / p), exp,
                 (uint64_t)(mag % p));
    }
}

/* format agrees with the reference, and parse(format(v)) == v, in every exponent 0..4. */
static void test_format_parse_property(void **state)
{
    static const char *const curs[] = {"JPY", "CLP", "GBP", "EUR", "BHD", "KWD", "CLF"};
    int i;

    (void)state;
    for (i = 0; i < 50000; i++) {
        const char *cur = curs[rng_below(sizeof(curs) / sizeof(curs[0]))];
        int64_t v = rand_i64();
        int64_t back = 0;
        char got[PLAINT_MONEY_TEXT_LEN];
        char want[64];
        plaint_error err;

        ref_format(want, sizeof(want), v, plaint_currency_exponent(cur));
        assert_int_equal(plaint_money_format(got, sizeof(got), v, cur), 0);
        if (strcmp(got, want) != 0) {
            fail_msg("format %" PRId64 " %s: \"%s\", reference \"%s\"", v, cur, got, want);
        }
        plaint_error_init(&err);
        if (plaint_money_parse(&back, got, cur, &err) != 0 || back != v) {
            fail_msg("parse(format(%" PRId64 " %s)) = %" PRId64 " (%s)", v, cur, back, err.message);
        }
    }
}

/* ---- half-to-even division ---- */

static void expect_div(int64_t num, int64_t den, int64_t want)
{
    int64_t got = plaint_div_round_half_even(num, den);

    if (got != want) {
        fail_msg("%" PRId64 " / %" PRId64 ": got %" PRId64 ", want %" PRId64, num, den, got, want);
    }
}

static void test_div_round_half_even_table(void **state)
{
    (void)state;
    /* exact */
    expect_div(0, 7, 0);
    expect_div(10, 5, 2);
    expect_div(-10, 5, -2);
    /* ties go to the even neighbour, both ways */
    expect_div(1, 2, 0);   /* 0.5 -> 0 */
    expect_div(3, 2, 2);   /* 1.5 -> 2 */
    expect_div(5, 2, 2);   /* 2.5 -> 2 */
    expect_div(7, 2, 4);   /* 3.5 -> 4 */
    expect_div(15, 10, 2); /* 1.5 -> 2 */
    expect_div(25, 10, 2); /* 2.5 -> 2 */
    expect_div(35, 10, 4); /* 3.5 -> 4 */
    /* negative ties: symmetric, to the even neighbour */
    expect_div(-1, 2, 0);  /* -0.5 -> 0 */
    expect_div(-3, 2, -2); /* -1.5 -> -2 */
    expect_div(-5, 2, -2); /* -2.5 -> -2 */
    expect_div(-7, 2, -4); /* -3.5 -> -4 */
    expect_div(-15, 10, -2);
    expect_div(-25, 10, -2);
    expect_div(-5000, 10000, 0);
    expect_div(-15000, 10000, -2);
    /* not ties: nearest */
    expect_div(24, 10, 2);
    expect_div(26, 10, 3);
    expect_div(-24, 10, -2);
    expect_div(-26, 10, -3);
    expect_div(1, 3, 0);
    expect_div(2, 3, 1);
    expect_div(-2, 3, -1);
    expect_div(4999, 10000, 0);
    expect_div(5001, 10000, 1);
    expect_div(-5001, 10000, -1);
    /* the int64 limits */
    expect_div(INT64_MAX, 1, INT64_MAX);
    expect_div(INT64_MIN, 1, INT64_MIN);
    expect_div(INT64_MIN, 2, -INT64_C(4611686018427387904));
    /* 4611686018427387903.5: odd floor, rounds up to the even one */
    expect_div(INT64_MAX, 2, INT64_C(4611686018427387904));
    /* -4611686018427387903.5 -> -4611686018427387904 */
    expect_div(INT64_MIN + 1, 2, -INT64_C(4611686018427387904));
    expect_div(INT64_MAX, INT64_MAX, 1);
    expect_div(INT64_MIN, INT64_MAX, -1);
    expect_div(INT64_MAX - 1, INT64_MAX, 1);
    /* just under and just over one half of INT64_MAX (which is odd: no exact tie) */
    expect_div(INT64_C(4611686018427387903), INT64_MAX, 0);
    expect_div(INT64_C(4611686018427387904), INT64_MAX, 1);
    expect_div(-INT64_C(4611686018427387903), INT64_MAX, 0);
    expect_div(-INT64_C(4611686018427387904), INT64_MAX, -1);
    /* an exact tie with the largest even divisor */
    expect_div(INT64_C(4611686018427387903), INT64_MAX - 1, 0);  /* 0.5 -> 0 */
    expect_div(-INT64_C(4611686018427387903), INT64_MAX - 1, 0); /* -0.5 -> 0 */
    /* ties with den = 2^62 */
    expect_div(INT64_C(2305843009213693952), INT64_C(4611686018427387904), 0);   /* 0.5 -> 0 */
    expect_div(INT64_C(6917529027641081856), INT64_C(4611686018427387904), 2);   /* 1.5 -> 2 */
    expect_div(-INT64_C(6917529027641081856), INT64_C(4611686018427387904), -2); /* -1.5 -> -2 */
    expect_div(INT64_MIN, INT64_MIN / -2, -2);
}

static int64_t rand_den(void)
{
    static const int64_t dens[] = {
        1, 2, 3, 4, 10, 100, 10000, INT64_MAX, INT64_MAX - 1, INT64_C(4611686018427387904)};
    uint64_t kind = rng_below(4);

    if (kind == 0) {
        return dens[rng_below(sizeof(dens) / sizeof(dens[0]))];
    }
    if (kind == 1) {
        return 1 + (int64_t)rng_below(1000);
    }
    /* any positive magnitude */
    {
        int64_t v = (int64_t)((rng_next() >> 1) >> rng_below(63));
        return v == 0 ? 1 : v;
    }
}

static void test_div_round_half_even_property(void **state)
{
    long ties = 0;
    int i;

    (void)state;
    for (i = 0; i < 300000; i++) {
        int64_t den = rand_den();
        int64_t num = rand_i64();
        int64_t got;
        i128 want;

        if (i % 4 == 0) {
            /* force an exact tie when den is even: num = k * den + den / 2 (or negated) */
            if (den % 2 == 0) {
                i128 k = (i128)(rng_below(2000)) - 1000;
                i128 t = k * den + den / 2;
                if (t >= INT64_MIN && t <= INT64_MAX) {
                    num = (int64_t)t;
                    ties++;
                }
            }
        }
        got = plaint_div_round_half_even(num, den);
        want = ref_round(num, den);
        if ((i128)got != want) {
            fail_msg("%" PRId64 " / %" PRId64 ": got %" PRId64 ", reference %" PRId64, num, den,
                     got, (int64_t)want);
        }
    }
    /* the property test must have exercised ties */
    assert_true(ties > 1000);
}

/* ---- refunds: worked examples ---- */

static void expect_refund(const plaint_refund_line *lines, size_t n, const int64_t *credits,
                          size_t nc, int64_t net, int64_t tax, int64_t cr, int64_t total)
{
    plaint_refund_calc c;
    plaint_error err;
    int rc;

    plaint_error_init(&err);
    memset(&c, 0xa5, sizeof(c));
    rc = plaint_refund_compute(&c, lines, n, credits, nc, &err);
    if (rc != 0) {
        fail_msg("refund: rc %d, %s", rc, err.message);
    }
    if (c.net != net || c.tax != tax || c.credits != cr || c.total != total) {
        fail_msg("refund: got net %" PRId64 " tax %" PRId64 " credits %" PRId64 " total %" PRId64
                 ", want %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64,
                 c.net, c.tax, c.credits, c.total, net, tax, cr, total);
    }
}

/* Asserts the refund fails with EINVALID on field, the message names it, and *out is zero. */
static void expect_refund_fail(const plaint_refund_line *lines, size_t n, const int64_t *credits,
                               size_t nc, const char *field, const char *mentions)
{
    plaint_refund_calc c;
    plaint_error err;
    int rc;

    plaint_error_init(&err);
    memset(&c, 0xa5, sizeof(c));
    rc = plaint_refund_compute(&c, lines, n, credits, nc, &err);
    if (rc != PLAINT_EINVALID) {
        fail_msg("refund: rc %d, want EINVALID on %s (total %" PRId64 ")", rc, field, c.total);
    }
    assert_int_equal(err.code, PLAINT_EINVALID);
    if (strcmp(err.field, field) != 0) {
        fail_msg("refund: field \"%s\", want \"%s\" (%s)", err.field, field, err.message);
    }
    if (strstr(err.message, field) == NULL || strstr(err.message, mentions) == NULL) {
        fail_msg("refund: message \"%s\" lacks \"%s\" or \"%s\"", err.message, field, mentions);
    }
    assert_int_equal(c.net, 0);
    assert_int_equal(c.tax, 0);
    assert_int_equal(c.credits, 0);
    assert_int_equal(c.total, 0);
}

static void test_refund_examples(void **state)
{
    /* 3 x 10.00 at 20%: net 30.00, tax 6.00 */
    const plaint_refund_line simple[] = {{1000, 3, 2000}};
    /* a mixed basket: 2 x 4.99 at 20% (tax 1.996 -> 2.00), 1 x 12.50 at 5% (0.625 -> 0.62),
     * 1 x 3.00 zero-rated */
    const plaint_refund_line basket[] = {{499, 2, 2000}, {1250, 1, 500}, {300, 1, 0}};
    const int64_t one_credit[] = {500};
    const int64_t credits[] = {500, 250, 0};

    (void)state;
    expect_refund(simple, 1, NULL, 0, 3000, 600, 0, 3600);
    expect_refund(basket, 3, NULL, 0, 998 + 1250 + 300, 200 + 62, 0, 2548 + 262);
    expect_refund(basket, 3, one_credit, 1, 2548, 262, 500, 2310);
    expect_refund(basket, 3, credits, 3, 2548, 262, 750, 2060);
    /* zero quantity and zero price lines are fine */
    {
        const plaint_refund_line zeros[] = {{0, 5, 2000}, {1000, 0, 2000}};
        expect_refund(zeros, 2, NULL, 0, 0, 0, 0, 0);
    }
}

static void test_refund_ties(void **state)
{
    /* 50% of an odd number of minor units is an exact tie */
    const plaint_refund_line half_1[] = {{1, 1, 5000}}; /* 0.5 -> 0 */
    const plaint_refund_line half_3[] = {{3, 1, 5000}}; /* 1.5 -> 2 */
    const plaint_refund_line half_5[] = {{5, 1, 5000}}; /* 2.5 -> 2 */
    const plaint_refund_line half_7[] = {{7, 1, 5000}}; /* 3.5 -> 4 */
    /* 17.5% (1750 bp) of 0.20 is 0.035 -> 0.04 (up), of 0.60 is 0.105 -> 0.10 (down) */
    const plaint_refund_line vat175_up[] = {{20, 1, 1750}};
    const plaint_refund_line vat175_down[] = {{60, 1, 1750}};
    /* 25% of 0.02 is 0.005 -> 0.00; of 0.06 is 0.015 -> 0.02 */
    const plaint_refund_line q_down[] = {{2, 1, 2500}};
    const plaint_refund_line q_up[] = {{6, 1, 2500}};
    /* per line, then summed: two lines of 0.5 each round to 0 each, not to 1 together */
    const plaint_refund_line per_line[] = {{1, 1, 5000}, {1, 1, 5000}};
    /* the quantity multiplies before the tax is rounded: 3 x 0.01 at 50% = 0.015 -> 0.02 */
    const plaint_refund_line qty[] = {{1, 3, 5000}};

    (void)state;
    expect_refund(half_1, 1, NULL, 0, 1, 0, 0, 1);
    expect_refund(half_3, 1, NULL, 0, 3, 2, 0, 5);
    expect_refund(half_5, 1, NULL, 0, 5, 2, 0, 7);
    expect_refund(half_7, 1, NULL, 0, 7, 4, 0, 11);
    expect_refund(vat175_up, 1, NULL, 0, 20, 4, 0, 24);
    expect_refund(vat175_down, 1, NULL, 0, 60, 10, 0, 70);
    expect_refund(q_down, 1, NULL, 0, 2, 0, 0, 2);
    expect_refund(q_up, 1, NULL, 0, 6, 2, 0, 8);
    expect_refund(per_line, 2, NULL, 0, 2, 0, 0, 2);
    expect_refund(qty, 1, NULL, 0, 3, 2, 0, 5);
}

static void test_refund_zero_lines_and_credits(void **state)
{
    const int64_t credits[] = {100};
    const plaint_refund_line line[] = {{1000, 1, 2000}};
    const int64_t exact[] = {1000, 200};
    const int64_t over[] = {1000, 201};
    const int64_t huge[] = {INT64_MAX};

    (void)state;
    expect_refund(NULL, 0, NULL, 0, 0, 0, 0, 0);
    expect_refund(line, 0, credits, 0, 0, 0, 0, 0);
    /* credit notes and no lines: nothing to refund */
    expect_refund(NULL, 0, credits, 1, 0, 0, 100, 0);
    /* credit notes equal to the amount, and larger than it: the refund is 0, not negative */
    expect_refund(line, 1, exact, 2, 1000, 200, 1200, 0);
    expect_refund(line, 1, over, 2, 1000, 200, 1201, 0);
    expect_refund(line, 1, huge, 1, 1000, 200, INT64_MAX, 0);
}

static void test_refund_limits(void **state)
{
    const plaint_refund_line max_net[] = {{INT64_MAX, 1, 0}};
    /* net * 10 = 9223372036854775800: 1000% tax exactly to the edge */
    const plaint_refund_line max_rate[] = {{INT64_MAX / 10, 1, 90000}};
    const plaint_refund_line rate_100000[] = {{7, 3, 100000}};
    const int64_t credit_max[] = {INT64_MAX};
    /* 50% of this net is a tie (...602.5) rounded to even (down): net + tax is INT64_MAX */
    const plaint_refund_line tie_at_max[] = {{INT64_C(6148914691236517205), 1, 5000}};

    (void)state;
    expect_refund(max_net, 1, NULL, 0, INT64_MAX, 0, 0, INT64_MAX);
    expect_refund(max_net, 1, credit_max, 1, INT64_MAX, 0, INT64_MAX, 0);
    expect_refund(max_rate, 1, NULL, 0, INT64_MAX / 10, (INT64_MAX / 10) * 9, 0,
                  (INT64_MAX / 10) * 10);
    expect_refund(rate_100000, 1, NULL, 0, 21, 210, 0, 231);
    expect_refund(tie_at_max, 1, NULL, 0, INT64_C(6148914691236517205),
                  INT64_C(3074457345618258602), 0, INT64_MAX);
}

static void test_refund_invalid(void **state)
{
    const plaint_refund_line neg_unit[] = {{100, 1, 0}, {-1, 1, 0}};
    const plaint_refund_line neg_qty[] = {{100, -2, 0}};
    const plaint_refund_line neg_rate[] = {{100, 1, -1}};
    const plaint_refund_line big_rate[] = {{100, 1, 100001}};
    const plaint_refund_line int_max_rate[] = {{100, 1, INT32_MAX}};
    /* the first problem, in line order, is the one reported */
    const plaint_refund_line first[] = {{1, 1, 0}, {1, -1, 0}, {-1, 1, 0}};
    const plaint_refund_line ok[] = {{100, 1, 2000}};
    const int64_t neg_credit[] = {5, -1};

    (void)state;
    expect_refund_fail(neg_unit, 2, NULL, 0, "lines[1].unit_minor", "negative (-1)");
    expect_refund_fail(neg_qty, 1, NULL, 0, "lines[0].quantity", "negative (-2)");
    expect_refund_fail(neg_rate, 1, NULL, 0, "lines[0].tax_rate_bp", "-1 basis points");
    expect_refund_fail(big_rate, 1, NULL, 0, "lines[0].tax_rate_bp", "outside 0..100000");
    expect_refund_fail(int_max_rate, 1, NULL, 0, "lines[0].tax_rate_bp", "2147483647");
    expect_refund_fail(first, 3, NULL, 0, "lines[1].quantity", "negative");
    expect_refund_fail(ok, 1, neg_credit, 2, "credit_notes[1]", "negative (-1)");
    expect_refund_fail(neg_qty, 1, neg_credit, 2, "lines[0].quantity", "negative");
    /* NULL arrays with counts, and no result */
    expect_refund_fail(NULL, 1, NULL, 0, "lines", "NULL with a count of 1");
    expect_refund_fail(ok, 1, NULL, 2, "credit_notes", "NULL with a count of 2");
    assert_int_equal(plaint_refund_compute(NULL, ok, 1, NULL, 0, NULL), PLAINT_EINVALID);
}

static void test_refund_overflow(void **state)
{
    const plaint_refund_line net_over[] = {{INT64_MAX, 2, 0}};
    const plaint_refund_line net_over2[] = {{INT64_C(3037000500), INT64_C(3037000500), 0}};
    /* the tax alone overflows: 10 x (INT64_MAX / 2) */
    const plaint_refund_line tax_over[] = {{INT64_MAX / 2, 1, 100000}};
    /* net fits and tax fits, their sum does not */
    const plaint_refund_line gross_over[] = {{INT64_MAX / 2 + 1, 1, 10000}};
    /* each line fits, the running total does not at line 2 */
    const plaint_refund_line sum_over[] = {
        {INT64_MAX / 4, 1, 0}, {INT64_MAX / 4, 1, 0}, {INT64_MAX / 2 + 3, 1, 0}};
    /* the rounding step itself overflows: 150% of this net is INT64_MAX + 0.5, a tie whose
     * floor (INT64_MAX) is odd, so it rounds up past INT64_MAX */
    const plaint_refund_line round_over[] = {{INT64_C(6148914691236517205), 1, 15000}};
    const int64_t credit_over[] = {INT64_MAX, 1};
    const plaint_refund_line ok[] = {{100, 1, 2000}};

    (void)state;
    expect_refund_fail(net_over, 1, NULL, 0, "lines[0].quantity", "overflows int64");
    expect_refund_fail(net_over2, 1, NULL, 0, "lines[0].quantity", "overflows int64");
    expect_refund_fail(tax_over, 1, NULL, 0, "lines[0].tax_rate_bp", "overflows int64");
    expect_refund_fail(gross_over, 1, NULL, 0, "lines[0]", "overflows int64");
    expect_refund_fail(sum_over, 3, NULL, 0, "lines[2]", "overflows int64");
    expect_refund_fail(round_over, 1, NULL, 0, "lines[0].tax_rate_bp", "overflows int64");
    expect_refund_fail(ok, 1, credit_over, 2, "credit_notes[1]", "overflows int64");
}

/* ---- refunds: property test against the 128-bit reference ---- */

typedef struct ref_result {
    int ok;
    char field[64];
    i128 net, tax, credits, total;
    int had_tie;
} ref_result;

static void ref_refund(ref_result *out, const plaint_refund_line *lines, size_t n,
                       const int64_t *credits, size_t nc)
{
    i128 gross = 0;
    size_t i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < n; i++) {
        i128 net;
        i128 tax;
        if (lines[i].unit_minor < 0) {
            snprintf(out->field, sizeof(out->field), "lines[%zu].unit_minor", i);
            return;
        }
        if (lines[i].quantity < 0) {
            snprintf(out->field, sizeof(out->field), "lines[%zu].quantity", i);
            return;
        }
        if (lines[i].tax_rate_bp < 0 || lines[i].tax_rate_bp > 100000) {
            snprintf(out->field, sizeof(out->field), "lines[%zu].tax_rate_bp", i);
            return;
        }
        net = (i128)lines[i].unit_minor * lines[i].quantity;
        if (net > I64_MAX) {
            snprintf(out->field, sizeof(out->field), "lines[%zu].quantity", i);
            return;
        }
        tax = ref_round(net * lines[i].tax_rate_bp, 10000);
        if ((net * lines[i].tax_rate_bp) % 10000 == 5000) {
            out->had_tie = 1;
        }
        gross += net + tax;
        if (tax > I64_MAX) {
            snprintf(out->field, sizeof(out->field), "lines[%zu].tax_rate_bp", i);
            return;
        }
        if (gross > I64_MAX) {
            snprintf(out->field, sizeof(out->field), "lines[%zu]", i);
            return;
        }
        out->net += net;
        out->tax += tax;
    }
    for (i = 0; i < nc; i++) {
        if (credits[i] < 0) {
            snprintf(out->field, sizeof(out->field), "credit_notes[%zu]", i);
            return;
        }
        out->credits += credits[i];
        if (out->credits > I64_MAX) {
            snprintf(out->field, sizeof(out->field), "credit_notes[%zu]", i);
            return;
        }
    }
    out->total = gross - out->credits;
    if (out->total < 0) {
        out->total = 0;
    }
    out->ok = 1;
}

/* Amounts: mostly realistic, sometimes near the int64 limits, rarely negative. */
static int64_t rand_amount(void)
{
    uint64_t kind = rng_below(20);

    if (kind < 10) {
        return (int64_t)rng_below(100000);
    }
    if (kind < 13) {
        return (int64_t)rng_below(100);
    }
    if (kind < 15) {
        /* near a limit divided by a small factor, so that products and sums overflow or not */
        return INT64_MAX / (int64_t)(1 + rng_below(12)) - (int64_t)rng_below(1000);
    }
    if (kind < 19) {
        return (int64_t)((rng_next() >> 1) >> rng_below(63));
    }
    return -(int64_t)rng_below(1000) - 1;
}

static int64_t rand_quantity(void)
{
    uint64_t kind = rng_below(20);

    if (kind < 15) {
        return (int64_t)rng_below(20);
    }
    if (kind < 19) {
        return (int64_t)((rng_next() >> 1) >> rng_below(63));
    }
    return -(int64_t)rng_below(5) - 1;
}

static int32_t rand_rate(void)
{
    static const int32_t common[] = {0, 500, 1250, 1750, 2000, 2500, 5000, 7500, 100000};
    static const int32_t invalid[] = {-1, 100001, INT32_MAX, INT32_MIN};
    uint64_t kind = rng_below(50);

    if (kind < 30) {
        return common[rng_below(sizeof(common) / sizeof(common[0]))];
    }
    if (kind < 49) {
        return (int32_t)rng_below(100001);
    }
    return invalid[rng_below(sizeof(invalid) / sizeof(invalid[0]))];
}

static void test_refund_property(void **state)
{
    long ok = 0;
    long failed = 0;
    long ties = 0;
    long overflows = 0;
    long floored = 0;
    long big = 0;
    int iter;

    (void)state;
    for (iter = 0; iter < 100000; iter++) {
        plaint_refund_line lines[6];
        int64_t credits[3];
        size_t n = (size_t)rng_below(7);
        size_t nc = (size_t)rng_below(4);
        plaint_refund_calc got;
        plaint_error err;
        ref_result want;
        size_t i;
        int rc;

        for (i = 0; i < n; i++) {
            lines[i].unit_minor = rand_amount();
            lines[i].quantity = rand_quantity();
            lines[i].tax_rate_bp = rand_rate();
        }
        for (i = 0; i < nc; i++) {
            /* credit notes of the size of the lines, so that some exceed the total */
            credits[i] = rng_below(3) == 0 ? (int64_t)rng_below(300000) : rand_amount();
        }
        ref_refund(&want, lines, n, credits, nc);
        plaint_error_init(&err);
        memset(&got, 0x5a, sizeof(got));
        rc = plaint_refund_compute(&got, lines, n, credits, nc, &err);
        if (want.ok) {
            if (rc != 0) {
                fail_msg("case %d: rc %d (%s), reference succeeds", iter, rc, err.message);
            }
            if ((i128)got.net != want.net || (i128)got.tax != want.tax ||
                (i128)got.credits != want.credits || (i128)got.total != want.total) {
                fail_msg("case %d: got %" PRId64 "/%" PRId64 "/%" PRId64 "/%" PRId64
                         ", reference %" PRId64 "/%" PRId64 "/%" PRId64 "/%" PRId64,
                         iter, got.net, got.tax, got.credits, got.total, (int64_t)want.net,
                         (int64_t)want.tax, (int64_t)want.credits, (int64_t)want.total);
            }
            ok++;
            ties += want.had_tie;
            floored += want.total == 0 && want.credits > 0;
            big += want.net + want.tax > ((i128)1 << 62);
        } else {
            if (rc != PLAINT_EINVALID || strcmp(err.field, want.field) != 0) {
                fail_msg("case %d: rc %d field \"%s\" (%s), reference fails on \"%s\"", iter, rc,
                         err.field, err.message, want.field);
            }
            if (got.net != 0 || got.tax != 0 || got.credits != 0 || got.total != 0) {
                fail_msg("case %d: result not cleared on error", iter);
            }
            failed++;
            overflows += strstr(err.message, "overflow") != NULL;
        }
    }
    print_message("test_money: refunds %ld computed (%ld with a tie, %ld floored at 0, %ld over "
                  "2^62), %ld refused (%ld overflows)\n",
                  ok, ties, floored, big, failed, overflows);
    /* the generator must reach every kind of case */
    assert_true(ok > 20000);
    assert_true(ties > 1000);
    assert_true(floored > 1000);
    assert_true(big > 500);
    assert_true(failed > 5000);
    assert_true(overflows > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_currency_exponent),
        cmocka_unit_test(test_currency_exponent_refused),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_error_fields),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_format_parse_property),
        cmocka_unit_test(test_div_round_half_even_table),
        cmocka_unit_test(test_div_round_half_even_property),
        cmocka_unit_test(test_refund_examples),
        cmocka_unit_test(test_refund_ties),
        cmocka_unit_test(test_refund_zero_lines_and_credits),
        cmocka_unit_test(test_refund_limits),
        cmocka_unit_test(test_refund_invalid),
        cmocka_unit_test(test_refund_overflow),
        cmocka_unit_test(test_refund_property),
    };

    return cmocka_run_group_tests(tests, setup_seed, NULL);
}
