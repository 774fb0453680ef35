/* API tokens: format, round trip, and refusal of any altered or malformed token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/token.h"

static void test_generate_and_check(void **state)
{
    char text[PLAINT_TOKEN_TEXT_LEN];
    char id[PLAINT_TOKEN_ID_LEN + 1];
    plaint_token_record rec;
    (void)state;

    assert_int_equal(plaint_token_generate(text, &rec, NULL), 0);
    assert_int_equal(strlen(text), PLAINT_TOKEN_TEXT_LEN - 1);
    assert_memory_equal(text, "plt_", 4);
    assert_int_equal(text[20], '_');
    assert_int_equal(plaint_token_parse_id(id, text, NULL), 0);
    assert_string_equal(id, rec.token_id);
    assert_int_equal(plaint_token_check(text, &rec, NULL), 0);
}

static void test_every_altered_character_is_refused(void **state)
{
    char text[PLAINT_TOKEN_TEXT_LEN];
    char bad[PLAINT_TOKEN_TEXT_LEN];
    plaint_token_record rec;
    size_t i;
    (void)state;

    assert_int_equal(plaint_token_generate(text, &rec, NULL), 0);
    for (i = 0; i < PLAINT_TOKEN_TEXT_LEN - 1; i++) {
        memcpy(bad, text, sizeof(bad));
        bad[i] = bad[i] == 'a' ? 'b' : 'a';
        assert_int_equal(plaint_token_check(bad, &rec, NULL), PLAINT_EDENIED);
    }
}

static void test_malformed(void **state)
{
    char id[PLAINT_TOKEN_ID_LEN + 1];
    char text[PLAINT_TOKEN_TEXT_LEN];
    plaint_token_record rec;
    plaint_error err;
    (void)state;

    assert_int_equal(plaint_token_generate(text, &rec, NULL), 0);
    assert_int_equal(plaint_token_parse_id(id, "", NULL), PLAINT_EDENIED);
    assert_int_equal(plaint_token_parse_id(id, "plt_short", NULL), PLAINT_EDENIED);
    text[PLAINT_TOKEN_TEXT_LEN - 2] = '\0'; /* one character short */
    assert_int_equal(plaint_token_parse_id(id, text, &err), PLAINT_EDENIED);
    assert_string_equal(err.message, "the token is not valid");
    assert_int_equal(plaint_token_check(NULL, &rec, NULL), PLAINT_EDENIED);
}

static void test_same_secret_other_salt(void **state)
{
    char a[PLAINT_TOKEN_TEXT_LEN];
    char b[PLAINT_TOKEN_TEXT_LEN];
    plaint_token_record ra;
    plaint_token_record rb;
    (void)state;

    assert_int_equal(plaint_token_generate(a, &ra, NULL), 0);
    assert_int_equal(plaint_token_generate(b, &rb, NULL), 0);
    assert_memory_not_equal(ra.salt, rb.salt, PLAINT_TOKEN_SALT_LEN);
    assert_int_equal(plaint_token_check(a, &rb, NULL), PLAINT_EDENIED);
    /* a's secret under b's id must not pass either */
    memcpy(a + 4, rb.token_id, PLAINT_TOKEN_ID_LEN);
    assert_int_equal(plaint_token_check(a, &rb, NULL), PLAINT_EDENIED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_and_check),
        cmocka_unit_test(test_every_altered_character_is_refused),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_same_secret_other_salt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
