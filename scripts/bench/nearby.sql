-- pgbench script for scripts/bench-directory: the server's whole nearby statement
-- (api/src/directory/store.rs), session check included, for the benchmark's advocate (no
-- view_confidential_locations: every entry is found by public_loc, and the branch of the
-- confidential places seen exactly is a one-time filter, never scanned) at a fresh uniform
-- random point in the benchmark's box, without filters. scripts/bench-directory checks that the query below
-- still matches search.rs clause for clause, and that it returns the same entries.
-- Variables from pgbench -D: lat_min lat_max lon_min lon_max radius limit, the advocate's
-- session (sid, sub, from the access token wrk sends) and the names that see exact points
-- (holder_roles, holder_grants: auth::policy::holders). The point is a scalar subquery, so it
-- is computed once per execution as the server's bound geography parameter is.
\set lat :lat_min + (:lat_max - :lat_min) * random(0, 999999999) / 1000000000.0
\set lon :lon_min + (:lon_max - :lon_min) * random(0, 999999999) / 1000000000.0
WITH searcher AS MATERIALIZED (
    SELECT agency_id, roles, grants, (roles && :holder_roles OR grants && :holder_grants) AS holds
      FROM session_actor(:sid, :sub))
SELECT s.agency_id, s.roles, s.grants, s.holds, h.exact, h.id, h.owner_agency_id, h.name,
       h.kind, h.organization, h.description, h.loc, h.street, h.locality, h.region,
       h.postal_code, h.country, h.service_area, h.intake_phone, h.website, h.time_zone,
       h.open_24_7, h.hours, h.genders, h.min_age, h.max_age, h.accepts_children,
       h.accepts_pets, h.wheelchair_accessible, h.languages, h.eligibility_notes, h.capacity,
       h.beds_available, h.availability_updated_at, h.status, h.confidential, h.shared,
       h.external_id, h.version, h.distance
  FROM searcher s CROSS JOIN LATERAL (
      (SELECT e.*, ST_Distance(e.public_loc, (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)) AS distance,
              directory_location_exact(e, s.agency_id, s.holds) AS exact
         FROM directory_entries e
        WHERE e.retired_at IS NULL
          AND (e.shared OR e.owner_agency_id = s.agency_id)
          AND NOT (e.confidential AND directory_location_exact(e, s.agency_id, s.holds))
          AND ST_DWithin(e.public_loc, (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography), :radius)
          AND directory_entry_matches(e, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
        ORDER BY e.public_loc <-> (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)
        LIMIT :limit)
      UNION ALL
      (SELECT e.*, ST_Distance(e.loc, (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)) AS distance,
              directory_location_exact(e, s.agency_id, s.holds) AS exact
         FROM directory_entries e
        WHERE s.holds AND e.retired_at IS NULL AND e.confidential
          AND (e.shared OR e.owner_agency_id = s.agency_id)
          AND directory_location_exact(e, s.agency_id, s.holds)
          AND ST_DWithin(e.loc, (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography), :radius)
          AND directory_entry_matches(e, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
        ORDER BY e.loc <-> (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)
        LIMIT :limit)) h
 ORDER BY h.distance, h.id
 LIMIT :limit;
