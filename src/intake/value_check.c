/* The value checks of intake mappings: UTF-8, characters XML cannot carry, dates, RFC 3339
 * date-times, integers, amounts of money, maximum lengths and the channel and urgency
 * vocabularies. No I/O; shared by the mapping loader (defaults, value maps) and the readers. */
#include <stdio.h>
#include <string.h>

#include "intake/intake_internal.h"
#include "plaint/civil.h"

#define US_PER_SEC  INT64_C(1000000)
#define SEC_PER_DAY INT64_C(86400)

static const char *const TARGET_NAMES[PLAINT_INTAKE_T_COUNT] = {
    "external_id",  "received",      "channel",        "category",  "sub_category",
    "product",      "issue",         "sub_issue",      "narrative", "company",
    "customer_ref", "customer_name", "customer_email", "order_ref", "urgency",
};

static const char *const CHANNELS[] = {"web", "email", "phone", "chat", "social", "api", "post"};
static const char *const URGENCIES[] = {"low", "normal", "high", "critical"};

const char *plaint_intake_target_name(int target)
{
    if (target < 0 || target >= PLAINT_INTAKE_T_COUNT) {
        return NULL;
    }
    return TARGET_NAMES[target];
}

const char *plaint_intake_format_name(plaint_intake_format f)
{
    switch (f) {
    case PLAINT_INTAKE_FMT_TEXT:
        return "text";
    case PLAINT_INTAKE_FMT_DATE:
        return "date";
    case PLAINT_INTAKE_FMT_DATETIME:
        return "datetime";
    case PLAINT_INTAKE_FMT_INTEGER:
        return "integer";
    case PLAINT_INTAKE_FMT_MONEY:
        return "money";
    }
    return NULL;
}

static int in_list(const char *s, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int plaint_intake_target_accepts(int target, const char *s)
{
    if (target == PLAINT_INTAKE_T_CHANNEL) {
        return in_list(s, CHANNELS, sizeof(CHANNELS) / sizeof(CHANNELS[0]));
    }
    if (target == PLAINT_INTAKE_T_URGENCY) {
        return in_list(s, URGENCIES, sizeof(URGENCIES) / sizeof(URGENCIES[0]));
    }
    return 1;
}

/* Length of the valid UTF-8 sequence at s[i], or 0 if it is not one; *cp receives it. */
static size_t utf8_seq(uint32_t *cp, const unsigned char *s, size_t len, size_t i)
{
    uint32_t c = s[i];
    uint32_t min;
    size_t extra;
    size_t k;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) {
        extra = 1;
        min = 0x80;
        c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        extra = 2;
        min = 0x800;
        c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        extra = 3;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0;
    }
    if (extra > len - i - 1) {
        return 0;
    }
    for (k = 1; k <= extra; k++) {
        if ((s[i + k] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (uint32_t)(s[i + k] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }
    *cp = c;
    return extra + 1;
}

size_t plaint_intake_utf8_invalid_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp;

    while (i < len) {
        size_t n;
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        n = utf8_seq(&cp, u, len, i);
        if (n == 0) {
            return i;
        }
        i += n;
    }
    return len;
}

size_t plaint_intake_utf8_length(const char *s, size_t len)
{
    size_t i;
    size_t n = 0;

    for (i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            n++;
        }
    }
    return n;
}

int plaint_intake_xml_unsafe(uint32_t *cp_out, size_t *index_out, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    size_t chars = 0;
    uint32_t cp;

    while (i < len) {
        size_t n = utf8_seq(&cp, u, len, i);
        if (n == 0) {
            /* not valid UTF-8: the readers check that first; step over the byte */
            n = 1;
            cp = 0x20;
        }
        chars++;
        if ((cp < 0x20 && cp != 0x09 && cp != 0x0a && cp != 0x0d) || cp == 0xfffe || cp == 0xffff) {
            *cp_out = cp;
            *index_out = chars;
            return 1;
        }
        i += n;
    }
    return 0;
}

/* Reads exactly n ASCII digits. */
static int read_digits(int64_t *out, const char *s, size_t n)
{
    int64_t v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int valid_ymd(int64_t y, int64_t m, int64_t d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) {
        return 0;
    }
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return 0;
    }
    return 1;
}

/* "YYYY-MM-DD" at s (at least 10 bytes) as days since the epoch. */
static int read_date(int64_t *days, const char *s)
{
    int64_t y;
    int64_t m;
    int64_t d;

    if (s[4] != '-' || s[7] != '-' || read_digits(&y, s, 4) < 0 || read_digits(&m, s + 5, 2) < 0 ||
        read_digits(&d, s + 8, 2) < 0 || !valid_ymd(y, m, d)) {
        return -1;
    }
    *days = plaint_days_from_civil(y, (int)m, (int)d);
    return 0;
}

int plaint_intake_parse_date(int64_t *out, const char *s, size_t len, plaint_error *err)
{
    int64_t days;

    if (len != 10 || read_date(&days, s) < 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "not a date (YYYY-MM-DD)");
    }
    *out = days * SEC_PER_DAY * US_PER_SEC;
    return 0;
}

/* RFC 3339 section 5.6: full-date ("T" / "t" / " ") partial-time time-offset, where
 * partial-time is HH:MM:SS with an optional fraction of 1 to 9 digits (kept to the
 * microsecond, truncated) and time-offset is "Z" / "z" / ("+" / "-") HH:MM. A leap second (:60)
 * is refused. */
