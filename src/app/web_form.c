/* The public complaint form: a customer's name, email address, what the complaint is about and
 * what happened. Acts as the configured intake user (web.intake_user) through the same use cases
 * and RBAC decisions as `plaint subject add`, `customer add` and `complaint new`; the customer's
 * name, email and narrative go to the vault. The answer shows the reference number and the
 * access code for the status page (the acknowledgement email carries them too). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "app/web_internal.h"
#include "net/smtp_message.h"
#include "plaint/app_vault.h"
#include "plaint/digest.h"
#include "plaint/identity.h"
#include "plaint/rand.h"

/* What a customer can choose: the current CFPB product names the routing policy knows, and a
 * catch-all that the default rule takes. */
static const char *const CATEGORIES[] = {
    "Checking or savings account",
    "Credit card or prepaid card",
    "Credit reporting, credit repair services, or other personal consumer reports",
    "Debt collection",
    "Money transfer, virtual currency, or money service",
    "Mortgage",
    "Payday loan, title loan, or personal loan",
    "Student loan",
    "Vehicle loan or lease",
    "Other",
    NULL};

#define NARRATIVE_MAX 20000

static void field(plaint_http_response *resp, const char *id, const char *label, const char *type,
                  const char *value, size_t max)
{
    web_raw(resp, "<label for=\"%s\">%s</label><input id=\"%s\" name=\"%s\" type=\"%s\" required "
                  "maxlength=\"%zu\" value=\"",
            id, label, id, id, type, max);
    web_text(resp, value != NULL ? value : "");
    web_raw(resp, "\">");
}

static void form(plaint_http_response *resp, const web_form *f)
{
    const char *cat = f != NULL ? web_form_get(f, "category") : NULL;

    web_raw(resp, "<form method=\"post\" action=\"/complaint\" id=\"complaint-form\">");
    field(resp, "name", "Your name", "text", f != NULL ? web_form_get(f, "name") : NULL, 200);
    field(resp, "email", "Your email address", "email", f != NULL ? web_form_get(f, "email") : NULL,
          254);
    web_raw(resp, "<label for=\"category\">What is it about?</label>"
                  "<select id=\"category\" name=\"category\" required>");
    for (size_t i = 0; CATEGORIES[i] != NULL; i++) {
        web_raw(resp, "<option%s>", cat != NULL && strcmp(cat, CATEGORIES[i]) == 0 ? " selected" : "");
        web_text(resp, CATEGORIES[i]);
        web_raw(resp, "</option>");
    }
    web_raw(resp, "</select><label for=\"narrative\">What happened, and what would put it "
                  "right?</label><textarea id=\"narrative\" name=\"narrative\" required "
                  "maxlength=\"%d\">",
            NARRATIVE_MAX);
    web_text(resp, f != NULL ? web_form_get(f, "narrative") : NULL);
    web_raw(resp, "</textarea><button type=\"submit\" id=\"submit\">Send my complaint</button>"
                  "</form>");
}

void web_complaint_get(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    (void)req;
    if (x->cfg->web_intake_user[0] == '\0') {
        web_message_page(resp, 503, "Make a complaint",
                         "The online form is not available. Please write to us by email or post.");
        return;
    }
    web_page_begin(resp, 200, "Make a complaint");
    web_raw(resp, "<p>Tell us what went wrong. We will acknowledge your complaint by email with a "
                  "reference number and an access code to follow it here.</p>");
    form(resp, NULL);
    web_page_end(resp);
}

static void refuse(plaint_http_response *resp, const web_form *f, const char *name,
                   const char *why)
{
    web_page_begin(resp, 400, "Make a complaint");
    web_raw(resp, "<p class=\"error\" id=\"form-error\" data-field=\"%s\">", name);
    web_text(resp, why);
    web_raw(resp, "</p>");
    form(resp, f);
    web_page_end(resp);
}

static int blank(const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
            return 0;
        }
    }
    return 1;
}

/* The checks that need no database: 0, or -1 after a 400 naming the field. */
static int check(plaint_http_response *resp, const web_form *f)
{
    plaint_error err;
    const char *cat = web_form_get(f, "category");
    size_t i;

    plaint_error_init(&err);
    if (blank(web_form_get(f, "name"))) {
        refuse(resp, f, "name", "Your name: please tell us your name.");
        return -1;
    }
    if (web_form_get(f, "email") == NULL ||
        plaint_smtp_check_address(web_form_get(f, "email"), "email", &err) < 0) {
        refuse(resp, f, "email", "Your email address: please give an address such as "
                                 "name@example.com.");
        return -1;
    }
    for (i = 0; CATEGORIES[i] != NULL && (cat == NULL || strcmp(cat, CATEGORIES[i]) != 0); i++) {
    }
    if (CATEGORIES[i] == NULL) {
        refuse(resp, f, "category", "What is it about: please choose one of the list.");
        return -1;
    }
    if (blank(web_form_get(f, "narrative"))) {
        refuse(resp, f, "narrative", "What happened: please tell us what went wrong.");
        return -1;
    }
    return 0;
}

