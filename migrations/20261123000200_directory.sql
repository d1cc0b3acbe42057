-- The shelter and safe-housing directory (issue: geospatial directory).

CREATE TABLE directory_entries (
    id                       uuid PRIMARY KEY,
    -- The agency whose housing staff keep the entry.
    owner_agency_id          uuid NOT NULL REFERENCES agencies (id),
    -- Shared entries are visible to every agency (a shelter serves many).
    shared                   boolean NOT NULL DEFAULT true,
    external_id              text CHECK (length(external_id) BETWEEN 1 AND 200),
    name                     text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind                     text NOT NULL CHECK (kind IN ('shelter', 'dv_shelter', 'safe_house',
                                 'emergency_housing', 'transitional_housing', 'hotel_voucher')),
    organization             text NOT NULL DEFAULT '',
    description              text NOT NULL DEFAULT '',
    loc                      geography(Point, 4326) NOT NULL,
    -- What readers without `view_confidential_locations` are searched and sorted by: the
    -- exact point for ordinary entries, the point snapped to a 0.01-degree grid (about 1 km)
    -- for confidential ones, so neither the order of results nor the radius edge reveals
    -- more than the rounded distance shown. See directory/search.rs.
    public_loc               geography(Point, 4326) NOT NULL GENERATED ALWAYS AS (
                                 CASE WHEN confidential
                                      THEN ST_SnapToGrid(loc::geometry, 0.01)::geography
                                      ELSE loc END) STORED,
    street                   text NOT NULL DEFAULT '',
    locality                 text NOT NULL DEFAULT '',
    region                   text NOT NULL DEFAULT '',
    postal_code              text NOT NULL DEFAULT '',
    country                  text NOT NULL DEFAULT 'US' CHECK (country ~ '^[A-Z]{2}$'),
    service_area             text NOT NULL DEFAULT '',
    intake_phone             text NOT NULL,
    website                  text,
    -- Intake hours in the entry's own zone: [{"day": 1-7 (ISO), "opens": "HH:MM", "closes": "HH:MM"}].
    time_zone                text NOT NULL,
    open_24_7                boolean NOT NULL DEFAULT false,
    hours                    jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(hours) = 'array'),
    genders                  text[] NOT NULL DEFAULT '{}',
    min_age                  integer CHECK (min_age BETWEEN 0 AND 130),
    max_age                  integer CHECK (max_age BETWEEN 0 AND 130),
    accepts_children         boolean NOT NULL DEFAULT false,
    accepts_pets             boolean NOT NULL DEFAULT false,
    wheelchair_accessible    boolean NOT NULL DEFAULT false,
    languages                text[] NOT NULL DEFAULT '{}',
    eligibility_notes        text NOT NULL DEFAULT '',
    capacity                 integer CHECK (capacity >= 0),
    beds_available           integer CHECK (beds_available >= 0),
    availability_updated_at  timestamptz,
    status                   text NOT NULL CHECK (status IN ('open', 'full', 'temporarily_closed', 'closed')),
    confidential             boolean NOT NULL DEFAULT false,
    version                  bigint NOT NULL DEFAULT 1,
    retired_at               timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age),
    CHECK (capacity IS NULL OR beds_available IS NULL OR beds_available <= capacity)
);

-- Nearby search: ST_DWithin + KNN (<->) on these, live entries only.
CREATE INDEX directory_entries_loc_idx ON directory_entries USING gist (loc) WHERE retired_at IS NULL;
CREATE INDEX directory_entries_public_loc_idx ON directory_entries USING gist (public_loc) WHERE retired_at IS NULL;
-- Re-importing by external id updates instead of duplicating.
CREATE UNIQUE INDEX directory_entries_external_id_key ON directory_entries (owner_agency_id, external_id);
CREATE INDEX directory_entries_stale_idx ON directory_entries (owner_agency_id, availability_updated_at)
    WHERE retired_at IS NULL;

