/* Fuzz target: the SLA policy loader (policies/sla.xml against schemas/xml/sla.xsd); must never
 * crash, and a policy it accepts must give consistent deadlines for every severity at fixed
 * receipt times. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_helpers.h"
#include "plaint/sla.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2024-03-29T23:30:00Z (Good Friday, the eve of BST) and 2024-10-26T23:30:00Z, microseconds. */
static const int64_t RECEIVED[] = {1711755000000000LL, 1729985400000000LL};

/* Every deadline of an accepted policy is after receipt, the calendar it names exists, and the
 * summary resolution (business days) falls on a business day of that calendar. */
static void check_policy(const plaint_sla_policy *p)
{
    static const char *const levels[] = {NULL, "low", "medium", "high", "critical"};
    size_t i;
    size_t j;

    if (plaint_sla_check(p, NULL) != 0 || plaint_sla_default_calendar(p) == NULL ||
        plaint_sla_default_target(p) == NULL) {
        abort();
    }
    for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        for (j = 0; j < sizeof(RECEIVED) / sizeof(RECEIVED[0]); j++) {
            plaint_sla_deadlines d;
            plaint_bizcal_local l;
            const plaint_bizcal *cal;
            const plaint_sla_target *t = plaint_sla_get_target(p, 0);
            const char *category = t != NULL ? t->category : NULL;
            if (plaint_sla_compute(&d, p, levels[i], category, RECEIVED[j], NULL) != 0) {
                abort();
            }
            cal = plaint_sla_calendar(p, d.calendar);
            if (cal == NULL || d.first_response_due <= RECEIVED[j] ||
                d.summary_resolution_due <= RECEIVED[j] || d.final_response_due <= RECEIVED[j] ||
                plaint_bizcal_to_local(&l, cal, d.summary_resolution_due, NULL) != 0 ||
                plaint_bizcal_is_business_day(cal, l.date) != 1) {
                abort();
            }
        }
    }
}

/* Loads, checks and frees one policy (see fuzz_policy_fn). */
static int load_and_check(const char *path, const char *xsd, plaint_error *err)
{
    plaint_sla_policy *p = NULL;
    int rc = plaint_policy_load_sla(&p, NULL, path, xsd, err);

    if (rc == 0) {
        check_policy(p);
    }
    plaint_sla_policy_free(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_policy_input("sla", load_and_check, data, size);
}
