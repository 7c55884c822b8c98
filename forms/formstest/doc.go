// Package formstest is the conformance suite for forms.Store and forms.Files:
// every implementation runs TestStore or TestFileStore, in the style of
// testing/fstest.TestFS.
//
//	func TestMyStore(t *testing.T) {
//		formstest.TestStore(t, func(t *testing.T) forms.Store { return newMyStore(t) })
//	}
//
//	func TestMyFileStore(t *testing.T) {
//		formstest.TestFileStore(t, 1<<20, func(t *testing.T) forms.Files { return newMyFileStore(t, 1<<20) })
//	}
package formstest
