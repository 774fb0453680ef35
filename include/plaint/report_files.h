/* The reports directory (web.reports_dir): which files plaint serves from it and their listing.
 * Shared by the dashboard (/dashboard/reports/FILE) and the API (/api/v1/reports/{name}). */
#ifndef PLAINT_REPORT_FILES_H
#define PLAINT_REPORT_FILES_H

#include <jansson.h>

#include "plaint/buf.h"
#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_REPORT_FILE_MAX (64L * 1024 * 1024)

/* The content type of a report file name plaint serves, or NULL: 1-200 letters, digits, '.', '_'
 * and '-', not starting with '.', ending in .xml, .pdf, .json or .csv. */
PLAINT_EXTERN const char *plaint_report_file_type(const char *name);

/* The files of dir that plaint serves (regular files with one name: no symbolic or hard
 * links, no FIFOs), by name:
 * [{"name", "bytes", "modified"}] (modified: RFC 3339 UTC). A missing directory is empty. */
PLAINT_EXTERN int plaint_report_files_list(json_t **out, const char *dir, plaint_error *err);

/* Reads dir/name into out: PLAINT_ENOTFOUND unless name is served and is a regular file (not a
 * link, one name) of at most PLAINT_REPORT_FILE_MAX bytes; *type receives its content type. */
PLAINT_EXTERN int plaint_report_file_read(plaint_buf *out, const char **type, const char *dir,
                                          const char *name, plaint_error *err);

#endif
