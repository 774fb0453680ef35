/* Fuzz target: the routing policy loader (policies/routing.xml against
 * schemas/xml/routing.xsd); must never crash, and a policy it accepts must route every
 * complaint of a fixed grid to a rule with a team, both roles and a checklist holding a
 * mandatory item, and refuse an unknown severity level. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "plaint/routing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_policy(const plaint_routing_policy *p)
{
    static const char *const levels[] = {"low", "medium", "high", "critical"};
    static const char *const categories[] = {"Mortgage", "Debt collection", "X", NULL};
    static const char *const channels[] = {"social", "web", "a", NULL};
    plaint_routing_result r;
    size_t l;
    size_t c;
    size_t h;
    size_t i;

    for (l = 0; l < 4; l++) {
        for (c = 0; c < 4; c++) {
            for (h = 0; h < 4; h++) {
                int mandatory = 0;
                if (plaint_routing_decide(&r, p, categories[c], channels[h], levels[l], NULL) !=
                        0 ||
                    r.rule == NULL || r.team == NULL || r.investigation_role == NULL ||
                    r.tier2_role == NULL || r.checklist == NULL || r.checklist_len == 0) {
                    abort();
                }
                for (i = 0; i < r.checklist_len; i++) {
                    if (r.checklist[i].id == NULL || r.checklist[i].text == NULL) {
                        abort();
                    }
                    mandatory |= r.checklist[i].mandatory;
                }
                if (!mandatory) {
                    abort();
                }
            }
        }
    }
    if (plaint_routing_decide(&r, p, "X", "web", "severe", NULL) != PLAINT_EINVALID) {
        abort();
    }
}

/* Loads, checks and frees one policy (see fuzz_policy_fn). */
static int load_and_check(const char *path, const char *xsd, plaint_error *err)
{
    plaint_routing_policy *p = NULL;
    int rc = plaint_policy_load_routing(&p, NULL, path, xsd, err);

    if (rc == 0) {
        check_policy(p);
    }
    plaint_routing_policy_free(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_policy_input("routing", load_and_check, data, size);
}
