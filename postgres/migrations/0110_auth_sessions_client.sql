-- 0110 auth: the client a session belongs to, beside its issuer, so that a
-- Manager accepts only the sessions it made (two Managers, ID-porten and
-- Ansattporten, share this table). Sessions stored before have none and
-- are refused: their holders log in again.
ALTER TABLE auth_sessions ADD COLUMN client_id text NOT NULL DEFAULT '';
