/* Checks of policy names and texts, and safe copies of untrusted strings for messages (see
 * policy_names.h). Pure: no I/O. */
#include "core/policy_names.h"

#include <string.h>

static int is_control(unsigned char b)
{
    return b < 0x20 || b == 0x7f;
}

int plaint_policy_names_is_token(const char *s, size_t max)
{
    size_t i;

    if (s == NULL || s[0] < 'a' || s[0] > 'z') {
        return 0;
    }
    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if (i >= max || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                          c == '_' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

int plaint_policy_names_is_text(const char *s, size_t max, int trimmed)
{
    size_t n;
    size_t i;

    if (s == NULL) {
        return 0;
    }
    n = strlen(s);
    if (n == 0 || n > max || (trimmed && (s[0] == ' ' || s[n - 1] == ' '))) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (is_control((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

int plaint_policy_names_bad_token(plaint_error *err, const char *field, int max)
{
    return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                               "%s must be 1 to %d characters of a-z 0-9 . _ - starting with a "
                               "letter",
                               field, max);
}

void plaint_policy_names_copy_safe(char *out, size_t cap, const char *s)
{
    size_t i;

    for (i = 0; s != NULL && i + 1 < cap && s[i] != '\0'; i++) {
        out[i] = is_control((unsigned char)s[i]) ? '?' : s[i];
    }
    out[i] = '\0';
}
