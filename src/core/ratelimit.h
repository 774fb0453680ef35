/* Token buckets: pure arithmetic on caller-held state, time passed in (microseconds), and a
 * fixed-size table of buckets keyed exactly by client address (caller-provided storage). */
#ifndef PLAINT_CORE_RATELIMIT_H
#define PLAINT_CORE_RATELIMIT_H

#include <stddef.h>
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

/* Longest key, with its NUL (an IPv6 address in text is at most 45 characters). */
#define PLAINT_RATELIMIT_KEY_MAX 48

typedef struct plaint_ratelimit_slot {
    char key[PLAINT_RATELIMIT_KEY_MAX]; /* "" if free */
    plaint_ratelimit_bucket b;
} plaint_ratelimit_slot;

/* Buckets in slots[0..n), found by the exact key. Slots are never emptied: the table fills up,
 * then a new key takes the slot of the bucket refilled longest ago (least recently used). */
typedef struct plaint_ratelimit_table {
    plaint_ratelimit_slot *slots;
    size_t n;
    size_t used;
} plaint_ratelimit_table;

/* Clears slots[0..n) and makes t use them (n >= 1). */
void plaint_ratelimit_table_init(plaint_ratelimit_table *t, plaint_ratelimit_slot *slots, size_t n);

/* plaint_ratelimit_take on key's bucket (a new, full bucket for a key not in the table).
 * Returns 1 if allowed, 0 if not, -1 if key is empty or longer than
 * PLAINT_RATELIMIT_KEY_MAX - 1 bytes (the caller decides; nothing is stored). */
int plaint_ratelimit_table_take(plaint_ratelimit_table *t, const char *key, int64_t now_us,
                                int64_t rate_per_s, int64_t burst);

/* Whether plaint_ratelimit_table_take would allow key now (1), or not (0), changing nothing;
 * -1 for a key it would refuse. */
int plaint_ratelimit_table_peek(const plaint_ratelimit_table *t, const char *key, int64_t now_us,
                                int64_t rate_per_s, int64_t burst);

#endif
