/* Unit tests for the streaming ledger verifier (src/core/verifier.c): a synthetic ledger built
 * here (interleaved case chains, RFC 9162 tree, signed checkpoints), then one test per kind of
 * tampering, each checking that the first bad record is named exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaint/merkle.h"
#include "plaint/verifier.h"
#include "unit_helpers.h"

#define H          PLAINT_HASH_LEN
#define MAX_EVENTS 24
#define MAX_CPS    6
#define BASE_US    1773480000000000LL /* 2026-03-14T09:20:00Z */
#define HOUR_US    3600000000LL

/* The standard ledger: 13 positioned events of three interleaved cases, two pending ones, and
 * checkpoints over the first 3, 7 and 12 positions. Case by position:
 *   0 A1  1 B1  2 A2 | 3 C1  4 B2  5 A3  6 C2 | 7 C3  8 B3  9 A4  10 B4  11 C4 | 12 B5
 *   pending: A5 C5 */
static const char STD_POSITIONED[] = "ABACBACCBABCB";
static const char STD_PENDING[] = "AC";
static const int64_t STD_SIZES[] = {3, 7, 12};

/* One event row with its position row, as a verifier reads them. */
typedef struct tevent {
    char case_id[16];
    int64_t seq;
    char actor[24];
    int64_t time_us;
    char payload[48];
    unsigned char prev[H];
    int64_t position;         /* -1: pending (not yet sequenced) */
    int missing;              /* the position row exists but its event row does not */
    unsigned char hash[H];    /* the hash stored in the event row */
    unsigned char poshash[H]; /* the hash the position row records */
} tevent;

typedef struct ledger {
    plaint_signkey *key;                /* the ledger's own signing key */
    plaint_signkey *forger;             /* somebody else's key */
    const plaint_signkey *signer;       /* seals checkpoints (key) */
    const plaint_signkey *trusted;      /* the auditor's --pubkey (key) */
    const plaint_signkey *stored;       /* public key stored with the ledger (key); NULL: none */
    const plaint_signkey *stored_id_of; /* whose id is stored beside it (key) */
    tevent ev[MAX_EVENTS];
    size_t n;
    plaint_checkpoint cp[MAX_CPS];
    size_t ncp;
} ledger;

static void to_event(plaint_event *out, const tevent *t)
{
    unit_event_set(out, t->case_id, t->seq, "case.note", t->actor, "agent", t->time_us, t->payload);
    memcpy(out->prev_hash, t->prev, H);
}

static void hash_tevent(unsigned char out[H], const tevent *t)
{
    plaint_buf scratch = PLAINT_BUF_INIT;
    plaint_sha256 sha;
    plaint_event ev;

    to_event(&ev, t);
    assert_int_equal(plaint_sha256_init(&sha, NULL), 0);
    assert_int_equal(plaint_chain_event_hash(out, &ev, &scratch, &sha, NULL), 0);
    plaint_sha256_clear(&sha);
    plaint_buf_clear(&scratch);
}

/* Stores t's hash in its event row and its position row, as the program writes them. */
static void store_hash(tevent *t)
{
    hash_tevent(t->hash, t);
    memcpy(t->poshash, t->hash, H);
}

/* Content of the i-th event written (seq and prev are set by rechain). */
static void make_event(tevent *t, char case_letter, size_t i, int64_t position)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->case_id, sizeof(t->case_id), "case-%c", case_letter);
    snprintf(t->actor, sizeof(t->actor), "agent-%zu", i);
    snprintf(t->payload, sizeof(t->payload), "{\"n\":%zu}", i);
    t->time_us = BASE_US + (int64_t)i * 1000000;
    t->position = position;
}

/* Recomputes every case chain in row order: seq, prev and both stored hashes. */
static void rechain(ledger *l)
{
    unsigned char last[26][H];
    int64_t seq[26];
    size_t i;

    memset(last, 0, sizeof(last));
    memset(seq, 0, sizeof(seq));
    for (i = 0; i < l->n; i++) {
        tevent *t = &l->ev[i];
        int c = t->case_id[5] - 'A';
        assert_true(c >= 0 && c < 26);
        t->seq = ++seq[c];
        memcpy(t->prev, last[c], H);
        store_hash(t);
        memcpy(last[c], t->hash, H);
    }
}

