/* The PDF document builder over libharu: flowing text, tables, charts, footers, fixed bytes. */
#include "report/pdf_doc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <openssl/sha.h>

#include "report/pdf_trailer.h"

/* A4 portrait in points, and the frame the flowing content lives in. */
#define PAGE_W 595.276f
#define PAGE_H 841.89f
#define LEFT   56.69f
#define RIGHT  (PAGE_W - 56.69f)
#define TOP    (PAGE_H - 56.69f)
#define BOTTOM 70.0f
#define WIDTH  (RIGHT - LEFT)

#define TITLE_SIZE   18.0f
#define HEADING_SIZE 13.0f
#define BODY_SIZE    9.5f
#define TABLE_SIZE   8.0f
#define SMALL_SIZE   7.0f
#define FOOTER_SIZE  7.5f
#define CELL_PAD     3.0f

#define MAX_COLS   32
#define MAX_BARS   60
#define MAX_SERIES 24
#define MAX_TEXT   (1u << 20)

#define HEADING_LEADING (HEADING_SIZE * 1.4f)
#define HEADING_ABOVE   8.0f /* space above a heading that does not open a page */
#define HEADING_BELOW   3.0f
/* Added to a keep-with-next reservation so that float rounding in the layout that follows can
 * never find less room than was reserved. */
#define KEEP_SLACK 0.5f

struct plaint_pdf_doc {
    HPDF_Doc pdf;
    HPDF_Font font;
    HPDF_Page page;
    HPDF_Page *pages;
    size_t npages;
    size_t cap;
    float y; /* top of the next block on the current page */
    HPDF_STATUS hpdf_error;
    HPDF_STATUS hpdf_detail;
    int broken;   /* an earlier libharu error: the document is unusable */
    int finished; /* plaint_pdf_doc_finish ran */
    char *title;
    char *footer;
    /* the open table, if any */
    int in_table;
    size_t ncols;
    float colw[MAX_COLS];
    char align[MAX_COLS];
    char *header[MAX_COLS];
    size_t row_no;
    int header_drawn; /* the open table's header row is drawn with its first row */
    /* Headings not laid out yet (keep-with-next): each is placed with the first part of the
     * block that follows it, on the next page if the two do not fit together on this one. */
    char **pending;
    size_t npending;
    size_t pending_cap;
    char line[4096]; /* scratch for one line of text, NUL-terminated for libharu */
};

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    plaint_pdf_doc *d = user_data;

    if (d->hpdf_error == 0) {
        d->hpdf_error = error_no;
        d->hpdf_detail = detail_no;
    }
}

/* Turns a recorded libharu error into a plaint error; returns 0 when there is none. */
static int check(plaint_pdf_doc *d, plaint_error *err)
{
    if (d->hpdf_error == 0) {
        return 0;
    }
    d->broken = 1;
    return plaint_error_set(err,
                            d->hpdf_error == HPDF_FAILD_TO_ALLOC_MEM ? PLAINT_ENOMEM : PLAINT_ERROR,
                            "libharu error 0x%04lX (detail %lu)", (unsigned long)d->hpdf_error,
                            (unsigned long)d->hpdf_detail);
}

static int usable(plaint_pdf_doc *d, plaint_error *err)
{
    if (d == NULL) {
        return plaint_error_set(err, PLAINT_ERROR, "no document");
    }
    if (d->finished) {
        return plaint_error_set(err, PLAINT_ERROR, "the document is already finished");
    }
    if (d->broken) {
        return plaint_error_set(err, PLAINT_ERROR, "the document failed earlier");
    }
    return 0;
}

static int flowing(plaint_pdf_doc *d, plaint_error *err)
{
    int rc = usable(d, err);

    if (rc == 0 && d->in_table) {
        rc = plaint_error_set(err, PLAINT_ERROR, "a table is open (plaint_pdf_table_end)");
    }
    return rc;
}

/* ---- UTF-8 ------------------------------------------------------------------------------ */

/* Decodes one UTF-8 sequence at s[*i] (len bytes in all); -1 when it is not valid UTF-8. */
static long decode(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    size_t n;
    long cp;

    if (c < 0x80) {
        *i += 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        cp = c & 0x07;
    } else {
        return -1;
    }
    if (*i + n >= len) {
        return -1;
    }
    for (size_t k = 1; k <= n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            return -1;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        return -1;
    }
    *i += n + 1;
    return cp;
}

static size_t encode(char *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/*
 * Copies text into a new string that libharu's UTF-8 encoder can set: invalid UTF-8 is
 * PLAINT_EINVALID (naming what and the byte), control characters become spaces (a newline is
 * kept when keep_newline), characters beyond the Basic Multilingual Plane (which libharu's
 * 16-bit encoder cannot address) become U+FFFD. Caller frees *out.
 */
static int clean_text(char **out, const char *text, const char *what, int keep_newline,
                      plaint_error *err)
{
    const unsigned char *s = (const unsigned char *)(text != NULL ? text : "");
    size_t len = strlen((const char *)s);
    size_t i = 0;
    size_t o = 0;
    char *buf;

    if (len > MAX_TEXT) {
        return plaint_error_set_at(err, PLAINT_EINVALID, what, 0, 0, "text is longer than %u bytes",
                                   MAX_TEXT);
    }
    buf = malloc(len + 1);
    if (buf == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    while (i < len) {
        size_t at = i;
        long cp = decode(s, len, &i);
        if (cp < 0) {
            free(buf);
            return plaint_error_set_at(err, PLAINT_EINVALID, what, 0, at + 1,
                                       "text is not valid UTF-8 at byte %zu", at + 1);
        }
        if (cp == '\n' && keep_newline) {
            buf[o++] = '\n';
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            buf[o++] = ' ';
        } else if (cp > 0xFFFF) {
            o += encode(buf + o, 0xFFFD); /* 3 bytes in place of 4 */
        } else {
            o += encode(buf + o, cp);
        }
    }
    buf[o] = '\0';
    *out = buf;
    return 0;
}

/* Width in points of the (clean) text s[0..len) at size. */
static float text_width(const plaint_pdf_doc *d, const char *s, size_t len, float size)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    long total = 0;

    while (i < len) {
        long cp = decode(u, len, &i);
        if (cp < 0) {
            break; /* clean text never gets here */
        }
        total += HPDF_Font_GetUnicodeWidth(d->font, (HPDF_UNICODE)cp);
    }
    return (float)total * size / 1000.0f;
}

/* Length in bytes of the first UTF-8 character of s (clean text). */
static size_t char_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];

    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* One line of wrapped text: a byte range of the clean text. */
typedef struct line_span {
    size_t start;
    size_t len;
} line_span;

typedef struct lines {
    line_span *v;
    size_t n;
    size_t cap;
} lines;

