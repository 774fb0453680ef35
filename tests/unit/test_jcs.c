/* Unit tests for RFC 8785 JSON canonicalisation (src/core/jcs.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/jcs.h"

static void expect_canon_n(const char *in, size_t in_len, const char *want)
{
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_error err;
    int rc;

    plaint_error_init(&err);
    rc = plaint_jcs_canonicalize(&out, in, in_len, &err);
    if (rc != 0) {
        print_error("canonicalize failed: %s (%s)\n", err.message, err.field);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);
    plaint_buf_clear(&out);
}

static void expect_canon(const char *in, const char *want)
{
    expect_canon_n(in, strlen(in), want);
}

/* Expects rejection with code; field is compared when not NULL. Returns the error. */
static plaint_error expect_reject_n(const char *in, size_t in_len, int code, const char *field)
{
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_error err;

    plaint_error_init(&err);
    assert_int_equal(plaint_jcs_canonicalize(&out, in, in_len, &err), code);
    assert_int_equal(err.code, code);
    if (field != NULL) {
        assert_string_equal(err.field, field);
    }
    plaint_buf_clear(&out);
    return err;
}

static plaint_error expect_reject(const char *in, int code, const char *field)
{
    return expect_reject_n(in, strlen(in), code, field);
}

/* RFC 8785 section 3.2.3: sorting by UTF-16 code units, not by code points. */
static void test_rfc8785_key_order(void **state)
{
    (void)state;
    expect_canon("{\n"
                 "  \"\\u20ac\": \"Euro Sign\",\n"
                 "  \"\\r\": \"Carriage Return\",\n"
                 "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
                 "  \"1\": \"One\",\n"
                 "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
                 "  \"\\u0080\": \"Control\",\n"
                 "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
                 "}",
                 "{\"\\r\":\"Carriage Return\","
                 "\"1\":\"One\","
                 "\"\xc2\x80\":\"Control\","
                 "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
                 "\"\xe2\x82\xac\":\"Euro Sign\","
                 "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
                 "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

/* RFC 8785 section 3.2.2 sample without its "numbers" member (floats are refused here). */
static void test_rfc8785_strings_and_literals(void **state)
{
    (void)state;
    expect_canon("{\n  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                 "  \"literals\": [null, true, false]\n}",
                 "{\"literals\":[null,true,false],"
                 "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

static void test_rfc8785_sample_with_numbers_rejected(void **state)
{
    plaint_error err;

    (void)state;
    err = expect_reject("{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
                        "0.000000000000000000000000001],\"string\":\"x\"}",
                        PLAINT_EINVALID, "$.numbers[0]");
    assert_string_equal(err.message, "floating-point number not allowed");
}

static void test_key_order_utf16(void **state)
{
    (void)state;
    /* Prefixes first; U+1F600 (D83D DE00) before U+FFFF although its code point is larger. */
    expect_canon("{\"b\":1,\"ab\":2,\"a\":3,\"\":4}", "{\"\":4,\"a\":3,\"ab\":2,\"b\":1}");
    expect_canon("{\"\\uffff\":1,\"\\ud83d\\ude00\":2}",
                 "{\"\xf0\x9f\x98\x80\":2,\"\xef\xbf\xbf\":1}");
    /* Same high surrogate: the low surrogate decides. U+10000 is D800 DC00, the smallest. */
    expect_canon("{\"\\ud83d\\ude01\":1,\"\\ud800\\udc00\":2,\"\\ud83d\\ude00\":3}",
                 "{\"\xf0\x90\x80\x80\":2,\"\xf0\x9f\x98\x80\":3,\"\xf0\x9f\x98\x81\":1}");
    /* Below the surrogate range, UTF-16 order equals code point order. */
    expect_canon("{\"\\ud7ff\":1,\"\\ud83d\\ude00\":2,\"\\u00ff\":3}",
                 "{\"\xc3\xbf\":3,\"\xed\x9f\xbf\":1,\"\xf0\x9f\x98\x80\":2}");
}

static void test_whitespace_and_nesting(void **state)
{
    (void)state;
    expect_canon(
        " { \"b\" : [ 1 , { \"d\" : true , \"c\" : null } , [ ] , { } ] ,\n\t\"a\" : \"x\" } ",
        "{\"a\":\"x\",\"b\":[1,{\"c\":null,\"d\":true},[],{}]}");
    expect_canon("{}", "{}");
    expect_canon("[]", "[]");
    expect_canon(" \"top\" ", "\"top\"");
    expect_canon("true", "true");
    expect_canon("false", "false");
    expect_canon("null", "null");
    expect_canon("42", "42");
}

static void test_output_is_a_fixed_point(void **state)
{
    static const char in[] = "{\"z\":[3,2,{\"y\":\"\\u00e9\\t\",\"x\":-7}],\"\\u00e9\":{}}";
    static const char want[] = "{\"z\":[3,2,{\"x\":-7,\"y\":\"\xc3\xa9\\t\"}],\"\xc3\xa9\":{}}";

    (void)state;
    expect_canon(in, want);
    expect_canon(want, want);
}

static void test_string_escapes(void **state)
{
    plaint_buf out = PLAINT_BUF_INIT;
    char in[0x20 + 16];
    size_t i;
    static const char want[] =
        "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
        "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b"
        "\\u001c\\u001d\\u001e\\u001f \\\"\\\\/\x7f\xc3\xa9\xe2\x80\xa8\"";

    (void)state;
    for (i = 1; i < 0x20; i++) {
        in[i - 1] = (char)i;
    }
    memcpy(in + 0x1f, " \"\\/\x7f\xc3\xa9\xe2\x80\xa8", 10);
    assert_int_equal(plaint_jcs_append_string(&out, in, 0x1f + 10, NULL), 0);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);

    /* Appends rather than replaces; the empty string is "". */
    assert_int_equal(plaint_jcs_append_string(&out, "", 0, NULL), 0);
    assert_int_equal(out.len, strlen(want) + 2);
    assert_memory_equal(out.data + strlen(want), "\"\"", 2);
    plaint_buf_clear(&out);

    /* Escaped input that needs no escape comes out literal. */
    expect_canon("\"\\u0041\\u007f\\u2028\\/\"", "\"A\x7f\xe2\x80\xa8/\"");
}

static void test_invalid_utf8_rejected(void **state)
{
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"\x80", 1},                 /* lone continuation byte */
        {"\xc0\xaf", 2},             /* overlong '/' */
        {"\xc1\xbf", 2},             /* overlong U+007F */
        {"\xe0\x80\xaf", 3},         /* overlong, three bytes */
        {"\xe0\x9f\xbf", 3},         /* overlong U+07FF */
        {"\xf0\x8f\xbf\xbf", 4},     /* overlong U+FFFF */
        {"\xed\xa0\x80", 3},         /* U+D800, a surrogate */
        {"\xed\xbf\xbf", 3},         /* U+DFFF */
        {"\xf4\x90\x80\x80", 4},     /* U+110000 */
        {"\xf5\x80\x80\x80", 4},     /* lead byte beyond U+10FFFF */
        {"\xf8\x88\x80\x80\x80", 5}, /* five-byte form */
        {"\xff", 1},
        {"\xe2\x82", 2},     /* truncated */
        {"ab\xc3", 3},       /* truncated at the end */
        {"\xe2\x28\xa1", 3}, /* bad continuation */
        {"a\0b", 3},         /* U+0000 */
    };
    static const char *const good[] = {"\xf4\x8f\xbf\xbf", "\xef\xbf\xbf", "\xee\x80\x80",
                                       "\xed\x9f\xbf",     "\xc2\x80",     "\x7f"};
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_error err;
    size_t i;

    (void)state;
    assert_int_equal(plaint_buf_append_str(&out, "keep", NULL), 0);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        plaint_error_init(&err);
        assert_int_equal(plaint_jcs_append_string(&out, bad[i].bytes, bad[i].len, &err),
                         PLAINT_EINVALID);
        assert_int_equal(err.code, PLAINT_EINVALID);
        /* Nothing is appended on rejection. */
        assert_int_equal(out.len, 4);
    }
    assert_string_equal(err.message, "U+0000 not allowed in string (byte 1)");
    plaint_error_init(&err);
    assert_int_equal(plaint_jcs_append_string(&out, "ok\xed\xa0\x80", 5, &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "invalid UTF-8 in string at byte 2");
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        plaint_buf_reset(&out);
        assert_int_equal(plaint_jcs_append_string(&out, good[i], strlen(good[i]), NULL), 0);
        assert_int_equal(out.len, strlen(good[i]) + 2);
        assert_memory_equal(out.data + 1, good[i], strlen(good[i]));
    }
    plaint_buf_clear(&out);

    /* The parser refuses the same in JSON text, and \u0000 and lone surrogate escapes. */
    expect_reject("\"\xc0\xaf\"", PLAINT_EINVALID, "");
    expect_reject("\"\\u0000\"", PLAINT_EINVALID, "");
    expect_reject("\"\\ud800\"", PLAINT_EINVALID, "");
    expect_reject("{\"\\udc00x\":1}", PLAINT_EINVALID, "");
}

