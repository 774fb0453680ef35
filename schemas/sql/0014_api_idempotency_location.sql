-- 0014: the Location header of an answer kept for an Idempotency-Key (docs/api.md,
-- "Idempotency"): a replayed POST that created something (201) answers with the same Location
-- as the first time, not only the same status and body. NULL: the answer had none (and for the
-- rows stored before this migration, which replay without it as before).
SET LOCAL ROLE plaint_owner;

ALTER TABLE plaint.api_idempotency
    ADD COLUMN location text CHECK (location IS NULL OR octet_length(location) BETWEEN 1 AND 255);
