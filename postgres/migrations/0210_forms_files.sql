-- 0210 forms: uploaded files (forms.Files). The bytes are in a bytea column:
-- attachments to an application are documents of at most tens of MB (the
-- form's per-file limit is 20 MiB by default), well inside what bytea and a
-- row read into memory take; a service with larger files keeps them in object
-- storage behind its own forms.Files. The owner is the opaque owner key.
CREATE TABLE forms_files (
    id           text        PRIMARY KEY,
    owner        text        NOT NULL,
    name         text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL,
    sha256       bytea       NOT NULL,
    created      timestamptz NOT NULL,
    data         bytea       NOT NULL
);
CREATE INDEX forms_files_owner ON forms_files (owner, created, id);