static int push_line(lines *ls, size_t start, size_t len, plaint_error *err)
{
    if (ls->n == ls->cap) {
        size_t cap = ls->cap == 0 ? 8 : ls->cap * 2;
        line_span *v = realloc(ls->v, cap * sizeof(*v));
        if (v == NULL) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        ls->v = v;
        ls->cap = cap;
    }
    ls->v[ls->n].start = start;
    ls->v[ls->n].len = len;
    ls->n++;
    return 0;
}

/*
 * Breaks clean text into lines no wider than width at size: at spaces, at newlines, and inside
 * a word only when the word alone is wider than a line. An empty text gives one empty line.
 */
static int wrap(lines *ls, const plaint_pdf_doc *d, const char *s, float width, float size,
                plaint_error *err)
{
    size_t len = strlen(s);
    size_t pos = 0;
    int rc = 0;

    ls->n = 0;
    while (rc == 0) {
        size_t line_start;
        size_t line_end;
        float w = 0.0f;

        while (pos < len && s[pos] == ' ') {
            pos++;
        }
        line_start = pos;
        line_end = pos;
        /* add words while they fit */
        while (pos < len && s[pos] != '\n') {
            size_t word_end = pos;
            float ww;
            while (word_end < len && s[word_end] != ' ' && s[word_end] != '\n') {
                word_end += char_len(s + word_end);
            }
            ww = text_width(d, s + line_end, word_end - line_end, size);
            if (w + ww <= width) {
                w += ww;
                line_end = word_end;
                pos = word_end;
                while (pos < len && s[pos] == ' ') {
                    pos++;
                }
                if (pos > line_end && pos < len && s[pos] != '\n') {
                    continue;
                }
                break;
            }
            if (line_end == line_start) {
                /* the word alone is too wide: cut it by characters (at least one), after the
                 * last '.', '/', '-' or '_' of the part that fits if it has one */
                size_t cut = line_start;
                size_t soft = line_start;
                float cw = 0.0f;
                do {
                    size_t cl = char_len(s + cut);
                    float chw = text_width(d, s + cut, cl, size);
                    if (cut > line_start && cw + chw > width) {
                        break;
                    }
                    cw += chw;
                    cut += cl;
                    if (cut < word_end && strchr("./-_", s[cut - 1]) != NULL) {
                        soft = cut;
                    }
                } while (cut < word_end);
                if (cut < word_end && soft > line_start) {
                    cut = soft;
                }
                line_end = cut;
                pos = cut;
            }
            break;
        }
        rc = push_line(ls, line_start, line_end - line_start, err);
        if (pos < len && s[pos] == '\n') {
            pos++;
            continue;
        }
        if (pos >= len) {
            break;
        }
    }
    return rc;
}

/* ---- drawing primitives ----------------------------------------------------------------- */

static void put_text(plaint_pdf_doc *d, HPDF_Page page, float x, float y, const char *s, size_t len,
                     float size)
{
    if (len >= sizeof(d->line)) {
        len = sizeof(d->line) - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) {
            len--;
        }
    }
    memcpy(d->line, s, len);
    d->line[len] = '\0';
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, d->font, size);
    HPDF_Page_TextOut(page, x, y, d->line);
    HPDF_Page_EndText(page);
}

/* Text in a box [x, x + w): left, right or centred. */
static void put_aligned(plaint_pdf_doc *d, HPDF_Page page, float x, float w, float y, const char *s,
                        size_t len, float size, char align)
{
    float tw = text_width(d, s, len, size);

    if (align == 'r') {
        x += w - tw;
    } else if (align == 'c') {
        x += (w - tw) / 2.0f;
    }
    put_text(d, page, x, y, s, len, size);
}

/* s shortened with an ellipsis to fit width; the result is in d->line-independent buf. */
static size_t fit_len(const plaint_pdf_doc *d, const char *s, float width, float size, int *cut)
{
    size_t len = strlen(s);
    float ell = text_width(d, "\xE2\x80\xA6", 3, size);

    *cut = 0;
    if (text_width(d, s, len, size) <= width) {
        return len;
    }
    *cut = 1;
    while (len > 0 && text_width(d, s, len, size) + ell > width) {
        len--;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) {
            len--;
        }
    }
    return len;
}

/* Copies at most cap - 4 bytes of the clean text src into dst, ending at a character boundary,
 * leaving room for an ellipsis (3 bytes) and the NUL. */
