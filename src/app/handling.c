/* The handling policies as one loaded set, and writing planned events to the ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/app_complaint.h"
#include "plaint/buf.h"
#include "plaint/digest.h"
#include "plaint/jcs.h"
#include "plaint/ledger.h"
#include "plaint/policy_xml.h"

enum { H_SEVERITY, H_ROUTING, H_SLA, H_ESCALATION, H_COUNT };
static const char *const H_NAMES[H_COUNT] = {"severity", "routing", "sla", "escalation"};

struct plaint_handling {
    plaint_severity_policy *severity;
    plaint_routing_policy *routing;
    plaint_sla_policy *sla;
    plaint_escalation_policy *escalation;
    unsigned char sha[H_COUNT][PLAINT_HASH_LEN];
};

static int paths(char *xml, char *xsd, size_t n, const plaint_config *cfg, const char *name,
                 plaint_error *err)
{
    if (snprintf(xml, n, "%s/%s.xml", cfg->policy_dir, name) >= (int)n ||
        snprintf(xsd, n, "%s/%s.xsd", cfg->xsd_dir, name) >= (int)n) {
        return plaint_error_set(err, PLAINT_ERANGE, "policy path too long");
    }
    return 0;
}

int plaint_handling_open(plaint_handling **out, const plaint_config *cfg, plaint_error *err)
{
    char xml[PLAINT_CONFIG_PATH_MAX + 32];
    char xsd[PLAINT_CONFIG_PATH_MAX + 32];
    plaint_handling *h = calloc(1, sizeof(*h));
    int rc = h == NULL ? plaint_error_set(err, PLAINT_ENOMEM, "out of memory") : 0;

    if (rc == 0 && (rc = paths(xml, xsd, sizeof(xml), cfg, "severity", err)) == 0) {
        rc = plaint_policy_load_severity(&h->severity, h->sha[H_SEVERITY], xml, xsd, err);
    }
    if (rc == 0 && (rc = paths(xml, xsd, sizeof(xml), cfg, "routing", err)) == 0) {
        rc = plaint_policy_load_routing(&h->routing, h->sha[H_ROUTING], xml, xsd, err);
    }
    if (rc == 0 && (rc = paths(xml, xsd, sizeof(xml), cfg, "sla", err)) == 0) {
        rc = plaint_policy_load_sla(&h->sla, h->sha[H_SLA], xml, xsd, err);
    }
    if (rc == 0 && (rc = paths(xml, xsd, sizeof(xml), cfg, "escalation", err)) == 0) {
        rc = plaint_policy_load_escalation(&h->escalation, h->sha[H_ESCALATION], xml, xsd, err);
    }
    if (rc != 0) {
        plaint_handling_free(h);
        h = NULL;
    }
    *out = h;
    return rc;
}

void plaint_handling_free(plaint_handling *h)
{
    if (h != NULL) {
        plaint_severity_policy_free(h->severity);
        plaint_routing_policy_free(h->routing);
        plaint_sla_policy_free(h->sla);
        plaint_escalation_policy_free(h->escalation);
        free(h);
    }
}

void plaint_handling_get(const plaint_handling *h, plaint_handling_policies *out)
{
    out->severity = h->severity;
    out->routing = h->routing;
    out->sla = h->sla;
    out->escalation = h->escalation;
}

int plaint_handling_record(const plaint_handling *h, plaint_db *db, const plaint_actor *actor,
                           plaint_error *err)
{
    char file[32];
    char hex[2 * PLAINT_HASH_LEN + 1];
    int rc = 0;
    int i;

    for (i = 0; rc == 0 && i < H_COUNT; i++) {
        plaint_hex_encode(hex, h->sha[i], PLAINT_HASH_LEN);
        snprintf(file, sizeof(file), "%s.xml", H_NAMES[i]);
        rc = plaint_app_record_policy(db, actor, file, hex, err);
    }
    return rc;
}

int plaint_app_write_events(plaint_db *db, const plaint_actor *actor, const plaint_event_list *l,
                            int *replayed, plaint_error *err)
{
    plaint_buf payload = PLAINT_BUF_INIT;
    plaint_append_req req;
    plaint_append_result res;
    size_t i;
    int rc = 0;

    if (replayed != NULL) {
        *replayed = 0;
    }
    for (i = 0; rc == 0 && i < l->n; i++) {
        plaint_buf_reset(&payload);
        rc = plaint_jcs_dump(&payload, l->v[i].payload, err);
        if (rc != 0) {
            break;
        }
        memset(&req, 0, sizeof(req));
        req.case_id = l->v[i].case_id;
        req.type = l->v[i].type;
        req.actor = actor->user.user_id;
        req.role = actor->acting_role[0] != '\0' ? actor->acting_role : "-";
        req.payload = payload.data;
        req.payload_len = payload.len;
        req.idempotency_key = l->v[i].idempotency_key[0] != '\0' ? l->v[i].idempotency_key : NULL;
        rc = plaint_ledger_append(&res, db, &req, err);
        if (rc == 0 && res.replayed && replayed != NULL) {
            (*replayed)++;
        }
    }
    plaint_buf_clear(&payload);
    return rc;
}
