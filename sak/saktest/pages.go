package saktest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/sak"
)

// listAll pages through the cases matching f, forward from the newest or
// backward from before, and returns them in the order listed.
func listAll(t *testing.T, s sak.Store, f sak.Filter, limit int, before string) []*sak.Case {
	t.Helper()
	ctx := context.Background()
	p := sak.Page{Limit: limit, Before: before}
	var out []*sak.Case
	for range 10000 {
		cs, next, err := s.List(ctx, f, p)
		if err != nil {
			t.Fatalf("List(%+v, %+v): %v", f, p, err)
		}
		if len(cs) > p.Size() {
			t.Fatalf("List(%+v) gave %d cases, more than the limit", p, len(cs))
		}
		if next != "" && len(cs) != p.Size() {
			t.Fatalf("List(%+v) gave a short page of %d and a cursor to go on", p, len(cs))
		}
		if before != "" {
			out = append(slices.Clone(cs), out...)
		} else {
			out = append(out, cs...)
		}
		if next == "" {
			return out
		}
		if before != "" {
			p.Before = next
		} else {
			p.After = next
		}
	}
	t.Fatal("paging does not end")
	return nil
}

// ordered reports whether a comes before b in the order of every list.
func ordered(a, b *sak.Case) bool {
	ac, bc := a.Created.Truncate(time.Microsecond), b.Created.Truncate(time.Microsecond)
	return ac.After(bc) || ac.Equal(bc) && a.ID > b.ID
}

