package sak_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/sak"
)

// TestExportArchiveLeavesOutCases: a case whose letter cannot be read and a
// case whose title holds a personal number are left out and named, by id
// and number; the extract of the others is written and verifies clean.
func TestExportArchiveLeavesOutCases(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService()
	store := docs{}
	closed, withdrawn, _ := journey(t, svc, clk, store, 10)
	cs, _, err := svc.List(ctx, sak.Filter{}, sak.Page{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(cs)
	// The first case has its letter missing; the second gets a personal
	// number in its title.
	var bad []*sak.Case
	for _, c := range cs {
		if c.State == sak.Closed && len(bad) == 0 {
			delete(store, "letter-"+strings.TrimPrefix(c.LinksOf(sak.LinkSubmission)[0].Ref, "sub-"))
			bad = append(bad, c)
		} else if c.State == sak.Closed && len(bad) == 1 {
			c.Title = "Søknad fra " + fnr
			bad = append(bad, c)
		}
	}
	dir := filepath.Join(t.TempDir(), "uttrekk")
	sum, err := sak.ExportArchive(ctx, dir, seq(cs), archiveOptions(store, clk))
	var inc *archive.IncompleteError
	if !errors.As(err, &inc) || sum == nil {
		t.Fatalf("ExportArchive = %v, %v; want a summary and an *archive.IncompleteError", sum, err)
	}
	if len(inc.Cases) != 2 || inc.Cases[0].ID != bad[0].ID || inc.Cases[0].Number != bad[0].Number() ||
		inc.Cases[1].ID != bad[1].ID || inc.Cases[1].Number != bad[1].Number() {
		t.Fatalf("left out %+v, want %s and %s", inc.Cases, bad[0].Number(), bad[1].Number())
	}
	if !errors.Is(inc.Cases[0], archive.ErrDocument) || !errors.Is(inc.Cases[1], sak.ErrPersonalNumber) {
		t.Errorf("reasons: %v", err)
	}
	if strings.Contains(err.Error(), fnr) {
		t.Error("the error shows the personal number")
	}
	if sum.Cases != closed+withdrawn-2 {
		t.Errorf("%d cases written, want %d", sum.Cases, closed+withdrawn-2)
	}
	rep, err := archive.Verify(dir)
	if err != nil || !rep.OK() {
		var b strings.Builder
		rep.WriteText(&b, 5)
		t.Fatalf("the extract of the rest does not verify: %v\n%s", err, b.String())
	}
	xmllint(t, dir)
}
