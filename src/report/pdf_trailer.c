/* The strict reader of plaint's own PDFs: startxref, xref sections, trailer, single objects. */
#include "report/pdf_trailer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#define MAX_DEPTH 32
#define FREE_SEEN SIZE_MAX /* an xref entry marked free in a newer section */

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static int is_delim(unsigned char c)
{
    return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
           c == '}' || c == '/' || c == '%';
}

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end) {
        if (is_ws(*p)) {
            p++;
        } else if (*p == '%') {
            while (p < end && *p != '\n' && *p != '\r') {
                p++;
            }
        } else {
            break;
        }
    }
    return p;
}

/* End of a run of regular characters (a name's body, a number, a keyword). */
static const unsigned char *regular_end(const unsigned char *p, const unsigned char *end)
{
    while (p < end && !is_ws(*p) && !is_delim(*p)) {
        p++;
    }
    return p;
}

static int is_uint_token(const unsigned char *p, const unsigned char *e)
{
    if (p == e) {
        return 0;
    }
    for (; p < e; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }
    }
    return 1;
}

static const unsigned char *value_end(const unsigned char *p, const unsigned char *end, int depth);

static const unsigned char *dict_end(const unsigned char *p, const unsigned char *end, int depth)
{
    p += 2;
    for (;;) {
        p = skip_ws(p, end);
        if (p + 1 < end && p[0] == '>' && p[1] == '>') {
            return p + 2;
        }
        if (p >= end || *p != '/') {
            return NULL;
        }
        p = regular_end(p + 1, end);
        p = value_end(p, end, depth + 1);
        if (p == NULL) {
            return NULL;
        }
    }
}

static const unsigned char *literal_end(const unsigned char *p, const unsigned char *end)
{
    int nest = 0;

    for (; p < end; p++) {
        if (*p == '\\') {
            p++;
        } else if (*p == '(') {
            nest++;
        } else if (*p == ')') {
            nest--;
            if (nest == 0) {
                return p + 1;
            }
        }
    }
    return NULL;
}

/* After the value that starts at p (whitespace first skipped); NULL when malformed. */
static const unsigned char *value_end(const unsigned char *p, const unsigned char *end, int depth)
{
    const unsigned char *e;

    if (depth > MAX_DEPTH) {
        return NULL;
    }
    p = skip_ws(p, end);
    if (p >= end) {
        return NULL;
    }
    if (*p == '<' && p + 1 < end && p[1] == '<') {
        return dict_end(p, end, depth);
    }
    if (*p == '<') {
        for (p++; p < end && *p != '>'; p++) {
            if (!is_ws(*p) && strchr("0123456789abcdefABCDEF", *p) == NULL) {
                return NULL;
            }
        }
        return p < end ? p + 1 : NULL;
    }
    if (*p == '(') {
        return literal_end(p, end);
    }
    if (*p == '[') {
        p++;
        for (;;) {
            p = skip_ws(p, end);
            if (p < end && *p == ']') {
                return p + 1;
            }
            p = value_end(p, end, depth + 1);
            if (p == NULL) {
                return NULL;
            }
        }
    }
    if (*p == '/') {
        return regular_end(p + 1, end);
    }
    if (is_delim(*p)) {
        return NULL;
    }
    e = regular_end(p, end);
    /* "N G R": a reference is one value */
    if (is_uint_token(p, e)) {
        const unsigned char *g = skip_ws(e, end);
        const unsigned char *ge = regular_end(g, end);
        if (g > e && is_uint_token(g, ge)) {
            const unsigned char *r = skip_ws(ge, end);
            if (r > ge && r < end && *r == 'R' && (r + 1 == end || is_ws(r[1]) || is_delim(r[1]))) {
                return r + 1;
            }
        }
    }
    return e;
}

plaint_pdf_span plaint_pdf_value_at(const unsigned char *p, const unsigned char *end)
{
    plaint_pdf_span s = {NULL, 0};
    const unsigned char *start = skip_ws(p, end);
    const unsigned char *e = value_end(start, end, 0);

    if (e != NULL && e > start) {
        s.p = start;
        s.len = (size_t)(e - start);
    }
    return s;
}

