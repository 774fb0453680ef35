/* A list of ledger events still to be written: what the use cases decide, before an adapter
 * appends them (one by one inside a transaction, or in bulk). Payloads are jansson objects;
 * they are canonicalised (RFC 8785) when written. */
#ifndef PLAINT_EVENT_LIST_H
#define PLAINT_EVENT_LIST_H

#include <jansson.h>
#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

#define PLAINT_EVENT_CASE_MAX 95
#define PLAINT_EVENT_TYPE_MAX 63
#define PLAINT_EVENT_IDEM_MAX 191

typedef struct plaint_event_item {
    char case_id[PLAINT_EVENT_CASE_MAX + 1];
    char type[PLAINT_EVENT_TYPE_MAX + 1];
    char idempotency_key[PLAINT_EVENT_IDEM_MAX + 1]; /* "" for none */
    json_t *payload;                                 /* owned */
} plaint_event_item;

typedef struct plaint_event_list {
    plaint_event_item *v;
    size_t n, cap;
} plaint_event_list;

#define PLAINT_EVENT_LIST_INIT {NULL, 0, 0}

/* Appends an event; takes ownership of payload (also on failure). payload NULL is
 * PLAINT_ENOMEM (a failed json_pack). idem may be NULL. */
PLAINT_EXTERN int plaint_events_add(plaint_event_list *l, const char *case_id, const char *type,
                                    json_t *payload, const char *idem, plaint_error *err);
/* Drops every event (the list can be reused). */
PLAINT_EXTERN void plaint_events_reset(plaint_event_list *l);
PLAINT_EXTERN void plaint_events_clear(plaint_event_list *l);

#endif
