/* Streaming verification of the ledger: hashes, per-case chains, positions, Merkle roots,
 * checkpoint signatures and chain. Stops at the first bad record and describes it. */
#include "plaint/verifier.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/merkle.h"
#include "plaint/merkle_frontier.h"
#include "plaint/strmap.h"

typedef struct case_state {
    int64_t last_seq;
    int64_t last_position;
    unsigned char last_hash[PLAINT_HASH_LEN];
} case_state;

typedef struct cp_entry {
    int64_t seq;
    int64_t tree_size;
    unsigned char root[PLAINT_HASH_LEN];
    unsigned char *frontier; /* the stored (unsigned) Merkle frontier, owned; NULL if not given */
    size_t frontier_len;
} cp_entry;

struct plaint_verifier {
    const plaint_signkey *trusted;
    char trusted_id[PLAINT_SIGNKEY_ID_LEN + 1];
    plaint_strmap *cases;
    plaint_merkle_builder tree;
    plaint_sha256 sha;
    plaint_buf scratch;
    cp_entry *cps;
    size_t ncp;
    size_t cap_cp;
    size_t next_cp;        /* first checkpoint whose root is not yet compared */
    unsigned char cp_prev[PLAINT_HASH_LEN];
    int64_t next_position; /* expected next position */
    int in_unpositioned;   /* unpositioned events have started */
    int events_started;    /* no more checkpoints may be added */
    int partial;           /* started at a checkpoint: cases may begin mid-chain */
    int64_t seq_base;      /* checkpoints before the first one given (partial) */
    int failed;
    plaint_verify_report report;
};

