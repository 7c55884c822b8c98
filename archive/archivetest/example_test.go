package archivetest_test

import (
	"fmt"

	"github.com/grunnmur/grunnmur/archive/archivetest"
)

func ExampleCases() {
	for c := range archivetest.Cases(archivetest.Config{Cases: 2, DocsPerCase: 1, Seed: 1}) {
		fmt.Println(c.Number(), c.ClassID, len(c.Records), "journal entries")
	}
	// Output:
	// 2025/1 byggesak 2 journal entries
	// 2025/2 skjenkebevilling 4 journal entries
}
