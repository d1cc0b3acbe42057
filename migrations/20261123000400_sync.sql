-- The change log phones sync from (GET /v1/sync). Triggers append one row per changed record
-- in the writing transaction, stamped with that transaction's id. A reader only takes rows
-- from transactions older than every transaction still running (its snapshot's xmin), and
-- that xmin becomes its next cursor: a slow transaction that commits after a faster, later
-- one is still picked up next time, so no change is ever skipped.

CREATE TABLE sync_changes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    agency_id    uuid NOT NULL,
    record_type  text NOT NULL CHECK (record_type IN ('contact', 'person', 'safety_plan')),
    record_id    uuid NOT NULL,
    deleted      boolean NOT NULL DEFAULT false,
    changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_changes_agency_txid_idx ON sync_changes (agency_id, txid);

-- Row triggers: TG_ARGV[0] is the record type; the row must have `agency_id` and `id`.
CREATE FUNCTION sync_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sync_changes (agency_id, record_type, record_id, deleted)
        VALUES (OLD.agency_id, TG_ARGV[0], OLD.id, true);
        RETURN OLD;
    END IF;
    INSERT INTO sync_changes (agency_id, record_type, record_id) VALUES (NEW.agency_id, TG_ARGV[0], NEW.id);
    RETURN NEW;
END;
$$;

-- A change to a contact's parts is a change to the contact: logged once per transaction (a
-- contact written with its referral, follow-up and screening is one change, not four).
CREATE FUNCTION sync_log_contact_part() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_contact uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.contact_id ELSE NEW.contact_id END;
    row_agency uuid;
BEGIN
    SELECT agency_id INTO row_agency FROM contacts WHERE id = row_contact;
    IF row_agency IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM sync_changes
         WHERE agency_id = row_agency AND txid = pg_current_xact_id() AND record_id = row_contact) THEN
        INSERT INTO sync_changes (agency_id, record_type, record_id) VALUES (row_agency, 'contact', row_contact);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contacts_sync AFTER INSERT OR UPDATE OR DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION sync_log_change('contact');
CREATE TRIGGER persons_sync AFTER INSERT OR UPDATE OR DELETE ON persons
    FOR EACH ROW EXECUTE FUNCTION sync_log_change('person');
CREATE TRIGGER referrals_sync AFTER INSERT OR UPDATE OR DELETE ON referrals
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER follow_ups_sync AFTER INSERT OR UPDATE OR DELETE ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER screenings_sync AFTER INSERT OR UPDATE OR DELETE ON screenings
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER contact_team_sync AFTER INSERT OR UPDATE OR DELETE ON contact_team
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
