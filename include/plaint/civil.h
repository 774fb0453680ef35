/* Civil (proleptic Gregorian) dates and day numbers: days since 1970-01-01, for any year
 * (Howard Hinnant's days_from_civil / civil_from_days). Pure; every date computation in plaint
 * goes through these (bizcal, period, retention, the reports). */
#ifndef PLAINT_CIVIL_H
#define PLAINT_CIVIL_H

#include <stdint.h>

#include "plaint/export.h"

/* Day number of y-m-d; m 1..12, d 1..31 (not checked: callers validate). */
PLAINT_EXTERN int64_t plaint_days_from_civil(int64_t y, int m, int d);

/* The date of day number z. */
PLAINT_EXTERN void plaint_civil_from_days(int64_t z, int64_t *y, int *m, int *d);

/* Days in month m (1..12, not checked) of year y: 28-31, 29 in February of a leap year. */
PLAINT_EXTERN int plaint_days_in_month(int64_t y, int m);

/* floor(a / b) for b > 0 (C's division truncates towards zero). */
PLAINT_EXTERN int64_t plaint_floor_div(int64_t a, int64_t b);

#endif
