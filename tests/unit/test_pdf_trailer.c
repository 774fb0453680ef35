/* The strict PDF reader (pdf_trailer.c) on hand-made files, and the pure PAdES helpers: PDF
 * dates and byte ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "report/pades.h"
#include "report/pdf_trailer.h"

/* Builds a classic PDF from object bodies (object i+1 = bodies[i]) with a correct xref table
 * and the given trailer entries. */
static void make_pdf(plaint_buf *out, const char *const *bodies, size_t n, const char *trailer)
{
    size_t off[16];

    plaint_buf_reset(out);
    assert_int_equal(plaint_buf_append_str(out, "%PDF-1.3\n%\xE2\xE3\xCF\xD3\n", NULL), 0);
    for (size_t i = 0; i < n; i++) {
        off[i] = out->len;
        assert_int_equal(plaint_buf_printf(out, NULL, "%zu 0 obj\n%s\nendobj\n", i + 1, bodies[i]),
                         0);
    }
    {
        size_t xref = out->len;
        assert_int_equal(plaint_buf_printf(out, NULL, "xref\n0 %zu\n0000000000 65535 f\r\n", n + 1),
                         0);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(plaint_buf_printf(out, NULL, "%010zu 00000 n\r\n", off[i]), 0);
        }
        assert_int_equal(
            plaint_buf_printf(out, NULL, "trailer\n<<\n/Size %zu\n%s>>\nstartxref\n%zu\n%%%%EOF\n",
                              n + 1, trailer, xref),
            0);
    }
}

static const char *const BODIES[] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.276 841.89] /Nested << /A [1 (x)] >> >>",
    "<< /Title (A \\(title\\) with \\\\ and \\101\\n) /PlaintCheckpoint "
    "(42:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff) >>",
};

static void test_reads_objects(void **state)
{
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_pdf_file f;
    plaint_pdf_span v;
    plaint_pdf_span page;
    plaint_pdf_span item;
    uint32_t num = 0;
    int64_t n = 0;
    char text[64];

    (void)state;
    make_pdf(&pdf, BODIES, 4, "/Root 1 0 R\n/Info 4 0 R\n");
    assert_int_equal(plaint_pdf_file_open(&f, (const unsigned char *)pdf.data, pdf.len, NULL), 0);
    assert_int_equal(f.size, 5);
    assert_int_equal(f.root, 1);
    assert_int_equal(f.info, 4);
    assert_int_equal(f.sections, 1);
    assert_int_equal(plaint_pdf_object(&v, &f, 1, NULL), 0);
    assert_int_equal(v.len, strlen(BODIES[0]));
    assert_int_equal(plaint_pdf_dict_get(&item, v, "Pages"), 1);
    assert_int_equal(plaint_pdf_as_ref(&num, item), 0);
    assert_int_equal(num, 2);
    assert_int_equal(plaint_pdf_dict_get(&item, v, "Missing"), 0);
    assert_int_equal(plaint_pdf_dict_get(&item, v, "Page"), 0); /* not a prefix match */
    assert_int_equal(plaint_pdf_dict_get(&item, v, "Type"), 1);
    assert_true(plaint_pdf_is_name(item, "Catalog"));
    assert_false(plaint_pdf_is_name(item, "Catalo"));
    assert_int_equal(plaint_pdf_object(&v, &f, 2, NULL), 0);
    assert_int_equal(plaint_pdf_dict_get(&item, v, "Kids"), 1);
    assert_int_equal(plaint_pdf_array_item(&item, item, 0), 1);
    assert_int_equal(plaint_pdf_resolve(&page, &f, item, NULL), 0);
    assert_int_equal(plaint_pdf_dict_get(&item, page, "MediaBox"), 1);
    assert_int_equal(plaint_pdf_array_item(&v, item, 3), 1);
    assert_int_equal(v.len, 6); /* 841.89 */
    assert_int_equal(plaint_pdf_array_item(&v, item, 4), 0);
    assert_int_equal(plaint_pdf_array_item(&v, item, 1), 1);
    assert_int_equal(plaint_pdf_as_int(&n, v), 0);
    assert_int_equal(n, 0);
    assert_int_equal(plaint_pdf_dict_get(&item, page, "Nested"), 1);
    assert_memory_equal(item.p, "<< /A [1 (x)] >>", item.len);
    assert_int_equal(plaint_pdf_object(&v, &f, 4, NULL), 0);
    assert_int_equal(plaint_pdf_dict_get(&item, v, "Title"), 1);
    assert_int_equal(plaint_pdf_as_text(text, sizeof(text), item), 0);
    assert_string_equal(text, "A (title) with \\ and A\n");
    assert_int_equal(plaint_pdf_as_text(text, 5, item), PLAINT_EINVALID);
    /* objects that are not there */
    assert_int_equal(plaint_pdf_object(&v, &f, 5, NULL), PLAINT_EINVALID);
    assert_int_equal(plaint_pdf_object(&v, &f, 0, NULL), PLAINT_EINVALID);
    plaint_pdf_file_close(&f);
    plaint_buf_clear(&pdf);
}

