/* Fuzz target: the access policy loader (policies/rbac.xml against schemas/xml/rbac.xsd); must
 * never crash, and a policy it accepts must answer every role x action question consistently. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "plaint/build_info.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char xsd[4096];
    char path[] = "/tmp/plaint-fuzz-rbac-XXXXXX";
    plaint_rbac_policy *p = NULL;
    plaint_error err;
    int fd;

    if (xsd[0] == '\0') {
        const char *src = getenv("PLAINT_SOURCE_DIR");
        if (src != NULL) {
            snprintf(xsd, sizeof(xsd), "%s/schemas/xml/rbac.xsd", src);
        } else {
            snprintf(xsd, sizeof(xsd), "%s/../xml/rbac.xsd", PLAINT_DEFAULT_SCHEMA_DIR);
        }
    }
    fd = mkstemp(path);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        plaint_error_init(&err);
        if (plaint_policy_load_rbac(&p, NULL, path, xsd, &err) == 0) {
            check_policy(p);
        } else if (err.code == PLAINT_ENOTFOUND || err.code == PLAINT_EIO) {
            abort(); /* the schema is missing: the run would test nothing */
        }
        plaint_rbac_policy_free(p);
    }
    close(fd);
    unlink(path);
    return 0;
}
