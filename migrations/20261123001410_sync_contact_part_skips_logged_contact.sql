-- A contact's parts log their contact once per transaction (20261123000400_sync.sql). Creating
-- a contact logs it from the contact's own trigger, and then each referral, follow-up and
-- screening written with it ran a PL/pgSQL trigger only to find that row already there: three
-- function calls and queries per contact created (scripts/bench-contacts).
--
-- Whichever trigger logs a contact now also notes its id in a transaction-local setting, and the
-- parts' insert/update triggers carry a WHEN condition that skips the call when their contact is
-- the one noted. WHEN is evaluated by the executor, without calling the function. The setting
-- is SET LOCAL: it ends with the transaction and rolls back with a savepoint, together with the
-- sync row it stands for. Anything else (another contact, deletes, the setting unset) takes the
-- full trigger, which still checks the log itself.
CREATE FUNCTION sync_note_logged_contact(contact uuid) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('fieldline.sync_logged_contact', contact::text, true);
$$;

CREATE OR REPLACE FUNCTION sync_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sync_changes (agency_id, record_type, record_id, deleted)
        VALUES (OLD.agency_id, TG_ARGV[0], OLD.id, true);
        RETURN OLD;
    END IF;
    INSERT INTO sync_changes (agency_id, record_type, record_id) VALUES (NEW.agency_id, TG_ARGV[0], NEW.id);
    IF TG_ARGV[0] = 'contact' THEN
        PERFORM sync_note_logged_contact(NEW.id);
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION sync_log_contact_part() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    logged uuid;
BEGIN
    INSERT INTO sync_changes (agency_id, record_type, record_id)
    SELECT c.agency_id, 'contact', c.id
      FROM contacts c
     WHERE c.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.contact_id ELSE NEW.contact_id END
       AND NOT EXISTS (SELECT 1 FROM sync_changes s
                        WHERE s.agency_id = c.agency_id AND s.txid = pg_current_xact_id()
                          AND s.record_id = c.id)
    RETURNING record_id INTO logged;
    IF logged IS NOT NULL THEN
        PERFORM sync_note_logged_contact(logged);
    END IF;
    RETURN NULL;
END;
$$;

-- NEW is not available to a DELETE trigger's WHEN, hence two triggers per table.
DROP TRIGGER referrals_sync ON referrals;
DROP TRIGGER follow_ups_sync ON follow_ups;
DROP TRIGGER screenings_sync ON screenings;
DROP TRIGGER contact_team_sync ON contact_team;

CREATE TRIGGER referrals_sync AFTER INSERT OR UPDATE ON referrals FOR EACH ROW
    WHEN (NEW.contact_id::text IS DISTINCT FROM current_setting('fieldline.sync_logged_contact', true))
    EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER referrals_sync_delete AFTER DELETE ON referrals
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER follow_ups_sync AFTER INSERT OR UPDATE ON follow_ups FOR EACH ROW
    WHEN (NEW.contact_id::text IS DISTINCT FROM current_setting('fieldline.sync_logged_contact', true))
    EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER follow_ups_sync_delete AFTER DELETE ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER screenings_sync AFTER INSERT OR UPDATE ON screenings FOR EACH ROW
    WHEN (NEW.contact_id::text IS DISTINCT FROM current_setting('fieldline.sync_logged_contact', true))
    EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER screenings_sync_delete AFTER DELETE ON screenings
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER contact_team_sync AFTER INSERT OR UPDATE ON contact_team FOR EACH ROW
    WHEN (NEW.contact_id::text IS DISTINCT FROM current_setting('fieldline.sync_logged_contact', true))
    EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER contact_team_sync_delete AFTER DELETE ON contact_team
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