func ids(cs []*sak.Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// testPages pages forward and back through cases of which several share a
// creation time, so that the order falls back on the ID.
func testPages(t *testing.T, s sak.Store) {
	ctx := context.Background()
	var made []*sak.Case
	for i := range 23 {
		owner := "sub-a"
		if i%3 == 0 {
			owner = "sub-b"
		}
		// Sub-microsecond parts, which a database drops: the order is by the microsecond.
		c := newCase(owner, t0.Add(time.Duration(i/4)*time.Minute+time.Duration(i%2)*999*time.Nanosecond))
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		made = append(made, c)
	}
	all, next, err := s.List(ctx, sak.Filter{}, sak.Page{Limit: sak.MaxPageLimit})
	if err != nil || next != "" || len(all) != len(made) {
		t.Fatalf("one big page: %d cases, next %q, %v", len(all), next, err)
	}
	for i := 1; i < len(all); i++ {
		if !ordered(all[i-1], all[i]) {
			t.Fatalf("not newest first, then by ID descending: %s %s before %s %s", all[i-1].Created, all[i-1].ID, all[i].Created, all[i].ID)
		}
	}
	for _, limit := range []int{1, 2, 5, 22, 23, 24} {
		if got := listAll(t, s, sak.Filter{}, limit, ""); !slices.Equal(ids(got), ids(all)) {
			t.Errorf("forward by %d: %v, want %v", limit, ids(got), ids(all))
		}
		last := sak.CursorOf(all[len(all)-1])
		if got := listAll(t, s, sak.Filter{}, limit, last); !slices.Equal(ids(got), ids(all[:len(all)-1])) {
			t.Errorf("backward by %d: %v, want %v", limit, ids(got), ids(all[:len(all)-1]))
		}
	}
	var owned []*sak.Case
	for _, c := range all {
		if c.Owner == "sub-b" {
			owned = append(owned, c)
		}
	}
	if got := listAll(t, s, sak.Filter{Owner: "sub-b"}, 2, ""); !slices.Equal(ids(got), ids(owned)) {
		t.Errorf("an owner's cases by 2: %v, want %v", ids(got), ids(owned))
	}
	// A cursor of a case names a place, whether the filter matches the case or not.
	mid := all[10]
	cs, _, err := s.List(ctx, sak.Filter{}, sak.Page{Limit: 3, After: sak.CursorOf(mid)})
	if err != nil || !slices.Equal(ids(cs), ids(all[11:14])) {
		t.Errorf("after the 11th: %v %v, want %v", ids(cs), err, ids(all[11:14]))
	}
	cs, next, err = s.List(ctx, sak.Filter{}, sak.Page{Limit: 3, Before: sak.CursorOf(mid)})
	if err != nil || !slices.Equal(ids(cs), ids(all[7:10])) || next != sak.CursorOf(all[7]) {
		t.Errorf("before the 11th: %v %q %v, want %v", ids(cs), next, err, ids(all[7:10]))
	}
	cs, next, err = s.List(ctx, sak.Filter{}, sak.Page{Before: sak.CursorOf(all[0])})
	if err != nil || len(cs) != 0 || next != "" {
		t.Errorf("before the newest: %d cases, next %q, %v", len(cs), next, err)
	}
	cs, next, err = s.List(ctx, sak.Filter{Owner: "sub-z"}, sak.Page{After: sak.CursorOf(mid)})
	if err != nil || len(cs) != 0 || next != "" {
		t.Errorf("no match after a cursor: %d cases, next %q, %v", len(cs), next, err)
	}
}

// testBadCursor: a cursor from outside is checked, never trusted.
func testBadCursor(t *testing.T, s sak.Store) {
	ctx := context.Background()
	c := newCase("sub-a", t0)
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	good := sak.CursorOf(c)
	for _, p := range []sak.Page{
		{After: "not a cursor"},
		{After: "AA"},
		{Before: good + "="},
		{After: good + "%00"},
		{After: good, Before: good},
		{After: "AQAAAABpyHKIAAAAAP8"},    // an ID that is not UTF-8
		{After: "AQAAAABpyHKIAAAAAGEAYg"}, // an ID that holds a NUL
		{Before: "AQAAAABpyHKIO5rKAGE"},   // a billion nanoseconds
		{After: "AgAAAABpyHKIAAAAAGE"},    // another version
	} {
		if cs, next, err := s.List(ctx, sak.Filter{}, p); !errors.Is(err, sak.ErrInvalid) || len(cs) != 0 || next != "" {
			t.Errorf("List(%+v): %d cases, next %q, %v; want ErrInvalid", p, len(cs), next, err)
		}
	}
	if cs, _, err := s.List(ctx, sak.Filter{}, sak.Page{Limit: -1}); err != nil || len(cs) != 1 {
		t.Errorf("a negative limit: %d cases, %v; want the default", len(cs), err)
	}
}

// testPagesWhileCreating pages through the cases while other goroutines
// create more, newer and older than the page being read: no case is listed
// twice, the order holds, and every case that was there before paging began
// is listed exactly once.
func testPagesWhileCreating(t *testing.T, s sak.Store) {
	ctx := context.Background()
	for i := range 60 {
		if err := s.Create(ctx, newCase("sub-a", t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	for _, backward := range []bool{false, true} {
		t.Run(fmt.Sprintf("backward=%v", backward), func(t *testing.T) {
			before := map[string]bool{}
			for _, id := range ids(listAll(t, s, sak.Filter{}, sak.MaxPageLimit, "")) {
				before[id] = true
			}
			start := ""
			if backward { // below the oldest case, so every case is newer
				start = sak.CursorOf(&sak.Case{Created: t0.Add(-time.Hour), ID: "0"})
			}
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					for i := range 15 {
						// Newer than every case, and among the old ones.
						at := t0.Add(time.Duration(1000+w*100+i) * time.Minute)
						if i%2 == 1 {
							at = t0.Add(time.Duration(i*4)*time.Minute + 30*time.Second)
						}
						if err := s.Create(ctx, newCase("sub-a", at)); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			got := listAll(t, s, sak.Filter{Owner: "sub-a"}, 7, start)
			wg.Wait()
			seen := map[string]bool{}
			for i, c := range got {
				if seen[c.ID] {
					t.Fatalf("case %s listed twice", c.ID)
				}
				seen[c.ID] = true
				if i > 0 && !ordered(got[i-1], c) {
					t.Fatalf("out of order at %d", i)
				}
			}
			for id := range before {
				if !seen[id] {
					t.Fatalf("case %s, there before paging began, not listed", id)
				}
			}
		})
	}
}
