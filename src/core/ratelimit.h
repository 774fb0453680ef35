/* A token bucket: pure arithmetic on a caller-held state, time passed in (microseconds). */
#ifndef PLAINT_CORE_RATELIMIT_H
#define PLAINT_CORE_RATELIMIT_H

#include <stdint.h>

typedef struct plaint_ratelimit_bucket {
    int64_t tokens_micro; /* tokens held, in millionths of a token */
    int64_t last_us;      /* time of the last refill; 0: never used (starts full) */
} plaint_ratelimit_bucket;

/* Refills b at rate_per_s tokens per second up to burst tokens, then takes one token if there
 * is one. Returns 1 if the request is allowed, 0 if not. rate_per_s <= 0 or burst <= 0: always
 * allowed. A clock going backwards refills nothing. */
int plaint_ratelimit_take(plaint_ratelimit_bucket *b, int64_t now_us, int64_t rate_per_s,
                          int64_t burst);

#endif
