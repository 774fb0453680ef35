/* Error codes and the caller-owned error record every fallible function fills. */
#ifndef PLAINT_ERROR_H
#define PLAINT_ERROR_H

#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes: 0 is success, failures are negative. Never renumber. */
enum {
    PLAINT_OK = 0,
    PLAINT_ERROR = -1,    /* internal error */
    PLAINT_ENOMEM = -2,   /* out of memory */
    PLAINT_EINVALID = -3, /* bad input */
    PLAINT_ERANGE = -4,   /* value out of range */
    PLAINT_ENOTFOUND = -5,
    PLAINT_ETAMPER = -6,  /* verification failed */
    PLAINT_EDENIED = -7,  /* permission denied */
    PLAINT_ECONFLICT = -8, /* retryable conflict */
    PLAINT_EDB = -9,      /* database error */
    PLAINT_EIO = -10,     /* I/O, environment or configuration error */
    PLAINT_EUSAGE = -11   /* command-line usage error (CLI layer only) */
};

typedef struct plaint_error {
    int code;
    char message[256];
    char field[64];     /* "" if none */
    unsigned long line; /* 1-based; 0 if none */
    unsigned long column;
} plaint_error;

/* Resets err (may be NULL) to "no error". */
PLAINT_EXTERN void plaint_error_init(plaint_error *err);

/* Fills err (if not NULL) with code and a formatted message; returns code. */
PLAINT_EXTERN int plaint_error_set(plaint_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As plaint_error_set, also naming the field (may be NULL) and 1-based line/column (0 = none). */
PLAINT_EXTERN int plaint_error_set_at(plaint_error *err, int code, const char *field,
                                      unsigned long line, unsigned long column, const char *fmt,
                                      ...) __attribute__((format(printf, 6, 7)));

/* Short constant name of a code, e.g. "EINVALID". */
PLAINT_EXTERN const char *plaint_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
