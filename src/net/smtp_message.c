/* Builds the RFC 5322 text of one outbox message: headers (RFC 2047 subject, deterministic
 * Message-ID, UTC Date, MIME text/plain UTF-8) and a quoted-printable body with CRLF line ends. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "net/smtp_message.h"

int plaint_smtp_check_address(const char *addr, const char *field, plaint_error *err)
{
    const char *at = NULL;
    size_t i;
    size_t len = addr != NULL ? strlen(addr) : 0;

    if (len == 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0, "%s: no address given",
                                   field);
    }
    if (len > PLAINT_SMTP_ADDR_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "%s: address longer than %d bytes", field, PLAINT_SMTP_ADDR_MAX);
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)addr[i];

        if (c <= 0x20 || c >= 0x7f || strchr("<>()[],;:\\\"", c) != NULL) {
            return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, i + 1,
                                       "%s: character %zu of the address is not allowed "
                                       "(plain ASCII local@domain expected)",
                                       field, i + 1);
        }
        if (c == '@') {
            if (at != NULL) {
                return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, i + 1,
                                           "%s: more than one '@' in the address", field);
            }
            at = addr + i;
        }
    }
    if (at == NULL || at == addr || at[1] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "%s: '%s' is not an address of the form local@domain", field,
                                   addr);
    }
    return 0;
}

int plaint_smtp_message_id(char *out, size_t n, const char *outbox_id, const char *from,
                           plaint_error *err)
{
    static const char HEX[] = "0123456789ABCDEF";
    const char *at = strrchr(from, '@');
    size_t k = 0;
    const char *p;

    if (at == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "from", 0, 0, "from: '%s' has no domain",
                                   from);
    }
#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (k + 1 >= n) {                                                                          \
            return plaint_error_set(err, PLAINT_ERANGE, "Message-ID of %s too long", outbox_id);   \
        }                                                                                          \
        out[k++] = (ch);                                                                           \
    } while (0)
    for (p = "<plaint."; *p != '\0'; p++) {
        PUT(*p);
    }
    for (p = outbox_id; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '_' || c == '-') {
            PUT((char)c);
        } else {
            PUT('=');
            PUT(HEX[c >> 4]);
            PUT(HEX[c & 15]);
        }
    }
    for (p = at; *p != '\0'; p++) {
        PUT(*p);
    }
    PUT('>');
#undef PUT
    out[k] = '\0';
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 if invalid or NUL. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    size_t i;
    unsigned long cp;

    if (s[0] == 0) {
        return 0;
    }
    if (s[0] < 0x80) {
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
        return 0;
    }
    return n;
}

/* Checks UTF-8 text; with no_ctl also refuses control characters (header text). */
static int check_text(const char *s, const char *field, int no_ctl, plaint_error *err)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t off = 0;

    while (p[off] != '\0') {
        size_t l = utf8_len(p + off);

        if (l == 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, off + 1,
                                       "%s: invalid UTF-8 at byte %zu", field, off + 1);
        }
        if (no_ctl && l == 1 && (p[off] < 0x20 || p[off] == 0x7f)) {
            return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, off + 1,
                                       "%s: control character at byte %zu", field, off + 1);
        }
        off += l;
    }
    return 0;
}

/* "Subject: ..." with CRLF: verbatim when short printable ASCII, else RFC 2047 "B" encoded
 * words of 64 characters at most (RFC 2047: 75), so that "Subject: " and the first word fit
 * in 78, split on character boundaries, folded one per line. */
