-- 0320 booking: one GiST index per reservation instead of two, and a
-- confirmation that can be a HOT update.
--
-- Before, every reservation was written to two GiST indexes on
-- (resource_id, block): booking_reservations_resource, over every row, which
-- the slot queries (Version, overlapping, expiring holds, the hold's NOT
-- EXISTS, Reservations by resource) use; and the partial index of the
-- exclusion constraint, over the active exclusive rows only, which those
-- queries cannot use (they must see shared-seat and past rows too). The
-- constraint's WHERE also named state, so confirming a hold (state 'held' to
-- 'confirmed') changed an indexed column: never a HOT update, a new entry in
-- every index of the table.
--
-- Now the constraint is over every row, with a third column, excludes: 1 while
-- the row keeps its block from every other exclusive row (exclusive and held
-- or confirmed), NULL otherwise. Two rows conflict only if their excludes are
-- equal, and NULL equals nothing, so exactly the rows the old WHERE admitted
-- exclude each other, as before. Its index leads with (resource_id, block),
-- so the slot queries use it, and the other index goes. Confirming a hold
-- leaves excludes at 1 and touches no indexed column: PostgreSQL can write
-- the new version on the same page without new index entries (a HOT
-- update) when the page has room. Fillfactor 90 keeps a tenth of each page
-- for that: a hold is confirmed minutes after it was written, when other
-- inserts have long filled its page.
--
-- excludes is a smallint, not a boolean: btree_gist has an equality class
-- for smallint in every version, for boolean only from 1.7 (PostgreSQL 15).
-- The ALTERs rewrite the table and rebuild its index under an exclusive lock,
-- in the migration's transaction: the constraint is never absent for a
-- concurrent writer.
ALTER TABLE booking_reservations
    ADD COLUMN excludes smallint
        GENERATED ALWAYS AS (CASE WHEN exclusive AND state IN ('held', 'confirmed') THEN 1 END) STORED;
ALTER TABLE booking_reservations DROP CONSTRAINT booking_no_double_booking;
DROP INDEX booking_reservations_resource;
ALTER TABLE booking_reservations ADD CONSTRAINT booking_no_double_booking
    EXCLUDE USING gist (resource_id WITH =, block WITH &&, excludes WITH =);
ALTER TABLE booking_reservations SET (fillfactor = 90);
