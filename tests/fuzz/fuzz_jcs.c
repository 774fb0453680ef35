/* Fuzz target: RFC 8785 canonicalisation. Canonical output must be a fixed point. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/jcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plaint_buf a = PLAINT_BUF_INIT;
    plaint_buf b = PLAINT_BUF_INIT;

    if (plaint_jcs_canonicalize(&a, (const char *)data, size, NULL) == 0) {
        /* canonicalising canonical text changes nothing */
        if (plaint_jcs_canonicalize(&b, a.data, a.len, NULL) != 0 || a.len != b.len ||
            memcmp(a.data, b.data, a.len) != 0) {
            abort();
        }
    }
    plaint_buf_clear(&a);
    plaint_buf_clear(&b);
    return 0;
}
