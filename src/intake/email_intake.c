/* Parses one email message with GMime 3 into a plaint_email: decoded headers (RFC 2047 encoded
 * words to UTF-8), threading ids, the first text/plain part (or the text of the first
 * text/html part, via html_text.c) converted to UTF-8, the complaint reference in the subject
 * and the number of attachments. GMime and GLib objects never leave this file: every string
 * handed out is a malloc'd copy. */
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intake/html_text.h"
#include "plaint/buf.h"
#include "plaint/email.h"

/* Multiparts nested deeper than this are not searched (hostile nesting). */
#define MAX_DEPTH 32

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

/* g_mime_init is not thread-safe; pthread_once makes it so. It is never undone: GMime's global
 * state lives as long as the process. */
static void gmime_start(void)
{
    g_mime_init();
}

void plaint_email_free(plaint_email *e)
{
    if (e == NULL) {
        return;
    }
    free(e->message_id);
    free(e->in_reply_to);
    free(e->from_name);
    free(e->from_addr);
    free(e->subject);
    free(e->body_text);
    free(e);
}

/* A malloc'd copy of s[0..len) (s may be NULL: ""), made valid UTF-8 (invalid bytes become
 * U+FFFD) without NUL bytes. */
static char *clean_copy(const char *s, size_t len)
{
    const char *end = NULL;
    char *valid = NULL;
    char *out;
    size_t i;
    size_t o = 0;

    if (s == NULL) {
        s = "";
        len = 0;
    }
    if (!g_utf8_validate(s, (gssize)len, &end)) {
        valid = g_utf8_make_valid(s, (gssize)len);
        s = valid;
        len = strlen(valid);
    }
    out = malloc(len + 1);
    if (out != NULL) {
        for (i = 0; i < len; i++) {
            if (s[i] != '\0') {
                out[o++] = s[i];
            }
        }
        out[o] = '\0';
    }
    g_free(valid);
    return out;
}

static char *clean_str(const char *s)
{
    return clean_copy(s, s != NULL ? strlen(s) : 0);
}

/* The first mailbox of a From list (looking inside groups). */
static InternetAddressMailbox *first_mailbox(InternetAddressList *list, int depth)
{
    int i;
    int n = list != NULL ? internet_address_list_length(list) : 0;

    for (i = 0; i < n; i++) {
        InternetAddress *a = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
            return INTERNET_ADDRESS_MAILBOX(a);
        }
        if (INTERNET_ADDRESS_IS_GROUP(a) && depth < 2) {
            InternetAddressMailbox *mb = first_mailbox(
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), depth + 1);
            if (mb != NULL) {
                return mb;
            }
        }
    }
    return NULL;
}

/* "local@domain" with both parts non-empty and no spaces. */
static int usable_addr(const char *a)
{
    const char *at;

    if (a == NULL || strchr(a, ' ') != NULL) {
        return 0;
    }
    at = strrchr(a, '@');
    return at != NULL && at != a && at[1] != '\0';
}

/* CMP-YYYY-NNNNNN... anywhere in s ("cmp" in any case), the first match that fits. */
static void find_reference(char out[PLAINT_EMAIL_REFERENCE_LEN], const char *s)
{
    size_t i;
    size_t k;

    out[0] = '\0';
    for (i = 0; s[i] != '\0'; i++) {
        const char *p = s + i;
        size_t digits = 0;
        if (strncasecmp(p, "CMP-", 4) != 0) {
            continue;
        }
        for (k = 4; k < 8 && p[k] >= '0' && p[k] <= '9'; k++) {
        }
        if (k != 8 || p[8] != '-') {
            continue;
        }
        while (p[9 + digits] >= '0' && p[9 + digits] <= '9') {
            digits++;
        }
        if (digits < 6 || 9 + digits >= PLAINT_EMAIL_REFERENCE_LEN) {
            continue;
        }
        memcpy(out, "CMP-", 4);
        memcpy(out + 4, p + 4, 5 + digits);
        out[9 + digits] = '\0';
        return;
    }
}

typedef struct body_search {
    GMimePart *plain; /* first text/plain that is not an attachment */
    GMimePart *html;  /* first text/html that is not an attachment */
    size_t attachments;
} body_search;

