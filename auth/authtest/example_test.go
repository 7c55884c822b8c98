package authtest_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/authtest"
)

func ExampleTestStore() {
	// In a _test.go file of the package that implements auth.Store:
	_ = func(t *testing.T) {
		authtest.TestStore(t, func(t *testing.T) auth.Store { return auth.NewMemoryStore() })
	}
	// Output:
}
