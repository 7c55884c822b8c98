-- 0200 forms: drafts and submissions. The owner is an opaque key
-- (forms.OwnerKeys: an HMAC for a person, the public orgnr for an
-- organisation), so personal numbers are stored only inside the data, where the
-- form itself asks for them.
CREATE TABLE forms_drafts (
    id           text        PRIMARY KEY,
    form_id      text        NOT NULL,
    form_version integer     NOT NULL,
    owner        text        NOT NULL,
    page         text        NOT NULL DEFAULT '',
    data         jsonb       NOT NULL,
    created      timestamptz NOT NULL,
    updated      timestamptz NOT NULL,
    version      integer     NOT NULL
);
CREATE INDEX forms_drafts_owner ON forms_drafts (owner, form_id, updated DESC);

-- draft_id is unique: a draft becomes at most one submission.
CREATE TABLE forms_submissions (
    id           text        PRIMARY KEY,
    form_id      text        NOT NULL,
    form_version integer     NOT NULL,
    owner        text        NOT NULL,
    draft_id     text        UNIQUE,
    lang         text        NOT NULL,
    data         jsonb       NOT NULL,
    submitted_at timestamptz NOT NULL
);
CREATE INDEX forms_submissions_owner ON forms_submissions (owner, submitted_at DESC);
