-- 0700 notify: notifications by idempotency key. The key is the primary key,
-- so the database keeps one notification per key; the version column is for
-- optimistic locking, and next_attempt (NULL: nothing due) drives the sender.
CREATE TABLE notify_outbox (
    key          text        PRIMARY KEY,
    channel      text        NOT NULL,
    recipient    text        NOT NULL,
    reply_to     text        NOT NULL,
    subject      text        NOT NULL,
    body_text    text        NOT NULL,
    body_html    text        NOT NULL,
    template     text        NOT NULL,
    lang         text        NOT NULL,
    status       text        NOT NULL,
    urgent       boolean     NOT NULL,
    condition    text        NOT NULL,
    attempts     integer     NOT NULL,
    next_attempt timestamptz,
    provider_id  text        NOT NULL,
    reason       text        NOT NULL,
    created      timestamptz NOT NULL,
    updated      timestamptz NOT NULL,
    version      bigint      NOT NULL
);
CREATE INDEX notify_outbox_due ON notify_outbox (next_attempt, key)
    WHERE status IN ('queued', 'sending', 'failed-temporary') AND next_attempt IS NOT NULL;
