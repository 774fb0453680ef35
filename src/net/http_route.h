/* Matching request paths against route patterns such as "/api/v1/complaints/{ref}/notes". */
#ifndef PLAINT_NET_HTTP_ROUTE_H
#define PLAINT_NET_HTTP_ROUTE_H

#include <stddef.h>

/* 1 if path matches pattern, where "{name}" matches one non-empty segment of letters, digits,
 * '-', '_' and '.' (copied to param, n bytes, if the pattern has one; too long: no match). */
int plaint_http_route_match(const char *pattern, const char *path, char *param, size_t n);

#endif
