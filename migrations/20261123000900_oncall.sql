-- On-call schedules (issue: alerts, "On-call schedules").

-- A rotation: ordered people handing off every `shift_days` days at `handoff_time`, wall-clock
-- time in `time_zone`, counted from `start_date` (the first hand-off). Hand-offs are computed in
-- the zone, not as elapsed durations, so they stay at 09:00 across daylight-saving changes.
CREATE TABLE oncall_schedules (
    id            uuid PRIMARY KEY,
    agency_id     uuid NOT NULL REFERENCES agencies (id),
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    time_zone     text NOT NULL,
    user_ids      uuid[] NOT NULL CHECK (cardinality(user_ids) BETWEEN 1 AND 100),
    shift_days    integer NOT NULL CHECK (shift_days BETWEEN 1 AND 28),
    handoff_time  time NOT NULL,
    start_date    date NOT NULL,
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oncall_schedules_agency_idx ON oncall_schedules (agency_id);

-- "I'll cover tonight": the newest override covering an instant wins over the rotation.
CREATE TABLE oncall_overrides (
    id           uuid PRIMARY KEY,
    schedule_id  uuid NOT NULL REFERENCES oncall_schedules (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id),
    start_at     timestamptz NOT NULL,
    end_at       timestamptz NOT NULL CHECK (end_at > start_at),
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX oncall_overrides_schedule_idx ON oncall_overrides (schedule_id, start_at, end_at);
