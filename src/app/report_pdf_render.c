/* Lays out the four PDF reports from their data (JSON as the store returns it) with the PDF
 * document builder: headings, key/value figures, tables, charts, and the checkpoint in every
 * footer. No database and no clock: the same data and checkpoint give the same bytes. Figure
 * definitions: docs/reports-pdf-content.md. */
#include "plaint/app_report_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/money.h"
#include "report/pdf_doc.h"

#define AUTHOR   "plaint"
#define CELL_MAX 1200 /* bytes of one payload value in the timeline before it is cut */

/* A document being written: calls after the first failure do nothing and keep its code. */
typedef struct doc {
    plaint_pdf_doc *d;
    int rc;
    plaint_error *err;
    /* the metadata strings live as long as the document (the builder may keep pointers) */
    char title[160];
    char subject[160];
    char footer[160];
} doc;

static void heading(doc *w, const char *s)
{
    if (w->rc == 0) {
        w->rc = plaint_pdf_heading(w->d, s, w->err);
    }
}

static void para(doc *w, const char *s)
{
    if (w->rc == 0) {
        w->rc = plaint_pdf_paragraph(w->d, s, w->err);
    }
}

static void kv(doc *w, const char *k, const char *v)
{
    if (w->rc == 0) {
        w->rc = plaint_pdf_keyvalue(w->d, k, v, w->err);
    }
}

static void table_begin(doc *w, size_t ncols, const char *const *header, const unsigned *widths,
                        const char *align)
{
    if (w->rc == 0) {
        w->rc = plaint_pdf_table_begin(w->d, ncols, header, widths, align, w->err);
    }
}

static void row(doc *w, const char *const *cells)
{
    if (w->rc == 0) {
        w->rc = plaint_pdf_table_row(w->d, cells, w->err);
    }
}

static void table_end(doc *w)
{
    if (w->rc == 0) {
        w->rc = plaint_pdf_table_end(w->d, w->err);
    }
}

static void bars(doc *w, const char *caption, size_t n, const char *const *labels,
                 const int64_t *values)
{
    if (w->rc == 0) {
        w->rc = plaint_pdf_bar_chart(w->d, caption, n, labels, values, w->err);
    }
}

/* ---- small text helpers ---- */

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

static int64_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* An instant field: the time, or "-" when null. */
static char *time_of(char *out, size_t n, const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);

    if (!json_is_integer(v)) {
        snprintf(out, n, "-");
        return out;
    }
    return plaint_rpt_fmt_time(out, n, json_integer_value(v));
}

static char *count_of(char *out, size_t n, int64_t v)
{
    return plaint_rpt_fmt_count(out, n, v);
}

/* "k of n (12.3%)", or "none of 0 (n/a)". */
static char *share(char *out, size_t n, int64_t k, int64_t of)
{
    char a[48];
    char b[48];
    char p[48];

    if (of == 0) {
        snprintf(out, n, "0 of 0 (n/a)");
        return out;
    }
    snprintf(out, n, "%s of %s (%s)", count_of(a, sizeof(a), k), count_of(b, sizeof(b), of),
             plaint_rpt_fmt_permille(p, sizeof(p), plaint_rpt_permille(k, of)));
    return out;
}

/* "3 d 04:05:06 (273,906 s)" for twice a number of seconds. */
static char *duration(char *out, size_t n, int64_t twice)
{
    char d[64];
    char s[48];

    snprintf(out, n, "%s (%s%s s)", plaint_rpt_fmt_duration2(d, sizeof(d), twice),
             count_of(s, sizeof(s), twice / 2), twice % 2 != 0 ? ".5" : "");
    return out;
}

static char *money(char *out, size_t n, int64_t minor, const char *currency)
{
    char m[64];

    if (plaint_currency_exponent(currency) < 0 ||
        plaint_money_format(m, sizeof(m), minor, currency) != 0) {
        snprintf(out, n, "%lld (minor units) %s", (long long)minor, currency);
        return out;
    }
    snprintf(out, n, "%s %s", currency, m);
    return out;
}

/* Copies s into b with control characters as spaces, cut after max bytes at a character
 * boundary (with a note of what was cut). */
static int clean(plaint_buf *b, const char *s, size_t max, plaint_error *err)
{
    size_t len = strlen(s);
    size_t keep = len;
    size_t i;
    int rc = 0;

    if (keep > max) {
        keep = max;
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) {
            keep--;
        }
    }
    for (i = 0; rc == 0 && i < keep; i++) {
        unsigned char c = (unsigned char)s[i];

        rc = plaint_buf_append_byte(b, c < 0x20 || c == 0x7F ? ' ' : c, err);
    }
    if (rc == 0 && keep < len) {
        rc = plaint_buf_printf(b, err, " [... %zu more bytes]", len - keep);
    }
    return rc;
}

