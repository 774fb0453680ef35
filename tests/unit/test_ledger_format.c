/* Keeps docs/ledger-format.md honest: reads the document at run time, takes the values of its
 * worked example (section 11), recomputes each one with the library and asserts byte equality.
 *
 * Marker syntax, as documented in section 11 of the document: a line that starts with "ex." is
 * "ex.<name>: <value>", the value running to the end of the line. Every name may appear once,
 * and every name in the document must be one this test checks (test_every_marker_checked), so
 * that no value in the example goes unchecked. The names:
 *
 *   ex.key.{secret,public,spki-der,pem-body,id}
 *   ex.event<i>.{position,case,seq,type,actor,role,time,time-us,payload,prev,canonical,
 *                hashed-length,hash,leaf}      i = 0, 1, ...; leaf only for positioned events
 *   ex.root.<n>  n = 0 .. number of positioned events;  ex.node.0-1, ex.node.2-3
 *   ex.checkpoint<k>.{seq,size,time,prev,root,key,json,message-length,hash,sig,frontier}
 *   ex.proof.{inclusion,consistency}
 *   ex.bundle.events.<i>, ex.bundle.checkpoints.<k>, ex.bundle.manifest
 *   ex.verify.{events,positions,cases,checkpoints,sealed,unsealed}
 *
 * Inputs (event fields, checkpoint times, the proofs' position and checkpoint numbers, the
 * manifest's "created") are taken from the document; everything derived from them is recomputed.
 * The document is found at $PLAINT_SOURCE_DIR/docs/ledger-format.md (ctest sets the variable).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/signkey.h"
#include "plaint/buf.h"
#include "plaint/chain.h"
#include "plaint/checkpoint.h"
#include "plaint/digest.h"
#include "plaint/jcs.h"
#include "plaint/merkle.h"
#include "plaint/merkle_frontier.h"
#include "plaint/sign.h"
#include "plaint/verifier.h"

#define H            PLAINT_HASH_LEN
#define DOC_MAX      (4 * 1024 * 1024)
#define MAX_MARKERS  512
#define NAME_MAX_LEN 64
#define MAX_EVENTS   16
#define MAX_CPS      8

typedef struct marker {
    char name[NAME_MAX_LEN];
    const char *value; /* points into doc_state.text */
    int used;
} marker;

typedef struct example_event {
    plaint_event ev;
    plaint_buf payload; /* canonical payload, owned */
    plaint_buf canonical;
    unsigned char hash[H];
    int64_t position; /* -1: not sequenced */
} example_event;

typedef struct doc_state {
    plaint_buf text;
    marker markers[MAX_MARKERS];
    size_t nmarkers;
    plaint_signkey *key;
    char key_id[PLAINT_SIGNKEY_ID_LEN + 1];
    plaint_buf pem;
    example_event events[MAX_EVENTS];
    size_t nevents;
    unsigned char leaves[MAX_EVENTS][H];
    size_t npos;
    int events_ok;
    plaint_checkpoint cps[MAX_CPS];
    plaint_buf frontiers[MAX_CPS];
    size_t ncps;
    int cps_ok;
} doc_state;

/* ---- reading the document ---- */

