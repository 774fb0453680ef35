-- 0013: the HTTP API's idempotency keys (docs/api.md), and readiness.
--
-- api_idempotency holds, per authenticated user and Idempotency-Key, the SHA-256 of the request
-- (method, path and body) and the response given, so that a replayed POST gets the same answer
-- and creates nothing new, and the same key with another request is refused (409). status 0
-- marks a request still being answered. These rows are a cache of answers, not history: the
-- ledger stays the record of what happened; a row whose request failed with a server error is
-- deleted so that the client may retry.

-- /readyz compares the migrations applied with the files shipped: the service (plaint_app) may
-- read the list of applied migrations, nothing else in plaint_meta.
GRANT USAGE ON SCHEMA plaint_meta TO plaint_app;
GRANT SELECT ON plaint_meta.migration TO plaint_app;

SET LOCAL ROLE plaint_owner;

CREATE TABLE plaint.api_idempotency (
    principal    text NOT NULL CHECK (octet_length(principal) BETWEEN 1 AND 200),
    idem_key     text NOT NULL CHECK (octet_length(idem_key) BETWEEN 1 AND 200),
    request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    status       integer NOT NULL CHECK (status = 0 OR status BETWEEN 200 AND 599),
    response     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, idem_key)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON plaint.api_idempotency TO plaint_app;
GRANT SELECT ON plaint.api_idempotency TO plaint_auditor;