static int doc_open(doc *w, plaint_pdf_doc **d, const plaint_report_pdf_ctx *c, const char *title,
                    const char *subject, plaint_error *err)
{
    plaint_pdf_meta meta;

    w->d = NULL;
    w->rc = 0;
    w->err = err;
    snprintf(w->title, sizeof(w->title), "%s", title);
    snprintf(w->subject, sizeof(w->subject), "%s", subject);
    snprintf(w->footer, sizeof(w->footer), "ledger checkpoint %lld: tree size %lld, root %.16s",
             (long long)c->cp_seq, (long long)c->cp_tree_size,
             c->cp_root_hex != NULL ? c->cp_root_hex : "");
    memset(&meta, 0, sizeof(meta));
    meta.title = w->title;
    meta.subject = w->subject;
    meta.author = AUTHOR;
    meta.footer = w->footer;
    meta.as_of = c->cp_time;
    meta.font_path = c->font_path;
    w->rc = plaint_pdf_doc_new(d, &meta, err);
    w->d = *d;
    if (w->rc == 0) {
        /* where plaint report verify --ledger finds the checkpoint */
        w->rc = plaint_pdf_set_checkpoint(*d, c->cp_tree_size, c->cp_root_hex, err);
    }
    return w->rc;
}

/* The opening paragraph: period and checkpoint. */
static void preamble(doc *w, const plaint_report_pdf_ctx *c, int with_period)
{
    char from[48];
    char to[48];
    char at[48];
    char size[48];
    char text[512];

    plaint_rpt_fmt_time(at, sizeof(at), c->cp_time);
    count_of(size, sizeof(size), c->cp_tree_size);
    if (with_period) {
        plaint_rpt_fmt_time(from, sizeof(from), c->period_from);
        plaint_rpt_fmt_time(to, sizeof(to), c->period_to);
        snprintf(text, sizeof(text), "Period %s: from %s up to (not including) %s.",
                 c->period_label != NULL ? c->period_label : "", from, to);
        para(w, text);
    }
    snprintf(text, sizeof(text),
             "Computed at ledger checkpoint %lld of %s (tree size %s, root hash %s). Every "
             "figure can be recomputed from the events this checkpoint covers.",
             (long long)c->cp_seq, at, size, c->cp_root_hex != NULL ? c->cp_root_hex : "");
    para(w, text);
}

static int doc_finish(doc *w, plaint_buf *out)
{
    if (w->rc == 0) {
        w->rc = plaint_pdf_doc_finish(w->d, out, w->err);
    }
    plaint_pdf_doc_free(w->d);
    w->d = NULL;
    return w->rc;
}

/* ---- resolution figures (weekly, monthly) ---- */

typedef struct res_stats {
    int64_t n;
    int64_t mean;    /* seconds */
    int64_t median2; /* twice the median, seconds */
    int64_t final_met, final_with;
    int64_t first_met, first_with;
    int64_t sat[6]; /* [0]: no score; [1..5] */
    int64_t sat_sum;
    int64_t buckets[PLAINT_RPT_BUCKETS];
} res_stats;

