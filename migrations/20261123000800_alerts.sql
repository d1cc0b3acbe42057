-- Alerts and escalation (issue: alerts). Anchors: PagerDuty, Opsgenie, GoAlert (design.md).

-- Ordered levels, each with its targets and how long to wait there before the next level;
-- the whole path repeats `repeat_count` times. One default policy per alert kind per agency.
CREATE TABLE escalation_policies (
    id                   uuid PRIMARY KEY,
    agency_id            uuid NOT NULL REFERENCES agencies (id),
    name                 text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind                 text CHECK (kind IN ('next_of_kin', 'high_risk', 'advocate_safety')),
    repeat_count         integer NOT NULL DEFAULT 0 CHECK (repeat_count BETWEEN 0 AND 10),
    -- An acknowledgement that is not followed by a resolution within this re-triggers.
    ack_timeout_minutes  integer NOT NULL DEFAULT 30 CHECK (ack_timeout_minutes BETWEEN 1 AND 1440),
    -- [{"delay_minutes": 5, "user_ids": ["…"]}, …], at least one level.
    levels               jsonb NOT NULL CHECK (jsonb_typeof(levels) = 'array' AND jsonb_array_length(levels) BETWEEN 1 AND 10),
    version              bigint NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX escalation_policies_kind_key ON escalation_policies (agency_id, kind) WHERE kind IS NOT NULL;

CREATE TABLE alerts (
    -- Chosen by the phone for alerts raised by hand, so a replay joins the same alert.
    id                  uuid PRIMARY KEY,
    agency_id           uuid NOT NULL REFERENCES agencies (id),
    kind                text NOT NULL CHECK (kind IN ('next_of_kin', 'high_risk', 'advocate_safety')),
    urgency             text NOT NULL CHECK (urgency IN ('high', 'normal')),
    state               text NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
    -- A repeated trigger with the same key joins the open alert instead of opening another.
    dedup_key           text CHECK (length(dedup_key) BETWEEN 1 AND 200),
    raised_by           uuid REFERENCES users (id),
    contact_id          uuid REFERENCES contacts (id) ON DELETE SET NULL,
    -- What the raiser wrote, sealed; never in push payloads.
    details_sealed      bytea,
    -- The escalation path as it was when the alert was raised: a later policy change does not
    -- rewrite the path of alerts already running. {"levels": [...], "repeat_count", "ack_timeout_minutes"}
    path                jsonb NOT NULL,
    level               integer NOT NULL DEFAULT 0 CHECK (level >= 0),
    loop_count          integer NOT NULL DEFAULT 0 CHECK (loop_count >= 0),
    -- Each notification round gets its own number, so its deliveries are distinct.
    round               integer NOT NULL DEFAULT 0 CHECK (round >= 0),
    -- When the escalation worker next acts (escalate, or re-trigger after an ack timeout).
    next_escalation_at  timestamptz,
    acknowledged_by     uuid REFERENCES users (id),
    acknowledged_at     timestamptz,
    resolved_by         uuid REFERENCES users (id),
    resolved_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK (state <> 'resolved' OR next_escalation_at IS NULL)
);
CREATE UNIQUE INDEX alerts_open_dedup_key ON alerts (agency_id, dedup_key) WHERE state <> 'resolved';
CREATE INDEX alerts_due_idx ON alerts (next_escalation_at) WHERE next_escalation_at IS NOT NULL;
CREATE INDEX alerts_agency_idx ON alerts (agency_id, created_at DESC);

-- The timeline: every change, with who, when and which level.
CREATE TABLE alert_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id       uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    kind           text NOT NULL CHECK (kind IN ('triggered', 'notified', 'escalated', 'acknowledged',
                       'ack_timeout', 'resolved', 'deduplicated', 'exhausted')),
    actor_user_id  uuid REFERENCES users (id),
    level          integer,
    loop_count     integer,
    details        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, id);

-- Deliveries know their alert, so acknowledging cancels what is still queued.
ALTER TABLE push_deliveries ADD COLUMN alert_id uuid REFERENCES alerts (id) ON DELETE SET NULL;
CREATE INDEX push_deliveries_alert_idx ON push_deliveries (alert_id) WHERE alert_id IS NOT NULL;

CREATE FUNCTION alerts_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fieldline_alerts', '');
    RETURN NULL;
END;
$$;
-- Raised, acknowledged or re-timed alerts and new alert requests wake the escalation worker.
CREATE TRIGGER alerts_wake AFTER INSERT OR UPDATE OF next_escalation_at ON alerts
    FOR EACH STATEMENT EXECUTE FUNCTION alerts_wake();
CREATE TRIGGER alert_requests_wake AFTER INSERT ON alert_requests
    FOR EACH STATEMENT EXECUTE FUNCTION alerts_wake();
