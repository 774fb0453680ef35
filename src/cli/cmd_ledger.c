/* plaint ledger append|show|seal|export|prove: low-level ledger access for tests, scripts and
 * auditors. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "plaint/app_auth.h"
#include "plaint/app_ledger.h"
#include "plaint/buf.h"
#include "plaint/bundle.h"
#include "plaint/chain.h"
#include "plaint/jcs.h"
#include "plaint/proof.h"

static const char APPEND_HELP[] =
    "Usage: plaint ledger append --case ID --type T --payload JSON [--idempotency-key K]\n"
    "                            [--actor NAME] [--role ROLE] [OPTIONS]\n\n"
    "Appends one event to the case's hash chain and prints it as JSON. The payload must be a\n"
    "JSON object (no floating-point numbers; it is stored in RFC 8785 canonical form); '-'\n"
    "reads it from standard input. The same idempotency key twice records one event and\n"
    "returns the first (\"replayed\": true). Seals automatically when due (ledger.seal_every_*).\n\n"
    "  --case ID              case identifier (1-200 bytes)\n"
    "  --type T               event type, e.g. complaint.created\n"
    "  --payload JSON         the event's data\n"
    "  --idempotency-key K    makes retries safe\n"
    "  --actor NAME           who acts (default: cli:<login name>)\n"
    "  --role ROLE            in which role (default: operator)\n";
static const char SHOW_HELP[] =
    "Usage: plaint ledger show --case ID [--json] [OPTIONS]\n\n"
    "Prints the case's events in order: sequence, position (- if not yet sequenced), time, type,\n"
    "actor, role, hash and payload; --json prints one JSON object per line.\n";
static const char SEAL_HELP[] =
    "Usage: plaint ledger seal [--force] [OPTIONS]\n\n"
    "Gives pending events their global positions and writes a checkpoint signed with the\n"
    "signing key over all of them. Without --force, writes none when nothing is new.\n";

static const char EXPORT_HELP[] =
    "Usage: plaint ledger export --out DIR [--from-checkpoint N] [OPTIONS]\n\n"
    "Writes a self-contained bundle into DIR: events.jsonl (every event in position order, then\n"
    "unsequenced ones), checkpoints.jsonl, pubkey.pem and manifest.json (counts and the SHA-256\n"
    "of each file), all from one consistent snapshot. 'plaint verify --bundle DIR --pubkey KEY'\n"
    "checks it with no database. Format: docs/ledger-format.md.\n\n"
    "  --out DIR              target directory (must not already hold a bundle)\n"
    "  --from-checkpoint N    start at checkpoint N instead of the beginning\n";

static const char PROVE_HELP[] =
    "Usage: plaint ledger prove --position P [--out FILE] [OPTIONS]\n"
    "       plaint ledger prove --consistency A B [--out FILE] [OPTIONS]\n\n"
    "Writes a proof as JSON (to FILE or standard output): that the event at position P is in\n"
    "the first checkpoint covering it (RFC 9162 inclusion proof), or that checkpoint B's tree\n"
    "extends checkpoint A's (consistency proof). Check it anywhere with\n"
    "'plaint verify-proof FILE --pubkey KEY'.\n";

static const char IMPORT_HELP[] =
    "Usage: plaint ledger import FILE.jsonl [--batch N] [--actor NAME] [OPTIONS]\n\n"
    "Bulk append: one event per line, {\"case\":..,\"type\":..,\"payload\":{..}} with optional\n"
    "\"actor\", \"role\" and \"idempotency_key\". Each batch of N events (default 5000) is one\n"
    "transaction written with COPY. Lines whose idempotency key is already recorded are skipped,\n"
    "so re-running an interrupted import is safe. A bad line stops the import naming file and\n"
    "line; earlier batches stay committed. '-' reads standard input.\n";

typedef struct append_opts {
    const char *case_id;
    const char *type;
    const char *payload;
    const char *key;
    const char *actor;
    const char *role;
    const char *out;
    long long from_cp;
    long long position;
    long long batch;
    int consistency;
    int json;
    int force;
} append_opts;

static int on_opt(void *ctx, int opt, const char *arg)
{
    append_opts *o = ctx;

    switch (opt) {
    case 'c':
        o->case_id = arg;
        break;
    case 't':
        o->type = arg;
        break;
    case 'p':
        o->payload = arg;
        break;
    case 'k':
        o->key = arg;
        break;
    case 'a':
        o->actor = arg;
        break;
    case 'r':
        o->role = arg;
        break;
    case 'j':
        o->json = 1;
        break;
    case 'f':
        o->force = 1;
        break;
    case 'o':
        o->out = arg;
        break;
    case 'P': {
        char *end = NULL;
        o->position = strtoll(arg, &end, 10);
        if (end == arg || *end != '\0' || o->position < 0) {
            return plaint_cli_usage("plaint ledger prove", "--position needs a number >= 0");
        }
        break;
    }
    case 'C':
        o->consistency = 1;
        break;
    case 'B': {
        char *end = NULL;
        o->batch = strtoll(arg, &end, 10);
        if (end == arg || *end != '\0' || o->batch < 1 || o->batch > 1000000) {
            return plaint_cli_usage("plaint ledger import", "--batch needs 1..1000000");
        }
        break;
    }
    case 'F': {
        char *end = NULL;
        o->from_cp = strtoll(arg, &end, 10);
        if (end == arg || *end != '\0' || o->from_cp < 1) {
            return plaint_cli_usage("plaint ledger export",
                                    "--from-checkpoint needs a checkpoint number >= 1");
        }
        break;
    }
    default:
        return plaint_cli_usage("plaint ledger", "unexpected option");
    }
    return -1;
}

/* Authorises `action` for the acting user, then opens a connection in the role the work needs
 * (the reading path as plaint_auditor, the writing path as plaint_app). */
