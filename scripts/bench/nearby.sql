-- pgbench script for scripts/bench-directory: the server's nearby query for a reader without
-- view_confidential_locations (the public_loc variant in api/src/directory/search.rs), at a
-- fresh uniform random point in the benchmark's box. scripts/bench-directory checks that the
-- query below still matches search.rs clause for clause, and that it returns the same entries.
-- Variables from pgbench -D: lat_min lat_max lon_min lon_max agency radius limit.
\set lat :lat_min + (:lat_max - :lat_min) * random(0, 999999999) / 1000000000.0
\set lon :lon_min + (:lon_max - :lon_min) * random(0, 999999999) / 1000000000.0
SELECT directory_entry_doc(e), e.loc,
       ST_Distance(e.public_loc, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography),
       directory_open_at(e.hours, e.open_24_7, e.time_zone, now())
  FROM directory_entries e
 WHERE e.retired_at IS NULL AND (e.shared OR e.owner_agency_id = :agency)
   AND ST_DWithin(e.public_loc, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius)
   AND directory_entry_matches(e, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
 ORDER BY e.public_loc <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography
 LIMIT :limit;
