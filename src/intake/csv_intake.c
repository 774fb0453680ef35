/* Streams a CSV file through an intake mapping with libcsv: checks the header against the
 * mapping, tracks the physical line and field number of every field (quoted fields may span
 * lines), checks each record's structure (field count, UTF-8, NUL bytes, quoting, sizes) and
 * values (intake_internal.h), and hands good records and bad ones to the caller's callbacks.
 *
 * Positions: the input is fed to libcsv in segments that each end at a delimiter, CR or LF, so
 * that libcsv's callbacks (which only fire on those bytes) always fire on a segment's last
 * byte, whose line is known; a field starts at the first byte fed after the previous callback,
 * except for the bare line ends libcsv skips between records (blank lines, the LF of CRLF). */
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intake/intake_internal.h"
#include "plaint/buf.h"

#define CHUNK_BYTES ((size_t)65536)
/* libcsv's field buffer may not grow past this: a longer field (or an unterminated quote
 * swallowing the file) is reported instead of exhausting memory. */
#define FIELD_BUFFER_CAP (PLAINT_INTAKE_FIELD_MAX_BYTES + 64)
#define NO_COLUMN        SIZE_MAX
#define MESSAGE_LEN      512

static const unsigned char BOM[3] = {0xef, 0xbb, 0xbf};

typedef struct field_ref {
    size_t off; /* in reader.rec */
    size_t len;
    int64_t line; /* where the field starts */
} field_ref;

typedef struct reader {
    const plaint_mapping *m;
    const char *path;
    plaint_intake_row_fn row_fn;
    plaint_intake_bad_fn bad_fn;
    void *arg;
    plaint_error *err;
    struct csv_parser p;
    int parser_ready;
    unsigned char is_cut[256]; /* delimiter, CR, LF: where segments end */

    int64_t line;       /* physical line of the next byte fed */
    int have_start;     /* the current field's first byte has been fed */
    int64_t field_line; /* ... on this line */
    int row_ended;      /* no byte of a record fed since the last one ended (or the start) */
    int skipping;       /* after a quoting error: dropping bytes up to the next line end */
    int prev_cr;        /* the last byte fed was a CR (an LF right after it ends no new line) */

    int header_done;
    char **header; /* ncols names */
    size_t ncols;
    size_t *rule_col; /* per rule: 0-based column, NO_COLUMN for a constant */

    /* the current record */
    size_t nfields;
    int64_t record_line;
    plaint_buf rec;    /* field bytes, each NUL-terminated */
    field_ref *fields; /* PLAINT_INTAKE_MAX_COLUMNS entries */
    int broken;        /* a structural problem was found; the rest of the record is ignored */
    plaint_intake_pos broken_pos;
    char broken_msg[MESSAGE_LEN];

    plaint_intake_extra *extras;
    int64_t rows; /* data records finished */
    int64_t good;
    int64_t bad;
    int stop; /* non-zero: stop and return this */
} reader;

/* libcsv grows its field buffer with this; refusing past the cap makes it fail with
 * CSV_ENOMEM, which the reader tells apart from a real lack of memory by the buffer size. */
static void *capped_realloc(void *ptr, size_t size)
{
    if (size > FIELD_BUFFER_CAP) {
        return NULL;
    }
    return realloc(ptr, size);
}

/* Values are taken as they are: no space is trimmed around fields. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int parser_start(reader *r)
{
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        return plaint_error_set(r->err, PLAINT_ENOMEM, "cannot initialise the CSV parser");
    }
    csv_set_delim(&r->p, r->m->delimiter);
    csv_set_space_func(&r->p, no_space);
    csv_set_realloc_func(&r->p, capped_realloc);
    csv_set_blk_size(&r->p, 4096);
    r->parser_ready = 1;
    return 0;
}

static void parser_stop(reader *r)
{
    if (r->parser_ready) {
        csv_free(&r->p);
        r->parser_ready = 0;
    }
}

static const char *column_name(const reader *r, size_t col)
{
    if (!r->header_done || col == 0 || col > r->ncols) {
        return NULL;
    }
    return r->header[col - 1];
}

/* Lines end at LF, CRLF or a lone CR, as libcsv ends records at each: a CR counts, and an LF
 * that does not follow a CR. */