static const char *val(doc_state *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_marker(doc_state *d, char *line)
{
    char *sep = strstr(line, ": ");
    size_t len;
    size_t i;

    if (sep == NULL) {
        fail_msg("marker line without ': ' in docs/ledger-format.md: %.60s", line);
    }
    len = (size_t)(sep - line);
    if (len >= NAME_MAX_LEN) {
        fail_msg("marker name too long: %.60s", line);
    }
    for (i = 0; i < d->nmarkers; i++) {
        if (strlen(d->markers[i].name) == len && memcmp(d->markers[i].name, line, len) == 0) {
            fail_msg("marker %.*s appears twice in docs/ledger-format.md", (int)len, line);
        }
    }
    if (d->nmarkers == MAX_MARKERS) {
        fail_msg("more than %d markers", MAX_MARKERS);
    }
    memcpy(d->markers[d->nmarkers].name, line, len);
    d->markers[d->nmarkers].name[len] = '\0';
    d->markers[d->nmarkers].value = sep + 2;
    d->markers[d->nmarkers].used = 0;
    d->nmarkers++;
}

static int setup(void **state)
{
    doc_state *d = calloc(1, sizeof(*d));
    const char *src = getenv("PLAINT_SOURCE_DIR");
    char path[4096];
    unsigned char secret[32];
    plaint_error err;
    EVP_PKEY *pkey;
    char *line;
    int n;

    assert_non_null(d);
    *state = NULL;
    if (src == NULL) {
        fail_msg("PLAINT_SOURCE_DIR is not set (ctest sets it to the source tree)");
    }
    n = snprintf(path, sizeof(path), "%s/docs/ledger-format.md", src);
    assert_true(n > 0 && (size_t)n < sizeof(path));
    plaint_error_init(&err);
    if (plaint_buf_read_file(&d->text, path, DOC_MAX, &err) < 0) {
        fail_msg("cannot read %s: %s", path, err.message);
    }
    /* Split into NUL-terminated lines; marker values point into the text. */
    line = d->text.data;
    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        char *next = NULL;
        if (nl != NULL) {
            *nl = '\0';
            next = nl + 1;
            if (nl > line && nl[-1] == '\r') {
                nl[-1] = '\0';
            }
        }
        if (strncmp(line, "ex.", 3) == 0) {
            add_marker(d, line);
        }
        line = next;
    }
    if (d->nmarkers == 0) {
        fail_msg("no ex. markers found in %s", path);
    }
    /* The signing key, from the document's secret; the other tests need it. */
    *state = d;
    assert_int_equal(plaint_hex_decode(secret, sizeof(secret), val(d, "ex.key.secret"),
                                       strlen(val(d, "ex.key.secret")), NULL),
                     0);
    pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, sizeof(secret));
    OPENSSL_cleanse(secret, sizeof(secret));
    assert_non_null(pkey);
    assert_int_equal(plaint_signkey_wrap(&d->key, pkey, 1, NULL), 0);
    assert_int_equal(plaint_signkey_id(d->key_id, d->key, NULL), 0);
    assert_int_equal(plaint_signkey_public_pem(&d->pem, d->key, NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    doc_state *d = *state;
    size_t i;

    if (d == NULL) {
        return 0;
    }
    for (i = 0; i < MAX_EVENTS; i++) {
        plaint_buf_clear(&d->events[i].payload);
        plaint_buf_clear(&d->events[i].canonical);
    }
    for (i = 0; i < MAX_CPS; i++) {
        plaint_buf_clear(&d->frontiers[i]);
    }
    plaint_signkey_free(d->key);
    plaint_buf_clear(&d->pem);
    plaint_buf_clear(&d->text);
    free(d);
    return 0;
}

static const char *find_marker(doc_state *d, const char *fmt, va_list ap)
{
    char name[NAME_MAX_LEN];
    size_t i;
    int n = vsnprintf(name, sizeof(name), fmt, ap);

    assert_true(n > 0 && (size_t)n < sizeof(name));
    for (i = 0; i < d->nmarkers; i++) {
        if (strcmp(d->markers[i].name, name) == 0) {
            d->markers[i].used = 1;
            return d->markers[i].value;
        }
    }
    return NULL;
}

/* The value of a marker that may be absent (NULL then). */
static const char *opt_val(doc_state *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *opt_val(doc_state *d, const char *fmt, ...)
{
    const char *v;
    va_list ap;

    va_start(ap, fmt);
    v = find_marker(d, fmt, ap);
    va_end(ap);
    return v;
}

/* The value of a marker that must be present. */
static const char *val(doc_state *d, const char *fmt, ...)
{
    char name[NAME_MAX_LEN];
    const char *v;
    va_list ap;

    va_start(ap, fmt);
    v = find_marker(d, fmt, ap);
    va_end(ap);
    if (v == NULL) {
        va_start(ap, fmt);
        vsnprintf(name, sizeof(name), fmt, ap);
        va_end(ap);
        fail_msg("docs/ledger-format.md lacks the marker %s", name);
    }
    return v;
}

static int64_t num(const char *s)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);

    assert_true(end != s && *end == '\0');
    return (int64_t)v;
}

static void assert_hex(const unsigned char *data, size_t len, const char *hex)
{
    plaint_buf b = PLAINT_BUF_INIT;

    assert_int_equal(plaint_buf_append_hex(&b, data, len, NULL), 0);
    assert_string_equal(b.data, hex);
    plaint_buf_clear(&b);
}

