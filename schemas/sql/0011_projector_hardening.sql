-- 0011: hardening of the projector's SECURITY DEFINER functions.
--
-- They run as plaint_owner inside the application's session. Two ways the session's user could
-- have steered them:
-- 1. Relations: without pg_temp in search_path PostgreSQL searches the session's temporary
--    schema FIRST, so a temporary table named like a projection (e.g. "refund", created by the
--    application role in its own session) would have been read and written by the projector in
--    place of plaint.refund, defeating its checks. Every definer function now searches
--    pg_catalog, plaint, then pg_temp (explicitly last).
-- 2. The projector's own work table pg_temp.proj_ev: had the application role created one
--    first (with a trigger, rule, index expression or check calling its own function), the
--    projector's INSERT would have run that function as plaint_owner. projection_events_reset
--    now refuses a pg_temp.proj_ev that it did not create itself (owned by another role, or not
--    a plain table).
SET LOCAL ROLE plaint_owner;

CREATE OR REPLACE FUNCTION plaint.projection_events_reset() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
    rel regclass := to_regclass('pg_temp.proj_ev');
BEGIN
    IF rel IS NULL THEN
        CREATE TEMP TABLE proj_ev (
            n           integer NOT NULL,
            id          bigint NOT NULL,
            case_id     text NOT NULL,
            case_seq    bigint NOT NULL,
            event_type  text NOT NULL,
            actor       text NOT NULL,
            occurred_at timestamptz NOT NULL,
            p           jsonb NOT NULL
        ) ON COMMIT DELETE ROWS;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_class c
                   WHERE c.oid = rel AND c.relkind = 'r' AND c.relpersistence = 't'
                     AND c.relowner = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
                     AND NOT c.relhastriggers AND NOT c.relhasrules AND NOT c.relhasindex
                     AND c.relchecks = 0) THEN
        RAISE EXCEPTION 'plaint: pg_temp.proj_ev was not created by the projector; refusing to use it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM pg_temp.proj_ev;
END
$$;

ALTER FUNCTION plaint.project_batch() SET search_path = pg_catalog, plaint, pg_temp;
ALTER FUNCTION plaint.project_statement() SET search_path = pg_catalog, plaint, pg_temp;
ALTER FUNCTION plaint.projection_analyze() SET search_path = pg_catalog, plaint, pg_temp;
