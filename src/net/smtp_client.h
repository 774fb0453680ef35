/* Sending one prepared message to one recipient through an SMTP server with libcurl. */
#ifndef PLAINT_NET_SMTP_CLIENT_H
#define PLAINT_NET_SMTP_CLIENT_H

#include "plaint/buf.h"
#include "plaint/error.h"

typedef struct plaint_smtp_settings {
    const char *url;        /* smtp://host[:port][/ehlo-name] or smtps://...; user:password@
                             * in the URL for AUTH. STARTTLS is used when the server offers it */
    const char *from;       /* envelope sender (MAIL FROM), a checked address */
    long connect_timeout_s; /* 0: 10 seconds */
    long timeout_s;         /* whole transfer; 0: 60 seconds */
} plaint_smtp_settings;

/* How a delivery attempt ended. */
typedef enum plaint_smtp_outcome {
    PLAINT_SMTP_ACCEPTED = 0, /* the server took the message (250 after DATA) */
    PLAINT_SMTP_UNREACHABLE,  /* no SMTP session: resolve/connect/TLS failure or timeout */
    PLAINT_SMTP_TEMPORARY,    /* the server answered 4xx or the session broke: retry later */
    PLAINT_SMTP_REJECTED      /* the server answered 5xx: retrying the same will not help */
} plaint_smtp_outcome;

/* Sends msg (a complete RFC 5322 message with CRLF line ends) to the address to. Returns 0 with
 * *outcome set for every attempt that reached a verdict (err then holds the reason when the
 * outcome is not PLAINT_SMTP_ACCEPTED, without the URL's password or any address), or
 * PLAINT_ENOMEM / PLAINT_EIO when libcurl could not even be set up. */
int plaint_smtp_send(plaint_smtp_outcome *outcome, const plaint_smtp_settings *s, const char *to,
                     const plaint_buf *msg, plaint_error *err);

/* A name for o: "accepted", "unreachable", "temporary", "rejected". */
const char *plaint_smtp_outcome_name(plaint_smtp_outcome o);

#endif