static void assert_canonical(const char *json)
{
    plaint_buf c = PLAINT_BUF_INIT;
    plaint_error err;

    plaint_error_init(&err);
    if (plaint_jcs_canonicalize(&c, json, strlen(json), &err) < 0) {
        fail_msg("not canonical JSON (%s): %.80s", err.message, json);
    }
    assert_string_equal(c.data, json);
    plaint_buf_clear(&c);
}

/* ---- 11.1 the key ---- */

static void test_key(void **state)
{
    doc_state *d = *state;
    unsigned char raw[PLAINT_PUBKEY_LEN];
    unsigned char digest[H];
    unsigned char *der = NULL;
    plaint_buf want = PLAINT_BUF_INIT;
    int der_len;

    assert_int_equal(plaint_signkey_raw_public(raw, d->key, NULL), 0);
    assert_hex(raw, sizeof(raw), val(d, "ex.key.public"));
    der_len = i2d_PUBKEY(d->key->pkey, &der);
    assert_true(der_len > 0);
    assert_hex(der, (size_t)der_len, val(d, "ex.key.spki-der"));
    OPENSSL_free(der);
    assert_int_equal(plaint_buf_printf(&want, NULL,
                                       "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n",
                                       val(d, "ex.key.pem-body")),
                     0);
    assert_string_equal(d->pem.data, want.data);
    plaint_buf_clear(&want);
    assert_string_equal(d->key_id, val(d, "ex.key.id"));
    assert_int_equal(plaint_sha256_digest(digest, raw, sizeof(raw), NULL), 0);
    assert_hex(digest, sizeof(digest), val(d, "ex.key.id"));
}

/* ---- 11.2 events ---- */

static void test_events(void **state)
{
    doc_state *d = *state;
    const char *cases[MAX_EVENTS];
    int64_t last_seq[MAX_EVENTS];
    unsigned char last_hash[MAX_EVENTS][H];
    size_t ncases = 0;
    plaint_sha256 sha;
    plaint_buf scratch = PLAINT_BUF_INIT;
    size_t i;

    assert_int_equal(plaint_sha256_init(&sha, NULL), 0);
    for (i = 0; opt_val(d, "ex.event%zu.case", i) != NULL; i++) {
        example_event *x = &d->events[i];
        plaint_event *ev = &x->ev;
        const char *position;
        const char *leaf;
        unsigned char h[H];
        char ts[PLAINT_TIME_LEN + 1];
        size_t c;

        assert_true(i < MAX_EVENTS);
        memset(ev, 0, sizeof(*ev));
        ev->case_id = val(d, "ex.event%zu.case", i);
        ev->case_id_len = strlen(ev->case_id);
        ev->type = val(d, "ex.event%zu.type", i);
        ev->type_len = strlen(ev->type);
        ev->actor = val(d, "ex.event%zu.actor", i);
        ev->actor_len = strlen(ev->actor);
        ev->role = val(d, "ex.event%zu.role", i);
        ev->role_len = strlen(ev->role);

        /* The payload is stored canonical, so it must canonicalise to itself. */
        plaint_buf_reset(&x->payload);
        assert_int_equal(plaint_jcs_canonicalize(&x->payload, val(d, "ex.event%zu.payload", i),
                                                 strlen(val(d, "ex.event%zu.payload", i)), NULL),
                         0);
        assert_string_equal(x->payload.data, val(d, "ex.event%zu.payload", i));
        ev->payload = x->payload.data;
        ev->payload_len = x->payload.len;

        assert_int_equal(plaint_time_parse(&ev->time_us, val(d, "ex.event%zu.time", i),
                                           strlen(val(d, "ex.event%zu.time", i)), NULL),
                         0);
        assert_true(ev->time_us == num(val(d, "ex.event%zu.time-us", i)));
        assert_int_equal(plaint_time_format(ts, ev->time_us, NULL), 0);
        assert_string_equal(ts, val(d, "ex.event%zu.time", i));

        /* seq and prev follow from the case's earlier events in the document. */
        c = 0;
        while (c < ncases && strcmp(cases[c], ev->case_id) != 0) {
            c++;
        }
        if (c == ncases) {
            cases[ncases] = ev->case_id;
            last_seq[ncases] = 0;
            memset(last_hash[ncases], 0, H);
            ncases++;
        }
        ev->case_seq = last_seq[c] + 1;
        memcpy(ev->prev_hash, last_hash[c], H);
        assert_true(num(val(d, "ex.event%zu.seq", i)) == ev->case_seq);
        assert_hex(ev->prev_hash, H, val(d, "ex.event%zu.prev", i));

        plaint_buf_reset(&x->canonical);
        assert_int_equal(plaint_chain_event_canonical(&x->canonical, ev, NULL), 0);
        assert_string_equal(x->canonical.data, val(d, "ex.event%zu.canonical", i));
        assert_canonical(x->canonical.data);
        assert_true(num(val(d, "ex.event%zu.hashed-length", i)) ==
                    (int64_t)(strlen(PLAINT_EVENT_PREFIX) + x->canonical.len));

        assert_int_equal(plaint_chain_event_hash(x->hash, ev, &scratch, &sha, NULL), 0);
        assert_hex(x->hash, H, val(d, "ex.event%zu.hash", i));
        /* Independently of the event builder: SHA-256(prefix || the document's bytes). */
        plaint_buf_reset(&scratch);
        assert_int_equal(plaint_buf_append_str(&scratch, PLAINT_EVENT_PREFIX, NULL), 0);
        assert_int_equal(plaint_buf_append_str(&scratch, val(d, "ex.event%zu.canonical", i), NULL),
                         0);
        assert_int_equal(plaint_sha256_digest(h, scratch.data, scratch.len, NULL), 0);
        assert_hex(h, H, val(d, "ex.event%zu.hash", i));

        last_seq[c] = ev->case_seq;
        memcpy(last_hash[c], x->hash, H);

        /* Positioned events first, in position order; then unsequenced ones. */
        position = val(d, "ex.event%zu.position", i);
        leaf = opt_val(d, "ex.event%zu.leaf", i);
        if (strcmp(position, "null") == 0) {
            x->position = -1;
            assert_null(leaf);
        } else {
            assert_true(i == d->npos);
            assert_true(num(position) == (int64_t)d->npos);
            x->position = (int64_t)d->npos;
            assert_non_null(leaf);
            assert_int_equal(plaint_merkle_leaf_hash(d->leaves[d->npos], x->hash, H, NULL), 0);
            assert_hex(d->leaves[d->npos], H, leaf);
            d->npos++;
        }
    }
    d->nevents = i;
    assert_true(d->npos >= 4); /* ex.node.2-3 needs four leaves */
    plaint_sha256_clear(&sha);
    plaint_buf_clear(&scratch);
    d->events_ok = 1;
}

