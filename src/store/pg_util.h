/* Decoding libpq result values (text and binary formats) for the PostgreSQL adapters. */
#ifndef PLAINT_PG_UTIL_H
#define PLAINT_PG_UTIL_H

#include <libpq-fe.h>
#include <stdint.h>

#include "plaint/digest.h"
#include "plaint/error.h"

/* Text-format int8 value (0 if NULL or malformed). */
int64_t plaint_pg_get_int8(const PGresult *res, int row, int col);
/* Binary-format int8 value (network byte order). */
int64_t plaint_pg_bin_int8(const PGresult *res, int row, int col);
/* PostgreSQL microseconds (since 2000-01-01) to Unix microseconds, saturating at the int64
 * limits (so +/-infinity never overflow). */
int64_t plaint_pg_time_to_unix_us(int64_t pg_us);
/* Binary-format timestamptz as microseconds since the Unix epoch. */
int64_t plaint_pg_bin_time_us(const PGresult *res, int row, int col);
/* Binary-format bytea of exactly 32 bytes; PLAINT_EDB otherwise. */
int plaint_pg_bin_hash(unsigned char out[PLAINT_HASH_LEN], const PGresult *res, int row, int col,
                       plaint_error *err);
/* Text-format bytea ("\x" hex) of exactly 32 bytes. */
int plaint_pg_bytea_hash(unsigned char out[PLAINT_HASH_LEN], const char *text, plaint_error *err);

/* Seconds between 1970-01-01 and 2000-01-01 (PostgreSQL's epoch), in microseconds. */
#define PLAINT_PG_EPOCH_OFFSET_US 946684800000000LL

#endif