static void copy_prefix(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n > cap - 4) {
        n = cap - 4;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int new_page(plaint_pdf_doc *d, plaint_error *err)
{
    HPDF_Page page;

    if (d->npages == d->cap) {
        size_t cap = d->cap == 0 ? 16 : d->cap * 2;
        HPDF_Page *v = realloc(d->pages, cap * sizeof(*v));
        if (v == NULL) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        d->pages = v;
        d->cap = cap;
    }
    page = HPDF_AddPage(d->pdf);
    if (page == NULL) {
        return check(d, err) < 0 ? err->code : plaint_error_set(err, PLAINT_ERROR, "no page");
    }
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    d->pages[d->npages++] = page;
    d->page = page;
    d->y = TOP;
    return check(d, err);
}

/* Starts a new page unless h points still fit on this one. */
static int need(plaint_pdf_doc *d, float h, plaint_error *err)
{
    if (d->y - h >= BOTTOM || d->y >= TOP) {
        return 0;
    }
    return new_page(d, err);
}

static int place_headings(plaint_pdf_doc *d, float follow_h, plaint_error *err);

/* Wrapped text in the full width, starting a new page between lines when needed; the pending
 * headings are placed with its first `keep` lines (0: the text is itself a heading or title). */
static int flow_text(plaint_pdf_doc *d, const char *clean, float size, float leading, float indent,
                     size_t keep, plaint_error *err)
{
    lines ls = {NULL, 0, 0};
    int rc = wrap(&ls, d, clean, WIDTH - indent, size, err);

    if (rc == 0 && keep > 0) {
        rc = place_headings(d, (float)(ls.n < keep ? ls.n : keep) * leading, err);
    }
    for (size_t i = 0; rc == 0 && i < ls.n; i++) {
        rc = need(d, leading, err);
        if (rc == 0) {
            d->y -= leading;
            put_text(d, d->page, LEFT + indent, d->y + (leading - size) * 0.5f,
                     clean + ls.v[i].start, ls.v[i].len, size);
        }
    }
    free(ls.v);
    return rc == 0 ? check(d, err) : rc;
}

/* ---- document ---------------------------------------------------------------------------- */

static int set_info(plaint_pdf_doc *d, HPDF_InfoType type, const char *value, const char *what,
                    plaint_error *err)
{
    char *clean = NULL;
    int rc;

    if (value == NULL || value[0] == '\0') {
        return 0;
    }
    rc = clean_text(&clean, value, what, 0, err);
    if (rc == 0) {
        HPDF_SetInfoAttr(d->pdf, type, clean);
        rc = check(d, err);
    }
    free(clean);
    return rc;
}

int plaint_pdf_doc_new(plaint_pdf_doc **out, const plaint_pdf_meta *meta, plaint_error *err)
{
    plaint_pdf_doc *d;
    const char *font_name;
    HPDF_Date date;
    struct tm tm;
    time_t t;
    FILE *f;
    int rc = 0;

    *out = NULL;
    if (meta == NULL || meta->font_path == NULL || meta->font_path[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "font", 0, 0, "no font file given");
    }
    f = fopen(meta->font_path, "rb");
    if (f == NULL) {
        return plaint_error_set(err, PLAINT_EIO, "cannot read the font %s (report.font)",
                                meta->font_path);
    }
    fclose(f);
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    d->pdf = HPDF_New(on_hpdf_error, d);
    if (d->pdf == NULL) {
        free(d);
        return plaint_error_set(err, PLAINT_ENOMEM, "cannot start a PDF document");
    }
    rc = clean_text(&d->title, meta->title, "title", 0, err);
    if (rc == 0) {
        rc = clean_text(&d->footer, meta->footer, "footer", 0, err);
    }
    if (rc < 0) {
        goto done;
    }
    HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(d->pdf);
    HPDF_SetCurrentEncoder(d->pdf, "UTF-8");
    rc = check(d, err);
    if (rc < 0) {
        goto done;
    }
    font_name = HPDF_LoadTTFontFromFile(d->pdf, meta->font_path, HPDF_TRUE);
    if (font_name != NULL) {
        d->font = HPDF_GetFont(d->pdf, font_name, "UTF-8");
    }
    if (font_name == NULL || d->font == NULL) {
        d->hpdf_error = 0;
        rc = plaint_error_set(err, PLAINT_EIO,
                              "%s is not a TrueType font libharu can embed (report.font)",
                              meta->font_path);
        goto done;
    }
    /* Dates come from as_of only: no clock enters the file. */
    t = (time_t)meta->as_of;
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1970 || tm.tm_year + 1900 > 9999) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "as_of", 0, 0,
                                 "as_of %" PRId64 " is not a date from 1970 to 9999", meta->as_of);
        goto done;
    }
    memset(&date, 0, sizeof(date));
    date.year = tm.tm_year + 1900;
    date.month = tm.tm_mon + 1;
    date.day = tm.tm_mday;
    date.hour = tm.tm_hour;
    date.minutes = tm.tm_min;
    date.seconds = tm.tm_sec;
    date.ind = 'Z';
    rc = set_info(d, HPDF_INFO_TITLE, meta->title, "title", err);
    if (rc == 0) {
        rc = set_info(d, HPDF_INFO_SUBJECT, meta->subject, "subject", err);
    }
    if (rc == 0) {
        rc = set_info(d, HPDF_INFO_AUTHOR, meta->author, "author", err);
    }
    if (rc == 0) {
        rc = set_info(d, HPDF_INFO_CREATOR, "plaint", "creator", err);
    }
    if (rc == 0) {
        HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_CREATION_DATE, date);
        HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_MOD_DATE, date);
        rc = check(d, err);
    }
    if (rc == 0) {
        rc = new_page(d, err);
    }
    if (rc == 0) {
        d->y -= TITLE_SIZE * 0.4f;
        rc = flow_text(d, d->title, TITLE_SIZE, TITLE_SIZE * 1.3f, 0.0f, 0, err);
    }
    if (rc == 0 && meta->subject != NULL && meta->subject[0] != '\0') {
        char *sub = NULL;
        rc = clean_text(&sub, meta->subject, "subject", 0, err);
        if (rc == 0) {
            HPDF_Page_SetGrayFill(d->page, 0.35f);
            rc = flow_text(d, sub, BODY_SIZE + 1.0f, (BODY_SIZE + 1.0f) * 1.4f, 0.0f, 0, err);
            HPDF_Page_SetGrayFill(d->page, 0.0f);
        }
        free(sub);
    }
    if (rc == 0) {
        HPDF_Page_SetGrayStroke(d->page, 0.4f);
        HPDF_Page_SetLineWidth(d->page, 0.8f);
        HPDF_Page_MoveTo(d->page, LEFT, d->y - 4.0f);
        HPDF_Page_LineTo(d->page, RIGHT, d->y - 4.0f);
        HPDF_Page_Stroke(d->page);
        HPDF_Page_SetGrayStroke(d->page, 0.0f);
        d->y -= 14.0f;
        rc = check(d, err);
    }
done:
    if (rc < 0) {
        plaint_pdf_doc_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void plaint_pdf_doc_free(plaint_pdf_doc *d)
{
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; i < MAX_COLS; i++) {
        free(d->header[i]);
    }
    for (size_t i = 0; i < d->npending; i++) {
        free(d->pending[i]);
    }
    free(d->pending);
    if (d->pdf != NULL) {
        HPDF_Free(d->pdf);
    }
    free(d->pages);
    free(d->title);
    free(d->footer);
    free(d);
}

int plaint_pdf_set_checkpoint(plaint_pdf_doc *d, int64_t tree_size, const char *root_hex,
                              plaint_error *err)
{
    char text[96];
    HPDF_String s;
    int rc = usable(d, err);

    if (rc < 0) {
        return rc;
    }
    if (tree_size < 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "tree_size", 0, 0,
                                   "a checkpoint's tree size is not negative");
    }
    if (root_hex == NULL || strlen(root_hex) != 64 || strspn(root_hex, "0123456789abcdef") != 64) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "root", 0, 0,
                                   "a checkpoint root is 64 lowercase hex digits");
    }
    snprintf(text, sizeof(text), "%" PRId64 ":%s", tree_size, root_hex);
    /* libharu has no call for a custom Info key: the Info dictionary exists (doc_new set the
     * title), and its own dictionary calls add the entry. */
    if (d->pdf->info == NULL) {
        return plaint_error_set(err, PLAINT_ERROR, "the document has no Info dictionary");
    }
    s = HPDF_String_New(d->pdf->mmgr, text, NULL);
    if (s == NULL || HPDF_Dict_Add(d->pdf->info, PLAINT_PDF_CHECKPOINT_KEY, s) != HPDF_OK) {
        return check(d, err) < 0 ? err->code
                                 : plaint_error_set(err, PLAINT_ERROR, "cannot add the checkpoint");
    }
    return check(d, err);
}

/*
 * Keep-with-next. plaint_pdf_heading only queues its (clean) text; the block that follows calls
 * place_headings with the height of its first part (up to three lines of a paragraph or
 * key/value pair, a table's header row with its first row, a whole chart) before laying itself
 * out. When the headings and that part do not fit together below the current position, the
 * headings start the next page, so a heading never ends a page alone. Consecutive headings
 * move together. Headings still pending at a page break wait for the next page; at the end of
 * the document they are placed where they are.
 */
