-- 0001: database roles, the plaint schema, and the guard that makes history tables append-only.
--
-- Roles (cluster-wide, so created only if missing):
--   plaint_owner   owns every object; cannot log in.
--   plaint_app     the role the program runs as: reads, and appends to history; never changes it.
--   plaint_auditor read-only: verification and reports.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plaint_owner') THEN
        CREATE ROLE plaint_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plaint_app') THEN
        CREATE ROLE plaint_app LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plaint_auditor') THEN
        CREATE ROLE plaint_auditor LOGIN;
    END IF;
END
$$;

CREATE SCHEMA plaint AUTHORIZATION plaint_owner;
REVOKE ALL ON SCHEMA plaint FROM PUBLIC;
GRANT USAGE ON SCHEMA plaint TO plaint_app, plaint_auditor;

-- Everything below is created as, and owned by, plaint_owner.
SET LOCAL ROLE plaint_owner;

-- Raised by triggers on every history table, for every role including the owner: history is
-- never updated, deleted or truncated. Only a superuser who disables the triggers can, and the
-- ledger's hashes and signed checkpoints are what catch that.
CREATE FUNCTION plaint.refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'plaint: % on %.% is not allowed: history is append-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Marks a table as history: triggers refuse UPDATE, DELETE and TRUNCATE for everyone.
-- Privileges are granted per table by the migration that creates it (SELECT, INSERT only).
CREATE FUNCTION plaint.make_append_only(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER refuse_update_delete BEFORE UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION plaint.refuse_history_change()', tbl);
    EXECUTE format('CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION plaint.refuse_history_change()', tbl);
END
$$;
REVOKE ALL ON FUNCTION plaint.make_append_only(regclass) FROM PUBLIC;
