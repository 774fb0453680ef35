/* Fuzz target: email intake (src/intake/email_intake.c with GMime and html_text.c); must never
 * crash, and a message it accepts must come out as valid UTF-8 strings with a sender address
 * and a reference that is empty or of the documented form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/email.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if s is valid UTF-8 (no overlongs, surrogates or code points over U+10FFFF); written
 * here rather than shared so that the check does not trust the code under test. */
static int utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u != 0) {
        unsigned c = *u;
        unsigned cp;
        int n;
        int k;
        if (c < 0x80) {
            u++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (k = 1; k <= n; k++) {
            if ((u[k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (u[k] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        u += n + 1;
    }
    return 1;
}

static void check_text(const char *s)
{
    if (s == NULL || !utf8_ok(s)) {
        abort();
    }
}

static void check_reference(const char *r)
{
    size_t n = strlen(r);
    size_t i;

    if (n == 0) {
        return;
    }
    if (n < 15 || n >= PLAINT_EMAIL_REFERENCE_LEN || memcmp(r, "CMP-", 4) != 0 || r[8] != '-') {
        abort();
    }
    for (i = 4; i < n; i++) {
        if (i != 8 && (r[i] < '0' || r[i] > '9')) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plaint_email *e = NULL;
    plaint_error err;
    int rc;

    plaint_error_init(&err);
    rc = plaint_email_parse_mem(&e, (const char *)data, size, &err);
    if (rc == 0) {
        if (e == NULL || e->from_addr[0] == '\0' || strchr(e->from_addr, '@') == NULL) {
            abort();
        }
        check_text(e->message_id);
        check_text(e->in_reply_to);
        check_text(e->from_name);
        check_text(e->from_addr);
        check_text(e->subject);
        check_text(e->body_text);
        check_reference(e->reference);
    } else if (rc != PLAINT_EINVALID || e != NULL || err.message[0] == '\0') {
        abort();
    }
    plaint_email_free(e);
    return 0;
}
