-- Staff work phones (issue #19): a coordinator calls the advocate who raised an alert, an
-- advocate the coordinator on call. A colleague's work number, never a victim's; set by an
-- admin (PATCH /v1/admin/users/{id}).
ALTER TABLE users ADD COLUMN phone text
    CHECK (phone IS NULL OR length(btrim(phone)) BETWEEN 3 AND 40);

-- What the coordinator wrote when resolving an alert. It may name the victim: sealed like the
-- alert's details (field `alert.resolution_note`).
ALTER TABLE alerts ADD COLUMN resolution_note_sealed bytea;
