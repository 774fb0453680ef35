-- 0016: the compliance dashboard's sessions (docs/web.md). Signing in with a plaint token makes a
-- session: a random 256-bit id in the browser's cookie, only its SHA-256 here, the user, and an
-- expiry (8 hours), and the token signed in with. The cookie is never the token itself, so signing
-- out (which deletes the row) ends the session for good and a stolen cookie is not an API
-- credential. Every request still checks that the token is not revoked, that the user is enabled
-- and that its roles allow report.read. Not history: the ledger keeps the denials; rows are
-- deleted when signing out and when they expire.
SET LOCAL ROLE plaint_owner;

CREATE TABLE plaint.web_session (
    session_hash text PRIMARY KEY CHECK (session_hash ~ '^[0-9a-f]{64}$'),
    user_id      text NOT NULL CHECK (octet_length(user_id) BETWEEN 1 AND 200),
    token_id     text NOT NULL REFERENCES plaint.api_token (token_id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX web_session_expires ON plaint.web_session (expires_at);

GRANT SELECT, INSERT, DELETE ON plaint.web_session TO plaint_app;
