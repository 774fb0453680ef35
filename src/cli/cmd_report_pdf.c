/* plaint report weekly|monthly|audit|case: the signed PDF reports (src/app/report_pdf_ops.c). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "plaint/app_auth.h"
#include "plaint/app_report_pdf.h"
#include "plaint/period.h"

#define COMMON_TEXT                                                                                \
    "The report is computed at a ledger checkpoint: when events wait for one, the ledger is\n"     \
    "sealed first (with the ledger signing key), and the figures are read in a snapshot that\n"    \
    "holds exactly the events that checkpoint covers. Its tree size and root hash are named on\n"  \
    "the first page and in every page's footer. The PDF embeds the report font (report.font),\n"   \
    "is signed (PAdES B-B) with report.signing_key and report.signing_cert (create them with\n"    \
    "'plaint keys cert'), and is written atomically: nothing is left at FILE on failure. Two\n"    \
    "runs on the same ledger differ only in the signature (its time). Figures and their exact\n"   \
    "definitions: docs/reports-pdf-content.md.\n"

const char plaint_cmd_report_weekly_help[] =
    "Usage: plaint report weekly (--week YYYY-Www | --period P) --out FILE.pdf\n\n"
    "Writes the signed weekly summary (action report.pdf): the complaints resolved in the\n"
    "week, their average and median resolution time, the satisfaction scores, SLA compliance\n"
    "(share resolved within the final-response target) and the resolution-time\n"
    "distribution.\n\n"
    "  --week W      an ISO week, e.g. 2026-W47 (Monday 00:00 UTC to the next Monday)\n"
    "  --period P    any period instead: 2026-H1, 2026-Q3, 2026-09, 2026-W47, 2026-09-14,\n"
    "                or FROM..TO dates (both days included)\n"
    "  --out FILE    the PDF to write (required)\n\n" COMMON_TEXT;

const char plaint_cmd_report_monthly_help[] =
    "Usage: plaint report monthly (--month YYYY-MM | --period P) --out FILE.pdf\n\n"
    "Writes the signed monthly management report (action report.pdf): complaints received by\n"
    "category, channel and current status, escalations, refunds credited and redress per\n"
    "currency, SLA compliance, the volume by category over the 12 months ending with the\n"
    "period (chart), the resolution-time distribution, and the category/sub-category\n"
    "table.\n\n"
    "  --month M     a calendar month, e.g. 2026-09\n"
    "  --period P    any period instead (as for plaint report weekly)\n"
    "  --out FILE    the PDF to write (required)\n\n" COMMON_TEXT;

const char plaint_cmd_report_audit_help[] =
    "Usage: plaint report audit --period P --out FILE.pdf [--pubkey FILE]\n\n"
    "Writes the signed audit report (action report.pdf): the result of verifying the whole\n"
    "ledger against the trusted public key (as 'plaint verify'), the checkpoint (sequence, tree\n"
    "size, root hash, time, signing key id), and, for the period, the access denials of the\n"
    "security log, the erasures of data subjects and the legal holds placed and released, plus\n"
    "the holds active at the checkpoint. A failed verification is reported in the PDF (and the\n"
    "command exits 1 after writing it).\n\n"
    "  --period P    the period (as for plaint report weekly), e.g. 2026-11 or 2026-Q4\n"
    "  --out FILE    the PDF to write (required)\n"
    "  --pubkey FILE the ledger public key to trust (default: beside the signing "
    "key)\n\n" COMMON_TEXT;

const char plaint_cmd_report_case_help[] =
    "Usage: plaint report case REF --out FILE.pdf\n\n"
    "Writes the signed single-case report (actions report.pdf and complaint.read): the\n"
    "complaint's facts and the timeline of every ledger event of its case (time, type, actor\n"
    "and role, the payload's fields). Personal data appear as 'plaint complaint show' shows\n"
    "them: the customer's name and a narrative sealed in the vault are decrypted for readers who\n"
    "may customer.read, shown as \"(in the vault)\" to others and as \"(erased)\" once the\n"
    "customer's data subject is erased.\n\n"
    "  --out FILE    the PDF to write (required)\n\n" COMMON_TEXT;

static const plaint_cli_optspec WEEKLY_OPTS[] = {
    {"week", 1, 0}, {"period", 1, 0}, {"out", 1, 0}, {NULL, 0, 0}};
static const plaint_cli_optspec MONTHLY_OPTS[] = {
    {"month", 1, 0}, {"period", 1, 0}, {"out", 1, 0}, {NULL, 0, 0}};
static const plaint_cli_optspec AUDIT_OPTS[] = {
    {"period", 1, 0}, {"out", 1, 0}, {"pubkey", 1, 0}, {NULL, 0, 0}};
static const plaint_cli_optspec CASE_OPTS[] = {{"out", 1, 0}, {NULL, 0, 0}};

static const char *const KIND_NAME[] = {"weekly summary", "monthly management report",
                                        "audit report", "case report"};

/* The period from --<named> (which must have the form `want`, "W" week or "M" month) or
 * --period. Returns -1 to go on, else the exit code. */
