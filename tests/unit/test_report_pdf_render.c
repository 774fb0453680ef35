/* The PDF reports' layout from fixed data (no database): each report renders, names its
 * checkpoint in the document information, gives the same bytes twice, breaks a long timeline
 * over pages, refuses incomplete data, and reports a missing font. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/app_report_pdf.h"

#define FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define ROOT "9f2c4d1a0b3e5f6789abcdef0123456789abcdef0123456789abcdef01234567"

static plaint_report_pdf_ctx ctx(void)
{
    plaint_report_pdf_ctx c;

    memset(&c, 0, sizeof(c));
    c.cp_seq = 7;
    c.cp_tree_size = 4321;
    c.cp_root_hex = ROOT;
    c.cp_time = 1795639180;
    c.cp_key_id = "ab" ROOT + 2;
    c.font_path = FONT;
    c.period_label = "2026-W48";
    c.period_from = 1795478400;
    c.period_to = 1796083200;
    return c;
}

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);

    if (j == NULL) {
        fail_msg("fixture: %s at %d", e.text, e.line);
    }
    return j;
}

static const char RESOLVED[] =
    "[{\"ref\":\"CMP-2026-000001\",\"category\":\"Debt collection\",\"channel\":\"web\","
    "\"received_at\":1795300000,\"resolved_at\":1795600000,\"seconds\":300000,"
    "\"final_due\":1796000000,\"final_met\":true,\"first_response_due\":null,"
    "\"first_response_at\":null,\"first_met\":null,\"satisfaction\":4,\"outcome\":\"upheld\","
    "\"upheld\":true},"
    "{\"ref\":\"CMP-2026-000002\",\"category\":\"Mortgage\",\"channel\":\"phone\","
    "\"received_at\":1795400000,\"resolved_at\":1795700000,\"seconds\":300001,"
    "\"final_due\":1795600000,\"final_met\":false,\"first_response_due\":1795450000,"
    "\"first_response_at\":1795420000,\"first_met\":true,\"satisfaction\":null,"
    "\"outcome\":\"not_upheld\",\"upheld\":false}]";

/* Whether needle occurs in the n bytes of hay. */
static int contains(const plaint_buf *b, const char *needle)
{
    size_t k = strlen(needle);
    size_t i;

    for (i = 0; b->len >= k && i + k <= b->len; i++) {
        if (memcmp(b->data + i, needle, k) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Page objects in the file (libharu writes "/Type /Page" and "/Type /Pages"). */
static int pages(const plaint_buf *b)
{
    const char *needle = "/Type /Page";
    size_t k = strlen(needle);
    size_t i;
    int n = 0;

    for (i = 0; i + k < b->len; i++) {
        if (memcmp(b->data + i, needle, k) == 0 && b->data[i + k] != 's') {
            n++;
        }
    }
    return n;
}

typedef int (*render_fn)(plaint_buf *, const plaint_report_pdf_ctx *, const json_t *,
                         plaint_error *);

/* With PLAINT_TEST_PDF_DIR set, keeps the PDF there as NAME.pdf, to look at. */
static void keep(const char *name, const plaint_buf *b)
{
    const char *dir = getenv("PLAINT_TEST_PDF_DIR");
    char path[1024];
    FILE *f;

    if (dir == NULL) {
        return;
    }
    snprintf(path, sizeof(path), "%s/%s.pdf", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    fclose(f);
}

/* Renders twice: a PDF, with the checkpoint, byte-identical both times. */
static void render_twice(const char *name, render_fn fn, const json_t *data, plaint_buf *first)
{
    plaint_report_pdf_ctx c = ctx();
    plaint_buf second = PLAINT_BUF_INIT;
    plaint_error err;

    plaint_error_init(&err);
    if (fn(first, &c, data, &err) != 0) {
        fail_msg("render: %s", err.message);
    }
    assert_int_equal(fn(&second, &c, data, &err), 0);
    assert_true(first->len > 1000);
    assert_memory_equal(first->data, "%PDF-", 5);
    assert_true(contains(first, "4321:" ROOT));
    assert_int_equal(first->len, second.len);
    assert_memory_equal(first->data, second.data, first->len);
    plaint_buf_clear(&second);
    keep(name, first);
}

static void test_weekly(void **state)
{
    json_t *data = load(RESOLVED);
    json_t *empty = json_array();
    plaint_buf pdf = PLAINT_BUF_INIT;
    (void)state;

    render_twice("weekly", plaint_report_pdf_render_weekly, data, &pdf);
    plaint_buf_clear(&pdf);
    render_twice("weekly-empty", plaint_report_pdf_render_weekly, empty,
                 &pdf); /* nothing resolved */
    plaint_buf_clear(&pdf);
    json_decref(data);
    json_decref(empty);
}

static void test_monthly(void **state)
{
    json_t *data = json_object();
    json_t *m =
        load("{\"received\":5,\"by_category\":[{\"name\":\"Mortgage\",\"n\":3},"
             "{\"name\":\"Debt collection\",\"n\":2}],"
             "\"by_channel\":[{\"name\":\"web\",\"n\":4},{\"name\":\"phone\",\"n\":1}],"
             "\"by_status\":[{\"name\":\"under_investigation\",\"n\":5}],"
             "\"by_sub_category\":[{\"category\":\"Mortgage\",\"sub_category\":\"(none)\",\"n\":3},"
             "{\"category\":\"Debt collection\",\"sub_category\":\"I do not know\",\"n\":2}],"
             "\"escalations\":{\"events\":2,\"complaints\":1},"
             "\"escalations_by_target\":[{\"name\":\"tier2\",\"n\":2}],"
             "\"refunds\":[{\"currency\":\"USD\",\"n\":1,\"total\":12345}],"
             "\"redress\":[{\"currency\":\"USD\",\"n\":2,\"upheld\":1,\"total\":12345}],"
             "\"series\":[{\"category\":\"Debt collection\",\"month\":\"2026-10\",\"n\":2},"
             "{\"category\":\"Mortgage\",\"month\":\"2026-11\",\"n\":3}]}");
    json_t *months = json_array();
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_report_pdf_ctx c = ctx();
    plaint_error err;
    int i;
    (void)state;

    for (i = 0; i < 12; i++) {
        char l[16];

        snprintf(l, sizeof(l), "%04d-%02d", i < 1 ? 2025 : 2026, i < 1 ? 12 : i);
        json_array_append_new(months, json_string(l));
    }
    json_object_set_new(data, "month", m);
    json_object_set_new(data, "resolved", load(RESOLVED));
    json_object_set_new(data, "months", months);
    render_twice("monthly", plaint_report_pdf_render_monthly, data, &pdf);
    plaint_buf_clear(&pdf);
    /* without the resolved list: refused, naming the report */
    json_object_del(data, "resolved");
    plaint_error_init(&err);
    assert_int_equal(plaint_report_pdf_render_monthly(&pdf, &c, data, &err), PLAINT_EINVALID);
    assert_non_null(strstr(err.message, "monthly"));
    plaint_buf_clear(&pdf);
    json_decref(data);
}

static void test_audit(void **state)
{
    json_t *data = load(
        "{\"denials\":[{\"position\":10,\"at\":1795600000,\"type\":\"access.denied\","
        "\"actor\":\"nobody\",\"role\":\"-\",\"action\":\"report.pdf\","
        "\"reason\":\"no role of user nobody () grants report.pdf\"}],"
        "\"erasures\":[{\"position\":11,\"at\":1795600100,\"subject\":\"S-9\",\"actor\":\"cora\","
        "\"items\":2,\"policy\":\"request\",\"reason\":\"asked by the customer\"}],"
        "\"holds\":[{\"position\":12,\"at\":1795600200,\"type\":\"placed\",\"subject\":\"S-1\","
        "\"hold\":1,\"actor\":\"cora\",\"reason\":\"matter M-1\"}],"
        "\"active_holds\":[{\"hold\":1,\"subject\":\"S-1\",\"placed_at\":1795600200,"
        "\"placed_by\":\"cora\",\"reason\":\"matter M-1\"}],"
        "\"verify\":{\"ok\":true,\"events\":4321,\"cases\":100,\"checkpoints\":7,"
        "\"sealed\":4321,\"unsealed\":0,\"position\":-1,\"reason\":\"\",\"case\":\"\","
        "\"pubkey\":\"/k/ledger-signing.pem.pub\"}}");
    plaint_buf pdf = PLAINT_BUF_INIT;
    (void)state;

    render_twice("audit", plaint_report_pdf_render_audit, data, &pdf);
    plaint_buf_clear(&pdf);
    json_decref(data);
}

static void test_case_long_timeline(void **state)
{
    json_t *data =
        load("{\"complaint\":{\"ref\":\"CMP-2026-000009\",\"status\":\"closed\","
             "\"category\":\"Mortgage\",\"channel\":\"email\",\"received_at\":1795300000,"
             "\"customer_id\":\"c-1\",\"customer_name\":\"Zo\xc3\xab \xc5\x81ukasiewicz\","
             "\"narrative\":\"line one\\nline two \xd0\x94\xd0\xbc\xd0\xb8\","
             "\"redress\":12345,\"currency\":\"USD\",\"upheld\":true},"
             "\"events\":[],\"later\":1}");
    json_t *events = json_object_get(data, "events");
    plaint_buf pdf = PLAINT_BUF_INIT;
    int i;
    (void)state;

    for (i = 1; i <= 150; i++) {
        char payload[256];

        snprintf(payload, sizeof(payload),
                 "{\"kind\":\"note\",\"text\":\"note %d: called the customer again; no answer "
                 "yet, will try tomorrow morning\"}",
                 i);
        json_array_append_new(events,
                              json_pack("{s:i, s:i, s:i, s:s, s:s, s:s, s:s}", "position", i, "seq",
                                        i, "at", 1795300000 + i, "type", "complaint.noted", "actor",
                                        "sam", "role", "support_agent", "payload", payload));
    }
    render_twice("case", plaint_report_pdf_render_case, data, &pdf);
    assert_true(pages(&pdf) > 2);
    plaint_buf_clear(&pdf);
    json_decref(data);
}

static void test_missing_font(void **state)
{
    json_t *data = load(RESOLVED);
    plaint_report_pdf_ctx c = ctx();
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_error err;
    (void)state;

    c.font_path = "/nonexistent/font.ttf";
    plaint_error_init(&err);
    assert_int_equal(plaint_report_pdf_render_weekly(&pdf, &c, data, &err), PLAINT_EIO);
    assert_int_equal(pdf.len, 0);
    plaint_buf_clear(&pdf);
    json_decref(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weekly),       cmocka_unit_test(test_monthly),
        cmocka_unit_test(test_audit),        cmocka_unit_test(test_case_long_timeline),
        cmocka_unit_test(test_missing_font),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