/* The intake user, allowed to record the customer and the complaint. */
static int intake_actor(plaint_actor *a, api_ctx *x, plaint_error *err)
{
    int rc;

    memset(a, 0, sizeof(*a));
    rc = plaint_identity_get_user(&a->user, x->db, x->cfg->web_intake_user, err);
    if (rc == 0 && a->user.disabled) {
        rc = plaint_error_set(err, PLAINT_EDENIED, "web.intake_user %s is disabled",
                              x->cfg->web_intake_user);
    }
    if (rc == 0) {
        rc = plaint_authz_require(x->az, x->db, a, "customer.manage", NULL, err);
    }
    if (rc == 0) {
        rc = plaint_authz_require(x->az, x->db, a, "complaint.create", NULL, err);
    }
    return rc;
}

static int record(char *ref, api_ctx *x, const plaint_actor *a, const web_form *f,
                  plaint_error *err)
{
    unsigned char rnd[8];
    char hex[2 * sizeof(rnd) + 1];
    char id[32];
    plaint_subject_field pf[2];
    plaint_customer_input ci;
    plaint_complaint_input in;
    int rc = plaint_rand_bytes(rnd, sizeof(rnd), err);

    if (rc < 0) {
        return rc;
    }
    plaint_hex_encode(hex, rnd, sizeof(rnd));
    snprintf(id, sizeof(id), "web-%s", hex);
    pf[0].field = "name";
    pf[0].value = web_form_get(f, "name");
    pf[0].len = strlen(pf[0].value);
    pf[1].field = "email";
    pf[1].value = web_form_get(f, "email");
    pf[1].len = strlen(pf[1].value);
    rc = plaint_app_subject_add(x->db, a, x->cfg, id, "complaint", NULL, pf, 2, err);
    if (rc == 0) {
        memset(&ci, 0, sizeof(ci));
        ci.customer_id = id;
        ci.tier = "standard";
        ci.currency = "USD";
        ci.subject_id = id;
        rc = plaint_app_customer_add(x->db, a, &ci, err);
    }
    if (rc == 0) {
        memset(&in, 0, sizeof(in));
        in.channel = "web";
        in.category = web_form_get(f, "category");
        in.narrative = web_form_get(f, "narrative");
        in.customer_id = id;
        rc = plaint_app_complaint_new(ref, x->db, a, x->h, x->cfg, &in, err);
    }
    return rc;
}

void web_complaint_post(api_ctx *x, const plaint_http_request *req, plaint_http_response *resp)
{
    web_form f = {.names = {"name", "email", "category", "narrative", NULL},
                  .limits = {200, 254, 200, NARRATIVE_MAX}};
    char ref[32] = "";
    char code[PLAINT_ACCESS_CODE_LEN + 1];
    unsigned char key[PLAINT_ACCESS_KEY_LEN];
    plaint_actor actor;
    plaint_error err;
    int rc;

    plaint_error_init(&err);
    if (x->cfg->web_intake_user[0] == '\0') {
        web_complaint_get(x, req, resp);
        return;
    }
    if (!web_limit_ok(x, req->client_ip)) {
        web_message_page(resp, 429, "Too many attempts",
                         "Too many submissions from your address. Wait a minute and try again.");
        return;
    }
    if (web_form_read(&f, req) < 0) {
        refuse(resp, &f, f.bad_field[0] != '\0' ? f.bad_field : "form", f.bad);
        web_form_free(&f);
        return;
    }
    if (check(resp, &f) < 0) {
        web_form_free(&f);
        return;
    }
    /* the key first: a service that cannot give the code should not take the complaint */
    rc = web_access_key(x, key, &err);
    if (rc == 0) {
        rc = intake_actor(&actor, x, &err);
    }
    if (rc == 0) {
        rc = record(ref, x, &actor, &f, &err);
    }
    if (rc == 0) {
        rc = plaint_access_code(code, key, ref, &err);
    }
    OPENSSL_cleanse(key, sizeof(key));
    if (rc < 0) {
        fprintf(stderr, "plaint serve: complaint form: %s (%s)\n", err.message,
                plaint_error_name(err.code));
        resp->drop_ctx = err.code == PLAINT_EDB;
        if (err.code == PLAINT_EINVALID && err.field[0] != '\0') {
            refuse(resp, &f, err.field, err.message);
        } else {
            web_message_page(resp, 503, "Make a complaint",
                             "We could not take your complaint just now. Please try again later "
                             "or write to us by email.");
        }
        web_form_free(&f);
        return;
    }
    web_form_free(&f);
    web_page_begin(resp, 201, "Thank you: we have your complaint");
    web_raw(resp, "<p class=\"notice\">Your reference number is <strong id=\"ref\" "
                  "class=\"code\">%s</strong> and your access code is <strong id=\"code\" "
                  "class=\"code\">%s</strong>.</p><p>Keep both: with them you can <a "
                  "href=\"/status\">follow your complaint</a>. We have sent them to your email "
                  "address too.</p>",
            ref, code);
    web_page_end(resp);
    OPENSSL_cleanse(code, sizeof(code));
}
