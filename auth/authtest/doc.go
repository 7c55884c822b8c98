// Package authtest is the conformance suite every auth.Store passes, in the
// style of testing/fstest.TestFS. Besides the Store's own contract, it logs
// in through the fake ID-porten with three Managers on the one store and
// checks that none accepts another's session.
//
//	func TestMyStore(t *testing.T) {
//		authtest.TestStore(t, func(t *testing.T) auth.Store { return newEmptyStore(t) })
//	}
package authtest
