/* Civil (proleptic Gregorian) dates and day numbers: days since 1970-01-01, for any year
 * (Howard Hinnant's days_from_civil / civil_from_days). Pure; every date computation in plaint
 * goes through these two. */
#ifndef PLAINT_CIVIL_H
#define PLAINT_CIVIL_H

#include <stdint.h>

#include "plaint/export.h"

/* Day number of y-m-d; m 1..12, d 1..31 (not checked: callers validate). */
PLAINT_EXTERN int64_t plaint_days_from_civil(int64_t y, int m, int d);

/* The date of day number z. */
PLAINT_EXTERN void plaint_civil_from_days(int64_t z, int64_t *y, int *m, int *d);

#endif
