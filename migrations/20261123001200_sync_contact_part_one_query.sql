-- A contact's parts (referrals, follow-ups, screenings, team) log their contact as changed once
-- per transaction. Same rule as in 20261123000400_sync.sql, in one query instead of two: the
-- trigger runs for every part written, on the hot path of recording a contact (README,
-- "Benchmarks").
CREATE OR REPLACE FUNCTION sync_log_contact_part() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_changes (agency_id, record_type, record_id)
    SELECT c.agency_id, 'contact', c.id
      FROM contacts c
     WHERE c.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.contact_id ELSE NEW.contact_id END
       AND NOT EXISTS (SELECT 1 FROM sync_changes s
                        WHERE s.agency_id = c.agency_id AND s.txid = pg_current_xact_id()
                          AND s.record_id = c.id);
    RETURN NULL;
END;
$$;
