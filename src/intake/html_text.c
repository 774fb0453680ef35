/* The readable text of an HTML body (an email with only text/html), from the tree libxml2's
 * HTML parser builds: text nodes in document order, whitespace collapsed as a browser would,
 * line breaks at <br> and around block elements, nothing from <head>, <script> or <style>. */
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "intake/html_text.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libxml2 2.9's first-use initialisation is not thread-safe by itself. */
static void init_libxml(void)
{
    xmlInitParser();
}

typedef struct html_out {
    plaint_buf *buf;
    int newlines; /* line breaks owed before the next text (at most 2: one blank line) */
    int space;    /* a space owed before the next text */
    int rc;
} html_out;

static const char *const SKIPPED[] = {"head", "script", "style", "noscript", "template", "title"};
static const char *const BLOCKS[] = {
    "address",  "article", "aside",   "blockquote", "dd",    "div",     "dl",      "dt",
    "fieldset", "figure",  "footer",  "form",       "h1",    "h2",      "h3",      "h4",
    "h5",       "h6",      "header",  "hr",         "li",    "main",    "nav",     "ol",
    "p",        "pre",     "section", "table",      "tr",    "ul",      "body",    "html",
    "caption",  "center",  "tbody",   "thead",      "tfoot", "summary", "details",
};

static int name_in(const xmlChar *name, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcasecmp((const char *)name, list[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static void want_newlines(html_out *o, int n)
{
    if (o->buf->len > 0 && o->newlines < n) {
        o->newlines = n;
    }
    o->space = 0;
}

static void put(html_out *o, const char *s, size_t len)
{
    if (o->rc == 0) {
        o->rc = plaint_buf_append(o->buf, s, len, NULL);
    }
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Appends text, collapsing whitespace runs to one space (kept as is inside <pre>). */
static void put_text(html_out *o, const char *s, int pre)
{
    size_t i = 0;
    size_t n = strlen(s);

    while (i < n && o->rc == 0) {
        size_t j = i;
        if (!pre && is_ws((unsigned char)s[i])) {
            while (i < n && is_ws((unsigned char)s[i])) {
                i++;
            }
            if (o->buf->len > 0 && o->newlines == 0) {
                o->space = 1;
            }
            continue;
        }
        while (j < n && (pre || !is_ws((unsigned char)s[j]))) {
            j++;
        }
        if (o->newlines > 0) {
            put(o, o->newlines > 1 ? "\n\n" : "\n", (size_t)o->newlines);
            o->newlines = 0;
            o->space = 0;
        } else if (o->space) {
            put(o, " ", 1);
            o->space = 0;
        }
        put(o, s + i, j - i);
        i = j;
    }
}

static void walk(html_out *o, const xmlNode *n, int pre)
{
    for (; n != NULL && o->rc == 0; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content != NULL) {
                put_text(o, (const char *)n->content, pre);
            }
        } else if (n->type == XML_ELEMENT_NODE) {
            int block;
            if (name_in(n->name, SKIPPED, sizeof(SKIPPED) / sizeof(SKIPPED[0]))) {
                continue;
            }
            if (strcasecmp((const char *)n->name, "br") == 0) {
                if (o->buf->len > 0 && o->newlines < 2) {
                    o->newlines++;
                }
                o->space = 0;
                continue;
            }
            block = name_in(n->name, BLOCKS, sizeof(BLOCKS) / sizeof(BLOCKS[0]));
            if (block) {
                want_newlines(o, strcasecmp((const char *)n->name, "p") == 0 ? 2 : 1);
            } else if (strcasecmp((const char *)n->name, "td") == 0 ||
                       strcasecmp((const char *)n->name, "th") == 0) {
                if (o->buf->len > 0 && o->newlines == 0) {
                    o->space = 1;
                }
            }
            walk(o, n->children, pre || strcasecmp((const char *)n->name, "pre") == 0);
            if (block) {
                want_newlines(o, strcasecmp((const char *)n->name, "p") == 0 ? 2 : 1);
            }
        }
    }
}

int plaint_intake_html_text(plaint_buf *out, const char *html, size_t len, plaint_error *err)
{
    htmlDocPtr doc;
    html_out o;

    plaint_buf_reset(out);
    if (plaint_buf_reserve(out, 0, err) < 0) {
        return PLAINT_ENOMEM;
    }
    if (len == 0) {
        return 0;
    }
    if (len > INT_MAX) {
        return plaint_error_set(err, PLAINT_EINVALID, "HTML body too large");
    }
    pthread_once(&init_once, init_libxml);
    /* NOERROR/NOWARNING: libxml2 reports nothing (the library never prints); NONET: no
     * fetching; RECOVER: mail HTML is rarely valid. The caller passes UTF-8. */
    doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                         HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET);
    if (doc == NULL) {
        /* nothing libxml2 can make a tree of (e.g. no markup and no text): no text */
        return 0;
    }
    memset(&o, 0, sizeof(o));
    o.buf = out;
    walk(&o, doc->children, 0);
    xmlFreeDoc(doc);
    if (o.rc < 0) {
        return plaint_error_set(err, o.rc, "out of memory converting HTML to text");
    }
    return 0;
}
