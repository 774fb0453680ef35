/* Money in integer minor units: the ISO 4217 exponent table, decimal text in and out, the
 * half-to-even division and the refund calculation. Pure; no floating point anywhere, and
 * every product and sum is checked for int64 overflow before it is used. */
#include "plaint/money.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct currency_entry {
    char code[PLAINT_CURRENCY_LEN + 1];
    int exponent;
} currency_entry;

/* Active ISO 4217 currencies and their minor units (ISO 4217 list one). Funds codes other than
 * CLF/UYI/UYW, precious metals, XDR, test codes and withdrawn currencies are left out: an
 * amount in them is not a refund. */
static const currency_entry CURRENCIES[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2},
    {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2},
    {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2},
    {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2},
    {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0},
    {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2},
    {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2},
    {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2},
    {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2},
    {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2},
    {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2},
    {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2},
    {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2},
    {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2},
    {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0},
    {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

#define NCURRENCIES (sizeof(CURRENCIES) / sizeof(CURRENCIES[0]))

/* How much of an untrusted amount text an error message quotes. */
#define QUOTE_MAX 40

int plaint_currency_exponent(const char *code)
{
    size_t i;

    if (code == NULL) {
        return -1;
    }
    for (i = 0; i < PLAINT_CURRENCY_LEN; i++) {
        if (code[i] < 'A' || code[i] > 'Z') {
            return -1; /* also stops at a NUL before the third letter */
        }
    }
    if (code[PLAINT_CURRENCY_LEN] != '\0') {
        return -1;
    }
    for (i = 0; i < NCURRENCIES; i++) {
        if (memcmp(CURRENCIES[i].code, code, PLAINT_CURRENCY_LEN) == 0) {
            return CURRENCIES[i].exponent;
        }
    }
    return -1;
}

/* Copies an untrusted text for a message: at most QUOTE_MAX bytes ("..." if cut), control
 * characters, '"' and bytes over 0x7e as '?'. */
static void quote(char out[QUOTE_MAX + 4], const char *s)
{
    size_t i;

    for (i = 0; i < QUOTE_MAX && s[i] != '\0'; i++) {
        unsigned char b = (unsigned char)s[i];
        char c = s[i];
        if (b < 0x20 || b > 0x7e || b == '"') {
            c = '?';
        }
        out[i] = c;
    }
    if (s[i] != '\0') {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
}

/* A currency code for a message: the code if it is printable and short, else "?". */
static const char *currency_text(const char *currency, char out[8])
{
    size_t i;

    if (currency == NULL) {
        return "(none)";
    }
    for (i = 0; i < 7 && currency[i] != '\0'; i++) {
        unsigned char b = (unsigned char)currency[i];
        char c = currency[i];
        if (b < 0x20 || b > 0x7e) {
            c = '?';
        }
        out[i] = c;
    }
    if (currency[i] != '\0') {
        return "?";
    }
    out[i] = '\0';
    return out;
}

/* An amount outside int64 minor units; the message gives the range in the currency. */
static int range_fail(plaint_error *err, const char *quoted, const char *currency)
{
    char lo[PLAINT_MONEY_TEXT_LEN];
    char hi[PLAINT_MONEY_TEXT_LEN];

    plaint_money_format(lo, sizeof(lo), INT64_MIN, currency);
    plaint_money_format(hi, sizeof(hi), INT64_MAX, currency);
    return plaint_error_set_at(err, PLAINT_EINVALID, "amount", 0, 0,
                               "amount \"%s\": out of range (%s amounts run from %s to %s)", quoted,
                               currency, lo, hi);
}

int plaint_money_parse(int64_t *minor, const char *text, const char *currency, plaint_error *err)
{
    char q[QUOTE_MAX + 4];
    char cur[8];
    int exp = plaint_currency_exponent(currency);
    /* the magnitude allowed: INT64_MAX, or 2^63 for a negative amount */
    uint64_t limit;
    uint64_t v = 0;
    size_t i = 0;
    size_t int_digits = 0;
    size_t frac_digits = 0;
    int neg = 0;
    int in_frac = 0;

    if (exp < 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "currency", 0, 0,
                                   "unknown currency \"%s\" (an ISO 4217 code such as GBP)",
                                   currency_text(currency, cur));
    }
    if (minor == NULL || text == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "amount", 0, 0, "no amount given");
    }
    quote(q, text);
    if (text[0] == '-') {
        neg = 1;
        i = 1;
    }
    limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; text[i] != '\0'; i++) {
        char c = text[i];
        uint64_t d;
        if (c == '.' && !in_frac && int_digits > 0) {
            in_frac = 1;
            continue;
        }
        if (c < '0' || c > '9') {
            return plaint_error_set_at(err, PLAINT_EINVALID, "amount", 0, (unsigned long)i + 1,
                                       "amount \"%s\": unexpected character at position %zu "
                                       "(expected -, digits and one decimal point, e.g. 12.34)",
                                       q, i + 1);
        }
        if (in_frac) {
            frac_digits++;
            if (frac_digits > (size_t)exp) {
                return plaint_error_set_at(err, PLAINT_EINVALID, "amount", 0, (unsigned long)i + 1,
                                           "amount \"%s\": %s has %d decimal place%s, the text "
                                           "has more",
                                           q, currency, exp, exp == 1 ? "" : "s");
            }
        } else {
            int_digits++;
        }
        d = (uint64_t)(c - '0');
        if (v > (limit - d) / 10u) {
            return range_fail(err, q, currency);
        }
        v = v * 10u + d;
    }
    if (int_digits == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "amount", 0, 0,
                                   "amount \"%s\": no digits (expected e.g. \"12.34\")", q);
    }
    if (in_frac && frac_digits == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "amount", 0, (unsigned long)i,
                                   "amount \"%s\": no digits after the decimal point", q);
    }
    /* "12.3" in a 2-digit currency is 1230 */
    for (; frac_digits < (size_t)exp; frac_digits++) {
        if (v > limit / 10u) {
            return range_fail(err, q, currency);
        }
        v *= 10u;
    }
    /* v <= limit, so the conversion is exact; -(2^63) is reached through INT64_MIN itself */
    if (neg) {
        *minor = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
    } else {
        *minor = (int64_t)v;
    }
    return 0;
}

