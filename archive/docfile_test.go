package archive_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

// TestDocumentNotAPlainFile: the document workers' fast path (plain files
// in dokumenter/) leaves links and folders to the general path, which
// follows a link only within the extract and reports a folder it cannot
// read.
func TestDocumentNotAPlainFile(t *testing.T) {
	base := t.TempDir()
	writeDemo(t, base, archivetest.Config{Cases: 3, DocsPerCase: 1, Seed: 5})
	const doc = "dokumenter/0000001.pdf"
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		test   string // the failed test, or ""
		msg    string // in its first result
	}{
		{"link out of the extract", func(t *testing.T, dir string) {
			out := filepath.Join(t.TempDir(), "doc.pdf")
			if err := os.Rename(filepath.Join(dir, doc), out); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(out, filepath.Join(dir, doc)); err != nil {
				t.Fatal(err)
			}
		}, "N5.32", doc + " does not exist"},
		{"link within the extract", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "elsewhere"), 0o755)
			if err := os.Rename(filepath.Join(dir, doc), filepath.Join(dir, "elsewhere", "doc.pdf")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("../elsewhere/doc.pdf", filepath.Join(dir, doc)); err != nil {
				t.Fatal(err)
			}
		}, "", ""},
		{"a folder", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, doc)); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, doc), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "N5.30", "is a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
				t.Fatal(err)
			}
			tc.change(t, dir)
			rep, err := archive.Verify(dir)
			if err != nil {
				t.Fatal(err)
			}
			failed := rep.Failed()
			if tc.test == "" {
				if len(failed) > 0 {
					t.Fatalf("failed %v", failed)
				}
				return
			}
			if !slices.Contains(failed, tc.test) {
				t.Fatalf("failed %v, want %s", failed, tc.test)
			}
			for _, tr := range rep.Tests {
				if tr.ID == tc.test && !strings.Contains(tr.Results[0].Message, tc.msg) {
					t.Errorf("%s says %q, want %q in it", tc.test, tr.Results[0].Message, tc.msg)
				}
			}
		})
	}
}
