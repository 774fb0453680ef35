/* The list of events a use case decided to write. */
#include "plaint/event_list.h"

#include <stdlib.h>
#include <string.h>

static int copy_field(char *dst, size_t n, const char *src, const char *what, plaint_error *err)
{
    size_t len = src != NULL ? strlen(src) : 0;

    if (len >= n) {
        return plaint_error_set(err, PLAINT_EINVALID, "%s too long (%zu bytes, at most %zu)",
                                what, len, n - 1);
    }
    if (len > 0) {
        memcpy(dst, src, len);
    }
    dst[len] = '\0';
    return 0;
}

int plaint_events_add(plaint_event_list *l, const char *case_id, const char *type,
                      json_t *payload, const char *idem, plaint_error *err)
{
    plaint_event_item *it;
    int rc;

    if (payload == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "building the %s event payload failed",
                                type);
    }
    if (l->n == l->cap) {
        size_t cap = l->cap == 0 ? 16 : l->cap * 2;
        plaint_event_item *v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL) {
            json_decref(payload);
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        l->v = v;
        l->cap = cap;
    }
    it = &l->v[l->n];
    rc = copy_field(it->case_id, sizeof(it->case_id), case_id, "case id", err);
    if (rc == 0) {
        rc = copy_field(it->type, sizeof(it->type), type, "event type", err);
    }
    if (rc == 0) {
        rc = copy_field(it->idempotency_key, sizeof(it->idempotency_key), idem,
                        "idempotency key", err);
    }
    if (rc != 0) {
        json_decref(payload);
        return rc;
    }
    it->payload = payload;
    l->n++;
    return 0;
}

void plaint_events_reset(plaint_event_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        json_decref(l->v[i].payload);
    }
    l->n = 0;
}

void plaint_events_clear(plaint_event_list *l)
{
    plaint_events_reset(l);
    free(l->v);
    l->v = NULL;
    l->cap = 0;
}