-- Is intake open at `at`? Spans are wall-clock times in the entry's zone; one whose closing time
-- is before its opening time runs past midnight, so at 01:00 on Tuesday a Monday 20:00-02:00
-- span counts. `24:00` closes at midnight.
CREATE FUNCTION directory_open_at(hours jsonb, open_24_7 boolean, time_zone text, at timestamptz)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT open_24_7 OR EXISTS (
        SELECT 1
          FROM jsonb_array_elements(hours) AS h,
               LATERAL (SELECT at AT TIME ZONE time_zone AS lt) AS l
         WHERE ((h->>'day')::int = extract(isodow FROM l.lt)
                AND (h->>'opens')::time <= l.lt::time
                AND (l.lt::time < (h->>'closes')::time OR (h->>'closes')::time < (h->>'opens')::time))
            OR ((h->>'closes')::time < (h->>'opens')::time
                AND (h->>'day')::int = extract(isodow FROM l.lt - interval '1 day')
                AND l.lt::time < (h->>'closes')::time)
    )
$$;

-- The search filters, shared by every search query so they cannot drift apart. NULL means
-- "don't filter on this".
CREATE FUNCTION directory_entry_matches(
    e directory_entries, kinds text[], open_at timestamptz, has_beds boolean,
    children boolean, pets boolean, wheelchair boolean, language text)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (kinds IS NULL OR e.kind = ANY (kinds))
       AND (open_at IS NULL OR (e.status IN ('open', 'full')
                                AND directory_open_at(e.hours, e.open_24_7, e.time_zone, open_at)))
       AND (has_beds IS NOT TRUE OR (e.status = 'open' AND coalesce(e.beds_available, 1) > 0))
       AND (children IS NOT TRUE OR e.accepts_children)
       AND (pets IS NOT TRUE OR e.accepts_pets)
       AND (wheelchair IS NOT TRUE OR e.wheelchair_accessible)
       AND (language IS NULL OR language = ANY (e.languages))
$$;

-- Map views search a latitude/longitude rectangle exactly, on the planar form of the points.
CREATE INDEX directory_entries_loc_geom_idx ON directory_entries
    USING gist ((loc::geometry)) WHERE retired_at IS NULL;
CREATE INDEX directory_entries_public_loc_geom_idx ON directory_entries
    USING gist ((public_loc::geometry)) WHERE retired_at IS NULL;

-- An entry as the API's JSON (`Entry` in wire/src/directory.rs), built in one place. The point
-- travels separately as PostGIS binary; `location` here is always null.
CREATE FUNCTION directory_entry_doc(e directory_entries) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'owner_agency_id', e.owner_agency_id, 'name', e.name, 'kind', e.kind,
        'organization', e.organization, 'description', e.description, 'location', NULL,
        'address', jsonb_build_object('street', e.street, 'locality', e.locality,
            'region', e.region, 'postal_code', e.postal_code, 'country', e.country),
        'service_area', e.service_area, 'intake_phone', e.intake_phone, 'website', e.website,
        'hours', jsonb_build_object('time_zone', e.time_zone, 'open_24_7', e.open_24_7, 'spans', e.hours),
        'eligibility', jsonb_build_object('genders', to_jsonb(e.genders), 'min_age', e.min_age,
            'max_age', e.max_age, 'accepts_children', e.accepts_children,
            'accepts_pets', e.accepts_pets, 'wheelchair_accessible', e.wheelchair_accessible,
            'languages', to_jsonb(e.languages), 'notes', e.eligibility_notes),
        'capacity', e.capacity, 'beds_available', e.beds_available,
        'availability_updated_at', e.availability_updated_at, 'status', e.status,
        'confidential', e.confidential, 'shared', e.shared, 'external_id', e.external_id,
        'version', e.version, 'retired', e.retired_at IS NOT NULL, 'redacted', false)
$$;
