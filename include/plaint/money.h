/* Money as integer minor units of an explicit ISO 4217 currency: currency exponents, decimal
 * text in and out, and the refund calculation of the reference process (step 11: "the total
 * refund value including taxes and potential credit notes"). Pure; never floating point.
 * The rules, including rounding: docs/workflow.md, section "Money and refunds". */
#ifndef PLAINT_MONEY_H
#define PLAINT_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A currency code is exactly 3 upper-case ASCII letters ("GBP"). */
#define PLAINT_CURRENCY_LEN 3
/* The largest exponent (minor-unit digits) in the currency table (CLF, UYW: 4). */
#define PLAINT_MONEY_MAX_EXPONENT 4
/* A buffer of this size holds any formatted amount and its NUL ("-92233720368547758.08"). */
#define PLAINT_MONEY_TEXT_LEN 32
/* The largest tax rate a refund line may carry, in basis points (1000%). */
#define PLAINT_REFUND_MAX_RATE_BP 100000

/* The number of minor-unit digits of an ISO 4217 currency: 2 for GBP, EUR, USD; 0 for JPY,
 * KRW; 3 for BHD, KWD, JOD, OMR, TND; 4 for CLF, UYW. -1 if code is NULL, is not exactly 3
 * upper-case letters, or is not in plaint's table (active ISO 4217 currencies; no funds codes,
 * precious metals or withdrawn currencies). */
PLAINT_EXTERN int plaint_currency_exponent(const char *code);

/* Parses a decimal amount of currency into minor units: "12.34" GBP -> 1234, "-0.50" EUR ->
 * -50, "100" JPY -> 100, "12.3" GBP -> 1230. The text is an optional '-', one or more digits,
 * and optionally '.' followed by 1 to exponent digits; nothing else (no '+', spaces, exponents
 * or thousands separators). Returns 0 with *minor set, or PLAINT_EINVALID naming the text and
 * why: an unknown currency (field "currency"); NULL text or minor, an empty text, a character
 * that does not belong, more fraction digits than the currency has, or a value outside int64
 * (field "amount"; err->column is the 1-based position of the offending character, 0 if none).
 * *minor is unchanged on error. */
PLAINT_EXTERN int plaint_money_parse(int64_t *minor, const char *text, const char *currency,
                                     plaint_error *err);

/* Writes minor units of currency as decimal text into out (n bytes): exactly exponent fraction
 * digits, a leading '-' when negative, no currency symbol or separators: 1234 GBP -> "12.34",
 * -5 GBP -> "-0.05", 100 JPY -> "100". Every int64 value is exact; the text parses back to the
 * same value with plaint_money_parse. Returns 0, PLAINT_EINVALID for an unknown currency or
 * NULL out, or PLAINT_ERANGE if the text and its NUL do not fit in n bytes (a buffer of
 * PLAINT_MONEY_TEXT_LEN bytes always does); on error out is "" if n > 0. */
PLAINT_EXTERN int plaint_money_format(char *out, size_t n, int64_t minor, const char *currency);

/* num / den rounded to the nearest integer, ties to the even integer ("banker's rounding"):
 * 5/2 -> 2, 7/2 -> 4, -5/2 -> -2, -1/2 -> 0, 26/10 -> 3. Exact for every int64 num; den must
 * be > 0 (a programmer error otherwise: asserted, and 0 is returned when assertions are off). */
PLAINT_EXTERN int64_t plaint_div_round_half_even(int64_t num, int64_t den);

/* One line of a refund: quantity items at unit_minor each, taxed at tax_rate_bp basis points
 * (2000 = 20%). All in the refund's currency; the caller fills it. */
typedef struct plaint_refund_line {
    int64_t unit_minor;  /* >= 0, minor units */
    int64_t quantity;    /* >= 0 */
    int32_t tax_rate_bp; /* 0 .. PLAINT_REFUND_MAX_RATE_BP */
} plaint_refund_line;

/* The result of plaint_refund_compute, all in minor units and never negative. */
typedef struct plaint_refund_calc {
    int64_t net;     /* sum of unit_minor * quantity over the lines */
    int64_t tax;     /* sum of the lines' taxes, each rounded half to even to the minor unit */
    int64_t credits; /* sum of the credit notes */
    int64_t total;   /* net + tax - credits, or 0 if the credit notes cover it all */
} plaint_refund_calc;

/* Computes a refund: for each line, net = unit_minor * quantity and tax = net * tax_rate_bp /
 * 10000 rounded half to even to the minor unit (per line, then summed); the refund is the sum
 * of (net + tax) less the sum of the credit notes, floored at 0 (a credit note larger than the
 * amount refunds nothing). Zero lines and zero credit notes are allowed (NULL arrays then too).
 *
 * Returns 0 with *out filled, or PLAINT_EINVALID with err->field naming the input, e.g.
 * "lines[2].quantity" or "credit_notes[0]", and the message the line index, field and value:
 * a negative unit_minor, quantity, tax_rate_bp or credit note; a tax_rate_bp over
 * PLAINT_REFUND_MAX_RATE_BP; a line whose net or tax overflows int64 (field
 * "lines[i].quantity" or "lines[i].tax_rate_bp"); a running total of net + tax that overflows
 * int64 at line i (field "lines[i]"); a running total of credit notes that overflows (field
 * "credit_notes[j]"); NULL out, or a NULL array with a non-zero count. The lines are checked in
 * order, then the credit notes; the first problem is reported. On error *out is all zero
 * (when out is not NULL). */
PLAINT_EXTERN int plaint_refund_compute(plaint_refund_calc *out, const plaint_refund_line *lines,
                                        size_t n, const int64_t *credit_notes, size_t ncredits,
                                        plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
