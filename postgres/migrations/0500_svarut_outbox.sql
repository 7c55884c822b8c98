-- 0500 svarut: the outbox. An entry is a JSON document (the shipment's
-- metadata and document references, never the documents) beside the columns
-- that are queried or that the database must guard: the unique
-- eksternReferanse the outbox finds earlier attempts by, and the version for
-- optimistic locking.
CREATE TABLE svarut_outbox (
    id           text        PRIMARY KEY,
    external_ref text        NOT NULL UNIQUE,
    state        text        NOT NULL,
    reported     boolean     NOT NULL DEFAULT false,
    next_attempt timestamptz NOT NULL,
    lease_until  timestamptz,
    shipment_id  text,
    version      bigint      NOT NULL,
    created      timestamptz NOT NULL,
    updated      timestamptz NOT NULL,
    doc          jsonb       NOT NULL
);
-- Due: the entries with work left, by next attempt.
CREATE INDEX svarut_outbox_due ON svarut_outbox (next_attempt)
    WHERE state IN ('pending', 'sent') OR NOT reported;
