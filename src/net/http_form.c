/* Form bodies (application/x-www-form-urlencoded) through libmicrohttpd's post processor, and
 * cookies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "net/http_server.h"
#include "plaint/buf.h"

typedef struct form_state {
    int (*fn)(void *arg, const char *name, const char *value, size_t len);
    void *arg;
    int stopped;
    /* the post processor hands a value over in pieces (off > 0 for the later ones); a value is
     * never longer than the body, which the transport bounds */
    char name[64];
    plaint_buf value;
    int have;
} form_state;

static int flush(form_state *f)
{
    int rc;

    if (!f->have) {
        return 0;
    }
    f->have = 0;
    if (plaint_buf_append_byte(&f->value, 0, NULL) < 0) {
        return -1;
    }
    /* the length as decoded: a NUL inside the value reaches fn, which refuses it */
    rc = f->fn(f->arg, f->name, (const char *)f->value.data, f->value.len - 1);
    plaint_buf_reset(&f->value);
    return rc;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    form_state *f = cls;

    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    if (off == 0 || !f->have || strcmp(f->name, key) != 0) {
        if (flush(f) < 0 || strlen(key) >= sizeof(f->name)) {
            f->stopped = 1;
            return MHD_NO;
        }
        snprintf(f->name, sizeof(f->name), "%s", key);
        f->have = 1;
    }
    if (size > 0 && plaint_buf_append(&f->value, data, size, NULL) < 0) {
        f->stopped = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

int plaint_http_form_fields(const plaint_http_request *r,
                            int (*fn)(void *arg, const char *name, const char *value, size_t len),
                            void *arg)
{
    static const char FORM[] = "application/x-www-form-urlencoded";
    form_state f;
    struct MHD_PostProcessor *pp;
    enum MHD_Result ok;
    int rc;
    const char *ct = plaint_http_header(r, "Content-Type");
    size_t n = sizeof(FORM) - 1;

    /* exactly the form type, optionally with parameters (e.g. "; charset=UTF-8") */
    if (ct == NULL || strncasecmp(ct, FORM, n) != 0 ||
        (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ')) {
        return -1;
    }
    memset(&f, 0, sizeof(f));
    f.fn = fn;
    f.arg = arg;
    pp = MHD_create_post_processor(r->conn, 4096, on_field, &f);
    if (pp == NULL) {
        return -1;
    }
    ok = r->body_len > 0 ? MHD_post_process(pp, r->body, r->body_len) : MHD_YES;
    MHD_destroy_post_processor(pp);
    rc = ok == MHD_YES && !f.stopped ? flush(&f) : -1;
    if (f.value.data != NULL) {
        OPENSSL_cleanse(f.value.data, f.value.cap); /* personal data: not left in freed memory */
    }
    plaint_buf_clear(&f.value);
    return rc;
}

const char *plaint_http_cookie(const plaint_http_request *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_COOKIE_KIND, name);
}