/* ---- 11.3 Merkle tree ---- */

static void test_merkle(void **state)
{
    doc_state *d = *state;
    const unsigned char(*leaves)[H] = (const unsigned char(*)[H])d->leaves;
    unsigned char root[H];
    unsigned char node[H];
    plaint_merkle_builder b;
    size_t n;

    assert_true(d->events_ok);
    assert_int_equal(plaint_merkle_builder_init(&b, NULL), 0);
    for (n = 0; n <= d->npos; n++) {
        assert_int_equal(plaint_merkle_root(root, leaves, n, NULL), 0);
        assert_hex(root, H, val(d, "ex.root.%zu", n));
        assert_int_equal(plaint_merkle_builder_root(&b, root, NULL), 0);
        assert_hex(root, H, val(d, "ex.root.%zu", n));
        if (n < d->npos) {
            assert_int_equal(plaint_merkle_builder_push(&b, leaves[n], NULL), 0);
        }
    }
    assert_null(opt_val(d, "ex.root.%zu", d->npos + 1));
    plaint_merkle_builder_clear(&b);
    assert_int_equal(plaint_merkle_node_hash(node, leaves[0], leaves[1], NULL), 0);
    assert_hex(node, H, val(d, "ex.node.0-1"));
    assert_int_equal(plaint_merkle_node_hash(node, leaves[2], leaves[3], NULL), 0);
    assert_hex(node, H, val(d, "ex.node.2-3"));
}

/* ---- 11.4 checkpoints ---- */

