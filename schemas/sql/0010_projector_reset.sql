-- 0010: the projector empties its temp table with DELETE instead of TRUNCATE. TRUNCATE gives the
-- table a new file each time; a single append (complaint new writes about eleven, one statement
-- each) paid that for every statement. The table is empty at the start of every transaction
-- anyway (ON COMMIT DELETE ROWS), so DELETE only ever removes the rows of an earlier statement
-- of the same transaction.
SET LOCAL ROLE plaint_owner;

CREATE OR REPLACE FUNCTION plaint.projection_events_reset() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, plaint AS $$
BEGIN
    IF to_regclass('pg_temp.proj_ev') IS NULL THEN
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
    ELSE
        DELETE FROM pg_temp.proj_ev;
    END IF;
END
$$;
