/* The key of the customers' access codes (plaint/access_code.h): read from web.access_key, or
 * made (32 random bytes, hex, mode 0600) by whichever process needs it first. */
#ifndef PLAINT_APP_ACCESS_H
#define PLAINT_APP_ACCESS_H

#include "plaint/access_code.h"
#include "plaint/config.h"

/* Reads the key, making it if the file does not exist (two processes racing make one key). */
PLAINT_EXTERN int plaint_app_access_key(unsigned char key[PLAINT_ACCESS_KEY_LEN],
                                        const plaint_config *cfg, plaint_error *err);

/* The access code of ref under the configured key. */
PLAINT_EXTERN int plaint_app_access_code(char out[PLAINT_ACCESS_CODE_LEN + 1],
                                         const plaint_config *cfg, const char *ref,
                                         plaint_error *err);

#endif
