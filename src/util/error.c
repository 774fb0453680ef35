/* Filling plaint_error records: fixed buffers, never allocates. */
#include "plaint/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void plaint_error_init(plaint_error *err)
{
    if (err == NULL) {
        return;
    }
    memset(err, 0, sizeof(*err));
}

static void vset(plaint_error *err, int code, const char *field, unsigned long line,
                 unsigned long column, const char *fmt, va_list ap)
{
    err->code = code;
    err->line = line;
    err->column = column;
    err->field[0] = '\0';
    if (field != NULL) {
        snprintf(err->field, sizeof(err->field), "%s", field);
    }
    /* Truncation of a long message is acceptable: the buffer is fixed by design. */
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

int plaint_error_set(plaint_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return code;
    }
    va_start(ap, fmt);
    vset(err, code, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int plaint_error_set_at(plaint_error *err, int code, const char *field, unsigned long line,
                        unsigned long column, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return code;
    }
    va_start(ap, fmt);
    vset(err, code, field, line, column, fmt, ap);
    va_end(ap);
    return code;
}

const char *plaint_error_name(int code)
{
    switch (code) {
    case PLAINT_OK:
        return "OK";
    case PLAINT_ERROR:
        return "ERROR";
    case PLAINT_ENOMEM:
        return "ENOMEM";
    case PLAINT_EINVALID:
        return "EINVALID";
    case PLAINT_ERANGE:
        return "ERANGE";
    case PLAINT_ENOTFOUND:
        return "ENOTFOUND";
    case PLAINT_ETAMPER:
        return "ETAMPER";
    case PLAINT_EDENIED:
        return "EDENIED";
    case PLAINT_ECONFLICT:
        return "ECONFLICT";
    case PLAINT_EDB:
        return "EDB";
    case PLAINT_EIO:
        return "EIO";
    case PLAINT_EUSAGE:
        return "EUSAGE";
    default:
        return "EUNKNOWN";
    }
}
