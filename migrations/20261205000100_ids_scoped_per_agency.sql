-- Client-chosen ids are scoped per agency (issue #16, finding 9; design.md "Trust rules":
-- another agency's id is answered exactly as an unknown one on every verb).
--
-- Phones choose the ids of the records they create offline: people, contacts and their parts
-- (referrals, follow-ups, screenings), alerts (raised by hand and duress), check-ins; admins
-- and coordinators choose on-call schedules' ids. Until now each of these tables had a global
-- primary key `id`, so a record of agency B blocked agency A from using the same id, and the
-- different answer (404 where an unknown id creates, 201) told A that B held it. From here on
-- the identity of such a record is (agency_id, id): an id another agency holds does not exist
-- for you, and using it creates your own record, exactly as an unknown id does. Two agencies
-- may hold twins, so every lookup and every join on one of these ids also matches the agency:
-- the children that hang on them carry `agency_id` (backfilled here from their parents, while
-- ids are still globally unique) and reference their parent by (agency_id, x_id) with the same
-- ON DELETE behaviour as before; the rules and triggers that found a row by its id alone
-- (`contact_visible_to`, `person_visible_to`, `alert_visible_to`, the sync triggers,
-- `worker_item_held`) now take the agency, and their old signatures are dropped so that no
-- statement can still call them. Within one agency a part's id names one part: a part id held
-- by another contact of the same agency is still refused (409). Server-chosen ids (safety
-- plans and their versions, overrides, alert requests, deliveries, subscriptions, users,
-- directory entries) stay global.

-- 1. Children carry their parent's agency, backfilled while ids are still global. The sync
--    triggers of the contact parts are dropped first (and made again below): the backfill is
--    no change a phone must hear of.
DROP TRIGGER referrals_sync ON referrals;
DROP TRIGGER referrals_sync_delete ON referrals;
DROP TRIGGER follow_ups_sync ON follow_ups;
DROP TRIGGER follow_ups_sync_delete ON follow_ups;
DROP TRIGGER screenings_sync ON screenings;
DROP TRIGGER screenings_sync_delete ON screenings;
DROP TRIGGER contact_team_sync ON contact_team;
DROP TRIGGER contact_team_sync_delete ON contact_team;

ALTER TABLE referrals ADD COLUMN agency_id uuid;
ALTER TABLE follow_ups ADD COLUMN agency_id uuid;
ALTER TABLE screenings ADD COLUMN agency_id uuid;
ALTER TABLE contact_team ADD COLUMN agency_id uuid;
ALTER TABLE contact_changes ADD COLUMN agency_id uuid;
ALTER TABLE alert_events ADD COLUMN agency_id uuid;
ALTER TABLE alert_raisers ADD COLUMN agency_id uuid;
ALTER TABLE oncall_overrides ADD COLUMN agency_id uuid;

UPDATE referrals x SET agency_id = c.agency_id FROM contacts c WHERE c.id = x.contact_id;
UPDATE follow_ups x SET agency_id = c.agency_id FROM contacts c WHERE c.id = x.contact_id;
UPDATE screenings x SET agency_id = c.agency_id FROM contacts c WHERE c.id = x.contact_id;
UPDATE contact_team x SET agency_id = c.agency_id FROM contacts c WHERE c.id = x.contact_id;
UPDATE contact_changes x SET agency_id = c.agency_id FROM contacts c WHERE c.id = x.contact_id;
UPDATE alert_events x SET agency_id = a.agency_id FROM alerts a WHERE a.id = x.alert_id;
UPDATE alert_raisers x SET agency_id = a.agency_id FROM alerts a WHERE a.id = x.alert_id;
UPDATE oncall_overrides x SET agency_id = s.agency_id FROM oncall_schedules s WHERE s.id = x.schedule_id;

ALTER TABLE referrals ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE follow_ups ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE screenings ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE contact_team ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE contact_changes ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE alert_events ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE alert_raisers ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE oncall_overrides ALTER COLUMN agency_id SET NOT NULL;

-- A worker failure names its item by (job, agency, id). Every worker has always recorded the
-- agency; a row without one (or whose item is gone) names nothing that can be retried.
UPDATE worker_failures f SET agency_id = c.agency_id FROM checkins c
 WHERE f.agency_id IS NULL AND f.job = 'checkin_overdue' AND c.id = f.item_id;
UPDATE worker_failures f SET agency_id = r.agency_id FROM alert_requests r
 WHERE f.agency_id IS NULL AND f.job = 'alert_request' AND r.id = f.item_id;
UPDATE worker_failures f SET agency_id = a.agency_id FROM alerts a
 WHERE f.agency_id IS NULL AND f.job = 'alert_escalation' AND a.id = f.item_id;
DELETE FROM worker_failures WHERE agency_id IS NULL;
ALTER TABLE worker_failures ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE worker_failures DROP CONSTRAINT worker_failures_pkey,
    ADD PRIMARY KEY (job, agency_id, item_id);

-- 2. Foreign keys on the global ids go, then the global primary keys.
ALTER TABLE contacts DROP CONSTRAINT contacts_person_id_fkey;
ALTER TABLE safety_plans DROP CONSTRAINT safety_plans_person_id_fkey,
    DROP CONSTRAINT safety_plans_person_id_key;
ALTER TABLE contact_team DROP CONSTRAINT contact_team_contact_id_fkey;
ALTER TABLE contact_changes DROP CONSTRAINT contact_changes_contact_id_fkey;
ALTER TABLE referrals DROP CONSTRAINT referrals_contact_id_fkey;
ALTER TABLE follow_ups DROP CONSTRAINT follow_ups_contact_id_fkey;
ALTER TABLE screenings DROP CONSTRAINT screenings_contact_id_fkey;
ALTER TABLE alert_requests DROP CONSTRAINT alert_requests_contact_id_fkey,
    DROP CONSTRAINT alert_requests_screening_id_fkey;
ALTER TABLE alerts DROP CONSTRAINT alerts_contact_id_fkey;
ALTER TABLE alert_events DROP CONSTRAINT alert_events_alert_id_fkey;
ALTER TABLE alert_raisers DROP CONSTRAINT alert_raisers_alert_id_fkey;
ALTER TABLE push_deliveries DROP CONSTRAINT push_deliveries_alert_id_fkey;
ALTER TABLE checkins DROP CONSTRAINT checkins_alert_id_fkey;
ALTER TABLE oncall_overrides DROP CONSTRAINT oncall_overrides_schedule_id_fkey;

-- 3. The identities: (agency_id, id), and the children's keys within their agency.
ALTER TABLE persons DROP CONSTRAINT persons_pkey, ADD PRIMARY KEY (agency_id, id);
ALTER TABLE contacts DROP CONSTRAINT contacts_pkey, ADD PRIMARY KEY (agency_id, id);
ALTER TABLE referrals DROP CONSTRAINT referrals_pkey, ADD PRIMARY KEY (agency_id, id);
ALTER TABLE follow_ups DROP CONSTRAINT follow_ups_pkey, ADD PRIMARY KEY (agency_id, id);
ALTER TABLE screenings DROP CONSTRAINT screenings_pkey, ADD PRIMARY KEY (agency_id, id);
ALTER TABLE alerts DROP CONSTRAINT alerts_pkey, ADD PRIMARY KEY (agency_id, id);
ALTER TABLE checkins DROP CONSTRAINT checkins_pkey, ADD PRIMARY KEY (agency_id, id);
ALTER TABLE oncall_schedules DROP CONSTRAINT oncall_schedules_pkey, ADD PRIMARY KEY (agency_id, id);
ALTER TABLE contact_team DROP CONSTRAINT contact_team_pkey,
    ADD PRIMARY KEY (agency_id, contact_id, user_id);
ALTER TABLE contact_changes DROP CONSTRAINT contact_changes_pkey,
    ADD PRIMARY KEY (agency_id, contact_id, change_key);
-- The id a second raiser raised under (a replay finds their alert again): the agency's own.
ALTER TABLE alert_raisers DROP CONSTRAINT alert_raisers_pkey,
    ADD PRIMARY KEY (agency_id, trigger_id);
-- One plan per person, a person being (agency, id).
ALTER TABLE safety_plans ADD CONSTRAINT safety_plans_person_key UNIQUE (agency_id, person_id);

-- The primary keys lead with the agency, so these are covered now.
DROP INDEX persons_agency_idx;
DROP INDEX oncall_schedules_agency_idx;
DROP INDEX safety_plans_agency_idx;

-- 4. Children reference their parent within its agency, with the same ON DELETE as before
--    (SET NULL clears only the reference, never the row's agency).
ALTER TABLE contacts ADD CONSTRAINT contacts_person_fkey
    FOREIGN KEY (agency_id, person_id) REFERENCES persons (agency_id, id);
ALTER TABLE safety_plans ADD CONSTRAINT safety_plans_person_fkey
    FOREIGN KEY (agency_id, person_id) REFERENCES persons (agency_id, id);
ALTER TABLE contact_team ADD CONSTRAINT contact_team_contact_fkey
    FOREIGN KEY (agency_id, contact_id) REFERENCES contacts (agency_id, id) ON DELETE CASCADE;
ALTER TABLE contact_changes ADD CONSTRAINT contact_changes_contact_fkey
    FOREIGN KEY (agency_id, contact_id) REFERENCES contacts (agency_id, id) ON DELETE CASCADE;
ALTER TABLE referrals ADD CONSTRAINT referrals_contact_fkey
    FOREIGN KEY (agency_id, contact_id) REFERENCES contacts (agency_id, id) ON DELETE CASCADE;
ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_contact_fkey
    FOREIGN KEY (agency_id, contact_id) REFERENCES contacts (agency_id, id) ON DELETE CASCADE;
ALTER TABLE screenings ADD CONSTRAINT screenings_contact_fkey
    FOREIGN KEY (agency_id, contact_id) REFERENCES contacts (agency_id, id) ON DELETE CASCADE;
ALTER TABLE alert_requests ADD CONSTRAINT alert_requests_contact_fkey
    FOREIGN KEY (agency_id, contact_id) REFERENCES contacts (agency_id, id) ON DELETE SET NULL (contact_id);
ALTER TABLE alert_requests ADD CONSTRAINT alert_requests_screening_fkey
    FOREIGN KEY (agency_id, screening_id) REFERENCES screenings (agency_id, id) ON DELETE SET NULL (screening_id);
ALTER TABLE alerts ADD CONSTRAINT alerts_contact_fkey
    FOREIGN KEY (agency_id, contact_id) REFERENCES contacts (agency_id, id) ON DELETE SET NULL (contact_id);
ALTER TABLE alert_events ADD CONSTRAINT alert_events_alert_fkey
    FOREIGN KEY (agency_id, alert_id) REFERENCES alerts (agency_id, id) ON DELETE CASCADE;
ALTER TABLE alert_raisers ADD CONSTRAINT alert_raisers_alert_fkey
    FOREIGN KEY (agency_id, alert_id) REFERENCES alerts (agency_id, id) ON DELETE CASCADE;
ALTER TABLE push_deliveries ADD CONSTRAINT push_deliveries_alert_fkey
    FOREIGN KEY (agency_id, alert_id) REFERENCES alerts (agency_id, id) ON DELETE SET NULL (alert_id);
ALTER TABLE checkins ADD CONSTRAINT checkins_alert_fkey
    FOREIGN KEY (agency_id, alert_id) REFERENCES alerts (agency_id, id);
ALTER TABLE oncall_overrides ADD CONSTRAINT oncall_overrides_schedule_fkey
    FOREIGN KEY (agency_id, schedule_id) REFERENCES oncall_schedules (agency_id, id) ON DELETE CASCADE;

-- Lookups of a record's children, by (agency, parent).
DROP INDEX contacts_person_idx;
CREATE INDEX contacts_person_idx ON contacts (agency_id, person_id);
DROP INDEX referrals_contact_idx;
CREATE INDEX referrals_contact_idx ON referrals (agency_id, contact_id);
DROP INDEX follow_ups_contact_idx;
CREATE INDEX follow_ups_contact_idx ON follow_ups (agency_id, contact_id);
DROP INDEX screenings_contact_idx;
CREATE INDEX screenings_contact_idx ON screenings (agency_id, contact_id);
DROP INDEX alert_events_alert_idx;
CREATE INDEX alert_events_alert_idx ON alert_events (agency_id, alert_id, id);
DROP INDEX alert_raisers_alert_idx;
CREATE INDEX alert_raisers_alert_idx ON alert_raisers (agency_id, alert_id, user_id);
DROP INDEX push_deliveries_alert_idx;
CREATE INDEX push_deliveries_alert_idx ON push_deliveries (agency_id, alert_id) WHERE alert_id IS NOT NULL;
DROP INDEX oncall_overrides_schedule_idx;
CREATE INDEX oncall_overrides_schedule_idx ON oncall_overrides (agency_id, schedule_id, start_at, end_at);

-- 5. The rules that looked a row up by its id alone now take the agency. The old signatures
--    go, so a statement still calling them does not build (sqlx checks every query).
DROP FUNCTION contact_visible_to(boolean, uuid, uuid, uuid);
-- The one visibility rule for a contact within its agency: a sealed record is seen only by
-- its advocate and its team.
CREATE FUNCTION contact_visible_to(sealed boolean, advocate uuid, agency uuid, contact uuid, viewer uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NOT sealed OR advocate = viewer
        OR EXISTS (SELECT 1 FROM contact_team t
                    WHERE t.agency_id = agency AND t.contact_id = contact AND t.user_id = viewer)
$$;

-- The one visibility rule for a person (20261204000100_person_visibility.sql): in the viewer's
-- agency, with no contact yet or with one the viewer may see; their contacts are the agency's.
CREATE OR REPLACE FUNCTION person_visible_to(person uuid, agency uuid, viewer uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM persons p
         WHERE p.agency_id = agency AND p.id = person
           AND (NOT EXISTS (SELECT 1 FROM contacts c WHERE c.agency_id = p.agency_id AND c.person_id = p.id)
                OR EXISTS (SELECT 1 FROM contacts c
                            WHERE c.agency_id = p.agency_id AND c.person_id = p.id
                              AND contact_visible_to(c.sealed, c.advocate_id, c.agency_id, c.id, viewer))))
$$;

DROP FUNCTION alert_visible_to(uuid, uuid, uuid, boolean);
-- The one visibility rule for an alert within its agency: responders (coordinators) see every
-- alert; anyone else the alerts they raised or joined.
CREATE FUNCTION alert_visible_to(agency uuid, alert uuid, raised_by uuid, viewer uuid, responder boolean)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT responder OR raised_by = viewer
        OR EXISTS (SELECT 1 FROM alert_raisers r
                    WHERE r.agency_id = agency AND r.alert_id = alert AND r.user_id = viewer)
$$;

DROP FUNCTION worker_item_held(text, uuid);
-- Whether a worker should pass the item by for now: waiting for its retry, or parked.
CREATE FUNCTION worker_item_held(job text, agency uuid, item uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM worker_failures f
                    WHERE f.job = $1 AND f.agency_id = $2 AND f.item_id = $3
                      AND (f.parked_at IS NOT NULL OR f.next_attempt_at > now()))
$$;

-- The sync log (20261123001410_sync_contact_part_skips_logged_contact.sql): the contact noted
-- as logged in this transaction is named with its agency, and a part finds its contact by
-- (agency, id).
DROP FUNCTION sync_note_logged_contact(uuid);
CREATE FUNCTION sync_note_logged_contact(agency uuid, contact uuid) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('fieldline.sync_logged_contact', agency::text || '/' || contact::text, true);
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
        PERFORM sync_note_logged_contact(NEW.agency_id, NEW.id);
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION sync_log_contact_part() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    part_agency uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.agency_id ELSE NEW.agency_id END;
    part_contact uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.contact_id ELSE NEW.contact_id END;
    logged uuid;
BEGIN
    INSERT INTO sync_changes (agency_id, record_type, record_id)
    SELECT c.agency_id, 'contact', c.id
      FROM contacts c
     WHERE c.agency_id = part_agency AND c.id = part_contact
       AND NOT EXISTS (SELECT 1 FROM sync_changes s
                        WHERE s.agency_id = c.agency_id AND s.txid = pg_current_xact_id()
                          AND s.record_id = c.id)
    RETURNING record_id INTO logged;
    IF logged IS NOT NULL THEN
        PERFORM sync_note_logged_contact(part_agency, logged);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER referrals_sync AFTER INSERT OR UPDATE ON referrals FOR EACH ROW
    WHEN ((NEW.agency_id::text || '/' || NEW.contact_id::text)
          IS DISTINCT FROM current_setting('fieldline.sync_logged_contact', true))
    EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER referrals_sync_delete AFTER DELETE ON referrals
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER follow_ups_sync AFTER INSERT OR UPDATE ON follow_ups FOR EACH ROW
    WHEN ((NEW.agency_id::text || '/' || NEW.contact_id::text)
          IS DISTINCT FROM current_setting('fieldline.sync_logged_contact', true))
    EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER follow_ups_sync_delete AFTER DELETE ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER screenings_sync AFTER INSERT OR UPDATE ON screenings FOR EACH ROW
    WHEN ((NEW.agency_id::text || '/' || NEW.contact_id::text)
          IS DISTINCT FROM current_setting('fieldline.sync_logged_contact', true))
    EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER screenings_sync_delete AFTER DELETE ON screenings
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER contact_team_sync AFTER INSERT OR UPDATE ON contact_team FOR EACH ROW
    WHEN ((NEW.agency_id::text || '/' || NEW.contact_id::text)
          IS DISTINCT FROM current_setting('fieldline.sync_logged_contact', true))
    EXECUTE FUNCTION sync_log_contact_part();
CREATE TRIGGER contact_team_sync_delete AFTER DELETE ON contact_team
    FOR EACH ROW EXECUTE FUNCTION sync_log_contact_part();
