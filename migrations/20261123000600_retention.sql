-- Retention of closed contacts (issue: contacts, "Retention").

-- How long an agency keeps closed contacts; NULL keeps them until someone decides.
ALTER TABLE agencies ADD COLUMN closed_contact_retention_days integer
    CHECK (closed_contact_retention_days BETWEEN 30 AND 36500);

-- What a purge keeps: counts for reports, no record ids and no personal data.
CREATE TABLE retention_counts (
    agency_id      uuid NOT NULL REFERENCES agencies (id),
    month          date NOT NULL CHECK (extract(day FROM month) = 1),
    incident_type  text NOT NULL,
    setting        text NOT NULL,
    contacts       integer NOT NULL DEFAULT 0 CHECK (contacts >= 0),
    high_risk      integer NOT NULL DEFAULT 0 CHECK (high_risk >= 0),
    PRIMARY KEY (agency_id, month, incident_type, setting)
);
