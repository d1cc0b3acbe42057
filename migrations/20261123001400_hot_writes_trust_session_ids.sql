-- Agencies and users are never deleted: someone who leaves is disabled (`users.disabled_at`),
-- because their name has to stay on the records and the audit rows they wrote. Until now only
-- the code kept that rule; the database enforces it from here on.
CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted (disable them instead)', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER agencies_never_deleted BEFORE DELETE ON agencies
    FOR EACH ROW EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER agencies_never_truncated BEFORE TRUNCATE ON agencies
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER users_never_deleted BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER users_never_truncated BEFORE TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();

-- With rows that cannot go away, a foreign key to an agency or a user checks only that the id
-- existed when the row was written. On the tables an advocate writes on every contact, those
-- ids are the caller's own agency and user id, read from their session in the same request
-- (auth::extractor), never from the request body. Checking them again cost seven foreign-key
-- queries per contact created, each taking a KEY SHARE lock on the same agency and user rows
-- as every other create of the agency (scripts/bench-contacts). Ids that come from a request
-- body (person, directory entry, assignee, contact) keep their foreign keys.
ALTER TABLE contacts
    DROP CONSTRAINT contacts_agency_id_fkey,
    DROP CONSTRAINT contacts_advocate_id_fkey;
ALTER TABLE persons
    DROP CONSTRAINT persons_agency_id_fkey,
    DROP CONSTRAINT persons_created_by_fkey;
ALTER TABLE screenings
    DROP CONSTRAINT screenings_created_by_fkey;
ALTER TABLE audit_log
    DROP CONSTRAINT audit_log_agency_id_fkey,
    DROP CONSTRAINT audit_log_actor_user_id_fkey;
