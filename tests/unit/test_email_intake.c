/* Tests of email intake (src/intake/email_intake.c, html_text.c): the messages in
 * tests/data/email/ (plain, multipart/alternative, HTML only, base64 ISO-8859-1, RFC 2047
 * headers with a reference number, a reply, attachments, no From) with every field asserted,
 * and hostile or broken input in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intake/html_text.h"
#include "plaint/build_info.h"
#include "plaint/email.h"

static char data_dir[4096];

static int setup(void **state)
{
    const char *src = getenv("PLAINT_SOURCE_DIR");

    (void)state;
    if (src == NULL) {
        src = PLAINT_DEFAULT_SCHEMA_DIR "/../..";
    }
    snprintf(data_dir, sizeof(data_dir), "%s/tests/data/email", src);
    return 0;
}

static plaint_email *parse(const char *name)
{
    char path[4200];
    plaint_email *e = NULL;
    plaint_error err;

    snprintf(path, sizeof(path), "%s/%s", data_dir, name);
    plaint_error_init(&err);
    if (plaint_email_parse_file(&e, path, &err) != 0) {
        fail_msg("%s: %s", name, err.message);
    }
    assert_non_null(e);
    return e;
}

static void test_plain(void **state)
{
    plaint_email *e = parse("plain.eml");

    (void)state;
    assert_string_equal(e->from_name, "Alice Example");
    assert_string_equal(e->from_addr, "alice@example.com");
    assert_string_equal(e->subject, "Refund for order 1042 not received");
    assert_string_equal(e->message_id, "plain-1@example.com");
    assert_string_equal(e->in_reply_to, "");
    assert_int_equal(e->date_us, INT64_C(1768465812000000)); /* 2026-01-15T08:30:12Z */
    /* quoted-printable decoded, soft line break joined */
    assert_string_equal(e->body_text, "Hello,\n\nI returned order 1042 on 2 January and the "
                                      "refund of \xc2\xa3"
                                      "49.99 has not arrived.\n\nAlice\n");
    assert_string_equal(e->reference, "");
    assert_int_equal(e->attachments, 0);
    plaint_email_free(e);
}

static void test_alternative(void **state)
{
    plaint_email *e = parse("alternative.eml");

    (void)state;
    assert_string_equal(e->from_name, "Bob O'Brien");
    assert_string_equal(e->from_addr, "bob@example.org");
    /* the text/plain alternative, not the HTML one */
    assert_string_equal(e->body_text, "My card was blocked twice this week.");
    assert_int_equal(e->date_us, INT64_C(1770041100000000));
    assert_int_equal(e->attachments, 0);
    plaint_email_free(e);
}

static void test_html_only(void **state)
{
    plaint_email *e = parse("html_only.eml");

    (void)state;
    assert_string_equal(e->from_name, "");
    assert_string_equal(e->from_addr, "carol@example.net");
    assert_int_equal(e->date_us, INT64_C(1770123600000000));
    /* no title, style or script; entities decoded; whitespace collapsed; breaks at <br>,
     * blocks and list items; a blank line around paragraphs */
    assert_string_equal(e->body_text, "Payment failed\n\n"
                                      "I tried to pay \xc2\xa3"
                                      "20 & the page said:\nerror\xc2\xa0"
                                      "500\n\n"
                                      "first try\nsecond try\n\n"
                                      "Caf\xc3\xa9 owner, please help.");
    plaint_email_free(e);
}

static void test_latin1_base64(void **state)
{
    plaint_email *e = parse("latin1_base64.eml");

    (void)state;
    assert_string_equal(e->from_name, "J\xc3\xbcrgen M\xc3\xbcller");
    assert_string_equal(e->from_addr, "juergen@example.de");
    assert_string_equal(e->subject, "R\xc3\xbc"
                                    "ckerstattung");
    assert_string_equal(e->body_text, "Gr\xc3\xbc\xc3\x9f"
                                      "e aus K\xc3\xb6ln.\n"
                                      "Pr\xc3\xa9\x66\xc3\xa9rence: \xc2\xa3"
                                      "20 zur\xc3\xbc"
                                      "ck, bitte.\n");
    assert_int_equal(e->date_us, INT64_C(1770195600000000));
    plaint_email_free(e);
}

static void test_rfc2047_reference(void **state)
{
    plaint_email *e = parse("rfc2047_reference.eml");

    (void)state;
    assert_string_equal(e->from_name, "Zo\xc3\xab M\xc3\xbcller");
    assert_string_equal(e->subject, "R\xc3\xa9\x63lamation CMP-2026-000123 \xe2\x80\x94 suivi");
    assert_string_equal(e->reference, "CMP-2026-000123");
    assert_string_equal(e->body_text, "Toujours pas de r\xc3\xa9ponse.\n");
    assert_int_equal(e->date_us, INT64_C(1770289933000000));
    plaint_email_free(e);
}

static void test_reply(void **state)
{
    plaint_email *e = parse("reply.eml");

    (void)state;
    assert_string_equal(e->message_id, "reply-6@example.com");
    assert_string_equal(e->in_reply_to, "ack-CMP-2026-0004567@plaint.example");
    assert_string_equal(e->subject, "Re: [cmp-2026-0004567] Your complaint");
    assert_string_equal(e->reference, "CMP-2026-0004567"); /* written upper case */
    assert_int_equal(e->date_us, INT64_C(1770393600000000));
    plaint_email_free(e);
}

static void test_attachments(void **state)
{
    plaint_email *e = parse("attachments.eml");

    (void)state;
    assert_string_equal(e->body_text, "See the receipts.");
    /* receipt.pdf, the image without disposition, notes.txt (an attachment, not the body),
     * the attached message */
    assert_int_equal(e->attachments, 4);
    plaint_email_free(e);
}

