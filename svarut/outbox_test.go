package svarut_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

func TestMemoryStore(t *testing.T) {
	svaruttest.TestStore(t, func(t *testing.T) svarut.Store { return svarut.NewMemoryStore() })
}

func TestOutboxMemory(t *testing.T) {
	svaruttest.TestOutbox(t, func(t *testing.T) svarut.Store { return svarut.NewMemoryStore() })
}

func TestOutboxEventsMemory(t *testing.T) {
	svaruttest.TestEvents(t, func(t *testing.T) (svarut.Store, events.Outbox) {
		out := &events.Memory{}
		return &svarut.MemoryStore{Events: out}, out
	})
}

func TestOutboxConfig(t *testing.T) {
	ob := &svarut.Outbox{}
	if _, err := ob.Enqueue(context.Background(), "", letter("c")); !errors.Is(err, svarut.ErrConfig) {
		t.Fatalf("Enqueue without a client: %v", err)
	}
	if err := (&svarut.Receiver{}).RunOnce(context.Background()); !errors.Is(err, svarut.ErrConfig) {
		t.Fatalf("RunOnce without a client: %v", err)
	}
	for _, job := range []interface {
		Run(context.Context, time.Duration) error
	}{&svarut.Outbox{}, &svarut.Receiver{}} {
		if err := job.Run(context.Background(), 0); !errors.Is(err, svarut.ErrConfig) {
			t.Fatalf("%T.Run(0): %v", job, err)
		}
		if err := job.Run(context.Background(), time.Second); !errors.Is(err, svarut.ErrConfig) {
			t.Fatalf("%T.Run without its parts: %v", job, err)
		}
	}
}

// TestOutboxAmbiguousRef: when SvarUT holds two shipments with the entry's
// eksternReferanse (sent by someone else with the same reference), the
// outbox records the first and says so rather than sending a third.
func TestOutboxAmbiguousRef(t *testing.T) {
	e := setup(t, svaruttest.Config{}, func(c *svarut.Config) { c.MaxAttempts = 1 })
	ctx := context.Background()
	for range 2 {
		if _, err := e.client.Send(ctx, letter("dup-ref"), docs); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	ob := &svarut.Outbox{Client: e.client, Documents: docs, Now: func() time.Time { return now }}
	en, err := ob.Enqueue(ctx, "", letter("dup-ref"))
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Inject(fake.Fault{Match: "POST /api/v2/kontoer/{konto}/forsendelser", Status: 503})
	if err := ob.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := ob.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := ob.Store.Get(ctx, en.ID)
	if got.State != svarut.EntrySent || got.ShipmentID != e.fake.ByExternalRef("dup-ref")[0] ||
		!strings.Contains(got.LastError, "several shipments") {
		t.Fatalf("entry %+v", got)
	}
	if n := len(e.fake.ByExternalRef("dup-ref")); n != 2 {
		t.Fatalf("%d shipments, want still 2", n)
	}
}

// conflicting is a store whose every Update loses to a concurrent one.
type conflicting struct{ svarut.Store }

func (conflicting) Update(context.Context, *svarut.Entry, ...events.Event) error {
	return svarut.ErrConflict
}

// TestReleaseGivesUp: Release against a store that always reports a
// concurrent update ends with ErrConflict instead of spinning.
func TestReleaseGivesUp(t *testing.T) {
	e := setup(t, svaruttest.Config{})
	ctx := context.Background()
	mem := svarut.NewMemoryStore()
	ob := &svarut.Outbox{Client: e.client, Documents: docs, Store: mem}
	if _, err := ob.Prepare(ctx, "x", letter("held"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ob.Store = conflicting{mem}
	if _, err := ob.Release(ctx, "x"); !errors.Is(err, svarut.ErrConflict) {
		t.Fatalf("Release: %v", err)
	}
	if _, err := ob.Withdraw(ctx, "x"); !errors.Is(err, svarut.ErrConflict) {
		t.Fatalf("Withdraw: %v", err)
	}
}
