-- Safety plans (issue: safety plans): one per person, every save a new version. The plan's
-- content is sealed by the application (api/src/encryption.rs, field `safety_plan.content`,
-- bound to the version row's id): `content_sealed` holds AES-GCM ciphertext, never plaintext.

CREATE TABLE safety_plans (
    id               uuid PRIMARY KEY,
    agency_id        uuid NOT NULL REFERENCES agencies (id),
    person_id        uuid NOT NULL UNIQUE REFERENCES persons (id),
    current_version  integer NOT NULL CHECK (current_version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX safety_plans_agency_idx ON safety_plans (agency_id);

CREATE TABLE safety_plan_versions (
    id              uuid PRIMARY KEY,
    plan_id         uuid NOT NULL REFERENCES safety_plans (id) ON DELETE CASCADE,
    version         integer NOT NULL CHECK (version >= 1),
    -- The whole plan document as one sealed JSON value.
    content_sealed  bytea NOT NULL,
    saved_by        uuid NOT NULL REFERENCES users (id),
    saved_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, version)
);

-- History is kept as it was saved. Only `content_sealed` may change, so that rotating data
-- keys can re-seal old versions; nothing may be deleted, except by the retention purge, which
-- says so for its own transaction (`SET LOCAL fieldline.purge = 'on'`, contacts/retention.rs).
CREATE FUNCTION safety_plan_versions_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.plan_id, NEW.version, NEW.saved_by, NEW.saved_at)
           IS NOT DISTINCT FROM (OLD.id, OLD.plan_id, OLD.version, OLD.saved_by, OLD.saved_at) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND current_setting('fieldline.purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'safety plan versions are kept as saved' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER safety_plan_versions_kept
    BEFORE UPDATE OR DELETE ON safety_plan_versions
    FOR EACH ROW EXECUTE FUNCTION safety_plan_versions_are_kept();

-- Every save inserts or updates the plan row, so phones see one change per save.
CREATE TRIGGER safety_plans_sync AFTER INSERT OR UPDATE OR DELETE ON safety_plans
    FOR EACH ROW EXECUTE FUNCTION sync_log_change('safety_plan');
