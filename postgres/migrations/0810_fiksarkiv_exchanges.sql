-- 0810 fiksarkiv: the exchanges with the archive system, per
-- klientMeldingId, between send and kvittering (possibly hours). The melding
-- ids of every send are kept so that a reply's svar-til finds its exchange;
-- one melding id belongs to one exchange. The reply is kept as received.
CREATE TABLE fiksarkiv_exchanges (
    klient_melding_id text        PRIMARY KEY,
    type              text        NOT NULL,
    state             text        NOT NULL,
    attempts          integer     NOT NULL,
    objekt            text        NOT NULL DEFAULT '',
    key_fagsystem     text,
    key_noekkel       text,
    reply_type        text        NOT NULL DEFAULT '',
    reply_payload     bytea,
    created           timestamptz NOT NULL,
    updated           timestamptz NOT NULL,
    version           bigint      NOT NULL
);
CREATE TABLE fiksarkiv_sends (
    melding_id        uuid PRIMARY KEY,
    klient_melding_id text NOT NULL REFERENCES fiksarkiv_exchanges ON DELETE CASCADE,
    seq               integer NOT NULL
);
CREATE INDEX fiksarkiv_sends_exchange ON fiksarkiv_sends (klient_melding_id, seq);
-- Unfinished: the exchanges with work left, by last change.
CREATE INDEX fiksarkiv_exchanges_unfinished ON fiksarkiv_exchanges (updated)
    WHERE state NOT IN ('done', 'failed');
