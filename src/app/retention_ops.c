/* The retention run use case: judge every vault subject against the retention policy (core
 * retention) and crypto-shred the due ones through the vault (plaint_vault_erase_subject). */
#include "plaint/app_retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaint/policy_xml.h"

int plaint_app_retention_load(plaint_retention_policy **out,
                              char sha256_hex[2 * PLAINT_HASH_LEN + 1], const plaint_config *cfg,
                              plaint_error *err)
{
    char xml[PLAINT_CONFIG_PATH_MAX + 16];
    char xsd[PLAINT_CONFIG_PATH_MAX + 16];
    unsigned char h[PLAINT_HASH_LEN];
    int rc;

    if (snprintf(xml, sizeof(xml), "%s/retention.xml", cfg->policy_dir) >= (int)sizeof(xml) ||
        snprintf(xsd, sizeof(xsd), "%s/retention.xsd", cfg->xsd_dir) >= (int)sizeof(xsd)) {
        return plaint_error_set(err, PLAINT_EIO, "policy or schema directory path too long");
    }
    rc = plaint_policy_load_retention(out, h, xml, xsd, err);
    if (rc == 0) {
        plaint_hex_encode(sha256_hex, h, PLAINT_HASH_LEN);
    }
    return rc;
}

/* The subjects of a run, copied out of the listing so that erasures happen after it ends. */
typedef struct subject_list {
    plaint_subject_info *items;
    size_t n;
    size_t cap;
} subject_list;

static int collect(const plaint_subject_info *s, void *arg, plaint_error *err)
{
    subject_list *l = arg;

    if (l->n == l->cap) {
        size_t cap = l->cap == 0 ? 64 : l->cap * 2;
        plaint_subject_info *grown;
        if (cap > SIZE_MAX / sizeof(*grown)) {
            return plaint_error_set(err, PLAINT_ENOMEM, "too many subjects");
        }
        grown = realloc(l->items, cap * sizeof(*grown));
        if (grown == NULL) {
            return plaint_error_set(err, PLAINT_ENOMEM, "out of memory listing subjects");
        }
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->n++] = *s;
    return 0;
}

/* Adds the verdict of item to the counts. */
static void count(plaint_retention_summary *sum, const plaint_retention_item *item)
{
    sum->subjects++;
    switch (item->verdict.status) {
    case PLAINT_RETENTION_DUE:
        sum->due++;
        break;
    case PLAINT_RETENTION_NOT_YET:
        sum->not_yet++;
        break;
    case PLAINT_RETENTION_HELD:
        sum->held++;
        break;
    case PLAINT_RETENTION_NO_START:
        sum->no_start++;
        break;
    case PLAINT_RETENTION_UNKNOWN_CLASS:
        sum->unknown_class++;
        break;
    }
}

/* Erases a due subject; a failure is the item's, not the run's. */
static void erase(plaint_retention_item *item, plaint_retention_summary *sum, plaint_db *db,
                  const plaint_actor *actor, const char *policy_id)
{
    char ref[32 + sizeof(item->subject->record_class)];
    plaint_error sub;
    int rc;

    plaint_error_init(&sub);
    snprintf(ref, sizeof(ref), "retention:%s:%s", item->subject->record_class, policy_id);
    rc = plaint_vault_erase_subject(db, actor, item->subject->subject_id,
                                    PLAINT_RETENTION_ERASE_REASON, ref, &sub);
    if (rc == 0) {
        item->erased = 1;
        sum->erased++;
        return;
    }
    item->error_code = rc;
    snprintf(item->error, sizeof(item->error), "%s", sub.message);
    sum->failed++;
    if (sum->first_error == 0) {
        sum->first_error = rc;
    }
}

int plaint_app_retention_run(plaint_retention_summary *out, plaint_db *db,
                             const plaint_actor *actor, const plaint_retention_policy *policy,
                             const char *policy_sha256_hex, int64_t now_us, int dry_run,
                             plaint_retention_item_fn fn, void *arg, plaint_error *err)
{
    char policy_id[PLAINT_RETENTION_POLICY_ID_LEN + 1];
    subject_list list = {NULL, 0, 0};
    plaint_retention_item item;
    size_t i;
    int rc;

    if (out == NULL || db == NULL || actor == NULL || policy == NULL || policy_sha256_hex == NULL ||
        strlen(policy_sha256_hex) < PLAINT_RETENTION_POLICY_ID_LEN) {
        return plaint_error_set(err, PLAINT_EINVALID, "retention run: missing argument");
    }
    memset(out, 0, sizeof(*out));
    memcpy(policy_id, policy_sha256_hex, PLAINT_RETENTION_POLICY_ID_LEN);
    policy_id[PLAINT_RETENTION_POLICY_ID_LEN] = '\0';
    rc = plaint_vault_list_subjects(db, collect, &list, err);
    for (i = 0; rc == 0 && i < list.n; i++) {
        const plaint_subject_info *s = &list.items[i];
        memset(&item, 0, sizeof(item));
        item.subject = s;
        rc = plaint_retention_due(&item.verdict, policy, s->record_class, s->retention_start_us,
                                  s->active_holds, now_us, err);
        if (rc < 0) {
            break;
        }
        count(out, &item);
        if (item.verdict.status == PLAINT_RETENTION_DUE && !dry_run) {
            erase(&item, out, db, actor, policy_id);
        }
        if (fn != NULL) {
            rc = fn(&item, arg, err);
        }
    }
    free(list.items);
    return rc;
}
