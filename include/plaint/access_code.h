/* Customer access codes for the status page: derived, never stored. The code of a complaint is
 * HMAC-SHA256(key, "plaint-access-code/v1" || 0x00 || ref), its first 60 bits written as twelve
 * Crockford base32 characters in three groups (e.g. "7KQ2-M9XD-4RTB"). The server keeps only the
 * 32-byte key ($PLAINT_HOME/keys/access-code.key, docs/web.md); the acknowledgement carries the
 * code to the customer. Checking compares in constant time whatever the input. */
#ifndef PLAINT_ACCESS_CODE_H
#define PLAINT_ACCESS_CODE_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_ACCESS_KEY_LEN  32
#define PLAINT_ACCESS_CODE_LEN 14 /* XXXX-XXXX-XXXX */

/* Writes the code of ref (PLAINT_ACCESS_CODE_LEN characters and a NUL) into out. */
PLAINT_EXTERN int plaint_access_code(char out[PLAINT_ACCESS_CODE_LEN + 1],
                                     const unsigned char key[PLAINT_ACCESS_KEY_LEN],
                                     const char *ref, plaint_error *err);

/* 1 if given is ref's code, 0 if not (also for malformed input), -1 on a crypto failure.
 * Case, spaces and dashes in given do not matter; O/o reads as 0 and I/i/L/l as 1, as Crockford
 * base32 says. The comparison takes the same time whatever given holds (up to 64 bytes are read;
 * longer input is refused after the same work). */
PLAINT_EXTERN int plaint_access_code_check(const unsigned char key[PLAINT_ACCESS_KEY_LEN],
                                           const char *ref, const char *given, plaint_error *err);

#endif
