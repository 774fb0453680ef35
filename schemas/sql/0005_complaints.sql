-- 0005: complaints, customers, orders, tasks, refunds, the outbox: the projections of the ledger.
--
-- Every table here is a projection: its rows are written only by plaint.project_event(), which
-- runs as a trigger for every event appended to plaint.ledger_event on a complaint case
-- ("CMP-...") or a customer case ("customer:..."), in the same transaction as the append. The
-- application role may read these tables but never write them, so nothing changes in them
-- without a ledger event saying so; `plaint ledger replay` empties them and runs the same
-- function over every event again (plaint.projection_rebuild), which must give the same rows.
-- Rules that keep replay exact: projections take times from the event (occurred_at or the
-- payload), never from now(); identifiers come from the payload, never from sequences; effects
-- that span cases (a customer's balance and complaint count) are sums, so their order does not
-- matter. The projector also re-checks the facts an event asserts (the status it moves from,
-- a refund's state) and raises, aborting the append, if they do not hold.
-- Event catalogue and payloads: docs/workflow.md ("Events").
SET LOCAL ROLE plaint_owner;

-- Reference numbers: CMP-<year>-<number>, numbers from one sequence (gaps after a rollback are
-- harmless; the reference only has to be unique and never reused).
CREATE SEQUENCE plaint.complaint_ref_seq;

CREATE TABLE plaint.customer (
    customer_id      text PRIMARY KEY CHECK (customer_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    subject_id       text,          -- the vault subject holding name/email (no personal data here)
    tier             text NOT NULL,
    lifetime_value   bigint NOT NULL CHECK (lifetime_value >= 0),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance          bigint NOT NULL DEFAULT 0, -- minor units of currency; credits add
    complaints       integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL
);

CREATE TABLE plaint.customer_order (
    order_ref   text PRIMARY KEY,
    customer_id text NOT NULL REFERENCES plaint.customer (customer_id),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    placed_at   timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE TABLE plaint.order_line (
    order_ref   text NOT NULL REFERENCES plaint.customer_order (order_ref),
    line_no     integer NOT NULL CHECK (line_no >= 1),
    sku         text NOT NULL,
    description text NOT NULL,
    unit_amount bigint NOT NULL CHECK (unit_amount >= 0),
    quantity    bigint NOT NULL CHECK (quantity >= 0),
    tax_rate_bp integer NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 100000),
    PRIMARY KEY (order_ref, line_no)
);

CREATE TABLE plaint.credit_note (
    order_ref  text NOT NULL REFERENCES plaint.customer_order (order_ref),
    credit_ref text NOT NULL,
    amount     bigint NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (order_ref, credit_ref)
);

CREATE TABLE plaint.complaint (
    ref                text PRIMARY KEY CHECK (ref ~ '^CMP-[0-9]{4}-[0-9]{6,}$'),
    source_system      text,
    source_id          text,
    channel            text NOT NULL,
    category           text NOT NULL,
    sub_category       text,
    product            text,
    issue              text,
    sub_issue          text,
    company            text,
    narrative          text,         -- only for complaints with no data subject (docs/privacy.md)
    narrative_ref      text,         -- vault reference when the narrative is personal data
    urgency            text NOT NULL,
    customer_id        text REFERENCES plaint.customer (customer_id),
    customer_tier      text,
    lifetime_value     bigint,
    previous_complaints integer,
    severity_score     integer,
    severity_level     text,
    team               text,
    owner              text,
    status             text NOT NULL,
    order_ref          text REFERENCES plaint.customer_order (order_ref),
    duplicate_of       text REFERENCES plaint.complaint (ref),
    repeat_of          text REFERENCES plaint.complaint (ref),
    month              text,
    month_count        integer,
    sla_calendar       text,
    sla_target         text,
    first_response_due timestamptz,
    summary_due        timestamptz,
    final_due          timestamptz,
    escalation         text,         -- highest target reached on the escalation path
    upheld             boolean,
    redress            bigint,
    currency           text,
    root_cause         text,
    satisfaction       integer CHECK (satisfaction BETWEEN 1 AND 5),
    reopened           integer NOT NULL DEFAULT 0,
    received_at        timestamptz NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    first_response_at  timestamptz,
    resolved_at        timestamptz,
    closed_at          timestamptz,
    archived_at        timestamptz,
    UNIQUE (source_system, source_id)
);
CREATE INDEX complaint_status ON plaint.complaint (status);
CREATE INDEX complaint_customer ON plaint.complaint (customer_id, received_at);
CREATE INDEX complaint_received ON plaint.complaint (received_at);
CREATE INDEX complaint_category ON plaint.complaint (category, received_at);

-- Fields of the source record kept as they came (e.g. CFPB "Company response to consumer").
CREATE TABLE plaint.complaint_source_field (
    ref   text NOT NULL REFERENCES plaint.complaint (ref),
    name  text NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (ref, name)
);

CREATE TABLE plaint.complaint_status_history (
    ref     text NOT NULL REFERENCES plaint.complaint (ref),
    seq     bigint NOT NULL,    -- the event's case_seq
    at      timestamptz NOT NULL,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    actor   text NOT NULL,
    reason  text,
    PRIMARY KEY (ref, seq)
);

CREATE TABLE plaint.complaint_note (
    ref    text NOT NULL REFERENCES plaint.complaint (ref),
    seq    bigint NOT NULL,
    at     timestamptz NOT NULL,
    author text NOT NULL,
    kind   text NOT NULL,      -- note | correspondence_in | correspondence_out
    text   text NOT NULL,
    PRIMARY KEY (ref, seq)
);

CREATE TABLE plaint.task (
    task_id     text PRIMARY KEY,  -- <ref>/T<n>
    ref         text NOT NULL REFERENCES plaint.complaint (ref),
    kind        text NOT NULL,     -- investigation | tier2_investigation | refund_approval
    role        text NOT NULL,
    assignee    text,
    title       text NOT NULL,
    status      text NOT NULL CHECK (status IN ('open', 'done')),
    refund_id   text,
    created_at  timestamptz NOT NULL,
    due_at      timestamptz,
    done_at     timestamptz,
    done_by     text
);
CREATE INDEX task_ref ON plaint.task (ref);
CREATE INDEX task_open ON plaint.task (role, status);

CREATE TABLE plaint.task_item (
    task_id   text NOT NULL REFERENCES plaint.task (task_id),
    item_id   text NOT NULL,
    position  integer NOT NULL,
    text      text NOT NULL,
    mandatory boolean NOT NULL,
    done_at   timestamptz,
    done_by   text,
    PRIMARY KEY (task_id, item_id)
);

CREATE TABLE plaint.refund (
    refund_id    text PRIMARY KEY,  -- <ref>/R<n>
    ref          text NOT NULL REFERENCES plaint.complaint (ref),
    customer_id  text NOT NULL REFERENCES plaint.customer (customer_id),
    order_ref    text REFERENCES plaint.customer_order (order_ref),
    currency     text NOT NULL,
    net          bigint NOT NULL,
    tax          bigint NOT NULL,
    credits      bigint NOT NULL,
    total        bigint NOT NULL CHECK (total >= 0),
    status       text NOT NULL CHECK (status IN ('proposed', 'approved', 'credited')),
    reason       text,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    approved_by  text,
    approved_at  timestamptz,
    credited_at  timestamptz
);

CREATE TABLE plaint.resolution_log (
    ref        text NOT NULL REFERENCES plaint.complaint (ref),
    seq        bigint NOT NULL,
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    outcome    text NOT NULL,
    summary    text NOT NULL,
    upheld     boolean NOT NULL,
    redress    bigint NOT NULL,
    currency   text,
    root_cause text,
    PRIMARY KEY (ref, seq)
);

CREATE TABLE plaint.escalation (
    ref     text NOT NULL REFERENCES plaint.complaint (ref),
    seq     bigint NOT NULL,
    at      timestamptz NOT NULL,
    target  text NOT NULL,
    rules   text NOT NULL,      -- the matching rules, comma-separated
    timer   text,               -- the breached SLA timer, if that was a reason
    PRIMARY KEY (ref, seq)
);

-- Corrective and preventive actions (C8), tracked to completion.
CREATE TABLE plaint.capa (
    action_id  text PRIMARY KEY,   -- <ref>/A<n>
    ref        text NOT NULL REFERENCES plaint.complaint (ref),
    kind       text NOT NULL CHECK (kind IN ('corrective', 'preventive')),
    text       text NOT NULL,
    status     text NOT NULL CHECK (status IN ('open', 'done')),
    created_at timestamptz NOT NULL,
    done_at    timestamptz
);

-- The transactional outbox: a message is queued in the transaction of the event that causes
-- it, and delivery is recorded by another event, so it is never lost and never sent twice.
CREATE TABLE plaint.outbox (
    message_id  text PRIMARY KEY,  -- <ref>/M<n>
    ref         text NOT NULL REFERENCES plaint.complaint (ref),
    kind        text NOT NULL,     -- acknowledgement | resolution | ...
    recipient   text,              -- customer id (address in the vault), NULL: none known
    subject     text NOT NULL,
    body        text NOT NULL,
    status      text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    queued_at   timestamptz NOT NULL,
    sent_at     timestamptz,
    last_error  text
);
CREATE INDEX outbox_queued ON plaint.outbox (queued_at) WHERE status = 'queued';

-- Helpers for the projector.
CREATE FUNCTION plaint.jtext(p jsonb, k text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT p ->> k $$;

-- Applies one event to the projections. Unknown event types on these cases are ignored (the
-- ledger may carry more than the projections show).
CREATE FUNCTION plaint.project_event(e plaint.ledger_event) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, plaint AS $$
DECLARE
    p jsonb := e.payload::jsonb;
    cur text;
    n integer;
    item jsonb;
    pos integer;
BEGIN
    CASE e.event_type
    WHEN 'customer.recorded' THEN
        INSERT INTO plaint.customer (customer_id, subject_id, tier, lifetime_value, currency,
                                     balance, created_at)
        VALUES (p->>'customer', p->>'subject', p->>'tier', (p->>'lifetime_value')::bigint,
                p->>'currency', COALESCE((p->>'balance')::bigint, 0), e.occurred_at);
    WHEN 'order.recorded' THEN
        INSERT INTO plaint.customer_order (order_ref, customer_id, currency, placed_at, recorded_at)
        VALUES (p->>'order', p->>'customer', p->>'currency', (p->>'placed_at')::timestamptz,
                e.occurred_at);
        INSERT INTO plaint.order_line (order_ref, line_no, sku, description, unit_amount,
                                       quantity, tax_rate_bp)
        SELECT p->>'order', (l->>'line')::integer, l->>'sku', l->>'description',
               (l->>'unit_amount')::bigint, (l->>'quantity')::bigint, (l->>'tax_rate_bp')::integer
        FROM jsonb_array_elements(p->'lines') AS l;
        INSERT INTO plaint.credit_note (credit_ref, order_ref, amount)
        SELECT c->>'credit', p->>'order', (c->>'amount')::bigint
        FROM jsonb_array_elements(COALESCE(p->'credit_notes', '[]'::jsonb)) AS c;
    WHEN 'complaint.received' THEN
        INSERT INTO plaint.complaint (ref, source_system, source_id, channel, category,
            sub_category, product, issue, sub_issue, company, narrative, narrative_ref, urgency,
            customer_id, status, duplicate_of, repeat_of, received_at, created_at, updated_at)
        VALUES (e.case_id, p->>'source_system', p->>'source_id', p->>'channel', p->>'category',
            p->>'sub_category', p->>'product', p->>'issue', p->>'sub_issue', p->>'company',
            p->>'narrative', p->>'narrative_ref', p->>'urgency', p->>'customer', 'new',
            p->>'duplicate_of', p->>'repeat_of', (p->>'received_at')::timestamptz,
            e.occurred_at, e.occurred_at);
        INSERT INTO plaint.complaint_source_field (ref, name, value)
        SELECT e.case_id, f.key, f.value FROM jsonb_each_text(COALESCE(p->'source_fields',
                                                                       '{}'::jsonb)) AS f;
        IF p->>'customer' IS NOT NULL THEN
            UPDATE plaint.customer SET complaints = complaints + 1
            WHERE customer_id = p->>'customer';
        END IF;
    WHEN 'complaint.profile_fetched' THEN
        UPDATE plaint.complaint SET customer_tier = p->>'tier',
            lifetime_value = (p->>'lifetime_value')::bigint,
            previous_complaints = (p->>'previous_complaints')::integer,
            updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.severity_scored' THEN
        UPDATE plaint.complaint SET severity_score = (p->>'score')::integer,
            severity_level = p->>'level', updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.routed' THEN
        UPDATE plaint.complaint SET team = p->>'team', updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.sla_set' THEN
        UPDATE plaint.complaint SET sla_calendar = p->>'calendar', sla_target = p->>'target',
            first_response_due = (p->>'first_response_due')::timestamptz,
            summary_due = (p->>'summary_resolution_due')::timestamptz,
            final_due = (p->>'final_response_due')::timestamptz, updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.order_linked' THEN
        UPDATE plaint.complaint SET order_ref = p->>'order', updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.month_counted' THEN
        UPDATE plaint.complaint SET month = p->>'month', month_count = (p->>'count')::integer,
            updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.assigned' THEN
        SELECT owner INTO cur FROM plaint.complaint WHERE ref = e.case_id;
        IF cur IS DISTINCT FROM p->>'previous' THEN
            RAISE EXCEPTION 'plaint: % is owned by %, not % (concurrent change?)',
                e.case_id, COALESCE(cur, 'nobody'), COALESCE(p->>'previous', 'nobody')
                USING ERRCODE = 'serialization_failure';
        END IF;
        UPDATE plaint.complaint SET owner = p->>'owner', updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.status_changed' THEN
        SELECT status INTO cur FROM plaint.complaint WHERE ref = e.case_id;
        IF cur IS DISTINCT FROM p->>'from' THEN
            RAISE EXCEPTION 'plaint: % is %, not % (concurrent change?)',
                e.case_id, COALESCE(cur, 'missing'), p->>'from'
                USING ERRCODE = 'serialization_failure';
        END IF;
        INSERT INTO plaint.complaint_status_history (ref, seq, at, from_status, to_status, actor,
                                                     reason)
        VALUES (e.case_id, e.case_seq, e.occurred_at, p->>'from', p->>'to', e.actor,
                p->>'reason');
        UPDATE plaint.complaint SET status = p->>'to', updated_at = e.occurred_at,
            resolved_at = CASE WHEN p->>'to' = 'resolved' THEN e.occurred_at
                               WHEN p->>'to' = 'reopened' THEN NULL ELSE resolved_at END,
            closed_at = CASE WHEN p->>'to' IN ('closed', 'rejected', 'withdrawn')
                             THEN e.occurred_at
                             WHEN p->>'to' = 'reopened' THEN NULL ELSE closed_at END,
            archived_at = CASE WHEN p->>'to' = 'archived' THEN e.occurred_at ELSE archived_at END,
            reopened = reopened + CASE WHEN p->>'to' = 'reopened' THEN 1 ELSE 0 END,
            escalation = CASE WHEN p->>'to' = 'reopened' THEN NULL ELSE escalation END
        WHERE ref = e.case_id;
    WHEN 'complaint.noted' THEN
        INSERT INTO plaint.complaint_note (ref, seq, at, author, kind, text)
        VALUES (e.case_id, e.case_seq, e.occurred_at, e.actor,
                COALESCE(p->>'kind', 'note'), p->>'text');
        IF p->>'kind' = 'correspondence_out' THEN
            UPDATE plaint.complaint SET first_response_at = COALESCE(first_response_at,
                                                                      e.occurred_at)
            WHERE ref = e.case_id;
        END IF;
    WHEN 'task.created' THEN
        INSERT INTO plaint.task (task_id, ref, kind, role, assignee, title, status, refund_id,
                                 created_at, due_at)
        VALUES (p->>'task', e.case_id, p->>'kind', p->>'role', p->>'assignee', p->>'title',
                'open', p->>'refund', e.occurred_at, (p->>'due_at')::timestamptz);
        pos := 0;
        FOR item IN SELECT * FROM jsonb_array_elements(COALESCE(p->'checklist', '[]'::jsonb))
        LOOP
            pos := pos + 1;
            INSERT INTO plaint.task_item (task_id, item_id, position, text, mandatory)
            VALUES (p->>'task', item->>'item', pos, item->>'text', (item->>'mandatory')::boolean);
        END LOOP;
    WHEN 'task.item_checked' THEN
        UPDATE plaint.task_item SET done_at = e.occurred_at, done_by = e.actor
        WHERE task_id = p->>'task' AND item_id = p->>'item' AND done_at IS NULL;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n <> 1 THEN
            RAISE EXCEPTION 'plaint: checklist item %/% is not open', p->>'task', p->>'item'
                USING ERRCODE = 'serialization_failure';
        END IF;
    WHEN 'task.completed' THEN
        IF EXISTS (SELECT 1 FROM plaint.task_item WHERE task_id = p->>'task' AND mandatory
                   AND done_at IS NULL) THEN
            RAISE EXCEPTION 'plaint: task % has open mandatory checklist items', p->>'task'
                USING ERRCODE = 'check_violation';
        END IF;
        UPDATE plaint.task SET status = 'done', done_at = e.occurred_at, done_by = e.actor
        WHERE task_id = p->>'task' AND status = 'open';
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n <> 1 THEN
            RAISE EXCEPTION 'plaint: task % is not open', p->>'task'
                USING ERRCODE = 'serialization_failure';
        END IF;
    WHEN 'task.reassigned' THEN
        UPDATE plaint.task SET assignee = p->>'assignee' WHERE task_id = p->>'task';
    WHEN 'refund.proposed' THEN
        INSERT INTO plaint.refund (refund_id, ref, customer_id, order_ref, currency, net, tax,
            credits, total, status, reason, requested_by, requested_at)
        VALUES (p->>'refund', e.case_id, p->>'customer', p->>'order', p->>'currency',
            (p->>'net')::bigint, (p->>'tax')::bigint, (p->>'credits')::bigint,
            (p->>'total')::bigint, 'proposed', p->>'reason', e.actor, e.occurred_at);
    WHEN 'refund.approved' THEN
        UPDATE plaint.refund SET status = 'approved', approved_by = e.actor,
            approved_at = e.occurred_at
        WHERE refund_id = p->>'refund' AND status = 'proposed' AND requested_by <> e.actor;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n <> 1 THEN
            RAISE EXCEPTION 'plaint: refund % is not awaiting approval by %', p->>'refund',
                e.actor USING ERRCODE = 'check_violation';
        END IF;
    WHEN 'refund.credited' THEN
        UPDATE plaint.refund SET status = 'credited', credited_at = e.occurred_at
        WHERE refund_id = p->>'refund' AND status = 'approved'
          AND total = (p->>'amount')::bigint AND currency = p->>'currency';
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n <> 1 THEN
            RAISE EXCEPTION 'plaint: refund % is not approved and uncredited', p->>'refund'
                USING ERRCODE = 'check_violation';
        END IF;
        UPDATE plaint.customer SET balance = balance + (p->>'amount')::bigint
        WHERE customer_id = p->>'customer' AND currency = p->>'currency';
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n <> 1 THEN
            RAISE EXCEPTION 'plaint: customer % has no % account', p->>'customer',
                p->>'currency' USING ERRCODE = 'check_violation';
        END IF;
    WHEN 'resolution.logged' THEN
        INSERT INTO plaint.resolution_log (ref, seq, at, actor, outcome, summary, upheld,
                                           redress, currency, root_cause)
        VALUES (e.case_id, e.case_seq, e.occurred_at, e.actor, p->>'outcome', p->>'summary',
                (p->>'upheld')::boolean, (p->>'redress')::bigint, p->>'currency',
                p->>'root_cause');
        UPDATE plaint.complaint SET upheld = (p->>'upheld')::boolean,
            redress = (p->>'redress')::bigint, currency = p->>'currency',
            root_cause = COALESCE(p->>'root_cause', root_cause),
            first_response_at = COALESCE(first_response_at, e.occurred_at),
            updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.escalated' THEN
        INSERT INTO plaint.escalation (ref, seq, at, target, rules, timer)
        VALUES (e.case_id, e.case_seq, e.occurred_at, p->>'target', p->>'rules', p->>'timer');
        UPDATE plaint.complaint SET escalation = p->>'target', updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.root_cause_tagged' THEN
        UPDATE plaint.complaint SET root_cause = p->>'cause', updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'complaint.satisfaction_recorded' THEN
        UPDATE plaint.complaint SET satisfaction = (p->>'score')::integer,
            updated_at = e.occurred_at
        WHERE ref = e.case_id;
    WHEN 'capa.opened' THEN
        INSERT INTO plaint.capa (action_id, ref, kind, text, status, created_at)
        VALUES (p->>'action', e.case_id, p->>'kind', p->>'text', 'open', e.occurred_at);
    WHEN 'capa.done' THEN
        UPDATE plaint.capa SET status = 'done', done_at = e.occurred_at
        WHERE action_id = p->>'action' AND status = 'open';
    WHEN 'notification.queued' THEN
        INSERT INTO plaint.outbox (message_id, ref, kind, recipient, subject, body, status,
                                   queued_at)
        VALUES (p->>'message', e.case_id, p->>'kind', p->>'recipient', p->>'subject',
                p->>'body', 'queued', e.occurred_at);
    WHEN 'notification.sent' THEN
        UPDATE plaint.outbox SET status = 'sent', sent_at = e.occurred_at,
            attempts = attempts + 1
        WHERE message_id = p->>'message' AND status <> 'sent';
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n <> 1 THEN
            RAISE EXCEPTION 'plaint: message % was already sent', p->>'message'
                USING ERRCODE = 'unique_violation';
        END IF;
    WHEN 'notification.failed' THEN
        UPDATE plaint.outbox SET attempts = attempts + 1, last_error = p->>'error'
        WHERE message_id = p->>'message' AND status = 'queued';
    ELSE
        NULL;
    END CASE;
END
$$;
REVOKE ALL ON FUNCTION plaint.project_event(plaint.ledger_event) FROM PUBLIC;

CREATE FUNCTION plaint.project_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, plaint AS $$
BEGIN
    PERFORM plaint.project_event(NEW);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION plaint.project_trigger() FROM PUBLIC;

-- Only complaint and customer cases are projected; other cases (security log, subjects, policy,
-- bulk test data) skip the trigger in the WHEN test without calling PL/pgSQL.
CREATE TRIGGER project AFTER INSERT ON plaint.ledger_event
    FOR EACH ROW WHEN (NEW.case_id LIKE 'CMP-%' OR NEW.case_id LIKE 'customer:%')
    EXECUTE FUNCTION plaint.project_trigger();

-- The projection tables, children first (for emptying).
CREATE FUNCTION plaint.projection_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['plaint.outbox', 'plaint.capa', 'plaint.escalation', 'plaint.resolution_log',
                 'plaint.refund', 'plaint.task_item', 'plaint.task', 'plaint.complaint_note',
                 'plaint.complaint_status_history', 'plaint.complaint_source_field',
                 'plaint.complaint', 'plaint.credit_note', 'plaint.order_line',
                 'plaint.customer_order', 'plaint.customer']
$$;

-- One row per projection table: rows and an MD5 over the rows' text in sorted order, so two
-- states can be compared (live vs rebuilt) without copying them out.
CREATE FUNCTION plaint.projection_digest() RETURNS TABLE (table_name text, row_count bigint,
                                                          digest text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, plaint AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY plaint.projection_tables() LOOP
        table_name := t;
        EXECUTE format('SELECT count(*), md5(COALESCE(string_agg(x::text, E''\n'' ORDER BY '
                       'x::text), '''')) FROM %s AS x', t) INTO row_count, digest;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Empties the projections and applies every complaint and customer event again in the order
-- they were appended (event id; within a case that is sequence order). Owner only.
CREATE FUNCTION plaint.projection_rebuild() RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, plaint AS $$
DECLARE
    ev plaint.ledger_event;
    n bigint := 0;
BEGIN
    EXECUTE 'TRUNCATE ' || array_to_string(plaint.projection_tables(), ', ');
    FOR ev IN SELECT * FROM plaint.ledger_event
              WHERE case_id LIKE 'CMP-%' OR case_id LIKE 'customer:%' ORDER BY id LOOP
        PERFORM plaint.project_event(ev);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION plaint.projection_rebuild() FROM PUBLIC;

GRANT SELECT ON plaint.customer, plaint.customer_order, plaint.order_line, plaint.credit_note,
    plaint.complaint, plaint.complaint_source_field, plaint.complaint_status_history,
    plaint.complaint_note, plaint.task, plaint.task_item, plaint.refund, plaint.resolution_log,
    plaint.escalation, plaint.capa, plaint.outbox TO plaint_app, plaint_auditor;
GRANT USAGE ON SEQUENCE plaint.complaint_ref_seq TO plaint_app;
GRANT EXECUTE ON FUNCTION plaint.projection_digest() TO plaint_app, plaint_auditor;
