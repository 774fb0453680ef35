/* The report endpoints of the API v1 (docs/api.md "Reports"): POST /api/v1/reports writes a
 * signed report into web.reports_dir through the same use cases and RBAC decisions as
 * `plaint report regulator|cases|weekly|monthly|audit`; GET /api/v1/reports lists that
 * directory and GET /api/v1/reports/{name} returns one file (action report.read). The single-
 * case report is not offered: it carries what its requester may see of the customer (name,
 * narrative), and every report.read holder may read that directory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app/api_internal.h"
#include "plaint/app_report.h"
#include "plaint/app_report_pdf.h"
#include "plaint/period.h"
#include "plaint/report_files.h"
#include "plaint/report_regulator.h"

typedef struct kind_info {
    const char *kind;
    const char *prefix; /* of the file name */
    int pdf;            /* -1: XML (return or case export), else plaint_report_pdf_kind */
} kind_info;

static const kind_info KINDS[] = {
    {"regulator", "regulator-return", -1},
    {"cases", "case-export", -1},
    {"weekly", "weekly", PLAINT_REPORT_PDF_WEEKLY},
    {"monthly", "monthly", PLAINT_REPORT_PDF_MONTHLY},
    {"audit", "audit", PLAINT_REPORT_PDF_AUDIT},
};

static int authorize(call *c, const kind_info *k)
{
    if (k->pdf < 0) {
        return require(c, "report.regulator.prepare") < 0 ||
                       require(c, "report.regulator.sign") < 0
                   ? -1
                   : 0;
    }
    return require(c, "report.pdf");
}

void api_report_create(call *c)
{
    static const char *const FIELDS[] = {"kind", "period", NULL};
    const char *kind;
    const char *period_s = NULL;
    const kind_info *k = NULL;
    plaint_period period;
    plaint_error err;
    char name[128];
    char path[PLAINT_CONFIG_PATH_MAX + 300];
    json_t *cp = NULL;
    size_t bytes = 0;
    size_t i;
    int rc;

    plaint_error_init(&err);
    memset(&period, 0, sizeof(period));
    if (body_only(c, FIELDS) < 0 || body_str(c, "kind", 1, &kind) < 0) {
        return;
    }
    for (i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++) {
        if (strcmp(KINDS[i].kind, kind) == 0) {
            k = &KINDS[i];
        }
    }
    if (k == NULL) {
        plaint_http_error(c->resp, 400, "invalid", "kind",
                          "kind must be regulator, cases, weekly, monthly or audit (a case "
                          "report, with personal data, only through `plaint report case`)");
        return;
    }
    if (body_str(c, "period", 1, &period_s) < 0) {
        return;
    }
    if (plaint_period_parse(period_s, &period, &err) < 0) {
        plaint_http_error(c->resp, 400, "invalid", "period", "%s", err.message);
        return;
    }
    snprintf(name, sizeof(name), "%s-%s.%s", k->prefix, period.label, k->pdf < 0 ? "xml" : "pdf");
    if (authorize(c, k) < 0) {
        return;
    }
    if (mkdir(c->x->cfg->web_reports_dir, 0750) < 0 && errno != EEXIST) {
        rc = plaint_error_set(&err, PLAINT_EIO, "cannot make the reports directory %s: %s",
                              c->x->cfg->web_reports_dir, strerror(errno));
        reply_error(c, &err, NULL);
        return;
    }
    snprintf(path, sizeof(path), "%s/%s", c->x->cfg->web_reports_dir, name);
    if (k->pdf < 0) {
        plaint_report_options o = {period.label, NULL, path};
        plaint_report_written w;

        memset(&w, 0, sizeof(w));
        rc = plaint_app_report_xml(&w, c->x->db, c->x->cfg, &o, strcmp(k->kind, "cases") == 0,
                                   &err);
        if (rc == 0) {
            bytes = w.bytes;
            cp = json_pack("{s:I, s:I, s:s}", "seq", (json_int_t)w.anchor.seq, "tree_size",
                           (json_int_t)w.anchor.tree_size, "root", w.anchor.root_hex);
        }
    } else {
        plaint_report_pdf_request rq;
        plaint_report_pdf_result res;

        memset(&rq, 0, sizeof(rq));
        memset(&res, 0, sizeof(res));
        rq.kind = (plaint_report_pdf_kind)k->pdf;
        rq.period = period;
        rq.out_path = path;
        rq.signing_time = (int64_t)time(NULL);
        rc = plaint_app_report_pdf(&res, c->x->db, c->x->az, &c->actor, c->x->cfg, &rq, &err);
        if (rc == 0) {
            bytes = res.bytes;
            cp = json_pack("{s:I, s:I, s:s}", "seq", (json_int_t)res.cp_seq, "tree_size",
                           (json_int_t)res.cp_tree_size, "root", res.cp_root_hex);
        }
    }
    if (rc < 0) {
        reply_error(c, &err, "period");
        return;
    }
    snprintf(c->resp->location, sizeof(c->resp->location), "/api/v1/reports/%s", name);
    reply_json(c, 201,
               json_pack("{s:s, s:s, s:I, s:o, s:s}", "name", name, "kind", k->kind, "bytes",
                         (json_int_t)bytes, "checkpoint", cp != NULL ? cp : json_null(), "url",
                         c->resp->location));
}

void api_report_list(call *c)
{
    json_t *list = NULL;
    plaint_error err;

    if (require(c, "report.read") < 0) {
        return;
    }
    plaint_error_init(&err);
    if (plaint_report_files_list(&list, c->x->cfg->web_reports_dir, &err) < 0) {
        reply_error(c, &err, NULL);
        return;
    }
    reply_json(c, 200, json_pack("{s:o}", "items", list));
}

void api_report_get(call *c)
{
    const char *type = NULL;
    plaint_error err;

    if (require(c, "report.read") < 0) {
        return;
    }
    plaint_error_init(&err);
    plaint_buf_reset(&c->resp->body);
    if (plaint_report_file_read(&c->resp->body, &type, c->x->cfg->web_reports_dir, c->param,
                                &err) < 0) {
        plaint_buf_reset(&c->resp->body);
        reply_error(c, &err, NULL);
        return;
    }
    c->resp->status = 200;
    c->resp->content_type = type;
    c->resp->download = 1;
}
