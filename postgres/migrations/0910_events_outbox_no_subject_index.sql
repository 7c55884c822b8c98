-- 0910 events: the claim no longer reads events_outbox_subject.
--
-- A claim finds, for each subject it takes, the earlier unrelayed rows that
-- other claims hold by one range scan of events_outbox_pending (the rows
-- below its last), so the (subject, seq) index served no query any more,
-- and every event a store appends paid for an entry in it: a random place in
-- a b-tree, in the transaction of the state change. The index goes.
DROP INDEX IF EXISTS events_outbox_subject;
