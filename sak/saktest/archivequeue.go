package saktest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/sak"
)

// TestArchiveQueue is the conformance suite of sak.ArchiveQueue: run it on
// every implementation (sak.NewMemoryArchiveQueue,
// postgres.NewSakArchiveQueue). newQueue returns an empty queue for each
// subtest.
func TestArchiveQueue(t *testing.T, newQueue func(t *testing.T) sak.ArchiveQueue) {
	t.Run("ClaimDueSoonestFirst", func(t *testing.T) { testQueueClaim(t, newQueue(t)) })
	t.Run("ArmedMeanwhileStays", func(t *testing.T) { testQueueArmedMeanwhile(t, newQueue(t)) })
	t.Run("DeferAndGone", func(t *testing.T) { testQueueDefer(t, newQueue(t)) })
	t.Run("CaseVersionKept", func(t *testing.T) { testQueueCaseVersion(t, newQueue(t)) })
	t.Run("BadCase", func(t *testing.T) { testQueueBad(t, newQueue(t)) })
	t.Run("ConcurrentClaimsDisjoint", func(t *testing.T) { testQueueRace(t, newQueue(t)) })
}

var queueT0 = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC) // a DST night, a Sunday

func arm(t *testing.T, q sak.ArchiveQueue, id string, at time.Time) {
	t.Helper()
	if err := q.Arm(context.Background(), id, at, 0); err != nil {
		t.Fatal(err)
	}
}

