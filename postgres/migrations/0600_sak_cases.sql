-- 0600 sak: cases as documents, with the columns that are queried or that
-- the database must guard (the case number, the version for optimistic locking).
CREATE TABLE sak_cases (
    id           text        PRIMARY KEY,
    year         integer     NOT NULL,
    seq          integer     NOT NULL,
    kind         text        NOT NULL,
    owner        text        NOT NULL,
    on_behalf_of text        NOT NULL DEFAULT '',
    state        text        NOT NULL,
    version      integer     NOT NULL,
    created      timestamptz NOT NULL,
    updated      timestamptz NOT NULL,
    doc          jsonb       NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX sak_cases_owner ON sak_cases (owner, created DESC);
CREATE INDEX sak_cases_state ON sak_cases (state, created DESC);

-- Yearly number series ("sak", "journal"): one row per (series, year), bumped
-- with INSERT ... ON CONFLICT, which locks the row, so no number is given twice.
CREATE TABLE sak_sequences (
    series text    NOT NULL,
    year   integer NOT NULL,
    last   integer NOT NULL,
    PRIMARY KEY (series, year)
);
