/* Fuzz target: a JSON request body for a new complaint, as the service will read it. The bytes go
 * through json_loadb with the flags the project uses for input documents
 * (JSON_REJECT_DUPLICATES), the object's string fields fill a plaint_complaint_input ("received"
 * through plaint_time_parse), and plaint_complaint_input_check judges it. Must never crash or
 * leak, and the verdict must agree with an independent check written here: a refusal is
 * PLAINT_EINVALID naming a field, an acceptance has a known channel, a category, a known or absent
 * urgency, source_id and source_system together, lengths within the documented limits, valid
 * UTF-8 and a time after 1970 that formats back to the same text. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "plaint/chain.h"
#include "plaint/intake_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The request's string fields: JSON key, where it goes, the longest value accepted (bytes;
 * 0: no limit or not a free text field). Limits from docs of plaint_complaint_input_check. */
typedef struct field {
    const char *key;
    size_t off;
    size_t max;
} field;

static const field FIELDS[] = {
    {"channel", offsetof(plaint_complaint_input, channel), 0},
    {"category", offsetof(plaint_complaint_input, category), 200},
    {"sub_category", offsetof(plaint_complaint_input, sub_category), 200},
    {"product", offsetof(plaint_complaint_input, product), 200},
    {"issue", offsetof(plaint_complaint_input, issue), 500},
    {"sub_issue", offsetof(plaint_complaint_input, sub_issue), 500},
    {"company", offsetof(plaint_complaint_input, company), 200},
    {"narrative", offsetof(plaint_complaint_input, narrative), 100000},
    {"urgency", offsetof(plaint_complaint_input, urgency), 0},
    {"customer", offsetof(plaint_complaint_input, customer_id), 64},
    {"order", offsetof(plaint_complaint_input, order_ref), 64},
    {"source_system", offsetof(plaint_complaint_input, source_system), 64},
    {"source_id", offsetof(plaint_complaint_input, source_id), 128},
};
#define NFIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

static const char **slot(plaint_complaint_input *in, size_t i)
{
    return (const char **)((char *)in + FIELDS[i].off);
}

static int present(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* 1 if the word w is in the space-separated list (with spaces at both ends). */
static int in_list(const char *list, const char *w)
{
    size_t n = strlen(w);
    const char *p = list;

    if (n == 0 || strchr(w, ' ') != NULL) {
        return 0;
    }
    while ((p = strstr(p, w)) != NULL) {
        if (p[-1] == ' ' && p[n] == ' ') {
            return 1;
        }
        p++;
    }
    return 0;
}

/* Independent verdict on an input: 1 if it must be accepted. */
static int expect_ok(const plaint_complaint_input *in)
{
    size_t i;

    if (!present(in->channel) || !in_list(" web email phone chat social api post ", in->channel)) {
        return 0;
    }
    if (!present(in->category)) {
        return 0;
    }
    if (present(in->urgency) && !in_list(" low normal high critical ", in->urgency)) {
        return 0;
    }
    if (present(in->source_id) != present(in->source_system)) {
        return 0;
    }
    for (i = 0; i < NFIELDS; i++) {
        const char *v = *slot((plaint_complaint_input *)in, i);
        if (FIELDS[i].max != 0 && v != NULL && strlen(v) > FIELDS[i].max) {
            return 0;
        }
    }
    return in->received_us > 0;
}

/* A refusal must say which field and why. */
static void check_refusal(int rc, const plaint_error *err)
{
    if (rc != PLAINT_EINVALID || err->code != PLAINT_EINVALID || err->message[0] == '\0' ||
        err->field[0] == '\0') {
        abort();
    }
}

/* Fills in from the object; 0, or -1 if a field has the wrong type or "received" is not a time
 * (the service answers 400 naming the field before the check is reached). */
static int fill(plaint_complaint_input *in, json_t *obj, plaint_error *err)
{
    json_t *v;
    size_t i;

    memset(in, 0, sizeof(*in));
    for (i = 0; i < NFIELDS; i++) {
        v = json_object_get(obj, FIELDS[i].key);
        if (v == NULL || json_is_null(v)) {
            continue;
        }
        if (!json_is_string(v)) {
            return -1;
        }
        /* jansson guarantees UTF-8 without NUL (no JSON_ALLOW_NUL) */
        fuzz_check_text(json_string_value(v));
        if (strlen(json_string_value(v)) != json_string_length(v)) {
            abort();
        }
        *slot(in, i) = json_string_value(v);
    }
    v = json_object_get(obj, "received");
    if (v != NULL && !json_is_null(v)) {
        char back[PLAINT_TIME_LEN + 1];
        plaint_error terr;
        int64_t again = 0;
        int rc;
        if (!json_is_string(v)) {
            return -1;
        }
        plaint_error_init(&terr);
        rc = plaint_time_parse(&in->received_us, json_string_value(v), json_string_length(v),
                               &terr);
        if (rc != 0) {
            /* the parser names no field: the caller names "received" */
            if (rc != PLAINT_EINVALID || terr.code != rc || terr.message[0] == '\0') {
                abort();
            }
            return -1;
        }
        /* A parsed time formats back to the same text and parses to the same instant. */
        rc = plaint_time_format(back, in->received_us, err);
        if (rc != 0 || strcmp(back, json_string_value(v)) != 0 ||
            plaint_time_parse(&again, back, strlen(back), err) != 0 ||
            again != in->received_us) {
            abort();
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *doc;
    plaint_complaint_input in;
    plaint_error err;
    int rc;

    memset(&je, 0, sizeof(je));
    doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) {
        if (je.text[0] == '\0') {
            abort();
        }
        return 0;
    }
    plaint_error_init(&err);
    if (json_is_object(doc) && fill(&in, doc, &err) == 0) {
        rc = plaint_complaint_input_check(&in, &err);
        if (rc == 0) {
            if (!expect_ok(&in) || err.code != 0) {
                abort();
            }
        } else {
            check_refusal(rc, &err);
            if (expect_ok(&in)) {
                abort();
            }
        }
    }
    json_decref(doc);
    return 0;
}
