package saktest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/emittest"
	"github.com/grunnmur/grunnmur/sak"
)

// TestEvents runs the conformance suite of the events a Store records with
// its changes (see sak.CaseOpened): every change records exactly its
// events, and a change that fails (a conflict, text the store refuses, an
// event it cannot record) records none, and changes nothing. newStore
// returns an empty store and a function that reads every event its outbox
// holds, oldest first.
func TestEvents(t *testing.T, newStore func(t *testing.T) (sak.Store, events.Outbox)) {
	t.Run("Lifecycle", func(t *testing.T) { testEventLifecycle(t, newStore) })
	t.Run("FailuresRecordNothing", func(t *testing.T) { testNoGhosts(t, newStore) })
	t.Run("ConcurrentDecisionsOneEvent", func(t *testing.T) { testConcurrentDecideEvents(t, newStore) })
}

// Strings of the test's cases that no event may carry.
const (
	evTitle     = "Søknad om skjenkebevilling – Kari Nordmann"
	evApplicant = "Kari Nordmann 01019012345"
)

func eventService(t *testing.T, newStore func(t *testing.T) (sak.Store, events.Outbox)) (*sak.Service, sak.Store, *emittest.Log) {
	s, read := newStore(t)
	now := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC) // the DST night
	svc := &sak.Service{Store: s, DecisionPeriod: 30, Now: func() time.Time { now = now.Add(time.Second); return now }}
	return svc, s, &emittest.Log{Outbox: read, Forbidden: []string{"Kari", "Nordmann", "01019012345", "skjenkebevilling –"}}
}

func testEventLifecycle(t *testing.T, newStore func(t *testing.T) (sak.Store, events.Outbox)) {
	ctx := context.Background()
	svc, _, log := eventService(t, newStore)
	applicant := sak.Actor{Role: sak.RoleApplicant, ID: "sub-events"}
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "officer-1"}
	c, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: evTitle, Owner: applicant.ID,
		ApplicantName: evApplicant, OnBehalfOf: "999888777", AwaitPayment: true})
	if err != nil {
		t.Fatal(err)
	}
	got := log.Expect(t, "open", emittest.Want{Type: sak.CaseOpened.Name(), Subject: c.ID})
	opened, err := sak.CaseOpened.Decode(got[0])
	if err != nil || opened != (sak.CaseOpenedData{Case: c.ID, Number: c.Number(), Kind: "skjenkebevilling", Owner: applicant.ID,
		OnBehalfOf: "999888777", State: sak.AwaitingPayment, Created: c.Created.Truncate(time.Microsecond)}) {
		t.Fatalf("opened: %+v %v", opened, err)
	}
	steps := []struct {
		what string
		do   func() (*sak.Case, error)
		want []string // the types, in order
	}{
		{"fee paid", func() (*sak.Case, error) {
			return svc.Transition(ctx, sak.Actor{Role: sak.RoleSystem, ID: "payment"}, c.ID, sak.InProgress, "")
		}, []string{sak.CaseTransitioned.Name()}},
		{"link", func() (*sak.Case, error) {
			return svc.Link(ctx, officer, c.ID, sak.Link{Kind: sak.LinkPayment, Ref: "gm-1", Status: "CAPTURED"})
		}, nil},
		{"deadline", func() (*sak.Case, error) {
			return svc.SetDeadline(ctx, officer, c.ID, sak.DeadlineApplicant, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
		}, nil},
		{"journal", func() (*sak.Case, error) {
			return svc.Journal(ctx, officer, c.ID, sak.JournalEntry{ID: "entry-1", Type: sak.Incoming, Title: evTitle,
				Parties: []sak.Correspondent{{Role: sak.Sender, Name: evApplicant}}})
		}, []string{sak.CaseJournaled.Name()}},
		{"journal again", func() (*sak.Case, error) {
			return svc.Journal(ctx, officer, c.ID, sak.JournalEntry{ID: "entry-1", Type: sak.Incoming, Title: evTitle})
		}, nil},
		{"decide", func() (*sak.Case, error) { return svc.Decide(ctx, officer, c.ID, sak.Approved, "") },
			[]string{sak.CaseDecided.Name()}},
		{"close", func() (*sak.Case, error) { return svc.Transition(ctx, officer, c.ID, sak.Closed, "") },
			[]string{sak.CaseClosed.Name()}},
	}
	for _, st := range steps {
		cur, err := st.do()
		if err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		want := make([]emittest.Want, len(st.want))
		for i, typ := range st.want {
			want[i] = emittest.Want{Type: typ, Subject: c.ID}
		}
		evs := log.Expect(t, st.what, want...)
		checkEventData(t, st.what, cur, evs)
	}
}

