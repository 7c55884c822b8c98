// Package saktest is the conformance suite every sak.Store passes, in the
// style of testing/fstest.TestFS.
//
//	func TestMyStore(t *testing.T) {
//		saktest.TestStore(t, func(t *testing.T) sak.Store { return newEmptyStore(t) })
//	}
package saktest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/internal/badkey"
	"github.com/grunnmur/grunnmur/sak"
)

// TestStore runs the conformance suite. newStore must return an empty store
// for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) sak.Store) {
	t.Run("CreateGetRoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("CreateDuplicateID", func(t *testing.T) { testDuplicate(t, newStore(t)) })
	t.Run("GetUnknown", func(t *testing.T) { testUnknown(t, newStore(t)) })
	t.Run("BadBytesNotFound", func(t *testing.T) { testBadKeys(t, newStore(t)) })
	t.Run("Text", func(t *testing.T) { testText(t, newStore(t)) })
	t.Run("UpdateOptimisticLocking", func(t *testing.T) { testOptimistic(t, newStore(t)) })
	t.Run("ReturnedCasesAreCopies", func(t *testing.T) { testCopies(t, newStore(t)) })
	t.Run("ListFilters", func(t *testing.T) { testList(t, newStore(t)) })
	t.Run("ListPages", func(t *testing.T) { testPages(t, newStore(t)) })
	t.Run("ListPagesBadCursor", func(t *testing.T) { testBadCursor(t, newStore(t)) })
	t.Run("ListPagesWhileCreating", func(t *testing.T) { testPagesWhileCreating(t, newStore(t)) })
	t.Run("NextSequenceConcurrent", func(t *testing.T) { testSequence(t, newStore(t)) })
	t.Run("JournalNumbersConcurrent", func(t *testing.T) { testJournalNumbers(t, newStore(t)) })
	t.Run("ConcurrentDecisionsExactlyOne", func(t *testing.T) { testConcurrentDecide(t, newStore(t)) })
	t.Run("ArchiveExtractVerifies", func(t *testing.T) { testArchive(t, newStore(t)) })
}

// testArchive runs cases through a Service on the store, exports a Noark 5
// extract of them and verifies it: what the store gives back (times, journal
// entries with their correspondents and documents) must map cleanly.
func testArchive(t *testing.T, s sak.Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	svc := &sak.Service{Store: s, Now: func() time.Time { return now }}
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "officer-1"}
	for i := range 3 {
		owner := sak.Actor{Role: sak.RoleApplicant, ID: fmt.Sprintf("sub-archive-%d", i)}
		c, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad om skjenkebevilling", Owner: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		steps := []func() (*sak.Case, error){
			func() (*sak.Case, error) {
				return svc.Journal(ctx, owner, c.ID, sak.JournalEntry{Type: sak.Incoming, Title: "Søknad",
					Parties:   []sak.Correspondent{{Role: sak.Sender, Name: "Kafé Ærlig & Søt AS"}},
					Documents: []sak.Document{{Title: "Søknad", FileName: "soknad.pdf", MediaType: "application/pdf", Ref: "receipt"}}})
			},
			func() (*sak.Case, error) { return svc.Transition(ctx, officer, c.ID, sak.InProgress, "") },
			func() (*sak.Case, error) { return svc.Decide(ctx, officer, c.ID, sak.Approved, "") },
			func() (*sak.Case, error) {
				return svc.Journal(ctx, officer, c.ID, sak.JournalEntry{Type: sak.Outgoing, Title: "Vedtak",
					Parties: []sak.Correspondent{{Role: sak.Recipient, Name: "Kafé Ærlig & Søt AS"}, {Role: sak.CopyRecipient, Name: "Kari Nordmann", Screened: true}}})
			},
		}
		for _, step := range steps {
			now = now.Add(1234567 * time.Nanosecond) // sub-microsecond parts, which a database may round
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := filepath.Join(t.TempDir(), "uttrekk")
	sum, err := svc.ExportArchive(ctx, dir, sak.Filter{}, sak.ArchiveOptions{
		Now: func() time.Time { return now },
		Open: func(context.Context, *sak.Case, *sak.JournalEntry, sak.Document) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("%PDF-1.4\n%%EOF\n")), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Cases != 3 || sum.Records != 6 || sum.Documents != 3 {
		t.Errorf("extract of %d cases, %d records, %d documents; want 3, 6, 3", sum.Cases, sum.Records, sum.Documents)
	}
	rep, err := archive.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("the extract fails %v", rep.Failed())
	}
}

