-- A foreign key's check must find its parent by the parent's key (a follow-up to ids scoped per
-- agency, found by scripts/bench-contacts: 1,170 creates/s before, 330 after).
--
-- PostgreSQL checks a foreign key with a query it prepares once per connection and keeps
-- (`SELECT 1 FROM contacts WHERE agency_id = $1 AND id = $2 FOR KEY SHARE`), planned
-- generically. With ids scoped per agency both the key (agency_id, id) and
-- `contacts_person_idx` (agency_id, person_id) can serve `agency_id = $1`, and on a table
-- with no statistics yet (a new deployment) the planner scored them alike and took the person
-- index: every check of a referral, follow-up, screening, change, team member or alert then
-- walked all of the agency's contacts, for as long as the connection lived.
--
-- The person index is made partial on a condition every lookup by person implies
-- (`person_id = …` is never true for NULL) and the check's query does not: the check can no
-- longer use it, lookups by person still do. `tests/tests/suite/schema.rs` checks the plan of
-- every foreign key's check on a database just migrated.
DROP INDEX contacts_person_idx;
CREATE INDEX contacts_person_idx ON contacts (agency_id, person_id) WHERE person_id IS NOT NULL;
