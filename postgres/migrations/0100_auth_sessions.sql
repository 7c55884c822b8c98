-- 0100 auth: server-side login sessions. The id is the SHA-256 of the
-- cookie's random token, never the token itself. (issuer, sid) finds the
-- sessions to end on a front-channel logout; last_seen and created drive the
-- idle and absolute limits.
CREATE TABLE auth_sessions (
    id        text        PRIMARY KEY,
    issuer    text        NOT NULL DEFAULT '',
    sid       text        NOT NULL DEFAULT '',
    created   timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    doc       jsonb       NOT NULL
);
CREATE INDEX auth_sessions_sid ON auth_sessions (issuer, sid) WHERE sid <> '';
CREATE INDEX auth_sessions_last_seen ON auth_sessions (last_seen);
CREATE INDEX auth_sessions_created ON auth_sessions (created);
