/* Customer access codes: vectors computed independently (Python's hmac module, see the comment
 * below), accepted spellings, and refusal of every altered, short, long or foreign code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/access_code.h"

/* key = bytes 0..31. Expected codes from:
 *   h = hmac.new(key, b"plaint-access-code/v1\0" + ref, sha256).digest()
 *   n = int.from_bytes(h[:8], "big") >> 4; symbols (n >> (55 - 5 i)) & 31, Crockford base32 */
static void key_of(unsigned char key[PLAINT_ACCESS_KEY_LEN])
{
    for (int i = 0; i < PLAINT_ACCESS_KEY_LEN; i++) {
        key[i] = (unsigned char)i;
    }
}

static void test_vectors(void **state)
{
    unsigned char key[PLAINT_ACCESS_KEY_LEN];
    char code[PLAINT_ACCESS_CODE_LEN + 1];
    (void)state;

    key_of(key);
    assert_int_equal(plaint_access_code(code, key, "CMP-2026-000001", NULL), 0);
    assert_string_equal(code, "3XVA-6MJX-GME9");
    assert_int_equal(plaint_access_code(code, key, "CMP-2026-000002", NULL), 0);
    assert_string_equal(code, "XMDA-VWWH-9HWT");
    key[0] ^= 1;
    assert_int_equal(plaint_access_code(code, key, "CMP-2026-000001", NULL), 0);
    assert_string_not_equal(code, "3XVA-6MJX-GME9");
}

static void test_spellings_accepted(void **state)
{
    unsigned char key[PLAINT_ACCESS_KEY_LEN];
    (void)state;

    key_of(key);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", "3XVA-6MJX-GME9", NULL), 1);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", "3xva6mjxgme9", NULL), 1);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", " 3XVA 6MJX GME9 ", NULL),
                     1);
    /* CMP-2026-000029's code is Q510-5XQE-2FTN: O reads as 0, I and L as 1 */
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000029", "Q510-5XQE-2FTN", NULL), 1);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000029", "q5lo-5xqe-2ftn", NULL), 1);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000029", "Q5IO5XQE2FTN", NULL), 1);
}

static void test_refusals(void **state)
{
    unsigned char key[PLAINT_ACCESS_KEY_LEN];
    char code[PLAINT_ACCESS_CODE_LEN + 1];
    char bad[PLAINT_ACCESS_CODE_LEN + 1];
    char longer[80];
    size_t i;
    (void)state;

    key_of(key);
    assert_int_equal(plaint_access_code(code, key, "CMP-2026-000001", NULL), 0);
    for (i = 0; i < PLAINT_ACCESS_CODE_LEN; i++) {
        if (code[i] == '-') {
            continue;
        }
        memcpy(bad, code, sizeof(bad));
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", bad, NULL), 0);
    }
    /* another complaint's code, empty, short, long, junk, NULL */
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000002", code, NULL), 0);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", "", NULL), 0);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", "3XVA-6MJX-GME", NULL), 0);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", "3XVA-6MJX-GME99", NULL), 0);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", "3XVA-6MJX-GME9!", NULL), 0);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", "3XVA-6MJX-GMEU", NULL), 0);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", NULL, NULL), 0);
    memset(longer, '-', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    memcpy(longer + 60, "3XVA6MJXGME9", 12);
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", longer, NULL), 0);
    /* another key */
    key[31] ^= 0x80;
    assert_int_equal(plaint_access_code_check(key, "CMP-2026-000001", code, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_spellings_accepted),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
