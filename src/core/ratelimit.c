/* Token bucket rate limiting and the table of buckets by client address (see ratelimit.h). */
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

void plaint_ratelimit_table_init(plaint_ratelimit_table *t, plaint_ratelimit_slot *slots, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        slots[i].key[0] = '\0';
        slots[i].b.tokens_micro = 0;
        slots[i].b.last_us = 0;
    }
    t->slots = slots;
    t->n = n;
    t->used = 0;
}

static size_t key_len(const char *key)
{
    size_t n = 0;

    while (n < PLAINT_RATELIMIT_KEY_MAX && key[n] != '\0') {
        n++;
    }
    return n;
}

static int key_eq(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return a[n] == '\0';
}

int plaint_ratelimit_table_take(plaint_ratelimit_table *t, const char *key, int64_t now_us,
                                int64_t rate_per_s, int64_t burst)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    size_t len = key_len(key);
    size_t i;
    size_t k;
    size_t oldest = 0;
    plaint_ratelimit_slot *s = NULL;

    if (len == 0 || len >= PLAINT_RATELIMIT_KEY_MAX || t->n == 0) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        h = (h ^ (uint32_t)(unsigned char)key[i]) * 16777619u;
    }
    /* Probe from the key's home slot. Slots are never emptied, so an empty slot ends the search:
     * a key in the table sits before the first empty slot of its probe sequence. */
    for (k = 0; k < t->n; k++) {
        i = ((size_t)h + k) % t->n;
        if (t->slots[i].key[0] == '\0') {
            s = &t->slots[i];
            t->used++;
            break;
        }
        if (key_eq(t->slots[i].key, key, len)) {
            return plaint_ratelimit_take(&t->slots[i].b, now_us, rate_per_s, burst);
        }
        if (k == 0 || t->slots[i].b.last_us < t->slots[oldest].b.last_us) {
            oldest = i;
        }
    }
    if (s == NULL) { /* full: the least recently refilled bucket goes */
        s = &t->slots[oldest];
    }
    for (i = 0; i < len; i++) {
        s->key[i] = key[i];
    }
    s->key[len] = '\0';
    s->b.tokens_micro = 0;
    s->b.last_us = 0;
    return plaint_ratelimit_take(&s->b, now_us, rate_per_s, burst);
}

int plaint_ratelimit_table_peek(const plaint_ratelimit_table *t, const char *key, int64_t now_us,
                                int64_t rate_per_s, int64_t burst)
{
    uint32_t h = 2166136261u; /* FNV-1a, as in plaint_ratelimit_table_take */
    size_t len = key_len(key);
    size_t i;
    size_t k;

    if (len == 0 || len >= PLAINT_RATELIMIT_KEY_MAX || t->n == 0) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        h = (h ^ (uint32_t)(unsigned char)key[i]) * 16777619u;
    }
    for (k = 0; k < t->n; k++) {
        i = ((size_t)h + k) % t->n;
        if (t->slots[i].key[0] == '\0') {
            break;
        }
        if (key_eq(t->slots[i].key, key, len)) {
            plaint_ratelimit_bucket copy = t->slots[i].b;
            return plaint_ratelimit_take(&copy, now_us, rate_per_s, burst);
        }
    }
    return 1; /* not in the table: a new key starts with a full bucket */
}
