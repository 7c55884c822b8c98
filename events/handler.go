package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Handler handles one event: nil means done (the event is acknowledged), an
// error means try again later. Events come at least once, so a handler is
// idempotent by the event id; Idempotent makes one so.
type Handler func(ctx context.Context, e Event) error

// Local is the Publisher of a service without NATS: it hands each event to
// the in-process handlers (the webhook fan-out, a Min side view), in order
// per subject, as the relay claims them from the outbox. An event is
// accepted once every handler returned nil; otherwise it is offered again on
// the next pass, to every handler, so wrap them in Idempotent. After
// MaxAttempts failed offers an event is dropped with an error in the log,
// as a consumer on NATS dead-letters it.
type Local struct {
	Handlers []Handler
	// MaxAttempts bounds the offers of one event; 0 means 5.
	MaxAttempts int
	Logger      *slog.Logger

	mu       sync.Mutex
	attempts map[string]int // failed offers, by event id
}

// Publish hands evs to the handlers; see Publisher.
func (l *Local) Publish(ctx context.Context, evs []Event) []error {
	errs := make([]error, len(evs))
	for i, e := range evs {
		var err error
		for _, h := range l.Handlers {
			err = errors.Join(err, h(ctx, e))
		}
		errs[i] = l.settle(ctx, e, err)
	}
	return errs
}

// settle counts a failed offer and gives up on the event after the last.
func (l *Local) settle(ctx context.Context, e Event, err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil {
		delete(l.attempts, e.ID)
		return nil
	}
	if l.attempts == nil {
		l.attempts = map[string]int{}
	}
	l.attempts[e.ID]++
	limit := l.MaxAttempts
	if limit <= 0 {
		limit = 5
	}
	if l.attempts[e.ID] < limit {
		return err
	}
	delete(l.attempts, e.ID)
	defaults.Logger(l.Logger).ErrorContext(ctx, "events: dropped after the last attempt", "id", e.ID, "type", e.Type,
		"attempts", limit, "error", err)
	return nil
}

// Ledger records which events a consumer has handled, in the consumer's own
// store: MemoryLedger, or postgres.EventLedger.
type Ledger interface {
	// Once runs f unless consumer has handled id, and records id when f
	// returns nil. A second call for the same id waits for the first, so f
	// runs once per id even when copies of an event arrive together; after
	// an error (or a crash) the next call runs f again. ran reports whether
	// f ran.
	Once(ctx context.Context, consumer, id string, f func(ctx context.Context) error) (ran bool, err error)
}

// Idempotent returns h run at most once per event id for consumer, as
// recorded in l.
func Idempotent(l Ledger, consumer string, h Handler) Handler {
	return func(ctx context.Context, e Event) error {
		_, err := l.Once(ctx, consumer, e.ID, func(ctx context.Context) error { return h(ctx, e) })
		return err
	}
}

// MemoryLedger is a Ledger in memory. The zero value is ready; it is safe
// for concurrent use.
type MemoryLedger struct {
	mu   sync.Mutex
	seen map[[2]string]*ledgerEntry
}

type ledgerEntry struct {
	mu   sync.Mutex
	done bool
}

// Once runs f unless consumer handled id before; see Ledger.
func (m *MemoryLedger) Once(ctx context.Context, consumer, id string, f func(ctx context.Context) error) (bool, error) {
	k := [2]string{consumer, id}
	m.mu.Lock()
	if m.seen == nil {
		m.seen = map[[2]string]*ledgerEntry{}
	}
	e := m.seen[k]
	if e == nil {
		e = &ledgerEntry{}
		m.seen[k] = e
	}
	m.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return false, nil
	}
	if err := f(ctx); err != nil {
		return true, fmt.Errorf("events: %s: %w", consumer, err)
	}
	e.done = true
	return true, nil
}
