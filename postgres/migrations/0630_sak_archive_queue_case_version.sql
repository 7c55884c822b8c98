-- 0630 sak: an arm says which case version its change saves. The arm
-- comes before the save, so a pass may run between them and find the case
-- without the new entry: it then defers the row instead of removing it,
-- until the case at case_version is stored, or the change, armed at
-- armed, has plainly failed (sak.Archiver.SaveWait).
ALTER TABLE sak_archive_queue
    ADD COLUMN case_version integer     NOT NULL DEFAULT 0,
    ADD COLUMN armed        timestamptz NOT NULL DEFAULT now();
