/* Token bucket rate limiting (see ratelimit.h). */
#include "core/ratelimit.h"

int plaint_ratelimit_take(plaint_ratelimit_bucket *b, int64_t now_us, int64_t rate_per_s,
                          int64_t burst)
{
    const int64_t one = 1000000;
    int64_t cap;

    if (rate_per_s <= 0 || burst <= 0) {
        return 1;
    }
    cap = burst > INT64_MAX / one ? INT64_MAX : burst * one;
    if (b->last_us == 0) {
        b->tokens_micro = cap;
    } else if (now_us > b->last_us) {
        int64_t dt = now_us - b->last_us;
        /* dt microseconds at rate tokens/s = dt * rate micro-tokens */
        int64_t add = dt >= cap / rate_per_s ? cap : dt * rate_per_s; /* no overflow */
        b->tokens_micro = b->tokens_micro > cap - add ? cap : b->tokens_micro + add;
    }
    if (now_us > b->last_us || b->last_us == 0) {
        b->last_us = now_us;
    }
    if (b->tokens_micro >= one) {
        b->tokens_micro -= one;
        return 1;
    }
    return 0;
}
