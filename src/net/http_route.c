/* Route patterns (see http_route.h). */
#include "net/http_route.h"

#include <string.h>

static int seg_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

int plaint_http_route_match(const char *pattern, const char *path, char *param, size_t n)
{
    const char *p = pattern;
    const char *s = path;

    while (*p != '\0') {
        if (*p == '{') {
            size_t len = 0;
            p = strchr(p, '}');
            if (p == NULL) {
                return 0;
            }
            p++;
            while (s[len] != '\0' && s[len] != '/') {
                if (!seg_char(s[len])) {
                    return 0;
                }
                len++;
            }
            if (len == 0 || len >= n || param == NULL) {
                return 0;
            }
            memcpy(param, s, len);
            param[len] = '\0';
            s += len;
        } else if (*p++ != *s++) {
            return 0;
        }
    }
    return *s == '\0';
}