static int period_arg(plaint_period *out, const plaint_cli_args *a, const char *path,
                      const char *named, char want)
{
    const char *nv = named != NULL ? plaint_cli_opt(a, named) : NULL;
    const char *pv = plaint_cli_opt(a, "period");
    const char *v = nv != NULL ? nv : pv;
    plaint_error err;

    if (nv != NULL && pv != NULL) {
        return plaint_cli_usage(path, "give --%s or --period, not both", named);
    }
    if (v == NULL) {
        return named != NULL ? plaint_cli_usage(path, "give --%s or --period", named)
                             : plaint_cli_usage(path, "give --period");
    }
    plaint_error_init(&err);
    if (plaint_period_parse(v, out, &err) < 0) {
        return plaint_cli_usage(path, "--%s %s: %s", nv != NULL ? named : "period", v, err.message);
    }
    if (nv != NULL) {
        size_t n = strlen(nv);
        int ok = want == 'W' ? (n == 8 && nv[4] == '-' && nv[5] == 'W') : (n == 7 && nv[4] == '-');

        if (!ok) {
            return plaint_cli_usage(path, "--%s %s: not %s", named, nv,
                                    want == 'W' ? "an ISO week (YYYY-Www)" : "a month (YYYY-MM)");
        }
    }
    return -1;
}

static int run(plaint_cli *cli, const char *path, const plaint_cli_args *a,
               plaint_report_pdf_request *req)
{
    const plaint_config *cfg = NULL;
    plaint_report_pdf_result res;
    plaint_actor actor;
    plaint_error err;
    int rc;

    req->out_path = plaint_cli_opt(a, "out");
    if (req->out_path == NULL || req->out_path[0] == '\0') {
        return plaint_cli_usage(path, "--out FILE.pdf is required");
    }
    req->signing_time = (int64_t)time(NULL);
    plaint_error_init(&err);
    rc = plaint_cli_authorize(cli, "report.pdf", &actor, &err);
    if (rc == 0 && req->kind == PLAINT_REPORT_PDF_CASE) {
        rc = plaint_authz_require(cli->authz, cli->auth_db, &actor, "complaint.read", NULL, &err);
    }
    if (rc == 0) {
        rc = plaint_cli_config(cli, &cfg, &err);
    }
    if (rc == 0) {
        rc = plaint_app_report_pdf(&res, cli->auth_db, cli->authz, &actor, cfg, req, &err);
    }
    if (rc < 0) {
        return plaint_cli_fail(&err);
    }
    printf("wrote %s (%zu bytes): %s %s at ledger checkpoint %lld (tree size %lld, root %s)%s\n",
           req->out_path, res.bytes, KIND_NAME[req->kind],
           req->kind == PLAINT_REPORT_PDF_CASE ? req->ref : req->period.label,
           (long long)res.cp_seq, (long long)res.cp_tree_size, res.cp_root_hex,
           res.cp_sealed_now ? ", sealed for this report" : "");
    if (res.verified == 0) {
        fprintf(stderr, "%s: the ledger did not verify: see the report\n", path);
        return PLAINT_EXIT_VERIFY;
    }
    return PLAINT_EXIT_OK;
}

int plaint_cmd_report_weekly(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint report weekly";
    plaint_report_pdf_request req;
    plaint_cli_args a;
    int r = plaint_cli_args_parse(&a, cli, path, plaint_cmd_report_weekly_help, argc, argv,
                                  WEEKLY_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    memset(&req, 0, sizeof(req));
    req.kind = PLAINT_REPORT_PDF_WEEKLY;
    r = period_arg(&req.period, &a, path, "week", 'W');
    return r >= 0 ? r : run(cli, path, &a, &req);
}

int plaint_cmd_report_monthly(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint report monthly";
    plaint_report_pdf_request req;
    plaint_cli_args a;
    int r = plaint_cli_args_parse(&a, cli, path, plaint_cmd_report_monthly_help, argc, argv,
                                  MONTHLY_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    memset(&req, 0, sizeof(req));
    req.kind = PLAINT_REPORT_PDF_MONTHLY;
    r = period_arg(&req.period, &a, path, "month", 'M');
    return r >= 0 ? r : run(cli, path, &a, &req);
}

int plaint_cmd_report_audit(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint report audit";
    plaint_report_pdf_request req;
    plaint_cli_args a;
    int r = plaint_cli_args_parse(&a, cli, path, plaint_cmd_report_audit_help, argc, argv,
                                  AUDIT_OPTS, 0, 0);

    if (r >= 0) {
        return r;
    }
    memset(&req, 0, sizeof(req));
    req.kind = PLAINT_REPORT_PDF_AUDIT;
    req.pubkey = plaint_cli_opt(&a, "pubkey");
    r = period_arg(&req.period, &a, path, NULL, 0);
    return r >= 0 ? r : run(cli, path, &a, &req);
}

int plaint_cmd_report_case(plaint_cli *cli, int argc, char **argv)
{
    const char *path = "plaint report case";
    plaint_report_pdf_request req;
    plaint_cli_args a;
    int r = plaint_cli_args_parse(&a, cli, path, plaint_cmd_report_case_help, argc, argv, CASE_OPTS,
                                  1, 1);

    if (r >= 0) {
        return r;
    }
    memset(&req, 0, sizeof(req));
    req.kind = PLAINT_REPORT_PDF_CASE;
    req.ref = a.operands[0];
    return run(cli, path, &a, &req);
}
