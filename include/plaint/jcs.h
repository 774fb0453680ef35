/* RFC 8785 JSON Canonicalization Scheme (JCS) over jansson values, restricted to I-JSON integers.
 */
#ifndef PLAINT_JCS_H
#define PLAINT_JCS_H

#include <stddef.h>

#include <jansson.h>

#include "plaint/buf.h"
#include "plaint/error.h"
#include "plaint/export.h"

/*
 * Policy (stricter than RFC 8785, so that every verifier reproduces the same bytes without a
 * floating-point formatter):
 *
 * - No floating-point numbers anywhere: a JSON real (anything written with '.', 'e' or 'E',
 *   even 1.0) is PLAINT_EINVALID "floating-point number not allowed", with the JSON path of the
 *   value (e.g. "$.payload.amount", "$.items[2]") in err->field. Money is integer minor units.
 * - Integers must lie within +-(2^53 - 1), the I-JSON safe range; otherwise PLAINT_ERANGE with
 *   the path in err->field. They are written in plain decimal ("-0" is written "0").
 * - Object members are sorted by the UTF-16 code units of their keys (RFC 8785 section 3.2.3),
 *   so a key outside the BMP sorts by its surrogate pair, before U+E000..U+FFFF.
 * - Strings must be valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) and
 *   must not contain U+0000: PLAINT_EINVALID otherwise.
 * - Nesting deeper than PLAINT_JCS_MAX_DEPTH arrays/objects is PLAINT_EINVALID.
 * - No whitespace between tokens; literals are null, true, false.
 *
 * On error, out may hold a partial serialisation; callers discard it.
 */

/* Deepest allowed nesting of arrays and objects (the top-level container is depth 1). */
#define PLAINT_JCS_MAX_DEPTH 64

/*
 * Parses len bytes of JSON text (any value at top level, UTF-8, duplicate keys rejected) and
 * appends its canonical form to out.
 * Returns 0; PLAINT_EINVALID for malformed JSON or a duplicate key (err->line and err->column
 * locate it) or a policy violation; PLAINT_ERANGE for an integer out of range; PLAINT_ENOMEM.
 */
PLAINT_EXTERN int plaint_jcs_canonicalize(plaint_buf *out, const char *json, size_t len,
                                          plaint_error *err);

/*
 * Appends the canonical form of value (borrowed, not modified) to out.
 * Returns 0, PLAINT_EINVALID, PLAINT_ERANGE or PLAINT_ENOMEM as above.
 */
PLAINT_EXTERN int plaint_jcs_dump(plaint_buf *out, const json_t *value, plaint_error *err);

/*
 * Appends s (len bytes of UTF-8) as a JSON string literal in JCS form: '"' and '\' are
 * backslash-escaped, U+0008/0009/000A/000C/000D become \b \t \n \f \r, other controls below
 * U+0020 become \u00xx (lowercase hex), everything else is copied as is.
 * Returns 0; PLAINT_EINVALID (nothing appended) for invalid UTF-8 or U+0000; PLAINT_ENOMEM.
 */
PLAINT_EXTERN int plaint_jcs_append_string(plaint_buf *out, const char *s, size_t len,
                                           plaint_error *err);

#endif
