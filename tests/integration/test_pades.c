/*
 * The PDF engine and its PAdES signatures, checked with the outside validators: a multi-page
 * document (a 300-row table with Latin, Greek and Cyrillic names, both charts) is signed with a
 * certificate made by `plaint keys cert`, then pdfsig, qpdf --check, pdftotext, pdftoppm and
 * pdffonts judge it; tampering, determinism and re-signing are checked byte by byte; and
 * `plaint report verify --ledger` is run against a real ledger checkpoint (the only part that
 * starts a database).
 */
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
#include <libpq-fe.h>

#include "harness.h"
#include "report/pades.h"
#include "report/pdf_doc.h"
#include "report/pdf_trailer.h"

#define AS_OF        1795000000 /* 2026-11-18T11:06:40Z */
#define SIGNED_AT    1795003600 /* an hour later */
#define SIGNED_LATER 1795090000
#define ROWS         300
#define FONT         "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

static const char *const NAMES[] = {
    "Łukasz Żółć",        "Jürgen Müller",  "Σωκράτης Παπαδόπουλος",
    "Дмитрий Шостакович", "Søren Ørsted",   "Zoë Brontë",
    "François Lefèvre",   "Ştefan Ţurcanu", "Ελένη Κωνσταντίνου",
};
#define NNAMES (sizeof(NAMES) / sizeof(NAMES[0]))

static char dir[256];    /* this test's temporary directory */
static char home_a[320]; /* a PLAINT_HOME holding certificate A (made by plaint keys cert) */
static char home_b[320]; /* another, with certificate B */
static char key_a[400];
static char cert_a[400];
static char cert_b[400];
static const char *bin;

/* ---- helpers -------------------------------------------------------------------------------- */

/* Runs a shell command; its stdout and stderr into out (n bytes). Returns the exit status. */
static int sh(char *out, size_t n, const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    FILE *p;
    size_t got = 0;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
    p = popen(cmd, "r");
    assert_non_null(p);
    if (out != NULL) {
        got = fread(out, 1, n - 1, p);
        out[got] = '\0';
    } else {
        char sink[4096];
        while (fread(sink, 1, sizeof(sink), p) > 0) {
        }
    }
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *find(const plaint_buf *b, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= b->len; i++) {
        if (memcmp(b->data + i, needle, n) == 0) {
            return b->data + i;
        }
    }
    return NULL;
}

static void write_file(const char *path, const plaint_buf *b)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    assert_int_equal(fclose(f), 0);
}

