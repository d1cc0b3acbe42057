-- Housing staff's list of their agency's places (`GET /v1/directory/entries`): by name then id,
-- paged by keyset, so each page is one index range whatever the agency's size.
CREATE INDEX directory_entries_owner_name_idx ON directory_entries (owner_agency_id, name, id);
