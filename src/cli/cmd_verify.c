/* plaint verify: check the whole ledger, live (as plaint_auditor) or from an exported bundle,
 * against a public key the auditor trusts. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "plaint/app_auth.h"
#include "plaint/app_ledger.h"
#include "plaint/bundle.h"
#include "plaint/complaint_store.h"
#include "plaint/digest.h"
#include "plaint/jcs.h"
#include "plaint/ledger.h"
#include "plaint/proof.h"

const char plaint_cmd_verify_help[] =
    "Usage: plaint verify [--pubkey FILE] [--bundle DIR] [--json] [OPTIONS]\n\n"
    "Checks every event hash, every per-case chain and sequence, that positions are gapless,\n"
    "the Merkle root of every checkpoint, every checkpoint signature and the checkpoint chain,\n"
    "and that the stored public key is the trusted one. Events after the last checkpoint are\n"
    "reported as unsealed. Exit 0: verified; 1: verification failed (the first bad record is\n"
    "named: position, case, sequence, and what is wrong); 5: could not read the ledger.\n\n"
    "  --pubkey FILE   the public key to trust (PEM). Default: the public half next to the\n"
    "                  configured signing key; the key stored in the database is never trusted\n"
    "                  on its own\n"
    "  --bundle DIR    verify an exported bundle instead of the database (no database needed)\n"
    "  --json          print the result as one JSON object\n";

typedef struct verify_opts {
    const char *pubkey;
    const char *bundle;
    int json;
} verify_opts;

static int on_opt(void *ctx, int opt, const char *arg)
{
    verify_opts *o = ctx;

    if (opt == 'p') {
        o->pubkey = arg;
    } else if (opt == 'b') {
        o->bundle = arg;
    } else if (opt == 'j') {
        o->json = 1;
    } else {
        return plaint_cli_usage("plaint verify", "unexpected option");
    }
    return -1;
}

static void progress(int64_t done, int64_t total, void *arg)
{
    (void)arg;
    if (total <= 0) {
        return;
    }
    fprintf(stderr, "\rverifying: %lld / %lld events (%lld%%)", (long long)done,
            (long long)total, (long long)(done * 100 / total));
    if (done >= total) {
        fputc('\n', stderr);
    }
}

static void print_json_str(const char *s)
{
    plaint_buf b = PLAINT_BUF_INIT;

    if (plaint_jcs_append_string(&b, s, strlen(s), NULL) == 0) {
        fputs(b.data, stdout);
    } else {
        fputs("\"\"", stdout);
    }
    plaint_buf_clear(&b);
}

static void print_report(const plaint_verify_report *r, const char *source, int json)
{
    char root[2 * PLAINT_HASH_LEN + 1];

    plaint_hex_encode(root, r->root, PLAINT_HASH_LEN);
    if (json) {
        printf("{\"cases\":%lld,\"checkpoints\":%lld,\"events\":%lld,", (long long)r->cases,
               (long long)r->checkpoints, (long long)r->events);
        if (!r->ok) {
            printf("\"first_bad\":{\"case\":");
            print_json_str(r->case_id);
            printf(",\"checkpoint\":%lld,\"position\":%lld,\"reason\":", (long long)r->checkpoint,
                   (long long)r->position);
            print_json_str(r->reason);
            printf(",\"record\":");
            print_json_str(r->record);
            printf(",\"seq\":%lld},", (long long)r->case_seq);
        }
        printf("\"ok\":%s,\"positions\":%lld,\"root\":\"%s\",\"sealed\":%lld,\"source\":",
               r->ok ? "true" : "false", (long long)r->positions, r->checkpoints > 0 ? root : "",
               (long long)r->sealed);
        print_json_str(source);
        printf(",\"unsealed\":%lld}\n", (long long)r->unsealed);
        return;
    }
    if (r->ok) {
        printf("ledger verified (%s): %lld events in %lld cases, %lld checkpoints\n", source,
               (long long)r->events, (long long)r->cases, (long long)r->checkpoints);
        if (r->checkpoints > 0) {
            printf("sealed: positions 0..%lld, root %s\n", (long long)r->sealed - 1, root);
        }
        printf("unsealed: %lld events (protected by their hash chains only until the next "
               "checkpoint)\n",
               (long long)r->unsealed);
    }
}

/* Records the run in plaint.verify_run (migration 0015) for the dashboard; a failure to record
 * is a warning, never the verification's result. */
static void record_run(plaint_db *db, const plaint_actor *actor, const plaint_verify_report *r)
{
    char events[24];
    char checkpoints[24];
    char sealed[24];
    char root[2 * PLAINT_HASH_LEN + 1];
    char bad[1000];
    const char *params[7];
    plaint_error err;
    int64_t id = 0;

    plaint_error_init(&err);
    snprintf(events, sizeof(events), "%lld", (long long)r->events);
    snprintf(checkpoints, sizeof(checkpoints), "%lld", (long long)r->checkpoints);
    snprintf(sealed, sizeof(sealed), "%lld", (long long)r->sealed);
    plaint_hex_encode(root, r->root, PLAINT_HASH_LEN);
    snprintf(bad, sizeof(bad), "case %.200s seq %lld: %.700s", r->case_id, (long long)r->case_seq,
             r->reason);
    params[0] = actor->bootstrap ? "(local operator)" : actor->user.user_id;
    params[1] = r->ok ? "true" : "false";
    params[2] = events;
    params[3] = checkpoints;
    params[4] = sealed;
    params[5] = r->checkpoints > 0 ? root : NULL;
    params[6] = r->ok ? NULL : bad;
    if (plaint_pg_query_int(&id, db,
                            "INSERT INTO plaint.verify_run (actor, ok, events, checkpoints, sealed,"
                            " root_hash, first_bad) VALUES ($1, $2::boolean, $3::bigint,"
                            " $4::bigint, $5::bigint, $6, $7) RETURNING run_id",
                            7, params, &err) < 0) {
        fprintf(stderr, "plaint verify: warning: the result was not recorded: %s\n", err.message);
    }
}

