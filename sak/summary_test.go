package sak_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/sak"
)

// TestSummaries pages an officer's list forwards to the end and back to
// the start: every case once, in order, the first page whole at both ends.
func TestSummaries(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)}
	svc := &sak.Service{Now: clk.now}
	var want []string // newest first
	for i := range 7 {
		clk.advance(time.Minute)
		c, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: fmt.Sprint("sub-", i)})
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{c.Number()}, want...)
	}
	numbers := func(p *sak.SummaryPage) []string {
		var out []string
		for _, r := range p.Rows {
			out = append(out, r.Number)
		}
		return out
	}
	f, p := sak.Filter{Kind: "skjenkebevilling"}, sak.Page{Limit: 3}
	var got []string
	var pages []*sak.SummaryPage
	for {
		pg, err := svc.Summaries(ctx, f, p)
		if err != nil {
			t.Fatal(err)
		}
		if pg.First != (len(pages) == 0) || (pg.Newer == "") != pg.First {
			t.Fatalf("page %d: first %v, newer %q", len(pages)+1, pg.First, pg.Newer)
		}
		got, pages = append(got, numbers(pg)...), append(pages, pg)
		if pg.Older == "" {
			break
		}
		p.After = pg.Older
	}
	if !slices.Equal(got, want) || len(pages) != 3 {
		t.Fatalf("pages list %v in %d pages, want %v in 3", got, len(pages), want)
	}
	// Back: the middle page, then the first, whole (not the two cases
	// before the middle page's first).
	back, err := svc.Summaries(ctx, f, sak.Page{Limit: 3, Before: pages[2].Newer})
	if err != nil || !slices.Equal(numbers(back), want[3:6]) || back.Older != pages[1].Older {
		t.Fatalf("back to the middle: %v, %v", numbers(back), err)
	}
	first, err := svc.Summaries(ctx, f, sak.Page{Limit: 3, Before: back.Newer})
	if err != nil || !slices.Equal(numbers(first), want[:3]) || !first.First || first.Newer != "" {
		t.Fatalf("back to the first: %v first=%v newer=%q, %v", numbers(first), first.First, first.Newer, err)
	}
	if _, err := svc.Summaries(ctx, f, sak.Page{After: "x"}); !errors.Is(err, sak.ErrInvalid) {
		t.Fatalf("bad cursor: %v", err)
	}
}

// TestSummarize: a row holds what the list shows, a personal number never.
func TestSummarize(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)}
	svc := &sak.Service{Now: clk.now, DecisionPeriod: 30}
	c, err := svc.Open(ctx, sak.Application{
		Kind: "skjenkebevilling", Title: "Søknad om skjenkebevilling", Owner: applicant.ID,
		ApplicantName: "Kari Nordmann 03851598730", AwaitPayment: true,
		Deadlines: []sak.Deadline{{Kind: sak.DeadlinePayment, Due: time.Date(2026, 5, 18, 21, 59, 59, 0, time.UTC)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(20 * 24 * time.Hour)
	c, _ = svc.Journal(ctx, system, c.ID, sak.JournalEntry{Type: sak.Incoming, Title: "Søknad"})
	r := sak.Summarize(c, clk.now())
	if r.Applicant != "Kari Nordmann 038515*****" {
		t.Errorf("applicant %q: a personal number must be masked", r.Applicant)
	}
	if r.Number != c.Number() || r.Title != c.Title || r.State != sak.AwaitingPayment || !r.Updated.Equal(clk.now()) {
		t.Errorf("row %+v", r)
	}
	if r.Deadline.Kind != sak.DeadlinePayment || !r.Overdue {
		t.Errorf("deadline %+v overdue %v: want the payment deadline, the first due, past", r.Deadline, r.Overdue)
	}
	c, _ = svc.Transition(ctx, system, c.ID, sak.InProgress, "")
	if r := sak.Summarize(c, clk.now()); r.Deadline.Kind != sak.DeadlineDecision || r.Overdue {
		t.Errorf("once paid: deadline %+v overdue %v, want the decision deadline, not past", r.Deadline, r.Overdue)
	}
	org, _ := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: applicant.ID, OnBehalfOf: "974760673"})
	if r := sak.Summarize(org, clk.now()); r.Applicant != "974760673" || r.Deadline.Kind != sak.DeadlineDecision {
		t.Errorf("without a name: %+v, want the orgnr", r)
	}
}
