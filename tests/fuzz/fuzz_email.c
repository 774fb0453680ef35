/* Fuzz target: email intake (src/intake/email_intake.c with GMime and html_text.c); must never
 * crash, and a message it accepts must come out as valid UTF-8 strings with a sender address
 * and a reference that is empty or of the documented form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "plaint/email.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        fuzz_check_text(e->message_id);
        fuzz_check_text(e->in_reply_to);
        fuzz_check_text(e->from_name);
        fuzz_check_text(e->from_addr);
        fuzz_check_text(e->subject);
        fuzz_check_text(e->body_text);
        check_reference(e->reference);
    } else if (rc != PLAINT_EINVALID || e != NULL || err.message[0] == '\0') {
        abort();
    }
    plaint_email_free(e);
    return 0;
}