static void test_floats_rejected(void **state)
{
    plaint_error err;

    (void)state;
    err = expect_reject("{\"payload\":{\"id\":7,\"amount\":1.5}}", PLAINT_EINVALID,
                        "$.payload.amount");
    assert_string_equal(err.message, "floating-point number not allowed");
    expect_reject("[1,2,[3,{\"x\":1.0}]]", PLAINT_EINVALID, "$[2][1].x");
    expect_reject("1e3", PLAINT_EINVALID, "$");
    expect_reject("{\"a\":-0.0}", PLAINT_EINVALID, "$.a");
    expect_reject("[2E-1]", PLAINT_EINVALID, "$[0]");
}

static void test_duplicate_keys_rejected(void **state)
{
    plaint_error err;

    (void)state;
    err = expect_reject("{\"a\":1,\"a\":2}", PLAINT_EINVALID, "");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 10);
    assert_string_equal(err.message, "invalid JSON: duplicate object key near '\"a\"'");
    /* Escapes are resolved before comparing keys. */
    err = expect_reject("{\"x\":{\"a\":1,\n \"\\u0061\":2}}", PLAINT_EINVALID, "");
    assert_int_equal(err.line, 2);
}

static void test_syntax_errors_located(void **state)
{
    plaint_error err;

    (void)state;
    err = expect_reject("[1,\n2,\n x]", PLAINT_EINVALID, "");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 2);
    err = expect_reject("{\"a\":}", PLAINT_EINVALID, "");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 6);
    expect_reject("", PLAINT_EINVALID, "");
    expect_reject("{} {}", PLAINT_EINVALID, "");
    expect_reject_n("[1]\0", 4, PLAINT_EINVALID, "");
}

