/* Serialises jansson values in RFC 8785 canonical form under plaint's integer-only policy. */
#include "plaint/jcs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* I-JSON safe integers: +-(2^53 - 1), exactly representable as IEEE 754 doubles. */
#define SAFE_INT_MAX 9007199254740991LL

/* Room for the JSON path of the value being written; longer paths are cut short. */
#define PATH_CAP 256

/* End of a UTF-16 unit stream; below every code unit so that a prefix sorts first. */
#define U16_END (-1L)

typedef struct walker {
    plaint_buf *out;
    char path[PATH_CAP]; /* "$", "$.a", "$.a[3]" ...; NUL-terminated */
    size_t path_len;
} walker;

typedef struct member {
    const char *key;
    size_t key_len;
    const json_t *value;
} member;

/* Reads one UTF-8 sequence at s[*pos]; rejects overlongs, surrogates and > U+10FFFF. */
static int utf8_next(uint32_t *cp_out, const unsigned char *s, size_t len, size_t *pos)
{
    size_t i = *pos;
    uint32_t c = s[i];
    uint32_t min;
    size_t extra;
    size_t k;

    if (c < 0x80) {
        extra = 0;
        min = 0;
    } else if ((c & 0xe0) == 0xc0) {
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
        return -1;
    }
    if (extra > len - i - 1) {
        return -1;
    }
    for (k = 1; k <= extra; k++) {
        if ((s[i + k] & 0xc0) != 0x80) {
            return -1;
        }
        c = (c << 6) | (uint32_t)(s[i + k] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return -1;
    }
    *cp_out = c;
    *pos = i + extra + 1;
    return 0;
}

/* Accepts strictly valid UTF-8 without U+0000; path (may be NULL) names the value on error. */
static int check_text(const char *s, size_t len, const char *path, plaint_error *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t pos = 0;
    uint32_t cp;

    while (pos < len) {
        size_t at = pos;
        if (utf8_next(&cp, u, len, &pos) < 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, path, 0, 0,
                                       "invalid UTF-8 in string at byte %zu", at);
        }
        if (cp == 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, path, 0, 0,
                                       "U+0000 not allowed in string (byte %zu)", at);
        }
    }
    return 0;
}

/* Writes the escape for byte c into esc and returns its length, or 0 if c is copied as is. */
static size_t escape_for(char esc[6], unsigned char c)
{
    static const char digits[] = "0123456789abcdef";

    esc[0] = '\\';
    switch (c) {
    case '"':
        esc[1] = '"';
        return 2;
    case '\\':
        esc[1] = '\\';
        return 2;
    case '\b':
        esc[1] = 'b';
        return 2;
    case '\f':
        esc[1] = 'f';
        return 2;
    case '\n':
        esc[1] = 'n';
        return 2;
    case '\r':
        esc[1] = 'r';
        return 2;
    case '\t':
        esc[1] = 't';
        return 2;
    default:
        break;
    }
    if (c >= 0x20) {
        return 0;
    }
    esc[1] = 'u';
    esc[2] = '0';
    esc[3] = '0';
    esc[4] = digits[c >> 4];
    esc[5] = digits[c & 0x0f];
    return 6;
}

static int put_string(plaint_buf *out, const char *s, size_t len, const char *path,
                      plaint_error *err)
{
    size_t run = 0; /* start of the bytes not yet written */
    size_t i;
    int rc;

    rc = check_text(s, len, path, err);
    if (rc < 0) {
        return rc;
    }
    rc = plaint_buf_append_byte(out, '"', err);
    for (i = 0; i < len && rc == 0; i++) {
        char esc[6];
        size_t n = escape_for(esc, (unsigned char)s[i]);
        if (n == 0) {
            continue;
        }
        rc = plaint_buf_append(out, s + run, i - run, err);
        if (rc == 0) {
            rc = plaint_buf_append(out, esc, n, err);
        }
        run = i + 1;
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, s + run, len - run, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_byte(out, '"', err);
    }
    return rc;
}

