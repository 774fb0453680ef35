/* Fuzz target: the retention policy loader (policies/retention.xml against
 * schemas/xml/retention.xsd); must never crash, and a policy it accepts must give every class a
 * consistent verdict at fixed dates. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_helpers.h"
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

/* Loads, checks and frees one policy (see fuzz_policy_fn). */
static int load_and_check(const char *path, const char *xsd, plaint_error *err)
{
    plaint_retention_policy *p = NULL;
    int rc = plaint_policy_load_retention(&p, NULL, path, xsd, err);

    if (rc == 0) {
        check_policy(p);
    }
    plaint_retention_policy_free(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_policy_input("retention", load_and_check, data, size);
}
