package sandbox_test

import (
	"fmt"

	"github.com/grunnmur/grunnmur/devenv/sandbox"
)

// In a build without -tags production, as `go test` and `go run` make,
// Start runs the fakes.
func Example() {
	fmt.Println(sandbox.Start != nil)
	// Output: true
}
