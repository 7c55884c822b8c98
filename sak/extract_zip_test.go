package sak_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/sak"
)

// TestExtractZip: a case whose letter cannot be read is left out and named
// with its reason; the rest goes into the zip, and Close removes the folder.
func TestExtractZip(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService()
	store := docs{}
	closed, withdrawn, _ := journey(t, svc, clk, store, 6)
	var bad *sak.Case
	for c, err := range svc.Cases(ctx, sak.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if c.State == sak.Closed && bad == nil {
			delete(store, "letter-"+strings.TrimPrefix(c.LinksOf(sak.LinkSubmission)[0].Ref, "sub-"))
			bad = c
		}
	}
	x, err := svc.Extract(ctx, sak.Filter{}, archiveOptions(store, clk))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.LeftOut) != 1 || x.LeftOut[0].ID != bad.ID || sak.LeftOutReason(x.LeftOut[0].Err) != "document" {
		t.Fatalf("left out %+v, want %s", x.LeftOut, bad.Number())
	}
	if x.Summary == nil || x.Summary.Cases != closed+withdrawn-1 {
		t.Fatalf("summary %+v", x.Summary)
	}
	var b bytes.Buffer
	if err := x.WriteZip(&b, clk.now()); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names[archive.FileArkivstruktur] || !names["arkivuttrekk.xml"] {
		t.Errorf("zip holds %v", names)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(x.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folder is left after Close: %v", err)
	}
}

func TestExtractEmpty(t *testing.T) {
	svc, _ := newService()
	if _, err := svc.Extract(context.Background(), sak.Filter{}, sak.ArchiveOptions{}); !errors.Is(err, archive.ErrEmpty) {
		t.Fatalf("no cases: %v", err)
	}
}

func TestLeftOutReason(t *testing.T) {
	for err, want := range map[error]string{
		fmt.Errorf("x: %w", archive.ErrDocument): "document", sak.ErrPersonalNumber: "pid",
		archive.ErrInvalid: "invalid", sak.ErrInvalid: "invalid", errors.New("disk full"): "other",
	} {
		if got := sak.LeftOutReason(&archive.CaseError{ID: "1", Err: err}); got != want {
			t.Errorf("%v: %q, want %q", err, got, want)
		}
	}
}

func ExampleService_Extract() {
	ctx := context.Background()
	svc := &sak.Service{Store: sak.NewMemoryStore(), Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }}
	applicant := sak.Actor{Role: sak.RoleApplicant, ID: "person:a"}
	c, _ := svc.Open(ctx, sak.Application{Kind: "hund", Title: "Registrering av hund", Owner: "person:a"})
	svc.Journal(ctx, applicant, c.ID, sak.JournalEntry{Type: sak.Incoming, Title: "Registrering av hund", Party: "Kari", Date: svc.Now()})
	svc.Transition(ctx, applicant, c.ID, sak.Withdrawn, "trukket")

	x, err := svc.Extract(ctx, sak.Filter{}, sak.ArchiveOptions{Now: svc.Now})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer x.Close()
	var zipped bytes.Buffer
	if err := x.WriteZip(&zipped, svc.Now()); err != nil { // to an http.ResponseWriter, say
		fmt.Println(err)
	}
	fmt.Println(x.Summary.Cases, "case,", len(x.LeftOut), "left out")
	// Output: 1 case, 0 left out
}
