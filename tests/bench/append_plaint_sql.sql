-- Diagnostic for the append benchmark (tests/bench/run.sh): plaint_ledger_append's own two
-- statements (src/store/pg_ledger.c SQL_LOCK_HEAD and SQL_INSERT) driven by pgbench, on the
-- bench.* copies of the tables, the event hash computed by sha256() instead of in the client.
-- Run with -M prepared it shows what preparing those statements once per connection would give;
-- with -M extended (unnamed statements, parsed and planned every time, as PQexecParams does)
-- it should match plaint_ledger_append itself. Needs -M extended or prepared (\gset of a bytea).
\set c random(0, :ncases - 1)
\set n random(1, 500000)
BEGIN;
INSERT INTO bench.ledger_case_head AS h (case_id, last_seq, last_hash)
    VALUES ('B-' || lpad(:c::text, 6, '0'), 0, sha256(''::bytea))
    ON CONFLICT (case_id) DO UPDATE SET last_seq = h.last_seq
    RETURNING last_seq, last_hash, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_us \gset
WITH e AS (INSERT INTO bench.ledger_event (case_id, case_seq, event_type, actor,
      actor_role, occurred_at, payload, prev_hash, hash, idempotency_key)
      VALUES ('B-' || lpad(:c::text, 6, '0'), :last_seq + 1, 'complaint.note', 'agent-042',
      'operator', 'epoch'::timestamptz + :now_us::bigint * interval '1 microsecond',
      '{"amount":{"currency":"EUR","minor":' || :n || '},"channel":"email","n":' || :n ||
      ',"note":"customer reports card payment declined twice refund requested","step":1}',
      :last_hash, sha256(:last_hash::bytea || :n::text::bytea), NULL) RETURNING id),
  p AS (INSERT INTO bench.ledger_pending (event_id) SELECT id FROM e)
UPDATE bench.ledger_case_head SET last_seq = :last_seq + 1,
    last_hash = sha256(:last_hash::bytea || :n::text::bytea)
    WHERE case_id = 'B-' || lpad(:c::text, 6, '0')
    RETURNING (SELECT id FROM e);
END;