int plaint_money_format(char *out, size_t n, int64_t minor, const char *currency)
{
    char digits[24];
    char text[PLAINT_MONEY_TEXT_LEN];
    int exp = plaint_currency_exponent(currency);
    uint64_t mag;
    size_t nd = 0;
    size_t len = 0;
    size_t k;

    if (out == NULL) {
        return PLAINT_EINVALID;
    }
    if (n > 0) {
        out[0] = '\0';
    }
    if (exp < 0) {
        return PLAINT_EINVALID;
    }
    /* the magnitude as unsigned: -INT64_MIN does not fit in int64 */
    mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    do {
        digits[nd++] = (char)('0' + (int)(mag % 10u));
        mag /= 10u;
    } while (mag > 0);
    /* at least one integer digit: pad with leading zeros */
    while (nd < (size_t)exp + 1) {
        digits[nd++] = '0';
    }
    if (minor < 0) {
        text[len++] = '-';
    }
    for (k = nd; k > 0; k--) {
        if (k == (size_t)exp && exp > 0) {
            text[len++] = '.';
        }
        text[len++] = digits[k - 1];
    }
    text[len] = '\0';
    if (len + 1 > n) {
        return PLAINT_ERANGE;
    }
    memcpy(out, text, len + 1);
    return 0;
}

int64_t plaint_div_round_half_even(int64_t num, int64_t den)
{
    int64_t q;
    int64_t r;

    assert(den > 0);
    if (den <= 0) {
        return 0;
    }
    /* C division truncates toward zero, so |r| < den and r has the sign of num; num / den
     * cannot overflow with den > 0 */
    q = num / den;
    r = num % den;
    if (r < 0) {
        r = -r; /* r > -den >= -INT64_MAX: no overflow */
    }
    /* 2|r| against den without computing 2|r| (it may overflow): |r| against den - |r| */
    if (r > den - r || (r == den - r && q % 2 != 0)) {
        /* away from zero; |q| <= |num| / 2 when r != 0 (den >= 2), so no overflow */
        q += num < 0 ? -1 : 1;
    }
    return q;
}

/* net * rate_bp / 10000 rounded half to even, for net >= 0 and 0 <= rate_bp <= 100000, without
 * a 128-bit product: net = a * 10000 + b gives net * rate = a * rate * 10000 + b * rate, so the
 * quotient is a * rate + (b * rate) / 10000 and the remainder (b * rate) % 10000. Returns -1 if
 * the tax does not fit in int64. */
