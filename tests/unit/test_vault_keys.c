/* Unit tests for vault keys (src/crypto/vault_keys.c) and field sealing and commitments
 * (src/crypto/vault_field.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaint/rand.h"
#include "plaint/vault_crypto.h"
#include "plaint/vault_keys.h"
#include "unit_helpers.h"

/* Key bytes 00..1f; the id computed independently with Python:
 * hashlib.sha256(b"plaint.masterkey.id.v1\n" + bytes(range(32))).digest()[:16].hex() */
#define FIXED_ID  "328ab27957b1130cd88da509ea62ed02"
#define FIXED_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
static const char FIXED_LINE[] = "plaint-master-key v1 " FIXED_ID " " FIXED_HEX "\n";

/* Commitments computed independently with Python, salt bytes(range(16)):
 * hashlib.sha256(b"plaint.commit.v1\n" + salt + b"email" + b"\x00" + b"alice@example.org")
 * hashlib.sha256(b"plaint.commit.v1\n" + salt + b"phone" + b"\x00") */
#define COMMIT_EMAIL "9f8f5966c0ce169e0f3019978e8908ebd42ac59f61347f205ff254f064dffefc"
#define COMMIT_EMPTY "9b9530d562c27abe0a47cb53943f4a1ead4be647c657a11167796fa31228c04d"

static const char NOT_A_LINE[] = "master key text is not a master key line (\"plaint-master-key v1 "
                                 "<key id> <64 hex digits>\")";

static const char NOT_IN_RING[] =
    "master key %s is not in the key ring (destroyed, or its key file is missing)";

typedef struct fixture {
    char dir[256];
    char path[320];
} fixture;

static char *file_path(fixture *f, const char *name)
{
    int n = snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);

    assert_true(n > 0 && (size_t)n < sizeof(f->path));
    return f->path;
}

/* Asserts that err's message is fmt with its one %s replaced by path. */
static void assert_message(const plaint_error *err, const char *fmt, const char *path)
{
    char want[512];
    int n = snprintf(want, sizeof(want), fmt, path);

    assert_true(n > 0 && (size_t)n < sizeof(want));
    assert_string_equal(err->message, want);
}