static void test_checkpoint_and_file_id(void **state)
{
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_buf with_id = PLAINT_BUF_INIT;
    plaint_buf twice = PLAINT_BUF_INIT;
    plaint_pdf_file f;
    plaint_pdf_span v;
    char root[65];
    int64_t size = 0;

    (void)state;
    make_pdf(&pdf, BODIES, 4, "/Root 1 0 R\n/Info 4 0 R\n");
    assert_int_equal(
        plaint_pdf_read_checkpoint(&size, root, (const unsigned char *)pdf.data, pdf.len, NULL), 0);
    assert_int_equal(size, 42);
    assert_string_equal(root, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    assert_int_equal(
        plaint_pdf_set_file_id(&with_id, (const unsigned char *)pdf.data, pdf.len, NULL), 0);
    assert_int_equal(with_id.len, pdf.len + strlen("\n/ID [<> <>]") + 64);
    /* offsets did not move: the objects still read, and the /ID is there */
    assert_int_equal(
        plaint_pdf_file_open(&f, (const unsigned char *)with_id.data, with_id.len, NULL), 0);
    assert_int_equal(plaint_pdf_object(&v, &f, 3, NULL), 0);
    assert_int_equal(plaint_pdf_dict_get(&v, f.trailer, "ID"), 1);
    assert_int_equal(v.len, 2 + 2 * 34 + 1);
    plaint_pdf_file_close(&f);
    /* a second /ID is refused; no checkpoint is ENOTFOUND */
    assert_int_equal(
        plaint_pdf_set_file_id(&twice, (const unsigned char *)with_id.data, with_id.len, NULL),
        PLAINT_EINVALID);
    make_pdf(&pdf, BODIES, 3, "/Root 1 0 R\n");
    assert_int_equal(
        plaint_pdf_read_checkpoint(&size, root, (const unsigned char *)pdf.data, pdf.len, NULL),
        PLAINT_ENOTFOUND);
    plaint_buf_clear(&pdf);
    plaint_buf_clear(&with_id);
    plaint_buf_clear(&twice);
}

/* An incremental update: the newer section's object wins; /Prev must point back. */
static void test_incremental_update(void **state)
{
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_pdf_file f;
    plaint_pdf_span v;
    plaint_pdf_span item;
    size_t prev;
    size_t obj;
    size_t xref;
    const char *sx;

    (void)state;
    make_pdf(&pdf, BODIES, 3, "/Root 1 0 R\n");
    sx = strstr(pdf.data, "startxref\n");
    prev = (size_t)strtoul(sx + 10, NULL, 10);
    obj = pdf.len;
    assert_int_equal(plaint_buf_append_str(&pdf,
                                           "1 0 obj\n<< /Type /Catalog /Pages 2 0 R "
                                           "/New 7 >>\nendobj\n",
                                           NULL),
                     0);
    xref = pdf.len;
    assert_int_equal(
        plaint_buf_printf(&pdf, NULL,
                          "xref\n1 1\n%010zu 00000 n\r\ntrailer\n<< /Size 4 /Root 1 0 R "
                          "/Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n",
                          obj, prev, xref),
        0);
    assert_int_equal(plaint_pdf_file_open(&f, (const unsigned char *)pdf.data, pdf.len, NULL), 0);
    assert_int_equal(f.sections, 2);
    assert_int_equal(plaint_pdf_object(&v, &f, 1, NULL), 0);
    assert_int_equal(plaint_pdf_dict_get(&item, v, "New"), 1);
    assert_int_equal(plaint_pdf_object(&v, &f, 3, NULL), 0); /* from the older section */
    plaint_pdf_file_close(&f);
    /* /Prev pointing at itself (a loop) is refused */
    {
        char *p = strstr(pdf.data + xref, "/Prev ");
        char num[16];
        int k = snprintf(num, sizeof(num), "%zu", xref);
        assert_non_null(p);
        /* same width: only possible when both numbers have as many digits */
        if ((size_t)k == strspn(p + 6, "0123456789")) {
            memcpy(p + 6, num, (size_t)k);
            assert_int_equal(
                plaint_pdf_file_open(&f, (const unsigned char *)pdf.data, pdf.len, NULL),
                PLAINT_EINVALID);
            plaint_pdf_file_close(&f);
        }
    }
    plaint_buf_clear(&pdf);
}

static void test_refuses_malformed(void **state)
{
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_buf bad = PLAINT_BUF_INIT;
    plaint_pdf_file f;
    plaint_error err;
    static const char *const cases[][2] = {
        {"startxref\n", "startxref\n999999999"}, /* beyond the end */
        {"%%EOF\n", "%%EOF\ngarbage\n"},         /* bytes after %%EOF */
        {"/Size 4", "/Size 0"},                  /* no valid size */
        {"/Root 1 0 R", "/Root 1 1 R"},          /* generation 1 */
        {"00000 n\r\n", "00001 n\r\n"},          /* generation in the xref */
        {"xref\n0 4", "xref\n0 9"},              /* subsection beyond /Size */
    };

    (void)state;
    make_pdf(&pdf, BODIES, 3, "/Root 1 0 R\n");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *at = strstr(pdf.data, cases[i][0]);
        assert_non_null(at);
        plaint_buf_reset(&bad);
        assert_int_equal(plaint_buf_append(&bad, pdf.data, (size_t)(at - pdf.data), NULL), 0);
        assert_int_equal(plaint_buf_append_str(&bad, cases[i][1], NULL), 0);
        assert_int_equal(plaint_buf_append_str(&bad, at + strlen(cases[i][0]), NULL), 0);
        plaint_error_init(&err);
        if (plaint_pdf_file_open(&f, (const unsigned char *)bad.data, bad.len, &err) !=
            PLAINT_EINVALID) {
            fail_msg("case %zu (%s) was accepted", i, cases[i][1]);
        }
        assert_non_null(strstr(err.message, "not a PDF as plaint writes it"));
        plaint_pdf_file_close(&f);
    }
    /* an xref offset that does not point at its object */
    {
        const char *at = strstr(pdf.data, "2 0 obj");
        plaint_pdf_span v;
        plaint_buf_reset(&bad);
        assert_int_equal(plaint_buf_append(&bad, pdf.data, pdf.len, NULL), 0);
        bad.data[at - pdf.data] = '5';
        assert_int_equal(plaint_pdf_file_open(&f, (const unsigned char *)bad.data, bad.len, NULL),
                         0);
        assert_int_equal(plaint_pdf_object(&v, &f, 2, NULL), PLAINT_EINVALID);
        plaint_pdf_file_close(&f);
    }
    assert_int_equal(plaint_pdf_file_open(&f, (const unsigned char *)"%PDF-1.3\n", 9, NULL),
                     PLAINT_EINVALID);
    plaint_pdf_file_close(&f);
    plaint_buf_clear(&pdf);
    plaint_buf_clear(&bad);
}

