-- Advocate safety: scene check-ins, missed check-outs and duress (issue: alerts, item 6).

CREATE TABLE checkins (
    -- Chosen by the phone, so starting a check-in with no signal and replaying it is harmless.
    id                    uuid PRIMARY KEY,
    agency_id             uuid NOT NULL REFERENCES agencies (id),
    advocate_id           uuid NOT NULL REFERENCES users (id),
    started_at            timestamptz NOT NULL DEFAULT now(),
    expected_end_at       timestamptz NOT NULL,
    grace_minutes         integer NOT NULL CHECK (grace_minutes BETWEEN 0 AND 120),
    -- Sealed JSON {latitude, longitude, precision_m, at}: the last place the phone reported.
    last_location_sealed  bytea,
    state                 text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'checked_out', 'overdue')),
    checked_out_at        timestamptz,
    alert_id              uuid REFERENCES alerts (id),
    CHECK ((state = 'checked_out') = (checked_out_at IS NOT NULL))
);
CREATE INDEX checkins_due_idx ON checkins (expected_end_at) WHERE state = 'active';
CREATE INDEX checkins_advocate_idx ON checkins (advocate_id, started_at DESC);

-- A code an advocate can type at check-out that looks like an ordinary check-out to anyone
-- watching, and raises an alert. Stored as an Argon2id hash, like a password.
ALTER TABLE users ADD COLUMN duress_code_hash text;

-- Overdue check-ins wake the escalation worker too.
CREATE TRIGGER checkins_wake AFTER INSERT OR UPDATE OF expected_end_at ON checkins
    FOR EACH STATEMENT EXECUTE FUNCTION alerts_wake();
