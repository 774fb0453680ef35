/* Files: writing a whole file so that readers see the old content or the new, never a part;
 * making the private directory a key file goes into. */
#ifndef PLAINT_FILE_H
#define PLAINT_FILE_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

/* Writes len bytes to path through a hidden temporary file beside it (".NAME.XXXXXX", given
 * mode, fsync'd) renamed over path. On any failure the temporary file is removed and path is
 * untouched. Returns 0 or PLAINT_EIO (the message names the file and the reason). */
PLAINT_EXTERN int plaint_file_write_atomic(const char *path, const void *data, size_t len,
                                           unsigned mode, plaint_error *err);

/* Creates the directory path is in (mode 0700: keys live there) and any missing parents (mode
 * 0711, so that the unprivileged server user can pass through); existing ones are left as they
 * are. Returns 0 or PLAINT_EIO naming the directory. */
PLAINT_EXTERN int plaint_file_make_dir_of(const char *path, plaint_error *err);

#endif