int plaint_intake_parse_datetime(int64_t *out, const char *s, size_t len, plaint_error *err)
{
    int64_t days;
    int64_t h;
    int64_t mi;
    int64_t se;
    int64_t frac = 0;
    int64_t off = 0;
    size_t i = 19;
    size_t nfrac = 0;

    if (len < 20 || read_date(&days, s) < 0 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':' || read_digits(&h, s + 11, 2) < 0 ||
        read_digits(&mi, s + 14, 2) < 0 || read_digits(&se, s + 17, 2) < 0 || h > 23 || mi > 59 ||
        se > 59) {
        goto bad;
    }
    if (s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (nfrac < 6) {
                frac = frac * 10 + (s[i] - '0');
            }
            nfrac++;
            i++;
        }
        if (nfrac == 0 || nfrac > 9) {
            goto bad;
        }
        while (nfrac < 6) {
            frac *= 10;
            nfrac++;
        }
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int64_t oh;
        int64_t om;
        if (len - i != 6 || s[i + 3] != ':' || read_digits(&oh, s + i + 1, 2) < 0 ||
            read_digits(&om, s + i + 4, 2) < 0 || oh > 23 || om > 59) {
            goto bad;
        }
        off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        goto bad;
    }
    if (i != len) {
        goto bad;
    }
    *out = (days * SEC_PER_DAY + h * 3600 + mi * 60 + se - off) * US_PER_SEC + frac;
    return 0;
bad:
    return plaint_error_set(err, PLAINT_EINVALID,
                            "not a date-time (RFC 3339, e.g. 2026-01-15T09:30:00Z)");
}

int plaint_intake_check_integer(const char *s, size_t len, plaint_error *err)
{
    size_t i = 0;

    if (len > 0 && s[0] == '-') {
        i = 1;
    }
    if (len == i || len - i > 18) {
        goto bad;
    }
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            goto bad;
        }
    }
    return 0;
bad:
    return plaint_error_set(err, PLAINT_EINVALID, "not an integer (at most 18 digits)");
}

/* An amount as text: optional '-', 1 to 15 digits, optionally '.' and 1 to 4 digits; the
 * importer turns it into minor units of its currency. */
int plaint_intake_check_money(const char *s, size_t len, plaint_error *err)
{
    size_t i = 0;
    size_t n = 0;

    if (len > 0 && s[0] == '-') {
        i = 1;
    }
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        n++;
    }
    if (n == 0 || n > 15) {
        goto bad;
    }
    if (i < len && s[i] == '.') {
        i++;
        n = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            n++;
        }
        if (n == 0 || n > 4) {
            goto bad;
        }
    }
    if (i != len) {
        goto bad;
    }
    return 0;
bad:
    return plaint_error_set(err, PLAINT_EINVALID,
                            "not an amount of money (e.g. 1234.56, no currency or separators)");
}

void plaint_intake_quote(char *out, size_t out_size, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    size_t i = 0;
    size_t shown = 0;
    uint32_t cp;

    if (out_size < 8) {
        if (out_size > 0) {
            out[0] = '\0';
        }
        return;
    }
    out[o++] = '"';
    while (i < len && shown < 60 && o + 8 < out_size) {
        size_t n = utf8_seq(&cp, u, len, i);
        if (n == 0 || cp < 0x20 || cp == 0x7f) {
            if (cp == '\n' && n == 1) {
                out[o++] = '\\';
                out[o++] = 'n';
            } else {
                snprintf(out + o, out_size - o, "\\x%02x", u[i]);
                o += 4;
            }
            n = 1;
        } else if (cp == '"' || cp == '\\') {
            out[o++] = '\\';
            out[o++] = (char)cp;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
        }
        i += n;
        shown++;
    }
    if (i < len && o + 4 < out_size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = '\0';
}

int plaint_intake_check_value(int64_t *time_out, const plaint_intake_rule *rule, const char *s,
                              size_t len, plaint_error *err)
{
    char q[256];
    int64_t t = 0;
    size_t idx = 0;
    uint32_t bad = 0;
    int rc = 0;

    if (plaint_intake_xml_unsafe(&bad, &idx, s, len)) {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "control character U+%04X (character %zu) is not allowed",
                                (unsigned)bad, idx);
    }
    switch (rule->format) {
    case PLAINT_INTAKE_FMT_TEXT:
        break;
    case PLAINT_INTAKE_FMT_DATE:
        rc = plaint_intake_parse_date(&t, s, len, err);
        break;
    case PLAINT_INTAKE_FMT_DATETIME:
        rc = plaint_intake_parse_datetime(&t, s, len, err);
        break;
    case PLAINT_INTAKE_FMT_INTEGER:
        rc = plaint_intake_check_integer(s, len, err);
        break;
    case PLAINT_INTAKE_FMT_MONEY:
        rc = plaint_intake_check_money(s, len, err);
        break;
    }
    if (rc < 0) {
        if (err != NULL) {
            char reason[sizeof(err->message)];
            snprintf(reason, sizeof(reason), "%s", err->message);
            plaint_intake_quote(q, sizeof(q), s, len);
            plaint_error_set(err, rc, "%s: %s", reason, q);
        }
        return rc;
    }
    if (rule->max_length > 0 && len > rule->max_length) {
        size_t n = plaint_intake_utf8_length(s, len);
        if (n > rule->max_length) {
            return plaint_error_set(err, PLAINT_EINVALID, "longer than %zu characters (%zu)",
                                    rule->max_length, n);
        }
    }
    if (time_out != NULL) {
        *time_out = t;
    }
    return 0;
}
