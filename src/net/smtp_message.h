/* Building one RFC 5322 / MIME text message for the outbox dispatcher (no I/O). */
#ifndef PLAINT_NET_SMTP_MESSAGE_H
#define PLAINT_NET_SMTP_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/error.h"

/* Longest address accepted (RFC 5321: a path of at most 256 octets). */
#define PLAINT_SMTP_ADDR_MAX 254

/* Room for a Message-ID "<plaint.<escaped outbox id>@<domain>>" with its NUL. */
#define PLAINT_SMTP_MSGID_MAX 512

/* Checks an envelope/header address "local@domain": printable ASCII without spaces, quotes,
 * angle brackets, commas or control characters, exactly one '@' with text on both sides, at most
 * PLAINT_SMTP_ADDR_MAX bytes. PLAINT_EINVALID naming field otherwise. */
int plaint_smtp_check_address(const char *addr, const char *field, plaint_error *err);

/* The Message-ID of an outbox message, derived only from its id and the sender's domain, so a
 * re-sent message carries the same one: "<plaint.<id>@<domain of from>>" with the id's
 * characters outside [A-Za-z0-9/_-] written as "=XX". PLAINT_ERANGE if it does not fit in n. */
int plaint_smtp_message_id(char *out, size_t n, const char *outbox_id, const char *from,
                           plaint_error *err);

typedef struct plaint_smtp_mail {
    const char *from;       /* checked address */
    const char *to;         /* checked address */
    const char *subject;    /* UTF-8; RFC 2047 encoded when not plain short ASCII */
    const char *body;       /* UTF-8 text; sent quoted-printable with CRLF line ends */
    const char *message_id; /* from plaint_smtp_message_id */
    int64_t date;           /* seconds since the epoch, for the Date header (UTC) */
    const char *outbox_id;  /* also sent as X-Plaint-Message (the outbox id) */
} plaint_smtp_mail;

/* Appends the whole message (headers, blank line, body, CRLF line ends) to out. PLAINT_EINVALID
 * if the subject or body is not valid UTF-8 or holds a NUL or (subject) a control character. */
int plaint_smtp_build(plaint_buf *out, const plaint_smtp_mail *m, plaint_error *err);

#endif