// checkEventData checks the payloads of a step's events against the case.
func checkEventData(t *testing.T, what string, c *sak.Case, evs []events.Event) {
	t.Helper()
	for _, e := range evs {
		switch {
		case sak.CaseDecided.Is(e):
			d, err := sak.CaseDecided.Decode(e)
			appeal, _ := c.Deadline(sak.DeadlineAppeal)
			if err != nil || d.Outcome != sak.Approved || d.State != sak.Decided || d.From != sak.InProgress || !d.AppealDeadline.Equal(appeal.Due) {
				t.Fatalf("%s: %+v %v", what, d, err)
			}
		case sak.CaseJournaled.Is(e):
			d, err := sak.CaseJournaled.Decode(e)
			j := c.Journal[len(c.Journal)-1]
			if err != nil || d != (sak.CaseJournaledData{Case: c.ID, Number: c.Number(), Entry: j.ID, Type: j.Type, Year: j.Year, Sequence: j.Sequence, InCase: j.Number}) {
				t.Fatalf("%s: %+v %v", what, d, err)
			}
		default: // transitioned, closed
			typ := sak.CaseTransitioned
			if sak.CaseClosed.Is(e) {
				typ = sak.CaseClosed
			}
			d, err := typ.Decode(e)
			if err != nil || d.State != c.State || d.Owner != c.Owner || d.From == c.State {
				t.Fatalf("%s: %+v %v", what, d, err)
			}
		}
	}
}

// testNoGhosts: every way a change can fail records no event and leaves
// the case as it was.
func testNoGhosts(t *testing.T, newStore func(t *testing.T) (sak.Store, events.Outbox)) {
	ctx := context.Background()
	svc, s, log := eventService(t, newStore)
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "officer-1"}
	c, err := svc.Open(ctx, sak.Application{Kind: "k", Title: "t", Owner: "sub-ghost"})
	if err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "open", emittest.Want{Type: sak.CaseOpened.Name(), Subject: c.ID})
	ev := func(subject string) events.Event {
		e, err := sak.CaseTransitioned.New(subject, time.Now(), sak.CaseTransitionData{Case: subject})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	bad := ev(c.ID)
	bad.Source = "/grunnmur/other" // an event no Type makes: the store cannot record it
	ghost := func(id string) *sak.Case {
		x := newCaseWithID(id)
		x.Sequence += 100000 // a number of its own: the only conflict is the one tested
		return x
	}
	dup := ghost(c.ID)
	stale, _ := s.Get(ctx, c.ID)
	stale.Version--
	invalid, _ := s.Get(ctx, c.ID)
	invalid.Title = "bad \x00 byte"
	unrecordable, _ := s.Get(ctx, c.ID)
	unrecordable.State = sak.InProgress
	failures := []struct {
		what string
		do   func() error
		want error
	}{
		{"create with a taken id", func() error { return s.Create(ctx, dup, ev(c.ID)) }, sak.ErrConflict},
		{"create with bad text", func() error {
			x := ghost("ghost-text")
			x.Title = "\xff"
			return s.Create(ctx, x, ev("ghost-text"))
		}, sak.ErrInvalidText},
		{"create with an event it cannot record", func() error { return s.Create(ctx, ghost("ghost-event"), bad) }, events.ErrInvalid},
		{"update of a stale version", func() error { return s.Update(ctx, stale, ev(c.ID)) }, sak.ErrConflict},
		{"update with bad text", func() error { return s.Update(ctx, invalid, ev(c.ID)) }, sak.ErrInvalidText},
		{"update of an unknown case", func() error { return s.Update(ctx, ghost("ghost-unknown"), ev("ghost-unknown")) }, sak.ErrNotFound},
		{"update with an event it cannot record", func() error { return s.Update(ctx, unrecordable, bad) }, events.ErrInvalid},
	}
	for _, f := range failures {
		if err := f.do(); !errors.Is(err, f.want) {
			t.Fatalf("%s: %v, want %v", f.what, err, f.want)
		}
		log.Expect(t, f.what)
	}
	for _, id := range []string{"ghost-text", "ghost-event"} {
		if _, err := s.Get(ctx, id); !errors.Is(err, sak.ErrNotFound) {
			t.Fatalf("%s was stored after a failed create: %v", id, err)
		}
	}
	if got, _ := s.Get(ctx, c.ID); got.State != sak.Received || got.Version != 1 {
		t.Fatalf("after the failed updates: %s, version %d", got.State, got.Version)
	}
	// Failures of the service: a refused transition, a decision whose
	// letter cannot be made.
	if _, err := svc.Decide(ctx, officer, c.ID, sak.Approved, ""); !errors.Is(err, sak.ErrInvalidTransition) {
		t.Fatalf("deciding a received case: %v", err)
	}
	log.Expect(t, "a refused transition")
	if _, err := svc.Transition(ctx, officer, c.ID, sak.InProgress, ""); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "to in progress", emittest.Want{Type: sak.CaseTransitioned.Name(), Subject: c.ID})
	svc.PrepareDecision = func(context.Context, *sak.Case) error { return errors.New("no letter") }
	if _, err := svc.Decide(ctx, officer, c.ID, sak.Rejected, ""); !errors.Is(err, sak.ErrNotDecided) {
		t.Fatalf("decision without its letter: %v", err)
	}
	log.Expect(t, "a decision without its letter")
}