static int heading_height(plaint_pdf_doc *d, const char *clean, float *h, plaint_error *err)
{
    lines ls = {NULL, 0, 0};
    int rc = wrap(&ls, d, clean, WIDTH, HEADING_SIZE, err);

    if (rc == 0) {
        *h = HEADING_ABOVE + (float)ls.n * HEADING_LEADING + HEADING_BELOW;
    }
    free(ls.v);
    return rc;
}

static void drop_headings(plaint_pdf_doc *d)
{
    for (size_t i = 0; i < d->npending; i++) {
        free(d->pending[i]);
        d->pending[i] = NULL;
    }
    d->npending = 0;
}

static int place_headings(plaint_pdf_doc *d, float follow_h, plaint_error *err)
{
    float total = follow_h + KEEP_SLACK;
    int rc = 0;

    if (d->npending == 0) {
        return 0;
    }
    for (size_t i = 0; rc == 0 && i < d->npending; i++) {
        float h = 0.0f;
        rc = heading_height(d, d->pending[i], &h, err);
        total += h;
    }
    if (rc == 0 && d->y < TOP && d->y - total < BOTTOM) {
        rc = new_page(d, err);
    }
    for (size_t i = 0; rc == 0 && i < d->npending; i++) {
        if (d->y < TOP) {
            d->y -= HEADING_ABOVE;
        }
        rc = flow_text(d, d->pending[i], HEADING_SIZE, HEADING_LEADING, 0.0f, 0, err);
        d->y -= HEADING_BELOW;
    }
    drop_headings(d);
    return rc;
}

int plaint_pdf_heading(plaint_pdf_doc *d, const char *utf8, plaint_error *err)
{
    char *clean = NULL;
    int rc = flowing(d, err);

    if (rc == 0) {
        rc = clean_text(&clean, utf8, "heading", 0, err);
    }
    if (rc == 0 && d->npending == d->pending_cap) {
        size_t cap = d->pending_cap == 0 ? 4 : d->pending_cap * 2;
        char **v = realloc(d->pending, cap * sizeof(*v));
        if (v == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        } else {
            d->pending = v;
            d->pending_cap = cap;
        }
    }
    if (rc < 0) {
        free(clean);
        return rc;
    }
    d->pending[d->npending++] = clean;
    return 0;
}

int plaint_pdf_paragraph(plaint_pdf_doc *d, const char *utf8, plaint_error *err)
{
    char *clean = NULL;
    int rc = flowing(d, err);

    if (rc == 0) {
        rc = clean_text(&clean, utf8, "paragraph", 1, err);
    }
    if (rc == 0) {
        rc = flow_text(d, clean, BODY_SIZE, BODY_SIZE * 1.4f, 0.0f, 3, err);
        d->y -= BODY_SIZE * 0.6f;
    }
    free(clean);
    return rc;
}

int plaint_pdf_keyvalue(plaint_pdf_doc *d, const char *key, const char *value, plaint_error *err)
{
    const float leading = BODY_SIZE * 1.4f;
    const float keyw = WIDTH * 0.42f;
    char *k = NULL;
    char *v = NULL;
    lines lk = {NULL, 0, 0};
    lines lv = {NULL, 0, 0};
    int rc = flowing(d, err);

    if (rc == 0) {
        rc = clean_text(&k, key, "key", 0, err);
    }
    if (rc == 0) {
        rc = clean_text(&v, value, "value", 0, err);
    }
    if (rc == 0) {
        rc = wrap(&lk, d, k, keyw - 8.0f, BODY_SIZE, err);
    }
    if (rc == 0) {
        rc = wrap(&lv, d, v, WIDTH - keyw, BODY_SIZE, err);
    }
    if (rc == 0) {
        size_t n = lk.n > lv.n ? lk.n : lv.n;
        rc = place_headings(d, (float)(n < 3 ? n : 3) * leading, err);
    }
    for (size_t i = 0; rc == 0 && (i < lk.n || i < lv.n); i++) {
        rc = need(d, leading, err);
        if (rc < 0) {
            break;
        }
        d->y -= leading;
        if (i < lk.n) {
            HPDF_Page_SetGrayFill(d->page, 0.3f);
            put_text(d, d->page, LEFT, d->y + 3.0f, k + lk.v[i].start, lk.v[i].len, BODY_SIZE);
            HPDF_Page_SetGrayFill(d->page, 0.0f);
        }
        if (i < lv.n) {
            put_text(d, d->page, LEFT + keyw, d->y + 3.0f, v + lv.v[i].start, lv.v[i].len,
                     BODY_SIZE);
        }
    }
    free(lk.v);
    free(lv.v);
    free(k);
    free(v);
    return rc == 0 ? check(d, err) : rc;
}

/* Pending headings are not placed here: they open the next page with what follows them. */
int plaint_pdf_page_break(plaint_pdf_doc *d, plaint_error *err)
{
    int rc = flowing(d, err);

    if (rc == 0 && d->y < TOP) {
        rc = new_page(d, err);
    }
    return rc;
}

/* ---- tables ----------------------------------------------------------------------------- */

#define CELL_LEADING (TABLE_SIZE * 1.3f)

/* Draws one band of a row: lines [from, from + count) of each cell, from the top y. */
static void draw_row_band(plaint_pdf_doc *d, char *const *cells, const lines *cl, size_t from,
                          size_t count, float top, float h, int header, int shade)
{
    float x = LEFT;

    if (header || shade) {
        HPDF_Page_SetGrayFill(d->page, header ? 0.86f : 0.955f);
        HPDF_Page_Rectangle(d->page, LEFT, top - h, WIDTH, h);
        HPDF_Page_Fill(d->page);
        HPDF_Page_SetGrayFill(d->page, 0.0f);
    }
    for (size_t c = 0; c < d->ncols; c++) {
        for (size_t i = from; i < from + count && i < cl[c].n; i++) {
            float y = top - CELL_PAD - (float)(i - from + 1) * CELL_LEADING + 2.5f;
            put_aligned(d, d->page, x + CELL_PAD, d->colw[c] - 2.0f * CELL_PAD, y,
                        cells[c] + cl[c].v[i].start, cl[c].v[i].len, TABLE_SIZE,
                        header ? 'l' : d->align[c]);
        }
        x += d->colw[c];
    }
    HPDF_Page_SetGrayStroke(d->page, header ? 0.35f : 0.78f);
    HPDF_Page_SetLineWidth(d->page, header ? 0.7f : 0.3f);
    HPDF_Page_MoveTo(d->page, LEFT, top - h);
    HPDF_Page_LineTo(d->page, RIGHT, top - h);
    HPDF_Page_Stroke(d->page);
    HPDF_Page_SetGrayStroke(d->page, 0.0f);
}

static int wrap_cells(lines *cl, size_t *maxn, plaint_pdf_doc *d, char *const *cells,
                      plaint_error *err)
{
    int rc = 0;

    *maxn = 1;
    for (size_t c = 0; rc == 0 && c < d->ncols; c++) {
        rc = wrap(&cl[c], d, cells[c], d->colw[c] - 2.0f * CELL_PAD, TABLE_SIZE, err);
        if (rc == 0 && cl[c].n > *maxn) {
            *maxn = cl[c].n;
        }
    }
    return rc;
}

