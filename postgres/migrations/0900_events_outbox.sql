-- 0900 events: the transactional outbox. A store inserts its events in the
-- transaction that changes the state; seq is the order they are relayed in
-- (per subject), relayed_at is set once JetStream acknowledged the event.
-- data is the payload's JSON as emitted (bytea: exact bytes, and JSON's
-- "\u0000", which jsonb refuses, cannot fail a state change); query it with
-- convert_from(data, 'UTF8')::json.
CREATE TABLE events_outbox (
    seq        bigserial   PRIMARY KEY,
    id         text        NOT NULL UNIQUE,
    source     text        NOT NULL,
    type       text        NOT NULL,
    subject    text        NOT NULL,
    time       timestamptz NOT NULL,
    data       bytea       NOT NULL,
    created    timestamptz NOT NULL DEFAULT now(),
    relayed_at timestamptz,
    attempts   integer     NOT NULL DEFAULT 0
);
CREATE INDEX events_outbox_pending ON events_outbox (seq) WHERE relayed_at IS NULL;
CREATE INDEX events_outbox_subject ON events_outbox (subject, seq) WHERE relayed_at IS NULL;

-- events_processed: the ids a consumer has handled, for its idempotency.
CREATE TABLE events_processed (
    consumer  text        NOT NULL,
    id        text        NOT NULL,
    processed timestamptz NOT NULL,
    PRIMARY KEY (consumer, id)
);
