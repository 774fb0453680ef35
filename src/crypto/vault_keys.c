/* Vault keys: master key files and lines, the master key ring, wrapping of subjects' data keys. */
#include "plaint/vault_keys.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "keyfile.h"
#include "plaint/digest.h"
#include "plaint/rand.h"

#define ID_DOMAIN   "plaint.masterkey.id.v1\n"
#define LINE_PREFIX "plaint-master-key v1 "
#define PREFIX_LEN  (sizeof(LINE_PREFIX) - 1)
#define KEY_HEX_LEN ((size_t)2 * PLAINT_MASTERKEY_LEN)
/* "plaint-master-key v1 " <id> " " <key hex> "\n" */
#define LINE_LEN       (PREFIX_LEN + PLAINT_MASTERKEY_ID_LEN + 1 + KEY_HEX_LEN + 1)
#define KEY_FILE_MAX   256 /* a key file is LINE_LEN (119) bytes */
#define DEK_DOMAIN     "plaint.dek.v1\n"
#define BLOB_MAGIC     "pdk1"
#define BLOB_MAGIC_LEN (sizeof(BLOB_MAGIC) - 1)
#define BLOB_HEAD_LEN  (BLOB_MAGIC_LEN + PLAINT_MASTERKEY_ID_LEN)

struct plaint_masterkey {
    unsigned char key[PLAINT_MASTERKEY_LEN];
    char id[PLAINT_MASTERKEY_ID_LEN + 1];
};

struct plaint_keyring {
    plaint_masterkey **keys; /* owned, each and the array */
    size_t count;
    size_t cap;
    size_t current; /* index of the wrapping key; meaningless while count is 0 */
};

/* ---- master keys ---- */

/* Makes *out from raw key bytes, computing its id. */
static int masterkey_from_bytes(plaint_masterkey **out, const unsigned char *key, plaint_error *err)
{
    unsigned char in[sizeof(ID_DOMAIN) - 1 + PLAINT_MASTERKEY_LEN];
    unsigned char digest[PLAINT_HASH_LEN];
    plaint_masterkey *mk;
    int rc;

    mk = malloc(sizeof(*mk));
    if (mk == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (master key)");
    }
    memcpy(in, ID_DOMAIN, sizeof(ID_DOMAIN) - 1);
    memcpy(in + sizeof(ID_DOMAIN) - 1, key, PLAINT_MASTERKEY_LEN);
    rc = plaint_sha256_digest(digest, in, sizeof(in), err);
    OPENSSL_cleanse(in, sizeof(in));
    if (rc < 0) {
        free(mk);
        return rc;
    }
    memcpy(mk->key, key, PLAINT_MASTERKEY_LEN);
    plaint_hex_encode(mk->id, digest, PLAINT_MASTERKEY_ID_LEN / 2);
    *out = mk;
    return 0;
}

