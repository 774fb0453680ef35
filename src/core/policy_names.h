/* Checks of the names and texts policies are built from, and safe copies of untrusted strings
 * for messages: shared by the policy modules of src/core (severity, routing, escalation, sla,
 * bizcal). Internal to libplaint: nothing here is exported. Pure: no I/O. */
#ifndef PLAINT_CORE_POLICY_NAMES_H
#define PLAINT_CORE_POLICY_NAMES_H

#include <stddef.h>

#include "plaint/error.h"

/* 1 if s is 1..max characters of [a-z0-9._-] starting with a letter (a token: an id, a
 * channel, a team or role name); 0 otherwise, and for NULL. */
int plaint_policy_names_is_token(const char *s, size_t max);

/* 1 if s is 1..max bytes without control characters (below 0x20, or 0x7f) and, if trimmed, with
 * no space at either end (a category, a checklist text); 0 otherwise, and for NULL. */
int plaint_policy_names_is_text(const char *s, size_t max, int trimmed);

/* Fills err for field, an invalid token ("<field> must be 1 to <max> characters of a-z 0-9 . _ -
 * starting with a letter"), and returns PLAINT_EINVALID. */
int plaint_policy_names_bad_token(plaint_error *err, const char *field, int max);

/* Copies the untrusted s to out (cap > 0 bytes) for a message: at most cap - 1 bytes, control
 * characters as '?', always NUL-terminated; NULL gives "". */
void plaint_policy_names_copy_safe(char *out, size_t cap, const char *s);

#endif
