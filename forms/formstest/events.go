package formstest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/internal/emittest"
)

// TestEvents runs the conformance suite of the event a Store records with a
// submission (forms.FormSubmitted): a submit records exactly one, carrying
// no answer; a submit that is refused (invalid answers, a draft submitted
// already, a taken id, text the store refuses, an event it cannot record)
// records none and keeps the draft. newStore returns an empty store and
// its outbox (events.Memory, postgres.EventOutbox).
func TestEvents(t *testing.T, newStore func(t *testing.T) (forms.Store, events.Outbox)) {
	t.Run("Submit", func(t *testing.T) { testSubmitEvent(t, newStore) })
	t.Run("FailuresRecordNothing", func(t *testing.T) { testNoGhosts(t, newStore) })
	t.Run("RacingSubmitsOneEvent", func(t *testing.T) { testRacingSubmits(t, newStore) })
}

// eventForm has one required answer, a name.
const eventForm = `{"id": "skjenk", "version": 2, "title": "t",
  "texts": {"t": {"nb": "Skjema", "nn": "Skjema", "en": "Form"}},
  "pages": [{"id": "p", "title": "t", "components": [
    {"id": "navn", "type": "text", "bind": "/navn", "label": "t", "required": true}]}]}`

var eventT0 = time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC) // the night Norway gains an hour

func eventSetup(t *testing.T, newStore func(t *testing.T) (forms.Store, events.Outbox)) (*forms.Definition, forms.Store, *emittest.Log) {
	def, err := forms.Parse([]byte(eventForm))
	if err != nil {
		t.Fatal(err)
	}
	s, out := newStore(t)
	return def, s, &emittest.Log{Outbox: out, Forbidden: []string{"Kari", "Nordmann", "20036914700"}}
}

func newDraft(t *testing.T, def *forms.Definition, s forms.Store, answer string) *forms.Draft {
	t.Helper()
	d := def.NewDraft("person:p", eventT0)
	d.Data = forms.Data{"navn": answer}
	if err := s.CreateDraft(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

func testSubmitEvent(t *testing.T, newStore func(t *testing.T) (forms.Store, events.Outbox)) {
	def, s, log := eventSetup(t, newStore)
	ctx := context.Background()
	d := newDraft(t, def, s, "Kari Nordmann 20036914700")
	log.Expect(t, "a draft")
	sub, res, err := def.Submit(ctx, s, d, "nn", eventT0.Add(time.Hour))
	if err != nil || !res.Valid() {
		t.Fatalf("submit: %v %v", res, err)
	}
	evs := log.Expect(t, "submit", emittest.Want{Type: forms.FormSubmitted.Name(), Subject: sub.ID})
	got, err := forms.FormSubmitted.Decode(evs[0])
	if err != nil || got != (forms.SubmittedData{Submission: sub.ID, Form: "skjenk", FormVersion: 2, Owner: "person:p", Draft: d.ID,
		Lang: "nn", SubmittedAt: sub.SubmittedAt}) {
		t.Fatalf("submitted: %+v %v", got, err)
	}
}

func testNoGhosts(t *testing.T, newStore func(t *testing.T) (forms.Store, events.Outbox)) {
	def, s, log := eventSetup(t, newStore)
	ctx := context.Background()
	empty := newDraft(t, def, s, "")
	if sub, res, err := def.Submit(ctx, s, empty, "nb", eventT0); sub != nil || err != nil || res.Valid() {
		t.Fatalf("an invalid draft: %v %v %v", sub, res, err)
	}
	log.Expect(t, "invalid answers")
	d := newDraft(t, def, s, "Kari")
	ev := func(id string) events.Event {
		e, err := forms.FormSubmitted.New(id, eventT0, forms.SubmittedData{Submission: id})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	bad := ev("s-bad")
	bad.Source = "/grunnmur/other" // no Type makes it: the store cannot record it
	sub := func(id, draft string) *forms.Submission {
		return &forms.Submission{ID: id, FormID: "skjenk", FormVersion: 2, Owner: "person:p", DraftID: draft, Lang: "nb", Data: forms.Data{}, SubmittedAt: eventT0}
	}
	if err := s.Submit(ctx, sub("s-1", ""), ev("s-1")); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "a submission", emittest.Want{Type: forms.FormSubmitted.Name(), Subject: "s-1"})
	failures := []struct {
		what string
		do   func() error
		want error
	}{
		{"an event it cannot record", func() error { return s.Submit(ctx, sub("s-bad", d.ID), bad) }, events.ErrInvalid},
		{"a taken id", func() error { return s.Submit(ctx, sub("s-1", d.ID), ev("s-1")) }, forms.ErrConflict},
		{"bad text", func() error {
			x := sub("s-text", d.ID)
			x.Owner = "\xff"
			return s.Submit(ctx, x, ev("s-text"))
		}, forms.ErrInvalidText},
		{"an unknown draft", func() error { return s.Submit(ctx, sub("s-unknown", "no-such-draft"), ev("s-unknown")) }, forms.ErrNotFound},
	}
	for _, f := range failures {
		if err := f.do(); !errors.Is(err, f.want) {
			t.Fatalf("%s: %v, want %v", f.what, err, f.want)
		}
		log.Expect(t, f.what)
	}
	if _, err := s.GetDraft(ctx, d.ID); err != nil {
		t.Fatalf("the draft after the refused submits: %v", err)
	}
	if _, _, err := def.Submit(ctx, s, d, "nb", eventT0); err != nil {
		t.Fatal(err)
	}
	log.New(t)
	if _, _, err := def.Submit(ctx, s, d, "nb", eventT0); !errors.Is(err, forms.ErrAlreadySubmitted) && !errors.Is(err, forms.ErrNotFound) {
		t.Fatalf("a second submit: %v", err)
	}
	log.Expect(t, "a second submit")
}

func testRacingSubmits(t *testing.T, newStore func(t *testing.T) (forms.Store, events.Outbox)) {
	def, s, log := eventSetup(t, newStore)
	d := newDraft(t, def, s, "Kari")
	var (
		wg sync.WaitGroup
		ok atomic.Int64
	)
	for range 10 {
		wg.Go(func() {
			if _, _, err := def.Submit(context.Background(), s, d, "nb", eventT0); err == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	evs := log.New(t)
	if ok.Load() != 1 || len(evs) != 1 || !forms.FormSubmitted.Is(evs[0]) {
		t.Fatalf("%d submits succeeded, events %v", ok.Load(), emittest.Types(evs))
	}
}