static void test_checkpoints(void **state)
{
    doc_state *d = *state;
    plaint_merkle_builder b;
    plaint_merkle_builder loaded;
    plaint_buf msg = PLAINT_BUF_INIT;
    plaint_buf fr = PLAINT_BUF_INIT;
    unsigned char h[H];
    unsigned char root[H];
    size_t pushed = 0;
    size_t k;

    assert_true(d->events_ok);
    assert_int_equal(plaint_merkle_builder_init(&b, NULL), 0);
    for (k = 1; opt_val(d, "ex.checkpoint%zu.seq", k) != NULL; k++) {
        plaint_checkpoint *cp = &d->cps[k - 1];
        const char *t = val(d, "ex.checkpoint%zu.time", k);
        int64_t size = num(val(d, "ex.checkpoint%zu.size", k));

        assert_true(k <= MAX_CPS);
        memset(cp, 0, sizeof(*cp));
        cp->seq = (int64_t)k;
        assert_true(num(val(d, "ex.checkpoint%zu.seq", k)) == cp->seq);
        assert_true(size >= (int64_t)pushed && size <= (int64_t)d->npos);
        while (pushed < (size_t)size) {
            assert_int_equal(plaint_merkle_builder_push(&b, d->leaves[pushed], NULL), 0);
            pushed++;
        }
        cp->tree_size = size;
        assert_int_equal(plaint_merkle_builder_root(&b, cp->root, NULL), 0);
        assert_hex(cp->root, H, val(d, "ex.checkpoint%zu.root", k));
        if (k > 1) {
            memcpy(cp->prev, d->cps[k - 2].hash, H);
        }
        assert_hex(cp->prev, H, val(d, "ex.checkpoint%zu.prev", k));
        assert_int_equal(plaint_time_parse(&cp->time_us, t, strlen(t), NULL), 0);

        assert_int_equal(plaint_checkpoint_sign(cp, d->key, NULL), 0);
        assert_string_equal(cp->key_id, val(d, "ex.checkpoint%zu.key", k));
        plaint_buf_reset(&msg);
        assert_int_equal(plaint_checkpoint_message(&msg, cp, NULL), 0);
        assert_true(msg.len == (size_t)num(val(d, "ex.checkpoint%zu.message-length", k)));
        assert_memory_equal(msg.data, PLAINT_CHECKPOINT_PREFIX, strlen(PLAINT_CHECKPOINT_PREFIX));
        assert_string_equal(msg.data + strlen(PLAINT_CHECKPOINT_PREFIX),
                            val(d, "ex.checkpoint%zu.json", k));
        assert_canonical(val(d, "ex.checkpoint%zu.json", k));
        assert_hex(cp->hash, H, val(d, "ex.checkpoint%zu.hash", k));
        assert_int_equal(plaint_sha256_digest(h, msg.data, msg.len, NULL), 0);
        assert_hex(h, H, val(d, "ex.checkpoint%zu.hash", k));
        assert_hex(cp->sig, PLAINT_SIG_LEN, val(d, "ex.checkpoint%zu.sig", k));
        assert_int_equal(plaint_checkpoint_verify(cp, d->key, NULL), 0);

        plaint_buf_reset(&d->frontiers[k - 1]);
        assert_int_equal(plaint_merkle_frontier_save(&d->frontiers[k - 1], &b, NULL), 0);
        assert_hex((const unsigned char *)d->frontiers[k - 1].data, d->frontiers[k - 1].len,
                   val(d, "ex.checkpoint%zu.frontier", k));
        /* The document's frontier restores the checkpoint's size and root. */
        plaint_buf_reset(&fr);
        assert_int_equal(
            plaint_buf_reserve(&fr, strlen(val(d, "ex.checkpoint%zu.frontier", k)), NULL), 0);
        fr.len = strlen(val(d, "ex.checkpoint%zu.frontier", k)) / 2;
        assert_int_equal(plaint_hex_decode((unsigned char *)fr.data, fr.len,
                                           val(d, "ex.checkpoint%zu.frontier", k), 2 * fr.len,
                                           NULL),
                         0);
        assert_int_equal(plaint_merkle_builder_init(&loaded, NULL), 0);
        assert_int_equal(
            plaint_merkle_frontier_load(&loaded, (const unsigned char *)fr.data, fr.len, NULL), 0);
        assert_true(plaint_merkle_builder_size(&loaded) == (uint64_t)size);
        assert_int_equal(plaint_merkle_builder_root(&loaded, root, NULL), 0);
        assert_memory_equal(root, cp->root, H);
        plaint_merkle_builder_clear(&loaded);
    }
    d->ncps = k - 1;
    assert_true(d->ncps >= 2);
    plaint_merkle_builder_clear(&b);
    plaint_buf_clear(&msg);
    plaint_buf_clear(&fr);
    d->cps_ok = 1;
}

/* ---- 11.5 proofs ---- */

/* Appends a checkpoint object as in checkpoints.jsonl; without "frontier" when frontier is
 * NULL (the form used inside proofs). */
