// Package postgres implements every grunnmur Store interface on PostgreSQL, with
// embedded migrations. It is the only package that imports pgx.
//
//	db, err := postgres.Open(ctx, os.Getenv("GRUNNMUR_DATABASE_URL"))
//	if err != nil { ... }
//	defer db.Close()
//	if err := db.Migrate(ctx); err != nil { ... }
//
// Each domain's store is built from the one DB, for example
// postgres.NewBookingStore(db), and passes that domain's conformance suite
// (bookingtest.TestStore and its siblings).
//
// # Migrations
//
// Migrations live in migrations/ as NNNN_domain_what.sql and are applied in
// number order, each in its own transaction, under an advisory lock so that
// several instances starting at once apply each migration exactly once. Applied
// versions are recorded in grunnmur_migrations. Numbers are blocked per domain
// so that domains never collide:
//
//	0001-0099 core     0100-0199 auth      0200-0299 forms
//	0300-0399 booking  0400-0499 payment   0500-0599 svarut
//	0600-0699 sak      0700-0799 notify    0800-0899 archive (fiksarkiv)
//	0900-0999 events
//
// The SQL sticks to what CockroachDB and YugabyteDB also accept where that costs
// little; README.md lists what differs.
package postgres
