-- 0015: the results of `plaint verify` against the database, for the compliance dashboard and
-- GET /api/v1/verification (docs/web.md). One row per run: when, by whom, whether the ledger
-- verified, what was covered, and the first bad record's reason if it did not. These rows report
-- runs; they prove nothing themselves (anyone who may write them could write a false one): the
-- proof is running `plaint verify` again. plaint_auditor verifies, so it may add rows; nobody
-- changes or deletes them through plaint's roles.
SET LOCAL ROLE plaint_owner;

CREATE TABLE plaint.verify_run (
    run_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL CHECK (octet_length(actor) BETWEEN 1 AND 200),
    ok          boolean NOT NULL,
    events      bigint NOT NULL CHECK (events >= 0),
    checkpoints bigint NOT NULL CHECK (checkpoints >= 0),
    sealed      bigint NOT NULL CHECK (sealed >= 0),
    root_hash   text CHECK (root_hash IS NULL OR root_hash ~ '^[0-9a-f]{64}$'),
    first_bad   text CHECK (first_bad IS NULL OR octet_length(first_bad) <= 1000)
);

GRANT SELECT, INSERT ON plaint.verify_run TO plaint_auditor;
GRANT SELECT ON plaint.verify_run TO plaint_app;