static void free_cells(lines *cl, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        free(cl[c].v);
    }
}

static float band_h(size_t nlines)
{
    return (float)nlines * CELL_LEADING + 2.0f * CELL_PAD;
}

/* The header row at the current position (the caller made room). */
static int draw_header(plaint_pdf_doc *d, plaint_error *err)
{
    lines cl[MAX_COLS];
    size_t n = 0;
    int rc;

    memset(cl, 0, sizeof(cl));
    rc = wrap_cells(cl, &n, d, d->header, err);
    if (rc == 0) {
        float h = band_h(n);
        draw_row_band(d, d->header, cl, 0, n, d->y, h, 1, 0);
        d->y -= h;
    }
    free_cells(cl, d->ncols);
    return rc == 0 ? check(d, err) : rc;
}

static float header_h(plaint_pdf_doc *d, plaint_error *err)
{
    lines cl[MAX_COLS];
    size_t n = 0;
    float h = -1.0f;

    memset(cl, 0, sizeof(cl));
    if (wrap_cells(cl, &n, d, d->header, err) == 0) {
        h = band_h(n);
    }
    free_cells(cl, d->ncols);
    return h;
}

int plaint_pdf_table_begin(plaint_pdf_doc *d, size_t ncols, const char *const *header,
                           const unsigned *widths, const char *align, plaint_error *err)
{
    unsigned long total = 0;
    float hh;
    int rc = flowing(d, err);

    if (rc < 0) {
        return rc;
    }
    if (ncols == 0 || ncols > MAX_COLS || header == NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "ncols", 0, 0,
                                   "a table has 1 to %d columns and a header", MAX_COLS);
    }
    for (size_t c = 0; c < ncols; c++) {
        unsigned w = widths != NULL ? widths[c] : 1u;
        if (w == 0 || w > 1000) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "widths", 0, 0,
                                       "column %zu has relative width %u (1..1000)", c + 1, w);
        }
        if (align != NULL && align[c] != 'l' && align[c] != 'r') {
            return plaint_error_set_at(err, PLAINT_EINVALID, "align", 0, 0,
                                       "column %zu: alignment is 'l' or 'r'", c + 1);
        }
        total += w;
    }
    d->ncols = ncols;
    d->row_no = 0;
    for (size_t c = 0; c < ncols; c++) {
        d->colw[c] = WIDTH * (float)(widths != NULL ? widths[c] : 1u) / (float)total;
        d->align[c] = align != NULL ? align[c] : 'l';
        free(d->header[c]);
        d->header[c] = NULL;
        rc = clean_text(&d->header[c], header[c], "header", 0, err);
        if (rc < 0) {
            return rc;
        }
    }
    hh = header_h(d, err);
    if (hh < 0.0f) {
        return err->code;
    }
    if (hh + band_h(1) > TOP - BOTTOM) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "header", 0, 0,
                                   "the table's header row is taller than a page");
    }
    /* the header row is drawn with the first row (or at table_end), so that it, and a heading
     * before the table, stay on the page of that row */
    d->header_drawn = 0;
    d->in_table = 1;
    return 0;
}

/* Draws the table's header row where it fits with first_h points of the first row, after the
 * pending headings (which move with them to the next page when needed). */
static int start_table(plaint_pdf_doc *d, float first_h, plaint_error *err)
{
    float hh = header_h(d, err);
    int rc;

    if (hh < 0.0f) {
        return err->code;
    }
    rc = place_headings(d, 4.0f + hh + first_h, err);
    if (rc == 0) {
        if (d->y < TOP) {
            d->y -= 4.0f;
        }
        rc = need(d, hh + first_h, err);
    }
    if (rc == 0) {
        rc = draw_header(d, err);
    }
    if (rc == 0) {
        d->header_drawn = 1;
    }
    return rc;
}

int plaint_pdf_table_row(plaint_pdf_doc *d, const char *const *cells, plaint_error *err)
{
    char *clean[MAX_COLS];
    lines cl[MAX_COLS];
    size_t n = 0;
    size_t done = 0;
    int just_broke = 0;
    int rc = usable(d, err);

    if (rc == 0 && !d->in_table) {
        rc = plaint_error_set(err, PLAINT_ERROR, "no table is open");
    }
    if (rc == 0 && cells == NULL) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "cells", 0, 0, "no cells");
    }
    if (rc < 0) {
        return rc;
    }
    memset(clean, 0, sizeof(clean));
    memset(cl, 0, sizeof(cl));
    for (size_t c = 0; rc == 0 && c < d->ncols; c++) {
        char field[32];
        snprintf(field, sizeof(field), "cell %zu", c + 1);
        rc = clean_text(&clean[c], cells[c], field, 1, err);
    }
    if (rc == 0) {
        rc = wrap_cells(cl, &n, d, clean, err);
    }
    if (rc == 0 && !d->header_drawn) {
        /* the first row: the header with the whole row if a fresh page can hold both, else
         * with the row's first line (the row is then split) */
        float hh = header_h(d, err);
        if (hh < 0.0f) {
            rc = err->code;
        } else {
            rc = start_table(d, band_h(n) <= TOP - BOTTOM - hh ? band_h(n) : band_h(1), err);
        }
    }
    /* Bands: the whole row where it fits (on this page or, failing that, on a fresh one);
     * a row taller than a page is split between lines, the header repeated each time. */
    while (rc == 0 && done < n) {
        float avail = d->y - BOTTOM;
        size_t fit =
            avail > 2.0f * CELL_PAD ? (size_t)((avail - 2.0f * CELL_PAD) / CELL_LEADING) : 0;
        size_t left = n - done;
        if (fit < left) {
            float hh = header_h(d, err);
            float fresh = TOP - BOTTOM - hh;
            int fits_fresh = band_h(left) <= fresh;
            if (hh < 0.0f) {
                rc = err->code;
                break;
            }
            if (!just_broke && (fit == 0 || (fits_fresh && done == 0))) {
                rc = new_page(d, err);
                if (rc == 0) {
                    rc = draw_header(d, err);
                }
                just_broke = 1;
                continue;
            }
            if (fit == 0) {
                rc = plaint_error_set_at(err, PLAINT_EINVALID, "header", 0, 0,
                                         "the table's header row leaves no room for a row");
                break;
            }
        }
        if (fit > left) {
            fit = left;
        }
        draw_row_band(d, clean, cl, done, fit, d->y, band_h(fit), 0, (int)(d->row_no % 2));
        d->y -= band_h(fit);
        done += fit;
        just_broke = 0;
        rc = check(d, err);
    }
    d->row_no++;
    free_cells(cl, d->ncols);
    for (size_t c = 0; c < d->ncols; c++) {
        free(clean[c]);
    }
    return rc;
}

