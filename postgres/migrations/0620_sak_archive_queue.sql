-- 0620 sak: the Archiver's outbox. One row per case with journal entries
-- the municipality's archive has yet to confirm (through Fiks Arkiv; the
-- exchanges themselves are in fiksarkiv_exchanges, 0800). A row is written
-- before the case change it stands for, so a crash after the change loses
-- nothing; version changes on every arm, claim and defer, so that a pass
-- never removes a row armed meanwhile.
CREATE TABLE sak_archive_queue (
    case_id text COLLATE "C" PRIMARY KEY,
    due     timestamptz NOT NULL,
    version bigint      NOT NULL
);
CREATE INDEX sak_archive_queue_due ON sak_archive_queue (due, case_id);
CREATE SEQUENCE sak_archive_queue_version;