// testConcurrentDecideEvents races officers deciding one case: exactly one
// decision succeeds and exactly one CaseDecided is recorded.
func testConcurrentDecideEvents(t *testing.T, newStore func(t *testing.T) (sak.Store, events.Outbox)) {
	ctx := context.Background()
	svc, _, log := eventService(t, newStore)
	svc.Now = nil
	c, err := svc.Open(ctx, sak.Application{Kind: "k", Title: "t", Owner: "sub-race"})
	if err != nil {
		t.Fatal(err)
	}
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "officer-0"}
	if _, err := svc.Transition(ctx, officer, c.ID, sak.InProgress, ""); err != nil {
		t.Fatal(err)
	}
	log.New(t)
	var (
		wg                 sync.WaitGroup
		decided, journaled atomic.Int64
	)
	for i := range 30 {
		wg.Go(func() {
			actor := sak.Actor{Role: sak.RoleOfficer, ID: fmt.Sprintf("officer-%d", i)}
			if i%3 == 0 {
				// Journal may give up with ErrConflict under this much contention.
				if _, err := svc.Journal(ctx, actor, c.ID, sak.JournalEntry{ID: fmt.Sprintf("e-%d", i), Type: sak.Note, Title: "notat"}); err == nil {
					journaled.Add(1)
				}
				return
			}
			if _, err := svc.Decide(ctx, actor, c.ID, sak.Approved, ""); err == nil {
				decided.Add(1)
			}
		})
	}
	wg.Wait()
	evs := log.New(t)
	if n := emittest.Count(evs, sak.CaseDecided.Name(), c.ID); n != 1 || decided.Load() != 1 {
		t.Fatalf("%d decided events of %d decisions, want 1 of 1: %v", n, decided.Load(), emittest.Types(evs))
	}
	if n := emittest.Count(evs, sak.CaseJournaled.Name(), c.ID); int64(n) != journaled.Load() || n == 0 {
		t.Fatalf("%d journaled events for %d entries: %v", n, journaled.Load(), emittest.Types(evs))
	}
	if int64(len(evs)) != 1+journaled.Load() {
		t.Fatalf("%d events, want %d: %v", len(evs), 1+journaled.Load(), emittest.Types(evs))
	}
}