int plaint_pdf_table_end(plaint_pdf_doc *d, plaint_error *err)
{
    int rc = usable(d, err);

    if (rc == 0 && !d->in_table) {
        rc = plaint_error_set(err, PLAINT_ERROR, "no table is open");
    }
    if (rc == 0 && !d->header_drawn) {
        rc = start_table(d, 0.0f, err); /* a table without rows: its header alone */
    }
    if (rc == 0) {
        d->in_table = 0;
        d->y -= 10.0f;
    }
    return rc;
}

/* ---- charts ----------------------------------------------------------------------------- */

/* "1,234,567" */
static void group_digits(char *out, size_t cap, int64_t v)
{
    char raw[32];
    size_t n;
    size_t o = 0;
    size_t first;
    int neg = v < 0;

    snprintf(raw, sizeof(raw), "%" PRId64, v);
    n = strlen(raw) - (size_t)neg;
    first = n % 3 == 0 ? 3 : n % 3;
    if (neg && o + 1 < cap) {
        out[o++] = '-';
    }
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (i - first) % 3 == 0 && i >= first) {
            out[o++] = ',';
        }
        out[o++] = raw[i + (size_t)neg];
    }
    out[o] = '\0';
}

/* A step of 1, 2 or 5 times a power of ten giving about five grid lines up to max. */
static int64_t nice_step(int64_t max)
{
    int64_t step = 1;

    while (step < INT64_MAX / 10) {
        if (step * 5 >= max) {
            return step;
        }
        if (step * 2 * 5 >= max) {
            return step * 2;
        }
        if (step * 5 * 5 >= max) {
            return step * 5;
        }
        step *= 10;
    }
    return step;
}

static const float PALETTE[][3] = {
    {0.22f, 0.42f, 0.69f}, {0.89f, 0.47f, 0.20f}, {0.30f, 0.63f, 0.35f}, {0.80f, 0.26f, 0.26f},
    {0.55f, 0.42f, 0.71f}, {0.55f, 0.37f, 0.30f}, {0.86f, 0.50f, 0.72f}, {0.50f, 0.50f, 0.50f},
    {0.74f, 0.74f, 0.25f}, {0.20f, 0.70f, 0.78f},
};
#define NCOLORS (sizeof(PALETTE) / sizeof(PALETTE[0]))

static void set_color(HPDF_Page page, size_t i)
{
    const float *c = PALETTE[i % NCOLORS];
    float lift = (float)(i / NCOLORS % 3) * 0.25f; /* lighter shades after the tenth */

    HPDF_Page_SetRGBFill(page, c[0] + (1.0f - c[0]) * lift, c[1] + (1.0f - c[1]) * lift,
                         c[2] + (1.0f - c[2]) * lift);
}

#define PLOT_H      150.0f
#define AXIS_W      44.0f
#define LABEL_LINES 3

/* Caption, grid with value labels; returns the plot's bottom y and leaves scale. */
static void draw_axes(plaint_pdf_doc *d, const char *caption, float top, float bottom, int64_t max,
                      int64_t *top_value)
{
    int64_t step = nice_step(max > 0 ? max : 1);
    int64_t steps = (max + step - 1) / step;
    char num[40];

    if (steps < 1) {
        steps = 1;
    }
    *top_value = step * steps;
    put_text(d, d->page, LEFT, top - BODY_SIZE, caption, strlen(caption), BODY_SIZE + 0.5f);
    HPDF_Page_SetLineWidth(d->page, 0.3f);
    for (int64_t k = 0; k <= steps; k++) {
        float y = bottom + PLOT_H * (float)k / (float)steps;
        HPDF_Page_SetGrayStroke(d->page, k == 0 ? 0.2f : 0.82f);
        HPDF_Page_MoveTo(d->page, LEFT + AXIS_W, y);
        HPDF_Page_LineTo(d->page, RIGHT, y);
        HPDF_Page_Stroke(d->page);
        group_digits(num, sizeof(num), step * k);
        HPDF_Page_SetGrayFill(d->page, 0.3f);
        put_aligned(d, d->page, LEFT, AXIS_W - 4.0f, y - 2.5f, num, strlen(num), SMALL_SIZE, 'r');
        HPDF_Page_SetGrayFill(d->page, 0.0f);
    }
    HPDF_Page_SetGrayStroke(d->page, 0.0f);
}

/* Up to LABEL_LINES lines of label centred under a slot; the last shortened with an ellipsis. */
static int draw_slot_label(plaint_pdf_doc *d, const char *label, float x, float w, float y,
                           plaint_error *err)
{
    lines ls = {NULL, 0, 0};
    int rc = wrap(&ls, d, label, w - 2.0f, SMALL_SIZE, err);

    for (size_t i = 0; rc == 0 && i < ls.n && i < LABEL_LINES; i++) {
        const char *s = label + ls.v[i].start;
        size_t len = ls.v[i].len;
        if (i + 1 == LABEL_LINES && ls.n > LABEL_LINES) {
            char tmp[512];
            int cut = 0;
            size_t k;
            copy_prefix(tmp, sizeof(tmp), s);
            k = fit_len(d, tmp, w - 2.0f, SMALL_SIZE, &cut);
            memcpy(tmp + k, "\xE2\x80\xA6", 4);
            put_aligned(d, d->page, x, w, y - (float)(i + 1) * SMALL_SIZE * 1.2f, tmp, strlen(tmp),
                        SMALL_SIZE, 'c');
            break;
        }
        put_aligned(d, d->page, x, w, y - (float)(i + 1) * SMALL_SIZE * 1.2f, s, len, SMALL_SIZE,
                    'c');
    }
    free(ls.v);
    return rc;
}

/* Makes room for a chart of total_h points (keeping its headings with it) and draws its caption
 * and axes: *top and *bottom receive the plot's edges, *top_value the axis's top value. */
static int chart_frame(plaint_pdf_doc *d, const char *cap, float total_h, int64_t max, float *top,
                       float *bottom, int64_t *top_value, plaint_error *err)
{
    int rc = place_headings(d, total_h, err);

    if (rc == 0) {
        rc = need(d, total_h, err);
    }
    if (rc < 0) {
        return rc;
    }
    *top = d->y - 6.0f;
    *bottom = *top - BODY_SIZE * 2.0f - 10.0f - PLOT_H;
    draw_axes(d, cap, *top, *bottom, max, top_value);
    return 0;
}

