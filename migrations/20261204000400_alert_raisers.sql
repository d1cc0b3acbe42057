-- A second raiser joins visibly (issue #16, finding 10). Raising with the dedup key of an open
-- alert joins it: the joiner is kept here with the id they raised under (so a replay of their
-- request finds the same alert), the timeline says who joined, and they may follow the alert
-- as its first raiser can.

CREATE TABLE alert_raisers (
    -- The id the joiner raised with; never an alert's own id.
    trigger_id  uuid PRIMARY KEY,
    alert_id    uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id),
    joined_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_raisers_alert_idx ON alert_raisers (alert_id, user_id);

-- The one visibility rule for an alert within its agency: responders (coordinators) see every
-- alert; anyone else the alerts they raised or joined.
CREATE FUNCTION alert_visible_to(alert uuid, raised_by uuid, viewer uuid, responder boolean)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT responder OR raised_by = viewer
        OR EXISTS (SELECT 1 FROM alert_raisers r WHERE r.alert_id = alert AND r.user_id = viewer)
$$;
