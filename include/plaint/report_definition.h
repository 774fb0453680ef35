/* Report definitions (reports/<name>.xml, schema schemas/xml/report-definition.xsd): the firm,
 * the product groups and the categories in each (with a fallback group), an optional root-cause
 * mapping, the time limits of the "closed within" figures, the periods the definition applies
 * to, and the figures a return contains. Loaded by src/report/xml_definition.c (libxml2:
 * DOCTYPE refused, XSD validated, "<file>:<line>: <what>" errors). Meanings: docs/reports.md. */
#ifndef PLAINT_REPORT_DEFINITION_H
#define PLAINT_REPORT_DEFINITION_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"
#include "plaint/period.h"

#define PLAINT_REPORT_DEFINITION_NS        "urn:plaint:report-definition:1"
#define PLAINT_REPORT_DEFINITION_XSD       "report-definition.xsd"
#define PLAINT_REPORT_DEFINITION_DEFAULT   "regulator-return.xml"
#define PLAINT_REPORT_MAX_GROUPS           64
#define PLAINT_REPORT_MAX_DEFINITION_BYTES ((size_t)1 << 20)
/* Label of complaints without a root cause when the definition maps none. */
#define PLAINT_REPORT_UNRECORDED_CAUSE "Not recorded"

/* Figures a return can contain (bits of plaint_report_def.figures), in document order. */
enum {
    PLAINT_REPORT_FIG_OUTSTANDING = 1u << 0,    /* outstanding-at-start */
    PLAINT_REPORT_FIG_OPENED = 1u << 1,         /* opened */
    PLAINT_REPORT_FIG_CLOSED = 1u << 2,         /* closed */
    PLAINT_REPORT_FIG_WITHIN_SUMMARY = 1u << 3, /* closed-within-summary-days */
    PLAINT_REPORT_FIG_WITHIN_FINAL = 1u << 4,   /* closed-within-final-weeks */
    PLAINT_REPORT_FIG_UPHELD = 1u << 5,         /* upheld */
    PLAINT_REPORT_FIG_REDRESS = 1u << 6,        /* redress */
    PLAINT_REPORT_FIG_CAUSES = 1u << 7          /* root-causes */
};

typedef struct plaint_report_group {
    char *id;
    char *name;
} plaint_report_group;

/* Strings are owned by the definition (freed with it). */
typedef struct plaint_report_def {
    char *id;
    long version;
    char *title;
    char *firm_name;
    char *firm_scheme;
    char *firm_reference;
    char *calendar;   /* a calendar id of policies/sla.xml */
    int summary_days; /* closed within this many business days (DISP 1.5: 3) */
    int final_weeks;  /* closed within this many weeks (DISP 1.6: 8) */
    char valid_from[PLAINT_PERIOD_DAY_LEN + 1];
    char valid_to[PLAINT_PERIOD_DAY_LEN + 1];
    int64_t valid_start; /* Unix seconds, first second of valid_from (UTC) */
    int64_t valid_end;   /* first second after valid_to */
    size_t ngroups;
    plaint_report_group groups[PLAINT_REPORT_MAX_GROUPS];
    size_t fallback; /* index into groups */
    size_t ncategories;
    char **categories;      /* category names ... */
    size_t *category_group; /* ... and the index of their group */
    int has_causes;
    char *cause_fallback;   /* has_causes only */
    char *cause_unrecorded; /* has_causes only */
    size_t ncause_values;
    char **cause_values;                   /* recorded cause ... */
    char **cause_names;                    /* ... and the return's cause */
    unsigned figures;                      /* PLAINT_REPORT_FIG_* */
    unsigned char sha256[PLAINT_HASH_LEN]; /* of the definition file's bytes */
    plaint_buf xml; /* the <report-definition> element, serialised (for embedding) */
} plaint_report_def;

/* Loads and validates a definition file against <xsd_dir>/report-definition.xsd. Bad files are
 * PLAINT_EINVALID "<path>:<line>: <what>"; a missing file or schema PLAINT_EIO. Caller frees
 * with plaint_report_def_free. */
PLAINT_EXTERN int plaint_report_def_load(plaint_report_def **out, const char *path,
                                         const char *xsd_dir, plaint_error *err);

/* The same from a definition held in memory (e.g. the copy embedded in a report), named `name`
 * in errors; sha256 is recorded as given (NULL: the SHA-256 of data). */
PLAINT_EXTERN int plaint_report_def_parse(plaint_report_def **out, const void *data, size_t len,
                                          const char *name, const unsigned char *sha256,
                                          const char *xsd_dir, plaint_error *err);

PLAINT_EXTERN void plaint_report_def_free(plaint_report_def *d);

/* 0 if period lies within the definition's validity, else PLAINT_EINVALID naming both. */
PLAINT_EXTERN int plaint_report_def_check_period(const plaint_report_def *d, const plaint_period *p,
                                                 plaint_error *err);

#endif
