/*
 * Reporting periods: a half-year (2026-H1, the FCA's), a quarter (2026-Q3), a month (2026-09),
 * an ISO week (2026-W47), a day (2026-09-14) or FROM..TO dates (2026-01-01..2026-03-31, both
 * days included). A period is the half-open UTC interval [from, to) in Unix seconds. Pure: no
 * I/O, no time zone other than UTC.
 */
#ifndef PLAINT_PERIOD_H
#define PLAINT_PERIOD_H

#include <stdint.h>

#include "plaint/error.h"
#include "plaint/export.h"

typedef struct plaint_period {
    int64_t from;   /* first second, inclusive */
    int64_t to;     /* first second after the period */
    char label[32]; /* canonical spelling, e.g. "2026-H1", "2026-01-01..2026-03-31" */
} plaint_period;

/* Parses s into *out. PLAINT_EINVALID (field "period") names what is wrong (unknown form,
 * month 13, 2026-02-30, week 53 of a 52-week year, FROM after TO, ...). Years 1000..9999.
 * ISO weeks (ISO 8601): Monday to Sunday, week 1 is the week holding 4 January, so 2026-W01
 * starts on Monday 2025-12-29 and 2020-W53 ends on Sunday 2021-01-03. */
PLAINT_EXTERN int plaint_period_parse(const char *s, plaint_period *out, plaint_error *err);

/* "YYYY-MM-DD" */
#define PLAINT_PERIOD_DAY_LEN 10

/* Writes the UTC date of instant t (Unix seconds) as "YYYY-MM-DD"; for a period's first day
 * pass p.from, for its last day p.to - 1. Returns 0. */
PLAINT_EXTERN int plaint_period_day_label(char out[PLAINT_PERIOD_DAY_LEN + 1], int64_t t);

#endif