static void search_parts(body_search *b, GMimeObject *obj, int depth)
{
    if (obj == NULL) {
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        b->attachments++; /* an attached message: one attachment, not searched */
        return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int i;
        int n = g_mime_multipart_get_count(mp);
        if (depth >= MAX_DEPTH) {
            return;
        }
        for (i = 0; i < n; i++) {
            search_parts(b, g_mime_multipart_get_part(mp, i), depth + 1);
        }
        return;
    }
    if (GMIME_IS_PART(obj)) {
        GMimePart *part = GMIME_PART(obj);
        GMimeContentType *ct = g_mime_object_get_content_type(obj);
        int attached = g_mime_part_is_attachment(part) || g_mime_part_get_filename(part) != NULL;
        if (!attached && ct != NULL && g_mime_content_type_is_type(ct, "text", "plain")) {
            if (b->plain == NULL) {
                b->plain = part;
            }
            return;
        }
        if (!attached && ct != NULL && g_mime_content_type_is_type(ct, "text", "html")) {
            if (b->html == NULL) {
                b->html = part;
            }
            return;
        }
        b->attachments++;
    }
}

/* The decoded content of part (transfer encoding removed), converted from its charset to
 * UTF-8 by GMime's charset filter. Without a charset or with us-ascii (often a wrong label for
 * 8-bit text), valid UTF-8 is kept and anything else read as ISO-8859-1; with a charset iconv
 * does not know, or with utf-8, invalid bytes become U+FFFD. Returns a malloc'd string or NULL
 * (out of memory). */
static char *part_text(GMimePart *part)
{
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    GMimeStream *mem;
    GMimeFilter *filter = NULL;
    GByteArray *bytes;
    char *out;

    if (content == NULL) {
        return clean_str("");
    }
    mem = g_mime_stream_mem_new();
    if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
        g_ascii_strcasecmp(charset, "us-ascii") != 0) {
        filter = g_mime_filter_charset_new(charset, "UTF-8");
    }
    if (filter != NULL) {
        GMimeStream *filtered = g_mime_stream_filter_new(mem);
        g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), filter);
        g_object_unref(filter);
        g_mime_data_wrapper_write_to_stream(content, filtered);
        g_mime_stream_flush(filtered);
        g_object_unref(filtered);
    } else {
        g_mime_data_wrapper_write_to_stream(content, mem);
    }
    bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    if (filter == NULL && (charset == NULL || g_ascii_strcasecmp(charset, "us-ascii") == 0) &&
        !g_utf8_validate((const char *)bytes->data, (gssize)bytes->len, NULL)) {
        gsize n = 0;
        gchar *conv = g_convert((const char *)bytes->data, (gssize)bytes->len, "UTF-8",
                                "ISO-8859-1", NULL, &n, NULL);
        out =
            conv != NULL ? clean_copy(conv, n) : clean_copy((const char *)bytes->data, bytes->len);
        g_free(conv);
    } else {
        out = clean_copy((const char *)bytes->data, bytes->len);
    }
    g_object_unref(mem);
    return out;
}

static int fail_nomem(plaint_error *err)
{
    return plaint_error_set(err, PLAINT_ENOMEM, "out of memory parsing an email message");
}

static int fill_body(plaint_email *e, GMimeMessage *msg, plaint_error *err)
{
    body_search b;
    char *text = NULL;
    int rc = 0;

    memset(&b, 0, sizeof(b));
    search_parts(&b, g_mime_message_get_mime_part(msg), 0);
    e->attachments = b.attachments;
    if (b.plain != NULL) {
        e->body_text = part_text(b.plain);
    } else if (b.html != NULL) {
        plaint_buf t = PLAINT_BUF_INIT;
        text = part_text(b.html);
        if (text == NULL) {
            return fail_nomem(err);
        }
        rc = plaint_intake_html_text(&t, text, strlen(text), err);
        if (rc == 0) {
            e->body_text = clean_copy(t.data, t.len);
        }
        plaint_buf_clear(&t);
        free(text);
        if (rc < 0) {
            return rc;
        }
    } else {
        e->body_text = clean_str("");
    }
    return e->body_text == NULL ? fail_nomem(err) : 0;
}