static int setup_dir(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    int n;

    if (f == NULL) {
        return -1;
    }
    n = snprintf(f->dir, sizeof(f->dir), "%s/plaint-test-vault-XXXXXX",
                 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= sizeof(f->dir) || mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* Removes the files a test made (the tests use only these names) and the directory. */
static int teardown_dir(void **state)
{
    static const char *const names[] = {"a.key",     "b.key",     "README",    ".hidden.key",
                                        "plain.key", "1-old.key", "2-new.key", "3-other.key"};
    fixture *f = *state;
    size_t i;
    int rc;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        unlink(file_path(f, names[i]));
    }
    rc = rmdir(f->dir);
    free(f);
    return rc;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static plaint_masterkey *fixed_key(void)
{
    plaint_masterkey *mk = NULL;

    assert_int_equal(plaint_masterkey_from_string(&mk, FIXED_LINE, strlen(FIXED_LINE), NULL), 0);
    return mk;
}

/* A ring holding the given keys, the last one current. */
static plaint_keyring *ring_of(plaint_masterkey *a, plaint_masterkey *b)
{
    plaint_keyring *kr = NULL;

    assert_int_equal(plaint_keyring_new(&kr, NULL), 0);
    assert_int_equal(plaint_keyring_add(kr, a, NULL), 0);
    if (b != NULL) {
        assert_int_equal(plaint_keyring_add(kr, b, NULL), 0);
    }
    return kr;
}

static void test_masterkey_id_and_text_form(void **state)
{
    plaint_masterkey *mk = fixed_key();
    plaint_masterkey *again = NULL;

    (void)state;
    assert_string_equal(plaint_masterkey_id(mk), FIXED_ID);
    /* The final newline is optional (an environment variable seldom has one). */
    assert_int_equal(plaint_masterkey_from_string(&again, FIXED_LINE, strlen(FIXED_LINE) - 1, NULL),
                     0);
    assert_string_equal(plaint_masterkey_id(again), FIXED_ID);
    plaint_masterkey_free(again);
    plaint_masterkey_free(mk);
    plaint_masterkey_free(NULL);
}

static void test_malformed_lines_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "plaint-master-key v1 " FIXED_ID " " FIXED_HEX "\n\n",
        "plaint-master-key v2 " FIXED_ID " " FIXED_HEX "\n",
        "plaint-master-key v1 " FIXED_ID "  " FIXED_HEX,
        "plaint-master-key v1 " FIXED_ID " " FIXED_HEX "0",
        "plaint-master-key v1 " FIXED_ID "\t" FIXED_HEX,
        "plaint-master-key v1 " FIXED_ID " " FIXED_HEX "\r\n",
    };
    plaint_masterkey *mk = NULL;
    plaint_error err;
    char line[sizeof(FIXED_LINE)];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        plaint_error_init(&err);
        assert_int_equal(plaint_masterkey_from_string(&mk, bad[i], strlen(bad[i]), &err),
                         PLAINT_EINVALID);
        assert_string_equal(err.message, NOT_A_LINE);
    }
    /* A changed id digit: the id no longer matches the key. */
    memcpy(line, FIXED_LINE, sizeof(line));
    line[21] = '4';
    plaint_error_init(&err);
    assert_int_equal(plaint_masterkey_from_string(&mk, line, strlen(line), &err), PLAINT_EINVALID);
    assert_string_equal(err.message,
                        "master key text: the key id does not match the key (damaged key line?)");
    /* A changed key digit, and a digit that is not hex; no message quotes the key. */
    memcpy(line, FIXED_LINE, sizeof(line));
    line[sizeof(line) - 3] = 'e';
    assert_int_equal(plaint_masterkey_from_string(&mk, line, strlen(line), &err), PLAINT_EINVALID);
    assert_string_equal(err.message,
                        "master key text: the key id does not match the key (damaged key line?)");
    line[sizeof(line) - 3] = 'g';
    assert_int_equal(plaint_masterkey_from_string(&mk, line, strlen(line), &err), PLAINT_EINVALID);
    assert_string_equal(err.message, "master key text: the key is not 64 hex digits");
    assert_null(mk);
}

static void test_masterkey_file_round_trip(void **state)
{
    fixture *f = *state;
    plaint_masterkey *mk = NULL;
    plaint_masterkey *loaded = NULL;
    plaint_buf text = PLAINT_BUF_INIT;
    struct stat st;

    /* The fixed key writes exactly its line, mode 0600 whatever the umask. */
    mk = fixed_key();
    assert_int_equal(plaint_masterkey_write(mk, file_path(f, "a.key"), NULL), 0);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(plaint_buf_read_file(&text, f->path, 4096, NULL), 0);
    assert_string_equal(text.data, FIXED_LINE);
    assert_int_equal(plaint_masterkey_load(&loaded, f->path, NULL), 0);
    assert_string_equal(plaint_masterkey_id(loaded), FIXED_ID);
    plaint_masterkey_free(loaded);
    plaint_masterkey_free(mk);

    /* A generated key: the same key comes back (same id, and it opens what it wrapped). */
    assert_int_equal(plaint_masterkey_generate(&mk, NULL), 0);
    assert_int_not_equal(strcmp(plaint_masterkey_id(mk), FIXED_ID), 0);
    assert_int_equal(strlen(plaint_masterkey_id(mk)), PLAINT_MASTERKEY_ID_LEN);
    assert_int_equal(plaint_masterkey_write(mk, file_path(f, "b.key"), NULL), 0);
    assert_int_equal(plaint_masterkey_load(&loaded, f->path, NULL), 0);
    assert_string_equal(plaint_masterkey_id(loaded), plaint_masterkey_id(mk));
    {
        unsigned char dek[PLAINT_DEK_LEN];
        unsigned char back[PLAINT_DEK_LEN];
        plaint_buf blob = PLAINT_BUF_INIT;
        plaint_keyring *kr = ring_of(loaded, NULL);

        assert_int_equal(plaint_dek_generate(dek, NULL), 0);
        assert_int_equal(plaint_dek_wrap(&blob, mk, dek, "S-1", NULL), 0);
        assert_int_equal(plaint_dek_unwrap(back, kr, blob.data, blob.len, "S-1", NULL), 0);
        assert_memory_equal(back, dek, sizeof(dek));
        plaint_keyring_free(kr);
        plaint_buf_clear(&blob);
    }
    plaint_masterkey_free(mk);
    plaint_buf_clear(&text);
}

