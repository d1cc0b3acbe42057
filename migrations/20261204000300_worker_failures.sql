-- Background work item by item (issue #16, finding 4; design.md "Trust rules: Workers"). Each
-- item of a worker round (a missed check-out, an alert request, a due escalation) runs under
-- its own savepoint. One that fails is rolled back and recorded here; the round goes on. It is
-- retried with backoff and, after `MAX_ATTEMPTS`, parked: left alone and listed for the
-- agency's admins (`GET /v1/admin/worker-failures`). A success removes its row.

CREATE TABLE worker_failures (
    job              text NOT NULL CHECK (job IN ('checkin_overdue', 'alert_request', 'alert_escalation')),
    item_id          uuid NOT NULL,
    agency_id        uuid REFERENCES agencies (id),
    attempts         integer NOT NULL CHECK (attempts >= 1),
    -- What failed, as `telemetry::redacted` writes it: SQLSTATE, constraint and table, never data.
    last_error       text NOT NULL,
    first_failed_at  timestamptz NOT NULL DEFAULT now(),
    last_failed_at   timestamptz NOT NULL DEFAULT now(),
    -- When it may be tried again; NULL once parked.
    next_attempt_at  timestamptz,
    parked_at        timestamptz,
    PRIMARY KEY (job, item_id),
    CHECK ((parked_at IS NULL) <> (next_attempt_at IS NULL))
);
CREATE INDEX worker_failures_agency_idx ON worker_failures (agency_id, last_failed_at DESC);

-- Whether a worker should pass the item by for now: waiting for its retry, or parked. Every
-- worker query that picks items calls this; inlined by PostgreSQL.
CREATE FUNCTION worker_item_held(job text, item uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM worker_failures f
                    WHERE f.job = $1 AND f.item_id = $2
                      AND (f.parked_at IS NOT NULL OR f.next_attempt_at > now()))
$$;