static int64_t count_breaks(const char *s, size_t len)
{
    int64_t n = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        n += s[i] == '\r' || (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'));
    }
    return n;
}

/* Whether byte c, fed after the bytes before it, ends a line (the same rule, across buffers). */
static int breaks_line(reader *r, char c)
{
    int b = c == '\r' || (c == '\n' && !r->prev_cr);

    r->prev_cr = c == '\r';
    return b;
}

/* Records the first structural problem of the current record. */
static void set_broken(reader *r, int64_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_broken(reader *r, int64_t line, size_t col, const char *fmt, ...)
{
    va_list ap;

    if (r->broken) {
        return;
    }
    r->broken = 1;
    r->broken_pos.file = r->path;
    r->broken_pos.line = line;
    r->broken_pos.column = (int64_t)col;
    r->broken_pos.column_name = column_name(r, col);
    va_start(ap, fmt);
    vsnprintf(r->broken_msg, sizeof(r->broken_msg), fmt, ap);
    va_end(ap);
}

/* Hands a problem to the caller; stops (PLAINT_EINVALID, err filled) if the caller says so or
 * gave no callback. */
static void report(reader *r, const plaint_intake_pos *pos, const char *msg)
{
    if (r->bad_fn != NULL && r->bad_fn(pos, msg, r->arg) == 0) {
        return;
    }
    r->stop =
        plaint_error_set_at(r->err, PLAINT_EINVALID, pos->column_name, (unsigned long)pos->line,
                            (unsigned long)pos->column, "%s:%lld:%lld: %s", r->path,
                            (long long)pos->line, (long long)pos->column, msg);
}

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    const char *v = s;
    size_t col;
    size_t limit;
    int64_t line = r->have_start ? r->field_line : r->line;
    const char *nul;
    size_t bad;

    r->nfields++;
    col = r->nfields;
    r->have_start = 0;
    r->row_ended = 0;
    if (col == 1) {
        r->record_line = line;
    }
    if (r->stop || r->broken) {
        return;
    }
    limit = r->header_done ? r->ncols : PLAINT_INTAKE_MAX_COLUMNS;
    if (col > limit) {
        if (r->header_done) {
            set_broken(r, line, col, "too many fields: the header has %zu", r->ncols);
        } else {
            set_broken(r, line, col, "more than %d columns", PLAINT_INTAKE_MAX_COLUMNS);
        }
        return;
    }
    if (len > PLAINT_INTAKE_FIELD_MAX_BYTES) {
        set_broken(r, line, col, "field longer than %zu bytes", PLAINT_INTAKE_FIELD_MAX_BYTES);
        return;
    }
    if (r->rec.len + len + 1 > PLAINT_INTAKE_RECORD_MAX_BYTES) {
        set_broken(r, line, col, "record longer than %zu bytes", PLAINT_INTAKE_RECORD_MAX_BYTES);
        return;
    }
    nul = memchr(v, '\0', len);
    if (nul != NULL) {
        set_broken(r, line + count_breaks(v, (size_t)(nul - v)), col, "NUL byte in field");
        return;
    }
    bad = plaint_intake_utf8_invalid_at(v, len);
    if (bad < len) {
        set_broken(r, line + count_breaks(v, bad), col, "invalid UTF-8 (byte 0x%02x)",
                   (unsigned)(unsigned char)v[bad]);
        return;
    }
    r->fields[col - 1].off = r->rec.len;
    r->fields[col - 1].len = len;
    r->fields[col - 1].line = line;
    if (plaint_buf_append(&r->rec, v, len, r->err) < 0 ||
        plaint_buf_append_byte(&r->rec, 0, r->err) < 0) {
        r->stop = PLAINT_ENOMEM;
    }
}

static const char *field_text(const reader *r, size_t col)
{
    return r->rec.data + r->fields[col].off;
}