func claim(t *testing.T, q sak.ArchiveQueue, now time.Time, limit int) []sak.ArchiveTask {
	t.Helper()
	ts, err := q.Claim(context.Background(), now, time.Minute, limit)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func testQueueClaim(t *testing.T, q sak.ArchiveQueue) {
	a, b, c := "1-"+uuid.NewString(), "2-"+uuid.NewString(), "3-"+uuid.NewString() // ties go by case
	arm(t, q, c, queueT0.Add(2*time.Minute))
	arm(t, q, b, queueT0.Add(time.Minute))
	arm(t, q, a, queueT0)
	got := claim(t, q, queueT0.Add(time.Minute), 0)
	if len(got) != 2 || got[0].Case != a || got[1].Case != b {
		t.Fatalf("claimed %+v, want %s then %s", got, a, b)
	}
	if !got[0].Due.Equal(queueT0.Add(2 * time.Minute)) {
		t.Errorf("a claimed task is due %v, want now+lease", got[0].Due)
	}
	if again := claim(t, q, queueT0.Add(time.Minute), 0); len(again) != 0 {
		t.Fatalf("claimed twice within the lease: %+v", again)
	}
	if err := q.Done(context.Background(), got[0]); err != nil {
		t.Fatal(err)
	}
	// After the lease the unfinished task comes back, with c now due too.
	later := claim(t, q, queueT0.Add(2*time.Minute), 1) // b and c are due at once
	if len(later) != 1 || later[0].Case != b {
		t.Fatalf("after the lease, limit 1: %+v, want %s", later, b)
	}
	rest := claim(t, q, queueT0.Add(2*time.Minute), 0)
	if len(rest) != 1 || rest[0].Case != c {
		t.Fatalf("then %+v, want %s (and never the done %s)", rest, c, a)
	}
}

func testQueueArmedMeanwhile(t *testing.T, q sak.ArchiveQueue) {
	ctx := context.Background()
	id := uuid.NewString()
	arm(t, q, id, queueT0)
	got := claim(t, q, queueT0, 0)
	if len(got) != 1 {
		t.Fatalf("claimed %+v", got)
	}
	arm(t, q, id, queueT0.Add(time.Second)) // a new entry while the pass works
	if err := q.Done(ctx, got[0]); !errors.Is(err, sak.ErrConflict) {
		t.Fatalf("Done of a task armed meanwhile: %v, want ErrConflict", err)
	}
	if err := q.Defer(ctx, got[0], queueT0.Add(time.Hour)); !errors.Is(err, sak.ErrConflict) {
		t.Fatalf("Defer of a task armed meanwhile: %v, want ErrConflict", err)
	}
	if again := claim(t, q, queueT0.Add(time.Second), 0); len(again) != 1 || again[0].Case != id {
		t.Fatalf("the armed task is not due at its arming: %+v", again)
	}
}

func testQueueDefer(t *testing.T, q sak.ArchiveQueue) {
	ctx := context.Background()
	id := uuid.NewString()
	arm(t, q, id, queueT0)
	got := claim(t, q, queueT0, 0)
	if err := q.Defer(ctx, got[0], queueT0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := q.Defer(ctx, got[0], queueT0); !errors.Is(err, sak.ErrConflict) {
		t.Fatalf("a second Defer with the old version: %v, want ErrConflict", err)
	}
	if early := claim(t, q, queueT0.Add(9*time.Minute), 0); len(early) != 0 {
		t.Fatalf("claimed before its deferred time: %+v", early)
	}
	got = claim(t, q, queueT0.Add(10*time.Minute), 0)
	if len(got) != 1 {
		t.Fatalf("not due at its deferred time: %+v", got)
	}
	if err := q.Done(ctx, got[0]); err != nil {
		t.Fatal(err)
	}
	if err := q.Done(ctx, got[0]); !errors.Is(err, sak.ErrNotFound) {
		t.Fatalf("Done of a removed task: %v, want ErrNotFound", err)
	}
	if err := q.Defer(ctx, got[0], queueT0); !errors.Is(err, sak.ErrNotFound) {
		t.Fatalf("Defer of a removed task: %v, want ErrNotFound", err)
	}
}

// testQueueCaseVersion: a task keeps the highest case version it was
// armed for and when it was last armed, through Claim and Defer; a new
// arm for an older version (a change retried after a conflict, armed
// twice) does not lower it.
func testQueueCaseVersion(t *testing.T, q sak.ArchiveQueue) {
	ctx := context.Background()
	id := uuid.NewString()
	for _, a := range []struct {
		at time.Time
		v  int
	}{{queueT0, 3}, {queueT0.Add(time.Second), 7}, {queueT0.Add(2 * time.Second), 5}} {
		if err := q.Arm(ctx, id, a.at, a.v); err != nil {
			t.Fatal(err)
		}
	}
	want := func(step string, got []sak.ArchiveTask) {
		t.Helper()
		if len(got) != 1 || got[0].CaseVersion != 7 || !got[0].Armed.Equal(queueT0.Add(2*time.Second)) {
			t.Fatalf("%s: %+v, want case version 7 armed at %v", step, got, queueT0.Add(2*time.Second))
		}
	}
	got := claim(t, q, queueT0.Add(2*time.Second), 0)
	want("claimed", got)
	if err := q.Defer(ctx, got[0], queueT0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	want("claimed after Defer", claim(t, q, queueT0.Add(time.Minute), 0))
}

func testQueueBad(t *testing.T, q sak.ArchiveQueue) {
	ctx := context.Background()
	for _, id := range []string{"", "a\x00b", "\xff"} {
		if err := q.Arm(ctx, id, queueT0, 1); !errors.Is(err, sak.ErrInvalid) {
			t.Errorf("Arm(%q): %v, want ErrInvalid", id, err)
		}
		if err := q.Done(ctx, sak.ArchiveTask{Case: id, Version: 1}); !errors.Is(err, sak.ErrNotFound) {
			t.Errorf("Done(%q): %v, want ErrNotFound", id, err)
		}
	}
}

// testQueueRace: goroutines claim from one queue at once; within the lease
// no task is given to two of them, and every task is given out.
func testQueueRace(t *testing.T, q sak.ArchiveQueue) {
	ctx := context.Background()
	const n, workers = 60, 8
	for i := range n {
		arm(t, q, fmt.Sprintf("%s-%02d", uuid.NewString(), i), queueT0)
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				ts, err := q.Claim(ctx, queueT0, time.Hour, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ts) == 0 {
					return
				}
				mu.Lock()
				for _, x := range ts {
					seen[x.Case]++
				}
				mu.Unlock()
				for _, x := range ts {
					if err := q.Done(ctx, x); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d tasks claimed, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("task %s claimed %d times", id, k)
		}
	}
}