static int open_db(plaint_cli *cli, plaint_db **db, const plaint_config **cfg,
                   plaint_db_role role, const char *action, plaint_actor *actor,
                   plaint_error *err)
{
    int rc = plaint_cli_authorize(cli, action, actor, err);

    if (rc == 0) {
        rc = plaint_cli_config(cli, cfg, err);
    }
    if (rc == 0) {
        rc = plaint_db_open(db, *cfg, role, err);
    }
    return rc;
}

/* Who the event is recorded as: with users, the authenticated user in the role that granted the
 * action (--actor/--role are refused: no one writes in another's name); in bootstrap mode, the
 * local operator, or what --actor/--role say. */
static int resolve_actor(const char **who, const char **role, const plaint_actor *actor,
                         const append_opts *o, char *buf, size_t n, plaint_error *err)
{
    if (!actor->bootstrap) {
        if (o->actor != NULL || o->role != NULL) {
            return plaint_error_set(err, PLAINT_EDENIED,
                                    "--actor and --role are taken from the token once users "
                                    "exist");
        }
        *who = actor->user.user_id;
        *role = actor->acting_role;
        return 0;
    }
    if (o->actor == NULL) {
        struct passwd *pw = getpwuid(geteuid());
        snprintf(buf, n, "cli:%s", pw != NULL ? pw->pw_name : "unknown");
        *who = buf;
    } else {
        *who = o->actor;
    }
    *role = o->role != NULL ? o->role : "operator";
    return 0;
}

static void print_json_string(const char *s, size_t len)
{
    plaint_buf b = PLAINT_BUF_INIT;

    if (plaint_jcs_append_string(&b, s, len, NULL) == 0) {
        fwrite(b.data, 1, b.len, stdout);
    } else {
        fputs("\"?\"", stdout);
    }
    plaint_buf_clear(&b);
}

