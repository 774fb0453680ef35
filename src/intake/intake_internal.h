/* Internal to src/intake: the loaded mapping (built by mapping_xml.c, used by csv_intake.c) and
 * the value checks both apply (value_check.c). */
#ifndef PLAINT_INTAKE_INTERNAL_H
#define PLAINT_INTAKE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/intake.h"

/* The intake fields a mapping can fill, in plaint_intake order. */
typedef enum plaint_intake_target {
    PLAINT_INTAKE_T_EXTERNAL_ID = 0,
    PLAINT_INTAKE_T_RECEIVED,
    PLAINT_INTAKE_T_CHANNEL,
    PLAINT_INTAKE_T_CATEGORY,
    PLAINT_INTAKE_T_SUB_CATEGORY,
    PLAINT_INTAKE_T_PRODUCT,
    PLAINT_INTAKE_T_ISSUE,
    PLAINT_INTAKE_T_SUB_ISSUE,
    PLAINT_INTAKE_T_NARRATIVE,
    PLAINT_INTAKE_T_COMPANY,
    PLAINT_INTAKE_T_CUSTOMER_REF,
    PLAINT_INTAKE_T_CUSTOMER_NAME,
    PLAINT_INTAKE_T_CUSTOMER_EMAIL,
    PLAINT_INTAKE_T_ORDER_REF,
    PLAINT_INTAKE_T_URGENCY,
    PLAINT_INTAKE_T_COUNT,
    PLAINT_INTAKE_T_EXTRA = -1 /* an <extra>: copied under its own name */
} plaint_intake_target;

typedef enum plaint_intake_format {
    PLAINT_INTAKE_FMT_TEXT = 0,
    PLAINT_INTAKE_FMT_DATE,     /* YYYY-MM-DD */
    PLAINT_INTAKE_FMT_DATETIME, /* RFC 3339 */
    PLAINT_INTAKE_FMT_INTEGER,
    PLAINT_INTAKE_FMT_MONEY
} plaint_intake_format;

typedef struct plaint_intake_value {
    char *from;
    char *to;
} plaint_intake_value;

/* One <field> or <extra>. Strings owned by the mapping. */
typedef struct plaint_intake_rule {
    char *name;          /* field name ("received") or extra name */
    int target;          /* plaint_intake_target */
    char *column;        /* header name; NULL for a constant (default only) */
    char *default_value; /* used for an empty cell; NULL if none */
    int required;        /* an empty cell (without default) is an error */
    int ignore_case;     /* value map matches ASCII case-insensitively */
    plaint_intake_format format;
    size_t max_length;           /* in characters; 0: no limit but the reader's */
    plaint_intake_value *values; /* value map; an unmapped non-empty value is an error */
    size_t value_count;
} plaint_intake_rule;

struct plaint_mapping {
    char *name;
    unsigned char delimiter;
    plaint_intake_rule *rules; /* fields first, then extras, in file order */
    size_t rule_count;
    size_t extra_count;
};

/* Names of targets and formats as written in mappings; NULL if out of range. */
const char *plaint_intake_target_name(int target);
const char *plaint_intake_format_name(plaint_intake_format f);

/* Offset of the first byte of s[0..len) that is not part of valid UTF-8 (no overlongs,
 * surrogates or code points over U+10FFFF), or len if all of it is valid. */
size_t plaint_intake_utf8_invalid_at(const char *s, size_t len);

/* Number of code points of valid UTF-8. */
size_t plaint_intake_utf8_length(const char *s, size_t len);

/* 1 if valid UTF-8 s holds a code point XML 1.0 cannot carry (C0 controls other than TAB, LF
 * and CR; U+FFFE; U+FFFF): the first goes to *cp_out, its 1-based character index to
 * *index_out. 0 if none. */
int plaint_intake_xml_unsafe(uint32_t *cp_out, size_t *index_out, const char *s, size_t len);

/* Format checks of a whole value. date and datetime also return the time (UTC microseconds;
 * a date is 00:00:00 UTC). Each returns 0, or PLAINT_EINVALID with a short reason in err (the
 * caller adds field name and value). */
int plaint_intake_parse_date(int64_t *out, const char *s, size_t len, plaint_error *err);
int plaint_intake_parse_datetime(int64_t *out, const char *s, size_t len, plaint_error *err);
int plaint_intake_check_integer(const char *s, size_t len, plaint_error *err);
int plaint_intake_check_money(const char *s, size_t len, plaint_error *err);

/* Checks value against rule's format and max-length, and the XML-safety rule. On failure
 * returns PLAINT_EINVALID with err->message the reason without field name, e.g.
 * "not a date (YYYY-MM-DD): \"2020-13-45\"". *time_out (may be NULL) receives the time for
 * date/datetime formats. */
int plaint_intake_check_value(int64_t *time_out, const plaint_intake_rule *rule, const char *s,
                              size_t len, plaint_error *err);

/* 1 if s is a value the target accepts (channel and urgency vocabularies; anything for other
 * targets). */
int plaint_intake_target_accepts(int target, const char *s);

/* Writes s as a quoted, one-line, escaped excerpt ("..." with \n, \" and \xNN; at most about
 * 60 characters, then "...") into out. */
void plaint_intake_quote(char *out, size_t out_size, const char *s, size_t len);

#endif