static void test_values(void **state)
{
    static const unsigned char deep[] =
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]"
        "]]]]]]]]]]]]]]]]]]]]]";
    const unsigned char *s = (const unsigned char *)"  12 0 R /Next";
    plaint_pdf_span v = plaint_pdf_value_at(s, s + strlen((const char *)s));
    uint32_t num = 0;
    int64_t n = 0;

    (void)state;
    assert_int_equal(v.len, 6);
    assert_int_equal(plaint_pdf_as_ref(&num, v), 0);
    assert_int_equal(num, 12);
    s = (const unsigned char *)"-42]";
    v = plaint_pdf_value_at(s, s + 4);
    assert_int_equal(plaint_pdf_as_int(&n, v), 0);
    assert_int_equal(n, -42);
    s = (const unsigned char *)"(unbalanced ( paren)";
    v = plaint_pdf_value_at(s, s + strlen((const char *)s));
    assert_null(v.p);
    s = (const unsigned char *)"<12 3G>";
    v = plaint_pdf_value_at(s, s + strlen((const char *)s));
    assert_null(v.p);
    v = plaint_pdf_value_at(deep, deep + sizeof(deep) - 1);
    assert_null(v.p); /* nesting beyond the limit */
    s = (const unsigned char *)"99999999999999999999";
    v = plaint_pdf_value_at(s, s + strlen((const char *)s));
    assert_int_equal(plaint_pdf_as_int(&n, v), PLAINT_EINVALID);
}

