package svaruttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/badkey"
	"github.com/grunnmur/grunnmur/svarut"
)

// TestStore is the conformance suite every svarut.Store passes, in the style
// of testing/fstest.TestFS. newStore must return an empty store each time.
//
//	func TestMyStore(t *testing.T) {
//		svaruttest.TestStore(t, func(t *testing.T) svarut.Store { return newEmptyStore(t) })
//	}
func TestStore(t *testing.T, newStore func(t *testing.T) svarut.Store) {
	t.Run("CreateGetRoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("CreateDuplicate", func(t *testing.T) { testDuplicate(t, newStore(t)) })
	t.Run("GetUnknown", func(t *testing.T) { testUnknown(t, newStore(t)) })
	t.Run("BadBytesNotFound", func(t *testing.T) { testBadKeys(t, newStore(t)) })
	t.Run("Text", func(t *testing.T) { testText(t, newStore(t)) })
	t.Run("UpdateOptimisticLocking", func(t *testing.T) { testOptimistic(t, newStore(t)) })
	t.Run("ReturnedEntriesAreCopies", func(t *testing.T) { testCopies(t, newStore(t)) })
	t.Run("Due", func(t *testing.T) { testDue(t, newStore(t)) })
	t.Run("ConcurrentClaimExactlyOne", func(t *testing.T) { testConcurrentClaim(t, newStore(t)) })
}

var t0 = time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // the spring DST day, on purpose

// TestFodselsnummer is a valid synthetic test number.
const TestFodselsnummer = "20036914700"

func newEntry(ref string, at time.Time) *svarut.Entry {
	if ref == "" {
		ref = uuid.NewString()
	}
	s := &svarut.Shipment{
		Title: "Vedtak – skjenkebevilling for Kafé Ærlig & Søt",
		Recipient: svarut.Recipient{
			Person:  ident.MustParseFodselsnummer(TestFodselsnummer),
			Address: svarut.Address{Name: "Kari Nordmann", Line1: "Storgata 1", PostalCode: "0155", PostTown: "Oslo"},
		},
		Documents: []svarut.Document{
			{Name: "vedtak.pdf", MimeType: "application/pdf", Ref: "docs/vedtak-" + ref, Size: 1234},
			{Name: "vedlegg.txt", MimeType: "text/plain", Ref: "docs/vedlegg-" + ref, ExcludeFromPrint: true},
		},
		Links:           []svarut.Link{{URL: "https://example.kommune.no/sak", Text: "Se saken"}},
		ExternalRef:     ref,
		AccountingCode:  "KOST-17.ø",
		ArchiveMetadata: &svarut.ArchiveMetadata{Saksaar: 2026, Sakssekvensnummer: 42, Journalpostnummer: 3, Saksbehandler: "Ola"},
		ReplyTo:         &svarut.Address{Name: "Oslo kommune", Line1: "Postboks 1", PostalCode: "0037", PostTown: "Oslo"},
	}
	return &svarut.Entry{ID: uuid.NewString(), Shipment: s, State: svarut.EntryPending, NextAttempt: at, Created: at, Updated: at}
}

func testRoundTrip(t *testing.T, s svarut.Store) {
	ctx := context.Background()
	e := newEntry("", t0)
	if err := s.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	if e.Version != 1 {
		t.Fatalf("Version after Create = %d, want 1", e.Version)
	}
	got, err := s.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Shipment.Recipient.Person.Reveal() != TestFodselsnummer {
		t.Fatal("the recipient's fødselsnummer did not survive the store")
	}
	if got.Shipment.Documents[0].Ref != e.Shipment.Documents[0].Ref || got.Shipment.Documents[0].Size != 1234 ||
		!got.Shipment.Documents[1].ExcludeFromPrint || got.Shipment.ArchiveMetadata.Sakssekvensnummer != 42 ||
		got.Shipment.ReplyTo.PostTown != "Oslo" || got.Shipment.AccountingCode != "KOST-17.ø" || len(got.Shipment.Links) != 1 {
		t.Fatalf("shipment changed in the store: %+v", got.Shipment)
	}
	if !got.NextAttempt.Equal(t0) || !got.Created.Equal(t0) || got.State != svarut.EntryPending || got.Version != 1 {
		t.Fatalf("entry changed in the store: %+v", got)
	}
	got.State, got.ShipmentID, got.Status, got.Attempts, got.LastError = svarut.EntrySent, uuid.NewString(), svarut.StatusVarslet, 2, "x"
	got.StatusAt = t0.Add(time.Hour)
	if err := s.Update(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := s.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.State != svarut.EntrySent || again.ShipmentID != got.ShipmentID || again.Status != svarut.StatusVarslet ||
		again.Attempts != 2 || again.LastError != "x" || !again.StatusAt.Equal(got.StatusAt) || again.Version != 2 {
		t.Fatalf("update lost: %+v", again)
	}
}

// testText: a letter's title, names and addresses come back exactly as they
// were saved; a string no store can keep (not UTF-8, or holding a NUL) is
// refused with ErrInvalidText, never a driver error, and nothing changes.
func testText(t *testing.T, s svarut.Store) {
	ctx := context.Background()
	fields := func(e *svarut.Entry) []*string {
		sh := e.Shipment
		return []*string{&sh.Title, &sh.Recipient.Address.Name, &sh.Recipient.Address.Line1, &sh.Recipient.Address.PostTown,
			&sh.Documents[0].Name, &sh.Links[0].Text, &sh.ReplyTo.Name, &sh.ArchiveMetadata.Saksbehandler}
	}
	for _, v := range badkey.Texts() {
		e := newEntry("", t0)
		for _, f := range fields(e) {
			*f = v
		}
		if err := s.Create(ctx, e); err != nil {
			t.Fatalf("Create with %q: %v", v, err)
		}
		got, err := s.Get(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range fields(got) {
			if *f != v {
				t.Errorf("field %d: %q came back as %q", i, v, *f)
			}
		}
	}
	stored := newEntry("", t0)
	if err := s.Create(ctx, stored); err != nil {
		t.Fatal(err)
	}
	for _, v := range badkey.Keys() {
		for i := range fields(stored) {
			e := newEntry("", t0)
			*fields(e)[i] = v
			if err := s.Create(ctx, e); !errors.Is(err, svarut.ErrInvalidText) || !errors.Is(err, svarut.ErrInvalid) {
				t.Errorf("Create with %q (%d): %v, want ErrInvalidText", v, i, err)
			} else if _, err := s.Get(ctx, e.ID); !errors.Is(err, svarut.ErrNotFound) {
				t.Errorf("a refused entry was stored: %v", err)
			}
			u, err := s.Get(ctx, stored.ID)
			if err != nil {
				t.Fatal(err)
			}
			*fields(u)[i] = v
			if err := s.Update(ctx, u); !errors.Is(err, svarut.ErrInvalidText) {
				t.Errorf("Update with %q (%d): %v, want ErrInvalidText", v, i, err)
			}
		}
	}
	got, err := s.Get(ctx, stored.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Shipment.Title != stored.Shipment.Title || got.Shipment.Recipient.Address != stored.Shipment.Recipient.Address {
		t.Errorf("the entry after refused updates: %+v", got)
	}
}

func testDuplicate(t *testing.T, s svarut.Store) {
	ctx := context.Background()
	e := newEntry("ref-1", t0)
	if err := s.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	same := newEntry("ref-2", t0)
	same.ID = e.ID
	if err := s.Create(ctx, same); !errors.Is(err, svarut.ErrConflict) {
		t.Fatalf("duplicate id: %v, want ErrConflict", err)
	}
	if err := s.Create(ctx, newEntry("ref-1", t0)); !errors.Is(err, svarut.ErrConflict) {
		t.Fatalf("duplicate eksternReferanse: %v, want ErrConflict", err)
	}
}

func testUnknown(t *testing.T, s svarut.Store) {
	if _, err := s.Get(context.Background(), "no-such-id"); !errors.Is(err, svarut.ErrNotFound) {
		t.Fatalf("Get(unknown) = %v", err)
	}
	e := newEntry("", t0)
	e.Version = 1
	if err := s.Update(context.Background(), e); !errors.Is(err, svarut.ErrNotFound) {
		t.Fatalf("Update(unknown) = %v", err)
	}
}

// testBadKeys: an id that is not UTF-8 or holds a NUL names no entry:
// ErrNotFound, and the store still works.
func testBadKeys(t *testing.T, s svarut.Store) {
	ctx := context.Background()
	e := newEntry("", t0)
	if err := s.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, k := range badkey.Keys() {
		if _, err := s.Get(ctx, k); !errors.Is(err, svarut.ErrNotFound) {
			t.Errorf("Get(%q): %v, want ErrNotFound", k, err)
		}
		u := newEntry("", t0)
		u.ID, u.Version = k, 1
		if err := s.Update(ctx, u); !errors.Is(err, svarut.ErrNotFound) {
			t.Errorf("Update(%q): %v, want ErrNotFound", k, err)
		}
	}
	if _, err := s.Get(ctx, e.ID); err != nil {
		t.Fatalf("the store after bad keys: %v", err)
	}
}

func testOptimistic(t *testing.T, s svarut.Store) {
	ctx := context.Background()
	e := newEntry("", t0)
	if err := s.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Get(ctx, e.ID)
	b, _ := s.Get(ctx, e.ID)
	a.Attempts = 1
	if err := s.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	b.Attempts = 7
	if err := s.Update(ctx, b); !errors.Is(err, svarut.ErrConflict) {
		t.Fatalf("stale update = %v, want ErrConflict", err)
	}
	if b.Version != 1 {
		t.Fatalf("a failed update changed Version to %d", b.Version)
	}
	got, _ := s.Get(ctx, e.ID)
	if got.Attempts != 1 || got.Version != 2 {
		t.Fatalf("after stale update: %+v", got)
	}
}

func testCopies(t *testing.T, s svarut.Store) {
	ctx := context.Background()
	e := newEntry("", t0)
	if err := s.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	e.Shipment.Title = "changed after Create"
	e.Shipment.Documents[0].Name = "changed.pdf"
	got, _ := s.Get(ctx, e.ID)
	if got.Shipment.Title == "changed after Create" || got.Shipment.Documents[0].Name == "changed.pdf" {
		t.Fatal("the store kept the caller's entry, not a copy")
	}
	got.Shipment.Title = "changed after Get"
	again, _ := s.Get(ctx, e.ID)
	if again.Shipment.Title == "changed after Get" {
		t.Fatal("Get returned the stored entry, not a copy")
	}
}

func testDue(t *testing.T, s svarut.Store) {
	ctx := context.Background()
	mk := func(next time.Time, mod func(*svarut.Entry)) string {
		e := newEntry("", t0)
		e.NextAttempt = next
		if mod != nil {
			mod(e)
		}
		if err := s.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	now := t0.Add(time.Hour)
	late := mk(t0.Add(30*time.Minute), nil)
	early := mk(t0, nil)
	mk(now.Add(time.Second), nil)                                                  // not yet
	mk(t0, func(e *svarut.Entry) { e.LeaseUntil = now.Add(time.Minute) })          // leased
	mk(t0, func(e *svarut.Entry) { e.State, e.Reported = svarut.EntryDone, true }) // finished
	unreported := mk(t0.Add(45*time.Minute), func(e *svarut.Entry) { e.State = svarut.EntryDone })
	expired := mk(t0.Add(50*time.Minute), func(e *svarut.Entry) { e.LeaseUntil = now.Add(-time.Second) })
	due, err := s.Due(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range due {
		ids = append(ids, e.ID)
	}
	want := []string{early, late, unreported, expired}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("Due = %v, want %v", ids, want)
	}
	two, err := s.Due(ctx, now, 2)
	if err != nil || len(two) != 2 || two[0].ID != early {
		t.Fatalf("Due(limit 2) = %d entries, %v", len(two), err)
	}
}

func testConcurrentClaim(t *testing.T, s svarut.Store) {
	ctx := context.Background()
	e := newEntry("", t0)
	if err := s.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.Get(ctx, e.ID)
			if err != nil {
				t.Error(err)
				return
			}
			c.LeaseUntil = t0.Add(time.Duration(i+1) * time.Minute)
			c.Version = 1 // every worker read version 1
			switch err := s.Update(ctx, c); {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, svarut.ErrConflict):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d workers claimed the entry, want exactly 1", wins.Load())
	}
}
