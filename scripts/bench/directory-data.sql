-- Benchmark data for scripts/bench-directory: :n directory entries spread uniformly over the
-- box lat :lat_min..:lat_max, lon :lon_min..:lon_max (the contiguous United States), owned by
-- agency :'agency', all shared, about 10% confidential, with varied kinds, status, beds,
-- eligibility, languages and hours. psql -v n=... -v agency=... -v lat_min=... etc.
-- Secondary indexes are dropped for the load and rebuilt from their own definitions after it.
\set ON_ERROR_STOP 1
SET maintenance_work_mem = '1GB';
SET synchronous_commit = off;
SELECT setseed(0.4242);

CREATE TEMP TABLE bench_indexes AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i
 WHERE i.indrelid = 'directory_entries'::regclass AND NOT i.indisprimary;
SELECT format('DROP INDEX %s', name) FROM bench_indexes \gexec
SELECT clock_timestamp() AS bench_t0 \gset

INSERT INTO directory_entries (
    id, owner_agency_id, shared, external_id, name, kind, organization, description, loc,
    street, locality, region, postal_code, country, service_area, intake_phone, website,
    time_zone, open_24_7, hours, genders, min_age, max_age, accepts_children, accepts_pets,
    wheelchair_accessible, languages, eligibility_notes, capacity, beds_available,
    availability_updated_at, status, confidential)
SELECT gen_random_uuid(), :'agency'::uuid, true, 'bench-' || i,
       initcap(replace(kind, '_', ' ')) || ' ' || i, kind,
       'Benchmark Housing Network ' || (i % 500),
       'Emergency and longer-term housing for survivors; intake by phone, advocates on site.',
       ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography,
       (100 + i % 9000) || ' Main Street', 'Town ' || (i % 20000),
       (ARRAY['CA', 'OR', 'NV', 'AZ', 'UT', 'CO', 'NM', 'TX', 'KS', 'IL', 'OH', 'GA', 'PA', 'NY'])[1 + i % 14],
       lpad((i % 100000)::text, 5, '0'), 'US', 'County ' || (i % 3000),
       '+1 555-01' || lpad((i % 100)::text, 2, '0'),
       CASE WHEN r_web < 0.5 THEN 'https://example.org/places/' || i END,
       CASE WHEN lon < -114.5 THEN 'America/Los_Angeles'
            WHEN lon < -109 AND lat < 37 THEN 'America/Phoenix'
            WHEN lon < -102 THEN 'America/Denver'
            WHEN lon < -87 THEN 'America/Chicago'
            ELSE 'America/New_York' END,
       r_hours < 0.3,
       CASE WHEN r_hours < 0.3 THEN '[]'
            WHEN r_hours < 0.75 THEN '[{"day":1,"opens":"08:00","closes":"17:00"},{"day":2,"opens":"08:00","closes":"17:00"},{"day":3,"opens":"08:00","closes":"17:00"},{"day":4,"opens":"08:00","closes":"17:00"},{"day":5,"opens":"08:00","closes":"17:00"}]'
            WHEN r_hours < 0.9 THEN '[{"day":1,"opens":"09:00","closes":"21:00"},{"day":2,"opens":"09:00","closes":"21:00"},{"day":3,"opens":"09:00","closes":"21:00"},{"day":4,"opens":"09:00","closes":"21:00"},{"day":5,"opens":"09:00","closes":"21:00"},{"day":6,"opens":"10:00","closes":"16:00"},{"day":7,"opens":"10:00","closes":"16:00"}]'
            ELSE '[{"day":1,"opens":"20:00","closes":"02:00"},{"day":3,"opens":"20:00","closes":"02:00"},{"day":5,"opens":"20:00","closes":"24:00"}]'
       END::jsonb,
       (ARRAY['{}', '{women}', '{men}', '{nonbinary,transgender,women}', '{men,nonbinary,transgender,women}'])[1 + floor(r_gender * 5)::int]::text[],
       CASE WHEN r_age < 0.6 THEN 18 WHEN r_age < 0.75 THEN 12 WHEN r_age < 0.85 THEN 18 END,
       CASE WHEN r_age >= 0.6 AND r_age < 0.75 THEN 17 WHEN r_age >= 0.75 AND r_age < 0.85 THEN 24 END,
       r_children < 0.4, r_pets < 0.15, r_wheel < 0.5,
       (ARRAY['{en}', '{en,es}', '{en,es,vi}', '{en,zh}', '{en,fr,ht}', '{en,es,ru}'])[1 + floor(r_lang * 6)::int]::text[],
       CASE WHEN r_lang < 0.3 THEN 'Call ahead; intake by phone only.' ELSE '' END,
       capacity,
       CASE WHEN capacity IS NULL THEN NULL
            WHEN status = 'full' THEN 0
            ELSE floor((r_beds * 7919 - floor(r_beds * 7919)) * (capacity + 1))::int END,
       now() - r_age * interval '30 days',
       status, confidential
  FROM (SELECT i, lat, lon, confidential, r_web, r_hours, r_gender, r_age, r_children, r_pets,
               r_wheel, r_lang, r_beds,
               CASE WHEN confidential THEN (ARRAY['dv_shelter', 'safe_house'])[1 + floor(r_kind * 2)::int]
                    ELSE (ARRAY['shelter', 'dv_shelter', 'emergency_housing', 'transitional_housing',
                                'hotel_voucher'])[1 + floor(r_kind * 5)::int] END AS kind,
               CASE WHEN r_status < 0.6 THEN 'open' WHEN r_status < 0.85 THEN 'full'
                    WHEN r_status < 0.95 THEN 'temporarily_closed' ELSE 'closed' END AS status,
               CASE WHEN r_kind >= 0.8 AND NOT confidential THEN NULL  -- hotel vouchers
                    ELSE 4 + floor(r_beds * 120)::int END AS capacity
          FROM (SELECT i,
                       :lat_min + (:lat_max - :lat_min) * random() AS lat,
                       :lon_min + (:lon_max - :lon_min) * random() AS lon,
                       random() < 0.10 AS confidential,
                       random() AS r_kind, random() AS r_status, random() AS r_web,
                       random() AS r_hours, random() AS r_gender, random() AS r_age,
                       random() AS r_children, random() AS r_pets, random() AS r_wheel,
                       random() AS r_lang, random() AS r_beds
                  FROM generate_series(1, :n) AS i
                OFFSET 0) r
        OFFSET 0) k;
SELECT clock_timestamp() AS bench_t1 \gset

SELECT def FROM bench_indexes \gexec
SELECT round(extract(epoch FROM :'bench_t1'::timestamptz - :'bench_t0'::timestamptz)::numeric, 1) AS insert_s,
       round(extract(epoch FROM clock_timestamp() - :'bench_t1'::timestamptz)::numeric, 1) AS index_s \gset
\echo timings :insert_s :index_s
