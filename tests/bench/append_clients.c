/* Benchmark driver: N client processes, each with its own connection, calling
 * plaint_ledger_append in a loop for T seconds over overlapping cases; prints appends/s.
 *
 * Usage: append_clients [-c CLIENTS] [-T SECONDS] [-n CASES] [-p PREFIX]
 * Configuration as for the CLI (PLAINT_HOME, PLAINT_DB, PLAINT_CONFIG). Output, one line:
 *   appends=N seconds=S rate=R conflicts=K clients=C cases=M
 * Exit 0 on success, 1 if any client failed (its error on stderr). Built by tests/bench/run.sh. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plaint/config.h"
#include "plaint/db.h"
#include "plaint/error.h"
#include "plaint/ledger.h"

#define MAX_CLIENTS 256

typedef struct client_result {
    int64_t appends;
    int64_t conflicts;
    double seconds;
    int failed;
} client_result;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: a private generator per client, no shared state. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ULL;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n)
{
    char *c = p;

    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

/* One client: connect, report ready, wait for the start signal (EOF on go_fd), append. */
static client_result run_client(int id, int ready_fd, int go_fd, double seconds, long ncases,
                                const char *prefix)
{
    client_result r;
    plaint_config cfg;
    plaint_config_flags flags;
    plaint_db *db = NULL;
    plaint_error err;
    uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(id + 1);
    char case_id[64];
    char payload[256];
    char c = 'r';
    double start;
    double end;
    int rc;

    memset(&r, 0, sizeof(r));
    memset(&flags, 0, sizeof(flags));
    plaint_error_init(&err);
    rc = plaint_config_load(&cfg, &flags, &err);
    if (rc == 0) {
        rc = plaint_db_open(&db, &cfg, PLAINT_DB_APP, &err);
    }
    if (rc < 0) {
        fprintf(stderr, "append_clients: client %d: %s\n", id, err.message);
        r.failed = 1;
        c = 'f';
    }
    if (write_all(ready_fd, &c, 1) < 0 || r.failed) {
        plaint_db_close(db);
        r.failed = 1;
        return r;
    }
    while (read(go_fd, &c, 1) > 0) {
        /* the parent closes the pipe to start everyone at once */
    }
    start = now_s();
    end = start + seconds;
    while (now_s() < end) {
        plaint_append_req req;
        plaint_append_result out;
        long k = (long)(next_rand(&seed) % (uint64_t)ncases);
        int n;

        snprintf(case_id, sizeof(case_id), "%s-%06ld", prefix, k);
        /* Canonical JSON (sorted keys, no spaces), ~150 bytes like gen_events.py payloads. */
        n = snprintf(payload, sizeof(payload),
                     "{\"amount\":{\"currency\":\"EUR\",\"minor\":%u},\"channel\":\"email\","
                     "\"n\":%lld,\"note\":\"customer reports card payment declined twice "
                     "refund requested\",\"step\":%d}",
                     (unsigned)(next_rand(&seed) % 500000u), (long long)r.appends, id);
        if (n < 0 || (size_t)n >= sizeof(payload)) {
            fprintf(stderr, "append_clients: payload too long\n");
            r.failed = 1;
            break;
        }
        memset(&req, 0, sizeof(req));
        req.case_id = case_id;
        req.type = "complaint.note";
        req.actor = "agent-042";
        req.role = "operator";
        req.payload = payload;
        req.payload_len = (size_t)n;
        rc = plaint_ledger_append(&out, db, &req, &err);
        if (rc == PLAINT_ECONFLICT) {
            r.conflicts++;
            continue;
        }
        if (rc < 0) {
            fprintf(stderr, "append_clients: client %d: %s\n", id, err.message);
            r.failed = 1;
            break;
        }
        r.appends++;
    }
    r.seconds = now_s() - start;
    plaint_db_close(db);
    return r;
}

static void usage(void)
{
    fprintf(stderr, "usage: append_clients [-c CLIENTS] [-T SECONDS] [-n CASES] [-p PREFIX]\n");
}

int main(int argc, char **argv)
{
    long clients = 8;
    double seconds = 10.0;
    long ncases = 1000;
    const char *prefix = "B";
    int ready[2];
    int go[2];
    int results[MAX_CLIENTS][2];
    pid_t pids[MAX_CLIENTS];
    client_result total;
    double max_seconds = 0.0;
    int failed = 0;
    int opt;
    long i;

    while ((opt = getopt(argc, argv, "c:T:n:p:h")) != -1) {
        char *end = NULL;
        switch (opt) {
        case 'c':
            clients = strtol(optarg, &end, 10);
            break;
        case 'T':
            seconds = strtod(optarg, &end);
            break;
        case 'n':
            ncases = strtol(optarg, &end, 10);
            break;
        case 'p':
            prefix = optarg;
            end = optarg + strlen(optarg);
            break;
        case 'h':
            usage();
            return 0;
        default:
            usage();
            return 2;
        }
        if (end == NULL || *end != '\0') {
            usage();
            return 2;
        }
    }
    if (optind != argc || clients < 1 || clients > MAX_CLIENTS || seconds <= 0.0 || ncases < 1 ||
        strlen(prefix) > 40) {
        usage();
        return 2;
    }
    if (pipe(ready) != 0 || pipe(go) != 0) {
        perror("append_clients: pipe");
        return 1;
    }
    for (i = 0; i < clients; i++) {
        if (pipe(results[i]) != 0) {
            perror("append_clients: pipe");
            return 1;
        }
        pids[i] = fork();
        if (pids[i] < 0) {
            perror("append_clients: fork");
            return 1;
        }
        if (pids[i] == 0) {
            client_result r;
            close(ready[0]);
            close(go[1]);
            close(results[i][0]);
            r = run_client((int)i, ready[1], go[0], seconds, ncases, prefix);
            write_all(results[i][1], &r, sizeof(r));
            _exit(r.failed ? 1 : 0);
        }
        close(results[i][1]);
    }
    close(ready[1]);
    close(go[0]);
    for (i = 0; i < clients; i++) {
        char c = 0;
        if (read_all(ready[0], &c, 1) < 0 || c != 'r') {
            failed = 1;
        }
    }
    close(go[1]); /* start */
    memset(&total, 0, sizeof(total));
    for (i = 0; i < clients; i++) {
        client_result r;
        int status = 0;
        if (read_all(results[i][0], &r, sizeof(r)) < 0) {
            memset(&r, 0, sizeof(r));
            r.failed = 1;
        }
        close(results[i][0]);
        waitpid(pids[i], &status, 0);
        if (r.failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed = 1;
        }
        total.appends += r.appends;
        total.conflicts += r.conflicts;
        if (r.seconds > max_seconds) {
            max_seconds = r.seconds;
        }
    }
    if (failed) {
        fprintf(stderr, "append_clients: a client failed\n");
        return 1;
    }
    printf("appends=%lld seconds=%.3f rate=%.1f conflicts=%lld clients=%ld cases=%ld\n",
           (long long)total.appends, max_seconds, (double)total.appends / max_seconds,
           (long long)total.conflicts, clients, ncases);
    return 0;
}
