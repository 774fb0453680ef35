/* OpenSSL's reason for a failure, into a plaint_error. */
#ifndef PLAINT_OSSL_ERROR_H
#define PLAINT_OSSL_ERROR_H

#include "plaint/error.h"
#include "plaint/export.h"

/* Sets err to "WHAT: <OpenSSL's latest reason>" ("no further detail" if its queue is empty),
 * clears OpenSSL's error queue and returns code. */
PLAINT_EXTERN int plaint_ossl_fail(plaint_error *err, int code, const char *what);

#endif