/* PDF dates against an independent formatter (strftime) over many instants. */
static void test_dates(void **state)
{
    char text[32];
    char want[32];
    int64_t back = 0;

    (void)state;
    assert_int_equal(plaint_pades_format_date(text, sizeof(text), 0), 0);
    assert_string_equal(text, "D:19700101000000+00'00'");
    assert_int_equal(plaint_pades_format_date(text, sizeof(text), -1), PLAINT_ERANGE);
    assert_int_equal(plaint_pades_format_date(text, 10, 0), PLAINT_ERANGE);
    srand(7);
    for (int i = 0; i < 200000; i++) {
        int64_t t = ((int64_t)rand() << 16 ^ rand()) % 7258118400; /* to 2200 */
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(want, sizeof(want), "D:%Y%m%d%H%M%S+00'00'", &tm);
        assert_int_equal(plaint_pades_format_date(text, sizeof(text), t), 0);
        assert_string_equal(text, want);
        assert_int_equal(plaint_pades_parse_date(&back, text), 0);
        assert_int_equal(back, t);
    }
    assert_int_equal(plaint_pades_parse_date(&back, "D:20261118120640Z"), 0);
    assert_int_equal(back, 1795003600);
    assert_int_equal(plaint_pades_parse_date(&back, "20261118130640+01'00'"), 0);
    assert_int_equal(back, 1795003600);
    assert_int_equal(plaint_pades_parse_date(&back, "D:20261118063640-05'30'"), 0);
    assert_int_equal(back, 1795003600);
    assert_int_equal(plaint_pades_parse_date(&back, "D:20241301000000Z"), PLAINT_EINVALID);
    assert_int_equal(plaint_pades_parse_date(&back, "D:20240230000000Z"), PLAINT_EINVALID);
    assert_int_equal(plaint_pades_parse_date(&back, "D:20230229000000Z"), PLAINT_EINVALID);
    assert_int_equal(plaint_pades_parse_date(&back, "D:20240229000000Z"), 0);
    assert_int_equal(plaint_pades_parse_date(&back, "D:2024010100000"), PLAINT_EINVALID);
    assert_int_equal(plaint_pades_parse_date(&back, "D:20240101000000+00'00'x"), PLAINT_EINVALID);
}

static void test_byte_range(void **state)
{
    size_t br[4];

    (void)state;
    assert_int_equal(plaint_pades_byte_range(br, 1000, 202, 5000), 0);
    assert_int_equal(br[0], 0);
    assert_int_equal(br[1], 1000);
    assert_int_equal(br[2], 1202);
    assert_int_equal(br[3], 3798);
    assert_int_equal(br[1] + (br[2] - br[1]) + br[3], 5000);
    assert_int_equal(plaint_pades_byte_range(br, 1000, 202, 1201), PLAINT_EINVALID);
    assert_int_equal(plaint_pades_byte_range(br, 0, 10, 100), PLAINT_EINVALID);
    assert_int_equal(plaint_pades_byte_range(br, 90, 10, 100), 0);
    assert_int_equal(br[3], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_objects),
        cmocka_unit_test(test_checkpoint_and_file_id),
        cmocka_unit_test(test_incremental_update),
        cmocka_unit_test(test_refuses_malformed),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_byte_range),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
