/* String-keyed open-addressing hash map: keys and values live in one allocation per entry. */
#include "plaint/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    uint64_t hash;
    size_t key_len;
    char *block; /* key bytes, then value (aligned) */
} entry;

struct plaint_strmap {
    entry *slots;
    size_t cap; /* power of two */
    size_t count;
    size_t value_size;
    size_t value_off;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h | 1; /* 0 marks an empty slot */
}

int plaint_strmap_new(plaint_strmap **out, size_t value_size, plaint_error *err)
{
    plaint_strmap *m = calloc(1, sizeof(*m));

    if (m == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    m->cap = 64;
    m->slots = calloc(m->cap, sizeof(entry));
    if (m->slots == NULL) {
        free(m);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    m->value_size = value_size;
    *out = m;
    return 0;
}

void plaint_strmap_free(plaint_strmap *m)
{
    size_t i;

    if (m == NULL) {
        return;
    }
    for (i = 0; i < m->cap; i++) {
        free(m->slots[i].block);
    }
    free(m->slots);
    free(m);
}

static size_t value_offset(size_t key_len)
{
    return (key_len + 1 + 15) & ~(size_t)15;
}

static entry *find(const plaint_strmap *m, uint64_t h, const char *key, size_t key_len)
{
    size_t i = (size_t)h & (m->cap - 1);

    for (;;) {
        entry *e = &m->slots[i];
        if (e->hash == 0) {
            return e;
        }
        if (e->hash == h && e->key_len == key_len && memcmp(e->block, key, key_len) == 0) {
            return e;
        }
        i = (i + 1) & (m->cap - 1);
    }
}

void *plaint_strmap_get(const plaint_strmap *m, const char *key, size_t key_len)
{
    uint64_t h = fnv1a(key, key_len);
    entry *e = find(m, h, key, key_len);

    return e->hash == 0 ? NULL : e->block + value_offset(key_len);
}

static int grow(plaint_strmap *m, plaint_error *err)
{
    size_t ncap = m->cap * 2;
    entry *old = m->slots;
    size_t ocap = m->cap;
    size_t i;

    if (ncap > SIZE_MAX / sizeof(entry)) {
        return plaint_error_set(err, PLAINT_ERANGE, "map too large");
    }
    m->slots = calloc(ncap, sizeof(entry));
    if (m->slots == NULL) {
        m->slots = old;
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    m->cap = ncap;
    for (i = 0; i < ocap; i++) {
        if (old[i].hash != 0) {
            *find(m, old[i].hash, old[i].block, old[i].key_len) = old[i];
        }
    }
    free(old);
    return 0;
}

int plaint_strmap_upsert(plaint_strmap *m, const char *key, size_t key_len, void **value_out,
                         int *created, plaint_error *err)
{
    uint64_t h = fnv1a(key, key_len);
    entry *e;
    size_t off;
    int rc;

    *created = 0;
    e = find(m, h, key, key_len);
    if (e->hash != 0) {
        *value_out = e->block + value_offset(key_len);
        return 0;
    }
    if ((m->count + 1) * 4 > m->cap * 3) {
        rc = grow(m, err);
        if (rc < 0) {
            return rc;
        }
        e = find(m, h, key, key_len);
    }
    off = value_offset(key_len);
    e->block = calloc(1, off + m->value_size);
    if (e->block == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    memcpy(e->block, key, key_len);
    e->hash = h;
    e->key_len = key_len;
    m->count++;
    *value_out = e->block + off;
    *created = 1;
    return 0;
}

size_t plaint_strmap_count(const plaint_strmap *m)
{
    return m->count;
}