/* The header: names stored, every mapped column found exactly once. */
static void finish_header(reader *r)
{
    const plaint_mapping *m = r->m;
    size_t i;
    size_t c;

    if (r->broken) {
        r->stop = plaint_error_set_at(
            r->err, PLAINT_EINVALID, NULL, (unsigned long)r->broken_pos.line,
            (unsigned long)r->broken_pos.column, "%s:%lld:%lld: header: %s", r->path,
            (long long)r->broken_pos.line, (long long)r->broken_pos.column, r->broken_msg);
        return;
    }
    r->header = calloc(r->nfields, sizeof(*r->header));
    if (r->header == NULL) {
        r->stop = plaint_error_set(r->err, PLAINT_ENOMEM, "out of memory reading %s", r->path);
        return;
    }
    r->ncols = r->nfields;
    for (c = 0; c < r->ncols; c++) {
        r->header[c] = strdup(field_text(r, c));
        if (r->header[c] == NULL) {
            r->stop = plaint_error_set(r->err, PLAINT_ENOMEM, "out of memory reading %s", r->path);
            return;
        }
    }
    r->header_done = 1;
    for (i = 0; i < m->rule_count; i++) {
        const plaint_intake_rule *rule = &m->rules[i];
        size_t found = NO_COLUMN;
        r->rule_col[i] = NO_COLUMN;
        if (rule->column == NULL) {
            continue;
        }
        for (c = 0; c < r->ncols; c++) {
            if (strcmp(r->header[c], rule->column) != 0) {
                continue;
            }
            if (found != NO_COLUMN) {
                r->stop = plaint_error_set_at(
                    r->err, PLAINT_EINVALID, rule->column, (unsigned long)r->record_line,
                    (unsigned long)(c + 1), "%s:%lld:%zu: header: column \"%s\" appears twice",
                    r->path, (long long)r->record_line, c + 1, rule->column);
                return;
            }
            found = c;
        }
        if (found == NO_COLUMN) {
            r->stop = plaint_error_set_at(
                r->err, PLAINT_EINVALID, rule->column, (unsigned long)r->record_line, 0,
                "%s:%lld: header: no column \"%s\" (mapped to %s %s)", r->path,
                (long long)r->record_line, rule->column,
                rule->target == PLAINT_INTAKE_T_EXTRA ? "extra" : "field", rule->name);
            return;
        }
        r->rule_col[i] = found;
    }
}

static const plaint_intake_value *lookup(const plaint_intake_rule *rule, const char *s)
{
    size_t i;

    for (i = 0; i < rule->value_count; i++) {
        if ((rule->ignore_case ? strcasecmp(rule->values[i].from, s)
                               : strcmp(rule->values[i].from, s)) == 0) {
            return &rule->values[i];
        }
    }
    return NULL;
}

/* `value "X" is not mapped (known: "A", "B", ...)`, cut to fit. */
static void unmapped_message(char *out, size_t size, const plaint_intake_rule *rule, const char *s,
                             size_t len)
{
    char q[256];
    size_t i;
    size_t n;

    plaint_intake_quote(q, sizeof(q), s, len);
    n = (size_t)snprintf(out, size, "value %s is not mapped (known:", q);
    for (i = 0; i < rule->value_count && n < size; i++) {
        plaint_intake_quote(q, sizeof(q), rule->values[i].from, strlen(rule->values[i].from));
        if (n + strlen(q) + 8 >= size) {
            n += (size_t)snprintf(out + n, size - n, " ...");
            break;
        }
        n += (size_t)snprintf(out + n, size - n, "%s %s", i == 0 ? "" : ",", q);
    }
    if (n < size) {
        snprintf(out + n, size - n, ")");
    }
}

/* Applies one rule to the current record. Returns 0 with *value and *time set, or -1 with a
 * reason (without the field name) in msg. */
