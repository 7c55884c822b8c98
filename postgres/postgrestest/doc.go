// Package postgrestest gives each test its own empty PostgreSQL schema, so that
// many packages can run their tests in parallel against one database.
//
//	func TestBookingStore(t *testing.T) {
//		bookingtest.TestStore(t, func(t *testing.T) booking.Store {
//			// A schema of its own per subtest: migrated, dropped when it ends.
//			return postgres.NewBookingStore(postgrestest.Open(t))
//		})
//	}
//
// The database comes from GRUNNMUR_TEST_DATABASE_URL; without it the test is
// skipped with a message.
package postgrestest
