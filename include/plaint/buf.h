/* A growable byte buffer whose length travels with its data; always NUL-terminated. */
#ifndef PLAINT_BUF_H
#define PLAINT_BUF_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

typedef struct plaint_buf {
    char *data; /* owned; NUL-terminated when not NULL */
    size_t len;
    size_t cap;
} plaint_buf;

#define PLAINT_BUF_INIT {NULL, 0, 0}

/* Releases the storage and resets to empty. Safe on an empty buffer. */
PLAINT_EXTERN void plaint_buf_clear(plaint_buf *b);
/* Keeps the storage, sets length 0. */
PLAINT_EXTERN void plaint_buf_reset(plaint_buf *b);
/* Makes room for extra more bytes (plus the NUL). PLAINT_ENOMEM or PLAINT_ERANGE on failure. */
PLAINT_EXTERN int plaint_buf_reserve(plaint_buf *b, size_t extra, plaint_error *err);
PLAINT_EXTERN int plaint_buf_append(plaint_buf *b, const void *data, size_t len, plaint_error *err);
PLAINT_EXTERN int plaint_buf_append_str(plaint_buf *b, const char *s, plaint_error *err);
PLAINT_EXTERN int plaint_buf_append_byte(plaint_buf *b, unsigned char c, plaint_error *err);
PLAINT_EXTERN int plaint_buf_printf(plaint_buf *b, plaint_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends len bytes as lowercase hex. */
PLAINT_EXTERN int plaint_buf_append_hex(plaint_buf *b, const unsigned char *data, size_t len,
                                        plaint_error *err);
/* Reads a whole file (at most max bytes; larger is PLAINT_ERANGE) into b, replacing its content. */
PLAINT_EXTERN int plaint_buf_read_file(plaint_buf *b, const char *path, size_t max,
                                       plaint_error *err);

#endif