static int cmd_append(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON,
                                  {"case", required_argument, NULL, 'c'},
                                  {"type", required_argument, NULL, 't'},
                                  {"payload", required_argument, NULL, 'p'},
                                  {"idempotency-key", required_argument, NULL, 'k'},
                                  {"actor", required_argument, NULL, 'a'},
                                  {"role", required_argument, NULL, 'r'},
                                  {NULL, 0, NULL, 0}};
    const char *path = "plaint ledger append";
    append_opts o;
    const plaint_config *cfg;
    plaint_db *db = NULL;
    plaint_error err;
    plaint_actor actor;
    plaint_append_req req;
    plaint_append_result res;
    plaint_buf in = PLAINT_BUF_INIT;
    char actor_name[300];
    char hex[2 * PLAINT_HASH_LEN + 1];
    char ts[PLAINT_TIME_LEN + 1];
    const char *payload;
    size_t payload_len;
    int sealed = 0;
    int first = 0;
    int rc;
    int r;

    memset(&o, 0, sizeof(o));
    r = plaint_cli_parse(cli, path, APPEND_HELP, argc, argv, NULL, opts, on_opt, &o, &first);
    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage(path, "unexpected argument '%s'", argv[first]);
    }
    if (o.case_id == NULL || o.type == NULL || o.payload == NULL) {
        return plaint_cli_usage(path, "--case, --type and --payload are required");
    }
    plaint_error_init(&err);
    payload = o.payload;
    payload_len = strlen(payload);
    if (strcmp(o.payload, "-") == 0) {
        rc = plaint_buf_read_file(&in, "/dev/stdin", 16u * 1024u * 1024u, &err);
        if (rc < 0) {
            return plaint_cli_fail(&err);
        }
        payload = in.data;
        payload_len = in.len;
    }
    memset(&req, 0, sizeof(req));
    req.case_id = o.case_id;
    req.type = o.type;
    req.idempotency_key = o.key;
    rc = open_db(cli, &db, &cfg, PLAINT_DB_APP, "ledger.append", &actor, &err);
    if (rc == 0) {
        rc = resolve_actor(&req.actor, &req.role, &actor, &o, actor_name, sizeof(actor_name),
                           &err);
    }
    if (rc == 0) {
        rc = plaint_app_append(&res, &sealed, db, cfg, &req, payload, payload_len, &err);
    }
    plaint_db_close(db);
    plaint_buf_clear(&in);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    plaint_hex_encode(hex, res.hash, PLAINT_HASH_LEN);
    if (plaint_time_format(ts, res.time_us, &err) < 0) {
        return plaint_cli_fail(&err);
    }
    printf("{\"case\":");
    print_json_string(o.case_id, strlen(o.case_id));
    printf(",\"event_id\":%lld,\"hash\":\"%s\",\"replayed\":%s,\"seq\":%lld,\"time\":\"%s\"}\n",
           (long long)res.event_id, hex, res.replayed ? "true" : "false",
           (long long)res.case_seq, ts);
    if (sealed < 0) {
        fprintf(stderr, "plaint: warning: the event is recorded, but automatic sealing failed\n");
    }
    return PLAINT_EXIT_OK;
}

typedef struct show_ctx {
    int json;
    int64_t n;
} show_ctx;

static int show_row(const plaint_ledger_row *row, void *arg, plaint_error *err)
{
    show_ctx *c = arg;
    const plaint_event *ev = &row->ev;
    char hex[2 * PLAINT_HASH_LEN + 1];
    char ts[PLAINT_TIME_LEN + 1];
    int rc = plaint_time_format(ts, ev->time_us, err);

    if (rc < 0) {
        return rc;
    }
    plaint_hex_encode(hex, row->hash, PLAINT_HASH_LEN);
    c->n++;
    if (c->json) {
        printf("{\"actor\":");
        print_json_string(ev->actor, ev->actor_len);
        printf(",\"case\":");
        print_json_string(ev->case_id, ev->case_id_len);
        printf(",\"hash\":\"%s\",\"payload\":%.*s,\"position\":", hex, (int)ev->payload_len,
               ev->payload);
        if (row->position >= 0) {
            printf("%lld", (long long)row->position);
        } else {
            printf("null");
        }
        printf(",\"role\":");
        print_json_string(ev->role, ev->role_len);
        printf(",\"seq\":%lld,\"time\":\"%s\",\"type\":", (long long)ev->case_seq, ts);
        print_json_string(ev->type, ev->type_len);
        printf("}\n");
        return 0;
    }
    if (c->n == 1) {
        printf("%-5s %-9s %-27s %-24s %-20s %-12s %-16s %s\n", "SEQ", "POSITION", "TIME", "TYPE",
               "ACTOR", "ROLE", "HASH", "PAYLOAD");
    }
    if (row->position >= 0) {
        printf("%-5lld %-9lld ", (long long)ev->case_seq, (long long)row->position);
    } else {
        printf("%-5lld %-9s ", (long long)ev->case_seq, "-");
    }
    printf("%-27s %-24.*s %-20.*s %-12.*s %.16s %.*s\n", ts, (int)ev->type_len, ev->type,
           (int)ev->actor_len, ev->actor, (int)ev->role_len, ev->role, hex,
           (int)ev->payload_len, ev->payload);
    return 0;
}

static int cmd_show(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON,
                                  {"case", required_argument, NULL, 'c'},
                                  {"json", no_argument, NULL, 'j'},
                                  {NULL, 0, NULL, 0}};
    const char *path = "plaint ledger show";
    append_opts o;
    const plaint_config *cfg;
    plaint_db *db = NULL;
    plaint_error err;
    plaint_actor actor;
    show_ctx c;
    int first = 0;
    int rc;
    int r;

    memset(&o, 0, sizeof(o));
    r = plaint_cli_parse(cli, path, SHOW_HELP, argc, argv, NULL, opts, on_opt, &o, &first);
    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage(path, "unexpected argument '%s'", argv[first]);
    }
    if (o.case_id == NULL) {
        return plaint_cli_usage(path, "--case is required");
    }
    plaint_error_init(&err);
    memset(&c, 0, sizeof(c));
    c.json = o.json;
    rc = open_db(cli, &db, &cfg, PLAINT_DB_AUDITOR, "ledger.read", &actor, &err);
    if (rc == 0) {
        rc = plaint_ledger_read_case(db, o.case_id, show_row, &c, &err);
    }
    plaint_db_close(db);
    return rc < 0 ? plaint_cli_fail(&err) : PLAINT_EXIT_OK;
}

