/* Fuzz target: CSV intake (src/intake/csv_intake.c) through two mappings, the shipped
 * reports/mappings/cfpb.xml and a small one written here (columns ID,Date,Via,Product,
 * Narrative,Amount, so that short inputs reach the value checks). Must never crash, and every
 * record and problem it reports must be consistent: good records carry an id, a known channel
 * and valid UTF-8; problems carry a position and a message; the counts add up. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_helpers.h"
#include "plaint/intake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SMALL_MAPPING[] =
    "<mapping xmlns=\"urn:plaint:mapping:1\" version=\"1\" name=\"fuzz\" delimiter=\"comma\">\n"
    "  <field name=\"external_id\" column=\"ID\" required=\"true\" max-length=\"20\"/>\n"
    "  <field name=\"received\" column=\"Date\" required=\"true\" format=\"datetime\"/>\n"
    "  <field name=\"channel\" column=\"Via\" default=\"post\" ignore-case=\"true\">\n"
    "    <value from=\"web\" to=\"web\"/>\n"
    "    <value from=\"phone\" to=\"phone\"/>\n"
    "  </field>\n"
    "  <field name=\"category\" column=\"Product\" max-length=\"10\"/>\n"
    "  <field name=\"narrative\" column=\"Narrative\"/>\n"
    "  <extra name=\"amount\" column=\"Amount\" format=\"money\"/>\n"
    "  <extra name=\"n\" column=\"ID\" format=\"integer\"/>\n"
    "</mapping>\n";

typedef struct counts {
    int64_t good;
    int64_t bad_calls;
    int64_t last_row;
} counts;

static int on_row(const plaint_intake *rec, const plaint_intake_pos *pos, void *arg,
                  plaint_error *err)
{
    static const char channels[] = " web email phone chat social api post ";
    counts *c = arg;
    char word[16];
    size_t i;

    (void)err;
    snprintf(word, sizeof(word), " %s ", rec->channel);
    if (rec->external_id[0] == '\0' || rec->channel[0] == '\0' || strlen(rec->channel) > 8 ||
        strstr(channels, word) == NULL || strcmp(rec->urgency, "normal") != 0 || pos->line < 2 ||
        pos->column != 0 || pos->row <= c->last_row) {
        abort();
    }
    fuzz_check_text(rec->external_id);
    fuzz_check_text(rec->category);
    fuzz_check_text(rec->narrative);
    fuzz_check_text(rec->company);
    for (i = 0; i < rec->extra_count; i++) {
        fuzz_check_text(rec->extras[i].name);
        fuzz_check_text(rec->extras[i].value);
    }
    c->last_row = pos->row;
    c->good++;
    return 0;
}

static int on_bad(const plaint_intake_pos *pos, const char *message, void *arg)
{
    counts *c = arg;

    if (message == NULL || message[0] == '\0' || pos->line < 1 || pos->column < 0 ||
        pos->row < c->last_row) {
        abort();
    }
    c->last_row = pos->row;
    c->bad_calls++;
    return 0;
}

static plaint_mapping *load(const char *xml_path, const char *xsd)
{
    plaint_mapping *m = NULL;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_mapping_load(&m, NULL, xml_path, xsd, &err) != 0) {
        fprintf(stderr, "fuzz_csv: %s\n", err.message);
        abort(); /* the run would test nothing */
    }
    return m;
}

static void run(const plaint_mapping *m, const char *path)
{
    counts c;
    int64_t good = -1;
    int64_t bad = -1;
    plaint_error err;
    int rc;

    memset(&c, 0, sizeof(c));
    plaint_error_init(&err);
    rc = plaint_csv_intake_read(m, path, on_row, on_bad, &c, &good, &bad, &err);
    if ((rc != 0 && rc != PLAINT_EINVALID) || good != c.good || bad < 0 || bad > c.bad_calls ||
        (bad == 0) != (c.bad_calls == 0)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static plaint_mapping *cfpb;
    static plaint_mapping *small;
    char path[] = "/tmp/plaint-fuzz-csv-XXXXXX";

    if (cfpb == NULL) {
        char xsd[4200];
        char xml[4200];
        char tmp[] = "/tmp/plaint-fuzz-csv-map-XXXXXX";
        fuzz_source_path(xsd, sizeof(xsd), "schemas/xml/mapping.xsd");
        fuzz_source_path(xml, sizeof(xml), "reports/mappings/cfpb.xml");
        cfpb = load(xml, xsd);
        if (fuzz_write_temp(tmp, SMALL_MAPPING, sizeof(SMALL_MAPPING) - 1) != 0) {
            abort();
        }
        small = load(tmp, xsd);
        unlink(tmp);
    }
    if (fuzz_write_temp(path, data, size) != 0) {
        return 0;
    }
    run(small, path);
    run(cfpb, path);
    unlink(path);
    return 0;
}