static void add_checkpoint(ledger *l, int64_t tree_size, const unsigned char root[H])
{
    plaint_checkpoint *cp = &l->cp[l->ncp];

    assert_true(l->ncp < MAX_CPS);
    memset(cp, 0, sizeof(*cp));
    cp->seq = (int64_t)l->ncp + 1;
    cp->tree_size = tree_size;
    memcpy(cp->root, root, H);
    if (l->ncp > 0) {
        memcpy(cp->prev, l->cp[l->ncp - 1].hash, H);
    }
    cp->time_us = BASE_US + cp->seq * HOUR_US;
    assert_int_equal(plaint_checkpoint_sign(cp, l->signer, NULL), 0);
    l->ncp++;
}

/* Replaces the checkpoints with new ones, signed by l->signer, over the given tree sizes
 * (ascending): Merkle leaves SHA-256(0x00 || event hash) in position order. */
static void seal(ledger *l, const int64_t *sizes, size_t nsizes)
{
    plaint_merkle_builder tree;
    unsigned char leaf[H];
    unsigned char root[H];
    size_t k = 0;
    size_t i;

    l->ncp = 0;
    assert_int_equal(plaint_merkle_builder_init(&tree, NULL), 0);
    for (i = 0; i <= l->n; i++) {
        while (k < nsizes && (uint64_t)sizes[k] == plaint_merkle_builder_size(&tree)) {
            assert_int_equal(plaint_merkle_builder_root(&tree, root, NULL), 0);
            add_checkpoint(l, sizes[k], root);
            k++;
        }
        if (i < l->n && l->ev[i].position >= 0) {
            assert_int_equal(plaint_merkle_leaf_hash(leaf, l->ev[i].hash, H, NULL), 0);
            assert_int_equal(plaint_merkle_builder_push(&tree, leaf, NULL), 0);
        }
    }
    assert_int_equal(k, nsizes);
    plaint_merkle_builder_clear(&tree);
}

/* Builds a valid ledger: one case letter per event, positioned ones first. */
static void build(ledger *l, const char *positioned, const char *pending, const int64_t *sizes,
                  size_t nsizes)
{
    size_t np = strlen(positioned);
    size_t i;

    l->n = np + strlen(pending);
    assert_true(l->n <= MAX_EVENTS);
    for (i = 0; i < l->n; i++) {
        int64_t position = i < np ? (int64_t)i : -1;
        make_event(&l->ev[i], i < np ? positioned[i] : pending[i - np], i, position);
    }
    rechain(l);
    seal(l, sizes, nsizes);
}

static int setup(void **state)
{
    ledger *l = calloc(1, sizeof(*l));

    assert_non_null(l);
    l->key = unit_new_key();
    l->forger = unit_new_key();
    l->signer = l->key;
    l->trusted = l->key;
    l->stored = l->key;
    l->stored_id_of = l->key;
    build(l, STD_POSITIONED, STD_PENDING, STD_SIZES, 3);
    *state = l;
    return 0;
}

static int teardown(void **state)
{
    ledger *l = *state;

    plaint_signkey_free(l->key);
    plaint_signkey_free(l->forger);
    free(l);
    return 0;
}

/* The row at position (positioned rows only). */
static tevent *at(ledger *l, int64_t position)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (l->ev[i].position == position) {
            return &l->ev[i];
        }
    }
    fail_msg("no event at position %lld", (long long)position);
    return NULL;
}

static void remove_row(ledger *l, tevent *t)
{
    size_t i = (size_t)(t - l->ev);

    memmove(&l->ev[i], &l->ev[i + 1], (l->n - i - 1) * sizeof(*t));
    l->n--;
}

