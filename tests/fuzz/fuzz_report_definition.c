/* Fuzz target: the report-definition loader (reports/<name>.xml against
 * schemas/xml/report-definition.xsd), from memory; must never crash, and a definition it
 * accepts must be internally consistent (every category in a declared group, the fallback a
 * declared group, some figure chosen, a non-empty validity, UTF-8 strings). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "plaint/report_definition.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const plaint_report_def *d)
{
    size_t i;

    if (d->ngroups == 0 || d->ngroups > PLAINT_REPORT_MAX_GROUPS || d->fallback >= d->ngroups ||
        d->figures == 0 || d->valid_end <= d->valid_start || d->summary_days < 1 ||
        d->final_weeks < 1 || d->xml.len == 0 || !fuzz_utf8_ok(d->firm_name) ||
        !fuzz_utf8_ok(d->id)) {
        abort();
    }
    for (i = 0; i < d->ngroups; i++) {
        if (!fuzz_utf8_ok(d->groups[i].id) || !fuzz_utf8_ok(d->groups[i].name)) {
            abort();
        }
    }
    for (i = 0; i < d->ncategories; i++) {
        if (d->category_group[i] >= d->ngroups || !fuzz_utf8_ok(d->categories[i])) {
            abort();
        }
    }
    for (i = 0; i < d->ncause_values; i++) {
        if (!fuzz_utf8_ok(d->cause_values[i]) || !fuzz_utf8_ok(d->cause_names[i])) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char xsd_dir[4096];
    plaint_report_def *d = NULL;
    plaint_error err;
    int rc;

    fuzz_source_path(xsd_dir, sizeof(xsd_dir), "schemas/xml");
    plaint_error_init(&err);
    rc = plaint_report_def_parse(&d, data, size, "fuzz.xml", NULL, xsd_dir, &err);
    if (rc == 0) {
        check(d);
    } else if (d != NULL || memchr(err.message, '\0', sizeof(err.message)) == NULL) {
        abort();
    }
    plaint_report_def_free(d);
    return 0;
}
