/* Fuzz target: the severity policy loader (policies/severity.xml against
 * schemas/xml/severity.xsd); must never crash, and a policy it accepts must score every
 * complaint of a fixed grid within 0..100, as the clamped sum of its components, with the level
 * its thresholds give, and refuse unknown urgencies and foreign currencies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "plaint/severity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const plaint_severity_policy *p, const plaint_severity_input *in)
{
    plaint_severity_result r;
    plaint_severity_level level;
    int sum;

    if (plaint_severity_compute(&r, p, in, NULL) != 0) {
        abort();
    }
    sum = r.category_points + r.value_points + r.urgency_points + r.exposure_points;
    sum = sum < 0 ? 0 : (sum > PLAINT_SEVERITY_SCORE_MAX ? PLAINT_SEVERITY_SCORE_MAX : sum);
    if (r.score != sum || plaint_severity_level_parse(&level, r.level, NULL) != 0 ||
        (r.exposure_points != 0 && !r.public_exposure)) {
        abort();
    }
}

/* Every urgency, lifetime values around and beyond every band bound, public or not. */
static void check_policy(const plaint_severity_policy *p)
{
    static const char *const urgencies[] = {"low", "normal", "high", "critical"};
    static const char *const channels[] = {"social", "web", NULL};
    const char *cur = plaint_severity_currency(p);
    plaint_severity_input in;
    plaint_severity_result r;
    size_t u;
    size_t c;
    size_t b;

    memset(&in, 0, sizeof(in));
    in.currency = cur;
    in.category = "Mortgage";
    for (u = 0; u < 4; u++) {
        in.urgency = urgencies[u];
        for (c = 0; c < 3; c++) {
            in.channel = channels[c];
            in.public_exposure = (int)c == 2;
            in.lifetime_value_minor = INT64_MIN;
            check_one(p, &in);
            in.lifetime_value_minor = INT64_MAX;
            check_one(p, &in);
            for (b = 0; b < plaint_severity_count_bands(p); b++) {
                const plaint_severity_band *band = plaint_severity_get_band(p, b);
                if (band == NULL || (b + 1 < plaint_severity_count_bands(p)) != band->bounded) {
                    abort(); /* only the last band is unbounded */
                }
                in.lifetime_value_minor = band->up_to_minor;
                check_one(p, &in);
                if (band->up_to_minor < INT64_MAX) {
                    in.lifetime_value_minor = band->up_to_minor + 1;
                    check_one(p, &in);
                }
            }
        }
    }
    in.urgency = "urgent";
    if (plaint_severity_compute(&r, p, &in, NULL) != PLAINT_EINVALID) {
        abort();
    }
    in.urgency = "normal";
    in.currency = strcmp(cur, "XTS") == 0 ? "XXX" : "XTS";
    if (plaint_severity_compute(&r, p, &in, NULL) != PLAINT_EINVALID) {
        abort();
    }
}

/* Loads, checks and frees one policy (see fuzz_policy_fn). */
static int load_and_check(const char *path, const char *xsd, plaint_error *err)
{
    plaint_severity_policy *p = NULL;
    int rc = plaint_policy_load_severity(&p, NULL, path, xsd, err);

    if (rc == 0) {
        check_policy(p);
    }
    plaint_severity_policy_free(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_policy_input("severity", load_and_check, data, size);
}
