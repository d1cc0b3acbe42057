-- Confidential locations are scoped to agencies (issue #16, finding 5; design, "Confidential
-- locations"): the grant `view_confidential_locations` reveals the exact location of a
-- confidential place owned by the reader's agency, and of another agency's only where that
-- owner names the reader's agency.

-- The agencies the owner names, kept by the owner's housing managers
-- (`PUT /v1/directory/entries/{id}/exact-location-agencies`, audited). Not part of the entry's
-- JSON: which agencies a safe house trusts is the owner's business.
ALTER TABLE directory_entries
    ADD COLUMN exact_location_agencies uuid[] NOT NULL DEFAULT '{}'
        CHECK (cardinality(exact_location_agencies) <= 100
               AND array_position(exact_location_agencies, NULL) IS NULL
               AND NOT owner_agency_id = ANY (exact_location_agencies));

-- THE rule, in one place: may a reader of `reader_agency`, who holds
-- `view_confidential_locations` or not (`auth::policy`, decided from roles and grants), see
-- the exact location (street, postal code, point) of `e`? Every directory read computes its
-- per-row flag with this function, and `directory::redact::redact` removes what it says no to
-- (single reads, lists, searches, exports, write answers). Ordinary entries: always.
--
-- A plain SQL expression (no sub-select), so PostgreSQL inlines it into the searches.
CREATE FUNCTION directory_location_exact(e directory_entries, reader_agency uuid,
                                         reader_holds_grant boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT e.confidential
        OR (reader_holds_grant
            AND (e.owner_agency_id = reader_agency
                 OR reader_agency = ANY (e.exact_location_agencies)))
$$;

-- The searches now find by the exact point only the confidential places the reader may see
-- exactly (everything else by `public_loc`, which is the exact point of ordinary entries): a
-- small set, so the exact-point indexes hold confidential entries only.
CREATE INDEX directory_entries_confidential_loc_idx ON directory_entries
    USING gist (loc) WHERE retired_at IS NULL AND confidential;
CREATE INDEX directory_entries_confidential_loc_geom_idx ON directory_entries
    USING gist ((loc::geometry)) WHERE retired_at IS NULL AND confidential;
DROP INDEX directory_entries_loc_idx;
DROP INDEX directory_entries_loc_geom_idx;
