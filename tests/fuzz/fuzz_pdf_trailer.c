/* Fuzz target: the strict PDF reader (pdf_trailer.c) and the PAdES verifier on arbitrary bytes:
 * cross-reference sections, objects, the catalog, the document information, and the signature
 * dictionary with its CMS. Must never crash, hang or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* src/ is not on the fuzz targets' include path: the report adapters' headers by path */
#include "report/pades.h"
#include "report/pdf_trailer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plaint_pdf_file f;
    plaint_pades_info info;
    plaint_buf out = PLAINT_BUF_INIT;
    int64_t tree_size = 0;
    char root[65];

    /* a copy of exactly size bytes, so that reading past the end is caught by the sanitizers */
    unsigned char *copy = malloc(size > 0 ? size : 1);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    if (plaint_pdf_file_open(&f, copy, size, NULL) == 0) {
        for (uint32_t n = 1; n < f.size && n < 64; n++) {
            plaint_pdf_span v;
            plaint_pdf_span item;
            char text[128];
            if (plaint_pdf_object(&v, &f, n, NULL) != 0) {
                continue;
            }
            (void)plaint_pdf_dict_get(&item, v, "Type");
            if (plaint_pdf_dict_get(&item, v, "Kids") == 1) {
                (void)plaint_pdf_array_item(&item, item, 0);
            }
            if (plaint_pdf_dict_get(&item, v, "Title") == 1) {
                (void)plaint_pdf_as_text(text, sizeof(text), item);
            }
        }
    }
    plaint_pdf_file_close(&f);
    (void)plaint_pdf_read_checkpoint(&tree_size, root, copy, size, NULL);
    (void)plaint_pades_verify(copy, size, &info, NULL);
    (void)plaint_pdf_set_file_id(&out, copy, size, NULL);
    plaint_buf_clear(&out);
    free(copy);
    return 0;
}
