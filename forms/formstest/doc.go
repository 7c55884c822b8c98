// Package formstest is the conformance suite for forms.Store: every
// implementation runs TestStore, in the style of testing/fstest.TestFS.
//
//	func TestMyStore(t *testing.T) {
//		formstest.TestStore(t, func(t *testing.T) forms.Store { return newMyStore(t) })
//	}
package formstest
