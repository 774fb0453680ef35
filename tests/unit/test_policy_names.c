/* Tests of the shared checks of policy names and texts and the safe copy of untrusted strings
 * for messages (src/core/policy_names.c): every boundary of length and character class. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy_names.h"

static void test_is_token(void **state)
{
    (void)state;
    assert_true(plaint_policy_names_is_token("a", 3));
    assert_true(plaint_policy_names_is_token("a.b_c-9", 7));
    assert_true(plaint_policy_names_is_token("abc", 3));
    assert_false(plaint_policy_names_is_token("abcd", 3)); /* one over max */
    assert_false(plaint_policy_names_is_token(NULL, 3));
    assert_false(plaint_policy_names_is_token("", 3));
    assert_false(plaint_policy_names_is_token("9a", 3)); /* must start with a letter */
    assert_false(plaint_policy_names_is_token(".a", 3));
    assert_false(plaint_policy_names_is_token("Ab", 3)); /* lower case only */
    assert_false(plaint_policy_names_is_token("aB", 3));
    assert_false(plaint_policy_names_is_token("a b", 3));
    assert_false(plaint_policy_names_is_token("a/", 3));
    assert_false(plaint_policy_names_is_token("a\x7f", 3));
}

static void test_is_text(void **state)
{
    (void)state;
    assert_true(plaint_policy_names_is_text("Debt collection", 15, 1));
    assert_false(plaint_policy_names_is_text("Debt collection", 14, 1)); /* one over max */
    assert_false(plaint_policy_names_is_text(NULL, 10, 0));
    assert_false(plaint_policy_names_is_text("", 10, 0));
    assert_false(plaint_policy_names_is_text(" a", 10, 1));
    assert_false(plaint_policy_names_is_text("a ", 10, 1));
    assert_true(plaint_policy_names_is_text(" a ", 10, 0)); /* spaces allowed untrimmed */
    assert_false(plaint_policy_names_is_text("a\tb", 10, 0));
    assert_false(plaint_policy_names_is_text("a\x1f", 10, 0));
    assert_false(plaint_policy_names_is_text("a\x7f", 10, 0));
    assert_true(plaint_policy_names_is_text("caf\xc3\xa9", 10, 1)); /* bytes >= 0x80 pass */
}

static void test_bad_token(void **state)
{
    plaint_error err;

    (void)state;
    plaint_error_init(&err);
    assert_int_equal(plaint_policy_names_bad_token(&err, "team", 63), PLAINT_EINVALID);
    assert_int_equal(err.code, PLAINT_EINVALID);
    assert_string_equal(err.field, "team");
    assert_string_equal(err.message,
                        "team must be 1 to 63 characters of a-z 0-9 . _ - starting with a letter");
    assert_int_equal(plaint_policy_names_bad_token(NULL, "team", 63), PLAINT_EINVALID);
}

static void test_copy_safe(void **state)
{
    char out[5];
    char big[8];

    (void)state;
    memset(out, 'x', sizeof(out));
    plaint_policy_names_copy_safe(out, sizeof(out), "abcdefgh");
    assert_string_equal(out, "abcd"); /* at most cap - 1 bytes, terminated */
    plaint_policy_names_copy_safe(out, sizeof(out), "a\nb\x7f");
    assert_string_equal(out, "a?b?");
    plaint_policy_names_copy_safe(out, sizeof(out), NULL);
    assert_string_equal(out, "");
    plaint_policy_names_copy_safe(out, 1, "abc");
    assert_string_equal(out, "");
    memset(big, 'x', sizeof(big));
    plaint_policy_names_copy_safe(big, sizeof(big), "ab");
    assert_memory_equal(big, "ab\0xxxxx", sizeof(big)); /* nothing written past the NUL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_token),
        cmocka_unit_test(test_is_text),
        cmocka_unit_test(test_bad_token),
        cmocka_unit_test(test_copy_safe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
