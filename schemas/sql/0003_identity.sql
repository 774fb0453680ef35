-- 0003: users, their roles and their API tokens. These are projections: every change to them is
-- also a ledger event (case "user:<id>") written in the same transaction, and denials are
-- ledger events in the case "security-log".
SET LOCAL ROLE plaint_owner;

CREATE TABLE plaint.app_user (
    user_id      text PRIMARY KEY CHECK (user_id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    display_name text NOT NULL CHECK (octet_length(display_name) BETWEEN 1 AND 200),
    disabled     boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plaint.user_role (
    user_id    text NOT NULL REFERENCES plaint.app_user (user_id),
    role       text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_]{0,63}$'),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role)
);

-- Tokens are stored only as a salted hash: SHA-256("plaint.token.v1\n" || salt || secret).
CREATE TABLE plaint.api_token (
    token_id   text PRIMARY KEY CHECK (token_id ~ '^[0-9a-f]{16}$'),
    user_id    text NOT NULL REFERENCES plaint.app_user (user_id),
    label      text NOT NULL DEFAULT '',
    salt       bytea NOT NULL CHECK (octet_length(salt) = 16),
    hash       bytea NOT NULL CHECK (octet_length(hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- The SHA-256 of each policy file as last recorded on the ledger (case "policy"): a policy
-- file that changed is recorded as a policy.changed event the next time it is loaded.
CREATE TABLE plaint.policy_state (
    name   text PRIMARY KEY,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')
);

GRANT SELECT, INSERT, UPDATE ON plaint.app_user, plaint.api_token, plaint.policy_state
    TO plaint_app;
GRANT SELECT, INSERT, DELETE ON plaint.user_role TO plaint_app;
GRANT SELECT ON plaint.app_user, plaint.user_role, plaint.policy_state TO plaint_auditor;
GRANT SELECT (token_id, user_id, label, created_at, revoked_at) ON plaint.api_token
    TO plaint_auditor;
