-- 0008: only cases named like complaint reference numbers (CMP-YYYY-NNNNNN, the form
-- plaint_complaint_new_refs gives) and customer cases are projected. 0005-0007 projected every
-- case starting with "CMP-", so raw events an older demo wrote to cases such as "CMP-DEMO-..."
-- (legitimate ledger history, not complaints of this workflow) made the projector refuse
-- appends and replay. The ledger keeps such events; the projections ignore them.
SET LOCAL ROLE plaint_owner;

-- The events of one appending statement, projected together.
CREATE OR REPLACE FUNCTION plaint.project_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, plaint AS $$
DECLARE
    got bigint;
BEGIN
    PERFORM projection_events_reset();
    INSERT INTO pg_temp.proj_ev (n, id, case_id, case_seq, event_type, actor, occurred_at, p)
    SELECT row_number() OVER (ORDER BY e.id), e.id, e.case_id, e.case_seq, e.event_type, e.actor,
           e.occurred_at, e.payload::jsonb
    FROM new_events e
    WHERE e.case_id ~ '^CMP-[0-9]{4}-[0-9]{6,}$' OR e.case_id LIKE 'customer:%';
    GET DIAGNOSTICS got = ROW_COUNT;
    IF got > 0 THEN
        IF got > 1000 THEN
            ANALYZE pg_temp.proj_ev;
        END IF;
        PERFORM project_batch();
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION plaint.projection_rebuild() RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, plaint AS $$
DECLARE
    last_id bigint := 0;
    n bigint := 0;
    got bigint;
BEGIN
    EXECUTE 'TRUNCATE ' || array_to_string(projection_tables(), ', ');
    LOOP
        PERFORM projection_events_reset();
        INSERT INTO pg_temp.proj_ev (n, id, case_id, case_seq, event_type, actor, occurred_at,
                                     p)
        SELECT row_number() OVER (ORDER BY x.id), x.id, x.case_id, x.case_seq, x.event_type, x.actor,
               x.occurred_at, x.payload::jsonb
        FROM (SELECT e.* FROM ledger_event e
              WHERE e.id > last_id AND (e.case_id ~ '^CMP-[0-9]{4}-[0-9]{6,}$' OR e.case_id LIKE 'customer:%')
              ORDER BY e.id LIMIT 20000) x;
        GET DIAGNOSTICS got = ROW_COUNT;
        EXIT WHEN got = 0;
        SELECT max(v.id) INTO last_id FROM pg_temp.proj_ev v;
        ANALYZE pg_temp.proj_ev;
        PERFORM project_batch();
        n := n + got;
    END LOOP;
    RETURN n;
END
$$;
