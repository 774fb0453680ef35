/* The embedded PostgreSQL 15 cluster under $PLAINT_HOME/pg: create, start, stop, status. */
#ifndef PLAINT_CLUSTER_H
#define PLAINT_CLUSTER_H

#include <stddef.h>

#include "plaint/error.h"
#include "plaint/export.h"

/* Name of the bootstrap superuser of an embedded cluster, and of its database. */
#define PLAINT_CLUSTER_SUPERUSER "plaint_admin"
#define PLAINT_CLUSTER_DBNAME "plaint"

typedef struct plaint_cluster_opts {
    const char *pgdir;        /* data/, run/ and log/ live beneath it */
    const char *bindir;       /* PostgreSQL server binaries (initdb, pg_ctl) */
    const char *service_user; /* unprivileged user that runs the server when we are root */
    int tcp_port;             /* 0: Unix socket only (the default); else listen on 127.0.0.1 */
} plaint_cluster_opts;

/* Creates the cluster if pgdir/data holds none; a no-op otherwise. */
PLAINT_EXTERN int plaint_cluster_init(const plaint_cluster_opts *o, plaint_error *err);
/* Creates the cluster if needed and starts it; a no-op if it already runs. */
PLAINT_EXTERN int plaint_cluster_start(const plaint_cluster_opts *o, plaint_error *err);
/* Stops the cluster (fast shutdown); a no-op if it does not run. */
PLAINT_EXTERN int plaint_cluster_stop(const plaint_cluster_opts *o, plaint_error *err);
/* Sets *running to 1 or 0. */
PLAINT_EXTERN int plaint_cluster_status(const plaint_cluster_opts *o, int *running,
                                        plaint_error *err);
/* Directory of the cluster's Unix socket (pgdir/run, or a private /tmp directory when that path
 * would exceed the kernel's socket path limit). */
PLAINT_EXTERN int plaint_cluster_socket_dir(char *out, size_t n, const char *pgdir,
                                            plaint_error *err);
/* The port number in the socket file name. */
PLAINT_EXTERN int plaint_cluster_port(const plaint_cluster_opts *o);
/* The port of the running cluster in pgdir (its socket file's name), 5432 if unknown. */
PLAINT_EXTERN int plaint_cluster_running_port(const char *pgdir);

#endif
