/* One SMTP delivery with libcurl: MAIL FROM, RCPT TO, DATA of a prepared message, with timeouts,
 * classifying the result so the dispatcher can tell "retry later" from "give up". */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "net/smtp_client.h"

typedef struct upload {
    const char *data;
    size_t len;
    size_t off;
} upload;

static size_t read_cb(char *dst, size_t size, size_t nitems, void *arg)
{
    upload *u = arg;
    size_t room = size * nitems;
    size_t left = u->len - u->off;
    size_t n = left < room ? left : room;

    memcpy(dst, u->data + u->off, n);
    u->off += n;
    return n;
}

const char *plaint_smtp_outcome_name(plaint_smtp_outcome o)
{
    switch (o) {
    case PLAINT_SMTP_ACCEPTED:
        return "accepted";
    case PLAINT_SMTP_UNREACHABLE:
        return "unreachable";
    case PLAINT_SMTP_TEMPORARY:
        return "temporary";
    case PLAINT_SMTP_REJECTED:
        return "rejected";
    }
    return "?";
}

static plaint_smtp_outcome classify(CURLcode cc, long code)
{
    if (cc == CURLE_OK) {
        return PLAINT_SMTP_ACCEPTED;
    }
    if (code == 0 && (cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_CONNECT ||
                      cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_SSL_CONNECT_ERROR ||
                      cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_COULDNT_RESOLVE_PROXY ||
                      cc == CURLE_GOT_NOTHING)) {
        return PLAINT_SMTP_UNREACHABLE;
    }
    if (code >= 500 && code <= 599) {
        return PLAINT_SMTP_REJECTED;
    }
    return PLAINT_SMTP_TEMPORARY;
}

int plaint_smtp_send(plaint_smtp_outcome *outcome, const plaint_smtp_settings *s, const char *to,
                     const plaint_buf *msg, plaint_error *err)
{
    char mail_from[300];
    char rcpt[300];
    struct curl_slist *rcpts = NULL;
    upload u = {(const char *)msg->data, msg->len, 0};
    CURL *c;
    CURLcode cc;
    long code = 0;

    *outcome = PLAINT_SMTP_TEMPORARY;
    if (strlen(s->from) + 3 > sizeof(mail_from) || strlen(to) + 3 > sizeof(rcpt)) {
        return plaint_error_set(err, PLAINT_EINVALID, "address too long");
    }
    c = curl_easy_init();
    if (c == NULL) {
        return plaint_error_set(err, PLAINT_EIO, "libcurl could not be initialised");
    }
    snprintf(mail_from, sizeof(mail_from), "<%s>", s->from);
    snprintf(rcpt, sizeof(rcpt), "<%s>", to);
    rcpts = curl_slist_append(NULL, rcpt);
    if (rcpts == NULL) {
        curl_easy_cleanup(c);
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    cc = curl_easy_setopt(c, CURLOPT_URL, s->url);
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_READDATA, &u);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                              s->connect_timeout_s > 0 ? s->connect_timeout_s : 10L);
    }
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(c, CURLOPT_TIMEOUT, s->timeout_s > 0 ? s->timeout_s : 60L);
    }
    if (cc != CURLE_OK) {
        curl_slist_free_all(rcpts);
        curl_easy_cleanup(c);
        return plaint_error_set(err,
                                cc == CURLE_UNSUPPORTED_PROTOCOL ? PLAINT_EINVALID : PLAINT_EIO,
                                "SMTP settings refused by libcurl: %s", curl_easy_strerror(cc));
    }
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    *outcome = classify(cc, code);
    if (*outcome != PLAINT_SMTP_ACCEPTED) {
        /* curl's text and the reply code only: server replies may echo the address */
        if (code != 0) {
            plaint_error_set(err, PLAINT_EIO, "SMTP %s: %s (server replied %ld)",
                             plaint_smtp_outcome_name(*outcome), curl_easy_strerror(cc), code);
        } else {
            plaint_error_set(err, PLAINT_EIO, "SMTP %s: %s", plaint_smtp_outcome_name(*outcome),
                             curl_easy_strerror(cc));
        }
    }
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(c);
    return 0;
}
