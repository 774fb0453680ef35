/* Guarded key files: create-only writes with a fixed mode, owner-only checked reads. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int plaint_keyfile_write_new(const char *path, const char *data, size_t len, mode_t mode,
                             plaint_error *err)
{
    size_t done = 0;
    int fd;
    int rc = 0;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        if (errno == EEXIST) {
            return plaint_error_set(err, PLAINT_EIO, "%s exists; refusing to overwrite a key",
                                    path);
        }
        return plaint_error_set(err, PLAINT_EIO, "cannot create %s: %s", path, strerror(errno));
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = plaint_error_set(err, PLAINT_EIO, "cannot write %s: %s", path,
                                  n < 0 ? strerror(errno) : "no progress");
            break;
        }
        done += (size_t)n;
    }
    if (rc == 0 && fsync(fd) != 0) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot sync %s: %s", path, strerror(errno));
    }
    if (close(fd) != 0 && rc == 0) {
        rc = plaint_error_set(err, PLAINT_EIO, "cannot close %s: %s", path, strerror(errno));
    }
    if (rc < 0) {
        unlink(path);
    }
    return rc;
}

/* Reads the whole (small) file behind fd into buf; *len_out receives its length. */
static int read_small(char *buf, size_t cap, size_t *len_out, int fd, const char *path,
                      plaint_error *err)
{
    size_t len = 0;

    for (;;) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return plaint_error_set(err, PLAINT_EIO, "cannot read %s: %s", path, strerror(errno));
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
        if (len == cap) {
            return plaint_error_set(err, PLAINT_EINVALID, "%s is too large for a key file", path);
        }
    }
    *len_out = len;
    return 0;
}

/* Opens a private key file and checks that only its owner can access it. */
static int open_private(int *fd_out, const char *path, plaint_error *err)
{
    struct stat st;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                "cannot open %s: %s", path, strerror(errno));
    }
    /* fstat on the open descriptor: the file checked is the file read. */
    if (fstat(fd, &st) != 0) {
        close(fd);
        return plaint_error_set(err, PLAINT_EIO, "cannot stat %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return plaint_error_set(err, PLAINT_EIO, "%s is not a regular file", path);
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        close(fd);
        return plaint_error_set(err, PLAINT_EIO,
                                "private key %s has mode %04o; group and others must have no "
                                "access (chmod 600)",
                                path, (unsigned)(st.st_mode & 07777));
    }
    *fd_out = fd;
    return 0;
}

int plaint_keyfile_read_private(char *buf, size_t cap, size_t *len_out, const char *path,
                                plaint_error *err)
{
    int fd = -1;
    int rc;

    rc = open_private(&fd, path, err);
    if (rc < 0) {
        return rc;
    }
    rc = read_small(buf, cap, len_out, fd, path, err);
    close(fd);
    return rc;
}
