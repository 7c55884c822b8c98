-- 0001 core: who migrated this database, so that an operator can tell which
-- grunnmur schema a database carries without reading grunnmur_migrations.
CREATE TABLE grunnmur_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO grunnmur_meta (key, value) VALUES ('schema', 'grunnmur');