static void nested(char *buf, size_t levels, char open, char close)
{
    memset(buf, open, levels);
    memset(buf + levels, close, levels);
    buf[2 * levels] = '\0';
}

/* levels of {"k":...} around 1 */
static void nested_objects(char *buf, size_t levels)
{
    size_t len = 0;
    size_t i;

    for (i = 0; i < levels; i++) {
        memcpy(buf + len, "{\"k\":", 5);
        len += 5;
    }
    buf[len++] = '1';
    memset(buf + len, '}', levels);
    buf[len + levels] = '\0';
}

static void test_depth_limit(void **state)
{
    char ok[2 * PLAINT_JCS_MAX_DEPTH + 1];
    char deep[2 * (PLAINT_JCS_MAX_DEPTH + 1) + 1];
    char objects[6 * (PLAINT_JCS_MAX_DEPTH + 1) + 2];
    char path[8 * PLAINT_JCS_MAX_DEPTH];
    size_t i;
    size_t len;
    plaint_error err;

    (void)state;
    nested(ok, PLAINT_JCS_MAX_DEPTH, '[', ']');
    expect_canon(ok, ok);
    nested(deep, PLAINT_JCS_MAX_DEPTH + 1, '[', ']');
    err = expect_reject(deep, PLAINT_EINVALID, NULL);
    assert_string_equal(err.message, "JSON nested deeper than 64 levels");
    /* The path names the 65th container, cut to the error's field size. */
    len = 1;
    path[0] = '$';
    for (i = 0; i < PLAINT_JCS_MAX_DEPTH; i++) {
        memcpy(path + len, "[0]", 3);
        len += 3;
    }
    path[sizeof(err.field) - 1] = '\0';
    assert_string_equal(err.field, path);

    /* Objects count the same: 64 levels of {"k":...} pass, 65 fail. */
    nested_objects(objects, PLAINT_JCS_MAX_DEPTH);
    expect_canon(objects, objects);
    nested_objects(objects, PLAINT_JCS_MAX_DEPTH + 1);
    err = expect_reject(objects, PLAINT_EINVALID, NULL);
    assert_memory_equal(err.field, "$.k.k.k.k", 9);
}

