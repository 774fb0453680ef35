/* Complaint intake from email: one RFC 5322 / MIME message (an .eml file or bytes received by
 * the mail gateway) parsed with GMime into the parts intake needs: sender, subject, ids for
 * threading, the body as UTF-8 text, a complaint reference found in the subject, and how many
 * attachments came with it. Design: docs/intake.md, "Email". */
#ifndef PLAINT_EMAIL_H
#define PLAINT_EMAIL_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A message larger than this is refused. */
#define PLAINT_EMAIL_MAX_BYTES ((size_t)10 * 1024 * 1024)
/* Room for "CMP-YYYY-" and up to 22 digits, plus the NUL. */
#define PLAINT_EMAIL_REFERENCE_LEN 32

/* Every string is owned by the struct (freed by plaint_email_free), valid UTF-8 without NUL
 * bytes, and never NULL ("" when absent). */
typedef struct plaint_email {
    char *message_id;  /* Message-ID without <>; "" if none */
    char *in_reply_to; /* the first message id of In-Reply-To, without <>; "" if none */
    char *from_name;   /* display name of the first From mailbox, RFC 2047 decoded; may be "" */
    char *from_addr;   /* its address (local@domain); never "" */
    char *subject;     /* RFC 2047 decoded; "" if none */
    char *body_text;   /* the first text/plain part that is not an attachment (transfer
                        * encoding removed, converted to UTF-8); else the text of the first
                        * text/html part, via libxml2's HTML parser; else "" */
    int64_t date_us;   /* Date header as UTC microseconds; 0 if missing or unparseable */
    char reference[PLAINT_EMAIL_REFERENCE_LEN]; /* "CMP-2026-000123" found in the subject
                                                   (CMP-, 4 digits, -, 6 or more digits; the
                                                   first match, "cmp" in any case, written
                                                   upper case), "" if none */
    size_t attachments; /* parts with Content-Disposition attachment or a file name, parts
                         * other than text/plain and text/html, attached messages */
} plaint_email;

/* Parses the message at path (at most PLAINT_EMAIL_MAX_BYTES) or in data[0..len).
 * Returns 0 and sets *out (caller frees with plaint_email_free), or:
 * - PLAINT_EINVALID: empty or over the size limit, not a message GMime can parse, no From
 *   header, or a From without a usable address (local@domain); err says which;
 * - PLAINT_ENOTFOUND / PLAINT_EIO: the file cannot be read; PLAINT_ENOMEM.
 * Thread-safe: GMime is initialised once (pthread_once) on first use and never shut down;
 * after that GMime objects are per call. Prints nothing. */
PLAINT_EXTERN int plaint_email_parse_file(plaint_email **out, const char *path, plaint_error *err);
PLAINT_EXTERN int plaint_email_parse_mem(plaint_email **out, const char *data, size_t len,
                                         plaint_error *err);
PLAINT_EXTERN void plaint_email_free(plaint_email *e);

#ifdef __cplusplus
}
#endif
#endif
