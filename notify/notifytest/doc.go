// Package notifytest holds the conformance suite for notify.Store
// implementations and small helpers for tests of code that sends
// notifications.
//
//	func TestNotifyStore(t *testing.T) {
//		notifytest.TestStore(t, func(t *testing.T) notify.Store {
//			return postgres.NewNotifyStore(postgrestest.Open(t))
//		})
//	}
package notifytest
