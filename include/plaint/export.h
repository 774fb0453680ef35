/* Symbol visibility for the public API (the library is built with -fvisibility=hidden). */
#ifndef PLAINT_EXPORT_H
#define PLAINT_EXPORT_H
#define PLAINT_EXTERN __attribute__((visibility("default")))
#endif
