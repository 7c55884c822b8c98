-- 0610 sak: keyset paging. Every list is ordered newest first, by
-- (created, id) descending; the id compares byte by byte (COLLATE "C"), as
-- every Store compares it, whatever the database's collation. Each filter
-- that the services use has an index whose order is the list's, so that a
-- page is an index range scan from the cursor, never a sort of every case.
ALTER TABLE sak_cases ALTER COLUMN id TYPE text COLLATE "C";
DROP INDEX sak_cases_owner;
DROP INDEX sak_cases_state;
CREATE INDEX sak_cases_created ON sak_cases (created, id);
CREATE INDEX sak_cases_owner ON sak_cases (owner, created, id);
CREATE INDEX sak_cases_kind ON sak_cases (kind, created, id);
CREATE INDEX sak_cases_on_behalf_of ON sak_cases (on_behalf_of, created, id) WHERE on_behalf_of <> '';
CREATE INDEX sak_cases_state ON sak_cases (state, created, id);
