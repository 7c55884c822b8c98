package archive_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
	"github.com/grunnmur/grunnmur/civil"
)

func Example() {
	dir, _ := os.MkdirTemp("", "extract")
	defer os.RemoveAll(dir)

	opened := time.Date(2026, 3, 2, 9, 15, 0, 0, civil.Oslo)
	pdf := archivetest.PDF("Søknad om skjenkebevilling")

	w, err := archive.Create(dir, archivetest.Extract(), archive.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &archive.Saksmappe{
		ClassID: archivetest.ClassSkjenkebevilling,
		Title:   "Søknad om skjenkebevilling - Kafé Måken AS",
		Created: opened, CreatedBy: "kari", Finished: opened.Add(21 * 24 * time.Hour), FinishedBy: "kari",
		Year: 2026, Sequence: 17, Date: civil.DateOf(opened),
		AdministrativeUnit: "Næringsetaten", Officer: "kari", Status: "Avsluttet",
		Records: []archive.Journalpost{{
			Created: opened, CreatedBy: "kari", Title: "Søknad om skjenkebevilling",
			Parties: []archive.Korrespondansepart{{Type: "Avsender", Name: "Kafé Måken AS"}},
			Year:    2026, Sequence: 311, Type: "Inngående dokument", Status: "Arkivert", Date: civil.DateOf(opened),
			Documents: []archive.Dokument{{
				Type: "Søknad", Title: "Søknad", Created: opened, CreatedBy: "kari",
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pdf)), nil },
			}},
		}},
	}
	c.SystemID = "0b6a5b3e-1c1a-4a47-9d1e-000000000017"
	c.Changes = []archive.Endring{{Ref: c.SystemID, Field: "saksstatus", Changed: c.Finished, ChangedBy: "kari",
		Previous: "Under behandling", New: "Avsluttet"}}
	if err := w.Add(context.Background(), c); err != nil {
		fmt.Println(err)
		return
	}
	sum, err := w.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.Cases, "case,", sum.Records, "journal entry,", sum.Documents, "document, period", sum.Start, "to", sum.End)

	report, err := archive.Verify(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("passed:", report.OK())
	// Output:
	// 1 case, 1 journal entry, 1 document, period 2026-03-02 to 2026-03-02
	// passed: true
}

func ExampleVerify() {
	dir, _ := os.MkdirTemp("", "extract")
	defer os.RemoveAll(dir)
	_, err := archive.Write(context.Background(), dir, archivetest.Extract(), archive.Options{},
		archivetest.Cases(archivetest.Config{Cases: 10, DocsPerCase: 1, Seed: 1}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Someone edits a document after the extract was sealed.
	os.WriteFile(filepath.Join(dir, "dokumenter", "0000004.pdf"), []byte("%PDF-1.4 changed"), 0o644)

	report, _ := archive.Verify(dir)
	fmt.Println("passed:", report.OK())
	for _, id := range report.Failed() {
		t := report.Test(id)
		fmt.Printf("%s %s: %s\n", t.ID, t.Name, t.Results[0].Location)
	}
	// Output:
	// passed: false
	// N5.30 Document file checksums: dokumenter/0000004.pdf
}