static int fill_headers(plaint_email *e, GMimeMessage *msg, plaint_error *err)
{
    InternetAddressMailbox *from = first_mailbox(g_mime_message_get_from(msg), 0);
    const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
    GMimeReferences *refs = NULL;
    GDateTime *date = g_mime_message_get_date(msg);
    const char *addr;

    if (from == NULL) {
        const char *raw = g_mime_object_get_header(GMIME_OBJECT(msg), "From");
        return plaint_error_set(err, PLAINT_EINVALID,
                                raw == NULL ? "the message has no From header"
                                            : "the From header has no mailbox");
    }
    addr = internet_address_mailbox_get_addr(from);
    if (!usable_addr(addr)) {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "the From header has no usable address (local@domain)");
    }
    e->from_addr = clean_str(addr);
    e->from_name = clean_str(internet_address_get_name(INTERNET_ADDRESS(from)));
    e->subject = clean_str(g_mime_message_get_subject(msg));
    e->message_id = clean_str(g_mime_message_get_message_id(msg));
    if (irt != NULL) {
        refs = g_mime_references_parse(NULL, irt);
    }
    if (refs != NULL && g_mime_references_length(refs) > 0) {
        e->in_reply_to = clean_str(g_mime_references_get_message_id(refs, 0));
    } else {
        e->in_reply_to = clean_str("");
    }
    if (refs != NULL) {
        g_mime_references_free(refs);
    }
    if (date != NULL) {
        e->date_us = (int64_t)g_date_time_to_unix(date) * INT64_C(1000000) +
                     g_date_time_get_microsecond(date);
    }
    if (e->from_addr == NULL || e->from_name == NULL || e->subject == NULL ||
        e->message_id == NULL || e->in_reply_to == NULL) {
        return fail_nomem(err);
    }
    find_reference(e->reference, e->subject);
    return 0;
}

int plaint_email_parse_mem(plaint_email **out, const char *data, size_t len, plaint_error *err)
{
    GMimeStream *stream = NULL;
    GMimeParser *parser = NULL;
    GMimeMessage *msg = NULL;
    plaint_email *e = NULL;
    int rc;

    if (len == 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "the message is empty");
    }
    if (len > PLAINT_EMAIL_MAX_BYTES) {
        return plaint_error_set(err, PLAINT_EINVALID, "the message is larger than %zu bytes",
                                PLAINT_EMAIL_MAX_BYTES);
    }
    pthread_once(&gmime_once, gmime_start);
    e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return fail_nomem(err);
    }
    stream = g_mime_stream_mem_new_with_buffer(data, len);
    parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    msg = g_mime_parser_construct_message(parser, NULL);
    if (msg == NULL) {
        rc = plaint_error_set(err, PLAINT_EINVALID,
                              "not an email message (GMime found no header block)");
        goto done;
    }
    rc = fill_headers(e, msg, err);
    if (rc == 0) {
        rc = fill_body(e, msg, err);
    }
    if (rc == 0) {
        *out = e;
        e = NULL; /* ownership moved to caller */
    }
done:
    if (msg != NULL) {
        g_object_unref(msg);
    }
    g_object_unref(parser);
    g_object_unref(stream);
    plaint_email_free(e);
    return rc;
}

int plaint_email_parse_file(plaint_email **out, const char *path, plaint_error *err)
{
    plaint_buf raw = PLAINT_BUF_INIT;
    int rc = plaint_buf_read_file(&raw, path, PLAINT_EMAIL_MAX_BYTES, err);

    if (rc == PLAINT_ERANGE) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s: the message is larger than %zu bytes",
                              path, PLAINT_EMAIL_MAX_BYTES);
    }
    if (rc == 0) {
        rc = plaint_email_parse_mem(out, raw.data, raw.len, err);
        if (rc < 0 && err != NULL) {
            char msg[sizeof(err->message)];
            snprintf(msg, sizeof(msg), "%s", err->message);
            plaint_error_set(err, rc, "%s: %s", path, msg);
        }
    }
    plaint_buf_clear(&raw);
    return rc;
}