/* Parses an unsigned decimal of at most 19 digits at p; returns the end or NULL. */
static const unsigned char *parse_u64(uint64_t *out, const unsigned char *p,
                                      const unsigned char *end)
{
    const unsigned char *s = p;
    uint64_t v = 0;

    while (p < end && *p >= '0' && *p <= '9' && p - s < 19) {
        v = v * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (p == s || (p < end && *p >= '0' && *p <= '9')) {
        return NULL;
    }
    *out = v;
    return p;
}

static int starts(const unsigned char *p, const unsigned char *end, const char *word)
{
    size_t n = strlen(word);

    return (size_t)(end - p) >= n && memcmp(p, word, n) == 0;
}

int plaint_pdf_dict_get(plaint_pdf_span *out, plaint_pdf_span dict, const char *key)
{
    const unsigned char *p = dict.p;
    const unsigned char *end;
    size_t klen = strlen(key);

    if (dict.p == NULL || dict.len < 4 || p[0] != '<' || p[1] != '<') {
        return PLAINT_EINVALID;
    }
    end = dict.p + dict.len;
    p += 2;
    for (;;) {
        const unsigned char *k;
        const unsigned char *ke;
        const unsigned char *ve;
        p = skip_ws(p, end);
        if (p + 1 < end && p[0] == '>' && p[1] == '>') {
            return 0;
        }
        if (p >= end || *p != '/') {
            return PLAINT_EINVALID;
        }
        k = p + 1;
        ke = regular_end(k, end);
        p = skip_ws(ke, end);
        ve = value_end(p, end, 1);
        if (ve == NULL) {
            return PLAINT_EINVALID;
        }
        if ((size_t)(ke - k) == klen && memcmp(k, key, klen) == 0) {
            out->p = p;
            out->len = (size_t)(ve - p);
            return 1;
        }
        p = ve;
    }
}

int plaint_pdf_array_item(plaint_pdf_span *out, plaint_pdf_span array, size_t index)
{
    const unsigned char *p = array.p;
    const unsigned char *end;
    size_t i = 0;

    if (array.p == NULL || array.len < 2 || p[0] != '[') {
        return PLAINT_EINVALID;
    }
    end = array.p + array.len;
    p++;
    for (;;) {
        const unsigned char *ve;
        p = skip_ws(p, end);
        if (p < end && *p == ']') {
            return 0;
        }
        ve = value_end(p, end, 1);
        if (ve == NULL) {
            return PLAINT_EINVALID;
        }
        if (i == index) {
            out->p = p;
            out->len = (size_t)(ve - p);
            return 1;
        }
        i++;
        p = ve;
    }
}

int plaint_pdf_as_ref(uint32_t *num, plaint_pdf_span v)
{
    const unsigned char *end;
    const unsigned char *p;
    uint64_t n = 0;
    uint64_t g = 0;

    if (v.p == NULL) {
        return PLAINT_EINVALID;
    }
    end = v.p + v.len;
    p = parse_u64(&n, v.p, end);
    if (p == NULL || n == 0 || n > PLAINT_PDF_MAX_OBJECTS) {
        return PLAINT_EINVALID;
    }
    p = parse_u64(&g, skip_ws(p, end), end);
    if (p == NULL || g != 0) {
        return PLAINT_EINVALID;
    }
    p = skip_ws(p, end);
    if (p + 1 != end || *p != 'R') {
        return PLAINT_EINVALID;
    }
    *num = (uint32_t)n;
    return 0;
}

int plaint_pdf_as_int(int64_t *out, plaint_pdf_span v)
{
    const unsigned char *p = v.p;
    const unsigned char *end;
    uint64_t u = 0;
    int neg = 0;

    if (p == NULL || v.len == 0) {
        return PLAINT_EINVALID;
    }
    end = v.p + v.len;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    p = parse_u64(&u, p, end);
    if (p != end || u > (uint64_t)INT64_MAX) {
        return PLAINT_EINVALID;
    }
    *out = neg ? -(int64_t)u : (int64_t)u;
    return 0;
}

int plaint_pdf_is_name(plaint_pdf_span v, const char *name)
{
    size_t n = strlen(name);

    return v.p != NULL && v.len == n + 1 && v.p[0] == '/' && memcmp(v.p + 1, name, n) == 0;
}

int plaint_pdf_as_text(char *out, size_t cap, plaint_pdf_span v)
{
    const unsigned char *p = v.p;
    const unsigned char *end;
    size_t o = 0;

    if (p == NULL || v.len < 2 || p[0] != '(' || p[v.len - 1] != ')' || cap == 0) {
        return PLAINT_EINVALID;
    }
    end = v.p + v.len;
    for (p++, end--; p < end; p++) {
        unsigned c = *p;
        if (c == '\\') {
            p++;
            if (p >= end) {
                return PLAINT_EINVALID;
            }
            switch (*p) {
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case '\r':
            case '\n':
                continue; /* a line continuation */
            default:
                if (*p >= '0' && *p <= '7') {
                    c = 0;
                    for (int k = 0; k < 3 && p < end && *p >= '0' && *p <= '7'; k++, p++) {
                        c = c * 8 + (unsigned)(*p - '0');
                    }
                    p--;
                    c &= 0xFF;
                } else {
                    c = *p;
                }
            }
        }
        if (c == 0 || o + 1 >= cap) {
            return PLAINT_EINVALID;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

/* ---- the xref structure ------------------------------------------------------------------- */

static int bad(plaint_error *err, size_t at, const char *what)
{
    return plaint_error_set_at(err, PLAINT_EINVALID, "pdf", 0, at + 1,
                               "not a PDF as plaint writes it: %s (byte %zu)", what, at + 1);
}

/* Finds "startxref N %%EOF" at the end of the file. */
static int read_startxref(size_t *out, const unsigned char *d, size_t len, plaint_error *err)
{
    size_t from = len > 1024 ? len - 1024 : 0;
    const unsigned char *end = d + len;
    const unsigned char *p = NULL;
    uint64_t v = 0;

    for (size_t i = len - 9;; i--) {
        if (memcmp(d + i, "startxref", 9) == 0) {
            p = d + i + 9;
            break;
        }
        if (i == from) {
            break;
        }
    }
    if (p == NULL) {
        return bad(err, len, "no startxref at the end");
    }
    p = skip_ws(p, end);
    p = parse_u64(&v, p, end);
    if (p == NULL || v >= len) {
        return bad(err, len, "startxref is not an offset in the file");
    }
    while (p < end && is_ws(*p)) {
        p++;
    }
    if (!starts(p, end, "%%EOF")) {
        return bad(err, (size_t)(p - d), "startxref is not followed by %%EOF");
    }
    for (p += 5; p < end; p++) {
        if (*p != '\r' && *p != '\n') {
            return bad(err, (size_t)(p - d), "bytes after %%EOF");
        }
    }
    *out = (size_t)v;
    return 0;
}

/* The classic xref section at off: entries into f->offsets (older sections do not override
 * newer ones), the trailer dictionary into *trailer. */
static int read_section(plaint_pdf_file *f, size_t off, plaint_pdf_span *trailer, plaint_error *err)
{
    const unsigned char *d = f->data;
    const unsigned char *end = d + f->len;
    const unsigned char *p = d + off;

    if (!starts(p, end, "xref")) {
        return bad(err, off, "no xref table at startxref (xref streams are not supported)");
    }
    p = skip_ws(p + 4, end);
    while (!starts(p, end, "trailer")) {
        uint64_t first = 0;
        uint64_t count = 0;
        p = parse_u64(&first, p, end);
        if (p != NULL) {
            p = parse_u64(&count, skip_ws(p, end), end);
        }
        if (p == NULL || first > PLAINT_PDF_MAX_OBJECTS || count > PLAINT_PDF_MAX_OBJECTS ||
            first + count > PLAINT_PDF_MAX_OBJECTS) {
            return bad(err, (size_t)(p != NULL ? p - d : (ptrdiff_t)off),
                       "bad xref subsection header");
        }
        while (p < end && (*p == ' ' || *p == '\r' || *p == '\n')) {
            p++;
        }
        if ((size_t)(end - p) / 20 < count) {
            return bad(err, (size_t)(p - d), "xref subsection runs past the end");
        }
        for (uint64_t i = 0; i < count; i++, p += 20) {
            uint64_t o = 0;
            uint64_t g = 0;
            uint64_t num = first + i;
            if (parse_u64(&o, p, p + 10) != p + 10 || p[10] != ' ' ||
                parse_u64(&g, p + 11, p + 16) != p + 16 || p[16] != ' ' ||
                (p[17] != 'n' && p[17] != 'f') || !is_ws(p[18]) || !is_ws(p[19])) {
                return bad(err, (size_t)(p - d), "malformed xref entry");
            }
            if (num >= f->size) {
                return bad(err, (size_t)(p - d), "xref entry beyond the trailer's /Size");
            }
            if (f->offsets[num] != 0) {
                continue; /* a newer section already said */
            }
            if (p[17] == 'f') {
                f->offsets[num] = FREE_SEEN;
                continue;
            }
            if (g != 0 || o == 0 || o >= f->len) {
                return bad(err, (size_t)(p - d), "xref entry is not a generation-0 offset");
            }
            f->offsets[num] = (size_t)o;
        }
        p = skip_ws(p, end);
    }
    p = skip_ws(p + 7, end);
    *trailer = plaint_pdf_value_at(p, end);
    if (trailer->p == NULL || trailer->p[0] != '<') {
        return bad(err, (size_t)(p - d), "no trailer dictionary");
    }
    return 0;
}

int plaint_pdf_file_open(plaint_pdf_file *f, const unsigned char *data, size_t len,
                         plaint_error *err)
{
    plaint_pdf_span v;
    size_t off;
    int64_t n = 0;
    int rc;

    memset(f, 0, sizeof(*f));
    f->data = data;
    f->len = len;
    if (len < 16 || memcmp(data, "%PDF-1.", 7) != 0) {
        return bad(err, 0, "no %PDF-1.x header");
    }
    rc = read_startxref(&f->startxref, data, len, err);
    if (rc < 0) {
        return rc;
    }
    off = f->startxref;
    for (;;) {
        plaint_pdf_span trailer;
        plaint_pdf_span prev;
        int64_t prev_off = 0;
        if (f->sections == PLAINT_PDF_MAX_SECTIONS) {
            return bad(err, off, "too many xref sections");
        }
        if (f->sections == 0) {
            /* /Size of the newest trailer sizes the table: read it first */
            const unsigned char *t = data + off;
            const unsigned char *tr = NULL;
            for (; t + 7 <= data + len; t++) {
                if (memcmp(t, "trailer", 7) == 0) {
                    tr = t + 7;
                    break;
                }
            }
            if (tr == NULL) {
                return bad(err, off, "no trailer after the xref table");
            }
            f->trailer = plaint_pdf_value_at(tr, data + len);
            if (plaint_pdf_dict_get(&v, f->trailer, "Size") != 1 || plaint_pdf_as_int(&n, v) < 0 ||
                n < 1 || n > (int64_t)PLAINT_PDF_MAX_OBJECTS) {
                return bad(err, off, "the trailer has no valid /Size");
            }
            f->size = (size_t)n;
            f->offsets = calloc(f->size, sizeof(*f->offsets));
            if (f->offsets == NULL) {
                return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
            }
        }
        rc = read_section(f, off, &trailer, err);
        if (rc < 0) {
            return rc;
        }
        f->sections++;
        rc = plaint_pdf_dict_get(&prev, trailer, "Prev");
        if (rc < 0) {
            return bad(err, (size_t)(trailer.p - data), "malformed trailer");
        }
        if (rc == 0) {
            break;
        }
        /* Sections are appended: each older one lies before the newer (this also ends loops). */
        if (plaint_pdf_as_int(&prev_off, prev) < 0 || prev_off <= 0 || (size_t)prev_off >= off) {
            return bad(err, (size_t)(prev.p - data), "/Prev does not point back into the file");
        }
        off = (size_t)prev_off;
    }
    if (plaint_pdf_dict_get(&v, f->trailer, "Root") != 1 || plaint_pdf_as_ref(&f->root, v) < 0 ||
        f->root >= f->size) {
        return bad(err, (size_t)(f->trailer.p - data), "the trailer has no valid /Root");
    }
    rc = plaint_pdf_dict_get(&v, f->trailer, "Info");
    if (rc == 1 && (plaint_pdf_as_ref(&f->info, v) < 0 || f->info >= f->size)) {
        return bad(err, (size_t)(f->trailer.p - data), "the trailer's /Info is not a reference");
    }
    return 0;
}

void plaint_pdf_file_close(plaint_pdf_file *f)
{
    free(f->offsets);
    f->offsets = NULL;
}

int plaint_pdf_object(plaint_pdf_span *out, const plaint_pdf_file *f, uint32_t num,
                      plaint_error *err)
{
    const unsigned char *end = f->data + f->len;
    const unsigned char *p;
    uint64_t n = 0;
    uint64_t g = 0;
    size_t off;

    if (num == 0 || num >= f->size || f->offsets[num] == 0 || f->offsets[num] == FREE_SEEN) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "pdf", 0, 0,
                                   "object %" PRIu32 " is not in the file", num);
    }
    off = f->offsets[num];
    p = parse_u64(&n, f->data + off, end);
    if (p != NULL) {
        p = parse_u64(&g, skip_ws(p, end), end);
    }
    if (p == NULL || n != num || g != 0) {
        return bad(err, off, "the xref offset does not point at its object");
    }
    p = skip_ws(p, end);
    if (!starts(p, end, "obj")) {
        return bad(err, (size_t)(p - f->data), "expected 'obj'");
    }
    *out = plaint_pdf_value_at(p + 3, end);
    if (out->p == NULL) {
        return bad(err, (size_t)(p - f->data), "malformed object");
    }
    p = skip_ws(out->p + out->len, end);
    if (!starts(p, end, "endobj") && !starts(p, end, "stream")) {
        return bad(err, (size_t)(p - f->data), "expected 'endobj'");
    }
    return 0;
}

int plaint_pdf_resolve(plaint_pdf_span *out, const plaint_pdf_file *f, plaint_pdf_span v,
                       plaint_error *err)
{
    uint32_t num = 0;

    if (plaint_pdf_as_ref(&num, v) == 0) {
        return plaint_pdf_object(out, f, num, err);
    }
    *out = v;
    return 0;
}

int plaint_pdf_set_file_id(plaint_buf *out, const unsigned char *pdf, size_t len, plaint_error *err)
{
    plaint_pdf_file f;
    plaint_pdf_span v;
    unsigned char md[SHA256_DIGEST_LENGTH];
    size_t at;
    int rc = plaint_pdf_file_open(&f, pdf, len, err);

    if (rc == 0 && (f.sections != 1 || plaint_pdf_dict_get(&v, f.trailer, "ID") != 0)) {
        rc = bad(err, f.startxref, "expected one xref section and no /ID");
    }
    if (rc < 0) {
        plaint_pdf_file_close(&f);
        return rc;
    }
    at = (size_t)(f.trailer.p - pdf) + 2;
    plaint_pdf_file_close(&f);
    SHA256(pdf, len, md);
    plaint_buf_reset(out);
    rc = plaint_buf_append(out, pdf, at, err);
    if (rc == 0) {
        rc = plaint_buf_append_str(out, "\n/ID [<", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_hex(out, md, 16, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, "> <", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_hex(out, md, 16, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append_str(out, ">]", err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, pdf + at, len - at, err);
    }
    return rc;
}

int plaint_pdf_read_checkpoint(int64_t *tree_size, char root_hex[65], const unsigned char *pdf,
                               size_t len, plaint_error *err)
{
    plaint_pdf_file f;
    plaint_pdf_span info;
    plaint_pdf_span v;
    char text[128];
    char *colon;
    char *end = NULL;
    long long size;
    int rc = plaint_pdf_file_open(&f, pdf, len, err);

    if (rc == 0 && f.info == 0) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND, "the PDF has no document information");
    }
    if (rc == 0) {
        rc = plaint_pdf_object(&info, &f, f.info, err);
    }
    if (rc == 0) {
        rc = plaint_pdf_dict_get(&v, info, "PlaintCheckpoint");
        if (rc == 0) {
            rc = plaint_error_set(err, PLAINT_ENOTFOUND,
                                  "the PDF names no ledger checkpoint (/PlaintCheckpoint)");
        } else if (rc == 1) {
            rc = 0;
        } else {
            rc = bad(err, (size_t)(info.p - pdf), "malformed information dictionary");
        }
    }
    if (rc == 0 && plaint_pdf_as_text(text, sizeof(text), v) < 0) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "PlaintCheckpoint", 0, 0,
                                 "the checkpoint is not a plain string");
    }
    if (rc == 0) {
        colon = strchr(text, ':');
        if (colon != NULL) {
            *colon = '\0';
            size = strtoll(text, &end, 10);
        }
        if (colon == NULL || end == text || *end != '\0' || text[0] == '-' || size < 0 ||
            strlen(colon + 1) != 64 || strspn(colon + 1, "0123456789abcdef") != 64) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "PlaintCheckpoint", 0, 0,
                                     "the checkpoint is not SIZE:ROOTHEX");
        } else {
            *tree_size = size;
            memcpy(root_hex, colon + 1, 65);
        }
    }
    plaint_pdf_file_close(&f);
    return rc;
}
