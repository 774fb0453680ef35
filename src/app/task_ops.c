/* Tasks: checking checklist items and completing tasks. */
#include <stdio.h>
#include <string.h>

#include "app/complaint_internal.h"
#include "plaint/complaint_store.h"

static int get_task(json_t **out, plaint_db *db, const char *task_id, plaint_error *err)
{
    const char *params[1] = {task_id};
    int rc = plaint_pg_query_json(
        out, db,
        "SELECT to_jsonb(t) || jsonb_build_object('items', (SELECT COALESCE(jsonb_agg("
        " to_jsonb(i) ORDER BY i.position), '[]') FROM plaint.task_item i"
        " WHERE i.task_id = t.task_id)) FROM plaint.task t WHERE t.task_id = $1",
        1, params, err);

    if (rc == 0 && *out == NULL) {
        rc = plaint_error_set(err, PLAINT_ENOTFOUND, "no task %s", task_id);
    }
    return rc;
}

static int holds_role(const plaint_actor *actor, const char *role)
{
    size_t i;

    for (i = 0; role != NULL && i < actor->user.nroles; i++) {
        if (strcmp(actor->user.roles[i], role) == 0) {
            return 1;
        }
    }
    return actor->bootstrap;
}

static const json_t *find_item(const json_t *task, const char *item)
{
    size_t i;
    json_t *it;

    json_array_foreach(json_object_get(task, "items"), i, it) {
        const char *id = plaint_cj_str(it, "item_id");

        if (id != NULL && strcmp(id, item) == 0) {
            return it;
        }
    }
    return NULL;
}

static int plan(plaint_event_list *ev, const json_t *task, const plaint_actor *actor, int claim,
                const char *const *items, size_t nitems, plaint_error *err)
{
    const char *task_id = plaint_cj_str(task, "task_id");
    const char *ref = plaint_cj_str(task, "ref");
    size_t i;
    int rc = 0;

    if (strcmp(plaint_cj_str(task, "status"), "open") != 0) {
        return plaint_error_set(err, PLAINT_EINVALID, "task %s is already done", task_id);
    }
    if (nitems == 0 && plaint_cj_str(task, "kind") != NULL &&
        strcmp(plaint_cj_str(task, "kind"), "refund_approval") == 0) {
        /* it leaves the finance queue only with the decision it stands for: completing it by
         * hand would hide a refund that is still proposed (docs/workflow.md, "Tasks") */
        const char *refund = plaint_cj_str(task, "refund_id");

        return plaint_error_set_at(err, PLAINT_EINVALID, "task", 0, 0,
                                   "task %s is the approval of refund %s: it closes only when a "
                                   "finance manager other than the requester approves the "
                                   "refund (plaint refund approve %s), not by hand",
                                   task_id, refund != NULL ? refund : "?",
                                   refund != NULL ? refund : "REFUND");
    }
    if (claim) {
        rc = plaint_events_add(ev, ref, "task.reassigned",
                               json_pack("{s:s, s:s}", "task", task_id, "assignee",
                                         actor->user.user_id),
                               NULL, err);
    }
    for (i = 0; rc == 0 && i < nitems; i++) {
        const json_t *it = find_item(task, items[i]);

        if (it == NULL) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "item", 0, 0,
                                       "item: task %s has no checklist item '%s'", task_id,
                                       items[i]);
        }
        if (!json_is_null(json_object_get(it, "done_at"))) {
            return plaint_error_set(err, PLAINT_EINVALID, "checklist item %s of task %s is "
                                    "already checked", items[i], task_id);
        }
        rc = plaint_events_add(ev, ref, "task.item_checked",
                               json_pack("{s:s, s:s}", "task", task_id, "item", items[i]), NULL,
                               err);
    }
    if (rc == 0 && nitems == 0) {
        json_t *it;

        json_array_foreach(json_object_get(task, "items"), i, it) {
            if (json_is_true(json_object_get(it, "mandatory")) &&
                json_is_null(json_object_get(it, "done_at"))) {
                return plaint_error_set(err, PLAINT_EINVALID,
                                        "task %s cannot be completed: mandatory checklist item "
                                        "'%s' (%s) is open",
                                        task_id, plaint_cj_str(it, "item_id"),
                                        plaint_cj_str(it, "text"));
            }
        }
        rc = plaint_events_add(ev, ref, "task.completed", json_pack("{s:s}", "task", task_id),
                               NULL, err);
    }
    return rc;
}

int plaint_app_task_done(plaint_db *db, plaint_authz *az, plaint_actor *actor,
                         const char *task_id, const char *const *items, size_t nitems,
                         plaint_error *err)
{
    plaint_event_list ev = PLAINT_EVENT_LIST_INIT;
    plaint_rbac_context ctx;
    json_t *task = NULL;
    const char *assignee;
    int claim = 0;
    int rc = get_task(&task, db, task_id, err);

    if (rc == 0) {
        assignee = plaint_cj_str(task, "assignee");
        if (assignee == NULL && holds_role(actor, plaint_cj_str(task, "role"))) {
            /* a task in the queue of one's role is one's own to take */
            claim = 1;
            assignee = actor->user.user_id;
        }
        memset(&ctx, 0, sizeof(ctx));
        ctx.user_id = actor->user.user_id;
        ctx.owner_id = assignee;
        rc = plaint_authz_require(az, db, actor, "task.complete", &ctx, err);
    }
    if (rc == 0) {
        const char *ref = plaint_cj_str(task, "ref");
        char lock[96];
        json_t *again = NULL;

        snprintf(lock, sizeof(lock), "%s", ref);
        rc = plaint_db_begin(db, err);
        if (rc == 0) {
            rc = plaint_complaint_lock(db, lock, err);
        }
        if (rc == 0) {
            rc = get_task(&again, db, task_id, err);
        }
        if (rc == 0 && !json_equal(json_object_get(task, "assignee"),
                                   json_object_get(again, "assignee"))) {
            rc = plaint_error_set(err, PLAINT_ECONFLICT, "task %s was reassigned meanwhile; "
                                  "try again", task_id);
        }
        if (rc == 0) {
            rc = plan(&ev, again, actor, claim, items, nitems, err);
        }
        if (rc == 0) {
            rc = plaint_app_write_events(db, actor, &ev, NULL, err);
        }
        rc = plaint_db_finish(db, rc, err);
        json_decref(again);
    }
    plaint_events_clear(&ev);
    json_decref(task);
    return rc;
}
