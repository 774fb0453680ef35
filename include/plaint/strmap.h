/* A string-keyed hash map with fixed-size values (open addressing, FNV-1a), owning its keys. */
#ifndef PLAINT_STRMAP_H
#define PLAINT_STRMAP_H

#include <stddef.h>

#include "plaint/error.h"

typedef struct plaint_strmap plaint_strmap;

/* value_size bytes per entry. Caller frees with plaint_strmap_free. */
int plaint_strmap_new(plaint_strmap **out, size_t value_size, plaint_error *err);
void plaint_strmap_free(plaint_strmap *m);
/* Returns a pointer to the value for key (borrowed, valid until the next insertion), or NULL. */
void *plaint_strmap_get(const plaint_strmap *m, const char *key, size_t key_len);
/* Inserts key (copied) with a zeroed value if absent; *value_out points at its value. *created
 * is set to 1 when the key is new. */
int plaint_strmap_upsert(plaint_strmap *m, const char *key, size_t key_len, void **value_out,
                         int *created, plaint_error *err);
size_t plaint_strmap_count(const plaint_strmap *m);

#endif
