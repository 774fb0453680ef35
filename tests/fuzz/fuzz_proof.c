/* Fuzz target: proof documents (JSON) checked against a fixed key; must never crash. */
#include <stdint.h>
#include <stdlib.h>

#include "plaint/proof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static plaint_signkey *key;
    plaint_proof_result res;

    if (key == NULL && plaint_signkey_generate(&key, NULL) != 0) {
        abort();
    }
    (void)plaint_proof_verify(&res, (const char *)data, size, key, NULL);
    return 0;
}
