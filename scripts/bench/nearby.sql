-- pgbench script for scripts/bench-directory: the server's nearby query for a reader without
-- view_confidential_locations (the public_loc variant in api/src/directory/search.rs), at a
-- fresh uniform random point in the benchmark's box. scripts/bench-directory checks that the
-- query below still matches search.rs clause for clause, and that it returns the same entries.
-- Variables from pgbench -D: lat_min lat_max lon_min lon_max agency radius limit.
\set lat :lat_min + (:lat_max - :lat_min) * random(0, 999999999) / 1000000000.0
\set lon :lon_min + (:lon_max - :lon_min) * random(0, 999999999) / 1000000000.0
SELECT e.id, e.owner_agency_id, e.name, e.kind, e.organization, e.description,
       e.loc, e.street, e.locality, e.region, e.postal_code, e.country,
       e.service_area, e.intake_phone, e.website, e.time_zone, e.open_24_7,
       e.hours, e.genders, e.min_age, e.max_age,
       e.accepts_children, e.accepts_pets, e.wheelchair_accessible, e.languages,
       e.eligibility_notes, e.capacity, e.beds_available, e.availability_updated_at,
       e.status, e.confidential, e.shared, e.external_id, e.version,
       ST_Distance(e.public_loc, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)
  FROM directory_entries e
 WHERE e.retired_at IS NULL AND (e.shared OR e.owner_agency_id = :agency)
   AND ST_DWithin(e.public_loc, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius)
   AND directory_entry_matches(e, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
 ORDER BY e.public_loc <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography
 LIMIT :limit;
