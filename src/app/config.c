/* Loading the effective configuration from defaults, an INI file (inih), environment and flags. */
#include "plaint/config.h"

#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plaint/build_info.h"
#include "plaint/db.h"

typedef enum { KIND_STR, KIND_COUNT } kind;

typedef struct setting {
    const char *section;
    const char *name;
    const char *env;
    size_t offset;
    size_t size; /* for strings */
    kind type;
    int secret;
} setting;

#define STR_SETTING(sec, nm, env, field, secret)                                                   \
    {sec, nm, env, offsetof(plaint_config, field), sizeof(((plaint_config *)0)->field), KIND_STR,  \
     secret}
#define NUM_SETTING(sec, nm, env, field)                                                           \
    {sec, nm, env, offsetof(plaint_config, field), 0, KIND_COUNT, 0}

/* Table order is the order of plaint_config.src[] and of `plaint config show`. */
static const setting SETTINGS[] = {
    STR_SETTING("plaint", "home", "PLAINT_HOME", home, 0),
    STR_SETTING("database", "conninfo", "PLAINT_DB", conninfo, 1),
    STR_SETTING("embedded", "pg_bindir", "PLAINT_PG_BINDIR", pg_bindir, 0),
    STR_SETTING("embedded", "service_user", "PLAINT_SERVICE_USER", service_user, 0),
    STR_SETTING("ledger", "signing_key", "PLAINT_SIGNING_KEY", signing_key, 0),
    NUM_SETTING("ledger", "seal_every_events", "PLAINT_SEAL_EVERY_EVENTS", seal_every_events),
    NUM_SETTING("ledger", "seal_every_seconds", "PLAINT_SEAL_EVERY_SECONDS", seal_every_seconds),
    STR_SETTING("paths", "schema_dir", "PLAINT_SCHEMA_DIR", schema_dir, 0),
    STR_SETTING("paths", "policy_dir", "PLAINT_POLICY_DIR", policy_dir, 0),
    STR_SETTING("paths", "xsd_dir", "PLAINT_XSD_DIR", xsd_dir, 0),
    STR_SETTING("paths", "report_dir", "PLAINT_REPORT_DIR", report_dir, 0),
    STR_SETTING("report", "signing_key", "PLAINT_REPORT_KEY", report_key, 0),
    STR_SETTING("report", "signing_cert", "PLAINT_REPORT_CERT", report_cert, 0),
    STR_SETTING("report", "font", "PLAINT_REPORT_FONT", report_font, 0),
    STR_SETTING("web", "intake_user", "PLAINT_WEB_INTAKE_USER", web_intake_user, 0),
    STR_SETTING("web", "access_key", "PLAINT_WEB_ACCESS_KEY", web_access_key, 0),
    STR_SETTING("web", "reports_dir", "PLAINT_WEB_REPORTS_DIR", web_reports_dir, 0),
    NUM_SETTING("web", "attempts_per_minute", "PLAINT_WEB_ATTEMPTS_PER_MINUTE",
                web_attempts_per_minute),
    NUM_SETTING("web", "attempts_burst", "PLAINT_WEB_ATTEMPTS_BURST", web_attempts_burst),
};
_Static_assert(sizeof(SETTINGS) / sizeof(SETTINGS[0]) ==
                   sizeof(((plaint_config *)0)->src) / sizeof(plaint_config_source),
               "one source slot per setting");
#define N_SETTINGS (sizeof(SETTINGS) / sizeof(SETTINGS[0]))

static int set_value(plaint_config *cfg, size_t i, const char *value, plaint_config_source src,
                     unsigned long line, plaint_error *err)
{
    const setting *s = &SETTINGS[i];
    char *base = (char *)cfg;

    if (s->type == KIND_STR) {
        size_t n = strlen(value);
        if (n >= s->size) {
            return plaint_error_set_at(err, PLAINT_EINVALID, s->name, line, 0,
                                       "setting %s.%s is too long (%zu bytes, limit %zu)",
                                       s->section, s->name, n, s->size - 1);
        }
        memcpy(base + s->offset, value, n + 1);
    } else {
        char *end = NULL;
        long long v;
        errno = 0;
        v = strtoll(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v < 0) {
            return plaint_error_set_at(err, PLAINT_EINVALID, s->name, line, 0,
                                       "setting %s.%s must be a whole number >= 0, got '%s'",
                                       s->section, s->name, value);
        }
        memcpy(base + s->offset, &v, sizeof(v));
    }
    cfg->src[i] = src;
    return 0;
}

