package sak_test

import (
	"context"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/sak"
)

// TestNumbersAcrossNewYear is the regression test of issue 17's case-year
// bug: a case opened in December keeps its saksår when a letter is
// journaled in January, while the journal entry takes the new journalår
// and the first number of its journal. 23:30 on 31 December in Oslo is
// 22:30 UTC; midnight in Oslo is 23:00 UTC.
func TestNumbersAcrossNewYear(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC)} // 23:30 in Oslo: still 2026
	svc := &sak.Service{Now: clk.now}
	c, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: applicant.ID})
	if err != nil {
		t.Fatal(err)
	}
	if c.Number() != "2026/1" {
		t.Fatalf("opened at 23:30 on 31 December in Oslo: case %s, want 2026/1", c.Number())
	}
	c, _ = svc.Journal(ctx, system, c.ID, sak.JournalEntry{Type: sak.Incoming, Title: "Søknad"})
	clk.t = time.Date(2026, 12, 31, 22, 59, 59, 0, time.UTC) // 23:59:59 in Oslo
	c, _ = svc.Journal(ctx, system, c.ID, sak.JournalEntry{Type: sak.Internal, Title: "Notat"})
	clk.t = time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC) // midnight in Oslo: 2027, though UTC still says 2026
	c, err = svc.Journal(ctx, officer, c.ID, sak.JournalEntry{Type: sak.Outgoing, Title: "Vedtak"})
	if err != nil {
		t.Fatal(err)
	}
	// An entry dated by the caller takes its journalår from that date, in Oslo.
	c, _ = svc.Journal(ctx, officer, c.ID, sak.JournalEntry{Type: sak.Note, Title: "Merknad", Date: time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)})
	want := []struct{ entry, journal string }{
		{"2026/1-1", "2026/1"}, {"2026/1-2", "2026/2"}, {"2026/1-3", "2027/1"}, {"2026/1-4", "2027/2"},
	}
	if len(c.Journal) != len(want) {
		t.Fatalf("%d journal entries, want %d", len(c.Journal), len(want))
	}
	for i, w := range want {
		e := c.Journal[i]
		if got := c.EntryNumber(e); got != w.entry {
			t.Errorf("entry %d (%s): number %s, want %s: the case's year, not the journal's", i+1, e.Title, got, w.entry)
		}
		if got := e.JournalNumber(); got != w.journal {
			t.Errorf("entry %d (%s): journal number %s, want %s", i+1, e.Title, got, w.journal)
		}
	}
	// A case opened after midnight in Oslo is 2027's first.
	c2, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: applicant.ID})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Number() != "2027/1" {
		t.Fatalf("opened at 00:00 on 1 January in Oslo: case %s, want 2027/1", c2.Number())
	}
	// The stored case says the same: the numbers are fixed, not computed
	// from the clock when read.
	clk.t = time.Date(2028, 6, 1, 12, 0, 0, 0, time.UTC)
	got, err := svc.Get(ctx, officer, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Number() != "2026/1" || got.EntryNumber(got.Journal[2]) != "2026/1-3" || got.Journal[2].JournalNumber() != "2027/1" {
		t.Fatalf("read back in 2028: %s, %s, %s", got.Number(), got.EntryNumber(got.Journal[2]), got.Journal[2].JournalNumber())
	}
}