/* Inserts t before row i; positioned rows after it move up one position. */
static void insert_row(ledger *l, size_t i, const tevent *t)
{
    size_t j;

    assert_true(l->n < MAX_EVENTS);
    memmove(&l->ev[i + 1], &l->ev[i], (l->n - i) * sizeof(*t));
    l->ev[i] = *t;
    l->n++;
    for (j = i + 1; j < l->n; j++) {
        if (l->ev[j].position >= 0) {
            l->ev[j].position++;
        }
    }
}

/* Moves the events at positions p and q into each other's place. With rewrite_rows the
 * position rows' hashes follow the events (a careful forger); otherwise they stay. */
static void swap_positions(ledger *l, int64_t p, int64_t q, int rewrite_rows)
{
    tevent *a = at(l, p);
    tevent *b = at(l, q);
    tevent tmp = *a;

    *a = *b;
    *b = tmp;
    a->position = p;
    b->position = q;
    if (!rewrite_rows) {
        memcpy(tmp.poshash, a->poshash, H);
        memcpy(a->poshash, b->poshash, H);
        memcpy(b->poshash, tmp.poshash, H);
    }
}

/* A forged event of case_letter with seq and prev, valid in itself, at position. */
static tevent forged(char case_letter, int64_t seq, const unsigned char prev[H], int64_t position)
{
    tevent t;

    make_event(&t, case_letter, 99, position);
    snprintf(t.payload, sizeof(t.payload), "{\"refund\":100000}");
    t.seq = seq;
    memcpy(t.prev, prev, H);
    store_hash(&t);
    return t;
}

/* A verifier trusting l->trusted (caller frees). */
static plaint_verifier *new_verifier(const ledger *l)
{
    plaint_verifier *v = NULL;

    assert_int_equal(plaint_verifier_new(&v, l->trusted, NULL), 0);
    assert_non_null(v);
    return v;
}

/* Gives row t to v: its event, or the fact that it is missing. */
static int feed_row(plaint_verifier *v, const tevent *t, plaint_error *err)
{
    plaint_event ev;

    if (t->missing) {
        return plaint_verifier_missing_event(v, t->position, err);
    }
    to_event(&ev, t);
    return plaint_verifier_add_event(v, t->position, &ev, t->hash,
                                     t->position >= 0 ? t->poshash : NULL, err);
}

/* Feeds the ledger to a new verifier as the database reader does: key, checkpoints, events in
 * position order, then pending ones; stops at the first failure; finishes. Returns its code. */
static int run_verifier(const ledger *l, plaint_verify_report *rep, plaint_error *err)
{
    plaint_verifier *v = new_verifier(l);
    plaint_buf pem = PLAINT_BUF_INIT;
    char id[PLAINT_SIGNKEY_ID_LEN + 1];
    size_t i;
    int frc;
    int rc = 0;

    if (l->stored != NULL) {
        assert_int_equal(plaint_signkey_public_pem(&pem, l->stored, NULL), 0);
        assert_int_equal(plaint_signkey_id(id, l->stored_id_of, NULL), 0);
        rc = plaint_verifier_add_key(v, id, pem.data, pem.len, err);
    }
    for (i = 0; rc == 0 && i < l->ncp; i++) {
        rc = plaint_verifier_add_checkpoint(v, &l->cp[i], err);
    }
    for (i = 0; rc == 0 && i < l->n; i++) {
        rc = feed_row(v, &l->ev[i], err);
    }
    frc = plaint_verifier_finish(v, rep, rc == 0 ? err : NULL);
    if (rc == 0) {
        rc = frc;
    } else {
        /* A failure while feeding is final: finish reports it again. */
        assert_int_equal(rc, PLAINT_ETAMPER);
        assert_int_equal(frc, PLAINT_ETAMPER);
    }
    assert_memory_equal(plaint_verifier_report(v), rep, sizeof(*rep));
    plaint_verifier_free(v);
    plaint_buf_clear(&pem);
    return rc;
}

