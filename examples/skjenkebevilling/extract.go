package main

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
)

// archiveOptions maps the service's cases onto Noark 5: the municipality as
// creator, the applicant company as party, the documents (application and
// decision letter) printed again from their references, and the applicant's
// attachments from the file store.
func (a *App) archiveOptions() sak.ArchiveOptions {
	return sak.ArchiveOptions{
		Extract: sak.DefaultExtract("Eksempelkommune", "921000009", map[string]string{kind: "Skjenkebevilling"}, a.now()),
		Open: func(ctx context.Context, c *sak.Case, e *sak.JournalEntry, d sak.Document) (io.ReadCloser, error) {
			return a.openRef(ctx, d.Ref)
		},
		Parties: func(c *sak.Case) []archive.Part {
			sub, err := a.submission(context.Background(), c)
			if err != nil {
				return nil
			}
			return []archive.Part{{ID: str(sub.Data, "soker", "organisasjonsnummer"), Name: str(sub.Data, "soker", "navn"), Role: "Søker"}}
		},
		AdministrativeUnit: "Skjenkekontoret",
		Now:                a.now,
	}
}

// leftOut is a case the extract could not hold, for the officer.
type leftOut struct{ ID, Number, Reason string }

// extractPage lists the cases left out of the extract, with a link that
// downloads it without them.
type extractPage struct {
	Cases    []leftOut
	Download string
}

// reasonKey names, in the officer's words, why a case was left out.
func reasonKey(err error) string {
	switch {
	case errors.Is(err, archive.ErrDocument):
		return "off.leftout.document"
	case errors.Is(err, sak.ErrPersonalNumber):
		return "off.leftout.pid"
	case errors.Is(err, archive.ErrInvalid), errors.Is(err, sak.ErrInvalid):
		return "off.leftout.invalid"
	}
	return "off.leftout.other"
}

// extract writes a Noark 5 extract of every finished case and sends it as a
// zip file. When cases cannot be written, the officer first sees which and
// why, and downloads the extract of the rest from there.
func (a *App) extract(w http.ResponseWriter, r *http.Request) {
	dir, err := os.MkdirTemp("", "skjenk-uttrekk-")
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "uttrekk")
	sum, err := a.sak.ExportArchive(r.Context(), out, sak.Filter{Kind: kind}, a.archiveOptions())
	var inc *archive.IncompleteError
	if errors.As(err, &inc) {
		a.log.WarnContext(r.Context(), "noark extract: cases left out", "error", err)
		if sum == nil || r.URL.Query().Get("ufullstendig") != "1" {
			lang := site.Lang(r)
			v := extractPage{}
			if sum != nil {
				v.Download = "/ansatt/uttrekk?ufullstendig=1"
			}
			for _, c := range inc.Cases {
				v.Cases = append(v.Cases, leftOut{ID: c.ID, Number: c.Number, Reason: messages.T(lang, reasonKey(c.Err))})
			}
			a.svc.Render(w, r, "extract", http.StatusOK, a.svc.Page(r, "off.leftout", v))
			return
		}
		err = nil
	}
	if errors.Is(err, archive.ErrEmpty) {
		p := a.svc.Page(r, "off.extract", "off.none")
		a.svc.Render(w, r, "error", http.StatusConflict, p)
		return
	}
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "noark extract", "skipped", sum.Skipped)
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="noark5-skjenkebevilling-`+a.now().In(civil.Oslo).Format("2006-01-02")+`.zip"`)
	zw := zip.NewWriter(w)
	err = filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(out, path)
		if err != nil {
			return err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: a.now().In(civil.Oslo)})
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
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		a.log.ErrorContext(r.Context(), "noark extract zip", "error", err)
	}
}
