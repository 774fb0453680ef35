/* Internal to src/intake: the text of an HTML document (html_text.c). */
#ifndef PLAINT_INTAKE_HTML_TEXT_H
#define PLAINT_INTAKE_HTML_TEXT_H

#include <stddef.h>

#include "plaint/buf.h"
#include "plaint/error.h"

/* Replaces out's content with the readable text of the UTF-8 HTML html[0..len): libxml2's HTML
 * parser (recovering, silent, no network) builds the tree; text nodes are joined with
 * whitespace collapsed, line breaks at <br> and block elements, a blank line around
 * paragraphs; <head>, <script>, <style> and <template> are skipped. Input libxml2 cannot parse
 * gives "". PLAINT_ENOMEM, or PLAINT_EINVALID over INT_MAX bytes. */
int plaint_intake_html_text(plaint_buf *out, const char *html, size_t len, plaint_error *err);

#endif
