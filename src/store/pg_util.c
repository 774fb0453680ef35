/* Decoding libpq result values for the PostgreSQL adapters. */
#include "store/pg_util.h"

#include <stdlib.h>
#include <string.h>

int64_t plaint_pg_get_int8(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        return 0;
    }
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return (int64_t)v;
}

int64_t plaint_pg_bin_int8(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != 8) {
        return 0;
    }
    return be64((const unsigned char *)PQgetvalue(res, row, col));
}

int64_t plaint_pg_time_to_unix_us(int64_t pg_us)
{
    /* 'infinity' is INT64_MAX: saturate rather than overflow; formatting then rejects it. */
    if (pg_us > INT64_MAX - PLAINT_PG_EPOCH_OFFSET_US) {
        return INT64_MAX;
    }
    if (pg_us < INT64_MIN + PLAINT_PG_EPOCH_OFFSET_US) {
        return INT64_MIN;
    }
    return pg_us + PLAINT_PG_EPOCH_OFFSET_US;
}

int64_t plaint_pg_bin_time_us(const PGresult *res, int row, int col)
{
    return plaint_pg_time_to_unix_us(plaint_pg_bin_int8(res, row, col));
}

int plaint_pg_bin_hash(unsigned char out[PLAINT_HASH_LEN], const PGresult *res, int row, int col,
                       plaint_error *err)
{
    if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != PLAINT_HASH_LEN) {
        return plaint_error_set(err, PLAINT_EDB, "expected a 32-byte hash in column %d", col);
    }
    memcpy(out, PQgetvalue(res, row, col), PLAINT_HASH_LEN);
    return 0;
}

int plaint_pg_bytea_hash(unsigned char out[PLAINT_HASH_LEN], const char *text, plaint_error *err)
{
    if (strncmp(text, "\\x", 2) != 0) {
        return plaint_error_set(err, PLAINT_EDB, "unexpected bytea text format");
    }
    return plaint_hex_decode(out, PLAINT_HASH_LEN, text + 2, strlen(text + 2), err);
}