#define OK(call)                                                                                   \
    do {                                                                                           \
        plaint_error e_;                                                                           \
        plaint_error_init(&e_);                                                                    \
        int r_ = (call);                                                                           \
        if (r_ != 0) {                                                                             \
            fail_msg("%s: %d %s", #call, r_, e_.message);                                          \
        }                                                                                          \
    } while (0)

/* The test document; checkpoint_root NULL for none. */
static void build(plaint_buf *out, int64_t as_of, int64_t cp_size, const char *cp_root)
{
    plaint_pdf_meta m = {"Weekly summary — Łódź & Αθήνα branch",
                         "Weekly summary 2026-W47",
                         "Ørsted & Zoë Ltd",
                         "checkpoint 1234 / 9f2c…e1 — ledger of Дмитрий",
                         as_of,
                         FONT};
    static const char *const labels[] = {
        "Mortgage",     "Credit card or prepaid card", "Debt collection",
        "Student loan", "Checking or savings account", "Vehicle loan or lease"};
    static const int64_t values[] = {120, 4567, 33, 0, 999, 1};
    static const char *const series[] = {"Mortgage", "Credit card", "Debt collection",
                                         "Κάρτα (Greek)"};
    static const char *const months[] = {"2026-01", "2026-02", "2026-03",
                                         "2026-04", "2026-05", "2026-06"};
    static const int64_t sv[] = {10, 20, 30, 40,  50, 60, 5, 5, 5, 5, 5, 5,
                                 1,  2,  3,  100, 0,  7,  9, 8, 7, 6, 5, 4};
    static const char *const header[] = {"Reference", "Customer", "Product", "Days"};
    static const unsigned widths[] = {3, 4, 5, 1};
    plaint_pdf_doc *d = NULL;

    OK(plaint_pdf_doc_new(&d, &m, &e_));
    OK(plaint_pdf_heading(d, "Résumé of the week", &e_));
    OK(plaint_pdf_paragraph(d,
                            "Complaints from Müller, Σωκράτης and Дмитрий were resolved this "
                            "week. This paragraph is long enough to wrap over several lines of "
                            "the page, so the wrapping is exercised with real words.\nA second "
                            "paragraph line after a newline.",
                            &e_));
    OK(plaint_pdf_keyvalue(d, "Complaints opened", "1,234", &e_));
    OK(plaint_pdf_keyvalue(d, "Median resolution time", "3 days 4 h", &e_));
    OK(plaint_pdf_bar_chart(d, "Resolution-time distribution", 6, labels, values, &e_));
    OK(plaint_pdf_series_chart(d, "Volume by category over time", 4, series, 6, months, sv, &e_));
    OK(plaint_pdf_heading(d, "Resolved complaints", &e_));
    OK(plaint_pdf_table_begin(d, 4, header, widths, "lllr", &e_));
    for (int i = 0; i < ROWS; i++) {
        char ref[32];
        char days[16];
        char prod[160];
        const char *cells[4] = {ref, NAMES[(size_t)i % NNAMES], prod, days};
        snprintf(ref, sizeof(ref), "CMP-2026-%06d", i + 1);
        snprintf(days, sizeof(days), "%d", i % 57);
        snprintf(prod, sizeof(prod),
                 i % 7 == 0 ? "Credit reporting, credit repair services, or other personal "
                              "consumer reports (row %d)"
                            : "Mortgage (row %d)",
                 i + 1);
        OK(plaint_pdf_table_row(d, cells, &e_));
    }
    OK(plaint_pdf_table_end(d, &e_));
    OK(plaint_pdf_paragraph(d, "End of report.", &e_));
    if (cp_root != NULL) {
        OK(plaint_pdf_set_checkpoint(d, cp_size, cp_root, &e_));
    }
    OK(plaint_pdf_doc_finish(d, out, &e_));
    plaint_pdf_doc_free(d);
}

static void sign(plaint_buf *out, const plaint_buf *in, int64_t when)
{
    OK(plaint_pades_sign((const unsigned char *)in->data, in->len, key_a, cert_a, when, out, &e_));
}

static int pages_of(const char *path)
{
    char out[4096];
    const char *p;

    assert_int_equal(sh(out, sizeof(out), "pdfinfo '%s'", path), 0);
    p = strstr(out, "Pages:");
    assert_non_null(p);
    return atoi(p + 6);
}

static int pdfsig_valid(const char *path)
{
    char out[8192];

    sh(out, sizeof(out), "pdfsig '%s'", path);
    return strstr(out, "Signature Validation: Signature is Valid.") != NULL;
}

/* ---- setup ---------------------------------------------------------------------------------- */

static int setup(void **state)
{
    char out[4096];
    const char *tmp = getenv("TMPDIR");

    (void)state;
    bin = getenv("PLAINT_BIN");
    if (bin == NULL) {
        fprintf(stderr, "PLAINT_BIN is not set\n");
        return -1;
    }
    snprintf(dir, sizeof(dir), "%s/plaint-pades-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(home_a, sizeof(home_a), "%s/a", dir);
    snprintf(home_b, sizeof(home_b), "%s/b", dir);
    snprintf(key_a, sizeof(key_a), "%s/keys/report-signing-key.pem", home_a);
    snprintf(cert_a, sizeof(cert_a), "%s/keys/report-signing-cert.pem", home_a);
    snprintf(cert_b, sizeof(cert_b), "%s/keys/report-signing-cert.pem", home_b);
    if (sh(out, sizeof(out),
           "'%s' --home '%s' keys cert --subject 'CN=Łódź Müller Test "
           "Signer,O=plaint test'",
           bin, home_a) != 0 ||
        sh(out, sizeof(out), "'%s' --home '%s' keys cert", bin, home_b) != 0) {
        fprintf(stderr, "plaint keys cert failed: %s\n", out);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (dir[0] != '\0' && getenv("PLAINT_TEST_KEEP") == NULL) {
        sh(NULL, 0, "rm -rf '%s'", dir);
    }
    return 0;
}

/* ---- tests ---------------------------------------------------------------------------------- */

/* The same inputs give the same bytes; another as_of gives other bytes (the dates). */
static void test_unsigned_is_deterministic(void **state)
{
    plaint_buf a = PLAINT_BUF_INIT;
    plaint_buf b = PLAINT_BUF_INIT;
    plaint_buf c = PLAINT_BUF_INIT;
    plaint_pdf_file f;

    (void)state;
    build(&a, AS_OF, 0, NULL);
    build(&b, AS_OF, 0, NULL);
    build(&c, AS_OF + 86400, 0, NULL);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_true(a.len != c.len || memcmp(a.data, c.data, a.len) != 0);
    /* the /ID is derived from the content, and the dates from as_of */
    assert_non_null(strstr(a.data + a.len - 400, "/ID [<"));
    assert_non_null(find(&a, "(D:20261118110640Z"));
    OK(plaint_pdf_file_open(&f, (const unsigned char *)a.data, a.len, &e_));
    assert_int_equal(f.sections, 1);
    plaint_pdf_file_close(&f);
    plaint_buf_clear(&a);
    plaint_buf_clear(&b);
    plaint_buf_clear(&c);
}

/* pdfsig, qpdf, pdftotext, pdftoppm and pdffonts accept the signed document. */
static void test_validators_accept(void **state)
{
    plaint_buf u = PLAINT_BUF_INIT;
    plaint_buf s = PLAINT_BUF_INIT;
    char path[512];
    char out[65536];
    char all[262144];
    int pages;

    (void)state;
    build(&u, AS_OF, 0, NULL);
    sign(&s, &u, SIGNED_AT);
    snprintf(path, sizeof(path), "%s/signed.pdf", dir);
    write_file(path, &s);

    assert_int_equal(sh(out, sizeof(out), "pdfsig '%s'", path), 0);
    assert_non_null(strstr(out, "Signature Validation: Signature is Valid."));
    assert_non_null(strstr(out, "Signature Type: ETSI.CAdES.detached"));
    assert_non_null(strstr(out, "Signing Hash Algorithm: SHA-256"));
    assert_non_null(strstr(out, "Total document signed"));
    assert_non_null(strstr(out, "Łódź Müller Test Signer"));

    assert_int_equal(sh(out, sizeof(out), "qpdf --check '%s'", path), 0);
    assert_non_null(strstr(out, "No syntax or stream encoding errors found"));
    assert_null(strstr(out, "WARNING"));

    pages = pages_of(path);
    assert_true(pages >= 6); /* 300 rows of a table do not fit fewer */
    for (int i = 1; i <= pages; i++) {
        char want[64];
        assert_int_equal(sh(out, sizeof(out), "pdftotext -f %d -l %d '%s' -", i, i, path), 0);
        assert_null(strstr(out, "Warning")); /* e.g. a bad ToUnicode map */
        snprintf(want, sizeof(want), "page %d of %d", i, pages);
        assert_non_null(strstr(out, want));
        assert_non_null(strstr(out, "checkpoint 1234 / 9f2c…e1 — ledger of Дмитрий"));
        if (i > 1) {
            /* the header row repeats on every page the table continues on */
            assert_non_null(strstr(out, "Reference"));
            assert_non_null(strstr(out, "Customer"));
        }
    }
    assert_int_equal(sh(all, sizeof(all), "pdftotext '%s' -", path), 0);
    for (size_t i = 0; i < NNAMES; i++) {
        assert_non_null(strstr(all, NAMES[i]));
    }
    assert_non_null(strstr(all, "Weekly summary — Łódź & Αθήνα branch"));
    assert_non_null(strstr(all, "CMP-2026-000001"));
    assert_non_null(strstr(all, "CMP-2026-000300"));
    assert_non_null(strstr(all, "Credit card or\nprepaid card")); /* the label wraps */
    assert_non_null(strstr(all, "Κάρτα (Greek)"));

    assert_int_equal(sh(out, sizeof(out), "cd '%s' && pdftoppm -r 50 -png signed.pdf pg", dir), 0);
    for (int i = 1; i <= pages; i++) {
        char png[600];
        struct stat st;
        snprintf(png, sizeof(png), pages >= 10 ? "%s/pg-%02d.png" : "%s/pg-%d.png", dir, i);
        assert_int_equal(stat(png, &st), 0);
        assert_true(st.st_size > 1000);
    }

    assert_int_equal(sh(out, sizeof(out), "pdffonts '%s'", path), 0);
    /* name, type "CID TrueType", encoding, emb, sub, uni */
    assert_non_null(strstr(out, "DejaVuSans"));
    assert_non_null(strstr(out, "CID TrueType      Identity-H       yes yes yes"));
    assert_null(strstr(out, " no "));
    plaint_buf_clear(&u);
    plaint_buf_clear(&s);
}

/* plaint's own verification: signer, time, coverage; and `plaint report verify`. */
static void test_verify_reports_signer(void **state)
{
    plaint_buf u = PLAINT_BUF_INIT;
    plaint_buf s = PLAINT_BUF_INIT;
    plaint_pades_info info;
    char path[512];
    char out[8192];

    (void)state;
    build(&u, AS_OF, 0, NULL);
    sign(&s, &u, SIGNED_AT);
    OK(plaint_pades_verify((const unsigned char *)s.data, s.len, &info, &e_));
    assert_string_equal(info.signer, "CN=Łódź Müller Test Signer,O=plaint test");
    assert_int_equal(info.signing_time, SIGNED_AT);
    assert_int_equal(info.covers_whole_file, 1);
    /* the signed attributes: content-type, message-digest, signing-certificate-v2, and no
     * signing-time (PAdES B-B) */
    snprintf(path, sizeof(path), "%s/verify.pdf", dir);
    write_file(path, &s);
    assert_int_equal(
        sh(out, sizeof(out),
           "python3 -c \"import re,sys;s=open('%s','rb').read();"
           "h=re.findall(rb'/Contents <([0-9A-F]+)>',s)[-1];d=bytes.fromhex(h.decode());"
           "n=(d[2]<<8|d[3])+4;open('%s/sig.der','wb').write(d[:n])\" && "
           "openssl cms -cmsout -print -inform DER -in '%s/sig.der' -noout",
           path, dir, dir),
        0);
    assert_non_null(strstr(out, "contentType (1.2.840.113549.1.9.3)"));
    assert_non_null(strstr(out, "messageDigest (1.2.840.113549.1.9.4)"));
    assert_non_null(strstr(out, "id-smime-aa-signingCertificateV2"));
    assert_null(strstr(out, "signingTime"));
    /* OpenSSL's own CMS verification over the two byte ranges, with the embedded certificate */
    assert_int_equal(
        sh(out, sizeof(out),
           "python3 -c \"import re;s=open('%s','rb').read();"
           "b=[int(x) for x in re.findall(rb'/ByteRange \\[(\\d+) (\\d+) (\\d+) (\\d+)\\]',s)[-1]];"
           "open('%s/ranges.bin','wb').write(s[b[0]:b[0]+b[1]]+s[b[2]:b[2]+b[3]])\" && "
           "openssl cms -verify -binary -noverify -inform DER -in '%s/sig.der' "
           "-content '%s/ranges.bin' -out /dev/null",
           path, dir, dir, dir),
        0);
    assert_non_null(strstr(out, "Verification successful"));

    assert_int_equal(sh(out, sizeof(out), "'%s' --home '%s' report verify '%s'", bin, home_a, path),
                     0);
    assert_non_null(strstr(out, "PAdES signature valid"));
    assert_non_null(strstr(out, "signer: CN=Łódź Müller Test Signer,O=plaint test"));
    assert_non_null(strstr(out, "signed at: 2026-11-18T12:06:40Z"));
    assert_non_null(strstr(out, "the configured report.signing_cert"));
    /* another installation's certificate is not this one's */
    assert_int_equal(sh(out, sizeof(out), "'%s' --home '%s' report verify '%s'", bin, home_b, path),
                     1);
    assert_non_null(strstr(out, "other than report.signing_cert"));
    /* an unsigned PDF fails verification */
    snprintf(path, sizeof(path), "%s/unsigned.pdf", dir);
    write_file(path, &u);
    assert_int_equal(plaint_pades_verify((const unsigned char *)u.data, u.len, &info, NULL),
                     PLAINT_EINVALID);
    assert_int_equal(sh(out, sizeof(out), "'%s' --home '%s' report verify '%s'", bin, home_a, path),
                     1);
    assert_non_null(strstr(out, "not signed"));
    plaint_buf_clear(&u);
    plaint_buf_clear(&s);
}

/* One changed byte anywhere in the signed ranges, or bytes appended, is detected. */
static void test_tamper_detected(void **state)
{
    plaint_buf u = PLAINT_BUF_INIT;
    plaint_buf s = PLAINT_BUF_INIT;
    plaint_pades_info info;
    plaint_error err;
    char path[512];
    char out[8192];
    size_t contents_at;
    size_t positions[5];
    const char *c;

    (void)state;
    build(&u, AS_OF, 0, NULL);
    sign(&s, &u, SIGNED_AT);
    c = find(&s, "/Contents <");
    assert_non_null(c);
    contents_at = (size_t)(c - s.data) + 10;
    positions[0] = u.len / 2;        /* inside a page's compressed content */
    positions[1] = 20;               /* the header comment region */
    positions[2] = u.len - 40;       /* libharu's xref table */
    positions[3] = contents_at - 30; /* the /ByteRange text itself */
    positions[4] = s.len - 60;       /* the signature update's own xref/trailer */
    snprintf(path, sizeof(path), "%s/tampered.pdf", dir);
    for (size_t i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
        plaint_buf t = PLAINT_BUF_INIT;
        OK(plaint_buf_append(&t, s.data, s.len, &e_));
        t.data[positions[i]] ^= 0x01;
        plaint_error_init(&err);
        if (plaint_pades_verify((const unsigned char *)t.data, t.len, &info, &err) !=
            PLAINT_ETAMPER) {
            fail_msg("flip %zu at byte %zu: %d %s", i, positions[i], err.code, err.message);
        }
        write_file(path, &t);
        assert_false(pdfsig_valid(path));
        assert_int_equal(
            sh(out, sizeof(out), "'%s' --home '%s' report verify '%s'", bin, home_a, path), 1);
        assert_non_null(strstr(out, "INVALID"));
        plaint_buf_clear(&t);
    }
    /* the message for the common case names the signed bytes */
    {
        plaint_buf t = PLAINT_BUF_INIT;
        OK(plaint_buf_append(&t, s.data, s.len, &e_));
        t.data[positions[0]] ^= 0x01;
        plaint_error_init(&err);
        assert_int_equal(plaint_pades_verify((const unsigned char *)t.data, t.len, &info, &err),
                         PLAINT_ETAMPER);
        assert_non_null(strstr(err.message, "does not match the signed bytes"));
        plaint_buf_clear(&t);
    }
    /* a changed signature value (in /Contents, outside the signed ranges) */
    {
        plaint_buf t = PLAINT_BUF_INIT;
        unsigned der_len;
        char hex[5] = {0};
        OK(plaint_buf_append(&t, s.data, s.len, &e_));
        memcpy(hex, t.data + contents_at + 5, 4); /* 30 82 LLLL */
        der_len = (unsigned)strtoul(hex, NULL, 16) + 4;
        {
            char *h = t.data + contents_at + 1 + 2 * (der_len - 20); /* in the signature value */
            *h = *h == '0' ? '1' : '0';
        }
        plaint_error_init(&err);
        assert_int_equal(plaint_pades_verify((const unsigned char *)t.data, t.len, &info, &err),
                         PLAINT_ETAMPER);
        assert_non_null(strstr(err.message, "signed attributes does not verify"));
        write_file(path, &t);
        assert_false(pdfsig_valid(path));
        plaint_buf_clear(&t);
    }
    /* bytes appended after signing are outside the signature */
    OK(plaint_buf_append_str(&s, "% appended\n", &e_));
    plaint_error_init(&err);
    assert_int_equal(plaint_pades_verify((const unsigned char *)s.data, s.len, &info, &err),
                     PLAINT_ETAMPER);
    plaint_buf_clear(&u);
    plaint_buf_clear(&s);
}

/* Signing at two times changes only /M and the CMS in /Contents; the same time, nothing. */
static void test_resign_differs_only_in_time_and_cms(void **state)
{
    plaint_buf u = PLAINT_BUF_INIT;
    plaint_buf s1 = PLAINT_BUF_INIT;
    plaint_buf s2 = PLAINT_BUF_INIT;
    plaint_buf s3 = PLAINT_BUF_INIT;
    const char *c;
    const char *m;
    size_t c_from;
    size_t c_to;
    size_t m_from;
    size_t m_to;
    size_t diffs = 0;

    (void)state;
    build(&u, AS_OF, 0, NULL);
    sign(&s1, &u, SIGNED_AT);
    sign(&s2, &u, SIGNED_LATER);
    sign(&s3, &u, SIGNED_AT);
    /* RSA PKCS#1 v1.5 is deterministic: the same time gives the same file */
    assert_int_equal(s1.len, s3.len);
    assert_memory_equal(s1.data, s3.data, s1.len);
    /* the unsigned document is a prefix of the signed one (an incremental update) */
    assert_memory_equal(s1.data, u.data, u.len);
    assert_int_equal(s1.len, s2.len);
    c = find(&s1, "/Contents <");
    m = find(&s1, "/M (D:");
    assert_non_null(c);
    assert_non_null(m);
    c_from = (size_t)(c - s1.data) + 11;
    c_to = c_from + 2 * PLAINT_PADES_CONTENTS_MAX;
    m_from = (size_t)(m - s1.data) + 4;
    m_to = m_from + 24;
    for (size_t i = 0; i < s1.len; i++) {
        if (s1.data[i] != s2.data[i]) {
            diffs++;
            if (!((i >= c_from && i < c_to) || (i >= m_from && i < m_to))) {
                fail_msg("byte %zu differs outside /Contents and /M", i);
            }
        }
    }
    assert_true(diffs > 0);
    assert_memory_equal(s2.data + m_from, "D:20261119120640+00'00'", 23);
    plaint_buf_clear(&u);
    plaint_buf_clear(&s1);
    plaint_buf_clear(&s2);
    plaint_buf_clear(&s3);
}

/* Bad keys and inputs are refused with a reason. */
static void test_sign_refusals(void **state)
{
    plaint_buf u = PLAINT_BUF_INIT;
    plaint_buf s = PLAINT_BUF_INIT;
    plaint_buf t = PLAINT_BUF_INIT;
    plaint_error err;
    char missing[512];

    (void)state;
    build(&u, AS_OF, 0, NULL);
    sign(&s, &u, SIGNED_AT);
    plaint_error_init(&err);
    assert_int_equal(
        plaint_pades_sign((const unsigned char *)u.data, u.len, key_a, cert_b, SIGNED_AT, &t, &err),
        PLAINT_EIO);
    assert_non_null(strstr(err.message, "does not match"));
    snprintf(missing, sizeof(missing), "%s/nothing.pem", dir);
    assert_int_equal(plaint_pades_sign((const unsigned char *)u.data, u.len, missing, cert_a,
                                       SIGNED_AT, &t, &err),
                     PLAINT_EIO);
    assert_non_null(strstr(err.message, "plaint keys cert"));
    /* a signed PDF is not signed again; not-a-PDF is refused */
    assert_int_equal(
        plaint_pades_sign((const unsigned char *)s.data, s.len, key_a, cert_a, SIGNED_AT, &t, &err),
        PLAINT_EINVALID);
    assert_int_equal(plaint_pades_sign((const unsigned char *)"%PDF-1.4\nhello\n", 15, key_a,
                                       cert_a, SIGNED_AT, &t, &err),
                     PLAINT_EINVALID);
    plaint_buf_clear(&u);
    plaint_buf_clear(&s);
    plaint_buf_clear(&t);
}

/* Bad content for the engine: invalid UTF-8, a missing font, negative counts. */
static void test_engine_refusals(void **state)
{
    plaint_pdf_meta m = {"T", "S", "A", "F", AS_OF, FONT};
    plaint_pdf_meta nofont = {"T", "S", "A", "F", AS_OF, "/nonexistent/font.ttf"};
    static const char *const labels[] = {"a"};
    static const int64_t negative[] = {-1};
    plaint_pdf_doc *d = NULL;
    plaint_error err;

    (void)state;
    plaint_error_init(&err);
    assert_int_equal(plaint_pdf_doc_new(&d, &nofont, &err), PLAINT_EIO);
    assert_null(d);
    OK(plaint_pdf_doc_new(&d, &m, &e_));
    assert_int_equal(plaint_pdf_paragraph(d, "ok \xC3\x28 bad", &err), PLAINT_EINVALID);
    assert_string_equal(err.field, "paragraph");
    assert_int_equal(err.column, 4);
    assert_int_equal(plaint_pdf_bar_chart(d, "c", 1, labels, negative, &err), PLAINT_EINVALID);
    assert_int_equal(plaint_pdf_set_checkpoint(d, 5, "ABC", &err), PLAINT_EINVALID);
    assert_int_equal(plaint_pdf_table_row(d, labels, &err), PLAINT_ERROR); /* no table open */
    plaint_pdf_doc_free(d);
}

/* A row taller than a page is split between its lines, the header repeated on each page. */
static void test_tall_row_splits(void **state)
{
    plaint_pdf_meta m = {"Tall rows", "S", "A", "footer", AS_OF, FONT};
    static const char *const header[] = {"Column Ω", "Notes"};
    plaint_buf text = PLAINT_BUF_INIT;
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_pdf_doc *d = NULL;
    plaint_error err;
    char path[512];
    char *out = malloc(1 << 20);
    const char *cells[2];
    const char *p;
    int pages;
    char tall_header[3000];

    (void)state;
    assert_non_null(out);
    for (int i = 1; i <= 150; i++) {
        OK(plaint_buf_printf(&text, &e_, "note line %d of a very tall cell\n", i));
    }
    cells[0] = "first";
    cells[1] = text.data;
    OK(plaint_pdf_doc_new(&d, &m, &e_));
    OK(plaint_pdf_table_begin(d, 2, header, NULL, NULL, &e_));
    OK(plaint_pdf_table_row(d, cells, &e_));
    cells[0] = "second";
    cells[1] = "short";
    OK(plaint_pdf_table_row(d, cells, &e_));
    OK(plaint_pdf_table_end(d, &e_));
    OK(plaint_pdf_doc_finish(d, &pdf, &e_));
    plaint_pdf_doc_free(d);
    snprintf(path, sizeof(path), "%s/tall.pdf", dir);
    write_file(path, &pdf);
    pages = pages_of(path);
    assert_true(pages >= 2);
    assert_int_equal(sh(out, 1 << 20, "pdftotext '%s' -", path), 0);
    /* every line, in order */
    p = out;
    for (int i = 1; i <= 150; i++) {
        char want[64];
        snprintf(want, sizeof(want), "note line %d of a very tall cell", i);
        p = strstr(p, want);
        if (p == NULL) {
            fail_msg("line %d is missing or out of order", i);
        }
    }
    assert_non_null(strstr(p, "second"));
    for (int i = 2; i <= pages; i++) {
        assert_int_equal(sh(out, 1 << 20, "pdftotext -f %d -l %d '%s' -", i, i, path), 0);
        assert_non_null(strstr(out, "Column Ω"));
    }
    /* a header that leaves no room for a row is refused, not looped on */
    memset(tall_header, 0, sizeof(tall_header));
    for (size_t i = 0; i + 3 < sizeof(tall_header); i += 2) {
        memcpy(tall_header + i, "x\n", 2);
    }
    {
        const char *th[2] = {tall_header, "b"};
        static const unsigned narrow[2] = {1, 20};
        OK(plaint_pdf_doc_new(&d, &m, &e_));
        plaint_error_init(&err);
        assert_int_equal(plaint_pdf_table_begin(d, 2, th, narrow, NULL, &err), PLAINT_EINVALID);
        plaint_pdf_doc_free(d);
    }
    free(out);
    plaint_buf_clear(&text);
    plaint_buf_clear(&pdf);
}

/* ---- keep-with-next and word breaks ----------------------------------------------------- */

enum { KEEP_TABLE, KEEP_BAR, KEEP_PARAGRAPH, KEEP_KEYVALUE, KEEP_TWO_HEADINGS, KEEP_KINDS };

/* What follows the heading in each kind of document: a text that must share its page. */
static const char *const KEEP_NEXT[KEEP_KINDS] = {"FirstRowCell", "ChartCaption", "ParaStart",
                                                  "FirstKey", "SeriesCaption"};

/* filler key/value lines, then "Marker heading", then a block of the given kind */
static void build_keep(plaint_buf *out, int kind, int filler)
{
    plaint_pdf_meta m = {"Keep with next", "S", "A", "footer", AS_OF, FONT};
    static const char *const header[] = {"Colhead A", "Colhead B"};
    static const char *const first[] = {"FirstRowCell", "a\nfive\nline\ntall\ncell"};
    static const char *const second[] = {"SecondRowCell", "b"};
    static const char *const labels[] = {"x", "y", "z"};
    static const int64_t values[] = {3, 1, 2};
    static const char *const series[] = {"s1", "s2"};
    static const int64_t sv[] = {1, 2, 3, 4, 5, 6};
    plaint_pdf_doc *d = NULL;

    OK(plaint_pdf_doc_new(&d, &m, &e_));
    for (int i = 0; i < filler; i++) {
        char key[32];
        snprintf(key, sizeof(key), "Filler %d", i + 1);
        OK(plaint_pdf_keyvalue(d, key, "value", &e_));
    }
    OK(plaint_pdf_heading(d, "Marker heading", &e_));
    switch (kind) {
    case KEEP_TABLE:
        OK(plaint_pdf_table_begin(d, 2, header, NULL, NULL, &e_));
        OK(plaint_pdf_table_row(d, first, &e_));
        OK(plaint_pdf_table_row(d, second, &e_));
        OK(plaint_pdf_table_end(d, &e_));
        break;
    case KEEP_BAR:
        OK(plaint_pdf_bar_chart(d, "ChartCaption", 3, labels, values, &e_));
        break;
    case KEEP_PARAGRAPH:
        OK(plaint_pdf_paragraph(d,
                                "ParaStart of a paragraph long enough to wrap over several "
                                "lines of the page: its first lines must stay with the heading "
                                "above it, whatever the remaining room on the page is, and the "
                                "rest may continue on the next page as any paragraph does.",
                                &e_));
        break;
    case KEEP_KEYVALUE:
        OK(plaint_pdf_keyvalue(d, "FirstKey", "FirstValue", &e_));
        break;
    default:
        OK(plaint_pdf_heading(d, "Sub heading", &e_));
        OK(plaint_pdf_series_chart(d, "SeriesCaption", 2, series, 3, labels, sv, &e_));
        break;
    }
    OK(plaint_pdf_doc_finish(d, out, &e_));
    plaint_pdf_doc_free(d);
}

/* The 1-based page of the first occurrence of needle in pdftotext's output (pages end with a
 * form feed); 0 if it is not there. */
static int page_of(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    int page = 1;

    if (p == NULL) {
        return 0;
    }
    for (const char *q = text; q < p; q++) {
        page += *q == '\f';
    }
    return page;
}

/* A heading never ends a page alone: with 20 to 52 lines of filler before it the heading falls
 * at every height of the first page, down to its very bottom, and it is always on the page of
 * what follows it (a table's header and first row, a chart, a paragraph's first line, a
 * key/value line, or a second heading and a chart); as the filler grows the pair moves to the
 * second page together, once. */
static void test_heading_keeps_with_next(void **state)
{
    char path[512];
    char *out = malloc(1 << 16);

    (void)state;
    assert_non_null(out);
    snprintf(path, sizeof(path), "%s/keep.pdf", dir);
    for (int kind = 0; kind < KEEP_KINDS; kind++) {
        int last = 1;
        int moved_at = -1;
        for (int filler = 20; filler <= 52; filler++) {
            plaint_buf pdf = PLAINT_BUF_INIT;
            int hp;
            int np;
            build_keep(&pdf, kind, filler);
            write_file(path, &pdf);
            plaint_buf_clear(&pdf);
            assert_int_equal(sh(out, 1 << 16, "pdftotext '%s' -", path), 0);
            hp = page_of(out, "Marker heading");
            np = page_of(out, KEEP_NEXT[kind]);
            if (hp == 0 || np == 0 || hp != np) {
                fail_msg("kind %d, %d filler lines: the heading is on page %d, \"%s\" on page %d",
                         kind, filler, hp, KEEP_NEXT[kind], np);
            }
            if (kind == KEEP_TABLE) {
                assert_int_equal(page_of(out, "Colhead A"), hp);
            }
            if (kind == KEEP_TWO_HEADINGS) {
                assert_int_equal(page_of(out, "Sub heading"), hp);
            }
            /* the filler before the heading is all there, and on pages up to the heading's */
            {
                char want[32];
                snprintf(want, sizeof(want), "Filler %d\n", filler);
                assert_true(page_of(out, want) >= 1 && page_of(out, want) <= hp);
            }
            assert_true(hp >= last);
            if (hp > last) {
                moved_at = filler;
            }
            last = hp;
        }
        /* the sweep crossed the bottom of the first page: the heading moved to page 2 */
        if (moved_at < 0 || last != 2) {
            fail_msg("kind %d: the heading never moved to the second page", kind);
        }
    }
    free(out);
}

/* A word wider than its cell is still broken, but after '.', '/', '-' or '_' when it has one:
 * each line then ends with such a character and holds as many parts as fit (not one part a
 * line). A word without those characters is cut between characters as before. */
static void test_long_word_breaks(void **state)
{
    static const char *const dotted = "ab.cd.ef.gh.ij.kl.mn.op.qr.st.uv.wx.yz.AB.CD.EF.GH.IJ.KL";
    static const char *const path_like = "reports/mappings/cfpb-complaints_2026-11.final.xml";
    static const char *const solid = "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW";
    static const char *const header[] = {"Word", "Other"};
    static const unsigned widths[] = {1, 5};
    const char *const words[] = {dotted, path_like, solid};
    plaint_pdf_meta m = {"Long words", "S", "A", "footer", AS_OF, FONT};
    plaint_buf pdf = PLAINT_BUF_INIT;
    plaint_pdf_doc *d = NULL;
    char path[512];
    char *out = malloc(1 << 16);

    (void)state;
    assert_non_null(out);
    OK(plaint_pdf_doc_new(&d, &m, &e_));
    OK(plaint_pdf_table_begin(d, 2, header, widths, NULL, &e_));
    for (size_t w = 0; w < 3; w++) {
        const char *cells[2] = {words[w], ""};
        OK(plaint_pdf_table_row(d, cells, &e_));
    }
    OK(plaint_pdf_table_end(d, &e_));
    OK(plaint_pdf_doc_finish(d, &pdf, &e_));
    plaint_pdf_doc_free(d);
    snprintf(path, sizeof(path), "%s/words.pdf", dir);
    write_file(path, &pdf);
    assert_int_equal(sh(out, 1 << 16, "pdftotext '%s' -", path), 0);
    for (size_t w = 0; w < 3; w++) {
        /* the word's lines, one after another in the extracted text */
        char joined[256] = "";
        char first[8];
        const char *p;
        int nlines = 0;
        snprintf(first, sizeof(first), "%.4s", words[w]);
        p = strstr(out, first);
        assert_non_null(p);
        while (strlen(joined) < strlen(words[w])) {
            const char *eol = strchr(p, '\n');
            size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
            int last_line;
            assert_true(len > 0 && strlen(joined) + len < sizeof(joined));
            strncat(joined, p, len);
            nlines++;
            last_line = strlen(joined) >= strlen(words[w]);
            if (w < 2 && !last_line) {
                size_t parts = 0;
                if (strchr("./-_", p[len - 1]) == NULL) {
                    fail_msg("word %zu, line %d ends with '%c': \"%.*s\"", w + 1, nlines,
                             p[len - 1], (int)len, p);
                }
                for (size_t i = 0; i < len; i++) {
                    parts += strchr("./-_", p[i]) != NULL;
                }
                assert_true(parts >= 2); /* more than one part on the line */
            }
            if (eol == NULL) {
                break;
            }
            p = eol + 1;
        }
        assert_string_equal(joined, words[w]);
        assert_true(nlines >= 2); /* wider than the cell: broken */
    }
    free(out);
    plaint_buf_clear(&pdf);
}

/* ---- with a database: --ledger ------------------------------------------------------------- */

static plaint_test_env env;

static void ledger_pdf(const char *path, int64_t size, const char *root)
{
    plaint_buf u = PLAINT_BUF_INIT;
    plaint_buf s = PLAINT_BUF_INIT;

    build(&u, AS_OF, size, root);
    sign(&s, &u, SIGNED_AT);
    write_file(path, &s);
    plaint_buf_clear(&u);
    plaint_buf_clear(&s);
}

static void test_verify_ledger_checkpoint(void **state)
{
    const char *init[] = {"keys", "init", NULL};
    const char *append[] = {"ledger", "append",     "--case",    "C-PDF-1",
                            "--type", "note.added", "--payload", "{\"text\":\"hello\"}",
                            NULL};
    const char *seal[] = {"ledger", "seal", NULL};
    char out[8192];
    char errbuf[8192];
    char path[512];
    char wrong[65];
    char size_text[32];
    PGconn *su;
    PGresult *r;
    int64_t size;
    const char *root;

    (void)state;
    if (plaint_test_env_start(&env) != 0) {
        fail_msg("cannot start the test database");
    }
    assert_int_equal(plaint_test_run_cli(&env, out, sizeof(out), errbuf, sizeof(errbuf), init), 0);
    assert_int_equal(plaint_test_run_cli(&env, out, sizeof(out), errbuf, sizeof(errbuf), append),
                     0);
    assert_int_equal(plaint_test_run_cli(&env, out, sizeof(out), errbuf, sizeof(errbuf), seal), 0);
    su = plaint_test_connect(&env, NULL);
    assert_non_null(su);
    r = PQexec(su, "SELECT tree_size, encode(root_hash, 'hex') FROM plaint.ledger_checkpoint "
                   "ORDER BY seq DESC LIMIT 1");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 1);
    size = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    root = PQgetvalue(r, 0, 1);
    assert_true(size >= 1);

    {
        const char *verify[] = {"report", "verify", path, "--ledger", NULL};
        /* the checkpoint is there, with that root */
        snprintf(path, sizeof(path), "%s/ledger-ok.pdf", dir);
        ledger_pdf(path, size, root);
        assert_int_equal(
            plaint_test_run_cli(&env, out, sizeof(out), errbuf, sizeof(errbuf), verify), 0);
        snprintf(size_text, sizeof(size_text), "tree size %lld", (long long)size);
        assert_non_null(strstr(out, size_text));
        assert_non_null(strstr(out, root));
        assert_non_null(strstr(out, "has that tree size and root"));
        /* the same tree size with another root */
        snprintf(wrong, sizeof(wrong), "%s", root);
        wrong[0] = wrong[0] == '0' ? '1' : '0';
        snprintf(path, sizeof(path), "%s/ledger-wrong-root.pdf", dir);
        ledger_pdf(path, size, wrong);
        assert_int_equal(
            plaint_test_run_cli(&env, out, sizeof(out), errbuf, sizeof(errbuf), verify), 1);
        assert_non_null(strstr(errbuf, "INVALID"));
        /* a checkpoint this ledger never had */
        snprintf(path, sizeof(path), "%s/ledger-no-such.pdf", dir);
        ledger_pdf(path, size + 1000, root);
        assert_int_equal(
            plaint_test_run_cli(&env, out, sizeof(out), errbuf, sizeof(errbuf), verify), 1);
        assert_non_null(strstr(errbuf, "no checkpoint of tree size"));
        /* a PDF naming no checkpoint */
        snprintf(path, sizeof(path), "%s/ledger-none.pdf", dir);
        ledger_pdf(path, 0, NULL);
        assert_int_equal(
            plaint_test_run_cli(&env, out, sizeof(out), errbuf, sizeof(errbuf), verify), 1);
        assert_non_null(strstr(errbuf, "names no ledger checkpoint"));
    }
    PQclear(r);
    PQfinish(su);
    plaint_test_env_stop(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unsigned_is_deterministic),
        cmocka_unit_test(test_validators_accept),
        cmocka_unit_test(test_verify_reports_signer),
        cmocka_unit_test(test_tamper_detected),
        cmocka_unit_test(test_resign_differs_only_in_time_and_cms),
        cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_engine_refusals),
        cmocka_unit_test(test_tall_row_splits),
        cmocka_unit_test(test_heading_keeps_with_next),
        cmocka_unit_test(test_long_word_breaks),
        cmocka_unit_test(test_verify_ledger_checkpoint),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
