/* Fuzz target: the retention policy loader (policies/retention.xml against
 * schemas/xml/retention.xsd); must never crash, and a policy it accepts must give every class a
 * consistent verdict at fixed dates. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "plaint/build_info.h"
#include "plaint/policy_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2020-01-15T00:00:00Z and 9000-01-01T00:00:00Z, microseconds since the epoch. */
#define START_US 1579046400000000LL
#define LATE_US  221845392000000000LL

/* Every class of an accepted policy is known, ends after its start, is not due at its start,
 * is due long after, and held whenever a hold is active. */
static void check_policy(const plaint_retention_policy *p)
{
    plaint_retention_verdict v;
    size_t i;

    for (i = 0; i < plaint_retention_count_classes(p); i++) {
        const plaint_retention_class *c = plaint_retention_get_class(p, i);
        if (plaint_retention_find_class(p, c->name) != c ||
            plaint_retention_due(&v, p, c->name, START_US, 0, START_US, NULL) != 0 ||
            v.status != PLAINT_RETENTION_NOT_YET || v.due_us <= START_US ||
            plaint_retention_due(&v, p, c->name, START_US, 0, LATE_US, NULL) != 0 ||
            v.status != PLAINT_RETENTION_DUE ||
            plaint_retention_due(&v, p, c->name, START_US, 1, LATE_US, NULL) != 0 ||
            v.status != PLAINT_RETENTION_HELD) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char xsd[4096];
    char path[] = "/tmp/plaint-fuzz-retention-XXXXXX";
    plaint_retention_policy *p = NULL;
    plaint_error err;
    int fd;

    if (xsd[0] == '\0') {
        const char *src = getenv("PLAINT_SOURCE_DIR");
        if (src != NULL) {
            snprintf(xsd, sizeof(xsd), "%s/schemas/xml/retention.xsd", src);
        } else {
            snprintf(xsd, sizeof(xsd), "%s/../xml/retention.xsd", PLAINT_DEFAULT_SCHEMA_DIR);
        }
    }
    fd = mkstemp(path);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        plaint_error_init(&err);
        if (plaint_policy_load_retention(&p, NULL, path, xsd, &err) == 0) {
            check_policy(p);
        } else if (err.code == PLAINT_ENOTFOUND || err.code == PLAINT_EIO) {
            abort(); /* the schema is missing: the run would test nothing */
        }
        plaint_retention_policy_free(p);
    }
    close(fd);
    unlink(path);
    return 0;
}