static void test_masterkey_never_overwritten(void **state)
{
    fixture *f = *state;
    plaint_masterkey *mk = fixed_key();
    plaint_masterkey *other = NULL;
    plaint_masterkey *loaded = NULL;
    plaint_error err;

    assert_int_equal(plaint_masterkey_generate(&other, NULL), 0);
    assert_int_equal(plaint_masterkey_write(mk, file_path(f, "a.key"), NULL), 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_masterkey_write(other, f->path, &err), PLAINT_EIO);
    assert_message(&err, "%s exists; refusing to overwrite a key", f->path);
    /* The first key is still there. */
    assert_int_equal(plaint_masterkey_load(&loaded, f->path, NULL), 0);
    assert_string_equal(plaint_masterkey_id(loaded), FIXED_ID);
    plaint_masterkey_free(loaded);
    plaint_masterkey_free(other);
    plaint_masterkey_free(mk);
}

static void test_masterkey_file_mode_checked(void **state)
{
    fixture *f = *state;
    plaint_masterkey *mk = NULL;
    plaint_error err;

    write_text(file_path(f, "a.key"), FIXED_LINE, 0644);
    plaint_error_init(&err);
    assert_int_equal(plaint_masterkey_load(&mk, f->path, &err), PLAINT_EIO);
    assert_message(&err,
                   "private key %s has mode 0644; group and others must have no access (chmod 600)",
                   f->path);
    assert_int_equal(chmod(f->path, 0640), 0);
    assert_int_equal(plaint_masterkey_load(&mk, f->path, NULL), PLAINT_EIO);
    assert_int_equal(chmod(f->path, 0604), 0);
    assert_int_equal(plaint_masterkey_load(&mk, f->path, NULL), PLAINT_EIO);
    assert_null(mk);
    /* The same file at 0600 loads: the mode was the only reason. */
    assert_int_equal(chmod(f->path, 0600), 0);
    assert_int_equal(plaint_masterkey_load(&mk, f->path, NULL), 0);
    plaint_masterkey_free(mk);
    mk = NULL;

    /* A missing file, and a protected file that is not a key line (named, not quoted). */
    assert_int_equal(plaint_masterkey_load(&mk, file_path(f, "b.key"), NULL), PLAINT_ENOTFOUND);
    write_text(file_path(f, "plain.key"), "secret-ish but not a key\n", 0600);
    plaint_error_init(&err);
    assert_int_equal(plaint_masterkey_load(&mk, f->path, &err), PLAINT_EINVALID);
    assert_message(
        &err, "%s is not a master key line (\"plaint-master-key v1 <key id> <64 hex digits>\")",
        f->path);
    assert_null(mk);
}

