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

#include "plaint/build_info.h"
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

/* 1 if s is valid UTF-8 (no overlongs, surrogates or code points over U+10FFFF); written
 * here rather than shared so that the check does not trust the code under test. */
static int utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u != 0) {
        unsigned c = *u;
        unsigned cp;
        int n;
        int k;
        if (c < 0x80) {
            u++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (k = 1; k <= n; k++) {
            if ((u[k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (u[k] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        u += n + 1;
    }
    return 1;
}

static void check_text(const char *s)
{
    if (s == NULL || !utf8_ok(s)) {
        abort();
    }
}

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
    check_text(rec->external_id);
    check_text(rec->category);
    check_text(rec->narrative);
    check_text(rec->company);
    for (i = 0; i < rec->extra_count; i++) {
        check_text(rec->extras[i].name);
        check_text(rec->extras[i].value);
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
    int fd;

    if (cfpb == NULL) {
        const char *src = getenv("PLAINT_SOURCE_DIR");
        char base[4096];
        char xsd[4200];
        char xml[4200];
        char tmp[] = "/tmp/plaint-fuzz-csv-map-XXXXXX";
        int mfd;
        snprintf(base, sizeof(base), "%s", src != NULL ? src : PLAINT_DEFAULT_SCHEMA_DIR "/../..");
        snprintf(xsd, sizeof(xsd), "%s/schemas/xml/mapping.xsd", base);
        snprintf(xml, sizeof(xml), "%s/reports/mappings/cfpb.xml", base);
        cfpb = load(xml, xsd);
        mfd = mkstemp(tmp);
        if (mfd < 0 || write(mfd, SMALL_MAPPING, sizeof(SMALL_MAPPING) - 1) !=
                           (ssize_t)(sizeof(SMALL_MAPPING) - 1)) {
            abort();
        }
        close(mfd);
        small = load(tmp, xsd);
        unlink(tmp);
    }
    fd = mkstemp(path);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        run(small, path);
        run(cfpb, path);
    }
    close(fd);
    unlink(path);
    return 0;
}