int plaint_masterkey_generate(plaint_masterkey **out, plaint_error *err)
{
    unsigned char key[PLAINT_MASTERKEY_LEN];
    int rc;

    rc = plaint_rand_bytes(key, sizeof(key), err);
    if (rc == 0) {
        rc = masterkey_from_bytes(out, key, err);
    }
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

void plaint_masterkey_free(plaint_masterkey *mk)
{
    if (mk == NULL) {
        return;
    }
    OPENSSL_cleanse(mk, sizeof(*mk));
    free(mk);
}

const char *plaint_masterkey_id(const plaint_masterkey *mk)
{
    return mk->id;
}

int plaint_masterkey_write(const plaint_masterkey *mk, const char *path, plaint_error *err)
{
    char line[LINE_LEN + 1];
    size_t pos = 0;
    int rc;

    memcpy(line, LINE_PREFIX, PREFIX_LEN);
    pos += PREFIX_LEN;
    memcpy(line + pos, mk->id, PLAINT_MASTERKEY_ID_LEN);
    pos += PLAINT_MASTERKEY_ID_LEN;
    line[pos++] = ' ';
    plaint_hex_encode(line + pos, mk->key, PLAINT_MASTERKEY_LEN);
    pos += KEY_HEX_LEN;
    line[pos++] = '\n';
    rc = plaint_keyfile_write_new(path, line, pos, 0600, err);
    OPENSSL_cleanse(line, sizeof(line));
    return rc;
}

/* Parses a key line from origin (a path or a name, for messages; the text is never quoted). */
static int parse_line(plaint_masterkey **out, const char *text, size_t len, const char *origin,
                      plaint_error *err)
{
    unsigned char key[PLAINT_MASTERKEY_LEN];
    plaint_masterkey *mk = NULL;
    const char *id;
    int rc;

    if (len > 0 && text[len - 1] == '\n') {
        len--;
    }
    if (len != LINE_LEN - 1 || memcmp(text, LINE_PREFIX, PREFIX_LEN) != 0 ||
        text[PREFIX_LEN + PLAINT_MASTERKEY_ID_LEN] != ' ') {
        return plaint_error_set(err, PLAINT_EINVALID,
                                "%s is not a master key line (\"plaint-master-key v1 <key id> "
                                "<64 hex digits>\")",
                                origin);
    }
    id = text + PREFIX_LEN;
    rc = plaint_hex_decode(key, sizeof(key), id + PLAINT_MASTERKEY_ID_LEN + 1, KEY_HEX_LEN, NULL);
    if (rc < 0) {
        rc = plaint_error_set(err, PLAINT_EINVALID, "%s: the key is not 64 hex digits", origin);
    }
    if (rc == 0) {
        rc = masterkey_from_bytes(&mk, key, err);
    }
    OPENSSL_cleanse(key, sizeof(key));
    if (rc == 0 && memcmp(mk->id, id, PLAINT_MASTERKEY_ID_LEN) != 0) {
        rc = plaint_error_set(err, PLAINT_EINVALID,
                              "%s: the key id does not match the key (damaged key line?)", origin);
    }
    if (rc < 0) {
        plaint_masterkey_free(mk);
        return rc;
    }
    *out = mk;
    return 0;
}

int plaint_masterkey_from_string(plaint_masterkey **out, const char *text, size_t len,
                                 plaint_error *err)
{
    return parse_line(out, text, len, "master key text", err);
}

int plaint_masterkey_load(plaint_masterkey **out, const char *path, plaint_error *err)
{
    char text[KEY_FILE_MAX];
    size_t len = 0;
    int rc;

    rc = plaint_keyfile_read_private(text, sizeof(text), &len, path, err);
    if (rc == 0) {
        rc = parse_line(out, text, len, path, err);
    }
    OPENSSL_cleanse(text, sizeof(text));
    return rc;
}

/* ---- key ring ---- */

int plaint_keyring_new(plaint_keyring **out, plaint_error *err)
{
    plaint_keyring *kr = calloc(1, sizeof(*kr));

    if (kr == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (key ring)");
    }
    *out = kr;
    return 0;
}

void plaint_keyring_free(plaint_keyring *kr)
{
    size_t i;

    if (kr == NULL) {
        return;
    }
    for (i = 0; i < kr->count; i++) {
        plaint_masterkey_free(kr->keys[i]);
    }
    free(kr->keys);
    free(kr);
}

/* Index of key_id in kr, or kr->count if absent. */
static size_t find_index(const plaint_keyring *kr, const char *key_id)
{
    size_t i;

    for (i = 0; i < kr->count; i++) {
        if (strcmp(kr->keys[i]->id, key_id) == 0) {
            break;
        }
    }
    return i;
}

int plaint_keyring_add(plaint_keyring *kr, plaint_masterkey *mk, plaint_error *err)
{
    size_t at = find_index(kr, mk->id);

    if (at < kr->count) {
        plaint_masterkey_free(mk);
        kr->current = at;
        return 0;
    }
    if (kr->count == kr->cap) {
        size_t cap = kr->cap == 0 ? 4 : kr->cap * 2;
        plaint_masterkey **keys;
        if (cap > SIZE_MAX / sizeof(*keys)) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (key ring)");
        }
        keys = realloc(kr->keys, cap * sizeof(*keys));
        if (keys == NULL) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory (key ring)");
        }
        kr->keys = keys;
        kr->cap = cap;
    }
    kr->keys[kr->count] = mk;
    kr->current = kr->count;
    kr->count++;
    return 0;
}