static void append_cp_object(plaint_buf *out, const plaint_checkpoint *cp,
                             const plaint_buf *frontier)
{
    char ts[PLAINT_TIME_LEN + 1];
    char prev[2 * H + 1];
    char root[2 * H + 1];
    char hash[2 * H + 1];
    char sig[2 * PLAINT_SIG_LEN + 1];

    assert_int_equal(plaint_time_format(ts, cp->time_us, NULL), 0);
    plaint_hex_encode(prev, cp->prev, H);
    plaint_hex_encode(root, cp->root, H);
    plaint_hex_encode(hash, cp->hash, H);
    plaint_hex_encode(sig, cp->sig, PLAINT_SIG_LEN);
    assert_int_equal(plaint_buf_append_str(out, "{", NULL), 0);
    if (frontier != NULL) {
        assert_int_equal(plaint_buf_append_str(out, "\"frontier\":\"", NULL), 0);
        assert_int_equal(
            plaint_buf_append_hex(out, (const unsigned char *)frontier->data, frontier->len, NULL),
            0);
        assert_int_equal(plaint_buf_append_str(out, "\",", NULL), 0);
    }
    assert_int_equal(plaint_buf_printf(out, NULL,
                                       "\"hash\":\"%s\",\"key\":\"%s\",\"prev\":\"%s\",\"root\":"
                                       "\"%s\",\"seq\":%lld,\"sig\":\"%s\",\"size\":%lld,"
                                       "\"time\":\"%s\"}",
                                       hash, cp->key_id, prev, root, (long long)cp->seq, sig,
                                       (long long)cp->tree_size, ts),
                     0);
}

static void append_path(plaint_buf *out, const plaint_buf *path)
{
    size_t i;

    assert_int_equal(plaint_buf_append_str(out, "[", NULL), 0);
    for (i = 0; i < path->len; i += H) {
        assert_int_equal(plaint_buf_append_str(out, i == 0 ? "\"" : ",\"", NULL), 0);
        assert_int_equal(plaint_buf_append_hex(out, (const unsigned char *)path->data + i, H, NULL),
                         0);
        assert_int_equal(plaint_buf_append_str(out, "\"", NULL), 0);
    }
    assert_int_equal(plaint_buf_append_str(out, "]", NULL), 0);
}

/* Reads an integer member of a JSON object given by a path of keys. */
static int64_t json_int_at(const char *json, const char *outer, const char *inner)
{
    json_error_t jerr;
    json_t *root = json_loads(json, 0, &jerr);
    json_t *v;
    int64_t out;

    if (root == NULL) {
        fail_msg("invalid JSON in the document: %s", jerr.text);
    }
    v = json_object_get(root, outer);
    if (inner != NULL) {
        v = json_object_get(v, inner);
    }
    assert_true(json_is_integer(v));
    out = (int64_t)json_integer_value(v);
    json_decref(root);
    return out;
}

static void test_inclusion_proof(void **state)
{
    doc_state *d = *state;
    const char *doc = val(d, "ex.proof.inclusion");
    int64_t p = json_int_at(doc, "position", NULL);
    const plaint_checkpoint *cp = NULL;
    plaint_buf path = PLAINT_BUF_INIT;
    plaint_buf want = PLAINT_BUF_INIT;
    unsigned char leaf[H];
    size_t k;

    assert_true(d->cps_ok);
    assert_true(p >= 0 && p < (int64_t)d->npos);
    for (k = 0; k < d->ncps && cp == NULL; k++) {
        if (d->cps[k].tree_size > p) {
            cp = &d->cps[k]; /* the first checkpoint covering position p */
        }
    }
    assert_non_null(cp);
    assert_int_equal(plaint_merkle_inclusion_proof(&path, (const unsigned char(*)[H])d->leaves,
                                                   (size_t)cp->tree_size, (size_t)p, NULL),
                     0);
    assert_int_equal(plaint_buf_append_str(&want, "{\"checkpoint\":", NULL), 0);
    append_cp_object(&want, cp, NULL);
    assert_int_equal(plaint_buf_append_str(&want, ",\"event_hash\":\"", NULL), 0);
    assert_int_equal(plaint_buf_append_hex(&want, d->events[p].hash, H, NULL), 0);
    assert_int_equal(plaint_buf_append_str(&want, "\",\"path\":", NULL), 0);
    append_path(&want, &path);
    assert_int_equal(plaint_buf_printf(&want, NULL,
                                       ",\"position\":%lld,\"type\":\"plaint.inclusion.v1\"}",
                                       (long long)p),
                     0);
    assert_string_equal(doc, want.data);
    assert_canonical(doc);
    assert_int_equal(plaint_merkle_leaf_hash(leaf, d->events[p].hash, H, NULL), 0);
    assert_int_equal(plaint_merkle_verify_inclusion(leaf, (uint64_t)p, (uint64_t)cp->tree_size,
                                                    (const unsigned char *)path.data, path.len,
                                                    cp->root, NULL),
                     0);
    plaint_buf_clear(&path);
    plaint_buf_clear(&want);
}