static int cmd_seal(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON,
                                  {"force", no_argument, NULL, 'f'},
                                  {NULL, 0, NULL, 0}};
    const char *path = "plaint ledger seal";
    append_opts o;
    const plaint_config *cfg;
    plaint_db *db = NULL;
    plaint_error err;
    plaint_actor actor;
    plaint_seal_result res;
    char root[2 * PLAINT_HASH_LEN + 1];
    int first = 0;
    int rc;
    int r;

    memset(&o, 0, sizeof(o));
    r = plaint_cli_parse(cli, path, SEAL_HELP, argc, argv, NULL, opts, on_opt, &o, &first);
    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage(path, "unexpected argument '%s'", argv[first]);
    }
    plaint_error_init(&err);
    rc = open_db(cli, &db, &cfg, PLAINT_DB_APP, "ledger.seal", &actor, &err);
    if (rc == 0) {
        rc = plaint_app_seal(&res, db, cfg, o.force, &err);
    }
    plaint_db_close(db);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    plaint_hex_encode(root, res.cp.root, PLAINT_HASH_LEN);
    printf("%s checkpoint %lld: tree size %lld, root %s (%lld events sequenced now)\n",
           res.sealed ? "wrote" : "nothing new; latest", (long long)res.cp.seq,
           (long long)res.cp.tree_size, root, (long long)res.sequenced);
    return PLAINT_EXIT_OK;
}

static void export_progress(int64_t done, int64_t total, void *arg)
{
    (void)arg;
    if (total > 0) {
        fprintf(stderr, "\rexporting: %lld / %lld events", (long long)done, (long long)total);
    }
}

static int cmd_export(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON,
                                  {"out", required_argument, NULL, 'o'},
                                  {"from-checkpoint", required_argument, NULL, 'F'},
                                  {NULL, 0, NULL, 0}};
    const char *path = "plaint ledger export";
    append_opts o;
    const plaint_config *cfg;
    plaint_db *db = NULL;
    plaint_error err;
    plaint_actor actor;
    plaint_bundle_counts counts;
    int tty = isatty(STDERR_FILENO);
    int first = 0;
    int rc;
    int r;

    memset(&o, 0, sizeof(o));
    r = plaint_cli_parse(cli, path, EXPORT_HELP, argc, argv, NULL, opts, on_opt, &o, &first);
    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage(path, "unexpected argument '%s'", argv[first]);
    }
    if (o.out == NULL) {
        return plaint_cli_usage(path, "--out DIR is required");
    }
    plaint_error_init(&err);
    rc = open_db(cli, &db, &cfg, PLAINT_DB_AUDITOR, "ledger.export", &actor, &err);
    if (rc == 0) {
        rc = plaint_bundle_export(&counts, db, o.out, o.from_cp, tty ? export_progress : NULL,
                                  NULL, &err);
    }
    plaint_db_close(db);
    if (tty) {
        fputc('\n', stderr);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("bundle written to %s: %lld events (%lld sequenced, %lld not yet), %lld checkpoints\n",
           o.out, (long long)counts.events, (long long)counts.positioned,
           (long long)counts.unsequenced, (long long)counts.checkpoints);
    return PLAINT_EXIT_OK;
}

static int parse_seq(long long *out, const char *s)
{
    char *end = NULL;

    *out = strtoll(s, &end, 10);
    return (end != s && *end == '\0' && *out >= 1) ? 0 : -1;
}

