package archive_test

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
	"github.com/grunnmur/grunnmur/internal/benchpair"
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

// BenchmarkVerifyPair verifies a 1,000-case extract against its baseline,
// `sha256sum` over every file of it, alternating (issue 22 item 1: the goal
// is ours/base ≤ 1.11, a throughput of at least 0.9× sha256sum's).
// A call of each side takes a good part of a second: run it with
// -benchtime 20x -count 5 and take the median of ours/base.
// archive/verifybench.sh measures the same on a large extract with the
// command-line tool, with the CPU time of each.
func BenchmarkVerifyPair(b *testing.B) {
	sum, err := exec.LookPath("sha256sum")
	if err != nil {
		b.Skip("sha256sum not installed (GNU coreutils): it is the baseline")
	}
	dir := filepath.Join(b.TempDir(), "x")
	writeDemo(b, dir, archivetest.Config{Cases: 1000, DocsPerCase: 1, Seed: 1})
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	benchpair.Run(b, func() {
		if rep, err := archive.Verify(dir); err != nil || !rep.OK() {
			b.Fatal(err, rep.Failed())
		}
	}, func() {
		if out, err := exec.Command(sum, files...).Output(); err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	})
}
