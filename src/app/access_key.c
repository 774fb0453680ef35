/* The access-code key file (see plaint/app_access.h). */
#include "plaint/app_access.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "plaint/digest.h"
#include "plaint/file.h"
#include "plaint/rand.h"

#define HEX_LEN (2 * PLAINT_ACCESS_KEY_LEN)

static int read_key(unsigned char key[PLAINT_ACCESS_KEY_LEN], const char *path, plaint_error *err)
{
    char text[HEX_LEN + 2];
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int rc;

    if (fd < 0) {
        return errno == ENOENT ? PLAINT_ENOTFOUND
                               : plaint_error_set(err, PLAINT_EIO, "cannot read %s: %s", path,
                                                  strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        close(fd);
        return plaint_error_set(err, PLAINT_EIO,
                                "%s must be a regular file readable by its owner only (mode "
                                "0600), not %04o",
                                path, (unsigned)(st.st_mode & 07777));
    }
    n = read(fd, text, sizeof(text));
    close(fd);
    if (n < HEX_LEN || (n > HEX_LEN && text[HEX_LEN] != '\n')) {
        OPENSSL_cleanse(text, sizeof(text));
        return plaint_error_set(err, PLAINT_EIO,
                                "%s is not an access-code key (64 hex digits expected)", path);
    }
    rc = plaint_hex_decode(key, PLAINT_ACCESS_KEY_LEN, text, HEX_LEN, err);
    OPENSSL_cleanse(text, sizeof(text));
    if (rc < 0) {
        return plaint_error_set(err, PLAINT_EIO, "%s is not an access-code key (bad hex)", path);
    }
    return 0;
}

/* Makes the key complete in a temporary file, then links it into place: the key file appears
 * whole or not at all, and of two processes racing the second one's link fails (EEXIST) and it
 * reads the first one's key. */
static int make_key(const char *path, plaint_error *err)
{
    unsigned char key[PLAINT_ACCESS_KEY_LEN];
    char text[HEX_LEN + 2];
    char tmp[4200];
    int fd;
    int ok;

    if (plaint_file_make_dir_of(path, err) < 0) {
        return -1;
    }
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        return plaint_error_set(err, PLAINT_EIO, "cannot create a file beside %s: %s", path,
                                strerror(errno));
    }
    if (plaint_rand_bytes(key, sizeof(key), err) < 0) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    plaint_hex_encode(text, key, sizeof(key));
    text[HEX_LEN] = '\n';
    ok = fchmod(fd, 0600) == 0 && write(fd, text, HEX_LEN + 1) == HEX_LEN + 1 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(text, sizeof(text));
    if (!ok) {
        unlink(tmp);
        return plaint_error_set(err, PLAINT_EIO, "cannot write %s", tmp);
    }
    if (link(tmp, path) == 0) {
        fprintf(stderr, "plaint: made the access-code key %s (customers' status-page codes; back "
                        "it up with the other keys)\n",
                path);
    } else if (errno != EEXIST) {
        int e = errno;
        unlink(tmp);
        return plaint_error_set(err, PLAINT_EIO, "cannot create %s: %s", path, strerror(e));
    }
    unlink(tmp);
    return 0;
}

int plaint_app_access_key(unsigned char key[PLAINT_ACCESS_KEY_LEN], const plaint_config *cfg,
                          plaint_error *err)
{
    int rc = read_key(key, cfg->web_access_key, err);

    if (rc == PLAINT_ENOTFOUND) {
        rc = make_key(cfg->web_access_key, err);
        if (rc == 0) {
            rc = read_key(key, cfg->web_access_key, err);
        }
        if (rc == PLAINT_ENOTFOUND) {
            rc = plaint_error_set(err, PLAINT_EIO, "cannot read %s", cfg->web_access_key);
        }
    }
    return rc;
}

int plaint_app_access_code(char out[PLAINT_ACCESS_CODE_LEN + 1], const plaint_config *cfg,
                           const char *ref, plaint_error *err)
{
    unsigned char key[PLAINT_ACCESS_KEY_LEN];
    int rc = plaint_app_access_key(key, cfg, err);

    if (rc == 0) {
        rc = plaint_access_code(out, key, ref, err);
    }
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}