static int cmd_prove(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON,
                                  {"position", required_argument, NULL, 'P'},
                                  {"consistency", no_argument, NULL, 'C'},
                                  {"out", required_argument, NULL, 'o'},
                                  {NULL, 0, NULL, 0}};
    const char *path = "plaint ledger prove";
    append_opts o;
    const plaint_config *cfg;
    plaint_db *db = NULL;
    plaint_error err;
    plaint_actor actor;
    plaint_buf doc = PLAINT_BUF_INIT;
    long long a = 0;
    long long b = 0;
    int first = 0;
    int rc;
    int r;

    memset(&o, 0, sizeof(o));
    o.position = -1;
    r = plaint_cli_parse(cli, path, PROVE_HELP, argc, argv, NULL, opts, on_opt, &o, &first);
    if (r >= 0) {
        return r;
    }
    if (o.consistency) {
        if (o.position >= 0 || argc - first != 2 || parse_seq(&a, argv[first]) < 0 ||
            parse_seq(&b, argv[first + 1]) < 0) {
            return plaint_cli_usage(path, "--consistency takes two checkpoint numbers A B");
        }
    } else if (o.position < 0 || first < argc) {
        return plaint_cli_usage(path, "give --position P or --consistency A B");
    }
    plaint_error_init(&err);
    rc = open_db(cli, &db, &cfg, PLAINT_DB_AUDITOR, "ledger.read", &actor, &err);
    if (rc == 0) {
        rc = o.consistency ? plaint_proof_consistency(&doc, db, a, b, &err)
                           : plaint_proof_inclusion(&doc, db, o.position, &err);
    }
    plaint_db_close(db);
    if (rc == 0 && o.out != NULL) {
        FILE *f = fopen(o.out, "wb");
        if (f == NULL || fwrite(doc.data, 1, doc.len, f) != doc.len || fclose(f) != 0) {
            rc = plaint_error_set(&err, PLAINT_EIO, "cannot write %s", o.out);
        }
    } else if (rc == 0) {
        fwrite(doc.data, 1, doc.len, stdout);
    }
    plaint_buf_clear(&doc);
    return rc < 0 ? plaint_cli_fail(&err) : PLAINT_EXIT_OK;
}

static void import_progress(int64_t done, int64_t total, void *arg)
{
    (void)total;
    (void)arg;
    fprintf(stderr, "\rimported %lld events", (long long)done);
}

static int cmd_import(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON,
                                  {"batch", required_argument, NULL, 'B'},
                                  {"actor", required_argument, NULL, 'a'},
                                  {"role", required_argument, NULL, 'r'},
                                  {NULL, 0, NULL, 0}};
    const char *path = "plaint ledger import";
    append_opts o;
    const plaint_config *cfg;
    plaint_db *db = NULL;
    plaint_error err;
    plaint_actor actor;
    int64_t appended = 0;
    int64_t skipped = 0;
    char actor_name[300];
    const char *who = NULL;
    const char *role = NULL;
    int tty = isatty(STDERR_FILENO);
    int first = 0;
    int rc;
    int r;

    memset(&o, 0, sizeof(o));
    r = plaint_cli_parse(cli, path, IMPORT_HELP, argc, argv, NULL, opts, on_opt, &o, &first);
    if (r >= 0) {
        return r;
    }
    if (argc - first != 1) {
        return plaint_cli_usage(path, "give exactly one FILE");
    }
    plaint_error_init(&err);
    rc = open_db(cli, &db, &cfg, PLAINT_DB_APP, "ledger.append", &actor, &err);
    if (rc == 0) {
        rc = resolve_actor(&who, &role, &actor, &o, actor_name, sizeof(actor_name), &err);
    }
    if (rc == 0) {
        rc = plaint_app_import_events(&appended, &skipped, db, cfg, argv[first],
                                      o.batch > 0 ? (size_t)o.batch : 5000, who, role,
                                      !actor.bootstrap, tty ? import_progress : NULL, NULL,
                                      &err);
    }
    plaint_db_close(db);
    if (tty) {
        fputc('\n', stderr);
    }
    printf("appended %lld events, skipped %lld already recorded\n", (long long)appended,
           (long long)skipped);
    return rc < 0 ? plaint_cli_fail(&err) : PLAINT_EXIT_OK;
}

const plaint_cmd plaint_cmd_ledger[] = {
    {"append", "append one event to a case's chain", APPEND_HELP, cmd_append, NULL},
    {"show", "print a case's events", SHOW_HELP, cmd_show, NULL},
    {"seal", "sequence pending events and write a signed checkpoint", SEAL_HELP, cmd_seal, NULL},
    {"import", "bulk-append events from a JSON Lines file", IMPORT_HELP, cmd_import, NULL},
    {"export", "write a self-contained, verifiable bundle", EXPORT_HELP, cmd_export, NULL},
    {"prove", "write an inclusion or consistency proof", PROVE_HELP, cmd_prove, NULL},
    {"replay", "rebuild the projections from the ledger and compare", plaint_cmd_replay_help,
     plaint_cmd_replay, NULL},
    {NULL, NULL, NULL, NULL, NULL}};