/* scandir filter: visible files named *.key. */
static int is_key_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".key") == 0;
}

/* scandir order: byte-wise by name, whatever the locale. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int add_file(plaint_keyring *kr, const char *dir, const char *name, plaint_error *err)
{
    plaint_buf path = PLAINT_BUF_INIT;
    plaint_masterkey *mk = NULL;
    int rc;

    rc = plaint_buf_printf(&path, err, "%s/%s", dir, name);
    if (rc == 0) {
        rc = plaint_masterkey_load(&mk, path.data, err);
    }
    if (rc == 0) {
        rc = plaint_keyring_add(kr, mk, err);
        if (rc < 0) {
            plaint_masterkey_free(mk);
        }
    }
    plaint_buf_clear(&path);
    return rc;
}

int plaint_keyring_load_dir(plaint_keyring *kr, const char *dir, plaint_error *err)
{
    struct dirent **names = NULL;
    int n;
    int i;
    int rc = 0;

    n = scandir(dir, &names, is_key_file, by_name);
    if (n < 0) {
        return plaint_error_set(err, errno == ENOENT ? PLAINT_ENOTFOUND : PLAINT_EIO,
                                "cannot read the key directory %s: %s", dir, strerror(errno));
    }
    for (i = 0; i < n; i++) {
        if (rc == 0) {
            rc = add_file(kr, dir, names[i]->d_name, err);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int plaint_keyring_load(plaint_keyring **out, const char *dir, const char *env_line,
                        plaint_error *err)
{
    plaint_keyring *kr = NULL;
    plaint_masterkey *mk = NULL;
    struct stat st;
    int rc;

    rc = plaint_keyring_new(&kr, err);
    if (rc == 0 && dir != NULL && (stat(dir, &st) == 0 || errno != ENOENT)) {
        rc = plaint_keyring_load_dir(kr, dir, err);
    }
    if (rc == 0 && env_line != NULL && env_line[0] != '\0') {
        rc = plaint_masterkey_from_string(&mk, env_line, strlen(env_line), err);
        if (rc == 0) {
            rc = plaint_keyring_add(kr, mk, err);
        }
        if (rc < 0) {
            plaint_masterkey_free(mk);
        }
    }
    if (rc == 0 && kr->count == 0) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND,
                              "no master key: no *.key file in %s and %s is not set",
                              dir != NULL ? dir : "(no key directory)", PLAINT_MASTER_KEY_ENV);
    }
    if (rc < 0) {
        plaint_keyring_free(kr);
        return rc;
    }
    *out = kr;
    return 0;
}

size_t plaint_keyring_count(const plaint_keyring *kr)
{
    return kr->count;
}

const plaint_masterkey *plaint_keyring_current(const plaint_keyring *kr)
{
    return kr->count == 0 ? NULL : kr->keys[kr->current];
}

const plaint_masterkey *plaint_keyring_find(const plaint_keyring *kr, const char *key_id)
{
    size_t at = find_index(kr, key_id);

    return at < kr->count ? kr->keys[at] : NULL;
}

/* ---- data keys ---- */

int plaint_dek_generate(unsigned char out[PLAINT_DEK_LEN], plaint_error *err)
{
    return plaint_rand_bytes(out, PLAINT_DEK_LEN, err);
}

/* Replaces aad with "plaint.dek.v1\n" || key_id || "\n" || subject_id. */
static int dek_aad(plaint_buf *aad, const char *key_id, const char *subject_id, plaint_error *err)
{
    if (subject_id == NULL || subject_id[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "subject_id", 0, 0,
                                   "subject_id must not be empty");
    }
    /* The key id has a fixed length and the subject id comes last: one decoding only. */
    return plaint_buf_printf(aad, err, "%s%s\n%s", DEK_DOMAIN, key_id, subject_id);
}