int plaint_cmd_verify(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON,
                                  {"pubkey", required_argument, NULL, 'p'},
                                  {"bundle", required_argument, NULL, 'b'},
                                  {"json", no_argument, NULL, 'j'},
                                  {NULL, 0, NULL, 0}};
    const char *path = "plaint verify";
    verify_opts o;
    const plaint_config *cfg = NULL;
    plaint_db *db = NULL;
    plaint_signkey *key = NULL;
    plaint_verifier *v = NULL;
    plaint_verify_report report;
    plaint_error err;
    char pub[PLAINT_CONFIG_PATH_MAX + 8];
    int show = 0;
    int first = 0;
    int rc;
    int r;

    memset(&o, 0, sizeof(o));
    memset(&report, 0, sizeof(report));
    r = plaint_cli_parse(cli, path, plaint_cmd_verify_help, argc, argv, NULL, opts, on_opt, &o,
                         &first);
    if (r >= 0) {
        return r;
    }
    if (first < argc) {
        return plaint_cli_usage(path, "unexpected argument '%s'", argv[first]);
    }
    plaint_error_init(&err);
    rc = plaint_cli_config(cli, &cfg, &err);
    if (rc == 0 && o.pubkey == NULL) {
        rc = plaint_app_pubkey_path(pub, sizeof(pub), cfg, &err);
        if (rc == 0 && access(pub, R_OK) != 0) {
            return plaint_cli_usage(path, "give the trusted public key with --pubkey FILE "
                                          "(none at %s)", pub);
        }
        o.pubkey = pub;
    }
    if (rc == 0) {
        rc = plaint_signkey_load_public(&key, o.pubkey, &err);
        if (rc == PLAINT_ETAMPER || rc == PLAINT_EINVALID) {
            rc = plaint_error_set(&err, PLAINT_EINVALID, "%s is not a usable public key",
                                  o.pubkey);
        }
    }
    if (rc == 0) {
        rc = plaint_verifier_new(&v, key, &err);
    }
    show = isatty(STDERR_FILENO) && !o.json;
    if (rc == 0 && o.bundle != NULL) {
        rc = plaint_bundle_verify(v, &report, o.bundle, show ? progress : NULL, NULL, &err);
    } else if (rc == 0) {
        plaint_actor actor;
        rc = plaint_cli_authorize(cli, "ledger.verify", &actor, &err);
        if (rc == 0) {
            rc = plaint_db_open(&db, cfg, PLAINT_DB_AUDITOR, &err);
        }
        if (rc == 0) {
            rc = plaint_ledger_verify_db(db, v, &report, show ? progress : NULL, NULL, &err);
        }
        if (rc == 0 || rc == PLAINT_ETAMPER) {
            record_run(db, &actor, &report);
        }
    }
    plaint_db_close(db);
    plaint_verifier_free(v);
    plaint_signkey_free(key);
    if (rc == 0 || rc == PLAINT_ETAMPER) {
        print_report(&report, o.bundle != NULL ? o.bundle : "database", o.json);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    return PLAINT_EXIT_OK;
}

const char plaint_cmd_verify_proof_help[] =
    "Usage: plaint verify-proof FILE --pubkey KEY [OPTIONS]\n\n"
    "Checks a proof written by 'plaint ledger prove' with no database: the checkpoint\n"
    "signature(s) against the trusted public key, then the Merkle path. Exit 0: valid;\n"
    "1: invalid; 3: not a proof document.\n";

int plaint_cmd_verify_proof(plaint_cli *cli, int argc, char **argv)
{
    const struct option opts[] = {PLAINT_CLI_COMMON,
                                  {"pubkey", required_argument, NULL, 'p'},
                                  {NULL, 0, NULL, 0}};
    const char *path = "plaint verify-proof";
    verify_opts o;
    plaint_signkey *key = NULL;
    plaint_buf doc = PLAINT_BUF_INIT;
    plaint_proof_result res;
    plaint_error err;
    int first = 0;
    int rc;
    int r;

    memset(&o, 0, sizeof(o));
    r = plaint_cli_parse(cli, path, plaint_cmd_verify_proof_help, argc, argv, NULL, opts, on_opt,
                         &o, &first);
    if (r >= 0) {
        return r;
    }
    if (argc - first != 1) {
        return plaint_cli_usage(path, "give exactly one proof FILE");
    }
    if (o.pubkey == NULL) {
        return plaint_cli_usage(path, "--pubkey KEY is required");
    }
    plaint_error_init(&err);
    rc = plaint_signkey_load_public(&key, o.pubkey, &err);
    if (rc == 0) {
        rc = plaint_buf_read_file(&doc, argv[first], 64u * 1024u * 1024u, &err);
    }
    if (rc == 0) {
        rc = plaint_proof_verify(&res, doc.data, doc.len, key, &err);
    }
    plaint_signkey_free(key);
    plaint_buf_clear(&doc);
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    if (res.inclusion) {
        printf("valid: position %lld is in checkpoint %lld (tree size %lld)\n",
               (long long)res.position, (long long)res.first_seq, (long long)res.first_size);
    } else {
        printf("valid: checkpoint %lld (size %lld) extends checkpoint %lld (size %lld)\n",
               (long long)res.second_seq, (long long)res.second_size, (long long)res.first_seq,
               (long long)res.first_size);
    }
    return PLAINT_EXIT_OK;
}