int plaint_jcs_append_string(plaint_buf *out, const char *s, size_t len, plaint_error *err)
{
    return put_string(out, s, len, NULL, err);
}

/* Streams a valid UTF-8 string as UTF-16 code units, splitting non-BMP code points. */
typedef struct u16_reader {
    const unsigned char *s;
    size_t len;
    size_t pos;
    long pending; /* low surrogate still to deliver, or 0 */
} u16_reader;

static long u16_next(u16_reader *r)
{
    uint32_t cp;
    long unit;

    if (r->pending != 0) {
        unit = r->pending;
        r->pending = 0;
        return unit;
    }
    /* Keys are checked before sorting, so a decoding failure cannot happen here. */
    if (r->pos >= r->len || utf8_next(&cp, r->s, r->len, &r->pos) < 0) {
        return U16_END;
    }
    if (cp < 0x10000) {
        return (long)cp;
    }
    cp -= 0x10000;
    r->pending = (long)(0xdc00 | (cp & 0x3ff));
    return (long)(0xd800 | (cp >> 10));
}

static int compare_members(const void *pa, const void *pb)
{
    const member *a = pa;
    const member *b = pb;
    u16_reader ra = {(const unsigned char *)a->key, a->key_len, 0, 0};
    u16_reader rb = {(const unsigned char *)b->key, b->key_len, 0, 0};

    for (;;) {
        long ua = u16_next(&ra);
        long ub = u16_next(&rb);
        if (ua != ub) {
            return ua < ub ? -1 : 1;
        }
        if (ua == U16_END) {
            return 0;
        }
    }
}

/* Appends a path segment; returns the length to restore afterwards. */
static size_t path_push(walker *w, const char *key, size_t key_len, size_t index)
{
    size_t saved = w->path_len;
    size_t room = PATH_CAP - w->path_len;
    int n;

    if (key != NULL) {
        int shown = key_len < PATH_CAP ? (int)key_len : PATH_CAP;
        n = snprintf(w->path + w->path_len, room, ".%.*s", shown, key);
    } else {
        n = snprintf(w->path + w->path_len, room, "[%zu]", index);
    }
    /* A cut-short path is still the best name available for the error. */
    if (n > 0) {
        w->path_len += (size_t)n < room ? (size_t)n : room - 1;
    }
    return saved;
}

static void path_pop(walker *w, size_t saved)
{
    w->path_len = saved;
    w->path[saved] = '\0';
}

static int dump_value(walker *w, const json_t *value, size_t depth, plaint_error *err);

static int dump_array(walker *w, const json_t *arr, size_t depth, plaint_error *err)
{
    size_t n = json_array_size(arr);
    size_t i;
    int rc;

    rc = plaint_buf_append_byte(w->out, '[', err);
    for (i = 0; i < n && rc == 0; i++) {
        size_t saved;
        if (i > 0) {
            rc = plaint_buf_append_byte(w->out, ',', err);
            if (rc < 0) {
                break;
            }
        }
        saved = path_push(w, NULL, 0, i);
        rc = dump_value(w, json_array_get(arr, i), depth, err);
        path_pop(w, saved);
    }
    if (rc == 0) {
        rc = plaint_buf_append_byte(w->out, ']', err);
    }
    return rc;
}