var t0 = time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // the spring DST day, on purpose

// caseNumbers hands out distinct case numbers: a store may (and PostgreSQL
// does) refuse two cases with one number.
var caseNumbers atomic.Int64

func newCase(owner string, created time.Time) *sak.Case {
	c := &sak.Case{
		ID: uuid.NewString(), Year: 2026, Sequence: int(caseNumbers.Add(1)), Kind: "skjenkebevilling",
		Title: "Søknad om skjenkebevilling – Kafé Ærlig & Søt", PublicTitle: "Søknad om skjenkebevilling",
		Owner: owner, OnBehalfOf: "974760673", State: sak.Received, Created: created, Updated: created,
		Deadlines: []sak.Deadline{{Kind: sak.DeadlineDecision, Due: sak.Days(30).Due(created)}}, // the last microsecond of a day
		Links:     []sak.Link{{Kind: sak.LinkSubmission, Ref: "sub-1", Label: "Søknad", At: created}},
		Journal: []sak.JournalEntry{{
			ID: uuid.NewString(), Number: 1, Year: 2026, Sequence: 7, Type: sak.Incoming,
			Title: "Søknad", Date: created, Party: "Kafé Ærlig & Søt AS",
			Parties:   []sak.Correspondent{{Role: sak.Sender, Name: "Kafé Ærlig & Søt AS", PostalCode: "0155"}, {Role: sak.CopyRecipient, Name: "Kari Nordmann", Screened: true}},
			Documents: []sak.Document{{Title: "Søknad", FileName: "soknad.pdf", MediaType: "application/pdf", Ref: "receipt/1", Kind: "Søknad"}},
		}},
		Events: []sak.Event{{Seq: 1, At: created, Actor: sak.Actor{Role: sak.RoleApplicant, ID: owner}, Type: sak.EventOpened, To: sak.Received}},
	}
	return c
}

func testRoundTrip(t *testing.T, s sak.Store) {
	ctx := context.Background()
	c := newCase("sub-a", t0)
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 {
		t.Fatalf("Create set Version %d, want 1", c.Version)
	}
	got, err := s.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := compare(c, got); diff != "" {
		t.Fatalf("round trip changed the case: %s", diff)
	}
}

// testText: text a citizen or an officer types comes back exactly as it was
// saved; a string no store can keep (not UTF-8, or holding a NUL) is refused
// with ErrInvalidText, never a driver error, and the stored case is
// unchanged.
func testText(t *testing.T, s sak.Store) {
	ctx := context.Background()
	set := func(c *sak.Case, v string) []func() {
		return []func(){
			func() { c.Title = v },
			func() { c.PublicTitle = v },
			func() { c.Journal[0].Party = v },
			func() { c.Journal[0].Parties[0].Name = v },
			func() { c.Journal[0].Documents[0].FileName = v },
			func() { c.Events[0].Note = v },
			func() { c.Links[0].Label = v },
		}
	}
	for _, v := range badkey.Texts() {
		c := newCase("sub-text", t0)
		for _, f := range set(c, v) {
			f()
		}
		if err := s.Create(ctx, c); err != nil {
			t.Fatalf("Create with %q: %v", v, err)
		}
		got, err := s.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := compare(c, got); diff != "" {
			t.Errorf("%q: %s", v, diff)
		}
	}
	stored := newCase("sub-text", t0)
	if err := s.Create(ctx, stored); err != nil {
		t.Fatal(err)
	}
	for _, v := range badkey.Keys() {
		for i := range set(stored, v) {
			c := newCase("sub-text", t0)
			set(c, v)[i]()
			if err := s.Create(ctx, c); !errors.Is(err, sak.ErrInvalidText) || !errors.Is(err, sak.ErrInvalid) {
				t.Errorf("Create with %q (%d): %v, want ErrInvalidText", v, i, err)
			} else if _, err := s.Get(ctx, c.ID); !errors.Is(err, sak.ErrNotFound) {
				t.Errorf("a refused case was stored: %v", err)
			}
			u, err := s.Get(ctx, stored.ID)
			if err != nil {
				t.Fatal(err)
			}
			set(u, v)[i]()
			if err := s.Update(ctx, u); !errors.Is(err, sak.ErrInvalidText) {
				t.Errorf("Update with %q (%d): %v, want ErrInvalidText", v, i, err)
			}
		}
	}
	got, err := s.Get(ctx, stored.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := compare(stored, got); diff != "" {
		t.Errorf("the case after refused updates: %s", diff)
	}
}

func testDuplicate(t *testing.T, s sak.Store) {
	ctx := context.Background()
	c := newCase("sub-a", t0)
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, newCaseWithID(c.ID)); !errors.Is(err, sak.ErrConflict) {
		t.Fatalf("second Create with the same ID: %v, want ErrConflict", err)
	}
}

