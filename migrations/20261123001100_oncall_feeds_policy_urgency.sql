-- Calendar feeds of one's on-call shifts, and escalation policies per urgency (issue 5).

-- A phone calendar subscribes to a secret URL; only the token's SHA-256 is kept, so a copy
-- of the database does not let anyone read the feeds. One feed per person: creating another
-- replaces it (rotation), deleting the row revokes it.
CREATE TABLE oncall_calendar_feeds (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A policy may be for one urgency of a kind; a policy without urgency serves the kind's other
-- urgencies. At most one policy per (kind, urgency), the urgency-less one included.
ALTER TABLE escalation_policies ADD COLUMN urgency text CHECK (urgency IN ('high', 'normal'));
DROP INDEX escalation_policies_kind_key;
CREATE UNIQUE INDEX escalation_policies_kind_key ON escalation_policies (agency_id, kind, urgency)
    NULLS NOT DISTINCT WHERE kind IS NOT NULL;
