package sak

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/grunnmur/grunnmur/archive"
)

// Extract is a Noark 5 extract written by Service.Extract into a folder of
// its own, to be sent on, typically as a zip file (WriteZip). Close removes
// the folder.
type Extract struct {
	// Dir holds the extract; empty when no case could be written.
	Dir string
	// Summary describes what was written; nil when no case could be.
	Summary *ExportSummary
	// LeftOut are the cases that could not be written, and why
	// (LeftOutReason): the extract of the rest is complete without them.
	LeftOut []*archive.CaseError

	tmp string
}

// Extract writes a Noark 5 extract of the cases matching f (ExportArchive)
// into a new temporary folder. Cases that cannot be written are listed in
// LeftOut rather than failing it, so that the caller can show them before
// it sends the rest; only when every case is left out is Summary nil. No
// case to export at all is archive.ErrEmpty. The caller Closes the Extract.
func (s *Service) Extract(ctx context.Context, f Filter, o ArchiveOptions) (*Extract, error) {
	tmp, err := os.MkdirTemp("", "sak-uttrekk-")
	if err != nil {
		return nil, err
	}
	x := &Extract{tmp: tmp}
	dir := filepath.Join(tmp, "uttrekk")
	x.Summary, err = s.ExportArchive(ctx, dir, f, o)
	var inc *archive.IncompleteError
	if errors.As(err, &inc) {
		x.LeftOut, err = inc.Cases, nil
	}
	if err != nil {
		x.Close()
		return nil, err
	}
	if x.Summary != nil {
		x.Dir = dir
	}
	return x, nil
}

// Close removes the extract's folder.
func (x *Extract) Close() error { return os.RemoveAll(x.tmp) }

// WriteZip writes the extract as a zip file, its files dated modified, or
// archive.ErrEmpty when no case could be written.
func (x *Extract) WriteZip(w io.Writer, modified time.Time) error {
	if x.Dir == "" {
		return archive.ErrEmpty
	}
	zw := zip.NewWriter(w)
	err := filepath.WalkDir(x.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(x.Dir, path)
		if err != nil {
			return err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(fw, f)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

// LeftOutReason names why a case was left out of an extract, for a
// message key: "document" (a document could not be read), "pid" (a
// fødselsnummer in a public text), "invalid" (the case cannot be mapped)
// or "other".
func LeftOutReason(err error) string {
	switch {
	case errors.Is(err, archive.ErrDocument):
		return "document"
	case errors.Is(err, ErrPersonalNumber):
		return "pid"
	case errors.Is(err, archive.ErrInvalid), errors.Is(err, ErrInvalid):
		return "invalid"
	}
	return "other"
}