/* Expects the ledger to verify, with these counts in the report (filled in rep). */
static void expect_ok(const ledger *l, plaint_verify_report *rep, int64_t events, int64_t positions,
                      int64_t cases, int64_t checkpoints, int64_t sealed, int64_t unsealed)
{
    plaint_error err;

    plaint_error_init(&err);
    memset(rep, 0x5a, sizeof(*rep));
    if (run_verifier(l, rep, &err) != 0) {
        fail_msg("verification failed: %s", err.message);
    }
    assert_int_equal(err.code, 0);
    assert_int_equal(rep->ok, 1);
    assert_string_equal(rep->record, "");
    assert_string_equal(rep->reason, "");
    assert_int_equal(rep->position, -1);
    assert_int_equal(rep->events, events);
    assert_int_equal(rep->positions, positions);
    assert_int_equal(rep->cases, cases);
    assert_int_equal(rep->checkpoints, checkpoints);
    assert_int_equal(rep->sealed, sealed);
    assert_int_equal(rep->unsealed, unsealed);
}

/* Expects verification to fail naming exactly this first bad record; reason is a substring of
 * the report's reason and of the error message. */
static void expect_tamper(const ledger *l, const char *record, int64_t position,
                          const char *case_id, int64_t case_seq, int64_t checkpoint,
                          const char *reason)
{
    plaint_verify_report rep;
    plaint_error err;

    plaint_error_init(&err);
    memset(&rep, 0x5a, sizeof(rep));
    assert_int_equal(run_verifier(l, &rep, &err), PLAINT_ETAMPER);
    assert_int_equal(err.code, PLAINT_ETAMPER);
    assert_int_equal(rep.ok, 0);
    assert_string_equal(rep.record, record);
    assert_int_equal(rep.position, position);
    assert_string_equal(rep.case_id, case_id);
    assert_int_equal(rep.case_seq, case_seq);
    assert_int_equal(rep.checkpoint, checkpoint);
    if (strstr(rep.reason, reason) == NULL) {
        fail_msg("reason '%s' lacks '%s'", rep.reason, reason);
    }
    if (strstr(err.message, reason) == NULL) {
        fail_msg("message '%s' lacks '%s'", err.message, reason);
    }
}

static void test_valid_ledger(void **state)
{
    ledger *l = *state;
    unsigned char leaves[12][H];
    unsigned char root[H];
    plaint_verify_report rep;
    size_t i;

    /* 15 events, 13 positioned, 12 sealed: B5 and the two pending ones are not. */
    expect_ok(l, &rep, 15, 13, 3, 3, 12, 3);
    assert_memory_equal(rep.root, l->cp[2].root, H);
    assert_int_equal(rep.checkpoint, 0);
    assert_int_equal(rep.case_seq, 0);
    assert_string_equal(rep.case_id, "");

    /* The builder's root agrees with the recursive definition over the same leaves. */
    for (i = 0; i < 12; i++) {
        assert_int_equal(plaint_merkle_leaf_hash(leaves[i], at(l, (int64_t)i)->hash, H, NULL), 0);
    }
    assert_int_equal(plaint_merkle_root(root, (const unsigned char(*)[H])leaves, 12, NULL), 0);
    assert_memory_equal(rep.root, root, H);

    /* The chains are what the layout says. */
    assert_string_equal(at(l, 11)->case_id, "case-C");
    assert_int_equal(at(l, 11)->seq, 4);
    assert_string_equal(l->ev[14].case_id, "case-C");
    assert_int_equal(l->ev[14].seq, 5);
    assert_memory_equal(at(l, 4)->prev, at(l, 1)->hash, H);
}

static void test_small_ledgers(void **state)
{
    ledger *l = *state;
    const int64_t equal_sizes[] = {3, 3, 7};
    plaint_verify_report rep;

    /* Nothing at all. */
    build(l, "", "", NULL, 0);
    expect_ok(l, &rep, 0, 0, 0, 0, 0, 0);

    /* Only pending events, never sealed. */
    build(l, "", "ABA", NULL, 0);
    expect_ok(l, &rep, 3, 0, 2, 0, 0, 3);

    /* Every position sealed, nothing pending. */
    build(l, "ABACBACCBABC", "", STD_SIZES, 3);
    expect_ok(l, &rep, 12, 12, 3, 3, 12, 0);

    /* A forced seal with nothing new repeats the tree size. */
    build(l, "ABACBAC", "B", equal_sizes, 3);
    expect_ok(l, &rep, 8, 7, 3, 3, 7, 1);
}