static int find_setting(const char *section, const char *name)
{
    size_t i;

    for (i = 0; i < N_SETTINGS; i++) {
        if (strcmp(SETTINGS[i].section, section) == 0 && strcmp(SETTINGS[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

typedef struct file_state {
    plaint_config *cfg;
    plaint_error *err;
    int rc;
} file_state;

/* inih (as built by Debian) passes no line number; returning 0 makes ini_parse return the
 * line of the first error, which read_file then adds to the message. */
static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    file_state *st = user;
    int i;

    if (st->rc < 0) {
        return 0;
    }
    i = find_setting(section, name);
    if (i < 0) {
        st->rc = plaint_error_set_at(st->err, PLAINT_EINVALID, name, 0, 0,
                                     "unknown setting [%s] %s", section, name);
        return 0;
    }
    st->rc = set_value(st->cfg, (size_t)i, value, PLAINT_SRC_FILE, 0, st->err);
    return st->rc < 0 ? 0 : 1;
}

static int read_file(plaint_config *cfg, const char *path, plaint_error *err)
{
    file_state st = {cfg, err, 0};
    int r;

    if (strlen(path) >= sizeof(cfg->file)) {
        return plaint_error_set(err, PLAINT_EIO, "config file path too long");
    }
    memcpy(cfg->file, path, strlen(path) + 1);
    r = ini_parse(path, on_ini, &st);
    if (st.rc < 0) {
        char msg[sizeof(err->message)];
        if (err != NULL) {
            snprintf(msg, sizeof(msg), "%s", err->message);
            plaint_error_set_at(err, st.rc, err->field, r > 0 ? (unsigned long)r : 0, 0,
                                "%s:%d: %s", path, r, msg);
        }
        return st.rc;
    }
    if (r == -1) {
        return plaint_error_set(err, PLAINT_EIO, "cannot open config file %s: %s", path,
                                strerror(errno));
    }
    if (r != 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, NULL, (unsigned long)r, 0,
                                   "%s:%d: syntax error (expected [section] or key = value)",
                                   path, r);
    }
    return 0;
}

/* Makes home absolute: child processes (initdb, pg_ctl) run from "/". */
static int absolute_home(plaint_config *cfg, plaint_error *err)
{
    char cwd[PLAINT_CONFIG_PATH_MAX];
    char abs[PLAINT_CONFIG_PATH_MAX];
    const char *rel = cfg->home;
    int n;

    if (cfg->home[0] == '/') {
        return 0;
    }
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        return plaint_error_set(err, PLAINT_EIO, "cannot determine the current directory");
    }
    while (rel[0] == '.' && rel[1] == '/') {
        rel += 2;
    }
    if (strcmp(rel, ".") == 0) {
        rel = "";
    }
    n = snprintf(abs, sizeof(abs), "%s%s%s", cwd, rel[0] != '\0' ? "/" : "", rel);
    if (n < 0 || (size_t)n >= sizeof(abs)) {
        return plaint_error_set(err, PLAINT_EINVALID, "PLAINT_HOME path is too long");
    }
    memcpy(cfg->home, abs, (size_t)n + 1);
    return 0;
}

static int derive_defaults(plaint_config *cfg, plaint_error *err)
{
    int n;

    n = absolute_home(cfg, err);
    if (n < 0) {
        return n;
    }

    /* Paths that default to somewhere under home follow home unless set explicitly. */
    if (cfg->src[4] == PLAINT_SRC_DEFAULT) {
        n = snprintf(cfg->signing_key, sizeof(cfg->signing_key), "%s/keys/ledger-signing.pem",
                     cfg->home);
        if (n < 0 || (size_t)n >= sizeof(cfg->signing_key)) {
            return plaint_error_set(err, PLAINT_EINVALID, "PLAINT_HOME path is too long");
        }
    }
    if (cfg->src[11] == PLAINT_SRC_DEFAULT) {
        n = snprintf(cfg->report_key, sizeof(cfg->report_key), "%s/keys/report-signing-key.pem",
                     cfg->home);
        if (n < 0 || (size_t)n >= sizeof(cfg->report_key)) {
            return plaint_error_set(err, PLAINT_EINVALID, "PLAINT_HOME path is too long");
        }
    }
    if (cfg->src[15] == PLAINT_SRC_DEFAULT) {
        n = snprintf(cfg->web_access_key, sizeof(cfg->web_access_key), "%s/keys/access-code.key",
                     cfg->home);
        if (n < 0 || (size_t)n >= sizeof(cfg->web_access_key)) {
            return plaint_error_set(err, PLAINT_EINVALID, "PLAINT_HOME path is too long");
        }
    }
    if (cfg->src[16] == PLAINT_SRC_DEFAULT) {
        n = snprintf(cfg->web_reports_dir, sizeof(cfg->web_reports_dir), "%s/reports",
                     cfg->home);
        if (n < 0 || (size_t)n >= sizeof(cfg->web_reports_dir)) {
            return plaint_error_set(err, PLAINT_EINVALID, "PLAINT_HOME path is too long");
        }
    }
    if (cfg->src[12] == PLAINT_SRC_DEFAULT) {
        n = snprintf(cfg->report_cert, sizeof(cfg->report_cert),
                     "%s/keys/report-signing-cert.pem", cfg->home);
        if (n < 0 || (size_t)n >= sizeof(cfg->report_cert)) {
            return plaint_error_set(err, PLAINT_EINVALID, "PLAINT_HOME path is too long");
        }
    }
    return 0;
}

int plaint_config_load(plaint_config *out, const plaint_config_flags *flags, plaint_error *err)
{
    const char *file = NULL;
    int required = 0;
    size_t i;
    int rc;
    char path[PLAINT_CONFIG_PATH_MAX + 32];
    struct stat st;

    memset(out, 0, sizeof(*out));
    snprintf(out->home, sizeof(out->home), "%s", "./var");
    snprintf(out->pg_bindir, sizeof(out->pg_bindir), "%s", "/usr/lib/postgresql/15/bin");
    snprintf(out->service_user, sizeof(out->service_user), "%s", "plaint");
    snprintf(out->schema_dir, sizeof(out->schema_dir), "%s", PLAINT_DEFAULT_SCHEMA_DIR);
    snprintf(out->policy_dir, sizeof(out->policy_dir), "%s", PLAINT_DEFAULT_POLICY_DIR);
    snprintf(out->xsd_dir, sizeof(out->xsd_dir), "%s", PLAINT_DEFAULT_XSD_DIR);
    snprintf(out->report_dir, sizeof(out->report_dir), "%s", PLAINT_DEFAULT_REPORT_DIR);
    snprintf(out->report_font, sizeof(out->report_font), "%s",
             "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    out->seal_every_events = 1000;
    out->seal_every_seconds = 300;
    out->web_attempts_per_minute = 30;
    out->web_attempts_burst = 10;

    /* home first: it decides where the default config file lives. */
    if (flags != NULL && flags->home != NULL) {
        rc = set_value(out, 0, flags->home, PLAINT_SRC_FLAG, 0, err);
    } else if (getenv("PLAINT_HOME") != NULL && getenv("PLAINT_HOME")[0] != '\0') {
        rc = set_value(out, 0, getenv("PLAINT_HOME"), PLAINT_SRC_ENV, 0, err);
    } else {
        rc = 0;
    }
    if (rc < 0) {
        return rc;
    }

    if (flags != NULL && flags->config_file != NULL) {
        file = flags->config_file;
        required = 1;
    } else if (getenv("PLAINT_CONFIG") != NULL && getenv("PLAINT_CONFIG")[0] != '\0') {
        file = getenv("PLAINT_CONFIG");
        required = 1;
    } else {
        snprintf(path, sizeof(path), "%s/plaint.conf", out->home);
        if (stat(path, &st) == 0) {
            file = path;
        }
    }
    if (file != NULL) {
        plaint_config_source home_src = out->src[0];
        char home[PLAINT_CONFIG_PATH_MAX];
        memcpy(home, out->home, sizeof(home));
        if (required && stat(file, &st) != 0) {
            return plaint_error_set(err, PLAINT_EIO, "config file %s: %s", file, strerror(errno));
        }
        rc = read_file(out, file, err);
        if (rc < 0) {
            return rc;
        }
        if (home_src != PLAINT_SRC_DEFAULT) {
            /* an explicit home outranks the file's */
            memcpy(out->home, home, sizeof(home));
            out->src[0] = home_src;
        }
    }

    for (i = 1; i < N_SETTINGS; i++) {
        const char *v = getenv(SETTINGS[i].env);
        if (v != NULL && (v[0] != '\0' || i == 1)) {
            rc = set_value(out, i, v, PLAINT_SRC_ENV, 0, err);
            if (rc < 0) {
                return rc;
            }
        }
    }
    if (flags != NULL && flags->db != NULL) {
        rc = set_value(out, 1, flags->db, PLAINT_SRC_FLAG, 0, err);
        if (rc < 0) {
            return rc;
        }
    }
    return derive_defaults(out, err);
}

static const char *source_name(plaint_config_source s)
{
    switch (s) {
    case PLAINT_SRC_FILE:
        return "config file";
    case PLAINT_SRC_ENV:
        return "environment";
    case PLAINT_SRC_FLAG:
        return "command line";
    default:
        return "default";
    }
}

int plaint_config_print(const plaint_config *cfg, FILE *f, plaint_error *err)
{
    size_t i;
    const char *base = (const char *)cfg;
    char masked[PLAINT_CONFIG_PATH_MAX];

    fprintf(f, "# config file: %s\n", cfg->file[0] != '\0' ? cfg->file : "(none)");
    for (i = 0; i < N_SETTINGS; i++) {
        const setting *s = &SETTINGS[i];
        if (s->type == KIND_STR) {
            const char *v = base + s->offset;
            if (s->secret) {
                plaint_pg_mask_conninfo(masked, sizeof(masked), v);
                v = masked;
            }
            if (i == 1 && v[0] == '\0') {
                v = "(embedded cluster)";
            }
            fprintf(f, "%s.%s = %s  # %s\n", s->section, s->name, v, source_name(cfg->src[i]));
        } else {
            long long v;
            memcpy(&v, base + s->offset, sizeof(v));
            fprintf(f, "%s.%s = %lld  # %s\n", s->section, s->name, v, source_name(cfg->src[i]));
        }
    }
    if (ferror(f)) {
        return plaint_error_set(err, PLAINT_EIO, "cannot write configuration");
    }
    return 0;
}