static void test_consistency_proof(void **state)
{
    doc_state *d = *state;
    const char *doc = val(d, "ex.proof.consistency");
    int64_t a = json_int_at(doc, "first", "seq");
    int64_t b = json_int_at(doc, "second", "seq");
    const plaint_checkpoint *first;
    const plaint_checkpoint *second;
    plaint_buf path = PLAINT_BUF_INIT;
    plaint_buf want = PLAINT_BUF_INIT;

    assert_true(d->cps_ok);
    assert_true(a >= 1 && a < b && b <= (int64_t)d->ncps);
    first = &d->cps[a - 1];
    second = &d->cps[b - 1];
    assert_int_equal(plaint_merkle_consistency_proof(&path, (const unsigned char(*)[H])d->leaves,
                                                     (size_t)first->tree_size,
                                                     (size_t)second->tree_size, NULL),
                     0);
    assert_true(path.len > 0);
    assert_int_equal(plaint_buf_append_str(&want, "{\"first\":", NULL), 0);
    append_cp_object(&want, first, NULL);
    assert_int_equal(plaint_buf_append_str(&want, ",\"path\":", NULL), 0);
    append_path(&want, &path);
    assert_int_equal(plaint_buf_append_str(&want, ",\"second\":", NULL), 0);
    append_cp_object(&want, second, NULL);
    assert_int_equal(plaint_buf_append_str(&want, ",\"type\":\"plaint.consistency.v1\"}", NULL), 0);
    assert_string_equal(doc, want.data);
    assert_canonical(doc);
    assert_int_equal(plaint_merkle_verify_consistency(
                         (uint64_t)first->tree_size, (uint64_t)second->tree_size, first->root,
                         second->root, (const unsigned char *)path.data, path.len, NULL),
                     0);
    plaint_buf_clear(&path);
    plaint_buf_clear(&want);
}

/* ---- 11.6 the bundle ---- */

static void file_entry(plaint_buf *out, const char *name, const plaint_buf *content)
{
    unsigned char h[H];
    char hex[2 * H + 1];

    assert_int_equal(plaint_sha256_digest(h, content->data, content->len, NULL), 0);
    plaint_hex_encode(hex, h, H);
    assert_int_equal(plaint_buf_printf(out, NULL, "\"%s\":{\"bytes\":%zu,\"sha256\":\"%s\"}", name,
                                       content->len, hex),
                     0);
}

