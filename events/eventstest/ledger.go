package eventstest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/grunnmur/grunnmur/events"
)

// TestLedger runs the conformance suite every events.Ledger passes; open
// returns a fresh, empty ledger for each subtest.
func TestLedger(t *testing.T, open func(t *testing.T) events.Ledger) {
	t.Run("OncePerConsumer", func(t *testing.T) {
		l, ctx := open(t), context.Background()
		runs := 0
		f := func(context.Context) error { runs++; return nil }
		for _, c := range []struct {
			consumer, id string
			ran          bool
		}{{"a", "e1", true}, {"a", "e1", false}, {"b", "e1", true}, {"a", "e2", true}} {
			ran, err := l.Once(ctx, c.consumer, c.id, f)
			if err != nil || ran != c.ran {
				t.Errorf("Once(%s, %s) = %v, %v; want %v", c.consumer, c.id, ran, err, c.ran)
			}
		}
		if runs != 3 {
			t.Errorf("f ran %d times, want 3", runs)
		}
	})
	t.Run("FailureIsNotRecorded", func(t *testing.T) {
		l, ctx := open(t), context.Background()
		boom := errors.New("boom")
		if ran, err := l.Once(ctx, "a", "e1", func(context.Context) error { return boom }); !ran || !errors.Is(err, boom) {
			t.Errorf("a failing f: %v, %v", ran, err)
		}
		if ran, err := l.Once(ctx, "a", "e1", func(context.Context) error { return nil }); !ran || err != nil {
			t.Errorf("after a failure: %v, %v; want f run again", ran, err)
		}
	})
	t.Run("RacingCopies", func(t *testing.T) {
		l, ctx := open(t), context.Background()
		var runs, fails atomic.Int32
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := l.Once(ctx, "racer", "e1", func(context.Context) error {
					if i%3 == 0 && fails.Add(1) <= 2 { // the first two tries of a few copies fail
						return errors.New("transient")
					}
					runs.Add(1)
					return nil
				})
				_ = err
			}()
		}
		wg.Wait()
		if runs.Load() != 1 {
			t.Errorf("24 copies of one event ran the handler successfully %d times, want 1", runs.Load())
		}
	})
}