func newCaseWithID(id string) *sak.Case {
	c := newCase("sub-b", t0)
	c.ID = id
	return c
}

func testUnknown(t *testing.T, s sak.Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, uuid.NewString()); !errors.Is(err, sak.ErrNotFound) {
		t.Fatalf("Get unknown: %v, want ErrNotFound", err)
	}
	if err := s.Update(ctx, newCase("x", t0)); !errors.Is(err, sak.ErrNotFound) {
		t.Fatalf("Update unknown: %v, want ErrNotFound", err)
	}
}

// testBadKeys: an id that is not UTF-8 or holds a NUL (/sak/%ff, /sak/%00)
// names no case: ErrNotFound, or nothing listed, and the store still works.
func testBadKeys(t *testing.T, s sak.Store) {
	ctx := context.Background()
	c := newCase("sub-a", t0)
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, k := range badkey.Keys() {
		if _, err := s.Get(ctx, k); !errors.Is(err, sak.ErrNotFound) {
			t.Errorf("Get(%q): %v, want ErrNotFound", k, err)
		}
		u := newCase("sub-a", t0)
		u.ID, u.Version = k, 1
		if err := s.Update(ctx, u); !errors.Is(err, sak.ErrNotFound) {
			t.Errorf("Update(%q): %v, want ErrNotFound", k, err)
		}
		for _, f := range []sak.Filter{{Owner: k}, {OnBehalfOf: k}, {Kind: k}} {
			if got, _, err := s.List(ctx, f, sak.Page{}); err != nil || len(got) != 0 {
				t.Errorf("List(%+v): %v, %d cases", f, err, len(got))
			}
		}
	}
	if _, err := s.Get(ctx, c.ID); err != nil {
		t.Fatalf("the store after bad keys: %v", err)
	}
}

func testOptimistic(t *testing.T, s sak.Store) {
	ctx := context.Background()
	c := newCase("sub-a", t0)
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Get(ctx, c.ID)
	b, _ := s.Get(ctx, c.ID)
	a.State = sak.InProgress
	if err := s.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Version != 2 {
		t.Fatalf("Update set Version %d, want 2", a.Version)
	}
	b.State = sak.Withdrawn
	if err := s.Update(ctx, b); !errors.Is(err, sak.ErrConflict) {
		t.Fatalf("stale Update: %v, want ErrConflict", err)
	}
	got, _ := s.Get(ctx, c.ID)
	if got.State != sak.InProgress || got.Version != 2 {
		t.Fatalf("after a refused update: state %s version %d, want in_progress 2", got.State, got.Version)
	}
}

func testCopies(t *testing.T, s sak.Store) {
	ctx := context.Background()
	c := newCase("sub-a", t0)
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.Links[0].Ref = "changed by the caller after Create"
	got, _ := s.Get(ctx, c.ID)
	got.Journal[0].Documents[0].Ref = "changed by the caller after Get"
	got.Journal[0].Parties[1].Screened = false
	again, _ := s.Get(ctx, c.ID)
	if again.Links[0].Ref != "sub-1" || again.Journal[0].Documents[0].Ref != "receipt/1" || !again.Journal[0].Parties[1].Screened {
		t.Fatal("the store shares memory with its callers")
	}
}

