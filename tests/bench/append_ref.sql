-- pgbench reference for the append benchmark (tests/bench/run.sh): the bare minimum in SQL to
-- append one event to a case's hash chain: lock the case's head row, insert the event chained
-- onto it, advance the head. Tables bench.ledger_case_head and bench.ledger_event are copies
-- (LIKE ... INCLUDING ALL) of the plaint tables; run.sh fills the heads of cases
-- B-000000..B-(ncases-1). Only integer variables, so it works with -M simple/extended/prepared.
\set c random(0, :ncases - 1)
\set n random(1, 500000)
BEGIN;
SELECT last_seq FROM bench.ledger_case_head
    WHERE case_id = 'B-' || lpad(:c::text, 6, '0') FOR UPDATE;
INSERT INTO bench.ledger_event (case_id, case_seq, event_type, actor, actor_role, occurred_at,
    payload, prev_hash, hash)
    SELECT h.case_id, h.last_seq + 1, 'complaint.note', 'agent-042', 'operator',
    clock_timestamp(),
    '{"amount":{"currency":"EUR","minor":' || :n || '},"channel":"email","n":' || :n ||
    ',"note":"customer reports card payment declined twice refund requested","step":1}',
    h.last_hash, sha256(h.last_hash || :n::text::bytea)
    FROM bench.ledger_case_head h WHERE h.case_id = 'B-' || lpad(:c::text, 6, '0');
UPDATE bench.ledger_case_head SET last_seq = last_seq + 1,
    last_hash = sha256(last_hash || :n::text::bytea)
    WHERE case_id = 'B-' || lpad(:c::text, 6, '0');
END;
