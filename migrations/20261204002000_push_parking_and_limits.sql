-- Trust (issue 16, findings 4 and 7): a delivery given up on says why; a push refused by the
-- egress guard (an endpoint resolving to an internal address) or answered with a redirect is
-- recorded as such; test pushes are counted per person.

-- A parked delivery (`failed`) always carries a short reason without personal data
-- (`gone`, `rejected: HTTP 400`, `blocked: private address`, `gave up after 10 attempts`, …).
ALTER TABLE push_deliveries ADD COLUMN failure_reason text CHECK (length(failure_reason) <= 200);
UPDATE push_deliveries SET failure_reason = 'failed before reasons were recorded' WHERE state = 'failed';
ALTER TABLE push_deliveries ADD CONSTRAINT push_deliveries_failed_has_reason
    CHECK ((state = 'failed') = (failure_reason IS NOT NULL));
-- Admins list what was parked, newest first.
CREATE INDEX push_deliveries_failed_idx ON push_deliveries (agency_id, created_at DESC) WHERE state = 'failed';

ALTER TABLE push_attempts DROP CONSTRAINT push_attempts_outcome_check;
ALTER TABLE push_attempts ADD CONSTRAINT push_attempts_outcome_check
    CHECK (outcome IN ('sent', 'retry', 'gone', 'rejected', 'timeout', 'network', 'blocked', 'redirect'));

-- Test pushes per person in the current window (`POST /v1/push/test`).
CREATE TABLE push_test_sends (
    user_id            uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    window_started_at  timestamptz NOT NULL DEFAULT now(),
    sent               integer NOT NULL CHECK (sent >= 0)
);
