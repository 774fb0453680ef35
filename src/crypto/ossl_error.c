/* OpenSSL's reason for a failure (see plaint/ossl_error.h). */
#include "plaint/ossl_error.h"

#include <openssl/err.h>

int plaint_ossl_fail(plaint_error *err, int code, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    char reason[160] = "no further detail";

    if (e != 0) {
        ERR_error_string_n(e, reason, sizeof(reason));
    }
    ERR_clear_error();
    return plaint_error_set(err, code, "%s: %s", what, reason);
}
