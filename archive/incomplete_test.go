package archive_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

// failingReader gives some bytes, then fails.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), f.n)
	clear(p[:n])
	f.n -= n
	return n, nil
}

func (f *failingReader) Close() error { return nil }

// TestWriteLeavesOutCases: cases whose documents cannot be read (at open,
// or half-way through one) and a case the caller could not map are left
// out and named; the extract of the rest is whole and valid, with no stray
// document file.
func TestWriteLeavesOutCases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var failed []string
	mapErr := errors.New("sak: personal number in public text")
	i := 0
	cases := func(yield func(*archive.Saksmappe, error) bool) {
		for c, err := range archivetest.Cases(archivetest.Config{Cases: 12, DocsPerCase: 2, Seed: 7}) {
			if err != nil {
				yield(nil, err)
				return
			}
			i++
			var last *archive.Dokument
			for r := range c.Records {
				for d := range c.Records[r].Documents {
					last = &c.Records[r].Documents[d]
				}
			}
			switch {
			case i == 3 && last != nil:
				last.Open = func() (io.ReadCloser, error) { return nil, errors.New("no such letter") }
				failed = append(failed, c.Number())
			case i == 5 && last != nil:
				last.Open = func() (io.ReadCloser, error) { return &failingReader{n: 300 << 10}, nil }
				failed = append(failed, c.Number())
			case i == 8:
				failed = append(failed, c.Number())
				if !yield(nil, &archive.CaseError{ID: "case-8", Number: c.Number(), Err: mapErr}) {
					return
				}
				continue
			}
			if !yield(c, nil) {
				return
			}
		}
	}
	sum, err := archive.Write(ctx, dir, archivetest.Extract(), archive.Options{NewID: archivetest.IDs(7)}, cases)
	var inc *archive.IncompleteError
	if !errors.As(err, &inc) || sum == nil {
		t.Fatalf("Write = %v, %v; want a summary and an *IncompleteError", sum, err)
	}
	var got []string
	for _, c := range inc.Cases {
		got = append(got, c.Number)
	}
	if !slices.Equal(got, failed) || len(failed) != 3 {
		t.Fatalf("left out %v, want %v", got, failed)
	}
	if !errors.Is(inc.Cases[0].Err, archive.ErrDocument) || !errors.Is(inc.Cases[1].Err, archive.ErrDocument) ||
		!errors.Is(err, mapErr) || inc.Cases[2].ID != "case-8" {
		t.Errorf("reasons: %v", err)
	}
	if !strings.Contains(err.Error(), failed[0]) || !strings.Contains(err.Error(), "no such letter") {
		t.Errorf("the error does not name the case and its reason: %v", err)
	}
	if sum.Cases != 12-3 {
		t.Errorf("%d cases written, want 9", sum.Cases)
	}
	docs, _ := os.ReadDir(filepath.Join(dir, archive.DirDokumenter))
	if len(docs) != sum.Documents {
		t.Errorf("%d files in dokumenter/, the extract lists %d", len(docs), sum.Documents)
	}
	rep, err := archive.Verify(dir)
	if err != nil || !rep.OK() {
		var b strings.Builder
		rep.WriteText(&b, 5)
		t.Fatalf("the extract of the rest does not verify: %v\n%s", err, b.String())
	}
	xmllintExtract(t, dir)
}

// TestWriteAllLeftOut: with every case left out there is no extract, and
// the error says both.
func TestWriteAllLeftOut(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("storage down")
	_, err := archive.Write(context.Background(), dir, archivetest.Extract(), archive.Options{}, func(yield func(*archive.Saksmappe, error) bool) {
		c := oneCase()
		c.Records[1].Documents[0].Open = func() (io.ReadCloser, error) { return nil, boom }
		yield(c, nil)
	})
	var inc *archive.IncompleteError
	if !errors.Is(err, archive.ErrEmpty) || !errors.As(err, &inc) || !errors.Is(err, boom) || len(inc.Cases) != 1 || inc.Cases[0].ID != caseID {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, archive.FileArkivuttrekk)); err == nil {
		t.Error("an empty extract has arkivuttrekk.xml")
	}
}
