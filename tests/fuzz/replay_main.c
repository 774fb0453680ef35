/* Replays a fuzz target's corpus under ctest (any compiler): every file in the directories
 * given on the command line goes through LLVMFuzzerTestOneInput once. With clang, the same
 * targets link against libFuzzer instead (PLAINT_FUZZ=ON) for real fuzzing. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "plaint/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int i;
    int n = 0;

    for (i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        if (d == NULL) {
            fprintf(stderr, "cannot open corpus %s\n", argv[i]);
            return 1;
        }
        for (;;) {
            char path[4096];
            plaint_buf b = PLAINT_BUF_INIT;
            e = readdir(d);
            if (e == NULL) {
                break;
            }
            if (e->d_name[0] == '.') {
                continue;
            }
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (plaint_buf_read_file(&b, path, 16u * 1024u * 1024u, NULL) == 0) {
                LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
                n++;
            }
            plaint_buf_clear(&b);
        }
        closedir(d);
    }
    printf("replayed %d inputs\n", n);
    return n > 0 ? 0 : 1;
}
