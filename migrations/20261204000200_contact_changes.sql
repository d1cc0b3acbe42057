-- Telling a replay from a new change (issue #18, findings 1 and 2). A phone's outbox sends each
-- change once or more (an answer lost after commit is sent again), with its own change id as
-- `Idempotency-Key` (without one, the server keys the change by a hash of the request). The
-- server keeps which change made which version, so a change seen before is answered as a
-- replay (never a conflict, never applied twice) and a new one is applied.

CREATE TABLE contact_changes (
    contact_id    uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    -- The phone's change id, or `sha256:` and the request's hash when it sent none.
    change_key    text NOT NULL CHECK (length(change_key) BETWEEN 1 AND 100),
    -- SHA-256 of the request (body and If-Match): a key reused for another request is refused.
    request_hash  bytea NOT NULL,
    version       bigint NOT NULL,
    user_id       uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contact_id, change_key)
);

-- Who made the current version: a change sent without a version (an edit made on a phone
-- before its create was delivered) applies on top of the writer's own last change, and is a
-- conflict when someone else changed the record since.
-- NULL on rows from before this column: read as the record's advocate (no rewrite of the table,
-- and no sync change for every contact).
ALTER TABLE contacts ADD COLUMN updated_by uuid REFERENCES users (id);
