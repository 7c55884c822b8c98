-- 0400 payment: payment records as documents, with the columns that are
-- queried or that the database must guard (one attempt per business key and
-- number, the version for optimistic locking).
CREATE TABLE payment_payments (
    reference    text        PRIMARY KEY,
    business_key text        NOT NULL,
    attempt      integer     NOT NULL,
    state        text        NOT NULL,
    version      integer     NOT NULL,
    created      timestamptz NOT NULL,
    updated      timestamptz NOT NULL,
    doc          jsonb       NOT NULL,
    UNIQUE (business_key, attempt)
);
CREATE INDEX payment_payments_state ON payment_payments (state, created);

-- Operations: the durable intent behind each mutating provider call. The key
-- is the idempotency key; claiming is one INSERT ... ON CONFLICT DO UPDATE,
-- which locks the row, so exactly one caller holds an operation at a time.
CREATE TABLE payment_operations (
    key         text        PRIMARY KEY,
    reference   text        NOT NULL,
    kind        text        NOT NULL,
    amount      bigint      NOT NULL,
    status      text        NOT NULL,
    attempts    integer     NOT NULL,
    lease_until timestamptz NOT NULL,
    detail      text        NOT NULL DEFAULT '',
    created     timestamptz NOT NULL,
    updated     timestamptz NOT NULL
);
CREATE INDEX payment_operations_reference ON payment_operations (reference, created);
CREATE INDEX payment_operations_pending ON payment_operations (status, lease_until);
