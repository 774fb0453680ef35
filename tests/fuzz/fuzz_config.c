/* Fuzz target: the INI config file loader; must never crash and must name bad lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_helpers.h"
#include "plaint/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/plaint-fuzz-config-XXXXXX";
    plaint_config cfg;
    plaint_config_flags flags = {path, "/tmp", NULL};
    plaint_error err;

    if (fuzz_write_temp(path, data, size) != 0) {
        return 0;
    }
    plaint_error_init(&err);
    (void)plaint_config_load(&cfg, &flags, &err);
    unlink(path);
    return 0;
}
