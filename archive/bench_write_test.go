package archive_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

// BenchmarkWriteExtract writes whole extracts (documents included) to disk.
func BenchmarkWriteExtract(b *testing.B) {
	base := b.TempDir()
	var bytes int64
	for i := 0; b.Loop(); i++ {
		sum := writeDemo(b, filepath.Join(base, strconv.Itoa(i)), archivetest.Config{Cases: 1000, DocsPerCase: 1, Seed: 1})
		bytes = sum.Bytes
	}
	b.SetBytes(bytes)
}

// BenchmarkVerify verifies a 1,000-case extract.
func BenchmarkVerify(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "x")
	writeDemo(b, dir, archivetest.Config{Cases: 1000, DocsPerCase: 1, Seed: 1})
	var n int64
	for b.Loop() {
		rep, err := archive.Verify(dir)
		if err != nil || !rep.OK() {
			b.Fatal(err, rep.Failed())
		}
		n = rep.Bytes
	}
	b.SetBytes(n)
}
