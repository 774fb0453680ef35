/* Fuzz target: the access policy loader (policies/rbac.xml against schemas/xml/rbac.xsd); must
 * never crash, and a policy it accepts must answer every role x action question consistently. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_helpers.h"
#include "plaint/policy_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every decision of an accepted policy agrees with its grant table. */
static void check_policy(const plaint_rbac_policy *p)
{
    plaint_rbac_context ctx = {"fuzz", "fuzz", NULL, 0};
    plaint_rbac_decision d;
    size_t r;
    size_t a;

    for (r = 0; r < plaint_rbac_count_roles(p); r++) {
        const char *const roles[1] = {plaint_rbac_get_role(p, r)};
        for (a = 0; a < plaint_rbac_count_actions(p); a++) {
            const char *action = plaint_rbac_get_action(p, a);
            int granted = plaint_rbac_get_grant(p, roles[0], action) != PLAINT_RBAC_SCOPE_NONE;
            if (plaint_rbac_decide(&d, p, roles, 1, action, &ctx, NULL) != 0 ||
                d.allowed != granted) {
                abort();
            }
        }
    }
}

/* Loads, checks and frees one policy (see fuzz_policy_fn). */
static int load_and_check(const char *path, const char *xsd, plaint_error *err)
{
    plaint_rbac_policy *p = NULL;
    int rc = plaint_policy_load_rbac(&p, NULL, path, xsd, err);

    if (rc == 0) {
        check_policy(p);
    }
    plaint_rbac_policy_free(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_policy_input("rbac", load_and_check, data, size);
}
