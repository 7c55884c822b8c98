package benchpair_test

import (
	"fmt"
	"testing"

	"github.com/grunnmur/grunnmur/internal/benchpair"
)

// Clearing a kilobyte against clearing half of one, alternately.
func ExampleRun() {
	buf := make([]byte, 1<<10)
	r := testing.Benchmark(func(b *testing.B) {
		benchpair.Run(b, func() { clear(buf) }, func() { clear(buf[:512]) })
	})
	_, ok := r.Extra["ours/base"]
	fmt.Println("ratio reported:", ok)
	// Output: ratio reported: true
}
