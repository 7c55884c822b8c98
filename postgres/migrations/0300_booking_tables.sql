-- 0300 booking: resources, reservations, idempotency keys, waitlists, feeds.
--
-- No double booking is enforced by the database itself:
--   * capacity 1: an exclusion constraint on (resource, tstzrange) over the
--     active reservations, so two transactions can never both commit
--     overlapping bookings, whatever the application does;
--   * capacity > 1: a Hold locks the resource row (SELECT ... FOR UPDATE)
--     before it counts seats, so holds on one resource are serialised.
-- An expired hold stays 'held' until the next transaction that needs its
-- seats marks it 'expired' (under the same locks), so no background job is
-- needed for correctness.
--
-- btree_gist gives text an equality operator class for GiST. It is a trusted
-- extension (PostgreSQL 13+): a database owner may create it.
CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;

CREATE TABLE booking_resources (
    id  text  PRIMARY KEY,
    doc jsonb NOT NULL
);

CREATE TABLE booking_reservations (
    id           text        PRIMARY KEY,
    resource_id  text        NOT NULL REFERENCES booking_resources (id),
    owner        text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('held', 'confirmed', 'cancelled', 'expired')),
    seats        integer     NOT NULL CHECK (seats > 0),
    exclusive    boolean     NOT NULL,
    start_at     timestamptz NOT NULL,
    end_at       timestamptz NOT NULL,
    block_start  timestamptz NOT NULL,
    block_end    timestamptz NOT NULL,
    block        tstzrange   GENERATED ALWAYS AS (tstzrange(block_start, block_end, '[)')) STORED,
    hold_expires timestamptz,
    created      timestamptz NOT NULL,
    updated      timestamptz NOT NULL,
    charged      boolean     NOT NULL DEFAULT false,
    series_id    text        NOT NULL DEFAULT '',
    recurrence   jsonb,
    series_start timestamptz,
    price_ore    bigint      NOT NULL DEFAULT 0,
    title        text        NOT NULL DEFAULT '',
    CHECK (block_start < block_end),
    CONSTRAINT booking_no_double_booking EXCLUDE USING gist (resource_id WITH =, block WITH &&)
        WHERE (exclusive AND state IN ('held', 'confirmed'))
);
CREATE INDEX booking_reservations_resource ON booking_reservations USING gist (resource_id, block);
CREATE INDEX booking_reservations_owner ON booking_reservations (owner, start_at);
CREATE INDEX booking_reservations_series ON booking_reservations (series_id) WHERE series_id <> '';

-- Idempotency keys: one row per (operation, key), written in the same
-- transaction as the change it guards, so a retried request finds it.
CREATE TABLE booking_keys (
    op             text NOT NULL,
    key            text NOT NULL,
    reservation_id text NOT NULL,
    created        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (op, key)
);

CREATE TABLE booking_waiters (
    id             text        PRIMARY KEY,
    resource_id    text        NOT NULL REFERENCES booking_resources (id),
    owner          text        NOT NULL,
    start_at       timestamptz NOT NULL,
    end_at         timestamptz NOT NULL,
    seats          integer     NOT NULL,
    state          text        NOT NULL,
    reservation_id text        NOT NULL DEFAULT '',
    created        timestamptz NOT NULL,
    updated        timestamptz NOT NULL
);
CREATE INDEX booking_waiters_slot ON booking_waiters (resource_id, start_at) WHERE state = 'waiting';

-- Feeds keep only the SHA-256 of their token.
CREATE TABLE booking_feeds (
    id          text        PRIMARY KEY,
    hash        text        NOT NULL UNIQUE,
    owner       text        NOT NULL DEFAULT '',
    resource_id text        NOT NULL DEFAULT '',
    created     timestamptz NOT NULL,
    revoked     timestamptz
);
