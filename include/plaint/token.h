/* API tokens: "plt_<16 hex id>_<64 hex secret>", shown once, stored as a salted hash. */
#ifndef PLAINT_TOKEN_H
#define PLAINT_TOKEN_H

#include <stddef.h>

#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_TOKEN_ID_LEN 16     /* hex digits */
#define PLAINT_TOKEN_SALT_LEN 16   /* bytes */
#define PLAINT_TOKEN_TEXT_LEN 86   /* "plt_" + 16 + "_" + 64 + NUL = 86 */

typedef struct plaint_token_record {
    char token_id[PLAINT_TOKEN_ID_LEN + 1];
    unsigned char salt[PLAINT_TOKEN_SALT_LEN];
    unsigned char hash[PLAINT_HASH_LEN];
} plaint_token_record;

/* Makes a new random token: text (given to the user once) and the record to store. */
PLAINT_EXTERN int plaint_token_generate(char text[PLAINT_TOKEN_TEXT_LEN],
                                        plaint_token_record *rec, plaint_error *err);
/* Splits token text into its id; PLAINT_EDENIED (never naming why in detail) if malformed. */
PLAINT_EXTERN int plaint_token_parse_id(char id[PLAINT_TOKEN_ID_LEN + 1], const char *text,
                                        plaint_error *err);
/* Checks token text against a stored record in constant time: 0 or PLAINT_EDENIED. */
PLAINT_EXTERN int plaint_token_check(const char *text, const plaint_token_record *rec,
                                     plaint_error *err);

#endif