static int dump_object(walker *w, const json_t *obj, size_t depth, plaint_error *err)
{
    json_t *o = (json_t *)obj; /* jansson's iterator API is not const-qualified */
    size_t n = json_object_size(obj);
    member *m = NULL;
    void *it;
    size_t i = 0;
    int rc = 0;

    if (n > SIZE_MAX / sizeof(*m)) {
        return plaint_error_set(err, PLAINT_ERANGE, "object too large");
    }
    if (n > 0) {
        m = malloc(n * sizeof(*m));
        if (m == NULL) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (%zu object members)", n);
        }
    }
    for (it = json_object_iter(o); it != NULL && i < n; it = json_object_iter_next(o, it)) {
        m[i].key = json_object_iter_key(it);
        m[i].key_len = json_object_iter_key_len(it);
        m[i].value = json_object_iter_value(it);
        rc = check_text(m[i].key, m[i].key_len, w->path, err);
        if (rc < 0) {
            goto done;
        }
        i++;
    }
    n = i;
    if (n > 1) {
        qsort(m, n, sizeof(*m), compare_members);
    }
    rc = plaint_buf_append_byte(w->out, '{', err);
    for (i = 0; i < n && rc == 0; i++) {
        size_t saved;
        if (i > 0) {
            rc = plaint_buf_append_byte(w->out, ',', err);
        }
        if (rc == 0) {
            rc = put_string(w->out, m[i].key, m[i].key_len, w->path, err);
        }
        if (rc == 0) {
            rc = plaint_buf_append_byte(w->out, ':', err);
        }
        if (rc < 0) {
            break;
        }
        saved = path_push(w, m[i].key, m[i].key_len, 0);
        rc = dump_value(w, m[i].value, depth, err);
        path_pop(w, saved);
    }
    if (rc == 0) {
        rc = plaint_buf_append_byte(w->out, '}', err);
    }
done:
    free(m);
    return rc;
}

static int dump_integer(walker *w, json_int_t v, plaint_error *err)
{
    if (v > SAFE_INT_MAX || v < -SAFE_INT_MAX) {
        return plaint_error_set_at(
            err, PLAINT_ERANGE, w->path, 0, 0,
            "integer %" JSON_INTEGER_FORMAT " outside the safe range +-(2^53-1)", v);
    }
    return plaint_buf_printf(w->out, err, "%" JSON_INTEGER_FORMAT, v);
}

static int dump_value(walker *w, const json_t *value, size_t depth, plaint_error *err)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (depth >= PLAINT_JCS_MAX_DEPTH) {
            return plaint_error_set_at(err, PLAINT_EINVALID, w->path, 0, 0,
                                       "JSON nested deeper than %d levels", PLAINT_JCS_MAX_DEPTH);
        }
        if (json_is_object(value)) {
            return dump_object(w, value, depth + 1, err);
        }
        return dump_array(w, value, depth + 1, err);
    case JSON_STRING:
        return put_string(w->out, json_string_value(value), json_string_length(value), w->path,
                          err);
    case JSON_INTEGER:
        return dump_integer(w, json_integer_value(value), err);
    case JSON_REAL:
        return plaint_error_set_at(err, PLAINT_EINVALID, w->path, 0, 0,
                                   "floating-point number not allowed");
    case JSON_TRUE:
        return plaint_buf_append_str(w->out, "true", err);
    case JSON_FALSE:
        return plaint_buf_append_str(w->out, "false", err);
    case JSON_NULL:
        return plaint_buf_append_str(w->out, "null", err);
    }
    return plaint_error_set(err, PLAINT_ERROR, "unknown JSON value type");
}

int plaint_jcs_dump(plaint_buf *out, const json_t *value, plaint_error *err)
{
    walker w;

    if (value == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "no JSON value");
    }
    w.out = out;
    w.path[0] = '$';
    w.path[1] = '\0';
    w.path_len = 1;
    return dump_value(&w, value, 0, err);
}

int plaint_jcs_canonicalize(plaint_buf *out, const char *json, size_t len, plaint_error *err)
{
    json_error_t jerr;
    json_t *root;
    int rc;

    root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (root == NULL) {
        enum json_error_code code = json_error_code(&jerr);
        int plaint_code = PLAINT_EINVALID;
        if (code == json_error_out_of_memory) {
            plaint_code = PLAINT_ENOMEM;
        } else if (code == json_error_numeric_overflow) {
            plaint_code = PLAINT_ERANGE;
        }
        return plaint_error_set_at(
            err, plaint_code, NULL, jerr.line > 0 ? (unsigned long)jerr.line : 0,
            jerr.column > 0 ? (unsigned long)jerr.column : 0, "invalid JSON: %s", jerr.text);
    }
    rc = plaint_jcs_dump(out, root, err);
    json_decref(root);
    return rc;
}
