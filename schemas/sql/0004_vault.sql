-- 0004: the personal-data vault (docs/privacy.md): data subjects with their wrapped data keys,
-- their encrypted personal fields, and legal holds. These tables are not history: they change and
-- rows are deleted on erasure. The history is the ledger: every change to them is a ledger event
-- (case "subject:<id>", or "keys" for rotations) written in the same transaction, and those
-- events carry only vault references and salted commitments, never personal data.
SET LOCAL ROLE plaint_owner;

-- One row per data subject. wrapped_dek is the subject's data key wrapped under a master key
-- ("pdk1" blob, 96 bytes); erasure sets it to NULL, which crypto-shreds every copy of the
-- subject's ciphertext.
CREATE TABLE plaint.vault_subject (
    subject_id      text PRIMARY KEY CHECK (subject_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    record_class    text NOT NULL CHECK (record_class ~ '^[a-z][a-z0-9._-]{0,63}$'),
    retention_start timestamptz,
    wrapped_dek     bytea CHECK (octet_length(wrapped_dek) = 96),
    master_key_id   text CHECK (master_key_id ~ '^[0-9a-f]{32}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    erased_at       timestamptz,
    erased_reason   text CHECK (octet_length(erased_reason) BETWEEN 1 AND 500),
    CHECK ((erased_at IS NULL AND wrapped_dek IS NOT NULL AND master_key_id IS NOT NULL
            AND erased_reason IS NULL)
        OR (erased_at IS NOT NULL AND wrapped_dek IS NULL AND master_key_id IS NULL
            AND erased_reason IS NOT NULL))
);

-- Encrypted personal fields: sealed = AES-256-GCM of salt(16) || value under the subject's data
-- key, so the commitment salt is as unreadable as the value once the key is gone.
CREATE TABLE plaint.vault_item (
    item_id    bigserial PRIMARY KEY,
    subject_id text NOT NULL REFERENCES plaint.vault_subject (subject_id),
    field      text NOT NULL CHECK (field IN ('name', 'email', 'phone', 'address', 'narrative')),
    sealed     bytea NOT NULL CHECK (octet_length(sealed) >= 12 + 16 + 16),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vault_item_subject ON plaint.vault_item (subject_id);

-- Legal holds: while a hold is not released, the subject may not be erased.
CREATE TABLE plaint.legal_hold (
    hold_id     bigserial PRIMARY KEY,
    subject_id  text NOT NULL REFERENCES plaint.vault_subject (subject_id),
    reason      text NOT NULL CHECK (octet_length(reason) BETWEEN 1 AND 500),
    placed_by   text NOT NULL,
    placed_at   timestamptz NOT NULL DEFAULT now(),
    released_at timestamptz,
    released_by text,
    CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE INDEX legal_hold_active ON plaint.legal_hold (subject_id) WHERE released_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON plaint.vault_subject, plaint.legal_hold TO plaint_app;
GRANT SELECT, INSERT, DELETE ON plaint.vault_item TO plaint_app;
GRANT USAGE ON SEQUENCE plaint.vault_item_item_id_seq, plaint.legal_hold_hold_id_seq
    TO plaint_app;
-- Auditors see who is in the vault, retention and erasure facts and holds; never ciphertext and
-- not the wrapped data keys.
GRANT SELECT (subject_id, record_class, retention_start, master_key_id, created_at, erased_at,
              erased_reason) ON plaint.vault_subject TO plaint_auditor;
GRANT SELECT ON plaint.legal_hold TO plaint_auditor;