static int clean_all(char **out, size_t n, const char *const *in, const char *what,
                     plaint_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc;
        if (in == NULL || in[i] == NULL) {
            return plaint_error_set_at(err, PLAINT_EINVALID, what, 0, 0, "%s %zu is missing", what,
                                       i + 1);
        }
        rc = clean_text(&out[i], in[i], what, 0, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static void free_all(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
}

int plaint_pdf_bar_chart(plaint_pdf_doc *d, const char *caption, size_t n,
                         const char *const *labels, const int64_t *values, plaint_error *err)
{
    char *cl[MAX_BARS];
    char *cap = NULL;
    const float label_h = SMALL_SIZE * 1.2f * LABEL_LINES + 4.0f;
    const float total_h = BODY_SIZE * 2.0f + 10.0f + PLOT_H + label_h + 10.0f;
    int64_t max = 0;
    int64_t top_value = 1;
    float top;
    float bottom;
    float slot;
    int rc = flowing(d, err);

    memset(cl, 0, sizeof(cl));
    if (rc == 0 && n > MAX_BARS) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, "labels", 0, 0,
                                 "a bar chart has at most %d bars, not %zu", MAX_BARS, n);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (values == NULL || values[i] < 0) {
            rc = plaint_error_set_at(err, PLAINT_EINVALID, "values", 0, 0,
                                     "bar %zu: values are counts (0 or more)", i + 1);
        } else if (values[i] > max) {
            max = values[i];
        }
    }
    if (rc == 0) {
        rc = clean_text(&cap, caption, "caption", 0, err);
    }
    if (rc == 0) {
        rc = clean_all(cl, n, labels, "label", err);
    }
    if (rc == 0) {
        rc = chart_frame(d, cap, total_h, max, &top, &bottom, &top_value, err);
    }
    if (rc < 0) {
        goto done;
    }
    if (n == 0) {
        HPDF_Page_SetGrayFill(d->page, 0.4f);
        put_aligned(d, d->page, LEFT + AXIS_W, WIDTH - AXIS_W, bottom + PLOT_H / 2.0f, "no data", 7,
                    BODY_SIZE, 'c');
        HPDF_Page_SetGrayFill(d->page, 0.0f);
    }
    slot = n > 0 ? (WIDTH - AXIS_W) / (float)n : 0.0f;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        float x = LEFT + AXIS_W + slot * (float)i;
        float h = PLOT_H * (float)((double)values[i] / (double)top_value);
        float bw = slot * 0.62f;
        char num[40];
        set_color(d->page, 0);
        if (h > 0.0f) {
            HPDF_Page_Rectangle(d->page, x + (slot - bw) / 2.0f, bottom, bw, h);
            HPDF_Page_Fill(d->page);
        }
        HPDF_Page_SetGrayFill(d->page, 0.0f);
        group_digits(num, sizeof(num), values[i]);
        if (text_width(d, num, strlen(num), SMALL_SIZE) <= slot) {
            put_aligned(d, d->page, x, slot, bottom + h + 2.5f, num, strlen(num), SMALL_SIZE, 'c');
        }
        rc = draw_slot_label(d, cl[i], x, slot, bottom - 1.0f, err);
    }
    d->y = bottom - label_h - 10.0f;
    if (rc == 0) {
        rc = check(d, err);
    }
done:
    free(cap);
    free_all(cl, n);
    return rc;
}

int plaint_pdf_series_chart(plaint_pdf_doc *d, const char *caption, size_t nseries,
                            const char *const *series_names, size_t nbuckets,
                            const char *const *bucket_labels, const int64_t *values,
                            plaint_error *err)
{
    char *names[MAX_SERIES];
    char *bl[MAX_BARS];
    char *cap = NULL;
    int64_t sums[MAX_BARS];
    int64_t max = 0;
    int64_t top_value = 1;
    const float label_h = SMALL_SIZE * 1.2f * 2.0f + 4.0f;
    float legend_h;
    float top;
    float bottom;
    float slot;
    float lx;
    float ly;
    int rc = flowing(d, err);

    memset(names, 0, sizeof(names));
    memset(bl, 0, sizeof(bl));
    if (rc == 0 && (nseries > MAX_SERIES || nbuckets > MAX_BARS)) {
        rc = plaint_error_set_at(err, PLAINT_EINVALID, nseries > MAX_SERIES ? "series" : "buckets",
                                 0, 0, "a series chart has at most %d series and %d buckets",
                                 MAX_SERIES, MAX_BARS);
    }
    for (size_t b = 0; rc == 0 && b < nbuckets; b++) {
        sums[b] = 0;
        for (size_t s = 0; rc == 0 && s < nseries; s++) {
            int64_t v = values != NULL ? values[s * nbuckets + b] : -1;
            if (v < 0 || v > INT64_MAX / 2 - sums[b]) {
                rc = plaint_error_set_at(err, PLAINT_EINVALID, "values", 0, 0,
                                         "series %zu bucket %zu: values are counts (0 or more, "
                                         "sums within range)",
                                         s + 1, b + 1);
            } else {
                sums[b] += v;
            }
        }
        if (rc == 0 && sums[b] > max) {
            max = sums[b];
        }
    }
    if (rc == 0) {
        rc = clean_text(&cap, caption, "caption", 0, err);
    }
    if (rc == 0) {
        rc = clean_all(names, nseries, series_names, "series name", err);
    }
    if (rc == 0) {
        rc = clean_all(bl, nbuckets, bucket_labels, "bucket label", err);
    }
    if (rc < 0) {
        goto done;
    }
    /* the legend: entries of a fixed width, as many per line as fit */
    {
        float entry_w = WIDTH / 3.0f;
        size_t per_line = 3;
        float total_h;
        legend_h = (float)((nseries + per_line - 1) / per_line) * SMALL_SIZE * 1.6f + 4.0f;
        total_h = BODY_SIZE * 2.0f + 10.0f + PLOT_H + label_h + legend_h + 10.0f;
        rc = chart_frame(d, cap, total_h, max, &top, &bottom, &top_value, err);
        if (rc < 0) {
            goto done;
        }
        slot = nbuckets > 0 ? (WIDTH - AXIS_W) / (float)nbuckets : 0.0f;
        for (size_t b = 0; rc == 0 && b < nbuckets; b++) {
            float x = LEFT + AXIS_W + slot * (float)b;
            float bw = slot * 0.62f;
            float y = bottom;
            char num[40];
            for (size_t s = 0; s < nseries; s++) {
                float h = PLOT_H * (float)((double)values[s * nbuckets + b] / (double)top_value);
                if (h > 0.0f) {
                    set_color(d->page, s);
                    HPDF_Page_Rectangle(d->page, x + (slot - bw) / 2.0f, y, bw, h);
                    HPDF_Page_Fill(d->page);
                    y += h;
                }
            }
            HPDF_Page_SetGrayFill(d->page, 0.0f);
            group_digits(num, sizeof(num), sums[b]);
            if (text_width(d, num, strlen(num), SMALL_SIZE) <= slot) {
                put_aligned(d, d->page, x, slot, y + 2.5f, num, strlen(num), SMALL_SIZE, 'c');
            }
            rc = draw_slot_label(d, bl[b], x, slot, bottom - 1.0f, err);
        }
        lx = LEFT;
        ly = bottom - label_h - SMALL_SIZE * 1.2f;
        for (size_t s = 0; rc == 0 && s < nseries; s++) {
            int cut = 0;
            size_t len;
            char tmp[512];
            if (s > 0 && s % per_line == 0) {
                lx = LEFT;
                ly -= SMALL_SIZE * 1.6f;
            }
            set_color(d->page, s);
            HPDF_Page_Rectangle(d->page, lx, ly - 1.0f, 7.0f, 7.0f);
            HPDF_Page_Fill(d->page);
            HPDF_Page_SetGrayFill(d->page, 0.0f);
            copy_prefix(tmp, sizeof(tmp), names[s]);
            len = fit_len(d, tmp, entry_w - 16.0f, SMALL_SIZE, &cut);
            if (cut) {
                memcpy(tmp + len, "\xE2\x80\xA6", 4);
                len += 3;
            }
            put_text(d, d->page, lx + 10.0f, ly, tmp, len, SMALL_SIZE);
            lx += entry_w;
        }
        d->y = bottom - label_h - legend_h - 10.0f;
    }
    if (rc == 0) {
        rc = check(d, err);
    }
done:
    free(cap);
    free_all(names, nseries);
    free_all(bl, nbuckets);
    return rc;
}