/* Regression: a checkpoint over the empty tree (seal --force on an empty ledger) followed by
 * events was reported as "covers 0 positions but only 13 exist". */
static void test_checkpoint_of_empty_tree(void **state)
{
    ledger *l = *state;
    const int64_t sizes[] = {0, 3, 7, 12};
    const int64_t only_empty[] = {0};
    plaint_verify_report rep;

    build(l, STD_POSITIONED, STD_PENDING, sizes, 4);
    expect_ok(l, &rep, 15, 13, 3, 4, 12, 3);

    build(l, "", "", only_empty, 1);
    expect_ok(l, &rep, 0, 0, 0, 1, 0, 0);
    unit_assert_hex(rep.root, H,
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /* Its root is still checked, before the first event. */
    build(l, "AB", "", NULL, 0);
    add_checkpoint(l, 0, at(l, 0)->hash);
    expect_tamper(l, "checkpoint", -1, "", 0, 1, "does not match the signed root");
}

static void test_altered_payload(void **state)
{
    ledger *l = *state;
    plaint_verify_report rep;
    plaint_error err;

    snprintf(at(l, 4)->payload, sizeof(at(l, 4)->payload), "{\"n\":5}");
    expect_tamper(l, "event", 4, "case-B", 2, 0, "content does not match its hash (event altered)");

    /* The error message locates the record for the CLI. */
    plaint_error_init(&err);
    assert_int_equal(run_verifier(l, &rep, &err), PLAINT_ETAMPER);
    assert_string_equal(err.message, "position 4, case case-B, seq 2: content does not match its "
                                     "hash (event altered)");
}

static void test_altered_actor(void **state)
{
    ledger *l = *state;

    at(l, 5)->actor[0] = 'X';
    expect_tamper(l, "event", 5, "case-A", 3, 0, "content does not match its hash");
}

static void test_altered_time(void **state)
{
    ledger *l = *state;

    at(l, 9)->time_us -= HOUR_US;
    expect_tamper(l, "event", 9, "case-A", 4, 0, "content does not match its hash");
}

static void test_altered_pending_event(void **state)
{
    ledger *l = *state;

    assert_int_equal(l->ev[14].position, -1);
    snprintf(l->ev[14].payload, sizeof(l->ev[14].payload), "{\"n\":0}");
    expect_tamper(l, "event", -1, "case-C", 5, 0, "content does not match its hash");
}

static void test_malformed_event(void **state)
{
    ledger *l = *state;

    memcpy(at(l, 4)->actor, "agent-\xc3", 8);
    expect_tamper(l, "event", 4, "case-B", 2, 0, "malformed: invalid UTF-8");
}

static void test_deleted_middle_event(void **state)
{
    ledger *l = *state;

    remove_row(l, at(l, 6));
    expect_tamper(l, "position", 6, "", 0, 0,
                  "missing: positions jump from 5 to 7 (events deleted)");
}

static void test_missing_event_at_position(void **state)
{
    ledger *l = *state;

    at(l, 6)->missing = 1;
    expect_tamper(l, "position", 6, "", 0, 0, "its event is missing (event deleted)");
}

/* C4 is the newest sealed event of case C; B5 follows it unsealed. */
static void test_deleted_newest_sealed_event_of_case(void **state)
{
    ledger *l = *state;

    remove_row(l, at(l, 11));
    expect_tamper(l, "position", 11, "", 0, 0, "positions jump from 10 to 12");
}

/* The same deletion with the later position renumbered to close the gap. */
static void test_deleted_event_positions_renumbered(void **state)
{
    ledger *l = *state;

    remove_row(l, at(l, 11));
    at(l, 12)->position = 11;
    expect_tamper(l, "checkpoint", -1, "", 0, 3,
                  "Merkle root over positions 0..11 does not match the signed root: events in "
                  "positions 7..11 were altered, inserted, removed or reordered");
}

/* The newest sealed position deleted with nothing after it: the checkpoint outlives it. */
static void test_truncated_sealed_tail(void **state)
{
    ledger *l = *state;

    build(l, "ABACBACCBABC", "", STD_SIZES, 3);
    remove_row(l, at(l, 11));
    expect_tamper(l, "checkpoint", -1, "", 0, 3,
                  "covers 12 positions but only 11 exist (events deleted or truncated)");
}

/* The first event of a case deleted and positions renumbered: its chain starts at seq 2. */
static void test_deleted_first_event_of_case(void **state)
{
    ledger *l = *state;
    size_t i;

    remove_row(l, at(l, 0));
    for (i = 0; i < l->n; i++) {
        if (l->ev[i].position > 0) {
            l->ev[i].position--;
        }
    }
    expect_tamper(l, "event", 1, "case-A", 2, 0, "case starts at seq 2: seq 1..1 missing");
}

static void test_swapped_events_of_one_case(void **state)
{
    ledger *l = *state;

    /* A2 (position 2) and A3 (position 5) change places; position rows keep their hashes. */
    swap_positions(l, 2, 5, 0);
    expect_tamper(l, "position", 2, "case-A", 3, 0,
                  "position row records another event hash (events swapped or replaced)");

    /* The position rows rewritten as well: the chain order gives it away. */
    swap_positions(l, 2, 5, 0);
    swap_positions(l, 2, 5, 1);
    expect_tamper(l, "event", 2, "case-A", 3, 0,
                  "follows seq 1 of its case: events in between missing");
}

static void test_swapped_positions_of_two_cases(void **state)
{
    ledger *l = *state;

    /* C1 (position 3) and B2 (position 4): both chains stay intact; only the tree sees it. */
    swap_positions(l, 3, 4, 1);
    expect_tamper(l, "checkpoint", -1, "", 0, 2,
                  "Merkle root over positions 0..6 does not match the signed root: events in "
                  "positions 3..6 were altered");

    swap_positions(l, 3, 4, 1);
    swap_positions(l, 3, 4, 0);
    expect_tamper(l, "position", 3, "case-B", 2, 0, "position row records another event hash");
}

/* Well-formed events, each linked to its predecessor, slipped into a chain. */
static void test_forged_event_inserted(void **state)
{
    ledger *l = *state;
    tevent f = forged('B', 2, at(l, 1)->hash, 2);

    /* B2' linked to B1 at position 2: the first checkpoint's tree no longer matches. */
    insert_row(l, 2, &f);
    expect_tamper(l, "checkpoint", -1, "", 0, 1,
                  "Merkle root over positions 0..2 does not match the signed root");

    /* Past the last checkpoint only the chains protect the history: A5' linked to A4 at
     * position 13, and the real pending A5 then repeats seq 5. */
    build(l, STD_POSITIONED, STD_PENDING, STD_SIZES, 3);
    f = forged('A', 5, at(l, 9)->hash, 13);
    insert_row(l, 13, &f);
    expect_tamper(l, "event", -1, "case-A", 5, 0,
                  "follows seq 5 of its case: sequence out of order (swapped or duplicated)");
}

static void test_forged_event_breaking_chain(void **state)
{
    ledger *l = *state;
    unsigned char junk[H];
    tevent f;

    unit_fill_bytes(junk, H, 7);
    f = forged('B', 6, junk, 13);
    insert_row(l, 13, &f);
    expect_tamper(l, "event", 13, "case-B", 6, 0,
                  "previous hash does not link to seq 5 of its case (chain broken)");

    /* A new case must start from the genesis hash. */
    build(l, STD_POSITIONED, STD_PENDING, STD_SIZES, 3);
    f = forged('D', 1, junk, -1);
    insert_row(l, l->n, &f);
    expect_tamper(l, "event", -1, "case-D", 1, 0,
                  "first event of the case does not start from the genesis hash");
}

/* Every hash recomputed after an edit: only the signed roots catch it. */
static void test_history_rewritten(void **state)
{
    ledger *l = *state;

    snprintf(at(l, 1)->payload, sizeof(at(l, 1)->payload), "{\"n\":1,\"refund\":0}");
    rechain(l);
    expect_tamper(l, "checkpoint", -1, "", 0, 1,
                  "Merkle root over positions 0..2 does not match the signed root: events in "
                  "positions 0..2 were altered");
}

/* Rewritten and resealed with a forger's key: the trusted key gives it away. */
static void test_history_rewritten_and_resealed(void **state)
{
    ledger *l = *state;

    snprintf(at(l, 1)->payload, sizeof(at(l, 1)->payload), "{\"n\":1,\"refund\":0}");
    rechain(l);
    l->signer = l->forger;
    seal(l, STD_SIZES, 3);
    expect_tamper(l, "checkpoint", -1, "", 0, 1, "checkpoint 1 was signed by key");

    /* The forger also replaced the stored public key. */
    l->stored = l->forger;
    l->stored_id_of = l->forger;
    expect_tamper(l, "key", -1, "", 0, 0, "is not the trusted key");
}

static void test_checkpoint_altered(void **state)
{
    ledger *l = *state;

    l->cp[1].root[0] ^= 0x01;
    expect_tamper(l, "checkpoint", -1, "", 0, 2,
                  "checkpoint 2: stored hash does not match its content");
    l->cp[1].root[0] ^= 0x01;

    l->cp[1].sig[0] ^= 0x01;
    expect_tamper(l, "checkpoint", -1, "", 0, 2, "checkpoint 2: signature is not valid");
    l->cp[1].sig[0] ^= 0x01;

    l->cp[2].tree_size = 13;
    expect_tamper(l, "checkpoint", -1, "", 0, 3, "stored hash does not match its content");
}

/* Fields altered to values no checkpoint can have are tampering too, not an input error. */
static void test_checkpoint_altered_out_of_range(void **state)
{
    ledger *l = *state;

    l->cp[1].tree_size = -1;
    expect_tamper(l, "checkpoint", -1, "", 0, 2, "malformed");
    l->cp[1].tree_size = 7;

    l->cp[2].time_us = INT64_MAX;
    expect_tamper(l, "checkpoint", -1, "", 0, 3, "malformed");
}

static void test_checkpoint_deleted_from_middle(void **state)
{
    ledger *l = *state;

    l->cp[1] = l->cp[2];
    l->ncp = 2;
    expect_tamper(l, "checkpoint", -1, "", 0, 2,
                  "checkpoint 2 is missing (deleted); the next one stored is 3");
}

/* Checkpoints genuinely signed by the ledger key but not forming one chain. */
static void test_checkpoint_chain_broken(void **state)
{
    ledger *l = *state;

    /* Checkpoint 2 replaced by one that does not link to checkpoint 1. */
    memset(l->cp[1].prev, 0, H);
    assert_int_equal(plaint_checkpoint_sign(&l->cp[1], l->key, NULL), 0);
    expect_tamper(l, "checkpoint", -1, "", 0, 2,
                  "does not link to checkpoint 1 (previous checkpoint missing or altered)");

    /* Checkpoint 3 shrinking the tree back to checkpoint 1's. */
    build(l, STD_POSITIONED, STD_PENDING, STD_SIZES, 3);
    l->ncp = 2;
    add_checkpoint(l, 3, l->cp[0].root);
    expect_tamper(l, "checkpoint", -1, "", 0, 3, "tree size 3 is smaller than checkpoint 2's 7");
}

static void test_stored_key_not_trusted(void **state)
{
    ledger *l = *state;

    /* The auditor's key is not the one stored with the ledger. */
    l->trusted = l->forger;
    expect_tamper(l, "key", -1, "", 0, 0, "is not the trusted key");

    /* No stored key to compare: the first checkpoint names the wrong signer. */
    l->stored = NULL;
    expect_tamper(l, "checkpoint", -1, "", 0, 1, "not by the trusted key");
}

static void test_stored_key_not_matching_id(void **state)
{
    ledger *l = *state;
    plaint_verifier *v = new_verifier(l);
    char id[PLAINT_SIGNKEY_ID_LEN + 1];
    plaint_error err;

    l->stored = l->forger;
    expect_tamper(l, "key", -1, "", 0, 0, "stored public key does not match its key id");

    /* Not a key at all. */
    assert_int_equal(plaint_signkey_id(id, l->key, NULL), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_verifier_add_key(v, id, "junk", 4, &err), PLAINT_ETAMPER);
    assert_int_equal(err.code, PLAINT_ETAMPER);
    assert_string_equal(plaint_verifier_report(v)->record, "key");
    assert_non_null(strstr(plaint_verifier_report(v)->reason, "is not a valid key"));
    plaint_verifier_free(v);
}

/* After the first failure every call reports tampering and the first record stays named. */
static void test_first_failure_is_kept(void **state)
{
    ledger *l = *state;
    plaint_verifier *v = new_verifier(l);
    plaint_verify_report rep;
    size_t i;

    at(l, 4)->time_us++;
    for (i = 0; i < l->ncp; i++) {
        assert_int_equal(plaint_verifier_add_checkpoint(v, &l->cp[i], NULL), 0);
    }
    for (i = 0; i < l->n; i++) {
        assert_int_equal(feed_row(v, &l->ev[i], NULL), i < 4 ? 0 : PLAINT_ETAMPER);
    }
    assert_int_equal(plaint_verifier_missing_event(v, 13, NULL), PLAINT_ETAMPER);
    assert_int_equal(plaint_verifier_add_key(v, "x", "y", 1, NULL), PLAINT_ETAMPER);
    assert_int_equal(plaint_verifier_finish(v, &rep, NULL), PLAINT_ETAMPER);
    assert_int_equal(rep.ok, 0);
    assert_string_equal(rep.record, "event");
    assert_int_equal(rep.position, 4);
    assert_string_equal(rep.case_id, "case-B");
    assert_int_equal(rep.case_seq, 2);
    /* Counts stop at the failure. */
    assert_int_equal(rep.events, 4);
    assert_int_equal(rep.positions, 4);
    plaint_verifier_free(v);
}

/* Feeding out of order is a programming error, not tampering. */
static void test_misuse_is_an_error(void **state)
{
    ledger *l = *state;
    plaint_verifier *v = new_verifier(l);
    plaint_error err;

    assert_int_equal(feed_row(v, &l->ev[0], NULL), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_verifier_add_checkpoint(v, &l->cp[0], &err), PLAINT_ERROR);
    assert_int_equal(err.code, PLAINT_ERROR);
    /* B1 given as pending, then A2 with a position. */
    l->ev[1].position = -1;
    assert_int_equal(feed_row(v, &l->ev[1], NULL), 0);
    l->ev[2].position = 1;
    plaint_error_init(&err);
    assert_int_equal(feed_row(v, &l->ev[2], &err), PLAINT_ERROR);
    assert_int_equal(err.code, PLAINT_ERROR);
    plaint_verifier_free(v);
    plaint_verifier_free(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_valid_ledger),
        T(test_small_ledgers),
        T(test_checkpoint_of_empty_tree),
        T(test_altered_payload),
        T(test_altered_actor),
        T(test_altered_time),
        T(test_altered_pending_event),
        T(test_malformed_event),
        T(test_deleted_middle_event),
        T(test_missing_event_at_position),
        T(test_deleted_newest_sealed_event_of_case),
        T(test_deleted_event_positions_renumbered),
        T(test_truncated_sealed_tail),
        T(test_deleted_first_event_of_case),
        T(test_swapped_events_of_one_case),
        T(test_swapped_positions_of_two_cases),
        T(test_forged_event_inserted),
        T(test_forged_event_breaking_chain),
        T(test_history_rewritten),
        T(test_history_rewritten_and_resealed),
        T(test_checkpoint_altered),
        T(test_checkpoint_altered_out_of_range),
        T(test_checkpoint_deleted_from_middle),
        T(test_checkpoint_chain_broken),
        T(test_stored_key_not_trusted),
        T(test_stored_key_not_matching_id),
        T(test_first_failure_is_kept),
        T(test_misuse_is_an_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
