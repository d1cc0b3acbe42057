-- Foundation: agencies, people, sessions, login throttling, and the audit log.
-- Forward-only: never edit a migration that has shipped; add a new one.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE agencies (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- IANA zone; on-call hand-offs and "open now" are computed in it.
    time_zone   text NOT NULL DEFAULT 'UTC',
    -- Demo agencies come from `fieldline seed-demo`; production refuses to start while any exist.
    demo        boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agencies_name_key ON agencies (lower(name));

CREATE TABLE users (
    id             uuid PRIMARY KEY,
    agency_id      uuid NOT NULL REFERENCES agencies (id),
    -- Login name: unique across the installation so sign-in needs no agency picker.
    email          text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    display_name   text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
    password_hash  text NOT NULL,
    roles          text[] NOT NULL
                   CHECK (cardinality(roles) >= 1
                          AND roles <@ ARRAY['advocate', 'coordinator', 'housing_manager', 'admin']),
    grants         text[] NOT NULL DEFAULT '{}'
                   CHECK (grants <@ ARRAY['view_confidential_locations']),
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_agency_idx ON users (agency_id);

-- One row per sign-in: the family of refresh tokens that descends from it. Access tokens name
-- their session (`sid`), so revoking the session ends them too, not only the refresh chain.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    -- Absolute end of the session, however often it is refreshed.
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text CHECK (revoked_reason IN
                        ('logout', 'reuse_detected', 'admin', 'password_changed', 'user_disabled')),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Refresh tokens are opaque random strings; only their SHA-256 is kept. Each use rotates:
-- the presented token gets `used_at` and `replaced_by`, a new one is issued in the same
-- session. Presenting a used token again is reuse: the whole session is revoked.
CREATE TABLE refresh_tokens (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    session_id   uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    replaced_by  bytea REFERENCES refresh_tokens (token_hash),
    -- Replaced without being used (its holder retried the refresh that issued it, see
    -- auth/session.rs); presenting it later is always reuse, never a retry.
    retired      boolean NOT NULL DEFAULT false,
    CHECK ((used_at IS NULL) = (replaced_by IS NULL)),
    CHECK (NOT retired OR used_at IS NOT NULL)
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Failed sign-ins counted per account (keyed by a hash of the address typed, so unknown
-- addresses are throttled exactly like known ones) and per client IP. Shared by every API
-- instance: the API keeps no state of its own.
CREATE TABLE login_throttle (
    scope              text NOT NULL CHECK (scope IN ('account', 'ip')),
    key                text NOT NULL,
    failures           integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    window_started_at  timestamptz NOT NULL DEFAULT now(),
    -- Consecutive lockouts: each doubles the next one (backoff), reset by a good sign-in.
    lockouts           integer NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
    locked_until       timestamptz,
    PRIMARY KEY (scope, key)
);

-- Who did what to which record, when, from which request. Append-only: the trigger below
-- refuses updates and deletes, whoever asks. `details` names what changed, never the values
-- of personal fields.
CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    agency_id      uuid REFERENCES agencies (id),
    actor_user_id  uuid REFERENCES users (id),
    action         text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    record_type    text NOT NULL,
    record_id      text,
    request_id     text,
    client_ip      inet,
    details        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_record_idx ON audit_log (agency_id, record_type, record_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (agency_id, actor_user_id, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
