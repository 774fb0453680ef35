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

/* Looks key (len bytes, 1 <= len < PLAINT_RATELIMIT_KEY_MAX) up from its home slot (FNV-1a).
 * Slots are never emptied, so an empty slot ends the search: a key in the table sits before the
 * first empty slot of its probe sequence. Returns the slot holding key, or NULL with *spare set
 * to the slot a new key takes: that first empty slot, or, the table being full, the least
 * recently refilled one. */
static plaint_ratelimit_slot *find(const plaint_ratelimit_table *t, const char *key, size_t len,
                                   plaint_ratelimit_slot **spare)
{
    uint32_t h = 2166136261u;
    size_t i;
    size_t k;
    size_t oldest = 0;

    for (i = 0; i < len; i++) {
        h = (h ^ (uint32_t)(unsigned char)key[i]) * 16777619u;
    }
    for (k = 0; k < t->n; k++) {
        i = ((size_t)h + k) % t->n;
        if (t->slots[i].key[0] == '\0') {
            *spare = &t->slots[i];
            return NULL;
        }
        if (key_eq(t->slots[i].key, key, len)) {
            return &t->slots[i];
        }
        if (k == 0 || t->slots[i].b.last_us < t->slots[oldest].b.last_us) {
            oldest = i;
        }
    }
    *spare = &t->slots[oldest];
    return NULL;
}

int plaint_ratelimit_table_take(plaint_ratelimit_table *t, const char *key, int64_t now_us,
                                int64_t rate_per_s, int64_t burst)
{
    size_t len = key_len(key);
    size_t i;
    plaint_ratelimit_slot *spare = NULL;
    plaint_ratelimit_slot *s;

    if (len == 0 || len >= PLAINT_RATELIMIT_KEY_MAX || t->n == 0) {
        return -1;
    }
    s = find(t, key, len, &spare);
    if (s == NULL) { /* a new key: an empty slot, or the least recently refilled bucket goes */
        s = spare;
        if (s->key[0] == '\0') {
            t->used++;
        }
        for (i = 0; i < len; i++) {
            s->key[i] = key[i];
        }
        s->key[len] = '\0';
        s->b.tokens_micro = 0;
        s->b.last_us = 0;
    }
    return plaint_ratelimit_take(&s->b, now_us, rate_per_s, burst);
}

int plaint_ratelimit_table_peek(const plaint_ratelimit_table *t, const char *key, int64_t now_us,
                                int64_t rate_per_s, int64_t burst)
{
    size_t len = key_len(key);
    plaint_ratelimit_slot *spare = NULL;
    const plaint_ratelimit_slot *s;
    plaint_ratelimit_bucket copy;

    if (len == 0 || len >= PLAINT_RATELIMIT_KEY_MAX || t->n == 0) {
        return -1;
    }
    s = find(t, key, len, &spare);
    if (s == NULL) {
        return 1; /* not in the table: a new key starts with a full bucket */
    }
    copy = s->b;
    return plaint_ratelimit_take(&copy, now_us, rate_per_s, burst);
}
