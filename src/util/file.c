/* Atomic whole-file writes (file.h). */
#include "plaint/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int plaint_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                             plaint_error *err)
{
    char tmp[4096];
    const char *slash = strrchr(path, '/');
    const unsigned char *p = data;
    size_t done = 0;
    int fd;
    int k;
    int rc = 0;

    if (slash != NULL) {
        k = snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
    } else {
        k = snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
    }
    if (k < 0 || (size_t)k >= sizeof(tmp)) {
        return plaint_error_set(err, PLAINT_EIO, "output path too long: %s", path);
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        return plaint_error_set(err, PLAINT_EIO, "cannot create a temporary file beside %s: %s",
                                path, strerror(errno));
    }
    while (rc == 0 && done < len) {
        ssize_t w = write(fd, p + done, len - done);

        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            rc = plaint_error_set(err, PLAINT_EIO, "cannot write %s: %s", tmp, strerror(errno));
        } else {
            done += (size_t)w;
        }
    }
    if (rc == 0 && fchmod(fd, (mode_t)mode) != 0) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot set the mode of %s: %s", tmp,
                              strerror(errno));
    }
    if (rc == 0 && fsync(fd) != 0) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot flush %s: %s", tmp, strerror(errno));
    }
    if (close(fd) != 0 && rc == 0) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot close %s: %s", tmp, strerror(errno));
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot rename %s to %s: %s", tmp, path,
                              strerror(errno));
    }
    if (rc != 0) {
        unlink(tmp);
    }
    return rc;
}

int plaint_file_make_dir_of(const char *path, plaint_error *err)
{
    char dir[4096];
    char *slash;

    if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
        return plaint_error_set(err, PLAINT_EIO, "path too long: %.200s...", path);
    }
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir) {
        return 0;
    }
    *slash = '\0';
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0711) != 0 && errno != EEXIST) {
                return plaint_error_set(err, PLAINT_EIO, "cannot create %s: %s", dir,
                                        strerror(errno));
            }
            *p = '/';
        }
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return plaint_error_set(err, PLAINT_EIO, "cannot create %s: %s", dir, strerror(errno));
    }
    return 0;
}