static void test_bundle(void **state)
{
    doc_state *d = *state;
    plaint_buf events = PLAINT_BUF_INIT;
    plaint_buf cps = PLAINT_BUF_INIT;
    plaint_buf line = PLAINT_BUF_INIT;
    plaint_buf want = PLAINT_BUF_INIT;
    const char *man = val(d, "ex.bundle.manifest");
    const char *created;
    json_error_t jerr;
    json_t *root;
    size_t i;

    assert_true(d->cps_ok);
    for (i = 0; i < d->nevents; i++) {
        const example_event *x = &d->events[i];
        plaint_buf_reset(&line);
        assert_int_equal(
            plaint_buf_printf(&line, NULL, "{\"event\":%s,\"hash\":\"", x->canonical.data), 0);
        assert_int_equal(plaint_buf_append_hex(&line, x->hash, H, NULL), 0);
        if (x->position >= 0) {
            assert_int_equal(
                plaint_buf_printf(&line, NULL, "\",\"position\":%lld}", (long long)x->position), 0);
        } else {
            assert_int_equal(plaint_buf_append_str(&line, "\",\"position\":null}", NULL), 0);
        }
        assert_string_equal(val(d, "ex.bundle.events.%zu", i), line.data);
        assert_canonical(line.data);
        assert_int_equal(plaint_buf_printf(&events, NULL, "%s\n", line.data), 0);
    }
    assert_null(opt_val(d, "ex.bundle.events.%zu", d->nevents));
    for (i = 0; i < d->ncps; i++) {
        plaint_buf_reset(&line);
        append_cp_object(&line, &d->cps[i], &d->frontiers[i]);
        assert_string_equal(val(d, "ex.bundle.checkpoints.%zu", i + 1), line.data);
        assert_canonical(line.data);
        assert_int_equal(plaint_buf_printf(&cps, NULL, "%s\n", line.data), 0);
    }
    assert_null(opt_val(d, "ex.bundle.checkpoints.%zu", d->ncps + 1));

    /* The manifest: "created" is an input; everything else follows from the files. */
    root = json_loads(man, 0, &jerr);
    if (root == NULL) {
        fail_msg("ex.bundle.manifest is not JSON: %s", jerr.text);
    }
    created = json_string_value(json_object_get(root, "created"));
    assert_non_null(created);
    assert_int_equal(plaint_buf_printf(&want, NULL,
                                       "{\"counts\":{\"checkpoints\":%zu,\"events\":%zu,"
                                       "\"positioned\":%zu,\"unsequenced\":%zu},\"created\":\"%s\","
                                       "\"files\":{",
                                       d->ncps, d->nevents, d->npos, d->nevents - d->npos, created),
                     0);
    json_decref(root);
    file_entry(&want, "checkpoints.jsonl", &cps);
    assert_int_equal(plaint_buf_append_str(&want, ",", NULL), 0);
    file_entry(&want, "events.jsonl", &events);
    assert_int_equal(plaint_buf_append_str(&want, ",", NULL), 0);
    file_entry(&want, "pubkey.pem", &d->pem);
    assert_int_equal(plaint_buf_append_str(
                         &want, "},\"format\":\"plaint.bundle.v1\",\"from_checkpoint\":0}", NULL),
                     0);
    assert_string_equal(man, want.data);
    assert_canonical(man);
    plaint_buf_clear(&events);
    plaint_buf_clear(&cps);
    plaint_buf_clear(&line);
    plaint_buf_clear(&want);
}

/* ---- what verify reports ---- */

static void test_verify_report(void **state)
{
    doc_state *d = *state;
    plaint_verifier *v = NULL;
    plaint_verify_report r;
    plaint_error err;
    size_t i;

    assert_true(d->cps_ok);
    plaint_error_init(&err);
    assert_int_equal(plaint_verifier_new(&v, d->key, &err), 0);
    assert_int_equal(plaint_verifier_add_key(v, d->key_id, d->pem.data, d->pem.len, &err), 0);
    for (i = 0; i < d->ncps; i++) {
        assert_int_equal(plaint_verifier_add_checkpoint(v, &d->cps[i], &err), 0);
    }
    for (i = 0; i < d->nevents; i++) {
        const example_event *x = &d->events[i];
        assert_int_equal(plaint_verifier_add_event(v, x->position, &x->ev, x->hash,
                                                   x->position >= 0 ? x->hash : NULL, &err),
                         0);
    }
    memset(&r, 0, sizeof(r));
    if (plaint_verifier_finish(v, &r, &err) != 0) {
        fail_msg("the worked example does not verify: %s", err.message);
    }
    plaint_verifier_free(v);
    assert_true(r.ok);
    assert_true(r.events == num(val(d, "ex.verify.events")));
    assert_true(r.positions == num(val(d, "ex.verify.positions")));
    assert_true(r.cases == num(val(d, "ex.verify.cases")));
    assert_true(r.checkpoints == num(val(d, "ex.verify.checkpoints")));
    assert_true(r.sealed == num(val(d, "ex.verify.sealed")));
    assert_true(r.unsealed == num(val(d, "ex.verify.unsealed")));
}

/* Runs last: a value in the document that no test looked at would be unchecked. */
static void test_every_marker_checked(void **state)
{
    doc_state *d = *state;
    size_t i;

    for (i = 0; i < d->nmarkers; i++) {
        if (!d->markers[i].used) {
            fail_msg("docs/ledger-format.md: marker %s is not checked by this test",
                     d->markers[i].name);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_merkle),
        cmocka_unit_test(test_checkpoints),
        cmocka_unit_test(test_inclusion_proof),
        cmocka_unit_test(test_consistency_proof),
        cmocka_unit_test(test_bundle),
        cmocka_unit_test(test_verify_report),
        cmocka_unit_test(test_every_marker_checked),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