static void test_missing_from(void **state)
{
    char path[4200];
    plaint_email *e = NULL;
    plaint_error err;

    (void)state;
    snprintf(path, sizeof(path), "%s/no_from.eml", data_dir);
    plaint_error_init(&err);
    assert_int_equal(plaint_email_parse_file(&e, path, &err), PLAINT_EINVALID);
    assert_null(e);
    assert_non_null(strstr(err.message, "no_from.eml: the message has no From header"));

    assert_int_equal(plaint_email_parse_file(&e, "/nonexistent/x.eml", &err), PLAINT_ENOTFOUND);
}

static int parse_mem(plaint_email **e, const char *s, plaint_error *err)
{
    *e = NULL;
    plaint_error_init(err);
    return plaint_email_parse_mem(e, s, strlen(s), err);
}

static void test_bad_input(void **state)
{
    plaint_email *e = NULL;
    plaint_error err;
    char *big;

    (void)state;
    assert_int_equal(parse_mem(&e, "", &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "the message is empty");
    assert_int_equal(parse_mem(&e, "\x01\x02 not mail at all \xff\xfe", &err), PLAINT_EINVALID);
    assert_null(e);
    assert_int_equal(parse_mem(&e, "From: nobody\nSubject: x\n\nbody\n", &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "the From header has no usable address (local@domain)");
    assert_int_equal(parse_mem(&e, "From: undisclosed-recipients:;\n\nbody\n", &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "the From header has no mailbox");

    big = malloc(PLAINT_EMAIL_MAX_BYTES + 1);
    assert_non_null(big);
    memset(big, 'a', PLAINT_EMAIL_MAX_BYTES + 1);
    plaint_error_init(&err);
    assert_int_equal(plaint_email_parse_mem(&e, big, PLAINT_EMAIL_MAX_BYTES + 1, &err),
                     PLAINT_EINVALID);
    assert_non_null(strstr(err.message, "larger than 10485760 bytes"));
    free(big);
    plaint_email_free(NULL);
}

static void test_charsets_and_odd_parts(void **state)
{
    plaint_email *e = NULL;
    plaint_error err;

    (void)state;
    /* no charset, 8-bit bytes that are not UTF-8: read as ISO-8859-1 */
    assert_int_equal(parse_mem(&e, "From: a@b.example\nSubject: x\n\ncaf\xe9\n", &err), 0);
    assert_string_equal(e->body_text, "caf\xc3\xa9\n");
    assert_string_equal(e->subject, "x");
    assert_string_equal(e->message_id, "");
    assert_int_equal(e->date_us, 0); /* no Date */
    plaint_email_free(e);

    /* labelled us-ascii but 8-bit: the same */
    assert_int_equal(parse_mem(&e,
                               "From: a@b.example\nContent-Type: text/plain; charset=US-ASCII\n\n"
                               "na\xefve\n",
                               &err),
                     0);
    assert_string_equal(e->body_text, "na\xc3\xafve\n");
    plaint_email_free(e);

    /* a charset iconv does not know: valid UTF-8 kept, the rest replaced */
    assert_int_equal(parse_mem(&e,
                               "From: a@b.example\nContent-Type: text/plain; charset=x-bogus\n\n"
                               "ok \xc3\xa9 bad \xff\x00 end\n",
                               &err),
                     0);
    /* strlen() stopped the input at the NUL */
    assert_string_equal(e->body_text, "ok \xc3\xa9 bad \xef\xbf\xbd");
    plaint_email_free(e);

    /* declared UTF-8 but invalid: U+FFFD, never invalid output */
    assert_int_equal(parse_mem(&e,
                               "From: a@b.example\nDate: garbage\n"
                               "Content-Type: text/plain; charset=utf-8\n\nx\xc3(y\n",
                               &err),
                     0);
    assert_string_equal(e->body_text, "x\xef\xbf\xbd(y\n");
    assert_int_equal(e->date_us, 0); /* unparseable Date */
    plaint_email_free(e);

    /* only an attachment: no body */
    assert_int_equal(
        parse_mem(&e, "From: a@b.example\nContent-Type: application/pdf\n\n%PDF\n", &err), 0);
    assert_string_equal(e->body_text, "");
    assert_int_equal(e->attachments, 1);
    plaint_email_free(e);

    /* references that do not fit or do not match */
    assert_int_equal(parse_mem(&e,
                               "From: a@b.example\nSubject: CMP-26-000001 CMP-2026-12345 "
                               "CMP-2026-12345678901234567890123 CMP-2026-654321x\n\n",
                               &err),
                     0);
    assert_string_equal(e->reference, "CMP-2026-654321");
    plaint_email_free(e);
}

static void test_html_text(void **state)
{
    plaint_buf out = PLAINT_BUF_INIT;
    static const char html[] = "<div>a<span> b </span>c</div><table><tr><td>1</td><td>2</td>"
                               "</tr></table><pre>x   y\nz</pre><!-- comment -->tail";

    (void)state;
    assert_int_equal(plaint_intake_html_text(&out, html, strlen(html), NULL), 0);
    assert_string_equal(out.data, "a b c\n1 2\nx   y\nz\ntail");
    assert_int_equal(plaint_intake_html_text(&out, "", 0, NULL), 0);
    assert_string_equal(out.data, "");
    assert_int_equal(plaint_intake_html_text(&out, "no markup", 9, NULL), 0);
    assert_string_equal(out.data, "no markup");
    plaint_buf_clear(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_alternative),
        cmocka_unit_test(test_html_only),
        cmocka_unit_test(test_latin1_base64),
        cmocka_unit_test(test_rfc2047_reference),
        cmocka_unit_test(test_reply),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_missing_from),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_charsets_and_odd_parts),
        cmocka_unit_test(test_html_text),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
