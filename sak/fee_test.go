package sak_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/sak"
)

var vippsHook = sak.Actor{Role: sak.RoleSystem, ID: "vipps"}

// A payment's settled hook moves the case on; run again, it changes nothing.
func ExampleService_FeePaid() {
	ctx := context.Background()
	svc := &sak.Service{}
	c, _ := svc.Open(ctx, sak.Application{Kind: "torgplass", Title: "Søknad om torgplass", Owner: "owner-key-1", AwaitPayment: true})
	for range 2 {
		c, _ = svc.FeePaid(ctx, vippsHook, c.ID, "gebyret er betalt")
		fmt.Println(c.State.Label(i18n.EN), len(c.Events))
	}
	// Output:
	// In progress 3
	// In progress 3
}

func TestFeePaidLeavesOtherStates(t *testing.T) {
	ctx := context.Background()
	svc := &sak.Service{}
	applicant := sak.Actor{Role: sak.RoleApplicant, ID: "a"}
	c, err := svc.Open(ctx, sak.Application{Kind: "k", Title: "t", Owner: "a", AwaitPayment: true})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = svc.Transition(ctx, applicant, c.ID, sak.Withdrawn, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.FeePaid(ctx, vippsHook, c.ID, ""); err != nil || got.State != sak.Withdrawn || got.Version != c.Version {
		t.Errorf("a withdrawn case: %v %v", got, err)
	}
	if _, err := svc.FeePaid(ctx, vippsHook, "no-such-case", ""); !errors.Is(err, sak.ErrNotFound) {
		t.Errorf("no case: %v", err)
	}
	other, err := svc.Open(ctx, sak.Application{Kind: "k", Title: "t", Owner: "b", AwaitPayment: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FeePaid(ctx, applicant, other.ID, ""); !errors.Is(err, sak.ErrNotFound) {
		t.Errorf("someone else's case: %v", err)
	}
}

// TestFeePaidRace: the webhook, the job and the payer's page settle at
// once; the case moves once.
func TestFeePaidRace(t *testing.T) {
	ctx := context.Background()
	svc := &sak.Service{}
	c, err := svc.Open(ctx, sak.Application{Kind: "k", Title: "t", Owner: "a", AwaitPayment: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			if _, err := svc.FeePaid(ctx, vippsHook, c.ID, ""); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c, err = svc.Get(ctx, vippsHook, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	moves := 0
	for _, e := range c.Events {
		if e.To == sak.InProgress {
			moves++
		}
	}
	if c.State != sak.InProgress || moves != 1 {
		t.Errorf("state %s, %d moves to in progress: %+v", c.State, moves, c.Events)
	}
}