static int apply_rule(const reader *r, const plaint_intake_rule *rule, size_t col,
                      const char **value, int64_t *time, char *msg, size_t msg_size)
{
    const char *cell = "";
    size_t len = 0;
    plaint_error e;

    if (col != NO_COLUMN) {
        cell = field_text(r, col);
        len = r->fields[col].len;
    }
    if (len == 0) {
        if (rule->default_value != NULL) {
            cell = rule->default_value;
            len = strlen(cell);
        } else if (rule->required) {
            snprintf(msg, msg_size, "required value is empty");
            return -1;
        } else {
            *value = "";
            *time = 0;
            return 0;
        }
    } else if (rule->value_count > 0) {
        const plaint_intake_value *v = lookup(rule, cell);
        if (v == NULL) {
            unmapped_message(msg, msg_size, rule, cell, len);
            return -1;
        }
        cell = v->to;
        len = strlen(cell);
    }
    if (plaint_intake_check_value(time, rule, cell, len, &e) < 0) {
        snprintf(msg, msg_size, "%s", e.message);
        return -1;
    }
    if (!plaint_intake_target_accepts(rule->target, cell)) {
        /* reachable only without a value map: mapped values and defaults were checked */
        char q[128];
        plaint_intake_quote(q, sizeof(q), cell, len);
        snprintf(msg, msg_size, "%s is not a known %s", q, rule->name);
        return -1;
    }
    *value = cell;
    return 0;
}

static void emit_record(reader *r)
{
    const plaint_mapping *m = r->m;
    const char *vals[PLAINT_INTAKE_T_COUNT];
    int64_t received = 0;
    plaint_intake rec;
    plaint_intake_pos pos;
    size_t i;
    size_t nextra = 0;
    int nbad = 0;

    for (i = 0; i < PLAINT_INTAKE_T_COUNT; i++) {
        vals[i] = "";
    }
    vals[PLAINT_INTAKE_T_URGENCY] = "normal";
    for (i = 0; i < m->rule_count && !r->stop; i++) {
        const plaint_intake_rule *rule = &m->rules[i];
        size_t col = r->rule_col[i];
        const char *value = "";
        int64_t t = 0;
        char reason[MESSAGE_LEN - 64];
        char msg[MESSAGE_LEN];

        if (apply_rule(r, rule, col, &value, &t, reason, sizeof(reason)) < 0) {
            pos.file = r->path;
            pos.line = col != NO_COLUMN ? r->fields[col].line : r->record_line;
            pos.column = col != NO_COLUMN ? (int64_t)col + 1 : 0;
            pos.column_name = col != NO_COLUMN ? r->header[col] : NULL;
            pos.row = r->rows;
            snprintf(msg, sizeof(msg), "field \"%s\": %s",
                     col != NO_COLUMN ? r->header[col] : rule->name, reason);
            report(r, &pos, msg);
            nbad++;
            continue;
        }
        if (rule->target == PLAINT_INTAKE_T_EXTRA) {
            r->extras[nextra].name = rule->name;
            r->extras[nextra].value = value;
            nextra++;
        } else {
            vals[rule->target] = value;
            if (rule->target == PLAINT_INTAKE_T_RECEIVED) {
                received = t;
            }
        }
    }
    if (nbad > 0) {
        r->bad++;
        return;
    }
    if (r->stop) {
        return;
    }
    memset(&rec, 0, sizeof(rec));
    rec.external_id = vals[PLAINT_INTAKE_T_EXTERNAL_ID];
    rec.received_us = received;
    rec.channel = vals[PLAINT_INTAKE_T_CHANNEL];
    rec.category = vals[PLAINT_INTAKE_T_CATEGORY];
    rec.sub_category = vals[PLAINT_INTAKE_T_SUB_CATEGORY];
    rec.product = vals[PLAINT_INTAKE_T_PRODUCT];
    rec.issue = vals[PLAINT_INTAKE_T_ISSUE];
    rec.sub_issue = vals[PLAINT_INTAKE_T_SUB_ISSUE];
    rec.narrative = vals[PLAINT_INTAKE_T_NARRATIVE];
    rec.company = vals[PLAINT_INTAKE_T_COMPANY];
    rec.customer_ref = vals[PLAINT_INTAKE_T_CUSTOMER_REF];
    rec.customer_name = vals[PLAINT_INTAKE_T_CUSTOMER_NAME];
    rec.customer_email = vals[PLAINT_INTAKE_T_CUSTOMER_EMAIL];
    rec.order_ref = vals[PLAINT_INTAKE_T_ORDER_REF];
    rec.urgency = vals[PLAINT_INTAKE_T_URGENCY];
    rec.extras = r->extras;
    rec.extra_count = nextra;
    pos.file = r->path;
    pos.line = r->record_line;
    pos.column = 0;
    pos.column_name = NULL;
    pos.row = r->rows;
    r->good++;
    if (r->row_fn != NULL) {
        int rc = r->row_fn(&rec, &pos, r->arg, r->err);
        if (rc != 0) {
            r->stop = rc;
        }
    }
}

