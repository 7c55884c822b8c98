// Package bookingtest is the conformance suite every booking.Store passes, in
// the style of testing/fstest.TestFS.
//
//	func TestMyStore(t *testing.T) {
//		bookingtest.TestStore(t, func(t *testing.T) booking.Store { return newEmptyStore(t) })
//	}
//
// The suite drives the store through booking.Service. Each subtest runs in
// a testing/synctest bubble, so hold expiry is tested by letting time pass
// (time.Sleep), with no fake clock; newStore is called inside the bubble.
// The suite includes the race tests: 200 goroutines holding one slot of capacity 1
// (exactly one wins) and of capacity 5 (exactly five win).
package bookingtest