int plaint_dek_wrap(plaint_buf *out, const plaint_masterkey *mk,
                    const unsigned char dek[PLAINT_DEK_LEN], const char *subject_id,
                    plaint_error *err)
{
    plaint_buf aad = PLAINT_BUF_INIT;
    size_t old_len = out->len;
    int rc;

    rc = dek_aad(&aad, mk->id, subject_id, err);
    if (rc == 0) {
        rc = plaint_buf_append(out, BLOB_MAGIC, BLOB_MAGIC_LEN, err);
    }
    if (rc == 0) {
        rc = plaint_buf_append(out, mk->id, PLAINT_MASTERKEY_ID_LEN, err);
    }
    if (rc == 0) {
        rc = plaint_aead_seal(out, mk->key, aad.data, aad.len, dek, PLAINT_DEK_LEN, err);
    }
    if (rc < 0 && out->data != NULL) {
        out->len = old_len;
        out->data[old_len] = '\0';
    }
    plaint_buf_clear(&aad);
    return rc;
}

static int is_lower_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

int plaint_dek_key_id(char out[PLAINT_MASTERKEY_ID_LEN + 1], const void *blob, size_t len,
                      plaint_error *err)
{
    const char *b = blob;

    if (len != PLAINT_DEK_BLOB_LEN) {
        return plaint_error_set(err, PLAINT_ETAMPER, "wrapped data key is %zu bytes, not %d", len,
                                PLAINT_DEK_BLOB_LEN);
    }
    if (memcmp(b, BLOB_MAGIC, BLOB_MAGIC_LEN) != 0 ||
        !is_lower_hex(b + BLOB_MAGIC_LEN, PLAINT_MASTERKEY_ID_LEN)) {
        return plaint_error_set(
            err, PLAINT_ETAMPER,
            "wrapped data key has a damaged header (not \"pdk1\" and a key id)");
    }
    memcpy(out, b + BLOB_MAGIC_LEN, PLAINT_MASTERKEY_ID_LEN);
    out[PLAINT_MASTERKEY_ID_LEN] = '\0';
    return 0;
}

int plaint_dek_unwrap(unsigned char dek[PLAINT_DEK_LEN], const plaint_keyring *kr, const void *blob,
                      size_t len, const char *subject_id, plaint_error *err)
{
    char key_id[PLAINT_MASTERKEY_ID_LEN + 1];
    plaint_buf aad = PLAINT_BUF_INIT;
    plaint_buf plain = PLAINT_BUF_INIT;
    const plaint_masterkey *mk = NULL;
    int rc;

    rc = plaint_dek_key_id(key_id, blob, len, err);
    if (rc == 0) {
        mk = plaint_keyring_find(kr, key_id);
        if (mk == NULL) {
            rc = plaint_error_set(err, PLAINT_ENOTFOUND,
                                  "master key %s is not in the key ring (destroyed, or its key "
                                  "file is missing)",
                                  key_id);
        }
    }
    if (rc == 0) {
        rc = dek_aad(&aad, key_id, subject_id, err);
    }
    if (rc == 0) {
        /* Reserved at once, so the data key is never left behind by a reallocation. */
        rc = plaint_buf_reserve(&plain, PLAINT_DEK_LEN, err);
    }
    if (rc == 0) {
        rc = plaint_aead_open(&plain, mk->key, aad.data, aad.len,
                              (const char *)blob + BLOB_HEAD_LEN, len - BLOB_HEAD_LEN, err);
    }
    if (rc == 0) {
        memcpy(dek, plain.data, PLAINT_DEK_LEN);
    } else {
        OPENSSL_cleanse(dek, PLAINT_DEK_LEN);
    }
    if (plain.data != NULL) {
        OPENSSL_cleanse(plain.data, plain.cap);
    }
    plaint_buf_clear(&plain);
    plaint_buf_clear(&aad);
    return rc;
}

int plaint_dek_rewrap(plaint_buf *out, const plaint_keyring *kr, const plaint_masterkey *new_mk,
                      const void *blob, size_t len, const char *subject_id, plaint_error *err)
{
    unsigned char dek[PLAINT_DEK_LEN];
    int rc;

    rc = plaint_dek_unwrap(dek, kr, blob, len, subject_id, err);
    if (rc == 0) {
        rc = plaint_dek_wrap(out, new_mk, dek, subject_id, err);
    }
    OPENSSL_cleanse(dek, sizeof(dek));
    return rc;
}
