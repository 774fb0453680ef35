/* Internal to src/crypto: guarded key files (create-only 0600 writes, owner-only reads). */
#ifndef PLAINT_CRYPTO_KEYFILE_H
#define PLAINT_CRYPTO_KEYFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "plaint/error.h"

/*
 * Creates path, which must not exist (O_EXCL, never following a link), with mode, writes len
 * bytes of data and syncs. A partly written file is removed. Returns 0 or PLAINT_EIO
 * ("<path> exists; refusing to overwrite a key" when the path exists).
 */
int plaint_keyfile_write_new(const char *path, const char *data, size_t len, mode_t mode,
                             plaint_error *err);

/*
 * Reads the whole private key file path into buf (cap bytes; *len_out receives the length)
 * after checking, on the open descriptor, that it is a regular file no group or other can
 * access. Returns 0; PLAINT_ENOTFOUND if path does not exist; PLAINT_EIO if it cannot be read,
 * is not a regular file or has a group/other permission bit (the message names the mode and
 * the fix); PLAINT_EINVALID if it holds cap bytes or more. On failure buf may hold part of the
 * file: callers wipe buf whatever the outcome.
 */
int plaint_keyfile_read_private(char *buf, size_t cap, size_t *len_out, const char *path,
                                plaint_error *err);

#endif