static int line_tax(int64_t *out, int64_t net, int64_t rate_bp)
{
    int64_t a = net / 10000;
    int64_t b_rate = (net % 10000) * rate_bp; /* < 10000 * 100000 */
    int64_t q;
    int64_t r = b_rate % 10000;

    if (__builtin_mul_overflow(a, rate_bp, &q) || __builtin_add_overflow(q, b_rate / 10000, &q)) {
        return -1;
    }
    if (r > 5000 || (r == 5000 && q % 2 != 0)) {
        if (__builtin_add_overflow(q, 1, &q)) {
            return -1;
        }
    }
    *out = q;
    return 0;
}

/* Fails line i on field (NULL: the line as a whole) with a formatted reason. */
static int line_fail(plaint_error *err, size_t i, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int line_fail(plaint_error *err, size_t i, const char *field, const char *fmt, ...)
{
    char name[64];
    char why[192];
    va_list ap;

    if (field != NULL) {
        snprintf(name, sizeof(name), "lines[%zu].%s", i, field);
    } else {
        snprintf(name, sizeof(name), "lines[%zu]", i);
    }
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0, "refund %s: %s", name, why);
}

int plaint_refund_compute(plaint_refund_calc *out, const plaint_refund_line *lines, size_t n,
                          const int64_t *credit_notes, size_t ncredits, plaint_error *err)
{
    plaint_refund_calc c = {0, 0, 0, 0};
    int64_t gross = 0; /* sum of net + tax so far; bounds c.net and c.tax */
    size_t i;

    if (out == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "refund: no result given");
    }
    memset(out, 0, sizeof(*out));
    if (lines == NULL && n > 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "lines", 0, 0,
                                   "refund: lines is NULL with a count of %zu", n);
    }
    if (credit_notes == NULL && ncredits > 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "credit_notes", 0, 0,
                                   "refund: credit_notes is NULL with a count of %zu", ncredits);
    }
    for (i = 0; i < n; i++) {
        const plaint_refund_line *l = &lines[i];
        int64_t net;
        int64_t tax;
        int64_t line_gross;

        if (l->unit_minor < 0) {
            return line_fail(err, i, "unit_minor", "is negative (%" PRId64 ")", l->unit_minor);
        }
        if (l->quantity < 0) {
            return line_fail(err, i, "quantity", "is negative (%" PRId64 ")", l->quantity);
        }
        if (l->tax_rate_bp < 0 || l->tax_rate_bp > PLAINT_REFUND_MAX_RATE_BP) {
            return line_fail(err, i, "tax_rate_bp", "%" PRId32 " basis points is outside 0..%d",
                             l->tax_rate_bp, PLAINT_REFUND_MAX_RATE_BP);
        }
        if (__builtin_mul_overflow(l->unit_minor, l->quantity, &net)) {
            return line_fail(err, i, "quantity",
                             "unit_minor %" PRId64 " x quantity %" PRId64 " overflows int64",
                             l->unit_minor, l->quantity);
        }
        if (line_tax(&tax, net, l->tax_rate_bp) < 0) {
            return line_fail(err, i, "tax_rate_bp",
                             "the tax on net %" PRId64 " at %" PRId32 " basis points overflows "
                             "int64",
                             net, l->tax_rate_bp);
        }
        if (__builtin_add_overflow(net, tax, &line_gross) ||
            __builtin_add_overflow(gross, line_gross, &gross)) {
            return line_fail(err, i, NULL,
                             "the total of net and tax up to this line overflows int64 "
                             "(net %" PRId64 ", tax %" PRId64 ")",
                             net, tax);
        }
        /* both <= gross, which did not overflow */
        c.net += net;
        c.tax += tax;
    }
    for (i = 0; i < ncredits; i++) {
        char name[64];

        snprintf(name, sizeof(name), "credit_notes[%zu]", i);
        if (credit_notes[i] < 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0,
                                       "refund %s: is negative (%" PRId64 ")", name,
                                       credit_notes[i]);
        }
        if (__builtin_add_overflow(c.credits, credit_notes[i], &c.credits)) {
            return plaint_error_set_at(err, PLAINT_EINVALID, name, 0, 0,
                                       "refund %s: the total of credit notes up to this one "
                                       "overflows int64",
                                       name);
        }
    }
    c.total = gross > c.credits ? gross - c.credits : 0;
    *out = c;
    return 0;
}
