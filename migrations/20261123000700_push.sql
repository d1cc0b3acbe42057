-- Web Push: devices' subscriptions and the durable delivery outbox (issue: alerts, "Web Push").

CREATE TABLE push_subscriptions (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agency_id        uuid NOT NULL REFERENCES agencies (id),
    -- The push service URL the browser gave us; one subscription per endpoint.
    endpoint         text NOT NULL UNIQUE CHECK (length(endpoint) <= 2000),
    p256dh           bytea NOT NULL CHECK (length(p256dh) = 65),
    auth             bytea NOT NULL CHECK (length(auth) = 16),
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_success_at  timestamptz,
    last_failure_at  timestamptz
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

-- One row per message per device. A delivery is a small state machine (GoAlert's outgoing
-- messages): pending -> claimed (with a lease and a claim token, committed before the HTTP
-- call) -> sent | retry_wait | failed | cancelled. A result is written only by the claim that
-- holds the token; a lease that runs out without a result is claimed again (at least once),
-- and the push service replaces a duplicate with the same Topic.
CREATE TABLE push_deliveries (
    id               uuid PRIMARY KEY,
    subscription_id  uuid REFERENCES push_subscriptions (id) ON DELETE SET NULL,
    agency_id        uuid NOT NULL REFERENCES agencies (id),
    -- What this message is for (e.g. `alert:<id>:<level>:<loop>`, `test:<id>`): one per device.
    dedup_key        text NOT NULL,
    -- No personal data: ids, kind, urgency and a generic line (design: "Push payloads").
    payload          jsonb NOT NULL,
    topic            text NOT NULL CHECK (topic ~ '^[A-Za-z0-9_-]{1,32}$'),
    urgency          text NOT NULL CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
    ttl_secs         integer NOT NULL CHECK (ttl_secs BETWEEN 0 AND 86400),
    state            text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'claimed', 'sent', 'retry_wait', 'failed', 'cancelled')),
    attempt          integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    claim_token      uuid,
    lease_until      timestamptz,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status      integer,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    UNIQUE (subscription_id, dedup_key),
    CHECK ((state = 'claimed') = (claim_token IS NOT NULL AND lease_until IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    CHECK (state IN ('failed', 'cancelled', 'sent') OR subscription_id IS NOT NULL)
);
CREATE INDEX push_deliveries_due_idx ON push_deliveries (next_attempt_at) WHERE state IN ('pending', 'retry_wait');
CREATE INDEX push_deliveries_lease_idx ON push_deliveries (lease_until) WHERE state = 'claimed';

-- Every attempt, for the alert timeline and for operators.
CREATE TABLE push_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  uuid NOT NULL REFERENCES push_deliveries (id) ON DELETE CASCADE,
    attempt      integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    status       integer,
    outcome      text NOT NULL CHECK (outcome IN ('sent', 'retry', 'gone', 'rejected', 'timeout', 'network')),
    duration_ms  integer NOT NULL
);
CREATE INDEX push_attempts_delivery_idx ON push_attempts (delivery_id);