static void finish_record(reader *r)
{
    r->rows++;
    r->broken_pos.row = r->rows;
    if (r->broken) {
        report(r, &r->broken_pos, r->broken_msg);
        r->bad++;
    } else if (r->nfields < r->ncols) {
        char msg[MESSAGE_LEN];
        plaint_intake_pos pos;
        pos.file = r->path;
        pos.line = r->line;
        pos.column = (int64_t)r->nfields + 1;
        pos.column_name = column_name(r, r->nfields + 1);
        pos.row = r->rows;
        snprintf(msg, sizeof(msg), "too few fields: the header has %zu, this record %zu", r->ncols,
                 r->nfields);
        report(r, &pos, msg);
        r->bad++;
    } else {
        emit_record(r);
    }
}

static void record_reset(reader *r)
{
    r->nfields = 0;
    r->broken = 0;
    plaint_buf_reset(&r->rec);
    r->row_ended = 1;
    r->have_start = 0;
}

static void on_row(int c, void *data)
{
    reader *r = data;

    (void)c;
    if (!r->stop) {
        if (!r->header_done) {
            finish_header(r);
        } else {
            finish_record(r);
        }
    }
    record_reset(r);
}

/* Ends the current record as bad after libcsv refused a byte or a field grew too long, and
 * restarts the parser; the caller skips to the next line. */
static void resync(reader *r)
{
    if (r->header_done) {
        finish_record(r);
    } else if (!r->stop) {
        finish_header(r);
        if (!r->stop) {
            /* a broken header always stops; keep that invariant explicit */
            r->stop = plaint_error_set(r->err, PLAINT_EINVALID, "%s: unusable header", r->path);
        }
    }
    record_reset(r);
    parser_stop(r);
    if (!r->stop && parser_start(r) < 0) {
        r->stop = PLAINT_ENOMEM;
    }
}

/* libcsv stopped before the end of a segment. */
static void parse_failed(reader *r, unsigned char c)
{
    size_t col = r->nfields + 1;

    if (csv_error(&r->p) == CSV_EPARSE) {
        if (c == '"') {
            set_broken(r, r->line, col,
                       "quote inside an unquoted field (quote the whole field and double "
                       "the quote)");
        } else {
            set_broken(r, r->line, col,
                       "character after a closing quote (a quote inside a quoted field must "
                       "be doubled)");
        }
    } else if (csv_get_buffer_size(&r->p) + 4096 > FIELD_BUFFER_CAP) {
        set_broken(r, r->have_start ? r->field_line : r->line, col,
                   "field longer than %zu bytes (an unterminated quote?)",
                   PLAINT_INTAKE_FIELD_MAX_BYTES);
    } else {
        r->stop = plaint_error_set(r->err, PLAINT_ENOMEM, "out of memory reading %s", r->path);
        return;
    }
    resync(r);
}

static void feed(reader *r, const char *buf, size_t n)
{
    size_t i = 0;

    while (i < n && !r->stop) {
        size_t j;
        size_t end;
        size_t got;
        int ends_line;

        if (r->skipping) {
            for (j = i; j < n && buf[j] != '\n' && buf[j] != '\r'; j++) {
            }
            if (j == n) {
                r->prev_cr = 0;
                return;
            }
            r->line += breaks_line(r, buf[j]);
            i = j + 1;
            r->skipping = 0;
            continue;
        }
        for (j = i; j < n && !r->is_cut[(unsigned char)buf[j]]; j++) {
        }
        end = j < n ? j + 1 : n;
        if (end - i > 1) {
            r->prev_cr = 0; /* a CR is always a segment's last byte: the byte before is not one */
        }
        ends_line = breaks_line(r, buf[end - 1]);
        if (!r->have_start) {
            /* libcsv skips a bare CR or LF between records without a callback */
            int bare_eol = end - i == 1 && (buf[i] == '\n' || buf[i] == '\r');
            if (!(r->row_ended && bare_eol)) {
                r->have_start = 1;
                r->field_line = r->line;
            }
        }
        got = csv_parse(&r->p, buf + i, end - i, on_field, on_row, r);
        if (got < end - i && !r->stop) {
            parse_failed(r, (unsigned char)buf[i + got]);
            /* drop the rest of the line the error is on */
            r->skipping = !ends_line;
        }
        if (ends_line) {
            r->line++;
        }
        i = end;
    }
}

