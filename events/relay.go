package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
)

// ErrConfig is wrapped by the errors of a Relay or Consumer set up wrongly.
var ErrConfig = errors.New("events: bad configuration")

// Publisher sends events on: JetStream to NATS, or Local to in-process
// handlers when no NATS is configured.
type Publisher interface {
	// Publish sends evs, which are of different subjects, and returns an
	// error for each: nil once the event is durably accepted (JetStream's
	// ack), so that the relay may mark it relayed.
	Publish(ctx context.Context, evs []Event) []error
}

// Relay moves events from an Outbox to a Publisher: it claims a batch,
// publishes it and marks relayed what was accepted, in one claim, so that an
// event is marked only after the publisher's ack and a relay that dies
// leaves its claim to the next one. Events of one subject go out in order:
// the relay publishes a batch in waves, the first event of every subject,
// then the second, ..., and a subject whose event failed waits for the next
// claim. A failed pass is retried with backoff. Several relays may run on
// one outbox. An event may be published twice (a relay killed after the ack
// and before the mark); JetStream drops the copy within its duplicate window
// by the Nats-Msg-Id header, and consumers are idempotent by the event id.
//
// The zero Relay is not usable: set Outbox and Publisher.
type Relay struct {
	Outbox    Outbox
	Publisher Publisher
	// Batch is the most events claimed at once; 0 means 256.
	Batch int
	// Workers is how many claims the relay works on at once, so that one
	// claim's database round trips overlap another's publishing; 0 means 1.
	// Each subject stays in order whatever the number (see Outbox.Claim),
	// but a Publisher's handlers (Local's) are then called concurrently.
	Workers int
	// MaxBackoff caps the wait after failed passes, which doubles from the
	// Run interval; 0 means 30 s.
	MaxBackoff time.Duration
	// Logger gets failed passes; nil means none.
	Logger *slog.Logger

	mu    sync.Mutex
	stats RelayStats
}

// RelayStats counts what a relay did since it was made.
type RelayStats struct {
	Relayed  uint64 // events published and marked
	Failed   uint64 // publishes that failed (the event stays in the outbox)
	Passes   uint64 // claims relayed
	Failures int    // failed RunOnce calls in a row, now: the backoff's exponent
}

// Stats returns the relay's counts.
func (r *Relay) Stats() RelayStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Lag reports how far relaying is behind, from the outbox: the lag metric.
// Publish it with expvar, for example:
//
//	expvar.Publish("events_lag", expvar.Func(func() any { l, _ := relay.Lag(ctx); return l }))
func (r *Relay) Lag(ctx context.Context) (Lag, error) {
	if r.Outbox == nil {
		return Lag{}, fmt.Errorf("%w: relay without an Outbox", ErrConfig)
	}
	return r.Outbox.Lag(ctx)
}

// Run relays at once and then every interval until ctx ends, and returns
// nil. An outbox that signals appends (Memory) wakes it early. After a
// failed pass it waits longer each time (every, doubled per failure with
// jitter, up to MaxBackoff), so a server that is away is not hammered.
func (r *Relay) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		return fmt.Errorf("%w: events: relay: the interval must be positive, not %v", ErrConfig, every)
	}
	if err := r.check(); err != nil {
		return err
	}
	waker, _ := r.Outbox.(interface{ Appended() <-chan struct{} })
	for {
		var wake <-chan struct{}
		if waker != nil {
			wake = waker.Appended()
		}
		wait := every
		if err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			n := r.Stats().Failures
			wait = httpx.Backoff(n, every, r.maxBackoff())
			wake = nil // back off even while appends go on
			defaults.Logger(r.Logger).WarnContext(ctx, "events: relay: pass failed", "error", err, "failures", n, "retry in", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (r *Relay) maxBackoff() time.Duration {
	if r.MaxBackoff > 0 {
		return r.MaxBackoff
	}
	return 30 * time.Second
}

func (r *Relay) check() error {
	if r.Outbox == nil || r.Publisher == nil {
		return fmt.Errorf("%w: a relay needs an Outbox and a Publisher", ErrConfig)
	}
	return nil
}

// RunOnce relays until nothing is left to claim, and returns the first
// error: a claim or mark that failed, or a publish that failed (the event
// is left for the next pass).
func (r *Relay) RunOnce(ctx context.Context) error {
	if err := r.check(); err != nil {
		return err
	}
	batch := r.Batch
	if batch <= 0 {
		batch = 256
	}
	workers := max(r.Workers, 1)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = r.drain(ctx, batch)
		}()
	}
	wg.Wait()
	err := errors.Join(errs...)
	r.mu.Lock()
	if err != nil {
		r.stats.Failures++
	} else {
		r.stats.Failures = 0
	}
	r.mu.Unlock()
	return err
}

// drain relays claim after claim until one is not full or fails.
func (r *Relay) drain(ctx context.Context, batch int) error {
	for {
		n, err := r.pass(ctx, batch)
		r.mu.Lock()
		r.stats.Passes++
		r.mu.Unlock()
		if err != nil || n < batch {
			return err
		}
	}
}

// finishTimeout bounds the marking of a claim once its events are published.
const finishTimeout = 10 * time.Second

// pass relays one claim and returns how many events it claimed.
func (r *Relay) pass(ctx context.Context, batch int) (int, error) {
	c, err := r.Outbox.Claim(ctx, batch)
	if err != nil {
		return 0, err
	}
	evs := c.Events()
	relayed, perr := r.publish(ctx, evs)
	// The marks are written even when ctx ended during the publish: the
	// server has acked those events, and a mark lost now would publish them
	// again after the duplicate window.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := c.Finish(fctx, relayed); err != nil {
		return len(evs), err
	}
	r.mu.Lock()
	r.stats.Relayed += uint64(len(relayed))
	r.stats.Failed += uint64(len(evs) - len(relayed))
	r.mu.Unlock()
	return len(evs), perr
}

// publish sends evs in waves, one event per subject in each, and returns
// the ids accepted and the first error.
func (r *Relay) publish(ctx context.Context, evs []Event) (relayed []string, first error) {
	var waves [][]Event
	depth := map[string]int{}
	for _, e := range evs {
		k := depth[e.Subject]
		depth[e.Subject]++
		if k == len(waves) {
			waves = append(waves, nil)
		}
		waves[k] = append(waves[k], e)
	}
	failed := map[string]bool{}
	for _, w := range waves {
		send := w[:0:0]
		for _, e := range w {
			if !failed[e.Subject] {
				send = append(send, e)
			}
		}
		if len(send) == 0 || ctx.Err() != nil {
			break
		}
		errs := r.Publisher.Publish(ctx, send)
		for i, e := range send {
			var err error
			if i < len(errs) {
				err = errs[i]
			} else {
				err = errors.New("events: the publisher gave no answer")
			}
			if err != nil {
				failed[e.Subject] = true
				if first == nil {
					first = fmt.Errorf("events: relay %s: %w", e.ID, err)
				}
				continue
			}
			relayed = append(relayed, e.ID)
		}
	}
	if first == nil && ctx.Err() != nil && len(relayed) < len(evs) {
		first = ctx.Err()
	}
	return relayed, first
}
