/* Random bytes through OpenSSL RAND_bytes, with every call checked. */
#include "plaint/rand.h"

#include <limits.h>

#include <openssl/err.h>
#include <openssl/rand.h>

int plaint_rand_bytes(unsigned char *out, size_t n, plaint_error *err)
{
    while (n > 0) {
        int chunk = n > (size_t)INT_MAX ? INT_MAX : (int)n;
        if (RAND_bytes(out, chunk) != 1) {
            ERR_clear_error();
            return plaint_error_set(err, PLAINT_ERROR, "random number generator failed");
        }
        out += chunk;
        n -= (size_t)chunk;
    }
    return 0;
}