/* ---- finishing ---------------------------------------------------------------------------- */

static int draw_footers(plaint_pdf_doc *d, plaint_error *err)
{
    for (size_t i = 0; i < d->npages; i++) {
        HPDF_Page page = d->pages[i];
        char right[64];
        char left[1024];
        float rw;
        size_t len;
        int cut = 0;

        snprintf(right, sizeof(right), "page %zu of %zu", i + 1, d->npages);
        rw = text_width(d, right, strlen(right), FOOTER_SIZE);
        HPDF_Page_SetGrayStroke(page, 0.55f);
        HPDF_Page_SetLineWidth(page, 0.4f);
        HPDF_Page_MoveTo(page, LEFT, 50.0f);
        HPDF_Page_LineTo(page, RIGHT, 50.0f);
        HPDF_Page_Stroke(page);
        HPDF_Page_SetGrayFill(page, 0.25f);
        copy_prefix(left, sizeof(left), d->footer);
        len = fit_len(d, left, WIDTH - rw - 16.0f, FOOTER_SIZE, &cut);
        if (cut) {
            memcpy(left + len, "\xE2\x80\xA6", 4);
            len += 3;
        }
        put_text(d, page, LEFT, 38.0f, left, len, FOOTER_SIZE);
        put_text(d, page, RIGHT - rw, 38.0f, right, strlen(right), FOOTER_SIZE);
        if (i > 0) {
            /* a running title on the continuation pages */
            copy_prefix(left, sizeof(left), d->title);
            len = fit_len(d, left, WIDTH, FOOTER_SIZE, &cut);
            if (cut) {
                memcpy(left + len, "\xE2\x80\xA6", 4);
                len += 3;
            }
            put_text(d, page, LEFT, PAGE_H - 36.0f, left, len, FOOTER_SIZE);
        }
        HPDF_Page_SetGrayFill(page, 0.0f);
    }
    return check(d, err);
}

/*
 * libharu 2.3.0 writes, as the font's /ToUnicode, the encoder's CID CMap (a "begincidrange"
 * identity), which is not a ToUnicode CMap: poppler warns and falls back to reading the codes
 * as Unicode. With the UTF-8 encoder the codes are the UTF-16 code units, so the right map is
 * the identity as bfranges; this replaces the stream's content with it.
 */
static int fix_to_unicode(plaint_pdf_doc *d, plaint_error *err)
{
    HPDF_Dict tu = HPDF_Dict_GetItem(d->font, "ToUnicode", HPDF_OCLASS_DICT);
    char line[64];

    if (tu == NULL || tu->stream == NULL) {
        d->hpdf_error = 0;
        return 0;
    }
    HPDF_MemStream_FreeData(tu->stream);
    HPDF_Stream_WriteStr(tu->stream,
                         "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                         "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 "
                         ">> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                         "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    /* a bfrange may vary only in its last byte: one per high byte, 100 per block */
    for (unsigned hi = 0, n = 0; hi < 256; hi++) {
        if (hi >= 0xD8 && hi <= 0xDF) {
            continue; /* surrogates are not characters */
        }
        if (n % 100 == 0) {
            unsigned left = 0;
            for (unsigned k = hi; k < 256; k++) {
                left += !(k >= 0xD8 && k <= 0xDF);
            }
            snprintf(line, sizeof(line), "%s%u beginbfrange\n", n > 0 ? "endbfrange\n" : "",
                     left < 100 ? left : 100);
            HPDF_Stream_WriteStr(tu->stream, line);
        }
        snprintf(line, sizeof(line), "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi);
        HPDF_Stream_WriteStr(tu->stream, line);
        n++;
    }
    HPDF_Stream_WriteStr(tu->stream, "endbfrange\nendcmap\nCMapName currentdict /CMap "
                                     "defineresource pop\nend\nend\n");
    return check(d, err);
}

int plaint_pdf_doc_finish(plaint_pdf_doc *d, plaint_buf *out, plaint_error *err)
{
    plaint_buf raw = PLAINT_BUF_INIT;
    HPDF_UINT32 size;
    int rc = usable(d, err);

    if (rc == 0 && d->in_table) {
        rc = plaint_error_set(err, PLAINT_ERROR, "a table is open (plaint_pdf_table_end)");
    }
    if (rc == 0) {
        rc = place_headings(d, 0.0f, err); /* headings that nothing followed */
    }
    if (rc == 0) {
        rc = draw_footers(d, err);
    }
    if (rc == 0) {
        rc = fix_to_unicode(d, err);
    }
    if (rc == 0) {
        d->finished = 1;
        HPDF_SaveToStream(d->pdf);
        rc = check(d, err);
    }
    if (rc == 0) {
        size = HPDF_GetStreamSize(d->pdf);
        rc = plaint_buf_reserve(&raw, (size_t)size, err);
    }
    if (rc == 0) {
        HPDF_UINT32 got = size;
        HPDF_ReadFromStream(d->pdf, (HPDF_BYTE *)raw.data, &got);
        /* HPDF_ReadFromStream reports HPDF_STREAM_EOF after the last byte: not an error */
        if (d->hpdf_error == HPDF_STREAM_EOF) {
            d->hpdf_error = 0;
        }
        rc = check(d, err);
        if (rc == 0 && got != size) {
            rc = plaint_error_set(err, PLAINT_ERROR, "libharu gave %lu of %lu bytes",
                                  (unsigned long)got, (unsigned long)size);
        }
        raw.len = got;
        raw.data[raw.len] = '\0';
    }
    if (rc == 0) {
        rc = plaint_pdf_set_file_id(out, (const unsigned char *)raw.data, raw.len, err);
    }
    plaint_buf_clear(&raw);
    return rc;
}
