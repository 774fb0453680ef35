/*
 * A small document builder over libharu for plaint's PDF reports: A4 pages with a title, a
 * footer on every page ("page N of M" and the ledger checkpoint reference), headings,
 * paragraphs that wrap, tables that break across pages (the header row repeated), and two
 * kinds of chart (bars per label, and a stacked series over time). All text is UTF-8 set in
 * one embedded TrueType font (report.font), so non-ASCII names keep their glyphs and remain
 * extractable.
 *
 * Output is deterministic: no wall-clock time enters the file (the document's dates are the
 * `as_of` instant given at creation) and the file ID is derived from the content, so the same
 * inputs give the same bytes. The signature (pades.h) is added afterwards as an incremental
 * update.
 *
 * Internal to the report adapters (src/report); not part of the public API.
 */
#ifndef PLAINT_REPORT_PDF_DOC_H
#define PLAINT_REPORT_PDF_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/error.h"

typedef struct plaint_pdf_doc plaint_pdf_doc;

typedef struct plaint_pdf_meta {
    const char *title;      /* document title, also the first page's heading (UTF-8) */
    const char *subject;    /* e.g. "Weekly summary 2026-W47" */
    const char *author;     /* e.g. the firm's name */
    const char *footer;     /* left part of every footer, e.g. "checkpoint 1234 / 9f2c...e1" */
    int64_t as_of;          /* Unix seconds (UTC): the document's creation and mod. date */
    const char *font_path;  /* TrueType font file (report.font) */
} plaint_pdf_meta;

/* Starts a document. Returns 0, PLAINT_EIO (font unreadable), PLAINT_ENOMEM or PLAINT_ERROR. */
int plaint_pdf_doc_new(plaint_pdf_doc **out, const plaint_pdf_meta *meta, plaint_error *err);
void plaint_pdf_doc_free(plaint_pdf_doc *d);

/* Flowing content, top to bottom; a new page starts when the current one is full.
 * Keep-with-next: a heading is laid out with the first part of the block that follows it (the
 * first lines of a paragraph or key/value pair, a table's header and first row, a chart) and
 * moves to the next page with it when both do not fit, so it never ends a page alone. */
int plaint_pdf_heading(plaint_pdf_doc *d, const char *utf8, plaint_error *err);
int plaint_pdf_paragraph(plaint_pdf_doc *d, const char *utf8, plaint_error *err);
/* Label/value lines ("Complaints opened: 1,234"), aligned in two columns. */
int plaint_pdf_keyvalue(plaint_pdf_doc *d, const char *key, const char *value,
                        plaint_error *err);
int plaint_pdf_page_break(plaint_pdf_doc *d, plaint_error *err);

/* A table: ncols columns with relative widths (NULL = equal) and alignment per column ('l' or
 * 'r'; NULL = all left). Add rows of ncols UTF-8 cells; cells wrap within their column; the
 * header row repeats at the top of every page the table continues on. End with table_end. */
int plaint_pdf_table_begin(plaint_pdf_doc *d, size_t ncols, const char *const *header,
                           const unsigned *widths, const char *align, plaint_error *err);
int plaint_pdf_table_row(plaint_pdf_doc *d, const char *const *cells, plaint_error *err);
int plaint_pdf_table_end(plaint_pdf_doc *d, plaint_error *err);

/* A bar chart: one bar per label, integer values, with a caption and the value over each bar. */
int plaint_pdf_bar_chart(plaint_pdf_doc *d, const char *caption, size_t n,
                         const char *const *labels, const int64_t *values, plaint_error *err);

/* Series over time: nseries series (e.g. categories) over nbuckets buckets (e.g. months),
 * values[s * nbuckets + b], drawn as stacked bars per bucket with a legend. */
int plaint_pdf_series_chart(plaint_pdf_doc *d, const char *caption, size_t nseries,
                            const char *const *series_names, size_t nbuckets,
                            const char *const *bucket_labels, const int64_t *values,
                            plaint_error *err);

/* Finishes the document (footers with "page N of M") and writes the unsigned PDF into out.
 * The document cannot be used afterwards except to free it. */
int plaint_pdf_doc_finish(plaint_pdf_doc *d, plaint_buf *out, plaint_error *err);

/* (Added by the PDF engine.) Records the ledger checkpoint the report's figures were computed
 * at in the document information dictionary as /PlaintCheckpoint (SIZE:ROOTHEX), where
 * `plaint report verify --ledger` looks for it (plaint_pdf_read_checkpoint in pdf_trailer.h).
 * root_hex: 64 lowercase hex digits. Call before plaint_pdf_doc_finish. Returns 0,
 * PLAINT_EINVALID (bad size or root) or PLAINT_ERROR. */
#define PLAINT_PDF_CHECKPOINT_KEY "PlaintCheckpoint"
int plaint_pdf_set_checkpoint(plaint_pdf_doc *d, int64_t tree_size, const char *root_hex,
                              plaint_error *err);

#endif
