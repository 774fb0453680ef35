-- 0009: bulk tuning. Room on every page of the case heads for in-place (HOT) updates. Each append rewrites its
-- case's head row; at the default fillfactor 100 most of those updates had to move the row to
-- another page and add index entries (18,620 of 128,652 were HOT in a bulk import); at 50 almost
-- all are (128,542 of 128,652), and the head update costs 2.2 instead of 3.2 us per event
-- (docs/benchmarks.md). Applies to pages written from now on.
SET LOCAL ROLE plaint_owner;
ALTER TABLE plaint.ledger_case_head SET (fillfactor = 50);

-- The projector's statements are planned for each batch (custom plans): a plan cached while a
-- table was small (a fresh bulk import) kept scanning it whole as it grew, which made importing
-- N complaints cost O(N^2). The planner sizes tables from their current pages, so fresh plans
-- use the indexes as soon as it pays.
ALTER FUNCTION plaint.project_batch() SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION plaint.project_statement() SET plan_cache_mode = force_custom_plan;

-- Fresh statistics during a bulk import: a table that grew from empty still had the statistics
-- of its first rows (e.g. "customer_id IS NULL matches 110 rows"), so lookups chose scans that
-- grow with the table. plaint import csv calls this whenever the projections have doubled.
CREATE FUNCTION plaint.projection_analyze() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, plaint AS $$
BEGIN
    ANALYZE plaint.complaint;
    ANALYZE plaint.complaint_source_field;
    ANALYZE plaint.task;
    ANALYZE plaint.task_item;
    ANALYZE plaint.outbox;
    ANALYZE plaint.ledger_case_head;
END
$$;
REVOKE ALL ON FUNCTION plaint.projection_analyze() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plaint.projection_analyze() TO plaint_app;