int plaint_verifier_new(plaint_verifier **out, const plaint_signkey *trusted, plaint_error *err)
{
    plaint_verifier *v = calloc(1, sizeof(*v));
    int rc;

    if (v == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    v->trusted = trusted;
    rc = plaint_signkey_id(v->trusted_id, trusted, err);
    if (rc == 0) {
        rc = plaint_strmap_new(&v->cases, sizeof(case_state), err);
    }
    if (rc == 0) {
        rc = plaint_merkle_builder_init(&v->tree, err);
    }
    if (rc == 0) {
        rc = plaint_sha256_init(&v->sha, err);
    }
    if (rc < 0) {
        plaint_verifier_free(v);
        return rc;
    }
    v->report.position = -1;
    *out = v;
    return 0;
}

void plaint_verifier_free(plaint_verifier *v)
{
    if (v == NULL) {
        return;
    }
    plaint_strmap_free(v->cases);
    plaint_merkle_builder_clear(&v->tree);
    plaint_sha256_clear(&v->sha);
    plaint_buf_clear(&v->scratch);
    for (size_t i = 0; i < v->ncp; i++) {
        free(v->cps[i].frontier);
    }
    free(v->cps);
    free(v);
}

const plaint_verify_report *plaint_verifier_report(const plaint_verifier *v)
{
    return &v->report;
}

/* Records the first failure and returns PLAINT_ETAMPER with the same message in err. */
static int fail(plaint_verifier *v, plaint_error *err, const char *record, int64_t position,
                const plaint_event *ev, int64_t checkpoint, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static int fail(plaint_verifier *v, plaint_error *err, const char *record, int64_t position,
                const plaint_event *ev, int64_t checkpoint, const char *fmt, ...)
{
    plaint_verify_report *r = &v->report;
    char where[300];
    va_list ap;
    size_t n;

    if (!v->failed) {
        v->failed = 1;
        snprintf(r->record, sizeof(r->record), "%s", record);
        r->position = position;
        r->checkpoint = checkpoint;
        if (ev != NULL) {
            n = ev->case_id_len < sizeof(r->case_id) - 1 ? ev->case_id_len
                                                         : sizeof(r->case_id) - 1;
            memcpy(r->case_id, ev->case_id, n);
            r->case_id[n] = '\0';
            r->case_seq = ev->case_seq;
        }
        va_start(ap, fmt);
        vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
        va_end(ap);
    }
    if (r->checkpoint > 0) {
        snprintf(where, sizeof(where), "checkpoint %lld", (long long)r->checkpoint);
    } else if (r->case_id[0] != '\0') {
        snprintf(where, sizeof(where), "position %lld, case %s, seq %lld", (long long)r->position,
                 r->case_id, (long long)r->case_seq);
    } else if (r->position >= 0) {
        snprintf(where, sizeof(where), "position %lld", (long long)r->position);
    } else {
        snprintf(where, sizeof(where), "%s", r->record);
    }
    return plaint_error_set(err, PLAINT_ETAMPER, "%s: %s", where, r->reason);
}

int plaint_verifier_add_key(plaint_verifier *v, const char *key_id, const char *pem, size_t len,
                            plaint_error *err)
{
    plaint_signkey *k = NULL;
    char id[PLAINT_SIGNKEY_ID_LEN + 1];
    int rc;

    if (v->failed) {
        return PLAINT_ETAMPER;
    }
    rc = plaint_signkey_from_public_pem(&k, pem, len, err);
    if (rc < 0) {
        return fail(v, err, "key", -1, NULL, 0, "stored public key %.16s... is not a valid key",
                    key_id);
    }
    rc = plaint_signkey_id(id, k, err);
    plaint_signkey_free(k);
    if (rc < 0) {
        return rc;
    }
    if (strcmp(id, key_id) != 0) {
        return fail(v, err, "key", -1, NULL, 0,
                    "stored public key does not match its key id %.16s... (key replaced)", key_id);
    }
    if (strcmp(id, v->trusted_id) != 0) {
        return fail(v, err, "key", -1, NULL, 0,
                    "stored public key %.16s... is not the trusted key %.16s... given with "
                    "--pubkey (key replaced, or wrong --pubkey)",
                    id, v->trusted_id);
    }
    return 0;
}

int plaint_verifier_add_checkpoint(plaint_verifier *v, const plaint_checkpoint *cp,
                                   plaint_error *err)
{
    plaint_error sub;
    int rc;

    if (v->failed) {
        return PLAINT_ETAMPER;
    }
    if (v->events_started) {
        return plaint_error_set(err, PLAINT_ERROR, "checkpoints must be added before events");
    }
    if (cp->seq != v->seq_base + (int64_t)v->ncp + 1) {
        /* Name the missing checkpoint itself, as a missing position is named by its number. */
        int64_t want = v->seq_base + (int64_t)v->ncp + 1;
        return fail(v, err, "checkpoint", -1, NULL, want,
                    "checkpoint %lld is missing (deleted); the next one stored is %lld",
                    (long long)want, (long long)cp->seq);
    }
    plaint_error_init(&sub);
    rc = plaint_checkpoint_verify(cp, v->trusted, &sub);
    if (rc == PLAINT_ETAMPER) {
        return fail(v, err, "checkpoint", -1, NULL, cp->seq, "%s", sub.message);
    }
    /* A negative size or an impossible time was never signed: tampering, as for events. */
    if (rc == PLAINT_EINVALID || rc == PLAINT_ERANGE) {
        return fail(v, err, "checkpoint", -1, NULL, cp->seq, "malformed: %s", sub.message);
    }
    if (rc < 0) {
        if (err != NULL) {
            *err = sub;
        }
        return rc;
    }
    if (CRYPTO_memcmp(cp->prev, v->cp_prev, PLAINT_HASH_LEN) != 0) {
        return fail(v, err, "checkpoint", -1, NULL, cp->seq,
                    "does not link to checkpoint %lld (previous checkpoint missing or altered)",
                    (long long)cp->seq - 1);
    }
    if (v->ncp > 0 && cp->tree_size < v->cps[v->ncp - 1].tree_size) {
        return fail(v, err, "checkpoint", -1, NULL, cp->seq,
                    "tree size %lld is smaller than checkpoint %lld's %lld",
                    (long long)cp->tree_size, (long long)cp->seq - 1,
                    (long long)v->cps[v->ncp - 1].tree_size);
    }
    if (v->ncp == v->cap_cp) {
        size_t ncap = v->cap_cp == 0 ? 16 : v->cap_cp * 2;
        cp_entry *n = realloc(v->cps, ncap * sizeof(*n));
        if (n == NULL) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
        }
        v->cps = n;
        v->cap_cp = ncap;
    }
    v->cps[v->ncp].seq = cp->seq;
    v->cps[v->ncp].tree_size = cp->tree_size;
    v->cps[v->ncp].frontier = NULL;
    v->cps[v->ncp].frontier_len = 0;
    memcpy(v->cps[v->ncp].root, cp->root, PLAINT_HASH_LEN);
    v->ncp++;
    memcpy(v->cp_prev, cp->hash, PLAINT_HASH_LEN);
    return 0;
}

/* Compares the roots of every checkpoint whose tree size has just been reached. */
static int check_roots(plaint_verifier *v, plaint_error *err)
{
    unsigned char root[PLAINT_HASH_LEN];
    int rc;

    while (v->next_cp < v->ncp && v->cps[v->next_cp].tree_size == v->next_position) {
        const cp_entry *c = &v->cps[v->next_cp];
        rc = plaint_merkle_builder_root(&v->tree, root, err);
        if (rc < 0) {
            return rc;
        }
        if (CRYPTO_memcmp(root, c->root, PLAINT_HASH_LEN) != 0) {
            int64_t from = v->next_cp > 0 ? v->cps[v->next_cp - 1].tree_size : 0;
            return fail(v, err, "checkpoint", -1, NULL, c->seq,
                        "Merkle root over positions 0..%lld does not match the signed root: "
                        "events in positions %lld..%lld were altered, inserted, removed or "
                        "reordered",
                        (long long)c->tree_size - 1, (long long)from, (long long)c->tree_size - 1);
        }
        if (c->frontier != NULL) {
            /* The stored frontier is what the next seal continues from: it must be exactly the
             * tree's state here, or sealing would sign a wrong root (it refuses instead). */
            plaint_buf mine = PLAINT_BUF_INIT;
            int same;
            rc = plaint_merkle_frontier_save(&mine, &v->tree, err);
            same = rc == 0 && mine.len == c->frontier_len &&
                   CRYPTO_memcmp(mine.data, c->frontier, mine.len) == 0;
            plaint_buf_clear(&mine);
            if (rc < 0) {
                return rc;
            }
            if (!same) {
                return fail(v, err, "checkpoint", -1, NULL, c->seq,
                            "its stored Merkle frontier does not match the tree at size %lld "
                            "(altered; the next seal would refuse to run)",
                            (long long)c->tree_size);
            }
        }
        v->next_cp++;
    }
    return 0;
}

int plaint_verifier_add_event(plaint_verifier *v, int64_t position, const plaint_event *ev,
                              const unsigned char stored_hash[PLAINT_HASH_LEN],
                              const unsigned char *position_hash, plaint_error *err)
{
    v->events_started = 1;
    unsigned char h[PLAINT_HASH_LEN];
    case_state *cs;
    int created = 0;
    void *slot = NULL;
    plaint_error sub;
    int rc;

    if (v->failed) {
        return PLAINT_ETAMPER;
    }
    if (position >= 0) {
        if (v->in_unpositioned) {
            return plaint_error_set(err, PLAINT_ERROR, "positioned event after unpositioned ones");
        }
        /* Roots are compared after each leaf; a checkpoint over the empty tree comes first. */
        rc = check_roots(v, err);
        if (rc < 0) {
            return rc;
        }
        if (position != v->next_position) {
            return fail(v, err, "position", v->next_position, NULL, 0,
                        "missing: positions jump from %lld to %lld (events deleted)",
                        (long long)v->next_position - 1, (long long)position);
        }
    } else {
        if (!v->in_unpositioned) {
            v->in_unpositioned = 1;
        }
    }
    plaint_error_init(&sub);
    rc = plaint_chain_event_hash(h, ev, &v->scratch, &v->sha, &sub);
    if (rc == PLAINT_EINVALID || rc == PLAINT_ERANGE) {
        return fail(v, err, "event", position, ev, 0, "malformed: %s", sub.message);
    }
    if (rc < 0) {
        if (err != NULL) {
            *err = sub;
        }
        return rc;
    }
    if (CRYPTO_memcmp(h, stored_hash, PLAINT_HASH_LEN) != 0) {
        return fail(v, err, "event", position, ev, 0,
                    "content does not match its hash (event altered)");
    }
    if (position_hash != NULL && CRYPTO_memcmp(h, position_hash, PLAINT_HASH_LEN) != 0) {
        return fail(v, err, "position", position, ev, 0,
                    "position row records another event hash (events swapped or replaced)");
    }
    rc = plaint_strmap_upsert(v->cases, ev->case_id, ev->case_id_len, &slot, &created, err);
    if (rc < 0) {
        return rc;
    }
    cs = slot;
    if (created && v->partial && ev->case_seq > 1) {
        /* A partial ledger starts mid-chain: this case's earlier events are before the
         * starting checkpoint, which vouches for them; its prev hash is taken as given. */
    } else if (created) {
        if (ev->case_seq != 1) {
            return fail(v, err, "event", position, ev, 0,
                        "case starts at seq %lld: seq 1..%lld missing", (long long)ev->case_seq,
                        (long long)ev->case_seq - 1);
        }
        if (CRYPTO_memcmp(ev->prev_hash, plaint_chain_genesis, PLAINT_HASH_LEN) != 0) {
            return fail(v, err, "event", position, ev, 0,
                        "first event of the case does not start from the genesis hash");
        }
    } else {
        if (ev->case_seq != cs->last_seq + 1) {
            return fail(v, err, "event", position, ev, 0,
                        "follows seq %lld of its case: %s", (long long)cs->last_seq,
                        ev->case_seq <= cs->last_seq ? "sequence out of order (swapped or "
                                                       "duplicated)"
                                                     : "events in between missing");
        }
        if (CRYPTO_memcmp(ev->prev_hash, cs->last_hash, PLAINT_HASH_LEN) != 0) {
            return fail(v, err, "event", position, ev, 0,
                        "previous hash does not link to seq %lld of its case (chain broken)",
                        (long long)cs->last_seq);
        }
    }
    cs->last_seq = ev->case_seq;
    cs->last_position = position;
    memcpy(cs->last_hash, h, PLAINT_HASH_LEN);
    v->report.events++;
    if (position >= 0) {
        rc = plaint_merkle_builder_push_data(&v->tree, h, PLAINT_HASH_LEN, err);
        if (rc < 0) {
            return rc;
        }
        v->next_position++;
        v->report.positions++;
        return check_roots(v, err);
    }
    return 0;
}

int plaint_verifier_set_frontier(plaint_verifier *v, int64_t seq, const unsigned char *frontier,
                                 size_t len, plaint_error *err)
{
    cp_entry *c;

    if (v->ncp == 0 || v->cps[v->ncp - 1].seq != seq) {
        return plaint_error_set(err, PLAINT_ERROR, "set_frontier follows add_checkpoint");
    }
    c = &v->cps[v->ncp - 1];
    free(c->frontier);
    c->frontier = malloc(len > 0 ? len : 1);
    if (c->frontier == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    if (len > 0) {
        memcpy(c->frontier, frontier, len);
    }
    c->frontier_len = len;
    return 0;
}

int plaint_verifier_start_at(plaint_verifier *v, const plaint_checkpoint *cp,
                              const unsigned char *frontier, size_t frontier_len,
                              plaint_error *err)
{
    unsigned char root[PLAINT_HASH_LEN];
    plaint_error sub;
    int rc;

    if (v->events_started || v->ncp > 0) {
        return plaint_error_set(err, PLAINT_ERROR, "start_at must come first");
    }
    plaint_error_init(&sub);
    rc = plaint_checkpoint_verify(cp, v->trusted, &sub);
    if (rc == PLAINT_ETAMPER || rc == PLAINT_EINVALID || rc == PLAINT_ERANGE) {
        return fail(v, err, "checkpoint", -1, NULL, cp->seq, "%s", sub.message);
    }
    if (rc < 0) {
        if (err != NULL) {
            *err = sub;
        }
        return rc;
    }
    rc = plaint_merkle_frontier_load(&v->tree, frontier, frontier_len, &sub);
    if (rc == 0) {
        rc = plaint_merkle_builder_root(&v->tree, root, &sub);
    }
    if (rc < 0 || plaint_merkle_builder_size(&v->tree) != (uint64_t)cp->tree_size ||
        CRYPTO_memcmp(root, cp->root, PLAINT_HASH_LEN) != 0) {
        return fail(v, err, "checkpoint", -1, NULL, cp->seq,
                    "its Merkle frontier does not match its signed root and size");
    }
    v->partial = 1;
    v->seq_base = cp->seq - 1;
    memcpy(v->cp_prev, cp->prev, PLAINT_HASH_LEN); /* the link before it is trusted */
    v->next_position = cp->tree_size;
    /* the starting checkpoint is in force; its root is already checked */
    rc = plaint_verifier_add_checkpoint(v, cp, err);
    if (rc == 0) {
        v->next_cp = v->ncp;
    }
    return rc;
}

int plaint_verifier_missing_event(plaint_verifier *v, int64_t position, plaint_error *err)
{
    if (v->failed) {
        return PLAINT_ETAMPER;
    }
    return fail(v, err, "position", position, NULL, 0,
                "its event is missing (event deleted)");
}

int plaint_verifier_finish(plaint_verifier *v, plaint_verify_report *out, plaint_error *err)
{
    plaint_verify_report *r = &v->report;
    int rc = 0;

    if (!v->failed) {
        rc = check_roots(v, err);
    }
    if (!v->failed && rc == 0 && v->next_cp < v->ncp) {
        const cp_entry *c = &v->cps[v->next_cp];
        rc = fail(v, err, "checkpoint", -1, NULL, c->seq,
                  "covers %lld positions but only %lld exist (events deleted or truncated)",
                  (long long)c->tree_size, (long long)v->next_position);
    }
    r->cases = (int64_t)plaint_strmap_count(v->cases);
    r->checkpoints = (int64_t)v->ncp;
    r->sealed = v->ncp > 0 ? v->cps[v->ncp - 1].tree_size : 0;
    if (v->ncp > 0) {
        memcpy(r->root, v->cps[v->ncp - 1].root, PLAINT_HASH_LEN);
    }
    r->unsealed = r->events - (r->sealed < r->positions ? r->sealed : r->positions);
    if (r->unsealed < 0) {
        r->unsealed = 0;
    }
    r->ok = !v->failed && rc == 0;
    if (out != NULL) {
        *out = *r;
    }
    if (v->failed) {
        return PLAINT_ETAMPER;
    }
    return rc;
}
