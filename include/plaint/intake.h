/* Complaint intake from files: a mapping (reports/mappings/<name>.xml, schema
 * schemas/xml/mapping.xsd) says which CSV column feeds which intake field and how each value is
 * checked; the CSV reader streams a file through it and hands every good row to the caller as a
 * plaint_intake record, every bad row or field to a second callback with its position.
 * Design and formats: docs/intake.md. */
#ifndef PLAINT_INTAKE_H
#define PLAINT_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, shared with schemas/xml/mapping.xsd where they apply. */
#define PLAINT_INTAKE_FIELD_MAX_BYTES  ((size_t)1024 * 1024)     /* one CSV field */
#define PLAINT_INTAKE_RECORD_MAX_BYTES ((size_t)4 * 1024 * 1024) /* one CSV record */
#define PLAINT_INTAKE_MAX_COLUMNS      1024                      /* header fields */
#define PLAINT_INTAKE_MAX_EXTRAS       256
#define PLAINT_INTAKE_MAX_LENGTH       1048576 /* largest max-length, in characters */

/* Channel values (the mapping's value map must produce one of these): web email phone chat
 * social api post. Urgency values (as include/plaint/severity.h): low normal high critical;
 * default normal. */

/* A source column copied under a name; both strings borrowed (see plaint_intake). */
typedef struct plaint_intake_extra {
    const char *name;  /* the mapping's name, e.g. "company_response" */
    const char *value; /* the cell, "" when empty */
} plaint_intake_extra;

/* One complaint as read from a source. Every string is valid UTF-8 without NUL and never NULL:
 * "" when the mapping does not map the field or the cell is empty (and has no default). All of
 * it is borrowed from the reader and valid only during the row callback. */
typedef struct plaint_intake {
    const char *external_id;  /* the source's id (CFPB: Complaint ID); never "" */
    int64_t received_us;      /* UTC microseconds; a date (YYYY-MM-DD) means 00:00:00 UTC */
    const char *channel;      /* web|email|phone|chat|social|api|post; never "" */
    const char *category;     /* CFPB: Product */
    const char *sub_category; /* CFPB: Sub-product */
    const char *product;
    const char *issue;     /* CFPB: Issue */
    const char *sub_issue; /* CFPB: Sub-issue */
    const char *narrative;
    const char *company;
    const char *customer_ref;
    const char *customer_name;
    const char *customer_email;
    const char *order_ref;
    const char *urgency;               /* low|normal|high|critical; "normal" unless mapped */
    const plaint_intake_extra *extras; /* every <extra> of the mapping, in mapping order */
    size_t extra_count;
} plaint_intake;

typedef struct plaint_mapping plaint_mapping;

/* Loads the mapping at xml_path, validated against the schema at xsd_path
 * (schemas/xml/mapping.xsd), with the policy loaders' parsing rules (no network, no DTD, any
 * DOCTYPE refused; file at most 1 MiB). If sha256_out is not NULL it receives the SHA-256 of the
 * exact bytes loaded (32 bytes), which names the mapping in import records.
 * Returns 0 and sets *out (caller frees with plaint_mapping_free), or PLAINT_EINVALID (not
 * well-formed, schema violation, or a semantic error such as a value map producing an unknown
 * channel, external_id/received/channel not mapped; message "<xml_path>:<line>: <what>"),
 * PLAINT_ENOTFOUND / PLAINT_EIO (a file cannot be read, the schema does not compile),
 * PLAINT_ENOMEM. Thread-safe. */
PLAINT_EXTERN int plaint_mapping_load(plaint_mapping **out, unsigned char *sha256_out,
                                      const char *xml_path, const char *xsd_path,
                                      plaint_error *err);
PLAINT_EXTERN void plaint_mapping_free(plaint_mapping *m);
/* The mapping's name attribute (e.g. "cfpb"); borrowed, valid until m is freed. */
PLAINT_EXTERN const char *plaint_mapping_name(const plaint_mapping *m);

/* Where a record or a problem is. line: 1-based physical line (the header is line 1; a quoted
 * field spanning lines counts every line): for a good row, the line where the record starts;
 * for a bad field, the line where that field starts; for a structural error, the line where it
 * is detected (see docs/intake.md). column: 1-based field number, 0 for a whole row.
 * column_name: the header name of that column, or NULL. row: 1-based data record number (the
 * header is not counted; bad records are). file: the path given to the reader. Borrowed, valid
 * during the callback. */
typedef struct plaint_intake_pos {
    const char *file;
    int64_t line;
    int64_t column;
    const char *column_name;
    int64_t row;
} plaint_intake_pos;

/* One good record: return 0 to go on, non-zero to stop (returned by the reader; fill err). */
typedef int (*plaint_intake_row_fn)(const plaint_intake *rec, const plaint_intake_pos *pos,
                                    void *arg, plaint_error *err);
/* One bad record or field: message without position, e.g.
 * field "Date received": not a date (YYYY-MM-DD): "2020-13-45"
 * Return 0 to go on, non-zero to stop. A record with several bad fields gets one call per field
 * and counts once in rows_bad. */
typedef int (*plaint_intake_bad_fn)(const plaint_intake_pos *pos, const char *message, void *arg);

/* Streams the CSV file at path (RFC 4180 quoting, LF or CRLF line ends, UTF-8, a leading BOM
 * ignored, blank lines skipped; delimiter from the mapping) through mapping m. The first record
 * is the header: every column the mapping names must be present (once). Each data record must
 * have as many fields as the header. Good records go to row (may be NULL: check only), bad ones
 * to bad and are skipped; after a quoting error the reader resumes at the next line. Memory is
 * bounded by the largest record (fields at most PLAINT_INTAKE_FIELD_MAX_BYTES, records
 * PLAINT_INTAKE_RECORD_MAX_BYTES), not by the file.
 *
 * Returns 0 when the whole file was read (bad records included: see *rows_bad), or:
 * - the non-zero value row returned, when it asked to stop (err as row left it);
 * - PLAINT_EINVALID when bad asked to stop, or bad is NULL and a record is bad: err holds
 *   "<path>:<line>:<column>: <message>" with line, column and field (the column name) set;
 * - PLAINT_EINVALID for a header that cannot be used (missing or duplicated mapped column, no
 *   header, a malformed header line): err names the column and line;
 * - PLAINT_ENOTFOUND / PLAINT_EIO when the file cannot be opened or read; PLAINT_ENOMEM.
 * rows_good and rows_bad (may be NULL) receive the counts so far, also on error. */
PLAINT_EXTERN int plaint_csv_intake_read(const plaint_mapping *m, const char *path,
                                         plaint_intake_row_fn row, plaint_intake_bad_fn bad,
                                         void *arg, int64_t *rows_good, int64_t *rows_bad,
                                         plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
