-- 0720 notify: who is told about a subject (a booking, a series) when nobody
-- is logged in to ask. The first person recorded stays (the primary key and
-- ON CONFLICT DO NOTHING). The person is a fødselsnummer, as a letter's
-- recipient in svarut_outbox is.
CREATE TABLE notify_recipients (
    subject text        PRIMARY KEY,
    person  text        NOT NULL,
    created timestamptz NOT NULL DEFAULT now()
);
