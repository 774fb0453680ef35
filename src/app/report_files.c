/* The reports directory (see plaint/report_files.h). */
#include "plaint/report_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *plaint_report_file_type(const char *name)
{
    static const char *const TYPES[][2] = {{".xml", "application/xml"},
                                           {".pdf", "application/pdf"},
                                           {".json", "application/json"},
                                           {".csv", "text/csv; charset=utf-8"}};
    size_t n = name != NULL ? strlen(name) : 0;

    if (n == 0 || n > 200 || name[0] == '.') {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            return NULL;
        }
    }
    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]); i++) {
        size_t e = strlen(TYPES[i][0]);
        if (n > e && strcmp(name + n - e, TYPES[i][0]) == 0) {
            return TYPES[i][1];
        }
    }
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")),
                  json_string_value(json_object_get(*(json_t *const *)b, "name")));
}

int plaint_report_files_list(json_t **out, const char *dir, plaint_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    json_t **items = NULL;
    size_t n = 0;
    size_t cap = 0;
    json_t *list = json_array();

    *out = NULL;
    if (list == NULL) {
        if (d != NULL) {
            closedir(d);
        }
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    if (d == NULL) {
        if (errno == ENOENT) {
            *out = list;
            return 0;
        }
        json_decref(list);
        return plaint_error_set(err, PLAINT_EIO, "cannot read the reports directory %s: %s", dir,
                                strerror(errno));
    }
    while ((e = readdir(d)) != NULL && n < 10000) {
        char path[4096];
        char when[32];
        struct stat st;
        struct tm tm;
        json_t *item;

        if (plaint_report_file_type(e->d_name) == NULL) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
            continue;
        }
        gmtime_r(&st.st_mtime, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        item = json_pack("{s:s, s:I, s:s}", "name", e->d_name, "bytes", (json_int_t)st.st_size,
                         "modified", when);
        if (item == NULL) {
            continue;
        }
        if (n == cap) {
            json_t **more = realloc(items, (cap = cap * 2 + 16) * sizeof(*items));
            if (more == NULL) {
                json_decref(item);
                break;
            }
            items = more;
        }
        items[n++] = item;
    }
    closedir(d);
    if (n > 0) {
        qsort(items, n, sizeof(*items), by_name);
    }
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, items[i]);
    }
    free(items);
    *out = list;
    return 0;
}

int plaint_report_file_read(plaint_buf *out, const char **type, const char *dir, const char *name,
                            plaint_error *err)
{
    char path[4096];
    struct stat st;
    int fd;
    int rc = 0;

    *type = plaint_report_file_type(name);
    if (*type == NULL) {
        return plaint_error_set(err, PLAINT_ENOTFOUND, "no such report");
    }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    /* O_NOFOLLOW and fstat on what was opened: a link swapped in meanwhile is refused too;
     * O_NONBLOCK: opening a FIFO put there must not hold the worker; a second hard link may be
     * another file's (a key), so only files with one name are served */
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
        st.st_size > PLAINT_REPORT_FILE_MAX) {
        if (fd >= 0) {
            close(fd);
        }
        return plaint_error_set(err, PLAINT_ENOTFOUND, "no such report: %s", name);
    }
    rc = plaint_buf_reserve(out, (size_t)st.st_size + 1, err);
    while (rc == 0) {
        char chunk[65536];
        ssize_t got = read(fd, chunk, sizeof(chunk));
        if (got < 0) {
            rc = plaint_error_set(err, PLAINT_EIO, "cannot read %s: %s", path, strerror(errno));
        } else if (got == 0) {
            break;
        } else if (out->len + (size_t)got > (size_t)PLAINT_REPORT_FILE_MAX) {
            rc = plaint_error_set(err, PLAINT_EIO, "%s grew beyond the limit", path);
        } else {
            rc = plaint_buf_append(out, chunk, (size_t)got, err);
        }
    }
    close(fd);
    return rc;
}
