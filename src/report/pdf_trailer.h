/*
 * A small, strict reader for exactly the PDFs plaint writes: libharu's output (classic xref
 * table, no object or xref streams, generation-0 objects) plus plaint's own incremental updates
 * (the PAdES signature). It finds the newest trailer through startxref, merges the xref sections
 * along /Prev, and reads single objects and dictionary entries. It is not a general PDF parser
 * and refuses (PLAINT_EINVALID) what it does not expect; docs/reports-pdf.md says why it exists.
 * Internal to the report adapters.
 */
#ifndef PLAINT_REPORT_PDF_TRAILER_H
#define PLAINT_REPORT_PDF_TRAILER_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/buf.h"
#include "plaint/error.h"

/* Bytes of the file: a value (dictionary, array, string, name, number, reference). Borrowed. */
typedef struct plaint_pdf_span {
    const unsigned char *p;
    size_t len;
} plaint_pdf_span;

typedef struct plaint_pdf_file {
    const unsigned char *data; /* borrowed */
    size_t len;
    size_t startxref;        /* offset of the newest xref section */
    size_t size;             /* /Size of the newest trailer */
    uint32_t root;           /* object number of the catalog */
    uint32_t info;           /* of the document information dictionary; 0 if none */
    plaint_pdf_span trailer; /* the newest trailer dictionary, "<<" to ">>" */
    size_t *offsets;         /* size entries: offset of each object, 0 if free or absent */
    size_t sections;         /* xref sections read */
} plaint_pdf_file;

#define PLAINT_PDF_MAX_OBJECTS  1000000u
#define PLAINT_PDF_MAX_SECTIONS 64u

/* Reads the cross-reference structure of data[0..len). Returns 0 or PLAINT_EINVALID (what and
 * where), PLAINT_ENOMEM. Close with plaint_pdf_file_close even after a failure. */
int plaint_pdf_file_open(plaint_pdf_file *f, const unsigned char *data, size_t len,
                         plaint_error *err);
void plaint_pdf_file_close(plaint_pdf_file *f);

/* The value of object num ("num 0 obj VALUE endobj"; for a stream, its dictionary). */
int plaint_pdf_object(plaint_pdf_span *out, const plaint_pdf_file *f, uint32_t num,
                      plaint_error *err);

/* Dictionary entry key (without the slash) of dict: 1 found (*out set), 0 absent,
 * PLAINT_EINVALID when dict is not a well-formed dictionary. */
int plaint_pdf_dict_get(plaint_pdf_span *out, plaint_pdf_span dict, const char *key);
/* Element index of an array: 1 found, 0 past the end, PLAINT_EINVALID when not an array. */
int plaint_pdf_array_item(plaint_pdf_span *out, plaint_pdf_span array, size_t index);
/* A value that may be a reference: the referenced object's value, else v itself. */
int plaint_pdf_resolve(plaint_pdf_span *out, const plaint_pdf_file *f, plaint_pdf_span v,
                       plaint_error *err);

/* Value tests and conversions: 0 on success, PLAINT_EINVALID otherwise. */
int plaint_pdf_as_ref(uint32_t *num, plaint_pdf_span v);
int plaint_pdf_as_int(int64_t *out, plaint_pdf_span v);
/* 1 when v is the name /name. */
int plaint_pdf_is_name(plaint_pdf_span v, const char *name);
/* Decodes a literal string "(...)" (escapes included) into out (NUL-terminated); a string that
 * does not fit, or that holds a NUL, is PLAINT_EINVALID. */
int plaint_pdf_as_text(char *out, size_t cap, plaint_pdf_span v);

/* Span of the value starting at p (whitespace skipped), or {NULL, 0}. */
plaint_pdf_span plaint_pdf_value_at(const unsigned char *p, const unsigned char *end);

/*
 * Writes into out a copy of pdf (libharu's output, which has no /ID) whose trailer has
 * /ID [<h> <h>], h the first 16 bytes of SHA-256 of the input: deterministic, and nothing
 * else moves (the trailer follows the xref table). Returns 0 or PLAINT_EINVALID.
 */
int plaint_pdf_set_file_id(plaint_buf *out, const unsigned char *pdf, size_t len,
                           plaint_error *err);

/* Reads /PlaintCheckpoint (SIZE:ROOTHEX) from the document information dictionary. Returns 0,
 * PLAINT_ENOTFOUND when the PDF names no checkpoint, PLAINT_EINVALID when malformed. */
int plaint_pdf_read_checkpoint(int64_t *tree_size, char root_hex[65], const unsigned char *pdf,
                               size_t len, plaint_error *err);

#endif
