/* Ledger events: their canonical form (RFC 8785) and hash, and UTC timestamps. Pure logic. */
#ifndef PLAINT_CHAIN_H
#define PLAINT_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/digest.h"
#include "plaint/error.h"
#include "plaint/export.h"

/* Prefix of the hashed bytes of an event: SHA-256(PLAINT_EVENT_PREFIX || canonical JSON). */
#define PLAINT_EVENT_PREFIX "plaint.event.v1\n"
/* Format version written into every event ("v"). */
#define PLAINT_EVENT_VERSION 1
/* prev_hash of a case's first event: 32 zero bytes. */
extern const unsigned char plaint_chain_genesis[PLAINT_HASH_LEN];

/* The hashed content of an event. Strings are borrowed, UTF-8, not NUL-terminated necessarily
 * (lengths given). payload must already be canonical JSON (plaint_jcs_canonicalize). */
typedef struct plaint_event {
    const char *case_id;
    size_t case_id_len;
    int64_t case_seq; /* 1, 2, ... within the case */
    const char *type;
    size_t type_len;
    const char *actor;
    size_t actor_len;
    const char *role;
    size_t role_len;
    int64_t time_us; /* microseconds since 1970-01-01T00:00:00Z */
    const char *payload;
    size_t payload_len;
    unsigned char prev_hash[PLAINT_HASH_LEN];
} plaint_event;

/* Appends the event's canonical JSON (without the prefix) to out:
 * {"actor":..,"case":..,"payload":<payload>,"prev":"<hex>","role":..,"seq":N,
 *  "time":"YYYY-MM-DDTHH:MM:SS.ffffffZ","type":..,"v":1}
 * PLAINT_EINVALID (field named) for invalid UTF-8, NUL or empty strings. */
PLAINT_EXTERN int plaint_chain_event_canonical(plaint_buf *out, const plaint_event *ev,
                                               plaint_error *err);

/* Computes the event hash. scratch is reused between calls to avoid allocation; sha must be
 * initialised (plaint_sha256_init). */
PLAINT_EXTERN int plaint_chain_event_hash(unsigned char out[PLAINT_HASH_LEN],
                                          const plaint_event *ev, plaint_buf *scratch,
                                          plaint_sha256 *sha, plaint_error *err);

/* Formats microseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (27 chars + NUL).
 * Years 0001..9999 only, else PLAINT_ERANGE. */
#define PLAINT_TIME_LEN 27
PLAINT_EXTERN int plaint_time_format(char out[PLAINT_TIME_LEN + 1], int64_t us, plaint_error *err);
/* Parses exactly that format back; PLAINT_EINVALID otherwise. */
PLAINT_EXTERN int plaint_time_parse(int64_t *out, const char *s, size_t len, plaint_error *err);

#endif
