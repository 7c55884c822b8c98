package sak_test

import (
	"context"
	"errors"
	"testing"

	"github.com/grunnmur/grunnmur/sak"
)

// TestPrepareDecision: a decision whose letter cannot be built is not made.
// The case stays in progress with nothing recorded, and deciding again
// works once the letter can be built.
func TestPrepareDecision(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	c := open(t, svc, false)
	if _, err := svc.Transition(ctx, officer, c.ID, sak.InProgress, ""); err != nil {
		t.Fatal(err)
	}
	before, err := svc.Get(ctx, officer, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	broken := errors.New("letter: font missing")
	var seen []*sak.Case
	svc.PrepareDecision = func(ctx context.Context, c *sak.Case) error {
		seen = append(seen, c)
		c.Outcome = "tampered" // a copy: this must not reach the store
		if len(seen) == 1 {
			return broken
		}
		return nil
	}

	_, err = svc.Decide(ctx, officer, c.ID, sak.Approved, "begrunnelse")
	if !errors.Is(err, sak.ErrNotDecided) || !errors.Is(err, broken) {
		t.Fatalf("Decide with a failing letter: %v, want ErrNotDecided wrapping the cause", err)
	}
	after, err := svc.Get(ctx, officer, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.State != sak.InProgress || after.Outcome != "" || len(after.Events) != len(before.Events) || len(after.Deadlines) != len(before.Deadlines) {
		t.Fatalf("after a failed decision the case is %s/%q with %d events (was %d)", after.State, after.Outcome, len(after.Events), len(before.Events))
	}
	// The hook saw the case as it would have been saved.
	if s := seen[0]; s.State != sak.Decided || s.Outcome != "tampered" {
		t.Errorf("PrepareDecision saw %s", s.State)
	} else if _, ok := s.Deadline(sak.DeadlineAppeal); !ok {
		t.Error("PrepareDecision saw no appeal deadline")
	} else if at, ok := s.Finished(); !ok || at.IsZero() {
		t.Error("PrepareDecision saw no decision event")
	}

	got, err := svc.Decide(ctx, officer, c.ID, sak.Approved, "begrunnelse")
	if err != nil {
		t.Fatalf("deciding again: %v", err)
	}
	if got.State != sak.Decided || got.Outcome != sak.Approved || len(seen) != 2 {
		t.Errorf("deciding again: %s/%q, hook called %d times", got.State, got.Outcome, len(seen))
	}
	// Later changes do not build the letter again.
	if _, err := svc.Link(ctx, officer, c.ID, sak.Link{Kind: sak.LinkLetter, Ref: "vedtak-1"}); err != nil || len(seen) != 2 {
		t.Errorf("a link after the decision: %v, hook called %d times", err, len(seen))
	}
}
