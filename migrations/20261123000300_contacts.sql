-- Crisis contacts, the people they concern, and risk screenings (issue: contacts).
-- Personal fields are sealed by the application (api/src/encryption.rs): columns ending in
-- `_sealed` hold AES-GCM ciphertext with the key id inside, never plaintext.

CREATE TABLE persons (
    -- Client-generated, so a phone can create a person and their contact offline.
    id             uuid PRIMARY KEY,
    agency_id      uuid NOT NULL REFERENCES agencies (id),
    -- What lists show: a label chosen by the advocate, never the name ("Client 4821").
    pseudonym      text NOT NULL CHECK (length(btrim(pseudonym)) BETWEEN 1 AND 100),
    name_sealed    bytea,
    phone_sealed   bytea,
    address_sealed bytea,
    -- Keyed hashes of the name's words (encryption.rs): search by name without plaintext.
    name_tokens    bytea[] NOT NULL DEFAULT '{}',
    created_by     uuid REFERENCES users (id),
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_agency_idx ON persons (agency_id);
CREATE INDEX persons_name_tokens_idx ON persons USING gin (name_tokens);

CREATE TABLE contacts (
    id                  uuid PRIMARY KEY,
    agency_id           uuid NOT NULL REFERENCES agencies (id),
    advocate_id         uuid NOT NULL REFERENCES users (id),
    person_id           uuid NOT NULL REFERENCES persons (id),
    occurred_at         timestamptz NOT NULL,
    setting             text NOT NULL CHECK (setting IN ('on_scene', 'hospital', 'phone', 'court', 'office', 'other')),
    incident_type       text NOT NULL,
    -- Where it happened, sealed: a scene can be the victim's home. JSON {latitude, longitude, precision_m}.
    location_sealed     bytea,
    -- JSON {safe_phone, safe_times, no_voicemail}.
    safe_contact_sealed bytea,
    needs               text[] NOT NULL DEFAULT '{}',
    services            text[] NOT NULL DEFAULT '{}',
    notes_sealed        bytea,
    -- {share_with: [...], until: date}: who the victim agreed we may share with.
    consent             jsonb,
    status              text NOT NULL CHECK (status IN ('open', 'follow_up', 'closed')),
    closed_at           timestamptz,
    -- Sealed records are visible only to their team (contact_team) and their advocate.
    sealed              boolean NOT NULL DEFAULT false,
    version             bigint NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX contacts_agency_idx ON contacts (agency_id, updated_at DESC);
CREATE INDEX contacts_person_idx ON contacts (person_id);

CREATE TABLE contact_team (
    contact_id  uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (contact_id, user_id)
);

CREATE TABLE referrals (
    id                  uuid PRIMARY KEY,
    contact_id          uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    directory_entry_id  uuid REFERENCES directory_entries (id),
    free_text_sealed    bytea,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (directory_entry_id IS NOT NULL OR free_text_sealed IS NOT NULL)
);
CREATE INDEX referrals_contact_idx ON referrals (contact_id);

CREATE TABLE follow_ups (
    id           uuid PRIMARY KEY,
    contact_id   uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    task_sealed  bytea NOT NULL,
    due_on       date NOT NULL,
    assignee_id  uuid REFERENCES users (id),
    done_at      timestamptz
);
CREATE INDEX follow_ups_contact_idx ON follow_ups (contact_id);
CREATE INDEX follow_ups_assignee_idx ON follow_ups (assignee_id, due_on) WHERE done_at IS NULL;

-- Answers as given and the server's scoring, with the version of the rules that scored them.
CREATE TABLE screenings (
    id                     uuid PRIMARY KEY,
    contact_id             uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    instrument             text NOT NULL CHECK (instrument IN ('lap', 'dash')),
    instrument_version     text NOT NULL,
    input                  jsonb NOT NULL,
    result                 jsonb NOT NULL,
    high_risk              boolean NOT NULL,
    created_by             uuid NOT NULL REFERENCES users (id),
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX screenings_contact_idx ON screenings (contact_id);

-- Alerts owed by the contacts domain (a high screening with no reason recorded not to raise
-- one), written in the same transaction as the screening. The alerts module turns each into an
-- alert and marks it taken; until it exists they wait here, never lost.
CREATE TABLE alert_requests (
    id            uuid PRIMARY KEY,
    agency_id     uuid NOT NULL REFERENCES agencies (id),
    kind          text NOT NULL CHECK (kind IN ('high_risk', 'next_of_kin', 'advocate_safety')),
    contact_id    uuid REFERENCES contacts (id) ON DELETE SET NULL,
    screening_id  uuid REFERENCES screenings (id) ON DELETE SET NULL,
    raised_by     uuid REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    taken_at      timestamptz
);
CREATE INDEX alert_requests_pending_idx ON alert_requests (created_at) WHERE taken_at IS NULL;

-- The one visibility rule for a contact within its agency: a sealed record is seen only by
-- its advocate and its team.
CREATE FUNCTION contact_visible_to(sealed boolean, advocate uuid, contact uuid, viewer uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NOT sealed OR advocate = viewer
        OR EXISTS (SELECT 1 FROM contact_team t WHERE t.contact_id = contact AND t.user_id = viewer)
$$;