static void test_keyring_from_environment(void **state)
{
    fixture *f = *state;
    plaint_masterkey *mk = NULL;
    plaint_keyring *kr = NULL;
    plaint_error err;

    /* Environment only: the directory does not exist. */
    assert_int_equal(plaint_keyring_load(&kr, file_path(f, "absent"), FIXED_LINE, NULL), 0);
    assert_int_equal(plaint_keyring_count(kr), 1);
    assert_string_equal(plaint_masterkey_id(plaint_keyring_current(kr)), FIXED_ID);
    assert_non_null(plaint_keyring_find(kr, FIXED_ID));
    plaint_keyring_free(kr);
    kr = NULL;

    /* A directory key plus the environment: the environment's key is current. */
    assert_int_equal(plaint_masterkey_generate(&mk, NULL), 0);
    assert_int_equal(plaint_masterkey_write(mk, file_path(f, "3-other.key"), NULL), 0);
    assert_int_equal(plaint_keyring_load(&kr, f->dir, FIXED_LINE, NULL), 0);
    assert_int_equal(plaint_keyring_count(kr), 2);
    assert_string_equal(plaint_masterkey_id(plaint_keyring_current(kr)), FIXED_ID);
    assert_non_null(plaint_keyring_find(kr, plaint_masterkey_id(mk)));
    plaint_keyring_free(kr);
    kr = NULL;
    /* Without the environment the directory's key is current. */
    assert_int_equal(plaint_keyring_load(&kr, f->dir, "", NULL), 0);
    assert_int_equal(plaint_keyring_count(kr), 1);
    assert_string_equal(plaint_masterkey_id(plaint_keyring_current(kr)), plaint_masterkey_id(mk));
    assert_null(plaint_keyring_find(kr, FIXED_ID));
    plaint_keyring_free(kr);
    kr = NULL;
    unlink(f->path);

    /* A malformed environment value is an error, not an empty ring. */
    plaint_error_init(&err);
    assert_int_equal(plaint_keyring_load(&kr, f->dir, "plaint-master-key v1", &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, NOT_A_LINE);
    /* Nothing anywhere. */
    plaint_error_init(&err);
    assert_int_equal(plaint_keyring_load(&kr, f->dir, NULL, &err), PLAINT_ENOTFOUND);
    assert_message(&err, "no master key: no *.key file in %s and PLAINT_MASTER_KEY is not set",
                   f->dir);
    assert_null(kr);
    plaint_masterkey_free(mk);
}

static void test_keyring_directory_rules(void **state)
{
    fixture *f = *state;
    plaint_masterkey *mk = fixed_key();
    plaint_keyring *kr = NULL;
    plaint_error err;

    /* Files that are not visible *.key files are not read (these would not parse). */
    assert_int_equal(plaint_masterkey_write(mk, file_path(f, "b.key"), NULL), 0);
    write_text(file_path(f, "README"), "keys live here\n", 0644);
    write_text(file_path(f, ".hidden.key"), "not a key\n", 0600);
    assert_int_equal(plaint_keyring_new(&kr, NULL), 0);
    assert_int_equal(plaint_keyring_load_dir(kr, f->dir, NULL), 0);
    assert_int_equal(plaint_keyring_count(kr), 1);
    /* Adding the same key again changes nothing. */
    assert_int_equal(plaint_keyring_load_dir(kr, f->dir, NULL), 0);
    assert_int_equal(plaint_keyring_count(kr), 1);
    plaint_keyring_free(kr);
    kr = NULL;

    /* One unprotected key file fails the whole load, naming the file. */
    write_text(file_path(f, "a.key"), FIXED_LINE, 0644);
    plaint_error_init(&err);
    assert_int_equal(plaint_keyring_load(&kr, f->dir, NULL, &err), PLAINT_EIO);
    assert_message(&err,
                   "private key %s has mode 0644; group and others must have no access (chmod 600)",
                   f->path);
    assert_null(kr);
    plaint_error_init(&err);
    assert_int_equal(plaint_keyring_new(&kr, NULL), 0);
    assert_int_equal(plaint_keyring_load_dir(kr, file_path(f, "absent"), &err), PLAINT_ENOTFOUND);
    plaint_keyring_free(kr);
    plaint_keyring_free(NULL);
    plaint_masterkey_free(mk);
}

static void test_rotation(void **state)
{
    fixture *f = *state;
    static const char subject[] = "S-2024-000017";
    unsigned char dek[PLAINT_DEK_LEN];
    unsigned char back[PLAINT_DEK_LEN];
    plaint_masterkey *old_mk = NULL;
    plaint_masterkey *new_mk = NULL;
    plaint_keyring *kr = NULL;
    plaint_buf blob = PLAINT_BUF_INIT;
    plaint_buf moved = PLAINT_BUF_INIT;
    plaint_buf field = PLAINT_BUF_INIT;
    plaint_buf opened = PLAINT_BUF_INIT;
    char old_id[PLAINT_MASTERKEY_ID_LEN + 1];
    char new_id[PLAINT_MASTERKEY_ID_LEN + 1];
    char blob_id[PLAINT_MASTERKEY_ID_LEN + 1];
    plaint_error err;

    /* Year one: one master key; a subject's data key wrapped under it seals a field. */
    assert_int_equal(plaint_masterkey_generate(&old_mk, NULL), 0);
    snprintf(old_id, sizeof(old_id), "%s", plaint_masterkey_id(old_mk));
    assert_int_equal(plaint_masterkey_write(old_mk, file_path(f, "1-old.key"), NULL), 0);
    plaint_masterkey_free(old_mk);
    assert_int_equal(plaint_keyring_load(&kr, f->dir, NULL, NULL), 0);
    assert_string_equal(plaint_masterkey_id(plaint_keyring_current(kr)), old_id);
    assert_int_equal(plaint_dek_generate(dek, NULL), 0);
    assert_int_equal(plaint_dek_wrap(&blob, plaint_keyring_current(kr), dek, subject, NULL), 0);
    assert_int_equal(blob.len, PLAINT_DEK_BLOB_LEN);
    assert_memory_equal(blob.data, "pdk1", 4);
    assert_memory_equal(blob.data + 4, old_id, PLAINT_MASTERKEY_ID_LEN);
    assert_int_equal(
        plaint_vault_encrypt_field(&field, dek, subject, "email", "a@example.org", 13, NULL), 0);
    plaint_keyring_free(kr);
    kr = NULL;

    /* plaint keys rotate: a new key file that sorts last becomes current. */
    assert_int_equal(plaint_masterkey_generate(&new_mk, NULL), 0);
    snprintf(new_id, sizeof(new_id), "%s", plaint_masterkey_id(new_mk));
    assert_int_equal(plaint_masterkey_write(new_mk, file_path(f, "2-new.key"), NULL), 0);
    plaint_masterkey_free(new_mk);
    assert_int_equal(plaint_keyring_load(&kr, f->dir, NULL, NULL), 0);
    assert_int_equal(plaint_keyring_count(kr), 2);
    assert_string_equal(plaint_masterkey_id(plaint_keyring_current(kr)), new_id);
    assert_int_equal(plaint_dek_rewrap(&moved, kr, plaint_keyring_current(kr), blob.data, blob.len,
                                       subject, NULL),
                     0);
    assert_int_equal(plaint_dek_key_id(blob_id, moved.data, moved.len, NULL), 0);
    assert_string_equal(blob_id, new_id);
    assert_int_equal(plaint_dek_key_id(blob_id, blob.data, blob.len, NULL), 0);
    assert_string_equal(blob_id, old_id);
    plaint_keyring_free(kr);
    kr = NULL;

    /* The old key is destroyed: the moved blob still opens the old field, the old blob not. */
    assert_int_equal(unlink(file_path(f, "1-old.key")), 0);
    assert_int_equal(plaint_keyring_load(&kr, f->dir, NULL, NULL), 0);
    assert_int_equal(plaint_keyring_count(kr), 1);
    memset(back, 0, sizeof(back));
    assert_int_equal(plaint_dek_unwrap(back, kr, moved.data, moved.len, subject, NULL), 0);
    assert_memory_equal(back, dek, sizeof(dek));
    assert_int_equal(
        plaint_vault_decrypt_field(&opened, back, subject, "email", field.data, field.len, NULL),
        0);
    assert_string_equal(opened.data, "a@example.org");
    plaint_error_init(&err);
    assert_int_equal(plaint_dek_unwrap(back, kr, blob.data, blob.len, subject, &err),
                     PLAINT_ENOTFOUND);
    assert_message(&err, NOT_IN_RING, old_id);
    plaint_error_init(&err);
    assert_int_equal(plaint_dek_rewrap(&opened, kr, plaint_keyring_current(kr), blob.data, blob.len,
                                       subject, &err),
                     PLAINT_ENOTFOUND);
    assert_message(&err, NOT_IN_RING, old_id);

    plaint_keyring_free(kr);
    plaint_buf_clear(&blob);
    plaint_buf_clear(&moved);
    plaint_buf_clear(&field);
    plaint_buf_clear(&opened);
}

static void assert_zero(const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        assert_int_equal(p[i], 0);
    }
}