static int resolution_stats(res_stats *s, const json_t *resolved, plaint_error *err)
{
    size_t n = json_array_size(resolved);
    int64_t *secs = NULL;
    const json_t *r;
    size_t i;
    int rc = 0;

    memset(s, 0, sizeof(*s));
    if (n == 0) {
        return 0;
    }
    secs = calloc(n, sizeof(*secs));
    if (secs == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    json_array_foreach(resolved, i, r)
    {
        const json_t *fm = json_object_get(r, "final_met");
        const json_t *rm = json_object_get(r, "first_met");
        const json_t *sat = json_object_get(r, "satisfaction");

        secs[i] = num(r, "seconds");
        s->buckets[plaint_rpt_bucket(secs[i])]++;
        if (json_is_boolean(fm)) {
            s->final_with++;
            s->final_met += json_is_true(fm) ? 1 : 0;
        }
        if (json_is_boolean(rm)) {
            s->first_with++;
            s->first_met += json_is_true(rm) ? 1 : 0;
        }
        if (json_is_integer(sat) && json_integer_value(sat) >= 1 && json_integer_value(sat) <= 5) {
            s->sat[json_integer_value(sat)]++;
            s->sat_sum += json_integer_value(sat);
        } else {
            s->sat[0]++;
        }
    }
    s->n = (int64_t)n;
    rc = plaint_rpt_mean(&s->mean, secs, n, err);
    if (rc == 0) {
        rc = plaint_rpt_median2(&s->median2, secs, n, err);
    }
    free(secs);
    return rc;
}

/* The resolution figures as key/value lines. */
static void resolution_figures(doc *w, const res_stats *s)
{
    char a[128];
    int64_t scored = s->n - s->sat[0];

    kv(w, "Complaints resolved", count_of(a, sizeof(a), s->n));
    kv(w, "Average resolution time", s->n > 0 ? duration(a, sizeof(a), 2 * s->mean) : "n/a");
    kv(w, "Median resolution time", s->n > 0 ? duration(a, sizeof(a), s->median2) : "n/a");
    kv(w, "Within final-response target", share(a, sizeof(a), s->final_met, s->final_with));
    kv(w, "First response within its target", share(a, sizeof(a), s->first_met, s->first_with));
    if (scored > 0) {
        char b[48];
        int64_t tenths = plaint_div_round_half_even(s->sat_sum * 10, scored);

        snprintf(a, sizeof(a), "%lld.%lld of 5 (%s scored)", (long long)(tenths / 10),
                 (long long)(tenths % 10), count_of(b, sizeof(b), scored));
        kv(w, "Average satisfaction score", a);
    } else {
        kv(w, "Average satisfaction score", "n/a (no scores)");
    }
}

static void distribution(doc *w, const res_stats *s, const char *caption)
{
    static const char *const H[] = {"Resolution time", "Complaints", "Share"};
    static const unsigned W[] = {3, 2, 2};
    const char *labels[PLAINT_RPT_BUCKETS];
    char a[48];
    char b[48];
    size_t i;

    for (i = 0; i < PLAINT_RPT_BUCKETS; i++) {
        labels[i] = plaint_rpt_bucket_label(i);
    }
    bars(w, caption, PLAINT_RPT_BUCKETS, labels, s->buckets);
    table_begin(w, 3, H, W, "lrr");
    for (i = 0; i < PLAINT_RPT_BUCKETS; i++) {
        const char *cells[3] = {
            labels[i], count_of(a, sizeof(a), s->buckets[i]),
            plaint_rpt_fmt_permille(b, sizeof(b), plaint_rpt_permille(s->buckets[i], s->n))};
        row(w, cells);
    }
    table_end(w);
}

static void satisfaction(doc *w, const res_stats *s)
{
    static const char *const H[] = {"Score", "Complaints", "Share"};
    static const unsigned W[] = {3, 2, 2};
    static const char *const L[] = {"5 (best)", "4", "3", "2", "1 (worst)", "no score"};
    static const int IDX[] = {5, 4, 3, 2, 1, 0};
    int64_t v[6];
    char a[48];
    char b[48];
    size_t i;

    for (i = 0; i < 6; i++) {
        v[i] = s->sat[IDX[i]];
    }
    bars(w, "Satisfaction scores of the complaints resolved", 6, L, v);
    table_begin(w, 3, H, W, "lrr");
    for (i = 0; i < 6; i++) {
        const char *cells[3] = {
            L[i], count_of(a, sizeof(a), v[i]),
            plaint_rpt_fmt_permille(b, sizeof(b), plaint_rpt_permille(v[i], s->n))};
        row(w, cells);
    }
    table_end(w);
}

static void resolved_table(doc *w, const json_t *resolved)
{
    static const char *const H[] = {"Reference",  "Category",   "Received",    "Resolved",
                                    "Time taken", "Target met", "Satisfaction"};
    static const unsigned W[] = {7, 9, 6, 6, 6, 3, 3};
    const json_t *r;
    size_t i;

    table_begin(w, 7, H, W, "lllllll");
    json_array_foreach(resolved, i, r)
    {
        char rec[48];
        char res[48];
        char took[64];
        char sat[8];
        const json_t *fm = json_object_get(r, "final_met");
        const json_t *sv = json_object_get(r, "satisfaction");
        const char *cells[7];

        snprintf(sat, sizeof(sat), "%s", json_is_integer(sv) ? "" : "-");
        if (json_is_integer(sv)) {
            snprintf(sat, sizeof(sat), "%lld", (long long)json_integer_value(sv));
        }
        cells[0] = str(r, "ref");
        cells[1] = str(r, "category");
        cells[2] = time_of(rec, sizeof(rec), r, "received_at");
        cells[3] = time_of(res, sizeof(res), r, "resolved_at");
        cells[4] = plaint_rpt_fmt_duration2(took, sizeof(took), 2 * num(r, "seconds"));
        cells[5] = json_is_boolean(fm) ? (json_is_true(fm) ? "yes" : "no") : "no target";
        cells[6] = sat;
        row(w, cells);
    }
    table_end(w);
}

/* ---- weekly ---- */

int plaint_report_pdf_render_weekly(plaint_buf *out, const plaint_report_pdf_ctx *c,
                                    const json_t *data, plaint_error *err)
{
    plaint_pdf_doc *d = NULL;
    res_stats s;
    doc w;
    char title[128];
    char subject[128];
    int rc;

    if (!json_is_array(data)) {
        return plaint_error_set(err, PLAINT_EINVALID, "weekly report: no resolved complaints");
    }
    rc = resolution_stats(&s, data, err);
    if (rc < 0) {
        return rc;
    }
    snprintf(title, sizeof(title), "Weekly complaints summary %s", c->period_label);
    snprintf(subject, sizeof(subject), "Weekly summary %s", c->period_label);
    if (doc_open(&w, &d, c, title, subject, err) < 0) {
        plaint_pdf_doc_free(d);
        return w.rc;
    }
    preamble(&w, c, 1);
    heading(&w, "Summary");
    resolution_figures(&w, &s);
    heading(&w, "Satisfaction scores");
    satisfaction(&w, &s);
    heading(&w, "Resolution-time distribution");
    distribution(&w, &s, "Complaints resolved this week by time taken");
    heading(&w, "Resolved complaints");
    if (s.n == 0) {
        para(&w, "No complaint was resolved in this period.");
    } else {
        resolved_table(&w, data);
    }
    return doc_finish(&w, out);
}

/* ---- monthly ---- */

static void count_table(doc *w, const char *what, const json_t *list, int64_t total)
{
    const char *h[3] = {what, "Complaints", "Share"};
    static const unsigned W[] = {8, 2, 2};
    const json_t *e;
    char a[48];
    char b[48];
    size_t i;

    table_begin(w, 3, h, W, "lrr");
    json_array_foreach(list, i, e)
    {
        const char *cells[3] = {
            str(e, "name"), count_of(a, sizeof(a), num(e, "n")),
            plaint_rpt_fmt_permille(b, sizeof(b), plaint_rpt_permille(num(e, "n"), total))};
        row(w, cells);
    }
    {
        const char *cells[3] = {"Total", count_of(a, sizeof(a), total),
                                total > 0 ? "100.0%" : "n/a"};
        row(w, cells);
    }
    table_end(w);
}

static int count_chart(doc *w, const char *caption, const json_t *list, plaint_error *err)
{
    size_t n = json_array_size(list);
    const char **labels;
    int64_t *values;
    const json_t *e;
    size_t i;

    if (n == 0 || w->rc != 0) {
        return w->rc;
    }
    labels = calloc(n, sizeof(*labels));
    values = calloc(n, sizeof(*values));
    if (labels == NULL || values == NULL) {
        free(labels);
        free(values);
        return w->rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    json_array_foreach(list, i, e)
    {
        labels[i] = str(e, "name");
        values[i] = num(e, "n");
    }
    bars(w, caption, n, labels, values);
    free(labels);
    free(values);
    return w->rc;
}

#define SERIES_TOP 6 /* categories drawn on their own; the rest are summed as "Other" */

/* The stacked chart of volume by category over the trailing months: the SERIES_TOP categories
 * with most complaints over the whole window (ties by name) and "Other", and a table of the
 * monthly totals. */
static int series(doc *w, const json_t *rows, const json_t *months, plaint_error *err)
{
    static const char *const H[] = {"Month", "Complaints received"};
    static const unsigned W[] = {3, 3};
    size_t nb = json_array_size(months);
    size_t nnames = 0;
    size_t ns;
    const char **names = NULL;
    int64_t *totals = NULL;
    int64_t *values = NULL;
    const char **labels = NULL;
    const char *top[SERIES_TOP + 1];
    const json_t *e;
    size_t i;
    size_t j;
    int other = 0;

    if (w->rc != 0 || nb == 0) {
        return w->rc;
    }
    names = calloc(json_array_size(rows) + 1, sizeof(*names));
    totals = calloc(json_array_size(rows) + 1, sizeof(*totals));
    labels = calloc(nb, sizeof(*labels));
    values = calloc((SERIES_TOP + 1) * nb, sizeof(*values));
    if (names == NULL || totals == NULL || labels == NULL || values == NULL) {
        w->rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        goto done;
    }
    /* rows are ordered by category: one total per category */
    json_array_foreach(rows, i, e)
    {
        if (nnames == 0 || strcmp(names[nnames - 1], str(e, "category")) != 0) {
            names[nnames++] = str(e, "category");
        }
        totals[nnames - 1] += num(e, "n");
    }
    /* pick the top categories: most complaints, then name (selection, stable) */
    ns = 0;
    while (ns < SERIES_TOP && ns < nnames) {
        size_t best = nnames;

        for (i = 0; i < nnames; i++) {
            int taken = 0;

            for (j = 0; j < ns; j++) {
                taken |= strcmp(top[j], names[i]) == 0;
            }
            if (!taken && (best == nnames || totals[i] > totals[best] ||
                           (totals[i] == totals[best] && strcmp(names[i], names[best]) < 0))) {
                best = i;
            }
        }
        top[ns++] = names[best];
    }
    other = nnames > ns;
    if (other) {
        top[ns] = "Other";
    }
    for (j = 0; j < nb; j++) {
        labels[j] = json_string_value(json_array_get(months, j));
        labels[j] = labels[j] != NULL ? labels[j] : "";
    }
    json_array_foreach(rows, i, e)
    {
        size_t s = ns; /* "Other" unless a top category */
        size_t b = nb;

        for (j = 0; j < ns; j++) {
            if (strcmp(top[j], str(e, "category")) == 0) {
                s = j;
            }
        }
        for (j = 0; j < nb; j++) {
            if (strcmp(labels[j], str(e, "month")) == 0) {
                b = j;
            }
        }
        if (b < nb) {
            values[s * nb + b] += num(e, "n");
        }
    }
    if (w->rc == 0 && ns > 0) {
        w->rc = plaint_pdf_series_chart(w->d, "Complaints received per month by category",
                                        ns + (size_t)other, top, nb, labels, values, err);
    }
    table_begin(w, 2, H, W, "lr");
    for (j = 0; j < nb; j++) {
        char a[48];
        int64_t t = 0;
        const char *cells[2];

        for (i = 0; i < ns + (size_t)other; i++) {
            t += values[i * nb + j];
        }
        cells[0] = labels[j];
        cells[1] = count_of(a, sizeof(a), t);
        row(w, cells);
    }
    table_end(w);
done:
    free(names);
    free(totals);
    free(labels);
    free(values);
    return w->rc;
}

static void money_tables(doc *w, const json_t *m)
{
    static const char *const HR[] = {"Currency", "Refunds credited", "Amount credited"};
    static const char *const HD[] = {"Currency", "Resolutions", "Upheld", "Redress"};
    static const unsigned WR[] = {2, 3, 4};
    static const unsigned WD[] = {2, 2, 2, 4};
    const json_t *e;
    char a[48];
    char b[48];
    char c[96];
    size_t i;

    if (json_array_size(json_object_get(m, "refunds")) == 0) {
        para(w, "No refund was credited in this period.");
    } else {
        table_begin(w, 3, HR, WR, "lrr");
        json_array_foreach(json_object_get(m, "refunds"), i, e)
        {
            const char *cells[3] = {str(e, "currency"), count_of(a, sizeof(a), num(e, "n")),
                                    money(c, sizeof(c), num(e, "total"), str(e, "currency"))};
            row(w, cells);
        }
        table_end(w);
    }
    if (json_array_size(json_object_get(m, "redress")) == 0) {
        para(w, "No resolution was logged in this period.");
        return;
    }
    table_begin(w, 4, HD, WD, "lrrr");
    json_array_foreach(json_object_get(m, "redress"), i, e)
    {
        const char *cur = str(e, "currency");
        const char *cells[4] = {cur, count_of(a, sizeof(a), num(e, "n")),
                                count_of(b, sizeof(b), num(e, "upheld")),
                                strcmp(cur, "-") == 0 ? count_of(c, sizeof(c), num(e, "total"))
                                                      : money(c, sizeof(c), num(e, "total"), cur)};
        row(w, cells);
    }
    table_end(w);
}

int plaint_report_pdf_render_monthly(plaint_buf *out, const plaint_report_pdf_ctx *c,
                                     const json_t *data, plaint_error *err)
{
    static const char *const HS[] = {"Category", "Sub-category", "Complaints"};
    static const unsigned WS[] = {6, 6, 2};
    static const char *const HE[] = {"Escalated to", "Escalations"};
    static const unsigned WE[] = {6, 2};
    const json_t *m = json_object_get(data, "month");
    const json_t *resolved = json_object_get(data, "resolved");
    const json_t *esc;
    const json_t *e;
    plaint_pdf_doc *d = NULL;
    res_stats s;
    doc w;
    char title[128];
    char subject[128];
    char a[128];
    char b[48];
    int64_t received;
    size_t i;
    int rc;

    if (!json_is_object(m) || !json_is_array(resolved)) {
        return plaint_error_set(err, PLAINT_EINVALID, "monthly report: incomplete data");
    }
    rc = resolution_stats(&s, resolved, err);
    if (rc < 0) {
        return rc;
    }
    received = num(m, "received");
    esc = json_object_get(m, "escalations");
    snprintf(title, sizeof(title), "Monthly management report %s", c->period_label);
    snprintf(subject, sizeof(subject), "Monthly management report %s", c->period_label);
    if (doc_open(&w, &d, c, title, subject, err) < 0) {
        plaint_pdf_doc_free(d);
        return w.rc;
    }
    preamble(&w, c, 1);
    heading(&w, "Summary");
    kv(&w, "Complaints received", count_of(a, sizeof(a), received));
    resolution_figures(&w, &s);
    snprintf(a, sizeof(a), "%s on %s complaints", count_of(b, sizeof(b), num(esc, "events")),
             count_of(title, sizeof(title), num(esc, "complaints")));
    kv(&w, "Escalations", a);

    heading(&w, "Complaints received by category");
    count_table(&w, "Category", json_object_get(m, "by_category"), received);
    heading(&w, "Complaints received by channel");
    count_chart(&w, "Complaints received by channel", json_object_get(m, "by_channel"), err);
    count_table(&w, "Channel", json_object_get(m, "by_channel"), received);
    heading(&w, "Complaints received this month by current status");
    count_table(&w, "Status", json_object_get(m, "by_status"), received);

    heading(&w, "Volume by category over time");
    series(&w, json_object_get(m, "series"), json_object_get(data, "months"), err);

    heading(&w, "Resolution-time distribution");
    distribution(&w, &s, "Complaints resolved this month by time taken");

    heading(&w, "Escalations");
    if (json_array_size(json_object_get(m, "escalations_by_target")) == 0) {
        para(&w, "No complaint was escalated in this period.");
    } else {
        table_begin(&w, 2, HE, WE, "lr");
        json_array_foreach(json_object_get(m, "escalations_by_target"), i, e)
        {
            const char *cells[2] = {str(e, "name"), count_of(a, sizeof(a), num(e, "n"))};
            row(&w, cells);
        }
        table_end(&w);
    }

    heading(&w, "Refunds and redress");
    money_tables(&w, m);

    heading(&w, "Complaints received by category and sub-category");
    if (received == 0) {
        para(&w, "No complaint was received in this period.");
    } else {
        table_begin(&w, 3, HS, WS, "llr");
        json_array_foreach(json_object_get(m, "by_sub_category"), i, e)
        {
            const char *cells[3] = {str(e, "category"), str(e, "sub_category"),
                                    count_of(a, sizeof(a), num(e, "n"))};
            row(&w, cells);
        }
        table_end(&w);
    }
    return doc_finish(&w, out);
}

/* ---- audit ---- */

int plaint_report_pdf_render_audit(plaint_buf *out, const plaint_report_pdf_ctx *c,
                                   const json_t *data, plaint_error *err)
{
    static const char *const HDN[] = {"Time", "Event", "User", "Roles", "Action", "Reason"};
    static const unsigned WDN[] = {5, 5, 3, 3, 4, 9};
    static const char *const HER[] = {"Time", "Subject", "Erased by", "Items", "Policy", "Reason"};
    static const unsigned WER[] = {5, 4, 3, 2, 4, 8};
    static const char *const HH[] = {"Time", "Event", "Hold", "Subject", "By", "Reason"};
    static const unsigned WH[] = {5, 3, 2, 4, 3, 8};
    static const char *const HA[] = {"Hold", "Subject", "Placed", "By", "Reason"};
    static const unsigned WA[] = {2, 4, 5, 3, 9};
    const json_t *v = json_object_get(data, "verify");
    const json_t *e;
    plaint_pdf_doc *d = NULL;
    doc w;
    char title[128];
    char subject[128];
    char a[512];
    char b[48];
    size_t i;

    if (!json_is_object(data) || !json_is_object(v)) {
        return plaint_error_set(err, PLAINT_EINVALID, "audit report: incomplete data");
    }
    snprintf(title, sizeof(title), "Audit report %s", c->period_label);
    snprintf(subject, sizeof(subject), "Audit report %s", c->period_label);
    if (doc_open(&w, &d, c, title, subject, err) < 0) {
        plaint_pdf_doc_free(d);
        return w.rc;
    }
    preamble(&w, c, 1);

    heading(&w, "Ledger verification");
    if (json_is_true(json_object_get(v, "ok"))) {
        kv(&w, "Result", "verified: every hash, chain, position, checkpoint and signature holds");
    } else {
        snprintf(a, sizeof(a), "FAILED at position %lld (case %s): %s",
                 (long long)num(v, "position"), str(v, "case"), str(v, "reason"));
        kv(&w, "Result", a);
    }
    kv(&w, "Events", count_of(a, sizeof(a), num(v, "events")));
    kv(&w, "Cases", count_of(a, sizeof(a), num(v, "cases")));
    kv(&w, "Checkpoints", count_of(a, sizeof(a), num(v, "checkpoints")));
    kv(&w, "Events sealed", count_of(a, sizeof(a), num(v, "sealed")));
    kv(&w, "Events not yet sealed", count_of(a, sizeof(a), num(v, "unsealed")));
    kv(&w, "Trusted public key", str(v, "pubkey"));

    heading(&w, "Checkpoint");
    kv(&w, "Sequence number", count_of(a, sizeof(a), c->cp_seq));
    kv(&w, "Tree size", count_of(a, sizeof(a), c->cp_tree_size));
    kv(&w, "Sealed at", plaint_rpt_fmt_time(a, sizeof(a), c->cp_time));
    snprintf(a, sizeof(a), "Root hash: %s", c->cp_root_hex != NULL ? c->cp_root_hex : "");
    para(&w, a);
    snprintf(a, sizeof(a), "Signing key id: %s",
             c->cp_key_id != NULL && c->cp_key_id[0] != '\0' ? c->cp_key_id : "(unknown)");
    para(&w, a);

    snprintf(a, sizeof(a), "Access denials (%s)",
             count_of(b, sizeof(b), (int64_t)json_array_size(json_object_get(data, "denials"))));
    heading(&w, a);
    if (json_array_size(json_object_get(data, "denials")) == 0) {
        para(&w, "No access was denied in this period.");
    } else {
        table_begin(&w, 6, HDN, WDN, "llllll");
        json_array_foreach(json_object_get(data, "denials"), i, e)
        {
            plaint_buf reason = PLAINT_BUF_INIT;
            char t[48];
            const char *cells[6];

            if (w.rc == 0) {
                w.rc = clean(&reason, str(e, "reason"), CELL_MAX, err);
            }
            cells[0] = time_of(t, sizeof(t), e, "at");
            cells[1] = str(e, "type");
            cells[2] = str(e, "actor");
            cells[3] = str(e, "role");
            cells[4] = str(e, "action");
            cells[5] = reason.data != NULL ? reason.data : "";
            row(&w, cells);
            plaint_buf_clear(&reason);
        }
        table_end(&w);
    }

    snprintf(a, sizeof(a), "Erasures (%s)",
             count_of(b, sizeof(b), (int64_t)json_array_size(json_object_get(data, "erasures"))));
    heading(&w, a);
    if (json_array_size(json_object_get(data, "erasures")) == 0) {
        para(&w, "No data subject was erased in this period.");
    } else {
        table_begin(&w, 6, HER, WER, "lllrll");
        json_array_foreach(json_object_get(data, "erasures"), i, e)
        {
            char t[48];
            char n[48];
            const char *cells[6] = {
                time_of(t, sizeof(t), e, "at"),          str(e, "subject"), str(e, "actor"),
                count_of(n, sizeof(n), num(e, "items")), str(e, "policy"),  str(e, "reason")};
            row(&w, cells);
        }
        table_end(&w);
    }

    snprintf(a, sizeof(a), "Legal holds placed and released (%s)",
             count_of(b, sizeof(b), (int64_t)json_array_size(json_object_get(data, "holds"))));
    heading(&w, a);
    if (json_array_size(json_object_get(data, "holds")) == 0) {
        para(&w, "No legal hold was placed or released in this period.");
    } else {
        table_begin(&w, 6, HH, WH, "llrlll");
        json_array_foreach(json_object_get(data, "holds"), i, e)
        {
            char t[48];
            char n[48];
            const char *cells[6] = {time_of(t, sizeof(t), e, "at"),
                                    str(e, "type"),
                                    count_of(n, sizeof(n), num(e, "hold")),
                                    str(e, "subject"),
                                    str(e, "actor"),
                                    str(e, "reason")};
            row(&w, cells);
        }
        table_end(&w);
    }

    snprintf(
        a, sizeof(a), "Legal holds active at the checkpoint (%s)",
        count_of(b, sizeof(b), (int64_t)json_array_size(json_object_get(data, "active_holds"))));
    heading(&w, a);
    if (json_array_size(json_object_get(data, "active_holds")) == 0) {
        para(&w, "No legal hold is active.");
    } else {
        table_begin(&w, 5, HA, WA, "rllll");
        json_array_foreach(json_object_get(data, "active_holds"), i, e)
        {
            char t[48];
            char n[48];
            const char *cells[5] = {count_of(n, sizeof(n), num(e, "hold")), str(e, "subject"),
                                    time_of(t, sizeof(t), e, "placed_at"), str(e, "placed_by"),
                                    str(e, "reason")};
            row(&w, cells);
        }
        table_end(&w);
    }
    return doc_finish(&w, out);
}

/* ---- case ---- */

/* One event's payload as "key: value; ..." (strings as they are, other values as compact
 * JSON), each value cut at CELL_MAX bytes; a complaint's narrative is shown in its own section
 * and only referred to here. */
static int payload_summary(plaint_buf *b, const char *type, const char *payload, plaint_error *err)
{
    json_error_t jerr;
    json_t *p = json_loads(payload, JSON_DECODE_ANY, &jerr);
    const char *k;
    json_t *v;
    int first = 1;
    int rc = 0;

    if (!json_is_object(p)) {
        rc = clean(b, payload, CELL_MAX, err);
        json_decref(p);
        return rc;
    }
    json_object_foreach(p, k, v)
    {
        if (rc == 0 && !first) {
            rc = plaint_buf_append_str(b, "; ", err);
        }
        first = 0;
        if (rc == 0) {
            rc = plaint_buf_printf(b, err, "%s: ", k);
        }
        if (rc != 0) {
            break;
        }
        if (strcmp(k, "narrative") == 0 && strcmp(type, "complaint.received") == 0) {
            rc = plaint_buf_append_str(b, "(see Narrative)", err);
        } else if (json_is_string(v)) {
            rc = clean(b, json_string_value(v), CELL_MAX, err);
        } else {
            char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

            if (t == NULL) {
                rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
            } else {
                rc = clean(b, t, CELL_MAX, err);
                free(t);
            }
        }
    }
    json_decref(p);
    return rc;
}

/* A fact line, skipped when the value is null or empty. */
static void fact(doc *w, const json_t *o, const char *label, const char *key)
{
    const json_t *v = json_object_get(o, key);
    char a[64];

    if (json_is_string(v) && json_string_value(v)[0] != '\0') {
        kv(w, label, json_string_value(v));
    } else if (json_is_integer(v)) {
        kv(w, label, count_of(a, sizeof(a), json_integer_value(v)));
    } else if (json_is_boolean(v)) {
        kv(w, label, json_is_true(v) ? "yes" : "no");
    }
}

static void time_fact(doc *w, const json_t *o, const char *label, const char *key)
{
    char a[48];

    if (json_is_integer(json_object_get(o, key))) {
        kv(w, label, time_of(a, sizeof(a), o, key));
    }
}

/* The narrative as paragraphs, one per line of text. */
static int narrative(doc *w, const char *text, plaint_error *err)
{
    plaint_buf line = PLAINT_BUF_INIT;
    const char *s = text;

    while (w->rc == 0) {
        const char *nl = strchr(s, '\n');
        size_t len = nl != NULL ? (size_t)(nl - s) : strlen(s);

        plaint_buf_reset(&line);
        w->rc = plaint_buf_append(&line, s, len, err);
        if (w->rc == 0) {
            char *p;

            for (p = line.data; p != NULL && *p != '\0'; p++) {
                if ((unsigned char)*p < 0x20) {
                    *p = ' ';
                }
            }
            if (line.len > 0) {
                para(w, line.data);
            }
        }
        if (nl == NULL) {
            break;
        }
        s = nl + 1;
    }
    plaint_buf_clear(&line);
    return w->rc;
}

int plaint_report_pdf_render_case(plaint_buf *out, const plaint_report_pdf_ctx *c,
                                  const json_t *data, plaint_error *err)
{
    static const char *const H[] = {"#", "Time", "Event", "Actor (role)", "Details"};
    static const unsigned W[] = {2, 5, 7, 4, 12};
    const json_t *cp = json_object_get(data, "complaint");
    const json_t *events = json_object_get(data, "events");
    const json_t *e;
    const char *ref;
    plaint_pdf_doc *d = NULL;
    doc w;
    char title[128];
    char subject[128];
    char a[256];
    size_t i;

    if (!json_is_object(cp) || !json_is_array(events)) {
        return plaint_error_set(err, PLAINT_EINVALID, "case report: incomplete data");
    }
    ref = str(cp, "ref");
    snprintf(title, sizeof(title), "Case report %s", ref);
    snprintf(subject, sizeof(subject), "Case report %s", ref);
    if (doc_open(&w, &d, c, title, subject, err) < 0) {
        plaint_pdf_doc_free(d);
        return w.rc;
    }
    preamble(&w, c, 0);

    heading(&w, "Complaint");
    fact(&w, cp, "Reference", "ref");
    fact(&w, cp, "Status", "status");
    fact(&w, cp, "Category", "category");
    fact(&w, cp, "Sub-category", "sub_category");
    fact(&w, cp, "Product", "product");
    fact(&w, cp, "Issue", "issue");
    fact(&w, cp, "Sub-issue", "sub_issue");
    fact(&w, cp, "Company", "company");
    fact(&w, cp, "Channel", "channel");
    fact(&w, cp, "Urgency", "urgency");
    fact(&w, cp, "Severity", "severity_level");
    fact(&w, cp, "Severity score", "severity_score");
    fact(&w, cp, "Team", "team");
    fact(&w, cp, "Owner", "owner");
    fact(&w, cp, "Source", "source_system");
    fact(&w, cp, "Source id", "source_id");
    fact(&w, cp, "Order", "order_ref");
    fact(&w, cp, "Duplicate of", "duplicate_of");
    fact(&w, cp, "Repeat of", "repeat_of");
    time_fact(&w, cp, "Received", "received_at");
    fact(&w, cp, "SLA target", "sla_target");
    time_fact(&w, cp, "First response due", "first_response_due");
    time_fact(&w, cp, "First response", "first_response_at");
    time_fact(&w, cp, "Summary due", "summary_due");
    time_fact(&w, cp, "Final response due", "final_due");
    time_fact(&w, cp, "Resolved", "resolved_at");
    time_fact(&w, cp, "Closed", "closed_at");
    time_fact(&w, cp, "Archived", "archived_at");
    fact(&w, cp, "Escalated to", "escalation");
    fact(&w, cp, "Upheld", "upheld");
    if (json_is_integer(json_object_get(cp, "redress"))) {
        const char *cur = str(cp, "currency");

        kv(&w, "Redress",
           cur[0] != '\0' ? money(a, sizeof(a), num(cp, "redress"), cur)
                          : count_of(a, sizeof(a), num(cp, "redress")));
    }
    fact(&w, cp, "Root cause", "root_cause");
    fact(&w, cp, "Satisfaction (1-5)", "satisfaction");
    fact(&w, cp, "Times reopened", "reopened");

    if (json_is_string(json_object_get(cp, "customer_id"))) {
        heading(&w, "Customer");
        fact(&w, cp, "Customer", "customer_id");
        fact(&w, cp, "Tier", "customer_tier");
        fact(&w, cp, "Name", "customer_name");
    }

    heading(&w, "Narrative");
    if (str(cp, "narrative")[0] != '\0') {
        narrative(&w, str(cp, "narrative"), err);
    } else {
        para(&w, "(none)");
    }

    snprintf(title, sizeof(title), "Timeline (%zu events)", json_array_size(events));
    heading(&w, title);
    table_begin(&w, 5, H, W, "rllll");
    json_array_foreach(events, i, e)
    {
        plaint_buf details = PLAINT_BUF_INIT;
        char seq[32];
        char t[48];
        char who[160];
        const char *cells[5];

        if (w.rc == 0) {
            w.rc = payload_summary(&details, str(e, "type"), str(e, "payload"), err);
        }
        snprintf(seq, sizeof(seq), "%lld", (long long)num(e, "seq"));
        snprintf(who, sizeof(who), "%s (%s)", str(e, "actor"), str(e, "role"));
        cells[0] = seq;
        cells[1] = time_of(t, sizeof(t), e, "at");
        cells[2] = str(e, "type");
        cells[3] = who;
        cells[4] = details.data != NULL ? details.data : "";
        row(&w, cells);
        plaint_buf_clear(&details);
    }
    table_end(&w);
    if (num(data, "later") > 0) {
        snprintf(a, sizeof(a),
                 "%lld later event(s) of this case are not covered by the checkpoint and are not "
                 "shown.",
                 (long long)num(data, "later"));
        para(&w, a);
    }
    return doc_finish(&w, out);
}
