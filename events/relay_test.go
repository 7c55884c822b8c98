package events_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
)

// TestRelayBacksOff: while every publish fails, the passes space out
// (every 100 ms doubled per failure, up to MaxBackoff), and once publishing
// works again the relay catches up.
func TestRelayBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &events.Memory{}
		m.Append(eventstest.Event(t, "a", 0), eventstest.Event(t, "a", 1), eventstest.Event(t, "b", 2))
		var failing atomic.Bool
		failing.Store(true)
		rec := &eventstest.Recorder{Fail: func(events.Event) bool { return failing.Load() }}
		r := &events.Relay{Outbox: m, Publisher: rec, MaxBackoff: 2 * time.Second}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Run(ctx, 100*time.Millisecond) }()
		time.Sleep(20 * time.Second)
		synctest.Wait()
		s := r.Stats()
		// Without backoff: 200 passes. With it: 100, 200, ... 1600 ms, then
		// at least 1 s (half of the 2 s cap) apart.
		if s.Passes > 30 || s.Failures < 5 || s.Relayed != 0 {
			t.Errorf("after 20 s of failures: %+v", s)
		}
		failing.Store(false)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if s := r.Stats(); s.Relayed != 3 || s.Failures != 0 {
			t.Errorf("after the publisher came back: %+v", s)
		}
		if l, _ := m.Lag(ctx); l.Pending != 0 {
			t.Errorf("Lag = %+v", l)
		}
		cancel()
		<-done
	})
}

// TestRelayWakesOnAppend: a relay on a Memory outbox relays an append at
// once, not at its next interval.
func TestRelayWakesOnAppend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &events.Memory{}
		rec := &eventstest.Recorder{}
		r := &events.Relay{Outbox: m, Publisher: rec}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Run(ctx, time.Hour) }()
		synctest.Wait()
		m.Append(eventstest.Event(t, "a", 0))
		synctest.Wait()
		if n := len(rec.Accepted()); n != 1 {
			t.Errorf("%d events relayed, want 1 without waiting an hour", n)
		}
		cancel()
		<-done
	})
}
