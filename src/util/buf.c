/* Growable byte buffers with checked growth. */
#include "plaint/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void plaint_buf_clear(plaint_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void plaint_buf_reset(plaint_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

int plaint_buf_reserve(plaint_buf *b, size_t extra, plaint_error *err)
{
    size_t need;
    size_t cap;
    char *p;

    if (extra > SIZE_MAX - b->len - 1) {
        return plaint_error_set(err, PLAINT_ERANGE, "buffer size overflow");
    }
    need = b->len + extra + 1;
    if (need <= b->cap) {
        return 0;
    }
    cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    p = realloc(b->data, cap);
    if (p == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (buffer of %zu bytes)", cap);
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int plaint_buf_append(plaint_buf *b, const void *data, size_t len, plaint_error *err)
{
    int rc = plaint_buf_reserve(b, len, err);

    if (rc < 0) {
        return rc;
    }
    if (len > 0) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int plaint_buf_append_str(plaint_buf *b, const char *s, plaint_error *err)
{
    return plaint_buf_append(b, s, strlen(s), err);
}

int plaint_buf_append_byte(plaint_buf *b, unsigned char c, plaint_error *err)
{
    return plaint_buf_append(b, &c, 1, err);
}

int plaint_buf_printf(plaint_buf *b, plaint_error *err, const char *fmt, ...)
{
    va_list ap;
    int n;
    int rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return plaint_error_set(err, PLAINT_ERROR, "format error");
    }
    rc = plaint_buf_reserve(b, (size_t)n, err);
    if (rc < 0) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int plaint_buf_append_hex(plaint_buf *b, const unsigned char *data, size_t len, plaint_error *err)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    int rc;

    if (len > (SIZE_MAX - 1) / 2) {
        return plaint_error_set(err, PLAINT_ERANGE, "hex length overflow");
    }
    rc = plaint_buf_reserve(b, len * 2, err);
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < len; i++) {
        b->data[b->len++] = digits[data[i] >> 4];
        b->data[b->len++] = digits[data[i] & 0x0f];
    }
    b->data[b->len] = '\0';
    return 0;
}

int plaint_buf_read_file(plaint_buf *b, const char *path, size_t max, plaint_error *err)
{
    FILE *f;
    char chunk[65536];
    size_t n;
    int rc = 0;

    plaint_buf_reset(b);
    f = fopen(path, "rb");
    if (f == NULL) {
        return plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                "cannot open %s: %s", path, strerror(errno));
    }
    for (;;) {
        n = fread(chunk, 1, sizeof(chunk), f);
        if (n == 0) {
            break;
        }
        if (b->len + n > max) {
            rc = plaint_error_set(err, PLAINT_ERANGE, "%s is larger than %zu bytes", path, max);
            goto done;
        }
        rc = plaint_buf_append(b, chunk, n, err);
        if (rc < 0) {
            goto done;
        }
    }
    if (ferror(f)) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot read %s", path);
        goto done;
    }
    if (b->data == NULL) {
        rc = plaint_buf_reserve(b, 0, err);
    }
done:
    fclose(f);
    return rc;
}
