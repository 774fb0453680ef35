-- 0002: the case ledger. Byte-level format: docs/ledger-format.md.
--
-- History tables (append-only for every role; triggers refuse UPDATE, DELETE, TRUNCATE):
--   ledger_event       one row per event; per-case hash chain (case_seq, prev_hash, hash)
--   ledger_position    gapless global positions, assigned by the sequencer (= Merkle leaf index)
--   ledger_checkpoint  signed tree heads over positions [0, tree_size), themselves hash-chained
--   ledger_key         public keys that have signed checkpoints (never trusted on their own)
-- Working tables (not history; rebuilt or drained by the program):
--   ledger_case_head   each case's latest (seq, hash): the row appends lock to serialise a case
--   ledger_pending     events committed but not yet given a position
SET LOCAL ROLE plaint_owner;

CREATE TABLE plaint.ledger_event (
    id              bigserial PRIMARY KEY,
    case_id         text NOT NULL CHECK (octet_length(case_id) BETWEEN 1 AND 200),
    case_seq        bigint NOT NULL CHECK (case_seq >= 1),
    event_type      text NOT NULL CHECK (octet_length(event_type) BETWEEN 1 AND 200),
    actor           text NOT NULL CHECK (octet_length(actor) BETWEEN 1 AND 200),
    actor_role      text NOT NULL CHECK (octet_length(actor_role) BETWEEN 1 AND 200),
    occurred_at     timestamptz NOT NULL,
    payload         text NOT NULL,
    prev_hash       bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash            bytea NOT NULL CHECK (octet_length(hash) = 32),
    idempotency_key text CHECK (octet_length(idempotency_key) BETWEEN 1 AND 200),
    UNIQUE (case_id, case_seq)
);
CREATE UNIQUE INDEX ledger_event_idempotency_key ON plaint.ledger_event (idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE plaint.ledger_position (
    position   bigint PRIMARY KEY CHECK (position >= 0),
    event_id   bigint NOT NULL UNIQUE REFERENCES plaint.ledger_event (id),
    event_hash bytea NOT NULL CHECK (octet_length(event_hash) = 32)
);

CREATE TABLE plaint.ledger_key (
    key_id     text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{64}$'),
    public_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plaint.ledger_checkpoint (
    seq        bigint PRIMARY KEY CHECK (seq >= 1),
    tree_size  bigint NOT NULL CHECK (tree_size >= 0),
    root_hash  bytea NOT NULL CHECK (octet_length(root_hash) = 32),
    prev_hash  bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    created_at timestamptz NOT NULL,
    key_id     text NOT NULL REFERENCES plaint.ledger_key (key_id),
    signature  bytea NOT NULL CHECK (octet_length(signature) = 64),
    hash       bytea NOT NULL CHECK (octet_length(hash) = 32),
    -- Merkle frontier after tree_size leaves: a cache that lets the next seal continue without
    -- rereading every position. Not signed; the sealer checks it against root_hash first.
    frontier   bytea NOT NULL
);

CREATE TABLE plaint.ledger_case_head (
    case_id   text PRIMARY KEY,
    last_seq  bigint NOT NULL,
    last_hash bytea NOT NULL
);

CREATE TABLE plaint.ledger_pending (
    event_id bigint PRIMARY KEY
);

SELECT plaint.make_append_only('plaint.ledger_event');
SELECT plaint.make_append_only('plaint.ledger_position');
SELECT plaint.make_append_only('plaint.ledger_checkpoint');
SELECT plaint.make_append_only('plaint.ledger_key');

REVOKE ALL ON ALL TABLES IN SCHEMA plaint FROM PUBLIC;
GRANT SELECT, INSERT ON plaint.ledger_event, plaint.ledger_position, plaint.ledger_checkpoint,
    plaint.ledger_key TO plaint_app;
GRANT SELECT, INSERT, UPDATE ON plaint.ledger_case_head TO plaint_app;
GRANT SELECT, INSERT, DELETE ON plaint.ledger_pending TO plaint_app;
GRANT USAGE ON SEQUENCE plaint.ledger_event_id_seq TO plaint_app;
GRANT SELECT ON ALL TABLES IN SCHEMA plaint TO plaint_auditor;
