// Package authtest is the conformance suite every auth.Store passes, in the
// style of testing/fstest.TestFS.
//
//	func TestMyStore(t *testing.T) {
//		authtest.TestStore(t, func(t *testing.T) auth.Store { return newEmptyStore(t) })
//	}
package authtest
