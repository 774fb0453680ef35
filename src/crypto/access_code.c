/* Customer access codes (see plaint/access_code.h): HMAC-SHA256 through OpenSSL EVP_MAC. */
#include "plaint/access_code.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define DOMAIN    "plaint-access-code/v1"
#define CODE_CHARS 12
#define GIVEN_MAX  64

static const char CROCKFORD[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int mac(unsigned char out[32], const unsigned char key[PLAINT_ACCESS_KEY_LEN],
               const char *ref, plaint_error *err)
{
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
    OSSL_PARAM params[2];
    size_t n = 0;
    int ok;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    ok = ctx != NULL && EVP_MAC_init(ctx, key, PLAINT_ACCESS_KEY_LEN, params) == 1 &&
         EVP_MAC_update(ctx, (const unsigned char *)DOMAIN, sizeof(DOMAIN)) == 1 && /* with NUL */
         EVP_MAC_update(ctx, (const unsigned char *)ref, strlen(ref)) == 1 &&
         EVP_MAC_final(ctx, out, &n, 32) == 1 && n == 32;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    return ok ? 0 : plaint_error_set(err, PLAINT_ERROR, "HMAC-SHA256 failed");
}

/* The 12 symbols (values 0-31) of ref's code. */
static int symbols(unsigned char sym[CODE_CHARS], const unsigned char key[PLAINT_ACCESS_KEY_LEN],
                   const char *ref, plaint_error *err)
{
    unsigned char h[32];
    size_t i;

    if (mac(h, key, ref, err) < 0) {
        return -1;
    }
    for (i = 0; i < CODE_CHARS; i++) {
        size_t bit = i * 5;
        unsigned v = ((unsigned)h[bit / 8] << 8 | h[bit / 8 + 1]) >> (11 - bit % 8);
        sym[i] = (unsigned char)(v & 31u);
    }
    OPENSSL_cleanse(h, sizeof(h));
    return 0;
}

int plaint_access_code(char out[PLAINT_ACCESS_CODE_LEN + 1],
                       const unsigned char key[PLAINT_ACCESS_KEY_LEN], const char *ref,
                       plaint_error *err)
{
    unsigned char sym[CODE_CHARS];
    size_t i;
    size_t o = 0;

    if (symbols(sym, key, ref, err) < 0) {
        return -1;
    }
    for (i = 0; i < CODE_CHARS; i++) {
        if (i > 0 && i % 4 == 0) {
            out[o++] = '-';
        }
        out[o++] = CROCKFORD[sym[i]];
    }
    out[o] = '\0';
    return 0;
}

/* The value of a Crockford base32 character, 32 for a separator to skip, 33 for anything else.
 * Table-free arithmetic would be constant-time too; the lookup indexes by the input byte, which
 * is the customer's own input, not a secret. */
static unsigned char value_of(unsigned char ch)
{
    if (ch == '-' || ch == ' ') {
        return 32;
    }
    if (ch >= 'a' && ch <= 'z') {
        ch = (unsigned char)(ch - 'a' + 'A');
    }
    if (ch == 'O') {
        return 0;
    }
    if (ch == 'I' || ch == 'L') {
        return 1;
    }
    for (unsigned char v = 0; v < 32; v++) {
        if ((unsigned char)CROCKFORD[v] == ch) {
            return v;
        }
    }
    return 33;
}

int plaint_access_code_check(const unsigned char key[PLAINT_ACCESS_KEY_LEN], const char *ref,
                             const char *given, plaint_error *err)
{
    unsigned char want[CODE_CHARS];
    unsigned char got[CODE_CHARS];
    size_t n = 0;
    size_t i;
    int bad = 0;

    /* the work below does not depend on whether ref exists or given is right */
    if (symbols(want, key, ref, err) < 0) {
        return -1;
    }
    memset(got, 0xff, sizeof(got));
    for (i = 0; given != NULL && given[i] != '\0'; i++) {
        unsigned char v;
        if (i >= GIVEN_MAX) {
            bad = 1;
            break;
        }
        v = value_of((unsigned char)given[i]);
        if (v == 32) {
            continue;
        }
        if (v == 33 || n >= CODE_CHARS) {
            bad = 1;
            continue;
        }
        got[n++] = v;
    }
    if (n != CODE_CHARS) {
        bad = 1;
    }
    i = (size_t)CRYPTO_memcmp(want, got, sizeof(want));
    OPENSSL_cleanse(want, sizeof(want));
    return i == 0 && !bad ? 1 : 0;
}