func testList(t *testing.T, s sak.Store) {
	ctx := context.Background()
	var ids []string
	for i, owner := range []string{"sub-a", "sub-b", "sub-a", "sub-a"} {
		c := newCase(owner, t0.Add(time.Duration(i)*time.Hour))
		if i == 2 {
			c.State = sak.Decided
		}
		if i == 3 {
			c.Kind = "hallbooking"
			c.OnBehalfOf = ""
		}
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	for _, tc := range []struct {
		name string
		f    sak.Filter
		want []string // newest first
	}{
		{"all", sak.Filter{}, []string{ids[3], ids[2], ids[1], ids[0]}},
		{"owner", sak.Filter{Owner: "sub-a"}, []string{ids[3], ids[2], ids[0]}},
		{"owner and state", sak.Filter{Owner: "sub-a", States: []sak.State{sak.Received}}, []string{ids[3], ids[0]}},
		{"states", sak.Filter{States: []sak.State{sak.Decided, sak.Closed}}, []string{ids[2]}},
		{"kind", sak.Filter{Kind: "hallbooking"}, []string{ids[3]}},
		{"on behalf of", sak.Filter{OnBehalfOf: "974760673", Owner: "sub-b"}, []string{ids[1]}},
		{"no match", sak.Filter{Owner: "sub-z"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, next, err := s.List(ctx, tc.f, sak.Page{})
			if err != nil || next != "" {
				t.Fatalf("List(%+v): next %q, %v", tc.f, next, err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("List(%+v) = %v, want %v", tc.f, got, tc.want)
			}
		})
	}
}

func testSequence(t *testing.T, s sak.Store) {
	ctx := context.Background()
	const n = 50
	var (
		mu  sync.Mutex
		got []int
		wg  sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			v, err := s.NextSequence(ctx, "sak", 2026)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, v)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("sequence numbers %v: want 1..%d, each once", got, n)
		}
	}
	// Series and years are independent.
	if v, _ := s.NextSequence(ctx, "journal", 2026); v != 1 {
		t.Fatalf("first journal number %d, want 1", v)
	}
	if v, _ := s.NextSequence(ctx, "sak", 2027); v != 1 {
		t.Fatalf("first case number of 2027: %d, want 1", v)
	}
}

// testConcurrentDecide races officers deciding the same case through the
// Service: exactly one decision is recorded, whatever the interleaving.
func testConcurrentDecide(t *testing.T, s sak.Store) {
	ctx := context.Background()
	svc := &sak.Service{Store: s}
	c, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: "sub-a"})
	if err != nil {
		t.Fatal(err)
	}
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "officer-1"}
	if _, err := svc.Transition(ctx, officer, c.ID, sak.InProgress, ""); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			outcome := sak.Approved
			if i%2 == 1 {
				outcome = sak.Rejected
			}
			_, err := svc.Decide(ctx, sak.Actor{Role: sak.RoleOfficer, ID: fmt.Sprintf("officer-%d", i)}, c.ID, outcome, "")
			results <- err
		})
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, sak.ErrInvalidTransition), errors.Is(err, sak.ErrConflict):
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d decisions succeeded, want exactly 1", ok)
	}
	final, _ := s.Get(ctx, c.ID)
	decisions := 0
	for _, e := range final.Events {
		if e.Type == sak.EventTransition && e.To == sak.Decided {
			decisions++
		}
	}
	if final.State != sak.Decided || decisions != 1 {
		t.Fatalf("state %s with %d decision events, want decided with 1", final.State, decisions)
	}
}

// compare reports the first difference between two cases, with times compared
// as instants (a database may return another location or precision).
func compare(want, got *sak.Case) string {
	norm := func(c *sak.Case) *sak.Case {
		c = c.Clone()
		c.Created, c.Updated = c.Created.UTC().Truncate(time.Microsecond), c.Updated.UTC().Truncate(time.Microsecond)
		for i := range c.Events {
			c.Events[i].At = c.Events[i].At.UTC().Truncate(time.Microsecond)
		}
		for i := range c.Deadlines {
			c.Deadlines[i].Due = c.Deadlines[i].Due.UTC().Truncate(time.Microsecond)
			c.Deadlines[i].Met = c.Deadlines[i].Met.UTC().Truncate(time.Microsecond)
		}
		for i := range c.Links {
			c.Links[i].At = c.Links[i].At.UTC().Truncate(time.Microsecond)
		}
		for i := range c.Journal {
			c.Journal[i].Date = c.Journal[i].Date.UTC().Truncate(time.Microsecond)
		}
		return c
	}
	w, g := fmt.Sprintf("%+v", *norm(want)), fmt.Sprintf("%+v", *norm(got))
	if w != g {
		return "\nwant " + w + "\n got " + g
	}
	return ""
}