static int put_subject(plaint_buf *out, const char *subject, plaint_error *err)
{
    const unsigned char *s = (const unsigned char *)subject;
    size_t len = strlen(subject);
    size_t i;
    int ascii = len <= 69; /* "Subject: " + 69 = 78 characters */
    int rc;

    for (i = 0; ascii && i < len; i++) {
        ascii = s[i] < 0x80;
    }
    if (ascii) {
        return plaint_buf_printf(out, err, "Subject: %s\r\n", subject);
    }
    rc = plaint_buf_append_str(out, "Subject:", err);
    i = 0;
    while (rc == 0 && i < len) {
        unsigned char b64[64 + 1];
        size_t take = len - i < 39 ? len - i : 39; /* 52 base64 characters */

        while (take > 0 && i + take < len && (s[i + take] & 0xc0) == 0x80) {
            take--; /* never split a character between two encoded words */
        }
        EVP_EncodeBlock(b64, s + i, (int)take);
        rc = plaint_buf_printf(out, err, "%s=?UTF-8?B?%s?=", i == 0 ? " " : "\r\n ", b64);
        i += take;
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, "\r\n", err);
    }
    return rc;
}

/* Appends token (tlen bytes) to the current quoted-printable line, breaking softly ("=" CRLF)
 * so that no line exceeds 76 characters. */
static int qp_put(plaint_buf *out, size_t *col, const char *token, size_t tlen, plaint_error *err)
{
    int rc = 0;

    if (*col + tlen > 75) {
        rc = plaint_buf_append_str(out, "=\r\n", err);
        *col = 0;
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, token, tlen, err);
        *col += tlen;
    }
    return rc;
}

/* RFC 2045 quoted-printable with CRLF hard line breaks (any of CRLF, LF, CR in the input). */
static int put_body_qp(plaint_buf *out, const char *body, plaint_error *err)
{
    static const char HEX[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)body;
    size_t col = 0;
    int rc = 0;

    while (rc == 0 && *s != '\0') {
        unsigned char c = *s;
        int eol = c == '\n' || c == '\r';
        int at_end = s[1] == '\0' || s[1] == '\n' || s[1] == '\r';

        if (eol) {
            rc = plaint_buf_append_str(out, "\r\n", err);
            col = 0;
            s += (c == '\r' && s[1] == '\n') ? 2 : 1;
            continue;
        }
        if ((c >= 33 && c <= 126 && c != '=' && !(c == '.' && col == 0)) ||
            ((c == ' ' || c == '\t') && !at_end)) {
            char t = (char)c;

            rc = qp_put(out, &col, &t, 1, err);
        } else {
            char t[3] = {'=', HEX[c >> 4], HEX[c & 15]};

            rc = qp_put(out, &col, t, 3, err);
        }
        s++;
    }
    if (rc == 0 && col > 0) {
        rc = plaint_buf_append_str(out, "\r\n", err);
    }
    return rc;
}

static void rfc5322_date(char *out, size_t n, int64_t t)
{
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    gmtime_r(&tt, &tm);
    snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", DAYS[tm.tm_wday % 7], tm.tm_mday,
             MONTHS[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int plaint_smtp_build(plaint_buf *out, const plaint_smtp_mail *m, plaint_error *err)
{
    char date[64];
    int rc = check_text(m->subject, "subject", 1, err);

    const char *p;

    if (rc == 0) {
        rc = check_text(m->body, "body", 0, err);
    }
    for (p = m->outbox_id; rc == 0 && *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "message", 0, 0,
                                     "message id '%s' is not printable ASCII", m->outbox_id);
        }
    }
    if (rc != 0) {
        return rc;
    }
    rfc5322_date(date, sizeof(date), m->date);
    rc = plaint_buf_printf(out, err,
                           "From: <%s>\r\nTo: <%s>\r\nDate: %s\r\nMessage-ID: %s\r\n"
                           "X-Plaint-Message: %s\r\n",
                           m->from, m->to, date, m->message_id, m->outbox_id);
    if (rc == 0) {
        rc = put_subject(out, m->subject, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out,
                                   "MIME-Version: 1.0\r\n"
                                   "Content-Type: text/plain; charset=UTF-8\r\n"
                                   "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                                   err);
    }
    if (rc == 0) {
        rc = put_body_qp(out, m->body, err);
    }
    return rc;
}
