/* Fuzz target: the escalation policy loader (policies/escalation.xml against
 * schemas/xml/escalation.xsd); must never crash, and a policy it accepts must decide every case
 * of a fixed grid with a target on its path exactly when some rule matched, name at most all of
 * its rules, and escalate a case at least as far when more facts hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "plaint/escalation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The level of the decision's target (-1 if none) and the number of rules matched; aborts on an
 * inconsistent decision. */
static int decide(const plaint_escalation_policy *p, const plaint_escalation_facts *f,
                  size_t *nrules)
{
    plaint_escalation_decision d;
    int level;

    if (plaint_escalation_decide(&d, p, f, NULL) != 0 ||
        d.nrules > plaint_escalation_count_rules(p) || (d.nrules > 0) != (d.escalate != 0) ||
        (d.target != NULL) != (d.escalate != 0)) {
        abort();
    }
    *nrules = d.nrules;
    if (!d.escalate) {
        return -1;
    }
    level = plaint_escalation_level(p, d.target);
    if (level < 0 || (size_t)level >= plaint_escalation_count_targets(p)) {
        abort();
    }
    return level;
}

/* Conditions are conjunctions of "at least" and "is one of" tests, so with the category and
 * channel fixed, a case with a higher severity, a breached timer, a tier or more recent
 * complaints matches every rule the weaker case matches: it escalates at least as far. */
static void check_policy(const plaint_escalation_policy *p)
{
    static const char *const levels[] = {"low", "medium", "high", "critical"};
    static const char *const timers[] = {NULL, "first_response", "summary_resolution",
                                         "final_response"};
    static const char *const tiers[] = {NULL, "gold", "platinum"};
    static const char *const categories[] = {"Mortgage", "Other", NULL};
    static const char *const channels[] = {"social", "web", NULL};
    plaint_escalation_decision d;
    plaint_escalation_facts f;
    plaint_escalation_facts weak;
    plaint_escalation_facts strong;
    size_t l;
    size_t t;
    size_t k;
    size_t c;

    if (plaint_escalation_repeat_window_days(p) < 1) {
        abort();
    }
    memset(&f, 0, sizeof(f));
    for (c = 0; c < 9; c++) {
        f.category = categories[c % 3];
        f.channel = channels[c / 3];
        weak = f;
        weak.breached_timer = NULL;
        weak.customer_tier = NULL;
        weak.severity_level = "low";
        weak.severity_score = 0;
        weak.recent_complaints = 0;
        for (l = 0; l < 4; l++) {
            for (t = 0; t < 4; t++) {
                for (k = 0; k < 3; k++) {
                    size_t n_weak;
                    size_t n;
                    size_t n_strong;
                    int lw;
                    int lf;
                    int ls;
                    f.severity_level = levels[l];
                    f.severity_score = (int)l * 33;
                    f.breached_timer = timers[t];
                    f.customer_tier = tiers[k];
                    f.recent_complaints = (int)k;
                    strong = f;
                    strong.severity_level = "critical";
                    strong.severity_score = 100;
                    strong.recent_complaints = 1000000;
                    lw = decide(p, &weak, &n_weak);
                    lf = decide(p, &f, &n);
                    ls = decide(p, &strong, &n_strong);
                    if (lw > lf || lf > ls || n_weak > n || n > n_strong) {
                        abort();
                    }
                }
            }
        }
    }
    f.severity_level = "severe";
    if (plaint_escalation_decide(&d, p, &f, NULL) != PLAINT_EINVALID) {
        abort();
    }
}

/* Loads, checks and frees one policy (see fuzz_policy_fn). */
static int load_and_check(const char *path, const char *xsd, plaint_error *err)
{
    plaint_escalation_policy *p = NULL;
    int rc = plaint_policy_load_escalation(&p, NULL, path, xsd, err);

    if (rc == 0) {
        check_policy(p);
    }
    plaint_escalation_policy_free(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_policy_input("escalation", load_and_check, data, size);
}