static void test_integers(void **state)
{
    plaint_error err;

    (void)state;
    expect_canon("[0,-0,7,-12,9007199254740991,-9007199254740991]",
                 "[0,0,7,-12,9007199254740991,-9007199254740991]");
    err = expect_reject("9007199254740992", PLAINT_ERANGE, "$");
    assert_string_equal(err.message, "integer 9007199254740992 outside the safe range +-(2^53-1)");
    expect_reject("{\"n\":[-9007199254740992]}", PLAINT_ERANGE, "$.n[0]");
    expect_reject("{\"n\":9223372036854775807}", PLAINT_ERANGE, "$.n");
    /* Beyond 64 bits the parser itself gives up; still a range error. */
    err = expect_reject("[9223372036854775808]", PLAINT_ERANGE, "");
    assert_int_equal(err.line, 1);
    expect_reject("-99999999999999999999", PLAINT_ERANGE, "");
}

static void test_dump_checks_built_values(void **state)
{
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_error err;
    json_t *obj = json_object();
    json_t *arr = json_array();

    (void)state;
    assert_non_null(obj);
    assert_non_null(arr);
    assert_int_equal(json_object_set_new(obj, "b", json_integer(2)), 0);
    assert_int_equal(json_object_set_new(obj, "a", arr), 0);
    assert_int_equal(json_array_append_new(arr, json_stringn("x\0y", 3)), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_jcs_dump(&out, obj, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "$.a[0]");
    assert_string_equal(err.message, "U+0000 not allowed in string (byte 1)");

    assert_int_equal(json_array_set_new(arr, 0, json_stringn_nocheck("\xff", 1)), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_jcs_dump(&out, obj, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "$.a[0]");

    assert_int_equal(json_array_set_new(arr, 0, json_real(2.0)), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_jcs_dump(&out, obj, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "$.a[0]");

    assert_int_equal(json_array_set_new(arr, 0, json_string("\xc3\xa9")), 0);
    plaint_buf_reset(&out);
    assert_int_equal(plaint_jcs_dump(&out, obj, NULL), 0);
    assert_string_equal(out.data, "{\"a\":[\"\xc3\xa9\"],\"b\":2}");

    /* A key that is not UTF-8 is refused, naming the object that holds it. */
    assert_int_equal(json_object_set_new_nocheck(obj, "\xc0\x80", json_null()), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_jcs_dump(&out, obj, &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "$");
    json_decref(obj);

    assert_int_equal(plaint_jcs_dump(&out, NULL, NULL), PLAINT_EINVALID);
    plaint_buf_clear(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8785_key_order),
        cmocka_unit_test(test_rfc8785_strings_and_literals),
        cmocka_unit_test(test_rfc8785_sample_with_numbers_rejected),
        cmocka_unit_test(test_key_order_utf16),
        cmocka_unit_test(test_whitespace_and_nesting),
        cmocka_unit_test(test_output_is_a_fixed_point),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_invalid_utf8_rejected),
        cmocka_unit_test(test_floats_rejected),
        cmocka_unit_test(test_duplicate_keys_rejected),
        cmocka_unit_test(test_syntax_errors_located),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_dump_checks_built_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
