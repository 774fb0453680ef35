/* Cryptographically secure random bytes from OpenSSL's RAND_bytes. */
#ifndef PLAINT_RAND_H
#define PLAINT_RAND_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

/*
 * Fills out with n random bytes (n may be 0). Returns 0, or PLAINT_ERROR if the generator
 * fails, in which case out must not be used.
 */
PLAINT_EXTERN int plaint_rand_bytes(unsigned char *out, size_t n, plaint_error *err);

#endif