static int finish(reader *r)
{
    if (r->stop) {
        return r->stop;
    }
    if (csv_fini(&r->p, on_field, on_row, r) != 0 && !r->stop) {
        set_broken(r, r->have_start ? r->field_line : r->line, r->nfields + 1,
                   "unterminated quoted field: no closing quote before the end of the file");
        if (r->header_done) {
            finish_record(r);
        } else {
            finish_header(r);
        }
    }
    if (!r->stop && !r->header_done) {
        r->stop = plaint_error_set_at(r->err, PLAINT_EINVALID, NULL, 1, 0,
                                      "%s: no header row (the file is empty)", r->path);
    }
    return r->stop;
}

static int reader_init(reader *r, const plaint_mapping *m, const char *path, plaint_error *err)
{
    memset(r, 0, sizeof(*r));
    r->m = m;
    r->path = path;
    r->err = err;
    r->line = 1;
    r->row_ended = 1;
    r->is_cut[m->delimiter] = 1;
    r->is_cut['\r'] = 1;
    r->is_cut['\n'] = 1;
    r->fields = calloc(PLAINT_INTAKE_MAX_COLUMNS, sizeof(*r->fields));
    r->rule_col = calloc(m->rule_count > 0 ? m->rule_count : 1, sizeof(*r->rule_col));
    r->extras = calloc(m->extra_count > 0 ? m->extra_count : 1, sizeof(*r->extras));
    if (r->fields == NULL || r->rule_col == NULL || r->extras == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory reading %s", path);
    }
    return parser_start(r);
}

static void reader_clear(reader *r)
{
    size_t c;

    parser_stop(r);
    for (c = 0; r->header != NULL && c < r->ncols; c++) {
        free(r->header[c]);
    }
    free(r->header);
    free(r->fields);
    free(r->rule_col);
    free(r->extras);
    plaint_buf_clear(&r->rec);
}

int plaint_csv_intake_read(const plaint_mapping *m, const char *path, plaint_intake_row_fn row,
                           plaint_intake_bad_fn bad, void *arg, int64_t *rows_good,
                           int64_t *rows_bad, plaint_error *err)
{
    reader r;
    FILE *f = NULL;
    char *chunk = NULL;
    int first = 1;
    int rc;

    rc = reader_init(&r, m, path, err);
    r.row_fn = row;
    r.bad_fn = bad;
    r.arg = arg;
    if (rc < 0) {
        goto done;
    }
    chunk = malloc(CHUNK_BYTES);
    if (chunk == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory reading %s", path);
        goto done;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                              "cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    while (!r.stop) {
        size_t n = fread(chunk, 1, CHUNK_BYTES, f);
        size_t skip = 0;
        if (n == 0) {
            break;
        }
        if (first && n >= sizeof(BOM) && memcmp(chunk, BOM, sizeof(BOM)) == 0) {
            skip = sizeof(BOM);
        }
        first = 0;
        feed(&r, chunk + skip, n - skip);
    }
    if (!r.stop && ferror(f)) {
        r.stop = plaint_error_set(err, PLAINT_EIO, "cannot read %s", path);
    }
    rc = finish(&r);
done:
    if (rows_good != NULL) {
        *rows_good = r.good;
    }
    if (rows_bad != NULL) {
        *rows_bad = r.bad;
    }
    if (f != NULL) {
        fclose(f);
    }
    free(chunk);
    reader_clear(&r);
    return rc;
}
