-- The number a phone offers when an alert cannot reach the server (no signal): the agency's
-- coordinator line. Phones learn it at sign-in and sync (`/v1/me`), so it is there offline.
ALTER TABLE agencies
    ADD COLUMN coordinator_fallback_phone text
        CHECK (coordinator_fallback_phone IS NULL OR length(btrim(coordinator_fallback_phone)) BETWEEN 3 AND 40);