static void test_wrap_bound_to_subject_and_key(void **state)
{
    plaint_masterkey *mk = fixed_key();
    plaint_masterkey *other = NULL;
    plaint_keyring *kr = NULL;
    unsigned char dek[PLAINT_DEK_LEN];
    unsigned char back[PLAINT_DEK_LEN];
    plaint_buf blob = PLAINT_BUF_INIT;
    plaint_buf forged = PLAINT_BUF_INIT;
    plaint_error err;
    char *copy;
    size_t i;
    int rc;

    (void)state;
    assert_int_equal(plaint_masterkey_generate(&other, NULL), 0);
    kr = ring_of(mk, other);
    unit_fill_bytes(dek, sizeof(dek), 0x40);
    assert_int_equal(plaint_buf_append_str(&blob, "x", NULL), 0);
    assert_int_equal(plaint_dek_wrap(&blob, plaint_keyring_find(kr, FIXED_ID), dek, "S-1", NULL),
                     0);
    /* Appended after what was there. */
    assert_int_equal(blob.len, 1 + PLAINT_DEK_BLOB_LEN);
    assert_memory_equal(blob.data, "xpdk1" FIXED_ID, 5 + PLAINT_MASTERKEY_ID_LEN);
    assert_int_equal(plaint_dek_unwrap(back, kr, blob.data + 1, blob.len - 1, "S-1", NULL), 0);
    assert_memory_equal(back, dek, sizeof(dek));

    /* Another subject, a subject with the same prefix, or none: refused, data key wiped. */
    memset(back, 0xff, sizeof(back));
    plaint_error_init(&err);
    assert_int_equal(plaint_dek_unwrap(back, kr, blob.data + 1, blob.len - 1, "S-2", &err),
                     PLAINT_ETAMPER);
    assert_zero(back, sizeof(back));
    assert_int_equal(plaint_dek_unwrap(back, kr, blob.data + 1, blob.len - 1, "S-10", NULL),
                     PLAINT_ETAMPER);
    plaint_error_init(&err);
    assert_int_equal(plaint_dek_unwrap(back, kr, blob.data + 1, blob.len - 1, "", &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.field, "subject_id");
    assert_int_equal(plaint_dek_wrap(&forged, mk, dek, "", NULL), PLAINT_EINVALID);
    assert_int_equal(forged.len, 0);

    /* The header names the key: pointing it at the ring's other key does not open it either. */
    assert_int_equal(plaint_buf_append(&forged, blob.data + 1, blob.len - 1, NULL), 0);
    memcpy(forged.data + 4, plaint_masterkey_id(other), PLAINT_MASTERKEY_ID_LEN);
    assert_int_equal(plaint_dek_unwrap(back, kr, forged.data, forged.len, "S-1", NULL),
                     PLAINT_ETAMPER);

    /* Every single-byte change: id digits may name an absent key, anything else is tampering. */
    copy = malloc(PLAINT_DEK_BLOB_LEN + 1);
    assert_non_null(copy);
    for (i = 0; i < PLAINT_DEK_BLOB_LEN; i++) {
        memcpy(copy, blob.data + 1, PLAINT_DEK_BLOB_LEN);
        copy[i] = (char)(copy[i] ^ 0x01);
        memset(back, 0xff, sizeof(back));
        rc = plaint_dek_unwrap(back, kr, copy, PLAINT_DEK_BLOB_LEN, "S-1", NULL);
        if (i >= 4 && i < 4 + PLAINT_MASTERKEY_ID_LEN && rc == PLAINT_ENOTFOUND) {
            continue;
        }
        assert_int_equal(rc, PLAINT_ETAMPER);
        assert_zero(back, sizeof(back));
    }
    plaint_error_init(&err);
    assert_int_equal(plaint_dek_unwrap(back, kr, copy, PLAINT_DEK_BLOB_LEN - 1, "S-1", &err),
                     PLAINT_ETAMPER);
    assert_string_equal(err.message, "wrapped data key is 95 bytes, not 96");
    memcpy(copy, blob.data + 1, PLAINT_DEK_BLOB_LEN);
    copy[0] = 'P';
    plaint_error_init(&err);
    assert_int_equal(plaint_dek_unwrap(back, kr, copy, PLAINT_DEK_BLOB_LEN, "S-1", &err),
                     PLAINT_ETAMPER);
    assert_string_equal(err.message,
                        "wrapped data key has a damaged header (not \"pdk1\" and a key id)");

    free(copy);
    plaint_keyring_free(kr);
    plaint_buf_clear(&blob);
    plaint_buf_clear(&forged);
}

/* 1 if the len bytes at hay contain the string needle. */
static int contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    size_t i;

    for (i = 0; i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static void test_field_bound_to_subject_and_name(void **state)
{
    static const char value[] = "+44 20 7946 0000";
    unsigned char dek[PLAINT_DEK_LEN];
    unsigned char other[PLAINT_DEK_LEN];
    plaint_buf sealed = PLAINT_BUF_INIT;
    plaint_buf out = PLAINT_BUF_INIT;
    plaint_error err;

    (void)state;
    assert_int_equal(plaint_dek_generate(dek, NULL), 0);
    assert_int_equal(plaint_dek_generate(other, NULL), 0);
    assert_memory_not_equal(dek, other, sizeof(dek));
    assert_int_equal(
        plaint_vault_encrypt_field(&sealed, dek, "S-1", "phone", value, strlen(value), NULL), 0);
    assert_int_equal(sealed.len, strlen(value) + PLAINT_AEAD_OVERHEAD);
    assert_false(contains(sealed.data, sealed.len, "7946"));
    assert_int_equal(
        plaint_vault_decrypt_field(&out, dek, "S-1", "phone", sealed.data, sealed.len, NULL), 0);
    assert_string_equal(out.data, value);
    plaint_buf_reset(&out);

    /* Another subject, another field, the subject/field boundary moved, another data key. */
    {
        const struct {
            const unsigned char *key;
            const char *subject;
            const char *field;
        } wrong[] = {{dek, "S-2", "phone"},
                     {dek, "S-1", "email"},
                     {dek, "S-1p", "hone"},
                     {other, "S-1", "phone"}};
        size_t i;

        for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
            assert_int_equal(plaint_vault_decrypt_field(&out, wrong[i].key, wrong[i].subject,
                                                        wrong[i].field, sealed.data, sealed.len,
                                                        NULL),
                             PLAINT_ETAMPER);
        }
    }
    assert_int_equal(out.len, 0);
    plaint_error_init(&err);
    assert_int_equal(plaint_vault_encrypt_field(&sealed, dek, "S-1", "", "x", 1, &err),
                     PLAINT_EINVALID);
    assert_string_equal(err.message, "field_name must not be empty");
    assert_string_equal(err.field, "field_name");
    assert_int_equal(
        plaint_vault_decrypt_field(&out, dek, "", "phone", sealed.data, sealed.len, &err),
        PLAINT_EINVALID);
    assert_string_equal(err.message, "subject_id must not be empty");
    plaint_buf_clear(&sealed);
    plaint_buf_clear(&out);
}

static void test_commitments(void **state)
{
    static const char value[] = "alice@example.org";
    unsigned char salt[PLAINT_VAULT_SALT_LEN];
    unsigned char salt2[PLAINT_VAULT_SALT_LEN];
    char a[PLAINT_VAULT_COMMIT_HEX + 1];
    char b[PLAINT_VAULT_COMMIT_HEX + 1];
    plaint_error err;

    (void)state;
    unit_fill_bytes(salt, sizeof(salt), 0);
    assert_int_equal(plaint_vault_commit(a, salt, "email", value, strlen(value), NULL), 0);
    assert_string_equal(a, COMMIT_EMAIL);
    assert_int_equal(plaint_vault_commit(b, salt, "email", value, strlen(value), NULL), 0);
    assert_string_equal(b, a);
    assert_int_equal(plaint_vault_commit(b, salt, "phone", NULL, 0, NULL), 0);
    assert_string_equal(b, COMMIT_EMPTY);

    /* Another salt, field name or value: another commitment. */
    memcpy(salt2, salt, sizeof(salt));
    salt2[15] ^= 0x01;
    assert_int_equal(plaint_vault_commit(b, salt2, "email", value, strlen(value), NULL), 0);
    assert_string_not_equal(b, a);
    assert_int_equal(plaint_vault_commit(b, salt, "emai", "lalice@example.org", 18, NULL), 0);
    assert_string_not_equal(b, a);
    assert_int_equal(plaint_vault_commit(b, salt, "email", value, strlen(value) - 1, NULL), 0);
    assert_string_not_equal(b, a);

    /* Two random salts for the same value commit differently. */
    assert_int_equal(plaint_rand_bytes(salt2, sizeof(salt2), NULL), 0);
    assert_int_equal(plaint_vault_commit(b, salt2, "email", value, strlen(value), NULL), 0);
    assert_string_not_equal(b, a);

    assert_int_equal(
        plaint_vault_commit_check(COMMIT_EMAIL, salt, "email", value, strlen(value), NULL), 0);
    plaint_error_init(&err);
    assert_int_equal(
        plaint_vault_commit_check(COMMIT_EMAIL, salt, "email", "bob@example.org", 15, &err),
        PLAINT_ETAMPER);
    assert_string_equal(err.message, "value does not match its commitment for field email");
    assert_int_equal(
        plaint_vault_commit_check(COMMIT_EMAIL, salt2, "email", value, strlen(value), NULL),
        PLAINT_ETAMPER);
    assert_int_equal(plaint_vault_commit_check("9f8f", salt, "email", value, strlen(value), NULL),
                     PLAINT_ETAMPER);
    assert_int_equal(plaint_vault_commit(b, salt, "", value, strlen(value), NULL), PLAINT_EINVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masterkey_id_and_text_form),
        cmocka_unit_test(test_malformed_lines_refused),
        cmocka_unit_test(test_wrap_bound_to_subject_and_key),
        cmocka_unit_test(test_field_bound_to_subject_and_name),
        cmocka_unit_test(test_commitments),
        cmocka_unit_test_setup_teardown(test_masterkey_file_round_trip, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_masterkey_never_overwritten, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_masterkey_file_mode_checked, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_keyring_from_environment, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_keyring_directory_rules, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_rotation, setup_dir, teardown_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
