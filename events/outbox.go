package events

import (
	"context"
	"encoding/json"
	"time"
)

// Outbox is where a service's events wait to be relayed: Memory, or
// postgres.EventOutbox. Relay reads it; so does a test.
type Outbox interface {
	// Claim claims up to max unrelayed events for the caller, in the order
	// they were appended, and only events whose every earlier unrelayed
	// event of the same subject is in the same claim: so several relays may
	// claim at once, no event is in two claims, and each subject's events go
	// out in order. The claim holds until it is finished. Claim returns an
	// empty claim (not nil) when nothing is waiting.
	Claim(ctx context.Context, max int) (Claim, error)
	// Lag reports how far relaying is behind.
	Lag(ctx context.Context) (Lag, error)
	// Events returns every event the outbox holds, relayed or not, in the
	// order they were appended (for tests and small outboxes).
	Events(ctx context.Context) ([]Event, error)
}

// Claim is a batch of events that one relay holds.
type Claim interface {
	// Events returns the claimed events, in the order they were appended.
	Events() []Event
	// Finish marks the events with the given ids relayed and gives the rest
	// back, to be claimed again. After an error nothing is marked, and every
	// event will be claimed again. A claim is finished once; Finish on a
	// finished claim returns an error.
	Finish(ctx context.Context, relayed []string) error
}

// Lag is how far relaying is behind: the events not yet relayed, and the age
// of the oldest of them (by the time the change happened).
type Lag struct {
	Pending int       `json:"pending"`
	Oldest  time.Time `json:"oldest,omitzero"`
}

// Age returns how long the oldest pending event has waited at now, or 0.
func (l Lag) Age(now time.Time) time.Duration {
	if l.Pending == 0 || l.Oldest.IsZero() {
		return 0
	}
	return now.Sub(l.Oldest)
}

// String returns the lag as JSON, so that an expvar.Func can publish it.
func (l Lag) String() string {
	b, _ := json.Marshal(l)
	return string(b)
}

// eligible returns the indexes of pending, a slice of events in append
// order, that a claim may take: up to max of them, skipping every event whose
// subject has an earlier event that blocked (held by another claim) or that
// was skipped. It is the in-order rule both outboxes share.
func eligible[T any](pending []T, subject func(T) string, blocked func(T) bool, max int) []int {
	var out []int
	stuck := map[string]bool{}
	for i, p := range pending {
		if len(out) == max {
			break
		}
		s := subject(p)
		if stuck[s] {
			continue
		}
		if blocked(p) {
			stuck[s] = true
			continue
		}
		out = append(out, i)
	}
	return out
}
